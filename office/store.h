/*
 * store: the office's fleet database, written by `loaxa collect`, read by
 * `loaxa report --db` and `loaxa fleet status`. Two backends behind one
 * small ops table: PostgreSQL (libpq; "postgresql://..." or "postgres://...")
 * and SQLite (libsqlite3; "sqlite:PATH", for a small province).
 *
 * Schema (made when missing):
 *   boards  (site PK, province, seq, head, epoch, first_epoch, last_seal,
 *            seal_key, fault_seq, fault, macs, duplicates, last_record,
 *            status_time, status)
 *           seq: records 1..seq are stored, gapless; head: record seq's
 *           line hash; epoch..seal_key: the chain check's state
 *           (scheduler/airlog.h airlog_chain); fault: the first fault
 *           found (fault_seq the record), "" while the log verifies
 *   records (site, seq, type, ts, line, received), PK (site, seq): every
 *           record once, the line exactly as the board wrote it
 *
 * Writes happen inside store_begin/store_commit; records are added in seq order
 * per site (the collector verifies before it adds). 0 / -1 with a message.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_board {
	char		 site[64], province[64];
	long long	 seq;
	char		 head[65];
	int32_t		 epoch, first_epoch;
	int		 last_seal;
	char		 seal_key[64];
	long long	 fault_seq;
	char		 fault[512];
	int		 macs;		/* every record's MAC was checked (a seed was given from the first) */
	long long	 duplicates;
	long long	 last_record;	/* unix time */
	long long	 status_time;
	char		*status;	/* JSON, malloc'd (store_boards), or NULL */
};

struct store	*store_open(const char *url, char *err, size_t errlen);
void		 store_close(struct store *);
const char	*store_error(const struct store *);

/* every board, sorted by site; cb's board is the callee's until it returns; count or -1 */
int	store_boards(struct store *, int (*cb)(void *, const struct store_board *), void *);

int	store_begin(struct store *);
int	store_add_record(struct store *, const char *site, long long seq, const char *type, const char *ts,
	    const char *line, size_t len, long long received);
/*
 * n boards' rows (inserted or replaced, each site once); status and
 * status_time only where status is not NULL. PostgreSQL: one statement for
 * up to 1000 boards, not a round trip each.
 */
int	store_put_boards(struct store *, const struct store_board *const *, int n);
int	store_commit(struct store *);
void	store_rollback(struct store *);

/*
 * the stored lines of n (site, seq) pairs, each found one to cb (in no
 * order; cb returns 0 to go on): PostgreSQL asks for up to 1000 in one
 * statement. 0 or -1.
 */
int	store_lines(struct store *, int n, const char *const *sites, const long long *seqs,
	    int (*cb)(void *, const char *site, long long seq, const char *line, size_t len), void *);
/* a site's records in seq order */
int	store_records(struct store *, const char *site, int (*cb)(void *, long long seq, const char *line, size_t len),
	    void *);
/* the same, only records whose ts (local time, ISO 8601) is not before since ("YYYY-MM-DD") */
int	store_records_since(struct store *, const char *site, const char *since, int (*cb)(void *, long long seq,
	    const char *line, size_t len), void *);

/*
 * Other tables (the console's: office/users.h) through the same handle. sql
 * is one statement with parameters $1..$n, numbered in the order they first
 * appear (SQLite binds them by position); every value is text (NULL is SQL
 * NULL) and every column comes back as text, NULL as NULL. Never build sql
 * from what a person typed: pass it as a value.
 */
int	store_is_pg(const struct store *);
/* a statement without rows: 0 or -1 */
int	store_exec(struct store *, const char *sql, int n, const char *const *vals);
/* each row to cb (its values are the callee's until it returns; cb returns 0 to go on, 1 to stop, -1 error); rows or -1 */
int	store_query(struct store *, const char *sql, int n, const char *const *vals,
	    int (*cb)(void *, int ncol, const char *const *cols), void *);

#endif
