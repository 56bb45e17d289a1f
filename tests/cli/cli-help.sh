#!/bin/sh
# loaxa COMMAND --help (and -h) prints that command's usage and exits 0, for
# every command `loaxa --help` lists; and an uninstalled build finds the
# catalogs built beside it (build/locale) without LOAXA_LOCALEDIR, and says
# so when a language asked for has no catalog at all.
set -u
: "${LOAXA:?}" "${BUILD:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok - cli: $1"; }
nok() { echo "not ok - cli: $1"; sed 's/^/#   /' "$t/out" | head -10; }

"$LOAXA" --help > "$t/list" 2>&1
cmds=$(sed -n 's/^  loaxa \([a-z]*\).*/\1/p' "$t/list" | sort -u)
[ "$(echo "$cmds" | wc -w)" -ge 15 ] && ok "loaxa --help lists every command ($(echo "$cmds" | wc -w))" ||
	{ cp "$t/list" "$t/out"; nok "loaxa --help lists every command"; }
for c in $cmds; do
	case $c in publish|collect|fleet) prog=$BUILD/loaxa-office ;; *) prog=$LOAXA ;; esac
	[ -x "$prog" ] || continue
	for h in --help -h; do
		"$prog" "$c" "$h" > "$t/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && grep -q "^usage: loaxa $c" "$t/out"; then :; else
			nok "loaxa $c $h: exit $rc, expected 0 and its usage"
			continue 2
		fi
	done
	ok "loaxa $c --help and -h: its usage, exit 0"
done

# the catalogs beside the program, with no LOAXA_LOCALEDIR
unset LOAXA_LOCALEDIR
LANGUAGE= LC_ALL=C.UTF-8 "$LOAXA" report --lang vi --year 2026 --airlog "$t/none" > "$t/out" 2>&1
grep -q 'không đọc được' "$t/out" && ok "build/loaxa report --lang vi speaks Vietnamese without LOAXA_LOCALEDIR" ||
	nok "build/loaxa report --lang vi speaks Vietnamese without LOAXA_LOCALEDIR"
mkdir "$t/bin" && cp "$LOAXA" "$t/bin/loaxa"
LANGUAGE= LC_ALL=C.UTF-8 "$t/bin/loaxa" report --lang vi --year 2026 --airlog "$t/none" > "$t/out" 2>&1
grep -q 'no "vi" messages in' "$t/out" && grep -q 'cannot read the airing log folder' "$t/out" &&
	ok "a copy with no catalog anywhere says so and speaks English" ||
	nok "a copy with no catalog anywhere says so and speaks English"
