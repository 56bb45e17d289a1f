#!/bin/sh
# The collector's exactly-once, message by message (office/collect.c): a
# board's records published by hand, in an order a real broker and board can
# produce: the last record sent again (its ack was lost), a record beyond a
# gap (one lost in between), then the gap filled and the rest. The store must
# hold each record once, in order, byte for byte, with no fault; the
# duplicate is counted and the gap asked for again (resend). The log is the
# writer's own (test_airlog --fixture), its MACs and seals checked (--seeds, --keys).
. "$TOP/tests/fleet-common.sh"
command -v mosquitto > /dev/null || { echo "ok - fleet collect once # SKIP mosquitto is not installed (make deps)"; exit 0; }
command -v mosquitto_pub > /dev/null || { echo "ok - fleet collect once # SKIP mosquitto-clients is not installed"; exit 0; }
command -v sqlite3 > /dev/null || { echo "ok - fleet collect once # SKIP sqlite3 is not installed"; exit 0; }
fleet_ca
office_cfg
broker_start || { notok "fleet collect once: the broker starts"; exit 1; }

SITE=xa-thu
"$BUILD/tests/test_airlog" --fixture "$tmp/fx" > "$tmp/keys" || { notok "fleet collect once: the fixture log"; exit 1; }
echo "$SITE $(sed -n 's/^seed //p' "$tmp/keys")" > "$tmp/seeds"
echo "$SITE $(sed -n 's/^pub //p' "$tmp/keys")" > "$tmp/pubs"
# the records, one a file, in order (the torn fragment is not a record)
mkdir "$tmp/r"
cat "$tmp/fx"/airlog/*.jsonl | grep '"mac":"' > "$tmp/all.jsonl"
n=$(wc -l < "$tmp/all.jsonl")
[ "$n" -eq 15 ] || { notok "fleet collect once: the fixture has 15 records" "$n"; exit 1; }
i=0
while IFS= read -r line; do i=$((i + 1)); printf '%s' "$line" > "$tmp/r/$i"; done < "$tmp/all.jsonl"

DB=$tmp/db.sqlite
"$LOAXA" collect -c "$tmp/office.cfg" --db "sqlite:$DB" --seeds "$tmp/seeds" --keys "$tmp/pubs" \
    > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || { notok "fleet collect once: the collector connects" "$(cat "$tmp/collect.err")"; exit 1; }

tls="--cafile $tmp/pki/ca.crt --cert $tmp/pki/office.crt --key $tmp/pki/office.key -h localhost -p $BROKER_PORT"
T=loaxa/$PROV/site/$SITE
# shellcheck disable=SC2086
mosquitto_sub $tls -i test-watch -q 1 -t "$T/resend" -v > "$tmp/resend" 2>&1 &
wpid=$!
stop_watch() { kill "$wpid" 2> /dev/null; wait "$wpid" 2> /dev/null; }
cleanup_hooks="stop_watch $cleanup_hooks"
sleep 0.5
# pub N: record N on the board's records topic, as the board publishes it
# shellcheck disable=SC2086
pub() { mosquitto_pub $tls -i test-board -q 1 -t "$T/records" -f "$tmp/r/$1"; }
stored() { sqlite3 "$DB" "select coalesce(max(seq), 0) from records where site='$SITE'" 2> /dev/null; }
stored_is() { [ "$(stored)" = "$1" ]; }

pub 1; pub 2
wait_for 10 stored_is 2 || notok "fleet collect once: records 1 and 2 stored" "stored: $(stored)"
pub 2		# sent again: its ack was lost
pub 4		# record 3 lost on the way
wait_for 10 grep -q '{"from":3}' "$tmp/resend" && ok "fleet collect once: a record beyond a gap asks for the gap again" \
    || notok "fleet collect once: the gap is asked for" "$(cat "$tmp/resend"; tail -5 "$tmp/collect.err")"
[ "$(stored)" = 2 ] && ok "fleet collect once: nothing beyond a gap is stored" \
    || notok "fleet collect once: nothing beyond a gap is stored" "stored up to $(stored)"
for i in $(seq 3 15); do pub "$i"; done
wait_for 20 stored_is 15 || notok "fleet collect once: all 15 records stored" "stored up to $(stored)"
stop_collect

got=$(sqlite3 "$DB" "select count(*) || '|' || count(distinct seq) || '|' || min(seq) || '|' || max(seq) from records where site='$SITE'")
sqlite3 "$DB" "select line from records where site='$SITE' order by seq" > "$tmp/db.jsonl"
if [ "$got" = "15|15|1|15" ] && cmp -s "$tmp/db.jsonl" "$tmp/all.jsonl"; then
	ok "fleet collect once: each record stored once, in order, byte for byte"
else notok "fleet collect once: each record stored once, byte for byte" "db: $got; $(diff "$tmp/all.jsonl" "$tmp/db.jsonl" | head -5)"; fi
board=$(sqlite3 "$DB" "select seq || '|' || duplicates || '|' || macs || '|' || fault from boards where site='$SITE'")
[ "$board" = "15|1|1|" ] && ok "fleet collect once: the chain, MACs and seals verified; the repeat counted as one duplicate" \
    || notok "fleet collect once: no fault, one duplicate" "seq|duplicates|macs|fault: $board"

# a repeat of an older record (not the head: checked against the store) with the same bytes is a
# duplicate; with other bytes it is a fault, "a replay or a rewritten log"
"$LOAXA" collect -c "$tmp/office.cfg" --db "sqlite:$DB" --seeds "$tmp/seeds" --keys "$tmp/pubs" \
    >> "$tmp/collect.out" 2>> "$tmp/collect.err" &
cpid=$!
wait_for 20 sh -c "[ \$(grep -c connected '$tmp/collect.err') -ge 2 ]" || notok "fleet collect once: the collector connects again"
board() { sqlite3 "$DB" "select duplicates || '|' || fault from boards where site='$SITE'" 2> /dev/null; }
board_is() { [ "$(board)" = "$1" ]; }
pub 7
wait_for 10 board_is "2|" && ok "fleet collect once: an older record sent again with the same bytes is a duplicate, no fault" \
    || notok "fleet collect once: an older record again, same bytes" "duplicates|fault: $(board)"
sed 's/"mono_ms":\([0-9]*\)/"mono_ms":1\1/' "$tmp/r/5" > "$tmp/r/5x"
cmp -s "$tmp/r/5" "$tmp/r/5x" && notok "fleet collect once: record 5 altered for the test"
cp "$tmp/r/5x" "$tmp/r/5"
pub 5
wait_for 10 board_is "3|record 5: arrived again with other content: a replay, or a log rewritten on the board" \
    && ok "fleet collect once: an older record sent again with other bytes is a fault, and which record it is" \
    || notok "fleet collect once: an older record again, other bytes" "duplicates|fault: $(board)"
stop_collect
