#!/bin/bash
# Userspace integration: the device emulator over the spdm-emu socket
# protocol, driven by emu_client. Prints PASS/FAIL lines.
# Usage: tests/integration/run.sh BINDIR
set -u
bin=$1
log=$(mktemp)
# port 0: the kernel picks a free one, named on the "serving" line
"$bin/tsmh-emu" --listen 127.0.0.1:0 --versions 1.2,1.3 --verbose >"$log" 2>&1 &
pid=$!
port=
for _ in $(seq 100); do
	l=$(grep -o -m1 'serving .* on 127\.0\.0\.1:[0-9]*' "$log") && port=${l##*:} && break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "FAIL integration/emu-socket: emulator did not start: $(tail -n 3 "$log")"
	kill "$pid" 2>/dev/null
	rm -f "$log"
	exit 1
fi
"$bin/tests/integration/emu_client" "$port" 1.2,1.3 | sed 's/^\(PASS\|FAIL\) /\1 integration\/emu-socket: /'
rc=${PIPESTATUS[0]}
# the requester's VCA over the same socket (as against spdm_responder_emu)
out=$("$bin/tsmctl" -j spdm-info --socket "127.0.0.1:$port" 2>&1)
if echo "$out" | jq -e '.version == "1.3" and .versions == ["1.2", "1.3"] and
	.data_transfer_size == 4608' >/dev/null 2>&1; then
	echo "PASS integration/emu-socket: tsmctl spdm-info: VCA negotiated SPDM 1.3"
else
	echo "FAIL integration/emu-socket: tsmctl spdm-info: $out"
	rc=1
fi
# tsmctl ends its session with the protocol's SHUTDOWN and reads the answer
# (a peer such as spdm_responder_emu treats a bare close as a fatal error);
# emu_relay records the frame headers as they were on the wire
rlog=$(mktemp)
"$bin/tests/integration/emu_relay" "$port" "$rlog" >"$rlog.port" &
rpid=$!
rport=
for _ in $(seq 100); do
	l=$(grep -o -m1 'relay on 127\.0\.0\.1:[0-9]*' "$rlog.port") && rport=${l##*:} && break
	sleep 0.1
done
out=$("$bin/tsmctl" -j spdm-info --socket "127.0.0.1:$rport" 2>&1)
trc=$?
wait "$rpid"
if [ "$trc" = 0 ] && [ "$(tail -n 3 "$rlog")" = "> 0000fffe 00000002 00000000
< 0000fffe 00000002 00000000
> EOF" ]; then
	echo "PASS integration/emu-socket: tsmctl ends the session with SHUTDOWN (0000fffe 00000002 00000000 on the wire), the emulator answers SHUTDOWN, then tsmctl closes"
else
	echo "FAIL integration/emu-socket: SHUTDOWN on the wire: tsmctl exit $trc, $out; relay log: $(tail -n 4 "$rlog" | tr '\n' '|')"
	rc=1
fi
# ... and the emulator ended only that client's session: it serves the next
if "$bin/tsmctl" spdm-info --socket "127.0.0.1:$port" >/dev/null 2>&1 &&
	grep -q 'socket client ended its session (SHUTDOWN)' "$log"; then
	echo "PASS integration/emu-socket: after SHUTDOWN the emulator serves the next client"
else
	echo "FAIL integration/emu-socket: emulator after SHUTDOWN: $(tail -n 3 "$log")"
	rc=1
fi
rm -f "$rlog" "$rlog.port"
kill "$pid" 2>/dev/null
wait "$pid"
erc=$?
# ASan/UBSan reports make the emulator exit non-zero; SIGTERM is 143
if [ "$erc" != 0 ] && [ "$erc" != 143 ]; then
	echo "FAIL integration/emu-socket: emulator exited $erc"
	cat "$log"
	rc=1
elif grep -q 'ERROR: AddressSanitizer\|runtime error' "$log"; then
	echo "FAIL integration/emu-socket: sanitizer report"
	cat "$log"
	rc=1
fi
rm -f "$log"
exit $rc
