# tsmctl tdi (issue 13) on the sim with tsmh-emu's TDISP responder, the
# reports laid onto the sim's real BARs (--tdisp-layout-file): tdi list
# shows the three functions of a TEE-IO card CONFIG_UNLOCKED (any user);
# an unprivileged lock is refused; tdi start is refused with the way that
# works; tdi lock holds its session with the TDI CONFIG_LOCKED, the report
# checked by the kernel (evidence object report, what tdi report --raw
# writes), nobody else gets the mailbox meanwhile, SIGINT stops it and
# ends the session; tdi state agrees; --for releases on time; --start in
# CoCo mode is refused by the kernel and the TDI stopped; in host-native
# mode RUN until SIGTERM; a killed holder: tdi state finds the mismatch,
# tdi stop recovers; emulator faults: a range beyond a BAR (the kernel
# refuses the report, tsmctl STOPs), a state lie (mismatch: ERROR, then
# STOP), TDISP_ERROR on LOCK (no change); a VF locked through its PF's
# session. The nonce never shows.
# tsmh-vm: timeout 300
. /tests/lib.sh
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=3 nr_vfs=1 ||
	setup_fail "insmod tsmh_sim nr_endpoints=1 nr_functions=3 nr_vfs=1"
type tdi_layout_file >/dev/null 2>&1 || setup_fail "tests/vm/lib.sh has no tdi_layout_file (helper E)"
LF=/tmp/tdi.layout
: >$LF
EMUARGS="-v --export-root /tmp/root.pem --tdisp-layout-file $LF"
start_emu $EMUARGS
wait_eps 1
F0=$EP0
F1=${EP0%.0}.1
F2=${EP0%.0}.2
tdi_layout_file $F0 $F1 $F2 >$LF || setup_fail "tdi_layout_file"
T="--trust /tmp/root.pem"
: >/tmp/outs # every tsmctl output, for the nonce check
: >/tmp/emu.all

# tc, kstate, want_state: lib.sh
kflags() { tsmctl -j tdi list | jq -r --arg d "$1" '[.[] | select(.tdi == $d)][0].flags | join(",")'; }
restart_emu() { # EMU-ARG...
	cat /tmp/emu.log >>/tmp/emu.all
	stop_emu
	start_emu $EMUARGS "$@"
}

# list: every function of the card, its DSM, CONFIG_UNLOCKED; any user
tc -j tdi list || fail "tdi list: $(cat /tmp/c.err)"
jq -e --arg f0 "$F0" --arg f1 "$F1" --arg f2 "$F2" '
	([.[] | select(.tdi == $f0 or .tdi == $f1 or .tdi == $f2)] | length) == 3 and
	all(.[] | select(.tdi == $f0 or .tdi == $f1 or .tdi == $f2);
		.dsm == $f0 and .state == "CONFIG_UNLOCKED" and .report == null)' /tmp/c.out >/dev/null ||
	fail "tdi list: $(cat /tmp/c.out)"
asuser tsmctl tdi list >/tmp/u.out 2>&1 || fail "unprivileged tdi list: $(cat /tmp/u.out)"
grep -q "^$F1 .*CONFIG_UNLOCKED" /tmp/u.out || fail "unprivileged tdi list: $(cat /tmp/u.out)"
ok "tdi list (also unprivileged): $F0, $F1, $F2 CONFIG_UNLOCKED, DSM $F0"

# unprivileged lock: refused, nothing moved
expect_fail "Operation not permitted" asuser tsmctl tdi lock $F1 $T
want_state $F1 CONFIG_UNLOCKED "unprivileged lock"

# start apart from its lock: refused, with the way that works
expect_fail "use 'tsmctl tdi lock $F1 --trust PEM --start'" tsmctl tdi start $F1
expect_fail "--trust is needed" tsmctl tdi lock $F1

# lock in the background: it holds its session (the TDI's lock lives in it)
lock_bg() { # ARG...: tsmctl -j tdi lock ARG..., output in /tmp/lk.json and /tmp/lk.err
	tsmctl -j tdi lock "$@" >/tmp/lk.json 2>/tmp/lk.err &
	LK_PID=$!
}
# held DEV STATE: the kernel has DEV in STATE, its report checked, nothing pending
held() {
	tsmctl -j tdi list | jq -e --arg d "$1" --arg s "$2" '[.[] | select(.tdi == $d)][0] |
		.state == $s and (.flags | index("report_checked")) and (.pending_op == null)' >/dev/null
}
lock_done() { # EXIT-STATUS-WANTED
	wait $LK_PID
	r=$?
	cat /tmp/lk.json /tmp/lk.err >>/tmp/outs
	[ $r = "$1" ] || fail "tdi lock exited $r: $(cat /tmp/lk.json /tmp/lk.err)"
}

lock_bg $F1 $T
wait_until 60 "tdi lock $F1: not held CONFIG_LOCKED: $(cat /tmp/lk.err)" held $F1 CONFIG_LOCKED
want_state $F2 CONFIG_UNLOCKED "the other function while $F1 is locked"
tsmctl show $F1 >/tmp/show.out 2>&1 || fail "show $F1: $(cat /tmp/show.out)"
grep -q "TDI: *CONFIG_LOCKED (report-checked" /tmp/show.out || fail "show $F1: $(cat /tmp/show.out)"
asuser tsmctl show $F1 >/tmp/ushow.out 2>&1 || fail "unprivileged show $F1: $(cat /tmp/ushow.out)"
grep -q "TDI: *CONFIG_LOCKED" /tmp/ushow.out || fail "unprivileged show $F1: no TDI line: $(cat /tmp/ushow.out)"
ok "tdi lock $F1 holds it CONFIG_LOCKED, report checked; show (also unprivileged): $(grep TDI: /tmp/show.out)"

# the report: evidence of the TDI (provenance tdisp-report), tdi report decodes it
tsmctl -j evidence $F1 >/tmp/ev.json 2>&1 || fail "evidence $F1: $(cat /tmp/ev.json)"
grep -q 'tdisp-report' /tmp/ev.json || fail "evidence $F1: no tdisp-report: $(cat /tmp/ev.json)"
tc tdi report $F1 --raw /tmp/rep.bin || fail "tdi report $F1: $(cat /tmp/c.out /tmp/c.err)"
grep -q "MMIO range 0: first page" /tmp/c.out || fail "tdi report: $(cat /tmp/c.out)"
n=$(wc -c </tmp/rep.bin)
klen=$(tsmctl -j tdi list | jq --arg d $F1 '[.[] | select(.tdi == $d)][0].report.length')
[ "$n" = "$klen" ] && [ "$n" -gt 16 ] || fail "tdi report --raw: $n bytes, the kernel says $klen"
tsmctl evidence $F1 --object report --out /tmp/evout >/tmp/ev.out 2>&1 ||
	fail "evidence --object report: $(cat /tmp/ev.out)"
cmp -s /tmp/rep.bin /tmp/evout || fail "tdi report --raw is not the kernel's evidence object"
ok "tdi report $F1: $n bytes (the kernel's checked copy), $(grep -c 'MMIO range' /tmp/c.out) ranges"

# while it holds, nobody else gets the DSM's mailbox (a new session would end the lock)
expect_fail "busy" tsmctl tdi state $F1 $T
held $F1 CONFIG_LOCKED || fail "a refused tdi state changed $F1: $(tsmctl tdi list)"

# released by SIGINT: STOP, END_SESSION, CONFIG_UNLOCKED
kill -INT $LK_PID
lock_done 0
jq -e '.ok and .released_by == "Interrupt" and .held_s > 0 and .device_state == "CONFIG_UNLOCKED" and
	.kernel.state == "CONFIG_UNLOCKED" and .report_checked_by_kernel and
	any(.steps[]; .step == "tdi-begin lock") and any(.steps[]; .step == "tdi-end report") and
	any(.steps[]; .step == "tdi-end stop") and all(.steps[]; .ok) and
	(.steps[-1].step == "END_SESSION")' /tmp/lk.json >/dev/null || fail "tdi lock $F1: $(cat /tmp/lk.json)"
want_state $F1 CONFIG_UNLOCKED "after the holder's release"
ok "SIGINT: tdi lock $F1 stopped it and ended its session after $(jq .held_s /tmp/lk.json) s"

# state: asked of the device in a new session, compared by the kernel
tc tdi state $F1 $T || fail "tdi state $F1: $(cat /tmp/c.out /tmp/c.err)"
grep -q "device: CONFIG_UNLOCKED, kernel: CONFIG_UNLOCKED: they agree" /tmp/c.out ||
	fail "tdi state $F1: $(cat /tmp/c.out)"
ok "tdi state $F1: device and kernel agree"

# --for: released when the time is up
tc -j tdi lock $F1 $T --for 1 || fail "tdi lock --for 1: $(cat /tmp/c.out /tmp/c.err)"
jq -e '.ok and .released_by == "--for" and .held_s >= 1 and .kernel.state == "CONFIG_UNLOCKED"' \
	/tmp/c.out >/dev/null || fail "tdi lock --for 1: $(cat /tmp/c.out)"
ok "tdi lock --for 1: held 1 s, then CONFIG_UNLOCKED"

# lock --start in CoCo mode: the kernel refuses START (nothing sent), the TDI is stopped
[ "$(cat /sys/module/tsmh_core/parameters/tdisp_host_native)" = N ] ||
	fail "tdisp_host_native is not off by default"
tc tdi lock $F1 $T --start --for 30 && fail "lock --start in CoCo mode succeeded: $(cat /tmp/c.out)"
grep -q "tdi-begin start: .*tdisp_host_native=0" /tmp/c.err || fail "lock --start (CoCo): $(cat /tmp/c.err)"
grep -q "START refused by the kernel: nothing sent" /tmp/c.err || fail "lock --start (CoCo): $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after a refused start"
ok "lock --start in CoCo mode: $(head -n 1 /tmp/c.err)"

# host-native mode: lock --start reaches RUN, held until SIGTERM
echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
lock_bg $F2 $T --start --for 60
wait_until 60 "lock --start $F2: not RUN: $(cat /tmp/lk.err)" held $F2 RUN
tsmctl -j tdi list | jq -e --arg d $F2 '[.[] | select(.tdi == $d)][0].flags | index("host_started")' \
	>/dev/null || fail "RUN without host_started: $(tsmctl tdi list)"
kill -TERM $LK_PID
lock_done 0
jq -e '.ok and .started and .released_by == "Terminated" and .kernel.state == "CONFIG_UNLOCKED"' \
	/tmp/lk.json >/dev/null || fail "lock --start (host-native): $(cat /tmp/lk.json)"
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
ok "host-native: lock --start held $F2 in RUN (host-started); SIGTERM: stopped, CONFIG_UNLOCKED"

# a holder killed: the device's lock ended with the session; state finds it, stop recovers
lock_bg $F1 $T
wait_until 60 "tdi lock $F1: not held: $(cat /tmp/lk.err)" held $F1 CONFIG_LOCKED
kill -KILL $LK_PID
wait $LK_PID 2>/dev/null
tsmctl tdi state $F1 $T >/tmp/st.out 2>&1 && grep -q "CONFIG_LOCKED: they agree" /tmp/st.out &&
	fail "after the holder was killed, state still agrees on CONFIG_LOCKED: $(cat /tmp/st.out)"
ks_jq='[.[] | select(.tdi == $d)][0] | .state + " (" + (.message // "") + ")"'
ks=$(tsmctl -j tdi list | jq -r --arg d $F1 "$ks_jq")
[ "${ks%% *}" = ERROR ] || fail "killed holder: the kernel has $F1 $ks after tdi state: $(cat /tmp/st.out)"
tc tdi stop $F1 $T || fail "tdi stop $F1 after the killed holder: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "stop after the killed holder"
ok "killed holder: tdi state: $(grep 'tdi state' /tmp/st.out | tail -n 1); then the kernel has $ks; tdi stop: CONFIG_UNLOCKED"

# a range beyond its BAR: the kernel refuses the report, tsmctl STOPs
restart_emu --fault tdisp-beyond-bar
tc tdi lock $F1 $T --for 1 && fail "tdisp-beyond-bar: lock succeeded: $(cat /tmp/c.out)"
grep -q "tsmctl: tdi lock $F1: tdi-end report: .*report invalid.*MMIO range [0-9]" /tmp/c.err ||
	fail "tdisp-beyond-bar: $(cat /tmp/c.err)"
grep -q "STOP_INTERFACE sent: not left locked" /tmp/c.err || fail "tdisp-beyond-bar: no STOP: $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after a refused report"
ok "tdisp-beyond-bar: $(head -n 1 /tmp/c.err); STOP sent, CONFIG_UNLOCKED"

# a state lie after LOCK: the kernel sees the mismatch (ERROR), tsmctl STOPs
restart_emu --fault tdisp-state-lie
tc tdi lock $F1 $T --for 1 && fail "tdisp-state-lie: lock succeeded: $(cat /tmp/c.out)"
grep -q "device reports RUN, kernel expects CONFIG_LOCKED" /tmp/c.err ||
	fail "tdisp-state-lie: $(cat /tmp/c.err)"
dmesg | grep -q "device reports RUN, kernel expects CONFIG_LOCKED" || fail "tdisp-state-lie: not logged"
want_state $F1 CONFIG_UNLOCKED "after the mismatch and the STOP"
ok "tdisp-state-lie: $(head -n 1 /tmp/c.err); STOP sent"

# TDISP_ERROR on LOCK: the device refused, nothing changed
restart_emu --fault tdisp-error
tc tdi lock $F1 $T --for 1 && fail "tdisp-error: lock succeeded: $(cat /tmp/c.out)"
grep -q "LOCK_INTERFACE: device answered TDISP_ERROR" /tmp/c.err || fail "tdisp-error: $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after TDISP_ERROR"
ok "tdisp-error: $(head -n 1 /tmp/c.err); CONFIG_UNLOCKED"

# a VF is a TDI of its PF: listed with the PF as DSM, locked the same way
restart_emu
tsmctl gate $F0 release >/dev/null || fail "gate release $F0"
echo tsmh_sim_drv >/sys/bus/pci/devices/$F0/driver_override
echo $F0 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
[ "$(drv $F0)" = tsmh_sim_drv ] || setup_fail "tsmh_sim_drv not bound to $F0"
echo 1 >/sys/bus/pci/devices/$F0/sriov_numvfs || setup_fail "sriov_numvfs 1"
V=${EP0%.0}.3
wait_until 10 "VF $V is not listed as a TDI of $F0: $(tsmctl tdi list 2>&1)" \
	sh -c "tsmctl tdi list | grep -q '^$V  *$F0  *0x303 .*CONFIG_UNLOCKED'"
tdi_layout_file $F0 $F1 $F2 $V >$LF || setup_fail "tdi_layout_file with the VF"
# the VF of a released PF is not held by the gate: the kernel refuses, nothing sent
expect_fail "the gate does not hold the TDI" tsmctl tdi lock $V $T --for 1
cat /tmp/ef.out >>/tmp/outs
tsmctl gate $V hold >/dev/null || fail "gate $V hold"
tc -j tdi lock $V $T --for 1 || fail "tdi lock VF $V: $(cat /tmp/c.out /tmp/c.err)"
jq -e --arg f0 $F0 '.ok and .dsm == $f0 and .report_checked_by_kernel and
	.kernel.state == "CONFIG_UNLOCKED" and any(.steps[]; .step == "tdi-end report")' /tmp/c.out \
	>/dev/null || fail "tdi lock VF $V: $(cat /tmp/c.out)"
echo 0 >/sys/bus/pci/devices/$F0/sriov_numvfs
echo $F0 >/sys/bus/pci/drivers/tsmh_sim_drv/unbind
ok "VF $V: a TDI of $F0 (0x303); refused while the gate did not hold it; held: locked through $F0's session, report checked, stopped"
# the nonce never shows (the kernel never sends it; tsmctl never prints it)
grep -qiE '[0-9a-f]{64}' /tmp/outs && fail "a 32-byte hex value in tsmctl output: $(grep -iE '[0-9a-f]{64}' /tmp/outs | head -n 2)"

echo "PASS"
