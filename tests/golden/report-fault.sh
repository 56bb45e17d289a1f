# a copy of the log with one byte changed (a title, 2026-09-03) still reports: the fault at the top,
# the records from the edited one on counted apart as unverified; exit 1
. ./report.inc
cp -r "$log" "$tmp/bad"
python3 - "$tmp/bad/2026-09-03.jsonl" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
i = next(k for k, l in enumerate(lines) if b'"type":"airing"' in l and "Quy định".encode() in l)
lines[i] = lines[i].replace("Quy định".encode(), "Quy đinh".encode(), 1)
open(p, "wb").write(b"\n".join(lines))
import json
print("edited record", json.loads(lines[i])["seq"])
PY
seq=$(python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if "Quy đinh" in r.get("title", ""): print(r["seq"])' "$tmp/bad/2026-09-03.jsonl")
"$LOAXA" report --airlog "$tmp/bad" --from 2026-08-27 --to 2026-09-04 > "$tmp/r.txt"; echo "exit $?"
sed -n '1,14p' "$tmp/r.txt"
"$LOAXA" report --airlog "$tmp/bad" --from 2026-08-27 --to 2026-09-04 --format json > "$tmp/r.json"; echo "exit $?"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print("integrity:", o["integrity"]); print("unverified:", o["unverified"])' "$tmp/r.json"
python3 report_expect.py json "$tmp/r.json" 2026-08-27 2026-09-04 --unverified-from "$seq" "$tmp/bad"
"$LOAXA" report --airlog "$tmp/bad" --from 2026-08-27 --to 2026-09-04 --format logbook | grep -c "\[chưa xác minh\]"
# with the intact log beside it: the district report says which log, exit 1
"$LOAXA" report --airlog "$log" --airlog "$tmp/bad" --from 2026-08-27 --to 2026-09-04 --format json > "$tmp/r2.json"; echo "exit $?"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print("integrity:", o["integrity"]); print([(s["site"], s["integrity"][:40]) for s in o["sites"]])' "$tmp/r2.json"
