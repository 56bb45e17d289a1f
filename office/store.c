/*
 * store: see store.h. PostgreSQL takes the records of a transaction in one COPY
 * (the collector's throughput); SQLite one prepared INSERT each.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office/store.h"

static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS boards (site TEXT PRIMARY KEY, province TEXT NOT NULL DEFAULT '', "
	"seq BIGINT NOT NULL DEFAULT 0, head TEXT NOT NULL DEFAULT '', epoch INTEGER NOT NULL DEFAULT 0, "
	"first_epoch INTEGER NOT NULL DEFAULT 0, last_seal INTEGER NOT NULL DEFAULT 0, "
	"seal_key TEXT NOT NULL DEFAULT '', fault_seq BIGINT NOT NULL DEFAULT 0, fault TEXT NOT NULL DEFAULT '', "
	"macs INTEGER NOT NULL DEFAULT 0, duplicates BIGINT NOT NULL DEFAULT 0, "
	"last_record BIGINT NOT NULL DEFAULT 0, status_time BIGINT NOT NULL DEFAULT 0, status TEXT)",
	"CREATE TABLE IF NOT EXISTS records (site TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, "
	"ts TEXT NOT NULL, line TEXT NOT NULL, received BIGINT NOT NULL, PRIMARY KEY (site, seq))",
	NULL
};

#define BOARD_COLS "site, province, seq, head, epoch, first_epoch, last_seal, seal_key, fault_seq, fault, macs, " \
	"duplicates, last_record, status_time, status"

struct row {
	char		*site, *type, *ts, *line;
	size_t		 len;
	long long	 seq, received;
};

struct store {
	int		 pg;
	PGconn		*c;
	sqlite3		*s;
	sqlite3_stmt	*ins;
	char		 err[512];
	struct row	*rows;		/* PostgreSQL: the transaction's records, COPYed at commit */
	int		 nrows, caprows;
};

const char *
store_error(const struct store *d)
{
	return d->err;
}

static int
pg_ok(struct store *d, PGresult *r, const char *what)
{
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) {
		PQclear(r);
		return 0;
	}
	snprintf(d->err, sizeof(d->err), "%s: %s", what, PQresultErrorMessage(r));
	d->err[strcspn(d->err, "\n")] = '\0';
	PQclear(r);
	return -1;
}

static int
sq_exec(struct store *d, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(d->s, sql, NULL, NULL, &e) == SQLITE_OK)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s", e ? e : sqlite3_errmsg(d->s));
	sqlite3_free(e);
	return -1;
}

static int
exec(struct store *d, const char *sql)
{
	return d->pg ? pg_ok(d, PQexec(d->c, sql), sql) : sq_exec(d, sql);
}

struct store *
store_open(const char *url, char *err, size_t errlen)
{
	struct store *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		d->pg = 1;
		d->c = PQconnectdb(url);
		if (PQstatus(d->c) != CONNECTION_OK) {
			snprintf(err, errlen, "%s", PQerrorMessage(d->c));
			err[strcspn(err, "\n")] = '\0';
			store_close(d);
			return NULL;
		}
		PQclear(PQexec(d->c, "SET client_min_messages = warning"));
	} else if (strncmp(url, "sqlite:", 7) == 0) {
		if (sqlite3_open(url + 7, &d->s) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", url + 7, sqlite3_errmsg(d->s));
			store_close(d);
			return NULL;
		}
		sqlite3_busy_timeout(d->s, 10000);
		sq_exec(d, "PRAGMA journal_mode = WAL");
		sq_exec(d, "PRAGMA synchronous = FULL");
	} else {
		snprintf(err, errlen, "\"%s\" is not a database (postgresql://USER@HOST:PORT/DB or sqlite:PATH)", url);
		free(d);
		return NULL;
	}
	for (int i = 0; schema[i]; i++)
		if (exec(d, schema[i]) < 0) {
			snprintf(err, errlen, "%s", d->err);
			store_close(d);
			return NULL;
		}
	if (!d->pg && sqlite3_prepare_v2(d->s, "INSERT INTO records (site, seq, type, ts, line, received) VALUES "
	    "(?, ?, ?, ?, ?, ?)", -1, &d->ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(d->s));
		store_close(d);
		return NULL;
	}
	return d;
}

static void
free_rows(struct store *d)
{
	for (int i = 0; i < d->nrows; i++) {
		free(d->rows[i].site);
		free(d->rows[i].type);
		free(d->rows[i].ts);
		free(d->rows[i].line);
	}
	d->nrows = 0;
}

void
store_close(struct store *d)
{
	if (d == NULL)
		return;
	free_rows(d);
	free(d->rows);
	if (d->ins)
		sqlite3_finalize(d->ins);
	if (d->s)
		sqlite3_close(d->s);
	if (d->c)
		PQfinish(d->c);
	free(d);
}

static void
copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static void
fill_board(struct store_board *b, const char *const *v)
{
	memset(b, 0, sizeof(*b));
	copy_str(b->site, sizeof(b->site), v[0]);
	copy_str(b->province, sizeof(b->province), v[1]);
	b->seq = v[2] ? atoll(v[2]) : 0;
	copy_str(b->head, sizeof(b->head), v[3]);
	b->epoch = v[4] ? atoi(v[4]) : 0;
	b->first_epoch = v[5] ? atoi(v[5]) : 0;
	b->last_seal = v[6] ? atoi(v[6]) : 0;
	copy_str(b->seal_key, sizeof(b->seal_key), v[7]);
	b->fault_seq = v[8] ? atoll(v[8]) : 0;
	copy_str(b->fault, sizeof(b->fault), v[9]);
	b->macs = v[10] ? atoi(v[10]) : 0;
	b->duplicates = v[11] ? atoll(v[11]) : 0;
	b->last_record = v[12] ? atoll(v[12]) : 0;
	b->status_time = v[13] ? atoll(v[13]) : 0;
	b->status = v[14] ? strdup(v[14]) : NULL;
}

int
store_boards(struct store *d, int (*cb)(void *, const struct store_board *), void *arg)
{
	static const char sql[] = "SELECT " BOARD_COLS " FROM boards ORDER BY site";
	struct store_board b;
	const char *v[15];
	int n = 0, rc = 0;

	if (d->pg) {
		PGresult *r = PQexec(d->c, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return pg_ok(d, r, "boards");
		for (int i = 0; i < PQntuples(r) && rc == 0; i++, n++) {
			for (int k = 0; k < 15; k++)
				v[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
			fill_board(&b, v);
			rc = cb(arg, &b);
			free(b.status);
		}
		PQclear(r);
	} else {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(d->s, sql, -1, &st, NULL) != SQLITE_OK) {
			snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->s));
			return -1;
		}
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			for (int k = 0; k < 15; k++)
				v[k] = (const char *)sqlite3_column_text(st, k);
			fill_board(&b, v);
			rc = cb(arg, &b);
			free(b.status);
			n++;
		}
		sqlite3_finalize(st);
	}
	return rc < 0 ? -1 : n;
}

int
store_begin(struct store *d)
{
	free_rows(d);
	return exec(d, "BEGIN");
}

int
store_add_record(struct store *d, const char *site, long long seq, const char *type, const char *ts, const char *line,
    size_t len, long long received)
{
	if (!d->pg) {
		sqlite3_reset(d->ins);
		sqlite3_bind_text(d->ins, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_int64(d->ins, 2, seq);
		sqlite3_bind_text(d->ins, 3, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(d->ins, 4, ts, -1, SQLITE_STATIC);
		sqlite3_bind_text(d->ins, 5, line, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(d->ins, 6, received);
		if (sqlite3_step(d->ins) != SQLITE_DONE) {
			snprintf(d->err, sizeof(d->err), "records: %s", sqlite3_errmsg(d->s));
			return -1;
		}
		return 0;
	}
	if (d->nrows == d->caprows) {
		int cap = d->caprows ? d->caprows * 2 : 256;
		struct row *n = realloc(d->rows, (size_t)cap * sizeof(*n));
		if (n == NULL)
			return -1;
		d->rows = n;
		d->caprows = cap;
	}
	d->rows[d->nrows] = (struct row){ strdup(site), strdup(type), strdup(ts), strndup(line, len), len, seq, received };
	d->nrows++;
	return 0;
}

/* COPY's text format: backslash, tab, newline and CR escaped */
static void
copy_field(char **p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
			*(*p)++ = '\\';
			ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
		}
		*(*p)++ = ch;
	}
}

static int
pg_copy(struct store *d)
{
	size_t cap = 0;
	char *buf, *p;
	PGresult *r;

	if (d->nrows == 0)
		return 0;
	for (int i = 0; i < d->nrows; i++)
		cap += 2 * (strlen(d->rows[i].site) + strlen(d->rows[i].type) + strlen(d->rows[i].ts) + d->rows[i].len) + 64;
	if ((buf = malloc(cap)) == NULL)
		return -1;
	p = buf;
	for (int i = 0; i < d->nrows; i++) {
		const struct row *w = &d->rows[i];
		copy_field(&p, w->site, strlen(w->site));
		p += sprintf(p, "\t%lld\t", w->seq);
		copy_field(&p, w->type, strlen(w->type));
		*p++ = '\t';
		copy_field(&p, w->ts, strlen(w->ts));
		*p++ = '\t';
		copy_field(&p, w->line, w->len);
		p += sprintf(p, "\t%lld\n", w->received);
	}
	if (pg_ok(d, PQexec(d->c, "COPY records (site, seq, type, ts, line, received) FROM STDIN"), "COPY") < 0 ||
	    PQputCopyData(d->c, buf, (int)(p - buf)) != 1 || PQputCopyEnd(d->c, NULL) != 1) {
		if (d->err[0] == '\0')
			snprintf(d->err, sizeof(d->err), "COPY: %s", PQerrorMessage(d->c));
		free(buf);
		return -1;
	}
	free(buf);
	while ((r = PQgetResult(d->c)) != NULL)
		if (pg_ok(d, r, "COPY records") < 0) {
			while ((r = PQgetResult(d->c)) != NULL)
				PQclear(r);
			return -1;
		}
	free_rows(d);
	return 0;
}

/*
 * Boards in one statement a chunk (PostgreSQL: one round trip for a
 * transaction's boards, not one each; SQLite: one prepared statement).
 * ON CONFLICT cannot touch a row twice in one statement: each site once.
 */
#define BOARD_PARAMS 15
#define BOARDS_CHUNK 1000

static char *
boards_sql(int n)
{
	static const char head[] = "INSERT INTO boards (" BOARD_COLS ") VALUES ";
	static const char tail[] = " ON CONFLICT (site) DO UPDATE SET province = excluded.province, seq = excluded.seq, "
	    "head = excluded.head, epoch = excluded.epoch, first_epoch = excluded.first_epoch, last_seal = "
	    "excluded.last_seal, seal_key = excluded.seal_key, fault_seq = excluded.fault_seq, fault = excluded.fault, "
	    "macs = excluded.macs, duplicates = excluded.duplicates, last_record = excluded.last_record, "
	    "status_time = CASE WHEN excluded.status IS NULL THEN boards.status_time ELSE excluded.status_time END, "
	    "status = COALESCE(excluded.status, boards.status)";
	size_t cap = sizeof(head) + sizeof(tail) + (size_t)n * BOARD_PARAMS * 8 + 16;
	char *sql = malloc(cap), *p;

	if (sql == NULL)
		return NULL;
	p = sql + sprintf(sql, "%s", head);
	for (int i = 0; i < n; i++) {
		p += sprintf(p, "%s(", i ? "," : "");
		for (int k = 0; k < BOARD_PARAMS; k++)
			p += sprintf(p, "%s$%d", k ? "," : "", i * BOARD_PARAMS + k + 1);
		*p++ = ')';
	}
	strcpy(p, tail);
	return sql;
}

/* a board's values as text; n its numbers' room */
static void
board_values(const struct store_board *b, const char **v, char n[9][24])
{
	snprintf(n[0], 24, "%lld", b->seq);
	snprintf(n[1], 24, "%d", (int)b->epoch);
	snprintf(n[2], 24, "%d", (int)b->first_epoch);
	snprintf(n[3], 24, "%d", b->last_seal);
	snprintf(n[4], 24, "%lld", b->fault_seq);
	snprintf(n[5], 24, "%d", b->macs);
	snprintf(n[6], 24, "%lld", b->duplicates);
	snprintf(n[7], 24, "%lld", b->last_record);
	snprintf(n[8], 24, "%lld", b->status_time);
	v[0] = b->site; v[1] = b->province; v[2] = n[0]; v[3] = b->head; v[4] = n[1]; v[5] = n[2]; v[6] = n[3];
	v[7] = b->seal_key; v[8] = n[4]; v[9] = b->fault; v[10] = n[5]; v[11] = n[6]; v[12] = n[7];
	v[13] = n[8]; v[14] = b->status;
}

static int
pg_put_boards(struct store *d, const struct store_board *const *bs, int n)
{
	const char **v = malloc((size_t)n * BOARD_PARAMS * sizeof(*v));
	char (*num)[9][24] = malloc((size_t)n * sizeof(*num));
	char *sql = boards_sql(n);
	int rc = -1;

	if (v && num && sql) {
		for (int i = 0; i < n; i++)
			board_values(bs[i], v + i * BOARD_PARAMS, num[i]);
		rc = pg_ok(d, PQexecParams(d->c, sql, n * BOARD_PARAMS, NULL, v, NULL, NULL, 0), "boards");
	} else
		snprintf(d->err, sizeof(d->err), "boards: %s", strerror(ENOMEM));
	free(v);
	free(num);
	free(sql);
	return rc;
}

int
store_put_boards(struct store *d, const struct store_board *const *bs, int n)
{
	sqlite3_stmt *st;
	char *sql;
	int rc = 0;

	if (d->pg) {
		for (int i = 0; i < n && rc == 0; i += BOARDS_CHUNK)
			rc = pg_put_boards(d, bs + i, n - i < BOARDS_CHUNK ? n - i : BOARDS_CHUNK);
		return rc;
	}
	if (n == 0)
		return 0;
	if ((sql = boards_sql(1)) == NULL || sqlite3_prepare_v2(d->s, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(d->err, sizeof(d->err), "boards: %s", sql ? sqlite3_errmsg(d->s) : strerror(ENOMEM));
		free(sql);
		return -1;
	}
	free(sql);
	for (int i = 0; i < n && rc == 0; i++) {
		const char *v[BOARD_PARAMS];
		char num[9][24];
		board_values(bs[i], v, num);
		sqlite3_reset(st);
		for (int k = 0; k < BOARD_PARAMS; k++)
			sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			snprintf(d->err, sizeof(d->err), "boards: %s", sqlite3_errmsg(d->s));
			rc = -1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_commit(struct store *d)
{
	if (d->pg && pg_copy(d) < 0) {
		store_rollback(d);
		return -1;
	}
	return exec(d, "COMMIT");
}

void
store_rollback(struct store *d)
{
	char keep[sizeof(d->err)];

	memcpy(keep, d->err, sizeof(keep));
	free_rows(d);
	exec(d, "ROLLBACK");
	memcpy(d->err, keep, sizeof(keep));
}

/* up to 1000 (site, seq) pairs a statement: one round trip for a batch's repeats, not one each */
#define LINES_CHUNK 1000

static int
pg_lines(struct store *d, int n, const char *const *sites, const long long *seqs,
    int (*cb)(void *, const char *, long long, const char *, size_t), void *arg)
{
	const char **v = malloc((size_t)n * 2 * sizeof(*v));
	char (*num)[24] = malloc((size_t)n * sizeof(*num));
	char *sql = malloc((size_t)n * 32 + 128), *p;
	PGresult *r = NULL;
	int rc = -1;

	if (v == NULL || num == NULL || sql == NULL) {
		snprintf(d->err, sizeof(d->err), "records: %s", strerror(ENOMEM));
		goto out;
	}
	p = sql + sprintf(sql, "SELECT site, seq, line FROM records WHERE (site, seq) IN (");
	for (int i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", seqs[i]);
		v[2 * i] = sites[i];
		v[2 * i + 1] = num[i];
		p += sprintf(p, "%s($%d, $%d::bigint)", i ? "," : "", 2 * i + 1, 2 * i + 2);
	}
	strcpy(p, ")");
	r = PQexecParams(d->c, sql, 2 * n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pg_ok(d, r, "records");
		r = NULL;
		goto out;
	}
	rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = cb(arg, PQgetvalue(r, i, 0), atoll(PQgetvalue(r, i, 1)), PQgetvalue(r, i, 2),
		    (size_t)PQgetlength(r, i, 2));
out:
	PQclear(r);
	free(v);
	free(num);
	free(sql);
	return rc < 0 ? -1 : 0;
}

int
store_lines(struct store *d, int n, const char *const *sites, const long long *seqs,
    int (*cb)(void *, const char *site, long long seq, const char *line, size_t len), void *arg)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (d->pg) {
		for (int i = 0; i < n && rc == 0; i += LINES_CHUNK)
			rc = pg_lines(d, n - i < LINES_CHUNK ? n - i : LINES_CHUNK, sites + i, seqs + i, cb, arg);
		return rc;
	}
	if (n == 0)
		return 0;
	if (sqlite3_prepare_v2(d->s, "SELECT line FROM records WHERE site = ? AND seq = ?", -1, &st, NULL) != SQLITE_OK) {
		snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->s));
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, sites[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seqs[i]);
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = cb(arg, sites[i], seqs[i], (const char *)sqlite3_column_text(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

int
store_records(struct store *d, const char *site, int (*cb)(void *, long long, const char *, size_t), void *arg)
{
	return store_records_since(d, site, NULL, cb, arg);
}

int
store_records_since(struct store *d, const char *site, const char *since, int (*cb)(void *, long long, const char *,
    size_t), void *arg)
{
	int rc = 0;

	if (d->pg) {
		/* a cursor: a commune's six months are 10,000 lines, a province's far more */
		const char *v[2] = { site, since ? since : "" };
		PGresult *r;
		if (exec(d, "BEGIN") < 0 || pg_ok(d, PQexecParams(d->c, "DECLARE rc NO SCROLL CURSOR FOR SELECT seq, line "
		    "FROM records WHERE site = $1 AND ts >= $2 ORDER BY seq", 2, NULL, v, NULL, NULL, 0), "records") < 0)
			return -1;
		for (;;) {
			int n;
			r = PQexec(d->c, "FETCH 5000 FROM rc");
			if (PQresultStatus(r) != PGRES_TUPLES_OK) {
				rc = pg_ok(d, r, "FETCH");
				break;
			}
			if ((n = PQntuples(r)) == 0) {
				PQclear(r);
				break;
			}
			for (int i = 0; i < n && rc == 0; i++)
				rc = cb(arg, atoll(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
			PQclear(r);
			if (rc)
				break;
		}
		exec(d, "COMMIT");
		return rc < 0 ? -1 : 0;
	}
	{
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(d->s, "SELECT seq, line FROM records WHERE site = ? AND ts >= ? ORDER BY seq", -1,
		    &st, NULL) != SQLITE_OK) {
			snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->s));
			return -1;
		}
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, since ? since : "", -1, SQLITE_STATIC);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
			rc = cb(arg, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1));
		sqlite3_finalize(st);
		return rc < 0 ? -1 : 0;
	}
}

int
store_is_pg(const struct store *d)
{
	return d->pg;
}

int
store_exec(struct store *d, const char *sql, int n, const char *const *vals)
{
	return store_query(d, sql, n, vals, NULL, NULL) < 0 ? -1 : 0;
}

int
store_query(struct store *d, const char *sql, int n, const char *const *vals, int (*cb)(void *, int, const char *const *),
    void *arg)
{
	const char *v[32];
	int rows = 0, rc = 0;

	if (d->pg) {
		PGresult *r = PQexecParams(d->c, sql, n, NULL, vals, NULL, NULL, 0);
		int nc;
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return pg_ok(d, r, "query") < 0 ? -1 : 0;
		nc = PQnfields(r) < 32 ? PQnfields(r) : 32;
		for (int i = 0; i < PQntuples(r) && rc == 0; i++, rows++) {
			for (int k = 0; k < nc; k++)
				v[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
			rc = cb ? cb(arg, nc, v) : 0;
		}
		PQclear(r);
	} else {
		sqlite3_stmt *st;
		int nc, step = SQLITE_DONE;
		if (sqlite3_prepare_v2(d->s, sql, -1, &st, NULL) != SQLITE_OK) {
			snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->s));
			return -1;
		}
		for (int i = 0; i < n; i++)
			sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_STATIC);
		nc = sqlite3_column_count(st) < 32 ? sqlite3_column_count(st) : 32;
		while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
			for (int k = 0; k < nc; k++)
				v[k] = (const char *)sqlite3_column_text(st, k);
			rc = cb ? cb(arg, nc, v) : 0;
			rows++;
		}
		if (rc == 0 && step != SQLITE_DONE) {
			snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->s));
			rc = -1;
		}
		sqlite3_finalize(st);
	}
	return rc < 0 ? -1 : rows;
}
