# The gate is decided by policy, not by the device (issue 10, item 6):
# a card with the vendor:device of an attestable model whose DOE lists no
# CMA is released as not-cma only where the tsmh_core parameter hold_ids
# allows it. Named there, it stays held ("no CMA although hold_ids names
# it"); a runtime write holds again one the kernel had released as
# not-cma; malformed values are refused whole (EINVAL, nothing changed).
. /tests/lib.sh
stub_required
cleanup() { rmmod pci_stub 2>/dev/null; }
trap cleanup EXIT
P=/sys/module/tsmh_core/parameters/hold_ids
flags() { tsmctl -j show "$1" | jq -c .gate.flags; }
readd() {
	echo 1 >/sys/bus/pci/devices/$1/remove || fail "remove $1"
	wait_gone "$1"
	echo 1 >/sys/bus/pci/rescan || fail "rescan"
	wait_until 30 "$1 not back" sh -c "tsmctl -j show $1 | jq -e .discovered"
}

# slot 1 (EP1): same 1b36:1e10, but no TEE-IO and a DOE offering discovery only
stub_modules 2 hold_ids=1b36:1e10
start_emu --fault no-cma --fault-slot 1
wait_eps 2
sleep 1
[ -z "$(drv $EP1)" ] || fail "the no-CMA $EP1 bound to $(drv $EP1) although hold_ids names it ($(gate $EP1))"
[ "$(cat $P 2>/dev/null)" = 1b36:1e10 ] || fail "insmod tsmh_core hold_ids=1b36:1e10: parameter reads '$(cat $P 2>&1)'"
[ "$(gate $EP1)" = held/new ] || fail "$EP1: $(gate $EP1)"
[ "$(gmsg $EP1)" = "no CMA although hold_ids names it" ] || fail "msg: '$(gmsg $EP1)'"
tsmctl -j show $EP1 | jq -e '(.doe[0].protocols | length) == 1' >/dev/null || fail "$EP1 lists CMA?"
flags $EP1 | grep -q policy || fail "$EP1 flags: $(flags $EP1)"
dmesg | grep -q "$EP1: tsmh: stays held: no CMA although hold_ids names it" || fail "no log line"
[ "$(gate $EP0)" = held/new ] || fail "$EP0: $(gate $EP0)"
ok "hold_ids=1b36:1e10 at load: the no-CMA $EP1 stays held: $(gate $EP1) ($(gmsg $EP1))"

# --- cleared: releases nothing; a re-added card is released as not-cma ---
echo >$P || fail "clear hold_ids"
[ "$(cat $P)" = "" ] || fail "hold_ids reads '$(cat $P)'"
sleep 1
[ "$(gate $EP1)" = held/new ] || fail "clearing hold_ids changed $EP1: $(gate $EP1)"
readd $EP1
wait_until 10 "pci-stub never bound $EP1 with hold_ids empty" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
[ "$(gate $EP1)" = released/not-cma ] || fail "$EP1: $(gate $EP1)"
ok "hold_ids cleared: re-added $EP1 released as not-cma, $(drv $EP1) bound"

# --- runtime write: the kernel's own not-cma release is undone ---
echo 1b36:1e10 >$P || fail "write hold_ids"
[ "$(cat $P)" = 1b36:1e10 ] || fail "hold_ids reads '$(cat $P)'"
wait_until 10 "$EP1 not held again: $(gate $EP1), driver $(drv $EP1)" sh -c "[ \"\$(tsmctl -j show $EP1 | jq -r '.gate.state + \"/\" + .gate.reason')\" = held/policy ]"
[ -z "$(drv $EP1)" ] || fail "$EP1 held but $(drv $EP1) still bound"
[ "$(cat /sys/bus/pci/devices/$EP1/driver_override)" = tsmh-held ] || fail "$EP1 override"
[ "$(gate $EP0)" = held/new ] || fail "$EP0 changed: $(gate $EP0)"
tsmctl show $EP1 | grep -q "Gate:.*held(policy).*\[hold_ids\]" || fail "show: $(tsmctl show $EP1 | grep Gate)"
ok "runtime hold_ids=1b36:1e10: $EP1 held again ($(gate $EP1): $(gmsg $EP1)), pci-stub unbound"

# --- malformed values: refused whole ---
for bad in "1b36:1e1x" "1b36:1e10," "1b36:1e10,,8086:1234" "0x1b36:0x1e10" "1b36 1e10" "1b36:1e10;8086:*"; do
	if echo "$bad" >$P 2>/tmp/w.err; then
		fail "hold_ids accepted '$bad' (now '$(cat $P)')"
	fi
	grep -q "Invalid argument" /tmp/w.err || fail "'$bad' refused without EINVAL: $(cat /tmp/w.err)"
	[ "$(cat $P)" = 1b36:1e10 ] || fail "after '$bad': hold_ids reads '$(cat $P)'"
done
dmesg | grep -q 'hold_ids "1b36:1e1x" refused' || fail "no refusal in the log"
ok "malformed hold_ids values refused with EINVAL, value unchanged, logged"

# --- an administrator's release stays, whatever is written later ---
tsmctl gate $EP1 release >/dev/null || fail "release $EP1"
wait_until 10 "pci-stub did not bind the released $EP1" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
echo '1b36:1e10,8086:*' >$P || fail "second write"
[ "$(cat $P)" = '1b36:1e10,8086:*' ] || fail "hold_ids reads '$(cat $P)'"
sleep 1
[ "$(gate $EP1)" = released/admin ] || fail "admin release undone: $(gate $EP1)"
[ "$(drv $EP1)" = pci-stub ] || fail "admin-released $EP1 unbound"
ok "an admin release stays: $(gate $EP1), $(drv $EP1)"

stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod pci_stub || fail "rmmod pci_stub"
rmmod tsmh_core || fail "rmmod tsmh_core"
insmod "$MODDIR/tsmh_core.ko" hold_ids=1b36:zz 2>/tmp/i.err && fail "insmod with hold_ids=1b36:zz succeeded"
ok "insmod tsmh_core hold_ids=1b36:zz refused: $(cat /tmp/i.err)"
