# Sourced by the fleet tests and benchmark: a real Mosquitto broker with TLS
# (a test CA made here by openssl; every board its own certificate, CN = its
# site id, used as the broker user name for the ACL) and a real PostgreSQL
# (initdb + pg_ctl as an unprivileged user), both on loopback ports, in a temp
# folder removed at exit. Provides:
#   fleet_ca                      the CA, the broker's and the office's certificates
#   fleet_cert NAME [CA]          $tmp/pki/NAME.crt/.key for a board (or another CA's)
#   broker_start / broker_stop / broker_kill   ($BROKER_PORT)
#   pg_start                      $PGURL (postgresql://...)
#   board_cfg SITE SERIAL [EXTRA] $tmp/boards/SITE/loaxa.cfg
#   live_board_cfg SERIAL [EXTRA] $tmp/boards/xa-live/loaxa.cfg: no sessions, on the fleet (remote live)
#   board_start SITE / board_stop SITE
#   office_cfg                    $tmp/office.cfg (fleet group for publish/collect)
#   ok NAME / notok NAME [DIAG]
set -u
top=$TOP
tmp=$(mktemp -d /tmp/loaxa-fleet.XXXXXX)
chmod 755 "$tmp"
PROV=cao-bang
cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do $h; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -30 | sed 's/^/#   /'; return 0; }

free_port() {	# a loopback port nobody listens on
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# --- PKI ----------------------------------------------------------------------
fleet_ca() {
	mkdir -p "$tmp/pki"
	(
		cd "$tmp/pki" || exit 1
		for ca in ca otherca; do
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=loaxa test $ca" \
			    -keyout $ca.key -out $ca.crt 2> /dev/null
		done
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout broker.key \
		    -out broker.csr 2> /dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
		openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile san.ext \
		    -out broker.crt 2> /dev/null
	)
	fleet_cert office
}

fleet_cert() {	# fleet_cert NAME [CA]
	(
		cd "$tmp/pki" || exit 1
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" \
		    2> /dev/null
		openssl x509 -req -in "$1.csr" -CA "${2:-ca}.crt" -CAkey "${2:-ca}.key" -CAcreateserial -days 30 \
		    -out "$1.crt" 2> /dev/null
		rm -f "$1.csr"
		chmod 600 "$1.key"
	)
}

# --- the broker ----------------------------------------------------------------
BROKER_PORT=$(free_port)
broker_conf() {
	mkdir -p "$tmp/broker"
	cat > "$tmp/broker/acl" <<ACL
# the office reads and writes everything
user office
topic readwrite loaxa/#
# a board (its certificate's CN is its site id) reads its province's and its own topics, writes only its own
pattern read loaxa/$PROV/config
pattern read loaxa/$PROV/bulletins
pattern read loaxa/$PROV/site/%u/config
pattern read loaxa/$PROV/site/%u/bulletins
pattern read loaxa/$PROV/site/%u/ack
pattern read loaxa/$PROV/site/%u/resend
pattern read loaxa/$PROV/live
pattern read loaxa/$PROV/site/%u/live
pattern write loaxa/$PROV/site/%u/records
pattern write loaxa/$PROV/site/%u/status
pattern write loaxa/$PROV/site/%u/live-ack
ACL
	cat > "$tmp/broker/mosquitto.conf" <<CONF
per_listener_settings false
user $(id -un)
allow_anonymous false
acl_file $tmp/broker/acl
persistence true
persistence_location $tmp/broker/
autosave_interval 60
max_queued_messages 0
max_inflight_messages 0
max_connections -1
log_dest file $tmp/broker/log
log_type error
log_type warning
log_type notice
listener $BROKER_PORT 127.0.0.1
cafile $tmp/pki/ca.crt
certfile $tmp/pki/broker.crt
keyfile $tmp/pki/broker.key
require_certificate true
use_identity_as_username true
CONF
}
broker_start() {
	[ -f "$tmp/broker/mosquitto.conf" ] || broker_conf
	mosquitto -c "$tmp/broker/mosquitto.conf" > /dev/null 2>&1 &
	broker_pid=$!
	for _ in $(seq 1 100); do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$BROKER_PORT),0.2)" 2> /dev/null && return 0
		sleep 0.05
	done
	echo "# mosquitto did not start:"; sed 's/^/#   /' "$tmp/broker/log" 2> /dev/null | tail -5
	return 1
}
broker_stop() { [ -n "${broker_pid:-}" ] && kill "$broker_pid" 2> /dev/null && wait "$broker_pid" 2> /dev/null; broker_pid=; }
broker_kill() { [ -n "${broker_pid:-}" ] && kill -9 "$broker_pid" 2> /dev/null && wait "$broker_pid" 2> /dev/null; broker_pid=; }
cleanup_hooks="$cleanup_hooks broker_stop"

# --- PostgreSQL ---------------------------------------------------------------
PGBIN=/usr/lib/postgresql/15/bin
pg_run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() {
	PGPORT=$(free_port)
	mkdir -p "$tmp/pg"
	[ "$(id -u)" -eq 0 ] && chown postgres "$tmp/pg"
	pg_run "$PGBIN/initdb" -D "$tmp/pg/data" -A trust -U loaxa --no-sync > "$tmp/pg/initdb.log" 2>&1 || {
		echo "# initdb failed:"; tail -5 "$tmp/pg/initdb.log" | sed 's/^/#   /'; return 1; }
	pg_run "$PGBIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w -o "-p $PGPORT -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=on" start > /dev/null 2>&1 || {
		echo "# pg_ctl start failed:"; tail -5 "$tmp/pg/log" | sed 's/^/#   /'; return 1; }
	PGURL="postgresql://loaxa@127.0.0.1:$PGPORT/postgres"
	cleanup_hooks="$cleanup_hooks pg_stop"
}
pg_stop() { pg_run "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m immediate stop > /dev/null 2>&1; }

# --- the office and the boards --------------------------------------------------
office_cfg() {
	"$LOAXA" keygen --out "$tmp/office" > "$tmp/office.keygen" 2>&1
	OFFICE_PUB=$(cat "$tmp/office.pub")
	cat > "$tmp/office.cfg" <<CFG
version = 1; serial = 1;
site = { id = "office"; name = "Sở Văn hóa"; };
paths = { library = "$tmp/office-lib"; airlog = "$tmp/office-log"; inbox = "$tmp/office-inbox"; state = "$tmp/office-state"; run = "$tmp/office-run"; };
fleet = { broker = "mqtts://localhost:$BROKER_PORT"; province = "$PROV";
          ca = "$tmp/pki/ca.crt"; cert = "$tmp/pki/office.crt"; key = "$tmp/pki/office.key"; };
CFG
}

# board_cfg SITE SERIAL [EXTRA-TOP-LEVEL-TEXT]: sessions every few minutes so boards have airings to send
board_cfg() {
	b=$tmp/boards/$1
	mkdir -p "$b"
	cat > "$b/loaxa.cfg" <<CFG
version = 1; serial = $2;
site = { id = "$1"; name = "Xã $1"; province = "Cao Bằng"; };
paths = { library = "$b/library"; airlog = "$b/airlog"; inbox = "$b/inbox"; state = "$b/state"; run = "$b/run"; };
audio = { gap_ms = 500; };
time = { require_sync = false; grace_minutes = 1; };
sessions = ( { id = "sang"; days = "daily"; start = "06:00"; minutes = 15; },
             { id = "chieu"; days = "daily"; start = "17:30"; minutes = 15; } );
trust = { keys = [ "$OFFICE_PUB" ]; };
fleet = { broker = "mqtts://localhost:$BROKER_PORT"; province = "$PROV";
          ca = "$tmp/pki/ca.crt"; cert = "$tmp/pki/$1.crt"; key = "$tmp/pki/$1.key"; status_seconds = ${STATUS_S:-5}; };
${3:-}
CFG
}

# live_board_cfg SERIAL [EXTRA-TOP-LEVEL-TEXT]: $tmp/boards/xa-live/loaxa.cfg, a board with no
# sessions that trusts the office's key and is on the fleet (remote live: fleet-live, console-air,
# the live benchmark); its folder in $b
live_board_cfg() {
	b=$tmp/boards/xa-live
	mkdir -p "$b"
	cat > "$b/loaxa.cfg.new" <<CFG
version = 1; serial = $1;
site = { id = "xa-live"; name = "Xã Live"; province = "Cao Bằng"; };
paths = { library = "$b/library"; airlog = "$b/airlog"; inbox = "$b/inbox"; state = "$b/state"; run = "$b/run"; };
audio = { gap_ms = 300; loudness_lufs = -16.0; };
time = { require_sync = false; };
${2:-}
sessions = ( );
trust = { keys = [ "$OFFICE_PUB" ]; };
fleet = { broker = "mqtts://localhost:$BROKER_PORT"; province = "$PROV";
          ca = "$tmp/pki/ca.crt"; cert = "$tmp/pki/xa-live.crt"; key = "$tmp/pki/xa-live.key"; status_seconds = 5; };
CFG
	mv "$b/loaxa.cfg.new" "$b/loaxa.cfg"
}

board_start() {	# board_start SITE: loaxad in the background, its pid in $tmp/boards/SITE/pid
	b=$tmp/boards/$1
	LOAXA_DEVICE=null "$LOAXAD" -c "$b/loaxa.cfg" >> "$b/out" 2>> "$b/err" &
	echo $! > "$b/pid"
}
board_stop() { [ -f "$tmp/boards/$1/pid" ] && kill "$(cat "$tmp/boards/$1/pid")" 2> /dev/null; }
boards_kill_all() { for p in "$tmp"/boards/*/pid; do [ -f "$p" ] && kill -9 "$(cat "$p")" 2> /dev/null; done; return 0; }
cleanup_hooks="boards_kill_all $cleanup_hooks"

status_field() {	# status_field SITE PYTHON-EXPR-ON-s
	python3 - "$tmp/boards/$1/run/status.json" "$2" <<'PY' 2> /dev/null
import json, sys
try:
    s = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception:
    print("")
PY
}

wait_for() {	# wait_for SECONDS COMMAND...: until the command succeeds
	n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
