/*
 * translate: binds the "loaxa" text domain; numbers always in the C form.
 * Boards run with a Vietnamese locale. The catalogs: $LOAXA_LOCALEDIR when
 * set; else the installed ones (LOCALEDIR) when they are there; else those
 * built beside the program (build/locale, an uninstalled tree), so that
 * build/loaxa speaks Vietnamese without any setting. A language asked for
 * that has no catalog in the folder chosen is said on stderr, once.
 * A build with DEFAULT_LANG=vi (the Debian package) speaks Vietnamese where
 * the environment names no language: a board's console and ssh sessions
 * run in the C locale, and commune staff read Vietnamese.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/translate.h"

#ifndef LOAXA_DEFAULT_LANG
#define LOAXA_DEFAULT_LANG ""
#endif

static char catalogs[PATH_MAX];

static int
has_catalog(const char *dir, const char *lang)
{
	char path[PATH_MAX + 64];
	size_t n = strcspn(lang, "_.@:");

	snprintf(path, sizeof(path), "%s/%.*s/LC_MESSAGES/loaxa.mo", dir, (int)n, lang);
	return access(path, R_OK) == 0;
}

/* the folder of catalogs: see the top of this file */
static const char *
catalog_dir(void)
{
	const char *env = getenv("LOAXA_LOCALEDIR");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	if (has_catalog(LOCALEDIR, "vi"))
		return LOCALEDIR;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(catalogs, sizeof(catalogs), "%.*s/locale", (int)(sizeof(catalogs) - 8), self);
			if (has_catalog(catalogs, "vi"))
				return catalogs;
		}
	}
	return LOCALEDIR;
}

void
translate_init(void)
{
	const char *dir = catalog_dir();

	if (dir != catalogs)
		snprintf(catalogs, sizeof(catalogs), "%s", dir);

	setlocale(LC_ALL, "");
	/*
	 * Numbers stay in the C form whatever the locale: vi_VN writes 1,5 for
	 * 1.5, and every number printed with %f would follow it; the report's
	 * SVG got x="378,0", a chart no browser draws (tests/cli/locale.sh).
	 * jansson and libconfig are locale-proof on their own.
	 */
	setlocale(LC_NUMERIC, "C");
	if (LOAXA_DEFAULT_LANG[0] != '\0' && getenv("LANGUAGE") == NULL) {
		const char *cur = setlocale(LC_MESSAGES, NULL);

		/* an English (or any other) locale chosen by the user is kept */
		if (cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0 ||
		    strncmp(cur, "C.", 2) == 0)
			translate_lang(LOAXA_DEFAULT_LANG);
	}
	bindtextdomain("loaxa", catalogs);
	bind_textdomain_codeset("loaxa", "UTF-8");
}

void
translate_lang(const char *lang)
{
	const char *cur;

	if (lang == NULL || *lang == '\0')
		return;
	if (strncmp(lang, "en", 2) != 0 && strcmp(lang, "C") != 0 && catalogs[0] != '\0' &&
	    !has_catalog(catalogs, lang))
		fprintf(stderr, "loaxa: no \"%s\" messages in %s: the text stays in English "
		    "(install loaxa's translations, or point LOAXA_LOCALEDIR at a folder of catalogs)\n", lang, catalogs);
	setenv("LANGUAGE", lang, 1);
	/* gettext ignores LANGUAGE under the C locale: use its UTF-8 twin */
	cur = setlocale(LC_MESSAGES, NULL);
	if (cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
		setlocale(LC_ALL, "C.UTF-8");
}

const char *
translate_pgettext(const char *ctx_and_msgid, const char *msgid)
{
	const char *t = dgettext("loaxa", ctx_and_msgid);

	return t == ctx_and_msgid ? msgid : t;
}
