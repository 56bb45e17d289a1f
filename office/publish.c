/*
 * loaxa publish: the provincial office pushes a signed config or bulletin
 * set to one site, a list of sites, or the whole province (retained
 * messages: a board that is offline gets it when it next connects).
 *
 *   loaxa publish [-c OFFICE.cfg] [--sign-key office.key] config FILE (--sites a,b | --province)
 *   loaxa publish [-c OFFICE.cfg] [--sign-key office.key] bulletins MANIFEST --base-url URL (--sites a,b | --province)
 *   loaxa publish [-c OFFICE.cfg] clear config|bulletins (--sites a,b | --province)
 *   loaxa publish [-c OFFICE.cfg] --sign-key office.key live now URL --level emergency|priority
 *       [--by NAME] [--id ID] [--max-minutes N] [--gone-seconds N] [--valid-seconds N] [--wait S]
 *       (--sites a,b | --province)
 *   loaxa publish [-c OFFICE.cfg] --sign-key office.key live end ID [--wait S] (--sites a,b | --province)
 *
 * A live command (firmware/fleetmsg.h) is made and signed now, never
 * retained (a board offline misses it), and carries a sequence (the time
 * in ms, or --sequence) that each board takes once. --wait S prints each
 * board's acknowledgement (airing from hh:mm:ss, or refused and why) for
 * up to S seconds, or until every site named has answered; then exit 1
 * when one refused or did not answer. --save FILE keeps the exact message.
 *
 * The broker, province and TLS credentials are the fleet group of -c (the
 * office's own loaxa.cfg); --broker, --ca, --cert, --key and --password-file
 * override them. The signature is FILE.sig beside FILE (as `loaxa sign`
 * writes it, the same bundle a stick carries) or made now with --sign-key.
 * A config is checked as `loaxa check` checks it before anything is sent.
 * Waits for the broker's PUBACK of every message; exit 0 all published,
 * 1 not, 2 usage.
 */
#include <errno.h>
#include <jansson.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/translate.h"
#include "config/cfg.h"
#include "config/cfgkey.h"
#include "config/manifest.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"
#include "firmware/fleetmsg.h"
#include "intake/ingest.h"
#include "office/office.h"
#include "scheduler/sched.h"

#define U_PUBLISH "publish [-c CFG] [--broker URL] [--ca F --cert F --key F] [--password-file F] [--sign-key KEY] " \
	"{config FILE | bulletins MANIFEST --base-url URL | clear config|bulletins | live now URL --level emergency|priority " \
	"[--by NAME] [--id ID] [--max-minutes N] [--gone-seconds N] [--valid-seconds N] | live end ID} [--wait S] " \
	"{--sites a,b | --province}"

struct pub {
	int	 pending, failed, connected, refused;
	/* live --wait: the acknowledgements of this command */
	const char *live_id;
	json_t	*acks;		/* site -> the first ack */
	int	 nrefused;
};

void
office_live_ack_text(const json_t *a, char *buf, size_t len)
{
	const char *id = json_string_value(json_object_get(a, "id"));
	const char *outcome = json_string_value(json_object_get(a, "outcome"));
	const char *from = json_string_value(json_object_get(a, "from"));
	const char *to = json_string_value(json_object_get(a, "to"));
	const char *reason = json_string_value(json_object_get(a, "reason"));

	if (outcome == NULL)
		outcome = "?";
	if (strcmp(outcome, "airing") == 0)
		snprintf(buf, len, _("live %s: airing from %s"), id ? id : "", from ? from : "?");
	else if (strcmp(outcome, "refused") == 0)
		snprintf(buf, len, _("live %s: refused: %s"), id ? id : "", reason ? reason : "");
	else
		snprintf(buf, len, _("live %s: %s, %s-%s%s%s%s"), id ? id : "", outcome, from ? from : "?", to ? to : "?",
		    reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct pub *p = obj;
	json_t *a;
	const char *site, *id, *outcome;
	char line[1200];

	(void)m;
	if (p->acks == NULL || msg->payloadlen <= 0 || (a = json_loadb(msg->payload, (size_t)msg->payloadlen, 0,
	    NULL)) == NULL)
		return;
	site = json_string_value(json_object_get(a, "site"));
	id = json_string_value(json_object_get(a, "id"));
	outcome = json_string_value(json_object_get(a, "outcome"));
	/* a refusal of a command the board could not read carries no id: it may be this one's */
	if (site && outcome && (id == NULL || *id == '\0' || strcmp(id, p->live_id) == 0) &&
	    json_object_get(p->acks, site) == NULL) {
		office_live_ack_text(a, line, sizeof(line));
		printf("%s %s\n", site, line);
		fflush(stdout);
		if (strcmp(outcome, "refused") == 0 || strcmp(outcome, "failed") == 0)
			p->nrefused++;
		json_object_set(p->acks, site, a);
	}
	json_decref(a);
}

static void
on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct pub *p = obj;

	(void)m;
	(void)mid;
	p->pending--;
}

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct pub *p = obj;

	(void)m;
	if (rc == 0)
		p->connected = 1;
	else {
		p->refused = 1;
		fprintf(stderr, "loaxa publish: %s\n", mosquitto_connack_string(rc));
	}
}

static char *
signature(const char *path, const char *text, size_t len, const char *keyfile, int unsigned_ok)
{
	unsigned char sk[SIGN_SEC_LEN];
	char err[512], sigpath[4200], *sig;
	size_t siglen;

	if (keyfile) {
		if (sign_load_secret(keyfile, sk, err, sizeof(err)) < 0) {
			fprintf(stderr, "loaxa publish: %s\n", err);
			return NULL;
		}
		sig = malloc(SIGN_SIG_TEXT);
		if (sig)
			sign_buf(text, len, sk, sig);
		explicit_bzero(sk, sizeof(sk));
		return sig;
	}
	snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if (sign_read_file(sigpath, &sig, &siglen) == 0) {
		sig[strcspn(sig, "\r\n")] = '\0';
		return sig;
	}
	if (unsigned_ok)
		return strdup("");
	fprintf(stderr, _("loaxa publish: %s has no signature (%s): sign it with `loaxa sign %s --key office.key`, or "
	    "give --sign-key\n"), path, sigpath, path);
	return NULL;
}

/*
 * A manifest goes out bound (config/manifest.h): a sequence, an expiry not
 * yet past, and the sites or province it is for; boards refuse it otherwise.
 * 0, or -1 with the reasons on stderr.
 */
static int
manifest_bound(const char *text, const char *file)
{
	struct manifest_meta m;
	struct diag d;
	int rc = 0;

	diag_init(&d);
	if (manifest_meta_parse(text, file, &m, &d) < 0 || d.n > 0) {
		diag_print(&d, stderr);
		rc = -1;
	} else if (m.sequence == 0 || m.expires == DATE_NONE || (!m.has_sites && m.province == NULL)) {
		fprintf(stderr, _("loaxa publish: %s does not say its sequence, expiry and the sites or province it is "
		    "for: add `sequence = N;` (higher than the last one sent), `expires = \"YYYY-MM-DD\";` and `sites = "
		    "[ ... ];` or `province = \"...\";`, sign it again; boards refuse it otherwise\n"), file);
		rc = -1;
	} else if (m.expires < cli_today()) {
		fprintf(stderr, _("loaxa publish: %s has expired (expires is in the past): boards would refuse it\n"),
		    file);
		rc = -1;
	}
	manifest_meta_free(&m);
	diag_free(&d);
	return rc;
}

int
cmd_publish(int argc, char **argv)
{
	const char *cfgpath = cli_config_arg(&argc, argv);
	const char *broker = NULL, *ca = NULL, *cert = NULL, *key = NULL, *pw = NULL, *signkey = NULL, *base = NULL;
	const char *sites = NULL, *what = NULL, *file = NULL, *province;
	const char *live = NULL, *level = NULL, *by = NULL, *live_id = NULL, *seqarg = NULL, *maxmin = NULL;
	const char *gone = NULL, *valid = NULL, *waitarg = NULL, *save = NULL;
	int whole = 0, unsigned_ok = 0, clear = 0, rc = 1, port, timeout = 30, wait_s = 0, nsites = 0;
	char idbuf[64];
	char *host = NULL, *text = NULL, *sig = NULL, *payload = NULL, err[512], id[64];
	size_t len = 0;
	struct cfg *c;
	struct mosquitto *m;
	struct pub p = { 0 };
	struct fmsg_tls tls;
	time_t t0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) if (strcmp(a, name) == 0) { if (v == NULL) return cli_usage("publish", U_PUBLISH, \
	_("%s needs a value"), a); var = v; i++; continue; }
		OPT("--broker", broker) OPT("--ca", ca) OPT("--cert", cert) OPT("--key", key)
		OPT("--password-file", pw) OPT("--sign-key", signkey) OPT("--base-url", base) OPT("--sites", sites)
		OPT("--level", level) OPT("--by", by) OPT("--id", live_id) OPT("--sequence", seqarg)
		OPT("--max-minutes", maxmin) OPT("--gone-seconds", gone) OPT("--valid-seconds", valid)
		OPT("--wait", waitarg) OPT("--save", save)
#undef OPT
		if (strcmp(a, "--province") == 0)
			whole = 1;
		else if (strcmp(a, "--unsigned") == 0)	/* tests: what a board must refuse */
			unsigned_ok = 1;
		else if (what == NULL && strcmp(a, "clear") == 0)
			clear = 1;
		else if (what == NULL && !clear && strcmp(a, "live") == 0)
			what = a;
		else if (what != NULL && strcmp(what, "live") == 0 && live == NULL && (strcmp(a, "now") == 0 ||
		    strcmp(a, "end") == 0))
			live = a;
		else if (what == NULL && (strcmp(a, "config") == 0 || strcmp(a, "bulletins") == 0))
			what = a;
		else if (what != NULL && (strcmp(what, "live") != 0 || live != NULL) && file == NULL && !clear && a[0] != '-')
			file = a;
		else
			return cli_usage("publish", U_PUBLISH, _("unexpected argument \"%s\""), a);
	}
	if (what == NULL || (!clear && file == NULL))
		return cli_usage("publish", U_PUBLISH, "%s", _("say what to publish: config FILE, bulletins MANIFEST, or "
		    "live now URL / live end ID"));
	if ((sites == NULL) == !whole)
		return cli_usage("publish", U_PUBLISH, "%s", _("give --sites a,b or --province (not both)"));
	if (strcmp(what, "live") == 0 && (live == NULL || file == NULL))
		return cli_usage("publish", U_PUBLISH, "%s", _("say live now URL or live end ID"));
	if (strcmp(what, "live") == 0 && strcmp(live, "now") == 0 && (level == NULL || (strcmp(level, "emergency") != 0 &&
	    strcmp(level, "priority") != 0)))
		return cli_usage("publish", U_PUBLISH, "%s", _("live now needs --level emergency or --level priority"));
	if (strcmp(what, "live") == 0 && signkey == NULL && !unsigned_ok)
		return cli_usage("publish", U_PUBLISH, "%s", _("a live command is signed as it is made: give --sign-key "
		    "office.key"));
	if ((maxmin && (atoi(maxmin) < 1 || atoi(maxmin) > 240)) || (gone && (atoi(gone) < 3 || atoi(gone) > 600)) ||
	    (valid && (atoi(valid) < 10 || atoi(valid) > 86400)))
		return cli_usage("publish", U_PUBLISH, "%s", _("--max-minutes is 1 to 240, --gone-seconds 3 to 600, "
		    "--valid-seconds 10 to 86400"));
	if (waitarg && (wait_s = atoi(waitarg)) < 1)
		return cli_usage("publish", U_PUBLISH, "%s", _("--wait needs a number of seconds"));
	if (strcmp(what, "bulletins") == 0 && !clear && base == NULL)
		return cli_usage("publish", U_PUBLISH, "%s", _("bulletins need --base-url (where boards fetch the files)"));
	if ((c = cli_load(cfgpath)) == NULL)
		return 2;
	if (!c->fleet.present && (broker == NULL || ca == NULL)) {
		fprintf(stderr, _("loaxa publish: %s has no fleet group: give --broker, --ca, --cert and --key\n"), cfgpath);
		goto out;
	}
	province = c->fleet.province;
	if (broker == NULL)
		broker = c->fleet.broker;
	if (fmsg_broker(broker, &host, &port) < 0) {
		fprintf(stderr, _("loaxa publish: \"%s\" is not a broker address (mqtts://HOST:PORT)\n"), broker);
		goto out;
	}
	tls = (struct fmsg_tls){ ca ? ca : c->fleet.ca, cert ? cert : c->fleet.cert, key ? key : c->fleet.key,
	    pw ? pw : c->fleet.password_file };

	if (strcmp(what, "live") == 0) {
		json_t *o = json_object(), *arr;
		struct timespec ts;
		long long seq;
		char *list, *save_p = NULL;
		clock_gettime(CLOCK_REALTIME, &ts);
		seq = seqarg ? strtoll(seqarg, NULL, 10) : (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (strcmp(live, "now") == 0 && live_id == NULL) {
			snprintf(idbuf, sizeof(idbuf), "L%lld", seq);
			live_id = idbuf;
		} else if (strcmp(live, "end") == 0)
			live_id = file;
		json_object_set_new(o, "command", json_string(live));
		json_object_set_new(o, "id", json_string(live_id));
		json_object_set_new(o, "sequence", json_integer(seq));
		if (strcmp(live, "now") == 0) {
			json_object_set_new(o, "url", json_string(file));
			json_object_set_new(o, "level", json_string(level));
		}
		json_object_set_new(o, "by", json_string(by ? by : c->site.name ? c->site.name : c->site.id));
		json_object_set_new(o, "issued", json_integer((json_int_t)ts.tv_sec));
		if (strcmp(live, "now") == 0) {
			json_object_set_new(o, "valid_seconds", json_integer(valid ? atoi(valid) : 300));
			json_object_set_new(o, "max_minutes", json_integer(maxmin ? atoi(maxmin) : 30));
			json_object_set_new(o, "gone_seconds", json_integer(gone ? atoi(gone) : 10));
		}
		if (whole)
			json_object_set_new(o, "province", json_string(province));
		else {
			arr = json_array();
			list = strdup(sites);
			for (char *s = list ? strtok_r(list, ",", &save_p) : NULL; s; s = strtok_r(NULL, ",", &save_p)) {
				json_array_append_new(arr, json_string(s));
				nsites++;
			}
			free(list);
			json_object_set_new(o, "sites", arr);
		}
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (text == NULL) {
			fprintf(stderr, _("loaxa publish: the live command is not UTF-8 text (the URL, --by or --id)\n"));
			goto out;
		}
		len = strlen(text);
		/* made now: no FILE.sig to read; unsigned only for tests (--unsigned) */
		if ((sig = signkey ? signature("live", text, len, signkey, 0) : strdup("")) == NULL)
			goto out;
		payload = fmsg_live_envelope(text, len, *sig ? sig : NULL);
		if (save && payload) {
			FILE *fp = fopen(save, "we");
			if (fp == NULL || fputs(payload, fp) < 0 || fclose(fp) != 0) {
				fprintf(stderr, "loaxa publish: %s: %s\n", save, strerror(errno));
				goto out;
			}
		}
		p.live_id = live_id;
		if (wait_s > 0)
			p.acks = json_object();
	} else if (!clear) {
		if (sign_read_file(file, &text, &len) < 0) {
			fprintf(stderr, "loaxa publish: %s: %s\n", file, strerror(errno));
			goto out;
		}
		if (strcmp(what, "config") == 0) {
			struct diag d;
			struct cfg *nc;
			diag_init(&d);
			nc = cfg_load_string(text, file, c->dir, &d);
			if (nc && sched_check(nc, cli_today(), &d) != 0) {
				cfg_free(nc);
				nc = NULL;
			}
			diag_print(&d, stderr);
			diag_free(&d);
			if (nc == NULL) {
				fprintf(stderr, _("loaxa publish: %s has errors: nothing published\n"), file);
				goto out;
			}
			if ((sig = signature(file, text, len, signkey, unsigned_ok)) == NULL) {
				cfg_free(nc);
				goto out;
			}
			payload = fmsg_config_envelope(file, nc->serial, text, len, *sig ? sig : NULL);
			cfg_free(nc);
		} else {
			struct diag d;
			struct bulletin *mb = NULL;
			int nmb = 0;
			diag_init(&d);
			if (ingest_manifest_parse(text, file, c, &mb, &nmb, &d) < 0 || d.n > 0) {
				diag_print(&d, stderr);
				diag_free(&d);
				for (int i = 0; i < nmb; i++)
					bul_free(&mb[i]);
				free(mb);
				fprintf(stderr, _("loaxa publish: %s has errors: nothing published\n"), file);
				goto out;
			}
			diag_free(&d);
			for (int i = 0; i < nmb; i++)
				bul_free(&mb[i]);
			free(mb);
			if (!unsigned_ok && manifest_bound(text, file) < 0) {
				fprintf(stderr, _("loaxa publish: %s has errors: nothing published\n"), file);
				goto out;
			}
			if ((sig = signature(file, text, len, signkey, unsigned_ok)) == NULL)
				goto out;
			payload = fmsg_bulletins_envelope(text, len, *sig ? sig : NULL, base);
		}
		if (payload == NULL) {
			fprintf(stderr, _("loaxa publish: %s is not UTF-8 text\n"), file);
			goto out;
		}
	}

	/*
	 * unique across the office's machines, not only this one: a broker (or a
	 * cluster) drops the older of two connections with the same id, and two
	 * machines' publish may share a pid
	 */
	{
		unsigned long long r = 0;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (unsigned long long)getpid() ^ (unsigned long long)time(NULL) << 20;
		snprintf(id, sizeof(id), "loaxa-publish-%016llx", r);
	}
	if ((m = fmsg_client(id, 1, &tls, &p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loaxa publish: %s\n", err);
		goto out;
	}
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	if ((rc = mosquitto_connect(m, host, port, 30)) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, _("loaxa publish: cannot connect to %s: %s\n"), broker, rc == MOSQ_ERR_ERRNO ?
		    strerror(errno) : mosquitto_strerror(rc));
		mosquitto_destroy(m);
		rc = 1;
		goto out;
	}
	t0 = time(NULL);
	while (!p.connected && !p.refused && time(NULL) - t0 < timeout)
		if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS)
			break;
	rc = 1;
	if (p.connected) {
		char topic[FMSG_TOPIC_MAX];
		char *list = sites ? strdup(sites) : NULL, *save_p = NULL;
		const char *s = whole ? NULL : strtok_r(list, ",", &save_p);
		int n = 0;
		if (p.acks && fmsg_topic(topic, sizeof(topic), province, "+", "live-ack") == 0)
			mosquitto_subscribe(m, NULL, topic, 1);	/* before the command: the broker keeps the order */
		do {
			if (s && !cfgkey_valid_id(s)) {
				fprintf(stderr, _("loaxa publish: \"%s\" is not a site id\n"), s);
				p.failed++;
			} else if (fmsg_topic(topic, sizeof(topic), province, s, what) == 0) {
				int r = mosquitto_publish(m, NULL, topic, clear ? 0 : (int)strlen(payload), clear ? NULL : payload,
				    1, strcmp(what, "live") != 0);	/* a live command is now or never */
				if (r == MOSQ_ERR_SUCCESS) {
					p.pending++;
					n++;
					printf("%s\n", topic);
				} else {
					fprintf(stderr, "loaxa publish: %s: %s\n", topic, mosquitto_strerror(r));
					p.failed++;
				}
			}
		} while (!whole && (s = strtok_r(NULL, ",", &save_p)) != NULL);
		free(list);
		t0 = time(NULL);
		while (p.pending > 0 && time(NULL) - t0 < timeout)
			if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS)
				break;
		if (p.pending > 0)
			fprintf(stderr, _("loaxa publish: the broker did not acknowledge %d of %d messages\n"), p.pending, n);
		rc = p.pending == 0 && p.failed == 0 ? 0 : 1;
		if (p.acks) {
			t0 = time(NULL);
			while (time(NULL) - t0 < wait_s && (whole || (int)json_object_size(p.acks) < nsites))
				if (mosquitto_loop(m, 500, 1) != MOSQ_ERR_SUCCESS)
					break;
			if (!whole && (int)json_object_size(p.acks) < nsites)
				fprintf(stderr, _("loaxa publish: %d of %d boards did not answer in %d s (offline, or not "
				    "subscribed)\n"), nsites - (int)json_object_size(p.acks), nsites, wait_s);
			if (p.nrefused > 0 || (!whole && (int)json_object_size(p.acks) < nsites))
				rc = 1;
		}
		mosquitto_disconnect(m);
	} else if (!p.refused)
		fprintf(stderr, _("loaxa publish: no answer from %s (TLS or network: see above)\n"), broker);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
out:
	free(host);
	free(text);
	free(sig);
	free(payload);
	json_decref(p.acks);
	cfg_free(c);
	return rc;
}
