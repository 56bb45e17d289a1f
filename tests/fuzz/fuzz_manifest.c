/* fuzz target: a USB stick's manifest.cfg text -> ingest_manifest_parse and manifest_meta_parse against a fixed board config */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/manifest.h"
#include "intake/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char board[] =
	"version = 1; serial = 1;\n"
	"site = { id = \"cb-hoa-an\"; name = \"Xã Hòa An\"; };\n"
	"sessions = ( { id = \"morning\"; days = \"daily\"; start = \"06:00\"; minutes = 15; },\n"
	"  { id = \"evening\"; days = \"mon-sat\"; start = \"17:30\"; minutes = 15; } );\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg *c;
	struct bulletin *v = NULL;
	struct diag d;
	char *text;
	int n = 0;

	if (c == NULL) {
		diag_init(&d);
		c = cfg_load_string(board, "board.cfg", "/nonexistent", &d);
		diag_free(&d);
		if (c == NULL)
			abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	if (ingest_manifest_parse(text, "LOAXA/manifest.cfg", c, &v, &n, &d) == 0) {
		for (int i = 0; i < n; i++) {
			char *nfc = ingest_nfc(v[i].file);
			free(nfc);
			bul_free(&v[i]);
		}
	}
	free(v);
	diag_free(&d);
	/* and its binding keys (sequence, expires, sites, province) */
	diag_init(&d);
	{
		struct manifest_meta m;
		char why[512], scope[512];
		if (manifest_meta_parse(text, "LOAXA/manifest.cfg", &m, &d) == 0) {
			manifest_check_bound(&m, 1, c, 20000, why, sizeof(why));
			manifest_scope(&m, scope, sizeof(scope));
			manifest_meta_free(&m);
		}
	}
	diag_free(&d);
	free(text);
	return 0;
}
