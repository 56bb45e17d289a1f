#!/bin/sh
# A board runs under vi_VN.UTF-8, where the decimal mark is a comma: what
# loaxa writes (reports in every format, the plan) must be the same byte for
# byte as under the C locale, or an HTML chart gets x="378,0" and no browser
# draws it. The locale is built with localedef into a temporary LOCPATH.
set -u
: "${LOAXA:?}" "${TOP:?}"
cd "$TOP/tests/golden" || exit 1
. ./report.inc	# $tmp, $log (the report fixture), $cfg

ok() { echo "ok - locale: $1"; }
nok() { echo "not ok - locale: $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -20; }

mkdir -p "$tmp/loc"
if ! localedef -i vi_VN -f UTF-8 "$tmp/loc/vi_VN.UTF-8" > "$tmp/localedef.out" 2>&1; then
	nok "localedef vi_VN.UTF-8 (the locales package: make deps)" "$tmp/localedef.out"
	exit 1
fi
vi() { LOCPATH=$tmp/loc LC_ALL=vi_VN.UTF-8 "$@"; }
# the test means something only if the locale really writes 1,5
[ "$(vi /usr/bin/printf '%.1f' 1,5 2> /dev/null)" = "1,5" ] && ok "vi_VN.UTF-8 writes one and a half as 1,5" ||
	nok "vi_VN.UTF-8 writes one and a half as 1,5"

for f in html json csv text logbook; do
	"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format $f > "$tmp/c.$f" 2>&1
	vi "$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format $f > "$tmp/vi.$f" 2>&1
	if [ -s "$tmp/c.$f" ] && diff "$tmp/c.$f" "$tmp/vi.$f" > "$tmp/d" 2>&1; then
		ok "report --format $f is the same under vi_VN.UTF-8"
	else
		nok "report --format $f is the same under vi_VN.UTF-8" "$tmp/d"
	fi
done
"$LOAXA" plan -c "$cfg" 2026-09-01 2026-09-03 --tsv > "$tmp/c.plan" 2>&1
vi "$LOAXA" plan -c "$cfg" 2026-09-01 2026-09-03 --tsv > "$tmp/vi.plan" 2>&1
if grep -q "06:00" "$tmp/c.plan" && diff "$tmp/c.plan" "$tmp/vi.plan" > "$tmp/d" 2>&1; then
	ok "plan --tsv is the same under vi_VN.UTF-8"
else
	nok "plan --tsv is the same under vi_VN.UTF-8" "$tmp/d"
fi
