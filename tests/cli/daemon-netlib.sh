#!/bin/sh
# libmosquitto and libcurl are loaded by loaxad when its fleet client starts
# (firmware/netlib.c), not linked: a board without a fleet: section never
# maps them (nor the TLS and other libraries libcurl brings), and a board
# whose libmosquitto is missing or broken says which package to install and
# goes on airing without its fleet client.
set -u
. "$TOP/tests/cli/ingest-common.sh"
. "$TOP/tests/daemon-helpers.sh"

d=$t/d
mkdir -p "$d/lib" "$d/pki" "$d/fake"
for f in ca.crt b.crt b.key; do echo "not a certificate" > "$d/pki/$f"; done
conf() {	# conf [FLEET-SECTION]
	cat > "$d/loaxa.cfg" <<CFG
version = 1; serial = 1;
site = { id = "xa-thu"; name = "Xã Thử"; };
paths = { library = "$d/lib"; airlog = "$d/airlog"; inbox = "$d/inbox"; state = "$d/state"; run = "$d/run"; };
audio = { device = "null"; };
time = { require_sync = false; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
${1:-}
CFG
	rm -rf "$d/run" "$d/airlog" "$d/state"
	"$LOAXA" log init -c "$d/loaxa.cfg" > /dev/null
}
dpid=
stop_daemon() { [ -n "$dpid" ] && kill "$dpid" 2> /dev/null; [ -n "$dpid" ] && wait "$dpid" 2> /dev/null; dpid=; }
cleanup_hooks="stop_daemon"
up() { waitfor 20 "[ -s '$d/run/status.json' ]"; }

conf
"$LOAXAD" -c "$d/loaxa.cfg" > "$t/plain.log" 2>&1 &
dpid=$!
if up && ! grep -Eq 'libmosquitto|libcurl|libssl' "/proc/$dpid/maps"; then
	ok "daemon netlib: without a fleet: section loaxad maps neither libmosquitto nor libcurl (nor OpenSSL)"
else
	notok "daemon netlib: without a fleet: section loaxad maps neither libmosquitto nor libcurl (nor OpenSSL)" \
	    "$(grep -Eo '/[^ ]*(libmosquitto|libcurl|libssl)[^ ]*' "/proc/$dpid/maps" 2> /dev/null | sort -u)" "$(cat "$t/plain.log")"
fi
stop_daemon

# a libmosquitto.so.1 that is not a library, found first (LD_LIBRARY_PATH)
echo "not an ELF file" > "$d/fake/libmosquitto.so.1"
conf "fleet = { broker = \"mqtts://127.0.0.1:1\"; province = \"cb\"; ca = \"$d/pki/ca.crt\"; cert = \"$d/pki/b.crt\"; key = \"$d/pki/b.key\"; };"
LD_LIBRARY_PATH=$d/fake "$LOAXAD" -c "$d/loaxa.cfg" > "$t/nolib.log" 2>&1 &
dpid=$!
if up && waitfor 10 "grep -q 'libmosquitto' '$t/nolib.log'" &&
    grep -q "fleet: the fleet cannot start: libmosquitto is missing (.*libmosquitto.so.1.*); install the libmosquitto1 package; running without it" "$t/nolib.log" &&
    kill -0 "$dpid" 2> /dev/null; then
	ok "daemon netlib: a broken libmosquitto: the fleet does not start, the log names the package to install, loaxad goes on"
else
	notok "daemon netlib: a broken libmosquitto: the fleet does not start, the log names the package to install, loaxad goes on" \
	    "$(cat "$t/nolib.log")"
fi
stop_daemon
