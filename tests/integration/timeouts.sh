#!/bin/bash
# Nobody waits forever on the spdm-emu socket (issue 11 item 11): the
# emulator serves its clients side by side, so one stalled mid-frame
# delays no other and is dropped after a while; tsmctl --socket gives up
# on a silent, dripping or unreachable peer within its --timeout (a total
# per message, not per byte) and names the step (connect, send, receive,
# which SPDM request).
# Usage: tests/integration/timeouts.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=timeouts
. "$(dirname "$0")/lib.sh"
peer=$bin/tests/integration/emu_bad_peer
ms() { echo $(($(date +%s%N) / 1000000)); }
# start a helper (ARGS...) whose first line names its port; sets $bport
bad_peer() {
	local out=$tmp/peer-$#-$1.out
	"$peer" "$@" >"$out" 2>&1 &
	pids="$pids $!"
	bport=
	for _ in $(seq 100); do
		bport=$(grep -o -m1 'on 127\.0\.0\.1:[0-9]*' "$out" | cut -d: -f2) && [ -n "$bport" ] && return 0
		sleep 0.1
	done
	res FAIL "emu_bad_peer $*: did not start: $(cat "$out")"
	return 1
}
# tsmctl ARGS... bounded by `timeout` (a hang is a FAIL, not a hung suite);
# sets $out, $trc and $took (ms)
run() {
	local t0
	t0=$(ms)
	out=$(timeout 30 "$bin/tsmctl" "$@" 2>&1)
	trc=$?
	took=$(($(ms) - t0))
}

# 1. a client stalled mid-frame does not hold up a full attestation
emu
p=$port
"$peer" stall "$p" >"$tmp/stall.out" 2>&1 &
spid=$!
pids="$pids $spid"
for _ in $(seq 50); do
	grep -qs stalled "$tmp/stall.out" && break
	sleep 0.1
done
t_stall=$(ms)
run -j attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --session
if [ "$trc" = 0 ] && echo "$out" | jq -e '.attested' >/dev/null 2>&1; then
	res PASS "a client stalled after 6 header bytes: another client's attestation (with a session) still completes (${took} ms)"
else
	res FAIL "attestation beside a stalled client: exit $trc after ${took} ms: $out"
fi
# ... and the stalled one is dropped (after 10 s), its slot freed
left=$((t_stall + 11000 - $(ms)))
[ "$left" -gt 0 ] && sleep $((left / 1000 + 1))
if grep -q 'stalled mid-frame (6 of a frame' "$tmp/emu-$p.log"; then
	res PASS "the emulator drops the client stalled mid-frame: $(grep -m1 -o 'socket client stalled.*' "$tmp/emu-$p.log")"
else
	res FAIL "stalled client not dropped: $(tail -n 3 "$tmp/emu-$p.log")"
fi
kill "$spid" 2>/dev/null

# 2. a responder that never answers: GET_VERSION's receive times out
emu --fault silent
run spdm-info --socket "127.0.0.1:$port" --timeout 1
if [ "$trc" = 1 ] && [ "$took" -lt 3000 ] && grep -q 'GET_VERSION: transport: .*receive: no whole response within 1000 ms (0 bytes arrived)' <<<"$out"; then
	res PASS "silent responder, --timeout 1: exit 1 after ${took} ms: $out"
else
	res FAIL "silent responder, --timeout 1: exit $trc after ${took} ms: $out"
fi
# ... and without --timeout, the default (5 s) bounds it as well
run spdm-info --socket "127.0.0.1:$port"
if [ "$trc" = 1 ] && [ "$took" -lt 8000 ] && grep -q 'GET_VERSION: .*within 5000 ms' <<<"$out"; then
	res PASS "silent responder, default timeout: exit 1 after ${took} ms"
else
	res FAIL "silent responder, default timeout: exit $trc after ${took} ms: $out"
fi

# 3. a responder dripping a byte every 200 ms: the deadline is per message, not per byte
if bad_peer drip 200; then
	run attest --socket "127.0.0.1:$bport" --trust "$tmp/root-$p.pem" --timeout 1.5
	if [ "$trc" = 1 ] && [ "$took" -lt 3500 ] &&
		grep -q 'GET_VERSION: transport: .*receive: no whole response within 1500 ms ([1-9][0-9]* bytes arrived)' <<<"$out"; then
		res PASS "dripping responder, --timeout 1.5: exit 1 after ${took} ms: $out"
	else
		res FAIL "dripping responder, --timeout 1.5: exit $trc after ${took} ms: $out"
	fi
fi

# 4. a listener that never accepts: connect times out
if bad_peer full; then
	run spdm-info --socket "127.0.0.1:$bport" --timeout 1
	if [ "$trc" = 1 ] && [ "$took" -lt 3000 ] &&
		grep -q "connect 127.0.0.1:$bport: no connection within 1000 ms" <<<"$out"; then
		res PASS "a connect that never completes, --timeout 1: exit 1 after ${took} ms: $out"
	else
		res FAIL "connect that never completes: exit $trc after ${took} ms: $out"
	fi
fi

# 5. --timeout wants a positive number of seconds
run certs --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --timeout 0
if [ "$trc" = 2 ] && grep -q -- '--timeout wants seconds' <<<"$out"; then
	res PASS "--timeout 0 is a usage error"
else
	res FAIL "--timeout 0: exit $trc: $out"
fi

reap_emus
# a host name that does not resolve says so (it said "No route to host")
out=$(timeout 30 "$bin/tsmctl" spdm-info --socket no-such-host.invalid:2323 2>&1)
e=$?
if [ $e = 1 ] && echo "$out" | grep -q "connect no-such-host.invalid:2323: cannot resolve no-such-host.invalid: "; then
	res PASS "an unresolvable host name is reported as such"
else
	res FAIL "unresolvable host (exit $e): $out"
fi
exit $rc
