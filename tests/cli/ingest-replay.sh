#!/bin/sh
# Replayed, expired and foreign manifests (issue 18, point 2; after TUF): a
# signed manifest carries sequence, expires and sites or province; the board
# keeps the highest sequence per signer (state/manifest-seq.json) and refuses
# an older one, so an emergency cancelled by S2 is not re-armed by S1 from a
# copied stick; an expired manifest, one for other sites or another
# province, and a signed one without these keys are refused, each with a
# receipt line that says so.
set -u
. "$TOP/tests/cli/ingest-common.sh"

check() {	# check NAME CONDITION [FILE]
	if eval "$2"; then ok "ingest replay: $1"; else notok "ingest replay: $1" "failed: $2"; sed 's/^/#   /' "${3:-$t/out}" | head -30; fi
}
a=$fx/cbr64-22k-mono.mp3
em() {	# em VALID_TO: the emergency entry (from the 10th)
	echo "file = \"lu.mp3\"; sha256 = \"$(sha "$a")\"; id = \"bao-lu\"; title = \"Cảnh báo lũ\"; topic = \"local\"; level = \"emergency\"; repeat_minutes = 30; valid_from = \"2026-01-10\"; valid_to = \"$1\"; source = \"province\";"
}
signed() {	# signed VALID_TO: a stick with a signed manifest (MSEQ, MBIND as set)
	stick
	cp "$a" "$lx/lu.mp3"
	manifest "$(em "$1")"
	"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
}
valid_to() { sed -n 's/.*valid_to = "\([0-9-]*\)".*/\1/p' "$b/lib/bulletins/bao-lu.cfg" 2>/dev/null; }

board
MSEQ=1 signed 2026-01-20
cp -a "$t/stick" "$t/s1"
ingest
check "S1 (sequence 1, emergency to the 20th) loads (exit $rc)" "[ $rc -eq 0 ] && [ \"\$(valid_to)\" = 2026-01-20 ]"
MSEQ=2 signed 2026-01-14
cp -a "$t/stick" "$t/s2"
ingest
check "S2 (sequence 2) cancels it: valid to yesterday (exit $rc)" "[ $rc -eq 0 ] && [ \"\$(valid_to)\" = 2026-01-14 ]"
check "the sequence taken is kept beside the keys" "grep -q '\"sequence\": 2' '$b/state/manifest-seq.json'" "$b/state/manifest-seq.json"
rm -rf "$t/stick"; cp -a "$t/s1" "$t/stick"; lx=$t/stick/LOAXA
ingest
check "S1 again from a copied stick is refused: the emergency stays cancelled (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'has sequence 1, but this board already took sequence 2 from the same signer' '$t/out' && [ \"\$(valid_to)\" = 2026-01-14 ] && grep -q 'sequence 1, but this board' '$lx/receipt-cb-hoa-an-2026-01-15.txt'"
rm -rf "$t/stick"; cp -a "$t/s2" "$t/stick"; lx=$t/stick/LOAXA
ingest
check "S2 again (the same manifest) is taken: nothing new (exit $rc)" "[ $rc -eq 0 ] && grep -q 'Result: 0 loaded, 0 updated, 1 already on the board, 0 refused' '$t/out'"
MSEQ=2 signed 2026-01-30
ingest
check "another manifest under a sequence already taken is refused (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'which this board already took from the same signer for a different manifest' '$t/out' && [ \"\$(valid_to)\" = 2026-01-14 ]"
MSEQ=3 MBIND='expires = "2026-01-10"; sites = [ "cb-hoa-an" ];' signed 2026-01-30
ingest
check "an expired manifest is refused (exit $rc)" "[ $rc -eq 2 ] && grep -q 'manifest.cfg expired on 2026-01-10' '$t/out'"
MSEQ=4 MBIND='expires = "2026-12-31"; sites = [ "cb-khac", "cb-nua" ];' signed 2026-01-30
ingest
check "a manifest for other sites is refused (exit $rc)" "[ $rc -eq 2 ] && grep -q 'manifest.cfg is for other sites (cb-khac, …), not this board (cb-hoa-an)' '$t/out'"
MSEQ=5 MBIND='expires = "2026-12-31"; province = "Hà Giang";' signed 2026-01-30
ingest
check "a manifest for another province is refused (exit $rc)" "[ $rc -eq 2 ] && grep -q 'manifest.cfg is for the province \"Hà Giang\", and this board is in \"Cao Bằng\"' '$t/out'"
MSEQ=6 MBIND='expires = "2026-12-31"; province = "Cao Bằng";' signed 2026-01-30
ingest
check "a manifest for the board's province loads, with a higher sequence (exit $rc)" "[ $rc -eq 0 ] && [ \"\$(valid_to)\" = 2026-01-30 ]"
cp -a "$t/stick" "$t/p6"
MSEQ=8 signed 2026-01-14
ingest
check "a site manifest cancels it again (exit $rc)" "[ $rc -eq 0 ] && [ \"\$(valid_to)\" = 2026-01-14 ]"
rm -rf "$t/stick"; cp -a "$t/p6" "$t/stick"; lx=$t/stick/LOAXA
ingest
check "the province manifest taken before, played again, changes nothing back (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'this manifest was taken before, and the bulletin has changed since' '$t/out' && [ \"\$(valid_to)\" = 2026-01-14 ]"
stick
cp "$a" "$lx/lu.mp3"
{ echo "bulletins = ("; echo "{ $(em 2026-02-28) }"; echo ");"; } > "$lx/manifest.cfg"
"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
ingest
check "a signed manifest without sequence, expiry and sites is refused (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'manifest.cfg is signed but does not say its sequence, expiry and the sites or province' '$t/out' && [ \"\$(valid_to)\" = 2026-01-14 ]"
# each binding key on its own (mutants that dropped one check survived the case above)
stick
cp "$a" "$lx/lu.mp3"
{ echo 'expires = "2026-12-31"; sites = [ "cb-hoa-an" ];'; echo "bulletins = ("; echo "{ $(em 2026-02-28) }"; echo ");"; } > "$lx/manifest.cfg"
"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
ingest
check "a signed manifest with expiry and sites but no sequence is refused (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'is signed but does not say its sequence' '$t/out' && [ \"\$(valid_to)\" = 2026-01-14 ]"
MSEQ=20 MBIND='expires = "2026-01-14"; sites = [ "cb-hoa-an" ];' signed 2026-01-30
ingest
check "a manifest that expired yesterday is refused (exit $rc)" "[ $rc -eq 2 ] && grep -q 'manifest.cfg expired on 2026-01-14' '$t/out'"
MSEQ=9 MBIND='expires = "2026-13-01"; sites = "cb-hoa-an";' signed 2026-01-30
ingest
check "malformed binding keys are named with their lines (exit $rc)" \
    "[ $rc -eq 2 ] && grep -q 'LOAXA/manifest.cfg:2: .*YYYY-MM-DD' '$t/out' && grep -q 'must be a list of site ids' '$t/out'"

# the office side: loaxa publish sends no manifest a board would refuse (checked before connecting)
publish() {	# publish MANIFEST: output in $t/out, status in $rc
	"$LOAXA" publish -c "$cfg" --broker mqtts://127.0.0.1:1 --ca /dev/null --sign-key "$t/office.key" \
	    bulletins "$1" --base-url http://127.0.0.1:1/ --sites cb-hoa-an > "$t/out" 2>&1
	rc=$?
}
{ echo "bulletins = ("; echo "{ $(em 2026-02-28) }"; echo ");"; } > "$t/unbound.cfg"
publish "$t/unbound.cfg"
check "publish refuses a manifest without sequence, expiry and sites (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'does not say its sequence, expiry and the sites or province' '$t/out' && grep -q 'nothing published' '$t/out'"
{ echo 'sequence = 9; expires = "2026-01-01"; sites = [ "cb-hoa-an" ];'; echo "bulletins = ("; echo "{ $(em 2026-02-28) }"; echo ");"; } > "$t/old.cfg"
publish "$t/old.cfg"
check "publish refuses an expired manifest (exit $rc)" "[ $rc -eq 1 ] && grep -q 'has expired' '$t/out'"
{ echo 'sequence = 10; expires = "2026-12-31"; sites = [ "cb-hoa-an" ];'; echo "bulletins = ("; echo "{ $(em 2026-02-28 | sed 's/sha256 = "[0-9a-f]*"; //') }"; echo ");"; } > "$t/nohash.cfg"
publish "$t/nohash.cfg"
check "publish refuses an entry that does not pin its audio by sha256 (exit $rc)" \
    "[ $rc -eq 1 ] && grep -q 'missing sha256' '$t/out' && grep -q 'nothing published' '$t/out'"
