# The kernel-enforced driver gate (ABI 3): hot-added endpoints are held even
# from a driver loaded before they appear; release/hold/quarantine and an
# attested release bound to the committed evidence generation; FLR seen as
# EVT_RESET (and held with reset_hold=1); privileges; the udev exemption;
# unload/reload keeps held devices held; gate=off holds nothing.
. /tests/lib.sh
stub_required
cleanup() {
	rm -f /etc/udev/rules.d/69-tsmh-test.rules
	udevadm control --reload 2>/dev/null
	rmmod pci_stub 2>/dev/null
}
trap cleanup EXIT
gate_is() { [ "$(tsmctl -j show "$1" | jq -r '.gate.state + "/" + .gate.reason')" = "$2" ]; }
sysgate() { cat /sys/bus/pci/devices/$1/tsmh/gate; }
override() { cat /sys/bus/pci/devices/$1/driver_override; }

# the driver is there before the devices: without the gate it would bind
stub_modules 2
tsmctl -j monitor >/tmp/mon.json 2>/tmp/mon.err &
MON=$!
start_emu -v --slots 2 --export-root /tmp/root.pem
wait_eps 2
tsmctl info
tsmctl -j info | jq -e '.gate_mode == "on" and (.reset_sources | index("flr"))' >/dev/null ||
	fail "info: $(tsmctl -j info)"

# --- held at add, before any probe ---
for d in $EP0 $EP1; do
	[ -z "$(drv $d)" ] || fail "$d bound to $(drv $d) despite the gate"
	[ "$(override $d)" = tsmh-held ] || fail "$d driver_override: $(override $d)"
	gate_is $d held/new || fail "$d: $(tsmctl -j show $d | jq -c .gate)"
	[ "$(sysgate $d)" = "held new" ] || fail "$d sysfs gate: $(sysgate $d)"
done
if tsmctl show $RP >/dev/null 2>&1; then
	gate_is $RP none/none || fail "root port gated: $(tsmctl -j show $RP | jq -c .gate)"
fi
tsmctl list
tsmctl list | grep "$EP0" | grep -q "held(new)" || fail "list lacks the gate column"
ok "hot-added endpoints held with pci-stub already loaded; the port is not gated"

# --- release, hold, quarantine ---
tsmctl gate $EP0 release || fail "release"
[ "$(drv $EP0)" = pci-stub ] || fail "pci-stub did not bind after release: '$(drv $EP0)'"
gate_is $EP0 released/admin || fail "after release: $(tsmctl -j show $EP0 | jq -c .gate)"
[ "$(tsmctl -j show $EP0 | jq -r .driver)" = pci-stub ] || fail "driver not shown"
tsmctl gate $EP0 hold || fail "hold"
[ -z "$(drv $EP0)" ] || fail "still bound to $(drv $EP0) after hold"
[ "$(override $EP0)" = tsmh-held ] || fail "override after hold: $(override $EP0)"
tsmctl gate $EP0 quarantine --msg "measurements differ" || fail "quarantine"
gate_is $EP0 held/quarantine || fail "after quarantine: $(tsmctl -j show $EP0 | jq -c .gate)"
[ "$(tsmctl -j show $EP0 | jq -r .gate.msg)" = "measurements differ" ] || fail "msg not shown"
tsmctl show $EP0 | grep -q "Gate:.*held(quarantine): measurements differ" || fail "show: $(tsmctl show $EP0)"
ok "release binds pci-stub, hold unbinds, quarantine keeps its message"

# --- refusals ---
expect_fail "hold takes reason admin" tsmctl gate $EP1 hold --reason attested
expect_fail "message too long" tsmctl gate $EP1 hold --msg "$(printf '%0200d' 0)"
expect_fail "unknown action" tsmctl gate $EP1 open
expect_fail "not gated\|no such device" tsmctl gate $RP hold
expect_fail "Operation not permitted" asuser tsmctl gate $EP1 release
asuser "echo release >/sys/bus/pci/devices/$EP1/tsmh/gate" 2>/tmp/w.err &&
	fail "nobody wrote the gate file"
grep -q "Permission denied" /tmp/w.err || fail "sysfs write refused without EACCES: $(cat /tmp/w.err)"
echo open >/sys/bus/pci/devices/$EP1/tsmh/gate 2>/dev/null && fail "sysfs accepted 'open'"
gate_is $EP1 held/new || fail "a refused request changed $EP1"
ok "bad requests and unprivileged callers refused; nothing changed"

# --- attested release, bound to the evidence generation ---
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a.json 2>&1 || fail "attest: $(cat /tmp/a.json)"
gen=$(tsmctl -j evidence $EP0 | jq .generation)
[ "$gen" -gt 0 ] || fail "no evidence generation"
DIG=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabb
expect_fail "evidence changed since it was verified" \
	tsmctl gate $EP0 release --reason attested --digest $DIG --generation $((gen + 1000))
gate_is $EP0 held/quarantine || fail "a stale acceptance changed the gate"
tsmctl gate $EP0 release --reason attested --digest $DIG --generation $gen || fail "attested release"
gate_is $EP0 released/attested || fail "after attested: $(tsmctl -j show $EP0 | jq -c .gate)"
tsmctl -j show $EP0 | jq -e --arg d $DIG --argjson g $gen \
	'.gate.accepted.digest == $d and .gate.accepted.generation == $g and .gate.reattest == false' \
	>/dev/null || fail "accepted evidence: $(tsmctl -j show $EP0 | jq -c .gate)"
[ "$(drv $EP0)" = pci-stub ] || fail "attested release did not bind"
[ "$(sysgate $EP0)" = "released attested" ] || fail "sysfs gate: $(sysgate $EP0)"
ok "stale generation refused (ESTALE), current one releases as attested ($gen)"

# --- FLR: reported, re-attestation flagged, driver stays ---
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR via sysfs"
wait_until 10 "no reset event: $(cat /tmp/mon.json)" grep -q "\"event\":\"reset\",\"device\":\"$EP0\"" /tmp/mon.json
tsmctl -j show $EP0 | jq -e '.reset_count == 1 and .reset_kind == "flr" and .gate.reattest and
	.gate.state == "released" and .driver == "pci-stub"' >/dev/null ||
	fail "after FLR: $(tsmctl -j show $EP0 | jq -c '{gate, reset_count, reset_kind, driver}')"
[ "$(drv $EP0)" = pci-stub ] || fail "FLR unbound the driver"
ok "FLR reported (EVT_RESET), count 1, reattest set, pci-stub still bound"

echo 1 >/sys/module/tsmh_core/parameters/reset_hold || fail "reset_hold=1"
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "second FLR"
wait_until 10 "not held after reset: $(tsmctl -j show $EP0 | jq -c .gate)" gate_is $EP0 held/reset
[ -z "$(drv $EP0)" ] || fail "reset_hold=1 left $(drv $EP0) bound"
[ "$(tsmctl -j show $EP0 | jq .reset_count)" = 2 ] || fail "reset count not 2"
echo 0 >/sys/module/tsmh_core/parameters/reset_hold
ok "reset_hold=1: unbound and held (reason reset)"

# --- udev exemption, without tsmd ---
echo "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$EP1\", ENV{TSMH_EXEMPT}=\"1\"" \
	>/etc/udev/rules.d/69-tsmh-test.rules
udevadm control --reload || fail "udev reload"
echo 1 >/sys/bus/pci/devices/$EP1/remove
wait_gone $EP1
echo 1 >/sys/bus/pci/rescan
wait_eps 2
wait_until 20 "udev did not exempt $EP1: $(sysgate $EP1)" gate_is $EP1 released/exempt
wait_until 10 "pci-stub did not bind the exempt $EP1" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$EP1/driver))\" = pci-stub ]"
ok "udev rule exempted the marked $EP1; pci-stub bound it"
tsmctl gate $EP1 hold || fail "hold $EP1"

# --- an administrator bypasses the gate by hand: reported, not hidden ---
echo pci-stub >/sys/bus/pci/devices/$EP1/driver_override || fail "write driver_override"
echo $EP1 >/sys/bus/pci/drivers_probe
wait_until 10 "pci-stub did not bind after the override was rewritten" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$EP1/driver))\" = pci-stub ]"
wait_until 5 "bypass not reported: $(tsmctl -j show $EP1 | jq -c .gate)" gate_is $EP1 released/bypass
dmesg | grep -q "$EP1: tsmh: driver pci-stub bound although the device was held" || fail "no bypass warning in the log"
tsmctl gate $EP1 hold || fail "hold $EP1 after bypass"
# the administrator's pci-stub is kept inside ours (t_override.sh)
[ "$(override $EP1)" = tsmh-held:pci-stub ] || fail "hold did not restore the override: $(override $EP1)"
ok "manual driver_override bypass reported (released/bypass, warning), hold restores it"

kill $MON 2>/dev/null
wait $MON 2>/dev/null
grep -q "\"event\":\"gate\"" /tmp/mon.json || fail "no EVT_GATE seen: $(cat /tmp/mon.json)"
tsmctl monitor --count 1 >/tmp/mon.txt 2>/dev/null &
MON=$!
sleep 0.5
tsmctl gate $EP1 release >/dev/null || fail "release $EP1"
wait_until 10 "monitor missed the gate event" sh -c "! kill -0 $MON 2>/dev/null"
grep -q "gate $EP1 released(admin)" /tmp/mon.txt || fail "monitor text: $(cat /tmp/mon.txt)"
echo >/sys/bus/pci/devices/$EP1/driver_override # the administrator's pci-stub goes
tsmctl gate $EP1 hold >/dev/null || fail "hold $EP1"
ok "EVT_GATE reaches tsmctl monitor: $(cat /tmp/mon.txt)"

# --- unload with held devices: they stay held; reload adopts them ---
rmmod tsmh_core || fail "rmmod tsmh_core with held devices"
[ "$(override $EP0)" = tsmh-held ] || fail "unload cleared the hold of $EP0"
[ -z "$(drv $EP0)" ] || fail "$EP0 bound to $(drv $EP0) after unload"
insmod "$MODDIR/tsmh_core.ko" || fail "reinsmod tsmh_core"
wait_eps 2
gate_is $EP0 held/present || fail "reload: $(tsmctl -j show $EP0 | jq -c .gate)"
ok "rmmod leaves held devices held (driver_override); insmod adopts them (held/present)"

# --- gate=off: our stale holds go, nothing new is held ---
rmmod tsmh_core || fail "rmmod tsmh_core"
insmod "$MODDIR/tsmh_core.ko" gate=off || fail "insmod gate=off"
wait_eps 2
tsmctl -j info | jq -e '.gate_mode == "off"' >/dev/null || fail "gate mode not off"
for d in $EP0 $EP1; do
	wait_until 10 "$d not bound with gate=off" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$d/driver))\" = pci-stub ]"
	gate_is $d none/none || fail "$d gated with gate=off: $(tsmctl -j show $d | jq -c .gate)"
	[ -z "$(override $d | grep -v '(null)')" ] || fail "$d override left: $(override $d)"
done
ok "gate=off: stale holds cleared, pci-stub bound everything"

# --- devices bound at load: keep (default) leaves them, hold unbinds ---
rmmod tsmh_core || fail "rmmod tsmh_core"
insmod "$MODDIR/tsmh_core.ko" || fail "insmod (gate_bound=keep)"
wait_eps 2
gate_is $EP0 released/present || fail "keep: $(tsmctl -j show $EP0 | jq -c .gate)"
[ "$(drv $EP0)" = pci-stub ] || fail "keep unbound $EP0"
rmmod tsmh_core || fail "rmmod tsmh_core"
insmod "$MODDIR/tsmh_core.ko" gate_bound=hold || fail "insmod gate_bound=hold"
wait_eps 2
gate_is $EP0 held/present || fail "hold: $(tsmctl -j show $EP0 | jq -c .gate)"
[ -z "$(drv $EP0)" ] || fail "gate_bound=hold left $(drv $EP0) bound"
[ "$(override $EP0)" = tsmh-held ] || fail "gate_bound=hold: override $(override $EP0)"
insmod "$MODDIR/tsmh_core.ko" gate_bound=bogus 2>/dev/null && fail "gate_bound=bogus accepted"
ok "gate_bound=keep leaves bound devices (released/present), gate_bound=hold unbinds and holds"
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
