/*
 * store (office/store.h): boards written many a statement, records by COPY
 * (PostgreSQL) or one INSERT each (SQLite), all or nothing per transaction.
 * SQLite in a temp file by default; `test_store postgresql://...` runs the
 * same on PostgreSQL (tests/cli/fleet-store-pg.sh starts one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "office/store.h"
#include "tests/unit/tap.h"

#define NB 2345		/* more than one chunk of boards (1000) */

static char url[512];
static struct store *db;

struct seen {
	int		 n;
	long long	 seqsum;
	int		 with_status, status_ok, fault_ok;
};

static int
look(void *arg, const struct store_board *b)
{
	struct seen *s = arg;
	int i = atoi(b->site + 5);	/* "site-N" */

	s->n++;
	s->seqsum += b->seq;
	if (b->status) {
		char want[64];
		snprintf(want, sizeof(want), "{\"n\":%d}", i);
		s->with_status++;
		s->status_ok += strcmp(b->status, want) == 0 && b->status_time == 1000 + i;
	}
	s->fault_ok += strcmp(b->fault, i == 7 ? "record 3: a tab\there, a quote ' \" and a \\ $1" : "") == 0;
	return 0;
}

static void
fill(struct store_board *b, int i, long long seq, int with_status)
{
	static char st[NB][32];

	memset(b, 0, sizeof(*b));
	snprintf(b->site, sizeof(b->site), "site-%d", i);
	snprintf(b->province, sizeof(b->province), "cao-bang");
	b->seq = seq;
	memset(b->head, 'a', 64);
	if (i == 7)
		snprintf(b->fault, sizeof(b->fault), "record 3: a tab\there, a quote ' \" and a \\ $1");
	if (with_status) {
		snprintf(st[i], sizeof(st[i]), "{\"n\":%d}", i);
		b->status = st[i];
		b->status_time = 1000 + i;
	}
}

static int
put_all(long long seq, int status_every, int commit)
{
	static struct store_board b[NB];
	const struct store_board *p[NB];
	int rc;

	for (int i = 0; i < NB; i++) {
		fill(&b[i], i, seq + i, status_every && i % status_every == 0);
		p[i] = &b[i];
	}
	if (store_begin(db) < 0)
		return -1;
	if ((rc = store_put_boards(db, p, NB)) < 0)
		printf("# %s\n", store_error(db));
	if (rc < 0 || !commit) {
		store_rollback(db);
		return rc;
	}
	return store_commit(db);
}

static struct seen
seen_now(void)
{
	struct seen s = { 0 };

	EXPECT_INT(store_boards(db, look, &s), NB);
	return s;
}

static void
boards_are_written_in_chunks_and_read_back(void)
{
	struct seen s;

	EXPECT_INT(put_all(10, 2, 1), 0);
	s = seen_now();
	EXPECT_INT(s.n, NB);
	EXPECT_INT(s.seqsum, 10LL * NB + (long long)NB * (NB - 1) / 2);
	EXPECT_INT(s.with_status, (NB + 1) / 2);
	EXPECT_INT(s.status_ok, (NB + 1) / 2);
	EXPECT_INT(s.fault_ok, NB);
}

static void
a_board_without_a_status_keeps_the_stored_one(void)
{
	struct seen s;

	EXPECT_INT(put_all(20, 0, 1), 0);
	s = seen_now();
	EXPECT_INT(s.seqsum, 20LL * NB + (long long)NB * (NB - 1) / 2);
	EXPECT_INT(s.with_status, (NB + 1) / 2);
	EXPECT_INT(s.status_ok, (NB + 1) / 2);
}

static void
a_rolled_back_transaction_leaves_nothing(void)
{
	struct seen s;

	EXPECT_INT(put_all(99, 1, 0), 0);
	s = seen_now();
	EXPECT_INT(s.seqsum, 20LL * NB + (long long)NB * (NB - 1) / 2);
	EXPECT_INT(s.with_status, (NB + 1) / 2);
}

static int
count(void *arg, long long seq, const char *line, size_t len)
{
	int *n = arg;

	(void)line;
	(void)len;
	*n += seq == *n + 1;
	return 0;
}

static void
records_go_in_with_the_boards_or_not_at_all(void)
{
	int n = 0, rc;

	EXPECT_INT(store_begin(db), 0);
	for (int i = 1; i <= 300; i++) {
		char line[128];
		int len = snprintf(line, sizeof(line), "{\"seq\":%d,\"ts\":\"2026-12-01T06:00:00+07:00\",\"x\":\"a\\tb\"}", i);
		EXPECT_INT(store_add_record(db, "site-1", i, "airing", "2026-12-01T06:00:00+07:00", line, (size_t)len, 1), 0);
	}
	EXPECT_INT(store_commit(db), 0);
	EXPECT_INT(store_records(db, "site-1", count, &n), 0);
	EXPECT_INT(n, 300);
	/* the same (site, seq) again: the transaction fails whole */
	EXPECT_INT(store_begin(db), 0);
	rc = store_add_record(db, "site-2", 1, "airing", "2026-12-01", "{}", 2, 1);
	if (rc == 0)	/* SQLite refuses it here, PostgreSQL at the COPY */
		rc = store_add_record(db, "site-1", 300, "airing", "2026-12-01", "{}", 2, 1);
	if (rc == 0)
		rc = store_commit(db);	/* rolls back when it fails */
	else
		store_rollback(db);
	EXPECT(rc < 0);
	n = 0;
	EXPECT_INT(store_records(db, "site-2", count, &n), 0);
	EXPECT_INT(n, 0);
}

static int
found(void *arg, const char *site, long long seq, const char *line, size_t len)
{
	int *n = arg;
	char want[128];

	snprintf(want, sizeof(want), "{\"seq\":%lld,\"ts\":\"2026-12-01T06:00:00+07:00\",\"x\":\"a\\tb\"}", seq);
	*n += strcmp(site, "site-1") == 0 && (seq == 5 || seq == 300) && strlen(want) == len && memcmp(line, want, len) == 0;
	*n += 100 * (seq != 5 && seq != 300);
	return 0;
}

static void
stored_lines_are_found_by_site_and_seq(void)
{
	static const char *sites[2500];
	static long long seqs[2500];
	int n = 0;

	/* 2500 pairs (three chunks on PostgreSQL), two of them stored */
	for (int i = 0; i < 2500; i++) {
		sites[i] = i % 2 ? "site-2" : "site-1";
		seqs[i] = 1000 + i;
	}
	seqs[600] = 5;
	seqs[2400] = 300;
	sites[7] = "site-1'; --";
	seqs[7] = 1;
	EXPECT_INT(store_lines(db, 2500, sites, seqs, found, &n), 0);
	EXPECT_INT(n, 2);
}

int
main(int argc, char **argv)
{
	char err[512], path[64] = "";

	if (argc > 1)
		snprintf(url, sizeof(url), "%s", argv[1]);
	else {
		snprintf(path, sizeof(path), "/tmp/test_store.XXXXXX");
		close(mkstemp(path));
		snprintf(url, sizeof(url), "sqlite:%s", path);
	}
	if ((db = store_open(url, err, sizeof(err))) == NULL) {
		printf("not ok - store_open %s: %s\n", url, err);
		return 1;
	}
	tap_plan(5);
	TEST(boards_are_written_in_chunks_and_read_back);
	TEST(a_board_without_a_status_keeps_the_stored_one);
	TEST(a_rolled_back_transaction_leaves_nothing);
	TEST(records_go_in_with_the_boards_or_not_at_all);
	TEST(stored_lines_are_found_by_site_and_seq);
	store_close(db);
	if (path[0]) {
		char side[96];
		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	return tap_done();
}
