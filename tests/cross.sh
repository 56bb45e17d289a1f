#!/bin/sh
# The boards' builds: loaxa cross-compiled for armhf and arm64 with Debian's
# cross toolchains and multiarch -dev packages, and the unit tests (and the
# fuzz corpora replays) run on the ARM binaries under qemu-user.
#   tests/cross.sh [ARCH...]      (default: armhf arm64)
# Needs `make deps-cross` (tests/deps.sh --cross) once: a big download, so
# it is not part of `make check`. Prints ok / not ok lines and ends with
# "N passed, N failed"; exits non-zero when anything failed.
#
# qemu is called directly (qemu-arm, qemu-aarch64): no binfmt_misc
# registration is needed, which containers and CI runners often lack. The
# multiarch libc6:ARCH puts the ARM dynamic loader at /lib, and the tests'
# fixture paths (TOP, compiled in) are the same paths here, so nothing is
# copied. Tests that shell out (fixtures.sh) run the host's tools.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
archs=${*:-armhf arm64}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
results=$out/results
: > "$results"
export LC_ALL=C.UTF-8 LANGUAGE= TZ=Asia/Ho_Chi_Minh
export LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp"

report() {	# report STATUS NAME [DIAG-FILE]
	if [ "$1" = ok ]; then echo "ok - $2"; else echo "not ok - $2"; [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | tail -30; fi
	echo "$1" >> "$results"
}

# the size a board must hold: target 300 KiB for loaxad on armhf
SIZE_LIMIT_KIB=300

# What qemu-user (or a 32-bit library) cannot show, as ARCH|TEST|TEXT-IN-ITS-
# DIAGNOSTIC|WHY. Such a failure is reported as "ok - ... # SKIP WHY" only
# when its diagnostic holds the text, so any other failure of the same test
# still fails. Bookworm's qemu is 7.2, which has no openat2(2) (it came to
# qemu-user in 9.1): the stick is then read through the fallback walk
# (intake/ingest.c), as on a board under systemd's RestrictSUIDSGID=, so the
# tests that read sticks and fetched sets run here too.
known=$out/known
: > "$known"
cat >> "$known" <<'EOF2'
*|ingest: limits that cannot be set (setrlimit denied, as a unit's filter may) fail the file, closed|seccomp filter could not be installed here|qemu-user cannot install a seccomp filter (the test's own set-up)
*|ingest: the stick's paths are opened beneath it: links and escapes refused (ELOOP, EXDEV), with openat2 and without it (ENOSYS: systemd's RestrictSUIDSGID)|seccomp filter could not be installed here|qemu-user cannot install a seccomp filter (the test's own set-up of the second round; the first ran, through the fallback, as qemu 7.2 has no openat2)
*|ingest: a decoder out of memory in the child fails the file, not the caller|big.mp3|qemu-user ignores setrlimit(RLIMIT_AS) (it would limit qemu itself)
armhf|bad_files_are_refused_naming_the_file_and_what_to_do|endless.mp3: opened|32-bit libmpg123 (off_t of 32 bits inside) cannot hold a length of 117 hours: the file is still refused, when decoding ends short, as "ends early ... copy it again" instead of "split it"
EOF2
set --

known_why() {	# known_why ARCH NAME DIAG-FILE: prints WHY for a known failure
	while IFS='|' read -r a n txt why; do
		[ "$a" = '*' ] || [ "$a" = "$1" ] || continue
		[ "$n" = "$2" ] || continue
		grep -qF -- "$txt" "$3" && { echo "$why"; return 0; }
	done < "$known"
	return 1
}

for arch in $archs; do
	case $arch in
	armhf) cross=arm-linux-gnueabihf- qemu=qemu-arm ;;
	arm64) cross=aarch64-linux-gnu- qemu=qemu-aarch64 ;;
	*) report fail "$arch: unknown architecture (armhf or arm64)"; continue ;;
	esac
	b=build/$arch
	if ! command -v "${cross}gcc" > /dev/null || ! command -v "${cross}pkg-config" > /dev/null; then
		report fail "$arch: no ${cross}gcc or ${cross}pkg-config (run make deps-cross)"
		continue
	fi
	if ! command -v "$qemu" > /dev/null; then
		report fail "$arch: no $qemu (run make deps-cross: qemu-user)"
		continue
	fi
	t0=$(date +%s)
	if make -s -j"$(nproc)" CROSS="$cross" tests > "$out/build" 2>&1; then
		if grep -q 'warning:' "$out/build"; then
			report fail "$arch: the cross build has compiler warnings" "$out/build"
		else
			report ok "$arch: cross build with ${cross}gcc, no warnings ($(($(date +%s) - t0)) s)"
		fi
	else
		report fail "$arch: cross build failed" "$out/build"
		continue
	fi
	# what was built is for the board, not for this machine
	if file -b "$b/loaxad" 2> /dev/null | grep -q ARM || od -An -tx1 -j18 -N2 "$b/loaxad" | grep -Eq '28 00|b7 00'; then
		report ok "$arch: loaxad is an ARM executable"
	else
		report fail "$arch: $b/loaxad is not an ARM executable"
	fi
	"${cross}strip" -o "$b/loaxad.stripped" "$b/loaxad"
	"${cross}strip" -o "$b/loaxa.stripped" "$b/loaxa"
	kib=$(( $(stat -c %s "$b/loaxad.stripped") / 1024 ))
	tkib=$(( $(stat -c %s "$b/loaxa.stripped") / 1024 ))
	if [ "$arch" != armhf ] || [ "$kib" -lt "$SIZE_LIMIT_KIB" ]; then
		report ok "$arch: stripped loaxad $kib KiB, loaxa $tkib KiB"
	else
		report fail "$arch: stripped loaxad is $kib KiB, over $SIZE_LIMIT_KIB KiB"
	fi
	# loaxad starts under qemu and says what it is (its usage: exit 2, nothing else)
	if "$qemu" "$b/loaxad" -x > "$out/u" 2>&1; [ $? -eq 2 ] && grep -q 'loaxad \[-c CFG\]' "$out/u"; then
		report ok "$arch: loaxad runs under $qemu"
	else
		report fail "$arch: loaxad does not run under $qemu" "$out/u"
	fi
	# a board's build has no office commands (OFFICE=0) and says where they run
	if [ ! -e "$b/loaxa-office" ] && { LC_ALL=C.UTF-8 LANGUAGE= "$qemu" "$b/loaxa" collect --db sqlite:/nonexistent > "$out/u" 2>&1; [ $? -eq 2 ]; } &&
	    grep -q "not in a board's build" "$out/u"; then
		report ok "$arch: loaxa collect on a board says the office's commands run at the office"
	else
		report fail "$arch: loaxa collect on a board says the office's commands run at the office" "$out/u"
	fi
	# the unit tests, each line prefixed with the architecture
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] || continue
		BUILD=$top/$b LOAXA_LOCALEDIR=$top/$b/locale "$qemu" "$t" > "$out/u" 2>&1; rc=$?
		unknown=0
		# each test's lines: "ok - NAME" or "not ok - NAME" then its "#" diagnostics
		awk -v d="$out/t." '/^(ok|not ok) - /{n++} {print > (d n)}' "$out/u"
		for part in "$out"/t.*; do
			[ -f "$part" ] || continue
			line=$(head -n 1 "$part")
			case $line in
			"ok - "*"# SKIP"*) echo "ok - $arch: ${line#ok - }"; echo skip >> "$results" ;;
			"ok - "*) report ok "$arch: ${line#ok - }" ;;
			"not ok - "*)
				name=${line#not ok - }
				if why=$(known_why "$arch" "$name" "$part"); then
					echo "ok - $arch: $name # SKIP $why"
					echo skip >> "$results"
				else
					report fail "$arch: $name" "$part"
					unknown=1
				fi ;;
			esac
			rm -f "$part"
		done
		if [ $rc -ne 0 ] && [ $unknown -eq 0 ] && ! grep -q '^not ok - ' "$out/u"; then
			report fail "$arch: $(basename "$t") exited with status $rc under $qemu" "$out/u"
		fi
		# its plan (1..N) against what it ran, as tests/run checks it
		plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out/u" | head -n 1)
		ran=$(grep -cE '^(ok|not ok) - ' "$out/u")
		if [ -z "$plan" ] || [ "$ran" -lt "$plan" ]; then
			report fail "$arch: $(basename "$t") planned ${plan:-no} tests and ran $ran under $qemu" "$out/u"
		fi
	done
	# every committed fuzz input, replayed on the ARM build
	for t in "$b"/fuzz/replay_*; do
		[ -x "$t" ] || continue
		name=${t##*/replay_}
		if "$qemu" "$t" "$name" "$top/tests/fuzz/corpus/$name"/* > "$out/f" 2>&1; then
			report ok "$arch: $(sed -n 's/^ok - //p' "$out/f")"
		else
			report fail "$arch: replay $name corpus crashed" "$out/f"
		fi
	done
done

pass=$(grep -c '^ok$' "$results")
fail=$(grep -c '^fail$' "$results")
skip=$(grep -c '^skip$' "$results")
# the last line as tests/run prints it: a skip is an "ok - ... # SKIP" line, counted apart
echo "# $skip of them skipped: what qemu-user or a 32-bit library cannot show, each named above"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
