#!/bin/bash
# Boot kernel matrix LABEL under QEMU (TCG) with INITRD and run the named
# guest tests. Prints one line per test:  PASS|FAIL|SKIP vm/LABEL/NAME
# and exits 0 if none failed. Any kernel WARN/BUG/oops/KASAN line in the
# guest log fails every test of that boot.
#
# A guest that never reaches our init (no TSMH-GUEST-READY marker: early
# panic, QEMU failure) is an infrastructure failure, reported as such and
# retried once with the plain qemu64 CPU model (the stock 7.2 kernel
# occasionally oopses in early boot under TCG "-cpu max", before any of
# our code runs); a guest that reached init is never retried.
#
# Usage: scripts/vm/run.sh LABEL INITRD LOGDIR TEST...
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
label=$1 initrd=$2 logdir=$3
shift 3
tests=$(IFS=,; echo "$*")
kernel=$("$top/scripts/kernels.sh" image "$label")
timeout_s=${TSMH_VM_TIMEOUT:-420}
mkdir -p "$logdir"

boot() {
	local log=$1 cpu=$2
	timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
		-M q35 -cpu "$cpu" -smp 2 -m 1024 -nodefaults -no-reboot \
		-display none -serial stdio \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=5 panic=-1 rdinit=/init tsmh.tests=$tests" \
		</dev/null >"$log" 2>&1
}

log="$logdir/$label.log"
t0=$(date +%s.%N)
boot "$log" "${TSMH_VM_CPU:-max}"
if ! grep -q '^TSMH-GUEST-READY' "$log"; then
	echo "vm: $label: guest never reached init (infrastructure failure); retrying once" >&2
	tail -n 5 "$log" | sed 's/^/vm:   /' >&2
	mv "$log" "$log.infra1"
	boot "$log" qemu64
fi
t1=$(date +%s.%N)
if ! grep -q '^TSMH-GUEST-READY' "$log"; then
	echo "vm: $label: INFRASTRUCTURE FAILURE: guest never reached init twice; see $log" >&2
	for t in "$@"; do echo "FAIL vm/$label/$t (infrastructure: no boot)"; done
	exit 1
fi
boot_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

# Kernel problems anywhere in the log taint the whole boot.
bad=$(grep -nE 'WARNING: CPU|BUG: |Oops|general protection fault|KASAN|UBSAN|kernel BUG|Call Trace|refcount_t: |list_del corruption|blocked for more than|truncated extack' "$log" | head -n 5)
done_marker=$(grep -c '^TSMH-DONE' "$log")
rc=0
for t in "$@"; do
	line=$(grep "^TSMH-RESULT $t " "$log" | tail -n1)
	v=$(echo "$line" | awk '{ print $3 }')
	s=$(echo "$line" | awk '{ print $4 }')
	if [ -z "$v" ]; then
		v=FAIL
		why="(no result: guest died or timed out; see $log)"
	else
		why="(${s}s)"
	fi
	if [ -n "$bad" ] && [ "$v" != FAIL ]; then
		v=FAIL
		why="(kernel log has a WARN/BUG/oops: see $log)"
	fi
	[ "$v" = FAIL ] && rc=1
	echo "$v vm/$label/$t $why"
done
if [ -n "$bad" ]; then
	echo "vm: $label: kernel problem in guest log:" >&2
	echo "$bad" | sed 's/^/vm:   /' >&2
fi
[ "$done_marker" = 1 ] || echo "vm: $label: guest did not finish (timeout ${timeout_s}s?)" >&2
echo "vm: $label: boot-to-verdict ${boot_s}s for $# test(s)" >&2
echo "$boot_s" >"$logdir/$label.seconds"
exit $rc
