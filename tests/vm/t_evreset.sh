# Evidence taken before a reset is not accepted after it (issue 10, item
# 2). Evidence records the device's reset count when its writer started
# (the first DOE exchange of the attestation, else the first chunk); an
# attested release quoting evidence from before the device's last reset
# is refused with ESTALE ("device reset since the evidence was taken"),
# the device stays held and REATTEST stays set until evidence taken after
# the reset is accepted. tsmd, whose worker measured before a reset that
# landed before its verdict, is refused and attests again.
. /tests/lib.sh
# at exit, besides the stage's own teardown (tests/vm/lib.sh): never leave
# tsmd stopped
test_cleanup() { [ -n "$TSMD_PID" ] && kill -CONT "$TSMD_PID" 2>/dev/null; }
rcount() { tsmctl -j show "$1" | jq .reset_count; }
evgen() { tsmctl -j evidence "$1" | jq .generation; }
evreset() { tsmctl -j evidence "$1" | jq .reset_count; }
reattest() { tsmctl -j show "$1" | jq -r .gate.reattest; }
SYS0=/sys/bus/pci/devices/$EP0/tsmh
DIG=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabb

# slot 1 ($EP1) answers slowly: tsmd's worker can be caught mid-attestation
tsmd_stage -k reset_hold=1 -- --delay-ms 150 --fault-slot 1

# ---- by hand: attest, accept, reset, the old evidence quoted again
tsmctl -j attest $EP0 --trust "$TSMD_ROOT" >/tmp/a.json 2>&1 || fail "attest: $(cat /tmp/a.json)"
g1=$(evgen $EP0)
[ "${g1:-0}" -gt 0 ] || fail "no evidence after attest"
tsmctl gate $EP0 release --reason attested --digest $DIG --generation $g1 >/dev/null ||
	fail "attested release of generation $g1"
wait_until 10 "pci-stub did not bind $EP0" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$EP0/driver))\" = pci-stub ]"
r0=$(rcount $EP0)
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR $EP0"
wait_until 10 "not held after the FLR: $(gate $EP0)" sh -c "[ \"\$(tsmctl -j show $EP0 | jq -r '.gate.state + \"/\" + .gate.reason')\" = held/reset ]"
[ "$(reattest $EP0)" = true ] || fail "reattest not set after the FLR"
r1=$(rcount $EP0)
[ "$r1" -gt "$r0" ] || fail "reset count did not move ($r0 -> $r1)"
ok "evidence generation $g1 accepted, FLR: held/reset, reattest set, reset count $r0 -> $r1"

expect_fail "device reset since the evidence was taken" \
	tsmctl gate $EP0 release --reason attested --digest $DIG --generation $g1
[ "$(gate $EP0)" = held/reset ] || fail "the refused release changed the gate: $(gate $EP0)"
[ "$(reattest $EP0)" = true ] || fail "the refused release cleared reattest"
[ -z "$(drv $EP0)" ] || fail "$EP0 bound to $(drv $EP0) on evidence from before its reset"
ok "release quoting generation $g1 (from before the FLR) refused; held, reattest set, no driver"

# the evidence says when it was taken: netlink, tsmctl, sysfs
[ "$(evreset $EP0)" = "$r0" ] || fail "evidence reset count $(evreset $EP0), want $r0"
[ "$(cat $SYS0/reset_count)" = "$r0" ] || fail "sysfs reset_count $(cat $SYS0/reset_count), want $r0"
tsmctl evidence $EP0 | grep -q "taken at: *device reset count $r0" ||
	fail "tsmctl evidence: $(tsmctl evidence $EP0 | head -n 8)"
ok "evidence generation $g1 shows reset count $r0 (netlink, sysfs, tsmctl evidence)"

# a stale release does not consume anything: fresh evidence is accepted
tsmctl -j attest $EP0 --trust "$TSMD_ROOT" >/tmp/a.json 2>&1 || fail "attest again: $(cat /tmp/a.json)"
g2=$(evgen $EP0)
[ "$(evreset $EP0)" = "$r1" ] || fail "new evidence reset count $(evreset $EP0), want $r1"
tsmctl gate $EP0 release --reason attested --digest $DIG --generation $g2 >/dev/null ||
	fail "attested release of fresh generation $g2"
[ "$(gate $EP0)" = released/attested ] || fail "after the fresh release: $(gate $EP0)"
[ "$(reattest $EP0)" = false ] || fail "fresh evidence did not clear reattest"
wait_until 10 "pci-stub did not bind $EP0 after the fresh release" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
ok "evidence taken after the FLR (generation $g2, reset count $r1) releases and clears reattest"

# evidence uploaded before a reset and committed after it is stale too:
# the first chunk starts it (no exchange through the kernel: evput)
head -c 3000 /dev/urandom >/tmp/vca.bin
evput $EP0 obj:vca:/tmp/vca.bin sleep:5000 commit:firmware-tsm >/tmp/evput.out 2>&1 &
EVP=$!
wait_until 4 "evput staged nothing: $(cat /tmp/evput.out)" sh -c "[ \"\$(evput $EP0 staged | sed -n 's/^staged //p')\" -gt 0 ]"
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR $EP0 during the upload"
wait $EVP || fail "evput: $(cat /tmp/evput.out)"
g3=$(sed -n 's/^generation //p' /tmp/evput.out)
r2=$(rcount $EP0)
[ "$r2" -gt "$r1" ] || fail "second FLR not counted"
[ "$(evgen $EP0)" = "$g3" ] && [ "$(evreset $EP0)" = "$r1" ] ||
	fail "upload across the FLR: generation $(evgen $EP0) reset count $(evreset $EP0), want $g3/$r1"
wait_until 10 "not held after the second FLR" sh -c "[ \"\$(tsmctl -j show $EP0 | jq -r .gate.state)\" = held ]"
expect_fail "device reset since the evidence was taken" \
	tsmctl gate $EP0 release --reason attested --digest $DIG --generation $g3
ok "evidence whose upload started before an FLR and was committed after it is refused"

# ---- tsmd: the device is reset after its worker measured, before its verdict
tsmd_conf certificate '"attest_timeout_ms": 120000'
tsmd_start
# $EP0 (held after its reset, with a digest tsmd never accepted) and $EP1
tsmd_accept $EP0 $EP1
g=$(evgen $EP1)
c=$(rcount $EP1)
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR $EP1"
wait_until 30 "tsmd's worker never claimed $EP1's mailbox" sh -c "[ \"\$(tsmctl -j show $EP1 | jq -r '.doe[0].owner.kind // \"none\"')\" = host ]"
kill -STOP "$TSMD_PID"
# the worker (its own process) measures, commits and exits; tsmd sleeps
wait_until 60 "the worker never committed for $EP1" sh -c "[ \"\$(tsmctl -j evidence $EP1 | jq .generation)\" -gt $g ] && [ \"\$(tsmctl -j show $EP1 | jq -r '.doe[0].owner.kind // \"none\"')\" = none ]"
gw=$(evgen $EP1)
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR $EP1 after the worker measured"
wait_until 10 "second FLR of $EP1 not counted" sh -c "[ \"\$(tsmctl -j show $EP1 | jq .reset_count)\" -ge $((c + 2)) ]"
[ "$(gate $EP1)" = held/reset ] || fail "$EP1 not held after its resets: $(gate $EP1)"
kill -CONT "$TSMD_PID"
wait_until 60 "tsmd did not restore $EP1" sh -c "[ \"\$(tsmctl -j show $EP1 | jq -r '.gate.state + \"/\" + .gate.reason + \"/\" + (.gate.reattest | tostring)')\" = released/attested/false ]"
grep -q "$EP1.*device reset since the evidence was taken.*attesting again" /tmp/tsmd.log ||
	tfail "tsmd released $EP1 on evidence generation $gw, measured before reset #$(rcount $EP1)"
[ "$(evgen $EP1)" -gt "$gw" ] || tfail "tsmd released $EP1 without new evidence"
[ "$(evreset $EP1)" = "$(rcount $EP1)" ] ||
	tfail "accepted evidence of $EP1 from reset $(evreset $EP1), device at $(rcount $EP1)"
wait_until 10 "pci-stub did not bind $EP1" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
ok "tsmd refused on generation $gw (reset after its measurement), attested again, restored $EP1"

tsmd_stage_down
