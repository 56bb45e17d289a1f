/*
 * nls: binds the "loaxa" text domain. Boards run with a Vietnamese locale;
 * LOAXA_LOCALEDIR points at an uninstalled tree's catalogs (tests, demo).
 */
#include <locale.h>
#include <stdlib.h>

#include "firmware/nls.h"

void
nls_init(void)
{
	const char *dir = getenv("LOAXA_LOCALEDIR");

	setlocale(LC_ALL, "");
	bindtextdomain("loaxa", dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset("loaxa", "UTF-8");
}
