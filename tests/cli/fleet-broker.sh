#!/bin/sh
# The production broker configuration shipped in office/mosquitto/ (issue 18,
# point 7), run by a real Mosquitto with the test PKI: a board's certificate
# cannot connect under another board's client id and throw it off (the
# certificate's CN is the user name and the client id), and a board can
# publish only on its own topics. The same takeover against the tests' older
# configuration (no use_username_as_clientid) does throw the board off: the
# test can fail.
. "$TOP/tests/fleet-common.sh"
command -v mosquitto > /dev/null || { echo "ok - fleet broker # SKIP mosquitto is not installed (make deps)"; exit 0; }
command -v mosquitto_sub > /dev/null || { echo "ok - fleet broker # SKIP mosquitto-clients is not installed"; exit 0; }
fleet_ca
for n in xa-a xa-b office-collect; do fleet_cert "$n"; done
mkdir -p "$tmp/broker"
# the shipped files, with the test's paths and port
sed -e "s|/etc/loaxa/pki/|$tmp/pki/|" -e "s|/etc/mosquitto/loaxa.acl|$tmp/broker/acl|" \
    -e "s|^listener 8883$|listener $BROKER_PORT 127.0.0.1|" "$top/office/mosquitto/loaxa.conf" > "$tmp/broker/mosquitto.conf"
cat >> "$tmp/broker/mosquitto.conf" <<CONF
user $(id -un)
persistence_location $tmp/broker/
log_dest file $tmp/broker/log
log_type all
CONF
cp "$top/office/mosquitto/loaxa.acl" "$tmp/broker/acl"
broker_start || { notok "fleet broker: the shipped configuration starts"; exit 1; }

tls() { echo "--cafile $tmp/pki/ca.crt --cert $tmp/pki/$1.crt --key $tmp/pki/$1.key -h localhost -p $BROKER_PORT"; }
# xa-a connected under the client id loaxd gives it; a watcher reads every board's status as the collector
# shellcheck disable=SC2046
mosquitto_sub $(tls xa-a) -i loaxa-xa-a -q 1 -t "loaxa/$PROV/site/xa-a/config" -W 15 > "$tmp/a.out" 2>&1 &
apid=$!
# shellcheck disable=SC2046
mosquitto_sub $(tls office-collect) -i loaxa-collect -q 1 -t "loaxa/$PROV/site/+/status" -v -W 15 > "$tmp/w.out" 2>&1 &
wpid=$!
up() { [ "$(grep -c 'New client connected' "$tmp/broker/log")" -ge 2 ]; }
for _ in $(seq 1 100); do up && break; sleep 0.05; done
# xa-b's certificate asks for xa-a's client id, and tries xa-a's status topic and its own
# shellcheck disable=SC2046
mosquitto_pub $(tls xa-b) -i loaxa-xa-a -q 1 -t "loaxa/$PROV/site/xa-a/status" -m '{"state":"offline (forged)"}' > "$tmp/b.out" 2>&1
# shellcheck disable=SC2046
mosquitto_pub $(tls xa-b) -i loaxa-xa-a -q 1 -t "loaxa/$PROV/site/xa-b/status" -m '{"state":"xa-b own"}' >> "$tmp/b.out" 2>&1
sleep 1
if kill -0 "$apid" 2> /dev/null && ! grep -q 'already connected, closing old connection' "$tmp/broker/log"; then
	ok "fleet broker: a board's certificate cannot take another board's client id (the board stays connected)"
else notok "fleet broker: client id takeover" "$(grep -i 'xa-a\|xa-b' "$tmp/broker/log" | tail -6)"; fi
grep -q 'New client connected .* as xa-b' "$tmp/broker/log" \
    && ok "fleet broker: the client id is the certificate's CN, whatever the client asked for" \
    || notok "fleet broker: the client id is the CN" "$(grep 'New client' "$tmp/broker/log")"
kill "$wpid" 2> /dev/null; wait "$wpid" 2> /dev/null
if grep -q 'site/xa-b/status {"state":"xa-b own"}' "$tmp/w.out" && ! grep -q 'forged' "$tmp/w.out"; then
	ok "fleet broker: a board publishes on its own topics only (another site's status is denied)"
else notok "fleet broker: topics per board" "$(cat "$tmp/w.out")"; fi
kill "$apid" 2> /dev/null; wait "$apid" 2> /dev/null
broker_stop

# the control: the tests' own configuration, without the client id bound, lets the takeover happen
rm -rf "$tmp/broker"
broker_conf
: > "$tmp/broker/log"
broker_start || { notok "fleet broker: the tests' configuration starts"; exit 1; }
# shellcheck disable=SC2046
mosquitto_sub $(tls xa-a) -i loaxa-xa-a -q 1 -t "loaxa/$PROV/site/xa-a/config" -W 15 > "$tmp/a.out" 2>&1 &
apid=$!
for _ in $(seq 1 100); do grep -q 'New client connected' "$tmp/broker/log" && break; sleep 0.05; done
# shellcheck disable=SC2046
mosquitto_pub $(tls xa-b) -i loaxa-xa-a -q 1 -t "loaxa/$PROV/site/xa-b/status" -m x > /dev/null 2>&1
sleep 1
if grep -q 'already connected, closing old connection' "$tmp/broker/log"; then
	ok "fleet broker: control: without the binding, the same takeover throws the board off"
else notok "fleet broker: control takeover" "$(tail -5 "$tmp/broker/log")"; fi
kill "$apid" 2> /dev/null; wait "$apid" 2> /dev/null
