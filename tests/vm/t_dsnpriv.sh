# The Device Serial Number and the accepted digest are for CAP_SYS_ADMIN
# only, like the evidence (issue 10, item 9): DEV_GET (do and dump) leaves
# them out for anyone else, CAP_NET_ADMIN included; events carry them for
# nobody (anyone may listen; tsmd reads them with DEV_GET); the accepted
# generation stays visible to all.
. /tests/lib.sh
NOBODY="capexec 65534 none"
NA="capexec 65534 net_admin"
SA="capexec 65534 sys_admin"
MONS=
test_cleanup() { for p in $MONS; do kill "$p" 2>/dev/null; done; }
trap test_cleanup EXIT

load_modules 2
$NOBODY tsmctl -j monitor >/tmp/mon.nobody 2>&1 &
MONS="$MONS $!"
tsmctl -j monitor >/tmp/mon.root 2>&1 &
MONS="$MONS $!"
start_emu --export-root /tmp/root.pem
wait_eps 2

# --- the serial number ---
ser=$(tsmctl -j show $EP0 | jq -r '.serial // ""')
case $ser in 54534d48*) ;; *) fail "root does not see the DSN: '$ser'" ;; esac
[ "$($SA tsmctl -j show $EP0 | jq -r '.serial // ""')" = "$ser" ] || fail "CAP_SYS_ADMIN does not see the DSN"
[ "$($SA tsmctl -j list | jq "[.[] | select(.name == \"$EP0\")][0].serial")" = "\"$ser\"" ] ||
	fail "CAP_SYS_ADMIN dump lacks the DSN: $($SA tsmctl -j list | jq -c '[.[] | {name, serial}]')"
for who in "$NOBODY" "$NA"; do
	out=$($who tsmctl -j show $EP0) || fail "show as '$who': $out"
	echo "$out" | jq -e 'has("serial") | not' >/dev/null || fail "'$who' sees the DSN: $(echo "$out" | jq -c .serial)"
	out=$($who tsmctl -j list) || fail "list as '$who': $out"
	[ "$(echo "$out" | jq '[.[] | select(has("serial"))] | length')" = 0 ] ||
		fail "'$who' sees a DSN in the dump: $(echo "$out" | jq -c '[.[] | .serial]')"
	$who tsmctl show $EP0 | grep -q "Serial" && fail "'$who' sees 'Serial' in show"
done
ok "DSN $ser: CAP_SYS_ADMIN sees it (do and dump); nobody and CAP_NET_ADMIN do not"

# --- the accepted digest ---
tsmctl -j attest $EP0 --trust /tmp/root.pem >/tmp/a.json 2>&1 || fail "attest: $(cat /tmp/a.json)"
gen=$(tsmctl -j evidence $EP0 | jq .generation)
DIG=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabb
tsmctl gate $EP0 release --reason attested --digest $DIG --generation $gen || fail "attested release"
tsmctl -j show $EP0 | jq -e --arg d $DIG --argjson g $gen \
	'.gate.accepted.digest == $d and .gate.accepted.generation == $g' >/dev/null ||
	fail "root: $(tsmctl -j show $EP0 | jq -c .gate.accepted)"
$SA tsmctl -j show $EP0 | jq -e --arg d $DIG '.gate.accepted.digest == $d' >/dev/null ||
	fail "CAP_SYS_ADMIN: $($SA tsmctl -j show $EP0 | jq -c .gate.accepted)"
for who in "$NOBODY" "$NA"; do
	$who tsmctl -j show $EP0 | jq -e --argjson g $gen \
		'.gate.accepted.digest == null and .gate.accepted.generation == $g' >/dev/null ||
		fail "'$who' accepted: $($who tsmctl -j show $EP0 | jq -c .gate.accepted)"
	$who tsmctl -j list | jq -e "[.[] | select(.gate.accepted.digest != null)] | length == 0" >/dev/null ||
		fail "'$who' sees a digest in the dump"
	$who tsmctl show $EP0 | grep -q "$DIG" && fail "'$who' sees the digest in show"
done
ok "accepted digest: CAP_SYS_ADMIN only; the generation ($gen) for all"

# --- events: anyone may listen, so neither goes out ---
for m in /tmp/mon.nobody /tmp/mon.root; do
	wait_until 10 "no gate event for $EP0 in $m: $(cat $m)" \
		sh -c "grep '\"event\":\"gate\"' $m | grep -q '\"released\"'"
	grep -q "\"event\":\"add\"" $m || fail "no add event in $m: $(cat $m)"
	# device events (add, remove, gate) carry the device as an object
	grep "^{" $m | jq -se '[.[] | select((.device | type) == "object") | .device |
		select(.serial != null or .gate.accepted.digest != null)] | length == 0' >/dev/null ||
		fail "an event carries the DSN or the digest ($m): $(grep "$ser\|$DIG" $m | head -n 3)"
	grep -q "$DIG" $m && fail "the digest in $m"
done
ok "add and gate events carry neither the DSN nor the digest"
test_cleanup
MONS=
unload_modules
