/*
 * bulletin: see bulletin.h. No I/O; the caller reads and writes the files.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/translate.h"
#include "config/bulletin.h"

static const char *const manifest_keys[] = { "file", "sha256", "id", "title", "topic", "level", "valid_from",
	"valid_to", "sessions", "repeat_minutes", "source", "author", "summary", NULL };
static const char *const library_keys[] = { "file", "sha256", "id", "title", "topic", "level", "valid_from",
	"valid_to", "sessions", "repeat_minutes", "source", "author", "summary", "duration_ms", "loudness_lufs",
	"true_peak_db", "imported", NULL };

const char *
bul_level_name(enum bul_level l)
{
	return l == BUL_EMERGENCY ? "emergency" : l == BUL_PRIORITY ? "priority" : "normal";
}

const char *
bul_source_name(enum bul_source s)
{
	return s == BUL_PROVINCE ? "province" : "commune";
}

int
bul_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > BUL_ID_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || strchr("-_.", s[i])))
			return 0;
	return 1;
}

int
bul_valid_on(const struct bulletin *b, int32_t day)
{
	return day >= b->valid_from && day <= b->valid_to;
}

int
bul_allows_session(const struct bulletin *b, const char *session)
{
	if (b->nsessions == 0)
		return 1;
	for (int i = 0; i < b->nsessions; i++)
		if (strcmp(b->sessions[i], session) == 0)
			return 1;
	return 0;
}

static int
get_date(struct cfgkey *ld, const config_setting_t *g, const char *name, int32_t *out)
{
	const char *s;
	int r = cfgkey_str(ld, g, name, &s);

	if (r == 0)
		cfgkey_missing(ld, g, name, _("a date, YYYY-MM-DD"));
	if (r <= 0)
		return -1;
	if (date_parse(s, out) < 0) {
		cfgkey_err(ld, config_setting_get_member(g, name), _("\"%s\" is not a date (use YYYY-MM-DD)"), s);
		return -1;
	}
	return 0;
}

/* a relative path with no ".." component */
static int
inside_path(const char *s)
{
	const char *p = s;

	if (s[0] == '\0' || s[0] == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

static int
is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return 0;
	return 1;
}

int
bul_parse(struct cfgkey *ld, const config_setting_t *g, enum bul_mode mode, struct bulletin *b)
{
	const config_setting_t *t;
	const char *s;
	long long v;
	int ok = 1, r;
	size_t n0 = ld->d->n;	/* not ld->bad: an earlier entry's error must not let this one's through */

	memset(b, 0, sizeof(*b));
	b->line = cfgkey_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		cfgkey_err(ld, g, _("must be a group { file = ...; id = ...; title = ...; ... }"));
		return -1;
	}
	cfgkey_keys(ld, g, mode == BUL_MANIFEST ? manifest_keys : library_keys);

	r = cfgkey_str(ld, g, "id", &s);
	if (r == 0)
		cfgkey_missing(ld, g, "id", _("the bulletin's short name, e.g. \"luat-2026-01\""));
	else if (r > 0 && !bul_valid_id(s))
		cfgkey_err(ld, config_setting_get_member(g, "id"),
		    _("\"%s\" is not a valid bulletin id (use 1 to %d lower-case letters, digits, '-', '_' or '.')"), s,
		    BUL_ID_MAX);
	else if (r > 0)
		b->id = cfgkey_strdup(s);

	r = cfgkey_str(ld, g, "file", &s);
	if (r == 0)
		cfgkey_missing(ld, g, "file", _("the audio file's name"));
	else if (r > 0 && s[0] == '/')
		cfgkey_err(ld, config_setting_get_member(g, "file"),
		    _("\"%s\" is an absolute name: give the file's name inside the folder (no \"/\" at the start)"), s);
	else if (r > 0 && !inside_path(s))
		cfgkey_err(ld, config_setting_get_member(g, "file"),
		    _("\"%s\" leaves the folder (\"..\"): give the file's name inside the folder"), s);
	else if (r > 0)
		b->file = cfgkey_strdup(s);

	r = cfgkey_str(ld, g, "sha256", &s);
	if (r > 0 && !is_hex64(s))
		cfgkey_err(ld, config_setting_get_member(g, "sha256"),
		    _("must be 64 lower-case hex digits (the output of sha256sum)"));
	else if (r > 0)
		memcpy(b->sha256, s, 65);
	else if (r == 0 && mode == BUL_LIBRARY)
		cfgkey_missing(ld, g, "sha256", _("the audio's SHA-256"));
	else if (r == 0)	/* a manifest pins its audio: without it, whatever the stick or a server holds loads */
		cfgkey_missing(ld, g, "sha256", _("the audio's SHA-256 (sha256sum FILE): every manifest entry pins its "
		    "audio"));

	r = cfgkey_str(ld, g, "title", &s);
	if (r == 0)
		cfgkey_missing(ld, g, "title", _("what listeners and auditors see, e.g. \"Quy định mới về xử phạt\""));
	else if (r > 0 && s[0] == '\0')
		cfgkey_err(ld, config_setting_get_member(g, "title"), _("must not be empty"));
	else if (r > 0)
		b->title = cfgkey_strdup(s);

	r = cfgkey_str(ld, g, "topic", &s);
	if (r == 0)
		cfgkey_missing(ld, g, "topic", _("one of the config's topic ids, e.g. \"law\""));
	else if (r > 0 && !cfgkey_valid_id(s))
		cfgkey_err(ld, config_setting_get_member(g, "topic"), _("\"%s\" is not a topic id"), s);
	else if (r > 0)
		b->topic = cfgkey_strdup(s);

	b->level = BUL_NORMAL;
	if (cfgkey_str(ld, g, "level", &s) > 0) {
		if (strcmp(s, "normal") == 0)
			b->level = BUL_NORMAL;
		else if (strcmp(s, "priority") == 0)
			b->level = BUL_PRIORITY;
		else if (strcmp(s, "emergency") == 0)
			b->level = BUL_EMERGENCY;
		else
			cfgkey_err(ld, config_setting_get_member(g, "level"),
			    _("\"%s\" is not a level (use normal, priority or emergency)"), s);
	}
	b->source = BUL_COMMUNE;
	if (cfgkey_str(ld, g, "source", &s) > 0) {
		if (strcmp(s, "province") == 0)
			b->source = BUL_PROVINCE;
		else if (strcmp(s, "commune") == 0)
			b->source = BUL_COMMUNE;
		else
			cfgkey_err(ld, config_setting_get_member(g, "source"),
			    _("\"%s\" is not a source (use province or commune)"), s);
	}
	if (get_date(ld, g, "valid_from", &b->valid_from) == 0 && get_date(ld, g, "valid_to", &b->valid_to) == 0 &&
	    b->valid_to < b->valid_from)
		cfgkey_err(ld, config_setting_get_member(g, "valid_to"),
		    _("is before valid_from (the bulletin would never air)"));

	if ((t = config_setting_get_member(g, "sessions")) != NULL) {
		if (config_setting_type(t) != CONFIG_TYPE_ARRAY)
			cfgkey_err(ld, t, _("must be an array of session ids, e.g. [ \"morning\" ]"));
		else {
			int n = config_setting_length(t);
			b->sessions = cfgkey_calloc((size_t)n, sizeof(char *));
			for (int i = 0; i < n; i++) {
				const char *sid = config_setting_get_string(config_setting_get_elem(t, (unsigned)i));
				if (sid == NULL || !cfgkey_valid_id(sid)) {
					cfgkey_err(ld, t, _("must hold session ids in double quotes"));
					break;
				}
				b->sessions[b->nsessions++] = cfgkey_strdup(sid);
			}
		}
	}
	r = cfgkey_int(ld, g, "repeat_minutes", 1, 7 * 24 * 60, &v);
	if (r > 0 && b->level != BUL_EMERGENCY)
		cfgkey_err(ld, config_setting_get_member(g, "repeat_minutes"),
		    _("only emergency bulletins repeat (set level = \"emergency\" or remove the key)"));
	else if (r > 0)
		b->repeat_minutes = (int)v;
	if (cfgkey_str(ld, g, "author", &s) > 0)
		b->author = cfgkey_strdup(s);
	if (cfgkey_str(ld, g, "summary", &s) > 0)
		b->summary = cfgkey_strdup(s);

	if (mode == BUL_LIBRARY) {
		r = cfgkey_int(ld, g, "duration_ms", 1, 24LL * 3600 * 1000, &v);
		if (r == 0)
			cfgkey_missing(ld, g, "duration_ms", _("measured at import"));
		else if (r > 0)
			b->duration_ms = (long)v;
		if (cfgkey_num(ld, g, "loudness_lufs", -200, 10, &b->loudness_lufs) == 0)
			cfgkey_missing(ld, g, "loudness_lufs", _("measured at import"));
		b->true_peak_db = 0;
		cfgkey_num(ld, g, "true_peak_db", -200, 30, &b->true_peak_db);
		r = cfgkey_str(ld, g, "imported", &s);
		if (r > 0 && date_parse_ts(s, &b->imported, &b->imported_off) < 0)
			cfgkey_err(ld, config_setting_get_member(g, "imported"),
			    _("\"%s\" is not a timestamp (YYYY-MM-DDTHH:MM:SS+07:00)"), s);
	}
	(void)ok;
	if (ld->d->n != n0 || !b->id || !b->file || !b->title || !b->topic) {
		ld->bad = 1;
		bul_free(b);
		return -1;
	}
	return 0;
}

static void
add_str(config_setting_t *g, const char *name, const char *v)
{
	if (v != NULL)
		config_setting_set_string(config_setting_add(g, name, CONFIG_TYPE_STRING), v);
}

void
bul_write(const struct bulletin *b, config_setting_t *g)
{
	char d[11], ts[DATE_TS_LEN];
	config_setting_t *a;

	add_str(g, "id", b->id);
	add_str(g, "title", b->title);
	add_str(g, "topic", b->topic);
	add_str(g, "level", bul_level_name(b->level));
	date_format(b->valid_from, d);
	add_str(g, "valid_from", d);
	date_format(b->valid_to, d);
	add_str(g, "valid_to", d);
	if (b->nsessions > 0) {
		a = config_setting_add(g, "sessions", CONFIG_TYPE_ARRAY);
		for (int i = 0; i < b->nsessions; i++)
			config_setting_set_string_elem(a, -1, b->sessions[i]);
	}
	if (b->repeat_minutes > 0)
		config_setting_set_int(config_setting_add(g, "repeat_minutes", CONFIG_TYPE_INT), b->repeat_minutes);
	add_str(g, "source", bul_source_name(b->source));
	add_str(g, "author", b->author);
	add_str(g, "summary", b->summary);
	add_str(g, "file", b->file);
	if (b->sha256[0])
		add_str(g, "sha256", b->sha256);
	config_setting_set_int(config_setting_add(g, "duration_ms", CONFIG_TYPE_INT), (int)b->duration_ms);
	config_setting_set_float(config_setting_add(g, "loudness_lufs", CONFIG_TYPE_FLOAT), b->loudness_lufs);
	config_setting_set_float(config_setting_add(g, "true_peak_db", CONFIG_TYPE_FLOAT), b->true_peak_db);
	if (b->imported) {
		date_format_ts(b->imported, b->imported_off, ts);
		add_str(g, "imported", ts);
	}
}

void
bul_free(struct bulletin *b)
{
	free(b->id);
	free(b->title);
	free(b->topic);
	for (int i = 0; i < b->nsessions; i++)
		free(b->sessions[i]);
	free(b->sessions);
	free(b->author);
	free(b->summary);
	free(b->file);
	memset(b, 0, sizeof(*b));
}

static char *
dup_or_null(const char *s)
{
	return s ? cfgkey_strdup(s) : NULL;
}

int
bul_copy(struct bulletin *dst, const struct bulletin *src)
{
	*dst = *src;
	dst->id = dup_or_null(src->id);
	dst->title = dup_or_null(src->title);
	dst->topic = dup_or_null(src->topic);
	dst->author = dup_or_null(src->author);
	dst->summary = dup_or_null(src->summary);
	dst->file = dup_or_null(src->file);
	dst->sessions = NULL;
	if (src->nsessions > 0) {
		dst->sessions = cfgkey_calloc((size_t)src->nsessions, sizeof(char *));
		for (int i = 0; i < src->nsessions; i++)
			dst->sessions[i] = cfgkey_strdup(src->sessions[i]);
	}
	return 0;
}
