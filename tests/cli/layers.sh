#!/bin/sh
# The include check (tests/layers.sh): this tree passes it, and a copy with
# one upward include added (audio including the board) fails it, naming the
# file and line; so do a sideways include (intake <-> report) and an include
# from a folder that is no room.
set -u
: "${TOP:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok - layers: $1"; }
nok() { echo "not ok - layers: $1"; sed 's/^/#   /' "$t/out" | head -20; }

if "$TOP/tests/layers.sh" "$TOP" > "$t/out" 2>&1; then ok "every #include of this tree points down"; else nok "every #include of this tree points down"; fi

copy() {	# a copy of the rooms' sources
	rm -rf "$t/tree"
	mkdir -p "$t/tree"
	(cd "$TOP" && find base audio config scheduler intake report firmware office -name '*.[ch]' \
	    -exec cp --parents {} "$t/tree" \;)
}
upward() {	# upward NAME FILE INCLUDE EXPECTED-TEXT
	copy
	n=$(($(wc -l < "$t/tree/$2") + 1))
	echo "#include \"$3\"" >> "$t/tree/$2"
	if "$TOP/tests/layers.sh" "$t/tree" > "$t/out" 2>&1; then
		nok "$1: not refused"
	elif grep -qF "$2:$n: $4" "$t/out"; then
		ok "$1: refused at $2:$n"
	else
		nok "$1: refused without naming $2:$n"
	fi
}
upward "audio including the board" audio/play.c firmware/board.h "audio includes firmware"
upward "config including the scheduler" config/cfg.c scheduler/sched.h "config includes scheduler"
upward "the base including gettext's room from above" base/durable.c config/cfg.h "base includes config"
upward "the board including the office" firmware/engine.c office/store.h "firmware includes office"
upward "intake and report side by side" report/report.c intake/ingest.h "report includes intake"
upward "a folder that is no room" scheduler/plan.c tests/unit/tap.h "includes from \"tests/\""
