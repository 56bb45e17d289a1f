#!/bin/sh
# The fleet end to end, with a real Mosquitto (TLS, per-board certificates,
# ACL) and a real PostgreSQL on loopback, three real loaxad processes
# (LOAXA_DEVICE=null), and `loaxa collect`:
#   - boards xa-a and xa-b start with a simulated week of log; the broker is
#     killed (SIGKILL) while they upload and restarted; then board xa-b
#     loses power (SIGKILL) and so does the collector, and both restart
#   - board xa-c stays off for its simulated week, then connects
#   - a config for the whole province (serial 2) is published: every board
#     runs it, each with its own site, paths and credentials kept
#   - every record of every log is in the database exactly once, and the
#     province report from the database equals the sum of the boards' own
#     reports (the JSON figures)
. "$TOP/tests/fleet-common.sh"
command -v mosquitto > /dev/null || { echo "ok - fleet upload # SKIP mosquitto is not installed (make deps)"; exit 0; }
[ -x "$PGBIN/initdb" ] || { echo "ok - fleet upload # SKIP PostgreSQL 15 is not installed (make deps)"; exit 0; }
fleet_ca
office_cfg
broker_start || { notok "fleet: the broker starts"; exit 1; }
pg_start || { notok "fleet: PostgreSQL starts"; exit 1; }

sox -q -n -r 22050 -c 1 -b 16 "$tmp/t20.wav" synth 20 sine 440 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/t30.wav" synth 30 sine 550 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/t40.wav" synth 40 sine 660 vol 0.2
today=$(date +%Y-%m-%d)
from=$(date -d "$today -8 days" +%Y-%m-%d) to=$(date -d "$today -1 day" +%Y-%m-%d)
sites="xa-a xa-b xa-c"
for s in $sites; do
	fleet_cert "$s"
	board_cfg "$s" 1
	b=$tmp/boards/$s
	"$LOAXA" log init -c "$b/loaxa.cfg" > "$b/init" 2>&1
	"$top/tests/lib-put.sh" "$b/library" "$tmp/t20.wav" tin-luat law > /dev/null
	"$top/tests/lib-put.sh" "$b/library" "$tmp/t30.wav" tin-gia counterfeit > /dev/null
	"$top/tests/lib-put.sh" "$b/library" "$tmp/t40.wav" tin-xa local > /dev/null
	"$LOAXA" simulate -c "$b/loaxa.cfg" "$from" "$to" > /dev/null 2>&1 || notok "simulate $s"
done

"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "$PGURL" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || notok "fleet: the collector connects" "$(cat "$tmp/collect.err")"

board_start xa-a
board_start xa-b
sleep 0.3
broker_kill
# while the broker is gone a board waits (backoff), it does not spin: CPU ticks over 2 s
sleep 1
cpu() { awk '{ print $14 + $15 }' "/proc/$(cat "$tmp/boards/$1/pid")/stat"; }
c0=$(cpu xa-a); sleep 2; c1=$(cpu xa-a)
[ $((c1 - c0)) -lt 20 ] && ok "fleet: a board whose broker is gone waits without spinning ($((c1 - c0)) ticks in 2 s)" \
    || notok "fleet: a board whose broker is gone spins" "$((c1 - c0)) CPU ticks in 2 s; $(tail -3 "$tmp/boards/xa-a/err")"
broker_start || notok "fleet: the broker restarts"
# a board loses power (SIGKILL) and the collector dies while records flow; both come back
sleep 0.5
kill -9 "$(cat "$tmp/boards/xa-b/pid")" "$cpid" 2> /dev/null
wait "$cpid" 2> /dev/null
sleep 0.5
board_start xa-b
"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "$PGURL" >> "$tmp/collect.out" 2>> "$tmp/collect.err" &
cpid=$!
board_start xa-c

# a config for the whole province, as the office writes it (its own site group, which boards ignore)
sed -e 's/serial = 1;/serial = 2;/' -e 's/"17:30"/"18:00"/' -e 's/id = "xa-a"; name = "Xã xa-a"/id = "cao-bang"; name = "Tỉnh"/' \
    "$tmp/boards/xa-a/loaxa.cfg" > "$tmp/province.cfg"
"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" config "$tmp/province.cfg" --province > "$tmp/pub.out" 2>&1 \
    || notok "fleet: loaxa publish config --province" "$(cat "$tmp/pub.out")"
all_serial() { for s in $sites; do [ "$(status_field "$s" 's["serial"]')" = 2 ] || return 1; done; }
if wait_for 30 all_serial; then ok "fleet: a province config reaches every board and each runs it (serial 2)"
else notok "fleet: a province config reaches every board" "$(for s in $sites; do cat "$tmp/boards/$s/run/status.json"; cat "$tmp/boards/$s/err"; done)"; fi
kept=1
for s in $sites; do grep -q "id = \"$s\"" "$tmp/boards/$s/loaxa.cfg" && grep -q "18:00" "$tmp/boards/$s/loaxa.cfg" || kept=0; done
[ $kept = 1 ] && ok "fleet: each board kept its own site id and took the province's timetable" \
    || notok "fleet: each board kept its own site" "$(cat "$tmp/boards/xa-b/loaxa.cfg")"

all_acked() {
	for s in $sites; do
		l=$(status_field "$s" 's["fleet"]["log_seq"]'); a=$(status_field "$s" 's["fleet"]["acked_seq"]')
		[ -n "$l" ] && [ "$l" = "$a" ] || return 1
	done
}
if wait_for 60 all_acked; then ok "fleet: every board's log is acknowledged by the collector (the broker, a board and the collector killed during the upload)"
else notok "fleet: every board's log acknowledged" "$(for s in $sites; do cat "$tmp/boards/$s/run/status.json"; done; tail "$tmp/collect.err")"; fi

# exactly once: the database holds seq 1..N of each log, each once, the same bytes
once=1
for s in $sites; do
	b=$tmp/boards/$s
	cat "$b"/airlog/*.jsonl > "$b/all.jsonl"
	n=$(wc -l < "$b/all.jsonl")
	psql -X -A -t "$PGURL" -c "select count(*), count(distinct seq), min(seq), max(seq) from records where site='$s'" > "$b/db.count"
	[ "$(cat "$b/db.count")" = "$n|$n|1|$n" ] || { once=0; echo "# $s: log has $n lines, db: $(cat "$b/db.count")"; }
	psql -X -A -t "$PGURL" -c "select line from records where site='$s' order by seq" > "$b/db.jsonl"
	cmp -s "$b/db.jsonl" "$b/all.jsonl" || { once=0; echo "# $s: the stored lines differ from the log"; }
	da=$(grep -c '"type":"airing"' "$b/all.jsonl"); db=$(grep -c '"type":"airing"' "$b/db.jsonl")
	[ "$da" = "$db" ] && [ "$da" -gt 0 ] || { once=0; echo "# $s: $da airings in the log, $db stored"; }
done
[ $once = 1 ] && ok "fleet: every record of every log is stored exactly once, byte for byte" || notok "fleet: records stored exactly once"
psql -X -A -t "$PGURL" -c "select site, fault from boards where fault <> ''" > "$tmp/faults"
[ -s "$tmp/faults" ] && notok "fleet: the collector verified every chain" "$(cat "$tmp/faults")" \
    || ok "fleet: the collector verified every board's chain and seals as records arrived"

# the province report from the database = the sum of the boards' own reports
"$LOAXA" report --db "$PGURL" --from "$from" --to "$today" --format json --lang en > "$tmp/rep-db.json" 2> "$tmp/rep-db.err"
"$LOAXA" report --airlog "$tmp/boards/xa-a/airlog" --airlog "$tmp/boards/xa-b/airlog" --airlog "$tmp/boards/xa-c/airlog" \
    --from "$from" --to "$today" --format json --lang en > "$tmp/rep-logs.json" 2> "$tmp/rep-logs.err"
if python3 - "$tmp/rep-db.json" "$tmp/rep-logs.json" > "$tmp/rep.diff" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
keys = ["airings", "airtime_s", "bulletins", "planned", "missed", "by_topic", "by_period", "by_month", "sessions", "outcomes"]
bad = []
for k in keys:
    if a.get(k) != b.get(k):
        bad.append("totals %s: db %s, logs %s" % (k, a.get(k), b.get(k)))
sa = {s["site"]: s for s in a["sites"]}; sb = {s["site"]: s for s in b["sites"]}
if sorted(sa) != sorted(sb):
    bad.append("sites: %s vs %s" % (sorted(sa), sorted(sb)))
for s in sb:
    for k in keys:
        if sa.get(s, {}).get(k) != sb[s].get(k):
            bad.append("%s %s: db %s, logs %s" % (s, k, sa.get(s, {}).get(k), sb[s].get(k)))
if a["airings"] <= 0:
    bad.append("no airings at all")
print("\n".join(bad) if bad else "airings %d, airtime %d s" % (a["airings"], a["airtime_s"]))
sys.exit(1 if bad else 0)
PY
then ok "fleet: the province report from PostgreSQL equals the sum of the boards' own reports ($(cat "$tmp/rep.diff"))"
else notok "fleet: the province report from PostgreSQL equals the boards' reports" "$(cat "$tmp/rep.diff" "$tmp/rep-db.err")"; fi

"$LOAXA" fleet status -c "$tmp/office.cfg" --db "$PGURL" > "$tmp/fstatus" 2>&1
grep -q '^xa-c ' "$tmp/fstatus" && ok "fleet: loaxa fleet status lists every board" || notok "fleet status" "$(cat "$tmp/fstatus")"
