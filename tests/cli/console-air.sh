#!/bin/sh
# The console's "air now" (issue 16, 5; on issue 15's remote live): in a
# real browser (Debian's headless Chromium over the DevTools pipe), an
# admin chooses a real loaxad board, gives a real Icecast stream on
# loopback and a level, and sends; the console signs the live command with
# the province's key (which stays on the server) and sends it through a
# real Mosquitto (TLS); the board airs it and its answer reaches the page
# without a reload (the events stream, from the status the collector
# stores); then "end live" ends it. With curl: an auditor may not air, an
# operator cannot air on a commune that is not theirs by adding a form
# field, a form without its CSRF token is refused, a bad address or level
# gets its message, and the audit trail holds who aired what. A signing
# key other users can read stops the console from starting.
set -u
. "$TOP/tests/fleet-common.sh"
t=$tmp
. "$TOP/tests/daemon-helpers.sh"
. "$TOP/tests/console/common.sh"
. "$TOP/tests/icecast.sh"
LOAXAD=${LOAXAD:-$BUILD/loaxad}
for need in mosquitto icecast2 ffmpeg sqlite3 curl; do
	command -v $need > /dev/null || { echo "ok - console air # SKIP $need is not installed (make deps)"; exit 0; }
done
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { notok "console air: chromium is not installed (make deps installs it)"; exit 1; }
[ -x "$BUILD/loaxa-decode" ] || { notok "console air: loaxa-decode is built"; exit 1; }
shots=$BUILD/console
mkdir -p "$shots"

fleet_ca
fleet_cert xa-live
broker_start || { notok "console air: mosquitto starts"; exit 1; }
office_cfg
start_icecast || exit 1
feed live.mp3 1000 mp3 || { notok "console air: the station is on air"; exit 1; }
URL="http://127.0.0.1:$icport/live.mp3"

live_board_cfg 1
"$LOAXA" log init -c "$b/loaxa.cfg" > "$tmp/init" 2>&1 || notok "console air: log init" "$(cat "$tmp/init")"
LOAXA_DEVICE="wav:$tmp/out.wav" "$LOAXAD" -c "$b/loaxa.cfg" -e > "$b/out" 2> "$b/err" &
echo $! > "$b/pid"
wait_for 20 grep -q 'fleet: connected' "$b/err" || { notok "console air: the board connects" "$(tail -5 "$b/err")"; exit 1; }
DB=sqlite:$tmp/fleet.sqlite
"$LOAXA" collect -c "$tmp/office.cfg" --insecure --db "$DB" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
seen() { [ "$(sql "$DB" "select count(*) from boards where site = 'xa-live' and status is not null" 2> /dev/null)" = 1 ]; }
wait_for 20 seen || { notok "console air: the collector stores the board's status" "$(tail -5 "$tmp/collect.err")"; exit 1; }
user_add admin1 admin 'correct horse battery' > /dev/null || notok "console air: user add admin"
user_add op-khac operator 'operator khac password' --commune xa-khac > /dev/null || notok "console air: user add operator"
user_add aud1 auditor 'auditor reads only' > /dev/null || notok "console air: user add auditor"

# --- the key stays the console user's own ----------------------------------------------
cp "$tmp/office.key" "$tmp/open.key"
chmod 644 "$tmp/open.key"
timeout 10 "$OFFICE" serve --db "$DB" --listen 127.0.0.1:0 -c "$tmp/office.cfg" --sign-key "$tmp/open.key" > "$tmp/open.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'open.key can be read by other users (mode 644).*chmod 600' "$tmp/open.out" &&
    ok "console air: a signing key other users can read stops serve, saying chmod 600 (exit 2)" ||
    notok "console air: a readable signing key stops serve" "exit $rc: $(cat "$tmp/open.out")"
chmod 600 "$tmp/office.key"
console_start "$DB" -c "$tmp/office.cfg" --sign-key "$tmp/office.key" || { notok "console air: serve starts"; exit 1; }

# --- in the browser ----------------------------------------------------------------------
lives() { log_count "$b/airlog" "r['type']=='live'"; }
n0=$(lives)
cat > "$tmp/scenario" <<SCN
viewport 1280 800
goto $CONSOLE/login
fill input[name=name] admin1
fill input[name=password] correct horse battery
submit form.login
goto $CONSOLE/air
expect document.querySelector('input[name="site.xa-live"]') !== null
expect document.body.innerText.indexOf('$(cat "$tmp/office.key" | head -c 20)') < 0
fill input[name=url] $URL
expect (document.querySelector('select[name=level]').value = 'priority') === 'priority'
expect (document.querySelector('input[name="site.xa-live"]').checked = true) === true
shot $shots/air.png
submit form.air
expect /^W[0-9]+\$/.test(document.querySelector('form.air-end input[name=id]').value)
print 'sent: ' + document.getElementById('message').textContent
wait 30 document.querySelector('tr[data-site="xa-live"] td[data-col=live]').textContent.indexOf(document.querySelector('form.air-end input[name=id]').value) >= 0
print 'answer: ' + document.querySelector('tr[data-site="xa-live"] td[data-col=live]').textContent
expect Number(document.body.getAttribute('data-updates') || 0) >= 1
shot $shots/air-sent.png
sh sleep 4
submit form.air-end
print 'end: ' + document.getElementById('message').textContent
SCN
if timeout 180 nice python3 "$TOP/tests/console/cdp.py" "$browser" "$tmp/profile" "$tmp/scenario" > "$tmp/cdp.out" 2>&1; then
	ok "console air: in Chromium, air now on a board; its answer appears on the page without a reload; end live"
	sed 's/^/# /' "$tmp/cdp.out"
else notok "console air: the browser scenario" "$(cat "$tmp/cdp.out"; tail -5 "$tmp/console.err"; tail -5 "$b/err")"; fi
id=$(sed -n 's/^sent: .*\(W[0-9][0-9]*\).*/\1/p' "$tmp/cdp.out" | head -n 1)
field() { live_field "$b/airlog" "$1" "$2"; }	# field COMMAND KEY: KEY of the live record of that command id
ended() { [ -n "$id" ] && [ "$(field "$id" outcome)" = complete ]; }
wait_for 20 ended
if ended && [ "$(field "$id" by)" = "admin1 (console)" ] && [ "$(field "$id" source)" = "$URL" ] &&
    [ "$(field "$id" level)" = priority ] && [ "$(field "$id" key)" = "$OFFICE_PUB" ] && [ "$(field "$id" heard_ms)" -ge 2000 ]; then
	ok "console air: the board's live record: by admin1 (console), the stream, priority, the province's key, complete, $(field "$id" heard_ms) ms heard"
else notok "console air: the board's live record" "id ${id:-none}: outcome $(field "${id:-x}" outcome), by $(field "${id:-x}" by); $(tail -5 "$b/err")"; fi

# --- with curl: who may, and what is refused ---------------------------------------------
post() {	# post JAR PATH BODY...: the status, the body in $tmp/body
	j=$1 p=$2
	shift 2
	curl -s -o "$tmp/body" -w '%{http_code}' -b "$j" "$@" "$CONSOLE$p"
}
login "$tmp/aud" aud1 'auditor reads only' > /dev/null
s1=$(get "$tmp/aud" /air)
s2=$(post "$tmp/aud" /air --data-urlencode "csrf=$(csrf "$tmp/aud")" --data-urlencode "url=$URL" -d level=emergency -d minutes=5 -d site.xa-live=1)
[ "$s1 $s2" = "403 403" ] && ok "console air: an auditor may not open air now nor post it (403, 403)" ||
    notok "console air: an auditor may not air" "GET $s1, POST $s2"
login "$tmp/op" op-khac 'operator khac password' > /dev/null
n1=$(lives)
s=$(post "$tmp/op" /air --data-urlencode "csrf=$(csrf "$tmp/op")" --data-urlencode "url=$URL" -d level=emergency -d minutes=5 -d site.xa-live=1)
sleep 3
[ "$s" = 400 ] && grep -q 'Chọn ít nhất một' "$tmp/body" && [ "$(lives)" = "$n1" ] &&
    ! grep -q 'site.xa-live' "$tmp/body" &&
    ok "console air: an operator adding another commune's board to the form sends nothing (400, choose a board; it is not listed)" ||
    notok "console air: an operator cannot air on another commune" "status $s, lives $n1 -> $(lives); $(grep -o 'class="message"[^<]*' "$tmp/body")"
login "$tmp/adm" admin1 'correct horse battery' > /dev/null
tok=$(csrf "$tmp/adm")
s=$(post "$tmp/adm" /air --data-urlencode "url=$URL" -d level=priority -d minutes=5 -d site.xa-live=1)
[ "$s" = 403 ] && ok "console air: a post without its CSRF token is refused (403)" || notok "console air: no CSRF token" "status $s"
bad=""
for case in "url=ftp://127.0.0.1/x&level=priority&minutes=5|http:// hoặc https://" \
    "url=$URL&level=loud&minutes=5|Chọn mức" "url=$URL&level=priority&minutes=999|1 đến 240" \
    "url=http://a b&level=priority&minutes=5|dấu cách"; do
	body=${case%%|*} want=${case#*|}
	s=$(post "$tmp/adm" /air -d "csrf=$tok" -d "$body" -d site.xa-live=1)
	[ "$s" = 400 ] && grep -q "$want" "$tmp/body" || bad="$bad [$body: $s]"
done
[ -z "$bad" ] && ok "console air: a bad address, level or length gets its message (400)" || notok "console air: bad fields" "$bad"
sql "$DB" "select who || ': ' || what from audit where what like 'air now%' or what like 'refused: air now%'" > "$tmp/audit"
grep -q "^admin1: air now: live $id, priority, $URL on xa-live, at most 30 minutes" "$tmp/audit" &&
    grep -q "^admin1: air now: live end $id on xa-live" "$tmp/audit" && grep -q '^aud1: refused: air now' "$tmp/audit" &&
    ok "console air: the audit trail holds who aired what, its end, and the auditor's refusal" ||
    notok "console air: the audit trail" "$(cat "$tmp/audit")"
kill "$(cat "$b/pid")" 2> /dev/null
