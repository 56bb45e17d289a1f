/*
 * airlog: the tamper-evident airing log (DESIGN.md "The airing log").
 *
 * On disk, in paths.airlog: one file per epoch, YYYY-MM-DD.jsonl, named by
 * the epoch's (local) day; one compact JSON object per '\n'-terminated line,
 * UTF-8, keys in this order:
 *
 *   seq ts boot mono_ms clock type site epoch [torn] <the type's fields> prev mac
 *
 *   seq      1, 2, 3 ... gapless across all files
 *   ts       local time with offset, "2026-11-22T06:00:07+07:00"
 *   boot     boot id (/proc/sys/kernel/random/boot_id), from the caller
 *   mono_ms  CLOCK_BOOTTIME in ms, from the caller
 *   clock    "synced" | "unsynced"
 *   type     boot shutdown config ingest airing missed clock seal
 *   site     site.id
 *   epoch    the epoch's day "YYYY-MM-DD" (= the file's name)
 *   torn     only on the record that acknowledges a torn write:
 *            {"line":N,"bytes":B,"hash":H}: the unfinished bytes start at line N of the
 *            same file and run up to this record; B bytes (without the final '\n'),
 *            H their BLAKE2b-256
 *   prev     hex BLAKE2b-256 (unkeyed, 32 bytes) of the previous record's line
 *            (without its '\n'); 64 '0's for record 1
 *   mac      hex BLAKE2b-256 keyed with the epoch key k_E over the line's bytes up
 *            to, not including, the ',"mac":"' before it
 *
 * Epoch keys (forward-secure, after journald's FSS): `loaxa log init` makes a
 * 32-byte seed S, shown once and never stored. With H = unkeyed BLAKE2b-256,
 *   k(first) = H("loaxa-epoch-key" || S)      for the epoch of record 1
 *   k(D + 1) = H("loaxa-epoch-next" || k(D))   one step per calendar day
 * so the key of epoch D is k(first) stepped D - first times. The board keeps
 * only the current epoch's key (state_dir/seal.key, 0600) and replaces it when
 * the epoch advances. The epoch is the local day of ts when the clock is
 * synced; it never goes back (an unsynced or backward clock keeps it). The
 * first record takes the day of its ts even when unsynced.
 *
 * Seals: when the epoch advances the writer first appends a `seal` record to
 * the old file (under the old key), then replaces the key, then starts the
 * new file. A seal's fields: count (records before it), head (= its prev),
 * sig (base64 Ed25519 by the device key, state_dir/device.key, over
 *   "loaxa-seal\n" site "\n" count "\n" head "\n"), key ("ed25519:BASE64").
 * A checkpoint (for exports) is the latest seal as a small JSON file:
 *   {"site":…,"seq":count,"head":…,"ts":…,"key":…,"sig":…}
 * and says: the log's record `seq` has line hash `head`. The verifier checks
 * the latest seal's signature, which through the chain vouches for every
 * seal before it (their keys are checked, their signatures only when the
 * log has a fault, to place it).
 *
 * Torn writes: bytes after the last complete record of the last file (a
 * pulled plug, or a write or fsync that failed) are a torn region. The writer
 * never deletes or truncates them: the next record it appends ends them with
 * '\n' if needed and acknowledges them with `torn`, taking the seq and prev
 * that follow the last good record. Readers skip acknowledged regions;
 * anything else that is not a record is a fault.
 *
 * Writer lifecycle: airlog_init() once at install -> airlog_open() ->
 * airlog_append()/airlog_seal() ... -> airlog_close(). One writer at a time
 * (a lock in state_dir). Not thread-safe. Appends block on fsync.
 */
#ifndef AIRLOG_H
#define AIRLOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define AIRLOG_SEED_LEN 32
#define AIRLOG_KEY_LEN	32
/* an airing's record is written within this many seconds of its end */
#define AIRLOG_WRITE_SLACK_S 600

struct airlog;

struct airlog_clock {
	long long	 realtime_s;	/* CLOCK_REALTIME */
	long		 gmtoff;	/* the local offset at realtime_s */
	long long	 mono_ms;	/* CLOCK_BOOTTIME */
	int		 synced;	/* the clock is trusted */
	const char	*boot_id;
};

/*
 * Install: makes the sealing seed (returned as hex, and stored nowhere) and
 * the device key pair (state_dir/device.key 0600, device.pub), and the first
 * epoch key (state_dir/seal.key). Refuses when any of them exists.
 */
int	airlog_init(const char *state_dir, char seed_hex_out[65], char *pub_out, size_t publen,
	    char *err, size_t errlen);

/*
 * Reads the tail (last seq, last line hash, epoch, torn region, latest seal)
 * and loads the epoch key and the device key. NULL with a message on failure;
 * errno is EWOULDBLOCK when another process (loaxad) holds the log.
 */
struct airlog *airlog_open(const char *dir, const char *state_dir, const char *site, char *err, size_t errlen);
/* 1 while a torn region waits for the next append to acknowledge it */
int	airlog_torn(const struct airlog *);
/*
 * 1 when the log found at open no longer reaches what seal.key remembers
 * (its last seal, the current epoch's first record): records were removed
 * from its end. *after is its last record, *known the one seal.key saw; the
 * next record appended says so (`lost`), which the verifier names a fault.
 */
int	airlog_lost(const struct airlog *, long long *after, long long *known);
/*
 * Appends one record; fields (an object, may be NULL; not stolen) are the
 * type's own, in the caller's order, and may not use the common names.
 * Returns 0 once the record is written and fsynced (*seq_out set); -1 when it
 * is not in the log (what reached the file then is a torn region, which the
 * next append acknowledges). An epoch change first appends a seal.
 */
int	airlog_append(struct airlog *, const char *type, json_t *fields, const struct airlog_clock *,
	    long long *seq_out, char *err, size_t errlen);
/* appends a seal record now (exports, uploads) */
int	airlog_seal(struct airlog *, const struct airlog_clock *, char *err, size_t errlen);
/* the latest seal as a checkpoint file's text (malloc'd); -1 when there is no seal yet */
int	airlog_checkpoint(const struct airlog *, char **json_out);
long long airlog_last_seq(const struct airlog *);
/* simulation and benchmarks only: 0 skips the fsync after each append */
void	airlog_set_durable(struct airlog *, int durable);
void	airlog_close(struct airlog *);

/* the latest seal found in the files, as checkpoint text (when loaxad holds the writer) */
int	airlog_latest_checkpoint(const char *dir, char **json_out, char *err, size_t errlen);
/* the log's files as day numbers, in order (malloc'd); count, or -1 */
int	airlog_files(const char *dir, int32_t **days, char *err, size_t errlen);
/* "YYYY-MM-DD.jsonl" */
void	airlog_file_name(int32_t day, char buf[17]);

/*
 * Reading (show, reports, export): every line in order across files.
 * airlog_iter_next: 1 a record (rec owned by the iterator until the next
 * call; line/len its bytes), 0 the end, -1 a line that is not a record
 * (line/len set, rec NULL): airlog_iter_torn() then says whether it is part
 * of an acknowledged torn region. -2 a file could not be read.
 */
struct airlog_iter;
struct airlog_iter *airlog_iter_open(const char *dir, char *err, size_t errlen);
int	airlog_iter_next(struct airlog_iter *, json_t **rec, const char **line, size_t *len);
int	airlog_iter_torn(const struct airlog_iter *);
/* where the last line returned is: file name and 1-based line */
void	airlog_iter_where(const struct airlog_iter *, const char **file, long *line);
void	airlog_iter_close(struct airlog_iter *);

/* verification */
struct airlog_fault {
	long long	 seq;		/* the record (by position: the one expected there) */
	char		 file[256];	/* file name, or the checkpoint's */
	long		 line;		/* 1-based; 0 when not about a line */
	char		 what[256];
};

struct airlog_verify_opts {
	const unsigned char	*seed;			/* 32 bytes, or NULL: MACs not checked */
	const char		*checkpoint_path;	/* or NULL */
	const unsigned char	(*trusted_keys)[32];	/* device keys seals must be made by */
	int			 ntrusted;		/* 0: the key the log names, if the same throughout */
};

struct airlog_verify_stats {
	long long	 records;
	long long	 first_seq, last_seq;
	char		 first_ts[32], last_ts[32];
	char		 site[64];
	int		 files;
	long long	 bytes;
	int		 macs_checked;		/* a seed was given and every MAC checked */
	long long	 seals;			/* seal signatures checked */
	char		 seal_key[64];		/* "ed25519:..." the seals were made with */
	int		 key_pinned;		/* it is one of the trusted keys */
	int		 checkpoint_ok;		/* a checkpoint was given and matched */
	long long	 checkpoint_seq;
	char		 checkpoint_ts[32];
	long		 torn;			/* acknowledged torn regions */
	char		 torn_note[256];	/* the first one */
	long long	 unverified;		/* records read after the first fault (airlog_read) */
	long long	 unreadable;		/* lines that are not records, torn writes aside */
};

/*
 * 0 intact, 1 fault (the first one described), -1 could not verify
 * (fault->what says why). Stats: records = every record read; on a fault
 * the checks stop there, the records after it are counted as unverified.
 */
int	airlog_verify(const char *dir, const struct airlog_verify_opts *, struct airlog_fault *,
	    struct airlog_verify_stats *);

/*
 * Reading for reports: one pass that verifies (as airlog_verify) and hands
 * each record to a visitor, parsed by logline (scheduler/logline.h). After the
 * first fault the checks stop but reading goes on: later records are handed
 * over with verified = 0, lines that are not records are skipped (counted
 * in stats->unreadable). Without verify, files of days outside
 * [from - 1, to + 1] are only searched for config records (and the log's
 * last record), which is what a report over part of a long log needs.
 * Returns as airlog_verify (0 also when not verifying), or -1 when the
 * visitor returned -1.
 */
struct logline;
struct airlog_read_info {
	long long	 seq;		/* the record's seq (0 if it has none) */
	int		 verified;	/* every check up to and including this record passed, and the next
					   record's chain link to it (else the edit may be in this one) */
	const char	*file;		/* "YYYY-MM-DD.jsonl" */
	long		 line;		/* 1-based */
};
struct airlog_read_opts {
	int		 verify;
	int32_t		 from, to;	/* days; DATE_NONE: every file is read whole */
	int		(*visit)(void *arg, const struct logline *rec, const struct airlog_read_info *);
	/*
	 * Verifying, the reader first trusts the latest seal's signature for
	 * the seals before it (the chain ties them to it) and reads again
	 * checking each one when the log turns out to have a fault. reset is
	 * called before that second pass: the visitor forgets what it was
	 * given. Without reset (and with a visitor), every signature is checked
	 * in a single pass.
	 */
	void		(*reset)(void *arg);
	void		*arg;
	/*
	 * Verifying, a second thread may load the next file and hash its lines
	 * while this one checks (on a machine with more than one core): for a
	 * caller that reads one log with a core to spare (log verify, a
	 * report on fewer logs than cores). The checks are the same.
	 */
	int		 read_ahead;
};
int	airlog_read(const char *dir, const struct airlog_verify_opts *, const struct airlog_read_opts *,
	    struct airlog_fault *, struct airlog_verify_stats *);

/*
 * The same checks one record at a time, for records that arrive alone (the
 * collector, office/collect.c): seq gapless from 1, prev chained,
 * structure, the site the same throughout, epochs forward with a closing
 * seal, seals' signatures (by one of trusted, or the same key throughout),
 * MACs when seed is given. A torn write's bytes are not there to check;
 * the chain runs over them. The caller keeps the state between records
 * (and across restarts: seq, head, epoch, first_epoch, last_seal, sealpk;
 * the key is stepped again from the seed). 0 good (state advanced), 1 a
 * fault (what), -1 not a record.
 */
struct airlog_chain {
	long long	 seq;			/* the last good record; 0 before the first */
	unsigned char	 head[32];		/* its line's hash */
	int32_t		 epoch, first_epoch;
	int		 last_seal;
	long long	 last_ts;		/* the latest synced record's ts; 0: not known (no check) */
	unsigned char	 sealpk[32];
	int		 have_sealpk;
	unsigned char	 key[AIRLOG_KEY_LEN];	/* with a seed: the key of `epoch` */
	int		 have_key;
	char		 site[64];
};
int	airlog_chain_next(struct airlog_chain *, const char *line, size_t len, const unsigned char *seed,
	    const unsigned char (*trusted)[32], int ntrusted, char *what, size_t whatlen);
/* hex BLAKE2b-256 of a line, as prev and head hold it */
void	airlog_line_hash(const char *line, size_t len, char hex[65]);

/* the seal signature's message; returns its length */
size_t	airlog_seal_message(const char *site, long long count, const char *head_hex, char *buf, size_t len);

#endif
