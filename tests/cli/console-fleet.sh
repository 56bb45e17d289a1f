#!/bin/sh
# The console over what the collector stored, in a real browser: a real
# Mosquitto and PostgreSQL (tests/fleet-common.sh); `loaxa-office collect`
# stores a board's 15 records (the airing log's own fixture, MACs and seals
# checked) and two boards' statuses sent through the broker; `loaxa-office
# serve` on 127.0.0.1; Debian's headless Chromium driven over the DevTools
# pipe (tests/console/cdp.py) logs in, finds both boards in the fleet, sees
# a status the collector stores after the page loaded appear without a
# reload (the events stream), opens the board's page (how far its log
# verifies, its last airings), and on a phone's screen. Screenshots are kept
# in $BUILD/console/. Then, with curl: the report downloads (text, CSV,
# JSON) and an operator's only their commune's, and PostgreSQL's trigger
# refusing UPDATE, DELETE and TRUNCATE on the audit trail.
. "$TOP/tests/fleet-common.sh"
. "$TOP/tests/console/common.sh"
for c in mosquitto mosquitto_pub psql curl; do
	command -v $c > /dev/null || { echo "ok - console fleet # SKIP $c is not installed (make deps)"; exit 0; }
done
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { notok "console: chromium is not installed (make deps installs it)"; exit 1; }
[ -x "$BUILD/tests/test_airlog" ] || { notok "console: $BUILD/tests/test_airlog is not built (make tests)"; exit 1; }
shots=$BUILD/console
mkdir -p "$shots"
rm -f "$shots"/*.png
fleet_ca
office_cfg
broker_start || { notok "console: the broker starts"; exit 1; }
pg_start || { notok "console: PostgreSQL starts"; exit 1; }
DB=$PGURL

# --- the collector stores a board's log and two statuses ----------------------------
SITE=xa-thu
"$BUILD/tests/test_airlog" --fixture "$tmp/fx" > "$tmp/keys" || { notok "console: the fixture log"; exit 1; }
echo "$SITE $(sed -n 's/^seed //p' "$tmp/keys")" > "$tmp/seeds"
echo "$SITE $(sed -n 's/^pub //p' "$tmp/keys")" > "$tmp/pubs"
"$BUILD/loaxa-office" collect -c "$tmp/office.cfg" --db "$DB" --seeds "$tmp/seeds" --keys "$tmp/pubs" \
    > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
stop_collect() { kill "$cpid" 2> /dev/null; wait "$cpid" 2> /dev/null; }
cleanup_hooks="stop_collect $cleanup_hooks"
wait_for 20 grep -q connected "$tmp/collect.err" || { notok "console: the collector connects" "$(cat "$tmp/collect.err")"; exit 1; }
tls="--cafile $tmp/pki/ca.crt --cert $tmp/pki/office.crt --key $tmp/pki/office.key -h localhost -p $BROKER_PORT"
# shellcheck disable=SC2086
cat "$tmp/fx"/airlog/*.jsonl | grep '"mac":"' | mosquitto_pub $tls -i test-board -q 1 -t "loaxa/$PROV/site/$SITE/records" -l
# status SITE SERIAL DISTRICT: the board's retained status, as it publishes it (a script: the browser's scenario runs it too)
cat > "$tmp/status.sh" <<SH
printf '{"state":"idle","serial":%s,"version":"1","disk_free_mb":700,"clock":"synced","district":"%s","log_seq":15,"sent_seq":0}' \\
    "\$2" "\$3" | mosquitto_pub $tls -i "test-\$1" -q 1 -r -t "loaxa/$PROV/site/\$1/status" -s
SH
status() { sh "$tmp/status.sh" "$@"; }
status xa-thu 2026120101 hoa-an
status xa-hoa 2026110101 thach-an
stored() { [ "$(sql "$DB" "select count(*) from records where site = '$SITE'") $(sql "$DB" "select count(*) from boards where status is not null")" = "15 2" ]; }
wait_for 20 stored && ok "console: the collector stored the board's 15 records and two statuses" \
    || { notok "console: the collector stored records and statuses" "$(tail -5 "$tmp/collect.err")"; exit 1; }

user_add admin1 admin 'correct horse battery' > /dev/null || notok "console: user add admin (PostgreSQL)"
user_add op-hoa operator 'operator hoa password' --commune xa-hoa > /dev/null || notok "console: user add operator (PostgreSQL)"
user_add op-thu operator 'operator thu password' --commune xa-thu > /dev/null || notok "console: user add operator (PostgreSQL)"
console_start "$DB" || { notok "console: serve starts on PostgreSQL"; exit 1; }

# --- the browser ----------------------------------------------------------------------------
cat > "$tmp/scenario" <<SCN
viewport 1280 800
goto $CONSOLE/
expect location.pathname === '/login'
expect document.querySelector('meta[name=viewport]') !== null
shot $shots/login.png
fill input[name=name] admin1
fill input[name=password] correct horse battery
submit form.login
expect location.pathname === '/'
wait 15 document.querySelectorAll('#fleet tbody tr').length === 2
expect document.querySelector('tr[data-site="xa-thu"] td[data-col=serial]').textContent === '2026120101'
expect document.querySelector('tr[data-site="xa-hoa"] td[data-col=state]').textContent.indexOf('trực tuyến') === 0
expect /Tin|Bản tin|\d{4}-\d\d-\d\d/.test(document.querySelector('tr[data-site="xa-thu"] td[data-col=airing]').textContent)
wait 15 Number(document.body.getAttribute('data-updates') || 0) >= 1
print 'before: ' + document.querySelector('#fleet tbody').innerText.replace(/\n/g, ' | ')
shot $shots/fleet.png
expect (window.noReload = 'same page') === 'same page'
sh sh $tmp/status.sh xa-hoa 2026120202 thach-an
wait 20 document.querySelector('tr[data-site="xa-hoa"] td[data-col=serial]').textContent === '2026120202'
expect window.noReload === 'same page'
print 'after: ' + document.querySelector('tr[data-site="xa-hoa"]').innerText.replace(/\n/g, ' | ')
goto $CONSOLE/?district=thach-an
expect document.querySelectorAll('#fleet tbody tr').length === 1
goto $CONSOLE/board?site=xa-thu
expect /đã kiểm tra đến bản ghi 15 trong 15 bản ghi đã lưu \(chuỗi, dấu niêm phong và MAC\)/.test(document.body.innerText)
expect document.querySelectorAll('table tbody tr').length >= 1
shot $shots/board.png
goto $CONSOLE/board?site=xa-thu&lang=en
expect /verified up to record 15 of 15 stored \(chain, seals and MACs\)/.test(document.body.innerText)
goto $CONSOLE/board?site=xa-thu&lang=vi
viewport 390 844 mobile
goto $CONSOLE/
wait 15 Number(document.body.getAttribute('data-updates') || 0) >= 1
expect document.documentElement.scrollWidth <= 400
shot $shots/fleet-phone.png
SCN
if timeout 180 nice python3 "$TOP/tests/console/cdp.py" "$browser" "$tmp/profile" "$tmp/scenario" > "$tmp/cdp.out" 2>&1; then
	ok "console: in Chromium, log in; the fleet shows the boards the collector stored; a new status appears without a reload; the board's page says its log verifies to record 15; a phone's screen"
	sed 's/^/# /' "$tmp/cdp.out"
else notok "console: the browser scenario" "$(cat "$tmp/cdp.out"; tail -3 "$tmp/profile.log")"; fi
n=0
for f in login fleet board fleet-phone; do
	[ -s "$shots/$f.png" ] && [ "$(head -c 8 "$shots/$f.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] && n=$((n + 1))
done
[ $n = 4 ] && ok "console: four screenshots in $shots" || notok "console: screenshots in $shots" "$n of 4"

# --- reports --------------------------------------------------------------------------------------
login "$tmp/admin" admin1 'correct horse battery' > /dev/null
for f in text csv json; do
	s=$(curl -s -D "$tmp/h.$f" -o "$tmp/rep.$f" -w '%{http_code}' -b "$tmp/admin" \
	    "$CONSOLE/reports/download?from=2025-01-01&to=2027-12-31&format=$f")
	echo "$f $s"
done > "$tmp/rep.st"
"$BUILD/loaxa-office" report --db "$DB" --from 2025-01-01 --to 2027-12-31 --format csv --lang vi > "$tmp/cli.csv" 2> /dev/null
if [ "$(cat "$tmp/rep.st" | tr '\n' ' ')" = "text 200 csv 200 json 200 " ] && cmp -s "$tmp/rep.csv" "$tmp/cli.csv" &&
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/rep.json" &&
    grep -qi '^content-disposition: attachment; filename="loaxa-report-2025-01-01-2027-12-31.csv"' "$tmp/h.csv"; then
	ok "console: the report downloads as text, CSV (the same bytes as report --db) and JSON"
else notok "console: the report downloads" "$(cat "$tmp/rep.st"; head -3 "$tmp/rep.text")"; fi
s=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/admin" "$CONSOLE/reports/download?from=2026-13-01&to=x&format=html")
[ "$s" = 400 ] && ok "console: a report asked with a bad date or format is refused (400)" || notok "console: bad report request" "status $s"
login "$tmp/opthu" op-thu 'operator thu password' > /dev/null
s=$(curl -s -o "$tmp/opthu.csv" -w '%{http_code}' -b "$tmp/opthu" "$CONSOLE/reports/download?from=2025-01-01&to=2027-12-31&format=csv")
"$BUILD/loaxa-office" report --db "$DB" --site "$SITE" --from 2025-01-01 --to 2027-12-31 --format csv --lang vi > "$tmp/cli-thu.csv" 2> /dev/null
login "$tmp/op" op-hoa 'operator hoa password' > /dev/null
s2=$(curl -s -o "$tmp/op.csv" -w '%{http_code}' -b "$tmp/op" "$CONSOLE/reports/download?from=2025-01-01&to=2027-12-31&format=csv")
if [ "$s" = 200 ] && cmp -s "$tmp/opthu.csv" "$tmp/cli-thu.csv" && [ "$s2" != 200 ] && ! grep -q "$SITE" "$tmp/op.csv"; then
	ok "console: an operator's report is their communes' only (xa-thu's operator: report --db --site xa-thu; xa-hoa's: none of xa-thu)"
else notok "console: an operator's report is their communes' only" "xa-thu's: $s, xa-hoa's: $s2"; fi

# --- the audit trail in PostgreSQL --------------------------------------------------------------
n=$(sql "$DB" "select count(*) from audit")
bad=""
for q in "update audit set who = 'x'" "delete from audit" "truncate audit"; do
	sql "$DB" "$q" > "$tmp/q" 2>&1 && bad="$bad [$q went through]"
	grep -q 'append-only' "$tmp/q" || bad="$bad [$q: $(cat "$tmp/q")]"
done
[ -z "$bad" ] && [ "$n" -gt 3 ] && [ "$(sql "$DB" "select count(*) from audit")" = "$n" ] \
    && ok "console: PostgreSQL's trigger refuses UPDATE, DELETE and TRUNCATE on the audit trail ($n lines kept)" \
    || notok "console: the audit trail is append-only in PostgreSQL" "$bad"
sql "$DB" "select who || ' | ' || what || ' | ' || addr from audit order by id" | grep -q '^admin1 | report 2025-01-01 to 2027-12-31 as csv | 127.0.0.1$' \
    && ok "console: a report download is in the audit trail" || notok "console: a report download is audited"
console_stop
stop_collect
exit 0
