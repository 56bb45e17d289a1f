/*
 * tap: the small unit-test helper. A test is a function; tap_run() runs it
 * and prints "ok - NAME" or "not ok - NAME" with every failed expectation
 * (file:line and the expression). tests/run counts these lines.
 *
 * A binary declares its plan first, tap_plan(N), printed "1..N": tests/run
 * fails a binary whose results do not match it (one that exits halfway,
 * or a test that never ran). A test that returns having checked nothing
 * (its set-up failed before its first EXPECT) is a failure, not a pass;
 * REQUIRE() is the set-up step that fails the test and returns.
 */
#ifndef TAP_H
#define TAP_H

#include <stdint.h>

extern long tap_nchecks;	/* expectations evaluated in the running test */

void tap_plan(int n);		/* "1..N": the number of tap_run() calls this binary makes */
void tap_run(const char *name, void (*fn)(void));
void tap_skip(const char *why);	/* the running test cannot run here: "ok - NAME # SKIP why" */
int  tap_done(void);		/* exit status: 0 when everything passed and the plan was kept */
void tap_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define EXPECT(c) do { tap_nchecks++; if (!(c)) tap_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define EXPECT_INT(a, b) do { tap_nchecks++; long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) tap_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_, b_); } while (0)
#define EXPECT_STR(a, b) do { tap_nchecks++; const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) tap_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
	    #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

/* an expectation with its own message */
#define CHECK(c, ...) do { tap_nchecks++; if (!(c)) tap_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

/* a set-up step: when it fails, the test fails (naming the step) and returns */
#define REQUIRE(c) do { tap_nchecks++; if (!(c)) { tap_fail(__FILE__, __LINE__, "set-up failed: %s", #c); return; } } while (0)

/* the running test cannot run on this machine: say why and return */
#define SKIP(why) do { tap_skip(why); return; } while (0)

#define TEST(fn) tap_run(#fn, fn)

struct cfg;
/* a config from head and body (as t.cfg in /tmp); NULL with its errors printed as "# ..." */
struct cfg *tap_cfg(const char *head, const char *body);

#endif
