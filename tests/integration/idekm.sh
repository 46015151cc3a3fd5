#!/bin/bash
# IDE_KM over the spdm-emu socket protocol: tsmctl ide km (protocol only,
# no kernel) against the device emulator: authentication, session, QUERY,
# six KEY_PROGs, six K_SET_GOs, six K_SET_STOPs, END_SESSION, at SPDM 1.2
# and 1.3; each IDE_KM fault of the emulator gives its documented error and
# exit status 1, and the session is still ended (the emulator's log says
# END_SESSION ended it); no key or IFV ever appears in tsmctl's output
# (either form) or in the emulator's --verbose log; --keep skips K_SET_STOP
# and --key-file writes the keys to a new 0600 file only.
# Usage: tests/integration/idekm.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=idekm
. "$(dirname "$0")/lib.sh"
km() { # PORT [-j] ARGS...
	local port=$1 j=
	shift
	[ "${1:-}" = -j ] && j=-j && shift
	"$bin/tsmctl" $j ide km --socket "127.0.0.1:$port" --trust "$tmp/root-$port.pem" "$@"
}
ended() { # PORT: the emulator logged the session's END_SESSION
	grep -q 'session 0x[0-9a-f]* ended (END_SESSION)' "$tmp/emu-$1.log"
}
# Long hex runs: a 32-byte key or 8-byte IFV printed as hex would be one.
# Nothing tsmctl ide km or tsmh-emu -v prints has 16 hex digits in a row.
no_hex() { ! grep -Eq '[0-9a-fA-F]{16}' "$@"; }

for v in 1.2 1.3; do
	emu --verbose --versions $v
	p=$port
	km $p -j --stream-id 7 >"$tmp/out-$p.json" 2>"$tmp/err-$p"
	e=$?
	if [ $e = 0 ] && jq -e '.ok and .session_closed and .stream_id == 7 and
		.query.selective_streams == 2 and .query.ide_km and .query.tee_limited and
		.query.link and .query.link_tcs == 1 and
		.query.address_association_blocks == [1, 1] and
		([.steps[] | select(.step | startswith("KEY_PROG")) | select(.kp_ack_status == 0)]
			| length) == 6 and
		([.steps[] | select(.step | startswith("K_SET_GO"))] | length) == 6 and
		([.steps[] | select(.step | startswith("K_SET_STOP"))] | length) == 6 and
		.steps[-1].step == "END_SESSION" and all(.steps[]; .ok)' "$tmp/out-$p.json" \
		>/dev/null 2>&1 && ended $p &&
		[ "$(grep -c 'set active' "$tmp/emu-$p.log")" = 1 ] &&
		[ "$(grep -c 'key stopped and wiped' "$tmp/emu-$p.log")" = 6 ]; then
		res PASS "SPDM $v: QUERY, 6 KEY_PROG (KP_ACK success), 6 K_SET_GO (set active), 6 K_SET_STOP, END_SESSION"
	else
		res FAIL "SPDM $v (exit $e): $(cat "$tmp/out-$p.json" "$tmp/err-$p")"
	fi
	km $p --stream-id 7 >"$tmp/out-$p.txt" 2>&1
	e=$?
	if [ $e = 0 ] && grep -q 'link IDE: yes, 1 TC; selective IDE: yes, 2 streams' "$tmp/out-$p.txt" &&
		[ "$(grep -c '^  K_SET_GO stream 7 K0 [RT]X N*PR* *ok$\|^  K_SET_GO stream 7 K0 [RT]X CPL *ok$' "$tmp/out-$p.txt")" = 6 ] &&
		grep -q '^  END_SESSION  *ok$' "$tmp/out-$p.txt"; then
		res PASS "SPDM $v: human output lists the capability and every step"
	else
		res FAIL "SPDM $v human output (exit $e): $(cat "$tmp/out-$p.txt")"
	fi
	if no_hex "$tmp/out-$p.json" "$tmp/out-$p.txt" "$tmp/err-$p" "$tmp/emu-$p.log" &&
		grep -q 'KEY_PROG stream 7 K0 TX CPL port 0: KP_ACK status 0' "$tmp/emu-$p.log"; then
		res PASS "SPDM $v: no key or IFV in tsmctl's output or the emulator's verbose log"
	else
		res FAIL "SPDM $v: a long hex string (a key?) was printed: $(grep -Eh '[0-9a-fA-F]{16}' \
			"$tmp/out-$p.json" "$tmp/out-$p.txt" "$tmp/emu-$p.log" | head -n 3)"
	fi
done

# Faults: FAULT, what tsmctl must say (stderr and the JSON "error")
check_fault() { # FAULT REGEX TEXT [TSMCTL ARGS...]
	local f=$1 re=$2 text=$3 p e
	shift 3
	emu --verbose --fault "$f"
	p=$port
	km $p -j "$@" >"$tmp/out-$p.json" 2>"$tmp/err-$p"
	e=$?
	if [ $e = 1 ] && jq -e --arg re "$re" '(.ok | not) and (.error | test($re)) and
		(.steps[-1].step == "END_SESSION (after the failure)") and .steps[-1].ok and
		.session_closed' "$tmp/out-$p.json" >/dev/null 2>&1 &&
		grep -Eq "tsmctl: ide km 127.0.0.1:$p: .*$re" "$tmp/err-$p" && ended $p &&
		no_hex "$tmp/out-$p.json" "$tmp/err-$p" "$tmp/emu-$p.log"; then
		res PASS "$f: $text; exit 1, END_SESSION still sent"
	else
		res FAIL "$f (exit $e): $(cat "$tmp/out-$p.json" "$tmp/err-$p"; tail -n 5 "$tmp/emu-$p.log")"
	fi
}
check_fault kp-ack-error 'KEY_PROG stream 0 K0 RX PR: KP_ACK status 4 \(unspecified failure\)' \
	"the first KEY_PROG fails with its KP_ACK status named"
check_fault idekm-wrong-port 'QUERY port 0: QUERY_RESP names port index 1, expected 0' \
	"an answer for another port is refused"
check_fault idekm-silent 'QUERY port 0: transport: .*no whole response within 1000 ms' \
	"no answer: the step times out" --timeout 1

# never-secure is invisible to the protocol (the sim will keep such a
# stream insecure): keying succeeds, the emulator's log says what it will do
emu --verbose --fault never-secure
p=$port
if km $p -j >"$tmp/out-$p.json" 2>&1 && jq -e '.ok' "$tmp/out-$p.json" >/dev/null 2>&1 &&
	grep -q 'fault never-secure: the stream will not go SECURE' "$tmp/emu-$p.log" && ended $p; then
	res PASS "never-secure: keys and GO accepted, flagged for the sim, session ended"
else
	res FAIL "never-secure: $(cat "$tmp/out-$p.json"; tail -n 5 "$tmp/emu-$p.log")"
fi

# --keep --key-file: no K_SET_STOP, the six keys written to a new 0600 file
# (never over an existing one), and still none of them printed
p=$port
km $p -j --stream-id 3 --keep --key-file "$tmp/keys" >"$tmp/out-k.json" 2>"$tmp/err-k"
e=$?
km $p --stream-id 3 --key-file "$tmp/keys" >"$tmp/out-k2.txt" 2>&1
e2=$?
kfmt='^3 0 [RT]X (PR|NPR|CPL) [0-9a-f]{64} [0-9a-f]{16}$'
if [ $e = 0 ] && jq -e '.ok and ([.steps[] | select(.step | startswith("K_SET_STOP"))] | length) == 0 and
	([.steps[] | select(.step | startswith("K_SET_GO"))] | length) == 6' "$tmp/out-k.json" >/dev/null &&
	[ "$(stat -c %a "$tmp/keys")" = 600 ] && [ "$(grep -Ec "$kfmt" "$tmp/keys")" = 6 ] &&
	[ "$(cut -d' ' -f5 "$tmp/keys" | sort -u | wc -l)" = 6 ] &&
	[ $e2 = 1 ] && grep -q 'keys: File exists (remove it first)' "$tmp/out-k2.txt" &&
	no_hex "$tmp/out-k.json" "$tmp/err-k" "$tmp/emu-$p.log"; then
	res PASS "--keep --key-file: 6 GO, no STOP; 6 distinct keys in a 0600 file; an existing file refused"
else
	res FAIL "--keep --key-file (exit $e, $e2): $(cat "$tmp/out-k.json" "$tmp/err-k" "$tmp/out-k2.txt"; ls -l "$tmp/keys")"
fi

# usage: a target (DEV or --socket) is needed; an unknown verb is a usage error
"$bin/tsmctl" ide km --trust "$tmp/root-$p.pem" >/dev/null 2>"$tmp/err-u1"
e1=$?
"$bin/tsmctl" ide frob >/dev/null 2>"$tmp/err-u2"
e2=$?
"$bin/tsmctl" ide km --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --stream-id 256 \
	>/dev/null 2>"$tmp/err-u3"
e3=$?
if [ $e1 = 2 ] && grep -q 'one target: DEV or --socket' "$tmp/err-u1" && [ $e2 = 2 ] &&
	grep -q "unknown verb 'frob'" "$tmp/err-u2" && [ $e3 = 2 ] &&
	grep -q 'stream-id wants 0-255' "$tmp/err-u3"; then
	res PASS "usage errors: no target, unknown verb, stream ID out of range (exit 2)"
else
	res FAIL "usage: $e1 $e2 $e3 $(cat "$tmp"/err-u*)"
fi

reap_emus
exit $rc
