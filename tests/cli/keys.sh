#!/bin/sh
# loaxa keygen | sign | verify: keys made once and kept private, detached
# signatures checked against --pubkey or the config's trust.keys, a changed
# byte and an unknown key refused.
set -u
: "${LOAXA:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { echo "ok - keys: $1"; }
nok() { echo "not ok - keys: $1"; [ -f "$t/out" ] && sed 's/^/#   /' "$t/out" | head -20; }
check() {
	name=$1 want=$2 text=$3
	shift 4
	"$@" > "$t/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then nok "$name (exit $rc, expected $want)"; return; fi
	if [ -n "$text" ] && ! grep -qF -- "$text" "$t/out"; then nok "$name (no \"$text\")"; return; fi
	ok "$name"
}

check "keygen prints the public key line" 0 "ed25519:" -- "$LOAXA" keygen --out "$t/office"
[ "$(stat -c %a "$t/office.key")" = 600 ] && grep -q '^ed25519-secret:' "$t/office.key" &&
	[ "$(grep '^ed25519:' "$t/out")" = "$(cat "$t/office.pub")" ] && ok "keygen: secret 0600, public key file = printed line" ||
	nok "keygen: secret 0600, public key file = printed line"
check "keygen never overwrites a key" 1 "already exists" -- "$LOAXA" keygen --out "$t/office"
"$LOAXA" keygen --out "$t/stranger" > /dev/null 2>&1

cat > "$t/new.cfg" <<CFG
version = 1;
serial = 2026011502;
site = { id = "cb-hoa-an"; name = "Xã Hòa An"; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
CFG
check "sign writes FILE.sig" 0 "new.cfg.sig written" -- "$LOAXA" sign "$t/new.cfg" --key "$t/office.key"
grep -qE '^ed25519:[A-Za-z0-9+/]{86}==$' "$t/new.cfg.sig" && [ "$(wc -l < "$t/new.cfg.sig")" -eq 1 ] &&
	ok "the .sig is one ed25519:BASE64 line" || nok "the .sig is one ed25519:BASE64 line"
check "verify with --pubkey FILE" 0 "good signature by $(cat "$t/office.pub")" -- \
	"$LOAXA" verify "$t/new.cfg" --pubkey "$t/office.pub"
check "verify with --pubkey as a literal" 0 "good signature" -- "$LOAXA" verify "$t/new.cfg" --pubkey "$(cat "$t/office.pub")"
check "an unknown key is refused" 1 "bad signature" -- "$LOAXA" verify "$t/new.cfg" --pubkey "$t/stranger.pub"

cat > "$t/board.cfg" <<CFG
version = 1;
serial = 1;
site = { id = "cb-hoa-an"; name = "Xã Hòa An"; };
sessions = ( { id = "morning"; days = "daily"; start = "06:00"; minutes = 15; } );
trust = { keys = [ "$(cat "$t/stranger.pub")", "$(cat "$t/office.pub")" ]; };
CFG
check "without --pubkey, the config's trust.keys" 0 "good signature" -- "$LOAXA" verify "$t/new.cfg" -c "$t/board.cfg"
sed -i "s|\"$(cat "$t/office.pub")\"|\"$(cat "$t/stranger.pub")\"|" "$t/board.cfg"
check "trust.keys without the signer's key refuses" 1 "bad signature" -- "$LOAXA" verify "$t/new.cfg" -c "$t/board.cfg"

sed -i 's/2026011502/2026011503/' "$t/new.cfg"
check "one changed byte is refused" 1 "bad signature" -- "$LOAXA" verify "$t/new.cfg" --pubkey "$t/office.pub"
rm "$t/new.cfg.sig"
check "no signature file cannot be checked (exit 2)" 2 "new.cfg.sig" -- "$LOAXA" verify "$t/new.cfg" --pubkey "$t/office.pub"
chmod 644 "$t/office.key"
check "a secret key others can read is refused" 1 "chmod 600" -- "$LOAXA" sign "$t/new.cfg" --key "$t/office.key"
