# loaxa — plain Makefile. `make` builds build/loaxa and build/loaxad; `make check` runs every test.
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
LOCALEDIR  ?= $(DATADIR)/locale
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/libexec
UDEVRULESDIR ?= /usr/lib/udev/rules.d
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
CC         ?= cc
CROSS      ?=
ifneq ($(CROSS),)
CC         := $(CROSS)gcc
PKG_CONFIG := $(CROSS)pkg-config
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

PKGS = alsa libconfig libmpg123 libsodium jansson yajl libebur128 libgpiod libsystemd
# libsndfile: its header at build time, the library loaded when a WAV is first used (audio/sfdl.c)
DLPKGS = sndfile
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual
DEPFLAGS = -MMD -MP
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLPKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))
CFLAGS ?= -O2 -g
ALL_CPPFLAGS = -I. -D_GNU_SOURCE -DLOCALEDIR='"$(LOCALEDIR)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(PKG_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS  = $(SAN) $(LDFLAGS)
# libunistring (NFC names from sticks) ships no pkg-config file
NOPKG_LIBS   = -lunistring
LIBS_ALL     = $(PKG_LIBS) $(NOPKG_LIBS) -lm -pthread $(LIBS)

MAINS   = firmware/loaxa.c firmware/loaxad.c
LIBSRC  = $(filter-out $(MAINS),$(wildcard config/*.c scheduler/*.c audio/*.c firmware/*.c))
LIBOBJ  = $(LIBSRC:%.c=$(BUILD)/obj/%.o)
TESTSRC = $(wildcard tests/unit/test_*.c)
TESTBIN = $(TESTSRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTHLP = $(BUILD)/obj/tests/unit/tap.o
FUZZSRC = $(wildcard tests/fuzz/fuzz_*.c)
REPLAYBIN = $(FUZZSRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/replay_%)
FUZZBIN = $(FUZZSRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/fuzz_%)
BENCHSRC = $(wildcard tests/bench/bench_*.c)
BENCHBIN = $(BENCHSRC:tests/bench/%.c=$(BUILD)/bench/%)

LINGUAS  = vi
MOFILES  = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/loaxa.mo)

all: $(BUILD)/loaxa $(BUILD)/loaxad $(MOFILES)

# translations: `make po` refreshes po/loaxa.pot from the sources and merges it into each po/LANG.po
$(BUILD)/locale/%/LC_MESSAGES/loaxa.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt -c -o $@ $<

po:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 --add-comments=TRANSLATORS \
	    --package-name=loaxa --msgid-bugs-address=loaxa@localhost --sort-by-file -o po/loaxa.pot \
	    $(sort $(wildcard config/*.c scheduler/*.c audio/*.c firmware/*.c))
	for l in $(LINGUAS); do msgmerge -q --update --backup=none --no-fuzzy-matching po/$$l.po po/loaxa.pot; done

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DTOP='"$(CURDIR)"' $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/libloaxa.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/loaxa: $(BUILD)/obj/firmware/loaxa.o $(BUILD)/libloaxa.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(BUILD)/loaxad: $(BUILD)/obj/firmware/loaxad.o $(BUILD)/libloaxa.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

# the unit tests make and read their WAV fixtures with libsndfile directly
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTHLP) $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL) $(shell $(PKG_CONFIG) --libs $(DLPKGS))

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/libloaxa.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

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

bench: all $(BENCHBIN)
	BUILD=$(BUILD) tests/bench/run

check: tests
	BUILD=$(BUILD) tests/run

deps:
	tests/deps.sh

# the main job on this machine: bulletins made, loaded from a stick folder, aired by loaxad
demo: all
	BUILD=$(BUILD) firmware/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/loaxa
	install -m 0755 $(BUILD)/loaxa $(DESTDIR)$(BINDIR)/loaxa
	install -m 0755 $(BUILD)/loaxad $(DESTDIR)$(SBINDIR)/loaxad
	for l in $(LINGUAS); do install -D -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/loaxa.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/loaxa.mo; done
	install -D -m 0644 firmware/udev/90-loaxa-usb.rules $(DESTDIR)$(UDEVRULESDIR)/90-loaxa-usb.rules
	install -D -m 0755 firmware/systemd/loaxa-usb $(DESTDIR)$(LIBEXECDIR)/loaxa/loaxa-usb
	sed -e 's|/usr/bin/loaxa|$(BINDIR)/loaxa|' -e 's|/usr/libexec/loaxa/|$(LIBEXECDIR)/loaxa/|' \
	    firmware/systemd/loaxa-ingest@.service > loaxa-ingest@.service.tmp
	install -D -m 0644 loaxa-ingest@.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/loaxa-ingest@.service
	rm -f loaxa-ingest@.service.tmp
	install -d $(DESTDIR)$(DATADIR)/doc/loaxa/examples
	install -m 0644 config/examples/*.cfg $(DESTDIR)$(DATADIR)/doc/loaxa/examples/

clean:
	rm -rf build

.PHONY: all demo tests check bench fuzz fuzz-targets deps install clean po
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
