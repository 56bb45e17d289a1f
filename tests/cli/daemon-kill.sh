#!/bin/sh
# A pulled plug, again and again: the real loaxad airs a session on a device
# that plays in real time (wav:), while `loaxa ingest` loads a stick, and is
# killed with SIGKILL at a random moment, ROUNDS times (LOAXA_KILL_ROUNDS,
# default 25); ingest itself is killed in some rounds too. After every round:
#   - the airing log verifies (at most one torn record, at its tail), and
#     its sequence numbers only grow
#   - the library holds no half bulletin: every bulletin's audio is there
#     with the hash its record names, and nothing else is in audio/
# At the end a clean start and SIGTERM: every ingest that said it was done
# is in the log exactly once; every kill in the middle of an airing left
# that airing logged once, as interrupted; the daemon's starts are all there.
set -u
. "$TOP/tests/cli/ingest-common.sh"
. "$TOP/tests/daemon-helpers.sh"
rounds=${LOAXA_KILL_ROUNDS:-25}

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "kill loop: $1"; else notok "kill loop: $1" "failed: $2"; [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -30; fi
}
records() { log_count "$b/airlog" "$1"; }	# records PYTHON-CONDITION: how many records r match
# the library's promise (ingest's own scratch files are in tmp/, which it clears): a bulletin's record names audio that is there, whole
library_whole() {
	python3 - "$b/lib" <<'PY'
import glob, hashlib, os, re, sys
lib = sys.argv[1]
named = set()
bad = []
for f in glob.glob(lib + "/bulletins/*.cfg"):
    t = open(f, encoding="utf-8").read()
    m = re.search(r'file = "([^"]+)"', t)
    s = re.search(r'sha256 = "([0-9a-f]{64})"', t)
    if not m or not s:
        bad.append(f + ": no file or sha256")
        continue
    p = os.path.join(lib, m.group(1))
    named.add(os.path.realpath(p))
    if not os.path.exists(p):
        bad.append(f + ": " + p + " is missing")
    elif hashlib.sha256(open(p, "rb").read()).hexdigest() != s.group(1):
        bad.append(f + ": " + p + " does not match its hash")
for p in glob.glob(lib + "/audio/*"):
    if os.path.realpath(p) not in named:
        bad.append(p + ": audio no bulletin names")
for l in bad:
    print(l)
sys.exit(1 if bad else 0)
PY
}

board
# a session that is on air now and for the whole test, a device that takes real time
sed -i "s|device = \"null\"|device = \"wav:$t/air.wav\"|; s|gap_ms = 1500|gap_ms = 300|" "$cfg"
# sessions of a minute each, one after the other, from the next minute on
m1=$(( ($(date +%s) + 10 + 59) / 60 * 60 ))
python3 - "$cfg" "$m1" <<'PY'
import re, sys, time
p, m1 = sys.argv[1], int(sys.argv[2])
t = open(p, encoding="utf-8").read()
hm = lambda s: time.strftime("%H:%M", time.gmtime(s + 7 * 3600))
s = ",\n".join('  { id = "s%d"; days = "daily"; start = "%s"; minutes = 1; }' % (k, hm(m1 + 60 * k)) for k in range(20))
t = re.sub(r"sessions = \(.*?\n\);", "sessions = (\n" + s + "\n);", t, flags=re.S)
t = t.replace("require_sync = false;", "require_sync = false; grace_minutes = 1;")
open(p, "w", encoding="utf-8").write(t)
PY
unset LOAXA_TODAY LOAXA_NOW LOAXA_DEVICE
"$LOAXA" check -c "$cfg" > "$t/chk" 2>&1 || { notok "kill loop: the test's config" "$(cat "$t/chk")"; exit 1; }
i=0
for f in "$fx/cbr64-22k-mono.mp3" "$fx/vbr-44k-mono.mp3" "$fx/cbr24-8k-mono.mp3" "$fx/id3-44k-stereo.mp3"; do
	i=$((i + 1))
	"$TOP/tests/lib-put.sh" "$b/lib" "$f" "tin-$i" law > /dev/null
done

dpid=""
stop_all() { [ -n "$dpid" ] && kill -9 "$dpid" 2> /dev/null; [ -n "${ipid:-}" ] && kill -9 "$ipid" 2> /dev/null; }
cleanup_hooks="stop_all"
seqs_grow() { python3 - "$b/airlog" <<'PY'
import glob, json, sys
last = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        try:
            s = json.loads(line)["seq"]
        except (ValueError, KeyError):
            continue
        if s != last + 1:
            print("seq %d after %d in %s" % (s, last, f)); sys.exit(1)
        last = s
PY
}

# tone FILE N: a two-minute tone whose last sample is N (each round's audio is new)
python3 - "$t/tone.wav" <<'PY'
import array, math, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
w.writeframes(array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 22050)) for i in range(22050 * 120))).tobytes())
w.close()
PY
tone() {
	cp "$t/tone.wav" "$1"
	printf "\\$(printf %03o $(($2 % 256)))" | dd of="$1" bs=1 seek=$(($(stat -c %s "$1") - 2)) conv=notrunc status=none
}
rnd() { python3 -c "import random; print(random.uniform($1, $2))"; }
kills=0 in_air=0 ingests_done="" broken=0 ingest_kills=0
: > "$t/rounds"
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	if [ $((r % 3)) -eq 0 ]; then	# one round in three: an emergency, which airs at once
		"$TOP/tests/lib-put.sh" "$b/lib" "$fx/cbr24-8k-mono.mp3" "khan-$r" local emergency 0 \
		    "$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)" "$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)" > /dev/null
	fi
	"$LOAXAD" -c "$cfg" >> "$t/daemon.log" 2>&1 &
	dpid=$!
	ipid=""
	if [ $((r % 3)) -ne 0 ]; then	# two rounds in three: a stick comes in
		stick
		tone "$lx/round-$r.wav" "$r"
		"$LOAXA" ingest -c "$cfg" --no-speak "$t/stick" > "$t/ingest-$r.out" 2>&1 &
		ipid=$!
		if [ $((r % 4)) -eq 1 ]; then	# and in some, ingest dies too, somewhere in its work
			sleep "$(rnd 0 0.12)"
			kill -9 "$ipid" 2> /dev/null && ingest_kills=$((ingest_kills + 1))
		fi
	fi
	sleep "$(rnd 0.3 5)"
	# is something on air right now (the daemon keeps it in state/current.json)?
	[ -s "$b/state/current.json" ] && in_air=$((in_air + 1))
	kill -9 "$dpid"
	wait "$dpid" 2> /dev/null
	kills=$((kills + 1))
	if [ -n "$ipid" ] && wait "$ipid"; then ingests_done="$ingests_done round-$r"; fi
	ipid=""
	"$LOAXA" log verify -c "$cfg" > "$t/verify" 2>&1
	vrc=$?
	if [ $vrc -ne 0 ] || ! seqs_grow > "$t/seq" 2>&1 || ! library_whole > "$t/lib" 2>&1; then
		broken=$((broken + 1))
		echo "round $r: verify exit $vrc" >> "$t/rounds"
		cat "$t/verify" "$t/seq" "$t/lib" >> "$t/rounds"
	fi
done
check "$rounds rounds of kill -9 ($in_air on air, $ingest_kills ingests killed too): the log verifies, its records follow each other, the library is whole after each" \
    "[ $broken -eq 0 ]" "$t/rounds"

# a clean run to the end: the inbox is taken, then SIGTERM
"$LOAXAD" -c "$cfg" >> "$t/daemon.log" 2>&1 &
dpid=$!
i=0
while [ $i -lt 100 ] && [ -n "$(ls "$b/inbox" 2> /dev/null | grep -v '^announce')" ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=""
check "after it all, SIGTERM ends the daemon cleanly (exit $rc)" "[ $rc -eq 0 ]" "$t/daemon.log"
"$LOAXA" log verify -c "$cfg" > "$t/verify" 2>&1
check "after it all, the log verifies" "[ \$? -eq 0 ]" "$t/verify"

missing="" twice=""
for n in $ingests_done; do
	c=$(records "r['type']=='ingest' and '$n' in r.get('loaded', [])")
	[ "$c" -eq 0 ] && missing="$missing $n"
	[ "$c" -gt 1 ] && twice="$twice $n"
done
check "every ingest that finished ($(echo $ingests_done | wc -w)) is in the log: none missing (${missing:-none})" "[ -z '$missing' ]"
check "and none twice (${twice:-none})" "[ -z '$twice' ]"
starts=$(records "r['type']=='boot'")
check "every start is logged ($starts of $((rounds + 1)))" "[ $starts -eq $((rounds + 1)) ]" "$t/daemon.log"
cut=$(records "r['type']=='airing' and r['outcome']=='interrupted' and r.get('reason','').startswith('loaxad stopped')")
self=$(records "r['type']=='airing' and r['outcome']=='interrupted' and r.get('reason','').startswith('emergency') and r.get('session')=='emergency'")
check "every airing cut by a kill is logged interrupted once ($cut for $in_air seen on air, at most $kills kills)" \
    "[ $cut -ge $in_air ] && [ $cut -le $kills ]" "$t/daemon.log"
check "an emergency on air is never cut by a library change (a stick) ($self times)" "[ $self -eq 0 ]"
