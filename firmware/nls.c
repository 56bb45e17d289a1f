/*
 * nls: binds the "loaxa" text domain. Boards run with a Vietnamese locale;
 * LOAXA_LOCALEDIR points at an uninstalled tree's catalogs (tests, demo).
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/nls.h"

void
nls_init(void)
{
	const char *dir = getenv("LOAXA_LOCALEDIR");

	setlocale(LC_ALL, "");
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
