# tsmh-vm: timeout 400
# 7.2 TSM core bind / unbind / guest_req (issue 13, kmod/core/tsm.c,
# docs/design.md "7.2: bind, unbind, guest requests"): tests/vm/kmod/
# tsmh_btest.c plays the in-kernel caller (VFIO/IOMMUFD for a TVM; none is
# in tree yet) of pci_tsm_bind(), pci_tsm_unbind(), pci_tsm_guest_req() on
# function 1 of a connected card. tsmresp answers the kernel's evt-tsm-req
# in tsmd's place: for bind/unbind/guest-req it runs tdinl, which drives
# tdi-begin/end like a requester that performs NO real TDISP exchange (the
# kernel's rules and its checks of the outcome are what is tested; the
# report it hands in is built against the function's real BAR 0).
# Covered: bind without a daemon (ENOTCONN, nothing changed); a daemon
# that answers success without locking (the kernel refuses: EPROTO, and
# asks it to undo); bind -> CONFIG_LOCKED, report checked, BOUND with the
# TVM's ID, tsm/bound naming our TSM; a second TVM EBUSY; INFO returns the
# kernel's record; the host cannot START in CoCo mode, not even with a
# made-up tsm-cookie; the TVM's START (STATE_CHANGE to RUN) through the
# daemon with the request's cookie -> RUN, not host-started; DEBUG refused;
# unbind -> STOP, CONFIG_UNLOCKED, tsm/bound empty; bind of a TDI the host
# locked refused before asking anybody; a bound TDI stays bound across a
# reset of its DSM (tsm/bound still names us: the core reads its own
# pdev->tsm->tdi) until unbind, whatever the reset did to its state; disconnect of a bound TDI's DSM unbinds it
# first (the daemon asked to unbind, then to disconnect). A bound TDI is
# the TVM's: a handled signal does not end its bind, it pins tsmh_core,
# the host may not START it (even in host-native mode), release it to a
# host driver, or LOCK it again after a reset, and the TVM may not START
# it after the reset (refused as CONFIG_UNLOCKED before the daemon is
# asked; tdi.c's bind_lock rule, "not the lock its bind made", is defence
# in depth that no test reaches: no LOCK of a bound TDI is accepted).
. /tests/lib.sh
btest_setup

RESP=
cleanup() {
	[ -n "$RESP" ] && kill "$RESP" 2>/dev/null
	rmmod tsmh_btest 2>/dev/null
}
trap cleanup EXIT
# asked OP DEV [REQ]: tsmh_btest's OP on DEV succeeds, the responder
# having answered the kernel's request REQ (default OP)
asked() {
	responder 1
	call "$1" "$2" || fail "$1 $2: $(cat /tmp/w.err); $(cat /tmp/resp.log); $(tail -n 5 /tmp/tdinl.out)"
	resp_done
	grep -q "^${3:-$1} $2 " /tmp/req.log || fail "no ${3:-$1} request: $(cat /tmp/req.log)"
}

# the responder plays tsmd with no TDISP exchange (lib.sh)
btest_req_sh

# ---- connect the DSM through our link TSM ----
responder 1
echo $T >/sys/bus/pci/devices/$EP0/tsm/connect 2>/tmp/w.err || fail "connect: $(cat /tmp/w.err); $(cat /tmp/resp.log)"
resp_done
B=/sys/bus/pci/devices/$F1/tsm/bound
[ -f $B ] || fail "no tsm/bound on $F1: $(ls /sys/bus/pci/devices/$F1/tsm 2>&1)"
[ -z "$(cat $B)" ] || fail "$F1 bound at start: $(cat $B)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "$F1 at start: $(tline $F1)"
ok "$EP0 connected through $T; $F1 CONFIG_UNLOCKED, tsm/bound empty"

# ---- bind with nobody listening ----
call bind $F1 && fail "bind without a daemon succeeded"
grep -q "not connected" /tmp/w.err || fail "bind without a daemon: $(cat /tmp/w.err)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ -z "$(cat $B)" ] || fail "after a refused bind: $(tline $F1) bound='$(cat $B)'"
ok "bind without a daemon: '$(cat /tmp/w.err)', nothing changed"

# ---- a daemon that says yes without locking: the kernel checks ----
touch /tmp/bind.noop
responder 2
call bind $F1 && fail "bind succeeded although nothing was locked"
resp_done
rm -f /tmp/bind.noop
grep -q "Protocol error" /tmp/w.err || fail "bind of an unlocked TDI: $(cat /tmp/w.err)"
dmesg | grep -q "$F1: tsmh: tsm bind: tsmd answered success but the TDI is CONFIG_UNLOCKED" || fail "no log of the refused bind"
grep -q "^req $F1 unbind " /tmp/resp.log || fail "the failed bind was not undone (unbind): $(cat /tmp/resp.log)"
[ -z "$(cat $B)" ] && [ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "after the lying daemon: $(tline $F1)"
ok "daemon answered bind without locking: EPROTO, undone with unbind, not bound"

# ---- bind ----
asked bind $F1
grep -q "^bind $F1 [0-9a-f]\{16\} $" /tmp/req.log || fail "bind request: $(cat /tmp/req.log)"
tline $F1 >/tmp/t.out
grep -q " state=CONFIG_LOCKED flags=0xb .* tvm=[0-9a-f]\{16\} report_len=36 nr_ranges=1 " /tmp/t.out ||
	fail "after bind: $(cat /tmp/t.out)"
TVM=$(sed -n 's/.* tvm=\([0-9a-f]*\) .*/\1/p' /tmp/t.out)
[ "$(cat $B)" = $T ] || fail "tsm/bound reads '$(cat $B)', not $T"
ok "bind: $F1 CONFIG_LOCKED, report checked, BOUND to TVM $TVM; tsm/bound reads $T"

call bind "$F1 2" && fail "a second TVM bound the same TDI"
grep -q "busy" /tmp/w.err || fail "second TVM: $(cat /tmp/w.err)"
E2=$(cat /tmp/w.err)
call bind $F1 || fail "bind again by the same TVM: $(cat /tmp/w.err)"
ok "a second TVM: '$E2'; the same TVM again: 0 without asking"

# ---- INFO: the kernel's record (tdi nest: 4 state, 5 flags, 13 tvm) ----
call info $F1 || fail "info: $(cat /tmp/w.err)"
L=$(cat $P/last)
case "$L" in "info $F1 0 1=\"$F1\""*" 4=1 5=11 "*" 13=$TVM "*) ;; *) fail "INFO (want state 1, flags 11, tvm $TVM): $L" ;; esac
ok "guest INFO: $L"

# ---- the host cannot START in CoCo mode ----
[ "$(cat /sys/module/tsmh_core/parameters/tdisp_host_native)" = N ] || fail "host-native mode on"
printf 'claim %s\nbegin %s start nonce=0xab\nbegin %s start nonce=0xab cookie=1234\n' $EP0 $F1 $F1 |
	tdinl run >/tmp/h.out 2>&1 && fail "host START accepted: $(cat /tmp/h.out)"
grep -q "host may not start a TDI in CoCo mode" /tmp/h.out || fail "host START: $(cat /tmp/h.out)"
grep -q "tsm-cookie is no pending guest request" /tmp/h.out || fail "forged cookie: $(cat /tmp/h.out)"
[ "$(st $F1)" = CONFIG_LOCKED ] || fail "after host STARTs: $(tline $F1)"
ok "host START refused in CoCo mode, also with a made-up tsm-cookie"

# ---- the TVM's START ----
: >/tmp/req.log
asked run $F1 guest-req
grep -q "^guest-req $F1 [0-9a-f]\{16\} 2$" /tmp/req.log || fail "guest-req request: $(cat /tmp/req.log)"
grep -q "tsm-cookie is no pending guest request" /tmp/forged.out || fail "a wrong cookie during the request: $(cat /tmp/forged.out)"
[ "$(cat $P/last)" = "run $F1 0 state=2" ] || fail "guest START result: $(cat $P/last)"
tline $F1 >/tmp/t.out
grep -q " state=RUN flags=0x9 " /tmp/t.out || fail "after the guest START: $(cat /tmp/t.out)"
grep -q "started for its TVM (guest request)" /tmp/t.out || fail "msg: $(cat /tmp/t.out)"
ok "guest STATE_CHANGE -> RUN through the daemon with the request's cookie (another cookie refused meanwhile); not host-started"

call debug $F1 && fail "DEBUG_READ accepted"
ok "DEBUG_READ refused: $(cat /tmp/w.err)"

# ---- unbind ----
asked unbind $F1
tline $F1 >/tmp/t.out
grep -q " state=CONFIG_UNLOCKED flags=0x0 " /tmp/t.out && ! grep -q " tvm=" /tmp/t.out || fail "after unbind: $(cat /tmp/t.out)"
[ -z "$(cat $B)" ] || fail "tsm/bound after unbind: $(cat $B)"
ok "unbind: the daemon STOPped it, CONFIG_UNLOCKED, no TVM, tsm/bound empty"

# ---- bind of a TDI the host locked: refused before asking ----
printf 'claim %s\nbegin %s lock\nend %s status=0 state=CONFIG_LOCKED nonce=0xcd\n' $EP0 $F1 $F1 | tdinl run >/tmp/h.out 2>&1 ||
	fail "host LOCK: $(cat /tmp/h.out)"
call bind $F1 && fail "bind of a host-locked TDI succeeded"
grep -q "busy" /tmp/w.err || fail "bind of a locked TDI: $(cat /tmp/w.err) (expected EBUSY before asking anybody)"
printf 'claim %s\nbegin %s stop\nend %s status=0 state=CONFIG_UNLOCKED\n' $EP0 $F1 $F1 | tdinl run >/tmp/h.out 2>&1 ||
	fail "host STOP: $(cat /tmp/h.out)"
ok "bind of a CONFIG_LOCKED TDI refused at once: $(cat /tmp/w.err)"

# ---- a bound TDI is the TVM's ----
# a handled signal to the caller does not end a bind (a VMM's threads take
# them all the time): SIGUSR1 1 s into a bind the daemon answers after 3 s
RC0=$(cat /sys/module/tsmh_core/refcnt)
touch /tmp/bind.slow
responder 1
sh -c "trap : USR1; echo $F1 > $P/bind" 2>/tmp/w.err &
W=$!
sleep 1
kill -USR1 $W
wait $W || fail "bind with a handled signal on the way: $(cat /tmp/w.err)"
resp_done
rm -f /tmp/bind.slow
[ "$(st $F1)" = CONFIG_LOCKED ] && [ "$(cat $B)" = $T ] || fail "after a bind with a signal: $(tline $F1) bound='$(cat $B)'"
ok "a handled signal during bind: bound all the same"
# the bound TDI pins tsmh_core (an unload would leave it locked for nobody)
[ "$(cat /sys/module/tsmh_core/refcnt)" = $((RC0 + 1)) ] || fail "tsmh_core refcnt $(cat /sys/module/tsmh_core/refcnt) while bound (was $RC0)"
# host-native mode is for the host's TDIs: no host START of a bound one
echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
printf 'claim %s\nbegin %s start nonce=0xab\n' $EP0 $F1 | tdinl run >/tmp/h.out 2>&1 && fail "host START of a bound TDI accepted in host-native mode"
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
grep -q "bound to a TVM" /tmp/h.out || fail "host START of a bound TDI: $(cat /tmp/h.out)"
tsmctl gate $F1 release >/tmp/g.out 2>&1 && fail "gate release of a bound TDI"
grep -q "bound to a TVM" /tmp/g.out || fail "gate release of a bound TDI: $(cat /tmp/g.out)"
ok "bound: tsmh_core pinned (refcnt $RC0 -> $((RC0 + 1))); host START refused in host-native mode; gate release refused"
# a reset unlocks it (secondary bus reset of the port above the card):
# the host may not lock it again for the TVM, and the TVM's START is
# refused (the TDI is CONFIG_UNLOCKED: guest_arm's state check)
DSP=$(basename "$(readlink -f /sys/bus/pci/devices/$EP0/..)")
[ -e /sys/bus/pci/devices/$DSP/reset_subordinate ] || fail "no reset_subordinate on $DSP"
echo 1 >/sys/bus/pci/devices/$DSP/reset_subordinate || fail "secondary bus reset below $DSP"
i=0
while [ "$(st $F1)" != CONFIG_UNLOCKED ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
[ "$(st $F1)" = CONFIG_UNLOCKED ] && [ "$(cat $B)" = $T ] || fail "after the bus reset: $(tline $F1) bound='$(cat $B)'"
printf 'claim %s\nbegin %s lock\n' $EP0 $F1 | tdinl run >/tmp/h.out 2>&1 && fail "host LOCK of a bound, reset TDI accepted"
grep -q "bound to a TVM" /tmp/h.out || fail "host LOCK of a bound TDI: $(cat /tmp/h.out)"
: >/tmp/req.log
call run $F1 && fail "guest START after a reset succeeded"
[ ! -s /tmp/req.log ] || fail "guest START after a reset asked the daemon: $(cat /tmp/req.log)"
dmesg | grep -q "$F1: .*tsm guest request START: TDI CONFIG_UNLOCKED, .*: refused" ||
	fail "no log of the refused guest START: $(dmesg | grep 'guest request' | tail -n 2)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "after the refused guest START: $(tline $F1)"
ok "reset while bound: CONFIG_UNLOCKED, still bound; host LOCK refused, guest START refused before asking ($(cat /tmp/w.err))"
asked unbind $F1
[ "$(cat /sys/module/tsmh_core/refcnt)" = $RC0 ] || fail "tsmh_core refcnt $(cat /sys/module/tsmh_core/refcnt) after unbind (want $RC0)"
ok "unbind: tsmh_core unpinned"

# ---- a reset while bound; disconnect of the DSM unbinds first ----
asked bind $F1
# (whether an FLR of function 0 unlocks function 1 is tdi.c's reset rule;
# the sim's function 1 has no FLR of its own: either state is accepted,
# what is checked is that the binding outlives the reset)
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR of the DSM $EP0"
sleep 1
tline $F1 >/tmp/t.out
grep -q " state=\(CONFIG_UNLOCKED flags=0x8\|CONFIG_LOCKED flags=0xb\) .*tvm=" /tmp/t.out || fail "bound TDI after a reset of its DSM: $(cat /tmp/t.out)"
[ "$(cat $B)" = $T ] || fail "tsm/bound after the reset: '$(cat $B)'"
ok "reset of the DSM: $F1 $(st $F1), still BOUND; tsm/bound still reads $T (the core's pdev->tsm->tdi) until unbind"
: >/tmp/req.log
responder 2
echo $T >/sys/bus/pci/devices/$EP0/tsm/disconnect 2>/tmp/w.err || fail "disconnect: $(cat /tmp/w.err)"
resp_done
[ "$(sed -n 1p /tmp/req.log | cut -d' ' -f1-2)" = "unbind $F1" ] && [ "$(sed -n 2p /tmp/req.log | cut -d' ' -f1-2)" = "disconnect $EP0" ] ||
	fail "disconnect of a bound TDI's DSM: $(cat /tmp/req.log)"
[ "$(st $F1)" = CONFIG_UNLOCKED ] || fail "after disconnect: $(tline $F1)"
ok "disconnect: the daemon asked to unbind $F1 first, then to disconnect $EP0"
