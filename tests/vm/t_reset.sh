# Resets of accepted devices under tsmd, other than the FLR t_tsmd covers:
# a secondary bus reset (sysfs reset_method "bus": the downstream port
# above the endpoint resets its link) is reported once as a bus reset, as
# the emulator saw it, tsmd re-attests and, the measurements being
# identical, restores the device with its driver still bound. AER errors
# injected at the root port with aer_inject: a non-fatal one is recovered
# without a reset, so nothing is reported and, with reset_hold=1, nothing
# unbound (issue 10: it used to count as a reset of every device below);
# a fatal one resets the link below the port, reported as recovery for
# exactly the endpoints the emulator saw reset, each re-attested and
# restored.
. /tests/lib.sh
# at exit, besides the stage's own teardown (tests/vm/lib.sh)
test_cleanup() {
	[ -n "${MON:-}" ] && kill "$MON" 2>/dev/null
	rmmod aer_inject 2>/dev/null
	echo 0 >/sys/module/tsmh_core/parameters/reset_hold 2>/dev/null
}
# failures show the end of tsmd's log too
fail() {
	sed 's/^/  tsmd: /' /tmp/tsmd.log 2>/dev/null | tail -n 25
	tail -n 5 /tmp/mon.err /tmp/mon.json 2>/dev/null | sed 's/^/  monitor: /'
	echo "FAIL: $*"
	exit 1
}
tfail() { fail "$@"; }
rcount() { tsmctl -j show "$1" | jq .reset_count; }
# resets the emulator saw (of SLOT, else of any slot); it logs each with -v
eresets() { grep -c "slot ${1:-[0-9]*}: function level reset" /tmp/emu.log; }
nevents() { grep -c '"event":"reset"' /tmp/mon.json; }
# restored DEV N: tsmd logged its Nth restore
restored() { [ "$(grep -c "$1: restore:" /tmp/tsmd.log)" -ge "$2" ]; }

tsmd_stage -- -v
srcs=$(tsmctl -j info | jq -r '.reset_sources | join(",")')
ok "reset sources armed: $srcs"

tsmd_conf certificate '"attest_timeout_ms": 30000'
tsmctl -j monitor >/tmp/mon.json 2>/tmp/mon.err &
MON=$!
tsmd_start
tsmd_accept $EP0 $EP1
ok "both endpoints attested, allowed (allow-list), released, pci-stub bound"

# ---- secondary bus reset of $EP0 (its downstream port resets the link)
echo "$srcs" | grep -q bus || tfail "no bus reset source armed ($srcs)"
grep -qw bus /sys/bus/pci/devices/$EP0/reset_method || tfail "$EP0 has no bus reset method: $(cat /sys/bus/pci/devices/$EP0/reset_method)"
echo bus >/sys/bus/pci/devices/$EP0/reset_method || tfail "reset_method bus"
r0=$(rcount $EP0)
r1=$(rcount $EP1)
e0=$(eresets 0)
echo 1 >/sys/bus/pci/devices/$EP0/reset || tfail "bus reset of $EP0"
# monitored DEV KIND: tsmctl monitor saw a reset of DEV of that kind
monitored() { grep -q "\"event\":\"reset\",\"device\":\"$1\",\"kind\":\"$2\"" /tmp/mon.json; }
wait_until 30 "no bus reset event for $EP0" monitored $EP0 bus
wait_until 30 "$EP0 not restored after the bus reset" restored $EP0 1
grep -q "$EP0: bus reset seen" /tmp/tsmd.log || tfail "tsmd did not log the bus reset"
tsmctl -j show $EP0 | jq -e --argjson r "$r0" '.reset_count == $r + 1 and .reset_kind == "bus" and
	.gate.state == "released" and .gate.reason == "attested" and (.gate.reattest | not)' >/dev/null ||
	tfail "$EP0 after the bus reset: $(tsmctl -j show $EP0 | jq -c '{reset_count, reset_kind, gate}')"
[ "$(drv $EP0)" = pci-stub ] || tfail "$EP0 lost its driver after an identical bus reset"
[ "$(rcount $EP1)" = "$r1" ] || tfail "$EP1 (another port) counted a reset"
[ "$(eresets 0)" = $((e0 + 1)) ] || tfail "the emulator saw $(($(eresets 0) - e0)) resets of $EP0"
ok "bus reset: EVT_RESET kind bus, re-attested, restored, pci-stub still bound; $EP1 untouched"
echo "" >/sys/bus/pci/devices/$EP0/reset_method 2>/dev/null

# ---- AER: only a recovery that resets the link is a reset
# recovered DEV: the AER core finished recovering at DEV (pci-stub has no
# error handlers, so it reports the recovery as failed)
nrecov() { dmesg | grep -c "$RP.*AER: [Dd]evice recovery"; }
recovered() { [ "$(nrecov)" -gt "$1" ]; }
aer_test() {
	AI=$MODDIR/aer_inject.ko
	[ -f "$AI" ] || { echo "SKIP(aer): $KVER: no aer_inject module (CONFIG_PCIEAER_INJECT)"; return; }
	echo "$srcs" | grep -q recovery || tfail "no recovery reset source armed ($srcs)"
	[ -e /sys/bus/pci/devices/$RP/aer_dev_nonfatal ] ||
		tfail "the sim root port has no AER (no aer_dev_nonfatal in sysfs)"
	insmod "$AI" || tfail "insmod aer_inject"
	[ -c /dev/aer_inject ] || tfail "no /dev/aer_inject"

	# a non-fatal error (Completion Timeout, bit 14, non-fatal by the
	# port's severity register) is recovered without any reset: nothing is
	# reported, and with reset_hold=1 nothing is unbound
	echo 1 >/sys/module/tsmh_core/parameters/reset_hold || tfail "reset_hold=1"
	c0=$(rcount $EP0) c1=$(rcount $EP1) e=$(eresets) nev=$(nevents) k=$(nrecov)
	aerinj "$RP" uncor 0x4000 >/tmp/aerinj.out 2>&1 || tfail "aer_inject: $(cat /tmp/aerinj.out)"
	wait_until 30 "the AER core never recovered from the non-fatal error at $RP" recovered "$k"
	sleep 2
	[ "$(eresets)" = "$e" ] || tfail "the emulator saw $(($(eresets) - e)) resets for a non-fatal error"
	[ "$(rcount $EP0)" = "$c0" ] && [ "$(rcount $EP1)" = "$c1" ] && [ "$(nevents)" = "$nev" ] ||
		tfail "non-fatal AER error: reset counts $c0,$c1 -> $(rcount $EP0),$(rcount $EP1), $(($(nevents) - nev)) reset events, although nothing was reset"
	for d in $EP0 $EP1; do
		[ "$(drv $d)" = pci-stub ] || tfail "$d unbound by a non-fatal AER error: '$(drv $d)'"
		tsmctl -j show $d | jq -e '.gate.state == "released" and (.gate.reattest | not)' >/dev/null ||
			tfail "$d after a non-fatal AER error: $(tsmctl -j show $d | jq -c '{reset_count, gate}')"
	done
	echo 0 >/sys/module/tsmh_core/parameters/reset_hold
	ok "non-fatal AER error at $RP: no reset (emulator: none), none reported, nothing unbound with reset_hold=1"

	# a fatal one (Data Link Protocol Error, bit 4) resets the link below
	# the port (aer_root_reset: a secondary bus reset): each endpoint the
	# emulator saw reset once is reported once, as recovery, re-attested
	# and restored
	c0=$(rcount $EP0) c1=$(rcount $EP1) e0=$(eresets 0) e1=$(eresets 1) k=$(nrecov)
	n0=$(grep -c "$EP0: restore:" /tmp/tsmd.log)
	n1=$(grep -c "$EP1: restore:" /tmp/tsmd.log)
	aerinj "$RP" uncor 0x10 >/tmp/aerinj.out 2>&1 || tfail "aer_inject: $(cat /tmp/aerinj.out)"
	wait_until 30 "the AER core never recovered from the fatal error at $RP" recovered "$k"
	for d in $EP0 $EP1; do
		wait_until 30 "no recovery reset event for $d" monitored $d recovery
	done
	wait_until 60 "$EP0 not restored after AER recovery" restored $EP0 $((n0 + 1))
	wait_until 60 "$EP1 not restored after AER recovery" restored $EP1 $((n1 + 1))
	[ "$(eresets 0)" = $((e0 + 1)) ] && [ "$(eresets 1)" = $((e1 + 1)) ] ||
		tfail "the emulator saw $(($(eresets 0) - e0)),$(($(eresets 1) - e1)) resets, expected one each"
	[ "$(rcount $EP0)" = $((c0 + 1)) ] && [ "$(rcount $EP1)" = $((c1 + 1)) ] ||
		tfail "reset counts $c0,$c1 -> $(rcount $EP0),$(rcount $EP1) for one link reset"
	for d in $EP0 $EP1; do
		tsmctl -j show $d | jq -e '.reset_kind == "recovery" and .gate.state == "released" and
			(.gate.reattest | not)' >/dev/null ||
			tfail "$d after AER recovery: $(tsmctl -j show $d | jq -c '{reset_count, reset_kind, gate}')"
		[ "$(drv $d)" = pci-stub ] || tfail "$d lost its driver after recovery"
	done
	ok "fatal AER error at $RP: its link reset reported once per endpoint (as the emulator saw), kind recovery, both re-attested and restored"
	rmmod aer_inject
}
aer_test

stop_tsmd
kill $MON
MON=
tsmd_stage_down
