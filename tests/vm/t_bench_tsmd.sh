# make bench (not part of make check):
# tsmd timings with N emulated endpoints behind pci-stub, for N in 1, 64
# and 256 (kernel command line tsmh.bench_tsmd=1,8,... to choose others;
# 256 endpoints span two PCI domains of the sim, see kmod/sim/sim.h). tsmd runs
# with its default max_parallel (8) and an allow-list made beforehand with
# tsmctl policy generate. Prints, per N:
#   BENCH tsmd start N MS      tsmd started with N held devices -> all bound
#   BENCH tsmd add N MS        N devices added (rescan after a sysfs remove of
#                              all N) -> all N bound to pci-stub
#   BENCH tsmd add-first N MS  ... -> the first of them bound
#   BENCH tsmd flr N MS        FLR of all N, issued back to back -> tsmd has
#                              logged restore for all N and all still bound
#   BENCH tsmd flr-writes N MS ... of which the N sysfs reset writes (each
#                              returns after the kernel's FLR wait)
#   BENCH tsmd idle N RSS HWM WAKEUPS MS
#                              then tsmd idle for MS ms (tsmh.bench_idle=S,
#                              default 60 s): its VmRSS and VmHWM (KiB, from
#                              /proc/PID/status) and the context switches
#                              (voluntary + nonvoluntary, all its threads:
#                              every time it slept and woke) in that window
# Times are /proc/uptime milliseconds, polled every 0.1 s.
# The idle state is the one of a host in service: all N devices tracked by
# tsmd, gated by tsmh_core, attested, released on the allow-list and bound,
# after one FLR of each and its re-attestation (so anything kept per
# attestation is in the RSS). tsmd runs here without systemd: no
# WATCHDOG_USEC, so sd-event arms no watchdog timer and an idle tsmd should
# not wake at all (under systemd, WatchdogSec=30s in tsmd.service, sd-event
# pings between 1/2 and 3/4 of it: about one wake-up every 15-22 s).
# tsmh-vm: not in the sim suite (run by make bench, not by tests/run.sh's vm_tests)
. /tests/lib.sh
stub_required
sizes=$(sed -n 's/.*tsmh\.bench_tsmd=\([0-9,]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
sizes=${sizes:-1 64 256}
idle=$(sed -n 's/.*tsmh\.bench_idle=\([0-9]*\).*/\1/p' /proc/cmdline)
idle=${idle:-60}
CONF=$TSMD_CONF
AL=$TSMD_AL
LOG=/tmp/tsmd.log
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
nbound() {
	c=0
	for d in $DEVS; do
		[ -e "/sys/bus/pci/devices/$d/driver" ] && c=$((c + 1))
	done
	echo $c
}
# wait_n SECONDS WHAT N CMD: until CMD prints at least N (every 0.1 s);
# sets FIRST to the ms at which CMD first printed more than 0
wait_n() {
	secs=$1
	lim=$(($(ms) + secs * 1000))
	what=$2
	want=$3
	shift 3
	FIRST=
	while :; do
		have=$("$@")
		[ -z "$FIRST" ] && [ "${have:-0}" -gt 0 ] && FIRST=$(ms)
		[ "${have:-0}" -ge "$want" ] && return 0
		[ "$(ms)" -lt "$lim" ] || tfail "$what: $have of $want after $secs s"
		sleep 0.1
	done
}
# devices with a restore logged after byte offset RESTORE_OFF of the log
nrestored() {
	tail -c +$((RESTORE_OFF + 1)) $LOG | sed -n 's/^tsmd: [a-z]*: \([^ ]*\): restore: .*/\1/p' | sort -u | wc -l
}
# the devices without a restore logged after RESTORE_OFF: their tsmd log
# lines since then and their gate (for a failed run)
unrestored() {
	tail -c +$((RESTORE_OFF + 1)) $LOG >/tmp/since.log
	for d in $DEVS; do
		grep -q "^tsmd: [a-z]*: $d: restore: " /tmp/since.log && continue
		echo "not restored: $d: gate $(gate "$d"), driver $(drv "$d"); tsmd since the FLRs:"
		grep -F "$d" /tmp/since.log | tail -n 8 | sed 's/^/    /'
		dmesg | grep -F "$d" | tail -n 4 | sed 's/^/    kernel: /'
	done
}
# tsmd's context switches, all threads
csw() {
	cat /proc/$TSMD_PID/task/*/status | awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n }'
}
# tsmd's KEY (VmRSS, VmHWM) in KiB
kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$TSMD_PID/status; }

LOST=
for nd in $sizes; do
	DEVS=$(sim_eps "$nd")
	tsmd_stage -n "$nd" -t 300
	[ "$(nbound)" = 0 ] || fail "$(nbound) device(s) bound before tsmd"
	tsmd_conf measurements '"attest_timeout_ms": 120000'
	t0=$(ms)
	tsmctl policy generate -c "$CONF" -o "$AL" 2>/tmp/gen.log || { cat /tmp/gen.log; fail "policy generate"; }
	ok "$nd device(s): allow-list by tsmctl policy generate in $(($(ms) - t0)) ms: $(tail -n1 /tmp/gen.log)"
	jq -e --argjson n "$nd" '.devices | length == $n' "$AL" >/dev/null || fail "allow-list: $(cat "$AL")"

	# tsmd started with N held, allow-listed devices
	t0=$(ms)
	tsmd_start
	wait_n 900 "bound after tsmd start" "$nd" nbound
	echo "BENCH tsmd start $nd $(($(ms) - t0))"

	# (a) device add -> driver bound: remove all N, let tsmd see them go,
	# then rescan (the root port's bus, the whole sim domain; each domain
	# for more than 128)
	for d in $DEVS; do
		echo 1 >"/sys/bus/pci/devices/$d/remove" || tfail "remove $d"
	done
	wait_until 60 "removed devices still listed" sh -c "tsmctl -j list | jq -e '[.[] | select(.pcie_type == \"Endpoint\")] | length == 0'"
	sleep 1
	ADD_OFF=$(wc -c <$LOG)
	t0=$(ms)
	for rp in $(sim_rps "$nd"); do
		echo 1 >"/sys/bus/pci/devices/$rp/rescan" || tfail "rescan $rp"
	done
	wait_n 900 "bound after add" "$nd" nbound
	t1=$(ms)
	echo "BENCH tsmd add $nd $((t1 - t0))"
	echo "BENCH tsmd add-first $nd $((FIRST - t0))"
	grep -q "TSMH_ACTION=release" $LOG || tfail "no release logged"

	# (b) FLR -> service restored, all N back to back
	RESTORE_OFF=$(wc -c <$LOG)
	t0=$(ms)
	for d in $DEVS; do
		echo 1 >"/sys/bus/pci/devices/$d/reset" || tfail "FLR $d"
	done
	t1=$(ms)
	# a device never restored is reported (FAIL at the end) but does not
	# stop the other figures
	lim=$(($(ms) + (120 + 2 * nd) * 1000))
	while [ "$(nrestored)" -lt "$nd" ] && [ "$(ms)" -lt "$lim" ]; do
		sleep 0.1
	done
	if [ "$(nrestored)" -lt "$nd" ]; then
		echo "FLR: only $(nrestored) of $nd restored after $((120 + 2 * nd)) s:"
		unrestored
		LOST="$LOST $nd"
	else
		[ "$(nbound)" = "$nd" ] || tfail "only $(nbound) of $nd still bound after FLR"
		echo "BENCH tsmd flr $nd $(($(ms) - t0))"
		echo "BENCH tsmd flr-writes $nd $((t1 - t0))"
	fi
	ok "$nd device(s): $(grep -c 'TSMH_ACTION=quarantine' $LOG) quarantine(s) logged"
	# the workers' own times (fork to summary: no process start-up), as
	# tsmd logs them: first attestations of the added devices, then the
	# re-attestations after the FLRs (daemon/attest/attest.h)
	wavg() { # FROM TO WHAT
		tail -c +$(($1 + 1)) $LOG | head -c $(($2 - $1)) |
			sed -n "s/^tsmd: debug: [^ ]*: $3 passed in \([0-9]*\) ms$/\1/p" |
			awk '{ s += $1; n++ } END { if (n) printf "%d %d", n, s / n }'
	}
	w=$(wavg "$ADD_OFF" "$RESTORE_OFF" attestation)
	[ -n "$w" ] && echo "BENCH tsmd worker-full $nd $w"
	w=$(wavg "$RESTORE_OFF" "$(wc -c <$LOG)" re-attestation)
	[ -n "$w" ] && echo "BENCH tsmd worker-reattest $nd $w"
	# more re-attestations than devices: say which paths asked for them
	tail -c +$((RESTORE_OFF + 1)) $LOG >/tmp/flr.log
	ok "$nd device(s) after the FLRs: $(grep -c ' reset seen ' /tmp/flr.log) reset events, $(grep -c 'attestation queued' /tmp/flr.log) attestations queued, $(grep -c 'requested again during the attestation' /tmp/flr.log) asked again while running, $(grep -c '; attesting again' /tmp/flr.log) releases refused as stale"

	# (c) idle: see the top; the FLR work has settled (all restored)
	[ "$(cat /proc/$TSMD_PID/comm 2>/dev/null)" = tsmd ] || tfail "pid $TSMD_PID is not tsmd"
	sleep 2
	LOG_OFF=$(wc -c <$LOG)
	c0=$(csw)
	t0=$(ms)
	sleep "$idle"
	c1=$(csw)
	t1=$(ms)
	[ -n "$c0" ] && [ -n "$c1" ] || tfail "no context switch counts in /proc/$TSMD_PID/task/*/status"
	echo "BENCH tsmd idle $nd $(kib VmRSS) $(kib VmHWM) $((c1 - c0)) $((t1 - t0))"
	ok "$nd device(s): idle $((t1 - t0)) ms, context switches $c0 -> $c1, threads: $(ls /proc/$TSMD_PID/task | wc -l), log lines meanwhile: $(tail -c +$((LOG_OFF + 1)) $LOG | wc -l)"

	tsmd_stage_down
	sleep 0.2
done
[ -z "$LOST" ] || fail "FLR: devices not restored with$LOST device(s) (above)"
