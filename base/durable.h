/*
 * durable: the one layer every write to the SD card goes through (airing log,
 * library, config swap, state files), so that the rules hold everywhere:
 * writes are complete or reported, replaced files are written to a temp file
 * in the same folder, fsynced, renamed, and the folder fsynced.
 *
 * Crash-point testing: durable can be told to stop the process, or fail with
 * ENOSPC or EIO, at the Nth write, fsync or rename (durable_fault_set(), or the
 * environment variable LOAXA_FAULT="OP:N:ACTION", OP one of write, fsync,
 * rename, any; ACTION one of exit, enospc, eio). exit is _exit(86) before the
 * call is made, which is what a pulled plug looks like to the files.
 *
 * Not thread-safe (the fault counters are global); the daemon is one thread.
 */
#ifndef DURABLE_H
#define DURABLE_H

#include <stddef.h>
#include <sys/types.h>

enum durable_op { DURABLE_WRITE, DURABLE_FSYNC, DURABLE_RENAME, DURABLE_ANY };
enum durable_action { DURABLE_NONE, DURABLE_EXIT, DURABLE_ENOSPC, DURABLE_EIO };

#define DURABLE_EXIT_STATUS 86

int	durable_write(int fd, const void *buf, size_t len);	/* all of it, or -1 (errno) */
int	durable_fsync(int fd);
int	durable_fsync_dir(const char *dir);
int	durable_rename(const char *from, const char *to);	/* rename, then fsync the target's folder */
/*
 * Replaces path atomically with data. 0: done and durable. -1 (errno): path
 * untouched. -2 (errno): the rename was done but the folder's fsync failed:
 * path holds the new data, which a power cut may yet undo. Callers that must
 * know which content is in force look at -2 (a config swap puts the old one
 * back); others may take any negative value as failure.
 */
int	durable_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* rm -rf: dir and everything below it, links not followed; 0 (also when absent) or -1 */
int	durable_rmtree(const char *dir);
/* mkdir -p with mode for the created ones; 0 or -1 */
int	durable_mkdirs(const char *dir, mode_t mode);

void	durable_fault_set(enum durable_op, long nth, enum durable_action);
long	durable_count(enum durable_op);		/* calls so far, for tests that step through crash points */

#endif
