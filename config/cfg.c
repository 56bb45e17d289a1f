/*
 * cfg: loads and validates loaxa.cfg. See cfg.h for the contract. One piece
 * because it is one schema, group by group, in the file's own order.
 *
 * The parser walks libconfig's tree with a small schema per group: every
 * key it knows is read with its type checked, every key it does not know is
 * an error (a typo must never be silently ignored), and every error goes
 * into the diag with the line of the offending setting, naming the key by
 * its full path ("periods[0].sessions[1].start") and saying what is
 * allowed. Parsing goes on after an error so that one run reports them all.
 *
 * No I/O beyond reading the file (and looking up the time zone file); no
 * clock. Not thread-safe only in that a struct cfg must not be shared while
 * being freed.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/cfgkey.h"

#define CFG_MAX_BYTES (1024 * 1024)

struct ld {
	struct cfgkey	 l;
	struct cfg	*c;
};

static const char *const days_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static const struct { const char *id, *name; } default_topics[] = {
	{ "law",         "Chủ trương, chính sách, pháp luật" },
	{ "results",     "Kết quả đấu tranh, xử lý vi phạm" },
	{ "examples",    "Gương điển hình, mô hình hay" },
	{ "rebuttal",    "Phản bác thông tin sai sự thật" },
	{ "counterfeit", "Nhận diện hàng giả, hàng kém chất lượng" },
	{ "local",       "Tin địa phương" },
};

/* --- messages ----------------------------------------------------------- */

/* --- forms --------------------------------------------------------------- */

static int
day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncmp(s, days_names[i], 3) == 0)
			return i;
	return -1;
}

int
cfg_parse_days(const char *str, struct cfg_days *out)
{
	char buf[128], *rest, *tok;

	memset(out, 0, sizeof(*out));
	if (strlen(str) >= sizeof(buf))
		return -1;
	for (size_t i = 0; i <= strlen(str); i++)
		buf[i] = (char)tolower((unsigned char)str[i]);
	rest = buf;
	while ((tok = strsep(&rest, ",")) != NULL) {	/* strsep, not strtok: "mon," must fail */
		char *e, *dash, *sp;
		int a, b;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		e = tok + strlen(tok);
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*tok == '\0')
			return -1;
		if (strcmp(tok, "daily") == 0) {
			out->weekly = 0x7f;
			continue;
		}
		if ((sp = strchr(tok, ' ')) != NULL) {
			static const char *const ord[] = { "1st", "2nd", "3rd", "4th", "5th", "last" };
			int k;
			char *w = sp;

			while (*w == ' ')
				w++;
			for (k = 0; k < 6; k++)
				if ((size_t)(sp - tok) == strlen(ord[k]) && strncmp(tok, ord[k], (size_t)(sp - tok)) == 0)
					break;
			if (k == 6 || (a = day_index(w, strlen(w))) < 0)
				return -1;
			out->nth[a] |= (uint8_t)(1u << k);
			continue;
		}
		if ((dash = strchr(tok, '-')) != NULL) {
			a = day_index(tok, (size_t)(dash - tok));
			b = day_index(dash + 1, strlen(dash + 1));
			if (a < 0 || b < 0)
				return -1;
			for (int i = a;; i = (i + 1) % 7) {	/* fri-mon wraps */
				out->weekly |= (uint8_t)(1u << i);
				if (i == b)
					break;
			}
			continue;
		}
		if ((a = day_index(tok, strlen(tok))) < 0)
			return -1;
		out->weekly |= (uint8_t)(1u << a);
	}
	for (int i = 0; i < 7; i++)
		if (out->nth[i] || (out->weekly & (1u << i)))
			return 0;
	return -1;
}

int
cfg_parse_wdate(const char *s, struct cfg_wdate *out)
{
	int32_t day;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, "lunar ", 6) == 0) {
		const char *p = s + 6;
		if (strlen(p) != 5 || p[2] != '-' || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
			return -1;
		out->kind = CFG_WD_LUNAR;
		out->m = (p[0] - '0') * 10 + (p[1] - '0');
		out->d = (p[3] - '0') * 10 + (p[4] - '0');
		return out->m >= 1 && out->m <= 12 && out->d >= 1 && out->d <= 30 ? 0 : -1;
	}
	if (strlen(s) == 5 && s[2] == '-') {
		char full[11];
		snprintf(full, sizeof(full), "2000-%s", s);	/* a leap year: only the form is checked here */
		if (date_parse(full, &day) < 0)
			return -1;
		out->kind = CFG_WD_ANNUAL;
		out->m = (s[0] - '0') * 10 + (s[1] - '0');
		out->d = (s[3] - '0') * 10 + (s[4] - '0');
		return 0;
	}
	if (date_parse(s, &day) < 0)
		return -1;
	out->kind = CFG_WD_ONCE;
	date_to_civil(day, &out->y, &out->m, &out->d);
	return 0;
}

int
cfg_parse_key(const char *s, unsigned char key[CFG_KEY_LEN])
{
	size_t len = 0;
	const char *end = NULL;

	if (strncmp(s, "ed25519:", 8) != 0)
		return -1;
	s += 8;
	/* here, not in every cfg_load(): most configs carry no key, and libsodium's
	 * start-up costs resident memory in every command that loads a config */
	if (sodium_init() < 0)
		return -1;
	if (sodium_base642bin(key, CFG_KEY_LEN, s, strlen(s), NULL, &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || len != CFG_KEY_LEN || *end != '\0')
		return -1;
	return 0;
}

/* --- parts --------------------------------------------------------------- */

static char *
resolve(const char *dir, const char *p)
{
	char *out;

	if (p[0] == '/' || dir == NULL)
		return cfgkey_strdup(p);
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		abort();
	return out;
}

static void
parse_site(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "id", "name", "province", NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "site", CONFIG_TYPE_GROUP);
	const char *s;

	if (g == NULL) {
		if (config_setting_get_member(root, "site") == NULL)
			cfgkey_missing(&ld->l, root, "site", _("site = { id = \"cb-hoa-an\"; name = \"Xã Hòa An\"; };"));
		return;
	}
	cfgkey_keys(&ld->l, g, keys);
	if ((s = cfgkey_id(&ld->l, g, _("the site's short name, e.g. \"cb-hoa-an\""))) != NULL)
		ld->c->site.id = cfgkey_strdup(s);
	if (cfgkey_str(&ld->l, g, "name", &s) > 0)
		ld->c->site.name = cfgkey_strdup(s);
	else if (config_setting_get_member(g, "name") == NULL)
		cfgkey_missing(&ld->l, g, "name", _("the commune's name, e.g. \"Xã Hòa An\""));
	if (cfgkey_str(&ld->l, g, "province", &s) > 0)
		ld->c->site.province = cfgkey_strdup(s);
}

static void
parse_paths(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "library", "airlog", "inbox", "state", "run", NULL };
	static const char *const defs[] = { "/var/lib/loaxa/library", "/var/lib/loaxa/airlog",
		"/var/lib/loaxa/inbox", "/var/lib/loaxa", "/run/loaxa" };
	char **dst[] = { &ld->c->paths.library, &ld->c->paths.airlog, &ld->c->paths.inbox,
		&ld->c->paths.state, &ld->c->paths.run };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "paths", CONFIG_TYPE_GROUP);

	if (g)
		cfgkey_keys(&ld->l, g, keys);
	for (int i = 0; i < 5; i++) {
		const char *s = defs[i];
		if (g && cfgkey_str(&ld->l, g, keys[i], &s) > 0 && s[0] == '\0') {
			cfgkey_err(&ld->l, config_setting_get_member(g, keys[i]), _("must not be empty (a folder path)"));
			s = defs[i];
		}
		*dst[i] = resolve(ld->c->dir, s);
	}
}

static void
parse_audio(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "device", "gain_db", "loudness_lufs", "chime", "gap_ms", "fade_ms",
		"amplifier", NULL };
	static const char *const akeys[] = { "gpio_chip", "gpio_line", "active_low", "warmup_ms", NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "audio", CONFIG_TYPE_GROUP), *a;
	struct cfg *c = ld->c;
	const char *s;
	long long v;

	c->audio.device = NULL;
	c->audio.gain_db = 0;
	c->audio.loudness_lufs = -16;
	c->audio.gap_ms = 1500;
	c->audio.fade_ms = 20;
	if (g == NULL) {
		c->audio.device = cfgkey_strdup("default");
		return;
	}
	cfgkey_keys(&ld->l, g, keys);
	if (cfgkey_str(&ld->l, g, "device", &s) > 0) {
		if (s[0] == '\0')
			cfgkey_err(&ld->l, config_setting_get_member(g, "device"),
			    _("must name an ALSA device (e.g. \"default\" or \"plughw:0\")"));
		c->audio.device = cfgkey_strdup(s);
	} else
		c->audio.device = cfgkey_strdup("default");
	cfgkey_num(&ld->l, g, "gain_db", -30, 30, &c->audio.gain_db);
	cfgkey_num(&ld->l, g, "loudness_lufs", -40, -5, &c->audio.loudness_lufs);
	if (cfgkey_str(&ld->l, g, "chime", &s) > 0 && s[0] != '\0')
		c->audio.chime = resolve(c->dir, s);
	if (cfgkey_int(&ld->l, g, "gap_ms", 0, 60000, &v) > 0)
		c->audio.gap_ms = (int)v;
	if (cfgkey_int(&ld->l, g, "fade_ms", 0, 2000, &v) > 0)
		c->audio.fade_ms = (int)v;

	if ((a = cfgkey_group(&ld->l, g, "amplifier", CONFIG_TYPE_GROUP)) == NULL)
		return;
	cfgkey_keys(&ld->l, a, akeys);
	c->audio.amplifier.present = 1;
	c->audio.amplifier.warmup_ms = 1500;
	if (cfgkey_str(&ld->l, a, "gpio_chip", &s) > 0 && s[0] != '\0')
		c->audio.amplifier.gpio_chip = cfgkey_strdup(s);
	else
		c->audio.amplifier.gpio_chip = cfgkey_strdup("gpiochip0");
	if (cfgkey_int(&ld->l, a, "gpio_line", 0, 1023, &v) > 0)
		c->audio.amplifier.gpio_line = (int)v;
	else if (config_setting_get_member(a, "gpio_line") == NULL)
		cfgkey_missing(&ld->l, a, "gpio_line", _("the GPIO line number that drives the amplifier relay"));
	cfgkey_bool(&ld->l, a, "active_low", &c->audio.amplifier.active_low);
	if (cfgkey_int(&ld->l, a, "warmup_ms", 0, 30000, &v) > 0)
		c->audio.amplifier.warmup_ms = (int)v;
}

static void
parse_live(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "device", "gpio_chip", "gpio_line", "active_low", "mode", "max_minutes",
		NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "live", CONFIG_TYPE_GROUP);
	struct cfg *c = ld->c;
	const char *s;
	long long v;
	int k;

	if (g == NULL)
		return;
	cfgkey_keys(&ld->l, g, keys);
	c->live.present = 1;
	c->live.active_low = 1;
	c->live.max_minutes = 30;
	if ((k = cfgkey_str(&ld->l, g, "device", &s)) > 0 && s[0] != '\0')
		c->live.device = cfgkey_strdup(s);
	else if (k == 0)
		cfgkey_missing(&ld->l, g, "device", _("the microphone's ALSA capture device, e.g. \"plughw:1,0\""));
	else if (k > 0)
		cfgkey_err(&ld->l, config_setting_get_member(g, "device"), "%s",
		    _("must name an ALSA capture device (e.g. \"plughw:1,0\")"));
	if (cfgkey_str(&ld->l, g, "gpio_chip", &s) > 0 && s[0] != '\0')
		c->live.gpio_chip = cfgkey_strdup(s);
	else
		c->live.gpio_chip = cfgkey_strdup("gpiochip0");
	if (cfgkey_int(&ld->l, g, "gpio_line", 0, 1023, &v) > 0)
		c->live.gpio_line = (int)v;
	else if (config_setting_get_member(g, "gpio_line") == NULL)
		cfgkey_missing(&ld->l, g, "gpio_line", _("the GPIO line number of the talk button"));
	cfgkey_bool(&ld->l, g, "active_low", &c->live.active_low);
	if ((k = cfgkey_str(&ld->l, g, "mode", &s)) > 0) {
		if (strcmp(s, "latch") == 0)
			c->live.latch = 1;
		else if (strcmp(s, "hold") != 0)
			cfgkey_err(&ld->l, config_setting_get_member(g, "mode"),
			    _("\"%s\" is not a mode (use \"hold\": live while the button is held, or \"latch\": a press "
			      "starts, the next ends)"), s);
	}
	if (cfgkey_int(&ld->l, g, "max_minutes", 1, 240, &v) > 0)
		c->live.max_minutes = (int)v;
}

/* a "HH:MM" member; 1 good, 0 absent, -1 bad */
static int
get_hhmm(struct ld *ld, const config_setting_t *g, const char *name, int *out)
{
	const char *s;
	int r = cfgkey_str(&ld->l, g, name, &s);

	if (r <= 0)
		return r;
	if (date_parse_hhmm(s, out) < 0) {
		cfgkey_err(&ld->l, config_setting_get_member(g, name),
		    _("\"%s\" is not a time of day (use HH:MM, 24-hour, e.g. \"06:00\" or \"17:30\")"), s);
		return -1;
	}
	return 1;
}

static void
parse_quiet(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "from", "to", NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "quiet_hours", CONFIG_TYPE_GROUP);
	int rf, rt;

	if (g == NULL)
		return;
	cfgkey_keys(&ld->l, g, keys);
	rf = get_hhmm(ld, g, "from", &ld->c->quiet.from);
	rt = get_hhmm(ld, g, "to", &ld->c->quiet.to);
	if (rf == 0)
		cfgkey_missing(&ld->l, g, "from", _("when quiet hours begin, e.g. \"21:30\""));
	if (rt == 0)
		cfgkey_missing(&ld->l, g, "to", _("when quiet hours end, e.g. \"05:00\""));
	if (rf > 0 && rt > 0) {
		if (ld->c->quiet.from == ld->c->quiet.to)
			cfgkey_err(&ld->l, g, _("from and to are the same time (remove quiet_hours for none)"));
		else
			ld->c->quiet.present = 1;
	}
}

static int
zone_exists(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	struct stat st;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (stat(dir, &st) < 0)
		return 1;	/* no zone database here to check against: the form is checked */
	snprintf(path, sizeof(path), "%s/%s", dir, zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void
parse_time(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "zone", "require_sync", "grace_minutes", NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "time", CONFIG_TYPE_GROUP);
	struct cfg *c = ld->c;
	const char *s = "Asia/Ho_Chi_Minh";
	long long v;

	c->time.require_sync = 1;
	c->time.grace_minutes = 20;
	if (g) {
		cfgkey_keys(&ld->l, g, keys);
		if (cfgkey_str(&ld->l, g, "zone", &s) > 0) {
			int ok = s[0] != '\0' && s[0] != '/' && strstr(s, "..") == NULL;
			for (const char *p = s; ok && *p; p++)
				ok = isalnum((unsigned char)*p) || strchr("/_+-", *p) != NULL;
			if (!ok || !zone_exists(s)) {
				cfgkey_err(&ld->l, config_setting_get_member(g, "zone"),
				    _("\"%s\" is not a known time zone (use a tz database name, e.g. \"Asia/Ho_Chi_Minh\")"),
				    s);
				s = "Asia/Ho_Chi_Minh";
			}
		}
		cfgkey_bool(&ld->l, g, "require_sync", &c->time.require_sync);
		if (cfgkey_int(&ld->l, g, "grace_minutes", 0, 1440, &v) > 0)
			c->time.grace_minutes = (int)v;
	}
	c->time.zone = cfgkey_strdup(s);
}

static void
parse_topics(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "id", "name", NULL };
	const config_setting_t *l = cfgkey_group(&ld->l, root, "topics", CONFIG_TYPE_LIST);
	struct cfg *c = ld->c;
	int n;

	if (l == NULL) {
		if (config_setting_get_member(root, "topics") != NULL)
			return;	/* wrong type, reported */
		n = (int)(sizeof(default_topics) / sizeof(default_topics[0]));
		c->topics = cfgkey_calloc((size_t)n, sizeof(*c->topics));
		for (int i = 0; i < n; i++) {
			c->topics[i].id = cfgkey_strdup(default_topics[i].id);
			c->topics[i].name = cfgkey_strdup(default_topics[i].name);
		}
		c->ntopics = n;
		return;
	}
	n = config_setting_length(l);
	if (n == 0)
		cfgkey_err(&ld->l, l, _("is empty (every bulletin needs a topic; remove the key to get the six standard ones)"));
	c->topics = cfgkey_calloc((size_t)n, sizeof(*c->topics));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		const char *id, *name;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfgkey_err(&ld->l, g, _("must be a group { id = \"...\"; name = \"...\"; }"));
			continue;
		}
		cfgkey_keys(&ld->l, g, keys);
		if ((id = cfgkey_id(&ld->l, g, _("the topic's short name, e.g. \"law\""))) == NULL)
			continue;
		if (cfg_topic(c, id) != NULL) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "id"), _("topic \"%s\" is defined twice"), id);
			continue;
		}
		if (cfgkey_str(&ld->l, g, "name", &name) <= 0)
			name = id;
		c->topics[c->ntopics].id = cfgkey_strdup(id);
		c->topics[c->ntopics].name = cfgkey_strdup(name);
		c->topics[c->ntopics].line = cfgkey_line(g);
		c->ntopics++;
	}
}

static int
id_taken(const struct cfg *c, const char *id)
{
	for (int i = 0; i < c->nsessions; i++)
		if (strcmp(c->sessions[i].id, id) == 0)
			return 1;
	for (int p = 0; p < c->nperiods; p++)
		for (int i = 0; i < c->periods[p].nsessions; i++)
			if (strcmp(c->periods[p].sessions[i].id, id) == 0)
				return 1;
	return 0;
}

/*
 * One session group. inline_ex: an exception's inline session (no days).
 * Returns 0 when *out is complete, -1 otherwise (errors reported).
 */
static int parse_session_or_relay(struct ld *, const config_setting_t *, int inline_ex, int relay,
    struct cfg_session *);

/* a relay's own keys: its stream and what airs while the stream is down */
static int
parse_relay(struct ld *ld, const config_setting_t *g, struct cfg_session *out)
{
	struct cfg_relay *r = cfgkey_calloc(1, sizeof(*r));
	const char *s;
	long long v;
	int ok = 1, k;

	out->relay = r;
	r->fallback = CFG_FALLBACK_BULLETINS;
	r->fallback_after = 10;
	k = cfgkey_str(&ld->l, g, "url", &s);
	if (k == 0) {
		cfgkey_missing(&ld->l, g, "url", _("the stream's address, e.g. \"https://example.vn/vov1.m3u8\""));
		ok = 0;
	} else if (k > 0) {
		const config_setting_t *u = config_setting_get_member(g, "url");
		size_t n = strlen(s);
		int bad = 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
				bad = 1;
		if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) {
			cfgkey_err(&ld->l, u, _("\"%s\" is not an http:// or https:// address (only those are relayed)"), s);
			ok = 0;
		} else if (bad || n > 1024 || n <= 8) {
			cfgkey_err(&ld->l, u, "%s", _("is not a usable address (spaces, control characters, or longer than "
			    "1024 characters)"));
			ok = 0;
		} else
			r->url = cfgkey_strdup(s);
	} else
		ok = 0;
	k = cfgkey_str(&ld->l, g, "name", &s);
	if (k > 0)
		r->name = cfgkey_strdup(s);
	else if (k < 0)
		ok = 0;
	k = cfgkey_str(&ld->l, g, "fallback", &s);
	if (k > 0 && strcmp(s, "bulletins") == 0)
		r->fallback = CFG_FALLBACK_BULLETINS;
	else if (k > 0 && strcmp(s, "silence") == 0)
		r->fallback = CFG_FALLBACK_SILENCE;
	else if (k > 0) {
		cfgkey_err(&ld->l, config_setting_get_member(g, "fallback"),
		    _("\"%s\" is not a fallback (use \"bulletins\" or \"silence\")"), s);
		ok = 0;
	} else if (k < 0)
		ok = 0;
	k = cfgkey_int(&ld->l, g, "fallback_after", 2, 600, &v);
	if (k > 0)
		r->fallback_after = (int)v;
	else if (k < 0)
		ok = 0;
	if (cfgkey_bool(&ld->l, g, "chime", &r->chime) < 0)
		ok = 0;
	r->silence_db = -50;
	r->silence_seconds = 20;
	if (cfgkey_num(&ld->l, g, "silence_db", -90, -10, &r->silence_db) < 0)
		ok = 0;
	k = cfgkey_int(&ld->l, g, "silence_seconds", 0, 600, &v);
	if (k > 0)
		r->silence_seconds = (int)v;
	else if (k < 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int
parse_session(struct ld *ld, const config_setting_t *g, int inline_ex, struct cfg_session *out)
{
	return parse_session_or_relay(ld, g, inline_ex, 0, out);
}

static int
parse_session_or_relay(struct ld *ld, const config_setting_t *g, int inline_ex, int relay, struct cfg_session *out)
{
	static const char *const keys[] = { "id", "days", "start", "minutes", "topics", "every_weeks", "anchor",
		NULL };
	static const char *const rkeys[] = { "id", "name", "url", "days", "start", "minutes", "every_weeks", "anchor",
		"fallback", "fallback_after", "chime", "silence_db", "silence_seconds", NULL };
	static const char *const ikeys[] = { "id", "start", "minutes", "topics", NULL };
	const config_setting_t *t;
	const char *id, *s;
	long long v;
	int ok = 1, r;

	memset(out, 0, sizeof(*out));
	out->line = cfgkey_line(g);
	out->every_weeks = 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		cfgkey_err(&ld->l, g, _("must be a group { id = ...; days = ...; start = ...; minutes = ...; }"));
		return -1;
	}
	cfgkey_keys(&ld->l, g, inline_ex ? ikeys : relay ? rkeys : keys);
	if (relay && parse_relay(ld, g, out) < 0)
		ok = 0;
	if ((id = cfgkey_id(&ld->l, g, relay ? _("the relay's short name, e.g. \"vov1\"") :
	    _("the session's short name, e.g. \"morning\""))) == NULL)
		ok = 0;
	else if (!inline_ex && id_taken(ld->c, id)) {
		cfgkey_err(&ld->l, config_setting_get_member(g, "id"), _("session \"%s\" is defined twice (ids must be unique)"),
		    id);
		ok = 0;
	}
	if (!inline_ex) {
		r = cfgkey_str(&ld->l, g, "days", &s);
		if (r == 0) {
			cfgkey_missing(&ld->l, g, "days", _("e.g. \"mon-sun\", \"mon-fri\", \"sat,sun\", \"1st mon\""));
			ok = 0;
		} else if (r > 0 && cfg_parse_days(s, &out->days) < 0) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "days"),
			    _("\"%s\" is not a days form (use mon..sun, ranges like \"mon-fri\", lists like \"sat,sun\", "
			      "\"daily\", or nth weekdays like \"1st mon\", \"last fri\")"), s);
			ok = 0;
		} else if (r < 0)
			ok = 0;
	}
	r = get_hhmm(ld, g, "start", &out->start);
	if (r == 0)
		cfgkey_missing(&ld->l, g, "start", _("the time it begins, e.g. \"06:00\""));
	if (r <= 0)
		ok = 0;
	r = cfgkey_int(&ld->l, g, "minutes", 1, 240, &v);
	if (r == 0)
		cfgkey_missing(&ld->l, g, "minutes", _("its length in minutes, 1 to 240"));
	if (r <= 0)
		ok = 0;
	else
		out->minutes = (int)v;

	if (!relay && (t = config_setting_get_member(g, "topics")) != NULL) {
		if (config_setting_type(t) != CONFIG_TYPE_ARRAY) {
			cfgkey_err(&ld->l, t, _("must be an array of topic ids, e.g. [ \"law\", \"local\" ]"));
			ok = 0;
		} else if (config_setting_length(t) == 0) {
			cfgkey_err(&ld->l, t, _("is empty (list the topics it may air, or remove the key for all topics)"));
			ok = 0;
		} else {
			int n = config_setting_length(t);
			out->topics = cfgkey_calloc((size_t)n, sizeof(char *));
			for (int i = 0; i < n; i++) {
				const config_setting_t *e = config_setting_get_elem(t, (unsigned)i);
				const char *tid = config_setting_get_string(e);
				if (tid == NULL) {
					cfgkey_err(&ld->l, t, _("must be an array of topic ids in double quotes"));
					ok = 0;
					break;
				}
				if (cfg_topic(ld->c, tid) == NULL) {
					cfgkey_err(&ld->l, t, _("\"%s\" is not a topic (define it in topics, or use one of those)"), tid);
					ok = 0;
					continue;
				}
				out->topics[out->ntopics++] = cfgkey_strdup(tid);
			}
		}
	}
	if (!inline_ex) {
		r = cfgkey_int(&ld->l, g, "every_weeks", 1, 52, &v);
		if (r > 0)
			out->every_weeks = (int)v;
		else if (r < 0)
			ok = 0;
		r = cfgkey_str(&ld->l, g, "anchor", &s);
		if (r > 0 && date_parse(s, &out->anchor) < 0) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "anchor"),
			    _("\"%s\" is not a date (use YYYY-MM-DD, a day in a week the session airs)"), s);
			ok = 0;
		} else if (r == 0 && out->every_weeks > 1) {
			cfgkey_missing(&ld->l, g, "anchor", _("every_weeks needs a date in a week it airs, e.g. anchor = \"2026-01-05\""));
			ok = 0;
		} else if (r < 0)
			ok = 0;
	}
	if (id != NULL)
		out->id = cfgkey_strdup(id);
	return ok && id ? 0 : -1;
}

static void
free_session(struct cfg_session *s)
{
	if (s->relay) {
		free(s->relay->name);
		free(s->relay->url);
		free(s->relay);
	}
	free(s->id);
	for (int i = 0; i < s->ntopics; i++)
		free(s->topics[i]);
	free(s->topics);
}

/* appends the list's sessions (or relays) to *out */
static void
parse_sessions(struct ld *ld, const config_setting_t *l, struct cfg_session **out, int *nout,
    const struct cfg_period *owner, int relay)
{
	int n = config_setting_length(l);
	struct cfg_session *grown = realloc(*out, (size_t)(*nout + n + 1) * sizeof(**out));

	if (grown == NULL)
		abort();	/* as cfgkey_calloc: a config is small */
	*out = grown;
	for (int i = 0; i < n; i++) {
		struct cfg_session s;
		if (parse_session_or_relay(ld, config_setting_get_elem(l, (unsigned)i), 0, relay, &s) < 0) {
			free_session(&s);
			continue;
		}
		s.period = owner;
		(*out)[(*nout)++] = s;
	}
}

static int
get_wdate(struct ld *ld, const config_setting_t *g, const char *name, struct cfg_wdate *out)
{
	const char *s;
	int r = cfgkey_str(&ld->l, g, name, &s);

	if (r == 0)
		cfgkey_missing(&ld->l, g, name, _("a date: \"MM-DD\" every year, \"YYYY-MM-DD\" once, or \"lunar MM-DD\""));
	if (r <= 0)
		return -1;
	if (cfg_parse_wdate(s, out) < 0) {
		cfgkey_err(&ld->l, config_setting_get_member(g, name),
		    _("\"%s\" is not a period date (use \"MM-DD\" for every year, \"YYYY-MM-DD\" for once, or "
		      "\"lunar MM-DD\" in the Vietnamese lunar calendar, months 01-12, days 01-30)"), s);
		return -1;
	}
	if (out->kind == CFG_WD_ANNUAL && out->m == 2 && out->d == 29) {
		cfgkey_err(&ld->l, config_setting_get_member(g, name),
		    _("\"02-29\" does not exist every year (use \"02-28\" or \"03-01\")"));
		return -1;
	}
	return 0;
}

static void
parse_periods(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "id", "name", "from", "to", "scale", "replace", "sessions", "relays",
		NULL };
	const config_setting_t *l = cfgkey_group(&ld->l, root, "periods", CONFIG_TYPE_LIST);
	struct cfg *c = ld->c;
	int n;

	if (l == NULL)
		return;
	n = config_setting_length(l);
	c->periods = cfgkey_calloc((size_t)n, sizeof(*c->periods));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i), *sl;
		struct cfg_period *p = &c->periods[c->nperiods];
		const char *id, *name;
		int ok = 1;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfgkey_err(&ld->l, g, _("must be a group { id = ...; from = ...; to = ...; }"));
			continue;
		}
		cfgkey_keys(&ld->l, g, keys);
		memset(p, 0, sizeof(*p));
		p->line = cfgkey_line(g);
		p->scale = 1.0;
		if ((id = cfgkey_id(&ld->l, g, _("the period's short name, e.g. \"tet\""))) == NULL)
			ok = 0;
		else if (strcmp(id, "normal") == 0 || strcmp(id, "emergency") == 0) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "id"),
			    _("\"%s\" is reserved (reports use it); choose another id"), id);
			ok = 0;
		} else if (cfg_period(c, id) != NULL) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "id"), _("period \"%s\" is defined twice"), id);
			ok = 0;
		}
		if (cfgkey_str(&ld->l, g, "name", &name) <= 0)
			name = id ? id : "";
		if (get_wdate(ld, g, "from", &p->from) < 0)
			ok = 0;
		if (get_wdate(ld, g, "to", &p->to) < 0)
			ok = 0;
		if (ok && p->from.kind != p->to.kind) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "to"),
			    _("from and to must be of the same form (both \"MM-DD\", both \"YYYY-MM-DD\" or both "
			      "\"lunar MM-DD\")"));
			ok = 0;
		}
		if (ok && p->from.kind == CFG_WD_ONCE &&
		    date_from_civil(p->to.y, p->to.m, p->to.d) < date_from_civil(p->from.y, p->from.m, p->from.d)) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "to"),
			    _("ends before it begins (a one-off window needs to >= from)"));
			ok = 0;
		}
		if (cfgkey_num(&ld->l, g, "scale", 0.1, 10, &p->scale) < 0)
			ok = 0;
		if (cfgkey_bool(&ld->l, g, "replace", &p->replace) < 0)
			ok = 0;
		p->id = cfgkey_strdup(id);
		p->name = cfgkey_strdup(name);
		if ((sl = cfgkey_group(&ld->l, g, "sessions", CONFIG_TYPE_LIST)) != NULL)
			parse_sessions(ld, sl, &p->sessions, &p->nsessions, p, 0);
		else if (config_setting_get_member(g, "sessions") != NULL)
			ok = 0;
		if ((sl = cfgkey_group(&ld->l, g, "relays", CONFIG_TYPE_LIST)) != NULL)
			parse_sessions(ld, sl, &p->sessions, &p->nsessions, p, 1);
		else if (config_setting_get_member(g, "relays") != NULL)
			ok = 0;
		c->nperiods++;
		(void)ok;	/* a bad period is kept so later references to it resolve; ld->l.bad is set */
	}
}

static void
parse_exceptions(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "date", "name", "sessions", NULL };
	const config_setting_t *l = cfgkey_group(&ld->l, root, "exceptions", CONFIG_TYPE_LIST);
	struct cfg *c = ld->c;
	int n;

	if (l == NULL)
		return;
	n = config_setting_length(l);
	c->exceptions = cfgkey_calloc((size_t)n, sizeof(*c->exceptions));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i), *sl;
		struct cfg_exception *e = &c->exceptions[c->nexceptions];
		const char *s;
		int r;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfgkey_err(&ld->l, g, _("must be a group { date = \"YYYY-MM-DD\"; sessions = [ ... ]; }"));
			continue;
		}
		cfgkey_keys(&ld->l, g, keys);
		memset(e, 0, sizeof(*e));
		e->line = cfgkey_line(g);
		r = cfgkey_str(&ld->l, g, "date", &s);
		if (r == 0) {
			cfgkey_missing(&ld->l, g, "date", _("the day it applies to, \"YYYY-MM-DD\""));
			continue;
		}
		if (r < 0)
			continue;
		if (date_parse(s, &e->date) < 0) {
			cfgkey_err(&ld->l, config_setting_get_member(g, "date"), _("\"%s\" is not a date (use YYYY-MM-DD)"), s);
			continue;
		}
		for (int j = 0; j < c->nexceptions; j++)
			if (c->exceptions[j].date == e->date) {
				cfgkey_err(&ld->l, config_setting_get_member(g, "date"),
				    _("%s already has an exception (line %d); merge them"), s, c->exceptions[j].line);
				goto next;
			}
		if ((sl = config_setting_get_member(g, "sessions")) == NULL) {
			cfgkey_missing(&ld->l, g, "sessions", _("the day's sessions: [ \"morning\" ], or [ ] for a silent day"));
			continue;
		}
		if (config_setting_type(sl) == CONFIG_TYPE_ARRAY) {
			int m = config_setting_length(sl);
			e->named = cfgkey_calloc((size_t)m, sizeof(*e->named));
			for (int j = 0; j < m; j++) {
				const char *sid = config_setting_get_string(config_setting_get_elem(sl, (unsigned)j));
				const struct cfg_session *ss = sid ? cfg_session(c, sid) : NULL;
				if (sid == NULL)
					cfgkey_err(&ld->l, sl, _("must hold session ids in double quotes"));
				else if (ss == NULL)
					cfgkey_err(&ld->l, sl, _("\"%s\" is not a session (name one from sessions or a period's sessions)"),
					    sid);
				else
					e->named[e->nnamed++] = ss;
			}
		} else if (config_setting_type(sl) == CONFIG_TYPE_LIST) {
			int m = config_setting_length(sl);
			e->sessions = cfgkey_calloc((size_t)m, sizeof(*e->sessions));
			for (int j = 0; j < m; j++) {
				struct cfg_session ss;
				if (parse_session(ld, config_setting_get_elem(sl, (unsigned)j), 1, &ss) < 0) {
					free_session(&ss);
					continue;
				}
				e->sessions[e->nsessions++] = ss;
			}
		} else {
			cfgkey_err(&ld->l, sl, _("must be an array of session ids [ \"morning\" ] or a list of sessions ( { ... } )"));
			continue;
		}
		c->nexceptions++;
next:		;
	}
}

static void
parse_trust(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "keys", "require_signed_config", "require_signed_bulletins",
		"allow_unsigned_emergency", NULL };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "trust", CONFIG_TYPE_GROUP), *k;
	struct cfg *c = ld->c;
	int rc, keys_given;

	if (g == NULL)
		return;
	cfgkey_keys(&ld->l, g, keys);
	if ((k = config_setting_get_member(g, "keys")) != NULL) {
		if (config_setting_type(k) != CONFIG_TYPE_ARRAY) {
			cfgkey_err(&ld->l, k, _("must be an array of public keys, e.g. [ \"ed25519:...\" ]"));
		} else {
			int n = config_setting_length(k);
			c->trust.keys = cfgkey_calloc((size_t)n, CFG_KEY_LEN);
			for (int i = 0; i < n; i++) {
				const char *s = config_setting_get_string(config_setting_get_elem(k, (unsigned)i));
				if (s == NULL || cfg_parse_key(s, c->trust.keys[c->trust.nkeys]) < 0) {
					cfgkey_err(&ld->l, k, _("key %d is not an Ed25519 public key (use the \"ed25519:...\" line "
					    "that `loaxa keygen` prints)"), i + 1);
					continue;
				}
				c->trust.nkeys++;
			}
		}
	}
	c->trust.require_signed_config = c->trust.nkeys > 0;
	rc = cfgkey_bool(&ld->l, g, "require_signed_config", &c->trust.require_signed_config);
	cfgkey_bool(&ld->l, g, "require_signed_bulletins", &c->trust.require_signed_bulletins);
	cfgkey_bool(&ld->l, g, "allow_unsigned_emergency", &c->trust.allow_unsigned_emergency);
	keys_given = k && config_setting_type(k) == CONFIG_TYPE_ARRAY && config_setting_length(k) > 0;
	if ((c->trust.require_signed_config || c->trust.require_signed_bulletins) && !keys_given)
		cfgkey_err(&ld->l, rc > 0 ? config_setting_get_member(g, "require_signed_config") : g,
		    _("signatures are required but trust.keys is empty (add the province's public key)"));
}

/* "mqtts://host[:port]": TLS only (credentials and signed configs travel on it) */
static int
parse_broker(const char *s, char **host, int *port)
{
	const char *h, *colon;
	char *end;
	long p = 8883;

	if (strncmp(s, "mqtts://", 8) != 0)
		return -1;
	h = s + 8;
	colon = strrchr(h, ':');
	if (colon == NULL)
		colon = h + strlen(h);
	else {
		p = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end != '\0' || p < 1 || p > 65535)
			return -1;
	}
	if (colon == h || colon - h > 253)
		return -1;
	for (const char *q = h; q < colon; q++)
		if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-')
			return -1;
	*host = strndup(h, (size_t)(colon - h));
	if (*host == NULL)
		abort();
	*port = (int)p;
	return 0;
}

static void
parse_fleet(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "broker", "province", "ca", "cert", "key", "password_file",
		"status_seconds", "keepalive_seconds", "download_max_mb", "retry_seconds", "download_timeout_seconds", NULL };
	static const char *const files[] = { "ca", "cert", "key", "password_file" };
	const config_setting_t *g = cfgkey_group(&ld->l, root, "fleet", CONFIG_TYPE_GROUP);
	struct cfg *c = ld->c;
	char **dst[] = { &c->fleet.ca, &c->fleet.cert, &c->fleet.key, &c->fleet.password_file };
	const char *s;
	long long v;

	if (g == NULL)
		return;
	c->fleet.present = 1;
	c->fleet.status_seconds = 30;
	c->fleet.keepalive_seconds = 60;
	c->fleet.download_max_mb = 512;
	c->fleet.retry_seconds = 60;
	c->fleet.download_timeout_s = 1800;
	cfgkey_keys(&ld->l, g, keys);
	if (cfgkey_str(&ld->l, g, "broker", &s) > 0) {
		if (parse_broker(s, &c->fleet.host, &c->fleet.port) < 0)
			cfgkey_err(&ld->l, config_setting_get_member(g, "broker"), _("\"%s\" is not a broker address "
			    "(mqtts://HOST or mqtts://HOST:PORT; TLS only)"), s);
		else
			c->fleet.broker = cfgkey_strdup(s);
	} else if (config_setting_get_member(g, "broker") == NULL)
		cfgkey_missing(&ld->l, g, "broker", _("broker = \"mqtts://mqtt.example.gov.vn:8883\";"));
	if (cfgkey_str(&ld->l, g, "province", &s) > 0) {
		if (!cfgkey_valid_id(s))
			cfgkey_err(&ld->l, config_setting_get_member(g, "province"), _("\"%s\" is not a valid id (use 1 "
			    "to %d lower-case letters, digits, '-' or '_'; it names the province's topics)"), s,
			    CFGKEY_ID_MAX);
		else
			c->fleet.province = cfgkey_strdup(s);
	} else if (config_setting_get_member(g, "province") == NULL)
		cfgkey_missing(&ld->l, g, "province", _("province = \"cao-bang\"; (the topics' province id)"));
	for (int i = 0; i < 4; i++) {
		if (cfgkey_str(&ld->l, g, files[i], &s) > 0) {
			if (s[0] == '\0')
				cfgkey_err(&ld->l, config_setting_get_member(g, files[i]), "%s", _("must not be empty (a "
				    "file path)"));
			else
				*dst[i] = resolve(c->dir, s);
		} else if (i < 3 && config_setting_get_member(g, files[i]) == NULL)
			cfgkey_missing(&ld->l, g, files[i], i == 0 ? _("ca = \"/etc/loaxa/fleet/ca.crt\"; (the "
			    "province's certificate authority)") : i == 1 ? _("cert = \"/etc/loaxa/fleet/board.crt\"; "
			    "(this board's own certificate)") : _("key = \"/etc/loaxa/fleet/board.key\"; (this board's "
			    "own private key)"));
	}
	if (cfgkey_int(&ld->l, g, "status_seconds", 5, 3600, &v) > 0)
		c->fleet.status_seconds = (int)v;
	if (cfgkey_int(&ld->l, g, "keepalive_seconds", 10, 3600, &v) > 0)
		c->fleet.keepalive_seconds = (int)v;
	if (cfgkey_int(&ld->l, g, "download_max_mb", 1, 2048, &v) > 0)
		c->fleet.download_max_mb = v;
	if (cfgkey_int(&ld->l, g, "retry_seconds", 1, 86400, &v) > 0)
		c->fleet.retry_seconds = (int)v;
	if (cfgkey_int(&ld->l, g, "download_timeout_seconds", 5, 86400, &v) > 0)
		c->fleet.download_timeout_s = (int)v;
}

static void
parse_root(struct ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "version", "serial", "site", "paths", "audio", "quiet_hours", "time",
		"topics", "sessions", "relays", "periods", "exceptions", "trust", "fleet", "live", NULL };
	const config_setting_t *l;
	long long v;
	int r;

	cfgkey_keys(&ld->l, root, keys);
	r = cfgkey_int(&ld->l, root, "version", 1, INT_MAX, &v);
	if (r == 0)
		cfgkey_missing(&ld->l, root, "version", _("version = 1;"));
	else if (r > 0 && v != 1)
		cfgkey_err(&ld->l, config_setting_get_member(root, "version"),
		    _("%lld is not supported (this loaxa reads version = 1; update loaxa first)"), v);
	ld->c->version = 1;
	r = cfgkey_int(&ld->l, root, "serial", 1, LLONG_MAX, &ld->c->serial);
	if (r == 0)
		cfgkey_missing(&ld->l, root, "serial", _("a number that grows with every change, e.g. serial = 2026011501;"));
	parse_site(ld, root);
	parse_paths(ld, root);
	parse_audio(ld, root);
	parse_live(ld, root);
	parse_quiet(ld, root);
	parse_time(ld, root);
	parse_topics(ld, root);
	if ((l = cfgkey_group(&ld->l, root, "sessions", CONFIG_TYPE_LIST)) != NULL)
		parse_sessions(ld, l, &ld->c->sessions, &ld->c->nsessions, NULL, 0);
	if ((l = cfgkey_group(&ld->l, root, "relays", CONFIG_TYPE_LIST)) != NULL)
		parse_sessions(ld, l, &ld->c->sessions, &ld->c->nsessions, NULL, 1);
	parse_periods(ld, root);
	parse_exceptions(ld, root);
	parse_trust(ld, root);
	parse_fleet(ld, root);
}

static char *
dirname_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	char cwd[PATH_MAX], *d;

	if (slash == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return cfgkey_strdup(".");
		return cfgkey_strdup(cwd);
	}
	if (slash == file)
		return cfgkey_strdup("/");
	if (file[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		if (asprintf(&d, "%s/%.*s", cwd, (int)(slash - file), file) < 0)
			abort();
		return d;
	}
	if (asprintf(&d, "%.*s", (int)(slash - file), file) < 0)
		abort();
	return d;
}

struct cfg *
cfg_load_string(const char *text, const char *name, const char *dir, struct diag *d)
{
	struct ld ld = { .l = { .file = name, .d = d } };
	config_t lc;
	struct cfg *c;

	if (cfgkey_read(&ld.l, &lc, text) < 0)
		return NULL;
	c = cfgkey_calloc(1, sizeof(*c));
	c->file = cfgkey_strdup(name);
	c->dir = dir ? cfgkey_strdup(dir) : NULL;
	c->text = cfgkey_strdup(text);
	c->textlen = strlen(text);
	ld.c = c;
	parse_root(&ld, config_root_setting(&lc));
	config_destroy(&lc);
	diag_sort(d);
	if (ld.l.bad || d->n > 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

struct cfg *
cfg_load(const char *file, struct diag *d)
{
	FILE *fp;
	char *buf, *dir;
	size_t n;
	struct cfg *c;

	if ((fp = fopen(file, "re")) == NULL) {
		diag_add(d, file, 0, _("cannot open: %s (give the configuration with -c FILE)"), strerror(errno));
		return NULL;
	}
	buf = cfgkey_calloc(CFG_MAX_BYTES + 1, 1);
	n = fread(buf, 1, CFG_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		diag_add(d, file, 0, _("cannot read: %s"), strerror(errno));
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	if (n > CFG_MAX_BYTES) {
		diag_add(d, file, 0, _("larger than %d bytes; this is not a loaxa configuration"), CFG_MAX_BYTES);
		free(buf);
		return NULL;
	}
	if (memchr(buf, '\0', n) != NULL) {
		diag_add(d, file, 0, "%s", _("contains NUL bytes; this is not a text configuration"));
		free(buf);
		return NULL;
	}
	dir = dirname_of(file);
	c = cfg_load_string(buf, file, dir, d);
	free(dir);
	free(buf);
	return c;
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->dir);
	free(c->text);
	free(c->site.id);
	free(c->site.name);
	free(c->site.province);
	free(c->paths.library);
	free(c->paths.airlog);
	free(c->paths.inbox);
	free(c->paths.state);
	free(c->paths.run);
	free(c->audio.device);
	free(c->audio.chime);
	free(c->audio.amplifier.gpio_chip);
	free(c->live.device);
	free(c->live.gpio_chip);
	free(c->time.zone);
	free(c->fleet.broker);
	free(c->fleet.host);
	free(c->fleet.province);
	free(c->fleet.ca);
	free(c->fleet.cert);
	free(c->fleet.key);
	free(c->fleet.password_file);
	for (int i = 0; i < c->ntopics; i++) {
		free(c->topics[i].id);
		free(c->topics[i].name);
	}
	free(c->topics);
	for (int i = 0; i < c->nsessions; i++)
		free_session(&c->sessions[i]);
	free(c->sessions);
	for (int p = 0; p < c->nperiods; p++) {
		for (int i = 0; i < c->periods[p].nsessions; i++)
			free_session(&c->periods[p].sessions[i]);
		free(c->periods[p].sessions);
		free(c->periods[p].id);
		free(c->periods[p].name);
	}
	free(c->periods);
	for (int e = 0; e < c->nexceptions; e++) {
		for (int i = 0; i < c->exceptions[e].nsessions; i++)
			free_session(&c->exceptions[e].sessions[i]);
		free(c->exceptions[e].sessions);
		free(c->exceptions[e].named);
	}
	free(c->exceptions);
	free(c->trust.keys);
	free(c);
}

const struct cfg_topic *
cfg_topic(const struct cfg *c, const char *id)
{
	for (int i = 0; i < c->ntopics; i++)
		if (c->topics[i].id && strcmp(c->topics[i].id, id) == 0)
			return &c->topics[i];
	return NULL;
}

const struct cfg_period *
cfg_period(const struct cfg *c, const char *id)
{
	for (int i = 0; i < c->nperiods; i++)
		if (c->periods[i].id && strcmp(c->periods[i].id, id) == 0)
			return &c->periods[i];
	return NULL;
}

const struct cfg_session *
cfg_session(const struct cfg *c, const char *id)
{
	for (int i = 0; i < c->nsessions; i++)
		if (strcmp(c->sessions[i].id, id) == 0)
			return &c->sessions[i];
	for (int p = 0; p < c->nperiods; p++)
		for (int i = 0; i < c->periods[p].nsessions; i++)
			if (strcmp(c->periods[p].sessions[i].id, id) == 0)
				return &c->periods[p].sessions[i];
	return NULL;
}

int
cfg_session_allows_topic(const struct cfg_session *s, const char *topic)
{
	if (s->ntopics == 0)
		return 1;
	for (int i = 0; i < s->ntopics; i++)
		if (strcmp(s->topics[i], topic) == 0)
			return 1;
	return 0;
}

int
cfg_in_quiet(const struct cfg *c, int m)
{
	if (!c->quiet.present)
		return 0;
	if (c->quiet.from < c->quiet.to)
		return m >= c->quiet.from && m < c->quiet.to;
	return m >= c->quiet.from || m < c->quiet.to;
}
