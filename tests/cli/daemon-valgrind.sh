#!/bin/sh
# The daemon under valgrind memcheck: zero errors, nothing definitely or
# indirectly lost. Two runs:
#   - test_engine (the engine's unit tests: sessions, downtime, clock jumps,
#     emergencies, crashes) in full
#   - the real loaxad for about half a minute: it starts, airs an emergency
#     on a device that plays in real time, takes an ingest record from the
#     inbox (a stick loaded by `loaxa ingest`, itself not under valgrind:
#     valgrind 3.19 does not know openat2), is asked for a seal, reloads a
#     changed config on SIGHUP, and stops on SIGTERM.
# Not here: the crash-point tests (their children stop mid-write on purpose,
# so what they hold is "lost"); they run under ASan in `make check SANITIZE=1`.
set -u
. "$TOP/tests/cli/ingest-common.sh"
. "$TOP/tests/daemon-helpers.sh"
unset LOAXA_TODAY LOAXA_NOW LOAXA_DEVICE
vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no"
case $BUILD in */san)	# valgrind cannot run ASan binaries: this file runs in the plain pass
	echo "# valgrind: skipped in the sanitizer build"
	exit 0 ;;
esac
if ! command -v valgrind > /dev/null; then
	notok "valgrind: installed (run make deps)"
	exit 1
fi

$vg --log-file="$t/engine.vg" "$BUILD/tests/test_engine" > "$t/engine.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q '^not ok' "$t/engine.out" && [ ! -s "$t/engine.vg" ]; then
	ok "valgrind: test_engine, $(grep -c '^ok' "$t/engine.out") tests, no errors, no leaks"
else
	notok "valgrind: test_engine (exit $rc)"
	cat "$t/engine.vg" "$t/engine.out" | grep -v '^ok' | head -40 | sed 's/^/#   /'
fi

b=$t/board
mkdir -p "$b"
cfg=$b/loaxa.cfg
mkcfg() {
	cat > "$cfg.new" <<CFG
version = 1; serial = $1;
site = { id = "xa-vg"; name = "Xã Thử"; };
paths = { library = "$b/lib"; airlog = "$b/airlog"; inbox = "$b/inbox"; state = "$b/state"; run = "$b/run"; };
audio = { device = "wav:$b/air.wav"; gap_ms = 300; };
time = { require_sync = false; };
sessions = ( { id = "s"; days = "daily"; start = "06:00"; minutes = ${2:-5}; } );
CFG
	mv "$cfg.new" "$cfg"
}
mkcfg 1
"$LOAXA" log init -c "$cfg" > /dev/null
$vg --log-file="$t/daemon.vg" "$LOAXAD" -c "$cfg" > "$t/daemon.out" 2>&1 &
dpid=$!
stop_daemon() { kill -9 "$dpid" 2> /dev/null; }
cleanup_hooks="stop_daemon"
logged() { grep -q "$1" "$b"/airlog/*.jsonl 2> /dev/null; }
waitfor 60 '[ -s "$b/run/status.json" ]' || notok "valgrind: loaxad starts under valgrind"
today=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)
"$TOP/tests/lib-put.sh" "$b/lib" "$fx/chime.mp3" khan local emergency 0 "$today" "$today" > /dev/null
waitfor 60 "logged '\"bulletin\":\"khan\".*\"outcome\":\"complete\"'"
stick
cp "$fx/wav-22k-mono.wav" "$lx/tin.wav"
mkdir "$lx/export"
"$LOAXA" ingest -c "$cfg" --no-speak "$t/stick" > "$t/ingest.out" 2>&1
waitfor 60 "logged '\"type\":\"ingest\"'"
mkcfg 2 10
kill -HUP "$dpid"
waitfor 60 "logged '\"serial\":2,'"
kill -TERM "$dpid"
wait "$dpid"
rc=$?
cleanup_hooks=""
for what in "airing\",.*\"bulletin\":\"khan\".*\"outcome\":\"complete" "\"type\":\"ingest\"" "\"type\":\"seal\"" \
    "\"serial\":2," "\"type\":\"shutdown\""; do
	logged "$what" || notok "valgrind: loaxad logged $what" "$(cat "$t/daemon.out")"
done
if [ $rc -eq 0 ] && [ ! -s "$t/daemon.vg" ]; then
	ok "valgrind: loaxad (emergency aired, ingest record, seal, SIGHUP reload, SIGTERM): no errors, no leaks"
else
	notok "valgrind: loaxad (exit $rc)"
	head -60 "$t/daemon.vg" | sed 's/^/#   /'
fi
