# Kernel-held evidence: upload a set (incl. a 16 MiB object), read it back
# over netlink and sysfs, digests, generations, refusals, privileges, a
# writer dying mid-upload, a commit during a read, hot-remove and rmmod.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
D=$EP0
SYS=/sys/bus/pci/devices/$D/tsmh
W=/tmp/ev
mkdir -p $W
cd $W || fail "cd $W"

gen_of() { sed -n 's/^generation //p' "$1" | tail -n1; }
staged() { evput $D staged | sed -n 's/^staged //p'; }
sha() { sha384sum "$1" | cut -d' ' -f1; }

# --- nothing held yet ---
expect_fail "no evidence held" tsmctl evidence $D
[ -e $SYS/generation ] && fail "$SYS/generation exists before any commit"
[ -e $SYS/gate ] || fail "$SYS/gate missing (the directory exists from add)"

# --- a set with a 16 MiB object ---
dd if=/dev/urandom of=cert0 bs=1M count=16 2>/dev/null
dd if=/dev/urandom of=vca bs=300 count=1 2>/dev/null
dd if=/dev/urandom of=measurements bs=4096 count=1 2>/dev/null
dd if=/dev/urandom of=challenge bs=1000 count=1 2>/dev/null
dd if=/dev/urandom of=meas-transcript bs=5000 count=1 2>/dev/null
objs="cert0 vca measurements challenge meas-transcript"
evput $D set:spdm:cert0=cert0,vca=vca,measurements=measurements,challenge=challenge,meas-transcript=meas-transcript >put1.out ||
	fail "put: $(cat put1.out)"
g1=$(gen_of put1.out)
[ -n "$g1" ] && [ "$g1" -gt 0 ] || fail "no generation from the commit: $(cat put1.out)"
ok "committed generation $g1"

for o in $objs; do
	want=$(sha $o)
	tsmctl evidence $D --object $o --out rb.$o || fail "export $o"
	[ "$(sha rb.$o)" = "$want" ] || fail "$o read over netlink differs"
	[ "$(sha $SYS/$o)" = "$want" ] || fail "$o read from sysfs differs"
	[ "$(tsmctl evidence $D --digest --object $o)" = "$want" ] ||
		fail "kernel digest of $o is not sha384sum's"
	rm -f rb.$o
done
ok "netlink, sysfs and kernel SHA-384 agree with the uploaded objects"
[ "$(stat -c %s $SYS/cert0)" = 16777216 ] || fail "sysfs cert0 size $(stat -c %s $SYS/cert0)"
[ "$(stat -c %a $SYS/cert0)" = 400 ] || fail "sysfs cert0 mode $(stat -c %a $SYS/cert0)"
[ "$(cat $SYS/generation)" = "$g1" ] || fail "sysfs generation $(cat $SYS/generation), want $g1"
[ "$(cat $SYS/provenance)" = spdm ] || fail "sysfs provenance $(cat $SYS/provenance)"
[ "$(cat $SYS/locked)" = unknown ] || fail "sysfs locked $(cat $SYS/locked)"
[ -e $SYS/report ] && fail "sysfs shows a report nobody uploaded"
tsmctl -j evidence $D >list.json || fail "tsmctl -j evidence"
[ "$(jq '.objects | length' list.json)" = 5 ] || fail "listing: $(cat list.json)"
[ "$(jq -r '.objects[] | select(.name == "cert0") | .size' list.json)" = 16777216 ] || fail "listing size"
[ "$(jq -r '.objects[] | select(.name == "cert0") | .sha384' list.json)" = "$(sha cert0)" ] ||
	fail "listing digest (computed by tsmctl) differs"
[ "$(jq -r .generation list.json)" = "$g1" ] || fail "listing generation"
tsmctl -j evidence $D --digest >dig.json || fail "tsmctl evidence --digest"
[ "$(jq -r '.objects[] | select(.name == "meas-transcript") | .sha384' dig.json)" = "$(sha meas-transcript)" ] ||
	fail "kernel digest listing differs"
ok "listing (tsmctl and kernel digests), sysfs metadata, sizes and modes"

# --- a new set replaces the old one entirely; the generation moves on ---
dd if=/dev/urandom of=vca2 bs=200 count=1 2>/dev/null
tsmctl monitor --count 1 >mon.out 2>mon.err &
MPID=$!
wait_until 20 "monitor did not subscribe" grep -q monitoring mon.err
evput $D set:firmware-tsm:vca=vca2 >put2.out || fail "second put: $(cat put2.out)"
g2=$(gen_of put2.out)
[ "$g2" = $((g1 + 1)) ] || fail "generation $g1 -> $g2, want +1"
wait_until 20 "no evidence event: $(cat mon.out mon.err)" sh -c "! kill -0 $MPID"
wait $MPID
[ "$(cat mon.out)" = "evidence $D generation $g2 (firmware-tsm)" ] || fail "event: $(cat mon.out)"
[ "$(sha $SYS/vca)" = "$(sha vca2)" ] || fail "sysfs vca not replaced"
[ -e $SYS/cert0 ] && fail "sysfs cert0 survived a commit without it"
[ "$(cat $SYS/generation)" = "$g2" ] || fail "sysfs generation not updated"
[ "$(cat $SYS/provenance)" = firmware-tsm ] || fail "sysfs provenance not updated"
ok "second commit: generation $g2, event sent, old objects gone"

# --- refusals, each with a reason; none of them changes anything ---
expect_fail "larger than 16 MiB" evput $D chunk:cert1:0:16777217:100
expect_fail "chunks not contiguous" evput $D chunk:vca:0:1000:100 chunk:vca:200:1000:100
expect_fail "object incomplete" evput $D chunk:report:0:1000:100 commit:spdm
expect_fail "unknown evidence type" evput $D chunk:99:0:10:10
expect_fail "unknown evidence provenance" evput $D chunk:vca:0:10:10 commit:9
expect_fail "would exceed 64 MiB" evput $D chunk:cert0:0:16777216:100 chunk:cert1:0:16777216:100 \
	chunk:cert2:0:16777216:100 chunk:cert3:0:16777216:100 chunk:cert4:0:1:1
expect_fail "nothing staged" evput $D commit:spdm
# only the kernel records a TDISP report it checked (tdi.c): no forged ones
expect_fail "provenance tdisp-report is the kernel's own" evput $D set:tdisp-report:report=vca2
[ "$(cat $SYS/generation)" = "$g2" ] || fail "a refused upload changed the generation"
[ "$(staged)" = 0 ] || fail "refused uploads left $(staged) bytes staged"
ok "refusals left the set and the staging memory as they were"

# --- unprivileged callers ---
expect_fail "Operation not permitted" asuser evput $D set:spdm:vca=$W/vca
expect_fail "Operation not permitted" asuser tsmctl evidence $D
expect_fail "Operation not permitted" asuser tsmctl evidence $D --digest
asuser cat $SYS/vca >/dev/null 2>&1 && fail "nobody read sysfs vca (mode 0400)"
[ "$(asuser cat $SYS/generation)" = "$g2" ] || fail "generation not world-readable"
[ "$(cat $SYS/generation)" = "$g2" ] || fail "an unprivileged put changed the set"
ok "unprivileged put and read refused"

# --- a writer dying mid-upload leaves the old set intact ---
evput $D obj:cert0:cert0 sleep:30000 >dying.out 2>&1 &
WPID=$!
wait_until 30 "the dying writer never staged its object" sh -c "[ \"\$(evput $D staged | sed -n 's/^staged //p')\" = 16777216 ]"
kill -9 $WPID
wait $WPID 2>/dev/null
wait_until 10 "staging not discarded after the writer died" sh -c "[ \"\$(evput $D staged | sed -n 's/^staged //p')\" = 0 ]"
[ "$(cat $SYS/generation)" = "$g2" ] || fail "dead writer changed the generation"
[ "$(sha $SYS/vca)" = "$(sha vca2)" ] || fail "dead writer changed vca"
tsmctl evidence $D --object vca --out rb.vca && cmp -s rb.vca vca2 || fail "netlink vca after dead writer"
ok "writer killed mid-upload: staging dropped, set intact"

# --- a commit during a long read: a single attempt notices, the library retries ---
evput $D set:spdm:cert0=cert0,vca=vca >put3.out || fail "third put: $(cat put3.out)"
mkdir -p raw rd
(evput $D rawget:$W/raw:20 >raw.out 2>&1; echo $? >raw.rc) &
wait_until 30 "raw reader did not start" test -f raw/.reading
(evput $D get:$W/rd:20 >get.out 2>&1; echo $? >get.rc) &
wait_until 30 "retrying reader did not start" test -f rd/.reading
evput $D set:spdm:vca=vca2,measurements=measurements >put4.out || fail "commit during read: $(cat put4.out)"
g4=$(gen_of put4.out)
wait_until 100 "raw reader did not finish" test -f raw.rc
wait_until 100 "retrying reader did not finish" test -f get.rc
[ "$(cat raw.rc)" != 0 ] || fail "a read across a commit succeeded in one attempt: $(cat raw.out)"
grep -q "evidence updated during read" raw.out || fail "raw reader: $(cat raw.out)"
ok "single read across a commit: $(grep FAIL raw.out)"
[ "$(cat get.rc)" = 0 ] || fail "retrying reader: $(cat get.out)"
[ "$(gen_of get.out)" = "$g4" ] || fail "retrying reader got generation $(gen_of get.out), want $g4"
att=$(sed -n 's/^attempts //p' get.out)
[ "$att" -ge 2 ] || fail "retrying reader needed $att attempt(s); the commit did not hit it"
cmp -s rd/vca vca2 && cmp -s rd/measurements measurements || fail "retried read differs from the new set"
[ -e rd/cert0 ] && fail "retried read has cert0 of the old set"
ok "library retried ($att attempts) and read generation $g4"

# --- hot-remove with evidence present ---
S1=/sys/bus/pci/devices/$EP1/tsmh
evput $EP1 set:spdm:vca=vca >put5.out || fail "put on $EP1: $(cat put5.out)"
[ -f $S1/vca ] || fail "$S1/vca missing"
evput $EP1 chunk:vca:0:100:10 sleep:60000 >/dev/null 2>&1 & # staged at removal time
SPID=$!
wait_until 20 "staging on $EP1 not seen" sh -c "[ \"\$(evput $D staged | sed -n 's/^staged //p')\" = 100 ]"
echo 1 >/sys/bus/pci/devices/$EP1/remove || fail "sysfs remove"
wait_gone $EP1
[ -e /sys/bus/pci/devices/$EP1 ] && fail "$EP1 still in sysfs"
[ "$(staged)" = 0 ] || fail "staging of a removed device kept: $(staged)"
kill $SPID 2>/dev/null
wait $SPID 2>/dev/null
stop_emu
start_emu
echo 1 >/sys/bus/pci/rescan
wait_eps 2
expect_fail "no evidence held" tsmctl evidence $EP1
[ -e $S1/vca ] || [ -e $S1/generation ] && fail "a re-added device shows old evidence in sysfs"
ok "hot-remove with evidence and staging: files gone, nothing carried over"

# --- rmmod with evidence present ---
[ -f $SYS/vca ] || fail "$SYS/vca missing before rmmod"
stop_emu
rmmod tsmh_core || fail "rmmod tsmh_core with evidence held"
[ -e /sys/bus/pci/devices/$D ] || fail "$D vanished with tsmh_core"
[ -e $SYS ] && fail "$SYS left behind by rmmod tsmh_core"
rmmod tsmh_sim || fail "rmmod tsmh_sim"
ok "rmmod with evidence held: directory removed, device untouched"
