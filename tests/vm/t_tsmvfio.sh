# tsmh-vm: timeout 400
# 7.2 bind of a VFIO-bound TDI (issue 13, helper K; kmod/core/tdi.c
# lock_gate_ok(), docs/design.md "7.2: bind, unbind, guest requests"). A
# real pci_tsm_bind() caller (iommufd for a vfio-pci device) has vfio-pci
# bound for the whole binding: seed 002's host flow is driver_override
# vfio-pci, connect, bind. tests/vm/kmod/tsmh_btest.c plays that caller on
# function 1 of a connected card, tsmresp + tdinl play tsmd (as in
# t_tsmbind). The gate releases function 1 and vfio-pci is bound to it,
# in unsafe no-IOMMU mode, where it can bind: the sid kernel's vfio has no
# enable_unsafe_noiommu_mode and the sim's software host bridge no IOMMU
# group, so there the sim's tsmh_sim_drv stands in, bound the same way
# (driver_override), and the test says so: the kernel's rule does not look
# at which driver it is. Covered: a host LOCK (no bind in flight) of the driver-bound TDI is
# refused; bind -> the LOCK of the hand-off accepts the driver bound at
# pci_tsm_bind() -> CONFIG_LOCKED, report checked, BOUND; unbind; the
# driver swapped between pci_tsm_bind() and the LOCK -> LOCK refused
# ("driver changed since tsm bind"; another driver, or the same one unbound
# and bound again), bind fails, nothing bound; the driver
# unbound while BOUND is logged (state left to the BME/MSE watch), a driver
# bound then -> ERROR; a driver bound behind the held gate (bypass): bind
# refused before tsmd is asked.
. /tests/lib.sh
btest_setup
D=/sys/bus/pci/devices/$F1

# vfio in unsafe no-IOMMU mode (modprobe vfio enable_unsafe_noiommu_mode=1
# vfio-pci; the initramfs has no modules.dep: /etc/tsmh-kmods-vfio-pci)
WHY=
if [ -f /etc/tsmh-kmods-vfio-pci ]; then
	while read -r m; do
		case $m in
		vfio) insmod "$MODDIR/$m.ko" enable_unsafe_noiommu_mode=1 2>/tmp/vfio.err ||
			insmod "$MODDIR/$m.ko" 2>>/tmp/vfio.err ;;
		*) insmod "$MODDIR/$m.ko" 2>>/tmp/vfio.err ;;
		esac
	done </etc/tsmh-kmods-vfio-pci
	N=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	[ -f $N ] && echo Y >$N 2>/dev/null
	[ -d /sys/bus/pci/drivers/vfio-pci ] || WHY="vfio-pci did not load: $(cat /tmp/vfio.err)"
	[ -z "$WHY" ] && [ "$(cat $N 2>/dev/null)" != Y ] && WHY="vfio has no enable_unsafe_noiommu_mode and the sim's functions no IOMMU group"
else
	WHY="the initramfs has no vfio-pci for $KVER"
fi

RESP=
# nothing left for the next test in this boot (init only unloads ours)
cleanup() {
	[ -n "$RESP" ] && kill "$RESP" 2>/dev/null
	[ -e $D/driver ] && echo $F1 >$D/driver/unbind 2>/dev/null
	echo >$D/driver_override 2>/dev/null
	rmmod tsmh_btest pci_stub vfio_pci vfio_pci_core vfio irqbypass 2>/dev/null
}
trap cleanup EXIT
# bind_drv DRV: DRV bound to $F1 through driver_override, as an admin does
bind_drv() {
	[ -n "$(drv $F1)" ] && echo $F1 >$D/driver/unbind
	echo "$1" >$D/driver_override
	echo $F1 >/sys/bus/pci/drivers/$1/bind 2>/tmp/b.err
	[ "$(drv $F1)" = "$1" ]
}

# the responder plays tsmd with no TDISP exchange (lib.sh); /tmp/bind.swap:
# the driver is swapped first
btest_req_sh

# ---- connect; the gate releases $F1; vfio-pci (or the stand-in) bound ----
responder 1
echo $T >/sys/bus/pci/devices/$EP0/tsm/connect 2>/tmp/w.err || fail "connect: $(cat /tmp/w.err); $(cat /tmp/resp.log)"
resp_done
tsmctl gate $F1 release >/tmp/g.out 2>&1 || fail "gate release $F1: $(cat /tmp/g.out)"
# the driver swapped in later: pci-stub (no ids: binds only by override)
[ -f "$STUB" ] && insmod "$STUB" 2>/dev/null
OTHER=
[ -d /sys/bus/pci/drivers/pci-stub ] && OTHER=pci-stub
DRV=vfio-pci
if [ -z "$WHY" ] && ! bind_drv vfio-pci; then
	WHY="vfio-pci does not bind $F1: $(cat /tmp/b.err) $(dmesg | grep -i vfio | tail -n 2)"
fi
if [ -n "$WHY" ]; then
	echo "note: $WHY; tsmh_sim_drv stands in for vfio-pci (the kernel's rule is the same for any driver)"
	DRV=tsmh_sim_drv
	bind_drv $DRV || fail "tsmh_sim_drv not bound to $F1: $(cat /tmp/b.err)"
fi
[ "$(gate $F1)" = released/admin ] || fail "$F1 gate: $(gate $F1)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "$F1 at start: $(tline $F1)"
ok "$EP0 connected through $T; gate released $F1, $DRV bound to it"

# ---- a host LOCK (no bind in flight) of the driver-bound TDI ----
printf 'claim %s\nbegin %s lock\n' $EP0 $F1 | tdinl run >/tmp/h.out 2>&1 && fail "host LOCK of a $DRV-bound TDI: $(cat /tmp/h.out)"
grep -q "a driver is bound to the TDI" /tmp/h.out || fail "host LOCK: $(cat /tmp/h.out)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "after the host LOCK: $(tline $F1)"
ok "host LOCK of the $DRV-bound TDI (no bind in flight) refused: $(grep -m1 error /tmp/h.out)"

# ---- bind: the hand-off's LOCK accepts the driver bound at pci_tsm_bind() ----
responder 1
call bind $F1 || fail "bind of the $DRV-bound $F1: $(cat /tmp/w.err); $(grep error /tmp/tdinl.out | head -n 3)"
resp_done
tline $F1 >/tmp/t.out
grep -q " state=CONFIG_LOCKED flags=0xb .* tvm=[0-9a-f]\{16\} report_len=36 nr_ranges=1 " /tmp/t.out ||
	fail "after bind: $(cat /tmp/t.out)"
[ "$(cat $D/tsm/bound)" = $T ] || fail "tsm/bound reads '$(cat $D/tsm/bound)', not $T"
[ "$(drv $F1)" = $DRV ] || fail "$DRV no longer bound: '$(drv $F1)'"
ok "bind of the $DRV-bound $F1: CONFIG_LOCKED, report checked, BOUND, tsm/bound $T, $DRV still bound"
responder 1
call unbind $F1 || fail "unbind: $(cat /tmp/w.err)"
resp_done
[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ -z "$(cat $D/tsm/bound)" ] || fail "after unbind: $(tline $F1)"
ok "unbind: CONFIG_UNLOCKED, tsm/bound empty"

# ---- the driver swapped between pci_tsm_bind() and the LOCK ----
# swapped DESC SCRIPT: bind with SCRIPT run before the LOCK: refused
swapped() {
	echo "$2" >/tmp/bind.swap
	: >/tmp/tdinl.out
	responder 2
	call bind $F1 && fail "bind succeeded although the driver was swapped ($1): $(tline $F1)"
	resp_done
	rm -f /tmp/bind.swap
	grep -q "driver changed since tsm bind" /tmp/tdinl.out || fail "swapped driver ($1): $(cat /tmp/tdinl.out)"
	[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ -z "$(cat $D/tsm/bound)" ] || fail "after the swapped bind ($1): $(tline $F1)"
	ok "driver swapped ($1) after pci_tsm_bind(): LOCK refused ($(grep -m1 'driver changed' /tmp/tdinl.out)), bind failed: $(cat /tmp/w.err)"
	bind_drv $DRV || fail "$DRV not bound again: $(cat /tmp/b.err)"
}
if [ -n "$OTHER" ]; then
	swapped "$OTHER for $DRV" "echo $F1 >$D/driver/unbind; echo $OTHER >$D/driver_override; echo $F1 >/sys/bus/pci/drivers/$OTHER/bind"
else
	echo "note: no pci-stub in the initramfs: no other driver to swap in"
fi
swapped "$DRV unbound and bound again" "echo $F1 >$D/driver/unbind; echo $F1 >/sys/bus/pci/drivers/$DRV/bind"

# ---- the driver unbound while BOUND; a driver bound then ----
responder 1
call bind $F1 || fail "bind again: $(cat /tmp/w.err); $(tail -n 8 /tmp/tdinl.out)"
resp_done
echo $F1 >$D/driver/unbind
dmesg | grep -q "$F1: .*TDI [A-Z_]*: driver unbound while bound to TVM" || fail "no log of the unbind: $(dmesg | tail -n 3)"
S1=$(st $F1)
bind_drv $DRV || fail "$DRV not bound again: $(cat /tmp/b.err)"
wait_until 5 "a driver bound to a TVM's CONFIG_LOCKED TDI: $(tline $F1)" sh -c "tdinl get $F1 | grep -q ' state=ERROR '"
responder 1
call unbind $F1 || fail "unbind: $(cat /tmp/w.err)"
resp_done
[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ -z "$(cat $D/tsm/bound)" ] || fail "after unbind: $(tline $F1)"
ok "$DRV unbound while BOUND: logged, $S1 (left to the BME/MSE watch); $DRV bound again: ERROR; unbind: STOP, CONFIG_UNLOCKED"

# ---- a driver bound behind the held gate (bypass): refused at bind, nobody asked ----
tsmctl gate $F1 hold >/tmp/g.out 2>&1 || fail "gate hold $F1: $(cat /tmp/g.out)"
bind_drv $DRV || fail "$DRV not bound behind the gate: $(cat /tmp/b.err)"
[ "$(gate $F1)" = released/bypass ] || fail "$F1 gate after a bind behind it: $(gate $F1)"
: >/tmp/req.log
call bind $F1 && fail "bind of a TDI whose driver bypassed the gate succeeded"
grep -q "not permitted" /tmp/w.err || fail "bypass bind (want EPERM before asking; ENOTCONN would mean tsmd was asked): $(cat /tmp/w.err)"
[ ! -s /tmp/req.log ] || fail "tsmd asked: $(cat /tmp/req.log)"
dmesg | grep -q "$F1: .*tsm bind: driver $DRV bound behind the gate (bypass): not bound" || fail "no log of the refused bind"
[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ -z "$(cat $D/tsm/bound)" ] || fail "after the bypass bind: $(tline $F1)"
ok "$DRV bound behind the held gate (gate released/bypass): bind refused before asking tsmd: $(cat /tmp/w.err)"
