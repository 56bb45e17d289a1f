/*
 * tap: the small unit-test helper. A test is a function; tap_run() runs it
 * and prints "ok - NAME" or "not ok - NAME" with every failed expectation
 * (file:line and the expression). tests/run counts these lines.
 */
#ifndef TAP_H
#define TAP_H

#include <stdint.h>

void tap_run(const char *name, void (*fn)(void));
int  tap_done(void);		/* exit status: 0 when everything passed */
void tap_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define EXPECT(c) do { if (!(c)) tap_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define EXPECT_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) tap_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); } while (0)
#define EXPECT_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) tap_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
	    #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

#define TEST(fn) tap_run(#fn, fn)

struct cfg;
/* a config from head and body (as t.cfg in /tmp); NULL with its errors printed as "# ..." */
struct cfg *tap_cfg(const char *head, const char *body);

#endif
