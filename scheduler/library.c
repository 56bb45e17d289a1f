/*
 * library: see library.h. Reads and writes only inside the library folder;
 * every write goes through durable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/durable.h"
#include "base/translate.h"
#include "config/cfgkey.h"
#include "scheduler/library.h"

#define META_MAX (64 * 1024)

int
lib_parse(const char *text, const char *name, struct bulletin *b, struct diag *d)
{
	struct cfgkey ld = { .file = name, .d = d };
	const config_setting_t *g;
	config_t lc;
	int r = -1;

	if (cfgkey_read(&ld, &lc, text) < 0)
		return -1;
	g = config_setting_get_member(config_root_setting(&lc), "bulletin");
	if (g == NULL)
		diag_add(d, name, 0, "%s", _("missing bulletin = { ... }; (not a library metadata file)"));
	else
		r = bul_parse(&ld, g, BUL_LIBRARY, b);
	config_destroy(&lc);
	return r;
}

static char *
slurp(const char *path, size_t max)
{
	FILE *fp = fopen(path, "re");
	char *buf;
	size_t n;

	if (fp == NULL)
		return NULL;
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, max + 1, fp);
	fclose(fp);
	if (n > max || memchr(buf, '\0', n)) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct bulletin *)a)->id, ((const struct bulletin *)b)->id);
}

int
lib_load(struct lib *l, const char *dir, struct diag *d)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	size_t cap = 0;
	DIR *dp;

	memset(l, 0, sizeof(*l));
	l->dir = strdup(dir);
	if (l->dir == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s/bulletins", dir);
	if ((dp = opendir(sub)) == NULL) {
		if (errno == ENOENT)
			return 0;	/* an empty library */
		diag_add(d, sub, 0, _("cannot read the library: %s"), strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		struct bulletin b;
		struct stat st;
		char *text, *audio;

		if (len < 5 || strcmp(de->d_name + len - 4, ".cfg") != 0 || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", sub, de->d_name) >= sizeof(path))
			continue;
		if ((text = slurp(path, META_MAX)) == NULL) {
			diag_add(d, path, 0, _("cannot read: %s"), strerror(errno));
			continue;
		}
		if (lib_parse(text, path, &b, d) < 0) {
			free(text);
			continue;
		}
		free(text);
		if (strlen(b.id) != len - 4 || strncmp(b.id, de->d_name, len - 4) != 0) {
			diag_add(d, path, b.line, _("id \"%s\" does not match the file name; skipped"), b.id);
			bul_free(&b);
			continue;
		}
		audio = lib_audio_path(l, &b);
		if (audio == NULL || stat(audio, &st) < 0 || !S_ISREG(st.st_mode)) {
			diag_add(d, path, 0, _("bulletin \"%s\": its audio %s is missing; import it again"), b.id, b.file);
			free(audio);
			bul_free(&b);
			continue;
		}
		free(audio);
		if ((size_t)l->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct bulletin *nb = realloc(l->b, ncap * sizeof(*nb));
			if (nb == NULL) {
				bul_free(&b);
				break;
			}
			l->b = nb;
			cap = ncap;
		}
		l->b[l->n++] = b;
	}
	closedir(dp);
	if (l->n > 1)
		qsort(l->b, (size_t)l->n, sizeof(*l->b), by_id);
	return 0;
}

void
lib_free(struct lib *l)
{
	for (int i = 0; i < l->n; i++)
		bul_free(&l->b[i]);
	free(l->b);
	free(l->dir);
	memset(l, 0, sizeof(*l));
}

const struct bulletin *
lib_find(const struct lib *l, const char *id)
{
	struct bulletin key = { .id = (char *)(uintptr_t)id };

	if (l->n == 0)
		return NULL;
	return bsearch(&key, l->b, (size_t)l->n, sizeof(*l->b), by_id);
}

const struct bulletin *
lib_find_sha(const struct lib *l, const char *sha)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->b[i].sha256, sha) == 0)
			return &l->b[i];
	return NULL;
}

char *
lib_audio_path(const struct lib *l, const struct bulletin *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", l->dir, b->file) < 0)
		return NULL;
	return p;
}

int
lib_init(const char *dir)
{
	char sub[PATH_MAX];
	static const char *const subs[] = { "bulletins", "audio", "tmp" };

	for (size_t i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, subs[i]);
		if (durable_mkdirs(sub, 0755) < 0)
			return -1;
	}
	return 0;
}

char *
lib_format(const struct bulletin *b)
{
	config_t lc;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	config_init(&lc);
	bul_write(b, config_setting_add(config_root_setting(&lc), "bulletin", CONFIG_TYPE_GROUP));
	if ((fp = open_memstream(&buf, &len)) == NULL) {
		config_destroy(&lc);
		return NULL;
	}
	fputs("# loaxa library metadata: written by loaxa at import; see loaxa.cfg(5)\n", fp);
	config_write(&lc, fp);
	config_destroy(&lc);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
lib_put(const char *dir, const struct bulletin *b)
{
	char path[PATH_MAX], *text;
	int r, saved;

	if (!bul_valid_id(b->id)) {
		errno = EINVAL;
		return -1;
	}
	if (lib_init(dir) < 0)
		return -1;
	if ((text = lib_format(b)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/bulletins/%s.cfg", dir, b->id);
	r = durable_atomic(path, text, strlen(text), 0644);
	saved = errno;
	free(text);
	errno = saved;
	return r;
}

int
lib_remove(const char *dir, const char *id)
{
	char path[PATH_MAX], sub[PATH_MAX];

	if (!bul_valid_id(id)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(sub, sizeof(sub), "%s/bulletins", dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.cfg", sub, id) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (unlink(path) < 0)
		return -1;
	return durable_fsync_dir(sub);
}

static int
referenced(const struct lib *l, const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "audio/%s", name);
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->b[i].file, rel) == 0)
			return 1;
	return 0;
}

int
lib_gc(const struct lib *l)
{
	static const char *const subs[] = { "audio", "tmp", "bulletins" };
	char sub[PATH_MAX];
	int removed = 0;

	for (size_t i = 0; i < 3; i++) {
		struct dirent *de;
		DIR *dp;
		int fd;

		snprintf(sub, sizeof(sub), "%s/%s", l->dir, subs[i]);
		if ((dp = opendir(sub)) == NULL)
			continue;
		fd = dirfd(dp);
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (i == 0 && referenced(l, de->d_name))
				continue;
			if (i == 2 && strstr(de->d_name, ".cfg.tmp.") == NULL)
				continue;	/* only the temp files of a metadata write cut short */
			if (unlinkat(fd, de->d_name, 0) == 0)
				removed++;
		}
		durable_fsync(fd);
		closedir(dp);
	}
	return removed;
}
