# CSV, one row per figure, UTF-8 with a BOM and CRLF; figures checked by report_expect.py
. ./report.inc
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format csv > "$tmp/r.csv"; echo "exit $?"
head -c 3 "$tmp/r.csv" | od -An -tx1
grep -c "$(printf '\r')\$" "$tmp/r.csv"
tr -d '\r' < "$tmp/r.csv"
python3 report_expect.py csv "$tmp/r.csv" 2026-08-27 2026-09-04 "$log"
