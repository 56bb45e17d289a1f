/*
 * cfgkey: see cfgkey.h. Messages are translated (gettext); the key paths and
 * values in them are not.
 */
#include <ctype.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/translate.h"
#include "config/cfgkey.h"

static void
keypath_r(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *p = config_setting_parent(s);
	const char *name;
	size_t n;

	if (p == NULL)
		return;
	keypath_r(p, buf, len);
	n = strlen(buf);
	name = config_setting_name(s);
	if (name != NULL)
		snprintf(buf + n, len - n, "%s%s", n ? "." : "", name);
	else
		snprintf(buf + n, len - n, "[%d]", config_setting_index(s));
}

static const char *
keypath(const config_setting_t *s, char *buf, size_t len)
{
	buf[0] = '\0';
	keypath_r(s, buf, len);
	return buf;
}

int
cfgkey_line(const config_setting_t *s)
{
	while (s != NULL) {
		int l = config_setting_source_line(s);
		if (l > 0)
			return l;
		s = config_setting_parent(s);
	}
	return 0;
}

/* an error about setting s: "FILE:LINE: KEY: message" */
void
cfgkey_err(struct cfgkey *ld, const config_setting_t *s, const char *fmt, ...)
{
	char path[256], body[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	keypath(s, path, sizeof(path));
	if (path[0])
		diag_add(ld->d, ld->file, cfgkey_line(s), "%s: %s", path, body);
	else
		diag_add(ld->d, ld->file, cfgkey_line(s), "%s", body);
	ld->bad = 1;
}

/* an error about key `name` missing from group g */
void
cfgkey_missing(struct cfgkey *ld, const config_setting_t *g, const char *name, const char *hint)
{
	char path[256];

	keypath(g, path, sizeof(path));
	if (path[0])
		diag_add(ld->d, ld->file, cfgkey_line(g), _("%s: missing %s (%s)"), path, name, hint);
	else
		diag_add(ld->d, ld->file, cfgkey_line(g), _("missing %s (%s)"), name, hint);
	ld->bad = 1;
}

/* --- typed getters ------------------------------------------------------ */

const char *
cfgkey_type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP:  return _("a group { ... }");
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:  return _("an integer");
	case CONFIG_TYPE_FLOAT:  return _("a number");
	case CONFIG_TYPE_STRING: return _("a string");
	case CONFIG_TYPE_BOOL:   return _("true or false");
	case CONFIG_TYPE_ARRAY:  return _("an array [ ... ]");
	case CONFIG_TYPE_LIST:   return _("a list ( ... )");
	default:                 return "?";
	}
}

void
cfgkey_keys(struct cfgkey *ld, const config_setting_t *g, const char *const *allowed)
{
	char list[512];
	size_t n = 0;

	list[0] = '\0';
	for (const char *const *a = allowed; *a; a++)
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
		    a == allowed ? "" : ", ", *a);
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *k = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(k);
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, name) == 0)
				break;
		if (*a == NULL)
			cfgkey_err(ld, k, _("unknown key (allowed here: %s)"), list);
	}
}

/* The getters return 1 when the key is present and good, 0 when absent,
 * -1 when present but wrong (the error is already reported). */

int
cfgkey_str(struct cfgkey *ld, const config_setting_t *g, const char *name, const char **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfgkey_err(ld, s, _("must be a string in double quotes, not %s"), cfgkey_type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_string(s);
	return 1;
}

int
cfgkey_int(struct cfgkey *ld, const config_setting_t *g, const char *name, long long lo, long long hi,
    long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfgkey_err(ld, s, _("must be an integer from %lld to %lld, not %s"), lo, hi,
		    cfgkey_type_name(config_setting_type(s)));
		return -1;
	}
	v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	if (v < lo || v > hi) {
		cfgkey_err(ld, s, _("%lld is out of range (allowed: %lld to %lld)"), v, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfgkey_num(struct cfgkey *ld, const config_setting_t *g, const char *name, double lo, double hi, double *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		cfgkey_err(ld, s, _("must be a number from %g to %g, not %s"), lo, hi, cfgkey_type_name(config_setting_type(s)));
		return -1;
	}
	if (!(v >= lo && v <= hi)) {
		cfgkey_err(ld, s, _("%g is out of range (allowed: %g to %g)"), v, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfgkey_bool(struct cfgkey *ld, const config_setting_t *g, const char *name, int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfgkey_err(ld, s, _("must be true or false, not %s"), cfgkey_type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

/* a member that must be a group (or, with list = 1, a list) */
const config_setting_t *
cfgkey_group(struct cfgkey *ld, const config_setting_t *g, const char *name, int type)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != type) {
		cfgkey_err(ld, s, _("must be %s, not %s"), cfgkey_type_name(type), cfgkey_type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

char *
cfgkey_strdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		abort();	/* a config is tiny; out of memory here is not survivable */
	return p;
}

void *
cfgkey_calloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (p == NULL)
		abort();
	return p;
}

int
cfgkey_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CFGKEY_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* an id member: required, [a-z0-9_-]{1,32} */
const char *
cfgkey_id(struct cfgkey *ld, const config_setting_t *g, const char *what)
{
	const char *s;
	int r = cfgkey_str(ld, g, "id", &s);

	if (r == 0) {
		cfgkey_missing(ld, g, "id", what);
		return NULL;
	}
	if (r < 0)
		return NULL;
	if (!cfgkey_valid_id(s)) {
		cfgkey_err(ld, config_setting_get_member(g, "id"),
		    _("\"%s\" is not a valid id (use 1 to %d lower-case letters, digits, '-' or '_')"), s, CFGKEY_ID_MAX);
		return NULL;
	}
	return s;
}

/*
 * libconfig follows "@include" even when reading from memory: a manifest or
 * config from a stick could make it read any file on the board (or block on
 * a FIFO). Nothing loaxa reads may include another file.
 */
static int
find_include(const char *text)
{
	int line = 1;

	for (const char *p = text; *p; line++) {
		const char *q = p + strspn(p, " \t");
		if (strncmp(q, "@include", 8) == 0)
			return line;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return 0;
}

int
cfgkey_read(struct cfgkey *ld, config_t *lc, const char *text)
{
	int inc;

	if ((inc = find_include(text)) > 0) {
		diag_add(ld->d, ld->file, inc, "%s", _("@include is not allowed: put everything in this one file"));
		ld->bad = 1;
		config_init(lc);
		config_destroy(lc);
		return -1;
	}
	config_init(lc);
	config_set_options(lc, 0);
	if (config_read_string(lc, text) != CONFIG_TRUE) {
		diag_add(ld->d, ld->file, config_error_line(lc),
		    _("%s near this line (check the quotes, braces, brackets and semicolons; see loaxa.cfg(5))"),
		    config_error_text(lc));
		ld->bad = 1;
		config_destroy(lc);
		return -1;
	}
	return 0;
}
