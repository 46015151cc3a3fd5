# A pending reset refuses attested releases of the device it resets, not
# of every device (issue 12, bench item 1). An attested release of $EP0
# (A) must succeed while a reset of $EP1 (B) is running (B's driver,
# tsmh_sim_drv, sleeps in reset_prepare inside pci_reset_function()) and
# while tsmh_core's reset work is still processing B's reset (reset_hold=1:
# the work unbinds B, whose remove sleeps). Before, any pending reset
# refused every device's attested release ("reset being processed"), so
# tsmd re-attested devices twice during mass FLRs. And the guarantee stays:
# while A's own reset waits behind B's in the work, A's release with the
# evidence from before that reset is refused although A's reset count has
# not moved yet, then refused as stale once it has; fresh evidence
# releases it.
. /tests/lib.sh
DRV=/sys/bus/pci/drivers/tsmh_sim_drv
P=/sys/module/tsmh_sim/parameters
BG=
cleanup() {
	{
		echo 0 >$P/drv_reset_ms
		echo 0 >$P/drv_remove_ms
		echo 0 >/sys/module/tsmh_core/parameters/reset_hold
	} 2>/dev/null
	[ -n "$BG" ] && wait "$BG" 2>/dev/null
}
trap cleanup EXIT
rcount() { tsmctl -j show "$1" | jq .reset_count; }
gate_is() { [ "$(gate "$1")" = "$2" ]; }
klog() { dmesg | grep -c -- "$1"; }
has_klog() { [ "$(klog "$1")" -gt "$2" ]; }
DIG=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabb
release_att() { tsmctl gate "$1" release --reason attested --digest $DIG --generation "$2"; }

load_modules 2
start_emu --slots 2 --export-root /tmp/root.pem
wait_eps 2
tsmctl -j info | jq -e '.reset_sources | index("flr")' >/dev/null ||
	fail "no flr reset source armed: $(tsmctl -j info | jq -c .reset_sources)"
echo "1b36 1e10" >$DRV/new_id || fail "setup: new_id"
tsmctl gate $EP1 release || fail "setup: release $EP1"
[ "$(drv $EP1)" = tsmh_sim_drv ] || fail "setup: $EP1 bound to '$(drv $EP1)'"
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a.json 2>&1 || fail "attest $EP0: $(cat /tmp/a.json)"
gen=$(tsmctl -j evidence $EP0 | jq .generation)
[ "$gen" -gt 0 ] || fail "no evidence generation for $EP0"

# ---- B's reset running: pci_reset_function(B) sits in its driver's reset_prepare
echo 4000 >$P/drv_reset_ms || fail "drv_reset_ms"
rb=$(rcount $EP1) k=$(klog "$EP1: tsmh: reset_prepare sleeps")
echo 1 >/sys/bus/pci/devices/$EP1/reset &
BG=$!
wait_until 10 "the reset of $EP1 never reached reset_prepare" has_klog "$EP1: tsmh: reset_prepare sleeps" "$k"
release_att $EP0 "$gen" >/tmp/rel.out 2>&1 ||
	fail "attested release of $EP0 refused while $EP1 is being reset: $(cat /tmp/rel.out)"
# the window was open all along: B's reset had neither returned nor been counted
kill -0 $BG 2>/dev/null && [ "$(rcount $EP1)" = "$rb" ] ||
	fail "inconclusive: the reset of $EP1 ended before the release of $EP0 did"
gate_is $EP0 released/attested || fail "$EP0 after its release: $(gate $EP0)"
ok "attested release of $EP0 while a reset of $EP1 was running"
wait "$BG" || fail "sysfs reset of $EP1 failed"
BG=
echo 0 >$P/drv_reset_ms
wait_until 10 "the reset of $EP1 was not counted" sh -c "[ \"\$(tsmctl -j show $EP1 | jq .reset_count)\" -gt $rb ]"
ok "the reset of $EP1 counted ($rb -> $(rcount $EP1)) once done"

# ---- B's reset being processed: the work holds B and its unbind sleeps
echo 1 >/sys/module/tsmh_core/parameters/reset_hold || fail "reset_hold=1"
echo 8000 >$P/drv_remove_ms || fail "drv_remove_ms"
k=$(klog "$EP1: tsmh: remove sleeps") kd=$(klog "$EP1: tsmh: remove done")
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR of $EP1"
wait_until 10 "the reset work never unbound $EP1" has_klog "$EP1: tsmh: remove sleeps" "$k"
# A's own unbind further down must not sleep
echo 0 >$P/drv_remove_ms
release_att $EP0 "$gen" >/tmp/rel.out 2>&1 ||
	fail "attested release of $EP0 refused while the reset of $EP1 is processed: $(cat /tmp/rel.out)"
ok "attested release of $EP0 while the reset work was processing $EP1's reset"

# ---- A's own reset, queued behind B's: refused before and after it is counted
ra=$(rcount $EP0)
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR of $EP0"
# (6.1 has no formatted extack: the reason only, without "reset being processed")
expect_fail "device reset since the evidence was taken" release_att $EP0 "$gen"
grep -q "taken)" /tmp/ef.out || grep -q "taken: reset being processed)" /tmp/ef.out ||
	fail "refused, but not for its own pending reset: $(cat /tmp/ef.out)"
[ "$(klog "$EP1: tsmh: remove done")" = "$kd" ] && [ "$(rcount $EP0)" = "$ra" ] ||
	fail "inconclusive: the reset of $EP0 was counted before its release was tried"
ok "attested release of $EP0 refused while its own reset waits, uncounted, behind $EP1's"
wait_until 20 "the reset of $EP0 was not counted" sh -c "[ \"\$(tsmctl -j show $EP0 | jq .reset_count)\" -gt $ra ]"
wait_until 10 "$EP0 not held after its reset: $(gate $EP0)" gate_is $EP0 held/reset
expect_fail "device reset since the evidence was taken" release_att $EP0 "$gen"
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a.json 2>&1 || fail "attest $EP0 again: $(cat /tmp/a.json)"
gen2=$(tsmctl -j evidence $EP0 | jq .generation)
release_att $EP0 "$gen2" >/tmp/rel.out 2>&1 || fail "fresh evidence did not release $EP0: $(cat /tmp/rel.out)"
gate_is $EP0 released/attested || fail "$EP0 after the fresh release: $(gate $EP0)"
ok "after its reset was counted: old evidence ($gen) refused as stale, fresh ($gen2) releases $EP0"
echo 0 >/sys/module/tsmh_core/parameters/reset_hold

unload_modules
