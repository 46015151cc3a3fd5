# Device removed/added events reach tsmctl monitor.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
tsmctl -j monitor --count 2 >/tmp/ev.json 2>/tmp/ev.err &
MPID=$!
sleep 0.5
echo 1 >/sys/bus/pci/devices/$EP1/remove
wait_gone $EP1
echo 1 >/sys/bus/pci/rescan
i=0
while kill -0 $MPID 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { kill $MPID; fail "monitor saw: $(cat /tmp/ev.json /tmp/ev.err)"; }
	sleep 0.1
done
cat /tmp/ev.json /tmp/ev.err
[ "$(jq -s -c '[.[] | [.event, .device.name]]' /tmp/ev.json)" = "[[\"remove\",\"$EP1\"],[\"add\",\"$EP1\"]]" ] ||
	fail "unexpected events"
jq -s -e '.[1].device.doe[0].protocols == ["discovery", "cma", "sec-cma"]' /tmp/ev.json >/dev/null ||
	fail "add event lacks the discovered protocols"
ok "remove then add (with protocols) reported"
unload_modules
