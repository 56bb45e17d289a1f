#!/bin/sh
# `loaxa collect` stops on SIGTERM while its broker is away (it waits for
# the broker on its signalfd, not in a bare sleep that no signal ends): a
# service manager's stop is not a SIGKILL after the timeout.
. "$TOP/tests/fleet-common.sh"
fleet_ca
office_cfg		# its broker port: nobody listens there
seeds=$tmp/empty
: > "$seeds"
"$LOAXA" collect -c "$tmp/office.cfg" --db "sqlite:$tmp/db.sqlite" --seeds "$seeds" --keys "$seeds" \
    > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
wait_for 20 grep -qs "cannot connect" "$tmp/collect.err" || notok "fleet collect term: the collector waits for its broker" "$(cat "$tmp/collect.err")"
sleep 1.5
kill -TERM "$cpid"
gone() { ! kill -0 "$cpid" 2> /dev/null; }
if wait_for 3 gone; then
	wait "$cpid"
	rc=$?
	[ $rc -eq 0 ] && grep -q "stopped" "$tmp/collect.err" && ok "fleet collect term: SIGTERM stops the collector while the broker is away" \
	    || notok "fleet collect term: a clean stop" "exit $rc; $(tail -3 "$tmp/collect.err")"
else
	kill -9 "$cpid" 2> /dev/null
	notok "fleet collect term: SIGTERM stops the collector while the broker is away" "still running 3 s later"
fi
