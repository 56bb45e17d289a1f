#!/bin/sh
# The office for the image's "fleet" scenario, on the host's loopback: a
# test CA; Mosquitto's TLS listener (a free port in fleet/port; host.py
# starts it and forwards the guest's 10.0.2.100:8883 to it); the office's
# certificates (office-collect, office-publish) and signing key; the
# board's certificate (CN = its site id); the broker's config and ACL as the
# package ships them (office/mosquitto), on loopback with this test's CA;
# the office's configs for `loaxa-office collect` and `publish`; a bulletin
# set under radio/set/ (served to the guest by host.py at 10.0.2.100:80).
#   tests/image/fleet.sh WORKDIR
set -eu
W=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$W/fleet
rm -rf "$d" "$W/radio/set"
mkdir -p "$d" "$W/radio/set"
PROV=cao-bang
SITE=$(sed -n 's/^site *= *{ *id *= *"\([^"]*\)".*/\1/p' "$top/config/examples/board.cfg")
echo "$SITE" > "$d/site"
cd "$d"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=loaxa image test CA" \
    -keyout ca.key -out ca.crt 2> /dev/null
cert() {	# cert NAME CN [SAN]
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2> /dev/null
	if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\n' "$3" > "$1.ext"; else : > "$1.ext"; fi
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" \
	    -out "$1.crt" 2> /dev/null
	rm -f "$1.csr" "$1.ext"
	chmod 600 "$1.key"
}
# the guest reaches the broker as broker.loaxa.test (its /etc/hosts: 10.0.2.100), the host's tools as localhost
cert broker broker.loaxa.test "DNS:broker.loaxa.test,DNS:localhost,IP:127.0.0.1"
# the office's two identities of the shipped ACL (office/mosquitto/loaxa.acl): the collector and the publisher
cert office-collect office-collect
cert office-publish office-publish
cert board "$SITE"
"$top/build/loaxa" keygen --out "$d/sign" > /dev/null
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' > port
port=$(cat port)
# the broker as the package ships it for the office (office/mosquitto: loaxa.conf and loaxa.acl), on this
# machine's loopback and this test's CA
sed -e "s|^acl_file .*|acl_file $top/office/mosquitto/loaxa.acl|" -e "s|^listener 8883\$|listener $port 127.0.0.1|" \
    -e "s|/etc/loaxa/pki/|$d/|" "$top/office/mosquitto/loaxa.conf" > mosquitto.conf
printf 'user %s\npersistence_location %s/\nlog_dest file %s/broker.log\n' "$(id -un)" "$d" "$d" >> mosquitto.conf
for who in collect publish; do
	cat > office-$who.cfg <<CFG
version = 1; serial = 1;
site = { id = "office"; name = "Sở Văn hóa (thử)"; };
paths = { library = "$d/office-lib"; airlog = "$d/office-log"; inbox = "$d/office-inbox"; state = "$d/office-state"; run = "$d/office-run"; };
fleet = { broker = "mqtts://localhost:$port"; province = "$PROV"; ca = "$d/ca.crt"; cert = "$d/office-$who.crt"; key = "$d/office-$who.key"; };
CFG
done
# the bulletin set: one bulletin, valid from today for a month
espeak-ng -v vi -s 150 -w "$d/speech.wav" "Tin của tỉnh: tăng cường phòng chống buôn lậu và hàng giả dịp cuối năm."
ffmpeg -loglevel error -y -i "$d/speech.wav" -c:a libmp3lame -b:a 64k "$W/radio/set/tin-tinh.mp3"
today=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)
until=$(date -d "$today +30 days" +%Y-%m-%d)
cat > "$W/radio/set/manifest.cfg" <<MAN
sequence = 1; expires = "$until"; province = "Cao Bằng";
bulletins = (
  { file = "tin-tinh.mp3"; sha256 = "$(sha256sum "$W/radio/set/tin-tinh.mp3" | cut -c1-64)"; id = "tin-tinh-mang";
    title = "Tin của tỉnh (qua mạng)"; topic = "local"; level = "normal"; valid_from = "$today"; valid_to = "$until";
    source = "province"; }
);
MAN
# what the guest takes from the results disk
mkdir -p "$W/fleet-guest"
cp ca.crt board.crt board.key sign.pub "$W/fleet-guest/"
echo "# image: the office for the fleet scenario: Mosquitto (TLS) on 127.0.0.1:$port, the board $SITE"
