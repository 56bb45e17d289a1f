/*
 * fuzz target: airing-log input, as an exported log brings it to an
 * auditor's machine. Each line goes through both readers: logline (yajl, the
 * report's path) and jansson through logline_load (the writer's); they must agree on what is a
 * record, so a line cannot count in a report and be refused by the daemon,
 * or the reverse. Then the whole input, as one day's file, through the
 * verifier (chain, MACs, seals) and the iterator.
 */
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scheduler/airlog.h"
#include "scheduler/logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
one_line(struct logline *j, const char *p, size_t n)
{
	json_t *o = logline_load(p, n);
	int jl = logline_parse(j, p, n);

	if ((o != NULL) != (jl == 0))
		abort();	/* the two readers disagree */
	json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct airlog_verify_opts opts = { 0 };
	struct airlog_verify_stats st;
	struct airlog_fault f;
	struct airlog_iter *it;
	char path[128], err[256];
	const char *line;
	size_t len;
	struct logline j;
	json_t *rec;
	FILE *fp;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/loaxa-fuzz-airlog-%d", (int)getpid());
		mkdir(dir, 0700);
	}
	logline_init(&j);
	for (size_t a = 0, b; a < size; a = b + 1) {
		for (b = a; b < size && data[b] != '\n'; b++)
			;
		one_line(&j, (const char *)data + a, b - a);
	}
	logline_free(&j);

	snprintf(path, sizeof(path), "%s/2026-01-01.jsonl", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	airlog_verify(dir, &opts, &f, &st);
	if ((it = airlog_iter_open(dir, err, sizeof(err))) != NULL) {
		while (airlog_iter_next(it, &rec, &line, &len) != 0)
			;
		airlog_iter_close(it);
	}
	unlink(path);
	return 0;
}
