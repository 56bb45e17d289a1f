# the text report, Vietnamese by default, with -c (the config's paths.airlog); figures checked by report_expect.py
. ./report.inc
"$LOAXA" report -c "$cfg" --from 2026-08-27 --to 2026-09-04 > "$tmp/r.txt"; echo "exit $?"
cat "$tmp/r.txt"
python3 report_expect.py text "$tmp/r.txt" 2026-08-27 2026-09-04 "$log"
