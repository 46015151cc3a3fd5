# tsmh-vm: timeout 240
# tsmd's policy requirement "ide" end to end: an allowed device is held
# until tsmd has connected it (SPDM session + selective IDE stream to its
# root port, keys through IDE_KM and the sim's key unit) and the stream
# reads SECURE in the sim's registers at both ends; then released, with the
# session kept (HEARTBEAT) and shown by tsmctl show. An FLR of the endpoint
# makes the stream insecure: tsmd re-attests, deletes the stream, connects
# again with new keys and restores, once. A tsmd restart keeps the stream
# (the kernel's) and the device released, without a new connect. A device
# that accepts keys but never goes secure (tsmh-emu --fault never-secure)
# stays held with the failed step in its gate message and no stream left.
. /tests/lib.sh
# reset_hold=1: a reset holds the device until tsmd restores it
tsmd_stage -k reset_hold=1 -- -v --fault never-secure --fault-slot 1
tsmd_conf ide '"attest_timeout_ms": 30000'
tsmd_start
tsmd_decided 60 $EP0 $EP1
ok "both endpoints attested and held (unknown): $(gmsg $EP0)"

conn() { tsmctl -j show "$1" | jq -c '.connection.tsmd // {}'; }
# sim registers of DEV's stream (the kernel's ide-get, tsmctl show):
# "RP_STATE EP_STATE", or "no stream"
regs() {
	_s=$(tsmctl -j show "$1" | jq -c '.connection.streams[0] // empty')
	[ -n "$_s" ] || { echo "no stream"; return; }
	_rb=$(echo "$_s" | jq -r .root_port_block)
	_eb=$(echo "$_s" | jq -r .endpoint_block)
	echo "$(($(simide $RP sel "$_rb" | cut -d' ' -f2) & 0xf)) $(($(simide "$1" sel "$_eb" | cut -d' ' -f2) & 0xf))"
}

# ---- allowed: held until connected, released with the stream SECURE
out=$(tsmctl allow -p $EP0 2>&1) || tfail "allow $EP0: $out"
wait_until 60 "$EP0 never released: $(gmsg $EP0) $(conn $EP0)" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
[ "$(gate $EP0)" = released/attested ] || tfail "$EP0: $(gate $EP0)"
gmsg $EP0 | grep -q "IDE stream [0-9]* SECURE" || tfail "release message: $(gmsg $EP0)"
[ "$(regs $EP0)" = "2 2" ] || tfail "sim registers of $EP0's stream (root port, endpoint): $(regs $EP0) $(conn $EP0)"
# the connect came before the release
c=$(grep -n "$EP0: .*connected: IDE stream" /tmp/tsmd.log | head -1 | cut -d: -f1)
r=$(grep -n "$EP0: release" /tmp/tsmd.log | head -1 | cut -d: -f1)
[ -n "$c" ] && [ -n "$r" ] && [ "$c" -lt "$r" ] || tfail "connect (line $c) not before release (line $r)"
SID=$(conn $EP0 | jq .stream_id)
conn $EP0 | jq -e '.session == "up" and .owner == "tsmd" and .stream_state == "secure" and
	.heartbeat_period_s > 0' >/dev/null || tfail "connection: $(conn $EP0)"
tsmctl show $EP0 | grep -q "Session: *up (tsmd, heartbeat every [0-9]* s" ||
	tfail "tsmctl show: $(tsmctl show $EP0)"
ok "policy ide: held until connected, released with stream $SID SECURE at both ends ($(gmsg $EP0)); $(tsmctl show $EP0 | grep Session:)"

# the session is kept: a HEARTBEAT at the negotiated period
P=$(conn $EP0 | jq .heartbeat_period_s)
wait_until $((P + 15)) "no HEARTBEAT within $P s: $(conn $EP0)" sh -c "tsmctl -j show $EP0 | jq -e '.connection.tsmd.heartbeats >= 1' >/dev/null"
owner_is $EP0 host || tfail "mailbox not held by tsmd's session: $(tsmctl -j show $EP0 | jq -c .doe)"
ok "session kept: HEARTBEAT after ${P} s ($(conn $EP0 | jq -c '{heartbeats, last_heartbeat_s_ago}'))"

# ---- tsmctl ide refresh while tsmd keeps the session: tsmd's keeper does it
# (before: tsmctl opened a session of its own and found the mailbox claimed)
ks() { tsmctl -j show "$1" | jq -r '.connection.streams[0].key_set'; }
k0=$(ks $EP0)
tsmctl ide refresh $EP0 >/tmp/rf.out 2>&1 || tfail "ide refresh through tsmd: $(cat /tmp/rf.out)"
grep -q "through tsmd" /tmp/rf.out || tfail "refresh not through tsmd: $(cat /tmp/rf.out)"
k1=$(ks $EP0)
[ "$k1" != "$k0" ] && [ "$(regs $EP0)" = "2 2" ] || tfail "after refresh: key set $k0 -> $k1, $(regs $EP0)"
conn $EP0 | jq -e '.session == "up"' >/dev/null || tfail "session lost by the refresh: $(conn $EP0)"
# unprivileged: refused by tsmd (root only), nothing changed
asuser tsmctl ide refresh $EP0 >/tmp/rf.out 2>&1 && tfail "unprivileged refresh through tsmd succeeded"
[ "$(ks $EP0)" = "$k1" ] || tfail "unprivileged refresh changed the key set"
ok "tsmctl ide refresh with tsmd's session: its keeper re-keyed (key set $k0 -> $k1, SECURE, session up); unprivileged refused: $(tail -n 1 /tmp/rf.out)"

# ---- FLR: insecure -> re-attested, re-keyed, restored; once
n0=$(grep -c "$EP0: .*connected: IDE stream" /tmp/tsmd.log)
echo 1 >/sys/bus/pci/devices/$EP0/reset || tfail "FLR $EP0"
wait_until 60 "$EP0 not restored after FLR: $(gmsg $EP0) $(conn $EP0)" \
	sh -c "grep -q '$EP0: restore' /tmp/tsmd.log && [ -e /sys/bus/pci/devices/$EP0/driver ]"
[ "$(gate $EP0)" = released/attested ] || tfail "$EP0 after FLR: $(gate $EP0)"
[ "$(regs $EP0)" = "2 2" ] || tfail "after FLR: sim registers $(regs $EP0) $(conn $EP0)"
grep -q "$EP0: .*IDE stream $SID lost" /tmp/tsmd.log || tfail "no 'stream lost' line"
sleep 3 # nothing more may follow: no loop
n1=$(grep -c "$EP0: .*connected: IDE stream" /tmp/tsmd.log)
[ $((n1 - n0)) = 1 ] || tfail "$((n1 - n0)) connects after one FLR"
conn $EP0 | jq -e '.rekeys == 1 and .session == "up"' >/dev/null || tfail "after FLR: $(conn $EP0)"
ok "FLR: stream lost, re-attested, re-keyed once (stream $(conn $EP0 | jq .stream_id) SECURE), restored: $(gmsg $EP0)"

# ---- the stream deleted behind tsmd's back (ide-stream-del by hand): lost, re-keyed like a reset
SID=$(conn $EP0 | jq .stream_id)
idenl del $EP0 "$SID" >/tmp/del.out 2>&1 || tfail "ide-stream-del $EP0 $SID: $(cat /tmp/del.out)"
wait_until 60 "$EP0 not re-keyed after its stream was deleted: $(gmsg $EP0) $(conn $EP0) $(regs $EP0)" \
	sh -c "tsmctl -j show $EP0 | jq -e '.connection.tsmd.rekeys == 2 and .connection.tsmd.session == \"up\"' >/dev/null"
grep -q "$EP0: .*IDE stream $SID lost: stream $SID deleted (not by tsmd)" /tmp/tsmd.log || tfail "no 'deleted' loss line"
wait_until 30 "$EP0 not back: $(gate $EP0) $(regs $EP0)" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ] && [ \"\$(tsmctl -j show $EP0 | jq -r .gate.state)\" = released ]"
[ "$(regs $EP0)" = "2 2" ] || tfail "after the delete: sim registers $(regs $EP0) $(conn $EP0)"
n1=$(grep -c "$EP0: .*connected: IDE stream" /tmp/tsmd.log)
ok "stream $SID deleted by hand: lost, re-keyed (stream $(conn $EP0 | jq .stream_id) SECURE), $(gate $EP0)"

# ---- tsmd restart: the stream stays, the device stays released, no new connect
stop_tsmd
[ "$(regs $EP0)" = "2 2" ] || tfail "stream gone with tsmd: $(regs $EP0)"
owner_is $EP0 none || tfail "mailbox still claimed after tsmd stopped"
tsmd_start
wait_until 10 "tsmd not back" sh -c "tsmctl -j show $EP0 | jq -e .connection.tsmd >/dev/null"
sleep 2
n2=$(grep -c "$EP0: .*connected: IDE stream" /tmp/tsmd.log)
[ "$n2" = "$n1" ] || tfail "restarted tsmd connected again"
[ "$(gate $EP0)" = released/attested ] && [ "$(drv $EP0)" = pci-stub ] || tfail "$EP0 after restart: $(gate $EP0)"
conn $EP0 | jq -e '.session == "down" and .stream_state == "secure"' >/dev/null ||
	tfail "after restart: $(conn $EP0)"
tsmctl show $EP0 | grep -q "Session: *down (tsmd" || tfail "tsmctl show after restart: $(tsmctl show $EP0)"
ok "tsmd restart: session lost, stream kept SECURE ($(regs $EP0)), device still released"

# ---- fault: keys accepted, never secure -> held with the step, no stream left
out=$(tsmctl allow -p $EP1 2>&1) || tfail "allow $EP1: $out"
wait_until 60 "$EP1 not held after its connect: $(gmsg $EP1)" sh -c "tsmctl -j show $EP1 | jq -r .gate.msg | grep -q 'IDE connect failed'"
[ -z "$(drv $EP1)" ] || tfail "$EP1 bound to $(drv $EP1)"
[ "$(tsmctl -j show $EP1 | jq -r .gate.state)" = held ] || tfail "$EP1: $(gate $EP1)"
# the step and the reason in the gate message; the log line names the device too
gmsg $EP1 | grep -q "IDE connect failed: [a-z-]*: .*not SECURE" || tfail "message does not name the step: $(gmsg $EP1)"
grep -q "$EP1: IDE connect failed: " /tmp/tsmd.log || tfail "no log line naming $EP1"
conn $EP1 | jq -e '.stream_id == null and .session == "down"' >/dev/null &&
	[ "$(regs $EP1)" = "no stream" ] || tfail "$EP1 left a stream or a session: $(conn $EP1) $(regs $EP1)"
grep "$EP1: quarantine" /tmp/tsmd.log | grep -q "hold-ide-failed" || tfail "no hold-ide-failed decision"
[ "$(regs $EP0)" = "2 2" ] || tfail "$EP0's stream hurt by $EP1's failure: $(regs $EP0)"
ok "never-secure: held, no stream left: $(gmsg $EP1)"

# ---- 7.2: sysfs tsm/connect and tsm/disconnect reach tsmd (evt-tsm-req -> tsm-done)
T=$(dmesg | sed -n 's/.*tsmh_core: registered link TSM \(tsm[0-9]*\):.*/\1/p' | tail -n 1)
if [ -d /sys/class/tsm ] && [ -n "$T" ]; then
	S=/sys/bus/pci/devices
	# EP0 has a SECURE stream from tsmd: the PCI core's connect is answered at once
	sh -c "echo $T > $S/$EP0/tsm/connect" 2>/tmp/w.err || tfail "tsm/connect $EP0: $(cat /tmp/w.err)"
	[ "$(cat $S/$EP0/tsm/connect)" = "$T" ] || tfail "$EP0 tsm/connect reads '$(cat $S/$EP0/tsm/connect)'"
	grep -q "$EP0: tsm/connect answered 0 (already connected" /tmp/tsmd.log || tfail "tsmd's answer not logged"
	# disconnect: tsmd opens a session (it has none since its restart), stops the keys,
	# deletes the stream; the policy wants IDE, so EP0 is held
	sh -c "echo $T > $S/$EP0/tsm/disconnect" 2>/tmp/w.err || tfail "tsm/disconnect $EP0: $(cat /tmp/w.err)"
	[ "$(regs $EP0)" = "no stream" ] || tfail "stream left after tsm/disconnect: $(regs $EP0)"
	wait_until 10 "$EP0 not held after its disconnect: $(gate $EP0)" sh -c "[ -z \"\$(readlink $S/$EP0/driver)\" ]"
	gmsg $EP0 | grep -q "disconnected by an administrator" || tfail "$EP0 message: $(gmsg $EP0)"
	ok "tsm/connect of a connected device answered at once, tsm/disconnect run by tsmd (stream deleted, held: $(gmsg $EP0))"
	# connect again through sysfs: tsmd connects (a new stream), the write returns 0
	sh -c "echo $T > $S/$EP0/tsm/connect" 2>/tmp/w.err || tfail "tsm/connect $EP0 again: $(cat /tmp/w.err)"
	[ "$(regs $EP0)" = "2 2" ] || tfail "after tsm/connect: $(regs $EP0)"
	# a failing connect: the sysfs write fails with tsmd's status, nothing left
	sh -c "echo $T > $S/$EP1/tsm/connect" 2>/tmp/w.err && tfail "tsm/connect of never-secure $EP1 succeeded"
	[ "$(regs $EP1)" = "no stream" ] || tfail "$EP1: stream left after a failed tsm/connect: $(regs $EP1)"
	grep -q "$EP1: tsm/connect answered -[0-9]* (.*not SECURE" /tmp/tsmd.log || tfail "no failure answer for $EP1 in tsmd's log"
	ok "tsm/connect through tsmd: $EP0 SECURE again ($(regs $EP0)); $EP1 refused ($(cat /tmp/w.err)), nothing left"
	sh -c "echo $T > $S/$EP0/tsm/disconnect" 2>/dev/null
else
	echo "no link TSM on $KVER: tsm/connect hand-off not exercised (evt-tsm-req never comes)"
fi

# ---- a stream that keeps going insecure is re-keyed 3 times in 10 minutes, then held
if [ -z "$(drv $EP0)" ]; then # 7.2: held since its tsm/disconnect; a reload decides again
	kill -HUP $TSMD_PID
	wait_until 60 "$EP0 not released again: $(gmsg $EP0)" sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
fi
# (wait_until uses $n and $i)
for k in 1 2 3; do
	rs=$(grep -c "$EP0: restore" /tmp/tsmd.log)
	echo 1 >/sys/bus/pci/devices/$EP0/reset || tfail "FLR $k"
	wait_until 60 "$EP0 not restored after FLR $k of 4: $(gmsg $EP0)" \
		sh -c "[ \$(grep -c '$EP0: restore' /tmp/tsmd.log) -gt $rs ] && [ -e /sys/bus/pci/devices/$EP0/driver ]"
done
rs=$(grep -c "$EP0: restore" /tmp/tsmd.log)
echo 1 >/sys/bus/pci/devices/$EP0/reset || tfail "FLR 4"
wait_until 60 "$EP0 not held after the 4th FLR: $(gmsg $EP0)" sh -c "tsmctl -j show $EP0 | jq -r .gate.msg | grep -q 'insecure 4 times'"
sleep 2
[ -z "$(drv $EP0)" ] || tfail "$EP0 bound after the 4th re-key: $(gmsg $EP0)"
[ "$(grep -c "$EP0: restore" /tmp/tsmd.log)" = "$rs" ] || tfail "restored after the 4th FLR"
ok "re-keyed after 3 FLRs, held at the 4th: $(gmsg $EP0)"

grep -i "key.*[0-9a-f]\{32\}" /tmp/tsmd.log && tfail "something like a key in tsmd's log"
tsmd_stage_down
