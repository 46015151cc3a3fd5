# make bench (not part of make check, not in tests/run.sh's vm_tests):
# tsmd timings with N emulated endpoints behind pci-stub, for N in 1 and 64
# (kernel command line tsmh.bench_tsmd=1,8,... to choose others). tsmd runs
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
# Times are /proc/uptime milliseconds, polled every 0.1 s.
. /tests/lib.sh
STUB=$MODDIR/pci-stub.ko
[ -f "$STUB" ] || skip "no pci-stub module in the initramfs"
sizes=$(sed -n 's/.*tsmh\.bench_tsmd=\([0-9,]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
sizes=${sizes:-1 64}
CONF=/etc/tsmd/tsmd.conf
AL=/var/lib/tsmd/allow-list.json
LOG=/tmp/tsmd.log
TSMD_PID=
cleanup() {
	[ -n "$TSMD_PID" ] && kill "$TSMD_PID" 2>/dev/null
	killall -q dbus-daemon 2>/dev/null
	rmmod pci_stub 2>/dev/null
}
trap cleanup EXIT
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
tfail() {
	sed 's/^/  tsmd: /' $LOG 2>/dev/null | tail -n 25
	fail "$@"
}
stop_tsmd() {
	kill "$TSMD_PID" 2>/dev/null
	wait "$TSMD_PID" 2>/dev/null
	TSMD_PID=
}
# the endpoints of an N-slot sim: endpoint i on bus 3+i
eps() {
	i=0
	while [ $i -lt "$1" ]; do
		printf "%s:%02x:00.0\n" "$DOM" $((3 + i))
		i=$((i + 1))
	done
}
nbound() {
	c=0
	for d in $DEVS; do
		[ -e "/sys/bus/pci/devices/$d/driver" ] && c=$((c + 1))
	done
	echo $c
}
nlisted() { tsmctl -j list 2>/dev/null | jq '[.[] | select(.pcie_type == "Endpoint" and .discovered)] | length'; }
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

mkdir -p /run/dbus /etc/tsmd /var/lib/tsmd
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
for nd in $sizes; do
	DEVS=$(eps "$nd")
	rm -f $AL $LOG
	dbus-daemon --config-file=/etc/tsmh-dbus.conf --fork --nopidfile || fail "dbus-daemon"
	insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
	insmod "$STUB" ids=1b36:1e10 || fail "insmod pci-stub"
	insmod "$MODDIR/tsmh_sim.ko" nr_endpoints="$nd" || fail "insmod tsmh_sim nr_endpoints=$nd"
	start_emu --export-root /tmp/root.pem
	wait_n 300 "endpoints listed" "$nd" nlisted
	[ "$(nbound)" = 0 ] || fail "$(nbound) device(s) bound before tsmd"
	cat >$CONF <<EOT
{ "trust_anchors": "/tmp/root.pem",
  "allow_list": "$AL",
  "default": "measurements",
  "attest_timeout_ms": 120000 }
EOT
	t0=$(ms)
	tsmctl policy generate -c $CONF -o $AL 2>/tmp/gen.log || { cat /tmp/gen.log; fail "policy generate"; }
	ok "$nd device(s): allow-list by tsmctl policy generate in $(($(ms) - t0)) ms: $(tail -n1 /tmp/gen.log)"
	jq -e --argjson n "$nd" '.devices | length == $n' $AL >/dev/null || fail "allow-list: $(cat $AL)"

	# tsmd started with N held, allow-listed devices
	t0=$(ms)
	tsmd -v -c $CONF >>$LOG 2>&1 &
	TSMD_PID=$!
	wait_n 900 "bound after tsmd start" "$nd" nbound
	echo "BENCH tsmd start $nd $(($(ms) - t0))"

	# (a) device add -> driver bound: remove all N, let tsmd see them go,
	# then rescan (the root port's bus, the whole sim domain)
	for d in $DEVS; do
		echo 1 >"/sys/bus/pci/devices/$d/remove" || tfail "remove $d"
	done
	wait_until 60 "removed devices still listed" sh -c "tsmctl -j list | jq -e '[.[] | select(.pcie_type == \"Endpoint\")] | length == 0'"
	sleep 1
	t0=$(ms)
	echo 1 >"/sys/bus/pci/devices/$RP/rescan" || tfail "rescan"
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
	wait_n 900 "restored after FLR" "$nd" nrestored
	[ "$(nbound)" = "$nd" ] || tfail "only $(nbound) of $nd still bound after FLR"
	echo "BENCH tsmd flr $nd $(($(ms) - t0))"
	echo "BENCH tsmd flr-writes $nd $((t1 - t0))"
	ok "$nd device(s): $(grep -c 'TSMH_ACTION=quarantine' $LOG) quarantine(s) logged"

	stop_tsmd
	stop_emu
	rmmod pci_stub || fail "rmmod pci_stub"
	rmmod tsmh_sim || fail "rmmod tsmh_sim"
	rmmod tsmh_core || fail "rmmod tsmh_core"
	killall -q dbus-daemon
	rm -f /run/dbus/system_bus_socket
	sleep 0.2
done
