# All functions of a card follow its function 0 (issue 10, item 6): on a
# three-function card whose functions 1 and 2 have neither DOE nor TEE-IO
# (tsmh_sim nr_functions=3; their own driver is loaded before the card
# appears), they are held while function 0 is held or quarantined
# (reason function0), go their own way once it is released (nothing to
# verify: released as not-cma, their driver binds), and are held again,
# their driver unbound, when function 0 is held again.
. /tests/lib.sh
stub_required
cleanup() { rmmod pci_stub 2>/dev/null; }
trap cleanup EXIT
F1=$DOM:03:00.1
F2=$DOM:03:00.2
override() { cat /sys/bus/pci/devices/$1/driver_override; }
unbound() { [ ! -e /sys/bus/pci/devices/$1/driver ]; }
bound() { [ -e /sys/bus/pci/devices/$1/driver ]; }

[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$STUB" ids=1b36:1e10,1b36:1e14 || setup_fail "insmod pci-stub"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=3 || setup_fail "insmod tsmh_sim nr_functions=3"
start_emu
wait_until 30 "the card did not appear" sh -c "[ -e /sys/bus/pci/devices/$F2 ]"
wait_eps 1
sleep 1
for f in $F1 $F2; do
	[ "$(cat /sys/bus/pci/devices/$f/device)" = 0x1e14 ] || fail "$f is not function $f of the card"
	unbound $f || fail "$f bound to $(drv $f) while function 0 is held ($(gate $EP0))"
	[ "$(override $f)" = tsmh-held ] || fail "$f driver_override: $(override $f)"
	[ "$(gate $f)" = held/function0 ] || fail "$f: $(gate $f)"
done
[ "$(gate $EP0)" = held/new ] || fail "$EP0: $(gate $EP0)"
ok "functions 1 and 2 held with function 0: $(gate $F1) ($(gmsg $F1))"

tsmctl gate $EP0 quarantine --msg "test" >/dev/null || fail "quarantine $EP0"
sleep 1
for f in $F1 $F2; do
	unbound $f || fail "$f bound to $(drv $f) while function 0 is quarantined"
	[ "$(gate $f)" = held/function0 ] || fail "$f: $(gate $f)"
done
expect_fail "" sh -c "echo $F1 >/sys/bus/pci/drivers/pci-stub/bind"
ok "function 0 quarantined: functions 1 and 2 stay held, a bind is refused"

tsmctl gate $EP0 release >/dev/null || fail "release $EP0"
for f in $EP0 $F1 $F2; do
	wait_until 10 "$f not bound after function 0 was released: $(gate $f)" bound $f
done
for f in $F1 $F2; do
	[ "$(gate $f)" = released/not-cma ] || fail "$f: $(gate $f)"
	[ "$(drv $f)" = pci-stub ] || fail "$f bound to $(drv $f)"
done
ok "function 0 released: functions 1 and 2 follow their own state ($(gate $F1)), pci-stub bound"

tsmctl gate $EP0 hold >/dev/null || fail "hold $EP0"
for f in $F1 $F2; do
	wait_until 10 "$f still bound after function 0 was held" unbound $f
	[ "$(gate $f)" = held/function0 ] || fail "$f: $(gate $f)"
done
dmesg | grep -q "$F1: tsmh: gate released -> held (function0)" || fail "no log line for $F1"
tsmctl gate $EP0 release >/dev/null || fail "release $EP0 again"
for f in $F1 $F2; do
	wait_until 10 "$f not bound again" bound $f
done
ok "function 0 held again: functions 1 and 2 unbound and held; released: bound again"

stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod pci_stub || fail "rmmod pci_stub"
rmmod tsmh_core || fail "rmmod tsmh_core"
