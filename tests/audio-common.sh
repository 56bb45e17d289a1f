# Sourced by the audio scenario tests (tests/cli/audio-*.sh): fixtures, the
# ALSA test devices, a scratch folder, a config writer and ok/not ok lines.
# Needs TOP, BUILD and LOAXA (tests/run exports them).
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$top/build}
LOAXA=${LOAXA:-$BUILD/loaxa}
fx=$("$top/tests/fixtures.sh" "$BUILD/fixtures") || { echo "not ok - audio fixtures (run make deps)"; exit 1; }
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$top/tests/asound.conf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-audio.XXXXXX")
r128="python3 $top/tests/r128.py"
unset LOAXA_BOARD

cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do $h; done
	if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() {	# check NAME CONDITION-AS-SHELL [DIAG-FILE]
	if eval "$2"; then ok "$1"; else notok "$1" "failed: $2"; [ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -20; fi
}
# awk arithmetic as a condition: within A B TOL -> true when |A-B| <= TOL
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
atmost() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# mkcfg FILE TARGET_LUFS [CHIME [WARMUP_MS [GAP_MS]]]: a config; WARMUP_MS given = an amplifier
mkcfg() {
	amp=""
	[ -n "${4:-}" ] && amp="amplifier = { gpio_chip = \"gpiochip0\"; gpio_line = 17; warmup_ms = $4; };"
	ch=""
	[ -n "${3:-}" ] && ch="chime = \"$3\";"
	cat > "$1" <<CFG
version = 1; serial = 1;
site = { id = "xa-mau"; name = "Xã Mẫu"; };
paths = { library = "$tmp/library"; airlog = "$tmp/airlog"; inbox = "$tmp/inbox"; };
audio = { device = "null"; loudness_lufs = $2; gap_ms = ${5:-1500}; fade_ms = 20; $ch $amp };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
}
