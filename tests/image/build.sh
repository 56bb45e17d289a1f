#!/bin/sh
# The board's disk image: Debian 12 from Debian's packages, the project's own
# .deb installed into it, a kernel GPIO chip (gpio-sim, built here) and the
# test's own agent (tests/image/guest.sh, a systemd unit). Made without
# mounting anything (mkfs.ext4 -d).
#   tests/image/build.sh DEB OUT      write OUT/disk.img, OUT/vmlinuz, OUT/initrd.img
#
# The base (what does not change from run to run) is cached in
# $LOAXA_IMAGE_CACHE (default /var/cache/loaxa-image), under a name that
# holds a hash of what went into it (this script's package list and the
# .deb's dependencies): debootstrap minbase bookworm with systemd, udev, the
# Debian kernel, alsa-utils, gpiod, chrony, espeak-ng, and the .deb's
# libraries (installed with the .deb, which is then purged), plus the
# gpio-sim module. A first build downloads about 250 MB and takes about 3
# minutes; a rerun copies the base (seconds).
#
# gpio-sim: Debian's kernels build neither gpio-sim nor gpio-mockup. It is
# built out of tree from Debian's linux-source-6.1 (drivers/gpio/gpio-sim.c
# and kernel/irq/irq_sim.c) against the image kernel's headers, with one
# change: irq_to_desc() is not exported to modules, so irq_sim's
# handle_simple_irq(irq_to_desc(n)) becomes generic_handle_irq(n) (the same
# flow handler runs: irq_sim sets handle_simple_irq on every line).
# Needs root (debootstrap, chroot).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
DEB=$1
OUT=$2
CACHE=${LOAXA_IMAGE_CACHE:-/var/cache/loaxa-image}
MIRROR=${LOAXA_MIRROR:-http://deb.debian.org/debian}
PKGS=systemd,systemd-sysv,udev,dbus,linux-image-amd64,initramfs-tools,kmod,alsa-utils,gpiod,chrony,tzdata,espeak-ng,procps,util-linux,mount,e2fsprogs,iproute2
say() { echo "# image: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { echo "tests/image/build.sh: needs root (debootstrap and chroot)" >&2; exit 2; }
mkdir -p "$OUT" "$CACHE"
deps=$(dpkg-deb -f "$DEB" Depends)
key=$(printf '%s\n%s\n%s\n' "$PKGS" "$deps" "$(sed -n '/^gpiosim()/,/^}/p' "$0")" | sha256sum | cut -c1-12)
BASE=$CACHE/base-$key

# run CMD in the chroot ROOT, in a mount namespace of its own with /proc and /dev
inroot() {
	r=$1
	shift
	unshare -m sh -c 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && mount -t tmpfs tmpfs "$0/run" &&
	    exec chroot "$0" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"' "$r" "$@"
}

# gpiosim ROOT: build gpio-sim for the kernel in ROOT/boot, install it under ROOT/lib/modules/VER/updates
gpiosim() {
	r=$1
	ver=$(ls "$r/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
	hdr=/usr/src/linux-headers-$ver
	[ -d "$hdr" ] || apt-get install -y -q --no-install-recommends "linux-headers-$ver" > "$OUT/headers.log" 2>&1 ||
		{ say "no linux-headers-$ver for gpio-sim (apt-get install linux-headers-$ver)"; cat "$OUT/headers.log" >&2; return 1; }
	src=$(ls /usr/src/linux-source-6.1.tar.* 2> /dev/null | head -n 1)
	[ -n "$src" ] || apt-get install -y -q --no-install-recommends linux-source-6.1 > "$OUT/source.log" 2>&1 ||
		{ say "no linux-source-6.1 for gpio-sim"; return 1; }
	src=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
	m=$OUT/gpio-sim
	rm -rf "$m"
	mkdir -p "$m"
	tar -xf "$src" -C "$m" --strip-components=3 --wildcards '*/drivers/gpio/gpio-sim.c' '*/drivers/gpio/gpiolib.h'
	tar -xf "$src" -C "$m" --strip-components=3 --wildcards '*/kernel/irq/irq_sim.c'
	sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$m/irq_sim.c"
	grep -q 'generic_handle_irq(irqnum)' "$m/irq_sim.c" || { say "irq_sim.c changed upstream: the irq_to_desc line is gone"; return 1; }
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >> "$m/irq_sim.c"
	echo 'obj-m := gpio-sim.o irq_sim.o' > "$m/Kbuild"
	make -C "$hdr" M="$m" modules > "$m/build.log" 2>&1 || { cat "$m/build.log" >&2; return 1; }
	install -D -m 0644 "$m/gpio-sim.ko" "$r/lib/modules/$ver/updates/gpio-sim.ko"
	install -D -m 0644 "$m/irq_sim.ko" "$r/lib/modules/$ver/updates/irq_sim.ko"
	depmod -b "$r" "$ver"
}

if [ ! -f "$BASE/.loaxa-base" ]; then
	say "making the base $BASE (debootstrap bookworm; a download of about 250 MB, about 3 minutes)"
	rm -rf "$BASE.new"
	debootstrap --variant=minbase --include="$PKGS" bookworm "$BASE.new" "$MIRROR" > "$OUT/debootstrap.log" 2>&1 ||
		{ tail -20 "$OUT/debootstrap.log" >&2; exit 1; }
	# the .deb's libraries: install it with apt (which fetches them), then purge it
	cp "$DEB" "$BASE.new/tmp/loaxa.deb"
	cp /etc/resolv.conf "$BASE.new/etc/resolv.conf"
	{ inroot "$BASE.new" apt-get install -y -q --no-install-recommends /tmp/loaxa.deb &&
		inroot "$BASE.new" dpkg --purge loaxa && inroot "$BASE.new" apt-get clean; } > "$OUT/base.log" 2>&1 ||
		{ tail -30 "$OUT/base.log" >&2; exit 1; }
	rm -f "$BASE.new/tmp/loaxa.deb"
	userdel -R "$BASE.new" loaxa 2> /dev/null || true
	gpiosim "$BASE.new" || say "gpio-sim could not be built: the amplifier line scenarios will say so"
	# a test machine: no login prompt on the console (it would cut the
	# console output), no first-boot questions
	for u in serial-getty@ttyS0.service systemd-firstboot.service getty@tty1.service; do
		ln -sf /dev/null "$BASE.new/etc/systemd/system/$u"
	done
	echo loaxa-board > "$BASE.new/etc/hostname"
	printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$BASE.new/etc/fstab"
	# the kernel's sound card and GPIO chip
	printf 'snd-aloop\ngpio-sim\n' > "$BASE.new/etc/modules-load.d/loaxa-test.conf"
	echo 'options snd-aloop id=Loopback pcm_substreams=2' > "$BASE.new/etc/modprobe.d/loaxa-test.conf"
	rm -rf "$BASE.new/usr/share/doc"/* "$BASE.new/usr/share/man"/* "$BASE.new/var/cache/apt"/*.bin
	touch "$BASE.new/.loaxa-base"
	rm -rf "$BASE"
	mv "$BASE.new" "$BASE"
	# older bases are not used again
	for b in "$CACHE"/base-*; do [ "$b" = "$BASE" ] || rm -rf "$b"; done
fi

say "installing $(basename "$DEB") into a copy of the base"
root=$OUT/root
rm -rf "$root"
cp -a "$BASE" "$root"
cp "$DEB" "$root/tmp/loaxa.deb"
inroot "$root" dpkg -i /tmp/loaxa.deb > "$OUT/install.log" 2>&1 || { cat "$OUT/install.log" >&2; exit 1; }
rm -f "$root/tmp/loaxa.deb"

# the test's agent: runs after the board's own units, talks to the host over a virtio port
install -D -m 0755 "$top/tests/image/guest.sh" "$root/usr/local/lib/loaxa-imagetest/guest.sh"
for f in "$OUT"/share/*; do [ -e "$f" ] && install -D -m 0644 "$f" "$root/usr/local/share/loaxa-imagetest/$(basename "$f")"; done
install -D -m 0644 "$top/tests/image/loaxa-imagetest.service" "$root/etc/systemd/system/loaxa-imagetest.service"
ln -sf /etc/systemd/system/loaxa-imagetest.service "$root/etc/systemd/system/multi-user.target.wants/loaxa-imagetest.service"
# the network a board has: DHCP on its Ethernet (here QEMU's user network,
# restricted to the host's forwards), by systemd-networkd
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n' > "$root/etc/systemd/network/20-wired.network"
inroot "$root" systemctl enable systemd-networkd.service > /dev/null 2>&1

ver=$(ls "$root/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
cp "$root/boot/vmlinuz-$ver" "$OUT/vmlinuz"
cp "$root/boot/initrd.img-$ver" "$OUT/initrd.img"
rm -f "$OUT/disk.img"
mkfs.ext4 -q -F -L loaxa-root -d "$root" "$OUT/disk.img" 2G
rm -rf "$root"
say "disk image $OUT/disk.img ($(du -m "$OUT/disk.img" | cut -f1) MB used of 2 GiB), kernel $ver"
