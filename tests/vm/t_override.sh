# An administrator's own driver_override (driverctl set-override DEV
# vfio-pci: a device reserved for a VM) survives the gate (issue 10,
# item 4): a hold keeps it inside ours (tsmh-held:NAME) and the release
# puts it back, so the driver it names binds and the host driver matching
# by ID (pci-stub here) does not; one written while the device is held is
# reported (log, gate flag override-changed) and left in place by the
# release; the kept one survives a tsmh_core unload/reload and gate=off.
# tsmh_sim_drv (kmod/sim/drv.c, no ID table) plays the administrator's
# driver.
. /tests/lib.sh
stub_required
trap 'rmmod pci_stub 2>/dev/null' EXIT
override() { cat /sys/bus/pci/devices/$1/driver_override; }
gate_is() { [ "$(gate "$1")" = "$2" ]; }
flags() { tsmctl -j show "$1" | jq -c '.gate.flags'; }
has_flag() { tsmctl -j show "$1" | jq -e --arg f "$2" '.gate.flags | index($f)' >/dev/null; }
ADMIN=tsmh_sim_drv
probe() { echo "$1" >/sys/bus/pci/drivers_probe 2>/dev/null; true; }

# pci-stub (ids=1b36:1e10) matches both endpoints by ID: the host driver
stub_modules 2
start_emu --slots 2
wait_eps 2
for d in $EP0 $EP1; do
	gate_is $d held/new || fail "$d: $(gate $d)"
done

# --- a foreign override present when the device is held ---
tsmctl gate $EP0 release || fail "release $EP0"
[ "$(drv $EP0)" = pci-stub ] || fail "pci-stub not bound after release: '$(drv $EP0)'"
echo $ADMIN >/sys/bus/pci/devices/$EP0/driver_override || fail "write driver_override"
tsmctl gate $EP0 hold || fail "hold $EP0"
[ -z "$(drv $EP0)" ] || fail "$EP0 still bound to $(drv $EP0) after hold"
case "$(override $EP0)" in tsmh-held*) ;; *) fail "not held: driver_override $(override $EP0)" ;; esac
probe $EP0
[ -z "$(drv $EP0)" ] || fail "$(drv $EP0) bound to a held device (drivers_probe)"
echo $EP0 >/sys/bus/pci/drivers/$ADMIN/bind 2>/dev/null && fail "$ADMIN bound a held device by bind"
[ -z "$(drv $EP0)" ] || fail "$(drv $EP0) bound to a held device"
gate_is $EP0 held/admin || fail "after probes: $(gate $EP0)"
ok "held ($(override $EP0)): neither pci-stub nor $ADMIN binds"
held_ovr=$(override $EP0)
held_flags=$(flags $EP0)

tsmctl gate $EP0 release || fail "release $EP0"
[ "$(drv $EP0)" = $ADMIN ] || fail "after release $EP0 is bound to '$(drv $EP0)', not $ADMIN"
[ "$(override $EP0)" = $ADMIN ] || fail "release did not put the admin's override back: '$(override $EP0)'"
gate_is $EP0 released/admin || fail "after release: $(gate $EP0)"
[ "$held_ovr" = "tsmh-held:$ADMIN" ] || fail "override while held: $held_ovr"
echo "$held_flags" | grep -q override-kept || fail "flag override-kept missing while held: $held_flags"
dmesg | grep -q "$EP0: tsmh: driver_override \"$ADMIN\" kept while held" || fail "keeping not logged"
ok "release put driver_override $ADMIN back: $ADMIN bound, not pci-stub"

# quarantine of a device the admin's driver has: same
tsmctl gate $EP0 quarantine || fail "quarantine $EP0"
[ "$(override $EP0)" = "tsmh-held:$ADMIN" ] || fail "override after quarantine: $(override $EP0)"
[ -z "$(drv $EP0)" ] || fail "quarantine left $(drv $EP0) bound"

# --- the kept override survives an unload and reload of tsmh_core ---
rmmod tsmh_core || fail "rmmod tsmh_core"
[ "$(override $EP0)" = "tsmh-held:$ADMIN" ] || fail "unload changed the override: $(override $EP0)"
probe $EP0
[ -z "$(drv $EP0)" ] || fail "$(drv $EP0) bound after unload"
# and one written before tsmh_core sees the device: $EP1 is unbound
[ -z "$(drv $EP1)" ] || fail "$EP1 bound to $(drv $EP1)"
echo $ADMIN >/sys/bus/pci/devices/$EP1/driver_override || fail "write $EP1 driver_override"
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
wait_eps 2
for d in $EP0 $EP1; do
	gate_is $d held/present || fail "$d after reload: $(gate $d)"
	[ -z "$(drv $d)" ] || fail "$d bound to $(drv $d) after reload"
done
held_ovr=$(override $EP1)
held_flags=$(flags $EP1)
tsmctl gate $EP1 release || fail "release $EP1"
[ "$(drv $EP1)" = $ADMIN ] || fail "$EP1 bound to '$(drv $EP1)' after release, not $ADMIN"
[ "$(override $EP1)" = $ADMIN ] || fail "$EP1: admin's override not put back: '$(override $EP1)'"
for d in $EP0 $EP1; do
	[ "$d" = $EP1 ] && o=$held_ovr || o=$(override $d)
	[ "$o" = "tsmh-held:$ADMIN" ] || fail "$d override after reload: $o"
done
echo "$held_flags" | grep -q override-kept || fail "$EP1: flag override-kept missing after reload: $held_flags"
has_flag $EP0 override-kept || fail "$EP0: flag override-kept missing after reload: $(flags $EP0)"
ok "kept override survives unload/reload; one set before tsmh_core loaded is kept and put back"

# --- an override written while held: reported, honoured on release ---
echo >/sys/bus/pci/devices/$EP1/driver_override
tsmctl gate $EP1 hold || fail "hold $EP1"
[ "$(override $EP1)" = tsmh-held ] || fail "$EP1 override: $(override $EP1)"
echo $ADMIN >/sys/bus/pci/devices/$EP1/driver_override || fail "write while held"
tsmctl gate $EP1 release || fail "release $EP1"
[ "$(drv $EP1)" = $ADMIN ] || fail "$EP1 bound to '$(drv $EP1)' after release, not $ADMIN"
[ "$(override $EP1)" = $ADMIN ] || fail "release erased the override written while held: '$(override $EP1)'"
has_flag $EP1 override-changed || fail "change while held not flagged: $(flags $EP1)"
dmesg | grep -q "$EP1: tsmh: driver_override was changed to \"$ADMIN\" while held: left as it is" ||
	fail "change while held not logged"
tsmctl show $EP1 | grep -q "driver_override changed while held" || fail "show: $(tsmctl show $EP1)"
ok "override written while held: left in place by the release, $ADMIN bound, reported (flag, log)"

# written while held, then held again (quarantine): kept from then on
echo >/sys/bus/pci/devices/$EP1/driver_override
tsmctl gate $EP1 hold || fail "hold $EP1"
echo vfio-pci >/sys/bus/pci/devices/$EP1/driver_override || fail "write while held"
tsmctl gate $EP1 quarantine || fail "quarantine $EP1"
[ "$(override $EP1)" = tsmh-held:vfio-pci ] || fail "quarantine: $(override $EP1)"
has_flag $EP1 override-changed || fail "not flagged: $(flags $EP1)"
dmesg | grep -q "$EP1: tsmh: driver_override was changed to \"vfio-pci\" while held: kept for the release" ||
	fail "not logged"
tsmctl gate $EP1 release || fail "release $EP1"
[ "$(override $EP1)" = vfio-pci ] || fail "after release: '$(override $EP1)'"
[ -z "$(drv $EP1)" ] || fail "$EP1 bound to $(drv $EP1) (override vfio-pci, not loaded)"
ok "override written while held, then quarantined: kept, put back on release, pci-stub not bound"

# --- gate=off at load puts a kept override back ---
tsmctl gate $EP0 hold || fail "hold $EP0"
rmmod tsmh_core || fail "rmmod tsmh_core"
insmod "$MODDIR/tsmh_core.ko" gate=off || fail "insmod gate=off"
wait_eps 2
[ "$(override $EP0)" = $ADMIN ] || fail "gate=off: $EP0 override '$(override $EP0)'"
wait_until 10 "gate=off: $EP0 bound to '$(drv $EP0)', not $ADMIN" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$EP0/driver))\" = $ADMIN ]"
ok "gate=off: our override dropped, the kept $ADMIN put back and bound"
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
