/* base/form.c: a posted form's values, and the hostile ones refused */
#include <string.h>

#include "base/form.h"
#include "tests/unit/tap.h"

static int
get(const char *body, const char *key, char *out, size_t len)
{
	return form_value(body, strlen(body), key, out, len);
}

static void
decodes_plus_and_escapes(void)
{
	char v[64];

	EXPECT_INT(get("csrf=ab12&name=Nguy%E1%BB%85n+V%C4%83n&password=a%26b%3Dc", "name", v, sizeof(v)), 1);
	EXPECT_STR(v, "Nguyễn Văn");
	EXPECT_INT(get("csrf=ab12&name=x&password=a%26b%3Dc", "password", v, sizeof(v)), 1);
	EXPECT_STR(v, "a&b=c");
	EXPECT_INT(get("name=&x=1", "name", v, sizeof(v)), 1);	/* there, and empty */
	EXPECT_STR(v, "");
}

static void
a_key_is_matched_whole(void)
{
	char v[16];

	EXPECT_INT(get("namex=1&xname=2&name=3", "name", v, sizeof(v)), 1);
	EXPECT_STR(v, "3");
	EXPECT_INT(get("namex=1", "name", v, sizeof(v)), 0);
	EXPECT_STR(v, "");
}

static void
hostile_escapes_are_refused(void)
{
	static const char *const bad[] = { "name=a%00b", "name=%zz", "name=%4", "name=%", "name=%+1", "name=% 1",
		"name=%-1", NULL };
	char v[16];

	for (int i = 0; bad[i]; i++) {
		EXPECT_INT(get(bad[i], "name", v, sizeof(v)), 0);
		EXPECT_STR(v, "");
	}
	EXPECT_INT(form_value("name=a\0b", 8, "name", v, sizeof(v)), 0);	/* a raw NUL */
}

static void
a_long_value_is_cut_and_terminated(void)
{
	char body[5000] = "name=", v[8];

	memset(body + 5, 'A', sizeof(body) - 6);
	body[sizeof(body) - 1] = '\0';
	EXPECT_INT(get(body, "name", v, sizeof(v)), 1);
	EXPECT_STR(v, "AAAAAAA");
	EXPECT_INT(form_value(NULL, 0, "name", v, sizeof(v)), 0);
	EXPECT_INT(form_value("name=1", 6, "name", v, 0), 0);
}

int
main(void)
{
	tap_plan(4);
	TEST(decodes_plus_and_escapes);
	TEST(a_key_is_matched_whole);
	TEST(hostile_escapes_are_refused);
	TEST(a_long_value_is_cut_and_terminated);
	return tap_done();
}
