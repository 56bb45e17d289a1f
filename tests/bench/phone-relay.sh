#!/bin/sh
# Benchmarks of the second wave's inputs, each beside its peer in the same run:
#   - ingest of 50 phone recordings (M4A/AAC, 30 s each, made here with
#     espeak-ng and ffmpeg): `loaxa ingest` (copy, hash, convert to FLAC in
#     loaxa-decode, decode and measure, store) against ffmpeg converting the
#     same files to FLAC one after another;
#   - a relay's start: from starting the decoder to its first PCM, on an
#     Icecast MP3 stream at 64 kb/s on loopback, loaxa-decode against
#     `ffmpeg -i URL -f s16le -` (median of 5);
#   - its cost: instructions and peak RSS to decode 60 s of a 128 kb/s HLS
#     stream of AAC (a file-backed playlist, read as fast as it comes),
#     loaxa-decode against `ffmpeg -i URL -f s16le -`.
# Prints rows "measure|loaxa|peer|ratio|target".
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
DEC=$BUILD/loaxa-decode
t=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-pr.XXXXXX")
cleanup_hooks=""
cleanup() { for h in $cleanup_hooks; do $h; done; rm -rf "$t"; }
trap cleanup EXIT INT TERM
[ -x "$DEC" ] || { echo "phone and relay benchmarks|-|-|-|loaxa-decode not built"; exit 0; }
ms() { date +%s%N | cut -c1-13; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# --- 50 phone recordings ----------------------------------------------------------------
mkdir -p "$t/stick/LOAXA" "$t/peer"
espeak-ng -v vi -w "$t/v.wav" "Thông báo của ủy ban nhân dân xã về phòng chống buôn lậu, gian lận thương mại và hàng giả. Đề nghị bà con chấp hành nghiêm." 2> /dev/null
ffmpeg -nostdin -loglevel error -stream_loop 4 -i "$t/v.wav" -t 30 "$t/v30.wav"
for i in $(seq 1 50); do
	# each different (a tone under the voice), so none is a duplicate of another
	ffmpeg -nostdin -loglevel error -i "$t/v30.wav" -f lavfi -i "sine=frequency=$((200 + i * 10)):sample_rate=22050" \
	    -filter_complex "[1]volume=0.02[s];[0][s]amix=inputs=2:duration=first" -ar 44100 -c:a aac -b:a 96k \
	    "$t/stick/LOAXA/ghi-am-$(printf %02d "$i").m4a"
done
bytes=$(du -cb "$t/stick/LOAXA"/*.m4a | tail -1 | cut -f1)
mkdir -p "$t/board"
cat > "$t/loaxa.cfg" <<CFG
version = 1; serial = 1; site = { id = "bench"; name = "Bench"; };
paths = { library = "$t/board/lib"; airlog = "$t/board/airlog"; inbox = "$t/board/inbox"; state = "$t/board/state"; run = "$t/board/run"; };
audio = { device = "null"; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
"$LOAXA" log init -c "$t/loaxa.cfg" > /dev/null 2>&1
s=$(ms)
LOAXA_DEVICE=null "$LOAXA" ingest -c "$t/loaxa.cfg" --no-speak "$t/stick" > "$t/receipt" 2>&1
l=$(( $(ms) - s ))
loaded=$(ls "$t/board/lib/audio" 2> /dev/null | grep -c "\.flac$")
s=$(ms)
for f in "$t/stick/LOAXA"/*.m4a; do
	ffmpeg -nostdin -loglevel error -i "$f" -c:a flac -sample_fmt s16 "$t/peer/$(basename "$f" .m4a).flac"
done
p=$(( $(ms) - s ))
echo "ingest 50 phone recordings (M4A, 30 s each, $((bytes / 1048576)) MiB; ${loaded:-?} loaded): convert, measure, store|$(awk -v v="$l" 'BEGIN { printf "%.1f s", v / 1000 }')|$(awk -v v="$p" 'BEGIN { printf "%.1f s", v / 1000 }') (ffmpeg to FLAC, one by one)|$(ratio "$l" "$p")|-"

# --- a relay's start ------------------------------------------------------------------------
if command -v icecast2 > /dev/null; then
	TOP=$top
	. "$top/tests/icecast.sh"
	if start_icecast > /dev/null && feed live.mp3 1000 mp3 > /dev/null; then
		sleep 2
		url="http://127.0.0.1:$icport/live.mp3"
		first() {	# first CMD...: ms until the first PCM byte
			s=$(ms)
			"$@" 2> /dev/null | head -c 1 > /dev/null
			echo $(( $(ms) - s ))
		}
		a="" b=""
		for _ in 1 2 3 4 5; do
			a="$a $(first timeout 20 "$DEC" stream "$url")"
			b="$b $(first timeout 20 ffmpeg -nostdin -loglevel error -i "$url" -f s16le -ar 48000 -ac 2 -)"
		done
		med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 3p; }
		echo "relay start: first PCM from an Icecast MP3 stream, 64 kb/s (median of 5)|$(med $a) ms|$(med $b) ms (ffmpeg -i URL -f s16le)|$(ratio "$(med $a)" "$(med $b)")|< 5000 ms (the stream is opened 5 s ahead)"
	fi
fi

# --- the decoder's cost on 60 s of HLS --------------------------------------------------------
mkdir -p "$t/web/hls"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=800:sample_rate=44100:duration=60" -c:a aac -b:a 128k \
    -f hls -hls_time 2 -hls_list_size 0 -hls_playlist_type vod "$t/web/hls/a.m3u8"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$t/web" > "$t/http.out" 2>&1 &
hpid=$!
stop_http() { kill "$hpid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_http"
for _ in $(seq 50); do
	port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$t/http.out" | head -1)
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -n "${port:-}" ] && command -v valgrind > /dev/null; then
	hls="http://127.0.0.1:$port/hls/a.m3u8"
	ins() {	# ins CMD...: instructions (callgrind), the child's own
		valgrind --tool=callgrind --callgrind-out-file="$t/cg" "$@" > /dev/null 2>&1
		sed -n 's/^summary: //p' "$t/cg" | head -1
	}
	rss() { /usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -1; }
	LOAXA_DECODE_NO_SECCOMP=1 ins "$DEC" stream --timeout-ms 5000 "$hls" > "$t/ia"
	ins ffmpeg -nostdin -loglevel error -i "$hls" -f s16le -ar 48000 -ac 2 - > "$t/ib"
	ia=$(cat "$t/ia") ib=$(cat "$t/ib")
	echo "relay 60 s of 128 kb/s AAC HLS: decoder instructions (callgrind)|$(awk -v v="$ia" 'BEGIN { printf "%.1f M", v / 1e6 }')|$(awk -v v="$ib" 'BEGIN { printf "%.1f M", v / 1e6 }') (ffmpeg -i URL -f s16le)|$(ratio "$ia" "$ib")|-"
	ra=$(rss "$DEC" stream --timeout-ms 5000 "$hls") rb=$(rss ffmpeg -nostdin -loglevel error -i "$hls" -f s16le -ar 48000 -ac 2 -)
	echo "relay 60 s of 128 kb/s AAC HLS: decoder peak RSS|$ra KiB|$rb KiB (ffmpeg)|$(ratio "$ra" "$rb")|-"
fi
