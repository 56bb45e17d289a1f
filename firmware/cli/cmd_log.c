/*
 * loaxa log show|verify|export|init: the airing log for people.
 *
 *   show    one readable line per record (auditors, staff)
 *   verify  exit 0 intact, 1 with the first fault named, 2 could not verify
 *   export  the .jsonl files and a fresh signed checkpoint into a folder, or
 *           the airing and missed records as CSV (UTF-8 with BOM, CRLF)
 *   init    the install step: sealing seed (shown once) and device key
 *
 * verify and show also take --airlog DIR for an exported copy, without a
 * config. See scheduler/airlog.h for the format.
 */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "scheduler/airlog.h"

#define U_SHOW		"log show [-c CFG | --airlog DIR]"
#define U_VERIFY	"log verify [-c CFG | --airlog DIR] [--seed HEX|-] [--checkpoint FILE] [--key PUBKEY]..."
#define U_EXPORT	"log export [-c CFG] (--out DIR | --csv [--out DIR])"
#define U_INIT		"log init [-c CFG]"
#define MAX_KEYS	16

/* the CSV's columns: the airing record's fields (a missed record fills those it has) */
static const char *const csv_cols[] = { "seq", "ts", "type", "site", "session", "period", "scheduled", "start",
	"end", "duration_ms", "bulletin", "title", "topic", "level", "source", "sha256", "gain_db", "amplifier",
	"outcome", "reason", NULL };

static const char *
opt_value(int *i, int argc, char **argv, const char *name)
{
	if (strcmp(argv[*i], name) != 0)
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

/* --- show ------------------------------------------------------------------ */

static const char *
type_label(const char *t)
{
	static const struct { const char *type, *label; } labels[] = {
		{ "boot", N_("boot") }, { "shutdown", N_("shutdown") }, { "config", N_("config") },
		{ "ingest", N_("ingest") }, { "airing", N_("airing") }, { "missed", N_("missed") },
		{ "clock", N_("clock") }, { "seal", N_("seal") }, { "relay", N_("relay") }, { "live", N_("live") },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(t, labels[i].type) == 0)
			return _(labels[i].label);
	return t;
}

static const char *
outcome_label(const char *o)
{
	if (strcmp(o, "complete") == 0)
		return _("complete");
	if (strcmp(o, "interrupted") == 0)
		return _("interrupted");
	if (strcmp(o, "failed") == 0)
		return _("failed");
	return o;
}

static const char *
sv(json_t *rec, const char *k)
{
	const char *s = json_string_value(json_object_get(rec, k));

	return s ? s : "";
}

/* a value as text: strings as they are, anything else as JSON */
static char *
value_text(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (v == NULL || json_is_null(v))
		return strdup("");
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void
show_generic(json_t *rec)
{
	static const char *const skip[] = { "seq", "ts", "boot", "mono_ms", "clock", "type", "site", "epoch", "torn",
		"prev", "mac", NULL };
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(rec, k, v) {
		int skipped = 0;
		char *t;
		for (int i = 0; skip[i]; i++)
			skipped |= strcmp(k, skip[i]) == 0;
		if (skipped || (t = value_text(v)) == NULL)
			continue;
		printf("%s%s=%s", first ? "" : " ", k, t);
		first = 0;
		free(t);
	}
}

static void
show_record(json_t *rec)
{
	const char *type = sv(rec, "type");
	json_t *torn = json_object_get(rec, "torn");

	printf("%s  #%lld  %-8s  ", sv(rec, "ts"), json_integer_value(json_object_get(rec, "seq")), type_label(type));
	if (strcmp(type, "airing") == 0) {
		const char *o = sv(rec, "outcome");
		printf("%s %s, %s %s \"%s\": %s", _("session"), sv(rec, "session"), _("bulletin"), sv(rec, "bulletin"),
		    sv(rec, "title"), outcome_label(o));
		if (*sv(rec, "reason"))
			printf(" (%s)", sv(rec, "reason"));
	} else if (strcmp(type, "missed") == 0) {
		printf("%s %s", _("session"), sv(rec, "session"));
		if (*sv(rec, "bulletin"))
			printf(", %s %s \"%s\"", _("bulletin"), sv(rec, "bulletin"), sv(rec, "title"));
		printf(": %s %s", _("not aired because"), *sv(rec, "reason") ? sv(rec, "reason") : _("(no reason given)"));
	} else if (strcmp(type, "relay") == 0) {
		printf("%s %s (%s): %s", _("relay"), sv(rec, "session"), sv(rec, "url"), outcome_label(sv(rec, "outcome")));
		printf(_(", heard %lld s, %lld dropouts (%lld s), fallback %lld s with %lld bulletins"),
		    json_integer_value(json_object_get(rec, "heard_ms")) / 1000,
		    json_integer_value(json_object_get(rec, "dropouts")),
		    json_integer_value(json_object_get(rec, "dropout_ms")) / 1000,
		    json_integer_value(json_object_get(rec, "fallback_ms")) / 1000,
		    json_integer_value(json_object_get(rec, "fallback_bulletins")));
		if (*sv(rec, "reason"))
			printf(" (%s)", sv(rec, "reason"));
	} else if (strcmp(type, "live") == 0) {
		printf(_("live announcement by %s, %lld s"), sv(rec, "by"),
		    json_integer_value(json_object_get(rec, "duration_ms")) / 1000);
		if (*sv(rec, "during"))
			printf(_(", in session %s"), sv(rec, "during"));
		if (*sv(rec, "source") && strcmp(sv(rec, "source"), "local") != 0)	/* a remote live: the stream */
			printf(_(", relayed from %s"), sv(rec, "source"));
		printf(": %s", outcome_label(sv(rec, "outcome")));
		if (*sv(rec, "reason"))
			printf(" (%s)", sv(rec, "reason"));
	} else if (strcmp(type, "seal") == 0) {
		printf(_("seals the %lld records before it (head %.16s…)"), json_integer_value(json_object_get(rec, "count")),
		    sv(rec, "head"));
	} else {
		show_generic(rec);
	}
	if (strcmp(sv(rec, "clock"), "synced") != 0)
		printf(" [%s]", _("clock not synced"));
	if (torn)
		printf(" [%s]", _("acknowledges a torn write before it"));
	putchar('\n');
}

static int
log_show(const char *dir)
{
	char err[512];
	struct airlog_iter *it;
	json_t *rec;
	const char *line, *file;
	size_t len;
	long lineno;
	int r;

	if ((it = airlog_iter_open(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa log show: %s\n", err);
		return 1;
	}
	while ((r = airlog_iter_next(it, &rec, &line, &len)) != 0) {
		if (r == -2) {
			fprintf(stderr, "loaxa log show: %s\n", _("a file of the log cannot be read"));
			airlog_iter_close(it);
			return 1;
		}
		if (r == 1) {
			show_record(rec);
			continue;
		}
		airlog_iter_where(it, &file, &lineno);
		printf("-- %s %s %ld: %s (%zu %s)\n", file, _("line"), lineno, airlog_iter_torn(it) ?
		    _("an unfinished write, acknowledged by the next record") : _("NOT A RECORD"), len, _("bytes"));
	}
	airlog_iter_close(it);
	return 0;
}

static int
log_show_cmd(int argc, char **argv, const char *cfgpath)
{
	const char *dir = NULL, *v;
	struct cfg *c = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--airlog")) != NULL && *v)
			dir = v;
		else
			return cli_usage("log show", U_SHOW, _("unexpected argument \"%s\""), argv[i]);
	}
	if (dir == NULL) {
		if ((c = cli_load(cfgpath)) == NULL)
			return 1;
		dir = c->paths.airlog;
	}
	rc = log_show(dir);
	cfg_free(c);
	return rc;
}

/* --- verify ---------------------------------------------------------------- */

/* "record 1234 (2026-03-02.jsonl line 17): what" */
static void
print_fault(FILE *fp, const struct airlog_fault *f)
{
	if (f->line > 0)
		fprintf(fp, "%s %lld (%s %s %ld): %s\n", _("record"), f->seq, f->file, _("line"), f->line, f->what);
	else if (f->file[0])
		fprintf(fp, "%s %lld (%s): %s\n", _("record"), f->seq, f->file, f->what);
	else
		fprintf(fp, "%s %lld: %s\n", _("record"), f->seq, f->what);
}

static int
read_seed(const char *arg, unsigned char seed[AIRLOG_SEED_LEN])
{
	char line[256];
	size_t got = 0;
	const char *end = NULL;
	int rc;

	if (strcmp(arg, "-") == 0) {	/* from stdin: keeps the seed out of ps and shell history */
		if (fgets(line, sizeof(line), stdin) == NULL)
			return -1;
		line[strcspn(line, "\r\n")] = '\0';
		arg = line;
	}
	rc = sodium_hex2bin(seed, AIRLOG_SEED_LEN, arg, strlen(arg), NULL, &got, &end) == 0 &&
	    got == AIRLOG_SEED_LEN && *end == '\0' ? 0 : -1;
	sodium_memzero(line, sizeof(line));
	return rc;
}

static int
log_verify(int argc, char **argv, const char *cfgpath)
{
	const char *dir = NULL, *seedarg = NULL, *cp = NULL, *v;
	unsigned char seed[AIRLOG_SEED_LEN], keys[MAX_KEYS][32];
	int nkeys = 0, rc, from_state = 0;
	struct airlog_verify_opts o = { 0 };
	struct airlog_fault f;
	struct airlog_verify_stats s;
	struct cfg *c = NULL;
	char err[512], path[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(&i, argc, argv, "--airlog")) != NULL)
			dir = v;
		else if ((v = opt_value(&i, argc, argv, "--seed")) != NULL)
			seedarg = v;
		else if ((v = opt_value(&i, argc, argv, "--checkpoint")) != NULL)
			cp = v;
		else if ((v = opt_value(&i, argc, argv, "--key")) != NULL) {
			if (nkeys == MAX_KEYS)
				return cli_usage("log verify", U_VERIFY, _("at most %d keys"), MAX_KEYS);
			if (sign_load_pub(v, keys[nkeys], err, sizeof(err)) < 0)
				return cli_usage("log verify", U_VERIFY, "%s", err);
			nkeys++;
		} else
			return cli_usage("log verify", U_VERIFY, _("unexpected argument \"%s\""), argv[i]);
		if (v != NULL && *v == '\0')
			return cli_usage("log verify", U_VERIFY, _("%s needs a value"), argv[i]);
	}
	if (seedarg) {
		if (read_seed(seedarg, seed) < 0)
			return cli_usage("log verify", U_VERIFY, "%s", _("the seed is 64 hex digits, as `loaxa log init` "
			    "showed it"));
		o.seed = seed;
	}
	if (dir == NULL) {
		if ((c = cli_load(cfgpath)) == NULL)
			return 2;
		dir = c->paths.airlog;
		snprintf(path, sizeof(path), "%s/device.pub", c->paths.state);
		if (nkeys == 0 && access(path, F_OK) == 0 && sign_load_pub(path, keys[0], err, sizeof(err)) == 0) {
			nkeys = 1;
			from_state = 1;
		}
	}
	o.checkpoint_path = cp;
	o.trusted_keys = (const unsigned char (*)[32])keys;
	o.ntrusted = nkeys;
	rc = airlog_verify(dir, &o, &f, &s);
	sodium_memzero(seed, sizeof(seed));
	if (rc < 0) {
		fprintf(stderr, "loaxa log verify: %s\n", f.what);
		cfg_free(c);
		return 2;
	}
	if (rc > 0) {
		print_fault(stdout, &f);
		cfg_free(c);
		return 1;
	}
	if (s.records == 0)
		printf("%s\n", _("airing log intact: no records yet"));
	else
		printf(_("airing log intact: %lld records, first %s (record %lld), last %s (record %lld)\n"),
		    s.records, s.first_ts, s.first_seq, s.last_ts, s.last_seq);
	printf("%s\n", s.macs_checked ? _("MACs checked with the seed: every record is as the board wrote it") :
	    _("MACs not checked: no --seed"));
	if (s.seals == 0)
		printf("%s\n", _("seals: none yet"));
	else if (s.key_pinned)
		printf(_("seals: %lld signatures good, by %s (%s)\n"), s.seals, s.seal_key, from_state ?
		    _("the board's device.pub") : _("the key given with --key"));
	else
		printf(_("seals: %lld signatures good, by %s, the key the log names (not pinned: give the board's key "
		    "with --key)\n"), s.seals, s.seal_key);
	if (s.checkpoint_ok)
		printf(_("checkpoint: record %lld of %s is in the log, unchanged\n"), s.checkpoint_seq, s.checkpoint_ts);
	if (s.torn > 0)
		printf(_("note: %ld torn write(s), acknowledged; the first: %s\n"), s.torn, s.torn_note);
	cfg_free(c);
	return 0;
}

/* --- export ---------------------------------------------------------------- */

static int
export_csv(const struct cfg *c, const char *out)
{
	char err[512], path[PATH_MAX];
	struct airlog_iter *it;
	json_t *rec;
	const char *line;
	size_t len, size = 0;
	char *buf = NULL;
	FILE *fp;
	int r, rc = 0;
	long rows = 0;

	if ((it = airlog_iter_open(c->paths.airlog, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa log export: %s\n", err);
		return 1;
	}
	if ((fp = open_memstream(&buf, &size)) == NULL) {
		airlog_iter_close(it);
		return 1;
	}
	csv_bom(fp);
	for (int i = 0; csv_cols[i]; i++)
		fprintf(fp, "%s%s", i ? "," : "", csv_cols[i]);
	csv_eol(fp);
	while ((r = airlog_iter_next(it, &rec, &line, &len)) != 0) {
		const char *t;
		if (r == -2) {
			fprintf(stderr, "loaxa log export: %s\n", _("a file of the log cannot be read"));
			rc = 1;
			break;
		}
		if (r != 1 || (t = json_string_value(json_object_get(rec, "type"))) == NULL ||
		    (strcmp(t, "airing") != 0 && strcmp(t, "missed") != 0))
			continue;
		for (int i = 0; csv_cols[i]; i++) {
			char *v = value_text(json_object_get(rec, csv_cols[i]));
			if (i)
				fputc(',', fp);
			csv_field(fp, v ? v : "");
			free(v);
		}
		csv_eol(fp);
		rows++;
	}
	airlog_iter_close(it);
	fclose(fp);
	if (rc == 0 && out == NULL) {
		fwrite(buf, 1, size, stdout);
	} else if (rc == 0) {
		snprintf(path, sizeof(path), "%s/airlog-%s.csv", out, c->site.id);
		if (durable_mkdirs(out, 0755) < 0 || durable_atomic(path, buf, size, 0644) < 0) {
			fprintf(stderr, "loaxa log export: %s %s: %s\n", _("cannot write"), path, strerror(errno));
			rc = 1;
		} else {
			printf(_("%ld airing and missed records written to %s\n"), rows, path);
		}
	}
	free(buf);
	return rc;
}

/* is file a's content a prefix of file b's? */
static int
is_prefix(const char *a, const char *b)
{
	char *da, *db;
	size_t la, lb;
	int rc = 0;

	if (sign_read_file(a, &da, &la) < 0)
		return 0;
	if (sign_read_file(b, &db, &lb) == 0) {
		rc = la <= lb && memcmp(da, db, la) == 0;
		free(db);
	}
	free(da);
	return rc;
}

/*
 * The folder may hold only an earlier export of this log: another log's
 * files would be verified as part of this one, or overwritten. A file of the
 * same name is an earlier export only if it is a prefix of ours (the log
 * only grows).
 */
static int
check_dest(const char *dir, const char *out, char *err, size_t errlen)
{
	int32_t *days, *old;
	int n, nold, rc = 0;
	char name[17], src[PATH_MAX], dst[PATH_MAX];

	if (access(out, F_OK) != 0)
		return 0;
	if ((n = airlog_files(dir, &days, err, errlen)) < 0)
		return -1;
	if ((nold = airlog_files(out, &old, err, errlen)) < 0) {
		free(days);
		return -1;
	}
	for (int i = 0; i < nold && rc == 0; i++) {
		int known = 0;
		for (int j = 0; j < n; j++)
			known |= old[i] == days[j];
		airlog_file_name(old[i], name);
		snprintf(src, sizeof(src), "%s/%s", dir, name);
		snprintf(dst, sizeof(dst), "%s/%s", out, name);
		if (!known || !is_prefix(dst, src)) {
			snprintf(err, errlen, _("%s already holds %s, which is not part of this log: export into an "
			    "empty folder"), out, name);
			rc = -1;
		}
	}
	free(days);
	free(old);
	return rc;
}

/* copies the log's files; with `live`, the last file only up to its last complete line */
static int
copy_files(const char *dir, const char *out, int live, char *err, size_t errlen)
{
	int32_t *days;
	int n;
	char name[17], src[PATH_MAX], dst[PATH_MAX];

	if ((n = airlog_files(dir, &days, err, errlen)) < 0)
		return -1;
	if (durable_mkdirs(out, 0755) < 0) {
		snprintf(err, errlen, _("cannot create %s: %s"), out, strerror(errno));
		free(days);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *data;
		size_t len;

		airlog_file_name(days[i], name);
		snprintf(src, sizeof(src), "%s/%s", dir, name);
		snprintf(dst, sizeof(dst), "%s/%s", out, name);
		if (sign_read_file(src, &data, &len) < 0) {
			snprintf(err, errlen, _("cannot read %s: %s"), src, strerror(errno));
			free(days);
			return -1;
		}
		if (live && i == n - 1)
			while (len > 0 && data[len - 1] != '\n')
				len--;	/* a line loaxad is writing right now */
		if (durable_atomic(dst, data, len, 0644) < 0) {
			snprintf(err, errlen, _("cannot write %s: %s"), dst, strerror(errno));
			free(data);
			free(days);
			return -1;
		}
		free(data);
	}
	free(days);
	return n;
}

static int
export_jsonl(const struct cfg *c, const char *out)
{
	char err[512], boot[64], path[PATH_MAX];
	struct airlog_clock clk;
	struct airlog *h;
	char *cp = NULL;
	int live = 0, fresh = 0, n;
	struct airlog_verify_opts o = { 0 };
	struct airlog_fault f;
	struct airlog_verify_stats s;

	if (check_dest(c->paths.airlog, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa log export: %s\n", err);
		return 1;
	}
	if ((h = airlog_open(c->paths.airlog, c->paths.state, c->site.id, err, sizeof(err))) != NULL) {
		cli_clock(c, &clk, boot, sizeof(boot));
		if (airlog_seal(h, &clk, err, sizeof(err)) < 0 || airlog_checkpoint(h, &cp) < 0) {
			fprintf(stderr, "loaxa log export: %s\n", err);
			airlog_close(h);
			return 1;
		}
	} else if (errno == EWOULDBLOCK) {
		/* loaxad holds the writer: it seals on request; else its latest seal is the checkpoint */
		live = 1;
		if (cli_request_seal(c, &cp, err, sizeof(err)) == 0)
			fresh = 1;
		else if (airlog_latest_checkpoint(c->paths.airlog, &cp, err, sizeof(err)) < 0) {
			fprintf(stderr, "loaxa log export: %s\n", err);
			return 1;
		}
	} else {
		fprintf(stderr, "loaxa log export: %s\n", err);
		return 1;
	}
	n = copy_files(c->paths.airlog, out, live, err, sizeof(err));
	airlog_close(h);
	snprintf(path, sizeof(path), "%s/checkpoint.json", out);
	if (n < 0 || durable_atomic(path, cp, strlen(cp), 0644) < 0) {
		fprintf(stderr, "loaxa log export: %s\n", n < 0 ? err : strerror(errno));
		free(cp);
		return 1;
	}
	free(cp);
	o.checkpoint_path = path;
	if (airlog_verify(out, &o, &f, &s) != 0) {
		fprintf(stderr, "loaxa log export: %s %s: ", _("the copy does not verify"), out);
		print_fault(stderr, &f);
		return 1;
	}
	printf(_("exported %d files (%lld records) to %s, with checkpoint.json: record %lld of %s\n"), n, s.records,
	    out, s.checkpoint_seq, s.checkpoint_ts);
	if (live && !fresh)
		printf("%s\n", _("loaxad is running: the checkpoint is its latest seal; records after it are copied but "
		    "not covered"));
	return 0;
}

int
cmd_log_export(const struct cfg *c, const char *out, int csv)
{
	return csv ? export_csv(c, out) : export_jsonl(c, out);
}

static int
log_export(int argc, char **argv, const char *cfgpath)
{
	const char *out = NULL, *v;
	int csv = 0, rc;
	struct cfg *c;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			csv = 1;
		else if ((v = opt_value(&i, argc, argv, "--out")) != NULL && *v)
			out = v;
		else
			return cli_usage("log export", U_EXPORT, _("unexpected argument \"%s\""), argv[i]);
	}
	if (!csv && out == NULL)
		return cli_usage("log export", U_EXPORT, "%s", _("give --out DIR (the folder to copy the log into)"));
	if ((c = cli_load(cfgpath)) == NULL)
		return 1;
	cli_set_zone(c);
	rc = csv ? export_csv(c, out) : export_jsonl(c, out);
	cfg_free(c);
	return rc;
}

/* --- init ------------------------------------------------------------------ */

static int
log_init(int argc, char **argv, const char *cfgpath)
{
	char seed[65], pub[SIGN_PUB_TEXT], err[512];
	struct cfg *c;

	if (argc > 1)
		return cli_usage("log init", U_INIT, _("unexpected argument \"%s\""), argv[1]);
	if ((c = cli_load(cfgpath)) == NULL)
		return 1;
	if (airlog_init(c->paths.state, seed, pub, sizeof(pub), err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa log init: %s\n", err);
		cfg_free(c);
		return 1;
	}
	printf(_("The airing log of site %s is set up (keys in %s).\n\n"), c->site.id, c->paths.state);
	printf("%s\n  %s\n\n", _("Sealing seed. Write it down now and give it to the provincial office: it is not kept "
	    "on the board and is never shown again. With it the office can prove that no record of this board's log "
	    "was changed (loaxa log verify --seed):"), seed);
	printf("%s\n  %s\n", _("Device public key. The office keeps it too, to check this board's signed seals "
	    "(loaxa log verify --key):"), pub);
	sodium_memzero(seed, sizeof(seed));
	cfg_free(c);
	return 0;
}

int
cmd_log(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);

	if (argc < 2)
		return cli_usage("log", "log show|verify|export|init [-c CFG] ...", "%s", _("which one?"));
	if (strcmp(argv[1], "show") == 0)
		return log_show_cmd(argc - 1, argv + 1, cfgpath);
	if (strcmp(argv[1], "verify") == 0)
		return log_verify(argc - 1, argv + 1, cfgpath);
	if (strcmp(argv[1], "export") == 0)
		return log_export(argc - 1, argv + 1, cfgpath);
	if (strcmp(argv[1], "init") == 0)
		return log_init(argc - 1, argv + 1, cfgpath);
	return cli_usage("log", "log show|verify|export|init [-c CFG] ...", _("unknown subcommand \"%s\""), argv[1]);
}
