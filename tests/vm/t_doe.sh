# SPDM GET_VERSION round trip through the kernel's DOE proxy.
. /tests/lib.sh
load_modules 2
start_emu --versions 1.2,1.3
wait_eps 2
rsp=$(tsmctl doe $EP0 --protocol cma --hex 10840000) || fail "doe GET_VERSION"
# VERSION: 1.0, code 0x04, 2 entries (1.2, 1.3), DOE-padded to a dword
[ "$rsp" = 100400000002001200130000 ] || fail "VERSION response $rsp"
ok "GET_VERSION -> $rsp"
rsp=$(tsmctl doe $EP0 --protocol discovery --hex 00000000) || fail "doe discovery"
[ "$rsp" = 01000001 ] || fail "discovery index 0 -> $rsp"
ok "DOE discovery index 0 -> $rsp"
tsmctl -j list --spdm >/tmp/l.json || fail "list --spdm"
for d in $EP0 $EP1; do
	jq -e --arg d "$d" '.[] | select(.name == $d) | .spdm.versions == ["1.2", "1.3"]' /tmp/l.json >/dev/null ||
		fail "$d: versions $(jq -c --arg d "$d" '.[] | select(.name == $d) | .spdm' /tmp/l.json)"
done
ok "tsmctl list --spdm: both endpoints answer 1.2,1.3"
tsmctl list --spdm
# concurrent exchanges on one mailbox are serialised, none is corrupted
pids=
for i in 1 2 3 4 5 6 7 8; do
	tsmctl doe $EP0 --protocol cma --hex 10840000 >/tmp/c$i.out 2>&1 &
	pids="$pids $!"
done
wait $pids # not a bare wait: the emulator runs in the background too
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat /tmp/c$i.out)" = 100400000002001200130000 ] || fail "concurrent exchange $i: $(cat /tmp/c$i.out)"
done
ok "8 concurrent exchanges on one mailbox all answered correctly"
n=$(tsmctl -j show $EP0 | jq '.doe[0].exchanges')
[ "$n" -ge 11 ] || fail "exchange counter $n"
ok "exchange counter $n"
# a device that offers only 1.1
stop_emu
start_emu --versions 1.1
v=$(tsmctl -j show $EP1 --spdm | jq -c .spdm.versions)
[ "$v" = '["1.1"]' ] || fail "versions after restart: $v"
ok "1.1-only device: $v"
# SPDM ERRORs come back verbatim: an unsupported request (GET_CSR) and a
# CHALLENGE before any VCA on this connection
rsp=$(tsmctl doe $EP0 --protocol cma --hex 12ed0000) || fail "doe GET_CSR"
[ "$rsp" = 127f07ed ] || fail "ERROR response to GET_CSR: $rsp"
ok "unsupported request -> SPDM ERROR UnsupportedRequest $rsp"
rsp=$(tsmctl doe $EP0 --protocol cma --hex 1283000000) || fail "doe CHALLENGE"
[ "$rsp" = 127f0400 ] || fail "ERROR response to CHALLENGE: $rsp"
ok "CHALLENGE before VCA -> SPDM ERROR UnexpectedRequest $rsp"
unload_modules
