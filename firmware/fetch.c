/*
 * fetch: see fetch.h. Runs in loaxad's child; everything here may block.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/bulletin.h"
#include "config/cfg.h"
#include "config/sign.h"
#include "firmware/cli/cli.h"
#include "firmware/fetch.h"
#include "firmware/netlib.h"
#include "intake/ingest.h"

struct miss {
	char	*file, *reason;
};

struct fetch {
	const struct cfg	*c;
	struct miss		*m;
	int			 nm;
	int			 transient;	/* files that may come on a later try (network, server, disk) */
};

static const char *
missing(void *arg, const char *file)
{
	struct fetch *f = arg;

	for (int i = 0; i < f->nm; i++)
		if (strcmp(f->m[i].file, file) == 0)
			return f->m[i].reason;
	return NULL;
}

static void
add_miss(struct fetch *f, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add_miss(struct fetch *f, const char *file, const char *fmt, ...)
{
	va_list ap;
	struct miss *n = realloc(f->m, (size_t)(f->nm + 1) * sizeof(*n));
	char *r = NULL;

	if (n == NULL)
		return;
	f->m = n;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	f->m[f->nm].file = strdup(file);
	f->m[f->nm].reason = r;
	f->nm++;
}

struct sink {
	int			 fd;
	long long		 got, max;
	long long		 room;		/* what may be written before the log's reserve is touched */
	crypto_hash_sha256_state h;
	int			 too_big, werr, no_room;
};

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->got + (long long)len > s->max) {	/* a server that sent no length, or lied about it */
		s->too_big = 1;
		return 0;
	}
	if (s->got + (long long)len > s->room) {	/* the airing log's reserve is not for downloads */
		s->no_room = 1;
		return 0;
	}
	if (durable_write(s->fd, p, len) < 0) {
		s->werr = errno;
		return 0;
	}
	crypto_hash_sha256_update(&s->h, (const unsigned char *)p, len);
	s->got += (long long)len;
	return len;
}

/* a manifest's file name, as a URL path: each byte outside the unreserved set escaped, '/' kept */
static char *
url_of(const char *base, const char *file)
{
	size_t bl = strlen(base), n = bl + 2 + strlen(file) * 3;
	char *u = malloc(n), *p;

	if (u == NULL)
		return NULL;
	memcpy(u, base, bl);
	p = u + bl;
	if (bl == 0 || base[bl - 1] != '/')
		*p++ = '/';
	for (const unsigned char *q = (const unsigned char *)file; *q; q++) {
		if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		    strchr("-._~/", *q))
			*p++ = (char)*q;
		else
			p += sprintf(p, "%%%02X", *q);
	}
	*p = '\0';
	return u;
}

/* a manifest's file must stay below LOAXA/ (ingest checks again when it reads) */
static int
safe_name(const char *file)
{
	if (*file == '\0' || *file == '/' || strlen(file) > 255)
		return 0;
	for (const char *p = file; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p)) {
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return 0;
		if (*p == '.' || *p == '/')
			return 0;
	}
	return 1;
}

static int
mkparents(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	return durable_mkdirs(dir, 0755);
}

/* free bytes on lx's file system less the airing log's reserve (ingest keeps the same) */
static long long
room_on(const char *lx)
{
	struct statvfs sv;
	long long avail;

	if (statvfs(lx, &sv) < 0)
		return LLONG_MAX;	/* not known: the import's own check still holds */
	avail = (long long)sv.f_bavail * (long long)sv.f_frsize - INGEST_RESERVE;
	return avail > 0 ? avail : 0;
}

static void
download(struct fetch *f, CURL *cu, const char *base, const char *lx, const struct bulletin *b)
{
	char path[PATH_MAX], cerr[CURL_ERROR_SIZE] = "", hex[65];
	unsigned char h[crypto_hash_sha256_BYTES];
	struct sink s = { .fd = -1 };
	char *url;
	long code = 0;
	CURLcode rc;

	if (!safe_name(b->file)) {
		add_miss(f, b->file, _("has a file name that cannot be fetched safely (no \"..\", no leading '.' or '/')"));
		return;
	}
	if ((url = url_of(base, b->file)) == NULL)
		return;
	errno = ENAMETOOLONG;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", lx, b->file) >= sizeof(path) || mkparents(path) < 0 || (s.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		add_miss(f, b->file, _("could not be stored for the import (%s): %s"), path, strerror(errno));
		free(url);
		return;
	}
	s.max = f->c->fleet.download_max_mb << 20;
	s.room = room_on(lx);
	crypto_hash_sha256_init(&s.h);
	curl_easy_reset(cu);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	/* no downgrade: from an https base a redirect may lead to https only */
	curl_easy_setopt(cu, CURLOPT_REDIR_PROTOCOLS_STR, strncmp(base, "https://", 8) == 0 ? "https" : "http,https");
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, (long)f->c->fleet.download_timeout_s);	/* the whole file, not a rate */
	curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(cu, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(cu, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(cu, CURLOPT_LOW_SPEED_LIMIT, 64L);	/* 3G that stalls for two minutes is gone */
	curl_easy_setopt(cu, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(cu, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(cu, CURLOPT_USERAGENT, "loaxa/1");
	rc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && durable_fsync(s.fd) < 0)
		s.werr = errno;
	close(s.fd);
	crypto_hash_sha256_final(&s.h, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (s.no_room) {
		add_miss(f, b->file, _("could not be stored: the disk is nearly full (the airing log keeps %lld MiB for "
		    "itself); free some space (remove old bulletins)"), (long long)(INGEST_RESERVE >> 20));
		f->transient++;
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		add_miss(f, b->file, _("could not be fetched from %s within %d s (fleet.download_timeout_seconds): the "
		    "server or the link is too slow"), url, f->c->fleet.download_timeout_s);
		f->transient++;
	} else if (rc == CURLE_FILESIZE_EXCEEDED || s.too_big)
		add_miss(f, b->file, _("refused: %s is larger than the %lld MiB a bulletin may be (fleet.download_max_mb)"),
		    url, f->c->fleet.download_max_mb);
	else if (rc == CURLE_HTTP_RETURNED_ERROR) {
		add_miss(f, b->file, _("could not be fetched: %s answered HTTP %ld"), url, code);
		f->transient++;	/* not there yet, or the server is down: tried again later */
	} else if (s.werr) {
		add_miss(f, b->file, _("could not be stored for the import: %s"), strerror(s.werr));
		f->transient++;
	} else if (rc != CURLE_OK) {
		add_miss(f, b->file, _("could not be fetched from %s: %s"), url, cerr[0] ? cerr : curl_easy_strerror(rc));
		f->transient++;
	}
	else if (b->sha256[0] && strcmp(hex, b->sha256) != 0)
		add_miss(f, b->file, _("refused: the audio fetched from %s does not match the manifest's sha256 (got %.12s…, "
		    "the manifest says %.12s…): it was changed or damaged; nothing of it was loaded"), url, hex, b->sha256);
	else {
		free(url);
		return;
	}
	unlink(path);
	free(url);
}

static char *
manifest_sha(const char *text, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	static char hex[65];

	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return hex;
}

static json_t *
result(const char *sha, const char *outcome, const char *error)
{
	json_t *o = json_object();

	json_object_set_new(o, "manifest", json_string(sha ? sha : ""));
	json_object_set_new(o, "outcome", json_string(outcome));
	json_object_set_new(o, "loaded", json_integer(0));
	json_object_set_new(o, "refused", json_array());
	if (error)
		json_object_set_new(o, "error", json_string(error));
	return o;
}

/* the ingest record, handed to loaxad (which holds the log) */
static void
hand_record(const struct cfg *c, json_t *fields)
{
	json_t *rec = json_pack("{s:s, s:O}", "type", "ingest", "fields", fields);
	char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER), name[96];

	snprintf(name, sizeof(name), "record-fleet-%lld-%ld.json", (long long)time(NULL), (long)getpid());
	if (text)
		cli_inbox_put(c, name, text, strlen(text));
	free(text);
	json_decref(rec);
}

json_t *
fetch_bulletins(const struct cfg *c, const char *envelope, size_t len, const char *work)
{
	struct fetch f = { .c = c };
	struct ingest_source src = { "fleet", missing, &f };
	struct ingest_result r;
	struct ingest_opts o;
	struct bulletin *mb = NULL;
	struct diag d;
	json_t *env, *res = NULL, *fields;
	const char *man, *sig, *base;
	char lx[PATH_MAX], path[PATH_MAX], err[768], *sha;
	int nmb = 0, v;
	CURL *cu;
	struct tm tm;
	time_t now = time(NULL);

	if (sodium_init() < 0)
		return result(NULL, "failed", "libsodium cannot start");
	env = json_loadb(envelope, len, 0, NULL);
	man = json_string_value(json_object_get(env, "manifest"));
	sig = json_string_value(json_object_get(env, "sig"));
	base = json_string_value(json_object_get(env, "base_url"));
	if (man == NULL || base == NULL) {
		json_decref(env);
		return result(NULL, "refused", _("the bulletin message is not a bulletin set (a JSON object with manifest, "
		    "sig and base_url): nothing fetched"));
	}
	sha = manifest_sha(man, strlen(man));
	if (sig == NULL) {
		res = result(sha, "refused", _("the bulletin set is not signed: over the network this board takes only "
		    "manifests signed by the provincial office; nothing fetched"));
		goto out;
	}
	v = sign_verify_buf(man, strlen(man), sig, strlen(sig), (const unsigned char (*)[SIGN_PUB_LEN])c->trust.keys,
	    c->trust.nkeys, NULL, err, sizeof(err));
	if (v != 0) {
		res = result(sha, "refused", v < 0 ? _("the bulletin set's signature is damaged (not a signature); nothing "
		    "fetched") : _("the bulletin set's manifest does not match its signature (changed after signing, or "
		    "signed by a key this board does not trust); nothing fetched"));
		goto out;
	}
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
		res = result(sha, "refused", _("base_url must be an http:// or https:// address; nothing fetched"));
		goto out;
	}
	diag_init(&d);
	if (ingest_manifest_parse(man, "manifest.cfg", c, &mb, &nmb, &d) < 0 || nmb == 0) {
		res = result(sha, "refused", d.n ? d.msg[0] : _("the manifest lists no bulletin this board can take"));
		diag_free(&d);
		goto out;
	}
	diag_free(&d);

	durable_rmtree(work);	/* what an earlier child left behind */
	errno = ENAMETOOLONG;
	if ((size_t)snprintf(lx, sizeof(lx), "%s/" INGEST_DIR, work) >= sizeof(lx) - 32 || durable_mkdirs(lx, 0755) < 0) {
		snprintf(err, sizeof(err), "%.400s: %s", lx, strerror(errno));
		res = result(sha, "failed", err);
		json_object_set_new(res, "retry", json_true());
		goto out;
	}
	errno = ENAMETOOLONG;
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.cfg", lx) >= sizeof(path) || durable_atomic(path, man, strlen(man), 0644) < 0) {
		res = result(sha, "failed", strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.cfg.sig", lx) < sizeof(path))
		durable_atomic(path, sig, strlen(sig), 0644);

	if (netlib_curl(err, sizeof(err)) < 0) {
		res = result(sha, "failed", err);
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((cu = curl_easy_init()) == NULL) {
		res = result(sha, "failed", "curl_easy_init");
		goto out;
	}
	for (int i = 0; i < nmb; i++)
		download(&f, cu, base, lx, &mb[i]);
	curl_easy_cleanup(cu);
	curl_global_cleanup();

	localtime_r(&now, &tm);
	o = (struct ingest_opts){ .c = c, .src = &src, .today = date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday), .now = (long long)now, .now_off = tm.tm_gmtoff };
	if (ingest_run(work, &o, &r, err, sizeof(err)) < 0) {
		res = result(sha, "failed", err);
		json_object_set_new(res, "retry", json_true());
		ingest_result_free(&r);
		goto out;
	}
	fields = ingest_record_fields(&r, "fleet");
	json_object_set_new(fields, "manifest_sha256", json_string(sha));
	json_object_set_new(fields, "base_url", json_string(base));
	hand_record(c, fields);
	res = result(sha, r.loaded + r.updated + r.duplicates > 0 ? "imported" : "refused", NULL);
	json_object_set_new(res, "loaded", json_integer(r.loaded + r.updated));
	json_object_set_new(res, "duplicates", json_integer(r.duplicates));
	json_object_set(res, "refused", json_object_get(fields, "refused"));
	if (f.transient)
		json_object_set_new(res, "retry", json_true());
	json_decref(fields);
	ingest_result_free(&r);
out:
	durable_rmtree(work);
	for (int i = 0; i < nmb; i++)
		bul_free(&mb[i]);
	free(mb);
	for (int i = 0; i < f.nm; i++) {
		free(f.m[i].file);
		free(f.m[i].reason);
	}
	free(f.m);
	json_decref(env);
	return res;
}
