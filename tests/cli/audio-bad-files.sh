#!/bin/sh
# loaxa play refuses every bad file with a message that names it and says what
# to do, exits 1 (never a crash), and never switches the amplifier on for it.
# A missing sound card is an error too, not a crash.
set -u
. "$TOP/tests/audio-common.sh"

mkcfg "$tmp/t.cfg" -16 "" 100
export LOAXA_BOARD="file:$tmp/relay"

bad() {	# bad FILE EXPECTED-TEXT...
	f=$1
	shift
	rm -f "$tmp/relay"
	"$LOAXA" play -c "$tmp/t.cfg" "$fx/$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	why=""
	[ $rc -eq 1 ] || why="exit status $rc, expected 1"
	grep -q "$fx/$f" "$tmp/err" || why="$why; the message does not name the file"
	for t in "$@"; do
		grep -qF -- "$t" "$tmp/err" || why="$why; no \"$t\" in the message"
	done
	grep -q "on$" "$tmp/relay" 2>/dev/null && why="$why; the amplifier was switched on"
	grep -qE "Sanitizer|runtime error" "$tmp/err" && why="$why; the sanitizers reported a fault"
	if [ -z "$why" ]; then
		ok "audio: bad file $f refused: $(head -c 150 "$tmp/err" | tr '\n' ' ' | sed "s|$fx/||")"
	else
		notok "audio: bad file $f refused with a clear message" "$why"
		sed 's/^/#   /' "$tmp/err"
	fi
}

bad empty.mp3 "is empty" "copy it again"
bad text.mp3 "not an MP3 or WAV file (text?)" "convert it to MP3"
bad phone.m4a "a phone or web recording" "load it from a USB stick"
bad adts-renamed.mp3 "a phone or web recording" "load it from a USB stick"
bad truncated.mp3 "ends early" "truncated" "copy it again"
bad truncated.wav "truncated" "copy it again"
bad corrupt.mp3 "damaged MP3 data" "copy it again"
bad huge-id3.mp3 "ID3 tag claims" "convert it to MP3"
bad freeformat.mp3 "free-format"
bad huge-header.wav "not a readable WAV file" "convert it to MP3"
bad garbage.wav "not a readable WAV file" "convert it to MP3"
bad endless.mp3 "minutes long" "split it"
bad silence.mp3 "is silent" "record it again"

# neither a file nor a library bulletin
"$LOAXA" play -c "$tmp/t.cfg" no-such-bulletin > "$tmp/out" 2> "$tmp/err"
rc=$?
check "audio: an unknown bulletin id is refused, naming it and the library (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'no-such-bulletin.*neither a file nor a bulletin in the library' '$tmp/err'" "$tmp/err"

# no such sound card: an error that names it, exit 1, amplifier left off
for dev in hw:99 nosuchpcm; do
	rm -f "$tmp/relay"
	"$LOAXA" play -c "$tmp/t.cfg" --device "$dev" "$fx/chime.mp3" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	check "audio: missing device $dev is an error, not a crash (exit $rc)" \
	    "[ $rc -eq 1 ] && grep -q 'audio device \"$dev\": cannot open it' '$tmp/err' && ! grep -q 'on\$' '$tmp/relay' 2>/dev/null" \
	    "$tmp/err"
done

# a device that fails part way (ALSA's file plugin writing to /dev/full): the
# ALSA reason is given, the amplifier ends off
rm -f "$tmp/relay"
"$LOAXA" play -c "$tmp/t.cfg" --device "loaxacap:FILE=/dev/full" "$fx/chime.mp3" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "audio: a device error part way fails the airing with ALSA's reason (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'write failed' '$tmp/err' && grep -q 'failed' '$tmp/out' && [ \"\$(tail -1 '$tmp/relay' | cut -d' ' -f2)\" = off ]" \
    "$tmp/err"
