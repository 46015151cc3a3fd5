# tsmh-emu --tdisp-layout-file against the sim's real BARs (issue 13):
# on a two-function card with two VFs (tsmh_sim nr_functions=2 nr_vfs=2,
# VFs at functions 2-3), tdi_layout_file writes each TDI's BARs as the PCI
# core assigned them (sysfs) with a layout pattern: function 0 sparse,
# function 1 offset, VF 03:00.2 simple, VF 03:00.3 offset. The emulator's
# TDISP report for each, fetched through the kernel's DOE proxy by tsmctl
# tdisp, passes the check against the same BARs (tdisp_bar_opts) with an
# MMIO offset. A file with stale BARs gives reports the check refuses
# (the range named), read again at the next LOCK once rewritten; a TDI
# without a line is INVALID_INTERFACE.
. /tests/lib.sh
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=2 nr_vfs=2 ||
	setup_fail "insmod tsmh_sim nr_functions=2 nr_vfs=2"
LF=/tmp/tdi.layout
start_emu -v --export-root /tmp/root.pem --tdisp-layout-file $LF
wait_eps 1
F1=${EP0%.0}.1 V2=${EP0%.0}.2 V3=${EP0%.0}.3
wait_until 10 "$F1 did not appear" test -e /sys/bus/pci/devices/$F1/resource
P=/sys/bus/pci/devices/$EP0
tsmctl gate $EP0 release >/dev/null || setup_fail "release $EP0"
echo tsmh_sim_drv >$P/driver_override
echo $EP0 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
[ "$(drv $EP0)" = tsmh_sim_drv ] || setup_fail "tsmh_sim_drv not bound to $EP0"
echo 2 >$P/sriov_numvfs || setup_fail "sriov_numvfs 2"
wait_until 10 "VF $V3 did not appear" test -e /sys/bus/pci/devices/$V3/resource

tdi_layout_file $EP0=sparse $F1=offset $V2 $V3=offset >$LF || fail "tdi_layout_file"
sed 's/^/  layout file: /' $LF
[ "$(grep -c "^$DOM:03:00\.[0-3] [a-z]* bar0=0x" $LF)" = 4 ] || fail "layout file: $(cat $LF)"
grep -q "^$EP0 sparse $(sim_tdi_layout $EP0)\$" $LF || fail "$EP0 line: $(cat $LF)"

# tdisp DEV FN: tsmctl tdisp for function FN of the card, checked against its BARs
tdisp() {
	tsmctl -j tdisp $EP0 --trust /tmp/root.pem --interface-id "03:00.$2" \
		--mmio-offset 0x10000000000 $(tdisp_bar_opts "$(sim_tdi_layout $1)") >/tmp/td.json 2>/tmp/td.err
}
for t in $EP0:sparse $F1:offset $V2:simple $V3:offset; do
	d=${t%:*} fn=${d##*.}
	tdisp $d $fn || fail "tsmctl tdisp $d: $(cat /tmp/td.json /tmp/td.err)"
	jq -e '.ok and .report_checked and .state_running == "RUN" and
		([.report.mmio_ranges[].flags[]] | index("msix_table")) != null' /tmp/td.json >/dev/null ||
		fail "$d: $(cat /tmp/td.json)"
	grep -q "LOCK_INTERFACE_REQUEST TDI $fn " /tmp/emu.log || fail "no LOCK of TDI $fn in the emulator's log"
	ok "$d (${t#*:}): $(jq '.report.mmio_ranges | length' /tmp/td.json) MMIO ranges inside its real BARs ($(sim_tdi_layout $d)), checked with MMIO offset 0x10000000000"
done

# stale BARs in the file (BAR0 256 MiB higher, outside the sim's windows): the check names the range;
# the file is read again at the next LOCK
b0=$(sed -n 1p /sys/bus/pci/devices/$F1/resource | cut -d' ' -f1)
stale=$(printf 0x%x $((b0 + 0x10000000)))
sed "s/^\($F1 [a-z]* bar0=\)$(printf 0x%x $((b0))):/\1$stale:/" $LF >$LF.new && mv $LF.new $LF
grep -q "^$F1 offset bar0=$stale:" $LF || fail "stale line not written: $(cat $LF)"
tdisp $F1 1 && fail "a report at stale BARs passed the check: $(cat /tmp/td.json)"
# the offset pattern leaves page 0 out: range 0 starts one page into BAR0
grep -q "MMIO range 0 (range ID 0): pages $(printf 0x%x $((stale + 0x1000)))-.* are outside every BAR" /tmp/td.err ||
	fail "stale BARs: $(cat /tmp/td.err)"
ok "stale BARs in the file: $(cat /tmp/td.err)"
tdi_layout_file $EP0=sparse $F1=offset $V2 $V3=offset >$LF || fail "tdi_layout_file"
tdisp $F1 1 || fail "rewritten file: $(cat /tmp/td.json /tmp/td.err)"
ok "file rewritten from sysfs: the next LOCK reports the real BARs again"

# a TDI without a line
tdi_layout_file $EP0 >$LF || fail "tdi_layout_file"
tdisp $V2 2 && fail "TDI without a line accepted"
grep -q "LOCK_INTERFACE: device answered TDISP_ERROR INVALID_INTERFACE (0x101)" /tmp/td.err ||
	fail "no line: $(cat /tmp/td.err)"
ok "a TDI without a line: INVALID_INTERFACE"
echo 0 >$P/sriov_numvfs
unload_modules
