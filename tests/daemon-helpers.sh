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

# live_field AIRLOG-DIR COMMAND-ID KEY: KEY of the live record of that command
live_field() {
	python3 - "$1" "$2" "$3" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "live" and r.get("command") == sys.argv[2]:
            print(r.get(sys.argv[3], ""))
PY
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

# next_minute LEAD: m1, the first whole minute at least LEAD seconds from now
next_minute() { m1=$(( ($(date +%s) + $1 + 59) / 60 * 60 )); }
# hm EPOCH: its time of day in Vietnam, as a session's start (HH:MM)
hm() { TZ=Asia/Ho_Chi_Minh date -d "@$1" +%H:%M; }
# cfg_head GAP_MS: the first lines of a test daemon's config: site xa-thu,
# the library $lib and the other folders under $t, no clock sync needed
cfg_head() {
	cat <<CFG
version = 1; serial = 1;
site = { id = "xa-thu"; name = "Xã Thử"; };
paths = { library = "$lib"; airlog = "$t/airlog"; inbox = "$t/inbox"; state = "$t/state"; run = "$t/run"; };
audio = { gap_ms = $1; loudness_lufs = -16.0; };
time = { require_sync = false; };
CFG
}
