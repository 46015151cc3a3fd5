#!/bin/bash
# SPDM secured sessions over the spdm-emu socket protocol: tsmctl attest
# --session against the device emulator for each DHE group and AEAD, with
# SPDM 1.2 and 1.3 (KEY_EXCHANGE in the clear, then FINISH, HEARTBEAT,
# KEY_UPDATE and END_SESSION as secured CMA, DOE type 2, on the same
# socket), and refusals: a bad KEY_EXCHANGE_RSP signature, SPDM 1.1;
# secured-message versions 1.2/1.1/1.0 narrowed on either side.
# Usage: tests/integration/session.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=session
. "$(dirname "$0")/lib.sh"
session() { # PORT ARGS...
	local port=$1
	shift
	"$bin/tsmctl" -j attest --socket "127.0.0.1:$port" --trust "$tmp/root-$port.pem" --session "$@"
}

for v in 1.2 1.3; do
	for dhe in secp256r1 secp384r1; do
		for aead in aes-256-gcm chacha20-poly1305; do
			emu --versions $v --dhe $dhe --aead $aead
			p=$port
			out=$(session $p 2>&1)
			want_aead=$([ $aead = aes-256-gcm ] && echo AES-256-GCM || echo ChaCha20-Poly1305)
			if echo "$out" | jq -e --arg d "$dhe" --arg a "$want_aead" --arg v "$v" \
				'.attested and .version == $v and .session.established and
				.session.dhe == $d and .session.aead == $a and .session.closed and
				.session.key_updates == 2 and .session.summary_matched and
				(.session.steps | length) == 7 and all(.session.steps[]; .ok)' \
				>/dev/null 2>&1; then
				res PASS "SPDM $v $dhe $aead: KEY_EXCHANGE, FINISH, HEARTBEAT x3, KEY_UPDATE x2, END_SESSION"
			else
				res FAIL "SPDM $v $dhe $aead: $out"
			fi
		done
	done
done

emu --fault wrong-signature
p=$port
out=$("$bin/tsmctl" -j attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --session 2>/dev/null)
# the CHALLENGE signature is corrupted first: attestation fails, no session is tried
if [ $? = 1 ] && echo "$out" | jq -e '(.attested | not) and (.session == null)' >/dev/null 2>&1; then
	res PASS "a device whose signatures do not verify gets no session"
else
	res FAIL "wrong-signature: $out"
fi

emu --versions 1.1
p=$port
out=$(session $p 2>/dev/null)
if [ $? = 1 ] && echo "$out" | jq -e '.attested and (.session.established | not) and
	(.session.error | test("need SPDM 1.2"))' >/dev/null 2>&1; then
	res PASS "SPDM 1.1 device: attested, session refused with a clear reason"
else
	res FAIL "1.1: $out"
fi

# A responder without HBEAT_CAP / KEY_UPD_CAP: those steps are skipped (not
# sent), the session still opens and closes (issue 11 item 4).
emu --fault no-heartbeat,no-key-update
p=$port
out=$(session $p 2>&1)
if echo "$out" | jq -e '.attested and .session.established and .session.closed and
	.session.key_updates == 0 and
	([.session.steps[] | select(.skipped)] | length) == 5 and
	([.session.steps[] | select(.skipped) | .reason] |
		all(test("does not advertise (HBEAT_CAP|KEY_UPD_CAP)")))' >/dev/null 2>&1; then
	res PASS "no HBEAT_CAP/KEY_UPD_CAP: HEARTBEAT and KEY_UPDATE not sent, session closed"
else
	res FAIL "no-heartbeat,no-key-update: $out"
fi

# A step fails inside the session: END_SESSION is still sent (and ACKed),
# so no session stays open on the device.
emu --fault heartbeat-error
p=$port
out=$(session $p 2>/dev/null)
if [ $? = 1 ] && echo "$out" | jq -e '.session.established and (.session.closed | not) and
	(.session.error | test("HEARTBEAT: device answered ERROR Unspecified")) and
	(.session.steps[-1].step == "END_SESSION (after the failure)") and .session.steps[-1].ok' \
	>/dev/null 2>&1; then
	res PASS "a failed HEARTBEAT: the session is still ended with END_SESSION"
else
	res FAIL "heartbeat-error: $out"
fi

# KEY_EXCHANGE answered with ERROR Busy, then ResponseNotReady: retried
# and followed with RESPOND_IF_READY like every other request.
for f in busy not-ready; do
	emu --fault $f
	p=$port
	out=$(session $p 2>&1)
	if echo "$out" | jq -e '.attested and .session.established and .session.closed' \
		>/dev/null 2>&1; then
		res PASS "KEY_EXCHANGE answered $f: handled, session established and closed"
	else
		res FAIL "KEY_EXCHANGE $f: $out"
	fi
done

# A responder that selects opaque data format 0 (DSP0277's table): the
# secured-message version is negotiated in that format (issue 11 item 7).
emu --fault opaque-fmt0
p=$port
out=$(session $p 2>&1)
if echo "$out" | jq -e '.attested and .session.established and .session.closed and
	all(.session.steps[]; .ok)' >/dev/null 2>&1; then
	res PASS "opaque data format 0 selected: session established, exercised and closed"
else
	res FAIL "opaque-fmt0: $out"
fi

# Secured-message (DSP0277) versions both ways (issue 11 item 7): our
# requester offers 1.2, 1.1, 1.0 and the emulator selects the highest it
# shares; a requester restricted with --sm-versions (a stack that only
# does 1.1 or 1.0) and an emulator restricted the same way still get a
# whole session (KEY_UPDATE included) on the version both have.
sm_session() { # EMU-SM-LIST(or "") TSMCTL-SM-LIST(or "") WANT
	local e=$1 r=$2 want=$3 out
	if [ -n "$e" ]; then emu --sm-versions "$e"; else emu; fi
	p=$port
	out=$(session $p ${r:+--sm-versions "$r"} 2>&1)
	if echo "$out" | jq -e --arg w "$want" '.attested and .session.established and
		.session.secured_message_version == $w and .session.closed and
		.session.key_updates == 2 and all(.session.steps[]; .ok)' >/dev/null 2>&1; then
		res PASS "secured messages: emulator ${e:-1.2,1.1,1.0}, tsmctl ${r:-1.2,1.1,1.0}: $want selected, session exercised and closed"
	else
		res FAIL "secured messages: emulator ${e:-all}, tsmctl ${r:-all}, want $want: $out"
	fi
}
sm_session "" "" 1.2
for v in 1.2 1.1 1.0; do
	sm_session "" $v $v
	sm_session $v "" $v
done
sm_session 1.1,1.0 1.2,1.0 1.0

# nothing in common: the responder refuses KEY_EXCHANGE, the CLI says so
emu --sm-versions 1.1,1.0
p=$port
out=$(session $p --sm-versions 1.2 2>/dev/null)
if [ $? = 1 ] && echo "$out" | jq -e '.attested and (.session.established | not) and
	(.session.error | test("KEY_EXCHANGE: device answered ERROR InvalidRequest"))' \
	>/dev/null 2>&1; then
	res PASS "secured messages: no version in common: KEY_EXCHANGE refused, reason given"
else
	res FAIL "secured messages, none in common: $out"
fi
out=$("$bin/tsmctl" attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" \
	--sm-versions 1.3 2>&1)
if [ $? = 2 ] && echo "$out" | grep -q "sm-versions wants secured-message versions 1.0, 1.1, 1.2"; then
	res PASS "tsmctl --sm-versions 1.3: usage error naming the versions it knows"
else
	res FAIL "tsmctl --sm-versions 1.3: $out"
fi

reap_emus
exit $rc
