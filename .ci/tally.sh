# .ci/tally.sh: how CI counts a pass, sourced by .ci/run (and by
# tests/cli/ci-tally.sh, which shows it failing broken passes).
#   ci_pass NAME COMMAND   runs COMMAND (sh -c), its output to the terminal,
#                          and adds its summary to $pass and $fail
# A pass's last "N passed, N failed[, N skipped]" line is its summary. One
# more failure is counted when the pass exits non-zero though its summary
# shows none, when it prints no summary, when it ran no test, and for each
# skip ("ok - NAME # SKIP why") that .ci/skips does not allow for that pass:
# a skip there is something this machine cannot do, anything else is a
# test that quietly stopped running.
# The exit status is kept without pipefail (sh has none): the command's
# status is written to a file inside the pipe.
pass=${pass:-0} fail=${fail:-0}
ci_skips=${CI_SKIPS:-.ci/skips}	# relative to the checkout, where .ci/run runs

ci_pass() {
	_log=$(mktemp)
	{ sh -c "$2" 2>&1; echo "$?" > "$_log.st"; } | tee "$_log"
	_st=$(cat "$_log.st" 2> /dev/null || echo 1)
	_s=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$_log" | tail -n 1)
	if [ -z "$_s" ]; then
		echo "# $1: no summary line (exit $_st): counted as one failure"
		fail=$((fail + 1))
		rm -f "$_log" "$_log.st"
		return
	fi
	echo "# $1: $_s (exit $_st)"
	_p=${_s%% passed*}
	_f=${_s#*passed, }
	_f=${_f%% failed*}
	pass=$((pass + _p))
	fail=$((fail + _f))
	if [ "$_p" -eq 0 ] && [ "$_f" -eq 0 ]; then
		echo "# $1: ran no tests: counted as one failure"
		fail=$((fail + 1))
	elif [ "$_st" -ne 0 ] && [ "$_f" -eq 0 ]; then
		echo "# $1: exited $_st with no failure counted: counted as one failure"
		fail=$((fail + 1))
	fi
	# every skip must be one this pass is allowed: "PASS|TEXT" lines of .ci/skips
	grep -E '^ok - .*# SKIP' "$_log" | while IFS= read -r _l; do
		_ok=0
		while IFS='|' read -r _n _txt; do
			case $_n in ''|'#'*) continue ;; esac
			[ "$_n" = "$1" ] || continue
			case $_l in *"$_txt"*) _ok=1; break ;; esac
		done < "$ci_skips"
		[ $_ok -eq 1 ] || echo "$_l"
	done > "$_log.bad"
	if [ -s "$_log.bad" ]; then
		echo "# $1: skips this machine should be able to run (not in .ci/skips), one failure each:"
		sed 's/^/#   /' "$_log.bad"
		fail=$((fail + $(wc -l < "$_log.bad")))
	fi
	rm -f "$_log" "$_log.st" "$_log.bad"
}
