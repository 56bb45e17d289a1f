# Sourced by the ingest scenario tests (tests/cli/ingest-*.sh): fixtures, a
# board (config, airing log, keys) in a scratch folder, a stick, and
# ok/not ok lines. Needs TOP, BUILD and LOAXA (tests/run exports them).
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
LOAXAD=${LOAXAD:-$BUILD/loaxad}
fx=$("$top/tests/fixtures.sh" "$BUILD/fixtures") || { echo "not ok - ingest fixtures (run make deps)"; exit 1; }
t=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-ingest.XXXXXX")
export LOAXA_TODAY=2026-01-15 LOAXA_NOW=1768440600 LOAXA_DEVICE=null
# messages as written in the code (English); the Vietnamese receipt has its own golden test
export LOAXA_LOCALEDIR=/nonexistent
unset LOAXA_BOARD LOAXA_FAULT

cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do $h; done
	if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $t"; else rm -rf "$t"; fi
}
trap cleanup EXIT INT TERM

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# keys: the office signs, a stranger signs too
"$LOAXA" keygen --out "$t/office" > /dev/null 2>&1
"$LOAXA" keygen --out "$t/stranger" > /dev/null 2>&1

# board [SERIAL [EXTRA-TRUST]]: a fresh board in $t/board (config $t/board/etc/loaxa.cfg)
board() {
	rm -rf "$t/board"
	mkdir -p "$t/board/etc"
	cfg=$t/board/etc/loaxa.cfg
	b=$t/board
	cat > "$cfg" <<CFG
version = 1; serial = ${1:-2026011501};
site = { id = "cb-hoa-an"; name = "Xã Hòa An"; province = "Cao Bằng"; };
paths = { library = "$b/lib"; airlog = "$b/airlog"; inbox = "$b/inbox"; state = "$b/state"; run = "$b/run"; };
audio = { device = "null"; gap_ms = 1500; };
time = { require_sync = false; };
sessions = (
  { id = "morning"; days = "mon-sun"; start = "06:00"; minutes = 15; },
  { id = "evening"; days = "mon-sat"; start = "17:30"; minutes = 15; topics = [ "law", "counterfeit", "local" ]; }
);
trust = { keys = [ "$(cat "$t/office.pub")" ]; require_signed_config = true; ${2:-} };
CFG
	"$LOAXA" log init -c "$cfg" > /dev/null
}

# stick: an empty stick in $t/stick (LOAXA/ in $lx)
stick() {
	rm -rf "$t/stick"
	mkdir -p "$t/stick/LOAXA"
	lx=$t/stick/LOAXA
}

# manifest ENTRY...: writes LOAXA/manifest.cfg, one bulletin group per argument, after the
# binding keys (MSEQ: its sequence, 1 unless set; MBIND: what it is for and until when)
manifest() {
	{
		echo "sequence = ${MSEQ:-1};"
		echo "${MBIND-expires = \"2026-12-31\"; sites = [ \"cb-hoa-an\" ];}"
		echo "bulletins = ("
		sep=""
		for e in "$@"; do printf '%s  { %s }\n' "$sep" "$e"; sep=","; done
		echo ");"
	} > "$lx/manifest.cfg"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# ingest: runs loaxa ingest on the stick; output in $t/out, status in $rc
ingest() {
	timeout 60 "$LOAXA" ingest -c "$cfg" --no-speak "$@" "$t/stick" > "$t/out" 2>&1
	rc=$?
}

# what exists outside the library, the airing log and the receipt, with sizes and times
listing() {
	find "$t" -path "$t/board/lib" -prune -o -path "$t/board/airlog" -prune -o -path "$t/board/state" -prune \
	    -o -path "$t/stick/LOAXA/receipt-*" -prune -o -path "$t/out" -prune -o -path "$t/listing.*" -prune \
	    -o -type d -printf '%p %y\n' -o -printf '%p %y %s %T@\n' | sort
}
