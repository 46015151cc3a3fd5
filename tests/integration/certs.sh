#!/bin/bash
# Certificate chains over the spdm-emu socket protocol: tsmctl certs against
# the device emulator, with a trusted root and with the fault menu.
# Usage: tests/integration/certs.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=certs
. "$(dirname "$0")/lib.sh"
emu
base=$port
out=$("$bin/tsmctl" -j certs --socket "127.0.0.1:$base" --trust "$tmp/root-$base.pem" --out "$tmp" 2>&1)
if echo "$out" | jq -e '.[0].slot == 0 and .[0].verified and .[0].certificates == 3 and
	(.[0].identity | startswith("Vendor=1b36:Device=1e10:")) and .[0].leaf_key == "EC 384"' \
	>/dev/null 2>&1 && [ -s "$tmp/slot0.spdmchain" ]; then
	res PASS "slot 0 chain fetched, saved and verified; CMA identity read from the leaf"
else
	res FAIL "good chain: $out"
fi

emu --fault unknown-root
p1=$port
out=$("$bin/tsmctl" certs --socket "127.0.0.1:$p1" --trust "$tmp/root-$p1.pem" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "NOT VERIFIED: chain does not verify"; then
	res PASS "chain to an unknown root refused"
else
	res FAIL "unknown root: $out"
fi

emu --fault bad-san
p2=$port
out=$("$bin/tsmctl" certs --socket "127.0.0.1:$p2" --trust "$tmp/root-$p2.pem" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "lacks the SPDM/CMA identity"; then
	res PASS "leaf without the CMA identity refused"
else
	res FAIL "bad SAN: $out"
fi

emu --no-certs
p3=$port
out=$("$bin/tsmctl" certs --socket "127.0.0.1:$p3" --trust "$tmp/root-$base.pem" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "does not advertise CERT_CAP"; then
	res PASS "device without CERT_CAP: refused with the reason"
else
	res FAIL "no certs: $out"
fi
reap_emus
exit $rc
