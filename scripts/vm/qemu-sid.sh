#!/bin/bash
# A newer QEMU than Debian 12's (7.2), taken from Debian sid, for the NVMe
# test: QEMU >= 9.1 can give its emulated NVMe controller a DOE mailbox
# whose CMA/SPDM traffic goes to an external responder over the DMTF
# spdm-emu socket protocol (-device nvme,spdm_port=N).
#
#   scripts/vm/qemu-sid.sh prepare     install qemu-system-x86 (+ seabios,
#                                      qemu-system-data) into the sid chroot
#                                      of scripts/kernels.sh; idempotent
#   scripts/vm/qemu-sid.sh check       exit 0 if that QEMU has nvme
#                                      spdm_port, else print why (exit 1)
#   scripts/vm/qemu-sid.sh version     print its version line
#   scripts/vm/qemu-sid.sh run [-b SRC[:DST]]... -- QEMU-ARGS...
#                                      run it (exec: same PID), with host
#                                      directory SRC bind-mounted at DST
#                                      (default: the same path) inside
#
# The chroot is shared with DKMS builds of other checkouts, whose
# scripts/kernels.sh mounts /proc and /dev in it and lazily unmounts them
# afterwards. So nothing here mounts in the host's namespace: every chroot
# command runs in a private mount namespace (unshare -m) with its own
# /proc and /dev, which vanish with it. The chroot shares the host's
# network namespace, so QEMU reaches a responder on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CACHE=${TSMH_CACHE:-/var/cache/tsm-host}
root=$("$top/scripts/kernels.sh" root sid)
PKGS="qemu-system-x86 qemu-system-data seabios"
stamp="$root/.tsmh-qemu"

die() { echo "qemu-sid.sh: $*" >&2; exit 1; }

# in_ns [-b SRC[:DST]]... -- CMD...: CMD chrooted, in a private mount namespace
in_ns() {
	local binds=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ "$1" = -b ] || die "in_ns: bad option $1"
		binds+=("$2")
		shift 2
	done
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	${IN_NS_EXEC:+exec} unshare -m --propagation private /bin/sh -euc '
		root=$1; nb=$2; shift 2
		mount -t proc proc "$root/proc"
		mount --bind /dev "$root/dev"
		while [ "$nb" -gt 0 ]; do
			src=${1%%:*} dst=${1#*:}
			mkdir -p "$root$dst"
			mount --bind "$src" "$root$dst"
			nb=$((nb - 1)); shift
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

check() {
	local v help
	[ -x "$root/usr/bin/qemu-system-x86_64" ] ||
		{ echo "sid QEMU not installed (scripts/vm/qemu-sid.sh prepare)"; return 1; }
	v=$(in_ns -- qemu-system-x86_64 --version 2>&1 | head -n1) ||
		{ echo "sid QEMU does not run: $v"; return 1; }
	help=$(in_ns -- qemu-system-x86_64 -device nvme,help 2>&1) ||
		{ echo "$v: -device nvme,help failed: $(echo "$help" | tail -n1)"; return 1; }
	echo "$help" | grep -q 'spdm_port' ||
		{ echo "$v: its nvme device has no spdm_port property (needs QEMU >= 9.1 built with it)"; return 1; }
	return 0
}

cmd=${1:-}
shift || true
case "$cmd" in
prepare)
	if [ -f "$stamp" ] && [ -x "$root/usr/bin/qemu-system-x86_64" ]; then
		exit 0
	fi
	"$top/scripts/kernels.sh" prepare sid
	# same lock as kernels.sh prepare: one apt/dpkg user of the chroots at a time
	exec 8>"$CACHE/.prepare.lock"
	flock 8
	log="$CACHE/chroot-sid-qemu.log"
	echo "qemu-sid.sh: installing $PKGS into $root" >&2
	{
		in_ns -- apt-get update -q &&
			in_ns -- apt-get install -y -q --no-install-recommends $PKGS
	} >"$log" 2>&1 || die "apt-get in the sid chroot failed (see $log)"
	touch "$stamp"
	echo "qemu-sid.sh: $(in_ns -- qemu-system-x86_64 --version | head -n1)" >&2
	;;
check) check ;;
version) in_ns -- qemu-system-x86_64 --version | head -n1 ;;
run)
	args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	[ $# -gt 0 ] || die "usage: qemu-sid.sh run [-b SRC[:DST]]... -- QEMU-ARGS..."
	shift
	# exec all the way down: QEMU keeps this PID (timeout(1) can kill it)
	IN_NS_EXEC=1 in_ns "${args[@]}" -- qemu-system-x86_64 "$@"
	;;
*) die "usage: qemu-sid.sh prepare|check|version|run [-b SRC[:DST]]... -- ARGS..." ;;
esac
