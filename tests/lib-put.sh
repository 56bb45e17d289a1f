#!/bin/sh
# Test helper: puts one audio file into a loaxa library the way import
# leaves it (library.h: audio/<sha256>.<ext> + bulletins/<id>.cfg), with
# the measurement `loaxa measure` makes. Not a substitute for `loaxa ingest`
# (no checks): it lets daemon tests build a library without depending on it.
# Usage: tests/lib-put.sh LIBDIR FILE ID TOPIC [LEVEL [REPEAT_MINUTES [VALID_FROM VALID_TO]]]
set -eu
lib=$1 file=$2 id=$3 topic=$4 level=${5:-normal} repeat=${6:-0}
from=${7:-2020-01-01} to=${8:-2099-12-31}
LOAXA=${LOAXA:-build/loaxa}
m=$("$LOAXA" measure "$file")
dur=$(echo "$m" | cut -f2) lufs=$(echo "$m" | cut -f3) tp=$(echo "$m" | cut -f4)
sha=$(sha256sum "$file" | cut -c1-64)
ext=${file##*.}
mkdir -p "$lib/audio" "$lib/bulletins" "$lib/tmp"
cp "$file" "$lib/tmp/$sha.$ext" && mv "$lib/tmp/$sha.$ext" "$lib/audio/$sha.$ext"
rep=""
[ "$repeat" != 0 ] && rep="repeat_minutes = $repeat;"
now=$(date +%Y-%m-%dT%H:%M:%S%z | sed 's/\(..\)$/:\1/')
cat > "$lib/tmp/$id.cfg" <<CFG
bulletin = { id = "$id"; title = "$id"; topic = "$topic"; level = "$level"; valid_from = "$from";
  valid_to = "$to"; source = "commune"; file = "audio/$sha.$ext"; sha256 = "$sha"; $rep
  duration_ms = $dur; loudness_lufs = $lufs; true_peak_db = $tp; imported = "$now"; };
CFG
mv "$lib/tmp/$id.cfg" "$lib/bulletins/$id.cfg"
