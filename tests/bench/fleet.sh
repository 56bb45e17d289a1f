#!/bin/sh
# Fleet benchmarks with N boards (real loaxad processes, LOAXA_DEVICE=null),
# a real Mosquitto (TLS, per-board certificates) and a real PostgreSQL, all
# on this machine (tests/fleet-common.sh), each beside a peer in the same run:
#  - collector throughput: every board's log (DAYS simulated days each) sent
#    to the broker while `loaxa collect` is down (its persistent session
#    keeps them), then the collector started: records/s into PostgreSQL,
#    chains verified as they arrive. Peer: PostgreSQL alone taking the same
#    rows by COPY in one transaction (what the database costs).
#  - config push: `loaxa publish config --province` until every board runs
#    the new serial (its status file says so: checked, applied, plan made).
#    Peer: the same retained message fanned out by the broker to N plain
#    mosquitto_sub clients (what the transport costs).
# Rows: measure|loaxa|peer|ratio|target.
# FLEET_BOARDS=N (default 200; BENCH_QUICK=1: 20), FLEET_DAYS=D (default 60); FLEET_PERF=FILE:
# perf record of the collector while it drains the broker.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
LOAXAD=${LOAXAD:-$BUILD/loaxad}
export TOP LOAXA LOAXAD
N=${FLEET_BOARDS:-200} DAYS=${FLEET_DAYS:-60}
[ -n "${BENCH_QUICK:-}" ] && N=${FLEET_BOARDS:-20} DAYS=${FLEET_DAYS:-30}
if ! command -v mosquitto > /dev/null || ! command -v mosquitto_sub > /dev/null || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
	echo "fleet: config push and collector throughput|-|-|-|needs mosquitto, mosquitto-clients and postgresql (make deps)"
	exit 0
fi
. "$TOP/tests/fleet-common.sh"
# every loaxad holds one inotify instance, and the kernel gives a user fs.inotify.max_user_instances
# (128 on Debian): more boards than that on one machine is not a board's situation, so N is capped
# with room left for everything else the user runs, and the rows say so
capped=""
lim=$(cat /proc/sys/fs/inotify/max_user_instances 2> /dev/null || echo 100000)
used=$(find /proc/[0-9]*/fd -user "$(id -u)" -lname 'anon_inode:inotify' 2> /dev/null | wc -l)
room=$((lim - used - 24))
if [ "$N" -gt "$room" ]; then
	N=$room
	capped=" (capped by fs.inotify.max_user_instances = $lim: one per loaxad)"
fi
ulimit -n 65536 2> /dev/null || true
until_ok() {	# until_ok SECONDS COMMAND...: by the clock, however long each try takes
	end=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -lt "$end" ]; do "$@" && return 0; sleep 0.1; done
	return 1
}
say() { echo "# fleet bench: $(date +%T) $*" >&2; }

fleet_ca
office_cfg
broker_start > /dev/null || { say "the broker does not start"; exit 0; }
pg_start > /dev/null || { say "PostgreSQL does not start"; exit 0; }

# --- N boards, each with DAYS of simulated log ------------------------------------
say "$N boards, $DAYS days of log each"
sox -q -n -r 22050 -c 1 -b 16 "$tmp/t20.wav" synth 20 sine 440 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/t30.wav" synth 30 sine 550 vol 0.2
mkdir -p "$tmp/lib0"
"$TOP/tests/lib-put.sh" "$tmp/lib0" "$tmp/t20.wav" tin-luat law > /dev/null
"$TOP/tests/lib-put.sh" "$tmp/lib0" "$tmp/t30.wav" tin-xa local > /dev/null
today=$(date +%Y-%m-%d)
from=$(date -d "$today -$DAYS days" +%Y-%m-%d) to=$(date -d "$today -1 day" +%Y-%m-%d)
make_board() {
	s=$1
	STATUS_S=30 board_cfg "$s" 1
	b=$tmp/boards/$s
	cp -r "$tmp/lib0" "$b/library"
	"$LOAXA" log init -c "$b/loaxa.cfg" > "$b/init" 2>&1
	"$LOAXA" simulate -c "$b/loaxa.cfg" "$from" "$to" > /dev/null 2>&1
	# the office keeps each board's sealing seed and device key: the collector checks MACs and seals
	echo "$s $(grep -E '^  [0-9a-f]{64}$' "$b/init" | tr -d ' ')" > "$b/seed"
	echo "$s $(grep -E '^  ed25519:' "$b/init" | tr -d ' ')" > "$b/pub"
}
sites=""
i=1
while [ $i -le "$N" ]; do
	s=$(printf 'xa-%03d' $i)
	sites="$sites $s"
	fleet_cert "$s"		# one at a time: openssl's CA serial file is shared
	make_board "$s" &
	mpids="${mpids:-} $!"
	# shellcheck disable=SC2086
	[ $((i % 8)) = 0 ] && wait $mpids && mpids=""	# not a bare wait: the broker is a child too
	i=$((i + 1))
done
# shellcheck disable=SC2086
[ -n "${mpids:-}" ] && wait $mpids

# --- collector throughput -----------------------------------------------------------
cat "$tmp"/boards/*/seed > "$tmp/seeds"
cat "$tmp"/boards/*/pub > "$tmp/pubs"
collect() { exec "$LOAXA" collect -c "$tmp/office.cfg" --db "$PGURL" --seeds "$tmp/seeds" --keys "$tmp/pubs"; }
# its persistent session first, so that the broker keeps what comes while it is down
collect > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || { say "the collector does not connect"; exit 0; }
stop_collect
say "boards made"
for s in $sites; do board_start "$s"; done
sent_all() {	# every board's log is on the broker
	python3 - "$tmp/boards" <<'PY'
import json, os, sys
d = sys.argv[1]
for s in os.listdir(d):
    try:
        f = json.load(open(os.path.join(d, s, "run", "status.json")))["fleet"]
    except Exception:
        sys.exit(1)
    if f.get("state") != "connected" or f["sent_seq"] != f["log_seq"]:
        print("# %s: %s" % (s, f), file=sys.stderr) if os.environ.get("FLEET_DEBUG") else None
        sys.exit(1)
PY
}
until_ok 300 sent_all || say "not every board has sent its log"
sleep 2		# the last PUBACKs
total=0		# now: each daemon added its own records (boot, missed) to the simulated ones
for s in $sites; do total=$((total + $(cat "$tmp/boards/$s"/airlog/*.jsonl | wc -l))); done
count() { psql -X -A -t "$PGURL" -c "select count(*) from records" 2> /dev/null; }
t0=$(date +%s.%N)
collect >> "$tmp/collect.out" 2>> "$tmp/collect.err" &
cpid=$!
[ -n "${FLEET_PERF:-}" ] && { perf record -q -F 999 -g -p "$cpid" -o "$FLEET_PERF" 2> /dev/null & perfpid=$!; }
stored_all() { [ "$(count)" -ge "$total" ]; }
until_ok 600 stored_all || say "stored $(count) of $total"
t1=$(date +%s.%N)
[ -n "${FLEET_PERF:-}" ] && { kill -INT "$perfpid"; wait "$perfpid"; }
stored=$(count)
faults=$(psql -X -A -t "$PGURL" -c "select count(*) from boards where fault <> '' or macs <> 1")
[ "$faults" = 0 ] || say "$faults boards with a verification fault or MACs not checked"
# the peer: the same rows into PostgreSQL by COPY, in one transaction
psql -X -q "$PGURL" -c "\\copy (select site, seq, type, ts, line, received from records) to '$tmp/rows.copy'"
psql -X -q "$PGURL" -c "create table peer (like records including all)"
p0=$(date +%s.%N)
psql -X -q "$PGURL" -c "\\copy peer from '$tmp/rows.copy'"
p1=$(date +%s.%N)
[ -n "${FLEET_DEBUG:-}" ] && { stop_collect; tail -1 "$tmp/collect.err" >&2; }
awk -v a="$t0" -v b="$t1" -v c="$p0" -v d="$p1" -v n="$stored" -v nb="$N" -v cap="$capped" 'BEGIN {
	l = n / (b - a); p = n / (d - c)
	printf "collector into PostgreSQL, %d boards%s, %d records (chains verified)|%.0f records/s|%.0f records/s (COPY alone)|%.2fx|> 1000 records/s\n", nb, cap, n, l, p, l / p }'

# --- config push --------------------------------------------------------------------
wait_for 60 sh -c "[ \"\$(psql -X -A -t '$PGURL' -c 'select count(*) from boards where status_time > 0')\" = $N ]" || true
sed -e 's/serial = 1;/serial = 2;/' -e 's/"17:30"/"18:00"/' -e 's/id = "xa-001"; name = "Xã xa-001"/id = "cao-bang"; name = "Tỉnh"/' \
    "$tmp/boards/xa-001/loaxa.cfg" > "$tmp/province.cfg"
running_all() {
	python3 - "$tmp/boards" "$1" <<'PY'
import json, os, sys
d, want = sys.argv[1], int(sys.argv[2])
for s in os.listdir(d):
    try:
        if json.load(open(os.path.join(d, s, "run", "status.json")))["serial"] != want:
            sys.exit(1)
    except Exception:
        sys.exit(1)
PY
}
t0=$(date +%s.%N)
"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" config "$tmp/province.cfg" --province > "$tmp/pub.out" 2>&1 \
    || say "publish: $(cat "$tmp/pub.out")"
until_ok 300 running_all 2 || say "not every board runs serial 2"
t1=$(date +%s.%N)
# the peer: N subscribers to a topic, one retained message
mkdir -p "$tmp/subs"
spids=""
n0=$(wc -l < "$tmp/broker/log")
i=1
while [ $i -le "$N" ]; do
	mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" \
	    --key "$tmp/pki/office.key" -q 1 -C 1 -W 120 -t "loaxa/bench/peer" > "$tmp/subs/$i" 2> /dev/null &
	spids="$spids $!"
	i=$((i + 1))
done
subscribed() { [ "$(tail -n +$((n0 + 1)) "$tmp/broker/log" | grep -c 'New client connected')" -ge "$N" ]; }
wait_for 60 subscribed
sleep 2
p0=$(date +%s.%N)
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" \
    --key "$tmp/pki/office.key" -q 1 -r -t "loaxa/bench/peer" -f "$tmp/province.cfg"
# shellcheck disable=SC2086
wait $spids
p1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$p0" -v d="$p1" -v nb="$N" -v cap="$capped" 'BEGIN {
	l = b - a; p = d - c
	printf "config push to a province of %d boards%s, until every board runs it|%.2f s|%.2f s (broker fan-out to %d mosquitto_sub)|%.1fx|< 60 s\n", nb, cap, l, p, nb, l / p }'
