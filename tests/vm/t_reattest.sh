# Re-attestation through the kernel's DOE proxy against the kernel's record
# (issue 11 "Performance"): the first attestation commits the object
# "verified" (the verifier's record of each chain); tsmctl attest --reattest
# re-checks the attested slot's chain against it, carries the other slot,
# sends no CHALLENGE and commits evidence without one; a record that no
# longer applies (its anchor gone, or an admin-written record naming
# another anchor) is not used and the chain is verified in full.
. /tests/lib.sh
load_modules 1
start_emu --slots 2 --export-root /tmp/root.pem
wait_eps 1
tsmctl attest $EP0 --trust /tmp/root.pem >/tmp/a1.txt 2>&1 || fail "attest: $(cat /tmp/a1.txt)"
tsmctl evidence $EP0 --object verified --out /tmp/v1 || fail "no 'verified' object after an attestation"
head -n1 /tmp/v1 | grep -qx "tsmh-chain-verified 1" && [ "$(grep -c '^slot [01] sha384 [0-9a-f]* anchor-sha256 ' /tmp/v1)" = 2 ] ||
	fail "record: $(cat /tmp/v1)"
ok "attestation committed the verifier's record of both chains"

c0s=$(tsmctl -j evidence $EP0 | jq -c '[.objects[] | select(.name | startswith("cert")) | .sha384]')
tsmctl -j attest $EP0 --trust /tmp/root.pem --reattest >/tmp/r.json 2>/tmp/r.err || fail "reattest: $(cat /tmp/r.err /tmp/r.json)"
jq -e '.attested and .mode == "reattest" and (.challenge_verified | not) and .measurements_verified and
	([.slots[].chain] == ["rechecked", "carried"])' /tmp/r.json >/dev/null || fail "reattest: $(cat /tmp/r.json)"
tsmctl -j evidence $EP0 | jq -e --argjson g "$(jq .evidence_generation /tmp/r.json)" '.generation == $g and
	([.objects[].name] | (index("challenge") | not) and contains(["cert0", "cert1", "vca", "measurements",
	"meas-transcript", "verified"]))' >/dev/null || fail "evidence after reattest: $(tsmctl -j evidence $EP0)"
c1=$(tsmctl -j evidence $EP0 | jq -c '[.objects[] | select(.name | startswith("cert")) | .sha384]')
[ "$c1" = "$c0s" ] || fail "chains changed by the re-attestation: $c0s -> $c1"
jq -e '.slots[0].kept and .slots[1].kept' /tmp/r.json >/dev/null || fail "chains not kept: $(cat /tmp/r.json)"
ok "re-attestation: slot 0 re-checked, slot 1 carried, no CHALLENGE; committed without a challenge object, chains kept"

# trust moved to a root that did not verify the chain: record not used, full verification fails
mkdir -p /tmp/other
# the kernel's evidence commit keeps objects of the current set (ABI 4)
echo v >/tmp/vca.k
gen=$(tsmctl -j evidence $EP0 | jq .generation)
out=$(evput $EP0 obj:vca:/tmp/vca.k commit:spdm:keep=cert0@$((gen + 1000)) 2>&1) &&
	fail "keep from a generation that is not current: $out"
echo "$out" | grep -q "evidence replaced since the generation to keep from" || fail "stale keep: $out"
out=$(evput $EP0 obj:vca:/tmp/vca.k commit:spdm:keep=report@$gen 2>&1) && fail "kept a missing object: $out"
echo "$out" | grep -q "no such object to keep" || fail "missing keep: $out"
out=$(evput $EP0 obj:vca:/tmp/vca.k commit:spdm:keep=vca+cert0@$gen 2>&1) && fail "kept a staged object: $out"
echo "$out" | grep -q "both staged and kept" || fail "staged keep: $out"
[ "$(tsmctl -j evidence $EP0 | jq .generation)" = "$gen" ] || fail "a refused keep changed the set"
c0=$(tsmctl -j evidence $EP0 | jq -r '.objects[] | select(.name == "cert0") | .sha384')
evput $EP0 obj:vca:/tmp/vca.k commit:spdm:keep=cert0+cert1@$gen >/tmp/keep.out 2>&1 || fail "keep: $(cat /tmp/keep.out)"
tsmctl -j evidence $EP0 | jq -e --arg c "$c0" '([.objects[].name] | sort) == ["cert0", "cert1", "vca"] and
	(.objects[] | select(.name == "cert0") | .sha384) == $c' >/dev/null || fail "after keep: $(tsmctl -j evidence $EP0)"
ok "commit with keep: stale generation, missing and staged objects refused (set unchanged); kept objects identical"
tsmctl attest $EP0 --trust /tmp/root.pem >/dev/null 2>&1 || fail "attest again"

# another emulator's root (a socket-only emulator: it exports its root and is stopped)
tsmh-emu --listen 127.0.0.1:0 --export-root /tmp/other/other.pem >/tmp/emu2.log 2>&1 &
e2=$!
wait_until 10 "second emulator exported no root" test -s /tmp/other/other.pem
kill $e2
wait $e2 2>/dev/null
tsmctl -j attest $EP0 --trust /tmp/other --reattest >/tmp/r2.json 2>/dev/null && fail "re-attested against a root that never signed it"
jq -e '.failed_step == "verify chain" and (.record_not_used | test("no longer in /tmp/other"))' /tmp/r2.json >/dev/null ||
	fail "anchor gone: $(cat /tmp/r2.json)"
ok "anchor gone: $(jq -r .record_not_used /tmp/r2.json); chain verified in full and refused"

# an admin-planted record naming another anchor is re-checked, not believed
tsmctl evidence $EP0 --object verified --out /tmp/v2 || fail "read verified"
sed -i 's/anchor-sha256 [0-9a-f]*/anchor-sha256 '"$(printf '%064d' 0)"'/' /tmp/v2
for o in cert0 cert1 vca measurements meas-transcript; do
	tsmctl evidence $EP0 --object $o --out /tmp/o-$o || fail "read $o"
done
evput $EP0 set:spdm:cert0=/tmp/o-cert0,cert1=/tmp/o-cert1,vca=/tmp/o-vca,measurements=/tmp/o-measurements,meas-transcript=/tmp/o-meas-transcript,verified=/tmp/v2 \
	>/tmp/put.out 2>&1 || fail "evput: $(cat /tmp/put.out)"
tsmctl -j attest $EP0 --trust /tmp/root.pem --reattest >/tmp/r3.json 2>/tmp/r3.err || fail "reattest: $(cat /tmp/r3.err /tmp/r3.json)"
jq -e '.attested and .slots[0].chain == "verified" and (.record_not_used | test("sha256 00000000"))' /tmp/r3.json >/dev/null ||
	fail "planted record: $(cat /tmp/r3.json)"
ok "a record naming an anchor not in the trust set: not used, chain verified in full"
unload_modules
