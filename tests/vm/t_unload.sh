# rmmod tsmh_core while the PCI core removes a device that has DOE
# exchanges queued on it (issue 10, item 3). Unload mirrors load: under
# the rescan lock it unregisters the bus notifier and marks every device
# gone with its mailboxes drained, so the removal waits for it and no
# exchange reaches a mailbox the PCI core has torn down. Each queued
# exchange fails with the device-gone error; nothing else (no -22 after
# "Abort failed", no oops: the harness checks the kernel log).
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
round() {
	rm -f /tmp/x*.rc /tmp/x*.out /tmp/rmmod.rc
	nx=0
	# $EP1's first (they queue behind the one in flight), then $EP0's: unload
	# drains $EP0 first and waits for its exchange in flight (the DOE timeout),
	# and meanwhile $EP1 is removed
	for ep in $EP1 $EP0; do
		for i in 1 2 3 4; do
			nx=$((nx + 1))
			( tsmctl doe $ep --protocol cma --hex 10840000 >/tmp/x$nx.out 2>&1; echo $? >/tmp/x$nx.rc ) &
		done
		sleep 0.4
	done
	dmesg >/tmp/dmesg.before
	ls /tmp/x*.rc >/tmp/x.before 2>/dev/null # ended before unload began
	( rmmod tsmh_core >/tmp/rmmod.out 2>&1; echo $? >/tmp/rmmod.rc ) &
	sleep 0.2 # unload is draining $EP0 (its exchange in flight)
	echo 1 >/sys/bus/pci/devices/$EP1/remove || fail "sysfs remove $EP1"
	wait_until 30 "rmmod tsmh_core hung" test -f /tmp/rmmod.rc
	[ "$(cat /tmp/rmmod.rc)" = 0 ] || fail "rmmod tsmh_core: $(cat /tmp/rmmod.out)"
	[ -e /sys/bus/pci/devices/$EP1 ] && fail "$EP1 not removed"
	i=0
	while [ "$(ls /tmp/x*.rc 2>/dev/null | wc -l)" -lt $nx ]; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			for j in $(seq $nx); do
				[ -f /tmp/x$j.rc ] || echo "exchange $j still waiting: $(cat /tmp/x$j.out)"
			done
			fail "exchanges hung across rmmod"
		fi
		sleep 0.1
	done
	gone=0
	gone0=0
	gone1=0
	ran0=0
	ran1=0
	late=0
	i=0
	while [ $i -lt $nx ]; do
		i=$((i + 1))
		out=$(cat /tmp/x$i.out)
		[ "$(cat /tmp/x$i.rc)" != 0 ] || fail "exchange $i succeeded on a silent device: $out"
		if grep -q -x "/tmp/x$i.rc" /tmp/x.before; then
			echo "exchange $i (ended before unload): $out"
			continue
		fi
		echo "exchange $i: $out"
		case "$out" in
		*"device is being removed"* | *"device was removed"*)
			gone=$((gone + 1))
			case "$out" in *$EP0*) gone0=1 ;; *) gone1=1 ;; esac ;;
		# the one in flight when unload began times out (pci_doe() says EIO)
		*"timed out"* | *"(device error, timeout, bad response): mailbox 0x100: -5)"*)
			case "$out" in *$EP0*) ran0=$((ran0 + 1)) ;; *) ran1=$((ran1 + 1)) ;; esac ;;
		# a slow guest: the request reached the kernel after unload
		*"no such device tracked by tsmh"* | *"not found: is the tsmh_core module loaded"*)
			late=$((late + 1)) ;;
		*) fail "exchange $i did not end with the device-gone error: $out" ;;
		esac
	done
	# once unload marked the devices gone, only the exchange in flight on each
	# mailbox may still reach the device (and the one before it, which may
	# time out between the snapshot above and the marking: rmmod first
	# unregisters its kprobes); every queued one fails with the device-gone error
	[ $ran0 -le 2 ] && [ $ran1 -le 2 ] ||
		fail "exchanges reached devices after unload began ($EP0: $ran0, $EP1: $ran1)"
	[ $gone0 = 1 ] && [ $gone1 = 1 ] || fail "no queued exchange on each device failed with the device-gone error"
	dmesg | grep -v -F -x -f /tmp/dmesg.before >/tmp/dmesg.new
	grep -i "abort failed\|mailbox dead\|use-after-free\|general protection" /tmp/dmesg.new &&
		fail "the PCI core's mailbox was used after removal"
	ok "rmmod during hot-removal: $gone exchanges got the device-gone error ($ran0+$ran1 in flight timed out, $late arrived after unload)"
}

# three rounds (the race it guards against depends on timing); each ends
# with $EP1 plugged again and tsmh_core loaded
for r in 1 2 3; do
	echo "round $r"
	stop_emu
	start_emu --fault silent --plug none # nobody answers: exchanges pile up
	round
	# load again: the remaining endpoint is tracked, the removed one comes
	# back when the emulator plugs its slot again
	stop_emu
	start_emu
	insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core after unload"
	wait_eps 2
	tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "exchange with $EP0 after reload"
	tsmctl doe $EP1 --protocol cma --hex 10840000 >/dev/null || fail "exchange with $EP1 after re-plug"
	ok "reloaded: both endpoints work"
done
unload_modules
