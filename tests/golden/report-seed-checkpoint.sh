# with the sealing seed the MACs are checked; with the export's checkpoint a log cut short is found
. ./report.inc
seed=$(sed -n 's/.*; seed \([0-9a-f]*\) .*/\1/p' "$tmp/hoa-an/sim1.err")
"$LOAXA" log export -c "$tmp/hoa-an/b.cfg" --out "$tmp/export" > /dev/null; echo "export: exit $?"
"$LOAXA" report --airlog "$tmp/export" --from 2026-08-27 --to 2026-09-04 --seed "$seed" --checkpoint "$tmp/export/checkpoint.json" > "$tmp/r.txt"; echo "exit $?"
sed -n '4,7p' "$tmp/r.txt"
echo "$seed" | "$LOAXA" report --airlog "$tmp/export" --from 2026-08-27 --to 2026-09-04 --seed - --format json | python3 -c 'import json,sys; o=json.load(sys.stdin); print("integrity:", o["integrity"], "macs_checked:", o["verification"]["macs_checked"])'
# cut the export's last two records (the day's last airing and the export's seal): only the checkpoint can tell
last=$(ls "$tmp/export"/*.jsonl | tail -n 1)
head -n -2 "$last" > "$tmp/cut" && cat "$tmp/cut" > "$last"
"$LOAXA" report --airlog "$tmp/export" --from 2026-08-27 --to 2026-09-04 --seed "$seed" > /dev/null; echo "without the checkpoint: exit $?"
"$LOAXA" report --airlog "$tmp/export" --from 2026-08-27 --to 2026-09-04 --seed "$seed" --checkpoint "$tmp/export/checkpoint.json" > "$tmp/r.txt"; echo "with it: exit $?"
sed -n '4,8p' "$tmp/r.txt" | sed 's/lúc [0-9T:+-]* /lúc TS /'
# a wrong seed: the first record's MAC
"$LOAXA" report --airlog "$tmp/export" --from 2026-08-27 --to 2026-09-04 --seed 0000000000000000000000000000000000000000000000000000000000000000 | sed -n 4p
# usage: one seed per log
"$LOAXA" report --airlog "$log" --airlog "$log" --half 2026H2 --seed "$seed"; echo "exit $?"
"$LOAXA" report --airlog "$log" --half 2026H7; echo "exit $?"
"$LOAXA" report --airlog "$log" --half 2026H2 --year 2026; echo "exit $?"
"$LOAXA" report --airlog "$log" --from 2026-09-04 --to 2026-09-01; echo "exit $?"
"$LOAXA" report --airlog "$log" --half 2026H2 --format pdf; echo "exit $?"
"$LOAXA" report --airlog "$tmp/nowhere" --half 2026H2 2> /dev/null; echo "a log that is not there: exit $?"
