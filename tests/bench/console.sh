#!/bin/sh
# Console benchmark (issue 16): `loaxa-office serve` over a real PostgreSQL
# holding N boards (default 1,000, CONSOLE_BOARDS) with 200 stored records
# each, and a real Mosquitto and `loaxa-office collect` for the live path:
#  - the fleet page's server time, p95 over 50 loads by a logged-in admin
#    (curl's time to the last byte on loopback), beside the database's own
#    time for the page's query (EXPLAIN ANALYZE of the same SELECT): what
#    the console adds to the store;
#  - from a board's status published to the broker to the browser's event
#    (an events stream read by a client here, timestamped as each line
#    arrives), over 10 status changes, beside the stream's own look period
#    (1 s): what the collector and the store add to it;
#  - serve's memory after all of it, beside its memory at start (and its
#    peak, which is a login's Argon2id: 64 MiB each, MAX_HASHING at once).
# Rows: measure|loaxa|peer|ratio|target.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
export TOP LOAXA
N=${CONSOLE_BOARDS:-1000}
[ -n "${BENCH_QUICK:-}" ] && N=${CONSOLE_BOARDS:-100}
if ! command -v mosquitto > /dev/null || [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x "$BUILD/loaxa-office" ]; then
	echo "console: fleet page with $N boards|-|-|-|needs mosquitto, postgresql and loaxa-office (make deps; make)"
	exit 0
fi
. "$TOP/tests/fleet-common.sh"
. "$TOP/tests/console/common.sh"
fleet_ca
fleet_cert xa-00001
broker_start || { echo "console: the broker did not start" >&2; exit 1; }
pg_start || { echo "console: PostgreSQL did not start" >&2; exit 1; }
office_cfg
DB=$PGURL
"$OFFICE" fleet status --db "$DB" > /dev/null 2>&1	# the store's tables
now=$(date +%s)
sql "$DB" "INSERT INTO boards (site, province, seq, status_time, status)
    SELECT 'xa-' || lpad(i::text, 5, '0'), 'cao-bang', 200, $now,
      '{\"state\":\"idle\",\"serial\":2026120101,\"version\":\"1\",\"disk_free_mb\":700,\"clock\":\"synced\",\"district\":\"d' || (i % 10) || '\",\"log_seq\":200}'
    FROM generate_series(1, $N) AS i"
sql "$DB" "INSERT INTO records (site, seq, type, ts, line, received)
    SELECT 'xa-' || lpad(i::text, 5, '0'), s, CASE WHEN s % 10 = 0 THEN 'missed' ELSE 'airing' END,
      '2026-12-01T06:00:00+07:00',
      '{\"seq\":' || s || ',\"type\":\"airing\",\"start\":\"2026-12-01T06:00:00+07:00\",\"title\":\"Bản tin ' || s || '\",\"outcome\":\"complete\"}', $now
    FROM generate_series(1, $N) AS i, generate_series(1, 200) AS s"
sql "$DB" "ANALYZE"
DBHOLD=$DB
user_add admin1 admin 'correct horse battery' > /dev/null
"$OFFICE" collect -c "$tmp/office.cfg" --insecure --db "$DB" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || { echo "console: the collector did not connect" >&2; exit 1; }
console_start "$DB" || exit 1
rss0=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$console_pid/status")
login "$tmp/jar" admin1 'correct horse battery' > /dev/null

# --- the fleet page -------------------------------------------------------------------------
get "$tmp/jar" / > /dev/null	# warm
rows=$(grep -o '<tr data-site=' "$tmp/body" | wc -l)
for i in $(seq 50); do
	curl -s -o /dev/null -w '%{time_total}\n' -b "$tmp/jar" "$CONSOLE/"
done | sort -n > "$tmp/times"
p95=$(awk '{ a[NR] = $1 } END { i = int(NR * 0.95 + 0.999); print a[i] * 1000 }' "$tmp/times")
q=$(sql "$DB" "EXPLAIN ANALYZE SELECT site, seq, fault_seq, fault, macs, status_time, status, (SELECT line FROM records r
    WHERE r.site = boards.site AND r.type = 'airing' ORDER BY r.seq DESC LIMIT 1) FROM boards ORDER BY site" |
    sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p')

# --- a board's status to the browser's event ---------------------------------------------
tls="--cafile $tmp/pki/ca.crt --cert $tmp/pki/xa-00001.crt --key $tmp/pki/xa-00001.key -h localhost -p $BROKER_PORT"
tok=$(sed -n 's/.*loaxa_session[[:space:]]*\([0-9a-f]*\).*/\1/p' "$tmp/jar" | head -n 1)
python3 - "$CONSOLE" "$tok" "$tmp/sent" "$tmp/lat" "$BUILD" $tls <<'PY' &
import http.client, json, os, subprocess, sys, time, urllib.parse
url, tok, sent, out = sys.argv[1:5]
tls = sys.argv[6:]
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
c.request("GET", "/events?district=&commune=xa-00001", headers={"Cookie": "loaxa_session=" + tok})
r = c.getresponse()
lat = []
want = None
t0 = 0
deadline = time.time() + 120
def publish(serial):
    st = {"state": "idle", "serial": serial, "version": "1", "disk_free_mb": 700, "clock": "synced", "district": "d1", "log_seq": 200}
    subprocess.run(["mosquitto_pub"] + tls + ["-i", "bench-xa-00001", "-q", "1", "-r", "-t",
                    "loaxa/cao-bang/site/xa-00001/status", "-m", json.dumps(st)], check=True)
n = 0
while time.time() < deadline and len(lat) < 10:
    line = r.fp.readline()
    if not line:
        break
    line = line.decode()
    if want is None and line.startswith("data:"):	# the first look: the stream is up, send a change
        time.sleep(0.7 * (n % 3))	# not in step with the stream's look period
        want = 2026120200 + n
        t0 = time.time()
        publish(want)
        continue
    if want is not None and line.startswith("data:") and str(want) in line:
        lat.append((time.time() - t0) * 1000)
        n += 1
        want = 2026120200 + n
        time.sleep(0.7 * (n % 3))
        t0 = time.time()
        publish(want)
open(out, "w").write("\n".join("%.0f" % x for x in lat) + "\n")
PY
lpid=$!
wait $lpid
rss1=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$console_pid/status")
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$console_pid/status")
nlat=$(grep -c . "$tmp/lat")
lp50=$(sort -n "$tmp/lat" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
lmax=$(sort -n "$tmp/lat" | tail -n 1)

awk -v n="$N" -v rows="$rows" -v p95="$p95" -v q="$q" -v nlat="$nlat" -v lp50="$lp50" -v lmax="$lmax" \
    -v r0="$rss0" -v r1="$rss1" -v hwm="$hwm" 'BEGIN {
	printf "console: fleet page, %d boards (%d rows shown, 200 records each), p95 of 50 loads|%.0f ms|%.1f ms (PostgreSQL alone: the page'"'"'s query, EXPLAIN ANALYZE)|%.1fx|p95 < 300 ms\n",
	    n, rows, p95, q, (q > 0 ? p95 / q : 0)
	printf "console: a board'"'"'s status (MQTT) to the browser'"'"'s event, %d changes|p50 %d ms, max %d ms|1000 ms (the events stream'"'"'s look period)|%.2fx|< 2 s\n",
	    nlat, lp50, lmax, lmax / 1000
	printf "console: serve'"'"'s RSS after the page loads and the events (its peak %d KiB: a login'"'"'s Argon2id takes 64 MiB, at most 4 at once)|%d KiB|%d KiB (serve at start)|%.2fx|-\n",
	    hwm, r1, r0, (r0 ? r1 / r0 : 0)
}'
