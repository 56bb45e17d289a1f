# --no-verify reads only what the range needs (other days' files: their config records and the log's
# last record) and gives the same figures; the report says it was not verified
. ./report.inc
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-08-28 --no-verify --lang en > "$tmp/r.txt"; echo "exit $?"
sed -n '1,6p' "$tmp/r.txt"
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-08-28 --no-verify --format json > "$tmp/r.json"
python3 -c 'import json,sys; print("integrity:", json.load(open(sys.argv[1]))["integrity"])' "$tmp/r.json"
python3 report_expect.py json "$tmp/r.json" 2026-08-27 2026-08-28 "$log"
"$LOAXA" report --airlog "$log" --from 2026-09-03 --to 2026-09-04 --no-verify --format json > "$tmp/r.json"
python3 report_expect.py json "$tmp/r.json" 2026-09-03 2026-09-04 "$log"
