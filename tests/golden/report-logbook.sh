# the weekly broadcast log book: every airing and every planned airing not aired, by ISO week
. ./report.inc
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format logbook > "$tmp/r.txt"; echo "exit $?"
cat "$tmp/r.txt"
python3 report_expect.py logbook "$tmp/r.txt" 2026-08-27 2026-09-04 "$log"
