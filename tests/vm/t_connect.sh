# tsmctl connect / ide list / ide refresh / disconnect on the sim: two
# endpoints behind one root port get SECURE selective streams (distinct
# IDs and root-port blocks), a refresh switches key sets without the
# stream leaving SECURE (the root port's status register sampled all
# along), disconnect frees every ID and block; the endpoint's two blocks
# run out with a clear error; each emulator IDE_KM fault gives one error
# naming the step and leaves no stream; an unprivileged caller is refused;
# no key ever shows in an output or a log.
. /tests/lib.sh
load_modules 2
start_emu -v --export-root /tmp/root.pem
wait_eps 2
T="--trust /tmp/root.pem"
dmesg >/tmp/dmesg.before
: >/tmp/emu.all
: >/tmp/outs # every tsmctl output of this test, for the key check

# JSON of ide list, and the streams of its root ports
ide_json() { tsmctl -j ide list >/tmp/il.json 2>&1 || fail "ide list: $(cat /tmp/il.json)"; }
nstreams() { ide_json && jq '[.ports[] | select(.role == "root_port") | .streams[]] | length' /tmp/il.json; }
rp_q() { ide_json && jq -r "[.ports[] | select(.role == \"root_port\")][0] | $1" /tmp/il.json; }
# the state of EP's first stream, as ide list shows it ("none": no stream)
ep_state() {
	ide_json && jq -r --arg ep "$1" '[.ports[] | select(.role == "root_port") | .streams[] |
		select(.endpoint == $ep)][0] | if . == null then "none" else .state + "/" + (.key_set | tostring) end' /tmp/il.json
}
# run tsmctl, keep its output; -j output in /tmp/c.json
tc() {
	tsmctl "$@" >/tmp/c.out 2>&1
	r=$?
	cat /tmp/c.out >>/tmp/outs
	return $r
}
connect_ok() { # DEV
	tc -j connect "$1" $T || fail "connect $1: $(cat /tmp/c.out)"
	cp /tmp/c.out /tmp/c.json
	jq -e '.ok and .stream.state == "secure" and .stream.key_set == 0 and
		([.steps[] | select(.step | startswith("KEY_PROG"))] | length) == 6 and
		([.steps[] | select(.step | startswith("ide-key-prog"))] | length) == 6 and
		([.steps[] | select(.step | startswith("K_SET_GO"))] | length) == 6 and
		all(.steps[]; .ok) and (.steps[-1].step == "END_SESSION")' /tmp/c.json >/dev/null ||
		fail "connect $1: $(cat /tmp/c.json)"
}

# before: the root port's capacity, no stream
ide_json
jq -e --arg rp "$RP" '[.ports[] | select(.role == "root_port")][0] | .name == $rp and
	.selective_blocks == 8 and .selective_used == 0 and .capability.selective and
	.key_backend == "sim" and (.streams | length) == 0' /tmp/il.json >/dev/null ||
	fail "ide list before: $(cat /tmp/il.json)"
jq -e --arg ep "$EP0" '[.ports[] | select(.name == $ep)][0] | .role == "endpoint" and
	.selective_blocks == 2 and .capability.ide_km and .capability.tee_limited' /tmp/il.json \
	>/dev/null || fail "ide list: endpoint $EP0: $(cat /tmp/il.json)"
hb0=$(rp_q .host_bridge)
free0=$(jq -r --arg hb "$hb0" '.host_bridges[] | select(.name == $hb) | .free' /tmp/il.json)
ok "ide list: root port $RP (8 selective blocks, key unit), endpoints with IDE_KM; host bridge $hb0 has $free0 free stream IDs"

# unprivileged: refused, nothing allocated; ide list is open to everyone
expect_fail "Operation not permitted" asuser tsmctl connect $EP0 $T
asuser tsmctl ide list >/tmp/u.out 2>&1 || fail "unprivileged ide list: $(cat /tmp/u.out)"
grep -q "root port $RP" /tmp/u.out || fail "unprivileged ide list: $(cat /tmp/u.out)"
[ "$(nstreams)" = 0 ] || fail "a refused connect left a stream"
ok "unprivileged connect refused, ide list open to every user"

# connect both endpoints: SECURE, distinct stream IDs and root-port blocks
connect_ok $EP0
sid0=$(jq .stream.id /tmp/c.json)
connect_ok $EP1
sid1=$(jq .stream.id /tmp/c.json)
[ "$sid0" != "$sid1" ] || fail "both endpoints got stream $sid0"
[ "$(ep_state $EP0)" = secure/0 ] && [ "$(ep_state $EP1)" = secure/0 ] ||
	fail "after connect: $EP0 $(ep_state $EP0), $EP1 $(ep_state $EP1)"
jq -e --arg hb "$hb0" --argjson f "$free0" '([.ports[] | select(.role == "root_port")][0] |
	.selective_used == 2 and ([.streams[].root_port_block] | sort) == [0, 1]) and
	(.host_bridges[] | select(.name == $hb) | .free == $f - 2)' /tmp/il.json >/dev/null ||
	fail "ide list after two connects: $(cat /tmp/il.json)"
ok "connect $EP0 (stream $sid0) and $EP1 (stream $sid1): SECURE, root-port blocks 0 and 1, two IDs taken from the pool"
tsmctl ide list | sed 's/^/  | /'
tsmctl ide list >/tmp/il.txt
grep -q "stream $sid0: selective, TC 0; root port $RP block [01] <-> endpoint $EP0 block 0" /tmp/il.txt &&
	grep -q "state: root port SECURE, endpoint SECURE; key set 0 (6 root-port keys programmed)" /tmp/il.txt &&
	grep -q "selective blocks: 2 of 8 in use, 6 free" /tmp/il.txt || fail "ide list: $(cat /tmp/il.txt)"
ok "ide list (text): each stream with its blocks, state at both ends, key set; blocks in use and free"
tc connect $EP0 --ide none $T || fail "connect --ide none: $(cat /tmp/c.out)"
grep -q "keeps no session" /tmp/c.out || fail "connect does not say the session is not kept: $(cat /tmp/c.out)"
[ "$(nstreams)" = 2 ] || fail "connect --ide none allocated a stream"
ok "connect --ide none: authentication and session only; says tsmctl keeps no session"
tc show $EP0 || fail "show: $(cat /tmp/c.out)"
grep -q "Connection: stream $sid0 (selective, TC 0) with root port $RP, key set 0, SECURE" /tmp/c.out &&
	grep -q "Session:    none held by tsmctl" /tmp/c.out || fail "show $EP0: $(cat /tmp/c.out)"
ok "show $EP0: the stream, SECURE, no session held"

# refresh: SECURE all along (the root port's status register sampled), key set 0 -> 1 -> 0
ide_json
rsel=$(jq -r --arg ep "$EP0" '[.ports[] | select(.role == "root_port") | .streams[] | select(.endpoint == $ep)][0].root_port_block' /tmp/il.json)
sample() {
	: >/tmp/samples
	while [ ! -f /tmp/stop ]; do
		simide $RP sel "$rsel" | cut -d' ' -f2 >>/tmp/samples
	done
}
for want in 1 0; do
	rm -f /tmp/stop
	sample &
	spid=$!
	tc -j ide refresh $EP0 $T
	r=$?
	touch /tmp/stop
	wait $spid
	[ $r = 0 ] || fail "ide refresh $EP0: $(cat /tmp/c.out)"
	jq -e --argjson k $want '.ok and .stream.key_set == $k and .stream.state == "secure"' /tmp/c.out \
		>/dev/null || fail "ide refresh: $(cat /tmp/c.out)"
	# the receivers switch first: the endpoint's RX keys, the root port's set, then the endpoint's TX
	jq -e --argjson k $want '.steps as $s | [range(0; $s | length)] as $i
		| ([$i[] | select(($s[.].step | startswith("K_SET_GO")) and $s[.].key_set == $k and $s[.].direction == "RX")] | max) as $rx
		| ([$i[] | select($s[.].step | startswith("ide-kset GO"))] | min) as $rp
		| ([$i[] | select(($s[.].step | startswith("K_SET_GO")) and $s[.].key_set == $k and $s[.].direction == "TX")] | min) as $tx
		| $rx != null and $rp != null and $tx != null and $rx < $rp and $rp < $tx' /tmp/c.out >/dev/null ||
		fail "ide refresh: not endpoint RX GO, root port GO, endpoint TX GO in that order: $(jq -c '[.steps[].step]' /tmp/c.out)"
	n=$(wc -l </tmp/samples)
	bad=0
	while read -r v; do
		[ $((v & 15)) = 2 ] || bad=$((bad + 1))
	done </tmp/samples
	# at least two reads while it ran (a loaded host schedules the sampler seldom)
	[ "$n" -ge 2 ] && [ "$bad" = 0 ] || fail "refresh: $bad of $n samples not SECURE: $(sort /tmp/samples | uniq -c)"
	[ "$(ep_state $EP0)" = secure/$want ] || fail "after refresh: $(ep_state $EP0)"
	[ "$(ep_state $EP1)" = secure/0 ] || fail "$EP1 after $EP0's refresh: $(ep_state $EP1)"
	ok "ide refresh $EP0: key set $want (receivers first), the root port's block read SECURE in all $n samples; $EP1 untouched"
done

# disconnect: the IDs and blocks come back
tc disconnect $EP0 $T || fail "disconnect $EP0: $(cat /tmp/c.out)"
[ "$(ep_state $EP0)" = none ] && [ "$(ep_state $EP1)" = secure/0 ] ||
	fail "after disconnect $EP0: $(ep_state $EP0), $EP1 $(ep_state $EP1)"
tc -j disconnect $EP1 $T || fail "disconnect $EP1: $(cat /tmp/c.out)"
[ "$(nstreams)" = 0 ] && [ "$(rp_q .selective_used)" = 0 ] ||
	fail "after disconnect: $(cat /tmp/il.json)"
jq -e --arg hb "$hb0" --argjson f "$free0" '.host_bridges[] | select(.name == $hb) | .free == $f' \
	/tmp/il.json >/dev/null || fail "pool not given back: $(cat /tmp/il.json)"
expect_fail "no IDE stream" tsmctl disconnect $EP0 $T
ok "disconnect both: no stream, every block and pool ID free again; a second disconnect says there is none"

# exhaustion: the endpoint's two selective blocks, then a clear refusal, nothing changed
connect_ok $EP0
connect_ok $EP0
expect_fail "tsmctl: connect $EP0: ide-stream-new: " tsmctl connect $EP0 $T
# the holders are named in the error; 6.1's extack takes no formatted text:
# there the kernel log has it and the error says so
grep -q "all 2 selective IDE register blocks in use" /tmp/ef.out ||
	{ grep -q "see the kernel log" /tmp/ef.out &&
		dmesg | tail -n 20 | grep -q "$EP0: all 2 selective IDE register blocks in use"; } ||
	fail "exhaustion: $(cat /tmp/ef.out; dmesg | tail -n 5)"
cat /tmp/ef.out >>/tmp/outs
[ "$(nstreams)" = 2 ] || fail "exhaustion: $(cat /tmp/il.json)"
tc disconnect $EP0 $T && tc disconnect $EP0 $T || fail "disconnect after exhaustion: $(cat /tmp/c.out)"
[ "$(nstreams)" = 0 ] || fail "after exhaustion: $(cat /tmp/il.json)"
ok "exhaustion: a third stream for $EP0 refused at ide-stream-new, the two others kept, then freed"

# a link stream needs the endpoint on the root port's own link (a switch is between here)
expect_fail "link stream" tsmctl connect $EP0 --ide link $T
cat /tmp/ef.out >>/tmp/outs
[ "$(nstreams)" = 0 ] || fail "a refused link stream left a stream: $(cat /tmp/il.json)"
ok "connect --ide link refused at ide-stream-new (switch between), nothing left"

# each IDE_KM fault of the emulator (slot 1): one error naming the step, no stream left
fault() { # FAULT WANTED-TEXT
	cat /tmp/emu.log >>/tmp/emu.all
	stop_emu
	start_emu -v --fault "$1" --fault-slot 1 --plug none --export-root /tmp/root.pem
	tsmctl -j connect $EP1 $T >/tmp/f.json 2>/tmp/f.err
	r=$?
	cat /tmp/f.json /tmp/f.err >>/tmp/outs
	[ $r = 1 ] || fail "$1: exit $r: $(cat /tmp/f.json /tmp/f.err)"
	grep -q "tsmctl: connect $EP1: .*$2" /tmp/f.err || fail "$1: $(cat /tmp/f.err)"
	[ "$(grep -c "^tsmctl: connect $EP1: " /tmp/f.err)" -le 2 ] || fail "$1: more than one error: $(cat /tmp/f.err)"
	jq -e '(.ok | not) and (.steps[-1].step | startswith("END_SESSION"))' /tmp/f.json >/dev/null ||
		fail "$1: $(cat /tmp/f.json)"
	[ "$(nstreams)" = 0 ] && [ "$(rp_q .selective_used)" = 0 ] || fail "$1 left a stream: $(cat /tmp/il.json)"
	ok "fault $1: $(head -n 1 /tmp/f.err); no stream left"
}
fault kp-ack-error "KEY_PROG stream [0-9]* K0 RX PR: KP_ACK status 4"
fault idekm-wrong-port "QUERY port 0: QUERY_RESP names port index 1, expected 0"
fault idekm-silent "QUERY port 0: "
fault never-secure "not SECURE after enable"
jq -e '[.steps[] | select(.step | startswith("ide-stream-del"))] | length == 1' /tmp/f.json >/dev/null ||
	fail "never-secure: not undone: $(cat /tmp/f.json)"
cat /tmp/emu.log >>/tmp/emu.all
stop_emu
start_emu -v --plug none --export-root /tmp/root.pem
connect_ok $EP1
tc disconnect $EP1 $T || fail "disconnect after the faults: $(cat /tmp/c.out)"
ok "after the faults: $EP1 connects and disconnects again"

# a root port whose keys a platform TSM owns (the sim without its key unit):
# refused before the attestation, nothing allocated
cat /tmp/emu.log >>/tmp/emu.all
unload_modules
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 key_unit=0 || fail "insmod tsmh_sim key_unit=0"
start_emu -v --export-root /tmp/root.pem
wait_eps 1
expect_fail "root-port IDE keys on .* are owned by the platform TSM; use a TSM backend" \
	tsmctl connect $EP0 $T
cat /tmp/ef.out >>/tmp/outs
! grep -q "authentication" /tmp/ef.out || fail "platform refusal after the attestation: $(cat /tmp/ef.out)"
[ "$(nstreams)" = 0 ] && [ "$(rp_q .key_backend)" = none ] || fail "key_unit=0: $(cat /tmp/il.json)"
ok "root-port keys owned by a platform TSM: connect refused at once, nothing allocated"

# keys never printed or logged: no run of 16 hex digits (a key or an IFV)
dmesg | tail -n +$(($(wc -l </tmp/dmesg.before) + 1)) >/tmp/dmesg.new
cat /tmp/emu.log >>/tmp/emu.all
for f in /tmp/outs /tmp/emu.all /tmp/dmesg.new; do
	# (the one 16-digit number shown on purpose: show's device serial number)
	! grep -v '^  Serial:  ' $f | grep -Eq '[0-9a-fA-F]{16}' ||
		fail "a long hex string in $f: $(grep -v '^  Serial:  ' $f | grep -Eo '[0-9a-fA-F]{16,}' | head -n 3)"
done
ok "no key or IFV in tsmctl's output (either form), the emulator's log or the kernel log"
unload_modules
