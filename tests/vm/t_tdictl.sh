# tsmctl tdi (issue 13) on the sim with tsmh-emu's TDISP responder, the
# reports laid onto the sim's real BARs (--tdisp-layout-file): tdi list
# shows the three functions of a TEE-IO card CONFIG_UNLOCKED (any user);
# an unprivileged lock is refused; tdi start is refused with the way that
# works; lock: LOCK, the report checked by the kernel and recorded as
# evidence object report, CONFIG_LOCKED at both ends (tdi state agrees,
# show has a TDI line, report --raw writes the bytes the kernel holds);
# lock --start in CoCo mode: START refused by the kernel, the TDI stays
# CONFIG_LOCKED; in host-native mode: RUN, then stop: CONFIG_UNLOCKED;
# emulator faults: a range beyond a BAR (the kernel refuses the report,
# tsmctl STOPs: not left locked), a state lie (mismatch: ERROR, then
# STOP), TDISP_ERROR on LOCK (no change). The nonce never shows.
. /tests/lib.sh
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=3 ||
	setup_fail "insmod tsmh_sim nr_endpoints=1 nr_functions=3"
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

tc() {
	tsmctl "$@" >/tmp/c.out 2>/tmp/c.err
	r=$?
	cat /tmp/c.out /tmp/c.err >>/tmp/outs
	return $r
}
# kstate DEV: the kernel's state of DEV ("none" if it is not listed)
kstate() { tsmctl -j tdi list | jq -r --arg d "$1" '([.[] | select(.tdi == $d)][0].state) // "none"'; }
kflags() { tsmctl -j tdi list | jq -r --arg d "$1" '[.[] | select(.tdi == $d)][0].flags | join(",")'; }
want_state() { # DEV STATE WHAT
	s=$(kstate "$1")
	[ "$s" = "$2" ] || fail "$3: $1 is $s, expected $2: $(tsmctl tdi list 2>&1)"
}
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

# lock: LOCK and the report through the kernel; both ends CONFIG_LOCKED
tc -j tdi lock $F1 $T || fail "tdi lock $F1: $(cat /tmp/c.out /tmp/c.err)"
cp /tmp/c.out /tmp/lock.json
jq -e '.ok and .kernel.state == "CONFIG_LOCKED" and .device_state == "CONFIG_LOCKED" and
	(.kernel.flags | index("report_checked")) and .report_checked_by_kernel and
	.kernel.report.mmio_ranges == (.report.mmio_ranges | length) and
	.kernel.report.length == .report.length and
	any(.steps[]; .step == "tdi-begin lock") and any(.steps[]; .step == "tdi-end report") and
	all(.steps[]; .ok) and (.steps[-1].step == "END_SESSION")' /tmp/lock.json >/dev/null ||
	fail "tdi lock $F1: $(cat /tmp/lock.json)"
want_state $F1 CONFIG_LOCKED "after lock"
want_state $F2 CONFIG_UNLOCKED "the other function after lock"
ok "tdi lock $F1: CONFIG_LOCKED at both ends, report of $(jq .report.length /tmp/lock.json) bytes checked by the kernel"

# the report is evidence of the TDI: provenance tdisp-report, locked
tsmctl -j evidence $F1 >/tmp/ev.json 2>&1 || fail "evidence $F1: $(cat /tmp/ev.json)"
grep -q 'tdisp-report' /tmp/ev.json || fail "evidence $F1: no tdisp-report object: $(cat /tmp/ev.json)"
tsmctl evidence $F1 --object report --out /tmp/evout >/tmp/ev.out 2>&1 ||
	fail "evidence $F1 --object report: $(cat /tmp/ev.out)"

# state: asked of the device, compared by the kernel
tc tdi state $F1 $T || fail "tdi state $F1: $(cat /tmp/c.out /tmp/c.err)"
grep -q "device: CONFIG_LOCKED, kernel: CONFIG_LOCKED: they agree" /tmp/c.out ||
	fail "tdi state $F1: $(cat /tmp/c.out)"
tsmctl show $F1 >/tmp/show.out 2>&1 || fail "show $F1: $(cat /tmp/show.out)"
grep -q "TDI: *CONFIG_LOCKED (report-checked" /tmp/show.out || fail "show $F1: $(cat /tmp/show.out)"
ok "tdi state $F1: device and kernel agree; show has the TDI line"

# report --raw: the bytes, the same length as the kernel recorded
tc tdi report $F1 $T --raw /tmp/rep.bin || fail "tdi report $F1: $(cat /tmp/c.out /tmp/c.err)"
n=$(wc -c </tmp/rep.bin)
[ "$n" = "$(jq .report.length /tmp/lock.json)" ] || fail "report --raw: $n bytes"
grep -q "MMIO range 0: first page" /tmp/c.out || fail "tdi report: $(cat /tmp/c.out)"
want_state $F1 CONFIG_LOCKED "after report"
tsmctl evidence $F1 --object report --out /tmp/evout2 >/tmp/ev.out 2>&1 ||
	fail "evidence $F1 --object report: $(cat /tmp/ev.out)"
cmp -s /tmp/rep.bin /tmp/evout2 || fail "the kernel's evidence object report is not the report read"
ok "tdi report $F1 --raw: $n bytes, decoded, still CONFIG_LOCKED"

# stop: both ends CONFIG_UNLOCKED
tc tdi stop $F1 $T || fail "tdi stop $F1: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after stop"
ok "tdi stop $F1: CONFIG_UNLOCKED"

# lock --start in CoCo mode: the kernel refuses START, the TDI stays locked
[ "$(cat /sys/module/tsmh_core/parameters/tdisp_host_native)" = N ] ||
	fail "tdisp_host_native is not off by default"
tc tdi lock $F1 $T --start && fail "lock --start in CoCo mode succeeded: $(cat /tmp/c.out)"
grep -q "tdisp_host_native=0" /tmp/c.err || fail "lock --start (CoCo): $(cat /tmp/c.err)"
grep -q "stays CONFIG_LOCKED" /tmp/c.err || fail "lock --start (CoCo): $(cat /tmp/c.err)"
want_state $F1 CONFIG_LOCKED "after a refused start"
ok "lock --start in CoCo mode: $(grep tdisp_host_native /tmp/c.err | head -n 1)"
tc tdi stop $F1 $T || fail "tdi stop $F1: $(cat /tmp/c.err)"

# host-native mode: lock --start reaches RUN
echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
tc -j tdi lock $F2 $T --start || fail "lock --start (host-native): $(cat /tmp/c.out /tmp/c.err)"
jq -e '.ok and .started and .kernel.state == "RUN" and .device_state == "RUN" and
	(.kernel.flags | index("host_started"))' /tmp/c.out >/dev/null ||
	fail "lock --start (host-native): $(cat /tmp/c.out)"
want_state $F2 RUN "after lock --start"
tc tdi state $F2 $T || fail "tdi state $F2 (RUN): $(cat /tmp/c.err)"
tc tdi stop $F2 $T || fail "tdi stop $F2 (RUN): $(cat /tmp/c.err)"
want_state $F2 CONFIG_UNLOCKED "after stop from RUN"
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
ok "host-native: lock --start: RUN (host-started), stop: CONFIG_UNLOCKED"

# a range beyond its BAR: the kernel refuses the report, tsmctl STOPs
restart_emu --fault tdisp-beyond-bar
tc tdi lock $F1 $T && fail "tdisp-beyond-bar: lock succeeded: $(cat /tmp/c.out)"
grep -q "tsmctl: tdi lock $F1: tdi-end report: .*report invalid" /tmp/c.err ||
	fail "tdisp-beyond-bar: $(cat /tmp/c.err)"
grep -q "STOP_INTERFACE sent: not left locked" /tmp/c.err || fail "tdisp-beyond-bar: no STOP: $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after a refused report"
ok "tdisp-beyond-bar: $(head -n 1 /tmp/c.err); STOP sent, CONFIG_UNLOCKED"

# a state lie after LOCK: the kernel sees the mismatch (ERROR), tsmctl STOPs
restart_emu --fault tdisp-state-lie
tc tdi lock $F1 $T && fail "tdisp-state-lie: lock succeeded: $(cat /tmp/c.out)"
grep -q "device reports RUN, kernel expects CONFIG_LOCKED" /tmp/c.err ||
	fail "tdisp-state-lie: $(cat /tmp/c.err)"
dmesg | grep -q "device reports RUN, kernel expects CONFIG_LOCKED" || fail "tdisp-state-lie: not logged"
want_state $F1 CONFIG_UNLOCKED "after the mismatch and the STOP"
ok "tdisp-state-lie: $(head -n 1 /tmp/c.err); STOP sent"

# TDISP_ERROR on LOCK: the device refused, nothing changed
restart_emu --fault tdisp-error
tc tdi lock $F1 $T && fail "tdisp-error: lock succeeded: $(cat /tmp/c.out)"
grep -q "LOCK_INTERFACE: device answered TDISP_ERROR" /tmp/c.err || fail "tdisp-error: $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "after TDISP_ERROR"
ok "tdisp-error: $(head -n 1 /tmp/c.err); CONFIG_UNLOCKED"

# the nonce never shows (the kernel never sends it; tsmctl never prints it)
grep -qiE '[0-9a-f]{64}' /tmp/outs && fail "a 32-byte hex value in tsmctl output: $(grep -iE '[0-9a-f]{64}' /tmp/outs | head -n 2)"
restart_emu
echo "PASS"
