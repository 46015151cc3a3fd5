# SPDM connection setup (VCA) through the kernel's DOE proxy: version
# negotiation with fallback, the mailbox claim held during VCA, and an FLR
# that resets the device's SPDM state.
. /tests/lib.sh
load_modules 2
start_emu -v --versions 1.2,1.3
wait_eps 2
tsmctl -j spdm-info $EP0 >/tmp/vca.json || fail "spdm-info: $(cat /tmp/vca.json)"
jq -e '.version == "1.3" and .versions == ["1.2", "1.3"] and .data_transfer_size == 4608' \
	/tmp/vca.json >/dev/null || fail "VCA result: $(cat /tmp/vca.json)"
ok "VCA through the proxy negotiated 1.3"
tsmctl spdm-info $EP0
[ "$(tsmctl -j show $EP0 | jq -r '.doe[0].owner')" = null ] || fail "claim not released after VCA"
ok "the mailbox claim was released when tsmctl exited"

tsmctl claim $EP1 2>/dev/null &
CPID=$!
wait_until 10 "claim not visible" owner_is $EP1 host
expect_fail "claimed by another SPDM owner" tsmctl spdm-info $EP1
kill $CPID
wait $CPID

# a function level reset ends the SPDM connection; VCA starts over
[ -e /sys/bus/pci/devices/$EP0/reset ] || fail "no sysfs reset for $EP0"
# ...and clears IDE stream control, which the PCI core does not restore
cfg=/sys/bus/pci/devices/$EP0/config
ide_ctl=$((0x118 + 8))
byte_at() { dd if=$cfg bs=1 skip=$1 count=1 2>/dev/null | od -An -tu1 | tr -d ' '; }
printf '\001\000\000\000' | dd of=$cfg bs=1 seek=$ide_ctl conv=notrunc 2>/dev/null
[ "$(byte_at $ide_ctl)" = 1 ] || fail "IDE control not writable"
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR via sysfs reset"
wait_until 5 "emulator never saw the FLR" grep -q "slot 0: function level reset" /tmp/emu.log
tsmctl -j spdm-info $EP0 | jq -e '.version == "1.3"' >/dev/null || fail "VCA after FLR"
[ "$(byte_at $ide_ctl)" = 0 ] || fail "IDE control survived the FLR"
ok "FLR seen by the device (IDE control cleared); VCA works again afterwards"

stop_emu
start_emu --versions 1.0,1.1
v=$(tsmctl -j spdm-info $EP0 | jq -r .version)
[ "$v" = 1.1 ] || fail "fallback: negotiated $v"
ok "a 1.1-only device falls back to 1.1"
stop_emu
start_emu --versions 1.0
expect_fail "no common SPDM version" tsmctl spdm-info $EP0
unload_modules
