# tsmh-vm: timeout 300
# A reset of unknown kind (review 13 #1, docs/design.md "TDISP (kernel)"):
# reset.c reports one for every tracked device when its ring overflows
# (more than 64 resets while its work is busy: here unbinding $B, whose
# remove sleeps, with reset_hold=1), whether or not that device was reset.
# A CONFIG_LOCKED TDI of a device nobody reset must then go to ERROR
# (state unknown: only a STOP the device confirms leads out), never to
# CONFIG_UNLOCKED, which would drop the gate and stream-del protections
# while the device may still be locked or running.
. /tests/lib.sh
DRV=/sys/bus/pci/drivers/tsmh_sim_drv
P=/sys/module/tsmh_sim/parameters
PIDS=
cleanup() {
	{
		echo 0 >$P/drv_remove_ms
		echo 0 >/sys/module/tsmh_core/parameters/reset_hold
	} 2>/dev/null
	for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
N=7
load_modules $N
start_emu --slots $N
wait_eps $N
set -- $(sim_eps $N)
A=$1 B=$2
shift 2
LOOP="$*"
is() { tline "$1" | grep -q " state=$2 "; }
klog() { dmesg | grep -c -- "$1"; }
has_klog() { [ "$(klog "$1")" -gt "$2" ]; }

printf 'claim %s\nbegin %s lock\nend %s status=0 state=CONFIG_LOCKED nonce=0xab\n' $A $A $A |
	tdinl run >/tmp/lk.out 2>&1 || fail "LOCK of $A: $(cat /tmp/lk.out)"
is $A CONFIG_LOCKED || fail "$A not locked: $(tline $A)"
echo "1b36 1e10" >$DRV/new_id || fail "setup: new_id"
tsmctl gate $B release >/dev/null || fail "setup: release $B"
wait_until 10 "setup: $B not bound to tsmh_sim_drv" sh -c "[ \"\$(basename \"\$(readlink /sys/bus/pci/devices/$B/driver)\")\" = tsmh_sim_drv ]"

# the reset work busy: it unbinds $B (reset_hold=1) and $B's remove sleeps
echo 1 >/sys/module/tsmh_core/parameters/reset_hold || fail "reset_hold=1"
echo 10000 >$P/drv_remove_ms || fail "drv_remove_ms"
k=$(klog "$B: tsmh: remove sleeps")
echo 1 >/sys/bus/pci/devices/$B/reset || fail "FLR of $B"
wait_until 10 "the reset work never unbound $B" has_klog "$B: tsmh: remove sleeps" "$k"
# meanwhile more than 64 FLRs of other devices (never $A) fill reset.c's ring
t0=$(date +%s)
for d in $LOOP; do
	(i=0; while [ $i -lt 30 ]; do echo 1 >/sys/bus/pci/devices/$d/reset; i=$((i + 1)); done) 2>/dev/null &
	PIDS="$PIDS $!"
done
for p in $PIDS; do wait "$p"; done
PIDS=
echo "resets of $LOOP: $(($(date +%s) - t0)) s"
echo 0 >$P/drv_remove_ms
wait_until 30 "no overflow reported: the ring never filled" \
	sh -c 'dmesg | grep -q "too many resets at once: treating every tracked device as reset"'
wait_until 10 "$A after the reset of unknown kind: $(tline $A)" sh -c "tdinl get $A | grep -q ' state=ERROR '"
tline $A | grep -q "msg=reset of unknown kind (maybe none): state unknown" || fail "$(tline $A)"
ok "a reset of unknown kind (ring overflow) moved the CONFIG_LOCKED TDI $A to ERROR, not CONFIG_UNLOCKED"
printf 'claim %s\nbegin %s stop\nend %s status=0 state=CONFIG_UNLOCKED\n' $A $A $A |
	tdinl run >/tmp/st.out 2>&1 || fail "STOP of $A: $(cat /tmp/st.out)"
is $A CONFIG_UNLOCKED || fail "$A after STOP: $(tline $A)"
ok "STOP (the device confirming CONFIG_UNLOCKED) leads out"
echo 0 >/sys/module/tsmh_core/parameters/reset_hold
echo "1b36 1e10" >$DRV/remove_id 2>/dev/null
dmesg | grep -q -e "WARNING:" -e "BUG:" && fail "kernel warning: $(dmesg | grep -A5 -e WARNING: -e BUG: | head -n 20)"
unload_modules
