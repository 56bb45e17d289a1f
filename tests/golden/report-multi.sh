# a district report: two communes, one row each and the totals; the second log has only run 2
. ./report.inc
mkdir -p "$tmp/dan-chu"
site_cfg cb-dan-chu "Xã Dân Chủ" "$tmp/dan-chu" "$tmp/dan-chu/a.cfg"
sed -e 's/^serial  = 2026011501;/serial  = 2026083101;/' \
	-e 's|^  { id = "morning"; days = "mon-sun"; start = "06:00"; minutes = 15; },|&\n  { id = "trua"; days = "mon-sun"; start = "12:00"; minutes = 5; topics = [ "local" ]; },|' \
	"$tmp/dan-chu/a.cfg" > "$tmp/dan-chu/b.cfg"
"$LOAXA" simulate -c "$tmp/dan-chu/b.cfg" 2026-09-01 2026-09-04 > /dev/null 2>&1
log2=$tmp/dan-chu/airlog
"$LOAXA" report --airlog "$log" --airlog "$log2" --from 2026-08-27 --to 2026-09-04 > "$tmp/r.txt"; echo "exit $?"
cat "$tmp/r.txt"
"$LOAXA" report --airlog "$log" --airlog "$log2" --from 2026-08-27 --to 2026-09-04 --format json > "$tmp/r.json"
echo "sites: $(python3 -c 'import json,sys; print([s["site"] for s in json.load(open(sys.argv[1]))["sites"]])' "$tmp/r.json")"
python3 report_expect.py json "$tmp/r.json" 2026-08-27 2026-09-04 "$log" "$log2"
"$LOAXA" report --airlog "$log" --airlog "$log2" --from 2026-08-27 --to 2026-09-04 --format csv > "$tmp/r.csv"
python3 report_expect.py csv "$tmp/r.csv" 2026-08-27 2026-09-04 "$log" "$log2"
"$LOAXA" report --airlog "$log" --airlog "$log2" --from 2026-08-27 --to 2026-09-04 --format html > "$tmp/r.html"
grep -c '<tr' "$tmp/r.html"
python3 report_expect.py html "$tmp/r.html" 2026-08-27 2026-09-04 "$log" "$log2"
