/* dl: a library loaded on first use; a missing library or function is a message, not a crash. */
#include <string.h>

#include "base/dl.h"
#include "tests/unit/tap.h"

static double (*cos_fn)(double);
static double (*nothing_fn)(double);

static void
a_library_and_its_functions_load_once(void)
{
	static const struct dl_sym syms[] = { { (void **)&cos_fn, "cos" } };
	static struct dl_lib l = { "libm.so.6", syms, 1, 0, "" };
	const char *why = "unset";

	EXPECT_INT(dl_load(&l, &why), 0);
	EXPECT(why == NULL);
	EXPECT(cos_fn != NULL && cos_fn(0.0) == 1.0);
	EXPECT_INT(dl_load(&l, NULL), 0);
}

static void
a_missing_library_is_named(void)
{
	static const struct dl_sym syms[] = { { (void **)&nothing_fn, "cos" } };
	static struct dl_lib l = { "libloaxa-not-installed.so.7", syms, 1, 0, "" };
	const char *why = NULL;

	EXPECT_INT(dl_load(&l, &why), -1);
	EXPECT(why != NULL && strstr(why, "libloaxa-not-installed.so.7") != NULL);
	EXPECT(nothing_fn == NULL);
	why = NULL;
	EXPECT_INT(dl_load(&l, &why), -1);	/* remembered, not tried again */
	EXPECT(why != NULL && strstr(why, "libloaxa-not-installed.so.7") != NULL);
}

static void
a_missing_function_fails_the_whole_table(void)
{
	static const struct dl_sym syms[] = { { (void **)&cos_fn, "cos" }, { (void **)&nothing_fn, "loaxa_no_such_function" } };
	static struct dl_lib l = { "libm.so.6", syms, 2, 0, "" };
	const char *why = NULL;

	EXPECT_INT(dl_load(&l, &why), -1);
	EXPECT(why != NULL && strstr(why, "loaxa_no_such_function") != NULL);
	EXPECT(cos_fn == NULL && nothing_fn == NULL);	/* nothing half-loaded */
}

int
main(void)
{
	tap_plan(3);
	TEST(a_library_and_its_functions_load_once);
	TEST(a_missing_library_is_named);
	TEST(a_missing_function_fails_the_whole_table);
	return tap_done();
}
