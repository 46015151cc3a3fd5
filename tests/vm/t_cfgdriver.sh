# On the config-space DOE backend (Linux < 6.5) nothing serialises our
# exchanges with a driver that drives the same mailbox registers (cxl_pci's
# CDAT reads; vfio-pci for a guest): while one is bound, exchanges are
# refused with EBUSY and the kernel log names the driver (issue 10,
# suspected). pci-stub, which never touches DOE, stands in for such a
# driver by being added to the cfg_doe_drivers parameter.
. /tests/lib.sh
kernel_has_doe_api && skip "the PCI core serialises every DOE user here (kernel backend)"
stub_required
P=/sys/module/tsmh_core/parameters/cfg_doe_drivers
# pci-stub must not outlive the test (later tests load it themselves)
trap 'rmmod pci_stub 2>/dev/null' EXIT
stub_modules 2
start_emu
wait_eps 2
[ "$(cat $P)" = "cxl_pci,vfio-pci" ] || fail "default cfg_doe_drivers: $(cat $P)"
tsmctl gate $EP0 release || fail "release"
[ "$(drv $EP0)" = pci-stub ] || fail "pci-stub did not bind after release: '$(drv $EP0)'"
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "exchange refused with pci-stub (no DOE user) bound"
ok "pci-stub bound, not listed: exchanges go through"
echo "cxl_pci,vfio-pci,pci-stub" >$P || fail "cfg_doe_drivers not writable"
expect_fail "Device or resource busy (DOE mailbox driven by the bound driver" \
	tsmctl doe $EP0 --protocol cma --hex 10840000
dmesg | grep -q "$EP0: tsmh: DOE exchange on mailbox 0x100 refused: driver pci-stub drives it" ||
	fail "the kernel log does not name the driver"
tsmctl doe $EP1 --protocol cma --hex 10840000 >/dev/null || fail "$EP1 (held, no driver) refused"
ok "a listed driver bound: its device's exchanges refused, the log names it; $EP1 unaffected"
tsmctl gate $EP0 hold || fail "hold"
[ -z "$(drv $EP0)" ] || fail "still bound to $(drv $EP0) after hold"
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "exchange refused after the driver went"
ok "driver unbound: exchanges again"
echo "cxl_pci,vfio-pci" >$P
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
rmmod pci_stub || fail "rmmod pci_stub"
