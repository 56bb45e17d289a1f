/*
 * loaxa ingest [-c CFG] [--out DIR] [--no-speak] ROOT: a USB stick, as the
 * udev/systemd units run it when one is plugged in (ROOT holds LOAXA/).
 *
 *   1. LOAXA/loaxa.cfg (+ .sig): applied first (intake/apply.h), so that the
 *      bulletins and the plan below see the new topics and sessions
 *   2. the bulletins (intake/ingest.h)
 *   3. an `ingest` record in the airing log: appended here, or handed to
 *      loaxad through paths.inbox when it holds the log
 *   4. LOAXA/export/ present: the airing log, its CSV and a fresh signed
 *      checkpoint copied to export/SITE/ (what `loaxa log export` writes)
 *   5. the receipt, in Vietnamese: on stdout and as
 *      LOAXA/receipt-SITE-YYYY-MM-DD.txt (or in --out DIR: the units read
 *      the stick from a read-only mount and copy what is written there back
 *      onto it)
 *   6. a spoken confirmation (espeak-ng's Vietnamese voice, LOAXA_ESPEAK
 *      names another program), played by loaxad when it runs, else here
 *
 * Exit 0 when everything on the stick was taken (loaded, or already on the
 * board), 1 when some of it was refused, 2 when nothing was taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "intake/apply.h"
#include "intake/ingest.h"
#include "scheduler/airlog.h"

#define USAGE "ingest [-c CFG] [--out DIR] [--no-speak] DIR"
#define PLAN_DAYS 7

extern char **environ;

struct run {
	struct cfg		*c;
	const char		*cfg_path;
	const char		*root;
	char			 outdir[PATH_MAX];
	struct ingest_result	 r;
	int			 fatal;		/* the stick could not be looked at */
	char			 fatal_msg[768];
	int			 has_cfg;	/* LOAXA/loaxa.cfg was there */
	struct cfgapply_result	 ar;
	struct diag		 cfg_diag;
	char			 log_note[512];
	char			 export_note[768];
};

static const char *
topic_name(const struct cfg *c, const char *id)
{
	const struct cfg_topic *t = cfg_topic(c, id);

	return t && t->name ? t->name : id;
}

/* --- 1. config ------------------------------------------------------------------ */

static int
apply_config(struct run *x, int32_t today)
{
	char *text = NULL, *sig = NULL, err[512];
	size_t len, siglen = 0;
	const char *t = getenv("LOAXA_APPLY_TIMEOUT");
	int r, s;

	diag_init(&x->cfg_diag);
	r = ingest_read_small(x->root, "loaxa.cfg", 1024 * 1024, &text, &len, err, sizeof(err));
	if (r == 0)
		return 0;
	x->has_cfg = 1;
	if (r < 0) {
		x->ar.outcome = CFGAPPLY_REFUSED;
		snprintf(x->ar.msg, sizeof(x->ar.msg), "%s", err);
		return 0;
	}
	s = ingest_read_small(x->root, "loaxa.cfg.sig", 4096, &sig, &siglen, err, sizeof(err));
	cfgapply_run(x->c, text, len, s > 0 ? sig : NULL, siglen, INGEST_DIR "/loaxa.cfg", today,
	    t && *t ? atoi(t) : CFGAPPLY_WAIT_S, &x->cfg_diag, &x->ar);
	free(text);
	free(sig);
	if (x->ar.outcome == CFGAPPLY_APPLIED) {
		struct cfg *nc = cli_load(x->cfg_path);
		if (nc == NULL)
			return -1;
		cfg_free(x->c);
		x->c = nc;
		cli_set_zone(nc);
	}
	return 0;
}

/* --- 3. the airing log --------------------------------------------------------------- */

static json_t *
ingest_fields(const struct run *x)
{
	json_t *o = ingest_record_fields(&x->r, "usb");

	if (x->fatal)
		json_array_append_new(json_object_get(o, "refused"), json_pack("{s:s, s:s}", "file", "", "reason",
		    x->fatal_msg));
	if (x->has_cfg) {
		static const char *const outcome[] = { "applied", "same", "refused", "rolled-back" };
		json_object_set_new(o, "config", json_string(outcome[x->ar.outcome]));
		if (x->ar.outcome == CFGAPPLY_APPLIED)
			json_object_set_new(o, "config_serial", json_integer(x->ar.new_serial));
	}
	return o;
}

static void
log_record(struct run *x)
{
	const struct cfg *c = x->c;
	struct airlog_clock clk;
	struct airlog *h;
	char err[512], boot[64], name[96];
	json_t *f = ingest_fields(x);
	long long seq;

	if ((h = airlog_open(c->paths.airlog, c->paths.state, c->site.id, err, sizeof(err))) != NULL) {
		cli_clock(c, &clk, boot, sizeof(boot));
		if (airlog_append(h, "ingest", f, &clk, &seq, err, sizeof(err)) == 0)
			snprintf(x->log_note, sizeof(x->log_note), _("Recorded in the airing log (record %lld)."), seq);
		else
			snprintf(x->log_note, sizeof(x->log_note), _("NOT recorded in the airing log: %s"), err);
		airlog_close(h);
	} else if (errno == EWOULDBLOCK) {
		json_t *rec = json_pack("{s:s, s:O}", "type", "ingest", "fields", f);
		char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
		snprintf(name, sizeof(name), "record-ingest-%lld-%ld.json", (long long)cli_now(), (long)getpid());
		if (text && cli_inbox_put(c, name, text, strlen(text)) == 0)
			snprintf(x->log_note, sizeof(x->log_note), "%s", _("Handed to loaxad for the airing log."));
		else
			snprintf(x->log_note, sizeof(x->log_note), _("NOT recorded in the airing log: %s"), strerror(errno));
		free(text);
		json_decref(rec);
	} else
		snprintf(x->log_note, sizeof(x->log_note), _("NOT recorded in the airing log: %s"), err);
	json_decref(f);
}

/* --- 4. export ------------------------------------------------------------------------ */

static void
export(struct run *x)
{
	char dir[PATH_MAX];

	struct stat st;

	if (!ingest_has_dir(x->root, "export"))
		return;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/export/%s", x->outdir, x->c->site.id) >= sizeof(dir))
		return;
	if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {	/* a link would take the copy off the stick */
		snprintf(x->export_note, sizeof(x->export_note), _("The export for the auditors was NOT made: "
		    "LOAXA/export/%s is not a plain folder."), x->c->site.id);
		return;
	}
	fflush(stdout);
	if (cmd_log_export(x->c, dir, 0) == 0 && cmd_log_export(x->c, dir, 1) == 0)
		snprintf(x->export_note, sizeof(x->export_note), _("For the auditors: the airing log, its CSV and a "
		    "freshly signed checkpoint are in LOAXA/export/%s/."), x->c->site.id);
	else
		snprintf(x->export_note, sizeof(x->export_note), _("The export for the auditors FAILED (see the messages "
		    "above); the airing log on the board is untouched."));
}

/* --- 5. the receipt --------------------------------------------------------------------- */

static void
section(FILE *fp, const char *title, int n)
{
	fprintf(fp, "\n%s (%d)\n", title, n);
}

static char *
receipt(struct run *x, int32_t today)
{
	const struct cfg *c = x->c;
	const struct ingest_result *r = &x->r;
	char *buf = NULL, d[11], ts[DATE_TS_LEN], dur[16];
	size_t size = 0;
	time_t now = cli_now();
	struct tm tm;
	FILE *fp;
	int n;

	if ((fp = open_memstream(&buf, &size)) == NULL)
		return NULL;
	localtime_r(&now, &tm);
	date_format_ts((long long)now, tm.tm_gmtoff, ts);
	fprintf(fp, "%s\n", _("LOAXA — RECEIPT FOR A USB STICK"));
	fprintf(fp, "%s: %s (%s)\n", C_("receipt", "Site"), c->site.name ? c->site.name : c->site.id, c->site.id);
	fprintf(fp, "%s: %.10s %.5s\n", C_("receipt", "Time"), ts, ts + 11);
	if (x->fatal) {
		fprintf(fp, "\n%s\n  %s\n", _("NOTHING WAS LOADED:"), x->fatal_msg);
	} else {
		fprintf(fp, "%s: %s\n", _("Stick"), !r->has_manifest ? _("no manifest.cfg: every audio file is loaded as a "
		    "commune bulletin, valid for 30 days") : r->manifest_signed ? _("manifest.cfg signed by the "
		    "province (signature checked)") : r->manifest_sig ? _("manifest.cfg with a signature that does NOT "
		    "check") : _("manifest.cfg, not signed"));
		fprintf(fp, _("Result: %d loaded, %d updated, %d already on the board, %d refused"), r->loaded, r->updated,
		    r->duplicates, r->refused);
		fprintf(fp, "\n");
	}
	if (x->has_cfg) {
		fprintf(fp, "\n%s\n  %s\n", _("CONFIGURATION (LOAXA/loaxa.cfg)"), x->ar.msg);
		for (size_t i = 0; i < x->cfg_diag.n; i++)
			fprintf(fp, "  %s\n", x->cfg_diag.msg[i]);
	}
	for (int pass = 0; pass < 2; pass++) {
		enum ingest_status want = pass == 0 ? INGEST_LOADED : INGEST_UPDATED;
		n = 0;
		for (int i = 0; i < r->n; i++)
			n += r->items[i].status == want;
		if (n == 0)
			continue;
		section(fp, pass == 0 ? _("LOADED") : _("UPDATED (a bulletin of the same id replaced)"), n);
		for (int i = 0; i < r->n; i++) {
			const struct ingest_item *it = &r->items[i];
			if (it->status != want)
				continue;
			cli_fmt_dur(it->b.duration_ms, dur, sizeof(dur));
			date_format(it->b.valid_to, d);
			fprintf(fp, "  + \"%s\" — %s — %s — ", it->b.title, topic_name(c, it->b.topic), dur);
			fprintf(fp, _("airs until %s"), d);
			if (it->b.level != BUL_NORMAL)
				fprintf(fp, " — %s", it->b.level == BUL_PRIORITY ? _("priority") : _("EMERGENCY"));
			fprintf(fp, "\n      %s: %s, %s: %s\n", _("file"), it->file, _("id"), it->b.id);
			if (it->converted[0]) {
				fprintf(fp, "      ");
				fprintf(fp, _("converted from %s to FLAC on the board (the original is kept on the "
				    "stick)"), it->converted);
				fprintf(fp, "\n");
			}
		}
	}
	if (r->duplicates > 0) {
		section(fp, _("ALREADY ON THE BOARD (not stored again)"), r->duplicates);
		for (int i = 0; i < r->n; i++)
			if (r->items[i].status == INGEST_DUPLICATE) {
				fprintf(fp, "  = %s: ", r->items[i].file);
				fprintf(fp, _("the same audio as \"%s\" (%s)"), r->items[i].b.title, r->items[i].b.id);
				fprintf(fp, "\n");
			}
	}
	if (r->refused > 0) {
		section(fp, _("REFUSED (not loaded)"), r->refused);
		for (int i = 0; i < r->n; i++)
			if (r->items[i].status == INGEST_REFUSED)
				fprintf(fp, "  - %s%s%s\n", r->items[i].file, r->items[i].file[0] ? ": " : "",
				    r->items[i].reason);
	}
	if (r->manifest.n > 0) {
		fprintf(fp, "\n%s\n", _("ERRORS IN manifest.cfg (the entries named here were not loaded)"));
		for (size_t i = 0; i < r->manifest.n; i++)
			fprintf(fp, "  %s\n", r->manifest.msg[i]);
	}
	fprintf(fp, "\n%s\n", x->log_note);
	if (x->export_note[0])
		fprintf(fp, "%s\n", x->export_note);
	fprintf(fp, "\n%s\n", _("PLAN FOR THE NEXT 7 DAYS"));
	fflush(fp);
	if (cmd_plan_text(fp, c, today, today + PLAN_DAYS - 1) < 0)
		fprintf(fp, "%s\n", _("(the plan cannot be made: the library cannot be read)"));
	fclose(fp);
	return buf;
}

/* --- 6. spoken confirmation ----------------------------------------------------------------- */

static int
spawn_wait(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
speak(struct run *x)
{
	const struct cfg *c = x->c;
	const char *prog = getenv("LOAXA_ESPEAK");
	char text[256], wav[PATH_MAX], final[PATH_MAX], err[512], progbuf[PATH_MAX];
	int taken = x->r.loaded + x->r.updated;
	long daemon = cli_daemon(c);

	if (prog == NULL || *prog == '\0')
		prog = "espeak-ng";
	snprintf(text, sizeof(text), _("Loaded %d bulletins, refused %d"), taken, x->r.refused + x->fatal);
	if (daemon) {
		durable_mkdirs(c->paths.inbox, 0770);
		if ((size_t)snprintf(final, sizeof(final), "%s/announce-ingest-%lld-%ld.wav", c->paths.inbox,
		    (long long)cli_now(), (long)getpid()) >= sizeof(final) - 4)
			return;
		snprintf(wav, sizeof(wav), "%.*s.tmp", (int)(sizeof(wav) - 5), final);
	} else if ((size_t)snprintf(wav, sizeof(wav), "%s/tmp/announce-%ld.wav", c->paths.library, (long)getpid()) >=
	    sizeof(wav))
		return;
	snprintf(progbuf, sizeof(progbuf), "%s", prog);
	{
		char *argv[] = { progbuf, "-v", "vi", "-s", "140", "-w", wav, text, NULL };
		if (spawn_wait(argv) < 0) {
			fprintf(stderr, _("loaxa ingest: no spoken confirmation: %s cannot be run (install espeak-ng)\n"),
			    prog);
			unlink(wav);
			return;
		}
	}
	if (daemon) {
		if (durable_rename(wav, final) < 0) {
			fprintf(stderr, "loaxa ingest: %s: %s\n", final, strerror(errno));
			unlink(wav);
		}
		return;
	}
	if (cmd_play_announce(c, wav, err, sizeof(err)) < 0)
		fprintf(stderr, _("loaxa ingest: the spoken confirmation did not play: %s\n"), err);
	unlink(wav);
}

static int
plain_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --- the command ---------------------------------------------------------------------------- */

int
cmd_ingest(int argc, char **argv)
{
	const char *out = NULL;
	struct run x;
	struct ingest_opts o;
	struct tm tm;
	time_t now;
	char path[PATH_MAX], d[11], *text;
	int32_t today;
	int nospeak = 0, rc, taken, refused;

	memset(&x, 0, sizeof(x));
	x.cfg_path = cli_config_arg(&argc, argv);
	translate_lang("vi");		/* staff read the receipt and hear the confirmation in Vietnamese */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--no-speak") == 0)
			nospeak = 1;
		else if (argv[i][0] == '-' || x.root)
			return cli_usage("ingest", USAGE, _("unexpected argument \"%s\""), argv[i]);
		else
			x.root = argv[i];
	}
	if (x.root == NULL)
		return cli_usage("ingest", USAGE, "%s", _("name the stick's folder (the one holding LOAXA/)"));
	if ((x.c = cli_load(x.cfg_path)) == NULL)
		return 2;
	cli_set_zone(x.c);
	today = cli_today();
	snprintf(x.outdir, sizeof(x.outdir), "%s/%s", out ? out : x.root, out ? "" : INGEST_DIR);
	if (out)
		snprintf(x.outdir, sizeof(x.outdir), "%s", out);

	if (apply_config(&x, today) < 0) {
		cfg_free(x.c);
		return 2;
	}
	now = cli_now();
	localtime_r(&now, &tm);
	o = (struct ingest_opts){ .c = x.c, .today = today, .now = (long long)now, .now_off = tm.tm_gmtoff };
	if (ingest_run(x.root, &o, &x.r, x.fatal_msg, sizeof(x.fatal_msg)) < 0)
		x.fatal = 1;
	log_record(&x);
	export(&x);

	date_format(today, d);
	text = receipt(&x, today);
	if (text && !out && !plain_dir(x.outdir)) {
		fputs(text, stdout);
		fprintf(stderr, _("loaxa ingest: the receipt is not written to %s: it is not a plain folder\n"),
		    x.outdir);
	} else if (text) {
		fputs(text, stdout);
		fflush(stdout);
		int toolong = (size_t)snprintf(path, sizeof(path), "%s/receipt-%s-%s.txt", x.outdir, x.c->site.id, d) >=
		    sizeof(path);
		if (toolong)
			errno = ENAMETOOLONG;
		if (toolong || durable_mkdirs(x.outdir, 0755) < 0 || durable_atomic(path, text, strlen(text), 0644) < 0)
			fprintf(stderr, _("loaxa ingest: the receipt could not be written to %s: %s\n"), path,
			    strerror(errno));
	}
	free(text);
	if (!nospeak)
		speak(&x);

	taken = x.r.loaded + x.r.updated + x.r.duplicates + (x.has_cfg && x.ar.outcome <= CFGAPPLY_SAME);
	refused = x.r.refused + x.fatal + (x.has_cfg && x.ar.outcome >= CFGAPPLY_REFUSED);
	rc = refused == 0 && taken > 0 ? 0 : taken > 0 ? 1 : 2;
	ingest_result_free(&x.r);
	diag_free(&x.cfg_diag);
	cfg_free(x.c);
	return rc;
}
