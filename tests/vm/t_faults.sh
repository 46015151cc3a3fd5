# A silent device times out; a device that sets DOE Error fails cleanly;
# both recover; other devices are unaffected.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
stop_emu
# the devices stay present; only their answers change from here on
start_emu --fault silent --fault-slot 1 --plug none
t0=$(cut -d' ' -f1 /proc/uptime)
expect_fail "DOE" tsmctl doe $EP1 --protocol cma --hex 10840000
t1=$(cut -d' ' -f1 /proc/uptime)
echo "silent device failed after $(awk -v a=$t0 -v b=$t1 'BEGIN{print b-a}') s"
awk -v a=$t0 -v b=$t1 'BEGIN{exit !(b - a < 10)}' || fail "timeout took too long"
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "healthy device affected"
ok "silent device times out, healthy device fine"
stop_emu
start_emu --fault doe-error --fault-slot 1 --plug none
expect_fail "DOE exchange failed" tsmctl doe $EP1 --protocol cma --hex 10840000
stop_emu
start_emu --fault bad-length --fault-slot 1 --plug none
expect_fail "DOE exchange failed" tsmctl doe $EP1 --protocol cma --hex 10840000
stop_emu
start_emu --plug none
rsp=$(tsmctl doe $EP1 --protocol cma --hex 10840000) || fail "no recovery after faults"
[ "$rsp" = 100400000002001200130000 ] || fail "after faults: $rsp"
ok "mailbox recovered: $rsp"
unload_modules
