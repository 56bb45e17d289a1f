#!/bin/sh
# report --db counts relays as the board's own report does (issue 15): a
# board with a relay slot a day (and its sessions) simulates a week, uploads
# it through a real Mosquitto to `loaxa collect` (SQLite); the province
# report from the database must give the relayed airtime by relay, the
# planned and aired slots, the fallback and dropouts, and the airings,
# exactly as `loaxa report --airlog` on the board's own log. (Live records
# stored by the collector are compared the same way in fleet-live.sh.)
. "$TOP/tests/fleet-common.sh"
command -v mosquitto > /dev/null || { echo "ok - fleet report db # SKIP mosquitto is not installed (make deps)"; exit 0; }
fleet_ca
office_cfg
broker_start || { notok "fleet report db: the broker starts"; exit 1; }
sox -q -n -r 22050 -c 1 -b 16 "$tmp/t20.wav" synth 20 sine 440 vol 0.2
today=$(date +%Y-%m-%d)
from=$(date -d "$today -8 days" +%Y-%m-%d) to=$(date -d "$today -1 day" +%Y-%m-%d)
fleet_cert xa-r
board_cfg xa-r 1 'relays = ( { id = "vov1"; name = "VOV1 — Thời sự"; url = "http://127.0.0.1:9/vov1.mp3"; days = "daily";
                              start = "07:00"; minutes = 30; fallback = "silence"; },
                            { id = "vov3"; url = "http://127.0.0.1:9/vov3.mp3"; days = "sat,sun"; start = "20:00"; minutes = 20; } );'
b=$tmp/boards/xa-r
"$LOAXA" log init -c "$b/loaxa.cfg" > "$b/init" 2>&1
"$top/tests/lib-put.sh" "$b/library" "$tmp/t20.wav" tin-luat law > /dev/null
"$LOAXA" simulate -c "$b/loaxa.cfg" "$from" "$to" > /dev/null 2> "$tmp/sim.err" || notok "fleet report db: simulate" "$(cat "$tmp/sim.err")"
relays=$(grep -c '"type":"relay"' "$b"/airlog/*.jsonl | awk -F: '{ n += $NF } END { print n }')
[ "${relays:-0}" -ge 8 ] || notok "fleet report db: the simulated week has relay records" "$relays"

"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "sqlite:$tmp/fleet.sqlite" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
board_start xa-r
stored() { [ "$(status_field xa-r 's["fleet"]["acked_seq"] == s["fleet"]["log_seq"] and s["fleet"]["log_seq"] > 0')" = True ]; }
wait_for 60 stored || notok "fleet report db: the collector stores the board's log" "$(tail -5 "$b/err" "$tmp/collect.err")"
board_stop xa-r
stop_collect

"$LOAXA" report --db "sqlite:$tmp/fleet.sqlite" --from "$from" --to "$today" --format json --lang en > "$tmp/rep-db.json" 2> "$tmp/rep-db.err"
"$LOAXA" report --airlog "$b/airlog" --from "$from" --to "$today" --format json --lang en > "$tmp/rep-log.json" 2> "$tmp/rep-log.err"
if python3 - "$tmp/rep-db.json" "$tmp/rep-log.json" > "$tmp/rep.diff" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
def site(o):	# one site: the object, or the only one of "sites"
    return o["sites"][0] if "sites" in o else o
a, b = site(a), site(b)
bad = []
for k in ["by_relay", "relays", "live", "airings", "airtime_s", "planned", "missed"]:
    if a.get(k) != b.get(k):
        bad.append("%s: db %s, log %s" % (k, a.get(k), b.get(k)))
r = b.get("by_relay") or {}
if not (r.get("vov1", {}).get("planned", 0) >= 8 and r.get("vov1", {}).get("relayed_s", 0) > 0 and "vov3" in r):
    bad.append("the log's report lacks the relays: %s" % r)
print("\n".join(bad) if bad else "vov1 %s, vov3 %s, relays %s" % (r.get("vov1"), r.get("vov3"), b.get("relays")))
sys.exit(1 if bad else 0)
PY
then ok "fleet report db: report --db counts the relays as the board's own report ($(cat "$tmp/rep.diff"))"
else notok "fleet report db: report --db counts the relays as the board's own report" "$(cat "$tmp/rep.diff" "$tmp/rep-db.err")"; fi
"$LOAXA" report --db "sqlite:$tmp/fleet.sqlite" --from "$from" --to "$today" --lang en > "$tmp/rep-db.txt" 2>&1
"$LOAXA" report --airlog "$b/airlog" --from "$from" --to "$today" --lang en > "$tmp/rep-log.txt" 2>&1
grep -A12 '5a. Relayed radio' "$tmp/rep-db.txt" > "$tmp/relayed-db"
grep -A12 '5a. Relayed radio' "$tmp/rep-log.txt" > "$tmp/relayed-log"
if [ -s "$tmp/relayed-db" ] && grep -q 'VOV1' "$tmp/relayed-db" && diff -u "$tmp/relayed-log" "$tmp/relayed-db" > "$tmp/relayed.diff"; then
	ok "fleet report db: the text report from the database shows relayed radio by relay, as the board's"
else notok "fleet report db: the text report's relayed radio" "$(cat "$tmp/relayed.diff" "$tmp/relayed-db")"; fi
