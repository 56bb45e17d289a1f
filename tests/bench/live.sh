#!/bin/sh
# Remote live latency (issue 15), beside a peer in the same run, about a
# minute: a WAV (a 2 kHz tone) fed into a real Icecast by ffmpeg, and the
# office's signed "live now" naming that mount sent over
# a real Mosquitto (TLS, the fleet tests' PKI) by `loaxa publish` once the
# mount is listed (the latency includes that wait); a real
# loaxad writing what it airs at a sound card's pace into a WAV that
# tests/tap.py stamps as it grows: from the start of the feed to the first
# sample of the tone at the board's sink (median of 3; `live end` between).
# The peer: Liquidsoap 2.1's input.http on the same mount, waiting for it
# (its poll_delay 2 s, its buffer 2 s; a feed of 14 s), into output.file(flush=true) on a
# FIFO stamped the same way.
# Rows: measure|loaxa|peer|ratio|target.
set -u
for need in mosquitto icecast2 liquidsoap ffmpeg; do
	command -v $need > /dev/null || { echo "remote live latency|-|-|-|needs $need (make deps)"; exit 0; }
done
[ -x "${BUILD:-build}/loaxa-decode" ] || { echo "remote live latency|-|-|-|loaxa-decode not built"; exit 0; }
. "$TOP/tests/fleet-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
now_s() { date +%s.%N; }

fleet_ca
fleet_cert xa-live
broker_start > /dev/null 2>&1 || { echo "remote live latency|-|-|-|mosquitto did not start"; exit 0; }
office_cfg
start_icecast > /dev/null || { echo "remote live latency|-|-|-|icecast2 did not start"; exit 0; }
URL="http://127.0.0.1:$icport/live.mp3"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=2000:sample_rate=44100:duration=20" "$t/live.wav"

live_board_cfg 1
"$LOAXA" log init -c "$b/loaxa.cfg" > /dev/null 2>&1
python3 "$TOP/tests/tap.py" "$t/board.wav" wav "$t/board.ev" &
tappid=$!
LOAXA_DEVICE="wav:$t/board.wav" "$LOAXAD" -c "$b/loaxa.cfg" > "$b/out" 2> "$b/err" &
dpid=$!
mkfifo "$t/ls"
python3 "$TOP/tests/tap.py" "$t/ls" s16:44100:2 "$t/ls.ev" &
lstap=$!
cat > "$t/live.liq" <<LIQ
settings.init.allow_root.set(true)
settings.log.file.set(false)
output.file(%wav(stereo=true, samplesize=16, samplerate=44100, header=false), flush=true, "$t/ls", mksafe(input.http("$URL")))
LIQ
liquidsoap "$t/live.liq" > "$t/liq.out" 2>&1 &
lspid=$!
stop_all() { for p in $dpid $tappid $lstap $lspid; do kill "$p" 2> /dev/null; done; }
cleanup_hooks="stop_all $cleanup_hooks"
wait_for 20 grep -q 'fleet: connected' "$b/err" || { echo "remote live latency|-|-|-|the board did not reach the broker"; exit 0; }
sleep 8	# Liquidsoap takes seconds to start

starts=""
for i in 1 2 3; do
	at=$(now_s)
	starts="$starts $at"
	timeout 30 ffmpeg -nostdin -loglevel error -re -i "$t/live.wav" -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 \
	    "icecast://source:loaxa@127.0.0.1:$icport/live.mp3" > "$t/src$i.out" 2>&1 &
	src=$!
	# the office says "live now" once the mount is there, as staff would once the stream is up
	for _ in $(seq 100); do
		curl -s "http://admin:loaxa@127.0.0.1:$icport/admin/listmounts" | grep -q "/live.mp3" && break
		sleep 0.05
	done
	"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" live now "$URL" --level priority --id "B$i" \
	    --sites xa-live --wait 15 > "$t/now$i" 2>&1
	sleep 14
	kill "$src" 2> /dev/null
	wait "$src"
	"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" live end "B$i" --sites xa-live --wait 15 > "$t/end$i" 2>&1
	sleep 5	# the mount gone, the peer back to silence
done
sleep 1
python3 - "$t" $starts <<'PY'
import os, sys
t, starts = sys.argv[1], [float(x) for x in sys.argv[2:]]
def events(name):
    p = os.path.join(t, name)
    return [(float(l.split()[0]), l.split()[1]) for l in open(p)] if os.path.exists(p) else []
def lat(ev):
    out = []
    for s in starts:
        x = next((x for x, st in ev if x >= s and st != "silence" and abs(int(st) - 2000) <= 200), None)
        if x is not None and x < s + 15:
            out.append(x - s)
    return out
a, b = sorted(lat(events("board.ev"))), sorted(lat(events("ls.ev")))
med = lambda v: v[len(v) // 2] if v else None
ma, mb = med(a), med(b)
print("live latency, remote live (signed live now over MQTT): a WAV fed into Icecast to its first sample at the board's sink (median of %d/3)|%s|%s (Liquidsoap input.http, %d/3)|%s|<= 3 s" %
      (len(a), "%.2f s" % ma if ma is not None else "never", "%.2f s" % mb if mb is not None else "never", len(b),
       "%.2fx" % (ma / mb) if ma is not None and mb else "-"))
PY
