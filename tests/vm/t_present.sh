# Devices already bound when tsmh_core loads (gate_bound=keep): the module
# leaves them bound (released/present); tsmd's present_devices policy
# decides: "keep" attests and only reports, "apply-policy" quarantines an
# unknown device (driver unbound, held, reason named).
. /tests/lib.sh
STUB=$MODDIR/pci-stub.ko
[ -f "$STUB" ] || skip "no pci-stub module in the initramfs"
cleanup() {
	[ -n "$TSMD_PID" ] && kill "$TSMD_PID" 2>/dev/null
	killall -q dbus-daemon 2>/dev/null
	rmmod pci_stub 2>/dev/null
}
trap cleanup EXIT
run_tsmd() { # PRESENT-POLICY
	cat >/etc/tsmd/tsmd.conf <<EOT
{ "trust_anchors": "/tmp/root.pem", "allow_list": "/var/lib/tsmd/allow-list.json",
  "default": "measurements", "present_devices": "$1" }
EOT
	start_tsmd --no-bus -c /etc/tsmd/tsmd.conf
}
mkdir -p /etc/tsmd /var/lib/tsmd
rm -f /var/lib/tsmd/allow-list.json
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$STUB" ids=1b36:1e10 || fail "insmod pci-stub"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=2 || fail "insmod tsmh_sim"
start_emu --export-root /tmp/root.pem
wait_until 30 "pci-stub did not bind the endpoints before tsmh_core" \
	sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ] && [ -e /sys/bus/pci/devices/$EP1/driver ]"
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
wait_eps 2
for d in $EP0 $EP1; do
	[ "$(tsmctl -j show $d | jq -r '.gate.state + "/" + .gate.reason')" = released/present ] ||
		fail "$d: $(tsmctl -j show $d | jq -c .gate)"
	[ "$(drv $d)" = pci-stub ] || fail "$d lost its driver when tsmh_core loaded"
done
ok "devices bound before tsmh_core stay bound: released/present"

run_tsmd keep
wait_until 60 "tsmd (keep) never reported $EP0" grep -q "$EP0: report:" /tmp/tsmd.log
wait_until 60 "tsmd (keep) never reported $EP1" grep -q "$EP1: report:" /tmp/tsmd.log
for d in $EP0 $EP1; do
	[ "$(drv $d)" = pci-stub ] || tfail "present_devices=keep unbound $d"
done
grep "$EP0: report:" /tmp/tsmd.log | grep -q "not in the allow-list" || tfail "report says no why"
ok "present_devices=keep: attested, reported, left bound"
stop_tsmd

run_tsmd apply-policy
wait_until 60 "tsmd (apply-policy) never decided $EP0" \
	sh -c "[ \"\$(cat /sys/bus/pci/devices/$EP0/tsmh/gate)\" = 'held quarantine' ]"
wait_until 10 "$EP0 still bound" sh -c "[ ! -e /sys/bus/pci/devices/$EP0/driver ]"
tsmctl -j show $EP0 | jq -r .gate.msg | grep -q "not in the allow-list" ||
	tfail "no reason: $(tsmctl -j show $EP0 | jq -c .gate)"
ok "present_devices=apply-policy: unknown present device quarantined (unbound)"
stop_tsmd
stop_emu
rmmod pci_stub
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
