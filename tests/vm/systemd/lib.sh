# shellcheck shell=bash disable=SC2034 # EP0, EP1: used by the tests that source this
# Helpers for the systemd guest's tests (tests/vm/systemd/t_*.sh, bash);
# sourced. A test exits 0 (pass) or anything else (fail) and says why.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOM=10000
EP0=$DOM:03:00.0
EP1=$DOM:04:00.0

fail() {
	echo "FAIL: $*"
	exit 1
}
ok() { echo "ok: $*"; }
# fail, with tsmd's recent journal
tfail() {
	journalctl -b -u tsmd --no-pager -n 20 -o short-monotonic 2>&1 | sed 's/^/  journal: /'
	fail "$@"
}

# wait_until SECONDS "why it failed" CMD...: poll CMD every 0.2 s (a
# function or a command; "$(...)" in its arguments is expanded only once)
wait_until() {
	local n=$(($1 * 5)) why=$2 i=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt $n ] || tfail "$why"
		sleep 0.2
	done
}

prop() { systemctl show -p "$1" --value tsmd; }
drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
gatefile() { cat "/sys/bus/pci/devices/$1/tsmh/gate" 2>/dev/null; }
gate() { tsmctl -j show "$1" | jq -r '.gate.state + "/" + .gate.reason'; }
gmsg() { tsmctl -j show "$1" | jq -r '.gate.msg // ""'; }
is_bound() { [ "$(drv "$1")" = pci-stub ]; }
# for wait_until (its arguments are expanded once, these on every poll)
active_is() { [ "$(prop ActiveState)" = "$1" ]; }
status_is() { [ "$(prop StatusText)" = "$1" ]; }
