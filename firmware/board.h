/*
 * board: the amplifier relay (and, later, the board's other outputs),
 * behind a small ops table:
 *
 *   gpio       libgpiod (v1.6 API, as Debian 12 ships it): the line
 *              audio.amplifier.gpio_line of audio.amplifier.gpio_chip,
 *              requested as an output, active low when the config says so
 *   file:PATH  chosen by the environment variable LOAXA_BOARD=file:PATH (there
 *              is no GPIO chip on a test machine): every switch appends
 *              "SECONDS.NANOSECONDS on" or "... off" to PATH, the time on
 *              CLOCK_BOOTTIME, so tests can check the relay's timing
 *   none       when the config has no audio.amplifier: board_amp() does nothing
 *
 * Lifecycle: board_open() (switches the relay OFF: a crash never leaves the
 * amplifier on across a restart) -> board_amp(on/off)... -> board_close()
 * (switches it off again and releases the line).
 *
 * Errors are reported in the caller's buffer and are never fatal: a board
 * whose relay cannot be switched still plays (the amplifier may be wired
 * on). board_amp(NULL, ...) is a no-op returning 0, so a caller whose
 * board_open() failed can carry on. Nothing prints; nothing blocks for long.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>

struct cfg;
struct board;

/* NULL with a message when the relay cannot be reached */
struct board	*board_open(const struct cfg *, char *err, size_t errlen);
int		 board_amp(struct board *, int on, char *err, size_t errlen);
/* -1: no amplifier configured, 0: off, 1: on */
int		 board_amp_state(const struct board *);
/* "gpio", "file" or "none" */
const char	*board_backend(const struct board *);
void		 board_close(struct board *);

/*
 * The talk button of live announcements (live.gpio_line, an input): its
 * edges as events, by libgpiod (both edges requested, active low when the
 * config says so, so "pressed" is the line's active state), or, with
 * LOAXA_BUTTON=file:PATH (tests), lines "press" and "release" written to
 * the FIFO PATH. board_button_fd() is the descriptor to poll; after POLLIN,
 * board_button_event() returns 1 (pressed), 0 (released), or -1 (nothing
 * more now). NULL with a message when the line cannot be had.
 */
struct board_button;
struct board_button *board_button_open(const struct cfg *, char *err, size_t errlen);
int		 board_button_fd(const struct board_button *);
int		 board_button_event(struct board_button *);
void		 board_button_close(struct board_button *);

#endif
