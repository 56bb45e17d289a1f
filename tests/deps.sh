#!/bin/sh
# Installs every Debian 12 package needed to build loaxa and run its tests.
# Uses sudo when not root. The one list: keep README.md's dependency table in step.
#   tests/deps.sh            what `make check` needs
#   tests/deps.sh --cross    the armhf and arm64 builds (make deps-cross): adds
#                            the foreign architectures, the cross toolchains,
#                            qemu-user and the :armhf/:arm64 -dev packages
#   tests/deps.sh --image    what make check-image adds (QEMU, mtools,
#                            Debian's kernel source for gpio-sim)
#   tests/deps.sh --pkg      only what the package test needs (tests/pkg.sh,
#                            also in the default list: make check runs it)
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# the libraries a board's loaxa and loaxad link (Makefile PKGS and -lunistring);
# the office's database and web libraries (libpq, SQLite, libmicrohttpd) only natively: a board
# build (CROSS=) leaves loaxa-office out, and libpq-dev is not Multi-Arch
# (its armhf and arm64 copies conflict)
libdev="libasound2-dev libconfig-dev libmpg123-dev libsodium-dev libjansson-dev libyajl-dev
libsndfile1-dev libebur128-dev libgpiod-dev libsystemd-dev libunistring-dev
libmosquitto-dev libcurl4-openssl-dev"

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
apt_install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"; }

case ${1:-} in
--cross)
	archs="armhf arm64"
	native=$(dpkg --print-architecture)
	for a in $archs; do
		dpkg --print-foreign-architectures | grep -qx "$a" || $SUDO dpkg --add-architecture "$a"
	done
	want="crossbuild-essential-armhf crossbuild-essential-arm64 qemu-user file"
	for a in $archs; do
		for p in $libdev pkgconf; do want="$want $p:$a"; done
	done
	missing=""
	for p in $want; do installed "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && { echo "deps --cross: everything is installed"; exit 0; }
	echo "deps --cross: installing$missing"
	# a mirror caught mid-sync may fail one architecture's index: go on with the rest
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q || true
	# Multi-Arch: same libraries must have one version in every architecture.
	# When this machine's amd64 copy is newer than any armhf one (an index
	# that failed, or a security update not yet built for armhf), apt gives
	# up; name the version every architecture has, for each library it
	# names, and try again.
	pins=""
	for try in 1 2 3 4 5 6; do
		# shellcheck disable=SC2086
		# apt names the unmet dependencies on standard output, not on standard error
		if apt_install $missing $pins > /tmp/loaxa-deps-cross.$$ 2>&1; then
			cat /tmp/loaxa-deps-cross.$$
			rm -f /tmp/loaxa-deps-cross.$$
			exit 0
		fi
		cat /tmp/loaxa-deps-cross.$$ >&2
		libs=$(sed -n -E 's/.*(Depends|PreDepends): ([a-z0-9.+-]+)(:[a-z0-9]+)? .*not (going to be installed|installable).*/\2/p' \
		    /tmp/loaxa-deps-cross.$$ | sort -u)
		rm -f /tmp/loaxa-deps-cross.$$
		[ -n "$libs" ] || break
		new=""
		for l in $libs; do
			case " $pins " in *" $l:$native="*) continue ;; esac
			# the newest version offered for every architecture
			v=$(for a in $native $archs; do apt-cache madison "$l:$a" 2> /dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -u; done |
			    sort | uniq -c | awk -v n="$(echo $native $archs | wc -w)" '$1 == n {print $2}' | sort -V | tail -n 1)
			[ -n "$v" ] || continue
			new="$new $l:$native=$v"
			for a in $archs; do new="$new $l:$a=$v"; done
			# installed packages of the same source (liblzma-dev beside liblzma5) move with it
			src=$(apt-cache show "$l:$native=$v" 2> /dev/null | sed -n 's/^Source: \([^ ]*\).*/\1/p' | head -n 1)
			for sib in $(dpkg-query -W -f='${Package} ${source:Package}\n' 2> /dev/null | awk -v s="${src:-$l}" '$2 == s {print $1}'); do
				[ "$sib" = "$l" ] && continue
				apt-cache madison "$sib:$native" 2> /dev/null | grep -q "| $v |" && new="$new $sib:$native=$v"
			done
		done
		[ -n "$new" ] || break
		echo "deps --cross: one version in every architecture:$new"
		pins="$pins$new"
	done
	echo "deps --cross: could not install the cross packages" >&2
	exit 1 ;;
--image)
	# make check-image: QEMU (TCG), the base image's tools, the FAT sticks,
	# and Debian's kernel source for gpio-sim (the headers of the image's
	# kernel are installed by tests/image/build.sh, which knows its version)
	missing=""
	for p in qemu-system-x86 qemu-utils debootstrap e2fsprogs dosfstools mtools socat linux-source-6.1 xz-utils \
	    debhelper dpkg-dev fakeroot ffmpeg espeak-ng python3 make gcc mosquitto openssl; do installed "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && { echo "deps --image: everything is installed"; exit 0; }
	echo "deps --image: installing$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q || true
	# shellcheck disable=SC2086
	apt_install $missing
	exit 0 ;;
--pkg)
	missing=""
	for p in debhelper dpkg-dev fakeroot debootstrap mandoc; do installed "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && { echo "deps --pkg: everything is installed"; exit 0; }
	echo "deps --pkg: installing$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q || true
	# shellcheck disable=SC2086
	apt_install $missing
	exit 0 ;;
esac

pkgs="
build-essential pkg-config gettext clang mandoc
libasound2-dev libconfig-dev libmpg123-dev libsodium-dev libjansson-dev libyajl-dev
libsndfile1-dev libebur128-dev libgpiod-dev libsystemd-dev libunistring-dev
libmosquitto-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev libmicrohttpd-dev libssl-dev
libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libseccomp-dev
ffmpeg icecast2 liquidsoap
mosquitto mosquitto-clients postgresql sqlite3 openssl
alsa-utils libasound2-plugins espeak-ng lame mpg123 sox pulseaudio python3 busybox-static
valgrind time
chromium poppler-utils curl
debhelper dpkg-dev fakeroot debootstrap systemd locales
"
missing=""
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: everything is installed"; exit 0; }
echo "deps: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
