#!/bin/bash
# Boot kernel matrix LABEL under QEMU (TCG) with INITRD and run the named
# guest tests. Prints one line per test:  PASS|FAIL|SKIP vm/LABEL/NAME
# and exits 0 if none failed. Any kernel WARN/BUG/oops/KASAN line in the
# guest log fails every test of that boot.
#
# A guest that never reached our init (no TSMH-GUEST-READY marker: early
# panic, QEMU failure), or whose kernel died before its first test started
# and before any module of ours was loaded, is an infrastructure failure,
# reported as such and retried once with the plain qemu64 CPU model; a
# guest that started a test is never retried (scripts/vm/lib.sh).
#
# Usage: scripts/vm/run.sh LABEL INITRD LOGDIR TEST...
# Environment: TSMH_VM_TIMEOUT (whole boot, s; default 240 + 20 per test,
# at least 420: only a hung guest reaches it, as every test has its own
# limit inside the guest), TSMH_VM_APPEND
# (more kernel command line, e.g. "tsmh.timeout=900" to raise the guest's
# 120 s per-test limit).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
label=$1 initrd=$2 logdir=$3
shift 3
tests=$(IFS=,; echo "$*")
kernel=$("$top/scripts/kernels.sh" image "$label")
tdef=$((240 + 20 * $#))
[ "$tdef" -ge 420 ] || tdef=420
timeout_s=${TSMH_VM_TIMEOUT:-$tdef}
mkdir -p "$logdir"

boot() {
	local log=$1 cpu=$2
	# shellcheck disable=SC2086 # TSMH_VM_APPEND: words for the command line
	vm_qemu_args "$cpu" "$kernel" "$initrd" "$tests" ${TSMH_VM_APPEND:-}
	timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 "${QARGS[@]}" \
		</dev/null >"$log" 2>&1
}

log="$logdir/$label.log"
if ! vm_boot_retry "$label" "$log" boot; then
	for t in "$@"; do echo "FAIL vm/$label/$t (infrastructure: no boot)"; done
	exit 1
fi
vm_verdicts "$label" "$log" "vm/$label" "$@"
rc=$?
echo "vm: $label: boot-to-verdict ${VM_BOOT_S}s for $# test(s)" >&2
echo "$VM_BOOT_S" >"$logdir/$label.seconds"
exit $rc
