# loaxa — plain Makefile. `make` builds build/loaxa and build/loaxad; `make check` runs every test.
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
LOCALEDIR  ?= $(DATADIR)/locale
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR     ?= $(DATADIR)/man
UDEVRULESDIR ?= /usr/lib/udev/rules.d
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
CC         ?= cc
# CROSS=arm-linux-gnueabihf- (armhf) or CROSS=aarch64-linux-gnu- (arm64):
# Debian's cross toolchain (crossbuild-essential-ARCH) and the ARCH -dev
# packages (make deps-cross). pkgconf:ARCH gives TRIPLET-pkg-config, which
# reads the multiarch .pc files of that architecture only. Each target builds
# in its own folder, build/ARCH, so native and cross objects never mix.
CROSS      ?=
STRIP      ?= $(CROSS)strip
ifneq ($(CROSS),)
CC         := $(CROSS)gcc
AR         := $(CROSS)ar
PKG_CONFIG := $(CROSS)pkg-config
CROSS_ARCH := $(or $(if $(filter arm-linux-gnueabihf-,$(CROSS)),armhf),$(if $(filter aarch64-linux-gnu-,$(CROSS)),arm64),$(patsubst %-,%,$(notdir $(CROSS))))
BUILD      ?= build/$(CROSS_ARCH)
endif

BUILD      ?= build
SANITIZE   ?= 0
ifeq ($(SANITIZE),1)
BUILD      := build/san
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
# FUZZ=1: the libFuzzer build (clang), used by `make fuzz`
FUZZ       ?= 0
FUZZ_TIME  ?= 60
ifeq ($(FUZZ),1)
CC         := clang
BUILD      := build/fuzzer
SAN        := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# OFFICE=1: also loaxa-office, the provincial office's commands (collect into
# PostgreSQL or SQLite, fleet status, publish, the web console on libmicrohttpd). A board's build (CROSS=) leaves
# it out: boards never run it, and libpq-dev is not Multi-Arch (make deps-cross
# could not install it for both armhf and arm64).
OFFICE     ?= $(if $(CROSS),0,1)
PKGS = alsa libconfig libmpg123 libsodium jansson yajl libebur128 libgpiod libsystemd \
       $(if $(filter 1,$(OFFICE)),libpq sqlite3 libmicrohttpd)
# AV=1: also loaxa-decode, the decoding child for relayed streams and phone
# recordings (FFmpeg's libraries, in a program of its own: loaxa and loaxad
# never link them). On when pkg-config finds them; a cross build without the
# :ARCH -dev packages leaves it out, and the board then refuses phone formats
# and relays with a message that says so.
AVPKGS = libavformat libavcodec libswresample libavutil libseccomp sndfile
AV     ?= $(shell $(PKG_CONFIG) --exists $(AVPKGS) 2>/dev/null && echo 1 || echo 0)
# headers at build time, the library loaded on first use (base/dl.h), so no
# program links it: libsndfile when a WAV is first used (audio/libsndfile.c),
# libcurl when loaxad's child first fetches bulletins and libmosquitto when
# its fleet client starts (firmware/netlib.c). debian/control names their
# packages in Depends: (dpkg-shlibdeps cannot see them).
DLPKGS = sndfile libmosquitto libcurl
# loaxa-office calls libmosquitto itself (collect, publish): it links it
OFFICE_LIBS = $(shell $(PKG_CONFIG) --libs libmosquitto)
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual
DEPFLAGS = -MMD -MP
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLPKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))
CFLAGS ?= -O2 -g
# _FILE_OFFSET_BITS=64: 32-bit boards (armhf) get 64-bit file sizes and
# directory offsets (readdir() on ext4's 64-bit cookies fails with EOVERFLOW
# otherwise, as under qemu-arm); a no-op on 64-bit targets
# DEFAULT_LANG=vi: the language when the environment names none (the
# package's build: boards default to Vietnamese); empty here, so a developer
# in the C locale reads English
DEFAULT_LANG ?=
ALL_CPPFLAGS = -I. -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DLOCALEDIR='"$(LOCALEDIR)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' \
	       -DLOAXA_DEFAULT_LANG='"$(DEFAULT_LANG)"' $(if $(filter 1,$(OFFICE)),,-DLOAXA_BOARD_ONLY) $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(PKG_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS  = $(SAN) $(LDFLAGS)
# libunistring (NFC names from sticks) ships no pkg-config file
NOPKG_LIBS   = -lunistring
LIBS_ALL     = $(PKG_LIBS) $(NOPKG_LIBS) -lm -pthread $(LIBS)

# the rooms, bottom to top (ARCHITECTURE.md; tests/layers.sh checks that
# every #include points down): base audio config scheduler intake report
# firmware (with firmware/cli) office. office/ is the office's program alone.
ROOMS   = base audio config scheduler intake report firmware firmware/cli
MAINS   = firmware/cli/loaxa.c firmware/loaxad.c office/main.c audio/loaxa-decode.c
OFFICESRC = $(filter-out office/main.c,$(wildcard office/*.c))
LIBSRC  = $(filter-out $(MAINS),$(wildcard $(ROOMS:%=%/*.c)) $(if $(filter 1,$(OFFICE)),$(OFFICESRC)))
PROGS   = $(BUILD)/loaxa $(BUILD)/loaxad $(if $(filter 1,$(OFFICE)),$(BUILD)/loaxa-office) \
	  $(if $(filter 1,$(AV)),$(BUILD)/loaxa-decode)
LIBOBJ  = $(LIBSRC:%.c=$(BUILD)/obj/%.o)
# the office's own unit tests (its store) only where the office is built: a board's build has no office/
OFFICETESTS = tests/unit/test_store.c
TESTSRC = $(filter-out $(if $(filter 1,$(OFFICE)),,$(OFFICETESTS)),$(wildcard tests/unit/test_*.c))
TESTBIN = $(TESTSRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTHLP = $(BUILD)/obj/tests/unit/tap.o
FUZZSRC = $(wildcard tests/fuzz/fuzz_*.c)
REPLAYBIN = $(FUZZSRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/replay_%)
FUZZBIN = $(FUZZSRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/fuzz_%)
BENCHSRC = $(wildcard tests/bench/bench_*.c)
BENCHBIN = $(BENCHSRC:tests/bench/%.c=$(BUILD)/bench/%)

LINGUAS  = vi
MOFILES  = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/loaxa.mo)

all: $(PROGS) $(MOFILES)

# translations: `make po` refreshes po/loaxa.pot from the sources and merges it into each po/LANG.po
$(BUILD)/locale/%/LC_MESSAGES/loaxa.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt -c -o $@ $<

po:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 --add-comments=TRANSLATORS \
	    --package-name=loaxa --msgid-bugs-address=loaxa@localhost --sort-by-file -o po/loaxa.pot \
	    $(sort $(wildcard $(ROOMS:%=%/*.c) office/*.c))
	for l in $(LINGUAS); do msgmerge -q --update --backup=none --no-fuzzy-matching po/$$l.po po/loaxa.pot; done

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DTOP='"$(CURDIR)"' $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/libloaxa.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# --as-needed: each program records only the libraries it calls, so the board's
# `loaxa` does not load libpq, SQLite or libmicrohttpd (the office's commands
# are in loaxa-office, see loaxa.c), nor libsystemd, which only loaxad calls.
# No -z now here: lazy binding resolves only the functions a run calls (the
# package's build adds it with hardening=+all, for a read-only GOT).
$(BUILD)/loaxa: $(BUILD)/obj/firmware/cli/loaxa.o $(BUILD)/libloaxa.a
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS_ALL)

$(BUILD)/loaxa-office: $(BUILD)/obj/office/main.o $(BUILD)/libloaxa.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL) $(OFFICE_LIBS)

$(BUILD)/loaxad: $(BUILD)/obj/firmware/loaxad.o $(BUILD)/libloaxa.a
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS_ALL)

# the decoding child: libav* and libseccomp, and libsndfile for its FLAC output
$(BUILD)/loaxa-decode: $(BUILD)/obj/audio/loaxa-decode.o
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(shell $(PKG_CONFIG) --libs $(AVPKGS))

$(BUILD)/obj/audio/loaxa-decode.o: audio/loaxa-decode.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(AVPKGS)) $(DEPFLAGS) -c -o $@ $<

# the unit tests make and read their WAV fixtures with libsndfile directly
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTHLP) $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL) $(shell $(PKG_CONFIG) --libs $(DLPKGS))

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

# the fleet's load generator (tests/bench/fleet-scale.sh): a tool, not a benchmark of its own (not
# bench_*); libcrypto mints its simulated boards' certificates
$(BUILD)/bench/fleetgen: $(BUILD)/obj/tests/bench/fleetgen.o $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL) $(shell $(PKG_CONFIG) --libs libcrypto)

$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS_ALL)

tests: all $(TESTBIN) $(REPLAYBIN)

# libFuzzer: every target for FUZZ_TIME seconds each, corpus in tests/fuzz/corpus/NAME
fuzz:
	$(MAKE) FUZZ=1 fuzz-targets
	tests/fuzz/run build/fuzzer $(FUZZ_TIME)

fuzz-targets: $(FUZZBIN)

bench: all $(BENCHBIN) $(if $(filter 1,$(OFFICE)),$(BUILD)/bench/fleetgen)
	BUILD=$(BUILD) tests/bench/run

# print-VAR: a variable as make sees it (tests/cli/harness.sh links with LIBS_ALL)
print-%:
	@echo $($*)

# mutation testing: each mutant of tests/mutate/mutants must be caught by the tests named for it
mutate:
	tests/mutate/run

# under the sanitizers, the scenario tests that are long real-time waits (minute
# boundaries) or that do not run this build at all (package.sh builds the .deb
# with dpkg-buildpackage; layers.sh reads the sources) are left to the plain
# pass: CI runs both, and the sanitizers' pass keeps every unit test, fuzz
# replay and the daemon, relay, live and kill scenarios (make SANITIZE=1 check)
SAN_NOT_IN_PASS = daemon.sh relay-adjacent.sh package.sh layers.sh
check: tests
	BUILD=$(BUILD) $(if $(filter 1,$(SANITIZE)),LOAXA_NOT_IN_PASS="$(SAN_NOT_IN_PASS)") tests/run

deps:
	tests/deps.sh

# the main job on this machine: bulletins made, loaded from a stick folder, aired by loaxad
demo: all
	BUILD=$(BUILD) firmware/demo.sh

# units and helper are installed with the paths of this install
UNITSED = -e 's|/usr/bin/loaxa|$(BINDIR)/loaxa|' -e 's|/usr/sbin/loaxad|$(SBINDIR)/loaxad|' \
	  -e 's|/usr/libexec/loaxa/|$(LIBEXECDIR)/loaxa/|'
MAN1 = firmware/man/loaxa.1
MAN5 = firmware/man/loaxa.cfg.5
MAN8 = firmware/man/loaxad.8

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/loaxa
	install -m 0755 $(BUILD)/loaxa $(DESTDIR)$(BINDIR)/loaxa
	$(if $(filter 1,$(OFFICE)),install -m 0755 $(BUILD)/loaxa-office $(DESTDIR)$(BINDIR)/loaxa-office)
	$(if $(filter 1,$(OFFICE)),install -D -m 0644 office/mosquitto/loaxa.conf $(DESTDIR)$(DATADIR)/loaxa/mosquitto/loaxa.conf)
	$(if $(filter 1,$(OFFICE)),install -D -m 0644 office/mosquitto/loaxa.acl $(DESTDIR)$(DATADIR)/loaxa/mosquitto/loaxa.acl)
	install -m 0755 $(BUILD)/loaxad $(DESTDIR)$(SBINDIR)/loaxad
	for l in $(LINGUAS); do install -D -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/loaxa.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/loaxa.mo; done
	install -D -m 0644 firmware/udev/90-loaxa-usb.rules $(DESTDIR)$(UDEVRULESDIR)/90-loaxa-usb.rules
	install -D -m 0644 firmware/udev/60-loaxa-gpio.rules $(DESTDIR)$(UDEVRULESDIR)/60-loaxa-gpio.rules
	install -D -m 0755 firmware/systemd/loaxa-usb $(DESTDIR)$(LIBEXECDIR)/loaxa/loaxa-usb
	$(if $(filter 1,$(AV)),install -D -m 0755 $(BUILD)/loaxa-decode $(DESTDIR)$(LIBEXECDIR)/loaxa/loaxa-decode)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in loaxad.service loaxa-ingest@.service; do sed $(UNITSED) firmware/systemd/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u \
	    && chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	install -D -m 0644 firmware/systemd/loaxa.sysusers $(DESTDIR)$(SYSUSERSDIR)/loaxa.conf
	install -D -m 0644 firmware/systemd/loaxa.tmpfiles $(DESTDIR)$(TMPFILESDIR)/loaxa.conf
	install -D -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/loaxa.1
	install -D -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/loaxa.cfg.5
	install -D -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/loaxad.8
	install -d $(DESTDIR)$(DATADIR)/doc/loaxa/examples
	install -m 0644 config/examples/*.cfg $(DESTDIR)$(DATADIR)/doc/loaxa/examples/

# the board's default configuration, for a system install (the package installs it as a conffile)
install-config:
	install -D -m 0644 config/examples/board.cfg $(DESTDIR)$(SYSCONFDIR)/loaxa/loaxa.cfg

# stripped sizes of what a board runs (README "Boards")
size: all
	@for f in loaxad loaxa; do $(STRIP) -o $(BUILD)/$$f.stripped $(BUILD)/$$f && \
	    printf '%s %s %d bytes (%d KiB) stripped\n' "$(or $(CROSS_ARCH),native)" $$f \
	    $$(stat -c %s $(BUILD)/$$f.stripped) $$(( $$(stat -c %s $(BUILD)/$$f.stripped) / 1024 )); done

# the package in a booted Debian 12 board under QEMU (tests/image/run; root)
deps-image: deps
	tests/deps.sh --image

check-image: all
	tests/image/run

# cross builds: foreign architectures, toolchains and -dev packages (a big download; not part of check)
deps-cross:
	tests/deps.sh --cross

# the unit tests of the armhf and arm64 builds under qemu-user
check-cross:
	tests/cross.sh

# the Debian package (debian/, dpkg-buildpackage) into build/deb; DEB_ARCH=armhf
# or arm64 cross-builds it (make deps-cross first)
DEB_ARCH ?=
deb:
	tests/pkg.sh --build-only $(DEB_ARCH)

clean:
	rm -rf build

.PHONY: all demo tests check bench mutate fuzz fuzz-targets deps deps-cross check-cross deps-image check-image install install-config size deb clean po
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
