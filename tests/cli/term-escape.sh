#!/bin/sh
# Outside text is shown, not obeyed (issue 18, point 11): a stick's file names
# carrying terminal escape sequences, and a title that is a spreadsheet
# formula. Every command that prints them (the receipt, library, plan, log
# show, report) shows ESC as \x1b and never writes a control byte; the CSV
# exports (log export --csv, report --format csv) write the formula cell
# neutralised with a leading quote (OWASP).
set -u
. "$TOP/tests/cli/ingest-common.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "term escape: $1"; else notok "term escape: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/out}" | head -20; fi
}
# no byte below 0x20 but TAB, LF (and CR before LF), no DEL, no C1
raw_controls() { LC_ALL=C grep -c "$(printf '[\001-\010\013\014\016-\037\177]')" "$1"; }

a=$fx/cbr64-22k-mono.mp3
board
stick
esc=$(printf '\033')
cp "$a" "$lx/${esc}]0;owned$(printf '\007')${esc}[2J tin.mp3"
cp "$fx/cbr24-8k-mono.mp3" "$lx/=HYPERLINK(\"http:,,x\",\"bam\").mp3"
ingest
check "the receipt shows the escape as text (exit $rc)" "[ $rc -eq 0 ] && grep -qF '\\x1b]0;owned\\x07\\x1b[2J tin' '$t/out' && [ \$(raw_controls '$t/out') -eq 0 ]"
"$LOAXA" library -c "$cfg" > "$t/lib" 2>&1
check "library shows it escaped" "grep -qF '\\x1b]0;owned' '$t/lib' && [ \$(raw_controls '$t/lib') -eq 0 ]" "$t/lib"
"$LOAXA" plan -c "$cfg" 2026-01-15 2026-01-16 > "$t/plan" 2>&1
check "plan shows it escaped" "grep -qF '\\x1b' '$t/plan' && [ \$(raw_controls '$t/plan') -eq 0 ]" "$t/plan"
# a day on air (the daemon's own scheduling under a virtual clock), so the log holds the titles
"$LOAXA" simulate -c "$cfg" 2026-01-16 2026-01-16 > "$t/sim" 2>&1 || notok "term escape: simulate a day" "$(head -5 "$t/sim")"
"$LOAXA" log show -c "$cfg" > "$t/log" 2>&1
check "log show shows it escaped" "grep -qF '\\x1b' '$t/log' && [ \$(raw_controls '$t/log') -eq 0 ]" "$t/log"
"$LOAXA" log export -c "$cfg" --csv > "$t/csv" 2>&1
check "log export --csv neutralises the formula cell" "grep -qF '\"'\"'\"'=HYPERLINK(' '$t/csv' && ! grep -q ',=HYPERLINK' '$t/csv' && ! grep -q ',\"=HYPERLINK' '$t/csv'" "$t/csv"
check "log export --csv keeps CRLF line ends" "[ \$(tr -cd '\\r' < '$t/csv' | wc -c) -ge 2 ] && [ \$(tr -cd '\\r' < '$t/csv' | wc -c) -eq \$(wc -l < '$t/csv') ]" "$t/csv"
"$LOAXA" report -c "$cfg" --from 2026-01-16 --to 2026-01-16 --format logbook > "$t/rep" 2>&1
check "the log book report shows it escaped" "grep -qF '\\x1b' '$t/rep' && [ \$(raw_controls '$t/rep') -eq 0 ]" "$t/rep"
"$LOAXA" report -c "$cfg" --from 2026-01-16 --to 2026-01-16 --format csv > "$t/repcsv" 2>&1
check "the CSV report has no cell that starts a formula" "! grep -qE '(^|,)\"?[=@+]' '$t/repcsv'" "$t/repcsv"
