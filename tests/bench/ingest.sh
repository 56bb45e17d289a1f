#!/bin/sh
# USB ingest benchmark: `loaxa ingest` of ~200 MB of MP3 bulletins (BENCH_MB)
# against `cp` + `sha256sum` of the same files, measured in the same run on
# the same disk (the build folder's), the page cache warmed for both. The
# ingest also fsyncs every file and decodes and measures every one in full
# (R128 loudness and true peak, in the limited child), so two more peers say
# where its time goes: `mpg123 -t` decoding the same files (the decode check
# alone, no loudness), and `loaxa ingest` of the same stick again, when every
# file is a duplicate (copy, hash and fsync, no decoding). The ingest
# measures one file per core at once while the peers run one after the
# other, so a last row gives the CPU time of both: what the ratio would be
# on one core.
# Prints rows "measure|loaxa|peer|ratio|target" (tests/bench/run).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
[ -x "$BUILD/loaxa" ] || make -C "$top" BUILD="$BUILD" > /dev/null
fx=$("$top/tests/fixtures.sh" "$BUILD/fixtures")
mb=${BENCH_MB:-200}
dir=${BENCH_DIR:-$BUILD/bench-ingest}
rm -rf "$dir"
mkdir -p "$dir/stick/LOAXA" "$dir/copy"
trap 'rm -rf "$dir"' EXIT

# ten minutes of speech, 128 kb/s stereo (9.6 MB); each copy gets its own ID3
# tag so that no two files hash alike (a duplicate would skip the decoding)
sox -q "$fx/speech.wav" -r 44100 -c 2 "$dir/long.wav" repeat 30 vol 0.5
lame --quiet -b 128 "$dir/long.wav" "$dir/long.mp3"
size=$(wc -c < "$dir/long.mp3")
n=$(( (mb * 1000000 + size - 1) / size ))
python3 - "$dir/long.mp3" "$dir/stick/LOAXA" "$n" <<'EOF'
import sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
audio = open(src, "rb").read()
for i in range(n):
    text = ("\x03Bản tin số %d" % (i + 1)).encode("utf-8")
    frame = b"TIT2" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    size = len(frame)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    open("%s/ban-tin-%03d.mp3" % (out, i + 1), "wb").write(b"ID3\x04\x00\x00" + syncsafe + frame + audio)
EOF
total=$(cat "$dir"/stick/LOAXA/*.mp3 | wc -c)
minutes=$((n * 10))
cat > "$dir/loaxa.cfg" <<CFG
version = 1; serial = 1;
site = { id = "bench"; name = "Bench"; };
paths = { library = "$dir/lib"; airlog = "$dir/airlog"; inbox = "$dir/inbox"; state = "$dir/state"; run = "$dir/run"; };
audio = { device = "null"; };
time = { require_sync = false; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
"$BUILD/loaxa" log init -c "$dir/loaxa.cfg" > /dev/null

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# mark NAME: the CPU seconds (user + sys) of the children this shell has
# waited for so far, measuring children included, into $dir/cpu.NAME;
# `times` must run in this shell (in $(...) it would count a subshell's)
mark() { times > "$dir/cpu.$1"; }
cpu() {
	awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); sub(/s$/, "", t[2]); n += t[1] * 60 + t[2] }
		printf "%.3f", n }' "$dir/cpu.$1"
}
cat "$dir"/stick/LOAXA/*.mp3 > /dev/null

mark peer0
t0=$(now)
cp "$dir"/stick/LOAXA/*.mp3 "$dir/copy/"
sha256sum "$dir"/copy/*.mp3 > /dev/null
t1=$(now)
mark peer1
peer=$(secs "$t0" "$t1")
peercpu=$(secs "$(cpu peer0)" "$(cpu peer1)")
rm -f "$dir"/copy/*

mark ing0
t0=$(now)
"$BUILD/loaxa" ingest -c "$dir/loaxa.cfg" --no-speak "$dir/stick" > "$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
t1=$(now)
mark ing1
ing=$(secs "$t0" "$t1")
ingcpu=$(secs "$(cpu ing0)" "$(cpu ing1)")
# the receipt is in Vietnamese where the catalog is found (staff read it), else in English
grep -Eq "Result: $n loaded|nạp mới $n," "$dir/out" || { echo "ingest did not load all $n files:"; head -20 "$dir/out"; exit 1; }

rm -f "$dir"/stick/LOAXA/receipt-*
t0=$(now)
"$BUILD/loaxa" ingest -c "$dir/loaxa.cfg" --no-speak "$dir/stick" > "$dir/out" 2>&1 || true
t1=$(now)
again=$(secs "$t0" "$t1")

mark dec0
t0=$(now)
for f in "$dir"/stick/LOAXA/*.mp3; do mpg123 -q -t "$f"; done
t1=$(now)
mark dec1
dec=$(secs "$t0" "$t1")
deccpu=$(secs "$(cpu dec0)" "$(cpu dec1)")

echo "ingest: $n files, $((total / 1000000)) MB, $minutes minutes of 128 kb/s MP3 ($(nproc) cores)" >&2
awk -v n="$n" -v mb="$((total / 1000000))" -v i="$ing" -v p="$peer" -v a="$again" -v d="$dec" \
    -v ic="$ingcpu" -v pc="$peercpu" -v dc="$deccpu" 'BEGIN {
	printf "ingest %d MB of MP3 bulletins (%d files, decoded and measured)|%.1f s|%.2f s (cp + sha256sum)|%.1fx|<= 2x\n", mb, n, i, p, i / p
	printf "ingest the same stick again (all duplicates: copy, hash, fsync)|%.2f s|%.2f s (cp + sha256sum)|%.1fx|<= 2x\n", a, p, a / p
	printf "ingest %d MB against the decode check alone|%.1f s|%.1f s (cp + sha256sum + mpg123 -t)|%.2fx|<= 1.3x\n", mb, i, p + d, i / (p + d)
	printf "the same, CPU time (user + sys, every process: what one core would take)|%.1f s|%.1f s (cp + sha256sum + mpg123 -t)|%.2fx|-\n", ic, pc + dc, ic / (pc + dc)
}'
