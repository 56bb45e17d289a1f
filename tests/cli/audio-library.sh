#!/bin/sh
# loaxa play ID plays a library bulletin with the measurement stored at
# import (not a new one): the stored loudness is set 3 dB off the truth here,
# and the capture must be off the target by the same 3 dB. A library audio
# file damaged after import plays up to the damage, fades out and fails.
set -u
. "$TOP/tests/audio-common.sh"

mkdir -p "$tmp/library/bulletins" "$tmp/library/audio"
put() {	# put ID FILE LOUDNESS TRUE_PEAK
	sha=$(sha256sum "$2" | cut -d' ' -f1)
	cp "$2" "$tmp/library/audio/$sha.mp3"
	cat > "$tmp/library/bulletins/$1.cfg" <<CFG
bulletin = {
  id = "$1"; title = "Quy định mới về xử phạt buôn lậu"; topic = "law"; level = "normal";
  valid_from = "2026-01-01"; valid_to = "2026-12-31"; source = "province";
  file = "audio/$sha.mp3"; sha256 = "$sha";
  duration_ms = 19423; loudness_lufs = $3; true_peak_db = $4; imported = "2026-01-02T08:00:00+07:00";
};
CFG
}
# the truth is -28.2 LUFS; the library says -25.2
put luat-2026-01 "$fx/cbr128-44k-stereo.mp3" -25.2 -12.3
put hong-2026-02 "$fx/corrupt.mp3" -28.2 -12.3
mkcfg "$tmp/t.cfg" -16

cap=$tmp/cap.raw
"$LOAXA" play -c "$tmp/t.cfg" --device "loaxacap:FILE=$cap,RATE=44100,CHANNELS=1" luat-2026-01 > "$tmp/out" 2>&1
rc=$?
check "audio: play ID names the bulletin and its stored measurement (exit $rc)" \
    "[ $rc -eq 0 ] && grep -q '^bulletin luat-2026-01: Quy định mới' '$tmp/out' && grep -q 'measured -25.2 LUFS' '$tmp/out'" \
    "$tmp/out"
set -- $($r128 loudness "$cap" 44100 1)
check "audio: play ID normalises with the stored loudness (airs at $1 LUFS: -16 less the 3 dB error)" \
    "within $1 -19.0 0.5"

rm -f "$cap"
export LOAXA_BOARD="file:$tmp/relay"
mkcfg "$tmp/amp.cfg" -16 "" 200
"$LOAXA" play -c "$tmp/amp.cfg" --device "loaxacap:FILE=$cap,RATE=44100,CHANNELS=1" hong-2026-02 > "$tmp/out" 2>&1
rc=$?
check "audio: a library bulletin damaged after import fails part way, naming the damage (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'damaged MP3 data after 9' '$tmp/out' && grep -q ': failed' '$tmp/out'" "$tmp/out"
frames=$(( $(wc -c < "$cap") / 2 ))
check "audio: it played up to the damage ($frames frames) and the amplifier ended off" \
    "[ $frames -gt 400000 ] && [ $frames -lt 856544 ] && [ \"\$(cut -d' ' -f2 '$tmp/relay' | tr '\n' ' ')\" = 'off on off ' ]" \
    "$tmp/relay"
