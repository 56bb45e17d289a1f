#!/bin/sh
# The harness itself must fail what is broken. Each case below is a
# deliberately broken pass or unit binary; the check is that CI's tally
# (.ci/tally.sh) and the runner (tests/run) count it as a failure:
#   - a pass that exits non-zero with a summary of no failures;
#   - a pass that prints "0 passed, 0 failed", or no summary at all;
#   - a pass that skips something .ci/skips does not allow (an allowed skip passes);
#   - a unit binary that stops halfway with status 0 (its plan 1..N not kept);
#   - a unit binary with no plan;
#   - a unit test whose set-up fails before its first expectation
#     (it "checked nothing"), and a REQUIRE() that fails;
#   - a fuzz corpus with no input.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok - harness: $1"; }
nok() { echo "not ok - harness: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | head -20; }

# --- CI's tally, on fake passes ---
cat > "$t/skips" <<'S'
# allowed here
fake|# SKIP this machine has no moon
S
tally() {	# tally COMMAND: "PASS FAIL" after one ci_pass of COMMAND
	(pass=0 fail=0; CI_SKIPS=$t/skips; . "$top/.ci/tally.sh"; ci_pass fake "$1" > "$t/out" 2>&1; echo "$pass $fail")
}
[ "$(tally 'echo "ok - a"; echo "3 passed, 0 failed"')" = "3 0" ] &&
    ok "ci: a good pass counts its tests and no failure" || nok "ci: a good pass counts its tests and no failure" "$t/out"
[ "$(tally 'echo "3 passed, 0 failed"; exit 2')" = "3 1" ] && grep -q 'exited 2' "$t/out" &&
    ok "ci: a pass that exits 2 with no failure counted is one failure" || nok "ci: a pass that exits non-zero is a failure" "$t/out"
[ "$(tally 'echo "0 passed, 0 failed, 0 skipped"')" = "0 1" ] && grep -q 'ran no tests' "$t/out" &&
    ok "ci: a pass with no tests is one failure" || nok "ci: a pass with no tests is one failure" "$t/out"
[ "$(tally 'echo nothing to see; exit 0')" = "0 1" ] && grep -q 'no summary' "$t/out" &&
    ok "ci: a pass with no summary line is one failure" || nok "ci: a pass with no summary line is one failure" "$t/out"
[ "$(tally 'echo "ok - moon # SKIP this machine has no moon"; echo "ok - b"; echo "1 passed, 0 failed, 1 skipped"')" = "1 0" ] &&
    ok "ci: a skip .ci/skips allows for the pass is no failure" || nok "ci: an allowed skip is no failure" "$t/out"
[ "$(tally 'echo "ok - db # SKIP mosquitto is not installed"; echo "ok - b"; echo "1 passed, 0 failed, 1 skipped"')" = "1 1" ] &&
    grep -q 'mosquitto is not installed' "$t/out" &&
    ok "ci: a skip .ci/skips does not allow is a failure, named" || nok "ci: an unexpected skip is a failure" "$t/out"
# the skips CI allows are in the tree and each names its pass in .ci/run
bad=$(grep -vE '^(#|$)' "$top/.ci/skips" | cut -d'|' -f1 | sort -u | while read -r p; do
	grep -qF "ci_pass \"$p\"" "$top/.ci/run" || echo "$p"; done)
[ -z "$bad" ] && ok "ci: every pass .ci/skips names is a pass of .ci/run" || { echo "$bad" > "$t/bad"; nok "ci: .ci/skips names passes .ci/run has not" "$t/bad"; }

# --- the runner, on broken unit binaries built against tests/unit/tap.o ---
tap=$BUILD/obj/tests/unit/tap.o
lib=$BUILD/libloaxa.a
# the link as make does it (with the sanitizers' flags in make SANITIZE=1 check: MAKEFLAGS carries them)
libs="$(make -s -C "$top" BUILD="$BUILD" print-ALL_LDFLAGS 2> /dev/null) $(make -s -C "$top" BUILD="$BUILD" print-LIBS_ALL 2> /dev/null)"
if [ ! -f "$tap" ] || [ ! -f "$lib" ] || [ -z "${libs# }" ]; then
	nok "runner: tap.o, libloaxa.a and the link flags are there (make tests)"
	exit 0
fi
mkdir -p "$t/build/tests"
unit() {	# unit NAME: builds $t/build/tests/test_NAME from the C on stdin
	cat > "$t/$1.c"
	cc -I"$top" -o "$t/build/tests/test_$1" "$t/$1.c" "$tap" "$lib" $libs 2> "$t/cc" || nok "runner: $1 builds" "$t/cc"
}
runit() {	# runit NAME: tests/run on that binary alone; its summary line
	BUILD=$t/build "$top/tests/run" "test_$1" > "$t/run.$1" 2>&1
	tail -n 1 "$t/run.$1"
}
unit halfway <<'C'
#include <stdlib.h>
#include "tests/unit/tap.h"
static void one(void) { EXPECT(1 + 1 == 2); }
static void two(void) { exit(0); }	/* leaves quietly, status 0 */
static void three(void) { EXPECT(1); }
int main(void) { tap_plan(3); TEST(one); TEST(two); TEST(three); return tap_done(); }
C
case $(runit halfway) in
*" 0 failed"*) nok "runner: a binary that exits 0 halfway fails its plan" "$t/run.halfway" ;;
*) grep -q 'planned 3 tests and ran 1' "$t/run.halfway" &&
    ok "runner: a binary that exits 0 halfway fails its plan (planned 3, ran 1)" ||
    nok "runner: a binary that exits 0 halfway fails its plan" "$t/run.halfway" ;;
esac
unit noplan <<'C'
#include "tests/unit/tap.h"
static void one(void) { EXPECT(1 + 1 == 2); }
int main(void) { TEST(one); return 0; }
C
case $(runit noplan) in
*" 0 failed"*) nok "runner: a binary with no plan fails" "$t/run.noplan" ;;
*) grep -q 'declares no plan' "$t/run.noplan" && ok "runner: a binary with no plan (1..N) fails" ||
    nok "runner: a binary with no plan fails" "$t/run.noplan" ;;
esac
unit setup <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "tests/unit/tap.h"
static void silent(void) { FILE *fp = fopen("/nonexistent/x", "r"); if (fp == NULL) return; EXPECT(fgetc(fp) != EOF); fclose(fp); }
static void required(void) { REQUIRE(fopen("/nonexistent/x", "r") != NULL); EXPECT(1); }
static void skipped(void) { SKIP("this machine has no moon"); }
static void fine(void) { EXPECT_INT(6 * 7, 42); }
int main(void) { tap_plan(4); TEST(silent); TEST(required); TEST(skipped); TEST(fine); return tap_done(); }
C
runit setup > /dev/null
grep -q '^not ok - silent' "$t/run.setup" && grep -q 'checked nothing' "$t/run.setup" &&
    ok "runner: a test whose set-up returns before any expectation fails (checked nothing)" ||
    nok "runner: a test whose set-up returns before any expectation fails" "$t/run.setup"
grep -q '^not ok - required' "$t/run.setup" && grep -q 'set-up failed: fopen' "$t/run.setup" &&
    ok "runner: a failed REQUIRE() fails the test and names the step" || nok "runner: a failed REQUIRE() fails the test" "$t/run.setup"
grep -q '^ok - skipped # SKIP this machine has no moon' "$t/run.setup" && grep -q '^ok - fine$' "$t/run.setup" &&
    grep -q '^1 passed, 2 failed, 1 skipped$' "$t/run.setup" &&
    ok "runner: SKIP() is a skip, counted apart, and a good test passes beside them" ||
    nok "runner: SKIP() is a skip and a good test passes" "$t/run.setup"

# --- an empty fuzz corpus replays nothing: it must fail ---
rp=$(ls "$BUILD"/fuzz/replay_* 2> /dev/null | head -n 1)
if [ -n "$rp" ]; then
	mkdir -p "$t/empty"
	if "$rp" "${rp##*/replay_}" > "$t/rp" 2>&1 || ! grep -q 'has no input' "$t/rp"; then
		nok "fuzz: a replay with no input fails" "$t/rp"
	else
		ok "fuzz: a replay with no input fails"
	fi
	# as tests/run calls it on an empty folder: the unexpanded pattern cannot be read
	if "$rp" "${rp##*/replay_}" "$t/empty"/* > "$t/rp" 2>&1 || ! grep -q 'cannot read' "$t/rp"; then
		nok "fuzz: a replay of an empty corpus folder fails" "$t/rp"
	else
		ok "fuzz: a replay of an empty corpus folder fails"
	fi
else
	nok "fuzz: the replay binaries are built (make tests)"
fi
