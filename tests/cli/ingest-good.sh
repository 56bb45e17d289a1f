#!/bin/sh
# Good sticks without a daemon: a signed manifest loads with its own metadata;
# the same stick again stores nothing twice; a re-signed manifest updates a
# bulletin's dates; LOAXA/export/ receives a log that verifies against its
# fresh checkpoint, which covers the ingest record; a signed config on the
# stick is applied first, so its new topic is usable by the bulletins; the
# spoken confirmation plays through the relay (or is skipped, said so,
# without espeak-ng); the ingest record lists what was loaded and refused.
set -u
. "$TOP/tests/cli/ingest-common.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "ingest: $1"; else notok "ingest: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/out}" | head -30; fi
}

a=$fx/cbr64-22k-mono.mp3 c=$fx/cbr24-8k-mono.mp3
board
stick
cp "$a" "$lx/luat.mp3"
cp "$c" "$lx/hang gia.mp3"
manifest \
    "file = \"luat.mp3\"; sha256 = \"$(sha "$a")\"; id = \"luat-2026-01\"; title = \"Quy định mới về xử phạt\"; topic = \"law\"; level = \"priority\"; valid_from = \"2026-01-01\"; valid_to = \"2026-06-30\"; source = \"province\"; sessions = [ \"evening\" ];" \
    "file = \"hang gia.mp3\"; sha256 = \"$(sha "$c")\"; id = \"hang-gia\"; title = \"Nhận diện hàng giả\"; topic = \"counterfeit\"; valid_from = \"2026-01-10\"; valid_to = \"2026-02-10\"; source = \"province\";"
"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
ingest
check "a signed manifest loads (exit $rc)" "[ $rc -eq 0 ] && grep -q 'manifest.cfg signed by the province (signature checked)' '$t/out' && grep -q 'Result: 2 loaded, 0 updated, 0 already on the board, 0 refused' '$t/out'"
"$LOAXA" library -c "$cfg" > "$t/lib" 2>&1
check "the library holds the manifest's metadata" \
    "grep -q '^luat-2026-01	law	priority	2026-01-01..2026-06-30	0:19	.*Quy định mới về xử phạt' '$t/lib' && grep -q 'sessions = \[ \"evening\" \]' '$b/lib/bulletins/luat-2026-01.cfg' && grep -q 'source = \"province\"' '$b/lib/bulletins/hang-gia.cfg'" "$t/lib"
check "the audio is stored by its hash" "[ -f '$b/lib/audio/$(sha "$a").mp3' ] && [ -f '$b/lib/audio/$(sha "$c").mp3' ] && [ \$(ls '$b/lib/audio' | wc -l) -eq 2 ]"
"$LOAXA" log show -c "$cfg" > "$t/log" 2>&1
check "an ingest record names what was loaded" "grep -q 'ingest.*source=usb manifest=signed loaded=\[\"luat-2026-01\",\"hang-gia\"\] refused=\[\] duplicates=\[\]' '$t/log'" "$t/log"

ingest
check "the same stick again: nothing stored twice (exit $rc)" "[ $rc -eq 0 ] && grep -q 'Result: 0 loaded, 0 updated, 2 already on the board, 0 refused' '$t/out' && [ \$(ls '$b/lib/audio' | wc -l) -eq 2 ]"

sed -i 's/2026-06-30/2026-09-30/; s/^sequence = 1;/sequence = 2;/' "$lx/manifest.cfg"
"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
ingest
check "a re-signed manifest with new dates updates the bulletin (exit $rc)" "[ $rc -eq 0 ] && grep -q 'Result: 0 loaded, 1 updated, 1 already on the board' '$t/out' && grep -q 'valid_to = \"2026-09-30\"' '$b/lib/bulletins/luat-2026-01.cfg'"

# export for the auditors
mkdir "$lx/export"
ingest
e=$lx/export/cb-hoa-an
check "LOAXA/export/ receives the log, its CSV and a checkpoint" "[ -f '$e/checkpoint.json' ] && [ -f '$e/airlog-cb-hoa-an.csv' ] && ls '$e'/*.jsonl > /dev/null 2>&1 && grep -q 'LOAXA/export/cb-hoa-an/' '$t/out'"
"$LOAXA" log verify --airlog "$e" --checkpoint "$e/checkpoint.json" > "$t/v" 2>&1
last=$(tr -d ' \n' < "$e/checkpoint.json" | grep -o '"seq":[0-9]*' | cut -d: -f2)
records=$(cat "$e"/*.jsonl | grep -c '"type":"ingest"')
ingest_seq=$(cat "$e"/*.jsonl | grep '"type":"ingest"' | tail -1 | grep -o '^{"seq":[0-9]*' | cut -d: -f2)
check "the export verifies against its fresh checkpoint, which covers all $records ingest records (seq $last)" \
    "grep -q 'checkpoint: record' '$t/v' && [ $records -eq 4 ] && [ '$last' = '$ingest_seq' ]" "$t/v"

# a signed config first: its new topic takes a bulletin
stick
sed 's/serial = 2026011501;/serial = 2026011502;/' "$cfg" > "$lx/loaxa.cfg"
cat >> "$lx/loaxa.cfg" <<'CFG'
topics = ( { id = "law"; name = "Chủ trương, chính sách, pháp luật"; }, { id = "counterfeit"; name = "Nhận diện hàng giả"; },
  { id = "local"; name = "Tin địa phương"; }, { id = "health"; name = "Y tế, dịch bệnh"; } );
CFG
"$LOAXA" sign "$lx/loaxa.cfg" --key "$t/office.key" > /dev/null
mkdir "$lx/health"
cp "$fx/vbr-44k-mono.mp3" "$lx/health/Phòng dịch.mp3"
cp "$cfg" "$t/before.cfg"
ingest
check "a signed config on the stick is applied before the bulletins (exit $rc)" \
    "[ $rc -eq 0 ] && grep -q 'configuration serial 2026011502 applied (it was 2026011501); no daemon runs' '$t/out' && grep -q 'Phòng dịch\" — Y tế, dịch bệnh' '$t/out' && grep -q 'serial = 2026011502' '$cfg' && cmp -s '$t/before.cfg' '$cfg.last-good' && cmp -s '$lx/loaxa.cfg.sig' '$cfg.sig'"
"$LOAXA" log show -c "$cfg" | tail -1 > "$t/log"
check "the ingest record names the config serial applied" "grep -q 'config=applied config_serial=2026011502' '$t/log'" "$t/log"
ingest
check "the same config again is 'in force already', not refused (exit $rc)" "[ $rc -eq 0 ] && grep -q 'configuration serial 2026011502 is in force already' '$t/out'"

# the spoken confirmation, played here: relay on and off around it
board
stick
cp "$a" "$lx/tin.mp3"
sed -i 's/audio = { device = "null"; gap_ms = 1500; };/audio = { device = "null"; amplifier = { gpio_chip = "gpiochip0"; gpio_line = 17; warmup_ms = 100; }; };/' "$cfg"
export LOAXA_BOARD="file:$t/relay"
timeout 60 "$LOAXA" ingest -c "$cfg" "$t/stick" > "$t/out" 2>&1
rc=$?
check "the spoken confirmation plays through the relay when no daemon runs (exit $rc)" \
    "[ $rc -eq 0 ] && [ \"\$(cut -d' ' -f2 '$t/relay' | tr '\n' ' ')\" = 'off on off ' ] && [ -z \"\$(ls '$b/lib/tmp')\" ]" "$t/relay"
stick
cp "$c" "$lx/tin2.mp3"
LOAXA_ESPEAK=/nonexistent/espeak-ng timeout 60 "$LOAXA" ingest -c "$cfg" "$t/stick" > "$t/out" 2>&1
rc=$?
check "without espeak-ng the ingest still succeeds and says why it is silent (exit $rc)" \
    "[ $rc -eq 0 ] && grep -q 'no spoken confirmation: /nonexistent/espeak-ng cannot be run (install espeak-ng)' '$t/out'"
unset LOAXA_BOARD

# an empty stick and no stick folder at all
stick
ingest
check "an empty LOAXA folder: nothing taken (exit $rc)" "[ $rc -eq 2 ] && grep -q 'Result: 0 loaded, 0 updated, 0 already on the board, 0 refused' '$t/out'"
rm -rf "$lx"
ingest
check "no LOAXA folder: nothing taken, said so (exit $rc)" "[ $rc -eq 2 ] && grep -q 'holds no LOAXA folder: put the bulletins in a folder named LOAXA' '$t/out'"
