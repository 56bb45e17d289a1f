#!/bin/sh
# The board's files as systemd, man and make install see them: loaxad.service
# and loaxa-ingest@.service locked down (systemd-analyze security exposure
# under 3.0, issue 7's settings present), the man pages clean (mandoc -Tlint)
# and loaxa.cfg(5) naming every key config/cfg.c accepts, and `make install`
# putting units, udev rules, sysusers/tmpfiles, man pages and the catalog in
# place.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok - units: $1"; }
nok() { echo "not ok - units: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | head -30; }
skip() { echo "ok - units: $1 # SKIP $2"; }
cd "$top" || exit 1
u=firmware/systemd

for want in Type=notify WatchdogSec= Restart=on-failure User=loaxa StateDirectory=loaxa ProtectSystem=strict \
    NoNewPrivileges=yes DevicePolicy=closed 'DeviceAllow=char-alsa rw' 'DeviceAllow=char-gpiochip rw' \
    RestrictAddressFamilies= SystemCallFilter=@system-service CapabilityBoundingSet= 'WantedBy=multi-user.target'; do
	grep -q "^$want" $u/loaxad.service || missing="${missing:-} $want"
done
[ -z "${missing:-}" ] && ok "loaxad.service has issue 7's settings" || nok "loaxad.service lacks:$missing"

# exposure as systemd computes it, for the units as written (offline: no running systemd needed)
if systemd-analyze security --help 2> /dev/null | grep -q -- '--offline'; then
	cp $u/loaxad.service $u/loaxa-ingest@.service "$t/"
	for unit in loaxad.service loaxa-ingest@sda1.service; do
		(cd "$t" && systemd-analyze security --offline=yes "$unit") > "$t/sec" 2>&1
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$t/sec")
		if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }'; then ok "$unit: exposure $score (target < 3.0)"
		else nok "$unit: exposure ${score:-unknown} (target < 3.0)" "$t/sec"; fi
	done
else
	skip "systemd-analyze security --offline" "this systemd-analyze has no --offline (systemd < 250)"
fi

# man pages
if command -v mandoc > /dev/null; then
	for m in firmware/man/loaxa.1 firmware/man/loaxa.cfg.5 firmware/man/loaxad.8; do
		if mandoc -Tlint -W warning "$m" > "$t/lint" 2>&1; then ok "mandoc -Tlint $m: no warnings"
		else nok "mandoc -Tlint $m" "$t/lint"; fi
	done
else
	nok "mandoc is not installed (tests/deps.sh)"
fi
# every key config/cfg.c accepts has its entry in loaxa.cfg(5)
keys=$(sed -n 's/.*static const char \*const [a-z]*keys\[\] = {\(.*\)/\1/p; /static const char \*const [a-z]*keys\[\] = {/{n;p}' config/cfg.c |
	grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
missing=""
for k in $keys; do grep -q "^\.It Ic $k\b" firmware/man/loaxa.cfg.5 || missing="$missing $k"; done
[ -n "$keys" ] && [ -z "$missing" ] && ok "loaxa.cfg(5) documents all $(echo $keys | wc -w) keys of config/cfg.c" ||
	nok "loaxa.cfg(5) does not document:${missing:- (no keys found in config/cfg.c)}"
# every command of `loaxa help` is in loaxa(1)
missing=""
for c in $("${LOAXA:-build/loaxa}" help 2>&1 | sed -n 's/^  loaxa \([a-z]*\).*/\1/p'); do
	grep -q "^\.It Nm Cm $c\b" firmware/man/loaxa.1 || missing="$missing $c"
done
[ -z "$missing" ] && ok "loaxa(1) describes every command of loaxa help" || nok "loaxa(1) lacks:$missing"

# make install
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s install DESTDIR="$t/root" PREFIX=/usr BUILD="${BUILD:-build}" > "$t/inst" 2>&1; then
	missing=""
	for f in usr/bin/loaxa usr/sbin/loaxad usr/lib/systemd/system/loaxad.service usr/lib/systemd/system/loaxa-ingest@.service \
	    usr/lib/udev/rules.d/60-loaxa-gpio.rules usr/lib/udev/rules.d/90-loaxa-usb.rules usr/lib/sysusers.d/loaxa.conf \
	    usr/lib/tmpfiles.d/loaxa.conf usr/share/man/man1/loaxa.1 usr/share/man/man5/loaxa.cfg.5 usr/share/man/man8/loaxad.8 \
	    usr/share/locale/vi/LC_MESSAGES/loaxa.mo usr/libexec/loaxa/loaxa-usb usr/share/doc/loaxa/examples/board.cfg; do
		[ -f "$t/root/$f" ] || missing="$missing /$f"
	done
	[ -z "$missing" ] && ok "make install DESTDIR=... PREFIX=/usr installs binaries, units, rules, sysusers, tmpfiles, man pages, catalog" ||
		nok "make install lacks:$missing" "$t/inst"
	grep -q '^ExecStart=/usr/sbin/loaxad ' "$t/root/usr/lib/systemd/system/loaxad.service" &&
		ok "installed loaxad.service runs the installed loaxad" || nok "installed loaxad.service runs the installed loaxad"
else
	nok "make install DESTDIR=... fails" "$t/inst"
fi
