/*
 * translate: gettext for what commune staff and auditors read. Text domain
 * "loaxa"; catalogs under LOCALEDIR (the build's, or $LOAXA_LOCALEDIR).
 * N_() marks a string for translation where it is stored, _() translates
 * it where it is shown.
 */
#ifndef TRANSLATE_H
#define TRANSLATE_H

#include <libintl.h>

#define _(s)  dgettext("loaxa", s)
#define N_(s) (s)
/* a message whose translation depends on where it is shown (gettext's msgctxt) */
#define C_(ctx, s) translate_pgettext(ctx "\004" s, s)

const char *translate_pgettext(const char *ctx_and_msgid, const char *msgid);

void translate_init(void);
/*
 * The language of what this process prints from now on: "vi", "en", or NULL
 * to leave the environment's. What staff and auditors read (receipts,
 * reports, the spoken confirmation) is Vietnamese unless they ask otherwise,
 * whatever the locale of the shell it runs from. Call before the first _().
 */
void translate_lang(const char *lang);

#endif
