#!/bin/sh
# Live announcements in the real daemon, in real time, for about a minute
# and a half: a microphone (ALSA's file plugin reading a 700 Hz tone as its
# capture, tests/asound.conf loaxamic), the talk button (the LOAXA_BUTTON
# FIFO stand-in for the GPIO line) and loaxad's output written at a sound
# card's pace into a WAV file. In order:
#   1. a session airs a 20 s bulletin (a 440 Hz tone); 5 s in, the button is
#      pressed: the bulletin is cut (logged interrupted, "live
#      announcement") and the microphone airs; released 7 s later, the
#      bulletin airs again, whole
#   2. outside any session, a press of 4 s: a live announcement of its own
#   3. the `live` records say who, when, how long and in which session;
#      the log verifies; the WAV holds the microphone's tone for the two
#      announcements and the bulletin's
set -u
. "$TOP/tests/audio-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
LOAXAD=${LOAXAD:-$BUILD/loaxad}

python3 - "$t/mic.raw" <<'PY'
import math, struct, sys
with open(sys.argv[1], "wb") as f:
    one = b"".join(struct.pack("<hh", v, v) for v in
                   (int(6000 * math.sin(2 * math.pi * 700 * i / 48000)) for i in range(48000)))
    f.write(one * 90)
PY
lib=$t/library
sox -q -n -r 44100 -c 1 "$t/b.wav" synth 20 sine 440 vol 0.3
lame --quiet -b 64 "$t/b.wav" "$t/b.mp3"
"$top/tests/lib-put.sh" "$lib" "$t/b.mp3" tin-dai local > /dev/null
mkfifo "$t/button"

next_minute 15
cfg=$t/loaxa.cfg
{ cfg_head 500; cat <<CFG
live = { device = "loaxamic:FILE=$t/mic.raw"; gpio_line = 22; mode = "hold"; };
sessions = ( { id = "s1"; days = "daily"; start = "$(hm $m1)"; minutes = 1; } );
CFG
} > "$cfg"
"$LOAXA" log init -c "$cfg" > "$t/init" 2>&1 || notok "live daemon: log init" "$(cat "$t/init")"
export LOAXA_DEVICE="wav:$t/out.wav" LOAXA_BUTTON="file:$t/button"
"$LOAXAD" -c "$cfg" -e > "$t/daemon.out" 2> "$t/daemon.err" &
dpid=$!
stop_daemon() { kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_daemon"
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
records() { log_count "$t/airlog" "$1"; }
button() { printf '%s\n' "$1" > "$t/button"; }
field() {	# field TYPE N KEY: KEY of the N-th record of TYPE (1-based)
	python3 - "$t/airlog" "$1" "$2" "$3" <<'PY'
import glob, json, sys
n = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        r = json.loads(line)
        if r.get("type") == sys.argv[2]:
            n += 1
            if n == int(sys.argv[3]):
                print(r.get(sys.argv[4], ""))
PY
}

# --- 1. in a session ---------------------------------------------------------
until_t $((m1 + 5))
button press
sleep 2
"$LOAXA" status -c "$cfg" > "$t/status" 2>&1
check "live daemon: status shows the live announcement on air" "grep -q 'live:talk button' '$t/status'" "$t/status"
until_t $((m1 + 12))
button release
until_t $((m1 + 45))
check "live daemon: the bulletin cut by the microphone is logged interrupted, then airs again whole" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"outcome\"]==\"interrupted\" and r.get(\"reason\")==\"live announcement\"') -eq 1 ] && [ \$(records 'r[\"type\"]==\"airing\" and r[\"outcome\"]==\"complete\" and r[\"bulletin\"]==\"tin-dai\"') -eq 1 ]" "$t/daemon.err"
d1=$(field live 1 duration_ms)
check "live daemon: one live record: by the talk button, in session s1, ${d1:-?} ms (7 s held)" \
    "[ \"\$(field live 1 by)\" = 'talk button' ] && [ \"\$(field live 1 during)\" = s1 ] && [ \"\$(field live 1 outcome)\" = complete ] && within \${d1:-0} 7000 1500" "$t/daemon.err"

# --- 2. outside any session -----------------------------------------------------
until_t $((m1 + 62))
button press
sleep 4
button release
sleep 2
d2=$(field live 2 duration_ms)
check "live daemon: a press outside any session is an announcement of its own (${d2:-?} ms, no session)" \
    "[ \$(records 'r[\"type\"]==\"live\"') -eq 2 ] && [ -z \"\$(field live 2 during)\" ] && within \${d2:-0} 4000 1500" "$t/daemon.err"
kill -TERM "$dpid"
rc=0
wait "$dpid" || rc=$?
check "live daemon: SIGTERM: exit $rc" "[ $rc -eq 0 ]" "$t/daemon.err"
"$LOAXA" log verify -c "$cfg" > "$t/verify" 2>&1
check "live daemon: the airing log with its live records verifies" "grep -q 'intact' '$t/verify'" "$t/verify"
"$LOAXA" log show -c "$cfg" > "$t/show" 2>&1
check "live daemon: log show tells the live records" "grep -q 'live announcement by talk button, [0-9]* s, in session s1: complete' '$t/show'" "$t/show"

# --- 3. what went out ---------------------------------------------------------
python3 "$TOP/tests/wavtones.py" "$t/out.wav" 700 440 > "$t/tones"
s700=$(cut -d' ' -f1 "$t/tones") s440=$(cut -d' ' -f2 "$t/tones")
check "live daemon: the output holds the microphone for ${s700:-?} s (11 s held) and the bulletin for ${s440:-?} s (5 s cut, 20 s whole)" \
    "within \${s700:-0} 11 2 && within \${s440:-0} 25 2" "$t/tones"

# --- the report counts live announcements apart ------------------------------------
day=$(TZ=Asia/Ho_Chi_Minh date -d "@$m1" +%Y-%m-%d)
"$LOAXA" report -c "$cfg" --from "$day" --to "$day" --no-verify --lang en > "$t/report" 2>&1
check "live daemon: the report counts the two live announcements apart" \
    "grep -Eq 'Live announcements \\(counted apart\\) +2, 0 h 00 min' '$t/report' || grep -Eq 'Live announcements \\(counted apart\\) +2, ' '$t/report'" "$t/report"
