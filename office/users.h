/*
 * users: the console's accounts, sessions, failed logins and audit trail,
 * in the fleet database (office/store.h) beside the boards.
 *
 * Tables (made by users_schema when missing):
 *   users          (name PK, role, hash, created): hash is libsodium's
 *                  crypto_pwhash_str (Argon2id), never the password
 *   user_communes  (name, commune): the sites an operator may see; the
 *                  console joins it in its SQL, so a board outside the list
 *                  is never read for that user
 *   sessions       (token PK, name, csrf, created, expires, addr): token is
 *                  the BLAKE2b hash of the cookie's value, so a copy of the
 *                  database opens no session
 *   login_failures (who, t): who is "name:NAME" or "addr:ADDRESS"
 *   audit          (id, t, who, what, addr): append-only; nothing here
 *                  updates or deletes it, and a trigger refuses both
 *
 * Times are unix seconds. Functions return 0 / -1 (or 1 / 0 / -1 where
 * said) with a message in err or store_error().
 */
#ifndef USERS_H
#define USERS_H

#include <stddef.h>

struct store;

enum user_role { ROLE_ADMIN, ROLE_EDITOR, ROLE_OPERATOR, ROLE_AUDITOR };

#define USERS_TOKEN_LEN	64	/* hex characters of a session token or CSRF token */

struct user {
	char		 name[64];
	enum user_role	 role;
	char		 csrf[USERS_TOKEN_LEN + 1];
	long long	 expires;
};

int	users_schema(struct store *, char *err, size_t errlen);
/* "admin" ... "auditor" to a role: 0, or -1 for another word */
int	users_role(const char *word, enum user_role *);
const char *users_role_name(enum user_role);
/* a name the console accepts: 1..63 of [a-z0-9._-], starting with a letter or digit */
int	users_name_ok(const char *name);

/* a new account (an existing name: refused, the message says so) */
int	users_add(struct store *, const char *name, enum user_role, const char *const *communes, int ncommunes,
	    const char *password, long long now, char *err, size_t errlen);
/* 1 the password is the account's (u filled), 0 not (or no such account), -1; as slow for an unknown name */
int	users_login(struct store *, const char *name, const char *password, struct user *u);

/* a random token in hex (USERS_TOKEN_LEN characters and a NUL) */
void	users_token(char out[USERS_TOKEN_LEN + 1]);
/* a session for u: its cookie value in token, its CSRF token in u->csrf */
int	users_session_new(struct store *, struct user *u, long long now, long long ttl, const char *addr,
	    char token[USERS_TOKEN_LEN + 1]);
/* 1 the cookie opens a session that has not expired (u filled), 0 not, -1 */
int	users_session_get(struct store *, const char *token, long long now, struct user *u);
int	users_session_end(struct store *, const char *token);

/* failed logins in the last window seconds, the larger of the name's and the address's */
int	users_failures(struct store *, const char *name, const char *addr, long long now, long long window);
int	users_failed(struct store *, const char *name, const char *addr, long long now);
int	users_succeeded(struct store *, const char *name);

/* one line of the audit trail */
int	users_audit(struct store *, long long now, const char *who, const char *what, const char *addr);

/* 1 u may see the board of site (an operator only their communes), 0 not, -1 */
int	users_may_see(struct store *, const struct user *u, const char *site);
/* u's communes, comma-separated, into out (operators); "" for the others */
int	users_communes(struct store *, const struct user *u, char *out, size_t len);

#endif
