/*
 * durable: see durable.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/durable.h"

static long counts[DURABLE_ANY + 1];
static enum durable_op fault_op;
static long fault_nth;
static enum durable_action fault_action;
static int env_read;

void
durable_fault_set(enum durable_op op, long nth, enum durable_action action)
{
	env_read = 1;
	fault_op = op;
	fault_nth = nth;
	fault_action = action;
	memset(counts, 0, sizeof(counts));
}

long
durable_count(enum durable_op op)
{
	return counts[op];
}

static void
read_env(void)
{
	const char *s = getenv("LOAXA_FAULT");
	char op[16], act[16];
	long n;

	env_read = 1;
	if (s == NULL || sscanf(s, "%15[a-z]:%ld:%15[a-z]", op, &n, act) != 3)
		return;
	fault_op = strcmp(op, "write") == 0 ? DURABLE_WRITE : strcmp(op, "fsync") == 0 ? DURABLE_FSYNC :
	    strcmp(op, "rename") == 0 ? DURABLE_RENAME : DURABLE_ANY;
	fault_action = strcmp(act, "exit") == 0 ? DURABLE_EXIT : strcmp(act, "enospc") == 0 ? DURABLE_ENOSPC :
	    strcmp(act, "eio") == 0 ? DURABLE_EIO : DURABLE_NONE;
	fault_nth = n;
}

/* counts the call; returns -1 (errno set) when it must fail */
static int
fault(enum durable_op op)
{
	long n;

	if (!env_read)
		read_env();
	counts[op]++;
	counts[DURABLE_ANY]++;
	if (fault_action == DURABLE_NONE)
		return 0;
	n = fault_op == DURABLE_ANY ? counts[DURABLE_ANY] : counts[op];
	if ((fault_op != DURABLE_ANY && fault_op != op) || n != fault_nth)
		return 0;
	switch (fault_action) {
	case DURABLE_EXIT:
		_exit(DURABLE_EXIT_STATUS);
	case DURABLE_ENOSPC:
		errno = ENOSPC;
		return -1;
	case DURABLE_EIO:
		errno = EIO;
		return -1;
	default:
		return 0;
	}
}

int
durable_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	if (fault(DURABLE_WRITE) < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
durable_fsync(int fd)
{
	if (fault(DURABLE_FSYNC) < 0)
		return -1;
	while (fsync(fd) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int
durable_fsync_dir(const char *dir)
{
	int fd, r, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = durable_fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static void
parent_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int
durable_rename(const char *from, const char *to)
{
	char dir[PATH_MAX];

	if (fault(DURABLE_RENAME) < 0)
		return -1;
	if (rename(from, to) < 0)
		return -1;
	parent_of(to, dir, sizeof(dir));
	return durable_fsync_dir(dir);
}

int
durable_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || durable_write(fd, data, len) < 0 || durable_fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (fault(DURABLE_RENAME) < 0 || rename(tmp, path) < 0)
		goto fail;
	{
		char dir[PATH_MAX];
		parent_of(path, dir, sizeof(dir));
		if (durable_fsync_dir(dir) < 0)
			return -2;	/* in place, not yet durable */
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int
durable_mkdirs(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
durable_rmtree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
