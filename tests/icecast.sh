# Sourced by the relay tests: a real Icecast on loopback, fed by ffmpeg, and
# the test's own web server (tests/relay-server.py). Needs $t (a scratch
# folder) and cleanup_hooks (stopped with the test).
#   start_icecast          icecast2 on a free loopback port: $icport
#   feed MOUNT FREQ FMT    ffmpeg sends a FREQ Hz tone (FMT mp3 or aac) to
#                          /MOUNT, in real time, for at most 10 minutes;
#                          its pid in $srcpid
#   start_web DIR          tests/relay-server.py on DIR: $webport
#   relay_needs NAME       loaxa-decode and icecast2 are here (else "not ok" for NAME)

relay_needs() {	# relay_needs NAME: the decoding child and icecast2 are here, or a "not ok" for NAME
	[ -x "$BUILD/loaxa-decode" ] && command -v icecast2 > /dev/null && return 0
	notok "$1: loaxa-decode and icecast2 are here" "run make deps"
	return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_icecast() {
	icport=$(free_port)
	mkdir -p "$t/ic/log" "$t/ic/web"
	owner=""
	# icecast will not run as root; as root it changes to nobody, who must reach its folders
	[ "$(id -u)" -eq 0 ] && owner="<changeowner><user>nobody</user><group>nogroup</group></changeowner>" && chmod -R a+rwX "$t/ic" && chmod a+x "$t"
	cat > "$t/ic/icecast.xml" <<XML
<icecast>
  <limits><clients>20</clients><sources>8</sources><burst-size>8192</burst-size><source-timeout>3</source-timeout>
    <header-timeout>5</header-timeout></limits>
  <authentication><source-password>loaxa</source-password><admin-user>admin</admin-user><admin-password>loaxa</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$icport</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>$t/ic</basedir><logdir>$t/ic/log</logdir><webroot>$t/ic/web</webroot><adminroot>$t/ic/web</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>$owner</security>
</icecast>
XML
	icecast2 -c "$t/ic/icecast.xml" > "$t/ic/out" 2>&1 &
	icpid=$!
	cleanup_hooks="$cleanup_hooks stop_icecast"
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$icport/" && return 0
		sleep 0.1
	done
	echo "not ok - icecast2 starts on 127.0.0.1:$icport"
	sed 's/^/#   /' "$t/ic/out"
	return 1
}
stop_icecast() { kill "$icpid" 2> /dev/null; wait "$icpid" 2> /dev/null; }

srcpids=""
feed() {	# feed MOUNT FREQ FMT
	case $3 in
	mp3) codec="-c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3" ;;
	aac) codec="-c:a aac -b:a 64k -content_type audio/aac -f adts" ;;
	esac
	# shellcheck disable=SC2086
	timeout 600 ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=$2:sample_rate=44100" $codec \
	    "icecast://source:loaxa@127.0.0.1:$icport/$1" > "$t/ic/src-$1.out" 2>&1 &
	srcpid=$!
	srcpids="$srcpids $srcpid"
	# the mount exists once Icecast lists it
	for _ in $(seq 50); do
		curl -s "http://admin:loaxa@127.0.0.1:$icport/admin/listmounts" | grep -q "/$1" && return 0
		sleep 0.1
	done
	echo "# source /$1 did not appear"; sed 's/^/#   /' "$t/ic/src-$1.out"
	return 1
}
stop_sources() { for p in $srcpids; do kill "$p" 2> /dev/null; done; }
cleanup_hooks="${cleanup_hooks:-} stop_sources"

start_web() {	# start_web DIR
	python3 "$TOP/tests/relay-server.py" "$1" "$t/webport" &
	webpid=$!
	cleanup_hooks="$cleanup_hooks stop_web"
	for _ in $(seq 50); do
		[ -s "$t/webport" ] && webport=$(cat "$t/webport") && return 0
		sleep 0.1
	done
	echo "not ok - the test's web server starts"
	return 1
}
stop_web() { kill "$webpid" 2> /dev/null; }
