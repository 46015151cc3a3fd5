# 7.2 link TSM with tsmd (issue 12): "echo tsmN > .../tsm/connect" makes
# the kernel ask tsmd (evt-tsm-req), tsmd runs the same connect as
# "tsmctl connect" (SPDM session, IDE_KM, the root port's key unit, a
# stream from the PCI core's helpers) and answers tsm-done; the write
# returns once the stream is SECURE. tsm/disconnect undoes it. Without tsmd
# the write fails at once. (t_tsmlink covers the hand-off itself.)
. /tests/lib.sh
[ -d /sys/class/tsm ] || skip "no in-kernel TSM core on $KVER (pci-tsm.h, CONFIG_PCI_TSM): t_connect covers tsmctl connect"
tsmd_stage
tsmd_conf certificate '"attest_timeout_ms": 30000'
tsmd_start
tsmd_decided 60 $EP0 $EP1
T=$(dmesg | sed -n 's/.*tsmh_core: registered link TSM \(tsm[0-9]*\):.*/\1/p' | tail -n 1)
[ -n "$T" ] || fail "no link TSM registered"
C=/sys/bus/pci/devices/$EP0/tsm/connect
D=/sys/bus/pci/devices/$EP0/tsm/disconnect
HB=$(readlink -f /sys/bus/pci/devices/$RP/..)
A=$HB/available_secure_streams
links() { ls -d $HB/stream* 2>/dev/null; }
write() { sh -c "echo $1 > $2" 2>/tmp/w.err; }
a0=$(cat $A)
[ -z "$(links)" ] || fail "stream links before connect: $(links)"

t0=$(date +%s)
write $T $C || tfail "connect through tsmd: $(cat /tmp/w.err); $(dmesg | grep tsmh | tail -n 3)"
dt=$(($(date +%s) - t0))
[ "$(cat $C)" = $T ] || tfail "tsm/connect reads '$(cat $C)'"
[ "$(cat $A)" = $((a0 - 1)) ] || tfail "available_secure_streams $(cat $A), was $a0"
L=$(links)
[ $(echo "$L" | wc -w) = 1 ] && [ "$(readlink -f $L)" = "$(readlink -f /sys/bus/pci/devices/$EP0)" ] ||
	tfail "stream links: '$L'"
s=$(tsmctl -j show $EP0 | jq -c '.connection.streams[0] // empty')
[ -n "$s" ] || tfail "tsmctl show: no stream: $(tsmctl -j show $EP0 | jq -c .connection)"
rb=$(echo "$s" | jq -r .root_port_block)
eb=$(echo "$s" | jq -r .endpoint_block)
sid=$(echo "$s" | jq -r .id)
re=${L##*/stream}
[ "${re#*.}" = "$rb.$eb" ] || tfail "link ${L##*/} vs blocks $rb/$eb"
tsmctl -j ide list | jq -e --argjson id "$sid" --argjson rb "$rb" --argjson eb "$eb" \
	'[.. | objects | select(.id? == $id and .root_port_block? == $rb and .endpoint_block? == $eb)] | length > 0' \
	>/dev/null || tfail "tsmctl ide list does not show stream $sid: $(tsmctl -j ide list | jq -c .)"
st() { echo $(($(simide "$1" sel "$2" | cut -d' ' -f2) & 0xf)); }
[ "$(st $RP $rb) $(st $EP0 $eb)" = "2 2" ] || tfail "sim registers: $(st $RP $rb) $(st $EP0 $eb)"
grep -q "$EP0: .*tsm/connect requested" /tmp/tsmd.log || tfail "tsmd did not log the request"
dmesg | grep -q "$EP0: tsmh: IDE: stream $sid from the PCI core" || tfail "stream not from the PCI core"
ok "sysfs connect through tsmd in $dt s: $T, stream $sid SECURE (blocks $rb/$eb) from the PCI core, available $a0 -> $(cat $A), link ${L##*/}, in tsmctl ide list"

write $T $D || tfail "disconnect: $(cat /tmp/w.err)"
[ -z "$(cat $C)" ] || tfail "still connected: $(cat $C)"
wait_until 10 "stream left after disconnect: $(links) $(cat $A)" sh -c "[ -z \"\$(ls -d $HB/stream* 2>/dev/null)\" ] && [ \$(cat $A) = $a0 ]"
tsmctl -j show $EP0 | jq -e '(.connection.streams // []) | length == 0' >/dev/null ||
	tfail "tsmctl show after disconnect: $(tsmctl -j show $EP0 | jq -c .connection)"
ok "sysfs disconnect: no stream (available $a0, no link), tsm/connect empty"

stop_tsmd
t0=$(date +%s)
write $T $C && fail "connect succeeded without tsmd"
grep -q "not connected" /tmp/w.err || fail "without tsmd: $(cat /tmp/w.err)"
[ $(($(date +%s) - t0)) -lt 5 ] || fail "without tsmd: took $(($(date +%s) - t0)) s"
[ -z "$(cat $C)" ] && [ "$(cat $A)" = $a0 ] || fail "something set without tsmd"
ok "tsmd stopped: '$(cat /tmp/w.err)' at once, nothing set"
tsmd_stage_down
