#!/bin/sh
# Hostile sticks: each is refused with its own message (in the receipt, on
# stdout and on the stick), the library gains no bulletin from it and its tmp/
# is empty afterwards, nothing is written outside the library, the airing log
# and the receipt (a listing before and after), and nothing outside the stick
# is read into the board. Messages are checked in English (LANGUAGE is
# ignored: the receipt is Vietnamese), so each row names its Vietnamese text.
set -u
. "$TOP/tests/cli/ingest-common.sh"

mkdir -p "$t/outside"
cp "$fx/cbr64-22k-mono.mp3" "$t/outside/secret.mp3"
good=$fx/cbr24-8k-mono.mp3

# hostile NAME EXPECTED-EXIT TEXT SETUP...: runs SETUP on a fresh board and stick, ingests, checks
hostile() {
	name=$1 want=$2 text=$3
	shift 3
	board "" "${xtrust:-}"
	stick
	"$@"
	listing > "$t/listing.before"
	ingest
	listing > "$t/listing.after"
	why=""
	[ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
	grep -qF -- "$text" "$t/out" || why="$why; no \"$text\" in the receipt"
	if [ -z "${noreceipt:-}" ]; then
		grep -qF -- "$text" "$lx"/receipt-cb-hoa-an-2026-01-15.txt 2>/dev/null || why="$why; not in the receipt on the stick"
	fi
	if ! diff "$t/listing.before" "$t/listing.after" > "$t/listing.diff"; then
		why="$why; something outside the library changed: $(tr '\n' ' ' < "$t/listing.diff" | head -c 300)"
	fi
	[ -z "$(ls -A "$b/lib/tmp" 2>/dev/null)" ] || why="$why; lib/tmp is not empty"
	n=$(ls "$b/lib/bulletins" 2>/dev/null | wc -l)
	[ "$n" -eq "${keep:-0}" ] || why="$why; the library holds $n bulletins, expected ${keep:-0}"
	if grep -rqs "$(sha "$t/outside/secret.mp3")" "$b/lib/bulletins"; then why="$why; a file from outside the stick got in"; fi
	grep -qE "Sanitizer|runtime error" "$t/out" && why="$why; the sanitizers reported a fault"
	if [ -z "$why" ]; then
		ok "ingest hostile: $name: $(grep -F -- "$text" "$t/out" | head -1 | sed 's/^ *//' | head -c 160)"
	else
		notok "ingest hostile: $name" "$why"
		sed 's/^/#   /' "$t/out" | head -30
	fi
	keep=0 xtrust="" noreceipt=""
}

entry() {	# entry FILE [SHA]: a manifest entry for FILE
	s=""
	[ -n "${2:-}" ] && s="sha256 = \"$2\";"
	echo "file = \"$1\"; $s id = \"luat-2026-01\"; title = \"Quy định mới\"; topic = \"law\"; valid_from = \"2026-01-01\"; valid_to = \"2026-06-30\";"
}

s_dotdot() { manifest "$(entry ../../outside/secret.mp3)"; }
hostile "../ in a manifest name" 2 'leaves the folder ("..")' s_dotdot

s_abs() { manifest "$(entry "$t/outside/secret.mp3")"; }
hostile "absolute name in a manifest" 2 "is an absolute name" s_abs

s_link_file_in() { cp "$good" "$lx/real.mp3"; ln -s real.mp3 "$lx/alias.mp3"; }
keep=1
hostile "symlink to a file inside the stick" 1 'alias.mp3: is a link (to "real.mp3")' s_link_file_in

s_link_file_out() { ln -s "$t/outside/secret.mp3" "$lx/bai.mp3"; }
hostile "symlink to a file outside" 2 "bai.mp3: is a link (to \"$t/outside/secret.mp3\")" s_link_file_out

s_link_dir_in() { mkdir "$lx/that"; ln -s that "$lx/law"; }
hostile "symlink to a folder inside" 2 'law: is a link (to "that")' s_link_dir_in

s_link_dir_out() { ln -s "$t/outside" "$lx/law"; }
hostile "symlink to a folder outside" 2 "law: is a link (to \"$t/outside\")" s_link_dir_out

s_link_loaxa() { rmdir "$lx"; ln -s "$t/outside" "$lx"; }
noreceipt=1	# nor is the receipt written through it
hostile "LOAXA itself a symlink" 2 "LOAXA cannot be opened" s_link_loaxa

s_fifo() { mkfifo "$lx/tin.mp3"; }
hostile "a FIFO (never blocks)" 2 "tin.mp3: is a pipe (FIFO)" s_fifo

s_dev() { mknod "$lx/zero.mp3" c 1 5; }
hostile "a device node" 2 "zero.mp3: is a device node" s_dev

s_sparse() { truncate -s 4G "$lx/big.mp3"; }
hostile "a 4 GiB sparse file" 2 "big.mp3: is too large (4096 MiB; at most 512 MiB a file)" s_sparse

s_many() { i=0; while [ $i -le 500 ]; do : > "$lx/f$i.mp3"; i=$((i + 1)); done; }
hostile "more files than the cap (501)" 2 "holds more than 500 files and folders" s_many

s_deep() { mkdir -p "$lx/a/b/c/d"; cp "$good" "$lx/a/b/c/d/x.mp3"; }
hostile "a deep tree" 2 "a/b/c/d: folder nested too deep (more than 3 levels" s_deep

s_text() { cp "$fx/text.mp3" "$lx/thong-bao.mp3"; }
hostile "an MP3 that is really text" 2 "thong-bao.mp3: not an MP3 or WAV file (text?)" s_text

s_trunc() { cp "$fx/truncated.mp3" "$lx/cut.mp3"; }
hostile "a truncated MP3" 2 "cut.mp3: the MP3 ends early" s_trunc

s_hash() { cp "$good" "$lx/luat.mp3"; manifest "$(entry luat.mp3 "$(sha "$fx/text.mp3")")"; }
hostile "a manifest with a wrong hash" 2 "luat.mp3: its content does not match the sha256 in manifest.cfg" s_hash

s_unknown() {
	cp "$good" "$lx/luat.mp3"
	manifest "$(entry luat.mp3 "$(sha "$good")")"
	echo "signer = \"$(cat "$t/stranger.pub")\";" >> "$lx/manifest.cfg"
	"$LOAXA" sign "$lx/manifest.cfg" --key "$t/stranger.key" > /dev/null
}
hostile "a manifest signed by an unknown key" 2 "manifest.cfg is signed by a key this board does not trust" s_unknown

s_flip() {
	cp "$good" "$lx/luat.mp3"
	manifest "$(entry luat.mp3 "$(sha "$good")")"
	"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
	sed -i 's/2026-06-30/2026-09-30/' "$lx/manifest.cfg"
}
hostile "a flipped byte in a signed manifest" 2 "manifest.cfg does not match its signature: it was changed after" s_flip

s_extra() {
	cp "$good" "$lx/luat.mp3"
	cp "$fx/cbr64-22k-mono.mp3" "$lx/them.mp3"
	manifest "$(entry luat.mp3 "$(sha "$good")")"
	"$LOAXA" sign "$lx/manifest.cfg" --key "$t/office.key" > /dev/null
}
keep=1
hostile "an unlisted extra file next to a signed manifest" 1 "them.mp3: is not listed in manifest.cfg" s_extra

s_province() { cp "$good" "$lx/luat.mp3"; manifest "$(entry luat.mp3 "$(sha "$good")") source = \"province\";"; }
s_nohash() { cp "$good" "$lx/luat.mp3"; manifest "$(entry luat.mp3)"; }
hostile "a manifest entry without its audio's hash" 2 "bulletins[0]: missing sha256" s_nohash
hostile "an unsigned manifest claiming the province" 2 "says it comes from the province, but manifest.cfg is not signed" s_province

# an unsigned stick may not carry an emergency (it would air at once, through quiet hours, for a year)
s_emergency() { cp "$good" "$lx/luat.mp3"; manifest "$(entry luat.mp3 "$(sha "$good")") level = \"emergency\"; repeat_minutes = 5;"; }
hostile "an unsigned emergency" 2 "luat.mp3: is an emergency, but manifest.cfg is not signed" s_emergency
xtrust="allow_unsigned_emergency = true;" keep=1 noreceipt=1
hostile "an unsigned emergency where the config allows it (exit 0)" 0 "EMERGENCY" s_emergency

s_loose_signed_only() { cp "$good" "$lx/luat.mp3"; }
xtrust="require_signed_bulletins = true;"
hostile "loose files when signed bulletins are required" 2 "this board takes only bulletins signed by the province" s_loose_signed_only

newcfg() {	# newcfg SERIAL [EXTRA]: LOAXA/loaxa.cfg, the board's config with another serial, signed by the office
	sed "s/serial = 2026011501;/serial = $1;/" "$cfg" > "$lx/loaxa.cfg"
	[ -n "${2:-}" ] && echo "$2" >> "$lx/loaxa.cfg"
	"$LOAXA" sign "$lx/loaxa.cfg" --key "$t/office.key" > /dev/null
}
s_old() { newcfg 2026010101; }
hostile "an old-serial config" 2 "has serial 2026010101, older than the one in force (2026011501)" s_old
s_same() { newcfg 2026011501 "# changed"; }
hostile "a same-serial config with other content" 2 "the same as the configuration in force, but different content" s_same
s_unsigned_cfg() { newcfg 2026011502; rm "$lx/loaxa.cfg.sig"; }
hostile "an unsigned config" 2 "is not signed (no LOAXA/loaxa.cfg.sig)" s_unsigned_cfg

# a full disk: the library on a 2 MiB file system (the airing log's reserve
# cannot be kept), and ENOSPC injected in the middle of the copy
s_full() { cp "$good" "$lx/luat.mp3"; mkdir -p "$b/lib"; mount -t tmpfs -o size=2m tmpfs "$b/lib" 2> /dev/null || skip=1; }
unmount_lib() { umount "$t/board/lib" 2> /dev/null; }
cleanup_hooks="unmount_lib"
skip=0
board; stick; s_full
if [ "$skip" -eq 0 ]; then
	unmount_lib
	hostile "a full disk (library on a 2 MiB file system)" 2 "luat.mp3: not loaded: not enough space on the board" s_full
	unmount_lib
else
	ok "ingest hostile: a full disk (small file system) # SKIP cannot mount a tmpfs here"
fi
s_enospc() { cp "$good" "$lx/luat.mp3"; export LOAXA_FAULT=write:1:enospc; }
hostile "ENOSPC while copying" 2 "luat.mp3: could not be stored on the board: the board's storage is full" s_enospc
unset LOAXA_FAULT
