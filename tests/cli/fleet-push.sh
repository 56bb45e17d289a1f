#!/bin/sh
# Pushing to the fleet, with a real Mosquitto (TLS, per-board certificates,
# ACL), four real loaxad processes (LOAXA_DEVICE=null) and `loaxa collect`
# into SQLite (the small-province database):
#   - a signed config to one site, to a list, to the whole province: exactly
#     the boards named run it, each keeping its own site, paths and creds
#   - a board that is off during a push gets it (retained) when it starts
#   - an unsigned config and one signed by another key are refused; the board
#     keeps running what it had and says so in its status
#   - a signed bulletin set: each board fetches the audio over HTTP (libcurl),
#     checks it against the manifest's sha256 and imports it; a file whose
#     bytes differ is refused; a file the server did not have yet is fetched
#     on a later try
#   - loaxa fleet status lists every board, and names the silent one
. "$TOP/tests/fleet-common.sh"
command -v mosquitto > /dev/null || { echo "ok - fleet push # SKIP mosquitto is not installed (make deps)"; exit 0; }
fleet_ca
office_cfg
broker_start || { notok "fleet push: the broker starts"; exit 1; }

sites="xa-a xa-b xa-c xa-d"
for s in $sites; do
	fleet_cert "$s"
	board_cfg "$s" 1 "$(printf 'topics = ( { id = "law"; name = "Luật"; }, { id = "local"; name = "Tin xã"; } );')"
	sed -i 's/status_seconds = [0-9]*;/& retry_seconds = 2; download_timeout_seconds = 6;/' "$tmp/boards/$s/loaxa.cfg"
	"$LOAXA" log init -c "$tmp/boards/$s/loaxa.cfg" > "$tmp/boards/$s/init" 2>&1
done
cp "$tmp/boards/xa-a/loaxa.cfg" "$tmp/template.cfg"	# before any push rewrites it
for s in xa-a xa-b xa-c; do board_start "$s"; done

# the collector will not trust on first use unless told so in so many words
"$LOAXA" collect -c "$tmp/office.cfg" --db "sqlite:$tmp/refused.sqlite" > "$tmp/collect.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'give --keys FILE .* and --seeds FILE' "$tmp/collect.out" && [ ! -e "$tmp/refused.sqlite" ] \
    && ok "fleet push: collect refuses to run without --keys and --seeds (or --insecure)" \
    || notok "fleet push: collect without --keys and --seeds (exit $rc)" "$(cat "$tmp/collect.out")"
"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "sqlite:$tmp/fleet.sqlite" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"

serial_of() { status_field "$1" 's["serial"]'; }
serials() { for s in $sites; do printf '%s=%s ' "$s" "$(serial_of "$s")"; done; }
# want SITE=SERIAL...: every named board runs that serial
want() { for p in "$@"; do [ "$(serial_of "${p%=*}")" = "${p#*=}" ] || return 1; done; }
connected() { for s in "$@"; do [ "$(status_field "$s" 's["fleet"]["state"]')" = connected ] || return 1; done; }
wait_for 20 connected xa-a xa-b xa-c || notok "fleet push: the boards connect" "$(cat "$tmp/boards/xa-a/err")"

# the office's config: the boards' own text with another serial and an evening session moved
office_config() {	# office_config SERIAL START > FILE
	sed -e "s/serial = 1;/serial = $1;/" -e "s/\"17:30\"/\"$2\"/" -e 's/id = "xa-a"; name = "Xã xa-a"/id = "cao-bang"; name = "Tỉnh"/' \
	    "$tmp/template.cfg"
}
publish() {	# publish NAME ARGS...: loaxa publish, failing the test when it fails
	n=$1; shift
	"$LOAXA" publish -c "$tmp/office.cfg" "$@" > "$tmp/pub.out" 2>&1 || notok "$n: loaxa publish $*" "$(cat "$tmp/pub.out")"
}

office_config 2 "18:00" > "$tmp/c2.cfg"
publish "one site" --sign-key "$tmp/office.key" config "$tmp/c2.cfg" --sites xa-a
if wait_for 20 want xa-a=2 && sleep 1 && want xa-b=1 xa-c=1; then
	ok "fleet push: a config for one site is run by that board only"
else notok "fleet push: a config for one site" "$(serials; tail -5 "$tmp/boards/xa-a/err")"; fi
grep -q 'id = "xa-a"' "$tmp/boards/xa-a/loaxa.cfg" && grep -q '"18:00"' "$tmp/boards/xa-a/loaxa.cfg" \
    && grep -q "cert = \"$tmp/pki/xa-a.crt\"" "$tmp/boards/xa-a/loaxa.cfg" \
    && ok "fleet push: the board kept its own site id and credentials and took the office's timetable" \
    || notok "fleet push: the board kept its own site" "$(cat "$tmp/boards/xa-a/loaxa.cfg")"

office_config 3 "18:15" > "$tmp/c3.cfg"
publish "a list" --sign-key "$tmp/office.key" config "$tmp/c3.cfg" --sites xa-b,xa-c
if wait_for 20 want xa-b=3 xa-c=3 && want xa-a=2; then ok "fleet push: a config for a list of sites is run by those boards"
else notok "fleet push: a config for a list" "$(serials)"; fi

# another board's own config, signed, on xa-b's topic: not for xa-b
sed -e "s/serial = 1;/serial = 8;/" "$tmp/template.cfg" > "$tmp/c8a.cfg"
publish "another site's config" --sign-key "$tmp/office.key" config "$tmp/c8a.cfg" --sites xa-b
if wait_for 20 grep -q 'is for site "xa-a", neither this board (xa-b)' "$tmp/boards/xa-b/err" && want xa-b=3; then
	ok "fleet push: a config for another site is refused on this board's topic; the board keeps its own"
else notok "fleet push: a config for another site" "$(serials; tail -3 "$tmp/boards/xa-b/err")"; fi

# refused: changed after it was signed, and signed by a key the boards do not trust
office_config 9 "18:30" > "$tmp/c9.cfg"
"$LOAXA" publish -c "$tmp/office.cfg" config "$tmp/c9.cfg" --sites xa-b > "$tmp/pub.out" 2>&1 \
    && notok "fleet push: loaxa publish refuses a config without a signature" "$(cat "$tmp/pub.out")" \
    || ok "fleet push: loaxa publish refuses a config without a signature"
"$LOAXA" sign "$tmp/c9.cfg" --key "$tmp/office.key" > /dev/null 2>&1
sed -i 's/"18:30"/"18:35"/' "$tmp/c9.cfg"
publish "changed after signing" config "$tmp/c9.cfg" --sites xa-b
# and one with no signature at all, sent by hand as anyone allowed on the topic could
office_config 10 "18:40" > "$tmp/c10.cfg"
python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1]).read(), "serial": 10}))' "$tmp/c10.cfg" > "$tmp/c10.json"
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$tmp/pki/ca.crt" --cert "$tmp/pki/office.crt" --key "$tmp/pki/office.key" \
    -q 1 -r -t "loaxa/$PROV/site/xa-a/config" -f "$tmp/c10.json" > "$tmp/pub.out" 2>&1 || notok "mosquitto_pub" "$(cat "$tmp/pub.out")"
"$LOAXA" keygen --out "$tmp/rogue" > /dev/null 2>&1
office_config 8 "18:30" > "$tmp/c8.cfg"
publish "rogue" --sign-key "$tmp/rogue.key" config "$tmp/c8.cfg" --sites xa-c
refused() { [ "$(status_field "$1" 's["fleet"]["config_push"]["outcome"]')" = refused ]; }
if wait_for 20 refused xa-b && wait_for 20 refused xa-c && wait_for 20 refused xa-a && want xa-a=2 xa-b=3 xa-c=3; then
	ok "fleet push: configs unsigned, changed after signing, or signed by an untrusted key are refused; the boards keep theirs"
else notok "fleet push: bad configs refused" "$(serials; for s in xa-a xa-b xa-c; do status_field $s 's["fleet"]'; done)"; fi

office_config 4 "18:45" > "$tmp/c4.cfg"
publish "province" --sign-key "$tmp/office.key" config "$tmp/c4.cfg" --province
if wait_for 30 want xa-a=4 xa-b=4 xa-c=4; then ok "fleet push: a config for the province is run by every connected board"
else notok "fleet push: a config for the province" "$(serials)"; fi

# the board that was off: the retained province config when it starts (its site topic holds nothing)
board_start xa-d
if wait_for 30 want xa-d=4; then ok "fleet push: a board that was off during the push runs the config when it comes up"
else notok "fleet push: an offline board gets the retained config" "$(serials; tail -5 "$tmp/boards/xa-d/err")"; fi
kept=1
for s in $sites; do grep -q "id = \"$s\"" "$tmp/boards/$s/loaxa.cfg" && grep -q '"18:45"' "$tmp/boards/$s/loaxa.cfg" || kept=0; done
[ $kept = 1 ] && ok "fleet push: every board runs the province's timetable under its own site id" \
    || notok "fleet push: every board kept its own site" "$(grep -H 'id = ' "$tmp"/boards/*/loaxa.cfg)"

# --- bulletins over HTTP --------------------------------------------------------
mkdir -p "$tmp/www"
sox -q -n -r 22050 -c 1 -b 16 "$tmp/www/luat.wav" synth 6 sine 440 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/www/tin.wav" synth 5 sine 550 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/late.wav" synth 4 sine 660 vol 0.2
sox -q -n -r 22050 -c 1 -b 16 "$tmp/www/sai.wav" synth 3 sine 770 vol 0.2
sha() { sha256sum "$1" | cut -c1-64; }
today=$(date +%Y-%m-%d)
until=$(date -d "$today +30 days" +%Y-%m-%d)
cat > "$tmp/manifest.cfg" <<MAN
sequence = 1; expires = "$until"; province = "Cao Bằng";
bulletins = (
  { file = "luat.wav"; sha256 = "$(sha "$tmp/www/luat.wav")"; id = "luat-2026"; title = "Quy định mới"; topic = "law";
    level = "normal"; valid_from = "$today"; valid_to = "$until"; source = "province"; },
  { file = "tin.wav"; sha256 = "$(sha "$tmp/www/tin.wav")"; id = "tin-tinh"; title = "Tin của tỉnh"; topic = "local";
    level = "priority"; valid_from = "$today"; valid_to = "$until"; source = "province"; },
  { file = "late.wav"; sha256 = "$(sha "$tmp/late.wav")"; id = "tin-muon"; title = "Tin đến muộn"; topic = "local";
    level = "normal"; valid_from = "$today"; valid_to = "$until"; source = "province"; },
  { file = "sai.wav"; sha256 = "$(sha "$tmp/www/tin.wav")"; id = "tin-sai"; title = "Tệp bị thay"; topic = "local";
    level = "normal"; valid_from = "$today"; valid_to = "$until"; source = "province"; }
);
MAN
HTTP_PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$tmp/www" "$HTTP_PORT" > "$tmp/http.log" 2>&1 &
hpid=$!
stop_http() { kill "$hpid" 2> /dev/null; wait "$hpid" 2> /dev/null; }
cleanup_hooks="stop_http $cleanup_hooks"
http_up() { python3 -c "import socket; socket.create_connection(('127.0.0.1',$HTTP_PORT),0.2)" 2> /dev/null; }
wait_for 10 http_up || notok "fleet push: the HTTP server starts"
publish "bulletins" --sign-key "$tmp/office.key" bulletins "$tmp/manifest.cfg" --base-url "http://127.0.0.1:$HTTP_PORT/" --province

in_lib() {	# in_lib ID SITE...: the bulletin is in every named board's library
	id=$1; shift
	for s in "$@"; do "$LOAXA" library -c "$tmp/boards/$s/loaxa.cfg" 2> /dev/null | cut -f1 | grep -qx "$id" || return 1; done
}
libs() { for s in $sites; do echo "# $s:"; "$LOAXA" library -c "$tmp/boards/$s/loaxa.cfg" 2>&1; grep 'fleet: bulletin' "$tmp/boards/$s/err" | tail -3; done; }
# shellcheck disable=SC2086
if wait_for 40 in_lib luat-2026 $sites && in_lib tin-tinh $sites; then
	ok "fleet push: a signed bulletin set is fetched over HTTP, checked and imported by every board"
else notok "fleet push: bulletins fetched and imported" "$(libs)"; fi
bad=0
for s in $sites; do
	in_lib tin-sai "$s" && bad=1
	grep -q "sai.wav.*sha256" "$tmp/boards/$s/err" || bad=1
done
[ $bad = 0 ] && ok "fleet push: a fetched file whose bytes differ from the manifest's sha256 is refused and named" \
    || notok "fleet push: a changed file refused" "$(libs)"
# the late file appears on the server: each board's retry takes it
cp "$tmp/late.wav" "$tmp/www/late.wav"
# shellcheck disable=SC2086
if wait_for 40 in_lib tin-muon $sites; then ok "fleet push: a file the server did not have yet is fetched on a later try"
else notok "fleet push: a missing file fetched later" "$(libs)"; fi
ingests=$(cat "$tmp"/boards/xa-a/airlog/*.jsonl | grep -c '"type":"ingest"')
[ "$ingests" -ge 1 ] && ok "fleet push: the import is logged as an ingest record, as a stick's is" \
    || notok "fleet push: an ingest record" "$(cat "$tmp"/boards/xa-a/airlog/*.jsonl | tail -3)"

# --- the fetcher: a slow server cannot hold it, an emergency set does not wait behind routine ---
# a server that answers and then drips 100 bytes a second, for at most a minute
SLOW_PORT=$(free_port)
python3 - "$SLOW_PORT" > "$tmp/slow.log" 2>&1 <<'PY' &
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "1000000"); self.end_headers()
        for _ in range(60):
            try:
                self.wfile.write(b"\0" * 100); self.wfile.flush()
            except OSError:
                return
            time.sleep(1)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
spid=$!
stop_slow() { kill "$spid" 2> /dev/null; wait "$spid" 2> /dev/null; }
cleanup_hooks="stop_slow $cleanup_hooks"
slow_up() { python3 -c "import socket; socket.create_connection(('127.0.0.1',$SLOW_PORT),0.2)" 2> /dev/null; }
wait_for 10 slow_up || notok "fleet push: the slow server starts"
sox -q -n -r 22050 -c 1 -b 16 "$tmp/www/bao.wav" synth 2 sine 880 vol 0.2
cat > "$tmp/slow.cfg" <<MAN
sequence = 1; expires = "$until"; sites = [ "xa-a" ];
bulletins = (
  { file = "cham.wav"; sha256 = "$(sha "$tmp/www/luat.wav")"; id = "tin-cham"; title = "Tin chậm"; topic = "local";
    level = "normal"; valid_from = "$today"; valid_to = "$until"; source = "province"; }
);
MAN
cat > "$tmp/em.cfg" <<MAN
sequence = 2; expires = "$until"; province = "Cao Bằng";
bulletins = (
  { file = "bao.wav"; sha256 = "$(sha "$tmp/www/bao.wav")"; id = "bao-khan"; title = "Báo động"; topic = "local";
    level = "emergency"; repeat_minutes = 60; valid_from = "$today"; valid_to = "$today"; source = "province"; }
);
MAN
publish "routine from a slow server" --sign-key "$tmp/office.key" bulletins "$tmp/slow.cfg" --base-url "http://127.0.0.1:$SLOW_PORT/" --sites xa-a
wait_for 10 grep -q 'fleet/sites/xa-a/bulletins: fetching\|xa-a/bulletins: fetching' "$tmp/boards/xa-a/err"
publish "an emergency set" --sign-key "$tmp/office.key" bulletins "$tmp/em.cfg" --base-url "http://127.0.0.1:$HTTP_PORT/" --province
t0=$(date +%s)
if wait_for 5 in_lib bao-khan xa-a && grep -q 'a set of higher rank came' "$tmp/boards/xa-a/err"; then
	ok "fleet push: an emergency set stops a routine fetch held by a slow server and is imported first ($(( $(date +%s) - t0 )) s)"
else notok "fleet push: an emergency set first" "$(libs; tail -5 "$tmp/boards/xa-a/err")"; fi
if wait_for 30 grep -q 'cham.wav could not be fetched from .* within 6 s (fleet.download_timeout_seconds)' "$tmp/boards/xa-a/err"; then
	ok "fleet push: a download that passes its deadline is stopped and named, whatever its rate"
else notok "fleet push: a download deadline" "$(grep fleet "$tmp/boards/xa-a/err" | tail -5)"; fi
stop_slow

# --- credentials: a board whose certificate the province's CA did not sign gets nothing --------
fleet_cert xa-x otherca
board_cfg xa-x 1
"$LOAXA" log init -c "$tmp/boards/xa-x/loaxa.cfg" > /dev/null 2>&1
board_start xa-x
rejected() { [ -n "$(status_field xa-x 's["fleet"]["error"]')" ] && [ "$(status_field xa-x 's["fleet"]["state"]')" != connected ]; }
if wait_for 20 rejected && [ "$(serial_of xa-x)" = 1 ]; then
	ok "fleet push: a board with a certificate from another CA is refused by the broker and gets no config ($(status_field xa-x 's["fleet"]["error"]' | cut -c1-60))"
else notok "fleet push: a foreign certificate refused" "$(status_field xa-x 's["fleet"]'; tail -3 "$tmp/boards/xa-x/err")"; fi
board_stop xa-x
wait "$(cat "$tmp/boards/xa-x/pid")" 2> /dev/null
rm -rf "$tmp/boards/xa-x"

# --- no fleet group: the daemon as before (no client, no socket to the broker) ----------------
board_cfg xa-n 1
sed -i '/^fleet = {/,/};$/d' "$tmp/boards/xa-n/loaxa.cfg"
"$LOAXA" log init -c "$tmp/boards/xa-n/loaxa.cfg" > /dev/null 2>&1
nconn=$(grep -c "as loaxa-" "$tmp/broker/log")
board_start xa-n
wait_for 10 test -s "$tmp/boards/xa-n/run/status.json"
sleep 1
socks=$(find "/proc/$(cat "$tmp/boards/xa-n/pid")/fd" -lname 'socket:*' 2> /dev/null | wc -l)
if [ "$(status_field xa-n '"fleet" in s')" = False ] && [ "$(status_field xa-n 's["serial"]')" = 1 ] \
    && [ "$(grep -c "as loaxa-" "$tmp/broker/log")" = "$nconn" ] && ! grep -q fleet "$tmp/boards/xa-n/err"; then
	ok "fleet push: a board without a fleet group runs as before: no MQTT client, nothing sent ($socks sockets open)"
else notok "fleet push: no fleet group" "$(cat "$tmp/boards/xa-n/run/status.json" "$tmp/boards/xa-n/err")"; fi
board_stop xa-n
wait "$(cat "$tmp/boards/xa-n/pid")" 2> /dev/null
rm -rf "$tmp/boards/xa-n"

# --- the office's view ------------------------------------------------------------
board_stop xa-d
stored() { [ "$(sqlite3 "$tmp/fleet.sqlite" "select count(distinct site) from records" 2> /dev/null)" = 4 ]; }
wait_for 20 stored
silent_gone() { "$LOAXA" fleet status --db "sqlite:$tmp/fleet.sqlite" --silent-minutes 1 > "$tmp/fstatus" 2>&1; grep -q '^xa-d  *silent' "$tmp/fstatus"; }
if wait_for 20 silent_gone && grep -q '^xa-a  *ok  *4 ' "$tmp/fstatus" && [ "$(grep -c '^xa-' "$tmp/fstatus")" = 4 ]; then
	ok "fleet push: loaxa fleet status lists every board, its serial, and the one that went silent"
else notok "fleet push: loaxa fleet status" "$(cat "$tmp/fstatus")"; fi
"$LOAXA" fleet status --db "sqlite:$tmp/fleet.sqlite" --serial 5 > "$tmp/fstatus5" 2>&1; rc=$?
[ $rc = 1 ] && grep -q '^xa-b  *off-schedule .*config 4, not 5' "$tmp/fstatus5" \
    && ok "fleet status: a board not running the wanted serial is off schedule (exit 1)" \
    || notok "fleet status --serial" "rc $rc; $(cat "$tmp/fstatus5")"
