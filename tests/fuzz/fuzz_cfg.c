/* fuzz target: loaxa.cfg text -> cfg_load_string (+ the calendar checks when it loads) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "config/cfg.h"
#include "scheduler/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct diag d;
	struct cfg *c;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	c = cfg_load_string(text, "fuzz.cfg", "/nonexistent", &d);
	if (c != NULL) {
		/* a short window keeps each input fast; the code paths are the same */
		struct sched *s = sched_new(c, date_from_civil(2026, 1, 1), date_from_civil(2026, 3, 1));
		struct sched_slot sl[SCHED_MAX_SLOTS];
		for (int32_t day = date_from_civil(2026, 1, 1); day < date_from_civil(2026, 3, 1); day += 7)
			sched_day(s, day, sl, SCHED_MAX_SLOTS);
		sched_free(s);
		cfg_free(c);
	}
	diag_free(&d);
	free(text);
	return 0;
}
