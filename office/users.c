/*
 * users: see users.h. Passwords: Argon2id at libsodium's "interactive"
 * limits (64 MiB, about a tenth of a second here), the same for a name that
 * does not exist (a dummy hash is checked), so timing tells no names.
 * Every statement is one of the constants below with its values as
 * parameters. Thread-safe as long as each thread has its own store handle.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office/store.h"
#include "office/users.h"

static const char *const roles[] = { "admin", "editor", "operator", "auditor" };

static const char *const schema_common[] = {
	"CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL, "
	"created BIGINT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS user_communes (name TEXT NOT NULL REFERENCES users (name), commune TEXT NOT NULL, "
	"PRIMARY KEY (name, commune))",
	"CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, "
	"created BIGINT NOT NULL, expires BIGINT NOT NULL, addr TEXT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS login_failures (who TEXT NOT NULL, t BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS login_failures_who ON login_failures (who, t)",
	NULL
};

static const char *const schema_pg[] = {
	"CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, t BIGINT NOT NULL, who TEXT NOT NULL, "
	"what TEXT NOT NULL, addr TEXT NOT NULL)",
	"CREATE OR REPLACE FUNCTION loaxa_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
	"$$BEGIN RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP; END$$",
	"CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW "
	"EXECUTE FUNCTION loaxa_audit_append_only()",
	"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT "
	"EXECUTE FUNCTION loaxa_audit_append_only()",
	NULL
};

static const char *const schema_sqlite[] = {
	"CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, t BIGINT NOT NULL, who TEXT NOT NULL, "
	"what TEXT NOT NULL, addr TEXT NOT NULL)",
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END",
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END",
	NULL
};

int
users_schema(struct store *d, char *err, size_t errlen)
{
	const char *const *more = store_is_pg(d) ? schema_pg : schema_sqlite;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium does not start");
		return -1;
	}
	for (int i = 0; schema_common[i]; i++)
		if (store_exec(d, schema_common[i], 0, NULL) < 0)
			goto fail;
	for (int i = 0; more[i]; i++)
		if (store_exec(d, more[i], 0, NULL) < 0)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "the console's tables: %s", store_error(d));
	return -1;
}

int
users_role(const char *word, enum user_role *r)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(word, roles[i]) == 0) {
			*r = (enum user_role)i;
			return 0;
		}
	return -1;
}

const char *
users_role_name(enum user_role r)
{
	return (unsigned)r < 4 ? roles[r] : "?";
}

int
users_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '.' || s[0] == '-' || s[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

static void
hexof(const unsigned char *b, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

void
users_token(char out[USERS_TOKEN_LEN + 1])
{
	unsigned char b[USERS_TOKEN_LEN / 2];

	randombytes_buf(b, sizeof(b));
	hexof(b, sizeof(b), out);
}

/* what the sessions table keeps of a cookie's token */
static void
token_key(const char *token, char out[USERS_TOKEN_LEN + 1])
{
	unsigned char h[USERS_TOKEN_LEN / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	hexof(h, sizeof(h), out);
}

static int
count_cb(void *arg, int n, const char *const *v)
{
	*(long long *)arg = n > 0 && v[0] ? atoll(v[0]) : 0;
	return 0;
}

int
users_add(struct store *d, const char *name, enum user_role role, const char *const *communes, int nc,
    const char *password, long long now, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES], t[24];
	const char *v[4];
	long long have = 0;

	if (strlen(password) < 10) {
		snprintf(err, errlen, "the password for \"%s\" is shorter than 10 characters: choose a longer one", name);
		return -1;
	}
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		snprintf(err, errlen, "not enough memory to hash the password (Argon2id needs 64 MiB)");
		return -1;
	}
	v[0] = name;
	if (store_query(d, "SELECT count(*) FROM users WHERE name = $1", 1, v, count_cb, &have) < 0)
		goto fail;
	if (have) {
		snprintf(err, errlen, "there is already an account \"%s\": choose another name", name);
		return -1;
	}
	snprintf(t, sizeof(t), "%lld", now);
	v[1] = roles[role];
	v[2] = hash;
	v[3] = t;
	if (store_exec(d, "BEGIN", 0, NULL) < 0)
		goto fail;
	if (store_exec(d, "INSERT INTO users (name, role, hash, created) VALUES ($1, $2, $3, $4)", 4, v) < 0)
		goto rollback;
	for (int i = 0; i < nc; i++) {
		v[1] = communes[i];
		if (store_exec(d, "INSERT INTO user_communes (name, commune) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2,
		    v) < 0)
			goto rollback;
	}
	if (store_exec(d, "COMMIT", 0, NULL) < 0)
		goto fail;
	return 0;
rollback:
	snprintf(err, errlen, "the account \"%s\": %s", name, store_error(d));
	store_exec(d, "ROLLBACK", 0, NULL);
	return -1;
fail:
	snprintf(err, errlen, "the account \"%s\": %s", name, store_error(d));
	return -1;
}

struct found {
	char	 hash[crypto_pwhash_STRBYTES];
	char	 role[16];
	int	 n;
};

static int
found_cb(void *arg, int n, const char *const *v)
{
	struct found *f = arg;

	if (n < 2 || v[0] == NULL || v[1] == NULL)
		return 0;
	snprintf(f->hash, sizeof(f->hash), "%s", v[0]);
	snprintf(f->role, sizeof(f->role), "%s", v[1]);
	f->n++;
	return 1;
}

static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	if (crypto_pwhash_str(dummy, "not a password of anyone", 24, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy[0] = '\0';
}

int
users_login(struct store *d, const char *name, const char *password, struct user *u)
{
	struct found f = { .n = 0 };
	const char *v[1] = { name };
	enum user_role role;
	int good;

	pthread_once(&dummy_once, make_dummy);
	if (store_query(d, "SELECT hash, role FROM users WHERE name = $1", 1, v, found_cb, &f) < 0)
		return -1;
	if (f.n == 0 || users_role(f.role, &role) < 0) {
		/* the same work as for a real account, its result of no use */
		if (dummy[0] && crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
			return 0;
		return 0;
	}
	good = crypto_pwhash_str_verify(f.hash, password, strlen(password)) == 0;
	sodium_memzero(f.hash, sizeof(f.hash));
	if (!good)
		return 0;
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->role = role;
	return 1;
}

int
users_session_new(struct store *d, struct user *u, long long now, long long ttl, const char *addr,
    char token[USERS_TOKEN_LEN + 1])
{
	char key[USERS_TOKEN_LEN + 1], c[24], e[24];
	const char *v[6] = { key, u->name, u->csrf, c, e, addr };

	users_token(token);
	users_token(u->csrf);
	token_key(token, key);
	u->expires = now + ttl;
	snprintf(c, sizeof(c), "%lld", now);
	snprintf(e, sizeof(e), "%lld", now + ttl);
	/* sessions long over are cleared as new ones come: the table stays small */
	store_exec(d, "DELETE FROM sessions WHERE expires < $1", 1, (const char *const[]){ c });
	return store_exec(d, "INSERT INTO sessions (token, name, csrf, created, expires, addr) VALUES ($1, $2, $3, $4, "
	    "$5, $6)", 6, v);
}

static int
session_cb(void *arg, int n, const char *const *v)
{
	struct user *u = arg;

	if (n < 4 || !v[0] || !v[1] || !v[2] || !v[3] || users_role(v[1], &u->role) < 0)
		return 0;
	snprintf(u->name, sizeof(u->name), "%s", v[0]);
	snprintf(u->csrf, sizeof(u->csrf), "%s", v[2]);
	u->expires = atoll(v[3]);
	return 1;
}

int
users_session_get(struct store *d, const char *token, long long now, struct user *u)
{
	char key[USERS_TOKEN_LEN + 1], t[24];
	const char *v[2] = { key, t };

	memset(u, 0, sizeof(*u));
	if (token == NULL || strlen(token) != USERS_TOKEN_LEN)
		return 0;
	token_key(token, key);
	snprintf(t, sizeof(t), "%lld", now);
	if (store_query(d, "SELECT s.name, u.role, s.csrf, s.expires FROM sessions s JOIN users u ON u.name = s.name "
	    "WHERE s.token = $1 AND s.expires > $2", 2, v, session_cb, u) < 0)
		return -1;
	return u->name[0] ? 1 : 0;
}

int
users_session_end(struct store *d, const char *token)
{
	char key[USERS_TOKEN_LEN + 1];
	const char *v[1] = { key };

	if (token == NULL)
		return 0;
	token_key(token, key);
	return store_exec(d, "DELETE FROM sessions WHERE token = $1", 1, v);
}

int
users_failures(struct store *d, const char *name, const char *addr, long long now, long long window)
{
	char wn[96], wa[96], t[24];
	const char *v[2] = { wn, t };
	long long a = 0, b = 0;

	snprintf(wn, sizeof(wn), "name:%.80s", name);
	snprintf(wa, sizeof(wa), "addr:%.80s", addr);
	snprintf(t, sizeof(t), "%lld", now - window);
	if (store_query(d, "SELECT count(*) FROM login_failures WHERE who = $1 AND t > $2", 2, v, count_cb, &a) < 0)
		return -1;
	v[0] = wa;
	if (store_query(d, "SELECT count(*) FROM login_failures WHERE who = $1 AND t > $2", 2, v, count_cb, &b) < 0)
		return -1;
	return (int)(a > b ? a : b);
}

int
users_failed(struct store *d, const char *name, const char *addr, long long now)
{
	char wn[96], wa[96], t[24], old[24];
	const char *v[3] = { wn, t, wa };

	snprintf(wn, sizeof(wn), "name:%.80s", name);
	snprintf(wa, sizeof(wa), "addr:%.80s", addr);
	snprintf(t, sizeof(t), "%lld", now);
	snprintf(old, sizeof(old), "%lld", now - 86400);
	store_exec(d, "DELETE FROM login_failures WHERE t < $1", 1, (const char *const[]){ old });
	return store_exec(d, "INSERT INTO login_failures (who, t) VALUES ($1, $2), ($3, $2)", 3, v);
}

int
users_succeeded(struct store *d, const char *name)
{
	char wn[96];
	const char *v[1] = { wn };

	snprintf(wn, sizeof(wn), "name:%.80s", name);
	return store_exec(d, "DELETE FROM login_failures WHERE who = $1", 1, v);
}

int
users_audit(struct store *d, long long now, const char *who, const char *what, const char *addr)
{
	char t[24];
	const char *v[4] = { t, who, what, addr };

	snprintf(t, sizeof(t), "%lld", now);
	return store_exec(d, "INSERT INTO audit (t, who, what, addr) VALUES ($1, $2, $3, $4)", 4, v);
}

int
users_may_see(struct store *d, const struct user *u, const char *site)
{
	const char *v[2] = { u->name, site };
	long long n = 0;

	if (u->role != ROLE_OPERATOR)
		return 1;
	if (store_query(d, "SELECT count(*) FROM user_communes WHERE name = $1 AND commune = $2", 2, v, count_cb, &n) < 0)
		return -1;
	return n > 0;
}

struct list {
	char	*out;
	size_t	 len, used;
};

static int
list_cb(void *arg, int n, const char *const *v)
{
	struct list *l = arg;
	int w;

	if (n < 1 || v[0] == NULL)
		return 0;
	w = snprintf(l->out + l->used, l->len - l->used, "%s%s", l->used ? "," : "", v[0]);
	if (w < 0 || (size_t)w >= l->len - l->used)
		return -1;
	l->used += (size_t)w;
	return 0;
}

int
users_communes(struct store *d, const struct user *u, char *out, size_t len)
{
	struct list l = { out, len, 0 };
	const char *v[1] = { u->name };

	out[0] = '\0';
	if (u->role != ROLE_OPERATOR)
		return 0;
	return store_query(d, "SELECT commune FROM user_communes WHERE name = $1 ORDER BY commune", 1, v, list_cb, &l) < 0
	    ? -1 : 0;
}
