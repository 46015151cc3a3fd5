# SPDM secured sessions through the kernel's DOE proxy: attest --session on
# an endpoint (KEY_EXCHANGE over CMA, FINISH/HEARTBEAT/KEY_UPDATE/END_SESSION
# as secured CMA, DOE type 2, which the emulator advertises in discovery and
# the proxy lets through on the claimed mailbox), for both AEADs and
# secured-message versions 1.2 (ours and the emulator's first choice) and
# 1.1 (an emulator that only does 1.1); and a device with a bad signature
# gets no session.
. /tests/lib.sh
load_modules 2
start_emu -v --export-root /tmp/root.pem --aead chacha20-poly1305 --dhe secp256r1
wait_eps 2
tsmctl -j attest $EP0 --trust /tmp/root.pem --session >/tmp/s1.json 2>&1 ||
	fail "attest --session $EP0: $(cat /tmp/s1.json)"
jq -e '.session.established and .session.closed and .session.key_updates == 2 and
	.session.aead == "ChaCha20-Poly1305" and .session.dhe == "secp256r1" and
	.session.secured_message_version == "1.2" and
	all(.session.steps[]; .ok)' /tmp/s1.json >/dev/null || fail "session: $(cat /tmp/s1.json)"
grep -q "request" /tmp/emu.log || fail "emulator saw no requests"
ok "session through the proxy: KEY_EXCHANGE, FINISH, HEARTBEAT, KEY_UPDATE x2, END_SESSION (ChaCha20-Poly1305, secp256r1, secured messages 1.2)"
[ "$(tsmctl -j show $EP0 | jq -r '.doe[0].owner')" = null ] || fail "claim left behind"
stop_emu

start_emu --export-root /tmp/root2.pem --plug none --sm-versions 1.1
tsmctl -j attest $EP1 --trust /tmp/root2.pem --session >/tmp/s2.json 2>&1 ||
	fail "attest --session $EP1: $(cat /tmp/s2.json)"
jq -e '.session.established and .session.aead == "AES-256-GCM" and .session.dhe == "secp384r1" and
	.session.secured_message_version == "1.1" and .session.closed and .session.key_updates == 2' \
	/tmp/s2.json >/dev/null || fail "session 2: $(cat /tmp/s2.json)"
ok "session through the proxy with AES-256-GCM, secp384r1, secured messages 1.1 (an emulator without 1.2)"
stop_emu

start_emu --fault wrong-signature --fault-slot 1 --export-root /tmp/root3.pem --plug none
expect_fail "does not verify" tsmctl attest $EP1 --trust /tmp/root3.pem --session
ok "device with a bad signature refused before any session"
unload_modules
