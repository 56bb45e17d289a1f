#!/bin/sh
# What loaxa play writes to a sound card, captured by ALSA's file plugin
# (tests/asound.conf) and checked by independent means:
#  - loudness: every bulletin form lands within 1 LU of audio.loudness_lufs,
#    measured by tests/r128.py (BS.1770 written out in python, not libebur128),
#    with no sample at full scale;
#  - samples: below the limiter's reach, the capture is the mpg123 program's
#    own decode (or sox's, for WAV) times one gain, the gain the reference's
#    own measured loudness asks for; stereo sources averaged to the mono line.
set -u
. "$TOP/tests/audio-common.sh"

mkcfg "$tmp/loud.cfg" -16
mkcfg "$tmp/quiet.cfg" -30

rate_of() {
	case $1 in
	*-8k-*) echo 8000 ;; *-22k-*) echo 22050 ;; *-48k-*) echo 48000 ;; *) echo 44100 ;;
	esac
}

for f in cbr128-44k-stereo.mp3 vbr-44k-mono.mp3 cbr64-22k-mono.mp3 cbr24-8k-mono.mp3 cbr160-48k-stereo.mp3 \
    id3-44k-stereo.mp3 cbr128-44k-stereo-notag.mp3 wav-22k-mono.wav wav-44k-mono.wav; do
	rate=$(rate_of "$f")
	cap=$tmp/cap.raw
	rm -f "$cap"
	if ! "$LOAXA" play -c "$tmp/loud.cfg" --device "loaxacap:FILE=$cap,RATE=$rate,CHANNELS=1" "$fx/$f" > "$tmp/out" 2>&1; then
		notok "audio: $f plays to a 16-bit mono line" "exit status $?"
		sed 's/^/#   /' "$tmp/out"
		continue
	fi
	set -- $($r128 loudness "$cap" "$rate" 1)
	lufs=$1 peak=$2 clipped=$3
	if within "$lufs" -16 1 && [ "$clipped" -eq 0 ] && atmost "$peak" -0.5; then
		ok "audio: $f airs at $lufs LUFS (target -16 +-1), peak $peak dBFS, nothing clipped"
	else
		notok "audio: $f airs within 1 LU of -16 LUFS with nothing clipped" \
		    "measured $lufs LUFS, peak $peak dBFS, $clipped samples at full scale"
	fi
done

# sample by sample, where no limiting is needed (target -30 LUFS)
for f in cbr128-44k-stereo.mp3 vbr-44k-mono.mp3 cbr24-8k-mono.mp3 cbr160-48k-stereo.mp3 id3-44k-stereo.mp3 \
    wav-22k-mono.wav; do
	rate=$(rate_of "$f")
	cap=$tmp/cap.raw ref=$tmp/ref.raw
	rm -f "$cap" "$ref"
	"$LOAXA" play -c "$tmp/quiet.cfg" --device "loaxacap:FILE=$cap,RATE=$rate,CHANNELS=1" "$fx/$f" > "$tmp/out" 2>&1
	case $f in
	*.mp3) mpg123 -q -m -s "$fx/$f" > "$ref" ;;	# -m: stereo mixed to mono
	*.wav) sox "$fx/$f" -t raw -e signed -b 16 -L -c 1 "$ref" ;;
	esac
	set -- $($r128 loudness "$ref" "$rate" 1)
	want=$(awk -v l="$1" 'BEGIN { printf "%.3f", -30 - l }')
	skip=$((rate / 40))	# 25 ms: past the 20 ms fades
	set -- $($r128 compare "$cap" "$ref" 1 "$skip")
	gain=$1 worst=$2 corr=$3 ncap=$4 nref=$5
	if within "$gain" "$want" 0.15 && atmost "$worst" 3 && [ "$ncap" -ge "$nref" ]; then
		ok "audio: $f is mpg123's decode times $gain dB (wanted $want), within $worst LSB"
	else
		notok "audio: $f is the reference decode times the normalising gain" \
		    "fitted gain $gain dB, wanted $want; worst difference $worst LSB; correlation $corr;" \
		    "$ncap frames captured, $nref in the reference"
	fi
done

# the chime and the gap go out on the same line, before the bulletin
mkcfg "$tmp/chime.cfg" -16 "$fx/chime.mp3" "" 500
cap=$tmp/cap.raw
rm -f "$cap"
"$LOAXA" play -c "$tmp/chime.cfg" --device "loaxacap:FILE=$cap,RATE=44100,CHANNELS=1" "$fx/vbr-44k-mono.mp3" > "$tmp/out" 2>&1
frames=$(( $(wc -c < "$cap") / 2 ))
# chime 52920 + gap 22050 + bulletin 856544 frames, and up to a period (50 ms) of
# silence after each: the padding that ends every item (audio/out.h), which a real
# device drops once the item has played out but the file plugin has already written
check "audio: chime, gap and bulletin follow each other on the line ($frames frames)" \
    "[ $frames -ge 931514 ] && [ $frames -le $((931514 + 3 * 2205 + 441)) ]" "$tmp/out"
