#!/bin/sh
# Remote live (issue 15): the office's signed "live now" over a real
# Mosquitto (TLS, the fleet tests' PKI and ACL), a real Icecast stream on
# loopback (a 1 kHz tone fed by ffmpeg), a real loaxad writing what it airs
# at a sound card's pace into a WAV file, and `loaxa collect` into SQLite.
# In order, about a minute and a half:
#   1. a priority live now: the board answers "airing from hh:mm:ss", status
#      shows it, the stream airs; live end: the board answers "complete"
#   2. unsigned, signed by a key the board does not trust, and a true
#      replay (the very bytes of an earlier command, sent again with
#      mosquitto_pub): each refused with an answer saying why; nothing airs
#   3. quiet hours around now (the config changed under the daemon): a
#      priority live is refused ("quiet hours"), an emergency one airs, and
#      ends by itself when the station goes off air (gone_seconds)
#   4. the live records (source the URL, by, key, outcome) are chained: log
#      verify accepts the log; the WAV holds the tone for as long as the
#      records say was heard; fleet status shows the board's last answer;
#      report --db counts the lives the collector stored as the board's report
set -u
. "$TOP/tests/fleet-common.sh"
. "$TOP/tests/daemon-helpers.sh"
t=$tmp
cleanup_hooks="${cleanup_hooks:-}"
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
for need in mosquitto mosquitto_pub icecast2 ffmpeg; do
	command -v $need > /dev/null || { echo "ok - fleet live # SKIP $need is not installed (make deps)"; exit 0; }
done
[ -x "$BUILD/loaxa-decode" ] || { notok "fleet live: loaxa-decode is built"; exit 1; }
check() {	# check NAME CONDITION-AS-SHELL [DIAG-FILE]
	if eval "$2"; then ok "$1"; else notok "$1" "failed: $2"; [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | tail -20; fi
}
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

fleet_ca
fleet_cert xa-live
broker_start || { notok "fleet live: mosquitto starts"; exit 1; }
office_cfg
"$LOAXA" keygen --out "$tmp/rogue" > /dev/null 2>&1
start_icecast || exit 1
feed live.mp3 1000 mp3 || { notok "fleet live: the station is on air"; exit 1; }
URL="http://127.0.0.1:$icport/live.mp3"

b=$tmp/boards/xa-live
mkdir -p "$b"
board() { live_board_cfg "$@"; }	# board SERIAL [QUIET-HOURS-LINE]
board 1
"$LOAXA" log init -c "$b/loaxa.cfg" > "$t/init" 2>&1 || notok "fleet live: log init" "$(cat "$t/init")"
LOAXA_DEVICE="wav:$t/out.wav" "$LOAXAD" -c "$b/loaxa.cfg" -e > "$b/out" 2> "$b/err" &
echo $! > "$b/pid"
dpid=$(cat "$b/pid")
wait_for 20 grep -q 'fleet: connected' "$b/err" || { notok "fleet live: the board connects" "$(tail -5 "$b/err")"; exit 1; }
"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "sqlite:$tmp/fleet.sqlite" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"

live() {	# live OUT ARGS...: loaxa publish live ARGS for xa-live ($TARGET), waiting for its answer
	out=$1; shift
	# shellcheck disable=SC2086
	"$LOAXA" publish -c "$tmp/office.cfg" "$@" ${TARGET:---sites xa-live --wait 15} > "$t/$out" 2> "$t/$out.err"
	echo $? > "$t/$out.rc"
}
signed="--sign-key $tmp/office.key"
lives() { log_count "$b/airlog" "r['type']=='live'"; }
field() { live_field "$b/airlog" "$1" "$2"; }	# field COMMAND KEY: KEY of the live record of that command id

# --- 1. live now, live end ------------------------------------------------------
# shellcheck disable=SC2086
live now1 $signed live now "$URL" --level priority --by "Sở VHTTDL Cao Bằng" --id L1
check "fleet live: live now is acknowledged with the time it began to air (exit $(cat "$t/now1.rc"))" \
    "grep -Eq '^xa-live live L1: airing from [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\$' '$t/now1' && [ \$(cat '$t/now1.rc') -eq 0 ]" "$t/now1.err"
sleep 6
"$LOAXA" status -c "$b/loaxa.cfg" > "$t/status1" 2>&1
check "fleet live: status shows the remote live on air" "grep -q 'live:L1' '$t/status1'" "$t/status1"
# shellcheck disable=SC2086
live end1 $signed live end L1
check "fleet live: live end is acknowledged: complete, from-to, (live end)" \
    "grep -Eq '^xa-live live L1: complete, [0-9:]{8}-[0-9:]{8} \\(live end\\)\$' '$t/end1'" "$t/end1"
h1=$(field L1 heard_ms)
check "fleet live: L1's record: source the URL, by the sender, the office's key, complete, ${h1:-?} ms heard of ~6 s" \
    "[ \"\$(field L1 source)\" = '$URL' ] && [ \"\$(field L1 by)\" = 'Sở VHTTDL Cao Bằng' ] && [ \"\$(field L1 key)\" = '$OFFICE_PUB' ] && [ \"\$(field L1 outcome)\" = complete ] && [ \"\$(field L1 level)\" = priority ] && [ \${h1:-0} -ge 3000 ]" "$b/err"

# --- 2. refused: unsigned, wrongly signed, replayed --------------------------------
n0=$(lives)
live uns live now "$URL" --level emergency --unsigned --id U1
check "fleet live: an unsigned live now is refused, the answer says so (exit $(cat "$t/uns.rc"))" \
    "grep -q '^xa-live live U1: refused: unsigned' '$t/uns' && [ \$(cat '$t/uns.rc') -eq 1 ]" "$t/uns.err"
live rogue --sign-key "$tmp/rogue.key" live now "$URL" --level emergency --id R1
check "fleet live: a live now signed by a key the board does not trust is refused: bad signature" \
    "grep -q '^xa-live live R1: refused: bad signature' '$t/rogue'" "$t/rogue.err"
# shellcheck disable=SC2086
live now2 $signed live now "$URL" --level priority --id L2 --save "$t/l2.json"
sleep 2
# shellcheck disable=SC2086
live end2 $signed live end L2
n1=$(lives)
# the very bytes of L2's command again, from the office's certificate
mosquitto_pub --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" --key "$tmp/pki/office.key" -h localhost \
    -p "$BROKER_PORT" -q 1 -t "loaxa/$PROV/site/xa-live/live" -f "$t/l2.json" > "$t/replay.out" 2>&1
replayed() { [ "$(status_field xa-live 's["fleet"]["live"]["outcome"]')" = refused ]; }
wait_for 15 replayed
check "fleet live: a replayed live now (the same bytes again) is refused: replayed" \
    "replayed && status_field xa-live 's[\"fleet\"][\"live\"][\"reason\"]' | grep -q '^replayed'" "$b/err"
sleep 2
check "fleet live: nothing aired for the refused ones ($n0 live records before, L2 after them, $(lives) now)" \
    "[ $n1 -eq \$((n0 + 1)) ] && [ \$(lives) -eq $n1 ] && [ -z \"\$(field U1 outcome)\$(field R1 outcome)\" ]" "$b/err"
# hostile payloads on the live topic, from a certificate the broker lets
# publish there: not JSON, a text that is not an object, 64 KiB of noise
for j in 1 2 3; do
	case $j in
	1) printf 'not json at all' ;;
	2) printf '{"text":"[1,2]","sig":"AAAA"}' ;;
	3) head -c 65536 /dev/urandom ;;
	esac > "$t/junk$j"
	mosquitto_pub --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" --key "$tmp/pki/office.key" -h localhost \
	    -p "$BROKER_PORT" -q 1 -t "loaxa/$PROV/site/xa-live/live" -f "$t/junk$j" >> "$t/junk.out" 2>&1
done
notlive() { status_field xa-live 's["fleet"]["live"]["reason"]' | grep -q '^not a live command'; }
wait_for 15 notlive
check "fleet live: hostile payloads (not JSON, a text that is no object, 64 KiB of noise) are refused: not a live command; the daemon goes on, nothing airs" \
    "notlive && kill -0 $dpid && [ \$(lives) -eq $n1 ]" "$b/err"

# --- 3. quiet hours ------------------------------------------------------------------
# the office pushes a config with quiet hours around now, signed, as it would any
now=$(date +%s)
cp "$b/loaxa.cfg" "$t/serial1.cfg"
board 2 "quiet_hours = { from = \"$(hm $((now - 3600)))\"; to = \"$(hm $((now + 3600)))\"; };"
mv "$b/loaxa.cfg" "$t/quiet.cfg"
mv "$t/serial1.cfg" "$b/loaxa.cfg"
"$LOAXA" publish -c "$tmp/office.cfg" --sign-key "$tmp/office.key" config "$t/quiet.cfg" --sites xa-live > "$t/push" 2>&1 \
    || notok "fleet live: the config with quiet hours is published" "$(cat "$t/push")"
reloaded() { grep -q '"serial":2' "$b/run/status.json"; }
wait_for 20 reloaded || notok "fleet live: the board takes the config with quiet hours" "$(tail -5 "$b/err")"
# to the whole province this time (publish waits the whole --wait: it cannot know every board)
# shellcheck disable=SC2086
TARGET="--province --wait 4" live quiet $signed live now "$URL" --level priority --id Q1
check "fleet live: a priority live in quiet hours (sent to the province) is refused, and says why" \
    "grep -q '^xa-live live Q1: refused: quiet hours' '$t/quiet' && [ -z \"\$(field Q1 outcome)\" ]" "$t/quiet"
# shellcheck disable=SC2086
live emerg $signed live now "$URL" --level emergency --id E1 --gone-seconds 3
check "fleet live: an emergency live in quiet hours airs" "grep -q '^xa-live live E1: airing from ' '$t/emerg'" "$t/emerg"
sleep 5
stop_sources	# the station goes off air: the live ends by itself
ended() { [ "$(field E1 outcome)" = complete ]; }
wait_for 25 ended
check "fleet live: the emergency live ends by itself when its stream goes ($(field E1 reason))" \
    "ended && field E1 reason | grep -q 'the stream ended or was lost' && [ \"\$(field E1 level)\" = emergency ]" "$b/err"
"$LOAXA" status -c "$b/loaxa.cfg" > "$t/status2" 2>&1
check "fleet live: the board is idle again" "! grep -q 'live:' '$t/status2'" "$t/status2"

# --- 4. the log, the sound, the office's view ----------------------------------------
sleep 3	# the last status (with E1's answer) reaches the collector
"$LOAXA" fleet status --db "sqlite:$tmp/fleet.sqlite" > "$t/fstatus" 2>&1
check "fleet live: fleet status shows the board's last live answer" \
    "grep -Eq '^  xa-live live E1: complete, [0-9:]{8}-[0-9:]{8} \\(the stream ended' '$t/fstatus'" "$t/fstatus"
# report --db counts the live announcements the collector stored, as the board's own report does
stored() { [ "$(status_field xa-live 's["fleet"]["acked_seq"] == s["fleet"]["log_seq"]')" = True ]; }
wait_for 20 stored
day=$(date +%Y-%m-%d)
"$LOAXA" report --db "sqlite:$tmp/fleet.sqlite" --from "$day" --to "$day" --format json > "$t/rep-db.json" 2>&1
"$LOAXA" report --airlog "$b/airlog" --from "$day" --to "$day" --format json > "$t/rep-log.json" 2>&1
live_of() { python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); o=o["sites"][0] if "sites" in o else o; print(o.get("live"))' "$1"; }
check "fleet live: report --db counts the 3 remote lives apart, as the board's own report ($(live_of "$t/rep-db.json"))" \
    "[ \"\$(live_of '$t/rep-db.json')\" = \"\$(live_of '$t/rep-log.json')\" ] && live_of '$t/rep-db.json' | grep -q \"'airings': 3\"" "$t/rep-db.json"
kill -TERM "$dpid"
rc=0
wait "$dpid" || rc=$?
check "fleet live: SIGTERM: exit $rc" "[ $rc -eq 0 ]" "$b/err"
"$LOAXA" log verify -c "$b/loaxa.cfg" > "$t/verify" 2>&1
check "fleet live: the airing log with its live records verifies" "grep -q 'intact' '$t/verify'" "$t/verify"
"$LOAXA" log show -c "$b/loaxa.cfg" > "$t/show" 2>&1
check "fleet live: log show tells a remote live and its source" \
    "grep -q 'live announcement by Sở VHTTDL Cao Bằng, [0-9]* s, relayed from $URL: complete' '$t/show'" "$t/show"
h1=$(field L1 heard_ms) h2=$(field L2 heard_ms) h3=$(field E1 heard_ms)
heard=$(( ${h1:-0} + ${h2:-0} + ${h3:-0} ))
python3 "$TOP/tests/wavtones.py" "$t/out.wav" 1000 > "$t/tones"
s1000=$(cut -d' ' -f1 "$t/tones")
check "fleet live: the output holds the station's tone for ${s1000:-?} s, as the records say was heard ($heard ms)" \
    "within \${s1000:-0} $((heard / 1000)) 2 && [ $heard -ge 8000 ]" "$t/tones"
