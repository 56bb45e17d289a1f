#!/bin/sh
# Airing log benchmark, each figure beside a peer measured in the same run on
# the same disk (the build folder's):
#   append      records/s, one fsync per record (the writer's contract), against
#               dd writing blocks of the same mean size with oflag=dsync
#   verify      MB/s of `loaxa log verify` over a ~100 MB log (BENCH_MB), with
#               the seed (chain, MACs, seals) and without (chain, seals),
#               against b2sum -l 256 of the same files (one BLAKE2b pass); and
#               jansson parsing the same lines and nothing else, the floor under
#               verify (each line must be parsed: JSON through the library)
# Usage: tests/bench/airlog.sh   (BUILD, BENCH_DIR, BENCH_MB, BENCH_APPENDS override)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
[ -x "$BUILD/loaxa" ] && [ -x "$BUILD/tests/test_airlog" ] || make -C "$top" BUILD="$BUILD" tests > /dev/null
dir=${BENCH_DIR:-$BUILD/bench}
mb=${BENCH_MB:-100}
appends=${BENCH_APPENDS:-2000}
rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# append, durable
t0=$(now)
"$BUILD/tests/test_airlog" --bulk "$dir/sync" "$appends" > /dev/null
t1=$(now)
bytes=$(cat "$dir"/sync/airlog/*.jsonl | wc -c)
recsize=$((bytes / appends))
app_s=$(secs "$t0" "$t1")
t0=$(now)
dd if=/dev/zero of="$dir/dd.out" bs="$recsize" count="$appends" oflag=dsync 2> /dev/null
t1=$(now)
dd_s=$(secs "$t0" "$t1")

# a big log, written without fsync (records are the same; only the bench's patience differs)
records=$((mb * 1024 * 1024 / recsize))
seed=$("$BUILD/tests/test_airlog" --bulk "$dir/big" "$records" --nosync)
size=$(cat "$dir"/big/airlog/*.jsonl | wc -c)
files=$(ls "$dir"/big/airlog | wc -l)
cat "$dir"/big/airlog/*.jsonl > /dev/null	# warm the page cache for every reader alike

t0=$(now)
"$BUILD/loaxa" log verify --airlog "$dir/big/airlog" --seed "$seed" > "$dir/v1"
t1=$(now)
v_seed=$(secs "$t0" "$t1")
t0=$(now)
"$BUILD/loaxa" log verify --airlog "$dir/big/airlog" > "$dir/v2"
t1=$(now)
v_noseed=$(secs "$t0" "$t1")
t0=$(now)
LOAXA_THREADS=1 "$BUILD/loaxa" log verify --airlog "$dir/big/airlog" > "$dir/v3"	# no reader ahead
t1=$(now)
v_one=$(secs "$t0" "$t1")
t0=$(now)
b2sum -l 256 "$dir"/big/airlog/*.jsonl > /dev/null
t1=$(now)
b2=$(secs "$t0" "$t1")
parse=$("$BUILD/tests/test_airlog" --parse-only "$dir/big/airlog")
grep -q "^airing log intact: " "$dir/v1" || { echo "verify did not pass:"; cat "$dir/v1"; exit 1; }

# rows "measure|loaxa|peer|ratio|target", as tests/bench/run tabulates them
awk -v p="$parse" -v n="$appends" -v a="$app_s" -v d="$dd_s" -v sz="$size" -v vs="$v_seed" -v vn="$v_noseed" -v b="$b2" \
    -v rs="$recsize" -v recs="$records" -v files="$files" -v v1="$v_one" 'BEGIN {
	mb = sz / 1048576
	printf "airing log: append+fsync, %d records of ~%d bytes|%.0f records/s|%.0f records/s (dd oflag=dsync, same block size)|%.2fx|-\n", n, rs, n / a, n / d, (n / a) / (n / d)
	printf "airing log: log verify --seed over %.0f MB (%d records, %d files), 2 threads (a reader ahead hashes)|%.1f MB/s|%.1f MB/s (b2sum -l 256)|%.2fx|-\n", mb, recs, files, mb / vs, mb / b, (mb / vs) / (mb / b)
	printf "airing log: log verify, no seed, 2 threads|%.1f MB/s|%.1f MB/s (b2sum -l 256)|%.2fx|-\n", mb / vn, mb / b, (mb / vn) / (mb / b)
	printf "airing log: log verify, no seed, one thread (LOAXA_THREADS=1)|%.1f MB/s|%.1f MB/s (b2sum -l 256)|%.2fx|-\n", mb / v1, mb / b, (mb / v1) / (mb / b)
	printf "airing log: log verify --seed (2 threads) against jansson parsing alone (one)|%.1f MB/s|%.1f MB/s (json_loadb of every line, nothing else)|%.2fx|-\n", mb / vs, mb / p, (mb / vs) / (mb / p)
}'
