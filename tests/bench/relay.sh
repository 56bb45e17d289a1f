#!/bin/sh
# Relay benchmarks (issue 15), each beside its peer in the same run, in
# real time on loopback, about 10 minutes; everything runs at once:
#   - onset error at the sink: first relayed sample minus the slot, p50 and
#     p99 over 10 slots of an Icecast MP3 stream (a 1 kHz tone, 64 kb/s).
#     Relays start on whole minutes and a daemon airs one session at a time,
#     so the 10 slots are those of 4 loaxad over 5 minutes (two on the even
#     minutes, two on the odd ones; 1-minute relays with a minute between).
#     The sink is that of the bulletins' onset (tests/bench/daemon.sh): the
#     loaxatap ALSA device (the file plugin over the null PCM) into a FIFO,
#     tests/sink.py stamping the first sound of every opening. The peer:
#     one Liquidsoap 2.1 relaying the same stream, switch() on time
#     predicates with seconds, 10 slots of 20 s every 30 s. Its ALSA output
#     cannot drive that device (the null PCM never blocks: it runs at ~90x
#     real time and fails); so it writes raw PCM with output.file(flush=true)
#     to a FIFO, on its CPU clock, and tests/tap.py stamps the arrival
#     of the first sound after silence: also the moment samples leave it.
#   - cost of 10 minutes of a live 128 kb/s AAC HLS stream (ffmpeg's hls
#     muxer in real time, served by python's http.server): CPU time (user +
#     system, /proc/PID/stat: perf has no instruction counter on this
#     machine) and peak RSS (VmHWM) of loaxad and its loaxa-decode, over the
#     same 600 s as `ffmpeg -i URL -f alsa null` on the same stream. loaxad
#     plays into its wav: device (/dev/null at a sound card's pace).
#   - faults, one loaxad (writing what it airs into a WAV at a sound card's
#     pace, stamped by tap.py as it grows) beside Liquidsoap's
#     fallback([input.http, single(bulletin)]): the source (ffmpeg into
#     Icecast, 3 kHz) killed, then started again 30 s later: the time to the
#     fallback bulletin (300 Hz, fallback_after = 10, the default) after the
#     kill, and the time to the stream again after the mount is back.
#   - live through the relay path: a relay on air for a mount nobody feeds
#     yet; a WAV (a 2 kHz tone) fed into Icecast by ffmpeg: from the start
#     of the feed to its first sample at the sink; Liquidsoap's input.http
#     on the same mount beside it.
# Rows: measure|loaxa|peer|ratio|target. The figures are only as quiet as
# the machine: run it alone.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
LOAXAD=${LOAXAD:-$BUILD/loaxad}
export TZ=${TZ:-Asia/Ho_Chi_Minh}
for need in icecast2 liquidsoap ffmpeg; do
	command -v $need > /dev/null || { echo "relay onset, cost and faults|-|-|-|needs $need (make deps)"; exit 0; }
done
[ -x "$BUILD/loaxa-decode" ] || { echo "relay onset, cost and faults|-|-|-|loaxa-decode not built"; exit 0; }
t=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-relay.XXXXXX")
chmod 755 "$t"
pids=""
cleanup_hooks=""
cleanup() {
	for p in $pids; do kill "$p" 2> /dev/null; done
	for h in $cleanup_hooks; do $h; done
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$top/tests/asound.conf"
TOP=$top
. "$top/tests/icecast.sh"
. "$top/tests/daemon-helpers.sh"
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
now_s() { date +%s.%N; }
start_icecast > /dev/null || { echo "relay onset, cost and faults|-|-|-|icecast2 did not start"; exit 0; }
feed on.mp3 1000 mp3 > /dev/null || { echo "relay onset, cost and faults|-|-|-|no Icecast source"; exit 0; }
ic="http://127.0.0.1:$icport"

# the live HLS stream: 128 kb/s AAC, pink noise under a tone, 2 s segments
mkdir -p "$t/web/hls"
timeout 720 ffmpeg -nostdin -loglevel error -re -f lavfi -i "anoisesrc=color=pink:sample_rate=44100:amplitude=0.2" \
    -f lavfi -i "sine=frequency=800:sample_rate=44100" -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" \
    -c:a aac -b:a 128k -f hls -hls_time 2 -hls_list_size 6 -hls_flags delete_segments "$t/web/hls/live.m3u8" \
    > "$t/hls.out" 2>&1 &
pids="$pids $!"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$t/web" > "$t/http.out" 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do
	hport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$t/http.out" | head -1)
	[ -n "$hport" ] && [ -s "$t/web/hls/live.m3u8" ] && break
	sleep 0.1
done
hls="http://127.0.0.1:$hport/hls/live.m3u8"

# the fallback bulletin (300 Hz, 4 s) and the live announcement (a WAV, 2 kHz, 20 s)
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=300:sample_rate=44100:duration=4" -c:a libmp3lame "$t/fb.mp3"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=300:sample_rate=44100:duration=4" "$t/fb.wav"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=2000:sample_rate=44100:duration=20" "$t/live.wav"

next_minute 45	# m1: the first slot
m0=$m1
# daemon NAME DEVICE RELAYS: a loaxad of its own (its config in a folder of its own)
daemon() {
	d=$t/d/$1
	mkdir -p "$d/etc" "$d/lib"
	[ "$1" = faults ] && "$top/tests/lib-put.sh" "$d/lib" "$t/fb.mp3" tin-du-phong local > /dev/null
	cat > "$d/etc/loaxa.cfg" <<CFG
version = 1; serial = 1; site = { id = "bench-$1"; name = "Bench"; };
paths = { library = "$d/lib"; airlog = "$d/airlog"; inbox = "$d/inbox"; state = "$d/state"; run = "$d/run"; };
audio = { gap_ms = 300; };
time = { require_sync = false; };
sessions = ( );
relays = ( ${3%,} );
CFG
	"$LOAXA" log init -c "$d/etc/loaxa.cfg" > /dev/null 2>&1
	LOAXA_DEVICE=$2 "$LOAXAD" -c "$d/etc/loaxa.cfg" > "$d/out" 2> "$d/err" &
	echo $! > "$d/pid"
	pids="$pids $!"
}
relay() {	# relay ID URL EPOCH MINUTES [FALLBACK KEYS]: a relay group, a comma after it
	echo "{ id = \"$1\"; url = \"$2\"; days = \"daily\"; start = \"$(hm "$3")\"; minutes = $4; ${5:-fallback = \"silence\";} },"
}

# --- onset: 4 loaxad, 10 slots; Liquidsoap, 10 slots ---------------------------------
for i in 0 1 2 3; do
	mkfifo "$t/fifo$i"
	python3 "$top/tests/sink.py" "$t/fifo$i" "$t/onset$i" & pids="$pids $!"
	r=""
	for k in 0 1 2 3 4; do
		[ $((k % 2)) -eq $((i % 2)) ] && r="$r$(relay "o$k" "$ic/on.mp3" $((m0 + 60 * k)) 1)"
	done
	daemon "onset$i" "loaxatap:FIFO=$t/fifo$i" "$r"
done
preds=""
for k in $(seq 0 9); do
	s=$((m0 + 30 * k))
	preds="$preds${preds:+, }({ $(date -d "@$s" +%Hh%Mm%Ss)-$(date -d "@$((s + 20))" +%Hh%Mm%Ss) }, on)"
done
mkfifo "$t/ls-on" "$t/ls-faults" "$t/ls-live"
for f in on faults live; do
	python3 "$top/tests/tap.py" "$t/ls-$f" s16:44100:2 "$t/ls-$f.ev" & pids="$pids $!"
done
cat > "$t/bench.liq" <<LIQ
settings.init.allow_root.set(true)
settings.log.stdout.set(true)
settings.log.file.set(false)
settings.log.level.set(3)
def tap(path, s) =
  output.file(%wav(stereo=true, samplesize=16, samplerate=44100, header=false), flush=true, path, mksafe(s))
end
on = input.http("$ic/on.mp3")
tap("$t/ls-on", switch(track_sensitive=false, [ $preds ]))
tap("$t/ls-faults", fallback(track_sensitive=false, [input.http("$ic/faults.mp3"), single("$t/fb.wav")]))
tap("$t/ls-live", input.http("$ic/live.mp3"))
LIQ
liquidsoap "$t/bench.liq" > "$t/liq.out" 2>&1 &
pids="$pids $!"

# --- cost: a relay of the HLS stream, 11 minutes, and ffmpeg beside it --------------
daemon cost "wav:/dev/null" "$(relay hls "$hls" "$m0" 11)"
cost_d=$(cat "$t/d/cost/pid")

# --- faults and live: one loaxad ---------------------------------------------------------
m5=$((m0 + 300)) m8=$((m0 + 480))
daemon faults "wav:$t/faults.wav" "$(relay f "$ic/faults.mp3" "$m5" 2 'fallback = "bulletins"; fallback_after = 10;')
    $(relay l "$ic/live.mp3" "$m8" 1)"
python3 "$top/tests/tap.py" "$t/faults.wav" wav "$t/faults.ev" & pids="$pids $!"

until_t "$m0"
ffmpeg -nostdin -loglevel error -i "$hls" -f alsa null > "$t/ffmpeg.out" 2>&1 &
ffpid=$!
pids="$pids $ffpid"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2> /dev/null; }
kid() { for c in $(cat /proc/"$1"/task/*/children 2> /dev/null); do [ "$(cat "/proc/$c/comm")" = loaxa-decode ] && echo "$c"; done | head -1; }
until_t $((m0 + 15))
cost_k=$(kid "$cost_d")
d0=$(ticks "$cost_d") k0=$(ticks "${cost_k:-0}") f0=$(ticks "$ffpid")

# the faults: the source on air a minute before, killed 10 s into the relay, back 30 s later
until_t $((m5 - 60))
feed faults.mp3 3000 mp3 > /dev/null
fsrc=$srcpid
until_t $((m5 + 10))
kill "$fsrc"
k_at=$(now_s)
until_t $((m5 + 40))
feed faults.mp3 3000 mp3 > /dev/null
back_at=$(now_s)	# the mount is listed again
# live: 10 s into the relay of a mount nobody fed, a WAV is fed into it
until_t $((m8 + 10))
live_at=$(now_s)
timeout 60 ffmpeg -nostdin -loglevel error -re -i "$t/live.wav" -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 \
    "icecast://source:loaxa@127.0.0.1:$icport/live.mp3" > "$t/live-src.out" 2>&1 &
pids="$pids $!"

until_t $((m0 + 615))
d1=$(ticks "$cost_d") k1=$(ticks "${cost_k:-0}") f1=$(ticks "$ffpid")
cost_k1=$(kid "$cost_d")
hz=$(getconf CLK_TCK)
dh=$(hwm "$cost_d") kh=$(hwm "${cost_k:-0}") fh=$(hwm "$ffpid")
kill -0 "$ffpid" 2> /dev/null || ffnote=", it ended early: $(head -c 200 "$t/ffmpeg.out" | tr '\n|' '  ')"
awk -v d=$((d1 - d0)) -v k=$((k1 - k0)) -v f=$((f1 - f0)) -v hz="$hz" -v same="$([ "$cost_k" = "$cost_k1" ] && echo 1 || echo 0)" -v ffnote="${ffnote:-}" 'BEGIN {
	note = same ? "" : " (the child was restarted: its figure is partial)"
	printf "relay 10 min of a live 128 kb/s AAC HLS stream: CPU time (user+system), loaxad + loaxa-decode%s|%.2f s (%.2f + %.2f)|%.2f s (ffmpeg -i URL -f alsa null%s)|%.2fx|-\n",
	    note, (d + k) / hz, d / hz, k / hz, f / hz, ffnote, f ? (d + k) / f : 0 }'
echo "relay 10 min of a live 128 kb/s AAC HLS stream: peak RSS (VmHWM), loaxad + loaxa-decode|$((dh + kh)) KiB ($dh + $kh)|$fh KiB (ffmpeg)|$(awk -v a=$((dh + kh)) -v b="${fh:-0}" 'BEGIN { if (b) printf "%.2fx", a / b; else print "-" }')|-"

python3 - "$t" "$m0" "$k_at" "$back_at" "$live_at" <<'PY'
import os, sys
t, m0 = sys.argv[1], int(sys.argv[2])
k_at, back_at, live_at = (float(x) for x in sys.argv[3:6])

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")

# loaxa: per daemon, the first sound of every opening, against its slots
lo = []
for i in range(4):
    slots = [m0 + 60 * k for k in range(5) if k % 2 == i % 2]
    p = os.path.join(t, "onset%d" % i)
    for line in open(p) if os.path.exists(p) else []:
        x = float(line.split()[0])
        s = min(slots, key=lambda s: abs(x - s))
        if abs(x - s) < 30:
            lo.append((x - s) * 1000)

def events(name):
    p = os.path.join(t, name)
    out = []
    for line in open(p) if os.path.exists(p) else []:
        a = line.split()
        out.append((float(a[0]), a[1]))
    return out

def first(ev, after, want, until=None):
    """the first event after `after` whose state is `want` (a frequency near it)"""
    for x, s in ev:
        if x >= after and (until is None or x < until) and s != "silence" and abs(int(s) - want) <= want * 0.1:
            return x
    return None

ls = []
on = events("ls-on.ev")
for k in range(10):
    s = m0 + 30 * k
    x = first(on, s - 5, 1000, s + 15)
    if x is not None:
        ls.append((x - s) * 1000)
for p in (50, 99):
    a, b = pct(lo, p), pct(ls, p)
    print("relay onset error p%d, Icecast MP3 (%d/10 slots)|%.1f ms|%.1f ms (Liquidsoap 2.1 switch on time, %d/10 slots, output.file)|%s|%s" %
          (p, len(lo), a, b, len(ls), "%.2fx" % (a / b) if b else "-", "p99 <= 20 ms" if p == 99 else "-"))

def fmt(x, ref):
    return "%.2f s" % (x - ref) if x is not None else "never"

def ratio(a, b, ref):
    return "%.2fx" % ((a - ref) / (b - ref)) if a is not None and b is not None and b > ref else "-"

lf, pf = events("faults.ev"), events("ls-faults.ev")
a, b = first(lf, k_at, 300), first(pf, k_at, 300)
print("relay time to fallback after the source is killed (loaxa fallback_after = 10 s)|%s|%s (Liquidsoap fallback())|%s|<= 10 s" %
      (fmt(a, k_at), fmt(b, k_at), ratio(a, b, k_at)))
a, b = first(lf, back_at, 3000), first(pf, back_at, 3000)
print("relay time to reconnect after the source is back on Icecast|%s|%s (Liquidsoap input.http)|%s|-" %
      (fmt(a, back_at), fmt(b, back_at), ratio(a, b, back_at)))
a, b = first(lf, live_at, 2000), first(events("ls-live.ev"), live_at, 2000)
print("live latency, relay path: a WAV fed into Icecast to its first sample at the sink|%s|%s (Liquidsoap input.http)|%s|<= 3 s" %
      (fmt(a, live_at), fmt(b, live_at), ratio(a, b, live_at)))
PY
