#!/bin/bash
# Our DOE path against a mailbox we did not write: boot kernel matrix LABEL
# under Debian sid's QEMU (>= 9.1; scripts/vm/qemu-sid.sh) with emulated
# NVMe controllers whose DOE mailbox QEMU implements itself and whose
# CMA/SPDM requests QEMU relays (backends/spdm-socket.c, PCI_DOE transport)
# to tsmh-emu servers started here on 127.0.0.1, then run the guest test
# tests/vm/t_nvme.sh. Three controllers, each behind a root port:
#   serial tsmh-live    responder running (its root certificate is appended
#                       to the initramfs as /etc/tsmh/nvme-root.pem)
#   serial tsmh-dead    responder stopped once QEMU has connected
#   serial tsmh-doeerr  responder answering CMA with a DOE error
# QEMU connects to its responders while creating the devices, so they must
# listen before it starts.
#
# How QEMU's mailbox differs from tsmh_sim's (QEMU 11.1; hw/pci/pcie_doe.c,
# hw/nvme/ctrl.c, backends/spdm-socket.c):
#   - DOE discovery is answered by QEMU itself (discovery, CMA, secured
#     CMA); only CMA/secured-CMA objects reach the responder, as one
#     NORMAL/PCI_DOE frame each, written as four send()s without
#     TCP_NODELAY (our server quick-ACKs, else ~44 ms per message);
#   - the exchange runs synchronously inside the guest's GO write: Busy is
#     never seen, and a responder that never answers freezes the whole VM
#     (BQL held in recv()) -- the guest's DOE timeout cannot fire, so the
#     "silent" fault must never be used here;
#   - a failed exchange (responder gone, empty answer = our DOE-error
#     encoding, answer > 0x1200 bytes) is silently discarded, never the DOE
#     Error bit: the host sees a 1 s timeout (EIO on >= 6.5 kernels);
#   - no reconnect: a responder that dies leaves the mailbox dead for the
#     VM's lifetime; an FLR is not passed on to the responder;
#   - the capability advertises DOE interrupts (MSI-X vector 0); Linux polls.
#
# Prints  PASS|FAIL|SKIP vm/LABEL/nvme (...)  and exits 0 unless it failed.
# SKIP only when the sid QEMU lacks the feature (the reason is printed).
# Same conventions as scripts/vm/run.sh (scripts/vm/lib.sh): infrastructure
# retry, kernel-log checks.
#
# Usage: scripts/vm/run-nvme.sh LABEL INITRD LOGDIR
#   TSMH_EMU=path/to/tsmh-emu (default build/rel/tsmh-emu)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
label=$1 initrd=$2 logdir=$3
emu=${TSMH_EMU:-$top/build/rel/tsmh-emu}
timeout_s=${TSMH_VM_TIMEOUT:-240}
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
name="vm/$label/nvme"

if ! why=$("$here/qemu-sid.sh" check 2>&1); then
	echo "SKIP $name ($why)"
	exit 0
fi
kernel=$("$top/scripts/kernels.sh" image "$label")
[ -f "$kernel" ] || { echo "FAIL $name (no kernel image $kernel)"; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# start_emu NAME ARGS...: a tsmh-emu socket server on a free port (port 0:
# the kernel picks it and the emulator names it); sets PORT and EMU_PID
start_emu() {
	local n=$1 l
	shift
	"$emu" --listen 127.0.0.1:0 "$@" >"$logdir/$label-emu-$n.log" 2>&1 &
	EMU_PID=$!
	pids+=("$EMU_PID")
	for _ in $(seq 100); do
		if l=$(grep -o -m1 'serving .* on 127\.0\.0\.1:[0-9]*' "$logdir/$label-emu-$n.log"); then
			PORT=${l##*:}
			return 0
		fi
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "vm: $label: emulator $n did not start: $(tail -n 3 "$logdir/$label-emu-$n.log")" >&2
	return 1
}

# is a TCP connection to 127.0.0.1:PORT established (QEMU connected)?
connected() {
	awk -v p=":$(printf '%04X' "$1")" '$2 ~ p"$" && $4 == "01" { f = 1 } END { exit !f }' /proc/net/tcp
}

# The initramfs plus a cpio with the live responder's root certificate
# (the kernel unpacks concatenated newc archives in order).
mkdir -p "$work/boot/root/etc/tsmh"
start_emu live --export-root "$work/boot/root/etc/tsmh/nvme-root.pem" || { echo "FAIL $name (emulator)"; exit 1; }
live_port=$PORT
(cd "$work/boot/root" && find . | cpio -o -H newc --quiet) >"$work/root.cpio"
cat "$initrd" "$work/root.cpio" >"$work/boot/initrd.cpio"

boot() {
	local log=$1 cpu=$2 dead_pid dead_port doeerr_port qpid
	start_emu "dead" || return 1
	dead_pid=$EMU_PID dead_port=$PORT
	start_emu "doeerr" --fault doe-error || return 1
	doeerr_port=$PORT
	vm_qemu_args "$cpu" /mnt/tsmh/kernel/vmlinux /mnt/tsmh/boot/initrd.cpio nvme
	# shellcheck disable=SC2054 # commas belong to QEMU option strings
	QARGS+=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x3
		-device "nvme,bus=rp1,serial=tsmh-live,spdm_port=$live_port"
		-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=0x4
		-device "nvme,bus=rp2,serial=tsmh-dead,spdm_port=$dead_port"
		-device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,addr=0x5
		-device "nvme,bus=rp3,serial=tsmh-doeerr,spdm_port=$doeerr_port")
	timeout --foreground -k 5 "$timeout_s" "$here/qemu-sid.sh" run \
		-b "$(dirname "$kernel"):/mnt/tsmh/kernel" -b "$work/boot:/mnt/tsmh/boot" \
		-- "${QARGS[@]}" </dev/null >"$log" 2>&1 &
	qpid=$!
	# stop the "dead" responder as soon as QEMU holds its connection
	for _ in $(seq 300); do
		connected "$dead_port" && break
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	if connected "$dead_port"; then
		kill "$dead_pid"
		wait "$dead_pid" 2>/dev/null
		echo "vm: $label: responder on port $dead_port stopped after QEMU connected" >&2
	else
		echo "vm: $label: QEMU never connected to port $dead_port" >&2
	fi
	wait "$qpid"
}

log="$logdir/$label-nvme.log"
if ! vm_boot_retry "$label" "$log" boot; then
	echo "FAIL $name (infrastructure: no boot; see $log)"
	exit 1
fi
vm_verdicts "$label" "$log" "vm/$label" nvme
rc=$?
echo "vm: $label: nvme boot-to-verdict ${VM_BOOT_S}s ($("$here/qemu-sid.sh" version))" >&2
exit $rc
