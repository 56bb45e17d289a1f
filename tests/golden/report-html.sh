# one self-contained HTML page: the figures in it checked by report_expect.py (rendered by tests/cli/report-render.sh)
. ./report.inc
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format html > "$tmp/r.html"; echo "exit $?"
cat "$tmp/r.html"
python3 report_expect.py html "$tmp/r.html" 2026-08-27 2026-09-04 "$log"
