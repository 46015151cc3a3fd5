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

# wait_eps N: until N discovered TEE-IO endpoints are listed (30 s)
wait_eps() {
	i=0
	while :; do
		n=$(tsmctl -j list 2>/dev/null | jq '[.[] | select(.pcie_type == "Endpoint" and .discovered)] | length')
		[ "${n:-0}" -ge "$1" ] && return 0
		i=$((i + 1))
		[ $i -lt 300 ] || fail "expected $1 endpoints, have ${n:-0}"
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
