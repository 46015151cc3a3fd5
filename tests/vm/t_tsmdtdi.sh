# tsmd: host-native TDISP (issue 13). tsmd connects the card (policy ide:
# SPDM session + IDE stream, kept by its session keeper); tsmctl tdi lock
# without --trust goes through tsmd, whose keeper runs LOCK and the report
# in its session: CONFIG_LOCKED in the kernel with the report checked and
# the connection's stream as the lock's stream; unprivileged callers are
# refused by tsmd; START as a separate command (tsmd keeps the LOCK nonce)
# is refused by the kernel in CoCo mode, RUN in host-native mode; tdi stop
# -> CONFIG_UNLOCKED. The lock (and its nonce in tsmd) outlives a refused
# start, a state query and a refused second lock. A tsmd restart with a TDI locked: the kernel keeps
# CONFIG_LOCKED, the new tsmd names it in its log, and tdi stop through the
# new tsmd (which opens a session) recovers it. The nonce never shows.
# tsmh-vm: timeout 300
. /tests/lib.sh
TSMH_SIM_ARGS="nr_functions=3"
LF=/tmp/tdi.layout
: >$LF
tsmd_stage -n 1 -- -v --tdisp-layout-file $LF
F1=${EP0%.0}.1
F2=${EP0%.0}.2
tdi_layout_file $EP0 $F1 $F2 >$LF || setup_fail "tdi_layout_file"
tsmd_conf ide '"attest_timeout_ms": 30000'
tsmd_start
tsmd_decided 60 $EP0
out=$(tsmctl allow -p $EP0 2>&1) || tfail "allow $EP0: $out"
wait_until 60 "$EP0 never connected: $(gmsg $EP0)" sh -c "tsmctl -j show $EP0 | jq -e '.connection.tsmd.session == \"up\"' >/dev/null && [ -e /sys/bus/pci/devices/$EP0/driver ]"
SID=$(tsmctl -j show $EP0 | jq .connection.tsmd.stream_id)
ok "tsmd connected $EP0 (stream $SID, session up)"
# the stream's RID association covers every function of the card (a TDI
# on function 1 or 2 is locked with it: the kernel checks its RID is in it)
tsmctl -j ide list | jq -e --argjson s "$SID" --arg b "${EP0#*:}" --arg l "${F2#*:}" \
	'[.. | objects | select(.id? == $s and .rid_base? == $b)][0].rid_limit == $l' >/dev/null ||
	tfail "stream $SID's RID association does not reach ${F2#*:}: $(tsmctl -j ide list | jq -c '[.. | objects | select(.rid_base?)]')"
ok "stream $SID's RID association: ${EP0#*:} through ${F2#*:} (every function of the card)"

: >/tmp/outs
# tc, kstate, want_state: lib.sh
kjson() { tsmctl -j tdi list | jq -c --arg d "$1" '[.[] | select(.tdi == $d)][0]'; }
# GetDevice's "tdis" (tsmctl show: connection.tsmd.tdis)
tdis() { tsmctl -j show $EP0 | jq -c '.connection.tsmd.tdis // []'; }
# a function of a released DSM follows it: the kernel locks only a TDI its gate holds
tsmctl gate $F1 hold >/dev/null || tfail "gate $F1 hold"
[ -z "$(drv $F1)" ] || tfail "$F1 has driver $(drv $F1): a LOCK needs none"
want_state $F1 CONFIG_UNLOCKED "before"

# ---- unprivileged: refused by tsmd, nothing moved
asuser tsmctl tdi lock $F1 >/tmp/u.out 2>&1 && tfail "unprivileged tdi lock through tsmd succeeded"
grep -q "through tsmd" /tmp/u.out && grep -qi "permission denied\|access denied" /tmp/u.out ||
	tfail "unprivileged lock: $(cat /tmp/u.out)"
want_state $F1 CONFIG_UNLOCKED "unprivileged lock"
ok "unprivileged tdi lock refused by tsmd: $(tail -n 1 /tmp/u.out)"

# ---- lock through tsmd: CONFIG_LOCKED, report checked, the connection's stream
tc tdi lock $F1 || tfail "tdi lock through tsmd: $(cat /tmp/c.out /tmp/c.err)"
grep -q "through tsmd" /tmp/c.out || tfail "lock not through tsmd: $(cat /tmp/c.out)"
want_state $F1 CONFIG_LOCKED "lock through tsmd"
kjson $F1 | jq -e --argjson s "$SID" '(.flags | index("report_checked")) != null and .default_stream_id == $s' >/dev/null ||
	tfail "after lock: $(kjson $F1)"
grep -q "$F1: .*CONFIG_LOCKED: report checked by the kernel" /tmp/tsmd.log || tfail "no lock line in tsmd's log"
tdis | jq -e --arg d $F1 '.[0].tdi == $d and .[0].state == "CONFIG_LOCKED"' >/dev/null || tfail "GetDevice tdis: $(tdis)"
tsmctl -j show $EP0 | jq -e '.connection.tsmd.session == "up"' >/dev/null || tfail "session lost by the lock"
ok "tdi lock through tsmd: $(kjson $F1 | jq -c '{state, flags, default_stream_id}'); GetDevice tdis $(tdis)"

# ---- start apart from the lock, CoCo mode: refused by the kernel; still locked
[ "$(cat /sys/module/tsmh_core/parameters/tdisp_host_native)" = N ] || tfail "host-native on by default"
tc tdi start $F1 && tfail "tdi start in CoCo mode succeeded: $(cat /tmp/c.out)"
grep -q "tdisp_host_native=0" /tmp/c.err || tfail "CoCo start: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_LOCKED "CoCo start"
ok "tdi start (CoCo mode) through tsmd refused by the kernel: $(tail -n 1 /tmp/c.err)"

# ---- the lock stands (its nonce kept in tsmd's session) through a refused
# start, a state query and a refused second lock: host-native START of it -> RUN
tc tdi state $F1 || tfail "tdi state while locked: $(cat /tmp/c.out /tmp/c.err)"
tdis | jq -e --arg d $F1 '.[0].tdi == $d and .[0].state == "CONFIG_LOCKED"' >/dev/null || tfail "GetDevice tdis after a state query: $(tdis)"
tc tdi lock $F1 && tfail "a second lock of a locked TDI succeeded"
grep -q "already CONFIG_LOCKED in tsmd's session" /tmp/c.err || tfail "second lock: $(cat /tmp/c.out /tmp/c.err)"
echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
tc tdi start $F1 || tfail "start of the same lock: $(cat /tmp/c.out /tmp/c.err)"
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
want_state $F1 RUN "start of the same lock"
ok "the lock outlives a refused start, a state query and a refused second lock: started -> RUN"

# ---- stop: CONFIG_UNLOCKED
tc tdi stop $F1 || tfail "tdi stop through tsmd: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "stop"
[ "$(tdis)" = "[]" ] || tfail "GetDevice tdis after stop: $(tdis)"
ok "tdi stop through tsmd: CONFIG_UNLOCKED"

# ---- host-native: lock, then start as a separate command -> RUN
echo 1 >/sys/module/tsmh_core/parameters/tdisp_host_native
tc tdi lock $F1 || tfail "second lock: $(cat /tmp/c.out /tmp/c.err)"
asuser tsmctl tdi start $F1 >/tmp/u.out 2>&1 && tfail "unprivileged tdi start succeeded"
want_state $F1 CONFIG_LOCKED "unprivileged start"
tc tdi start $F1 || tfail "tdi start (host-native) through tsmd: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 RUN "start"
tdis | jq -e '.[0].state == "RUN"' >/dev/null || tfail "GetDevice tdis: $(tdis)"
# the nonce was single use: a second start has none
tc tdi start $F1 && tfail "second start succeeded"
grep -q "no LOCK" /tmp/c.err || tfail "second start: $(cat /tmp/c.err)"
tc tdi state $F1 || tfail "tdi state: $(cat /tmp/c.out /tmp/c.err)"
grep -q "device RUN, kernel RUN: they agree" /tmp/c.out || tfail "tdi state: $(cat /tmp/c.out)"
tc tdi stop $F1 || tfail "stop after RUN: $(cat /tmp/c.err)"
want_state $F1 CONFIG_UNLOCKED "stop after RUN"
echo 0 >/sys/module/tsmh_core/parameters/tdisp_host_native
ok "host-native: lock, then tdi start as a separate command -> RUN (state agrees), stop -> CONFIG_UNLOCKED; unprivileged start refused"

# ---- restart tsmd with the TDI locked
tc tdi lock $F1 || tfail "third lock: $(cat /tmp/c.out /tmp/c.err)"
want_state $F1 CONFIG_LOCKED "third lock"
stop_tsmd
want_state $F1 CONFIG_LOCKED "tsmd stopped"
tsmd_start
wait_until 20 "tsmd did not name the locked TDI: $(tail -n 5 /tmp/tsmd.log)" \
	grep -q "$F1: .*LOCKED by a session that is gone; stop it with tsmctl tdi stop" /tmp/tsmd.log
want_state $F1 CONFIG_LOCKED "tsmd restarted"
wait_until 10 "tsmd not back" sh -c "tsmctl -j show $EP0 | jq -e .connection.tsmd >/dev/null"
# start needs the nonce: the new tsmd has none
tc tdi start $F1 && tfail "start after the restart succeeded"
tc tdi stop $F1 || tfail "tdi stop through the new tsmd: $(cat /tmp/c.out /tmp/c.err)"
grep -q "through tsmd" /tmp/c.out || tfail "stop not through tsmd: $(cat /tmp/c.out)"
want_state $F1 CONFIG_UNLOCKED "stop after restart"
ok "tsmd restart: $F1 stayed CONFIG_LOCKED, named in the log; tdi stop through the new tsmd -> CONFIG_UNLOCKED"

# ---- the nonce never shows (tsmctl's outputs, tsmd's log)
if grep -qi "nonce\": *\"[0-9a-f]\{16\}\|nonce [0-9a-f]\{16\}" /tmp/outs /tmp/tsmd.log; then
	tfail "a nonce was printed"
fi
tsmd_stage_down
ok "tsmd host-native TDISP"
