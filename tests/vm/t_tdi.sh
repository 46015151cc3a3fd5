# tsmh-vm: timeout 400
# The kernel's TDI state machine (issue 13, docs/design.md "TDISP
# (kernel)") through tests/vm/tdinl.c, the test playing a TDISP requester
# that may lie (no TDISP device needed: the kernel's rules are tested).
# TDIs are listed for a three-function card (functions 1-2 and VFs of a
# TEE-IO function 0), with interface IDs; tdi-begin needs CAP_SYS_ADMIN
# and this socket's claim on the DSM's mailbox; LOCK is refused with a
# driver bound, with the gate not holding the TDI, with a default stream
# that is not SECURE (a SECURE one is recorded and its ide-stream-del
# refused while locked; deleted during a LOCK: ERROR ide-lost); lock ->
# report (checked against the real BARs, recorded as evidence "report",
# provenance tdisp-report) -> start
# (refused in CoCo mode, with a wrong nonce; host-native on) -> stop; a
# report with a range outside the BARs, a device-state lie, a socket closed
# or a timeout mid-LOCK, a failure without TDISP_ERROR each end in ERROR
# with their cause; an FLR of the TDI or its DSM unlocks it (the pending
# operation's end gets ESTALE); Memory Space Enable cleared by a sysfs
# config write on a locked TDI is ERROR config-write; the gate refuses to
# release a locked TDI; evt-tdi for each change.
# Review 13: an FLR of function 0 leaves function 1's TDI locked (FLR is
# per function); a LOCK's stream disabled by a config write, a driver
# bound behind the gate or the claim released during the LOCK fail its
# end (ERROR); a driver bound to a locked TDI and a BAR rewritten are
# ERROR config-write; the report is withdrawn from the evidence at STOP,
# a set mixing it with pre-lock objects says locked=unknown, and userspace
# may not commit provenance tdisp-report.
# Issue 13 (K): a config write clearing the locked stream's Enable bit at
# the endpoint moves the TDI to ERROR ide-lost at once, the stream flagged.
. /tests/lib.sh
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=3 nr_vfs=2 ||
	setup_fail "insmod tsmh_sim nr_functions=3 nr_vfs=2"
start_emu --export-root /tmp/root.pem
wait_eps 1
F1=${EP0%.0}.1 F2=${EP0%.0}.2
wait_until 10 "$F2 did not appear" test -e /sys/bus/pci/devices/$F2/resource
PARAM=/sys/module/tsmh_core/parameters

tdinl events >/tmp/tev.log 2>&1 &
EVPID=$!
RQ=
cleanup() {
	kill $EVPID 2>/dev/null
	[ -n "$RQ" ] && kill "$RQ" 2>/dev/null
	exec 3>&- 2>/dev/null
}
trap cleanup EXIT
wait_until 5 "event listener did not start" grep -q listening /tmp/tev.log

# tline DEV: DEV's line from tdi-get; st DEV: its state; fl DEV: its flags
is() { [ "$(st "$1")" = "$2" ]; }
# the requester: one tdinl (one socket) fed through a FIFO; rq LINE sends a
# line and leaves its output in /tmp/rq.last, rq_ok/rq_err check it
rq_start() {
	rm -f /tmp/rq.in /tmp/rq.out
	mkfifo /tmp/rq.in
	tdinl run </tmp/rq.in >/tmp/rq.out 2>&1 &
	RQ=$!
	exec 3>/tmp/rq.in
	RQN=0
}
rq_stop() {
	exec 3>&-
	wait "$RQ" 2>/dev/null
	RQ=
}
rq() {
	RQN=$((RQN + 1))
	echo "$*" >&3
	wait_until 20 "requester did not answer '$*': $(tail -n 5 /tmp/rq.out)" \
		sh -c "[ \$(grep -c '^= ' /tmp/rq.out) -ge $RQN ]"
	awk -v n=$RQN '/^> /{c++} c==n && !/^> /' /tmp/rq.out >/tmp/rq.last
}
rq_ok() {
	rq "$@"
	grep -q '^= 0$' /tmp/rq.last || fail "'$*': $(cat /tmp/rq.last)"
}
# rq_err ERRNO TEXT LINE...: refused with -ERRNO and TEXT in the extack
rq_err() {
	_e=$1 _t=$2
	shift 2
	rq "$@"
	grep -q "^= -$_e\$" /tmp/rq.last && grep -q -- "$_t" /tmp/rq.last ||
		fail "'$*': want -$_e '$_t', got: $(cat /tmp/rq.last)"
	ok "'$*' refused: $(grep '^error' /tmp/rq.last)"
}
evt() { # evt CAUSE DEV [STATE]: an evt-tdi seen
	wait_until 5 "no evt-tdi $1 for $2${3:+ ($3)}: $(grep "$2" /tmp/tev.log | tail -n 3)" \
		grep -q "^evt $1 tdi $2 .*${3:+state=$3 }" /tmp/tev.log
}
lock() { # lock DEV: CONFIG_LOCKED with nonce 0xab
	rq_ok begin $1 lock
	rq_ok end $1 status=0 state=CONFIG_LOCKED nonce=0xab
}
unlock() {
	rq_ok begin $1 stop
	rq_ok end $1 status=0 state=CONFIG_UNLOCKED
	is $1 CONFIG_UNLOCKED || fail "$1 not unlocked: $(tline $1)"
}
# a 6.1 kernel has no formatted extack: the static part only
case $KVER in 6.1.*) FMT=0 ;; *) FMT=1 ;; esac

# ---- the list ----
tdinl dump >/tmp/d.out || fail "tdi-get dump: $(cat /tmp/d.out)"
i=0
for d in $EP0 $F1 $F2; do
	grep -q "^tdi $d dsm=$EP0 id=0x30$i state=CONFIG_UNLOCKED flags=0x0 " /tmp/d.out ||
		fail "$d not listed as a TDI of $EP0 (id 0x30$i): $(cat /tmp/d.out)"
	i=$((i + 1))
done
grep -q "^tdi $RP " /tmp/d.out && fail "root port $RP listed as a TDI"
asuser "tdinl get $F1" >/tmp/g.out || fail "tdi-get as nobody: $(cat /tmp/g.out)"
grep -q "^tdi $F1 dsm=$EP0 " /tmp/g.out || fail "tdi-get as nobody: $(cat /tmp/g.out)"
ok "TDIs $EP0, $F1, $F2 (DSM $EP0, interface IDs 0x300-0x302), CONFIG_UNLOCKED; tdi-get open to nobody"

# ---- privilege and the claim ----
asuser "echo 'begin $F1 state' | tdinl run" >/tmp/u.out
grep -q "^= -1$" /tmp/u.out || fail "tdi-begin as nobody: $(cat /tmp/u.out)"
asuser "echo 'end $F1 ticket=1 status=0' | tdinl run" >/tmp/u.out
grep -q "^= -1$" /tmp/u.out || fail "tdi-end as nobody: $(cat /tmp/u.out)"
ok "tdi-begin/end as nobody: EPERM"
rq_start
rq_err 1 "DSM's mailbox is not claimed by this socket" begin $F1 lock
tsmctl claim $EP0 2>/dev/null &
CPID=$!
wait_until 10 "tsmctl claim not visible" owner_is $EP0 host
rq_err 1 "DSM's mailbox is not claimed by this socket" begin $F1 lock
kill $CPID
wait $CPID 2>/dev/null
wait_until 5 "claim not released" owner_is $EP0 none
rq_ok claim $EP0
ok "tdi-begin needs this socket's claim on the DSM's mailbox (none, another socket's: EPERM)"

# ---- LOCK preconditions ----
rq_err 22 "flags beyond TDISP 1.0" begin $F1 lock flags=0x20
rq_err 22 "MMIO offset not 4 KiB aligned" begin $F1 lock offset=0x800
rq_err 2 "no such IDE stream of the DSM" begin $F1 lock stream=200
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new: $(cat /tmp/n.out)"
S=$(sed -n 's/^stream \([0-9]*\) .*/\1/p' /tmp/n.out | head -n 1)
rq_err 1 "IDE stream is not SECURE" begin $F1 lock stream=$S
idenl del $EP0 "$S" >/dev/null || fail "ide-stream-del $S"
# the gate: released (no driver) and with a driver bound
tsmctl gate $F2 release >/dev/null || fail "gate release $F2"
rq_err 16 "the gate does not hold the TDI" begin $F2 lock
echo tsmh_sim_drv >/sys/bus/pci/devices/$F2/driver_override
echo $F2 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
[ "$(drv $F2)" = tsmh_sim_drv ] || fail "tsmh_sim_drv not bound to $F2"
rq_err 16 "a driver is bound to the TDI" begin $F2 lock
echo $F2 >/sys/bus/pci/drivers/tsmh_sim_drv/unbind
echo >/sys/bus/pci/devices/$F2/driver_override
tsmctl gate $F2 hold >/dev/null || fail "gate hold $F2"
is $F2 CONFIG_UNLOCKED || fail "$F2 changed by refused LOCKs: $(tline $F2)"

# ---- LOCK with a SECURE default stream; its deletion ----
rq_ok release $EP0 # tsmctl ide km below claims the mailbox itself
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new: $(cat /tmp/n.out)"
S=$(sed -n 's/^stream \([0-9]*\) .*/\1/p' /tmp/n.out | head -n 1)
rm -f /tmp/k1
tsmctl -j ide km $EP0 --trust /tmp/root.pem --stream-id "$S" --key-file /tmp/k1 --keep \
	>/tmp/km.json 2>&1 || fail "ide km: $(cat /tmp/km.json)"
idenl keys $EP0 "$S" /tmp/k1 >/tmp/k.out || fail "root-port keys: $(cat /tmp/k.out)"
idenl enable $EP0 "$S" >/tmp/e.out || fail "enable: $(cat /tmp/e.out)"
grep -q " flags=0x3 " /tmp/e.out || fail "stream $S not SECURE: $(cat /tmp/e.out)"
rq_ok claim $EP0
rq_ok begin $F1 lock stream=$S
rq_ok end $F1 status=0 state=CONFIG_LOCKED nonce=0xab
grep -q "^tdi $F1 .* state=CONFIG_LOCKED .* stream=$S " /tmp/rq.last || fail "LOCK with stream $S: $(cat /tmp/rq.last)"
idenl del $EP0 "$S" >/tmp/del.out && fail "stream $S deleted under a CONFIG_LOCKED TDI"
grep -q "^error -16: stream in use: stop the TDI first" /tmp/del.out || fail "ide-stream-del: $(cat /tmp/del.out)"
ok "LOCK with SECURE stream $S: CONFIG_LOCKED, stream recorded; ide-stream-del refused: $(cat /tmp/del.out)"
# a config write clearing the endpoint's Enable bit of the locked stream:
# ERROR ide-lost at once (the probed write, no TDISP request), the stream
# flagged (0x10: control written) until enabled again
set -- $(simide $EP0 sel 0)
[ $((($1 >> 24) & 0xff)) = "$S" ] && [ $(($1 & 1)) = 1 ] || fail "$EP0 block 0 is not stream $S: $*"
simide $EP0 sel-set 0 $(($1 & ~1)) $3 $4 >/dev/null
wait_until 5 "stream $S disabled under CONFIG_LOCKED $F1, TDI not ERROR: $(tline $F1)" is $F1 ERROR
tline $F1 | grep -q "msg=IDE stream $S of $EP0 insecure while CONFIG_LOCKED" || fail "$(tline $F1)"
evt ide-lost $F1 ERROR
idenl get $EP0 | grep "^stream $S " >/tmp/s.out
F=$(sed -n 's/.* flags=\(0x[0-9a-f]*\) .*/\1/p' /tmp/s.out)
[ $((F & 0x10)) != 0 ] && [ $((F & 1)) = 0 ] || fail "stream $S after the write (want 0x10 set, 0x1 clear): $(cat /tmp/s.out)"
dmesg | grep -q "IDE stream $S: endpoint control written (Enable cleared or stream ID changed)" || fail "no log line"
simide $EP0 sel-set 0 $1 $3 $4 >/dev/null
rq_err 1 "IDE stream is not SECURE" begin $F2 lock stream=$S
idenl enable $EP0 "$S" >/tmp/e.out || fail "enable again: $(cat /tmp/e.out)"
grep -q " flags=0x3 " /tmp/e.out || fail "stream $S not SECURE after enable: $(cat /tmp/e.out)"
ok "Enable of stream $S cleared by a config write at the endpoint: $F1 ERROR ide-lost at once, stream flagged $F until enabled again"
unlock $F1
# a config write leaving Enable set but the DSM off the stream: the root
# port's RID association register 2 with V cleared (review 13c #5: the
# re-read wants the stream as tsmh_ide_stream_secure() does, and the
# root port's RID association is watched) -> ERROR ide-lost at once
RPB=$(idenl get $EP0 | sed -n "s/^stream $S rp=\([^ /]*\)\/\([0-9]*\) .*/\1 \2/p")
set -- $RPB
RP=$1 RB=$2
[ -n "$RP" ] && [ -n "$RB" ] || fail "no root port block of stream $S: $(idenl get $EP0)"
rq_ok begin $F1 lock stream=$S
rq_ok end $F1 status=0 state=CONFIG_LOCKED nonce=0xab
set -- $(simide $RP sel $RB)
[ $((($1 >> 24) & 0xff)) = "$S" ] && [ $(($1 & 1)) = 1 ] && [ $(($4 & 1)) = 1 ] || fail "$RP block $RB is not stream $S with a valid RID association: $*"
simide $RP sel-set $RB $1 $3 $(($4 & ~1)) >/dev/null
wait_until 5 "RID association of stream $S cleared under CONFIG_LOCKED $F1, TDI not ERROR: $(tline $F1)" is $F1 ERROR
tline $F1 | grep -q "msg=IDE stream $S of $EP0 insecure while CONFIG_LOCKED" || fail "$(tline $F1)"
dmesg | grep -Eq "IDE stream $S: (no longer SECURE after a config write|root port RID association no longer holds the DSM)" ||
	fail "no log line: $(dmesg | grep "IDE stream $S" | tail -n 2)"
simide $RP sel-set $RB $1 $3 $4 >/dev/null
idenl enable $EP0 "$S" >/tmp/e.out || fail "enable after the RID write: $(cat /tmp/e.out)"
grep -q " flags=0x3 " /tmp/e.out || fail "stream $S not SECURE after the RID association was restored: $(cat /tmp/e.out)"
unlock $F1
ok "root port's RID association of stream $S invalidated by a config write (Enable still set): $F1 ERROR ide-lost at once"
# the endpoint's block disabled by a config write (no IDE event) during a
# LOCK: tdi-end reads the stream again (review 13 #4)
set -- $(simide $EP0 sel 0)
[ $((($1 >> 24) & 0xff)) = "$S" ] && [ $(($1 & 1)) = 1 ] || fail "$EP0 block 0 is not stream $S: $*"
rq_ok begin $F1 lock stream=$S
simide $EP0 sel-set 0 $(($1 & ~1)) $3 $4 >/dev/null
rq_err 71 "IDE stream went insecure during the LOCK" end $F1 status=0 state=CONFIG_LOCKED nonce=0xab
tline $F1 | grep -q "state=ERROR .*msg=IDE stream $S went insecure during the LOCK" ||
	fail "LOCK whose stream was disabled: $(tline $F1)"
unlock $F1
simide $EP0 sel-set 0 $1 $3 $4 >/dev/null
ok "the stream disabled by a config write during a LOCK: tdi-end re-reads it, ERROR ide-lost"
rq_ok begin $F1 lock stream=$S
idenl del $EP0 "$S" >/tmp/del.out || fail "ide-stream-del during a LOCK: $(cat /tmp/del.out)"
rq_err 71 "IDE stream went insecure during the LOCK" end $F1 status=0 state=CONFIG_LOCKED nonce=0xab
is $F1 ERROR || fail "LOCK whose stream went: $(tline $F1)"
evt ide-lost $F1 ERROR
unlock $F1
ok "the stream deleted during a LOCK: ERROR ide-lost"

# ---- lock -> report -> start -> stop on $F1 ----
res() { sed -n "$(($2 + 1))p" /sys/bus/pci/devices/$1/resource; }
bar() { set -- $(res "$1" "$2"); printf 0x%x $(($1)); }
B1=$(bar $F1 0) B2=$(bar $F2 0)
simide $F1 w32 4 0x2 >/dev/null # Memory Space Enable, as a TVM's driver would
rq_ok begin $F1 lock flags=0x4
grep -q "^ticket [0-9]" /tmp/rq.last || fail "no ticket: $(cat /tmp/rq.last)"
grep -q "^tdi $F1 .* state=CONFIG_UNLOCKED flags=0x10 op=0 " /tmp/rq.last || fail "pending LOCK: $(cat /tmp/rq.last)"
rq_err 16 "another operation is in flight" begin $F1 state
tsmctl gate $F1 release >/tmp/g.out 2>&1 && fail "gate release during LOCK: $(cat /tmp/g.out)"
rq_err 2 "no such operation pending" end $F1 ticket=12345 status=0 state=CONFIG_LOCKED nonce=0xab
rq_ok end $F1 status=0 state=CONFIG_LOCKED nonce=0xab
grep -q "^tdi $F1 .* state=CONFIG_LOCKED flags=0x2 lock_flags=0x4 offset=0x0 " /tmp/rq.last ||
	fail "after LOCK: $(cat /tmp/rq.last)"
evt lock $F1 CONFIG_LOCKED
ok "LOCK: CONFIG_LOCKED, nonce held (flags 0x2), lock flags recorded; a second op EBUSY, a wrong ticket ENOENT"
tsmctl gate $F1 release >/tmp/g.out 2>&1 && fail "gate released a CONFIG_LOCKED TDI: $(cat /tmp/g.out)"
grep -q "stop it first" /tmp/g.out || fail "gate release of a locked TDI: $(cat /tmp/g.out)"
[ "$(gate $F1 | cut -d/ -f1)" = held ] || fail "$F1 gate: $(gate $F1)"
ok "gate release of a CONFIG_LOCKED TDI refused: $(cat /tmp/g.out)"
rq_err 22 "not allowed in this state" begin $F1 lock
rq_err 22 "no checked report since the LOCK" begin $F1 start nonce=0xab
rq_ok begin $F1 report
rq_ok end $F1 status=0 state=CONFIG_LOCKED report=$B1:64
grep -q "^tdi $F1 .* state=CONFIG_LOCKED flags=0x3 .* report_len=36 nr_ranges=1 gen=[1-9]" /tmp/rq.last ||
	fail "after REPORT: $(cat /tmp/rq.last)"
evt report $F1 CONFIG_LOCKED
E=/sys/bus/pci/devices/$F1/tsmh
[ "$(cat $E/provenance)" = tdisp-report ] && [ "$(cat $E/locked)" = locked ] &&
	[ "$(wc -c <$E/report)" = 36 ] || fail "evidence: $(ls $E) $(cat $E/provenance $E/locked)"
gen=$(sed -n 's/.* gen=\([0-9]*\) .*/\1/p' /tmp/rq.last)
[ "$(cat $E/generation)" = "$gen" ] || fail "evidence generation $(cat $E/generation), TDI says $gen"
ok "REPORT ($B1, 64 pages: BAR0): checked, evidence object report (36 bytes, tdisp-report, locked, generation $gen)"
rq_err 1 "CoCo mode (tsmh_core.tdisp_host_native=0)" begin $F1 start nonce=0xab
echo 1 >$PARAM/tdisp_host_native
rq_err 1 "nonce is not the LOCK response's" begin $F1 start nonce=0xcd
rq_err 22 "tdi-nonce (32 bytes) required" begin $F1 start
rq_ok begin $F1 start nonce=0xab
rq_ok end $F1 status=0 state=RUN
grep -q "^tdi $F1 .* state=RUN flags=0x5 " /tmp/rq.last || fail "after START: $(cat /tmp/rq.last)"
evt start $F1 RUN
dmesg | grep -q "$F1: .*TDI started by a host requester: host-native test mode" ||
	fail "no host-native log line: $(dmesg | grep TDI | tail -n 3)"
ok "START: refused in CoCo mode and with a wrong or no nonce; with host-native on: RUN, host-started, nonce gone"
rq_ok begin $F1 state
rq_ok end $F1 status=0 state=RUN
rq_ok begin $F1 stop
rq_ok end $F1 status=0 state=CONFIG_UNLOCKED
grep -q "^tdi $F1 .* state=CONFIG_UNLOCKED flags=0x0 " /tmp/rq.last || fail "after STOP: $(cat /tmp/rq.last)"
evt stop $F1 CONFIG_UNLOCKED
echo 0 >$PARAM/tdisp_host_native
ok "STATE (RUN) and STOP: CONFIG_UNLOCKED, flags clear"
# the report no longer describes a locked TDI: withdrawn (review 13 #3)
[ -e $E/report ] && fail "report still evidence of $F1 after STOP: $(cat $E/provenance $E/locked)"
[ "$(cat $E/generation)" -gt "$gen" ] && [ "$(cat $E/provenance)" = unspecified ] ||
	fail "evidence of $F1 after STOP: generation $(cat $E/generation) $(cat $E/provenance)"
ok "STOP withdrew the report from $F1's evidence (generation $(cat $E/generation))"

# ---- the requester lies or fails: ERROR with the cause ----
lock $F2
rq_ok begin $F2 report
rq_err 22 "report invalid" end $F2 status=0 state=CONFIG_LOCKED report=0x1000:1
tline $F2 | grep -q "state=ERROR .* msg=MMIO range 0 (range ID 0)" || fail "report outside the BARs: $(tline $F2)"
evt report-invalid $F2 ERROR
ok "a report with a range outside the BARs: ERROR ($(tline $F2 | sed 's/.* msg=//'))"
unlock $F2
lock $F2
rq_ok begin $F2 report
rq_err 22 "report invalid" end $F2 status=0 state=CONFIG_LOCKED report=$B2:65
is $F2 ERROR || fail "a range past the end of BAR0: $(tline $F2)"
unlock $F2
lock $F2
rq_ok begin $F2 report
rq_err 22 "report invalid" end $F2 status=0 state=CONFIG_LOCKED report=junk
is $F2 ERROR || fail "a malformed report: $(tline $F2)"
unlock $F2
ok "a range past a BAR's end and a malformed report: ERROR report-invalid"
rq_ok begin $F2 lock
if [ $FMT = 1 ]; then w="device reports CONFIG_UNLOCKED, kernel expects CONFIG_LOCKED"; else w="device state differs"; fi
rq_err 71 "$w" end $F2 status=0 state=CONFIG_UNLOCKED nonce=0xab
tline $F2 | grep -q "state=ERROR .*msg=after LOCK device reports CONFIG_UNLOCKED, kernel expects CONFIG_LOCKED" ||
	fail "state lie: $(tline $F2)"
evt mismatch $F2 ERROR
dmesg | grep -q "$F2: .*TDI LOCK: device reports CONFIG_UNLOCKED, kernel expects CONFIG_LOCKED" ||
	fail "no pci_warn for the mismatch"
ok "device-state lie after LOCK: ERROR mismatch, EPROTO"
unlock $F2
rq_ok begin $F2 lock
rq_err 22 "tdi-dev-state required" end $F2 status=0 nonce=0xab
is $F2 ERROR || fail "LOCK ok without the device's state: $(tline $F2)"
unlock $F2
rq_ok begin $F2 lock
rq_ok end $F2 status=-110 msg=timeout
tline $F2 | grep -q "state=ERROR .*msg=state unknown after failed LOCK (-110): timeout" || fail "failed LOCK: $(tline $F2)"
evt failed $F2 ERROR
unlock $F2
rq_ok begin $F2 lock
rq_ok end $F2 status=-5 error=0x4 state=CONFIG_UNLOCKED
tline $F2 | grep -q "state=CONFIG_UNLOCKED .*msg=LOCK failed: TDISP_ERROR INVALID_INTERFACE_STATE" ||
	fail "LOCK answered TDISP_ERROR: $(tline $F2)"
ok "no device state: ERROR; failure without TDISP_ERROR: ERROR failed; with TDISP_ERROR and the same state: unchanged"

# ---- abandoned operations ----
rq_ok begin $F2 state
rq_stop
rq_start
rq_ok claim $EP0
is $F2 CONFIG_UNLOCKED || fail "abandoned STATE changed the TDI: $(tline $F2)"
rq_ok begin $F2 lock
rq_stop
wait_until 5 "socket closed mid-LOCK: $(tline $F2)" is $F2 ERROR
tline $F2 | grep -q "msg=state unknown after abandoned LOCK: requester's socket closed" || fail "$(tline $F2)"
evt requester-gone $F2 ERROR
ok "socket closed mid-LOCK: ERROR requester-gone (mid-STATE: unchanged)"
rq_start
rq_ok claim $EP0
unlock $F2
echo 1000 >$PARAM/tdisp_timeout_ms
rq_ok begin $F2 lock
wait_until 5 "LOCK pending past the timeout: $(tline $F2)" is $F2 ERROR
tline $F2 | grep -q "requester timed out" || fail "$(tline $F2)"
rq_err 2 "no such operation pending" end $F2 status=0 state=CONFIG_LOCKED nonce=0xab
echo 30000 >$PARAM/tdisp_timeout_ms
unlock $F2
ok "LOCK pending past tdisp_timeout_ms: ERROR requester-gone, its end ENOENT"
# the claim released mid-LOCK: no session owner, the LOCK abandoned (review 13 #6)
rq_ok begin $F2 lock
rq_ok release $EP0
rq_err 1 "DSM's mailbox is not claimed by this socket" end $F2 status=0 state=CONFIG_LOCKED nonce=0xab
tline $F2 | grep -q "state=ERROR .*msg=state unknown after abandoned LOCK: requester released the DSM's mailbox" ||
	fail "claim released mid-LOCK: $(tline $F2)"
evt requester-gone $F2 ERROR
rq_ok claim $EP0
rq_err 2 "no such operation pending" end $F2 status=0 state=CONFIG_LOCKED nonce=0xab
unlock $F2
ok "claim released mid-LOCK: ERROR requester-gone; neither the unclaimed nor the reclaimed socket ends it"

# ---- drivers bound behind the gate (driver_override rewritten by root; review 13 #8) ----
bind_f2() {
	echo tsmh_sim_drv >/sys/bus/pci/devices/$F2/driver_override
	echo $F2 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
	[ "$(drv $F2)" = tsmh_sim_drv ] || fail "tsmh_sim_drv not bound to $F2"
}
unbind_f2() {
	echo $F2 >/sys/bus/pci/drivers/tsmh_sim_drv/unbind
	echo >/sys/bus/pci/devices/$F2/driver_override
	tsmctl gate $F2 hold >/dev/null || fail "gate hold $F2"
}
lock $F2
bind_f2
wait_until 5 "driver bound to a CONFIG_LOCKED TDI: $(tline $F2)" is $F2 ERROR
tline $F2 | grep -q "msg=driver tsmh_sim_drv bound while CONFIG_LOCKED (gate bypassed)" || fail "$(tline $F2)"
evt config-write $F2 ERROR
unbind_f2
unlock $F2
rq_ok begin $F2 lock
bind_f2
rq_err 16 "a driver is bound to the TDI" end $F2 status=0 state=CONFIG_LOCKED nonce=0xab
tline $F2 | grep -q "state=ERROR .*msg=driver bound or gate released during the LOCK" || fail "$(tline $F2)"
unbind_f2
unlock $F2
ok "a driver bound behind the gate: CONFIG_LOCKED -> ERROR; during a LOCK: its end refused, ERROR"

# ---- the report's evidence set (review 13 #3, #5) ----
head -c 100 /dev/urandom >/tmp/vca
evput $F2 set:spdm:vca=/tmp/vca >/tmp/ep.out || fail "evidence of $F2: $(cat /tmp/ep.out)"
E2=/sys/bus/pci/devices/$F2/tsmh
g0=$(cat $E2/generation)
lock $F2
rq_ok begin $F2 report
rq_ok end $F2 status=0 state=CONFIG_LOCKED report=$B2:64
[ "$(cat $E2/provenance)" = tdisp-report ] && [ -e $E2/report ] && [ -e $E2/vca ] ||
	fail "evidence of $F2 after REPORT: $(ls $E2) $(cat $E2/provenance)"
[ "$(cat $E2/locked)" = unknown ] || fail "report set with pre-lock objects says locked=$(cat $E2/locked)"
ok "a report joining objects taken before the lock: the set says locked=unknown"
unlock $F2
[ -e $E2/report ] && fail "report still evidence of $F2 after STOP"
[ "$(cat $E2/provenance)" = spdm ] && [ "$(cat $E2/locked)" = unknown ] && [ -e $E2/vca ] &&
	[ "$(cat $E2/generation)" -gt "$g0" ] || fail "evidence of $F2 after STOP: $(ls $E2) $(cat $E2/provenance)"
ok "STOP withdrew the report: $F2's set back to spdm with its vca"
expect_fail "provenance tdisp-report is the kernel's own" evput $F2 set:tdisp-report:vca=/tmp/vca
[ "$(cat $E2/provenance)" = spdm ] || fail "a refused commit changed $F2's evidence"

# ---- resets and config writes ----
# (functions 1-2 of the sim have no FLR: function 0 is the TDI reset here)
lock $EP0
lock $F1
rq_ok begin $F1 report
rq_ok begin $EP0 state
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR of $EP0"
wait_until 10 "FLR of a locked TDI: $(tline $EP0)" is $EP0 CONFIG_UNLOCKED
evt flr $EP0 CONFIG_UNLOCKED
rq_err 116 "operation cancelled by a reset" end $EP0 status=0 state=CONFIG_UNLOCKED
ok "FLR of a CONFIG_LOCKED TDI ($EP0): CONFIG_UNLOCKED, evt-tdi flr, the pending STATE's end ESTALE"
# FLR is per function: function 0's leaves function 1's TDI (review 13 #2)
sleep 1
is $F1 CONFIG_LOCKED || fail "FLR of $EP0 changed function 1's TDI: $(tline $F1)"
rq_ok end $F1 ticket=$(sed -n 's/^ticket //p' /tmp/rq.out | tail -n 2 | head -n 1) status=0 \
	state=CONFIG_LOCKED report=$B1:64
is $F1 CONFIG_LOCKED || fail "REPORT after the FLR of $EP0: $(tline $F1)"
unlock $F1
ok "FLR of function 0 ($EP0): $F1 stays CONFIG_LOCKED, its pending REPORT ends normally"
simide $F1 w32 4 0x2 >/dev/null
lock $F1
simide $F1 w32 4 0x0 >/dev/null # Memory Space Enable cleared through sysfs config
# seen at the write (the probe), not only at the next tdi-get's re-read
evt config-write $F1 ERROR
tline $F1 | grep -q "state=ERROR .*msg=Memory Space Enable cleared while CONFIG_LOCKED" ||
	fail "$(tline $F1)"
ok "Memory Space Enable cleared (sysfs config write) on a CONFIG_LOCKED TDI: ERROR config-write"
unlock $F1
# a BAR register rewritten while locked: seen at the write (review 13 #7)
lock $F1
b0=$(simide $F1 r32 0x10)
simide $F1 w32 0x10 $((b0 + 0x1000000)) >/dev/null
wait_until 5 "BAR0 of a CONFIG_LOCKED TDI rewritten: $(tline $F1)" is $F1 ERROR
simide $F1 w32 0x10 $b0 >/dev/null
tline $F1 | grep -q "state=ERROR .*msg=BAR 0 written ($b0 -> " || fail "$(tline $F1)"
evt config-write $F1 ERROR
unlock $F1
ok "BAR0 rewritten (sysfs config write) on a CONFIG_LOCKED TDI: ERROR config-write"
rq_stop

# ---- VFs ----
tsmctl gate $EP0 release >/dev/null || fail "release $EP0"
echo tsmh_sim_drv >/sys/bus/pci/devices/$EP0/driver_override
echo $EP0 >/sys/bus/pci/drivers/tsmh_sim_drv/bind 2>/dev/null
echo 2 >/sys/bus/pci/devices/$EP0/sriov_numvfs || fail "sriov_numvfs 2"
V1=${EP0%.0}.3 V2=${EP0%.0}.4
wait_until 10 "VF $V2 is not a TDI: $(tdinl dump)" sh -c "tdinl dump | grep -q '^tdi $V2 dsm=$EP0 id=0x304 '"
tdinl dump | grep -q "^tdi $V1 dsm=$EP0 id=0x303 state=CONFIG_UNLOCKED" || fail "VF $V1: $(tdinl dump)"
# a PF's FLR clears VF Enable: it reaches its VFs' TDIs (review 13 #2)
rq_start
rq_ok claim $EP0
tsmctl gate $V1 hold >/dev/null || fail "gate hold $V1"
lock $V1
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR of $EP0"
wait_until 10 "FLR of the PF: $(tline $V1)" is $V1 CONFIG_UNLOCKED
evt flr $V1 CONFIG_UNLOCKED
rq_stop
ok "FLR of the PF $EP0: its VF $V1's TDI CONFIG_UNLOCKED"
echo 0 >/sys/bus/pci/devices/$EP0/sriov_numvfs
evt removed $V2
ok "VFs $V1, $V2: TDIs of $EP0 (0x303, 0x304); removed with evt-tdi removed"
echo $EP0 >/sys/bus/pci/drivers/tsmh_sim_drv/unbind

dmesg | grep -q "truncated extack" && fail "extack truncated: $(dmesg | grep 'truncated extack' | tail -n 2)"
dmesg | grep -q -e "WARNING:" -e "BUG:" && fail "kernel warning: $(dmesg | grep -A5 -e WARNING: -e BUG: | head -n 20)"
cleanup
trap - EXIT
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
rmmod tsmh_core || fail "rmmod tsmh_core"
ok "unloaded"
