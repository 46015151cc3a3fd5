# The sim's memory BARs (issue 13, docs/design.md "Sim BARs"): on a
# three-function card in a slot below bar_slots, function 0 has BAR0
# 64-bit prefetchable 16 MiB, BAR2 32-bit 64 KiB, BAR3 unused, BAR4
# 64-bit 1 MiB with the MSI-X table (32 entries) and PBA; functions 1-2
# BAR0 32-bit prefetchable 256 KiB, BAR1 32-bit 16 KiB (MSI-X, 8
# entries), BAR2 64-bit prefetchable 2 MiB. The PCI core sizes and assigns
# them inside the bridge windows (which nest: endpoint < downstream port <
# switch < root port < the sim's apertures in /proc/iomem); a slot at or
# above bar_slots has none. The registers hold what sysfs says, lspci -vv
# agrees, an FLR clears them (sim) and the core restores them, as a bus
# reset; the root port's IDE address association takes the endpoint's
# windows; hot-unplug releases the BARs and a replug assigns them again.
# With nr_vfs=4 function 0 has SR-IOV: 4 VFs with BARs and MSI-X.
. /tests/lib.sh
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=3 nr_functions=3 bar_slots=2 ||
	setup_fail "insmod tsmh_sim nr_endpoints=3 nr_functions=3 bar_slots=2"
start_emu -v
wait_eps 3
set -- $(sim_eps 3)
EP1=$2 EP2=$3
F1=${EP0%.0}.1 F2=${EP0%.0}.2
DSP0=$DOM:02:00.0 DSP2=$DOM:02:02.0 USP=$DOM:01:00.0
wait_until 10 "$F2 did not appear" test -e /sys/bus/pci/devices/$F2

res() { sed -n "$(($2 + 1))p" /sys/bus/pci/devices/$1/resource; }
start() { set -- $(res "$1" "$2"); echo $(($1)); }
end() { set -- $(res "$1" "$2"); echo $(($2)); }
flags() { set -- $(res "$1" "$2"); echo $(($3)); }
hex() { printf 0x%x "$1"; }
MEM=0x200 PREF=0x2000 MEM64=0x100000
G4=$((1 << 32))

# bar DEV N SIZE 64|32 pref|np: assigned, sized, aligned, typed, in the register
bar() {
	s=$(start $1 $2) e=$(end $1 $2) fl=$(flags $1 $2)
	[ "$s" != 0 ] && [ $((e - s + 1)) = $(($3)) ] ||
		fail "$1 BAR$2: [$(hex $s) $(hex $e)], want $(($3)) bytes assigned"
	[ $((s % $3)) = 0 ] || fail "$1 BAR$2 at $(hex $s) not aligned to its size"
	[ $((fl & MEM)) != 0 ] || fail "$1 BAR$2 flags $(hex $fl): not memory"
	if [ "$4" = 64 ]; then
		[ $((fl & MEM64)) != 0 ] || fail "$1 BAR$2 flags $(hex $fl): not 64-bit"
		[ $(($(simide $1 r32 $((0x14 + 4 * $2))))) = $((s >> 32)) ] ||
			fail "$1 BAR$2 upper register $(simide $1 r32 $((0x14 + 4 * $2))) for $(hex $s)"
		lo=4
	else
		[ $((fl & MEM64)) = 0 ] || fail "$1 BAR$2 flags $(hex $fl): 64-bit"
		[ "$e" -lt $G4 ] || fail "$1 32-bit BAR$2 at $(hex $s)"
		lo=0
	fi
	if [ "$5" = pref ]; then
		[ $((fl & PREF)) != 0 ] || fail "$1 BAR$2 flags $(hex $fl): not prefetchable"
		lo=$((lo | 8))
	else
		[ $((fl & PREF)) = 0 ] || fail "$1 BAR$2 flags $(hex $fl): prefetchable"
		[ "$e" -lt $G4 ] || fail "$1 non-prefetchable BAR$2 at $(hex $s), above 4 GiB"
	fi
	r=$(simide $1 r32 $((0x10 + 4 * $2)))
	[ $((r)) = $(((s & 0xfffffff0) | lo)) ] || fail "$1 BAR$2 register $r, sysfs $(hex $s)"
}
nobar() { [ "$(start $1 $2)" = 0 ] && [ "$(end $1 $2)" = 0 ] || fail "$1 BAR$2: $(res $1 $2)"; }
# within DEV N BRIDGE W: DEV's resource N lies inside BRIDGE's resource W
within() {
	[ "$(start $1 $2)" -ge "$(start $3 $4)" ] && [ "$(end $1 $2)" -le "$(end $3 $4)" ] ||
		fail "$1 resource $2 ($(res $1 $2)) outside $3 window $4 ($(res $3 $4))"
}
MW=14 PW=15 # a bridge's memory and prefetchable windows in sysfs resource

bar $EP0 0 0x1000000 64 pref
nobar $EP0 1
bar $EP0 2 0x10000 32 np
nobar $EP0 3
bar $EP0 4 0x100000 64 np
nobar $EP0 5
for fn in $F1 $F2; do
	bar $fn 0 0x40000 32 pref
	bar $fn 1 0x4000 32 np
	bar $fn 2 0x200000 64 pref
done
bar $EP1 0 0x1000000 64 pref
ok "$EP0: BAR0 64-bit pref 16M at $(hex $(start $EP0 0)), BAR2 32-bit 64K at $(hex $(start $EP0 2)), BAR4 64-bit 1M at $(hex $(start $EP0 4)); functions 1-2 and $EP1 too"

# the windows nest and hold the BARs
for n in 2 4; do within $EP0 $n $DSP0 $MW; done
within $EP0 0 $DSP0 $PW
for fn in $F1 $F2; do
	within $fn 0 $DSP0 $MW
	within $fn 1 $DSP0 $MW
	within $fn 2 $DSP0 $PW
done
[ $(($(flags $DSP0 $PW) & MEM64)) != 0 ] || fail "$DSP0 prefetchable window not 64-bit: $(res $DSP0 $PW)"
for w in $MW $PW; do
	within $DSP0 $w $USP $w
	within $USP $w $RP $w
done
[ $(($(end $DSP0 $MW) - $(start $DSP0 $MW) + 1)) = $((2 << 20)) ] &&
	[ $(($(end $DSP0 $PW) - $(start $DSP0 $PW) + 1)) = $((32 << 20)) ] ||
	fail "$DSP0 windows: $(res $DSP0 $MW) / $(res $DSP0 $PW)"
grep "tsmh_sim aperture" /proc/iomem >/tmp/ap.txt || fail "no sim aperture in /proc/iomem"
rp_mem=$(printf "%x-%x" $(start $RP $MW) $(end $RP $MW))
grep -q "$rp_mem : PCI Bus $DOM:01" /proc/iomem || fail "root port window $rp_mem not in /proc/iomem: $(grep -A3 'tsmh_sim aperture' /proc/iomem)"
ok "windows: $DSP0 mem $(hex $(start $DSP0 $MW)) 2M, pref $(hex $(start $DSP0 $PW)) 32M 64-bit; inside the switch's, the root port's and the apertures ($(tr -s ' \n' ' ' </tmp/ap.txt))"

for n in 0 1 2 3 4 5; do nobar $EP2 $n; done
[ "$(start $DSP2 $MW)" = 0 ] && [ "$(start $DSP2 $PW)" = 0 ] ||
	fail "$DSP2 (slot 2, bar_slots=2) has windows: $(res $DSP2 $MW) $(res $DSP2 $PW)"
ok "slot 2 (bar_slots=2): no BARs, no windows"

# MSI-X: table and PBA where the capability says, inside their BAR
# msix DEV ENTRIES BIR TABLE PBA BARSIZE
msix() {
	m=$(cfg_cap $1 0x11) || fail "$1 has no MSI-X capability"
	c=$(simide $1 r32 $m) t=$(simide $1 r32 $((m + 4))) p=$(simide $1 r32 $((m + 8)))
	[ $((((c >> 16) & 0x7ff) + 1)) = $2 ] && [ $((t & 7)) = $3 ] && [ $((t & ~7)) = $(($4)) ] &&
		[ $((p & 7)) = $3 ] && [ $((p & ~7)) = $(($5)) ] ||
		fail "$1 MSI-X at $m: control $c table $t PBA $p"
	[ $(($4 + 16 * $2)) -le $(($6)) ] && [ $(($5 + ($2 + 63) / 64 * 8)) -le $(($6)) ] &&
		[ $(($4 + 16 * $2)) -le $(($5)) ] || fail "$1 MSI-X table/PBA do not fit BAR$3"
	[ "$(start $1 $3)" != 0 ] || fail "$1 MSI-X BAR$3 unassigned"
}
msix $EP0 32 4 0 0x10000 0x100000
msix $F1 8 1 0 0x2000 0x4000
ok "MSI-X: $EP0 32 entries, table BAR4+0, PBA BAR4+0x10000; $F1 8 entries in BAR1"

if command -v lspci >/dev/null; then
	lspci -vv -s $EP0 >/tmp/lspci.txt 2>&1 || fail "lspci -vv -s $EP0: $(cat /tmp/lspci.txt)"
	lspci -vv -s $DSP0 >>/tmp/lspci.txt 2>&1
	grep -E "Region|MSI-X|Vector|PBA|behind bridge" /tmp/lspci.txt
	for re in "Region 0: Memory at $(printf %x $(start $EP0 0)) (64-bit, prefetchable) .*\[size=16M\]" \
		"Region 2: Memory at $(printf %x $(start $EP0 2)) (32-bit, non-prefetchable) .*\[size=64K\]" \
		"Region 4: Memory at $(printf %x $(start $EP0 4)) (64-bit, non-prefetchable) .*\[size=1M\]" \
		"MSI-X: Enable- Count=32" "Vector table: BAR=4 offset=00000000" "PBA: BAR=4 offset=00010000" \
		"Memory behind bridge: 0*$(printf %x $(start $DSP0 $MW))-0*$(printf %x $(end $DSP0 $MW)) \[size=2M\]" \
		"Prefetchable memory behind bridge: 0*$(printf %x $(start $DSP0 $PW))-0*$(printf %x $(end $DSP0 $PW)) \[size=32M\]"; do
		grep -q "$re" /tmp/lspci.txt || fail "lspci -vv lacks '$re'"
	done
	ok "lspci -vv: regions, MSI-X table/PBA and the downstream port's windows as above"
else
	echo "lspci not in the image: its view not checked"
fi

# the layout handed to the emulator's TDISP responder (design.md "Sim BARs")
L0=$(sim_tdi_layout $EP0)
echo "$EP0 layout: $L0"
echo "$F1 layout: $(sim_tdi_layout $F1)"
[ "$L0" = "bar0=$(hex $(start $EP0 0)):0x1000000:64:pref,bar2=$(hex $(start $EP0 2)):0x10000:32:np,bar4=$(hex $(start $EP0 4)):0x100000:64:np,msix=4:0x0:32:4:0x10000" ] ||
	fail "$EP0 layout: $L0"
ok "TDI layout of $EP0 for the emulator: $L0"

# IDE address association: the root port's block takes the BARs of every
# function of the card (a TDI on function 1 or 2 is locked with the stream)
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new: $(cat /tmp/n.out)"
S=$(sed -n 's/^stream \([0-9]*\) .*/\1/p' /tmp/n.out | head -n 1)
lo= hi=
for f in $EP0 $F1 $F2; do
	for i in 0 1 2 3 4 5; do
		set -- $(res $f $i)
		[ $(($3 & 0x200)) != 0 ] && [ $(($2)) != 0 ] || continue # memory BARs
		if [ -z "$lo" ] || [ $(($1)) -lt "$lo" ]; then lo=$(($1)); fi
		if [ -z "$hi" ] || [ $(($2)) -gt "$hi" ]; then hi=$(($2)); fi
	done
done
set -- $(simide $RP addr 0 0)
[ $(($1)) = $((lo & ~0xfffff)) ] && [ $(($2)) = $((hi | 0xfffff)) ] ||
	fail "root port address block: $* for BARs $(hex $lo)-$(hex $hi)"
[ $(($2)) -ge $G4 ] || fail "root port address limit $2 not 64-bit"
idenl del $EP0 "$S" >/dev/null || fail "ide-stream-del $S"
ok "ide-stream-new: the root port's address block $1-$2 covers the BARs of $EP0, $F1, $F2 (one block: merged, 1 MiB granules, 64-bit limit)"

# FLR and Secondary Bus Reset clear the BARs (the sim's reset, done raw
# with the registers put back by hand); the PCI core's FLR restores them
# (a bus reset of the card is not on offer to the core: three functions)
save_regs() { for o in 0x04 0x10 0x14 0x18 0x1c 0x20 0x24; do printf " %s=%s" $o $(simide $1 r32 $o); done; }
put_regs() { for r in $2; do simide $1 w32 ${r%=*} ${r#*=}; done; }
b0=$(simide $EP0 r32 0x10)
r0=$(save_regs $EP0)
simide $EP0 w32 0x48 0x8000 # Device Control: Initiate FLR
[ $(($(simide $EP0 r32 0x10))) = 12 ] && [ $(($(simide $EP0 r32 0x20))) = 4 ] ||
	fail "BAR0/BAR4 after a raw FLR: $(simide $EP0 r32 0x10) $(simide $EP0 r32 0x20)"
put_regs $EP0 "$r0"
[ "$(simide $EP0 r32 0x10)" = "$b0" ] || fail "BAR0 not written back: $(simide $EP0 r32 0x10)"
r0=$(save_regs $EP0) r1=$(save_regs $F1) r2=$(save_regs $F2)
bc=$(simide $DSP0 r32 0x3c)
simide $DSP0 w32 0x3c $((bc | 0x400000)) # Bridge Control: Secondary Bus Reset
simide $DSP0 w32 0x3c $bc
[ $(($(simide $EP0 r32 0x10))) = 12 ] && [ $(($(simide $F1 r32 0x10))) = 8 ] &&
	[ $(($(simide $F2 r32 0x18))) = 12 ] ||
	fail "BARs after a raw SBR: $(simide $EP0 r32 0x10) $(simide $F1 r32 0x10) $(simide $F2 r32 0x18)"
put_regs $EP0 "$r0"
put_regs $F1 "$r1"
put_regs $F2 "$r2"
bar $F2 2 0x200000 64 pref
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "reset (FLR) of $EP0"
bar $EP0 0 0x1000000 64 pref
bar $EP0 2 0x10000 32 np
bar $EP0 4 0x100000 64 np
[ "$(simide $EP0 r32 0x10)" = "$b0" ] || fail "BAR0 $(simide $EP0 r32 0x10), was $b0"
msix $EP0 32 4 0 0x10000 0x100000
ok "raw FLR and SBR clear the BARs (BAR0 reads 0xc: only its type bits); the core's FLR (sysfs reset) restores them, MSI-X unchanged"

# hot-unplug (the emulator unplugs slot 0 at its next request) and replug
a0=$(hex $(start $EP0 0))
stop_emu
start_emu --fault unplug --fault-slot 0 --plug none
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null 2>&1
wait_gone $EP0
wait_until 10 "$F1 still there after its card left" sh -c "[ ! -e /sys/bus/pci/devices/$F1 ]"
grep -qi "$(printf %x $(start $DSP0 $PW))" /proc/iomem || fail "$DSP0 window released at unplug"
grep -A2 "$(printf %x $(start $DSP0 $PW))-" /proc/iomem | grep -q "$DOM:03:00" &&
	fail "BARs of the unplugged card still in /proc/iomem"
stop_emu
start_emu --plug 0
wait_until 20 "$EP0 not back" test -e /sys/bus/pci/devices/$EP0/resource
wait_until 10 "$F2 not back" test -e /sys/bus/pci/devices/$F2/resource
bar $EP0 0 0x1000000 64 pref
bar $EP0 2 0x10000 32 np
bar $EP0 4 0x100000 64 np
bar $F2 2 0x200000 64 pref
msix $EP0 32 4 0 0x10000 0x100000
ok "unplugged: BARs released, windows kept; replugged: BARs assigned again (BAR0 $a0 -> $(hex $(start $EP0 0)))"

stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
grep -q "tsmh_sim aperture" /proc/iomem && fail "apertures left in /proc/iomem after rmmod"
ok "unloaded: apertures released"

# SR-IOV (nr_vfs=4): VF BARs sized in the PF's capability and assigned
# with the card; tsmh_sim_drv bound to the PF enables VFs (sriov_numvfs)
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_vfs=4 || setup_fail "insmod tsmh_sim nr_vfs=4"
start_emu
wait_eps 1
P=/sys/bus/pci/devices/$EP0
[ "$(cat $P/sriov_totalvfs)" = 4 ] || fail "sriov_totalvfs $(cat $P/sriov_totalvfs)"
# resource 7 and 9: VF BAR0 and VF BAR2, for all four VFs
[ $(($(end $EP0 7) - $(start $EP0 7) + 1)) = $((4 << 20)) ] && [ $(($(flags $EP0 7) & MEM64)) != 0 ] &&
	[ $(($(flags $EP0 7) & PREF)) != 0 ] || fail "VF BAR0 resource: $(res $EP0 7)"
[ $(($(end $EP0 9) - $(start $EP0 9) + 1)) = $((64 << 10)) ] && [ "$(end $EP0 9)" -lt $G4 ] ||
	fail "VF BAR2 resource: $(res $EP0 9)"
within $EP0 7 $DSP0 $PW
within $EP0 9 $DSP0 $MW
tsmctl gate $EP0 release >/dev/null || fail "release $EP0"
echo tsmh_sim_drv >$P/driver_override
echo $EP0 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
[ "$(drv $EP0)" = tsmh_sim_drv ] || fail "tsmh_sim_drv not bound to $EP0: '$(drv $EP0)'"
echo 4 >$P/sriov_numvfs || fail "sriov_numvfs 4"
for vi in 1 2 3 4; do
	V=${EP0%.0}.$vi
	wait_until 10 "VF $V did not appear" test -e /sys/bus/pci/devices/$V/resource
	[ "$(cat /sys/bus/pci/devices/$V/device)" = 0x1e15 ] || fail "$V device $(cat /sys/bus/pci/devices/$V/device)"
	[ -e /sys/bus/pci/devices/$V/physfn ] || fail "$V is not a VF"
	[ "$(start $V 0)" = $(($(start $EP0 7) + (vi - 1) * (1 << 20))) ] && [ $(($(end $V 0) - $(start $V 0))) = $(((1 << 20) - 1)) ] ||
		fail "$V BAR0 $(res $V 0), VF BAR0 resource $(res $EP0 7)"
	[ "$(start $V 2)" = $(($(start $EP0 9) + (vi - 1) * (16 << 10))) ] || fail "$V BAR2 $(res $V 2)"
	msix $V 4 2 0 0x2000 0x4000
	tsmctl -j show $V >/tmp/v.json 2>&1 || fail "tsmh_core does not track VF $V: $(cat /tmp/v.json)"
done
echo "VF gate: $(gate ${EP0%.0}.1) ($(gmsg ${EP0%.0}.1))"
LV=$(sim_tdi_layout ${EP0%.0}.2)
[ "$LV" = "bar0=$(hex $(start ${EP0%.0}.2 0)):0x100000:64:pref,bar2=$(hex $(start ${EP0%.0}.2 2)):0x4000:32:np,msix=2:0x0:4:2:0x2000" ] ||
	fail "VF layout: $LV"
ok "4 VFs (1e15) at $EP0's functions 1-4, tracked by tsmh_core: BAR0 1M 64-bit pref, BAR2 16K with MSI-X (4 entries), from the PF's VF BARs; layout $LV"

# the stream's windows and RID range take the VFs in
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new with VFs: $(cat /tmp/n.out)"
S=$(sed -n 's/^stream \([0-9]*\) .*/\1/p' /tmp/n.out | head -n 1)
set -- $(simide $RP addr 0 0)
[ $(($1)) -le "$(start $EP0 9)" ] && [ $(($2)) -ge "$(end $EP0 7)" ] ||
	fail "root port address block $* does not cover the VF BARs $(res $EP0 7) / $(res $EP0 9)"
rid=$(simide $RP sel 0 | cut -d' ' -f3)
[ $(((rid >> 8) & 0xffff)) = $(((3 << 8) | 4)) ] || fail "root port RID limit in $rid: want 03:00.4"
idenl del $EP0 "$S" >/dev/null || fail "ide-stream-del"
ok "ide-stream-new: address block $1-$2 covers the VF BARs, RID limit 03:00.4 (the last VF)"

# an FLR of the PF: the sim drops the VFs (VF Enable clear), the core restores them
echo 1 >$P/reset || fail "FLR of the PF"
[ "$(simide ${EP0%.0}.4 r32 0x2c)" = 0x1e151b36 ] || fail "VF 4 does not answer after the PF's FLR"
echo 0 >$P/sriov_numvfs || fail "sriov_numvfs 0"
wait_until 10 "VFs still there" sh -c "[ ! -e /sys/bus/pci/devices/${EP0%.0}.1 ]"
echo 2 >$P/sriov_numvfs || fail "sriov_numvfs 2"
wait_until 10 "VF 2 not back" test -e /sys/bus/pci/devices/${EP0%.0}.2/resource
[ -e /sys/bus/pci/devices/${EP0%.0}.3 ] && fail "VF 3 with NumVFs 2"
echo $EP0 >/sys/bus/pci/drivers/tsmh_sim_drv/unbind
wait_until 10 "VFs left after the PF's driver went" sh -c "[ ! -e /sys/bus/pci/devices/${EP0%.0}.1 ]"
ok "PF FLR keeps the VFs (restored); NumVFs 0 removes them, 2 brings two; unbinding the PF driver removes them"

stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim (nr_vfs)"
rmmod tsmh_core || fail "rmmod tsmh_core"
