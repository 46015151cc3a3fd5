# CAP_NET_ADMIN alone (NetworkManager, VPN daemons, a container run with
# --cap-add NET_ADMIN) does not get past the gate (issue 10, item 1):
# releasing, holding, quarantining, mailbox claims, DOE exchanges other
# than discovery and evidence put/commit/abort need CAP_SYS_ADMIN, on
# netlink as on sysfs, and the refusal names it; reads and discovery stay
# open to CAP_NET_ADMIN; CAP_SYS_ADMIN alone does all of it (what tsmd's
# unit grants).
. /tests/lib.sh
stub_required
trap 'rmmod pci_stub 2>/dev/null' EXIT
NA="capexec 65534 net_admin"
SA="capexec 65534 sys_admin"
gate_is() { [ "$(gate "$1")" = "$2" ]; }
exchanges() { tsmctl -j show "$1" | jq '.doe[0].exchanges'; }

stub_modules 2
start_emu
wait_eps 2
$NA grep -q '^CapEff:.*0000000000001000$' /proc/self/status || fail "capexec: $($NA grep Cap /proc/self/status)"
gate_is $EP0 held/new || fail "$EP0 not held at add: $(gate $EP0)"

# --- CAP_NET_ADMIN: the gate ---
for a in release quarantine hold; do
	expect_fail "Operation not permitted (CAP_SYS_ADMIN required)" $NA tsmctl gate $EP0 $a
done
expect_fail "CAP_SYS_ADMIN" $NA tsmctl gate $EP0 release --reason exempt
gate_is $EP0 held/new || fail "CAP_NET_ADMIN changed the gate: $(gate $EP0)"
[ -z "$(drv $EP0)" ] || fail "$EP0 bound to $(drv $EP0)"
# root in a container with only CAP_NET_ADMIN: the sysfs file says the same
capexec 0 net_admin sh -c "echo release >/sys/bus/pci/devices/$EP0/tsmh/gate" 2>/tmp/w.err &&
	fail "root with only CAP_NET_ADMIN wrote the sysfs gate file"
grep -q "Operation not permitted" /tmp/w.err || fail "sysfs refusal: $(cat /tmp/w.err)"
gate_is $EP0 held/new || fail "sysfs changed the gate: $(gate $EP0)"
ok "CAP_NET_ADMIN cannot release, hold or quarantine (netlink, sysfs)"

# --- CAP_NET_ADMIN: DOE and the mailbox ---
n0=$(exchanges $EP0)
expect_fail "CAP_SYS_ADMIN" $NA tsmctl doe $EP0 --protocol cma --hex 10840000
[ "$(exchanges $EP0)" = "$n0" ] || fail "a refused CMA exchange reached the device"
rsp=$($NA tsmctl doe $EP0 --protocol discovery --hex 00000000) || fail "discovery with CAP_NET_ADMIN: $rsp"
[ "$(exchanges $EP0)" = $((n0 + 1)) ] || fail "discovery not counted: $(exchanges $EP0)"
$NA tsmctl claim $EP0 >/tmp/c.out 2>&1 &
CPID=$!
sleep 1
if kill -0 $CPID 2>/dev/null; then
	kill $CPID
	fail "CAP_NET_ADMIN holds a claim on $EP0 ($(tsmctl -j show $EP0 | jq -c '.doe[0].owner'))"
fi
grep -q "CAP_SYS_ADMIN" /tmp/c.out || fail "claim refusal: $(cat /tmp/c.out)"
owner_is $EP0 none || fail "owner after a refused claim: $(tsmctl -j show $EP0 | jq -c '.doe[0].owner')"
expect_fail "CAP_SYS_ADMIN" $NA tsmctl spdm-info $EP0
ok "CAP_NET_ADMIN: discovery works; CMA exchanges and claims refused"

# --- CAP_NET_ADMIN: evidence ---
echo "not evidence" >/tmp/obj
expect_fail "CAP_SYS_ADMIN" $NA evput $EP0 set:firmware-tsm:vca=/tmp/obj
expect_fail "CAP_SYS_ADMIN" $NA evput $EP0 commit:firmware-tsm
expect_fail "CAP_SYS_ADMIN" $NA evput $EP0 abort
expect_fail "no evidence held" tsmctl evidence $EP0
ok "CAP_NET_ADMIN cannot put, commit or abort evidence"

# --- reads stay open ---
$NA tsmctl list >/tmp/l.out 2>&1 || fail "list with CAP_NET_ADMIN: $(cat /tmp/l.out)"
grep -q "$EP0" /tmp/l.out || fail "list: $(cat /tmp/l.out)"
asuser tsmctl show $EP0 >/dev/null || fail "show as nobody"
expect_fail "Operation not permitted" asuser tsmctl doe $EP0 --protocol discovery --hex 00000000
ok "list and show open to all, discovery to CAP_NET_ADMIN"

# --- CAP_SYS_ADMIN alone does all of it ---
$SA tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "CMA exchange with CAP_SYS_ADMIN"
$SA tsmctl doe $EP0 --protocol discovery --hex 00000000 >/dev/null || fail "discovery with CAP_SYS_ADMIN"
out=$($SA evput $EP0 set:spdm:vca=/tmp/obj 2>&1) || fail "evidence with CAP_SYS_ADMIN: $out"
$SA tsmctl evidence $EP0 >/dev/null || fail "evidence read with CAP_SYS_ADMIN"
$SA tsmctl gate $EP0 release || fail "release with CAP_SYS_ADMIN"
gate_is $EP0 released/admin || fail "after release: $(gate $EP0)"
[ "$(drv $EP0)" = pci-stub ] || fail "pci-stub did not bind after release: '$(drv $EP0)'"
$SA tsmctl gate $EP0 quarantine --msg "capadmin test" || fail "quarantine with CAP_SYS_ADMIN"
gate_is $EP0 held/quarantine || fail "after quarantine: $(gate $EP0)"
[ -z "$(drv $EP0)" ] || fail "still bound after quarantine"
ok "CAP_SYS_ADMIN alone: CMA, discovery, evidence, release, quarantine"

stop_emu
rmmod pci_stub || fail "rmmod pci_stub"
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
