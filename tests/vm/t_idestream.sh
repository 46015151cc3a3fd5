# The kernel's IDE streams (ABI 5) driven by hand, one netlink command a
# step (tests/vm/idenl.c): ide-stream-new programs both ends (read back
# through config space), the root port is keyed through ide-key-prog /
# ide-kset and the endpoint through IDE_KM (tsmctl ide km --keep, as
# t_simide), ide-stream-enable reads SECURE; a wrong key is not SECURE and
# raises IDE_FAIL; exhaustion of the endpoint's and the root port's blocks
# is EBUSY naming the holders and changes nothing; an FLR of the endpoint
# flags the stream (evt-ide INSECURE), re-keying and enabling brings it
# back; STOP of one key set leaves the other; delete clears the blocks and
# wipes the root port's keys; unprivileged callers and malformed keys are
# refused; hot-removal deletes streams; a root port without a host key
# unit (sim key_unit=0) refuses ide-stream-new with nothing allocated; a
# stream enabled before tsmh_core loads is claimed, left enabled by an
# unload, deleted on request.
. /tests/lib.sh
load_modules 5
start_emu -v --export-root /tmp/root.pem
wait_eps 5
set -- $(sim_eps 5)
EP2=$3 EP3=$4 EP4=$5

idenl events >/tmp/ev.log 2>&1 &
EVPID=$!
wait_until 5 "event listener did not start" grep -q listening /tmp/ev.log
trap 'kill $EVPID 2>/dev/null' EXIT

sid_of() { sed -n 's/^stream \([0-9]*\) .*/\1/p' | head -n 1; }
field() { # field NAME: the value of NAME= in the stream line on stdin
	sed -n "s/^stream .* $1=\([^ ]*\).*/\1/p" | head -n 1
}
sline() { idenl get "$1" | grep "^stream $2 "; }
keys() { # keys FILE SID DEV: IDE_KM with the keys kept and written to FILE
	rm -f "$1"
	tsmctl -j ide km "$3" --trust /tmp/root.pem --stream-id "$2" --key-file "$1" --keep \
		>/tmp/km.json 2>&1 || fail "ide km $3: $(cat /tmp/km.json)"
}
ctl() { simide "$1" sel "$2" | cut -d' ' -f1; }

# ide-get is open to every user; the root port has the host key unit
capexec 65534 none idenl get $RP >/tmp/g.out || fail "ide-get as nobody: $(cat /tmp/g.out)"
grep -q "^port $RP role=0 sel=0/8 hb=pci$DOM:00 used=0/256 kb=1 " /tmp/g.out ||
	fail "root port: $(cat /tmp/g.out)"
idenl get $EP0 | grep -q "^port $EP0 role=1 sel=0/2 .* upstream=$RP\$" ||
	fail "endpoint: $(idenl get $EP0)"
ok "ide-get (as nobody): root port 8 blocks, host key unit; endpoint 2 blocks below $RP"
[ "$(ctl $RP 3)" = 0xff000000 ] && [ "$(ctl $EP0 1)" = 0xff000000 ] ||
	fail "idle blocks: root port $(ctl $RP 3), endpoint $(ctl $EP0 1)"
ok "idle blocks hold stream ID 255"

# privilege
for who in none net_admin; do
	capexec 65534 $who idenl new $EP0 >/tmp/p.out
	grep -q "^error -1: CAP_SYS_ADMIN required" /tmp/p.out || fail "ide-stream-new as $who: $(cat /tmp/p.out)"
	capexec 65534 $who idenl keylen $EP0 0 32 8 >/tmp/p.out
	grep -q "^error -1: " /tmp/p.out || fail "ide-key-prog as $who: $(cat /tmp/p.out)"
done
idenl get $RP | grep -q "sel=0/8 .* used=0/256" || fail "allocated by a refused caller: $(idenl get $RP)"
ok "ide-stream-new and ide-key-prog need CAP_SYS_ADMIN (nobody, CAP_NET_ADMIN refused)"

# a stream: both ends programmed, not enabled
idenl new $EP0 >/tmp/n.out || fail "ide-stream-new: $(cat /tmp/n.out)"
S=$(sid_of </tmp/n.out)
[ -n "$S" ] && grep -q "^stream $S rp=$RP/0 ep=$EP0/0 .* flags=0x0 " /tmp/n.out ||
	fail "new stream: $(cat /tmp/n.out)"
set -- $(simide $RP sel 0)
[ $(($1)) = $((S << 24)) ] && [ "$3" = 0x00030000 ] && [ $(($4 & 0xffff01)) = $((0x030001)) ] ||
	fail "root port block 0: $*"
set -- $(simide $EP0 sel 0)
[ $(($1)) = $((S << 24)) ] && [ "$3" = 0x00000000 ] && [ $(($4 & 0xffff01)) = 1 ] ||
	fail "endpoint block 0: $*"
ok "ide-stream-new: stream $S, block 0 at both ends: ID, RID association (root port: $EP0's RID; endpoint: $RP's), not enabled"

# keys: the endpoint through IDE_KM, the root port through ide-key-prog, then enable
keys /tmp/k1 $S $EP0
idenl keys $EP0 $S /tmp/k1 >/tmp/k.out || fail "root-port keys: $(cat /tmp/k.out)"
idenl enable $EP0 $S >/tmp/e.out || fail "enable: $(cat /tmp/e.out)"
grep -q "rp_state=2 ep_state=2 rp_fail=0 ep_fail=0 flags=0x3 keys=0x3f set=0" /tmp/e.out ||
	fail "enable: $(cat /tmp/e.out)"
sline $EP0 $S | grep -q "flags=0x3 " || fail "ide-get after enable: $(idenl get $EP0)"
ok "keyed at both ends and enabled: SECURE at both ends (reply and ide-get)"
for e in 0 1 2; do
	grep -q "^evt $e $EP0 stream $S " /tmp/ev.log || fail "no evt-ide $e: $(cat /tmp/ev.log)"
done
ok "evt-ide NEW, KEYED, ENABLED"

# a wrong root-port key (on $EP1: a new IDE_KM session of tsmh-emu hands
# the sim only that session's keys, so $EP0's stream keeps its own), not
# SECURE, IDE_FAIL at the endpoint
S3=$(idenl new $EP1 | sid_of)
[ -n "$S3" ] || fail "stream on $EP1"
keys /tmp/k2 $S3 $EP1
idenl keys $EP1 $S3 /tmp/k2 corrupt >/tmp/k.out || fail "root-port keys: $(cat /tmp/k.out)"
idenl enable $EP1 $S3 >/tmp/e.out || fail "enable: $(cat /tmp/e.out)"
[ "$(field ep_state </tmp/e.out)$(field ep_fail </tmp/e.out)" = 01 ] &&
	! grep -q "flags=0x3" /tmp/e.out || fail "wrong key: $(cat /tmp/e.out)"
ok "one wrong root-port key: stream $S3 not SECURE, IDE_FAIL at the endpoint"

# exhaustion at the endpoint (2 blocks): EBUSY with the holders, nothing changed
S2=$(idenl new $EP0 | sid_of)
[ -n "$S2" ] || fail "second stream on $EP0"
idenl get $RP >/tmp/before
idenl new $EP0 >/tmp/x.out && fail "a third stream on $EP0: $(cat /tmp/x.out)"
grep -q "^error -16: " /tmp/x.out || fail "endpoint exhaustion: $(cat /tmp/x.out)"
# the whole message (the extack holds 80 bytes) is in the kernel log
logged() { dmesg | grep "allocation refused" | tail -n 1 | grep -q "$1"; }
wait_until 3 "holders not named: $(cat /tmp/x.out) / $(dmesg | tail -n 3)" \
	logged "endpoint $EP0: all 2 selective IDE register blocks in use (streams .* with root port $RP"
idenl get $RP | cmp -s - /tmp/before || fail "refused allocation changed the root port"
ok "endpoint exhaustion: EBUSY ($(cat /tmp/x.out)), holders in the log, nothing changed"

# exhaustion at the root port (8 blocks): streams on three more endpoints
idenl new $EP1 >/dev/null || fail "second stream on $EP1"
for ep in $EP2 $EP3; do
	idenl new $ep >/dev/null && idenl new $ep >/dev/null || fail "streams on $ep"
done
idenl get $RP | grep -q "sel=8/8 .* used=8/256" || fail "root port: $(idenl get $RP)"
idenl new $EP4 >/tmp/x.out && fail "a ninth stream: $(cat /tmp/x.out)"
grep -q "^error -16: " /tmp/x.out || fail "root port exhaustion: $(cat /tmp/x.out)"
wait_until 3 "root port holders not named: $(dmesg | tail -n 3)" \
	logged "root port $RP: all 8 selective .* by $EP3"
idenl get $EP4 | grep -q "sel=0/2 " || fail "endpoint allocated anyway: $(idenl get $EP4)"
ok "root port exhaustion: EBUSY ($(cat /tmp/x.out)), holders named, nothing allocated at $EP4"

# delete: blocks back to idle, root-port keys wiped
idenl del $EP1 $S3 >/tmp/d.out || fail "del: $(cat /tmp/d.out)"
set -- $(simide $EP1 sel 0)
[ "$1 $4" = "0xff000000 0x00000000" ] || fail "endpoint block 0 after del: $*"
st=$(simide $RP ku-sts $S3)
[ $((st & 0xfff0100)) = 0 ] || fail "root-port keys of $S3 after del: $st"
grep -q "^evt 4 $EP1 stream $S3 " /tmp/ev.log || fail "no evt-ide DELETED"
ok "ide-stream-del: blocks idle (ID 255, no association), root-port keys wiped, evt-ide DELETED"
for ep in $EP1 $EP2 $EP3; do
	for s in $(idenl get $ep | sed -n 's/^stream \([0-9]*\) .*/\1/p'); do
		idenl del $ep $s >/dev/null || fail "del $ep $s"
	done
done
idenl del $EP0 $S2 >/dev/null || fail "del $S2"
idenl get $RP | grep -q "sel=1/8 .* used=1/256" || fail "after deletes: $(idenl get $RP)"
sline $EP0 $S | grep -q "flags=0x3 " || fail "stream $S after the others went: $(sline $EP0 $S)"
ok "the others deleted: root port back to 1 block, pool 1; stream $S still SECURE"

# malformed key attributes, refused before anything is written
for kl in "31 8" "33 8" "32 7" "0 8"; do
	idenl keylen $EP0 $S $kl >/tmp/m.out && fail "key lengths $kl accepted"
	grep -q "^error -22: .*\(key must be\|IFV must be\|required\)" /tmp/m.out ||
		fail "key lengths $kl: $(cat /tmp/m.out)"
done
sline $EP0 $S | grep -q "flags=0x3 keys=0x3f set=0" || fail "malformed requests changed the stream: $(sline $EP0 $S)"
idenl keylen $EP0 200 32 8 | grep -q "^error -2: " || fail "key for an unknown stream"
ok "malformed key/IFV lengths: EINVAL naming the attribute; the stream unchanged; unknown stream ENOENT"

# FLR of the endpoint: evt-ide INSECURE, flag reset, the stream stays
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR"
wait_until 5 "no evt-ide INSECURE after the FLR: $(cat /tmp/ev.log)" grep -q "^evt 3 $EP0 stream $S " /tmp/ev.log
l=$(sline $EP0 $S)
[ "$(echo "$l" | field flags)" = 0x4 ] && [ "$(echo "$l" | field ep_state)" = 0 ] ||
	fail "after FLR: $l"
ok "FLR of $EP0: evt-ide INSECURE, stream $S kept with flag reset, not enabled"
keys /tmp/k3 $S $EP0
idenl keys $EP0 $S /tmp/k3 >/tmp/k.out || fail "re-key: $(cat /tmp/k.out)"
idenl enable $EP0 $S >/tmp/e.out || fail "re-enable: $(cat /tmp/e.out)"
grep -q "rp_state=2 ep_state=2 .* flags=0x3 " /tmp/e.out || fail "after re-key: $(cat /tmp/e.out)"
ok "re-keyed and enabled again (the endpoint's block set up anew): SECURE, flag cleared"

# STOP per key set: set 1 stopped, set 0 stays; set 0 stopped: INSECURE
idenl kset $EP0 $S 1 stop >/tmp/k.out || fail "STOP set 1: $(cat /tmp/k.out)"
sline $EP0 $S | grep -q "rp_state=2 .* keys=0x3f set=0" || fail "STOP set 1: $(sline $EP0 $S)"
idenl kset $EP0 $S 0 stop >/dev/null || fail "STOP set 0"
sline $EP0 $S | grep -q "rp_state=0 .* keys=0x0 " || fail "STOP set 0: $(sline $EP0 $S)"
ok "K_SET_STOP of set 1 leaves set 0 (SECURE); of set 0: keys gone, INSECURE"

# no key anywhere in the logs
for f in /tmp/k1 /tmp/k2 /tmp/k3; do
	for k in $(cut -d' ' -f5 $f); do
		! grep -q "$k" /tmp/ev.log /tmp/e.out /tmp/emu.log || fail "a key in a log"
		! dmesg | grep -q "$k" || fail "a key in the kernel log"
	done
done
rm -f /tmp/k1 /tmp/k2 /tmp/k3
ok "no key in the kernel log, the events or the emulator's log"

# unloading tsmh_core deletes its streams: disabled, blocks idle
rmmod tsmh_core || fail "rmmod tsmh_core"
kill $EVPID 2>/dev/null
[ "$(ctl $RP 0)" = 0xff000000 ] && [ "$(ctl $EP0 0)" = 0xff000000 ] ||
	fail "stream left at unload: $(ctl $RP 0) $(ctl $EP0 0)"
dmesg | grep -q "$EP0: tsmh: IDE stream $S with $RP deleted" || fail "unload: no deletion logged"
ok "rmmod tsmh_core: stream $S disabled, blocks idle (ID 255)"

# hot-removal (the sim goes): the stream is disabled and deleted
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
wait_eps 5
idenl events >/tmp/ev.log 2>&1 &
EVPID=$!
wait_until 5 "event listener did not start" grep -q listening /tmp/ev.log
S=$(idenl new $EP0 | sid_of)
[ -n "$S" ] || fail "stream after reload"
stop_emu
rmmod tsmh_sim || fail "rmmod tsmh_sim"
wait_until 5 "no evt-ide DELETED at removal: $(cat /tmp/ev.log)" grep -q "^evt 4 $EP0 stream $S " /tmp/ev.log
ok "removal of $EP0: evt-ide DELETED for stream $S"
rmmod tsmh_core || fail "rmmod tsmh_core"
kill $EVPID 2>/dev/null

# a root port without the host key unit: refused before anything is allocated
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 key_unit=0 || fail "insmod tsmh_sim key_unit=0"
start_emu
wait_eps 1
idenl get $RP | grep -q "^port $RP role=0 sel=0/8 .* kb=0 platform=" || fail "no key backend: $(idenl get $RP)"
idenl new $EP0 >/tmp/x.out && fail "stream without a key backend: $(cat /tmp/x.out)"
grep -q "^error -95: root-port IDE keys on .* are owned by the platform TSM; use a TSM backend" /tmp/x.out ||
	fail "platform refusal: $(cat /tmp/x.out)"
idenl get $RP | grep -q "sel=0/8 .* used=0/256" && idenl get $EP0 | grep -q "sel=0/2 " &&
	! idenl get $EP0 | grep -q "^stream" || fail "allocated anyway: $(idenl get $RP; idenl get $EP0)"
# (a kernel with an IDE core, pci_ide_init(), writes 255 there itself)
grep -q " pci_ide_init\$" /proc/kallsyms || [ "$(ctl $RP 3)" = 0x00000000 ] ||
	fail "a platform-owned root port's idle block written: $(ctl $RP 3)"
ok "no host key unit: $(cat /tmp/x.out); nothing allocated, idle blocks left as they were"

# a stream enabled at both ends before tsmh_core loads is claimed, not reprogrammed
rmmod tsmh_core || fail "rmmod tsmh_core"
simide $RP sel-set 2 0x09000001 0x030000 0x030001
simide $EP0 sel-set 0 0x09000001 0 1
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
wait_until 5 "not claimed: $(idenl get $EP0)" sh -c "idenl get $EP0 | grep -q '^stream 9 rp=$RP/2 ep=$EP0/0 .* flags=0x9 '"
[ "$(ctl $RP 2)" = 0x09000001 ] && [ "$(ctl $EP0 0)" = 0x09000001 ] ||
	fail "claimed blocks reprogrammed: $(ctl $RP 2) $(ctl $EP0 0)"
idenl get $RP | grep -q "sel=1/8 .* used=1/256" || fail "claim not counted: $(idenl get $RP)"
ok "stream 9 enabled before load: claimed (flags enabled+claimed, blocks 2/0 untouched)"
# unloading leaves a claimed stream as it was found; the next load claims it again
rmmod tsmh_core || fail "rmmod tsmh_core"
[ "$(ctl $RP 2)" = 0x09000001 ] && [ "$(ctl $EP0 0)" = 0x09000001 ] ||
	fail "claimed stream touched at unload: $(ctl $RP 2) $(ctl $EP0 0)"
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
wait_until 5 "not claimed again: $(idenl get $EP0)" sh -c "idenl get $EP0 | grep -q '^stream 9 .* flags=0x9 '"
ok "rmmod tsmh_core leaves the claimed stream enabled; insmod claims it again"
idenl del $EP0 9 >/dev/null || fail "del claimed stream"
[ "$(ctl $RP 2)" = 0xff000000 ] && [ "$(ctl $EP0 0)" = 0xff000000 ] ||
	fail "claimed stream deleted: $(ctl $RP 2) $(ctl $EP0 0)"
ok "ide-stream-del of the claimed stream: blocks idle (ID 255)"
unload_modules
