# The hardened unit still lets tsmd do its job: it runs with only
# CAP_SYS_ADMIN (what tsmh_core asks for gate changes, claims, CMA
# exchanges, evidence and the serial number) and a read-only system; generic netlink to tsmh_core
# works (it attested and gated above), `tsmctl allow -p` over the real
# system bus makes it write /var/lib/tsmd/allow-list.json (its
# StateDirectory) and release the device, pci-stub binds; nothing in its
# journal says a sandbox rule got in the way.
. /opt/tsmh-test/lib.sh
pid=$(prop MainPID)
[ "$(prop ActiveState)" = active ] && [ "$pid" != 0 ] || fail "tsmd not running"
[ "$(prop ProtectSystem)" = strict ] || fail "unit not hardened: ProtectSystem=$(prop ProtectSystem)"
capeff=$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")
[ "$capeff" = 0000000000200000 ] || fail "tsmd CapEff=$capeff, want CAP_SYS_ADMIN only"
ok "tsmd $pid sandboxed: ProtectSystem=strict, CapEff=$capeff (CAP_SYS_ADMIN)"
since=$(date '+%Y-%m-%d %H:%M:%S')

out=$(timeout 60 tsmctl allow -p "$EP1" 2>&1) || tfail "tsmctl allow -p $EP1: $out"
wait_until 30 "pci-stub never bound $EP1 ($(gate "$EP1"))" is_bound "$EP1"
[ "$(gate "$EP1")" = released/attested ] || tfail "$EP1: $(gate "$EP1")"
al=/var/lib/tsmd/allow-list.json
[ -f "$al" ] || tfail "no $al"
jq -e '.devices | length == 1 and .[0].decision == "allow"' "$al" >/dev/null ||
	tfail "allow-list: $(cat "$al")"
[ "$(stat -c '%a %U' "$al")" = "600 root" ] || tfail "$al is $(stat -c '%a %U' "$al")"
ser=$(jq -r '.devices[0].identity.serial // ""' "$al")
[ -n "$ser" ] || tfail "tsmd did not get the Device Serial Number: $(cat "$al")"
ok "tsmctl allow -p over D-Bus: $al written (serial $ser), $EP1 released and bound ($out)"

pol=$(timeout 30 tsmctl policy show 2>&1) || tfail "tsmctl policy show: $pol"
echo "$pol" | grep -q "tsmd: *running" || tfail "policy show: $pol"
bad=$(journalctl -b -u tsmd --since "$since" --no-pager -o cat |
	grep -Ei 'permission denied|operation not permitted|read-only file system|EACCES|EPERM|EROFS')
[ -z "$bad" ] || tfail "sandbox denials in tsmd's journal: $bad"
[ "$(prop MainPID)" = "$pid" ] || tfail "tsmd restarted during the test"
ok "tsmctl policy show over D-Bus; no denials in tsmd's journal"
