/*
 * form.h: one value of an application/x-www-form-urlencoded text, the body
 * an HTML form posts (the office's console reads its login and its forms
 * with it). The text is a stranger's: fuzzed (tests/fuzz/fuzz_form.c).
 */
#ifndef BASE_FORM_H
#define BASE_FORM_H

#include <stddef.h>

/*
 * The value of KEY in BODY (LEN bytes, not NUL-terminated), decoded ('+'
 * a space, %XX a byte) into OUT (OUTLEN bytes, always NUL-terminated, cut
 * to fit). 1 found; 0 not found, or refused: an escape that is not two hex
 * digits, or one that makes a NUL (the form is not one of ours).
 */
int	form_value(const char *body, size_t len, const char *key, char *out, size_t outlen);

#endif
