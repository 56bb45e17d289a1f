/*
 * audio_fx: where the audio unit tests find their fixtures. They are made
 * at test time by tests/fixtures.sh under $BUILD/fixtures (tests/run sets
 * BUILD); the first call runs the script, which does nothing when they are
 * already there. Header-only: each test program includes it once.
 */
#ifndef AUDIO_FX_H
#define AUDIO_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static __attribute__((unused)) const char *
fx(const char *name)
{
	static char dir[2048], path[4096];
	static int made;

	if (!made) {
		const char *b = getenv("BUILD");
		char cmd[4096 + 2048];

		snprintf(dir, sizeof(dir), "%s/fixtures", b && *b ? b : TOP "/build");
		snprintf(cmd, sizeof(cmd), "'%s/tests/fixtures.sh' '%s' >/dev/null", TOP, dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "tests/fixtures.sh failed (run make deps)\n");
			exit(1);
		}
		made = 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* a scratch folder for this test program, removed by nobody: under $BUILD */
static __attribute__((unused)) const char *
scratch(const char *name)
{
	static char path[4096];
	const char *b = getenv("BUILD");

	if (b && strlen(b) > 2048)
		b = NULL;

	snprintf(path, sizeof(path), "%s/tmp", b && *b ? b : TOP "/build");
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/tmp/%s", b && *b ? b : TOP "/build", name);
	return path;
}

#endif
