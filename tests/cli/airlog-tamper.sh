#!/bin/sh
# The airing log through the loaxa command, as an auditor and a board use it:
# show, verify (with and without the seed, a checkpoint, a pinned device key),
# export (files + checkpoint, CSV), init; and tampering of each kind found by
# `loaxa log verify` (exit 1) and placed (the record number in the message).
# The log is written by the writer itself (test_airlog --fixture), never by hand.
set -u
: "${BUILD:?}" "${LOAXA:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0

ok() { echo "ok - airlog-tamper: $1"; }
nok() { echo "not ok - airlog-tamper: $1"; [ -f "$t/out" ] && sed 's/^/#   /' "$t/out" | head -20; }
# check NAME WANT-EXIT WANT-TEXT -- command...
check() {
	name=$1 want=$2 text=$3
	shift 4
	"$@" > "$t/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then nok "$name (exit $rc, expected $want)"; return; fi
	if [ -n "$text" ] && ! grep -qF -- "$text" "$t/out"; then nok "$name (no \"$text\")"; return; fi
	ok "$name"
}

# a fresh copy of the fixture in $t/f: 15 records over 2026-01-02..04, a torn write, 3 seals
fixture() {
	rm -rf "$t/f"
	cp -a "$t/master" "$t/f"
}
"$BUILD/tests/test_airlog" --fixture "$t/master" > "$t/keys" || { echo "not ok - airlog-tamper: fixture"; exit 1; }
seed=$(sed -n 's/^seed //p' "$t/keys")
pub=$(sed -n 's/^pub //p' "$t/keys")
cat > "$t/master/loaxa.cfg" <<CFG
version = 1;
serial = 1;
site = { id = "xa-thu"; name = "Xã Thử"; };
paths = { airlog = "airlog"; state = "state"; };
time = { require_sync = false; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
fixture
L=$t/f/airlog
# the board's clock for the commands that write (export seals): the fixture's last day, late evening
LOAXA_NOW=$(date -d '2026-01-04T23:30:00+07:00' +%s)
export LOAXA_NOW
D1=$L/2026-01-02.jsonl D2=$L/2026-01-03.jsonl

check "intact without the seed says the MACs were not checked" 0 "MACs not checked: no --seed" -- \
	"$LOAXA" log verify -c "$t/f/loaxa.cfg"
check "intact: count, first and last" 0 "airing log intact: 15 records, first 2026-01-02T05:58:00+07:00 (record 1), last 2026-01-04T22:00:00+07:00 (record 15)" -- \
	"$LOAXA" log verify -c "$t/f/loaxa.cfg"
check "intact with the seed" 0 "MACs checked with the seed" -- "$LOAXA" log verify -c "$t/f/loaxa.cfg" --seed "$seed"
check "the acknowledged torn write is a note" 0 "note: 1 torn write(s), acknowledged; the first: 2026-01-02.jsonl line 6" -- \
	"$LOAXA" log verify -c "$t/f/loaxa.cfg"
check "an exported copy verifies with seed, checkpoint and pinned key, no config" 0 \
	"checkpoint: record 10 of 2026-01-03T10:00:00+07:00 is in the log, unchanged" -- \
	"$LOAXA" log verify --airlog "$L" --seed "$seed" --checkpoint "$t/f/checkpoint.json" --key "$pub"
check "the seed can come from stdin" 0 "MACs checked" -- sh -c "echo $seed | \"$LOAXA\" log verify --airlog \"$L\" --seed -"
check "a wrong seed fails at record 1" 1 "record 1 (2026-01-02.jsonl line 1): wrong MAC" -- \
	"$LOAXA" log verify --airlog "$L" --seed "$(echo "$seed" | tr '0-9a-f' '1-9a-f0')"
"$BUILD/tests/test_airlog" --fixture "$t/other" > "$t/okeys"
check "another board's device key is refused at the first seal" 1 "record 7 (2026-01-02.jsonl line 8): seal was made by" -- \
	"$LOAXA" log verify --airlog "$L" --key "$t/other/state/device.pub"

# a changed word in record 8's title
sed -i '/^{"seq":8,/s/Nhận diện/Nhận diên/' "$D2"
check "an edited record: wrong MAC at that record" 1 "record 8 (2026-01-03.jsonl line 1): wrong MAC" -- \
	"$LOAXA" log verify --airlog "$L" --seed "$seed"
check "an edited record without the seed: the chain breaks at the next" 1 "record 9 (2026-01-03.jsonl line 2): chain broken: prev does not match record 8" -- \
	"$LOAXA" log verify --airlog "$L"
fixture
sed -i '/^{"seq":4,/d' "$D1"
check "a deleted record" 1 "record 4 (2026-01-02.jsonl line 4): sequence gap: found record 5 where 4 belongs" -- \
	"$LOAXA" log verify --airlog "$L" --seed "$seed"
fixture
sed -i '/^{"seq":9,/p' "$D2"
check "an inserted (repeated) record" 1 "record 10 (2026-01-03.jsonl line 3): found record 9 again" -- \
	"$LOAXA" log verify --airlog "$L"
fixture
awk '/^\{"seq":3,/ { hold = $0; next } { print } hold != "" && /^\{"seq":4,/ { print hold; hold = "" }' "$D1" > "$t/x" && cp "$t/x" "$D1"
check "swapped records" 1 "record 3 (2026-01-02.jsonl line 3): sequence gap: found record 4 where 3 belongs" -- \
	"$LOAXA" log verify --airlog "$L"
fixture
sed -i 's/"bytes":[0-9]*/"bytes":9/' "$D1"
check "a torn acknowledgment that does not match" 1 "record 6 (2026-01-02.jsonl line 7)" -- \
	"$LOAXA" log verify --airlog "$L" --seed "$seed"

# export, then an auditor's copy cut short
fixture
check "export copies the files and a fresh checkpoint, and checks the copy" 0 "exported 3 files (16 records) to $t/exp, with checkpoint.json: record 15" -- \
	"$LOAXA" log export -c "$t/f/loaxa.cfg" --out "$t/exp"
check "the export's seal is in the board's log" 0 "airing log intact: 16 records" -- \
	"$LOAXA" log verify -c "$t/f/loaxa.cfg" --seed "$seed" --checkpoint "$t/exp/checkpoint.json"
rm "$t/exp/2026-01-04.jsonl"
check "without the checkpoint a cut tail goes unseen (the chain cannot tell)" 0 "airing log intact: 13 records" -- \
	"$LOAXA" log verify --airlog "$t/exp" --seed "$seed"
check "with the checkpoint a cut tail is refused" 1 "record 14 (2026-01-03.jsonl): truncated: the checkpoint of 2026-01-04T23:30:00+07:00 covers record 15, but the log ends at record 13" -- \
	"$LOAXA" log verify --airlog "$t/exp" --seed "$seed" --checkpoint "$t/exp/checkpoint.json"
check "export refuses a folder holding another log" 1 "not part of this log" -- \
	"$LOAXA" log export -c "$t/f/loaxa.cfg" --out "$t/other/airlog"
check "export again into the same folder" 0 "exported 3 files (17 records)" -- \
	"$LOAXA" log export -c "$t/f/loaxa.cfg" --out "$t/exp"

# a pulled plug: reported until the writer acknowledges it
fixture
printf '{"seq":16,"ts":"2026-01-04T23:0' >> "$L/2026-01-04.jsonl"
check "an unacknowledged torn tail is reported" 1 "record 16 (2026-01-04.jsonl line 3): torn tail" -- \
	"$LOAXA" log verify --airlog "$L"
check "the next writer acknowledges it (export seals)" 0 "exported 3 files (16 records)" -- \
	"$LOAXA" log export -c "$t/f/loaxa.cfg" --out "$t/exp2"
check "then it verifies, with two notes" 0 "note: 2 torn write(s)" -- "$LOAXA" log verify -c "$t/f/loaxa.cfg" --seed "$seed"

# show and CSV
fixture
check "show: an airing" 0 '#3  airing    session morning, bulletin luat-2026-01 "Quy định mới về xử phạt": complete' -- \
	"$LOAXA" log show -c "$t/f/loaxa.cfg"
check "show: a missed airing and why" 0 '#5  missed    session evening, bulletin luat-2026-01 "Quy định mới về xử phạt": not aired because power off' -- \
	"$LOAXA" log show -c "$t/f/loaxa.cfg"
check "show: the torn write" 0 "-- 2026-01-02.jsonl line 6: an unfinished write, acknowledged by the next record" -- \
	"$LOAXA" log show --airlog "$L"
check "show: an unsynced clock is marked" 0 "#12  airing    session morning, bulletin luat-2026-01 \"Tin địa phương\": complete [clock not synced]" -- \
	"$LOAXA" log show --airlog "$L"
"$LOAXA" log export -c "$t/f/loaxa.cfg" --csv > "$t/csv"
if head -c 3 "$t/csv" | od -An -tx1 | grep -q 'ef bb bf' &&
   [ "$(wc -l < "$t/csv")" -eq 7 ] &&
   grep -q '^.*seq,ts,type,site,session,period,scheduled,start,end,duration_ms,bulletin,title,topic,level,source,sha256,gain_db,amplifier,outcome,reason' "$t/csv" &&
   grep -qF '"Hàng giả, ""hàng nhái"""' "$t/csv" &&
   grep -q '^5,2026-01-02T17:30:00+07:00,missed,xa-thu,evening,,2026-01-02T17:30:00+07:00,' "$t/csv" &&
   [ "$(grep -c "$(printf '\r$')" "$t/csv")" -eq 7 ]; then
	ok "csv: BOM, header, one CRLF row per airing and missed record, quoting"
else
	cp "$t/csv" "$t/out"; nok "csv: BOM, header, one CRLF row per airing and missed record, quoting"
fi

# init
mkdir "$t/new"
sed 's/airlog = "airlog"; state = "state"/airlog = "log"; state = "st"/' "$t/master/loaxa.cfg" > "$t/new/loaxa.cfg"
check "init shows the seed once and the device key" 0 "Sealing seed" -- "$LOAXA" log init -c "$t/new/loaxa.cfg"
s2=$(grep -A1 'Sealing seed' "$t/out" | tail -1 | tr -d ' ')
[ "${#s2}" -eq 64 ] && ok "init: the seed is 64 hex digits" || nok "init: the seed is 64 hex digits"
[ "$(stat -c %a "$t/new/st/device.key")" = 600 ] && [ "$(stat -c %a "$t/new/st/seal.key")" = 600 ] &&
	! grep -rq "$s2" "$t/new/st" && ok "init: keys 0600, the seed stored nowhere" || nok "init: keys 0600, the seed stored nowhere"
check "init refuses to run twice" 1 "already exists" -- "$LOAXA" log init -c "$t/new/loaxa.cfg"
check "the first export of a new log seals it" 0 "exported 1 files (1 records) to $t/exp3, with checkpoint.json: record 0" -- \
	"$LOAXA" log export -c "$t/new/loaxa.cfg" --out "$t/exp3"
check "the new log verifies with its seed" 0 "MACs checked" -- "$LOAXA" log verify -c "$t/new/loaxa.cfg" --seed "$s2"
check "a missing log folder cannot be verified (exit 2)" 2 "cannot read the airing log folder" -- \
	"$LOAXA" log verify --airlog "$t/nowhere"
check "a bad seed is a usage error" 2 "64 hex digits" -- "$LOAXA" log verify --airlog "$L" --seed abc

# a forger without the seed or the board's key: one airing record edited, every prev after it and
# the seals' heads recomputed (the chain holds again); only the seals' signatures can tell
fixture
python3 - "$L" <<'PY'
import glob, hashlib, re, sys
files = sorted(glob.glob(sys.argv[1] + "/*.jsonl"))
data = {f: open(f, "rb").read().split(b"\n") for f in files}
order = [(f, i) for f in files for i in range(len(data[f])) if data[f][i]]
# the last airing record before the last seal
seals = [k for k, (f, i) in enumerate(order) if b'"type":"seal"' in data[f][i]]
edit = max(k for k, (f, i) in enumerate(order) if b'"type":"airing"' in data[f][i] and k < seals[-1])
f, i = order[edit]
line = data[f][i]
new = re.sub(rb'"duration_ms":(\d+)', lambda m: b'"duration_ms":%d' % (int(m.group(1)) + 60000), line, count=1)
assert new != line
data[f][i] = new
for k in range(edit + 1, len(order)):
    pf, pi = order[k - 1]
    h = hashlib.blake2b(data[pf][pi], digest_size=32).hexdigest().encode()
    cf, ci = order[k]
    l = re.sub(rb'"prev":"[0-9a-f]{64}"', b'"prev":"' + h + b'"', data[cf][ci], count=1)
    if b'"type":"seal"' in l:
        l = re.sub(rb'"head":"[0-9a-f]{64}"', b'"head":"' + h + b'"', l, count=1)
    data[cf][ci] = l
for f in files:
    open(f, "wb").write(b"\n".join(data[f]))
PY
check "a record edited with the chain and the seals' heads recomputed: the seal's signature refuses it, no seed needed" 1 \
    "signature" -- "$LOAXA" log verify --airlog "$L"
