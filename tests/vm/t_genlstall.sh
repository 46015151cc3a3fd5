# DOE exchanges never wait for a device inside generic netlink's global
# cb_lock (issue 10, item 5). genl_rcv() holds it (read) across every
# handler and a family registration takes it for write: a handler asleep
# on a silent device used to stall every genl request on the system, and
# every module load with a genl family, behind the waiting writer (7.9 s
# with 8 exchanges queued). With a silent device hammered by parallel
# exchanges, loading psample (it registers the "psample" family) and a
# CTRL_GETFAMILY of "nlctrl" must each take under 1 s.
. /tests/lib.sh
PSAMPLE=$MODDIR/psample.ko
[ -f "$PSAMPLE" ] || skip "no psample module in the initramfs (a module with a genl family)"
lsmod | grep -q "^psample " && skip "psample already loaded"
load_modules 2
start_emu
wait_eps 2
stop_emu
start_emu --fault silent --fault-slot 1 --plug none # $EP1 never answers
N=12
i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	( tsmctl doe $EP1 --protocol cma --hex 10840000 >/tmp/h$i.out 2>&1; echo $? >/tmp/h$i.rc ) &
done
sleep 0.5 # all sent: queued in the kernel (or refused while the queue is full)
( genltime resolve nlctrl >/tmp/g0.ms 2>&1; echo $? >/tmp/g0.rc ) &
ms=$(genltime run insmod "$PSAMPLE") || fail "insmod psample failed"
echo "insmod psample (registers a genl family) took $ms ms with $N exchanges on a silent device"
wait_until 15 "CTRL_GETFAMILY never returned" test -f /tmp/g0.rc
[ "$(cat /tmp/g0.rc)" = 0 ] || fail "CTRL_GETFAMILY nlctrl failed: $(cat /tmp/g0.ms)"
g0=$(cat /tmp/g0.ms)
echo "CTRL_GETFAMILY nlctrl, sent during the load, took $g0 ms"
[ "$ms" -lt 1000 ] || fail "loading a module with a genl family stalled ${ms} ms behind DOE exchanges"
[ "$g0" -lt 1000 ] || fail "an unrelated genl request stalled ${g0} ms behind DOE exchanges"
g1=$(genltime resolve psample) || fail "psample family not registered"
[ "$g1" -lt 1000 ] || fail "CTRL_GETFAMILY psample took $g1 ms"
ok "genl unaffected while $EP1 is hammered: insmod ${ms} ms, lookups ${g0}/${g1} ms"
# the other endpoint's mailbox is not held up by its neighbour's queue
rsp=$(tsmctl doe $EP0 --protocol cma --hex 10840000) || fail "exchange with $EP0 while $EP1 is silent"
ok "$EP0 answers while $EP1's queue is full: $rsp"
rmmod psample || fail "rmmod psample"
# every hammering exchange ends, with a timeout or a clear refusal, none hangs
wait_until 60 "exchanges on the silent device hung" sh -c "[ \$(ls /tmp/h*.rc | wc -l) -ge $N ]"
i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	[ "$(cat /tmp/h$i.rc)" != 0 ] || fail "exchange $i with a silent device succeeded: $(cat /tmp/h$i.out)"
	grep -q "timed out\|device error, timeout\|queue full\|in flight" /tmp/h$i.out ||
		fail "exchange $i failed without a timeout or queue-full reason: $(cat /tmp/h$i.out)"
done
echo "the $N exchanges ended: $(cat /tmp/h*.out | sed 's/.*: //' | sort | uniq -c | tr '\n' ';')"
ok "no exchange hung; each says why it failed"
unload_modules
