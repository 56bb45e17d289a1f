/*
 * board: see board.h. One relay line; the backend is chosen once, at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/translate.h"
#include "config/cfg.h"
#include "firmware/board.h"

struct board_ops {
	const char *name;
	int	(*amp)(struct board *, int, char *, size_t);
	void	(*close)(struct board *);
};

struct board {
	const struct board_ops *ops;
	int		 amp;		/* -1 none, 0 off, 1 on */
	/* gpio */
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	char		*chip_name;
	int		 line_no;
	/* file */
	int		 fd;
	char		*path;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- none --- */

static int
none_amp(struct board *b, int on, char *err, size_t errlen)
{
	(void)b, (void)on, (void)err, (void)errlen;
	return 0;
}

static void
none_close(struct board *b)
{
	(void)b;
}

static const struct board_ops none_ops = { "none", none_amp, none_close };

/* --- gpio (libgpiod v1) --- */

static int
gpio_amp(struct board *b, int on, char *err, size_t errlen)
{
	if (gpiod_line_set_value(b->line, on ? 1 : 0) < 0) {
		seterr(err, errlen, _("amplifier relay %s line %d: cannot switch it %s: %s"), b->chip_name, b->line_no,
		    on ? "on" : "off", strerror(errno));
		return -1;
	}
	return 0;
}

static void
gpio_close(struct board *b)
{
	if (b->line)
		gpiod_line_release(b->line);
	if (b->chip)
		gpiod_chip_close(b->chip);
	b->line = NULL;
	b->chip = NULL;
}

static const struct board_ops gpio_ops = { "gpio", gpio_amp, gpio_close };

static int
gpio_open(struct board *b, const struct cfg *c, char *err, size_t errlen)
{
	int flags = c->audio.amplifier.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	b->line_no = c->audio.amplifier.gpio_line;
	if ((b->chip_name = strdup(c->audio.amplifier.gpio_chip)) == NULL) {
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if ((b->chip = gpiod_chip_open_lookup(b->chip_name)) == NULL) {
		seterr(err, errlen, _("amplifier relay: cannot open GPIO chip \"%s\": %s; check "
		    "audio.amplifier.gpio_chip (gpiodetect lists the chips)"), b->chip_name, strerror(errno));
		return -1;
	}
	if ((b->line = gpiod_chip_get_line(b->chip, (unsigned int)b->line_no)) == NULL) {
		seterr(err, errlen, _("amplifier relay: GPIO chip \"%s\" has no line %d: %s; check "
		    "audio.amplifier.gpio_line (gpioinfo lists the lines)"), b->chip_name, b->line_no, strerror(errno));
		return -1;
	}
	/* requested with the value 0: the relay is off from the first instant */
	if (gpiod_line_request_output_flags(b->line, "loaxa", flags, 0) < 0) {
		seterr(err, errlen, _("amplifier relay %s line %d: cannot take the line: %s (is another program "
		    "holding it?)"), b->chip_name, b->line_no, strerror(errno));
		b->line = NULL;
		return -1;
	}
	b->ops = &gpio_ops;
	return 0;
}

/* --- file: the stand-in for tests --- */

static int
file_amp(struct board *b, int on, char *err, size_t errlen)
{
	struct timespec ts;
	char line[64];
	int n;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	n = snprintf(line, sizeof(line), "%lld.%09ld %s\n", (long long)ts.tv_sec, ts.tv_nsec, on ? "on" : "off");
	if (write(b->fd, line, (size_t)n) != n) {
		seterr(err, errlen, _("amplifier stand-in %s: cannot write: %s"), b->path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
file_close(struct board *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

static const struct board_ops file_ops = { "file", file_amp, file_close };

/* --- the handle --- */

struct board *
board_open(const struct cfg *c, char *err, size_t errlen)
{
	const char *env = getenv("LOAXA_BOARD");
	struct board *b;
	int r = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	b->fd = -1;
	b->ops = &none_ops;
	b->amp = -1;
	if (!c->audio.amplifier.present)
		return b;
	if (env && strncmp(env, "file:", 5) == 0 && env[5] != '\0') {
		if ((b->path = strdup(env + 5)) == NULL ||
		    (b->fd = open(b->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
			seterr(err, errlen, _("amplifier stand-in %s: cannot open: %s"), env + 5, strerror(errno));
			r = -1;
		} else
			b->ops = &file_ops;
	} else
		r = gpio_open(b, c, err, errlen);
	if (r < 0) {
		b->ops = &none_ops;
		board_close(b);
		return NULL;
	}
	b->amp = 0;
	if (b->ops->amp(b, 0, err, errlen) < 0) {
		board_close(b);
		return NULL;
	}
	return b;
}

int
board_amp(struct board *b, int on, char *err, size_t errlen)
{
	if (b == NULL || b->amp < 0)
		return 0;
	if (b->ops->amp(b, on, err, errlen) < 0)
		return -1;
	b->amp = on ? 1 : 0;
	return 0;
}

int
board_amp_state(const struct board *b)
{
	return b ? b->amp : -1;
}

const char *
board_backend(const struct board *b)
{
	return b ? b->ops->name : "none";
}

void
board_close(struct board *b)
{
	if (b == NULL)
		return;
	if (b->amp == 1)
		b->ops->amp(b, 0, NULL, 0);
	b->ops->close(b);
	gpio_close(b);
	file_close(b);
	free(b->chip_name);
	free(b->path);
	free(b);
}

/* --- the talk button --- */

struct board_button {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int		 fd;		/* the line's event fd, or the stand-in FIFO */
	int		 file;
	char		 buf[256];
	size_t		 len;
};

struct board_button *
board_button_open(const struct cfg *c, char *err, size_t errlen)
{
	const char *env = getenv("LOAXA_BUTTON");
	struct board_button *bb = calloc(1, sizeof(*bb));

	if (bb == NULL) {
		seterr(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	bb->fd = -1;
	if (env && strncmp(env, "file:", 5) == 0 && env[5] != '\0') {
		/* read and write: the FIFO never reads as ended when a writer closes it */
		if ((bb->fd = open(env + 5, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
			seterr(err, errlen, _("talk button stand-in %s: cannot open: %s"), env + 5, strerror(errno));
			free(bb);
			return NULL;
		}
		bb->file = 1;
		return bb;
	}
	if ((bb->chip = gpiod_chip_open_lookup(c->live.gpio_chip)) == NULL) {
		seterr(err, errlen, _("talk button: cannot open GPIO chip \"%s\": %s; check live.gpio_chip (gpiodetect "
		    "lists the chips)"), c->live.gpio_chip, strerror(errno));
		free(bb);
		return NULL;
	}
	if ((bb->line = gpiod_chip_get_line(bb->chip, (unsigned int)c->live.gpio_line)) == NULL ||
	    gpiod_line_request_both_edges_events_flags(bb->line, "loaxa-talk",
	    c->live.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) < 0 ||
	    (bb->fd = gpiod_line_event_get_fd(bb->line)) < 0) {
		seterr(err, errlen, _("talk button: GPIO chip \"%s\" line %d cannot be watched: %s; check "
		    "live.gpio_line (gpioinfo lists the lines)"), c->live.gpio_chip, c->live.gpio_line, strerror(errno));
		gpiod_chip_close(bb->chip);
		free(bb);
		return NULL;
	}
	return bb;
}

int
board_button_fd(const struct board_button *bb)
{
	return bb ? bb->fd : -1;
}

int
board_button_event(struct board_button *bb)
{
	if (bb == NULL)
		return -1;
	if (!bb->file) {
		struct gpiod_line_event ev;
		struct pollfd p = { bb->fd, POLLIN, 0 };
		if (poll(&p, 1, 0) <= 0 || gpiod_line_event_read(bb->line, &ev) < 0)
			return -1;
		return ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
	}
	for (;;) {
		char *nl = memchr(bb->buf, '\n', bb->len);
		if (nl) {
			size_t n = (size_t)(nl - bb->buf) + 1;
			int r = strncmp(bb->buf, "press", 5) == 0 ? 1 : strncmp(bb->buf, "release", 7) == 0 ? 0 : -2;
			memmove(bb->buf, bb->buf + n, bb->len - n);
			bb->len -= n;
			if (r >= 0)
				return r;
			continue;	/* a line that is neither: ignored */
		}
		if (bb->len == sizeof(bb->buf))
			bb->len = 0;	/* a line too long to be either */
		ssize_t k = read(bb->fd, bb->buf + bb->len, sizeof(bb->buf) - bb->len);
		if (k <= 0)
			return -1;
		bb->len += (size_t)k;
	}
}

void
board_button_close(struct board_button *bb)
{
	if (bb == NULL)
		return;
	if (bb->file && bb->fd >= 0)
		close(bb->fd);
	if (bb->line)
		gpiod_line_release(bb->line);
	if (bb->chip)
		gpiod_chip_close(bb->chip);
	free(bb);
}
