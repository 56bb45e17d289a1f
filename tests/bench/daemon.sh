#!/bin/sh
# Daemon benchmarks, each beside a peer measured in the same run:
#  - onset error: first sound at the sink minus the scheduled time, p50 and
#    p99 over N airings (one a minute), loaxad against cron + mpg123 doing
#    the same job (busybox crond with a private crontab, mpg123 -a to the
#    same kind of ALSA device). The sink is ALSA's file plugin writing into
#    a FIFO that tests/sink.py timestamps (tests/asound.conf loaxatap): the
#    moment samples reach ALSA. Not over PulseAudio: its null sink adds a
#    latency that grows by ~0.2 s with every new stream (measured), which
#    is the test sink's, not the program's. Target: p99 under 20 ms.
#  - wake-ups while idle: voluntary context switches over M minutes with
#    the next session hours away, loaxad against busybox crond with an
#    empty crontab (the fair peer: it has nothing to do either), and beside
#    it the onset's crond with its one job a minute. Target: at most 1 a
#    minute (no watchdog here).
#  - six months of `loaxa simulate` for the Cao Bằng example, against
#    `loaxa plan` of the same months. Target: under 5 s.
# Rows: measure|loaxa|peer|ratio|target. BENCH_QUICK=1: N=5, M=2.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
LOAXAD=${LOAXAD:-$BUILD/loaxad}
N=${ONSET_N:-50} M=${IDLE_MIN:-10}
[ -n "${BENCH_QUICK:-}" ] && N=5 M=2
fx=$("$top/tests/fixtures.sh" "$BUILD/fixtures") || exit 0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench.XXXXXX")
pids=""
cleanup() { for p in $pids ${papids:-}; do kill "$p" 2> /dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
notok() { echo "# $*" >&2; }
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$top/tests/asound.conf"

# --- six months of simulate (first: it needs no real time) ---------------
sed -e "s|/var/lib/loaxa/library|$top/tests/golden/lib|; s|/var/lib/loaxa/airlog|$tmp/sim/airlog|" \
    -e "s|/var/lib/loaxa/inbox|$tmp/sim/inbox|; s|\"chime.mp3\"|\"$fx/chime.mp3\"|" \
    -e "s|paths = {|paths = { state = \"$tmp/sim/state\"; run = \"$tmp/sim/run\";|" \
    "$top/config/examples/cao-bang-hoa-an.cfg" > "$tmp/sim.cfg"
t0=$(date +%s.%N)
"$LOAXA" simulate -c "$tmp/sim.cfg" 2026-07-01 2026-12-31 > "$tmp/sim.out" 2> /dev/null
t1=$(date +%s.%N)
"$LOAXA" plan -c "$tmp/sim.cfg" 2026-07-01 2026-12-31 --tsv > /dev/null 2>&1
t2=$(date +%s.%N)
airings=$(grep -c '"type":"airing"' "$tmp/sim.out")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$airings" 'BEGIN {
	s = b - a; p = c - b
	printf "simulate six months, Cao Bằng example (%d airings)|%.2f s|%.2f s (plan of the same months)|%.1fx|< 5 s\n", n, s, p, s / p }'

if ! command -v busybox > /dev/null || ! busybox crond --help > /dev/null 2>&1; then
	echo "onset error and idle wake-ups|-|-|-|needs busybox-static (make deps)"
	exit 0
fi

# --- onset: loaxad and cron + mpg123, side by side ------------------------
mkfifo "$tmp/fifo-loaxa" "$tmp/fifo-cron"
python3 "$top/tests/sink.py" "$tmp/fifo-loaxa" "$tmp/onset-loaxa" & pids="$pids $!"
python3 "$top/tests/sink.py" "$tmp/fifo-cron" "$tmp/onset-cron" & pids="$pids $!"
now=$(date +%s)
first=$(( (now + 90) / 60 * 60 ))
sessions=""
i=0
while [ $i -lt "$N" ]; do
	t=$((first + i * 60))
	hm=$(TZ=Asia/Ho_Chi_Minh date -d "@$t" +%H:%M)
	sessions="$sessions${sessions:+,} { id = \"m$i\"; days = \"daily\"; start = \"$hm\"; minutes = 1; }"
	i=$((i + 1))
done
mkdir -p "$tmp/on/library" "$tmp/on/etc" "$tmp/idle/etc"
"$top/tests/lib-put.sh" "$tmp/on/library" "$fx/tone-3s.wav" tone local > /dev/null
# each config in a folder of its own: loaxad watches its config's folder
cat > "$tmp/on/etc/loaxa.cfg" <<CFG
version = 1; serial = 1; site = { id = "bench"; name = "Bench"; };
paths = { library = "$tmp/on/library"; airlog = "$tmp/on/airlog"; inbox = "$tmp/on/inbox"; state = "$tmp/on/state"; run = "$tmp/on/run"; };
audio = { chime = "$fx/chime.wav"; gap_ms = 500; };
time = { require_sync = false; };
sessions = ( $sessions );
CFG
"$LOAXA" log init -c "$tmp/on/etc/loaxa.cfg" > /dev/null 2>&1
LOAXA_DEVICE="loaxatap:FIFO=$tmp/fifo-loaxa" "$LOAXAD" -c "$tmp/on/etc/loaxa.cfg" > /dev/null 2>&1 & pids="$pids $!"
mkdir -p "$tmp/crontabs"
echo "* * * * * ALSA_CONFIG_PATH=$ALSA_CONFIG_PATH mpg123 -q -a loaxatap:FIFO=$tmp/fifo-cron $fx/chime.mp3" \
    > "$tmp/crontabs/root"
busybox crond -f -l 9 -c "$tmp/crontabs" > /dev/null 2>&1 & cronpid=$!
pids="$pids $cronpid"
# the fair peer for wake-ups: a crond with an empty crontab, doing nothing
mkdir -p "$tmp/crontabs-idle"
: > "$tmp/crontabs-idle/root"
busybox crond -f -l 9 -c "$tmp/crontabs-idle" > /dev/null 2>&1 & idlecron=$!
pids="$pids $idlecron"

# --- idle, at the same time: a second loaxad whose next session is hours away
far=$(TZ=Asia/Ho_Chi_Minh date -d "@$((now + 6 * 3600))" +%H:%M)
sed -e "s|$tmp/on/|$tmp/idle/|g" -e "s|sessions = (.*|sessions = ( { id = \"far\"; days = \"daily\"; start = \"$far\"; minutes = 1; } );|" \
    "$tmp/on/etc/loaxa.cfg" > "$tmp/idle/etc/loaxa.cfg"
mkdir -p "$tmp/idle/library"
"$LOAXA" log init -c "$tmp/idle/etc/loaxa.cfg" > /dev/null 2>&1
LOAXA_DEVICE=null "$LOAXAD" -c "$tmp/idle/etc/loaxa.cfg" > /dev/null 2>&1 & idlepid=$!
pids="$pids $idlepid"
sleep 5
vcs() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$1/status"; }
l0=$(vcs $idlepid) c0=$(vcs $cronpid) i0=$(vcs $idlecron)
sleep $((M * 60))
l1=$(vcs $idlepid) c1=$(vcs $cronpid) i1=$(vcs $idlecron)
awk -v l=$((l1 - l0)) -v c=$((c1 - c0)) -v i=$((i1 - i0)) -v m="$M" 'BEGIN {
	printf "wake-ups while idle, %d min (voluntary context switches)|%d (%.2f/min)|%d (%.2f/min, busybox crond, empty crontab)|%.2fx|<= 1/min\n",
	    m, l, l / m, i, i / m, (i ? l / i : 0)
	printf "wake-ups while idle, against a crond with one job a minute|%d (%.2f/min)|%d (%.2f/min, busybox crond, the onset job)|%.2fx|-\n",
	    l, l / m, c, c / m, (c ? l / c : 0) }'

# wait for the last airing
while [ "$(date +%s)" -lt $((first + (N - 1) * 60 + 20)) ]; do sleep 5; done
python3 - "$tmp/onset-loaxa" "$tmp/onset-cron" "$first" "$N" <<'PY'
import sys
def onsets(path, first, n):
    out = []
    for line in open(path):
        t = float(line.split()[0])
        k = round((t - first) / 60)
        if 0 <= k < n and abs(t - (first + 60 * k)) < 30:
            out.append((t - (first + 60 * k)) * 1000)
    return sorted(out)
def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")
first, n = int(sys.argv[3]), int(sys.argv[4])
a, c = onsets(sys.argv[1], first, n), onsets(sys.argv[2], first, n)
for p in (50, 99):
    la, lc = pct(a, p), pct(c, p)
    print("onset error p%d over %d/%d airings|%.1f ms|%.1f ms (cron + mpg123, %d airings)|%.3fx|%s" %
          (p, len(a), n, la, lc, len(c), la / lc if lc else float("nan"), "p99 < 20 ms" if p == 99 else "-"))
PY
