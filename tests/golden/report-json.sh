# the design's JSON keys on the fixture log; every figure checked against report_expect.py
. ./report.inc
"$LOAXA" report --airlog "$log" --from 2026-08-27 --to 2026-09-04 --format json > "$tmp/r.json"; echo "exit $?"
sed -e "s|$tmp|TMP|g" "$tmp/r.json"
python3 report_expect.py json "$tmp/r.json" 2026-08-27 2026-09-04 "$log"
