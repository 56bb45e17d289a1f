#!/bin/sh
# Streams in, at the decoding child (loaxa-decode stream), against a real
# Icecast fed by ffmpeg and the test's own web server, all on loopback:
# Icecast MP3 with ICY titles, Icecast AAC, live HLS, a plain MP3 over
# HTTP and one whose sample rate changes mid-way all come out as 48 kHz
# stereo PCM at the tone that went in; and every bad input ends with its
# reason, within its time, never a hang: 404, 500, an HTML page, a
# redirect to file://, an endless header, TLS spoken to a plain port, a
# playlist that names itself, a name that does not resolve, a refused
# connection, a huge ICY metadata block (its control characters not passed
# on), a scheme that is not http(s).
set -u
. "$TOP/tests/audio-common.sh"
t=$tmp
. "$TOP/tests/icecast.sh"
DEC=$BUILD/loaxa-decode
if [ ! -x "$DEC" ] || ! command -v icecast2 > /dev/null || ! command -v ffmpeg > /dev/null; then
	notok "relay: loaxa-decode, icecast2 and ffmpeg are here" "run make deps"
	exit 1
fi
start_icecast || exit 1
web=$t/web
mkdir -p "$web"
start_web "$web" || exit 1

# stream URL SECONDS NAME: runs the child for at most SECONDS; PCM in $t/NAME.raw, status in $t/NAME.err, exit in $rc
stream() {
	timeout "$2" "$DEC" stream --timeout-ms 2000 "$1" > "$t/$3.raw" 2> "$t/$3.err"
	rc=$?
}
# tone NAME: the strongest frequency of the PCM (s16le 48 kHz stereo), in Hz
tone() {
	python3 - "$t/$1.raw" <<'PY'
import array, sys
a = array.array("h", open(sys.argv[1], "rb").read())
x = a[0::2][-48000:]		# the last second, left channel
if len(x) < 4800:
    print(0); sys.exit()
# a pure tone: its frequency is half its zero crossings a second
z = sum(1 for i in range(1, len(x)) if (x[i - 1] < 0) != (x[i] < 0))
print(round(z * 48000 / len(x) / 2))
PY
}
seconds() { echo $(( $(stat -c %s "$t/$1.raw") / 192000 )); }

# --- good streams -------------------------------------------------------------
feed live.mp3 1000 mp3 && feed live.aac 700 aac
stream "http://127.0.0.1:$icport/live.mp3" 4 mp3
check "relay: Icecast MP3 connects and says so" "grep -q '^connected mp3 mp3' '$t/mp3.err'" "$t/mp3.err"
check "relay: Icecast MP3 comes out as 48 kHz stereo PCM, at its tone ($(tone mp3) Hz)" \
    "[ \$(seconds mp3) -ge 3 ] && within \$(tone mp3) 1000 40" "$t/mp3.err"
stream "http://127.0.0.1:$icport/live.aac" 4 aac
check "relay: Icecast AAC (ADTS) connects and plays its tone ($(tone aac) Hz)" \
    "grep -q '^connected aac aac' '$t/aac.err' && [ \$(seconds aac) -ge 3 ] && within \$(tone aac) 700 40" "$t/aac.err"
# an ICY title, changed by the station while it plays
( sleep 1.5; curl -s -o /dev/null "http://admin:loaxa@127.0.0.1:$icport/admin/metadata?mount=/live.mp3&mode=updinfo&song=Th%E1%BB%9Di%20s%E1%BB%B1%20tr%C6%B0a" ) &
stream "http://127.0.0.1:$icport/live.mp3" 4 title
check "relay: the stream's ICY title is passed on" "grep -q '^title Thời sự trưa' '$t/title.err'" "$t/title.err"

# live HLS: ffmpeg writes a sliding playlist of AAC segments into the web folder
mkdir -p "$web/hls"
timeout 120 ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=1300:sample_rate=44100" -c:a aac -b:a 64k \
    -f hls -hls_time 1 -hls_list_size 4 -hls_flags delete_segments "$web/hls/live.m3u8" > "$t/hls.out" 2>&1 &
hlspid=$!
stop_hls() { kill "$hlspid" 2> /dev/null; }
cleanup_hooks="$cleanup_hooks stop_hls"
waitfor() { _i=0; while [ $_i -lt $(($1 * 10)) ]; do eval "$2" && return 0; sleep 0.1; _i=$((_i + 1)); done; return 1; }
waitfor 10 "[ \$(ls '$web/hls' | grep -c '\\.ts\$') -ge 3 ]"
stream "http://127.0.0.1:$webport/hls/live.m3u8" 5 hls
check "relay: a live HLS playlist of AAC segments plays its tone ($(tone hls) Hz)" \
    "grep -q '^connected hls aac' '$t/hls.err' && [ \$(seconds hls) -ge 2 ] && within \$(tone hls) 1300 40" "$t/hls.err"

# a plain file over HTTP: it ends, and says so
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=900:sample_rate=22050:duration=3" -c:a libmp3lame "$web/file.mp3"
stream "http://127.0.0.1:$webport/file.mp3" 10 file
check "relay: an MP3 file over HTTP plays to its end and says ended (exit $rc)" \
    "[ $rc -eq 0 ] && tail -n 1 '$t/file.err' | grep -q '^ended' && within \$(seconds file) 3 1 && within \$(tone file) 900 40" "$t/file.err"
# the rate changes mid-way: 44.1 kHz then 22.05 kHz, one file
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=500:sample_rate=44100:duration=2" -c:a libmp3lame "$t/a.mp3"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=500:sample_rate=22050:duration=2" -c:a libmp3lame "$t/b.mp3"
cat "$t/a.mp3" "$t/b.mp3" > "$web/ratechange.mp3"
stream "http://127.0.0.1:$webport/ratechange.mp3" 10 rate
check "relay: a stream whose sample rate changes mid-way goes on at 48 kHz (exit $rc, $(seconds rate) s)" \
    "[ $rc -eq 0 ] && within \$(seconds rate) 4 1 && within \$(tone rate) 500 40" "$t/rate.err"

# --- bad streams: a reason each, in bounded time ------------------------------------
bad() {	# bad NAME URL REASON SECONDS
	start=$(date +%s)
	stream "$2" $(($4 + 5)) "$1"
	took=$(( $(date +%s) - start ))
	check "relay: $1 ends with reason $3 in ${took} s (at most $4)" \
	    "[ $rc -eq 1 ] && grep -q '^error $3 ' '$t/$1.err' && [ $took -le $4 ]" "$t/$1.err"
}
bad "404" "http://127.0.0.1:$icport/nothere.mp3" http-404 3
bad "500" "http://127.0.0.1:$webport/error-500" http-5xx 3
bad "an-html-page" "http://127.0.0.1:$webport/page.html" not-audio 4
bad "a-redirect-to-file" "http://127.0.0.1:$webport/to-file" connect 3
bad "an-endless-header" "http://127.0.0.1:$webport/endless-header" timeout 4
bad "tls-to-a-plain-port" "https://127.0.0.1:$webport/file.mp3" connect 4
bad "a-playlist-naming-itself" "http://127.0.0.1:$webport/to-self.m3u8" "\\(not-audio\\|timeout\\)" 5
bad "a-name-that-does-not-resolve" "http://loaxa-relay-test.invalid/x.mp3" connect 4
bad "a-refused-connection" "http://127.0.0.1:$(free_port)/x.mp3" connect 3
bad "ftp" "ftp://127.0.0.1/x.mp3" scheme 1

# a huge ICY metadata block, with terminal escapes in the title
cp "$web/file.mp3" "$web/icy.mp3"
stream "http://127.0.0.1:$webport/icy-huge" 10 icy
check "relay: the largest ICY metadata block is read, its title cut and cleaned of control characters" \
    "grep -q '^connected mp3' '$t/icy.err' && grep -q '^title Tin t' '$t/icy.err' && ! grep -q \"\$(printf '\\033')\" '$t/icy.err' && [ \$(grep '^title' '$t/icy.err' | head -1 | wc -c) -le 264 ] && [ \$(seconds icy) -ge 2 ]" "$t/icy.err"
