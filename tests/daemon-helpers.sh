# Sourced by the daemon scenario tests (tests/cli/daemon*.sh, ingest-daemon.sh):
# waiting for a condition, and counting airing-log records.

# waitfor SECONDS CONDITION: true once the shell CONDITION holds, false after SECONDS
waitfor() {
	_i=0
	while [ $_i -lt $(($1 * 10)) ]; do
		eval "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# log_count AIRLOG-DIR PYTHON-CONDITION: how many records r of the log match
# (a torn line is skipped)
log_count() {
	python3 - "$1" "$2" <<'PY'
import glob, json, sys
n = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if eval(sys.argv[2], {}, {"r": r}):
            n += 1
print(n)
PY
}
