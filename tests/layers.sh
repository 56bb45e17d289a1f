#!/bin/sh
# The include check (ARCHITECTURE.md): every #include "ROOM/..." in a room's
# C file points to its own room or a lower one. The rooms, bottom to top:
#   base < audio < config < scheduler < intake, report < firmware < office
# (intake and report stand side by side: neither includes the other;
# firmware/cli is part of firmware). tests/ may include anything.
# Usage: tests/layers.sh [TREE]   (default: this tree). Prints each upward
# include as FILE:LINE: ... and exits 1 when there is one, 0 when none.
set -u
tree=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$tree" || exit 2
rank() {
	case $1 in
	base) echo 0 ;; audio) echo 1 ;; config) echo 2 ;; scheduler) echo 3 ;;
	intake|report) echo 4 ;; firmware) echo 5 ;; office) echo 6 ;; *) echo "" ;;
	esac
}
bad=0
files=$(find base audio config scheduler intake report firmware office -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || { echo "layers: no C files under $tree" >&2; exit 2; }
for f in $files; do
	from=${f%%/*}
	rf=$(rank "$from")
	# FILE:LINE:ROOM of each project include
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed -n 's|^\([0-9]*\):.*"\([^"/]*\)/.*|\1 \2|p' |
	while read -r line to; do
		rt=$(rank "$to")
		if [ -z "$rt" ]; then
			echo "$f:$line: includes from \"$to/\", which is not a room (rooms: base audio config scheduler intake report firmware office)"
		elif [ "$to" != "$from" ] && [ "$rt" -ge "$rf" ]; then
			echo "$f:$line: $from includes $to, which is not below it (base < audio < config < scheduler < intake, report < firmware < office): move the function down, or pass what it needs in"
		fi
	done > /tmp/layers.$$
	if [ -s /tmp/layers.$$ ]; then cat /tmp/layers.$$; bad=1; fi
	rm -f /tmp/layers.$$
done
exit $bad
