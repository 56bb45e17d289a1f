/*
 * tap: see tap.h. Failures are printed as TAP diagnostics ("# ...") under
 * the test's result line, so a failing run says exactly what broke.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/diag.h"
#include "tests/unit/tap.h"

long tap_nchecks;
static int failed_now, npass, nfail, nplan = -1, nran;
static char skipwhy[256];
static char diag[8192];
static size_t diaglen;

void
tap_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	failed_now++;
	tap_nchecks++;
	if (diaglen >= sizeof(diag) - 256)
		return;
	n = snprintf(diag + diaglen, sizeof(diag) - diaglen, "#   %s:%d: ", file, line);
	if (n > 0)
		diaglen += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(diag + diaglen, sizeof(diag) - diaglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		diaglen = strlen(diag);
	if (diaglen < sizeof(diag) - 1)
		diag[diaglen++] = '\n';
	diag[diaglen] = '\0';
}

void
tap_plan(int n)
{
	nplan = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

void
tap_skip(const char *why)
{
	snprintf(skipwhy, sizeof(skipwhy), "%s", why);
}

void
tap_run(const char *name, void (*fn)(void))
{
	failed_now = 0;
	tap_nchecks = 0;
	diaglen = 0;
	diag[0] = '\0';
	skipwhy[0] = '\0';
	nran++;
	fn();
	if (!failed_now && skipwhy[0]) {
		printf("ok - %s # SKIP %s\n", name, skipwhy);
		fflush(stdout);
		return;
	}
	if (!failed_now && tap_nchecks == 0)
		tap_fail(__FILE__, __LINE__, "checked nothing: a set-up step returned before the first expectation");
	if (failed_now) {
		nfail++;
		printf("not ok - %s\n%s", name, diag);
	} else {
		npass++;
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

int
tap_done(void)
{
	if (nplan < 0) {
		printf("not ok - plan: no tap_plan() before the tests\n");
		return 1;
	}
	if (nran != nplan) {
		printf("not ok - plan: %d tests planned, %d ran\n", nplan, nran);
		return 1;
	}
	return nfail ? 1 : 0;
}

struct cfg *
tap_cfg(const char *head, const char *body)
{
	char *text;
	struct diag d;
	struct cfg *c;

	if (asprintf(&text, "%s%s", head, body) < 0)
		abort();
	diag_init(&d);
	c = cfg_load_string(text, "t.cfg", "/tmp", &d);
	for (size_t i = 0; c == NULL && i < d.n; i++)
		printf("# %s\n", d.msg[i]);
	diag_free(&d);
	free(text);
	return c;
}
