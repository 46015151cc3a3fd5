# make bench (not part of make check): TDISP through the kernel (issue
# 13): tsmctl tdi on the sim with tsmh-emu's TDISP responder (reports laid
# onto the sim's real BARs), function 1 of a three-function TEE-IO card,
# 4 certificate slots. Per mode, RUNS runs (TSMH_BENCH_RUNS, default 20),
# each checked for its outcome (the kernel's state afterwards, the -j
# result), the total wall time of the timed commands:
#   attest-session  tsmctl attest DSM --session: the baseline (authentication,
#                   evidence committed, KEY_EXCHANGE + FINISH, HEARTBEATs,
#                   KEY_UPDATEs, END_SESSION)
#   lock            tsmctl tdi lock TDI --for 0.001: session (authentication,
#                   KEY_EXCHANGE + FINISH), GET_TDISP_VERSION and
#                   CAPABILITIES, tdi-begin/LOCK/STATE/tdi-end, every report
#                   portion (the kernel checks it against the BARs and
#                   stores it as evidence), then STOP, END_SESSION
#   lock-start      the same with --start in host-native mode
#                   (tdisp_host_native=1): lock -> report -> start -> stop
# Prints "BENCH tdi <mode> <runs> <total ms>".
# tsmh-vm: not in the sim suite (run by make bench, not by tests/run.sh's vm_tests)
. /tests/lib.sh
runs=${TSMH_BENCH_RUNS:-20}
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=3 || setup_fail "insmod tsmh_sim"
LF=/tmp/tdi.layout
: >$LF
start_emu --slots 4 --export-root /tmp/root.pem --tdisp-layout-file $LF
wait_eps 1
F1=${EP0%.0}.1
tdi_layout_file $EP0 $F1 ${EP0%.0}.2 >$LF || setup_fail "tdi_layout_file"
T="--trust /tmp/root.pem"
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
run() { # WHAT CMD...: CMD must succeed (its output in /tmp/b.out)
	what=$1
	shift
	"$@" >/tmp/b.out 2>&1 || fail "$what: $(tail -n 5 /tmp/b.out)"
}
tsmctl attest $EP0 $T >/dev/null || fail "attest"

for mode in attest-session lock lock-start; do
	[ $mode = lock-start ] && echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
	total=0
	i=0
	while [ $i -lt $runs ]; do
		t0=$(ms)
		case $mode in
		attest-session) run "attest --session $i" tsmctl attest $EP0 $T --session ;;
		lock) run "tdi lock $i" tsmctl -j tdi lock $F1 $T --for 0.001 ;;
		lock-start) run "tdi lock --start $i" tsmctl -j tdi lock $F1 $T --start --for 0.001 ;;
		esac
		total=$((total + $(ms) - t0))
		case $mode in
		lock | lock-start)
			jq -e '.ok and .kernel.state == "CONFIG_UNLOCKED"' /tmp/b.out >/dev/null ||
				fail "$mode $i: $(cat /tmp/b.out)"
			[ $mode = lock ] || jq -e '.started' /tmp/b.out >/dev/null || fail "$mode $i: not started: $(cat /tmp/b.out)"
			[ "$(kstate $F1)" = CONFIG_UNLOCKED ] || fail "after $mode $i: $(kstate $F1)"
			;;
		esac
		i=$((i + 1))
	done
	echo "BENCH tdi $mode $runs $total"
done
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
stop_emu
