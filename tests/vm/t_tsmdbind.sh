# tsmh-vm: timeout 600
# tsmd serves the 7.2 bind / unbind / guest request hand-off (issue 13,
# daemon/tsmd/conn.c tsm_tdi_req(); docs/design.md "7.2: bind, unbind,
# guest requests"): tests/vm/kmod/tsmh_btest.c plays the in-kernel caller
# (VFIO/IOMMUFD for a TVM) of pci_tsm_bind(), pci_tsm_guest_req(),
# pci_tsm_unbind() on function 1 of a card tsmd connected (policy ide:
# SPDM session + IDE stream, kept by its session keeper) and that is
# connected to our link TSM (tsm/connect: tsmd answers "already
# connected"). The real tsmd answers the kernel's evt-tsm-req with its
# keeper's TDISP in that session: bind -> LOCK (default stream = the
# connection's SECURE stream) + REPORT checked by the kernel, BOUND to the
# TVM, tsm/bound names our TSM, tsmctl tdi list shows bound + TVM; a host
# tdi start (through tsmd) is refused without using up the nonce the TVM
# needs; the TVM's STATE_CHANGE to RUN -> START with the request's cookie
# -> RUN, not host-started (CoCo mode); a host tdi start still refused;
# unbind -> STOP, CONFIG_UNLOCKED, tsm/bound empty. tsm_timeout: a bind
# the kernel gave up on (the second card answers every message 400 ms
# late, tsm_timeout=1) is stopped again by tsmd when its LOCK ends, as
# nobody will have it (the kernel's unbind came while it ran).
# Review 13c: an unbind while the DSM is busy (a D-Bus TdiState of
# function 2 in flight, the keepers stopped) is queued and its STOP sent
# when the DSM is idle (it was refused EBUSY, the TDI left LOCKED); a
# config write disabling the stream during a HEARTBEAT: a bind then is
# refused (ENOLINK, the stream is not SECURE; it used to LOCK with no
# stream), and the insecure event is acted on when the HEARTBEAT ends
# (re-attest, re-key; it used to be dropped), the bound TDI's nonce logged
# as gone with the session. After a tsmd restart
# tsmd holds no session with the DSM: bind fails with tsmd's ENOTCONN and
# its reason, logged; the bound TDI's LOCK nonce logged as gone. The nonce
# shows nowhere: no 64-hex-digit value in any output, log, dmesg or
# tsmctl -j show / tdi list (a planted one is caught).
. /tests/lib.sh
[ -d /sys/class/tsm ] || skip "no in-kernel TSM core on $KVER (pci-tsm.h, CONFIG_PCI_TSM): no pci_tsm_bind()"
[ -f "$MODDIR/tsmh_btest.ko" ] || skip "tsmh_btest not built for $KVER (pci-tsm.h without pci_tsm_guest_req)"
TSMH_SIM_ARGS="nr_functions=3"
LF=/tmp/tdi.layout
: >$LF
tsmd_stage -n 2 -- -v --tdisp-layout-file $LF --delay-ms 400 --fault-slot 1
dmesg | grep -q "tsmh_core: no in-kernel TSM core" && skip "tsmh_core built without the link TSM on $KVER"
F1=${EP0%.0}.1
F2=${EP0%.0}.2
G1=${EP1%.0}.1
wait_until 10 "$F1, $F2, $G1 did not appear" test -e /sys/bus/pci/devices/$F1/resource -a -e /sys/bus/pci/devices/$F2/resource -a -e /sys/bus/pci/devices/$G1/resource
tdi_layout_file $EP0 $F1 $F2 $EP1 $G1 >$LF || setup_fail "tdi_layout_file"
T=$(dmesg | sed -n 's/.*tsmh_core: registered link TSM \(tsm[0-9]*\):.*/\1/p' | tail -n 1)
[ -n "$T" ] || setup_fail "no 'registered link TSM' line"
insmod "$MODDIR/tsmh_btest.ko" || setup_fail "insmod tsmh_btest"
test_cleanup() { rmmod tsmh_btest 2>/dev/null; }
P=/sys/module/tsmh_btest/parameters
B=/sys/bus/pci/devices/$F1/tsm/bound
kjson() { tsmctl -j tdi list | jq -c --arg d "$1" '[.[] | select(.tdi == $d)][0]'; }
has_flag() { kjson "$1" | jq -e --arg f "$2" '.flags | index($f) != null' >/dev/null; }
: >/tmp/outs
# logged PATTERN WHAT: tsmd's log gets PATTERN (it logs an answer just
# after the kernel took it, so after the caller may have returned)
logged() { wait_until 10 "$2: $(tail -n 3 /tmp/tsmd.log)" grep -q "$1" /tmp/tsmd.log; }
# tsmd's children (the session keepers; no attestation runs when asked)
kids() {
	for _k in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 $_k/stat 2>/dev/null)" = "$TSMD_PID" ] && echo ${_k#/proc/}
	done
}
# the operation tsmd's keeper of DSM $1 has in flight is $2
in_flight() { tsmctl -j show $1 | jq -e --arg o "$2" '.connection.tsmd.operation == $o' >/dev/null; }

tsmd_conf ide '"attest_timeout_ms": 90000'
tsmd_start
tsmd_decided 60 $EP0 $EP1
for e in $EP0 $EP1; do
	out=$(tsmctl allow -p $e 2>&1) || tfail "allow $e: $out"
done
for e in $EP0 $EP1; do
	wait_until 120 "$e never connected: $(gmsg $e)" sh -c "tsmctl -j show $e | jq -e '.connection.tsmd.session == \"up\"' >/dev/null && [ -e /sys/bus/pci/devices/$e/driver ]"
	s=$(tsmctl -j show $e | jq .connection.tsmd.stream_id)
	sh -c "echo $T > /sys/bus/pci/devices/$e/tsm/connect" 2>/tmp/w.err || tfail "tsm/connect $e: $(cat /tmp/w.err)"
	logged "$e: .*tsm/connect answered 0 (already connected: IDE stream $s SECURE)" "tsm/connect of $e not answered from tsmd's connection"
done
SID=$(tsmctl -j show $EP0 | jq .connection.tsmd.stream_id)
# a function of a released DSM follows it: the kernel locks only a TDI its gate holds
for f in $F1 $F2 $G1; do
	tsmctl gate $f hold >/dev/null || tfail "gate $f hold"
	[ -z "$(drv $f)" ] || tfail "$f has driver $(drv $f): a LOCK needs none"
	want_state $f CONFIG_UNLOCKED "before"
done
[ -z "$(cat $B)" ] || tfail "$F1 bound at start: $(cat $B)"
ok "tsmd connected $EP0 (stream $SID, session up); tsm/connect through $T; $F1 held, CONFIG_UNLOCKED"

# ---- bind: tsmd's keeper LOCKs in its session, the kernel checks ----
call bind $F1 || tfail "bind: $(cat /tmp/w.err); $(grep "$F1" /tmp/tsmd.log | tail -n 3)"
want_state $F1 CONFIG_LOCKED "bind"
kjson $F1 | jq -e --argjson s "$SID" '(.flags | index("report_checked")) != null and (.flags | index("bound")) != null and .tvm != null and .default_stream_id == $s' >/dev/null ||
	tfail "after bind: $(kjson $F1)"
[ "$(cat $B)" = $T ] || tfail "tsm/bound reads '$(cat $B)', not $T"
logged "$F1: .*tsm/bind answered 0 ($F1 CONFIG_LOCKED: report checked by the kernel" "no bind answer in tsmd's log"
dmesg | grep -q "$F1: tsmh: tsm bind: done by tsmd" || tfail "no 'done by tsmd' for the bind: $(dmesg | grep "$F1" | tail -n 3)"
tsmctl -j show $EP0 | jq -e '.connection.tsmd.session == "up"' >/dev/null || tfail "session lost by the bind"
tc tdi list
TVM=$(kjson $F1 | jq -r .tvm)
awk -v d=$F1 -v t=$TVM '$1 == d && $4 == t && / CONFIG_LOCKED/ && /bound/' /tmp/c.out | grep -q . || tfail "tdi list (bound, TVM $TVM): $(cat /tmp/c.out)"
# the same 64-bit ID in -j, the text and the kernel's log (a JSON double lost bits)
dmesg | grep -q "bound to TVM $TVM" || tfail "tdi list's TVM $TVM is not the one the kernel logged: $(dmesg | grep 'bound to TVM' | tail -n 1)"
ok "bind through tsmd: $(kjson $F1 | jq -c '{state, flags, tvm, default_stream_id}'); tsm/bound reads $T"

# ---- the host may not START a bound TDI, and does not use up the TVM's nonce ----
[ "$(cat /sys/module/tsmh_core/parameters/tdisp_host_native)" = N ] || tfail "host-native on by default"
tc tdi start $F1 && tfail "host tdi start of a bound TDI succeeded: $(cat /tmp/c.out)"
grep -q "bound to a TVM: only its guest request starts it" /tmp/c.err || tfail "host start: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_LOCKED "host start"
has_flag $F1 nonce_held || tfail "host start used up the nonce: $(kjson $F1)"
ok "host tdi start of the bound TDI refused by tsmd: $(tail -n 1 /tmp/c.err)"

# ---- the TVM's START (guest request): RUN, not host-started ----
call run $F1 || tfail "guest run: $(cat /tmp/w.err); $(grep "$F1" /tmp/tsmd.log | tail -n 3)"
[ "$(cat $P/last)" = "run $F1 0 state=2" ] || tfail "guest START result: $(cat $P/last)"
want_state $F1 RUN "guest START"
has_flag $F1 host_started && tfail "host_started after the TVM's START: $(kjson $F1)"
kjson $F1 | jq -e '.message | test("started for its TVM \\(guest request\\)")' >/dev/null || tfail "msg: $(kjson $F1)"
logged "$F1: .*tsm/guest-req answered 0" "no guest-req answer in tsmd's log"
ok "guest STATE_CHANGE -> RUN through tsmd with the request's cookie: $(kjson $F1 | jq -c '{state, flags, message}')"

tc tdi start $F1 && tfail "host tdi start of a running bound TDI succeeded: $(cat /tmp/c.out)"
want_state $F1 RUN "host start while RUN"
ok "host tdi start while RUN refused: $(tail -n 1 /tmp/c.err)"

# ---- unbind: STOP ----
call unbind $F1 || tfail "unbind: $(cat /tmp/w.err)"
want_state $F1 CONFIG_UNLOCKED "unbind"
kjson $F1 | jq -e '(.flags | length) == 0 and .tvm == null' >/dev/null || tfail "after unbind: $(kjson $F1)"
[ -z "$(cat $B)" ] || tfail "tsm/bound after unbind: $(cat $B)"
logged "$F1: .*tsm/unbind answered 0 ($F1 CONFIG_UNLOCKED)" "no unbind answer in tsmd's log"
ok "unbind through tsmd: STOP, CONFIG_UNLOCKED, no TVM, tsm/bound empty"

# ---- a second bind/unbind round (the nonce of the first is gone, a new LOCK has its own) ----
call bind $F1 || tfail "second bind: $(cat /tmp/w.err)"
call run $F1 || tfail "second guest run: $(cat /tmp/w.err)"
want_state $F1 RUN "second guest START"
call unbind $F1 || tfail "second unbind: $(cat /tmp/w.err)"
want_state $F1 CONFIG_UNLOCKED "second unbind"
ok "bind, guest START, unbind again"

# ---- tsm_timeout: the kernel gives up on a slow bind; tsmd undoes its late LOCK ----
TO=/sys/module/tsmh_core/parameters/tsm_timeout
echo 1 >$TO
call bind $G1 && tfail "a bind slower than tsm_timeout succeeded"
echo 60 >$TO
grep -q "timed out" /tmp/w.err || tfail "slow bind: $(cat /tmp/w.err)"
dmesg | grep -q "$G1: tsmh: tsm bind: tsmd did not answer within 1 s" || tfail "no timeout in the kernel log: $(dmesg | grep "$G1" | tail -n 3)"
[ -z "$(cat /sys/bus/pci/devices/$G1/tsm/bound)" ] || tfail "$G1 bound after the timeout"
wait_until 30 "tsmd did not undo the late LOCK: $(grep "$G1" /tmp/tsmd.log | tail -n 4)" \
	grep -q "$G1: .*tsm/bind gave up before the answer: stopping the TDI again" /tmp/tsmd.log
wait_until 30 "$G1 left locked: $(kjson $G1)" sh -c "[ \"\$(tsmctl -j tdi list | jq -r --arg d $G1 '.[] | select(.tdi == \$d) | .state')\" = CONFIG_UNLOCKED ]"
# the kernel's unbind during the LOCK: answered 0 at once while the kernel
# still has the TDI CONFIG_UNLOCKED (LOCK not ended), else queued (busy)
logged "$G1: .*tsm/unbind\(: its DSM $EP1 is busy (a request in progress): STOP queued\| answered 0 ($G1 is CONFIG_UNLOCKED: nothing to stop)\)" "the kernel's unbind during the LOCK neither answered 0 nor queued"
kjson $G1 | jq -e '(.flags | length) == 0 and .tvm == null' >/dev/null || tfail "after the undo: $(kjson $G1)"
ok "bind slower than tsm_timeout: '$(cat /tmp/w.err)'; the kernel's unbind meanwhile answered or queued; tsmd stopped the late LOCK: $G1 $(kjson $G1 | jq -r .state)"

# ---- an unbind while the DSM is busy: queued, its STOP when idle (review 13c #3) ----
call bind $F1 || tfail "bind before the busy unbind: $(cat /tmp/w.err)"
want_state $F1 CONFIG_LOCKED "bind before the busy unbind"
K=$(kids)
[ -n "$K" ] || tfail "no session keeper of tsmd $TSMD_PID"
kill -STOP $K
tsmctl tdi state $F2 >/tmp/st.out 2>&1 &
SP=$!
wait_until 10 "TdiState of $F2 not in flight: $(tsmctl -j show $EP0 | jq -c .connection.tsmd)" in_flight $EP0 "tdi state"
rm -f /tmp/ub.rc
(
	call unbind $F1
	echo $? >/tmp/ub.rc
) &
UP=$!
logged "$F1: .*tsm/unbind: its DSM $EP0 is busy (a request in progress): STOP queued" "the unbind of busy $EP0 not queued"
[ ! -e /tmp/ub.rc ] || tfail "the unbind returned while $EP0 was busy: $(cat /tmp/ub.rc) $(cat /tmp/w.err)"
kill -CONT $K
wait $SP
wait $UP
[ "$(cat /tmp/ub.rc)" = 0 ] || tfail "queued unbind failed: $(cat /tmp/w.err); $(grep "$F1" /tmp/tsmd.log | tail -n 3)"
want_state $F1 CONFIG_UNLOCKED "queued unbind"
kjson $F1 | jq -e '(.flags | length) == 0 and .tvm == null' >/dev/null || tfail "after the queued unbind: $(kjson $F1)"
logged "$F1: .*tsm/unbind answered 0 ($F1 CONFIG_UNLOCKED)" "no answer to the queued unbind"
dmesg | grep -q "$F1: .*without its TVM: stop it" && tfail "the kernel left $F1 without its TVM: $(dmesg | grep "$F1" | tail -n 2)"
ok "unbind while $EP0 was busy (TdiState of $F2 in flight): queued, STOP when idle, $F1 CONFIG_UNLOCKED"

# ---- the stream made insecure by a config write during a HEARTBEAT (review 13c #1) ----
call bind $F1 || tfail "bind before the write: $(cat /tmp/w.err)"
want_state $F1 CONFIG_LOCKED "bind before the write"
K=$(kids)
kill -STOP $K
wait_until 40 "no HEARTBEAT of $EP0 in flight: $(tsmctl -j show $EP0 | jq -c .connection.tsmd)" in_flight $EP0 heartbeat
set -- $(simide $EP0 sel 0)
[ $((($1 >> 24) & 0xff)) = "$SID" ] && [ $(($1 & 1)) = 1 ] || tfail "$EP0 block 0 is not stream $SID: $*"
simide $EP0 sel-set 0 $(($1 & ~1)) $3 $4 >/dev/null
wait_until 5 "$F1 not ERROR after the write: $(kjson $F1)" sh -c "tsmctl -j tdi list | jq -e '.[] | select(.tdi == \"$F1\" and .state == \"ERROR\")'"
logged "$EP0: .*stream $SID insecure during heartbeat: looked at when it ends" "the insecure event during the HEARTBEAT not kept"
rm -f /tmp/b2.rc
(
	call bind $F2
	echo $? >/tmp/b2.rc
) &
BP=$!
# answered at once, not queued behind the HEARTBEAT with no stream
wait_until 10 "the bind of $F2 on an insecure stream was not refused at once: $(grep "$F2" /tmp/tsmd.log | tail -n 2)" test -s /tmp/b2.rc
kill -CONT $K
wait $BP
[ "$(cat /tmp/b2.rc)" != 0 ] || tfail "bind of $F2 on the insecure stream succeeded: $(kjson $F2)"
dmesg | grep -q "$F2: tsmh: tsm bind: tsmd failed it (-67): $F2: tsm/bind: IDE stream $SID of $EP0 not SECURE (flags 0x" ||
	tfail "bind on the insecure stream: kernel log $(dmesg | grep "$F2" | tail -n 2)"
logged "$F2: .*IDE stream $SID of $EP0 not SECURE" "the refused bind not in tsmd's log"
want_state $F2 CONFIG_UNLOCKED "bind on the insecure stream"
[ -z "$(cat /sys/bus/pci/devices/$F2/tsm/bound)" ] || tfail "$F2 bound after the refused bind"
logged "$EP0: .*IDE stream $SID lost: stream $SID reported insecure during heartbeat" "the insecure event not acted on after the HEARTBEAT"
logged "$F1: .*LOCK nonce gone with the session (its session keeper stopped, DSM $EP0): a TVM bound to it must unbind and bind again" "the bound $F1's lost nonce not logged"
ok "stream $SID disabled during a HEARTBEAT: bind of $F2 refused ($(cat /tmp/w.err)); re-keyed after the HEARTBEAT; $F1's lost nonce logged"
# the TVM of F1 unbinds (queued if the re-key runs), the DSM connects again
call unbind $F1 || tfail "unbind of $F1 (ERROR): $(cat /tmp/w.err)"
want_state $F1 CONFIG_UNLOCKED "unbind after the loss"
wait_until 120 "$EP0 not connected again: $(gmsg $EP0)" sh -c "tsmctl -j show $EP0 | jq -e '.connection.tsmd.session == \"up\" and .connection.tsmd.stream_state == \"secure\"' >/dev/null"
SID=$(tsmctl -j show $EP0 | jq .connection.tsmd.stream_id)
call bind $F2 || tfail "bind after the re-key: $(cat /tmp/w.err)"
kjson $F2 | jq -e --argjson s "$SID" '.state == "CONFIG_LOCKED" and .default_stream_id == $s' >/dev/null || tfail "bind after the re-key: $(kjson $F2)"
call unbind $F2 || tfail "unbind of $F2: $(cat /tmp/w.err)"
ok "after the re-key (stream $SID): bind of $F2 with the new stream, unbind"

# ---- a DSM tsmd holds no session with: a new tsmd (the stream stays, no keeper) ----
# F1 bound with its nonce in the keeper: gone with tsmd, and said so
call bind $F1 || tfail "bind before the restart: $(cat /tmp/w.err)"
stop_tsmd
grep -q "$F1: .*LOCK nonce gone with the session (its session keeper stopped, DSM $EP0): a TVM bound to it must unbind and bind again" /tmp/tsmd.log ||
	tfail "the nonce of bound $F1 not said gone at tsmd's exit"
tsmd_start
wait_until 20 "tsmd not back" sh -c "tsmctl -j show $EP0 | jq -e .connection.tsmd >/dev/null"
tsmctl -j show $EP0 | jq -e '.connection.tsmd.session != "up"' >/dev/null ||
	tfail "the new tsmd has a session already: $(tsmctl -j show $EP0 | jq -c .connection.tsmd)"
call bind $F2 && tfail "bind without tsmd's session succeeded"
grep -q "not connected" /tmp/w.err || tfail "bind without a session: $(cat /tmp/w.err)"
dmesg | grep -q "$F2: tsmh: tsm bind: tsmd failed it (-107): $F2: tsm/bind: tsmd holds no SPDM session with its DSM $EP0" ||
	tfail "bind without a session: kernel log $(dmesg | grep "$F2" | tail -n 2)"
logged "$F2: .*tsm/bind: tsmd holds no SPDM session with its DSM $EP0" "the refused bind not in tsmd's log"
want_state $F2 CONFIG_UNLOCKED "bind without a session"
[ -z "$(cat /sys/bus/pci/devices/$F2/tsm/bound)" ] || tfail "bound after the refused bind"
ok "bind of a DSM tsmd holds no session with: $(cat /tmp/w.err); $(dmesg | grep "$F2: tsmh: tsm bind: tsmd failed" | tail -n 1 | sed 's/.*tsmd failed it/tsmd failed it/'); bound $F1's nonce said gone at tsmd's exit"
# the TVM of F1 can only unbind: the new tsmd STOPs it in a new session
call unbind $F1 || tfail "unbind of $F1 after the restart: $(cat /tmp/w.err)"
want_state $F1 CONFIG_UNLOCKED "unbind after the restart"

# ---- the nonce never shows: no 64-hex-digit value (a 32-byte nonce, plain
# or as separated bytes) in tsmctl's outputs, the caller's errors, tsmd's
# log, the kernel's, tsmctl -j show / tdi list (digests are 96 digits) ----
dmesg >/tmp/dmesg.out
tsmctl -j show $EP0 >/tmp/show.out 2>&1
tsmctl -j tdi list >/tmp/list.out 2>&1
hex64() { grep -Ei '(^|[^0-9a-f])[0-9a-f]{64}([^0-9a-f]|$)|([0-9a-f]{2}[ :]){31}[0-9a-f]{2}' "$@"; }
NF="/tmp/outs /tmp/w.err /tmp/tsmd.log $P/last /tmp/dmesg.out /tmp/show.out /tmp/list.out"
hex64 $NF >/tmp/hex.out && tfail "a 64-hex-digit value (a nonce?) printed: $(head -c 600 /tmp/hex.out)"
# the check catches one: planted plain and as bytes
N=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
echo "x $N y" >/tmp/plant1
echo "$N" | sed 's/../& /g; s/ $//' >/tmp/plant2
hex64 /tmp/plant1 >/dev/null && hex64 /tmp/plant2 >/dev/null || fail "the nonce check misses a planted nonce"
ok "no nonce anywhere ($(cat $NF | wc -l) lines; a planted one is caught)"

for e in $EP0 $EP1; do
	sh -c "echo $T > /sys/bus/pci/devices/$e/tsm/disconnect" 2>/tmp/w.err || tfail "tsm/disconnect $e: $(cat /tmp/w.err)"
done
rmmod tsmh_btest || tfail "rmmod tsmh_btest"
tsmd_stage_down
ok "tsmd serves bind / unbind / guest START"
