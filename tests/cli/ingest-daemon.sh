#!/bin/sh
# With a real loaxad running (LOAXA_DEVICE=null, the clock flag a file of the
# test's): ingest hands its record and its spoken confirmation to the daemon
# through the inbox, and the export gets a checkpoint the daemon seals on
# request; a signed config is applied and the daemon reports its serial; a
# config the daemon cannot run (it moves the airing log) is rolled back at
# once; a daemon that does not answer is waited for, then rolled back; a
# config pair dropped in the inbox is applied by the daemon itself, and one
# with a stranger's signature is refused and logged.
set -u
. "$TOP/tests/cli/ingest-common.sh"
. "$TOP/tests/daemon-helpers.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "ingest daemon: $1"; else notok "ingest daemon: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/out}" | head -30; fi
}
serial() { cat "$b/run/status.json" 2>/dev/null | tr -d ' ' | grep -o '"serial":[0-9]*' | cut -d: -f2; }
logged() { "$LOAXA" log show -c "$cfg" 2>/dev/null | grep -q "$1"; }
inbox_empty() { [ -z "$(ls "$b/inbox")" ]; }

board
unset LOAXA_TODAY LOAXA_NOW		# the daemon runs on the real clock: so does everything it is compared with
touch "$t/synced"
LOAXA_SYNC_FLAG=$t/synced "$LOAXAD" -c "$cfg" > "$t/daemon.log" 2>&1 &
dpid=$!
stop_daemon() { kill -CONT "$dpid" 2> /dev/null; kill "$dpid" 2> /dev/null; wait "$dpid" 2> /dev/null; }
cleanup_hooks="stop_daemon"
if ! waitfor 20 "[ \"\$(serial)\" = 2026011501 ]"; then
	notok "ingest daemon: loaxad starts" "no status.json"
	sed 's/^/#   /' "$t/daemon.log"
	exit 1
fi

stick
cp "$fx/cbr64-22k-mono.mp3" "$lx/tin.mp3"
mkdir "$lx/export"
timeout 60 "$LOAXA" ingest -c "$cfg" "$t/stick" > "$t/out" 2>&1
rc=$?
check "ingest hands its record to loaxad (exit $rc)" "[ $rc -eq 0 ] && grep -q 'Handed to loaxad for the airing log' '$t/out'"
check "loaxad appends the ingest record" "waitfor 10 \"logged 'ingest.*loaded=..tin..'\"" "$t/daemon.log"
e=$lx/export/cb-hoa-an
"$LOAXA" log verify --airlog "$e" --checkpoint "$e/checkpoint.json" > "$t/v" 2>&1
check "the export's checkpoint is freshly sealed by loaxad and covers the ingest record" \
    "grep -q 'checkpoint: record' '$t/v' && ! grep -q 'latest seal' '$t/out' && [ \"\$(tr -d ' \\n' < '$e/checkpoint.json' | grep -o '\"seq\":[0-9]*' | cut -d: -f2)\" -ge \"\$(grep '\"type\":\"ingest\"' '$e'/*.jsonl | tail -1 | grep -o '{\"seq\":[0-9]*' | cut -d: -f2)\" ]" "$t/v"
check "the spoken confirmation goes to loaxad, which plays it and removes it" \
    "waitfor 20 inbox_empty && ! grep -q 'announcement.*cannot' '$t/daemon.log'" "$t/daemon.log"

# loaxa apply: good, then one the daemon cannot run, then a daemon that does not answer
newcfg() {	# newcfg SERIAL FILE [SED]: the board's config with another serial, signed by the office
	sed "s/serial = [0-9]*;/serial = $1;/${3:+; $3}" "$cfg" > "$2"
	"$LOAXA" sign "$2" --key "$t/office.key" > /dev/null
}
newcfg 2026011502 "$t/new.cfg"
"$LOAXA" apply -c "$cfg" "$t/new.cfg" > "$t/out" 2>&1
rc=$?
check "a good signed config is applied and loaxad reports its serial (exit $rc)" \
    "[ $rc -eq 0 ] && grep -q 'configuration serial 2026011502 applied (it was 2026011501); the daemon runs it' '$t/out' && [ \"\$(serial)\" = 2026011502 ]"

cp "$cfg" "$t/good.cfg"
newcfg 2026011503 "$t/moved.cfg" "s|airlog = \"[^\"]*\"|airlog = \"$t/elsewhere\"|"
start=$(date +%s)
"$LOAXA" apply -c "$cfg" "$t/moved.cfg" > "$t/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "a config loaxad cannot run is rolled back at once (exit $rc, ${took}s)" \
    "[ $rc -eq 1 ] && grep -q 'was not taken by the daemon (the daemon refused it: paths.airlog or paths.state changed' '$t/out' && grep -q 'rolled back to the last good one (serial 2026011502)' '$t/out' && cmp -s '$t/good.cfg' '$cfg' && [ \"\$(serial)\" = 2026011502 ] && [ $took -lt 10 ]"

kill -STOP "$dpid"
newcfg 2026011504 "$t/late.cfg"
"$LOAXA" apply -c "$cfg" --timeout 2 "$t/late.cfg" > "$t/out" 2>&1
rc=$?
check "a daemon that does not answer in time: rolled back (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'the daemon did not report serial 2026011504 within 2 s): rolled back' '$t/out' && cmp -s '$t/good.cfg' '$cfg'"
kill -CONT "$dpid"
sleep 0.5
check "after the roll-back loaxad still runs the last good config" "[ \"\$(serial)\" = 2026011502 ] && kill -0 $dpid"

# the inbox: the .sig first, then the config, each renamed into place
drop() { cp "$1" "$b/inbox/$2.tmp" && mv "$b/inbox/$2.tmp" "$b/inbox/$2"; }
newcfg 2026011505 "$t/push.cfg"
drop "$t/push.cfg.sig" push.cfg.sig
drop "$t/push.cfg" push.cfg
check "a config pair dropped in the inbox is applied by loaxad" \
    "waitfor 10 '[ \"\$(serial)\" = 2026011505 ]' && grep -q 'serial = 2026011505' '$cfg' && inbox_empty" "$t/daemon.log"

newcfg 2026011506 "$t/evil.cfg"
rm -f "$t/evil.cfg.sig"
"$LOAXA" sign "$t/evil.cfg" --key "$t/stranger.key" > /dev/null
drop "$t/evil.cfg.sig" evil.cfg.sig
drop "$t/evil.cfg" evil.cfg
check "an inbox config signed by a stranger is refused and logged" \
    "waitfor 10 \"logged 'config.*source=inbox file=evil.cfg outcome=refused'\" && [ \"\$(serial)\" = 2026011505 ] && grep -q 'serial = 2026011505' '$cfg'" "$t/daemon.log"
