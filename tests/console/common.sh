# Sourced by the console tests (tests/cli/console-*.sh), after
# tests/fleet-common.sh (temp folder, cleanup hooks, ok/notok, PostgreSQL):
#   console_start DBURL [ARGS] loaxa-office serve on 127.0.0.1, an ephemeral port: $CONSOLE (http://127.0.0.1:PORT)
#   console_stop
#   seed_boards DBURL        three boards' status and records, as the collector stores them: xa-a and xa-b (district
#                            hoa-an), xa-c (district other, offline, its last error "=1+2", a formula in a
#                            spreadsheet); xa-b's last airing has a <script> title
#   user_add NAME ROLE PASSWORD [--commune ID]...
#   login JAR NAME PASSWORD [FROM]   a browser's login (the form's CSRF token and its cookie), FROM a loopback
#                            address to connect from; prints the HTTP status and the Location
#   csrf JAR                 the session's CSRF token, from the fleet page's logout form
#   get JAR PATH [CURL-ARGS] the status, the body in $tmp/body
OFFICE=$BUILD/loaxa-office
console_start() {	# console_start DBURL [SERVE-ARGS...]
	: > "$tmp/console.err"
	db=$1
	shift
	"$OFFICE" serve --db "$db" --listen 127.0.0.1:0 --silent-minutes 10 "$@" 2>> "$tmp/console.err" &
	console_pid=$!
	wait_for 20 grep -q ' 127\.0\.0\.1:[0-9][0-9]*$' "$tmp/console.err" || { echo "# serve did not start:"; sed 's/^/#   /' "$tmp/console.err"; return 1; }
	CONSOLE=http://127.0.0.1:$(sed -n 's/.* 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/console.err" | head -1)
}
console_stop() { [ -n "${console_pid:-}" ] && kill "$console_pid" 2> /dev/null && wait "$console_pid" 2> /dev/null; console_pid=; }
cleanup_hooks="console_stop $cleanup_hooks"

sql() {	# sql DBURL STATEMENT
	case $1 in
	sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;;
	*) psql -q -X -v ON_ERROR_STOP=1 -At "$1" -c "$2" ;;
	esac
}

seed_boards() {
	now=$(date +%s)
	"$OFFICE" fleet status --db "$1" > /dev/null 2>&1	# the store's tables
	st() { printf '{"state":"idle","serial":%s,"version":"1","disk_free_mb":%s,"clock":"synced","district":"%s","log_seq":%s,"last_error":"%s"}' \
	    "$1" "$2" "$3" "$4" "${5:-}"; }
	sql "$1" "INSERT INTO boards (site, province, seq, status_time, status) VALUES
	    ('xa-a', 'cao-bang', 2, $now, '$(st 2026120101 812 hoa-an 2)'),
	    ('xa-b', 'cao-bang', 2, $now, '$(st 2026120101 90 hoa-an 2)'),
	    ('xa-c', 'cao-bang', 1, $((now - 7200)), '$(st 2026110101 500 other 1 '=1+2')')"
	rec() {	# rec SITE SEQ TITLE
		printf '{"seq":%s,"ts":"2026-12-01T06:00:%02d+07:00","type":"airing","site":"%s","session":"sang","start":"2026-12-01T06:00:%02d+07:00","title":"%s","topic":"law","outcome":"complete"}' \
		    "$2" "$2" "$1" "$2" "$3"
	}
	sql "$1" "INSERT INTO records (site, seq, type, ts, line, received) VALUES
	    ('xa-a', 1, 'airing', '2026-12-01T06:00:01+07:00', '$(rec xa-a 1 'Luật mới')', $now),
	    ('xa-a', 2, 'airing', '2026-12-01T06:00:02+07:00', '$(rec xa-a 2 'Tin xã A')', $now),
	    ('xa-b', 1, 'airing', '2026-12-01T06:00:01+07:00', '$(rec xa-b 1 'Tin xã B')', $now),
	    ('xa-b', 2, 'airing', '2026-12-01T06:00:02+07:00', '$(rec xa-b 2 '<script>alert(1)</script> Hàng giả')', $now),
	    ('xa-c', 1, 'airing', '2026-12-01T06:00:01+07:00', '$(rec xa-c 1 'Tin xã C')', $now)"
}

user_add() {	# user_add NAME ROLE PASSWORD [ARGS]
	n=$1 r=$2 p=$3
	shift 3
	printf '%s\n' "$p" | "$OFFICE" user add --db "$DB" "$n" --role "$r" "$@"
}

login() {	# login JAR NAME PASSWORD [FROM]
	from=${4:-127.0.0.1}
	curl -s --interface "$from" -c "$1" -b "$1" "$CONSOLE/login" > "$tmp/loginform" 2> /dev/null
	pre=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/loginform")
	curl -s --interface "$from" -o /dev/null -w '%{http_code} %{redirect_url}' -c "$1" -b "$1" \
	    --data-urlencode "csrf=$pre" --data-urlencode "name=$2" --data-urlencode "password=$3" "$CONSOLE/login"
}

csrf() { curl -s -b "$1" "$CONSOLE/" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }

get() {	# get JAR PATH [CURL-ARGS]
	j=$1 p=$2
	shift 2
	curl -s -o "$tmp/body" -w '%{http_code}' -b "$j" "$@" "$CONSOLE$p"
}
