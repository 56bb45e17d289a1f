#!/bin/sh
# The real daemon, in real time, for about four minutes: loaxad with a
# real library, a real airing log, the amplifier relay stand-in, and a
# PulseAudio null sink that plays in real time, with what loaxad writes
# timestamped at the sink (tests/sink.py). In order:
#   1. the clock is not trusted: nothing timed airs, status says so;
#      the clock becomes trusted 5 s after session s1 began: s1 airs late
#   2. session s2 airs on time: the first sound reaches the sink within
#      1 s of its start. The sink here is PulseAudio's null sink, whose own
#      latency grows by ~0.2 s with every new stream (measured; ASan builds
#      are slower still), so this checks "on time", not milliseconds: the
#      benchmark (tests/bench/daemon.sh) measures p50/p99 where samples
#      reach ALSA.
#   3. an emergency arrives in the middle of s2's first bulletin: it is cut
#      (logged interrupted), the emergency airs, the session goes on
#   4. a broken config (file change and SIGHUP) is refused, the old one
#      kept; a good one (serial 2, adds s3) is taken and logged
#   5. kill -9 in the middle of s3; restart: the relay is switched off
#      first, the log verifies, the cut airing is logged interrupted, and
#      s3, whose minute is not over, goes on: the cut bulletin again, whole
#   6. SIGTERM: a shutdown record, the relay off, exit 0
set -u
. "$TOP/tests/audio-common.sh"
. "$TOP/tests/pulse.sh"
. "$TOP/tests/daemon-helpers.sh"
start_pulse || exit 0

export LOAXA_BOARD="file:$tmp/relay" LOAXA_SYNC_FLAG="$tmp/synced" LOAXA_DEVICE="loaxaonset:FIFO=$tmp/fifo"
mkfifo "$tmp/fifo"
python3 "$top/tests/sink.py" "$tmp/fifo" "$tmp/onsets" &
sinkpid=$!
stop_sink() { kill "$sinkpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_sink"

lib=$tmp/library
"$top/tests/lib-put.sh" "$lib" "$fx/cbr128-44k-stereo.mp3" tin-mot law
"$top/tests/lib-put.sh" "$lib" "$fx/vbr-44k-mono.mp3" tin-hai local

# sessions on the next minute boundaries at least 25 s away, in Vietnam's time
now=$(date +%s)
m1=$(( (now + 25 + 59) / 60 * 60 ))
hm() { TZ=Asia/Ho_Chi_Minh date -d "@$1" +%H:%M; }
writecfg() {	# writecfg SERIAL [EXTRA-SESSION]
	cat > "$tmp/loaxa.cfg.new" <<CFG
version = 1; serial = $1;
site = { id = "xa-thu"; name = "Xã Thử"; };
paths = { library = "$lib"; airlog = "$tmp/airlog"; inbox = "$tmp/inbox"; state = "$tmp/state"; run = "$tmp/run"; };
audio = { gap_ms = 500; chime = "$fx/chime.mp3";
          amplifier = { gpio_line = 17; warmup_ms = 300; }; };
time = { require_sync = true; grace_minutes = 1; };
sessions = ( { id = "s1"; days = "daily"; start = "$(hm $m1)"; minutes = 1; },
             { id = "s2"; days = "daily"; start = "$(hm $((m1 + 60)))"; minutes = 1; } $2 );
CFG
	mv "$tmp/loaxa.cfg.new" "$tmp/loaxa.cfg"
}
writecfg 1 ""
cfg=$tmp/loaxa.cfg
cp "$cfg" "$tmp/good.cfg"	# loaxa status and log commands read paths from a valid config
"$LOAXA" log init -c "$cfg" > "$tmp/init" 2>&1 || notok "log init" "$(cat "$tmp/init")"

start_daemon() {
	"$LOAXAD" -c "$cfg" -e >> "$tmp/daemon.out" 2>> "$tmp/daemon.err" &
	dpid=$!
}
stop_daemon() { kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_daemon"
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
records() { log_count "$tmp/airlog" "$1"; }	# records PYTHON-CONDITION: how many records r match
status() { "$LOAXA" status -c "$tmp/good.cfg" 2>&1; }
ts() { TZ=Asia/Ho_Chi_Minh date -d "@$1" +%Y-%m-%dT%H:%M:%S+07:00; }

# --- 1. an untrusted clock -------------------------------------------------
start_daemon
sleep 1
check "daemon: with the clock not trusted, status says it waits for it" \
    "status | grep -q 'waiting for the clock'"
until_t $((m1 + 5))
check "daemon: nothing timed airs while the clock is not trusted" "[ \$(records 'r[\"type\"]==\"airing\"') -eq 0 ]"
touch "$tmp/synced"
sleep 3
check "daemon: the clock record says synced" "[ \$(records 'r[\"type\"]==\"clock\" and r[\"state\"]==\"synced\"') -eq 1 ]"

# --- 2. on time -----------------------------------------------------------
until_t $((m1 + 60 + 8))
check "daemon: trusted 5 s late, s1 aired late within the grace minute" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r.get(\"slot\")==\"$(ts $m1)\" and r[\"start\"]>\"$(ts $((m1 + 4)))\"') -ge 1 ]" "$tmp/daemon.err"
onset=$(awk -v t=$((m1 + 60)) '$1 >= t - 1 && $1 < t + 5 { printf "%.3f", $1 - t; exit }' "$tmp/onsets")
check "daemon: s2's first sound reaches the sink ${onset:-never} s after its start" \
    "[ -n '$onset' ] && atmost -0.05 $onset && atmost $onset 1.0" "$tmp/onsets"

# --- 3. an emergency in the middle of a bulletin ---------------------------
"$top/tests/lib-put.sh" "$lib" "$fx/cbr64-22k-mono.mp3" khan-cap local emergency 0 \
    "$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)" "$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)"
sleep 28
check "daemon: the bulletin on air when the emergency came is logged interrupted" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"outcome\"]==\"interrupted\" and r.get(\"reason\")==\"emergency khan-cap\"') -eq 1 ]" "$tmp/daemon.err"
check "daemon: the emergency aired complete" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"bulletin\"]==\"khan-cap\" and r[\"outcome\"]==\"complete\"') -eq 1 ]"

# --- 4. configs ------------------------------------------------------------
printf 'version = 1; serial = 9;\nsite = { id = "xa-thu" }\nsessions = ( { id = "x"; days = "dayly"; } );\n' > "$tmp/loaxa.cfg.new"
mv "$tmp/loaxa.cfg.new" "$cfg"
kill -HUP "$dpid"
sleep 1
check "daemon: a broken config is refused and the daemon goes on (serial 1)" \
    "kill -0 $dpid && status | grep -q 'serial: 1\$'" "$tmp/daemon.err"
check "daemon: the refusal names the file and line" "grep -q 'loaxa.cfg:[0-9]*:' '$tmp/daemon.err'" "$tmp/daemon.err"
until_t $((m1 + 100))
writecfg 2 ", { id = \"s3\"; days = \"daily\"; start = \"$(hm $((m1 + 120)))\"; minutes = 1; }"
cp "$cfg" "$tmp/good.cfg"
kill -HUP "$dpid"
sleep 1
check "daemon: a good config is taken (serial 2)" "status | grep -q 'serial: 2\$'" "$tmp/daemon.err"
check "daemon: and logged whole" "[ \$(records 'r[\"type\"]==\"config\" and r[\"serial\"]==2 and \"s3\" in r[\"text\"]') -eq 1 ]"

# --- 5. kill -9 in the middle of an airing ---------------------------------
until_t $((m1 + 120 + 8))
kill -9 "$dpid"
wait "$dpid" 2> /dev/null
check "daemon: killed in the middle of s3's first bulletin, the relay was left on" "[ \"\$(tail -n 1 '$tmp/relay' | cut -d' ' -f2)\" = on ]" "$tmp/relay"
nrelay=$(wc -l < "$tmp/relay")
start_daemon
sleep 2
check "daemon: restarted, the relay is switched off first" \
    "[ \"\$(sed -n '$((nrelay + 1))p' '$tmp/relay' | cut -d' ' -f2)\" = off ]" "$tmp/relay"
check "daemon: the cut airing is logged interrupted after the restart" \
    "[ \$(records 'r[\"type\"]==\"airing\" and r[\"outcome\"]==\"interrupted\" and r[\"session\"]==\"s3\"') -eq 1 ]" "$tmp/daemon.err"
"$LOAXA" log verify -c "$tmp/good.cfg" > "$tmp/verify" 2>&1
check "daemon: the log verifies after kill -9 (exit $?)" "grep -q 'intact' '$tmp/verify'" "$tmp/verify"

s3_aired() { [ "$(records 'r["type"]=="airing" and r["outcome"]=="complete" and r["session"]=="s3"')" -ge 1 ]; }
check "daemon: s3's time is not over: it goes on, the cut bulletin again, whole" "waitfor 50 s3_aired" "$tmp/daemon.err"
until_t $((m1 + 180 + 2))

# --- 6. SIGTERM --------------------------------------------------------------
kill -TERM "$dpid"
wait "$dpid"
rc=$?
check "daemon: SIGTERM ends it cleanly (exit $rc)" "[ $rc -eq 0 ]" "$tmp/daemon.err"
check "daemon: a shutdown record" "[ \$(records 'r[\"type\"]==\"shutdown\"') -eq 1 ]"
check "daemon: the relay is off at the end" "[ \"\$(tail -n 1 '$tmp/relay' | cut -d' ' -f2)\" = off ]" "$tmp/relay"
check "daemon: every record verifies" "'$LOAXA' log verify -c '$tmp/good.cfg' > /dev/null 2>&1"
check "daemon: s3, cut by kill -9, aired to its end after the restart: nothing of it missed" \
    "[ \$(records 'r[\"type\"]==\"missed\" and r[\"session\"]==\"s3\"') -eq 0 ] && s3_aired"
check "daemon: every airing names its session" "[ \$(records 'r[\"type\"]==\"airing\" and not r[\"session\"]') -eq 0 ]"
