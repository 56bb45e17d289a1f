#!/bin/sh
# The store's unit test (tests/unit/test_store.c) on a real PostgreSQL: the
# boards' multi-row upsert in chunks, a status kept when none is given, and
# a failed transaction leaving nothing, as on SQLite.
. "$TOP/tests/fleet-common.sh"
[ -x "$PGBIN/initdb" ] || { echo "ok - fleet store pg # SKIP postgresql is not installed (make deps)"; exit 0; }
pg_start > /dev/null || { notok "fleet store pg: PostgreSQL starts"; exit 1; }
"$BUILD/tests/test_store" "$PGURL" | sed 's/^\(not ok\|ok\) - /\1 - fleet store pg: /'
