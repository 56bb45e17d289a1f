/*
 * history: see history.h. Reads through airlog's iterator; lines that are
 * not records (torn writes) are skipped here, as verification reports them.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "scheduler/airlog.h"
#include "scheduler/history.h"

static const char *
str(json_t *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r, key));

	return s ? s : "";
}

int
history_read(const char *dir, struct history_cb *h)
{
	char err[256];
	struct airlog_iter *it;
	struct stat st;
	const char *line;
	size_t len;
	json_t *r;
	int rc;

	h->last_slot_s = 0;
	h->config_sha[0] = '\0';
	if (stat(dir, &st) < 0 && errno == ENOENT)
		return 0;
	if ((it = airlog_iter_open(dir, err, sizeof(err))) == NULL)
		return -1;
	while ((rc = airlog_iter_next(it, &r, &line, &len)) != 0) {
		const char *type;
		long long t;

		if (rc != 1 || r == NULL)
			continue;
		type = str(r, "type");
		if (strcmp(type, "config") == 0) {
			const char *sha = str(r, "sha256");
			if (strlen(sha) == 64)
				memcpy(h->config_sha, sha, 65);
			continue;
		}
		if (strcmp(type, "airing") != 0 && strcmp(type, "missed") != 0)
			continue;
		if (strcmp(str(r, "session"), "emergency") != 0 && date_parse_ts(str(r, "slot"), &t, NULL) == 0 &&
		    t > h->last_slot_s)
			h->last_slot_s = t;
		if (strcmp(type, "airing") != 0 || strcmp(str(r, "outcome"), "failed") == 0)
			continue;
		if (date_parse_ts(str(r, "start"), &t, NULL) == 0 && h->aired && *str(r, "bulletin"))
			h->aired(h->arg, str(r, "bulletin"), t);
	}
	airlog_iter_close(it);
	return 0;
}
