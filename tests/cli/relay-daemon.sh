#!/bin/sh
# Relays in the real daemon, in real time, for about two minutes: loaxad
# with a relay of a real Icecast stream (a 1 kHz tone), its output written
# at a sound card's pace into a WAV file (the wav: device), in order:
#   1. relay r1 begins on its minute: the stream airs
#   2. the station goes off air 8 s in: once what was buffered has
#      played and fallback_after (3 s) has passed, a fallback bulletin (a
#      440 Hz tone) airs in its place, once; then silence, the stream
#      tried again and again; the station comes back 40 s in, and so does
#      the relay
#   3. r1 ends on time: its record says partial, with the dropout, the
#      fallback and what was heard; the fallback airing is logged as one
#   4. relay r2 names a stream that is not there (404), fallback silence:
#      status shows it airing, the last error names the 404; SIGTERM
#      ends it, logged interrupted, and the daemon exits 0
#   5. the WAV holds the stream's tone for what the station sent in r1's
#      minute (its first 8 s, and what came after its return: at least 13 s
#      in all; the seconds it sent before the slot, while the stream was
#      opened ahead, are not aired) and the fallback's tone for the
#      bulletin's length; the station came back 12 dB quieter,
#      and its last 5 s are within 2 LU of audio.loudness_lufs (the rider)
set -u
. "$TOP/tests/audio-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
relay_needs "relay daemon" || exit 1
start_icecast || exit 1
feed live.mp3 1000 mp3 || { notok "relay daemon: the station is on air"; exit 1; }

lib=$t/library
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=4" -c:a libmp3lame "$t/fb.mp3"
"$top/tests/lib-put.sh" "$lib" "$t/fb.mp3" tin-du-phong local > /dev/null

# the relays on the next minute boundary at least 15 s away, in Vietnam's time
next_minute 15
cfg=$t/loaxa.cfg
{ cfg_head 300; cat <<CFG
sessions = ( );
relays = (
  { id = "r1"; name = "Đài thử"; url = "http://127.0.0.1:$icport/live.mp3"; days = "daily"; start = "$(hm $m1)";
    minutes = 1; fallback = "bulletins"; fallback_after = 3; },
  { id = "r2"; url = "http://127.0.0.1:$icport/off-air.mp3"; days = "daily"; start = "$(hm $((m1 + 60)))";
    minutes = 1; fallback = "silence"; }
);
CFG
} > "$cfg"
"$LOAXA" log init -c "$cfg" > "$t/init" 2>&1 || notok "relay daemon: log init" "$(cat "$t/init")"
export LOAXA_DEVICE="wav:$t/out.wav"
"$LOAXAD" -c "$cfg" -e > "$t/daemon.out" 2> "$t/daemon.err" &
dpid=$!
stop_daemon() { kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_daemon"
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
records() { log_count "$t/airlog" "$1"; }
field() {	# field TYPE SESSION KEY: the value of KEY in the last TYPE record of SESSION
	python3 - "$t/airlog" "$1" "$2" "$3" <<'PY'
import glob, json, sys
v = ""
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == sys.argv[2] and r.get("session") == sys.argv[3]:
            v = r.get(sys.argv[4], "")
print(str(v).lower() if isinstance(v, bool) else v)
PY
}

# --- 1, 2: on air, off air, the fallback, back ---------------------------------
until_t $((m1 + 8))
stop_sources
until_t $((m1 + 40))
feed live.mp3 1000 mp3 0.25 > /dev/null	# back 12 dB quieter: the rider brings it up
until_t $((m1 + 63))
check "relay daemon: r1 is logged once, partial (the station went off air)" \
    "[ \$(records 'r[\"type\"]==\"relay\" and r[\"session\"]==\"r1\"') -eq 1 ] && [ \"\$(field relay r1 outcome)\" = partial ]" "$t/daemon.err"
heard=$(field relay r1 heard_ms) drop=$(field relay r1 dropouts) fbms=$(field relay r1 fallback_ms) fbn=$(field relay r1 fallback_bulletins)
check "relay daemon: r1 heard ${heard:-?} ms of 60 s, ${drop:-?} dropout(s), ${fbn:-?} fallback bulletin(s) for ${fbms:-?} ms" \
    "[ \${heard:-0} -ge 13000 ] && [ \${heard:-0} -le 50000 ] && [ \${drop:-0} -ge 1 ] && [ \${fbn:-0} -eq 1 ] && [ \${fbms:-0} -ge 3000 ] && [ \$(field relay r1 connects) -ge 4 ]" "$t/daemon.err"
check "relay daemon: r1 began on its minute and ended on the next" \
    "[ \"\$(field relay r1 start)\" = \"$(TZ=Asia/Ho_Chi_Minh date -d "@$m1" +%Y-%m-%dT%H:%M:%S+07:00)\" ] && [ \"\$(field relay r1 end | cut -c1-19)\" = \"$(TZ=Asia/Ho_Chi_Minh date -d "@$((m1 + 60))" +%Y-%m-%dT%H:%M:%S)\" ]" "$t/airlog/"*.jsonl
check "relay daemon: the fallback bulletin is logged, complete, as the relay's fallback" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"session\"]==\"r1\" and r.get(\"fallback\") is True and r[\"outcome\"]==\"complete\" and r[\"bulletin\"]==\"tin-du-phong\"') -ge 1 ]"

# --- 4: a stream that is not there ---------------------------------------------
until_t $((m1 + 69))
"$LOAXA" status -c "$cfg" > "$t/status" 2>&1
check "relay daemon: status shows r2 on air and its 404" "grep -q 'relay:r2' '$t/status' && grep -q 'relay r2: .*404' '$t/status'" "$t/status"
kill -TERM "$dpid"
rc=0
wait "$dpid" || rc=$?
check "relay daemon: SIGTERM in r2: exit $rc, r2 logged interrupted, nothing heard, its stream tried more than once" \
    "[ $rc -eq 0 ] && [ \"\$(field relay r2 outcome)\" = interrupted ] && [ \"\$(field relay r2 heard_ms)\" = 0 ] && [ \"\$(field relay r2 connects)\" -ge 2 ] && [ \"\$(field relay r2 stream_reason)\" = http-404 ]" "$t/daemon.err"
"$LOAXA" log verify -c "$cfg" > "$t/verify" 2>&1
check "relay daemon: the airing log with its relay records verifies" "grep -q 'intact' '$t/verify'" "$t/verify"
"$LOAXA" log show -c "$cfg" > "$t/show" 2>&1
check "relay daemon: log show tells the relay records" "grep -q 'relay r1 (http://127.0.0.1:$icport/live.mp3): partial' '$t/show'" "$t/show"

# --- 5: what went out -------------------------------------------------------
python3 "$TOP/tests/wavtones.py" "$t/out.wav" 1000 440 --tail 5 "$t/out.wav.tail.raw" > "$t/tones"
s1000=$(cut -d' ' -f1 "$t/tones") s440=$(cut -d' ' -f2 "$t/tones")
check "relay daemon: the output holds the station's tone for ${s1000:-?} s and the fallback's for ${s440:-?} s" \
    "atmost 13 \${s1000:-0} && atmost 3 \${s440:-0}" "$t/tones"
lufs=$($r128 loudness "$t/out.wav.tail.raw" "$(cat "$t/out.wav.tail.raw.rate")" 2 | cut -d' ' -f1)
check "relay daemon: the station, back 12 dB quieter, ends at ${lufs:-?} LUFS, within 2 LU of -16 (the rider)" \
    "within \${lufs:-0} -16 2"

# --- the report counts relays apart ---------------------------------------------
day=$(TZ=Asia/Ho_Chi_Minh date -d "@$m1" +%Y-%m-%d)
"$LOAXA" report -c "$cfg" --from "$day" --to "$day" --no-verify --lang en > "$t/report" 2>&1
check "relay daemon: the report shows relayed radio apart: r1 planned and aired, r2 planned, its airtime" \
    "grep -q '5a. Relayed radio' '$t/report' && grep -Eq '^ +Đài thử +1 +1 ' '$t/report' && grep -Eq '^ +r2 +1 +0 ' '$t/report' && grep -q 'Fallback in place of a stream' '$t/report'" "$t/report"
"$LOAXA" report -c "$cfg" --from "$day" --to "$day" --no-verify --format json > "$t/report.json" 2>&1
cat > "$t/byrelay.py" <<'PY'
import json, sys
def find(o):
    if isinstance(o, dict):
        if "by_relay" in o:
            return o["by_relay"]
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None:
                return r
    return None
r = find(json.load(open(sys.argv[1])))
assert r["r1"]["aired"] == 1 and r["r1"]["relayed_s"] >= 13 and r["r2"]["planned"] == 1 and r["r2"]["aired"] == 0, r
PY
check "relay daemon: the JSON report has the relays" "python3 '$t/byrelay.py' '$t/report.json'" "$t/report.json"
