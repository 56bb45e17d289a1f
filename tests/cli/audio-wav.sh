#!/bin/sh
# The wav:PATH device (a machine without a sound card): it plays like a
# card, in real time, and keeps every sample in PATH.
set -u
. "$TOP/tests/audio-common.sh"
mkcfg "$tmp/t.cfg" -16
t0=$(date +%s.%N)
"$LOAXA" play -c "$tmp/t.cfg" --device "wav:$tmp/out.wav" "$fx/tone-3s.wav" > "$tmp/out" 2>&1
rc=$?
t1=$(date +%s.%N)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
len=$(soxi -D "$tmp/out.wav" 2> /dev/null || echo 0)
check "audio wav: a 3 s bulletin plays through (exit $rc)" "[ $rc -eq 0 ]" "$tmp/out"
check "audio wav: it takes its real time ($took s, at least 3 s)" "atmost 2.95 $took && atmost $took 8" "$tmp/out"
check "audio wav: the file holds all of it ($len s)" "atmost 2.99 $len" "$tmp/out"
