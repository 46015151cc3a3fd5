# The sim's IDE model: a selective stream goes SECURE at both ends only
# when both are enabled with the same stream ID and the root port's key
# unit holds the keys the endpoint got through IDE_KM (tsmctl ide km DEV
# through the kernel's DOE proxy); a wrong key leaves it INSECURE with
# IDE_FAIL at the receiver; disable and FLR drop it to INSECURE; the
# emulator's never-secure fault keeps it INSECURE. Registers are driven
# with simide (tests/vm/simide.c) until the kernel's connect flow exists.
. /tests/lib.sh
load_modules 2
start_emu -v --export-root /tmp/root.pem --fault never-secure --fault-slot 1
wait_eps 2

state() { echo $(($(simide "$1" sel "$2" | cut -d' ' -f2) & 0xf)); }
fail_bit() { echo $((($(simide "$1" sel "$2" | cut -d' ' -f2) >> 31) & 1)); }
both() { # both STATE DESC: RP block 0 and EP0 block 0 in STATE
	[ "$(state $RP 0)" = "$1" ] && [ "$(state $EP0 0)" = "$1" ] ||
		fail "$2: root port $(simide $RP sel 0), endpoint $(simide $EP0 sel 0)"
}
# RP: stream 5 for EP0's RID (03:00.0); EP0: stream 5, RID range 00:00.0
rp_on() { simide $RP sel-set 0 0x05000001 0x030000 0x030001; }
ep_on() { simide $EP0 sel-set 0 0x05000001 0x000000 0x000001; }
keys() { # keys FILE SID DEV [--keep]: IDE_KM with the keys written to FILE
	f=$1 sid=$2 dev=$3
	shift 3
	rm -f "$f"
	tsmctl -j ide km "$dev" --trust /tmp/root.pem --stream-id "$sid" --key-file "$f" "$@" \
		>/tmp/km.json 2>&1 || fail "ide km $dev: $(cat /tmp/km.json)"
}

# the root port's config space: IDE, AER and the key unit VSEC, no anomaly
dd if=/sys/bus/pci/devices/$RP/config of=/tmp/rp.cfg bs=4096 count=1 2>/dev/null
tsmctl -j caps /tmp/rp.cfg | jq -e '.ide.offset == 256 and .ide.selective_streams == 8 and
	.anomaly == null and ([.capabilities[] | select(.extended) | .id] == [48, 1, 11])' \
	>/dev/null || fail "root port caps: $(tsmctl -j caps /tmp/rp.cfg)"
ok "root port: IDE (8 selective streams), AER, key unit VSEC; tsmctl caps finds no anomaly"

# register behaviour: status is read-only, a reserved algorithm is not taken
simide $EP0 sel-set 0 0x00004000 0 0 # algorithm 1: reserved
ctl=$(simide $EP0 sel 0 | cut -d' ' -f1)
[ $((ctl & 0x7c000)) = 0 ] || fail "reserved algorithm taken: control $ctl"
ra=$(simide $RP sel 3)
simide $RP sel-set 3 0x00000000 0x0123ff00 0x45012301
[ "$(simide $RP sel 3 | cut -d' ' -f3-)" = "0x0123ff00 0x45012301" ] ||
	fail "RID association does not round-trip: $(simide $RP sel 3)"
# root port block 3 at 0x100 + 0x14 + 3 * 32: address association 1-3 at +0x14
for r in 0x188:0x12300001 0x18c:0x00000001 0x190:0x00000002; do
	simide $RP w32 ${r%:*} ${r#*:}
	[ $(($(simide $RP r32 ${r%:*}))) = $((${r#*:})) ] || fail "address association ${r%:*}: $(simide $RP r32 ${r%:*})"
done
# link block: control round-trips, status is read-only
simide $RP w32 0x10c 0x00000001
simide $RP w32 0x110 0x00000002
[ $(($(simide $RP r32 0x10c))) = 1 ] && [ $(($(simide $RP r32 0x110))) = 0 ] ||
	fail "link block: control $(simide $RP r32 0x10c) status $(simide $RP r32 0x110)"
simide $RP w32 0x10c 0
ok "control: reserved algorithm refused; RID and address association and link control round-trip, link status read-only ($ra -> $(simide $RP sel 3))"

# key unit errors: reserved sub-stream, GO without six keys, two commands at once
ku_err() { # SELECTOR COMMAND: the error code the status reports
	simide $RP w32 0x28c "$1"
	simide $RP w32 0x290 "$2"
	st=$(simide $RP r32 0x294)
	[ $((st & 1)) = 1 ] || fail "key unit: command $2 not done: $st"
	echo $(((st >> 4) & 0xf))
}
[ "$(ku_err 0xc09 1)$(ku_err 0x009 2)$(ku_err 0x009 3)" = 134 ] ||
	fail "key unit error codes: $(ku_err 0xc09 1)$(ku_err 0x009 2)$(ku_err 0x009 3)"
ok "key unit refuses a reserved sub-stream, GO without six keys, two commands at once"

# enabled at both ends without keys: INSECURE
rp_on
ep_on
both 0 "enabled, no keys"
ok "enabled at both ends without keys: INSECURE"
simide $RP sel-set 0 0 0x030000 0x030001

# keys through IDE_KM (kept in use) and the same keys into the key unit
keys /tmp/k5 5 $EP0 --keep
[ "$(stat -c %a /tmp/k5)" = 600 ] || fail "key file mode $(stat -c %a /tmp/k5)"
[ "$(grep -c . /tmp/k5)" = 6 ] || fail "key file: $(wc -l </tmp/k5) lines"
jq -e 'all(.steps[]; .ok) and ([.steps[] | select(.step | startswith("K_SET_STOP"))] | length) == 0' \
	/tmp/km.json >/dev/null || fail "ide km --keep: $(cat /tmp/km.json)"
ok "tsmctl ide km $EP0 --keep --key-file: six keys, started, not stopped; key file 0600"
st=$(simide $RP ku-load /tmp/k5) || fail "key unit load: $st"
[ $((st & 0x100)) != 0 ] || fail "key unit: set not active after GO: $st"
ok "root-port key unit: six keys programmed, set 0 active (status $st)"
for o in 0x18 0x1c 0x34 0x38 0x3c; do
	v=$(simide $RP r32 $((0x280 + o)))
	[ $((v)) = 0 ] || fail "key unit register $o reads $v"
done
ok "key unit key/IFV registers read back 0"
rp_on
both 2 "same keys, both enabled"
[ "$(fail_bit $RP 0)$(fail_bit $EP0 0)" = 00 ] || fail "IDE_FAIL with the right keys"
ok "stream 5: SECURE at both ends"

# a change of stream ID at one end: INSECURE
simide $EP0 sel-set 0 0x07000001 0 1
both 0 "stream IDs differ"
ep_on
both 2 "stream IDs equal again"
ok "stream IDs differ: INSECURE; equal again: SECURE"

# disable: INSECURE, and the root port's keys are gone
simide $RP sel-set 0 0 0x030000 0x030001
both 0 "root port disabled"
st=$(simide $RP ku-sts 5)
[ $((st & 0xfff0100)) = 0 ] || fail "key unit still holds stream 5 keys after disable: $st"
rp_on
both 0 "re-enabled without root-port keys"
ok "disable: INSECURE at both ends, root-port keys wiped ($st); re-enable without keys stays INSECURE"

# a wrong key: INSECURE, IDE_FAIL at the receiver (the endpoint: its RX PR key differs)
simide $RP ku-load /tmp/k5 corrupt >/dev/null || fail "key unit load (corrupt)"
both 0 "one wrong key"
[ "$(fail_bit $EP0 0)" = 1 ] || fail "no IDE_FAIL at the endpoint: $(simide $EP0 sel 0)"
[ "$(fail_bit $RP 0)" = 0 ] || fail "IDE_FAIL at the root port: $(simide $RP sel 0)"
simide $EP0 w32 $((0x118 + 0x14 + 8)) 0x00000002 # state bits: read-only
[ "$(state $EP0 0)" = 0 ] || fail "state writable"
simide $EP0 sel-clear 0
[ "$(fail_bit $EP0 0)" = 0 ] || fail "IDE_FAIL not cleared by writing 1"
ok "wrong key: INSECURE, IDE_FAIL at the endpoint only; state read-only; IDE_FAIL RW1C"
simide $RP ku-load /tmp/k5 >/dev/null || fail "key unit load (right keys)"
both 2 "right keys reprogrammed"
ok "right keys reprogrammed: SECURE"

# FLR of the endpoint: INSECURE, its keys are gone (re-enabling does not help)
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR $EP0"
[ "$(state $RP 0)" = 0 ] || fail "root port SECURE after the endpoint's FLR"
[ $(($(simide $EP0 sel 0 | cut -d' ' -f1) & 1)) = 0 ] || fail "endpoint stream enabled after FLR"
ep_on
both 0 "endpoint re-enabled after FLR"
ok "FLR of $EP0: INSECURE, stream control reset, its keys gone"
keys /tmp/k5b 5 $EP0 --keep
simide $RP ku-load /tmp/k5b >/dev/null || fail "key unit load after FLR"
both 2 "re-keyed after FLR"
ok "re-keyed after the FLR: SECURE again"
# key set 1 (a refresh's other set): the endpoint's active set switches
# first (this IDE_KM run is a new session, the old set is gone there), then
# the root port's: SECURE on key set 1
keys /tmp/k5r 5 $EP0 --keep --key-set 1
[ "$(grep -c '^5 1 ' /tmp/k5r)" = 6 ] || fail "key file for set 1: $(cut -d' ' -f1-4 /tmp/k5r)"
st=$(simide $RP ku-load /tmp/k5r) || fail "key unit load (set 1): $st"
[ $((st & 0x300)) = $((0x300)) ] || fail "key unit: set 1 not active: $st"
simide $EP0 sel-clear 0
simide $RP sel-clear 0
both 2 "key set 1 at both ends"
ok "key set 1 at both ends: SECURE (key unit status $st)"
# a secondary bus reset above the endpoint does the same
sbr=$DOM:02:00.0
bc=$(simide $sbr r32 0x3c)
simide $sbr w32 0x3c $((bc | 0x400000))
simide $sbr w32 0x3c $bc
[ "$(state $RP 0)" = 0 ] || fail "root port SECURE after a secondary bus reset"
ok "secondary bus reset: INSECURE"

# never-secure (slot 1): keys and GO accepted, both enabled, never SECURE, no IDE_FAIL
keys /tmp/k6 6 $EP1 --keep
simide $RP ku-load /tmp/k6 >/dev/null || fail "key unit load (stream 6)"
simide $RP sel-set 1 0x06000001 0x040000 0x040001
simide $EP1 sel-set 0 0x06000001 0 1
[ "$(state $RP 1)$(state $EP1 0)" = 00 ] || fail "never-secure: $(simide $RP sel 1) $(simide $EP1 sel 0)"
[ "$(fail_bit $RP 1)$(fail_bit $EP1 0)" = 00 ] || fail "never-secure: IDE_FAIL"
ok "emulator fault never-secure: INSECURE with the right keys, no IDE_FAIL"

# keys never in the logs
for f in /tmp/k5 /tmp/k5b /tmp/k5r /tmp/k6; do
	for k in $(cut -d' ' -f5 $f); do
		! grep -q "$k" /tmp/emu.log /tmp/km.json || fail "a key in a log"
		! dmesg | grep -q "$k" || fail "a key in the kernel log"
	done
done
rm -f /tmp/k5 /tmp/k5b /tmp/k5r /tmp/k6
ok "no key in the emulator's log, tsmctl's output or the kernel log"
unload_modules
