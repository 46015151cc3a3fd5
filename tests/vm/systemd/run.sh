#!/bin/bash
# The systemd guest's test driver (tsmh-test.service): runs the tests in
# order -- later ones use the state earlier ones leave (tsmd running, the
# emulated endpoints, the policy) -- and reports each as
#   TSMH-RESULT NAME PASS|FAIL SECONDS   with its lines as "[NAME] ..."
# then dumps the kernel log (scripts/vm/lib.sh reads it); the unit powers
# the guest off when this exits.
tests="install udev-wake notify watchdog sandbox journal purge"
echo "TSMH-SYSTEMD-UP $(systemctl is-system-running) $(uname -r)"
for t in $tests; do
	start=$(cut -d. -f1 /proc/uptime)
	echo "TSMH-START $t"
	# a hung test must not eat the whole boot
	timeout 150 bash "/opt/tsmh-test/t_$t.sh" >"/run/$t.log" 2>&1
	rc=$?
	[ $rc = 124 ] && echo "FAIL: test $t timed out after 150 s" >>"/run/$t.log"
	sed "s/^/[$t] /" "/run/$t.log"
	end=$(cut -d. -f1 /proc/uptime)
	case $rc in
	0) v=PASS ;;
	*) v=FAIL ;;
	esac
	echo "TSMH-RESULT $t $v $((end - start))"
done
echo "TSMH-JOURNAL-BEGIN (tsmd, tsmh-emu)"
journalctl -b -u tsmd -u tsmh-emu --no-pager -o short-monotonic | tail -n 150
echo "TSMH-JOURNAL-END"
echo "TSMH-DMESG-BEGIN"
dmesg
echo "TSMH-DMESG-END"
echo "TSMH-DONE"
