# tsmd end to end under a real kernel, udevd and a system bus: devices
# hot-added behind a driver loaded first are held; tsmd attests them and
# holds the unknown ones (tsmctl says why); tsmctl allow -p writes the
# allow-list and the driver binds; FLR with identical measurements is
# restored, FLR with changed firmware is quarantined (driver unbound, the
# change named); tsmd killed mid-attestation leaves the device held and a
# new tsmd finishes; an unprivileged caller is refused; a corrupt
# allow-list releases nothing until it is fixed.
. /tests/lib.sh
# slot 1 changes its firmware measurement at every FLR
tsmd_stage -v --slots 1 --fault meas-change --fault-slot 1
for d in $EP0 $EP1; do
	[ -z "$(drv $d)" ] || fail "$d bound to $(drv $d) before tsmd said anything"
done
ok "hot-added endpoints held although pci-stub was loaded first"

tsmd_conf measurements '"attest_timeout_ms": 30000'
# an admin hook sees every event with its details in the environment
tsmctl monitor --exec 'echo "$TSMH_EVENT $TSMH_DEVICE $TSMH_GATE_REASON$TSMH_RESET_KIND" >>/tmp/hook.log' \
	>/dev/null 2>/tmp/hook.err &
HOOK=$!
tsmd_start
tsmd_decided 60 $EP0 $EP1
[ -z "$(drv $EP0)" ] || tfail "unknown $EP0 bound to $(drv $EP0)"
gmsg $EP0 | grep -q "not in the allow-list" || tfail "list does not say why: $(gmsg $EP0)"
tsmctl list | grep "$EP0" >/dev/null || tfail "tsmctl list"
ok "unknown devices attested and held; tsmctl says: $(gmsg $EP0)"

# unprivileged callers are refused by the bus policy and by tsmd
out=$(asuser tsmctl allow $EP0 2>&1) && tfail "nobody could allow $EP0: $out"
echo "$out" | grep -q "permission denied: only root" || tfail "unprivileged refusal unclear: $out"
[ -z "$(drv $EP0)" ] || tfail "$EP0 released by an unprivileged call"
ok "unprivileged allow refused: $out"

out=$(tsmctl allow -p $EP0 2>&1) || tfail "allow $EP0: $out"
wait_until 10 "pci-stub never bound $EP0" sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$EP0/driver 2>/dev/null) 2>/dev/null)\" = pci-stub ]"
[ "$(gate $EP0)" = released/attested ] || tfail "$EP0: $(gate $EP0)"
jq -e '.devices | length == 1' "$TSMD_AL" >/dev/null ||
	tfail "allow-list: $(cat "$TSMD_AL")"
tsmctl allow -p $EP1 >/dev/null 2>&1 || tfail "allow $EP1"
wait_until 10 "pci-stub never bound $EP1" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
ok "tsmctl allow -p: allow-list written, pci-stub bound to both ($out)"

tsmctl policy show >/tmp/show.txt 2>&1 || tfail "policy show: $(cat /tmp/show.txt)"
grep -q "tsmd: *running" /tmp/show.txt && grep -q "allow.*serial 54534d4800000001" /tmp/show.txt ||
	tfail "policy show: $(cat /tmp/show.txt)"
tsmctl policy generate -c "$TSMD_CONF" >/tmp/gen.json 2>/tmp/gen.err ||
	tfail "policy generate: $(cat /tmp/gen.err)"
jq -e '.devices | length == 2 and all(.[]; .decision == "allow" and (.measurements | length) == 1)' \
	/tmp/gen.json >/dev/null || tfail "generated: $(cat /tmp/gen.json)"
ok "policy show lists both entries; policy generate writes an allow-list for both devices"

# FLR, identical measurements: restored, the driver stays
r0=$(tsmctl -j show $EP0 | jq .reset_count)
echo 1 >/sys/bus/pci/devices/$EP0/reset || tfail "FLR $EP0"
wait_until 30 "$EP0 not restored after FLR" grep -q "$EP0: restore" /tmp/tsmd.log
[ "$(drv $EP0)" = pci-stub ] || tfail "$EP0 lost its driver after an identical FLR"
tsmctl -j show $EP0 | jq -e --argjson r "$r0" '.reset_count > $r and (.gate.reattest | not) and
	.gate.state == "released"' >/dev/null || tfail "$EP0 after FLR: $(tsmctl -j show $EP0)"
# an accepted device is re-attested: no CHALLENGE, the kernel's record used
grep -q "$EP0: .*re-attestation passed" /tmp/tsmd.log || tfail "$EP0 not re-attested after the FLR"
tsmctl -j evidence $EP0 | jq -e '[.objects[].name] | (index("challenge") | not) and
	contains(["cert0", "verified", "measurements"])' >/dev/null ||
	tfail "$EP0 evidence after the re-attestation: $(tsmctl -j evidence $EP0)"
ok "FLR with identical measurements: re-attested (no CHALLENGE, chain re-checked against the kernel's record), restored, driver kept"

# FLR, changed firmware: quarantined, driver unbound, the change named
echo 1 >/sys/bus/pci/devices/$EP1/reset || tfail "FLR $EP1"
wait_until 30 "$EP1 not quarantined after FLR" sh -c "[ \"\$(tsmctl -j show $EP1 | jq -r .gate.reason)\" = quarantine ]"
[ -z "$(drv $EP1)" ] || tfail "$EP1 still bound to $(drv $EP1)"
gmsg $EP1 | grep -q "measurement 2" || tfail "change not named: $(gmsg $EP1)"
grep "$EP1: quarantine" /tmp/tsmd.log | grep -q "TSMH_ACTION=quarantine" || tfail "no quarantine log line"
ok "FLR with changed firmware: quarantined, unbound: $(gmsg $EP1)"
kill $HOOK
grep -q "^reset $EP0 flr" /tmp/hook.log && grep -q "^gate $EP1 quarantine" /tmp/hook.log ||
	tfail "monitor --exec hook saw: $(cat /tmp/hook.log /tmp/hook.err)"
ok "monitor --exec hook ran for the reset and the quarantine"

# corrupt allow-list: a new tsmd releases nothing and says so
stop_tsmd
tsmctl gate $EP0 quarantine --msg "test: held again" >/dev/null || fail "re-hold $EP0"
[ -z "$(drv $EP0)" ] || fail "$EP0 still bound after quarantine"
cp "$TSMD_AL" /tmp/al.good
echo '{ "version": 1, "devices": [ {' >"$TSMD_AL"
tsmd_start
wait_until 30 "tsmd never re-decided $EP0" sh -c "tsmctl -j show $EP0 | jq -r .gate.msg | grep -q 'allow-list unreadable'"
[ -z "$(drv $EP0)" ] || tfail "$EP0 released with a corrupt allow-list"
ok "corrupt allow-list: nothing released ($(gmsg $EP0))"
cp /tmp/al.good "$TSMD_AL"
kill -HUP $TSMD_PID
wait_until 30 "$EP0 not released after the allow-list was fixed" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
ok "allow-list fixed + SIGHUP: $EP0 released"

# killed during an attestation (a slow device: every response held 150 ms):
# still held, claim gone; a new tsmd finishes the pending decision
stop_tsmd
stop_emu
start_emu --delay-ms 150 --plug none --export-root "$TSMD_ROOT"
tsmctl gate $EP0 quarantine --msg "test: attest me again" >/dev/null || fail "re-hold $EP0"
tsmd_start
wait_until 30 "tsmd never started attesting $EP0" \
	sh -c "tsmctl -j show $EP0 | jq -e '.doe[0].owner != null'"
kill -9 $TSMD_PID
wait $TSMD_PID 2>/dev/null
TSMD_PID=
[ -z "$(drv $EP0)" ] || fail "$EP0 released by a killed tsmd"
[ "$(cat /sys/bus/pci/devices/$EP0/tsmh/gate)" = "held quarantine" ] ||
	fail "$EP0 after kill: $(cat /sys/bus/pci/devices/$EP0/tsmh/gate)"
wait_until 5 "claim outlived tsmd" sh -c "tsmctl -j show $EP0 | jq -e '.doe[0].owner == null'"
ok "tsmd killed mid-attestation: $EP0 still held, mailbox claim gone"
tsmd_start
# the emulator restarted with a new identity: unknown now, and said so
wait_until 60 "restarted tsmd did not finish $EP0" sh -c "tsmctl -j show $EP0 | jq -r .gate.msg | grep -q 'not in the allow-list'"
[ -z "$(drv $EP0)" ] || tfail "$EP0 (new identity) released"
ok "restarted tsmd resynced and decided: $(gmsg $EP0)"
tsmd_stage_down
