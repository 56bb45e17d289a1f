/*
 * player: the engine's player on a real device: audio/out.h and
 * audio/play.h behind struct engine_player. The device is opened at each
 * session's start and released at its end, so a device missing at start-up,
 * or lost in an airing, costs that session only.
 */
#ifndef PLAYER_H
#define PLAYER_H

#include <stddef.h>

struct cfg;
struct engine_player;

/* fills ops for audio.device (or $LOAXA_DEVICE, for tests and the demo) */
int	player_alsa_env(struct engine_player *, const struct cfg *, char *err, size_t errlen);
void	player_alsa_free(void);
/* engine_env.measure: length and loudness of a file; 0 or -1 */
int	player_measure(const char *path, long *ms, double *lufs);

#endif
