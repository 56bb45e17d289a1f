#!/bin/sh
# Installs every Debian 12 package needed to build loaxa and run its tests.
# Uses sudo when not root. The one list: keep README.md's dependency table in step.
set -eu
pkgs="
build-essential pkg-config gettext clang
libasound2-dev libconfig-dev libmpg123-dev libsodium-dev libjansson-dev libyajl-dev
libsndfile1-dev libebur128-dev libgpiod-dev libsystemd-dev libunistring-dev
libmosquitto-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev
mosquitto mosquitto-clients postgresql sqlite3 openssl
alsa-utils libasound2-plugins espeak-ng lame mpg123 sox pulseaudio python3 busybox-static
valgrind time
chromium poppler-utils
"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: everything is installed"; exit 0; }
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
