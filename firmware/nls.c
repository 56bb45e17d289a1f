/*
 * nls: binds the "loaxa" text domain; numbers always in the C form. Boards
 * run with a Vietnamese locale; LOAXA_LOCALEDIR points at an uninstalled
 * tree's catalogs (tests, demo).
 * A build with DEFAULT_LANG=vi (the Debian package) speaks Vietnamese where
 * the environment names no language: a board's console and ssh sessions
 * run in the C locale, and commune staff read Vietnamese.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/nls.h"

#ifndef LOAXA_DEFAULT_LANG
#define LOAXA_DEFAULT_LANG ""
#endif

void
nls_init(void)
{
	const char *dir = getenv("LOAXA_LOCALEDIR");

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
			nls_lang(LOAXA_DEFAULT_LANG);
	}
	bindtextdomain("loaxa", dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset("loaxa", "UTF-8");
}

void
nls_lang(const char *lang)
{
	const char *cur;

	if (lang == NULL || *lang == '\0')
		return;
	setenv("LANGUAGE", lang, 1);
	/* gettext ignores LANGUAGE under the C locale: use its UTF-8 twin */
	cur = setlocale(LC_MESSAGES, NULL);
	if (cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
		setlocale(LC_ALL, "C.UTF-8");
}

const char *
nls_pgettext(const char *ctx_and_msgid, const char *msgid)
{
	const char *t = dgettext("loaxa", ctx_and_msgid);

	return t == ctx_and_msgid ? msgid : t;
}
