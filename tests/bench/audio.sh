#!/bin/sh
# Audio engine benchmark: the cost of airing one minute of a 128 kb/s stereo
# MP3 bulletin, loaxa against the mpg123 program playing the same file to the
# same ALSA sink in the same run:
#   instructions   valgrind --tool=callgrind, whole process (start-up, ALSA's
#                  set-up and the library's and configuration's loading included)
#                  (callgrind counts glibc's rep-movsb copies a byte at a time;
#                  which copies take that path depends on sizes and alignment)
#   peak RSS       /usr/bin/time -f %M, the median of 5 runs
# The sink is the loaxacap device of tests/asound.conf writing to /dev/null
# (ALSA's plug and file plugins over the null PCM, S16_LE stereo 44.1 kHz):
# both programs decode, convert and hand over every sample; nothing waits for
# a sound card. loaxa airs it as a library bulletin (measured at import, as
# the daemon does), normalised to -16 LUFS, which engages the limiter.
# Output: rows "measure|loaxa|peer|ratio|target" on stdout (tests/bench/run
# collects them), the same as a table on stderr.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
LOAXA=$BUILD/loaxa
[ -x "$LOAXA" ] || make -C "$top" BUILD="$BUILD" > /dev/null
for t in valgrind mpg123 lame sox /usr/bin/time; do
	command -v "$t" > /dev/null || { echo "audio bench: $t is missing (make deps)" >&2; exit 1; }
done
fx=$("$top/tests/fixtures.sh" "$BUILD/fixtures")
dir=$BUILD/bench-audio
rm -rf "$dir"
mkdir -p "$dir/library/bulletins" "$dir/library/audio"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$top/tests/asound.conf"
dev="loaxacap:FILE=/dev/null,RATE=44100,CHANNELS=2"

# one minute of Vietnamese speech, 128 kb/s joint stereo
sox -q "$fx/speech.wav" -r 44100 -c 2 "$dir/b.wav" repeat 3 trim 0 60 vol 0.5
lame --quiet -b 128 "$dir/b.wav" "$dir/b.mp3"
cat > "$dir/loaxa.cfg" <<CFG
version = 1; serial = 1;
site = { id = "bench"; name = "Bench"; };
paths = { library = "$dir/library"; airlog = "$dir/airlog"; inbox = "$dir/inbox"; };
audio = { device = "null"; loudness_lufs = -16.0; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
# import it: its measurement goes into the library, as ingest would store it
"$LOAXA" play -c "$dir/loaxa.cfg" "$dir/b.mp3" > "$dir/m"
lufs=$(sed -n 's/.*measured \([-0-9.]*\) LUFS.*/\1/p' "$dir/m" | head -1)
tp=$(sed -n 's/.*true peak \([-0-9.]*\) dBTP.*/\1/p' "$dir/m" | head -1)
sha=$(sha256sum "$dir/b.mp3" | cut -d' ' -f1)
cp "$dir/b.mp3" "$dir/library/audio/$sha.mp3"
cat > "$dir/library/bulletins/bench-1min.cfg" <<CFG
bulletin = { id = "bench-1min"; title = "Bench"; topic = "law"; level = "normal";
  valid_from = "2026-01-01"; valid_to = "2026-12-31"; source = "province";
  file = "audio/$sha.mp3"; sha256 = "$sha"; duration_ms = 60000;
  loudness_lufs = $lufs; true_peak_db = $tp; imported = "2026-01-02T08:00:00+07:00"; };
CFG

instr() {	# instructions of one run of the command
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
rss() {		# peak RSS, KiB: the median of 5 runs (shared-library fault-around makes it noisy)
	for i in 1 2 3 4 5; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
	done | sort -n | sed -n 3p
}

li=$(instr "$LOAXA" play -c "$dir/loaxa.cfg" --device "$dev" bench-1min)
mi=$(instr mpg123 -q -o alsa -a "$dev" "$dir/b.mp3")
lr=$(rss "$LOAXA" play -c "$dir/loaxa.cfg" --device "$dev" bench-1min)
mr=$(rss mpg123 -q -o alsa -a "$dev" "$dir/b.mp3")
fi=$(instr "$LOAXA" play -c "$dir/loaxa.cfg" --device "$dev" "$dir/b.mp3")

awk -v li="$li" -v mi="$mi" -v lr="$lr" -v mr="$mr" -v fi="$fi" 'BEGIN {
	printf "air 1 min 128 kb/s MP3: instructions (callgrind)|%.1f M|%.1f M (mpg123 -o alsa)|%.2fx|<= 1.05x\n", li / 1e6, mi / 1e6, li / mi
	printf "air 1 min 128 kb/s MP3: peak RSS|%d KiB|%d KiB (mpg123 -o alsa)|%.2fx|<= 1.00x\n", lr, mr, lr / mr
	printf "play a loose 1 min MP3 (measures it first): instructions|%.1f M|%.1f M (mpg123 -o alsa)|%.2fx|-\n", fi / 1e6, mi / 1e6, fi / mi
}' > "$dir/rows"
cat "$dir/rows"
{
	printf "%-58s %12s %26s %7s %9s\n" measure loaxa mpg123 ratio target
	awk -F'|' '{ printf "%-58s %12s %26s %7s %9s\n", $1, $2, $3, $4, $5 }' "$dir/rows"
} >&2
