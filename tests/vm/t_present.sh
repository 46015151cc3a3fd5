# Devices already bound when tsmh_core loads (gate_bound=keep): the module
# leaves them bound (released/present); tsmd's present_devices policy
# decides: "keep" attests and only reports, "apply-policy" quarantines an
# unknown device (driver unbound, held, reason named).
. /tests/lib.sh
run_tsmd() { # PRESENT-POLICY
	tsmd_conf measurements "\"present_devices\": \"$1\""
	tsmd_start --no-bus
}
# pci-stub binds both endpoints before tsmh_core loads; no system bus
tsmd_stage --present --no-bus
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
tsmd_stage_down
