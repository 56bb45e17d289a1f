#!/bin/sh
# Timing on a sink that plays in real time: a PulseAudio null sink, started
# here on a private socket, reached through ALSA's pulse plugin (the loaxart
# device of tests/asound.conf also captures what was written). Checks:
#  - the amplifier relay (LOAXA_BOARD=file: stand-in, CLOCK_BOOTTIME stamps):
#    off at start, on before any sound, the warm-up respected before the
#    chime, off only after the bulletin has played out;
#  - SIGTERM mid-bulletin: loaxa fades out (no jump to zero), exits 1 soon,
#    reports it interrupted and switches the relay off;
#  - an underrun (the process stopped for 2 s) is recovered and counted.
set -u
. "$TOP/tests/audio-common.sh"

. "$TOP/tests/pulse.sh"
start_pulse || exit 0
export LOAXA_BOARD="file:$tmp/relay"

# --- an airing: warm-up 1 s, chime 1.2 s, gap 0.5 s, bulletin 3 s ---
mkcfg "$tmp/t.cfg" -16 "$fx/chime.mp3" 1000 500
"$LOAXA" play -c "$tmp/t.cfg" -v --device pulse "$fx/tone-3s.wav" > "$tmp/out" 2>&1
rc=$?
t() { sed -n "s/^  $1: first sample \([0-9.]*\), end \([0-9.]*\),.*/\\$2/p" "$tmp/out"; }
relay=$(cut -d' ' -f2 "$tmp/relay" | tr '\n' ' ')
on=$(sed -n 2p "$tmp/relay" | cut -d' ' -f1)
off=$(sed -n 3p "$tmp/relay" | cut -d' ' -f1)
check "audio realtime: the airing completes (exit $rc)" "[ $rc -eq 0 ]" "$tmp/out"
check "audio realtime: relay off at start, on, off at the end ($relay)" "[ '$relay' = 'off on off ' ]" "$tmp/relay"
check "audio realtime: relay on before the first sample" "atmost $on $(t warmup 1)" "$tmp/out"
chime=$(t chime 1)
check "audio realtime: chime starts after the 1 s warm-up ($(awk -v a="$chime" -v b="$on" 'BEGIN{printf "%.3f", a-b}') s after relay on)" \
    "atmost $(awk -v o="$on" 'BEGIN{printf "%.6f", o + 0.995}') $chime" "$tmp/out"
check "audio realtime: relay off only after the bulletin played out" "atmost $(t bulletin 2) $off" "$tmp/out"
span=$(awk -v a="$on" -v b="$off" 'BEGIN{printf "%.3f", b-a}')
check "audio realtime: relay on for $span s, at least warm-up + chime + gap + bulletin (5.7 s)" \
    "atmost 5.65 $span && atmost $span 30" "$tmp/out"

# --- SIGTERM in the middle of a bulletin ---
mkcfg "$tmp/s.cfg" -16 "" 100
rm -f "$tmp/relay" "$tmp/cap.raw"
"$LOAXA" play -c "$tmp/s.cfg" --device "loaxart:FILE=$tmp/cap.raw" "$fx/tone.wav" > "$tmp/out" 2>&1 &
pid=$!
sleep 3
t0=$(date +%s.%N)
kill -TERM $pid
wait $pid
rc=$?
t1=$(date +%s.%N)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
check "audio realtime: SIGTERM stops the airing in $took s, reported interrupted (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'interrupted' '$tmp/out' && atmost $took 3" "$tmp/out"
check "audio realtime: relay off after SIGTERM" "[ \"\$(tail -1 '$tmp/relay' | cut -d' ' -f2)\" = off ]" "$tmp/relay"
set -- $(python3 - "$tmp/cap.raw" <<'PY'
import array, sys
a = array.array("h")
a.frombytes(open(sys.argv[1], "rb").read())
k = max(i for i in range(len(a)) if a[i] != 0)
body = max(abs(v) for v in a[max(0, k - 4000):k - 1000])
end = max(abs(v) for v in a[k - 44:k + 1])
print(len(a), body, end, abs(a[k]))
PY
)
check "audio realtime: the tone fades out instead of stopping dead (level $2, last ms $3, last sample $4)" \
    "[ $1 -lt 882000 ] && [ $2 -gt 5000 ] && [ $3 -lt 300 ] && [ $4 -lt 100 ]"

# --- an underrun: the process stopped for 2 s mid-bulletin ---
rm -f "$tmp/relay"
"$LOAXA" play -c "$tmp/s.cfg" --device pulse "$fx/tone-3s.wav" > "$tmp/out" 2>&1 &
pid=$!
sleep 1.5
kill -STOP $pid
sleep 2
kill -CONT $pid
wait $pid
rc=$?
check "audio realtime: an underrun is recovered and counted (exit $rc)" \
    "[ $rc -eq 0 ] && grep -q 'complete.*underrun' '$tmp/out'" "$tmp/out"
