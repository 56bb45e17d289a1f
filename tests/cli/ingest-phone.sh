#!/bin/sh
# Phone recordings on a stick: M4A (AAC, what Android and iPhone recorders
# write), ADTS .aac, Ogg Opus (Zalo, WhatsApp), Ogg Vorbis, WebM, WMA and a
# plain FLAC, all made here from one espeak-ng recording with ffmpeg. Each is
# loaded, converted to FLAC by the decoding child (loaxa-decode), measured,
# named on the receipt as converted and in the ingest record; the bulletin
# keeps the original's sha256 (what the office's manifest names), and it
# plays. The bad ones are refused with what to do, and nothing is left
# behind: a truncated M4A, an MP4 with only video, a text file dressed as
# M4A, and any phone format on a board without the decoder. An ADTS file is
# no longer called "a free-format MP3". The child itself: its limits hold
# (--max-seconds), it refuses what is not audio, and a local file is not a
# stream it may open.
set -u
. "$TOP/tests/cli/ingest-common.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "phone: $1"; else notok "phone: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/out}" | head -30; fi
}

DEC=$BUILD/loaxa-decode
if [ ! -x "$DEC" ] || ! command -v ffmpeg > /dev/null || ! command -v espeak-ng > /dev/null; then
	notok "phone: loaxa-decode, ffmpeg and espeak-ng are here" "run make deps (the FFmpeg -dev packages, ffmpeg, espeak-ng)"
	exit 1
fi

# the recordings: one voice, 3 s, in every format a phone makes
p=$t/phone
mkdir -p "$p"
espeak-ng -v vi -w "$p/v.wav" "Thông báo của ủy ban nhân dân xã về phòng chống hàng giả" 2> /dev/null
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
ff -i "$p/v.wav" -ar 44100 -c:a aac -b:a 96k "$p/v.m4a"
ff -i "$p/v.wav" -ar 44100 -c:a aac -b:a 64k -f adts "$p/v.aac"
ff -i "$p/v.wav" -c:a libopus -b:a 24k "$p/v.opus"
ff -i "$p/v.wav" -c:a libvorbis "$p/v.ogg"
ff -i "$p/v.wav" -c:a libopus "$p/v.webm"
ff -i "$p/v.wav" -c:a wmav2 "$p/v.wma"
ff -i "$p/v.wav" -c:a flac "$p/v.flac"
src_s=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$p/v.wav")

board
stick
for f in m4a aac opus ogg webm wma flac; do cp "$p/v.$f" "$lx/ghi âm.$f"; done
ingest
check "seven phone formats load (exit $rc)" "[ $rc -eq 0 ] && grep -q 'Result: 7 loaded, 0 updated, 0 already on the board, 0 refused' '$t/out'"
check "the receipt says what each was converted from" \
    "grep -q 'converted from M4A (AAC) to FLAC on the board' '$t/out' && grep -q 'converted from AAC to FLAC' '$t/out' && grep -q 'converted from Ogg (Opus) to FLAC' '$t/out' && grep -q 'converted from Ogg (Vorbis) to FLAC' '$t/out' && grep -q 'converted from WebM (Opus) to FLAC' '$t/out' && grep -q 'converted from WMA to FLAC' '$t/out' && [ \$(grep -c 'converted from' '$t/out') -eq 6 ]"
ok_store=1
for f in m4a aac opus ogg webm wma flac; do
	s=$(sha "$p/v.$f")
	[ -f "$b/lib/audio/$s.flac" ] && head -c 4 "$b/lib/audio/$s.flac" | grep -q fLaC || { ok_store=0; echo "# $f: no $s.flac"; }
done
check "each is stored as FLAC under the original's sha256" "[ $ok_store -eq 1 ] && [ \$(ls '$b/lib/audio' | wc -l) -eq 7 ]"
# each converted file, measured on its own: as long as the recording (AAC adds
# its encoder's priming, about 50 ms at most)
long=0
for f in m4a aac opus ogg webm wma flac; do
	"$LOAXA" measure "$b/lib/audio/$(sha "$p/v.$f").flac" > "$t/m" 2>&1
	ms=$(cut -f2 "$t/m")
	awk -v a="${ms:-0}" -v b="$src_s" 'BEGIN { d = a / 1000 - b; if (d < 0) d = -d; exit !(d < 0.1) }' ||
	    { long=1; echo "# $f: ${ms:-?} ms against $src_s s"; }
done
check "each converted file lasts as the recording did (within 0.1 s)" "[ $long -eq 0 ]"
"$LOAXA" library -c "$cfg" > "$t/lib" 2>&1
check "the library lists seven measured bulletins" "[ \$(grep -c '	-1[0-9].[0-9] LUFS	ghi âm' '$t/lib') -eq 7 ]" "$t/lib"
"$LOAXA" log show -c "$cfg" > "$t/log" 2>&1
check "the ingest record says which six were converted, and from what" \
    "grep 'ingest' '$t/log' | grep -o 'converted={[^}]*}' | grep -q '\"M4A (AAC)\".*\"WMA\"' && [ \$(grep -o 'converted={[^}]*}' '$t/log' | tr ',' '\\n' | grep -c '\"ghi-am') -eq 6 ]" "$t/log"
"$LOAXA" play -c "$cfg" --device null -v ghi-am > "$t/play" 2>&1; rc=$?
check "a converted bulletin plays to the end (exit $rc)" "[ $rc -eq 0 ] && grep -q ': complete' '$t/play'" "$t/play"
"$LOAXA" play -c "$cfg" --device null "$p/v.m4a" > "$t/play" 2>&1; rc=$?
check "an unconverted M4A is not played: it says to load it from a stick (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'load it from a USB stick, which converts it' '$t/play'" "$t/play"

# the same M4A again: a duplicate by its original hash, not converted twice
stick
cp "$p/v.m4a" "$lx/lại.m4a"
ingest
check "the same recording again is already on the board" "grep -q 'Result: 0 loaded, 0 updated, 1 already on the board, 0 refused' '$t/out'"

# bad phone files
board
stick
head -c 12000 "$p/v.m4a" > "$lx/cut.m4a"
ff -f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v mpeg4 "$lx/video.mp4"
printf '\0\0\0\030ftypM4A \0\0\0\0this is text, not a recording\n' > "$lx/fake.m4a"
ingest
check "a truncated M4A is refused as damaged" "grep -q 'cut.m4a: is a damaged recording\|cut.m4a: looks like a phone recording but holds no audio' '$t/out'"
check "an MP4 with only video is refused: no audio in it" "grep -q 'video.mp4: looks like a phone recording but holds no audio that can be played' '$t/out'"
check "a text file named .m4a is refused" "grep -q 'fake.m4a: looks like a phone recording but holds no audio\|fake.m4a: is a damaged recording' '$t/out'"
check "nothing of them was stored, and no scratch file is left" \
    "grep -q 'Result: 0 loaded, 0 updated, 0 already on the board, 3 refused' '$t/out' && [ -z \"\$(ls '$b/lib/audio' 2> /dev/null)\" ] && [ -z \"\$(find '$b/lib' -name '*.part*')\" ]"

# a board without the decoder (a build without FFmpeg)
stick
cp "$p/v.m4a" "$lx/a.m4a"
cp "$fx/cbr64-22k-mono.mp3" "$lx/b.mp3"
LOAXA_DECODE=$t/nonexistent ingest
check "without the decoder an M4A is refused with what to do, and an MP3 still loads" \
    "grep -q 'a.m4a: the decoder .*nonexistent.* cannot be run' '$t/out' && grep -q 'Result: 1 loaded, 0 updated, 0 already on the board, 1 refused' '$t/out'"

# ADTS is not MPEG audio
"$LOAXA" measure "$p/v.aac" > "$t/m" 2>&1
check "an ADTS .aac outside the intake is named a phone recording, not a free-format MP3" \
    "grep -q 'a phone or web recording' '$t/m' && ! grep -q 'free-format' '$t/m'" "$t/m"

# the child on its own
"$DEC" convert --max-seconds 1 "$p/v.m4a" "$t/long.flac" > "$t/c" 2>&1; rc=$?
check "the child stops at its length limit (exit $rc)" "[ $rc -eq 1 ] && grep -q '^error too-long ' '$t/c'" "$t/c"
"$DEC" convert "$lx/b.mp3" "$t/mp3.flac" > "$t/c" 2>&1; rc=$?
check "the child converts an MP3 too (exit $rc)" "[ $rc -eq 0 ] && grep -q '^converted mp3 mp3' '$t/c'" "$t/c"
"$DEC" convert "$p/v.wav" "$t/x/y/z.flac" > "$t/c" 2>&1; rc=$?
check "an output it cannot write is an error, not a crash (exit $rc)" "[ $rc -eq 1 ] && grep -q '^error output ' '$t/c'" "$t/c"
"$DEC" stream "file://$p/v.m4a" > /dev/null 2> "$t/c"; rc=$?
check "a stream is http or https, never a local file (exit $rc)" "[ $rc -eq 1 ] && grep -q '^error scheme ' '$t/c'" "$t/c"
"$DEC" convert "$p/v.wav" > /dev/null 2> "$t/c"; rc=$?
check "usage errors exit 2" "[ $rc -eq 2 ] && grep -q '^usage: loaxa-decode' '$t/c'" "$t/c"
