# Hot-add fails closed (issue 10): when tsmh_core cannot examine a new
# endpoint (here: a config read in its capability walk fails, through
# tsmh_sim's fault_cfg_read hook on the IDE capability register), the
# device may be attestable, so it is held all the same (driver_override
# tsmh-held, untracked) and the log says so, instead of being left to the
# driver that matches it.
. /tests/lib.sh
stub_required
cleanup() { rmmod pci_stub 2>/dev/null; }
trap cleanup EXIT
# the endpoint's IDE capability sits at 0x118 (kmod/sim/cfg.c): 0x11c is its capability register
FAULT=$((0x11c))

stub_modules 2
echo $FAULT >/sys/module/tsmh_sim/parameters/fault_cfg_read || fail "set fault_cfg_read"
start_emu --plug 0
wait_until 30 "$EP0 did not appear" sh -c "[ -e /sys/bus/pci/devices/$EP0 ]"
sleep 2
[ -z "$(drv $EP0)" ] || fail "$EP0 bound to $(drv $EP0) although tsm-host could not examine it"
[ "$(cat /sys/bus/pci/devices/$EP0/driver_override)" = tsmh-held ] ||
	fail "$EP0 driver_override: '$(cat /sys/bus/pci/devices/$EP0/driver_override)'"
dmesg | grep -q "$EP0: tsmh: cannot track the device: capability walk failed: -[0-9]*; held, untracked" ||
	fail "no log line: $(dmesg | grep "$EP0" | tail -n 3)"
tsmctl show $EP0 >/dev/null 2>&1 && fail "$EP0 tracked after all"
ok "$EP0 could not be examined: held untracked ($(dmesg | grep -o "$EP0: tsmh: cannot track.*" | head -n 1))"

# the documented way out: clear driver_override by hand
echo -1 >/sys/module/tsmh_sim/parameters/fault_cfg_read
echo >/sys/bus/pci/devices/$EP0/driver_override || fail "clear driver_override"
echo $EP0 >/sys/bus/pci/drivers_probe
wait_until 10 "pci-stub did not bind $EP0 once released by hand" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
ok "cleared by hand: $(drv $EP0) bound"

stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod pci_stub || fail "rmmod pci_stub"
rmmod tsmh_core || fail "rmmod tsmh_core"
