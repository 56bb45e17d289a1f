#!/bin/sh
# Makes the audio fixtures the tests share, at test time (no binaries are
# committed): Vietnamese speech from espeak-ng, encoded by lame in the forms
# bulletins arrive in, a chime, and a set of bad files. Idempotent: a stamp
# file records the script's own checksum, so editing it remakes everything.
#
# Usage: tests/fixtures.sh [DIR]      (default $BUILD/fixtures, BUILD=build)
# Prints the folder. Needs espeak-ng, lame, sox, python3 (tests/deps.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
dir=${1:-$BUILD/fixtures}
stamp=$dir/.stamp
sum=$(cksum < "$0")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

text="Kính thưa bà con nhân dân trong xã. Theo kế hoạch của Ủy ban nhân dân tỉnh Cao Bằng về tuyên truyền \
phòng, chống buôn lậu, gian lận thương mại và hàng giả, đề nghị bà con không mua bán, vận chuyển hàng hóa \
không rõ nguồn gốc. Khi phát hiện hành vi vi phạm, xin báo ngay cho chính quyền địa phương."

# speech: 22.05 kHz mono, as espeak-ng makes it; about 19 s
espeak-ng -v vi -s 150 -w speech.wav "$text"
# a quieter stereo version, so normalisation has work to do in both directions
sox -q speech.wav -r 44100 -c 2 speech44s.wav vol 0.25
sox -q speech.wav -r 48000 -c 2 speech48s.wav vol 0.8
sox -q speech.wav -r 8000 -c 1 speech8m.wav vol 0.8
sox -q speech.wav -r 44100 -c 1 -b 16 wav-44k-mono.wav vol 0.5

lame --quiet -t -b 128 speech44s.wav cbr128-44k-stereo-notag.mp3	# no LAME/Xing header
lame --quiet -b 128 -m j speech44s.wav cbr128-44k-stereo.mp3
lame --quiet -V 4 -m m --resample 44.1 speech.wav vbr-44k-mono.mp3
lame --quiet -b 64 -m m speech.wav cbr64-22k-mono.mp3
lame --quiet -b 24 -m m speech8m.wav cbr24-8k-mono.mp3
lame --quiet -b 160 speech48s.wav cbr160-48k-stereo.mp3
lame --quiet -b 128 -m j --add-id3v2 --pad-id3v2-size 4096 --tt "Bản tin phòng chống buôn lậu" \
	--ta "UBND xã Hòa An" --tl "Loa xã" --ty 2026 speech44s.wav id3-44k-stereo.mp3
cp speech.wav wav-22k-mono.wav

# the chime: two falling tones, 1.2 s
sox -q -n -r 44100 -c 1 chime.wav synth 0.6 sine 880 fade q 0.01 0.6 0.2 : synth 0.6 sine 660 fade q 0.01 0.6 0.3 vol 0.5
lame --quiet -b 96 -m m chime.wav chime.mp3

# a steady tone, where a cut without a fade would show as a jump to zero
sox -q -n -r 44100 -c 1 -b 16 tone.wav synth 20 sine 440 vol 0.25
sox -q tone.wav tone-3s.wav trim 0 3

# silence only: R128 loudness is -inf
sox -q -n -r 22050 -c 1 silence.wav trim 0 3
lame --quiet -b 32 -m m silence.wav silence.mp3

# --- bad files ---
: > empty.mp3
printf 'Kính gửi bà con: đây là một tệp văn bản, không phải âm thanh.\n' > text.mp3
# the top of an MP4/AAC file as a phone makes it
python3 - <<'EOF'
import struct, random
random.seed(4080)
ftyp = struct.pack(">I4s4sI", 28, b"ftyp", b"M4A ", 0) + b"M4A mp42isom"
mdat = struct.pack(">I4s", 8 + 20000, b"mdat") + bytes(random.getrandbits(8) for _ in range(20000))
open("phone.m4a", "wb").write(ftyp + mdat)
# raw ADTS AAC: sync 0xFFF, layer 00 (which MPEG audio never uses)
frames = b""
for _ in range(200):
    body = bytes(random.getrandbits(8) for _ in range(200))
    n = 7 + len(body)
    hdr = bytes([0xFF, 0xF1, 0x50, 0x80 | ((n >> 11) & 3), (n >> 3) & 0xFF, ((n & 7) << 5) | 0x1F, 0xFC])
    frames += hdr + body
open("adts.aac", "wb").write(frames)
open("adts-renamed.mp3", "wb").write(frames)
# an ID3v2 tag that claims 256 MiB in a 10 KiB file
size = (1 << 28) - 1
ss = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
open("huge-id3.mp3", "wb").write(b"ID3\x03\x00\x00" + ss + bytes(10240))
# MPEG headers whose every frame is free-format (bitrate index 0): size unknown
hdr = bytes([0xFF, 0xFB, 0x00, 0x44])
open("freeformat.mp3", "wb").write((hdr + bytes(1040)) * 40)
# a WAV whose header claims 65535 channels and 4 GiB of data
fmt = struct.pack("<HHIIHH", 1, 65535, 44100, 0xFFFFFFFF, 0xFFFF, 16)
wav = b"RIFF" + struct.pack("<I", 0xFFFFFFF0) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
wav += b"data" + struct.pack("<I", 0xFFFFFFF0) + bytes(4096)
open("huge-header.wav", "wb").write(wav)
# garbage after a RIFF/WAVE header
open("garbage.wav", "wb").write(b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(random.getrandbits(8) for _ in range(4000)))
EOF
# an MP3 cut in the middle (its LAME header still promises the whole length)
size=$(wc -c < cbr128-44k-stereo.mp3)
head -c $((size / 2)) cbr128-44k-stereo.mp3 > truncated.mp3
# a WAV cut in the middle (its header still promises the whole length)
size=$(wc -c < wav-22k-mono.wav)
head -c $((size / 2)) wav-22k-mono.wav > truncated.wav
# damaged frames part way: a run of bytes overwritten in the middle
cp cbr128-44k-stereo.mp3 corrupt.mp3
size=$(wc -c < corrupt.mp3)
python3 - "$size" <<'EOF'
import sys, random
random.seed(17)
n = int(sys.argv[1])
with open("corrupt.mp3", "r+b") as f:
    f.seek(n // 2)
    f.write(bytes(random.getrandbits(8) for _ in range(3000)))
EOF

# a LAME/Xing header that promises 16 million frames (about 117 hours)
python3 - <<'EOF'
data = bytearray(open("cbr128-44k-stereo.mp3", "rb").read())
for tag in (b"Info", b"Xing"):
    i = data.find(tag, 0, 400)
    if i >= 0:
        break
assert i >= 0 and data[i + 7] & 1, "no frame count in the LAME header"
data[i + 8:i + 12] = (0x00FFFFFF).to_bytes(4, "big")
open("endless.mp3", "wb").write(bytes(data))
EOF

rm -f speech44s.wav speech48s.wav speech8m.wav
mv ./* "$dir"/
echo "$sum" > "$stamp"
echo "$dir"
