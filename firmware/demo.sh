#!/bin/sh
# make demo: loaxa's main job on this machine, in about three minutes.
#   1. makes three Vietnamese bulletins (espeak-ng's Vietnamese voice, lame)
#      on a folder laid out like a commune's USB stick, and a chime
#   2. writes a commune config whose session starts within a minute or two,
#      followed by a one-minute relay of a radio programme this script
#      serves itself on 127.0.0.1 (an MP3 over HTTP, as a station's file
#      stream is)
#   3. loads the stick as commune staff would (loaxa ingest: receipt, spoken
#      confirmation)
#   4. runs the daemon, loaxad, which airs the session and then the relay on
#      time to the sound card, or, on a machine without one, into
#      build/demo/airing.wav, printing each airing as it happens
#   5. ends with the airing log verified and the report of the day
# Everything is under build/demo; nothing outside it is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac	# the config's paths are read relative to its folder
LOAXA=$BUILD/loaxa
LOAXAD=$BUILD/loaxad
D=$BUILD/demo
export LOAXA_LOCALEDIR=$BUILD/locale
say() { printf '\n== %s\n' "$*"; }

rm -rf "$D"
mkdir -p "$D/stick/LOAXA/law" "$D/stick/LOAXA/counterfeit" "$D/stick/LOAXA/local" "$D/etc"

say "1. Vietnamese bulletins on a USB stick folder ($D/stick)"
mk() {	# mk FOLDER NAME TEXT
	espeak-ng -v vi -s 150 -w "$D/tmp.wav" "$3"
	lame --quiet -b 64 -m m "$D/tmp.wav" "$D/stick/LOAXA/$1/$2.mp3"
	echo "   LOAXA/$1/$2.mp3"
}
mk law "Quy định mới về xử phạt buôn lậu" \
    "Kính thưa bà con. Từ tháng này, hành vi buôn lậu và vận chuyển hàng cấm sẽ bị xử phạt nặng hơn. Đề nghị bà con chấp hành nghiêm."
mk counterfeit "Cách nhận biết hàng giả" \
    "Bà con lưu ý: hàng giả thường có bao bì mờ, giá rẻ bất thường, không có tem nhãn tiếng Việt. Hãy mua hàng ở nơi có nguồn gốc rõ ràng."
mk local "Thông báo của Ủy ban nhân dân xã" \
    "Ủy ban nhân dân xã thông báo: khi phát hiện buôn lậu, gian lận thương mại, xin báo ngay cho công an xã."
rm -f "$D/tmp.wav"
# the radio programme the relay takes: a spoken news bulletin, six times over (longer than the relay)
mkdir -p "$D/radio"
espeak-ng -v vi -s 150 -w "$D/tmp.wav" "Đây là chương trình phát thanh thử nghiệm. Tin trong nước: các lực lượng chức năng tăng cường kiểm tra, kiểm soát thị trường dịp cuối năm, xử lý nghiêm các vụ buôn lậu và gian lận thương mại."
lame --quiet -b 64 -m m "$D/tmp.wav" "$D/tmp.mp3"
cat "$D/tmp.mp3" "$D/tmp.mp3" "$D/tmp.mp3" "$D/tmp.mp3" "$D/tmp.mp3" "$D/tmp.mp3" > "$D/radio/thoi-su.mp3"
rm -f "$D/tmp.wav" "$D/tmp.mp3"
sox -q -n -r 44100 -c 1 "$D/etc/chime.wav" synth 0.5 sine 784 fade q 0.01 0.5 0.2 : synth 0.7 sine 587 fade q 0.01 0.7 0.4 vol 0.5

if aplay -l 2> /dev/null | grep -q '^card'; then
	device=default
	where="the sound card"
else
	device="wav:$D/airing.wav"
	where="$D/airing.wav (no sound card here)"
fi
# a session on the next minute at least 40 s away, in the commune's time
now=$(date +%s)
start=$(( (now + 40 + 59) / 60 * 60 ))
hm=$(TZ=Asia/Ho_Chi_Minh date -d "@$start" +%H:%M)
hm2=$(TZ=Asia/Ho_Chi_Minh date -d "@$((start + 120))" +%H:%M)
# the station: a web server on loopback, for the demo's length
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 600 python3 -m http.server "$port" --bind 127.0.0.1 --directory "$D/radio" > /dev/null 2>&1 &
webpid=$!
cat > "$D/etc/loaxa.cfg" <<CFG
# made by make demo: a commune with one session today at $hm (Vietnam time)
version = 1;
serial  = 1;
site  = { id = "demo-hoa-an"; name = "Xã Hòa An (thử nghiệm)"; province = "Cao Bằng"; };
paths = { library = "$D/library"; airlog = "$D/airlog"; inbox = "$D/inbox"; state = "$D/state"; run = "$D/run"; };
audio = { device = "$device"; loudness_lufs = -16.0; chime = "chime.wav"; gap_ms = 1500; };
time  = { zone = "Asia/Ho_Chi_Minh"; require_sync = false; grace_minutes = 20; };
sessions = ( { id = "demo"; days = "daily"; start = "$hm"; minutes = 2; } );
relays = ( { id = "radio"; name = "Đài phát thanh (thử)"; url = "http://127.0.0.1:$port/thoi-su.mp3"; days = "daily";
             start = "$hm2"; minutes = 1; fallback = "bulletins"; fallback_after = 10; } );
CFG
cfg=$D/etc/loaxa.cfg

say "2. The configuration ($cfg): a session at $hm and a relay at $hm2, Vietnam time"
"$LOAXA" check -c "$cfg"

say "3. Install: the log's sealing keys (the office keeps the seed)"
"$LOAXA" log init -c "$cfg" | sed 's/^/   /'

say "4. Commune staff plug the stick: loaxa ingest (the receipt, also written onto the stick)"
LOAXA_DEVICE="wav:$D/confirmation.wav" "$LOAXA" ingest -c "$cfg" "$D/stick" | sed 's/^/   /' || true

say "5. loaxad airs the session at $hm and the relay at $hm2 to $where"
"$LOAXAD" -c "$cfg" -e > "$D/daemon.out" 2> "$D/daemon.err" &
dpid=$!
trap 'kill $dpid $webpid 2> /dev/null' EXIT INT TERM
shown=0
end=$((start + 190))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 2
	n=$(grep -cE '  (aired|missed|relayed)  ' "$D/daemon.out" 2> /dev/null || true)
	if [ "$n" -gt "$shown" ]; then
		grep -E '  (aired|missed|relayed)  ' "$D/daemon.out" | tail -n $((n - shown)) | sed 's/^/   /'
		shown=$n
	fi
	grep -qE '  (relayed)  ' "$D/daemon.out" 2> /dev/null && break
	if [ "$shown" -eq 0 ] && [ $(( $(date +%s) % 10 )) -lt 2 ]; then
		next=$("$LOAXA" status -c "$cfg" 2> /dev/null | sed -n 's/^next session: //p')
		[ -n "$next" ] && echo "   waiting for the session: $next"
	fi
done
kill -TERM $dpid
wait $dpid 2> /dev/null || true
kill $webpid 2> /dev/null || true
trap - EXIT INT TERM

say "6. The airing log, verified"
"$LOAXA" log verify -c "$cfg" | sed 's/^/   /'

say "7. The report of the day (Vietnamese, as the office reads it)"
today=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)
"$LOAXA" report -c "$cfg" --from "$today" --to "$today" | sed 's/^/   /' || true
[ "$device" != default ] && printf '\nWhat the loudspeakers would have played: %s\n' "$D/airing.wav"
printf 'Everything is in %s.\n' "$D"
