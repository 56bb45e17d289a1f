#!/bin/sh
# The Vietnamese catalog: boards speak Vietnamese, so every message staff or
# auditors see must be in po/vi.po, translated, with the same format
# specifiers as the English (msgfmt -c), and none left fuzzy. The catalog is
# measured against the sources as they are now (xgettext, msgmerge), so a
# new message added without its translation fails here, not on a board.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok - po: $1"; }
nok() { echo "not ok - po: $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

if ! command -v xgettext > /dev/null || ! command -v msgfmt > /dev/null; then
	echo "not ok - po: gettext tools missing (tests/deps.sh installs gettext)"
	exit 1
fi
cd "$top" || exit 1
if msgfmt -c -o /dev/null po/vi.po > "$t/c" 2>&1; then ok "msgfmt -c po/vi.po: format specifiers match the English"
else nok "msgfmt -c po/vi.po: format specifiers match the English" "$t/c"; fi

# the sources' messages now, with the keywords the Makefile's `po` target uses
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
    -o "$t/now.pot" base/*.c audio/*.c config/*.c scheduler/*.c intake/*.c report/*.c firmware/*.c firmware/cli/*.c office/*.c 2> "$t/x" || { nok "xgettext reads the sources" "$t/x"; exit 1; }
msgmerge -q --no-fuzzy-matching -o "$t/vi.po" po/vi.po "$t/now.pot" 2> "$t/m"
msgfmt -c --statistics -o /dev/null "$t/vi.po" > "$t/s" 2>&1
stats=$(cat "$t/s")
case $stats in
*untranslated* | *fuzzy*)
	msgattrib --untranslated --no-location --no-wrap "$t/vi.po" | grep '^msgid ' | grep -v '^msgid ""$' | head -20 > "$t/u"
	nok "every message of the sources is translated in po/vi.po ($stats; run make po and translate)" "$t/u" ;;
*" translated message"*) ok "every message of the sources is translated in po/vi.po ($stats)" ;;
*) nok "msgfmt --statistics" "$t/s" ;;
esac
# the catalog the build installs says the same as the .po (make rebuilt it)
mo=${BUILD:-$top/build}/locale/vi/LC_MESSAGES/loaxa.mo
if [ -f "$mo" ] && [ ! po/vi.po -nt "$mo" ]; then ok "the built catalog $mo is up to date"
else nok "the built catalog $mo is missing or older than po/vi.po (make)"; fi
