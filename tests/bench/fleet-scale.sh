#!/bin/sh
# The fleet at national scale, simulated: N boards (default 10,000) speaking
# the board's protocol from a few processes (tests/bench/fleetgen.c: one MQTT
# connection each, TLS with its own certificate, the board's subscriptions,
# records QoS 1 with its window, acks and resends, a retained status every
# 30 s; real logs, chained, MACed and sealed by the project's airlog) against
# one Mosquitto (tests/fleet-common.sh: TLS, ACL) and `loaxa collect` into
# PostgreSQL. Rows (measure|loaxa|peer|ratio|target):
#  - the collector draining a backlog of every board's records (the broker
#    kept them while it was down), records/s; peer: the same rows by COPY
#  - its lag in steady state (one airing per board every FLEET_EVERY s and
#    the statuses): from a record written on a board to the collector's ack
#    for it back at that board, p99 and max; target 5 s
#  - the broker's and the collector's CPU (share of one core) and memory over
#    that steady state
#  - a config push to every board (`loaxa publish config --province`) until
#    each has it with its signature checked, beside the broker's bare
#    fan-out of a message of the same size to the same subscribers; and until
#    the collector has stored every board's status naming the new serial
# FLEET_SCALE_BOARDS=N (BENCH_QUICK=1: 1000), FLEET_BACKLOG=K records each
# (30), FLEET_EVERY=S (30), FLEET_STEADY=S seconds of steady state (60); FLEET_PERF=FILE: a perf
# record of the collector while it drains; FLEET_DEBUG=1: what the generator and collector said.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
export TOP LOAXA
N=${FLEET_SCALE_BOARDS:-10000}
[ -n "${BENCH_QUICK:-}" ] && N=${FLEET_SCALE_BOARDS:-1000}
K=${FLEET_BACKLOG:-30} EVERY=${FLEET_EVERY:-30} STEADY=${FLEET_STEADY:-60}
GEN=$BUILD/bench/fleetgen
if ! command -v mosquitto > /dev/null || ! command -v mosquitto_pub > /dev/null || [ ! -x /usr/lib/postgresql/15/bin/initdb ] ||
    [ ! -x "$GEN" ]; then
	echo "fleet at scale: collector lag, push time|-|-|-|needs mosquitto, mosquitto-clients, postgresql (make deps) and $GEN (make bench)"
	exit 0
fi
. "$TOP/tests/fleet-common.sh"
# a connection each: the broker holds N sockets; a generator process three descriptors a board
# (libmosquitto's socket and socketpair), so the boards are shared among processes of PER each
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
fds=$(ulimit -n)
[ "$fds" = unlimited ] && fds=1000000
if [ "$fds" -lt $((N + 200)) ]; then
	N=$((fds - 200))
	capped=" (capped by ulimit -n)"
fi
capped=${capped:-}
PER=$(((fds - 200) / 3))
[ "$PER" -gt 5000 ] && PER=5000
PER=${FLEET_PER:-$PER}
say() { echo "# fleet scale: $(date +%T) $*" >&2; }
until_ok() {	# until_ok SECONDS COMMAND...
	end=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -lt "$end" ]; do "$@" && return 0; sleep 0.2; done
	return 1
}
now() { date +%s.%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
mem_mb() { awk -v k="$2" '$1 == k":" { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2> /dev/null; }
hz=$(getconf CLK_TCK)

fleet_ca
office_cfg
broker_start > /dev/null || { say "the broker does not start"; exit 0; }
pg_start > /dev/null || { say "PostgreSQL does not start"; exit 0; }
# the simulated boards' logs and keys: on tmpfs when there is one (each board's
# airlog_init syncs its key files: minutes on a disk for 10,000 boards)
gd=$(mktemp -d /dev/shm/loaxa-fleetgen.XXXXXX 2> /dev/null || mktemp -d "$tmp/gen.XXXXXX")
rm_gen() { rm -rf "$gd"; }
cleanup_hooks="rm_gen $cleanup_hooks"
records=$((K + STEADY / EVERY + 5))
say "$N boards, $records records each"
"$GEN" prepare "$gd" "$N" "$records" "$tmp/pki/ca.crt" "$tmp/pki/ca.key" || { say "fleetgen prepare failed"; exit 0; }

collect() { exec "$LOAXA" collect -c "$tmp/office.cfg" --db "$PGURL" --seeds "$gd/seeds" --keys "$gd/pubs"; }
count() { psql -X -A -t "$PGURL" -c "select count(*) from records" 2> /dev/null; }
# the collector's persistent session first, so that the broker keeps what comes while it is down
collect > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || { say "the collector does not connect"; exit 0; }
stop_collect

# --- the boards connect and send their backlog; the collector is down -----------------
gpids="" ng=0 first=0
while [ "$first" -lt "$N" ]; do
	n=$((N - first < PER ? N - first : PER))
	"$GEN" run "$gd" "$n" --first "$first" --host localhost --port "$BROKER_PORT" --ca "$tmp/pki/ca.crt" \
	    --province "$PROV" --trust "$OFFICE_PUB" --status 30 --initial "$K" --every "$EVERY" \
	    > "$tmp/gen.out.$ng" 2> "$tmp/gen.err.$ng" &
	gpids="$gpids $!" ng=$((ng + 1)) first=$((first + n))
done
stop_gen() { for p in $gpids; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done; }
cleanup_hooks="stop_gen $cleanup_hooks"
# every generator has said WHAT: its last time, or nothing
all_said() { [ "$(cat "$tmp"/gen.out.* | grep -c "^$1 ")" -ge "$ng" ]; }
last_time() { cat "$tmp"/gen.out.* | awk -v w="$1" '$1 == w && $NF > t { t = $NF } END { print t }'; }
ticks_of_gens() { t=0; for p in $gpids; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }
t_conn0=$(now)
until_ok 900 all_said connected || { say "not every board connects: $(tail -q -n 2 "$tmp"/gen.err.*)"; exit 0; }
t_conn=$(last_time connected)
published() {
	[ "$(for f in "$tmp"/gen.err.*; do sed -n 's/.* \([0-9]*\) published.*/\1/p' "$f" | tail -1; done |
	    awk '{ s += $1 } END { print s + 0 }')" -ge $((N * K)) ]
}
until_ok 300 published || say "not every backlog is published: $(tail -q -n 1 "$tmp"/gen.err.*)"
sleep 2
say "every board connected in $(awk -v a="$t_conn0" -v b="$t_conn" 'BEGIN { printf "%.1f", b - a }') s"

# --- the collector drains the backlog ----------------------------------------------------
t0=$(now)
db0=$(cpu_ticks "$broker_pid")
collect >> "$tmp/collect.out" 2>> "$tmp/collect.err" &
cpid=$!
[ -n "${FLEET_PERF:-}" ] && { perf record -q -F 2000 -g -p "$cpid" -o "$FLEET_PERF" 2> /dev/null & perfpid=$!; }
drained() { [ "$(count)" -ge $((N * K)) ]; }
until_ok 900 drained || say "stored $(count) of $((N * K))"
t1=$(now)
dcpu=$(cpu_ticks "$cpid") db1=$(cpu_ticks "$broker_pid")
[ -n "${FLEET_PERF:-}" ] && { kill -INT "$perfpid"; wait "$perfpid"; }
[ -n "${FLEET_DEBUG:-}" ] && say "drain: broker CPU $(((db1 - db0) * 100 / hz))/100 s, collector $((dcpu * 100 / hz))/100 s"
stored=$(count)
faults=$(psql -X -A -t "$PGURL" -c "select count(*) from boards where seq > 0 and (fault <> '' or macs <> 1)")
[ "$faults" = 0 ] || say "$faults boards with a verification fault or MACs not checked"
psql -X -q "$PGURL" -c "\\copy (select site, seq, type, ts, line, received from records) to '$tmp/rows.copy'"
psql -X -q "$PGURL" -c "create table peer (like records including all)"
p0=$(now)
psql -X -q "$PGURL" -c "\\copy peer from '$tmp/rows.copy'"
p1=$(now)
psql -X -q "$PGURL" -c "drop table peer"
rm -f "$tmp/rows.copy"
awk -v a="$t0" -v b="$t1" -v c="$p0" -v d="$p1" -v n="$stored" -v nb="$N" -v cap="$capped" -v cpu="$dcpu" -v hz="$hz" 'BEGIN {
	l = n / (b - a); p = n / (d - c)
	printf "collector draining %d simulated boards%s, %d records (MACs and seals checked; the collector used %.1f s of CPU)|%.0f records/s|%.0f records/s (COPY alone)|%.2fx|>= 0.6x COPY\n", nb, cap, n, cpu / hz, l, p, l / p }'

# --- steady state: airings and statuses, the collector keeping up --------------------------
for p in $gpids; do kill -USR1 "$p"; done
sleep 5
b0=$(cpu_ticks "$broker_pid") c0=$(cpu_ticks "$cpid") g0=$(ticks_of_gens) s0=$(now)
sleep "$STEADY"
b1=$(cpu_ticks "$broker_pid") c1=$(cpu_ticks "$cpid") g1=$(ticks_of_gens) s1=$(now)
brss=$(mem_mb "$broker_pid" VmRSS) bhwm=$(mem_mb "$broker_pid" VmHWM)
crss=$(mem_mb "$cpid" VmRSS) chwm=$(mem_mb "$cpid" VmHWM)
grss=0
for p in $gpids; do grss=$((grss + $(mem_mb "$p" VmRSS))); done

# --- a config push to every board, beside the broker's bare fan-out ---------------------
mkdir -p "$tmp/boards"
board_cfg xg-00001 1 > /dev/null
sed -e 's/serial = 1;/serial = 2;/' -e 's/id = "xg-00001"; name = "Xã xg-00001"/id = "cao-bang"; name = "Tỉnh"/' \
    "$tmp/boards/xg-00001/loaxa.cfg" > "$tmp/province.cfg"
serial2() { [ "$(psql -X -A -t "$PGURL" -c "select count(*) from boards where status::json->>'serial' = '2'")" -ge "$N" ]; }
t0=$(now)
"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" config "$tmp/province.cfg" --province > "$tmp/pub.out" 2>&1 \
    || say "publish: $(cat "$tmp/pub.out")"
until_ok 300 all_said config || say "not every board has serial 2: $(tail -q -n 1 "$tmp"/gen.err.*)"
until_ok 300 serial2 || say "the collector has not every board's status with serial 2"
t2=$(now)
t1=$(last_time config)
# the peer: a message as long as the config's envelope, to the same N connections (loaxa/P/live: not retained)
python3 -c "import sys; sys.stdout.write('peer' + 'x' * (int(sys.argv[1]) - 4))" \
    "$(python3 -c "import json,sys; print(len(json.dumps({'kind':'config','name':'x','serial':2,'text':open(sys.argv[1]).read(),'sig':'ed25519:'+'A'*88})))" "$tmp/province.cfg")" \
    > "$tmp/peer.msg"
p0=$(now)
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" --key "$tmp/pki/office.key" \
    -q 1 -t "loaxa/$PROV/live" -f "$tmp/peer.msg"
until_ok 300 all_said peer || say "the peer message did not reach every board"
p1=$(last_time peer)
stop_gen
# over the processes: the records summed, the largest p99 (an upper bound of the whole's) and max
lag=$(cat "$tmp"/gen.out.* | awk '$1 == "lag" { n += $2; if ($3 > a) a = $3; if ($4 > b) b = $4; if ($5 > c) c = $5 }
    END { print "lag", n, a, b, c }')
[ -n "${FLEET_DEBUG:-}" ] && { cat "$tmp"/gen.out.* >&2; tail -q -n 3 "$tmp"/gen.err.* >&2; grep -v "^$" "$tmp/collect.err" | tail -20 >&2; }
echo "$lag" | awk -v nb="$N" -v e="$EVERY" -v cap="$capped" '$2 == 0 {	# nothing acked back: no figure, and it says so
	printf "collector lag, %d simulated boards%s (an airing each every %d s, %.0f records/s, and a status each every 30 s): written on the board to acked back|no record acked back to its board during the run|-|-|< 5 s\n", nb, cap, e, nb / e; next }
    {
	printf "collector lag, %d simulated boards%s (an airing each every %d s, %.0f records/s, and a status each every 30 s): written on the board to acked back, p99 (max) over %d records|%.2f s (max %.2f s)|-|%.2fx of the target|< 5 s\n", nb, cap, e, nb / e, $2, $4 / 1000, $5 / 1000, $4 / 5000 }'
awk -v b0="$b0" -v b1="$b1" -v c0="$c0" -v c1="$c1" -v g0="$g0" -v g1="$g1" -v s0="$s0" -v s1="$s1" -v hz="$hz" \
    -v br="$brss" -v bh="$bhwm" -v cr="$crss" -v ch="$chwm" -v gr="$grss" -v nb="$N" -v st="$STEADY" -v ng="$ng" 'BEGIN {
	t = (s1 - s0) * hz
	printf "Mosquitto over %d s of that steady state, %d TLS connections: CPU (share of one core), RSS (peak)|%.0f %%, %s MB (%s MB)|-|-|-\n", st, nb, 100 * (b1 - b0) / t, br, bh
	printf "loaxa collect over the same %d s: CPU (share of one core), RSS (peak)|%.0f %%, %s MB (%s MB)|-|-|-\n", st, 100 * (c1 - c0) / t, cr, ch
	printf "the load generator over the same %d s (%d boards in %d processes): CPU, RSS|%.0f %%, %s MB|-|-|-\n", st, nb, ng, 100 * (g1 - g0) / t, gr }'
awk -v a="$t0" -v b="$t1" -v c="$t2" -v p="$p0" -v q="$p1" -v nb="$N" -v cap="$capped" 'BEGIN {
	printf "config push to %d simulated boards%s, until every board has it (signature checked)|%.2f s|%.2f s (broker fan-out of the same size to the same %d connections)|%.1fx|< 60 s\n", nb, cap, b - a, q - p, nb, (b - a) / (q - p)
	printf "config push to %d simulated boards, until the collector has stored every board status naming it|%.2f s|%.2f s (broker fan-out, as above)|%.1fx|< 60 s\n", nb, c - a, q - p, (c - a) / (q - p) }'
