# 7.2 link TSM (issue 12, kmod/core/tsm.c): the module registers as a link
# TSM, so "echo tsmN > /sys/bus/pci/devices/DEV/tsm/connect" asks the
# daemon over netlink (evt-tsm-req) and returns its tsm-done status;
# tsm/disconnect undoes it. tsmresp (tests/vm/tsmresp.c) answers in tsmd's
# place (with -i it allocates the stream through ide-stream-new: on 7.2
# from the PCI core's helpers, kmod/core/ide_pci.c). Covered: the device
# stays ours while connected (its mailbox is not reported as owned by a
# firmware TSM, exchanges go through), no listener,
# a failure status, a timeout with a late answer refused, disconnect,
# tsm-done without CAP_SYS_ADMIN or with no request pending, a stream made
# before a failed connect left alone, a 25 s uninterruptible wait without
# a hung-task report.
. /tests/lib.sh
[ -d /sys/class/tsm ] || skip "no in-kernel TSM core on $KVER (pci-tsm.h, CONFIG_PCI_TSM): tsmctl connect covers it (t_connect)"
load_modules 2
dmesg | grep -q "tsmh_core: no in-kernel TSM core" && skip "tsmh_core built without the link TSM on $KVER"
start_emu
wait_eps 2
T=$(dmesg | sed -n 's/.*tsmh_core: registered link TSM \(tsm[0-9]*\):.*/\1/p' | tail -n 1)
[ -n "$T" ] || fail "no 'registered link TSM' line: $(dmesg | grep tsmh_core | tail -n 3)"
[ -d /sys/class/tsm/$T ] || fail "/sys/class/tsm/$T missing: $(ls /sys/class/tsm)"
C=/sys/bus/pci/devices/$EP0/tsm/connect
D=/sys/bus/pci/devices/$EP0/tsm/disconnect
[ -f $C ] && [ -f $D ] || fail "no tsm/connect, tsm/disconnect on $EP0: $(ls /sys/bus/pci/devices/$EP0)"
[ -z "$(cat $C)" ] || fail "$EP0 connected at start: $(cat $C)"
ok "$T registered; $EP0 has tsm/connect and tsm/disconnect, not connected"

# write WHAT FILE: echo WHAT > FILE, its error text in /tmp/w.err; status
write() { sh -c "echo $1 > $2" 2>/tmp/w.err; }

# no listener: fails at once, nothing connected, the log says why
t0=$(date +%s)
write $T $C && fail "connect succeeded without tsmd"
[ $(($(date +%s) - t0)) -lt 5 ] || fail "connect without a listener took $(($(date +%s) - t0)) s"
grep -q "not connected" /tmp/w.err || fail "no-listener error: $(cat /tmp/w.err)"
dmesg | grep -q "$EP0: tsmh: tsm connect: no tsmd listening" || fail "kernel log does not say why"
[ -z "$(cat $C)" ] || fail "connected after a refused connect: $(cat $C)"
ok "no daemon: '$(cat /tmp/w.err)' at once, nothing connected"

# the daemon answers: connected; during the request pdev->tsm is already
# ours and tsmd must still reach the mailbox (not "owned by firmware")
: >/tmp/resp.log
tsmresp -n 1 -m "test responder" -e 'tsmctl -j show $TSM_DEV | jq -r ".doe[0].owner.kind // \"none\"" >/tmp/owner;
	tsmctl doe $TSM_DEV --protocol cma --hex 10840000 >/tmp/doe.out 2>&1' >/tmp/resp.log 2>&1 &
RESP=$!
listening
write $T $C || fail "connect with the responder: $(cat /tmp/w.err); $(cat /tmp/resp.log)"
wait $RESP || fail "responder: $(cat /tmp/resp.log)"
grep -q "^req $EP0 connect [0-9a-f]\{16\}$" /tmp/resp.log || fail "request: $(cat /tmp/resp.log)"
grep -q "^done $EP0 connect 0: taken" /tmp/resp.log || fail "answer: $(cat /tmp/resp.log)"
[ "$(cat /tmp/owner)" != firmware ] || fail "mailbox reported owned by a firmware TSM while we connect it"
[ -s /tmp/doe.out ] && ! grep -qi "busy\|error" /tmp/doe.out || fail "DOE exchange during connect: $(cat /tmp/doe.out)"
[ "$(cat $C)" = $T ] || fail "tsm/connect reads '$(cat $C)', not $T"
owner_is $EP0 firmware && fail "connected: mailbox reported owned by a firmware TSM"
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "DOE exchange refused while connected through $T"
dmesg | grep -q "$EP0: tsmh: tsm connect: done by tsmd: test responder" || fail "no 'done' log line"
ok "connect through tsmresp: tsm/connect reads $T; the mailbox stays ours (owner $(cat /tmp/owner), exchanges pass)"

write $T $C && fail "second connect succeeded"
ok "second connect refused: $(cat /tmp/w.err)"

# disconnect asks too
resp_start -n 1
write $T $D || fail "disconnect: $(cat /tmp/w.err)"
wait $RESP || fail "responder: $(cat /tmp/resp.log)"
grep -q "^done $EP0 disconnect 0: taken" /tmp/resp.log || fail "disconnect answer: $(cat /tmp/resp.log)"
[ -z "$(cat $C)" ] || fail "still connected after disconnect: $(cat $C)"
ok "disconnect asked the daemon; tsm/connect empty"

# a long uninterruptible wait (disconnect: it must reach the daemon) sleeps
# in slices: no hung-task report with tsm_timeout above hung_task_timeout_secs.
# hung_task_warnings -1 (no limit: the default 10 may be used up by the
# boot, and then nothing is reported at all); only a report naming the
# writer (comm:pid) counts, not one of an unrelated task in D state
HT=/proc/sys/kernel/hung_task_timeout_secs
HW=/proc/sys/kernel/hung_task_warnings
[ -f $HT ] && [ -f $HW ] || fail "no $HT or $HW (CONFIG_DETECT_HUNG_TASK)"
HW0=$(cat $HW)
resp_start -n 1
write $T $C || fail "connect before the slow disconnect: $(cat /tmp/w.err)"
wait $RESP
echo -1 >$HW
echo 11 >$HT
echo 25 >/sys/module/tsmh_core/parameters/tsm_timeout
resp_start -n 1 -d 27
t0=$(date +%s)
sh -c "echo \$\$ >/tmp/wpid; echo $T > $D" 2>/tmp/w.err
dt=$(($(date +%s) - t0))
echo 120 >$HT
echo "$HW0" >$HW
echo 60 >/sys/module/tsmh_core/parameters/tsm_timeout
WPID=$(cat /tmp/wpid)
[ -n "$WPID" ] || fail "no pid of the writer"
dmesg | grep -q "task [^ ]*:$WPID blocked for more than" &&
	fail "hung-task report of the writer (pid $WPID) during a ${dt} s disconnect wait: $(dmesg | grep -m1 "task [^ ]*:$WPID blocked")"
[ $dt -ge 24 ] || fail "the disconnect waited only $dt s (tsm_timeout 25)"
wait $RESP
[ -z "$(cat $C)" ] || fail "still connected after the timed-out disconnect: $(cat $C)"
ok "disconnect waiting $dt s (tsm_timeout 25, hung_task_timeout_secs 11, hung_task_warnings -1): no hung-task report of the writer (pid $WPID)"

# the daemon fails it: its errno comes back, nothing connected, reason logged
resp_start -n 1 -s -16 -m "stream IDs exhausted"
write $T $C && fail "connect succeeded although the daemon said EBUSY"
wait $RESP
grep -qi "busy" /tmp/w.err || fail "daemon EBUSY came back as: $(cat /tmp/w.err)"
dmesg | grep -q "$EP0: tsmh: tsm connect: tsmd failed it (-16): stream IDs exhausted" || fail "reason not logged"
[ -z "$(cat $C)" ] || fail "connected after a failed connect: $(cat $C)"
ok "daemon failure: '$(cat /tmp/w.err)', reason in the log, nothing connected"

# timeout: a late answer is refused with ENOENT (the daemon must undo)
echo 2 >/sys/module/tsmh_core/parameters/tsm_timeout
resp_start -n 1 -d 4
t0=$(date +%s)
write $T $C && fail "connect succeeded although the daemon answered late"
dt=$(($(date +%s) - t0))
[ $dt -ge 1 ] && [ $dt -le 4 ] || fail "timeout after $dt s (tsm_timeout 2)"
grep -qi "timed out" /tmp/w.err || fail "timeout error: $(cat /tmp/w.err)"
dmesg | grep -q "$EP0: tsmh: tsm connect: tsmd did not answer within 2 s" || fail "timeout not logged"
[ -z "$(cat $C)" ] || fail "connected after a timeout: $(cat $C)"
wait $RESP && fail "late answer accepted: $(cat /tmp/resp.log)"
grep -q "No such file or directory no such tsm request (late or answered): $EP0 [0-9a-f]\{16\}" /tmp/resp.log ||
	fail "late answer: $(cat /tmp/resp.log)"
echo 60 >/sys/module/tsmh_core/parameters/tsm_timeout
ok "timeout: '$(cat /tmp/w.err)' after $dt s, nothing connected; the late answer got ENOENT"

# tsm-done needs CAP_SYS_ADMIN; an answer nobody asked for is ENOENT
for who in none net_admin; do
	capexec 65534 $who tsmresp -x $EP0 >/tmp/x.out
	grep -q "^tsm-done: -1 CAP_SYS_ADMIN required" /tmp/x.out || fail "tsm-done as $who: $(cat /tmp/x.out)"
done
tsmresp -x $EP0 >/tmp/x.out
grep -q "^tsm-done: -2 no such tsm request (late or answered): $EP0 0000000000000001" /tmp/x.out ||
	fail "stray tsm-done: $(cat /tmp/x.out)"
ok "tsm-done: refused without CAP_SYS_ADMIN; an unasked answer: $(cat /tmp/x.out)"

# the stream: allocated by the PCI core's helpers from the host bridge's
# pool (sized by us to the sim key unit's 8 slots, as a platform would)
HB=$(readlink -f /sys/bus/pci/devices/$RP/..) # the host bridge (pci10000:00)
A=$HB/available_secure_streams
[ -f $A ] || fail "no $A"
[ "$(cat $A)" = 8 ] || fail "$A reads $(cat $A), not the key unit's 8 slots"
links() { ls -d $HB/stream* 2>/dev/null; }
[ -z "$(links)" ] || fail "stream links before any connect: $(links)"
resp_start -n 2 -i
write $T $C || fail "connect with a stream: $(cat /tmp/w.err); $(cat /tmp/resp.log)"
[ "$(cat $A)" = 7 ] || fail "available_secure_streams $(cat $A) after connect, not 7"
L=$(links)
[ $(echo "$L" | wc -w) = 1 ] || fail "stream links after connect: '$L'"
[ "$(readlink -f $L)" = "$(readlink -f /sys/bus/pci/devices/$EP0)" ] || fail "$L -> $(readlink -f $L)"
tsmresp -l $EP0 >/tmp/list.out || fail "ide-get $EP0"
set -- $(cat /tmp/list.out)
[ "${1:-}" = stream ] || fail "no stream listed: $(cat /tmp/list.out)"
# streamH.R.E: host bridge pool slot, root port block, endpoint block
re=${L##*/stream}
re=${re#*.}
[ "$re" = "$3.$4" ] || fail "link $L vs listed stream blocks $3/$4 (ID $2)"
dmesg | grep -q "$EP0: tsmh: IDE: stream $2 from the PCI core" || fail "no PCI core stream line"
ok "connect: stream $2 from the PCI core, available_secure_streams 8 -> 7, link ${L##*/} -> $EP0, listed with blocks $3/$4"
write $T $D || fail "disconnect: $(cat /tmp/w.err)"
wait $RESP || fail "responder: $(cat /tmp/resp.log)"
grep -q "ide-stream-del $EP0 $2: ok" /tmp/resp.log || fail "stream not deleted by the daemon: $(cat /tmp/resp.log)"
[ "$(cat $A)" = 8 ] || fail "available_secure_streams $(cat $A) after disconnect"
[ -z "$(links)" ] || fail "stream link left after disconnect: $(links)"
tsmresp -l $EP0 >/tmp/list.out && [ ! -s /tmp/list.out ] || fail "streams left: $(cat /tmp/list.out)"
ok "disconnect: stream deleted, available_secure_streams back to 8, link gone"

# the daemon fails after allocating: the kernel tears the stream down
resp_start -n 1 -i -s -5 -m "KEY_PROG failed"
write $T $C && fail "connect succeeded although the daemon said EIO"
wait $RESP
grep -q "ide-stream-new $EP0: ok" /tmp/resp.log || fail "no stream made: $(cat /tmp/resp.log)"
[ "$(cat $A)" = 8 ] && [ -z "$(links)" ] || fail "after the failed connect: available $(cat $A), links $(links)"
dmesg | grep -q "$EP0: tsmh: tsm: 1 IDE stream(s) left after the failed connect torn down by the kernel" ||
	fail "teardown not logged"
ok "failed after allocation: '$(cat /tmp/w.err)'; the kernel freed the stream (8 available, no link)"

# a timeout after allocation: the same
echo 2 >/sys/module/tsmh_core/parameters/tsm_timeout
resp_start -n 1 -i -d 4
write $T $C && fail "connect succeeded although the daemon answered late"
[ "$(cat $A)" = 8 ] && [ -z "$(links)" ] && [ -z "$(cat $C)" ] ||
	fail "after the timeout: available $(cat $A), links $(links), connect '$(cat $C)'"
wait $RESP && fail "late answer accepted"
echo 60 >/sys/module/tsmh_core/parameters/tsm_timeout
ok "timeout after allocation: nothing left (8 available, no link, not connected); late answer refused"

# a stream that existed before a connect is not the failed connect's to
# undo: not when nobody listens, not when the daemon refuses (EBUSY), and
# after a failure past allocation only the request's own stream goes
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new before connect: $(cat /tmp/n.out)"
PS=$(sed -n 's/^stream \([0-9]*\) .*/\1/p' /tmp/n.out | head -n 1)
[ -n "$PS" ] || fail "ide-stream-new: $(cat /tmp/n.out)"
has_ps() { idenl get $EP0 | grep -q "^stream $PS "; }
write $T $C && fail "connect succeeded without tsmd"
has_ps || fail "stream $PS made before was torn down by a connect nobody was asked for: $(idenl get $EP0)"
resp_start -n 1 -s -16 -m "busy with it"
write $T $C && fail "connect succeeded although the daemon said EBUSY"
wait $RESP
has_ps || fail "stream $PS torn down after the daemon's EBUSY: $(idenl get $EP0)"
n0=$(dmesg | grep -c "$EP0: tsmh: tsm: 1 IDE stream(s) left after the failed connect")
resp_start -n 1 -i -s -5 -m "KEY_PROG failed"
write $T $C && fail "connect succeeded although the daemon said EIO"
wait $RESP
grep -q "ide-stream-new $EP0: ok" /tmp/resp.log || fail "no stream made: $(cat /tmp/resp.log)"
has_ps || fail "stream $PS made before torn down by a failed connect: $(idenl get $EP0)"
[ "$(idenl get $EP0 | grep -c '^stream ')" = 1 ] || fail "streams after the failed connect: $(idenl get $EP0)"
[ "$(dmesg | grep -c "$EP0: tsmh: tsm: 1 IDE stream(s) left after the failed connect")" = $((n0 + 1)) ] ||
	fail "the request's own stream not torn down (log)"
idenl del $EP0 $PS >/tmp/d.out || fail "del $PS: $(cat /tmp/d.out)"
[ "$(cat $A)" = 8 ] && [ -z "$(links)" ] || fail "after del: available $(cat $A), links $(links)"
ok "stream $PS made beforehand survives failed connects (no daemon, EBUSY, EIO after allocation: only its own stream torn down)"

# unload while connected: the PCI core disconnects (tsmd not asked)
resp_start -n 1
write $T $C || fail "connect before unload: $(cat /tmp/w.err)"
wait $RESP
resp_start -n 1
rmmod tsmh_core || fail "rmmod tsmh_core while $EP0 is connected"
dmesg | grep -q "$EP0: tsmh: tsm disconnect: module unloading" || fail "no disconnect at unload"
[ -d /sys/class/tsm/$T ] && fail "$T still registered after unload"
[ -f $C ] && fail "tsm/connect still offered with no link TSM registered"
grep -q "^req" /tmp/resp.log && fail "unload asked the daemon: $(cat /tmp/resp.log)"
kill $RESP 2>/dev/null
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
ok "unload while connected: disconnected without asking the daemon, $T and tsm/connect gone"
