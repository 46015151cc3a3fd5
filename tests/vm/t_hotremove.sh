# Hot-remove a device while a DOE exchange is pending: no crash, no hang,
# the device goes away cleanly and comes back on rescan.
. /tests/lib.sh
load_modules 2
start_emu --delay-ms 700
wait_eps 2
( tsmctl doe $EP1 --protocol cma --hex 10840000 >/tmp/r.out 2>/tmp/r.err; echo $? >/tmp/r.rc ) &
XPID=$!
sleep 0.2
echo 1 >/sys/bus/pci/devices/$EP1/remove || fail "sysfs remove"
wait_until 10 "pending exchange hung after removal" test -f /tmp/r.rc
wait $XPID
echo "pending exchange ended with rc=$(cat /tmp/r.rc): $(cat /tmp/r.out /tmp/r.err)"
wait_gone $EP1
[ -e /sys/bus/pci/devices/$EP1 ] && fail "$EP1 still in sysfs"
ok "removed while an exchange was pending"
tsmctl doe $EP1 --protocol cma --hex 10840000 2>&1 | grep -q "no such device" || fail "exchange with a removed device not refused clearly"
stop_emu
start_emu
echo 1 >/sys/bus/pci/rescan
wait_eps 2
rsp=$(tsmctl doe $EP1 --protocol cma --hex 10840000) || fail "exchange after rescan"
[ "$rsp" = 100400000002001200130000 ] || fail "after rescan: $rsp"
ok "back after rescan: $rsp"
# surprise removal by the device itself, with the exchange in flight
stop_emu
start_emu --fault unplug --fault-slot 1 --plug none
( tsmctl doe $EP1 --protocol cma --hex 10840000 >/tmp/s.out 2>/tmp/s.err; echo $? >/tmp/s.rc ) &
wait_until 10 "exchange hung after surprise removal" test -f /tmp/s.rc
[ "$(cat /tmp/s.rc)" != 0 ] || fail "exchange with a vanished device succeeded: $(cat /tmp/s.out)"
grep -q "device is gone\|device was removed\|no such device" /tmp/s.err || fail "vanished device not named as gone: $(cat /tmp/s.err)"
echo "in-flight exchange failed cleanly: $(cat /tmp/s.err)"
wait_gone $EP1
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "the other endpoint suffered"
ok "surprise removal mid-exchange handled; other endpoint fine"
stop_emu
start_emu --plug 1
wait_eps 2
ok "re-plugged"

# unloading the emulated domain while an exchange waits for an answer
stop_emu
start_emu --delay-ms 3000 --plug none
( tsmctl doe $EP0 --protocol cma --hex 10840000 >/tmp/u.out 2>&1; echo $? >/tmp/u.rc ) &
sleep 0.3
stop_emu # the answer never comes
rmmod tsmh_sim || fail "rmmod tsmh_sim with an exchange pending"
wait_until 10 "exchange hung across rmmod" test -f /tmp/u.rc
echo "exchange pending across rmmod ended: $(cat /tmp/u.out)"
[ "$(cat /tmp/u.rc)" != 0 ] || fail "an exchange nobody answered succeeded"
ok "sim unloaded with an exchange in flight"
rmmod tsmh_core || fail "rmmod tsmh_core"

