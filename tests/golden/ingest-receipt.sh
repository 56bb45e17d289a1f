# The receipt of a good stick, in Vietnamese, with the date and time pinned:
# a file named on a Mac (NFD) becomes an NFC title, a sub-folder named after a
# topic (by id or by its Vietnamese name) gives the topic, the same audio twice
# is stored once, macOS ._ files and old receipts are left alone, and the
# plan for the next 7 days follows. The receipt on the stick is printed.
set -eu
: "${LOAXA:?}" "${BUILD:?}" "${TOP:?}"
fx=$("$TOP/tests/fixtures.sh" "$BUILD/fixtures")
t=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-receipt.XXXXXX")
trap 'rm -rf "$t"' EXIT
export LOAXA_TODAY=2026-01-15 LOAXA_NOW=1768440600
cat > "$t/loaxa.cfg" <<CFG
version = 1; serial = 2026011501;
site = { id = "cb-hoa-an"; name = "Xã Hòa An"; province = "Cao Bằng"; };
paths = { library = "$t/lib"; airlog = "$t/airlog"; inbox = "$t/inbox"; state = "$t/state"; run = "$t/run"; };
audio = { device = "null"; gap_ms = 1500; };
time = { require_sync = false; };
sessions = (
  { id = "morning"; days = "mon-sun"; start = "06:00"; minutes = 15; },
  { id = "evening"; days = "mon-sat"; start = "17:30"; minutes = 15; topics = [ "law", "counterfeit", "local" ]; }
);
CFG
"$LOAXA" log init -c "$t/loaxa.cfg" > /dev/null
lx=$t/stick/LOAXA
mkdir -p "$lx/law" "$lx/Nhận diện hàng giả, hàng kém chất lượng" "$lx/.Trashes"
# "Thông báo Tết.mp3" as macOS writes it: decomposed (NFD)
cp "$fx/cbr64-22k-mono.mp3" "$lx/$(printf 'Tho\314\202ng ba\314\201o Te\314\202\314\201t.mp3')"
cp "$fx/vbr-44k-mono.mp3" "$lx/law/Quy định mới về xử phạt.mp3"
cp "$fx/cbr24-8k-mono.mp3" "$lx/Nhận diện hàng giả, hàng kém chất lượng/Hàng giả dịp Tết.mp3"
cp "$fx/cbr64-22k-mono.mp3" "$lx/Bản sao.mp3"
printf 'Mac resource fork' > "$lx/._Bản sao.mp3"
echo "an older receipt" > "$lx/receipt-cb-hoa-an-2026-01-01.txt"
"$LOAXA" ingest -c "$t/loaxa.cfg" --no-speak "$t/stick" > "$t/out" 2>&1 || echo "ingest exit $?"
cat "$lx/receipt-cb-hoa-an-2026-01-15.txt"
echo "--- the same on stdout: $(cmp -s "$t/out" "$lx/receipt-cb-hoa-an-2026-01-15.txt" && echo yes || echo no)"
