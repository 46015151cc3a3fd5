# Held is not "no DMA" (issue 10, item 10): a quarantine clears the
# device's Bus Master Enable after unbinding its driver, and says so (log,
# gate flag bme-off, tsmctl show); Memory Space is left alone; a plain hold
# does not touch the Command register; a release restores nothing (the
# next driver enables bus mastering itself) and drops the flag.
. /tests/lib.sh
stub_required
cleanup() { rmmod pci_stub 2>/dev/null; }
trap cleanup EXIT
CFG=/sys/bus/pci/devices/$EP0/config
# the low byte of the Command register (bit 0 I/O, 1 Memory, 2 Bus Master)
cmd() { dd if=$CFG bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' \n'; }
setcmd() { printf "\\$(printf %03o "$1")" | dd of=$CFG bs=1 seek=4 count=1 conv=notrunc 2>/dev/null; }
bme() { [ $(($(cmd) & 4)) -ne 0 ]; }
bme_off_flag() { tsmctl -j show $EP0 | jq -r .gate.bme_off; }

stub_modules 2
start_emu
wait_eps 2
tsmctl gate $EP0 release >/dev/null || fail "release $EP0"
wait_until 10 "pci-stub did not bind $EP0" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
# what a driver that enabled the device and bus mastering leaves behind
setcmd $(($(cmd) | 6))
bme || fail "Bus Master Enable could not be set for the test (command $(cmd))"
c0=$(cmd)
ok "$EP0 bound to $(drv $EP0), Command low byte $c0 (Memory and Bus Master on)"

tsmctl gate $EP0 quarantine --msg "measurements differ" >/dev/null || fail "quarantine $EP0"
[ -z "$(drv $EP0)" ] || fail "quarantine left $(drv $EP0) bound"
[ "$(gate $EP0)" = held/quarantine ] || fail "after quarantine: $(gate $EP0)"
bme && fail "quarantined $EP0 still has Bus Master Enable (command $(cmd))"
[ $(($(cmd) & 2)) -ne 0 ] || fail "quarantine cleared Memory Space too (command $(cmd))"
dmesg | grep -q "$EP0: tsmh: quarantined: Bus Master Enable cleared" ||
	fail "the log does not say so: $(dmesg | grep "$EP0" | tail -n 3)"
[ "$(bme_off_flag)" = true ] || fail "gate flag bme-off not set: $(tsmctl -j show $EP0 | jq -c .gate)"
tsmctl -j show $EP0 | jq -e '.gate.flags | index("bme-off")' >/dev/null || fail "flags: $(tsmctl -j show $EP0 | jq -c .gate.flags)"
tsmctl show $EP0 | grep -q "Gate:.*held(quarantine): measurements differ.*\[bus mastering off\]" ||
	fail "tsmctl show: $(tsmctl show $EP0 | grep Gate)"
ok "quarantine unbound pci-stub and cleared Bus Master Enable (command $c0 -> $(cmd)), logged, flag bme-off"

tsmctl gate $EP0 release >/dev/null || fail "release after quarantine"
wait_until 10 "pci-stub did not bind $EP0 again" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
[ "$(bme_off_flag)" = false ] || fail "bme-off still set after release"
bme && fail "release set Bus Master Enable (nothing is restored; the driver's probe does that)"
ok "release drops the flag and restores nothing (pci-stub does not enable bus mastering)"

# a plain hold keeps the Command register as the driver left it (held
# guarantees no driver, not no DMA); quarantining the held device clears it
setcmd $(($(cmd) | 4))
tsmctl gate $EP0 hold >/dev/null || fail "hold $EP0"
[ -z "$(drv $EP0)" ] || fail "hold left $(drv $EP0) bound"
bme || fail "a plain hold changed Bus Master Enable (command $(cmd))"
[ "$(bme_off_flag)" = false ] || fail "bme-off set by a plain hold"
tsmctl gate $EP0 quarantine >/dev/null || fail "quarantine of the held $EP0"
bme && fail "quarantine of a held device left Bus Master Enable set"
[ "$(bme_off_flag)" = true ] || fail "bme-off not set"
ok "hold leaves Bus Master Enable as it was; quarantine of the held device clears it"

# nothing was bound and Bus Master was already off: said so too
tsmctl gate $EP1 quarantine >/dev/null || fail "quarantine $EP1"
dmesg | grep -q "$EP1: tsmh: quarantined: Bus Master Enable was already clear" ||
	fail "log for $EP1: $(dmesg | grep "$EP1" | tail -n 3)"
tsmctl -j show $EP1 | jq -e '.gate.bme_off' >/dev/null || fail "$EP1 bme-off not set"
ok "quarantine of a never-bound $EP1: Bus Master Enable was already clear (logged, flag set)"

stop_emu
rmmod pci_stub || fail "rmmod pci_stub"
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
