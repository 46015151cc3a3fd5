# Helpers for the guest tests (busybox sh). Each test is tests/vm/t_NAME.sh,
# exits 0 (pass), 77 (skip) or anything else (fail), and prints why.
set -u
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER/extra
DOM=10000
EP0=$DOM:03:00.0
EP1=$DOM:04:00.0
RP=$DOM:00:00.0
EMU_PID=

fail() {
	echo "FAIL: $*"
	[ -f /tmp/emu.log ] && sed 's/^/  emu: /' /tmp/emu.log | tail -n 20
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}
ok() { echo "ok: $*"; }

# kernel >= 6.5 has the PCI core DOE API (backend "kernel"), else "cfg"
kernel_has_doe_api() {
	maj=${KVER%%.*}
	rest=${KVER#*.}
	min=${rest%%.*}
	[ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 5 ]; }
}

load_modules() {
	# SHA-384 for evidence digests, where the kernel has it as a module
	[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
	insmod "$MODDIR/tsmh_core.ko" || fail "insmod tsmh_core"
	insmod "$MODDIR/tsmh_sim.ko" nr_endpoints="${1:-2}" || fail "insmod tsmh_sim"
}

unload_modules() {
	stop_emu
	rmmod tsmh_sim || fail "rmmod tsmh_sim"
	rmmod tsmh_core || fail "rmmod tsmh_core"
}

start_emu() {
	rm -f /tmp/emu.ready
	tsmh-emu --sim --ready-file /tmp/emu.ready "$@" >/tmp/emu.log 2>&1 &
	EMU_PID=$!
	i=0
	while [ ! -f /tmp/emu.ready ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "emulator did not start"
		kill -0 $EMU_PID 2>/dev/null || fail "emulator exited"
		sleep 0.1
	done
}

stop_emu() {
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null
		wait "$EMU_PID" 2>/dev/null
		EMU_PID=
	fi
}

# wait_eps N [SECONDS]: until N discovered TEE-IO endpoints are listed
# (30 s unless SECONDS)
wait_eps() {
	i=0
	while :; do
		n=$(tsmctl -j list 2>/dev/null | jq '[.[] | select(.pcie_type == "Endpoint" and .discovered)] | length')
		[ "${n:-0}" -ge "$1" ] && return 0
		i=$((i + 1))
		[ $i -lt $((${2:-30} * 10)) ] || fail "expected $1 endpoints, have ${n:-0}"
		sleep 0.1
	done
}

# wait_until SECONDS "why it failed" CMD...: poll CMD every 0.1 s
wait_until() {
	n=$(($1 * 10))
	why=$2
	shift 2
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt $n ] || fail "$why"
		sleep 0.1
	done
}

# owner_is DEV KIND: the first mailbox's SPDM owner (none, host, firmware)
owner_is() { [ "$(tsmctl -j show "$1" | jq -r '.doe[0].owner.kind // "none"')" = "$2" ]; }

# wait_gone DEV: until DEV is no longer listed (20 s)
wait_gone() {
	i=0
	while tsmctl show "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$1 still listed"
		sleep 0.1
	done
}

# expect_fail "text" CMD...: CMD must fail and say text (stdout or stderr)
expect_fail() {
	want=$1
	shift
	if "$@" >/tmp/ef.out 2>&1; then
		fail "'$*' succeeded, expected failure with '$want'"
	fi
	grep -q -- "$want" /tmp/ef.out || fail "'$*' failed without '$want': $(cat /tmp/ef.out)"
	ok "'$*' refused: $(cat /tmp/ef.out)"
}

# tsmd in the background, its log in /tmp/tsmd.log (TSMD_PID)
TSMD_PID=
start_tsmd() {
	tsmd -v "$@" >>/tmp/tsmd.log 2>&1 &
	TSMD_PID=$!
}
stop_tsmd() {
	[ -n "$TSMD_PID" ] || return 0
	kill "$TSMD_PID" 2>/dev/null
	wait "$TSMD_PID" 2>/dev/null
	TSMD_PID=
}
# fail, with the end of tsmd's log
tfail() {
	sed 's/^/  tsmd: /' /tmp/tsmd.log 2>/dev/null | tail -n 25
	fail "$@"
}

# as user nobody
asuser() { su -s /bin/sh nobody -c "$*"; }
# DEV's driver, empty if none
drv() { basename "$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null)" 2>/dev/null; }
# DEV's gate as state/reason, and the kernel's gate message
gate() { tsmctl -j show "$1" | jq -r '.gate.state + "/" + .gate.reason'; }
gmsg() { tsmctl -j show "$1" | jq -r '.gate.msg // ""'; }

# ---- the "tsmd under pci-stub" stage (t_tsmd, t_tsmdedge, t_reset,
# t_fwupdate, t_present, t_bench_tsmd; t_gate loads its modules with
# stub_modules). pci-stub claims the sim's endpoints (1b36:1e10), so a
# release binds a real driver. A setup step that fails is a FAIL line
# "FAIL: setup: STEP"; the end of a test is tsmd_stage_down (whose rmmods
# must succeed), an early exit runs tsmd_stage_cleanup (and the test's own
# test_cleanup function, if it defines one).
STUB=$MODDIR/pci-stub.ko
TSMD_CONF=/etc/tsmd/tsmd.conf
TSMD_AL=/var/lib/tsmd/allow-list.json
# not under /tmp: tsmd refuses trust anchors in a directory others can
# write (sticky or not), as sshd's StrictModes does
TSMD_ROOT=/etc/tsmd/root.pem

setup_fail() { fail "setup: $*"; }

# stub_required: SKIP where the kernel has no pci-stub module
stub_required() { [ -f "$STUB" ] || skip "no pci-stub module in the initramfs"; }

# sim_eps N: the endpoints of an N-endpoint sim: endpoint i on bus
# 3 + i % 128 of domain $DOM + i / 128 (one PCI domain per 128, kmod/sim/sim.h)
sim_eps() {
	_se=0
	while [ $_se -lt "$1" ]; do
		printf "%x:%02x:00.0\n" $((0x$DOM + _se / 128)) $((3 + _se % 128))
		_se=$((_se + 1))
	done
}
# sim_rps N: the root ports of an N-endpoint sim (one per 128 endpoints)
sim_rps() {
	_se=0
	while [ $_se -lt "$1" ]; do
		printf "%x:00:00.0\n" $((0x$DOM + _se / 128))
		_se=$((_se + 128))
	done
}

# cfg_cap DEV ID: the config offset of DEV's capability ID (standard list), or fail 1
cfg_cap() {
	_co=$(($(simide "$1" r32 0x34) & 0xfc))
	while [ $_co -ne 0 ]; do
		_cv=$(simide "$1" r32 $_co)
		[ $((_cv & 0xff)) = $(($2)) ] && echo $_co && return 0
		_co=$(((_cv >> 8) & 0xfc))
	done
	return 1
}

# sim_tdi_layout DEV: the TDI layout of DEV as a --tdisp-layout value
# (docs/design.md "Sim BARs": what the emulator must report against),
# from sysfs resource and the MSI-X capability in config space
sim_tdi_layout() {
	_tl=
	_tn=0
	while read -r _ts _te _tf; do
		[ $_tn -le 5 ] || break
		if [ $((_tf & 0x200)) != 0 ] && [ $((_te)) -gt $((_ts)) ]; then
			_tw=32
			[ $((_tf & 0x100000)) != 0 ] && _tw=64
			_tp=np
			[ $((_tf & 0x2000)) != 0 ] && _tp=pref
			_tl="$_tl${_tl:+,}bar$_tn=$(printf 0x%x $((_ts))):$(printf 0x%x $((_te - _ts + 1))):$_tw:$_tp"
		fi
		_tn=$((_tn + 1))
	done <"/sys/bus/pci/devices/$1/resource"
	if _tm=$(cfg_cap "$1" 0x11); then
		_tc=$(simide "$1" r32 $_tm)
		_tt=$(simide "$1" r32 $((_tm + 4)))
		_tb=$(simide "$1" r32 $((_tm + 8)))
		_tl="$_tl${_tl:+,}msix=$((_tt & 7)):$(printf 0x%x $((_tt & ~7 & 0xffffffff))):$((((_tc >> 16) & 0x7ff) + 1)):$((_tb & 7)):$(printf 0x%x $((_tb & ~7 & 0xffffffff)))"
	fi
	echo "$_tl"
}

# tdi_layout_file DEV[=LAYOUT]... > FILE: a tsmh-emu --tdisp-layout-file
# naming each TDI DEV (as sysfs does: DOMAIN:BUS:DEV.FN; a function or VF)
# with LAYOUT (simple, sparse, offset; default $TDI_LAYOUT, else simple)
# and its real BARs (sim_tdi_layout; "-" if it has none). Write it after
# wait_eps (and again after a re-assignment): the emulator reads it at
# every LOCK_INTERFACE_REQUEST. Fails 1 for a DEV not in sysfs.
tdi_layout_file() {
	echo "# tsmh-emu --tdisp-layout-file: DEV LAYOUT BARSPEC (tests/vm/lib.sh)"
	for _lfa in "$@"; do
		_lfd=${_lfa%%=*}
		_lfp=${TDI_LAYOUT:-simple}
		[ "$_lfd" = "$_lfa" ] || _lfp=${_lfa#*=}
		if [ ! -e "/sys/bus/pci/devices/$_lfd/resource" ]; then
			echo "tdi_layout_file: no PCI device $_lfd" >&2
			return 1
		fi
		_lfs=$(sim_tdi_layout "$_lfd")
		echo "$_lfd $_lfp ${_lfs:--}"
	done
}

# TDIs (t_tdictl, t_tsmdtdi, t_bench_tdi). tc CMD...: tsmctl CMD, its
# stdout in /tmp/c.out, stderr in /tmp/c.err, both appended to /tmp/outs
# (a test checks that no nonce shows); kstate DEV: the kernel's TDISP
# state of DEV ("none" if not listed); want_state DEV STATE WHAT
tc() {
	tsmctl "$@" >/tmp/c.out 2>/tmp/c.err
	r=$?
	cat /tmp/c.out /tmp/c.err >>/tmp/outs
	return $r
}
kstate() { tsmctl -j tdi list | jq -r --arg d "$1" '([.[] | select(.tdi == $d)][0].state) // "none"'; }
want_state() {
	_ws=$(kstate "$1")
	[ "$_ws" = "$2" ] || tfail "$3: $1 is $_ws, expected $2: $(tsmctl tdi list 2>&1)"
}

# tdisp_bar_opts BARSPEC: the same BARs as tsmctl tdisp --bar/--msix options
tdisp_bar_opts() {
	echo "$1" | tr ',' '\n' | while IFS='=:' read -r _bk _b1 _b2 _b3 _b4 _b5; do
		case $_bk in
		bar[0-5])
			_bo=--bar=${_bk#bar}:$_b1:$_b2
			[ "$_b3" = 64 ] && _bo=$_bo:64
			[ "$_b4" = pref ] && _bo=$_bo:pf
			printf '%s ' "$_bo"
			;;
		msix) printf '%s ' "--msix=$_b1:$_b2:$_b3:$_b4:$_b5" ;;
		esac
	done
}

# all_bound N: every endpoint of an N-endpoint sim has a driver
all_bound() {
	for _ab in $(sim_eps "$1"); do
		[ -e "/sys/bus/pci/devices/$_ab/driver" ] || return 1
	done
}

# stub_modules N [TSMH_CORE-PARAM...]: tsmh_core, then pci-stub (there
# before the endpoints: the gate must hold them from it), then tsmh_sim
# with N endpoints
# (and $TSMH_SIM_ARGS, e.g. "nr_functions=3", if set)
stub_modules() {
	_sm=$1
	shift
	[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
	insmod "$MODDIR/tsmh_core.ko" "$@" || setup_fail "insmod tsmh_core $*"
	insmod "$STUB" ids=1b36:1e10 || setup_fail "insmod pci-stub"
	# shellcheck disable=SC2086 # one word per parameter
	insmod "$MODDIR/tsmh_sim.ko" nr_endpoints="$_sm" ${TSMH_SIM_ARGS:-} ||
		setup_fail "insmod tsmh_sim nr_endpoints=$_sm ${TSMH_SIM_ARGS:-}"
}

# tsmd_stage [-n N] [-w W] [-t SECONDS] [-k TSMH_CORE-PARAM]... [--present]
#            [--no-bus] [--] [EMU-ARG...]
# Up to the point where tsmd can start: SKIP without pci-stub; nothing left
# by an earlier test (tsmd's log, the allow-list $TSMD_AL); a system bus
# (not with --no-bus); stub_modules N (default 2) with the tsmh_core
# parameters; the emulator with EMU-ARGs, exporting its root CA to
# $TSMD_ROOT; W (default N) endpoints listed within SECONDS (default 30).
# --present: the endpoints are bound to pci-stub before tsmh_core loads
# (pci-stub, tsmh_sim, the emulator, every endpoint bound, tsmh_core).
# Set TSMD_CONF, TSMD_AL, TSMD_ROOT before to use other paths.
tsmd_stage() {
	_ts_n=2
	_ts_w=''
	_ts_t=30
	_ts_k=''
	_ts_present=''
	_ts_bus=1
	while [ $# -gt 0 ]; do
		case $1 in
		-n) _ts_n=$2 && shift ;;
		-w) _ts_w=$2 && shift ;;
		-t) _ts_t=$2 && shift ;;
		-k) _ts_k="$_ts_k $2" && shift ;;
		--present) _ts_present=1 ;;
		--no-bus) _ts_bus='' ;;
		--) shift && break ;;
		*) break ;;
		esac
		shift
	done
	stub_required
	trap tsmd_stage_cleanup EXIT
	rm -f /tmp/tsmd.log "$TSMD_AL"
	mkdir -p /run/dbus "$(dirname "$TSMD_CONF")" "$(dirname "$TSMD_AL")" "$(dirname "$TSMD_ROOT")" ||
		setup_fail "mkdir for $TSMD_CONF, $TSMD_AL, $TSMD_ROOT"
	if [ -n "$_ts_bus" ]; then
		killall -q dbus-daemon 2>/dev/null
		rm -f /run/dbus/system_bus_socket
		dbus-daemon --config-file=/etc/tsmh-dbus.conf --fork --nopidfile || setup_fail "dbus-daemon"
	fi
	if [ -n "$_ts_present" ]; then
		[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
		insmod "$STUB" ids=1b36:1e10 || setup_fail "insmod pci-stub"
		insmod "$MODDIR/tsmh_sim.ko" nr_endpoints="$_ts_n" || setup_fail "insmod tsmh_sim nr_endpoints=$_ts_n"
		start_emu "$@" --export-root "$TSMD_ROOT"
		wait_until 30 "setup: pci-stub did not bind the endpoints before tsmh_core" all_bound "$_ts_n"
		# shellcheck disable=SC2086 # $_ts_k: one word per parameter
		insmod "$MODDIR/tsmh_core.ko" $_ts_k || setup_fail "insmod tsmh_core$_ts_k"
	else
		# shellcheck disable=SC2086 # $_ts_k: one word per parameter
		stub_modules "$_ts_n" $_ts_k
		start_emu "$@" --export-root "$TSMD_ROOT"
	fi
	wait_eps "${_ts_w:-$_ts_n}" "$_ts_t"
}

# tsmd_conf DEFAULT [MEMBER...]: tsmd's configuration $TSMD_CONF: trust
# anchors $TSMD_ROOT, allow-list $TSMD_AL, the default requirement, and
# the JSON members given (e.g. '"attest_timeout_ms": 30000')
tsmd_conf() {
	_tc=$1
	shift
	{
		printf '{ "trust_anchors": "%s",\n  "allow_list": "%s",\n  "default": "%s"' \
			"$TSMD_ROOT" "$TSMD_AL" "$_tc"
		for _tc in "$@"; do
			printf ',\n  %s' "$_tc"
		done
		printf ' }\n'
	} >"$TSMD_CONF" || setup_fail "write $TSMD_CONF"
}

# tsmd_start [TSMD-ARG...]: tsmd -v ARGs -c $TSMD_CONF in the background
tsmd_start() { start_tsmd "$@" -c "$TSMD_CONF"; }

# tsmd_decided SECONDS DEV...: until tsmd has held each (unknown) DEV with
# reason quarantine, SECONDS for each; a tsmd that exits meanwhile fails
tsmd_decided() {
	_td_n=$(($1 * 10))
	shift
	for _td in "$@"; do
		_td_i=0
		until [ "$(tsmctl -j show "$_td" 2>/dev/null | jq -r .gate.reason)" = quarantine ]; do
			kill -0 "$TSMD_PID" 2>/dev/null || tfail "tsmd exited before it decided about $_td"
			_td_i=$((_td_i + 1))
			[ $_td_i -lt $_td_n ] || tfail "tsmd never decided about $_td"
			sleep 0.1
		done
	done
}

# tsmd_accept DEV...: each (unknown) DEV decided by tsmd, allowed with
# tsmctl allow -p, then each bound to pci-stub and released/attested
tsmd_accept() {
	for _ta in "$@"; do
		tsmd_decided 60 "$_ta"
		_ta_out=$(tsmctl allow -p "$_ta" 2>&1) || tfail "allow $_ta: $_ta_out"
	done
	for _ta in "$@"; do
		wait_until 10 "pci-stub never bound $_ta" sh -c "[ -e /sys/bus/pci/devices/$_ta/driver ]"
		[ "$(drv "$_ta")" = pci-stub ] || tfail "$_ta bound to '$(drv "$_ta")'"
		[ "$(gate "$_ta")" = released/attested ] || tfail "$_ta: $(gate "$_ta")"
	done
}

# tsmd_stage_down: the normal end: tsmd and the emulator stopped, every
# module unloaded (a module that will not go is a FAIL), the bus gone
tsmd_stage_down() {
	stop_tsmd
	stop_emu
	rmmod pci_stub || fail "rmmod pci_stub"
	rmmod tsmh_sim || fail "rmmod tsmh_sim"
	rmmod tsmh_core || fail "rmmod tsmh_core"
	killall -q dbus-daemon 2>/dev/null
	# the exiting dbus-daemon may remove its socket between busybox rm's
	# lstat and unlink ("can't remove": exit 1, the test's status)
	rm -f /run/dbus/system_bus_socket 2>/dev/null || :
}

# at exit (also after a FAIL): what the stage started (the guest's init
# unloads tsmh_sim and tsmh_core)
tsmd_stage_cleanup() {
	[ -n "$TSMD_PID" ] && kill "$TSMD_PID" 2>/dev/null
	type test_cleanup >/dev/null 2>&1 && test_cleanup
	[ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null
	killall -q dbus-daemon 2>/dev/null
	rmmod pci_stub 2>/dev/null
}

# ---- TDIs and the 7.2 TSM core (tdinl, tsmresp, tests/vm/kmod/tsmh_btest)
# the kernel's record of TDI $1 (tdinl get): the line, its state, its flags
tline() { tdinl get "$1" | grep "^tdi $1 "; }
st() { tline "$1" | sed -n 's/.* state=\([^ ]*\) .*/\1/p'; }
fl() { tline "$1" | sed -n 's/.* flags=\([^ ]*\) .*/\1/p'; }
# listening: the tsmresp started last (its log /tmp/resp.log cleared
# first) has joined the events group
listening() { wait_until 5 "tsmresp did not start: $(cat /tmp/resp.log)" grep -q '^listening' /tmp/resp.log; }
# resp_start ARGS: tsmresp ARGS in the background ($RESP), its log
# /tmp/resp.log, once it listens; responder N: one answering N requests
# with /tmp/req.sh; resp_done: it ended well
resp_start() {
	: >/tmp/resp.log
	tsmresp "$@" >/tmp/resp.log 2>&1 &
	RESP=$!
	listening
}
responder() { resp_start -n "$1" -e 'sh /tmp/req.sh'; }
resp_done() { wait "$RESP" || fail "responder: $(cat /tmp/resp.log)"; RESP=; }
# call OP ARGS: echo ARGS > tsmh_btest's OP ($P); its error in /tmp/w.err
call() { sh -c "echo $2 > $P/$1" 2>/tmp/w.err; }
# btest_setup: tsmh_core as our link TSM ($T: its name), a card with two
# functions ($F1: function 1), the test caller tsmh_btest ($P: its
# parameters); SKIP where the kernel has no TSM core
btest_setup() {
	[ -d /sys/class/tsm ] || skip "no in-kernel TSM core on $KVER (pci-tsm.h, CONFIG_PCI_TSM): no pci_tsm_bind()"
	[ -f "$MODDIR/tsmh_btest.ko" ] || skip "tsmh_btest not built for $KVER (pci-tsm.h without pci_tsm_guest_req)"
	[ -f "$MODDIR/sha512_generic.ko" ] && insmod "$MODDIR/sha512_generic.ko" 2>/dev/null
	insmod "$MODDIR/tsmh_core.ko" || setup_fail "insmod tsmh_core"
	dmesg | grep -q "tsmh_core: no in-kernel TSM core" && skip "tsmh_core built without the link TSM on $KVER"
	insmod "$MODDIR/tsmh_sim.ko" nr_endpoints=1 nr_functions=2 || setup_fail "insmod tsmh_sim nr_functions=2"
	start_emu
	wait_eps 1
	F1=${EP0%.0}.1
	wait_until 10 "$F1 did not appear" test -e /sys/bus/pci/devices/$F1/resource
	insmod "$MODDIR/tsmh_btest.ko" || setup_fail "insmod tsmh_btest"
	P=/sys/module/tsmh_btest/parameters
	T=$(dmesg | sed -n 's/.*tsmh_core: registered link TSM \(tsm[0-9]*\):.*/\1/p' | tail -n 1)
	[ -n "$T" ] || fail "no 'registered link TSM' line"
}
# btest_req_sh: /tmp/req.sh, what tsmd would do for each request of the
# TSM core, with no TDISP exchange: tdinl's tdi-begin/end on one socket
# holding the DSM's ($EP0) mailbox claim; the report fits $F1's BAR 0.
# Each request is logged to /tmp/req.log ("OP DEV COOKIE TDI-OP"). The
# bind's LOCK carries the request's cookie (as tsmd's does: the kernel
# takes only that LOCK as the bind's). Hooks: /tmp/bind.noop (bind
# answers success without locking), /tmp/bind.slow (bind answers after
# 3 s), /tmp/bind.swap (a script run first), /tmp/bind.after (a script
# run after the LOCK and REPORT, before the answer).
btest_req_sh() {
	set -- $(sed -n 1p /sys/bus/pci/devices/$F1/resource)
	B1=$(printf 0x%x $(($1)))
	cat >/tmp/req.sh <<REQ
echo "\$TSM_OP \$TSM_DEV \$TSM_COOKIE \${TSM_TDI_OP:-}" >>/tmp/req.log
case \$TSM_OP in
connect|disconnect) exit 0 ;;
bind) [ -f /tmp/bind.noop ] && exit 0
	[ -f /tmp/bind.slow ] && sleep 3
	[ -f /tmp/bind.swap ] && sh /tmp/bind.swap
	printf 'claim $EP0\nbegin %s lock cookie=%s\nend %s status=0 state=CONFIG_LOCKED nonce=0xab\nbegin %s report\nend %s status=0 state=CONFIG_LOCKED report=$B1:64\n' \$TSM_DEV \$TSM_COOKIE \$TSM_DEV \$TSM_DEV \$TSM_DEV ;;
unbind) [ "\$(tdinl get \$TSM_DEV | sed -n 's/.* state=\([^ ]*\) .*/\1/p')" = CONFIG_UNLOCKED ] && exit 0
	printf 'claim $EP0\nbegin %s stop\nend %s status=0 state=CONFIG_UNLOCKED\n' \$TSM_DEV \$TSM_DEV ;;
guest-req) [ "\$TSM_TDI_OP" = 2 ] || exit 1
	printf 'claim $EP0\nbegin %s start nonce=0xab cookie=1\n' \$TSM_DEV | tdinl run >/tmp/forged.out 2>&1
	printf 'claim $EP0\nbegin %s start nonce=0xab cookie=%s\nend %s status=0 state=RUN\n' \$TSM_DEV \$TSM_COOKIE \$TSM_DEV ;;
*) exit 1 ;;
esac | tdinl run >>/tmp/tdinl.out 2>&1
rc=\$?
[ "\$TSM_OP" = bind ] && [ -f /tmp/bind.after ] && sh /tmp/bind.after
exit \$rc
REQ
	: >/tmp/req.log
}
