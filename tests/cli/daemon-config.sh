#!/bin/sh
# A config that changes on disk under a running loaxad (issue 18, point 6):
# where the config in force requires signatures, the daemon takes only what
# `loaxa apply` would take. An unsigned rewrite (new trust.keys, a higher
# serial), a signed but older one put back, and one signed by another key
# are refused, the old config stays in force and the status says why; a
# newer one signed by the office is taken, by a file change and by SIGHUP.
set -u
. "$TOP/tests/cli/ingest-common.sh"
. "$TOP/tests/daemon-helpers.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "daemon config: $1"; else notok "daemon config: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/daemon.log}" | tail -20; fi
}
serial() { cat "$b/run/status.json" 2>/dev/null | tr -d ' ' | grep -o '"serial":[0-9]*' | cut -d: -f2; }
refusals() { grep -c 'refused:' "$t/daemon.log"; }

board
unset LOAXA_TODAY LOAXA_NOW
touch "$t/synced"
LOAXA_SYNC_FLAG=$t/synced "$LOAXAD" -c "$cfg" > "$t/daemon.log" 2>&1 &
dpid=$!
stop_daemon() { kill "$dpid" 2> /dev/null; wait "$dpid" 2> /dev/null; }
cleanup_hooks="stop_daemon"
waitfor 20 "[ \"\$(serial)\" = 2026011501 ]" || { notok "daemon config: loaxad starts"; sed 's/^/#   /' "$t/daemon.log"; exit 1; }
cp "$cfg" "$t/s1.cfg"
# what an exploited child running as the daemon's user could write: its own key, a higher serial
"$LOAXA" keygen --out "$t/evil" > /dev/null 2>&1
sed -e "s/serial = [0-9]*;/serial = 2026011599;/" -e "s|keys = \[ \"[^\"]*\" \]|keys = [ \"$(cat "$t/evil.pub")\" ]|" \
    "$t/s1.cfg" > "$t/evil.cfg"
n=$(refusals)
cp "$t/evil.cfg" "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
check "an unsigned config written on disk is refused; the old one stays, and the status says why" \
    "waitfor 10 '[ \$(refusals) -gt $n ]' && grep -q 'serial 2026011599 refused: the configuration file changed on disk but is not signed' '$t/daemon.log' && [ \"\$(serial)\" = 2026011501 ] && grep -q 'not signed by a key of the configuration in force' '$b/run/status.json'"
n=$(refusals)
"$LOAXA" sign "$cfg" --key "$t/evil.key" > /dev/null
kill -HUP "$dpid"
check "signed by a key of its own (the new trust.keys), it is refused too (SIGHUP)" \
    "waitfor 10 '[ \$(refusals) -gt $n ]' && [ \"\$(serial)\" = 2026011501 ]"
# a newer config signed by the office: taken
sed "s/serial = [0-9]*;/serial = 2026011502;/" "$t/s1.cfg" > "$t/s2.cfg"
"$LOAXA" sign "$t/s2.cfg" --key "$t/office.key" > /dev/null
cp "$t/s2.cfg.sig" "$cfg.sig" && cp "$t/s2.cfg" "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
check "a newer config signed by the office is taken" "waitfor 10 '[ \"\$(serial)\" = 2026011502 ]'"
# the old one put back, with its own (good) signature: a rollback
"$LOAXA" sign "$t/s1.cfg" --key "$t/office.key" > /dev/null
n=$(refusals)
cp "$t/s1.cfg.sig" "$cfg.sig" && cp "$t/s1.cfg" "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
check "an older signed config put back is refused (serial)" \
    "waitfor 10 '[ \$(refusals) -gt $n ]' && grep -q 'to a serial that is not newer' '$t/daemon.log' && [ \"\$(serial)\" = 2026011502 ]"
