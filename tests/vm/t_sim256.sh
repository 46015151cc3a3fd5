# 256 emulated endpoints (issue 11). A PCI domain has 256 bus numbers and
# every endpoint needs a bus of its own, so tsmh_sim puts 128 endpoints in
# each domain (kmod/sim/sim.h): 256 span two domains, each with its own
# root port and switch. All 256 appear in sysfs at the addresses sim_eps
# names, each carrying its own slot's serial number (the slot -> address
# mapping is right in both domains); tsmh_core tracks every one (listed,
# DOE discovered); both root ports are listed with their IDE streams; the
# last endpoint's mailbox (second domain) carries a whole attestation;
# cards of 2 functions work at 256 too (512 endpoint functions), and 257
# endpoints are refused naming the range. Unloading removes both domains.
# Takes 50-70 s under TCG on an idle host: more than the usual 120 s limit
# on a busy one.
# tsmh-vm: timeout 300
. /tests/lib.sh
N=256
[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
expect_fail "" insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=$((N + 1))
dmesg | grep -q "nr_endpoints=$((N + 1)) out of range 1-$N" || fail "no range error logged: $(dmesg | tail -n 3)"
ok "nr_endpoints=$((N + 1)): $(dmesg | grep -o "nr_endpoints=$((N + 1)) out of range.*" | tail -n 1)"

# list_check N_FN: every endpoint of the N-endpoint sim with N_FN functions
# per card is in sysfs, tracked by tsmh_core with its slot's serial number
# (the serial is "TSMH" and the slot number, cfg.c build_ep); one jq run
# (each costs a lot under TCG)
list_check() {
	tsmctl -j list >/tmp/list.json || fail "tsmctl list"
	i=0
	: >/tmp/want
	for d in $(sim_eps $N); do
		printf '%s 54534d48%08x\n' "$d" $i >>/tmp/want
		read -r v </sys/bus/pci/devices/$d/device || fail "$d (slot $i) not in sysfs"
		[ "$v" = 0x1e10 ] || fail "$d: device ID '$v' in sysfs"
		f=1
		while [ $f -lt "$1" ]; do
			read -r v <"/sys/bus/pci/devices/${d%.0}.$f/device" && [ "$v" = 0x1e14 ] ||
				fail "${d%.0}.$f: function $f of slot $i missing"
			f=$((f + 1))
		done
		i=$((i + 1))
	done
	sort -o /tmp/want /tmp/want
	jq -r '.[] | select(.pcie_type == "Endpoint" and .discovered and .tee_io) | "\(.name) \(.serial)"' \
		/tmp/list.json | sort >/tmp/have
	cmp -s /tmp/want /tmp/have ||
		fail "tracked TEE-IO endpoints (name serial) differ from the $N expected: $(diff /tmp/want /tmp/have | head -n 5)"
	sim_rps $N >/tmp/want
	jq -r '.[] | select(.pcie_type == "Root Port" and .ide.selective_streams == 8) | .name' \
		/tmp/list.json | sort >/tmp/have
	cmp -s /tmp/want /tmp/have || fail "root ports with IDE: $(cat /tmp/have), want $(cat /tmp/want)"
}

# wait_all: until the N TEE-IO endpoints are listed, discovered, within 120 s;
# polled every second (a listing of 256 costs more than wait_eps's 0.1 s)
wait_all() {
	_w=0
	while :; do
		n=$(tsmctl -j list 2>/dev/null | jq '[.[] | select(.pcie_type == "Endpoint" and .discovered and .tee_io)] | length')
		[ "${n:-0}" = $N ] && return 0
		_w=$((_w + 1))
		[ $_w -lt 120 ] || fail "$n of $N endpoints listed after 120 s"
		sleep 1
	done
}

t0=$(date +%s)
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=$N || fail "insmod tsmh_sim nr_endpoints=$N"
start_emu -v --export-root /tmp/root.pem
wait_all
t1=$(date +%s)
list_check 1
ok "$N endpoints listed and tracked $((t1 - t0)) s after insmod (checked in $(($(date +%s) - t1)) s), domains $(sim_rps $N | cut -d: -f1 | tr '\n' ' ')(serials match slots)"
last=$(sim_eps $N | tail -n 1)
tsmctl attest "$last" --trust /tmp/root.pem >/tmp/att.out 2>&1 || fail "attest $last: $(cat /tmp/att.out)"
grep -q "slot $((N - 1)) seq" /tmp/emu.log || fail "the emulator did not answer slot $((N - 1)) for $last"
ok "$last (slot $((N - 1))) attested through its mailbox"
unload_modules
for rp in $(sim_rps $N); do
	[ ! -e /sys/bus/pci/devices/$rp ] || fail "$rp still there after rmmod"
done
ok "rmmod removed both domains"

t0=$(date +%s)
insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core again"
insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=$N nr_functions=2 || fail "insmod tsmh_sim nr_endpoints=$N nr_functions=2"
start_emu
wait_all
list_check 2
n=$(jq '[.[] | select(.device == "1e14")] | length' /tmp/list.json)
[ "$n" = $N ] || fail "$n of $N second functions tracked by tsmh_core"
ok "$N cards of 2 functions: all $((2 * N)) functions present and tracked in $(($(date +%s) - t0)) s"
unload_modules
