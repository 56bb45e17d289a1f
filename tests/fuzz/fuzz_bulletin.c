/* fuzz target: a library metadata file -> lib_parse, and back through lib_format */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/library.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *again;
	struct bulletin b;
	struct diag d;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	if (lib_parse(text, "fuzz.cfg", &b, &d) == 0) {
		/* what we write we must read back */
		struct bulletin b2;
		again = lib_format(&b);
		if (again == NULL || lib_parse(again, "again.cfg", &b2, &d) != 0)
			abort();
		if (strcmp(b.id, b2.id) != 0 || strcmp(b.title, b2.title) != 0 || b.valid_to != b2.valid_to)
			abort();
		bul_free(&b2);
		free(again);
		bul_free(&b);
	}
	diag_free(&d);
	free(text);
	return 0;
}
