#!/bin/sh
# The Debian package, built from the tree and installed on a clean Debian 12.
#   tests/pkg.sh --build-only [ARCH]
#                               build build/deb/loaxa_VERSION_ARCH.deb (make deb
#                               [DEB_ARCH=armhf]: a cross build, dpkg-buildpackage -aARCH)
#   tests/pkg.sh                build it, then install it into a copy of a
#                               debootstrap'ed bookworm (chroot, as root) and
#                               check what issue 7 asks: a valid example
#                               config, the service enabled, the user, the
#                               keys; remove and purge keep the airing log;
#                               a second install continues the same log.
# Prints ok / not ok lines (tests/run counts them). Without root, chroot or
# a Debian base (and no network to make one), prints one "# SKIP" line.
#
# The base: $LOAXA_DEBOOTSTRAP, by default /var/cache/loaxa-pkgtest/base,
# made once by `debootstrap --variant=minbase --include=systemd,...` (a
# network download) and never changed: each run installs into a copy of it,
# in its own mount namespace (unshare -m) with /proc mounted, so nothing of
# the run stays behind. The .deb's libraries are pulled into the copy with
# apt when the base lacks them (network); a base made by this script holds
# them already.
#
# dpkg-buildpackage writes its results into the PARENT of the source folder,
# so the package is built from a copy of the tree (git ls-files) under
# build/deb/src: nothing is written outside build/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
mode=${1:-test}
arch=${2:-}
DEB_OUT=$top/build/deb
BASE=${LOAXA_DEBOOTSTRAP:-/var/cache/loaxa-pkgtest/base}
MIRROR=${LOAXA_MIRROR:-http://deb.debian.org/debian}

ok() { echo "ok - package: $1"; }
nok() { echo "not ok - package: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | tail -30; fails=$((fails + 1)); }
skip() { echo "ok - package: $1 # SKIP $2"; }
fails=0

# --- build ---------------------------------------------------------------
# run from `make check` (or `make SANITIZE=1 check`), make's MAKEFLAGS would
# reach debian/rules' make and build the package with that check's options
unset MAKEFLAGS MFLAGS MAKELEVEL
build_deb() {
	for t in dpkg-buildpackage dh fakeroot; do
		command -v $t > /dev/null || { echo "pkg.sh: no $t (tests/deps.sh --pkg)" >&2; return 1; }
	done
	ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
	src=$DEB_OUT/src/loaxa-$ver
	rm -rf "$DEB_OUT/src" "$DEB_OUT"/*.deb "$DEB_OUT"/*.log
	mkdir -p "$src"
	# the tracked files as they are now (uncommitted edits included)
	git ls-files -z --cached --others --exclude-standard | (cd "$top" && xargs -0 cp -P --parents -t "$src" 2> /dev/null)
	# a native package from a copy: dpkg-source is not run (-b), the tree is not touched
	# a cross build cannot run its tests (debian/rules runs none anyway): nocheck;
	# it is a board's package: the profile pkg.loaxa.board drops the office's
	# database libraries from Build-Depends (the Makefile leaves loaxa-office out)
	(cd "$src" && if [ -n "$arch" ]; then export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck"; fi &&
	    dpkg-buildpackage -b -us -uc -j"$(nproc)" ${arch:+-a"$arch" -Ppkg.loaxa.board}) > "$DEB_OUT/build.log" 2>&1 || return 1
	mv "$DEB_OUT"/src/*.deb "$DEB_OUT"/ 2> /dev/null
	rm -rf "$DEB_OUT/src"
	DEB=$(ls "$DEB_OUT"/loaxa_*_"${arch:-$(dpkg --print-architecture)}".deb 2> /dev/null | head -n 1)
	[ -n "$DEB" ]
}

if ! build_deb; then
	nok "dpkg-buildpackage builds the package" "$DEB_OUT/build.log"
	exit 1
fi
if grep -Eq '\.[ch]:[0-9]+:[0-9]+: warning:' "$DEB_OUT/build.log"; then
	nok "the package build has no compiler warnings" "$DEB_OUT/build.log"
fi
ok "dpkg-buildpackage builds $(basename "$DEB") ($(( $(stat -c %s "$DEB") / 1024 )) KiB)"
if [ "$mode" = --build-only ]; then
	echo "$DEB"
	exit $((fails > 0))
fi

# what the package holds, whatever the install test can do
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\.||' > "$DEB_OUT/contents"
missing=""
for f in /usr/bin/loaxa /usr/sbin/loaxad /lib/systemd/system/loaxad.service /lib/systemd/system/loaxa-ingest@.service \
    /lib/udev/rules.d/90-loaxa-usb.rules /lib/udev/rules.d/60-loaxa-gpio.rules /usr/libexec/loaxa/loaxa-usb \
    /usr/lib/sysusers.d/loaxa.conf /usr/lib/tmpfiles.d/loaxa.conf /etc/loaxa/loaxa.cfg \
    /usr/share/man/man1/loaxa.1.gz /usr/share/man/man5/loaxa.cfg.5.gz /usr/share/man/man8/loaxad.8.gz \
    /usr/share/locale/vi/LC_MESSAGES/loaxa.mo /usr/share/doc/loaxa/examples/board.cfg; do
	grep -qx "$f" "$DEB_OUT/contents" || missing="$missing $f"
done
[ -z "$missing" ] && ok "holds binaries, units, udev rules, sysusers/tmpfiles, man pages, vi catalog, example config" ||
	nok "the package lacks:$missing"
dpkg-deb -I "$DEB" conffiles 2> /dev/null | grep -qx '/etc/loaxa/loaxa.cfg' && ok "/etc/loaxa/loaxa.cfg is a conffile" ||
	nok "/etc/loaxa/loaxa.cfg is not a conffile"

# --- install into a clean Debian 12 ---------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip "install on a clean Debian 12" "needs root for chroot (run as root, or in CI's root container)"
	exit $((fails > 0))
fi
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep -v '^$' | tr '\n' ',' | sed 's/,$//')
if [ ! -x "$BASE/usr/bin/apt-get" ]; then
	if ! command -v debootstrap > /dev/null; then
		skip "install on a clean Debian 12" "no debootstrap and no base in $BASE (tests/deps.sh --pkg)"
		exit $((fails > 0))
	fi
	echo "# making the Debian 12 base $BASE (debootstrap, a download of about 100 MB)"
	mkdir -p "$(dirname "$BASE")"
	rm -rf "$BASE.new"
	if ! debootstrap --variant=minbase --include="systemd,systemd-sysv,$deps" bookworm "$BASE.new" "$MIRROR" > "$DEB_OUT/debootstrap.log" 2>&1; then
		rm -rf "$BASE.new"
		if grep -qiE 'Failed getting release|Could not resolve|unable to fetch|Temporary failure' "$DEB_OUT/debootstrap.log"; then
			skip "install on a clean Debian 12" "debootstrap cannot reach $MIRROR (no network) and there is no base in $BASE"
			exit $((fails > 0))
		fi
		nok "debootstrap makes a Debian 12 base" "$DEB_OUT/debootstrap.log"
		exit 1
	fi
	mv "$BASE.new" "$BASE"
fi

root=$(mktemp -d /var/tmp/loaxa-pkgtest.XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$BASE/." "$root/"
cp "$DEB" "$root/tmp/loaxa.deb"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null
# run CMD in the chroot, in a mount namespace of its own with /proc
inroot() {
	unshare -m sh -c 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" 2>/dev/null; exec chroot "$0" env -i \
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"' "$root" "$@"
}
log=$DEB_OUT/install.log
: > "$log"

# nothing of loaxa before
if [ -e "$root/etc/loaxa" ] || grep -q '^loaxa:' "$root/etc/passwd"; then
	nok "the base $BASE is clean (it holds loaxa already)"
	exit 1
fi

# dpkg -i; apt fetches what the base lacks
if ! inroot dpkg -i /tmp/loaxa.deb > "$log" 2>&1; then
	{ inroot apt-get update -q && inroot apt-get -f install -y -q --no-install-recommends; } >> "$log" 2>&1
fi
if inroot dpkg-query -W -f='${Status}' loaxa 2> /dev/null | grep -q 'install ok installed'; then
	ok "dpkg -i installs it on a clean Debian 12 (debootstrap bookworm, chroot)"
else
	nok "dpkg -i installs it on a clean Debian 12" "$log"
	exit 1
fi

# the user, in group audio (and gpio, the relay)
pw=$(grep '^loaxa:' "$root/etc/passwd")
case $pw in
loaxa:*:*:*:*:/var/lib/loaxa:/usr/sbin/nologin | loaxa:*:*:*:*:/var/lib/loaxa:/sbin/nologin) ok "user loaxa created (system user, no login): $pw" ;;
*) nok "user loaxa created (got: ${pw:-nothing})" "$log" ;;
esac
groups=$(inroot id -nG loaxa 2> /dev/null)
case " $groups " in *" audio "*) case " $groups " in *" gpio "*) in_groups=1 ;; esac ;; esac
[ -n "${in_groups:-}" ] && ok "loaxa is in groups audio and gpio ($groups)" || nok "loaxa is in groups audio and gpio (got: $groups)"

# enabled: the symlink deb-systemd-helper makes for WantedBy=multi-user.target
l=$root/etc/systemd/system/multi-user.target.wants/loaxad.service
if [ -L "$l" ] && [ "$(readlink "$l")" = /lib/systemd/system/loaxad.service ]; then
	ok "loaxad.service enabled (multi-user.target.wants/loaxad.service -> $(readlink "$l"))"
else
	nok "loaxad.service enabled (no multi-user.target.wants symlink)" "$log"
fi
# not started by the package (no site set yet), and no systemd here anyway
inroot systemctl is-enabled loaxad.service > "$DEB_OUT/enabled" 2>&1
grep -qx enabled "$DEB_OUT/enabled" && ok "systemctl is-enabled loaxad: enabled" || nok "systemctl is-enabled loaxad" "$DEB_OUT/enabled"

# the example config is valid, as the installed loaxa sees it
if inroot loaxa check -c /etc/loaxa/loaxa.cfg > "$DEB_OUT/check" 2>&1; then
	ok "loaxa check -c /etc/loaxa/loaxa.cfg passes: $(head -n 1 "$DEB_OUT/check")"
else
	nok "loaxa check -c /etc/loaxa/loaxa.cfg passes" "$DEB_OUT/check"
fi
# boards default to Vietnamese: no LANG, no LANGUAGE
inroot loaxa check -c /etc/loaxa/loaxa.cfg > "$DEB_OUT/check" 2>&1
grep -q 'hợp lệ\|Cấu hình' "$DEB_OUT/check" && ok "in the C locale it answers in Vietnamese: $(head -n 1 "$DEB_OUT/check")" ||
	nok "in the C locale it answers in Vietnamese" "$DEB_OUT/check"

# the keys: device key (secret 0600, loaxa), public key, sealing key; the seed only in root's file
# owners by name in the chroot's passwd (its ids are not this machine's)
st() { stat -c '%a %u' "$root$1" 2> /dev/null | while read -r m u; do echo "$m $(awk -F: -v u="$u" '$3 == u {print $1}' "$root/etc/passwd")"; done; }
[ "$(st /var/lib/loaxa/device.key)" = "600 loaxa" ] && ok "device key /var/lib/loaxa/device.key (0600 loaxa)" ||
	nok "device key /var/lib/loaxa/device.key (0600 loaxa; got $(st /var/lib/loaxa/device.key))" "$log"
# the folders tmpfiles.d makes: loaxad swaps signed configs into /etc/loaxa itself
[ "$(st /etc/loaxa)" = "755 loaxa" ] && [ "$(st /var/lib/loaxa)" = "750 loaxa" ] &&
	ok "/etc/loaxa (0755 loaxa) and /var/lib/loaxa (0750 loaxa) as tmpfiles.d says" ||
	nok "/etc/loaxa and /var/lib/loaxa owned by loaxa (got $(st /etc/loaxa), $(st /var/lib/loaxa))"
pub=$(cat "$root/var/lib/loaxa/device.pub" 2> /dev/null)
case $pub in ed25519:?*) ok "device public key $pub" ;; *) nok "device public key /var/lib/loaxa/device.pub (got: $pub)" ;; esac
[ -f "$root/var/lib/loaxa/seal.key" ] && ok "sealing key /var/lib/loaxa/seal.key" || nok "sealing key /var/lib/loaxa/seal.key"
seed=$(grep -oE '\b[0-9a-f]{64}\b' "$root/root/loaxa-seal-seed.txt" 2> /dev/null | head -n 1)
if [ -n "$seed" ] && [ "$(st /root/loaxa-seal-seed.txt)" = "400 root" ]; then
	ok "sealing seed only in /root/loaxa-seal-seed.txt (0400 root)"
else
	nok "sealing seed in /root/loaxa-seal-seed.txt (0400 root; got $(st /root/loaxa-seal-seed.txt))" "$log"
fi
if [ -n "$seed" ] && grep -q "$seed" "$log"; then nok "the seed is not printed (apt's term.log would keep it)" "$log"
else ok "the seed is not printed on the terminal (apt's term.log would keep it)"; fi
grep -q '/var/lib/loaxa/device.pub' "$log" && grep -q '/root/loaxa-seal-seed.txt' "$log" &&
	ok "the install says where the office finds the public key and the seed" ||
	nok "the install says where the office finds the public key and the seed" "$log"

# the airing log: verified with the seed; then records written as the daemon would
if inroot setpriv --reuid=loaxa --regid=loaxa --init-groups loaxa simulate -c /etc/loaxa/loaxa.cfg 2026-01-01 2026-01-03 > "$DEB_OUT/sim" 2>&1 &&
    inroot loaxa log verify -c /etc/loaxa/loaxa.cfg --seed "$seed" > "$DEB_OUT/verify" 2>&1; then
	ok "the airing log (loaxa simulate as user loaxa) verifies with the seed"
else
	nok "the airing log verifies with the seed" "$DEB_OUT/verify"
fi
# the installed daemon starts on the installed config as user loaxa (no
# systemd in a chroot: run as the unit would, without its sandbox), writes
# its boot record, and ends cleanly on SIGTERM with a shutdown record
inroot setpriv --reuid=loaxa --regid=loaxa --init-groups env LANGUAGE=vi LANG=C.UTF-8 \
    sh -c '/usr/sbin/loaxad -c /etc/loaxa/loaxa.cfg & p=$!; sleep 3; kill -TERM $p; wait $p' > "$DEB_OUT/daemon" 2>&1
rc=$?
if [ $rc -eq 0 ] && inroot loaxa log show -c /etc/loaxa/loaxa.cfg > "$DEB_OUT/show" 2>&1 &&
    tail -n 4 "$DEB_OUT/show" | grep -q "$(printf 'khởi động\|boot')" && tail -n 1 "$DEB_OUT/show" | grep -q "$(printf 'tắt máy\|shutdown')"; then
	ok "the installed loaxad runs as loaxa on the installed config: boot and shutdown records written"
else
	cat "$DEB_OUT/show" >> "$DEB_OUT/daemon" 2> /dev/null
	nok "the installed loaxad runs as loaxa on the installed config (exit $rc)" "$DEB_OUT/daemon"
fi
ls "$root/var/lib/loaxa/airlog" > "$DEB_OUT/airlog.before" 2>&1
sum_before=$(cat "$root"/var/lib/loaxa/airlog/* 2> /dev/null | sha256sum)

# the service as installed: what systemd itself reads
if command -v systemd-analyze > /dev/null; then
	score=$(cd "$root/lib/systemd/system" && systemd-analyze security --offline=yes --root="$root" loaxad.service 2>&1 |
		sed -n 's/.*Overall exposure level for loaxad.service: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }'; then ok "installed loaxad.service: exposure $score (< 3.0)"
	else nok "installed loaxad.service: exposure ${score:-unknown} (< 3.0)"; fi
fi
inroot systemd-analyze verify --man=no /lib/systemd/system/loaxad.service /lib/systemd/system/loaxa-ingest@.service > "$DEB_OUT/verify-units" 2>&1
if grep -v 'sound.target\|time-set.target\|/run/systemd/system\|Failed to\|Cannot' "$DEB_OUT/verify-units" | grep -q 'loaxa'; then
	nok "systemd-analyze verify: the installed units" "$DEB_OUT/verify-units"
else
	ok "systemd-analyze verify: the installed units have no error"
fi

# remove: the log, the keys, the user stay; the binaries go
inroot dpkg -r loaxa > "$log.rm" 2>&1
if [ ! -e "$root/usr/sbin/loaxad" ] && [ "$(cat "$root"/var/lib/loaxa/airlog/* 2> /dev/null | sha256sum)" = "$sum_before" ] &&
    [ -f "$root/var/lib/loaxa/device.key" ] && [ -f "$root/etc/loaxa/loaxa.cfg" ]; then
	ok "dpkg -r: binaries gone; airing log unchanged, keys and config kept"
else
	nok "dpkg -r: binaries gone; airing log unchanged, keys and config kept" "$log.rm"
fi
# purge: the config goes, the log stays, and the output says where it is
inroot dpkg -P loaxa > "$log.purge" 2>&1
if [ ! -e "$root/etc/loaxa" ] && [ "$(cat "$root"/var/lib/loaxa/airlog/* 2> /dev/null | sha256sum)" = "$sum_before" ] &&
    [ -s "$DEB_OUT/airlog.before" ] && grep -q '/var/lib/loaxa' "$log.purge"; then
	ok "dpkg -P: /etc/loaxa removed; the airing log kept, unchanged, and the output says where"
else
	nok "dpkg -P: /etc/loaxa removed; the airing log kept, unchanged, and the output says where" "$log.purge"
fi
[ ! -L "$l" ] && ok "dpkg -P: the service is no longer enabled" || nok "dpkg -P: the service is no longer enabled" "$log.purge"

# installed again: the same keys, the same log, which still verifies
key_before=$(cat "$root/var/lib/loaxa/device.pub" 2> /dev/null)
inroot dpkg -i /tmp/loaxa.deb > "$log.again" 2>&1
if [ "$(cat "$root/var/lib/loaxa/device.pub" 2> /dev/null)" = "$key_before" ] && grep -q 'exist already' "$log.again" &&
    inroot loaxa log verify -c /etc/loaxa/loaxa.cfg --seed "$seed" > "$DEB_OUT/verify" 2>&1; then
	ok "installed again after a purge: the same device key, and the kept log still verifies"
else
	nok "installed again after a purge: the same device key, and the kept log still verifies" "$log.again"
fi
exit $((fails > 0))
