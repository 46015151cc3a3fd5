# Whole attestations through the kernel's DOE proxy: chains, CHALLENGE and
# signed measurements verified, the evidence committed to the kernel, a
# re-attestation that skips GET_CERTIFICATE because the kernel holds the
# chains DIGESTS names, identical measurements after an FLR of a healthy
# device and changed ones after an FLR of a device with the meas-change
# fault, and a device with a bad signature refused while its neighbour is
# attested.
. /tests/lib.sh
load_modules 2
start_emu -v --slots 2 --export-root /tmp/root.pem
wait_eps 2
fw() { jq -r '.measurements[] | select(.index == 2) | .value' "$1"; }
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a1.json 2>&1 ||
	fail "attest $EP0: $(cat /tmp/a1.json)"
jq -e '.attested and .challenge_verified and .measurements_verified and .summary_matched and
	(.slots | length) == 2 and (.measurements | length) == 5 and
	(.slots[0].from_cache | not) and
	(.slots[0].identity | startswith("Vendor=1b36:Device=1e10:"))' /tmp/a1.json >/dev/null ||
	fail "attest result: $(cat /tmp/a1.json)"
g1=$(jq .evidence_generation /tmp/a1.json)
n1=$(tsmctl -j show $EP0 | jq '.doe[0].exchanges')
# the kernel now holds the evidence: chains, transcripts, signed measurements
tsmctl -j evidence $EP0 >/tmp/ev.json || fail "evidence: $(cat /tmp/ev.json)"
jq -e --argjson g "$g1" '.generation == $g and .provenance == "spdm" and .locked == "unlocked" and
	([.objects[].name] | contains(["cert0", "cert1", "vca", "challenge", "measurements",
	"meas-transcript"]))' /tmp/ev.json >/dev/null || fail "kernel evidence: $(cat /tmp/ev.json)"
cmp /sys/bus/pci/devices/$EP0/tsmh/cert0 /dev/null 2>/dev/null && fail "empty cert0 in sysfs"
# re-attestation: the kernel's chains match DIGESTS, so no GET_CERTIFICATE
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a2.json 2>&1 ||
	fail "re-attest $EP0: $(cat /tmp/a2.json)"
n2=$(($(tsmctl -j show $EP0 | jq '.doe[0].exchanges') - n1))
jq -e --argjson g "$g1" '.slots[0].from_cache and .slots[1].from_cache and
	.measurements_verified and .evidence_generation > $g' /tmp/a2.json \
	>/dev/null || fail "cached re-attestation: $(cat /tmp/a2.json)"
[ "$n2" -lt "$n1" ] || fail "cached re-attestation used $n2 exchanges, the first $n1"
ok "attested through the proxy ($n1 exchanges), evidence committed (generation $g1); re-attested from the kernel's chains ($n2)"
[ "$(tsmctl -j show $EP0 | jq -r '.doe[0].owner')" = null ] || fail "claim left behind"

echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR via sysfs reset"
wait_until 5 "emulator never saw the FLR" grep -q "slot 0: function level reset" /tmp/emu.log
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a3.json 2>&1 || fail "attest after FLR: $(cat /tmp/a3.json)"
[ "$(fw /tmp/a1.json)" = "$(fw /tmp/a3.json)" ] || fail "healthy device measured differently after FLR"
ok "same measurements after FLR"
stop_emu

start_emu -v --fault meas-change --fault-slot 1 --export-root /tmp/root2.pem --plug none
tsmctl -j attest $EP1 --trust /tmp/root2.pem >/tmp/b1.json 2>&1 || fail "attest $EP1: $(cat /tmp/b1.json)"
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR of $EP1"
wait_until 5 "emulator never saw the FLR" grep -q "slot 1: function level reset" /tmp/emu.log
tsmctl -j attest $EP1 --trust /tmp/root2.pem >/tmp/b2.json 2>&1 || fail "attest $EP1 after FLR: $(cat /tmp/b2.json)"
jq -e .measurements_verified /tmp/b2.json >/dev/null || fail "b2: $(cat /tmp/b2.json)"
[ "$(fw /tmp/b1.json)" != "$(fw /tmp/b2.json)" ] || fail "meas-change device measured the same after FLR"
ok "changed firmware measurement after FLR detected (still validly signed)"
stop_emu

start_emu --fault wrong-signature --fault-slot 1 --export-root /tmp/root3.pem --plug none
tsmctl attest $EP0 --trust /tmp/root3.pem >/dev/null 2>&1 || fail "healthy neighbour not attested"
expect_fail "signature does not verify" tsmctl attest $EP1 --trust /tmp/root3.pem
ok "bad signature on $EP1 refused, $EP0 attested"
unload_modules
