/*
 * term: controls from outside text shown, not obeyed (see term.h).
 *
 * The stdio filter is a fopencookie(3) stream in place of stdout (and one
 * for stderr) that writes into the original stream. Its state (a CR or a
 * 0xC2 lead byte waiting for the next byte) carries across writes; an
 * atexit handler flushes the filter before stdio flushes the originals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/term.h"

struct filt {
	FILE	*real;
	int	 cr;	/* a CR waits: CRLF passes, a bare CR is shown */
	int	 c2;	/* a 0xC2 lead byte waits: C1 controls are 0xC2 0x80..0x9F */
};

typedef void (*put_fn)(void *arg, const char *s, size_t n);

/* one byte through the filter; put() receives what is shown */
static void
filter_byte(struct filt *f, unsigned char b, put_fn put, void *arg)
{
	char e[8];

	if (f->c2) {
		f->c2 = 0;
		if (b >= 0x80 && b <= 0x9f) {
			snprintf(e, sizeof(e), "\\u%04x", b);
			put(arg, e, 6);
			return;
		}
		put(arg, "\xc2", 1);
	}
	if (f->cr) {
		f->cr = 0;
		if (b == '\n') {
			put(arg, "\r\n", 2);
			return;
		}
		put(arg, "\\x0d", 4);
	}
	if (b == '\r') {
		f->cr = 1;
	} else if (b == 0xc2) {
		f->c2 = 1;
	} else if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f) {
		snprintf(e, sizeof(e), "\\x%02x", b);
		put(arg, e, 4);
	} else {
		put(arg, (const char *)&b, 1);
	}
}

/* a byte that passes as it is, whatever came before it */
static int
plain(unsigned char b)
{
	return (b >= 0x20 && b != 0x7f && b != 0xc2) || b == '\n' || b == '\t';
}

/* a buffer through the filter: runs of plain bytes in one put() */
static void
filter_buf(struct filt *f, const char *buf, size_t n, put_fn put, void *arg)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		if (!f->cr && !f->c2)
			while (j < n && plain((unsigned char)buf[j]))
				j++;
		if (j > i) {
			put(arg, buf + i, j - i);
			i = j;
			continue;
		}
		filter_byte(f, (unsigned char)buf[i++], put, arg);
	}
}

static void
filter_end(struct filt *f, put_fn put, void *arg)
{
	if (f->c2)
		put(arg, "\xc2", 1);
	if (f->cr)
		put(arg, "\\x0d", 4);
	f->c2 = f->cr = 0;
}

/* --- strings ------------------------------------------------------------ */

struct sbuf {
	char	*p;
	size_t	 n, cap;
	int	 oom;
};

static void
sbuf_put(void *arg, const char *s, size_t n)
{
	struct sbuf *b = arg;

	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

char *
term_escape(const char *s)
{
	struct filt f = { 0 };
	struct sbuf b = { 0 };

	if (s == NULL)
		s = "";
	sbuf_put(&b, "", 0);
	filter_buf(&f, s, strlen(s), sbuf_put, &b);
	filter_end(&f, sbuf_put, &b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int
term_clean(const char *s)
{
	char *e = term_escape(s);
	int same = e != NULL && strcmp(e, s ? s : "") == 0;

	free(e);
	return same;
}

/* --- the stdio filter ------------------------------------------------------ */

static struct filt filt_out, filt_err;
static FILE *guard_out, *guard_err;

static void
file_put(void *arg, const char *s, size_t n)
{
	fwrite(s, 1, n, (FILE *)arg);
}

static ssize_t
guard_write(void *cookie, const char *buf, size_t size)
{
	struct filt *f = cookie;

	filter_buf(f, buf, size, file_put, f->real);
	if (f == &filt_err || f->real == stderr)
		fflush(f->real);
	return (ssize_t)size;
}

static int
guard_close(void *cookie)
{
	struct filt *f = cookie;

	filter_end(f, file_put, f->real);
	return fflush(f->real);
}

static void
guard_flush(void)
{
	if (guard_out) {
		fflush(guard_out);
		filter_end(&filt_out, file_put, filt_out.real);
		fflush(filt_out.real);
	}
	if (guard_err) {
		fflush(guard_err);
		filter_end(&filt_err, file_put, filt_err.real);
		fflush(filt_err.real);
	}
}

int
term_guard(void)
{
	cookie_io_functions_t io = { .write = guard_write, .close = guard_close };
	FILE *o, *e;

	if (guard_out)
		return 0;
	filt_out.real = stdout;
	filt_err.real = stderr;
	if ((o = fopencookie(&filt_out, "w", io)) == NULL)
		return -1;
	if ((e = fopencookie(&filt_err, "w", io)) == NULL) {
		fclose(o);
		return -1;
	}
	setvbuf(o, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
	setvbuf(e, NULL, _IONBF, 0);
	guard_out = stdout = o;
	guard_err = stderr = e;
	atexit(guard_flush);
	return 0;
}
