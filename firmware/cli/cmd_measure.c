/*
 * loaxa measure FILE...: what import records about each file: its length,
 * its loudness (EBU R128 integrated), its true peak, its rate and channels,
 * one line each: "FILE<TAB>duration_ms<TAB>LUFS<TAB>dBTP<TAB>rate<TAB>channels".
 * A file that would be refused at import is refused here with the same
 * message. Exit 0 all measured, 1 some refused.
 */
#include <stdio.h>

#include "audio/measure.h"
#include "base/translate.h"
#include "firmware/cli/cli.h"
#include "firmware/cli/cmd.h"

int
cmd_measure(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return cli_usage("measure", "measure FILE...", "%s", _("give one or more audio files"));
	for (int i = 1; i < argc; i++) {
		struct audio_measure m;
		char err[512];

		if (audio_measure(argv[i], &m, err, sizeof(err)) < 0) {
			fprintf(stderr, "loaxa measure: %s\n", err);
			bad = 1;
			continue;
		}
		printf("%s\t%ld\t%.2f\t%.2f\t%ld\t%d\n", argv[i], m.duration_ms, m.loudness_lufs, m.true_peak_db, m.rate,
		    m.channels);
	}
	return bad;
}
