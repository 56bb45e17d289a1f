#!/bin/sh
# Relays on time, in the real daemon writing what it airs at a sound card's
# pace into a WAV file (the wav: device), whose growth tests/tap.py stamps
# as it is written; about two and a half minutes. Two relays back to back
# (a commune's morning: the national news, then the province's station on
# the minute it ends), two Icecast stations fed by ffmpeg:
#   1. r1 (station one, 1 kHz) airs from its minute: its first sound within
#      250 ms of the slot
#   2. r1 airs the station as it is, not as it was when its stream was opened
#      ahead: station one turns to 1.5 kHz 5 s into the slot, and the sink
#      has it within 2 s (the lead's backlog aired would put the whole relay
#      5 s behind: the programme before at the slot's start, the news' last
#      seconds cut at its end)
#   3. r2 (station two, 2 kHz) from the next minute, right after r1: its
#      stream is opened ahead while r1 airs, so its first sound is within
#      250 ms of its slot too (opened only when r1 ended, it would wait for
#      a connection and half a second of buffer)
#   4. both are logged, complete
set -u
. "$TOP/tests/audio-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
relay_needs "relay adjacent" || exit 1
start_icecast || exit 1
feed two.mp3 2000 mp3 || { notok "relay adjacent: station two is on air"; exit 1; }
next_minute 20
# station one: 1 kHz until 5 s into r1's slot, then 1.5 kHz (ffmpeg -re sends it as it goes)
fed=$(date +%s.%N)
d=$(awk -v a="$fed" -v m="$m1" 'BEGIN { printf "%.3f", m + 5 - a }')
timeout 200 ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=1000:sample_rate=44100:duration=$d" \
    -f lavfi -i "sine=frequency=1500:sample_rate=44100:duration=150" -filter_complex "[0][1]concat=n=2:v=0:a=1" \
    -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 "icecast://source:loaxa@127.0.0.1:$icport/one.mp3" \
    > "$t/one.out" 2>&1 &
srcpids="$srcpids $!"
changed=$(awk -v a="$fed" -v d="$d" 'BEGIN { printf "%.3f", a + d }')

lib=$t/library
mkdir -p "$lib"
cfg=$t/loaxa.cfg
{ cfg_head 300; cat <<CFG
sessions = ( );
relays = (
  { id = "r1"; url = "http://127.0.0.1:$icport/one.mp3"; days = "daily"; start = "$(hm $m1)"; minutes = 1; fallback = "silence"; },
  { id = "r2"; url = "http://127.0.0.1:$icport/two.mp3"; days = "daily"; start = "$(hm $((m1 + 60)))"; minutes = 1; fallback = "silence"; }
);
CFG
} > "$cfg"
"$LOAXA" log init -c "$cfg" > "$t/init" 2>&1 || notok "relay adjacent: log init" "$(cat "$t/init")"
python3 "$TOP/tests/tap.py" "$t/out.wav" wav "$t/events" &
tpid=$!
stop_tap() { kill "$tpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_tap"
LOAXA_DEVICE="wav:$t/out.wav" "$LOAXAD" -c "$cfg" > "$t/daemon.out" 2> "$t/daemon.err" &
dpid=$!
stop_daemon() { kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_daemon"
waitfor $((m1 + 130 - $(date +%s))) "[ \$(log_count '$t/airlog' 'r[\"type\"]==\"relay\"') -ge 2 ]"
sleep 1

at() {	# at EPOCH HZ: ms from EPOCH to the first tone of HZ (within 10 %) stamped after EPOCH - 5 s ("none": none)
	awk -v s="$1" -v f="$2" '$1 > s - 5 && $2 != "silence" && $2 >= f * 0.9 && $2 <= f * 1.1 { printf "%.0f\n", ($1 - s) * 1000; x = 1; exit }
	    END { if (!x) print "none" }' "$t/events"
}
o1=$(at "$m1" 1000) c1=$(at "$changed" 1500) o2=$(at $((m1 + 60)) 2000)
check "relay adjacent: r1's first sound ${o1} ms after its slot (within 250 ms)" \
    "[ '$o1' != none ] && [ $o1 -gt -50 ] && [ $o1 -le 250 ]" "$t/events"
check "relay adjacent: r1 airs station one as it is: its change ${c1} ms after it was fed (within 3 s)" \
    "[ '$c1' != none ] && [ $c1 -le 3000 ]" "$t/events"
check "relay adjacent: r2's first sound ${o2} ms after its slot, right after r1 (within 250 ms)" \
    "[ '$o2' != none ] && [ $o2 -gt -50 ] && [ $o2 -le 250 ]" "$t/events"
check "relay adjacent: both relays logged complete" \
    "[ \$(log_count '$t/airlog' 'r[\"type\"]==\"relay\" and r[\"outcome\"]==\"complete\"') -eq 2 ]" "$t/daemon.err"
