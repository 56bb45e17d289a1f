#!/bin/sh
# Relays from a source that stalls or crawls, in the real daemon, in real
# time, for about two minutes and a half: loaxad relays a station that
# tests/relay-server.py sends at its bitrate (/paced/, a 1 kHz tone), its
# output written at a sound card's pace into a WAV file. In order:
#   1. relay r1 airs; 8 s in, the server is stopped (SIGSTOP, not killed:
#      the connection stays open and says nothing); the daemon does not hang
#      on it: status names the timeout while it lasts (not FFmpeg's
#      "Immediate exit requested", which a cleared deadline once gave), the fallback bulletin
#      (440 Hz) airs; 20 s later the server goes on (SIGCONT) and the relay
#      reconnects and airs the station again to its end, on time
#   2. relay r2's station sends at half its bitrate (throttled): about half
#      the slot is heard, the rest is logged as dropout time, the relay ends
#      on time and the daemon answers SIGTERM at once
set -u
. "$TOP/tests/audio-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
if [ ! -x "$BUILD/loaxa-decode" ]; then
	notok "relay stall: loaxa-decode is built" "run make deps"
	exit 1
fi
mkdir -p "$t/web"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=1000:sample_rate=44100:duration=90" -c:a libmp3lame -b:a 64k \
    "$t/web/tone.mp3"
start_web "$t/web" || exit 1
lib=$t/library
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=4" -c:a libmp3lame "$t/fb.mp3"
"$top/tests/lib-put.sh" "$lib" "$t/fb.mp3" tin-du-phong local > /dev/null

next_minute 15
cfg=$t/loaxa.cfg
{ cfg_head 300; cat <<CFG
sessions = ( );
relays = (
  { id = "r1"; url = "http://127.0.0.1:$webport/paced/tone.mp3"; days = "daily"; start = "$(hm $m1)";
    minutes = 1; fallback = "bulletins"; fallback_after = 3; },
  { id = "r2"; url = "http://127.0.0.1:$webport/paced/tone.mp3?bps=4000"; days = "daily"; start = "$(hm $((m1 + 60)))";
    minutes = 1; fallback = "silence"; }
);
CFG
} > "$cfg"
"$LOAXA" log init -c "$cfg" > "$t/init" 2>&1 || notok "relay stall: log init" "$(cat "$t/init")"
export LOAXA_DEVICE="wav:$t/out.wav"
"$LOAXAD" -c "$cfg" -e > "$t/daemon.out" 2> "$t/daemon.err" &
dpid=$!
stop_daemon() { kill -CONT "$webpid" 2> /dev/null; kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_daemon"
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
field() {	# field SESSION KEY: KEY of the relay record of SESSION
	python3 - "$t/airlog" "$1" "$2" <<'PY'
import glob, json, sys
v = ""
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        r = json.loads(line)
        if r.get("type") == "relay" and r.get("session") == sys.argv[2]:
            v = r.get(sys.argv[3], "")
print(v)
PY
}
records() { log_count "$t/airlog" "$1"; }

# --- 1. stalled --------------------------------------------------------------------
until_t $((m1 + 8))
kill -STOP "$webpid"
# the status while the source is stopped, every half second from +12 s to
# +26 s (a loaded machine shifts when the fallback starts): both must show
until_t $((m1 + 12))
: > "$t/status1"
for i in $(seq 1 28); do
	"$LOAXA" status -c "$cfg" >> "$t/status1" 2>&1
	[ "$(date +%s)" -ge $((m1 + 26)) ] && break
	sleep 0.5
done
check "relay stall: the daemon goes on while its source is stopped: status names the timeout, r1 or its fallback airs" \
    "grep -Eq 'relay r1: .*(no data for 2 s|no answer from the server in 4 s).*\\(timeout\\)' '$t/status1' && grep -q 'tin-du-phong\\|relay:r1' '$t/status1'" "$t/status1"
until_t $((m1 + 28))
kill -CONT "$webpid"
until_t $((m1 + 63))
heard=$(field r1 heard_ms) drop=$(field r1 dropouts) conn=$(field r1 connects)
check "relay stall: r1 heard ${heard:-?} ms of 60 s (stopped 20 s), ${drop:-?} dropout(s), ${conn:-?} connections: it came back" \
    "[ \${heard:-0} -ge 22000 ] && [ \${heard:-0} -le 48000 ] && [ \${drop:-0} -ge 1 ] && [ \${conn:-0} -ge 2 ] && [ \"\$(field r1 outcome)\" = partial ]" "$t/daemon.err"
check "relay stall: the fallback bulletin aired once while the source was stopped" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"session\"]==\"r1\" and r.get(\"fallback\") is True and r[\"outcome\"]==\"complete\"') -eq 1 ]" "$t/daemon.err"
check "relay stall: r1 ended on time" \
    "[ \"\$(field r1 end | cut -c1-19)\" = \"$(TZ=Asia/Ho_Chi_Minh date -d "@$((m1 + 60))" +%Y-%m-%dT%H:%M:%S)\" ]" "$t/airlog/"*.jsonl

# --- 2. throttled -------------------------------------------------------------------
until_t $((m1 + 123))
heard2=$(field r2 heard_ms) dms2=$(field r2 dropout_ms)
check "relay stall: r2 at half its bitrate heard ${heard2:-?} ms of 60 s, ${dms2:-?} ms of dropouts, ended on time" \
    "[ \${heard2:-0} -ge 15000 ] && [ \${heard2:-0} -le 45000 ] && [ \${dms2:-0} -ge 12000 ] && [ \"\$(field r2 end | cut -c1-19)\" = \"$(TZ=Asia/Ho_Chi_Minh date -d "@$((m1 + 120))" +%Y-%m-%dT%H:%M:%S)\" ]" "$t/daemon.err"
kill -TERM "$dpid"
rc=0
t0=$(date +%s)
wait "$dpid" || rc=$?
check "relay stall: SIGTERM: exit $rc in $(( $(date +%s) - t0 )) s" "[ $rc -eq 0 ] && [ \$(( \$(date +%s) - t0 )) -le 3 ]" "$t/daemon.err"
"$LOAXA" log verify -c "$cfg" > "$t/verify" 2>&1
check "relay stall: the airing log verifies" "grep -q 'intact' '$t/verify'" "$t/verify"
python3 "$TOP/tests/wavtones.py" "$t/out.wav" 1000 440 > "$t/tones"
s1000=$(cut -d' ' -f1 "$t/tones") s440=$(cut -d' ' -f2 "$t/tones")
h=$(( (${heard:-0} + ${heard2:-0}) / 1000 ))
check "relay stall: the output holds the station's tone for ${s1000:-?} s (heard: $h s) and the fallback's for ${s440:-?} s" \
    "within \${s1000:-0} $h 3 && within \${s440:-0} 4 1.5" "$t/tones"
