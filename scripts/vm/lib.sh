# shellcheck shell=bash disable=SC2034 # QARGS, VM_BOOT_S: used by the callers
# Shared by the VM harnesses (scripts/vm/run.sh, scripts/vm/run-nvme.sh);
# sourced, not run. Conventions:
#   - the guest's /init prints TSMH-GUEST-READY once it runs, then
#     "TSMH-RESULT NAME PASS|FAIL|SKIP SECONDS" per test and TSMH-DONE;
#   - a guest that never reached init, or died before its first test started
#     and before any module of ours was loaded (nothing of ours had run), is an
#     infrastructure failure, retried once with the plain qemu64 CPU model
#     (the stock 7.2 kernel occasionally oopses in early boot under TCG
#     "-cpu max", e.g. an int3 in ktime_get_real_ts64 from rcu_preempt just
#     after init started); a guest that started a test is never retried;
#   - any kernel WARN/BUG/oops/KASAN line in the guest log fails every test
#     of that boot.

# Kernel problems anywhere in a guest log taint the whole boot.
VM_BAD_RE='WARNING: CPU|BUG: |Oops|general protection fault|KASAN|UBSAN|kernel BUG|Call Trace|refcount_t: |list_del corruption|blocked for more than|truncated extack'

# vm_qemu_args CPU KERNEL INITRD TESTS [APPEND...]: the common QEMU command
# line (q35, TCG, serial console on stdio, no reboot) into the array QARGS.
vm_qemu_args() {
	local cpu=$1 kernel=$2 initrd=$3 tests=$4
	shift 4
	QARGS=(-M q35 -cpu "$cpu" -smp 2 -m 1024 -nodefaults -no-reboot
		-display none -serial stdio
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 loglevel=5 panic=-1 rdinit=/init tsmh.tests=$tests${*:+ $*}")
}

# vm_infra_dead LOG: the guest never reached init, or its kernel died after
# init but before the first test started and before any module of ours
# was loaded (nothing of ours had run)
vm_infra_dead() {
	! grep -q '^TSMH-GUEST-READY' "$1" ||
		{ ! grep -q '^TSMH-START \|^TSMH-DONE' "$1" && ! grep -q 'tsmh_core\|tsmh_sim' "$1" &&
			grep -qE "$VM_BAD_RE|Kernel panic" "$1"; }
}

# vm_boot_retry LABEL LOG BOOTFN: run "BOOTFN LOG CPU" (it writes the
# console to LOG); if the guest died before running anything of ours
# (vm_infra_dead), retry once with qemu64. Sets VM_BOOT_S (seconds, both
# boots); returns 1 if init was never reached (then it has already
# printed the infrastructure diagnosis on stderr).
vm_boot_retry() {
	local label=$1 log=$2 fn=$3 t0 t1
	t0=$(date +%s.%N)
	"$fn" "$log" "${TSMH_VM_CPU:-max}"
	if vm_infra_dead "$log"; then
		echo "vm: $label: guest died before running any test (infrastructure failure); retrying once" >&2
		tail -n 5 "$log" | sed 's/^/vm:   /' >&2
		mv "$log" "$log.infra1"
		"$fn" "$log" qemu64
	fi
	t1=$(date +%s.%N)
	VM_BOOT_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if ! grep -q '^TSMH-GUEST-READY' "$log"; then
		echo "vm: $label: INFRASTRUCTURE FAILURE: guest never reached init twice; see $log" >&2
		return 1
	fi
}

# vm_verdicts LABEL LOG PREFIX TEST...: one "PASS|FAIL|SKIP PREFIX/TEST (why)"
# line per test from the guest's markers; a kernel problem in the log fails
# them all. Returns 1 if any failed.
vm_verdicts() {
	local label=$1 log=$2 prefix=$3 t line v s why bad rc=0
	shift 3
	bad=$(grep -nE "$VM_BAD_RE" "$log" | head -n 5)
	for t in "$@"; do
		line=$(grep "^TSMH-RESULT $t " "$log" | tail -n1)
		v=$(echo "$line" | awk '{ print $3 }')
		s=$(echo "$line" | awk '{ print $4 }')
		if [ -z "$v" ]; then
			v=FAIL
			why="(no result: guest died or timed out; see $log)"
		elif [ "$v" != PASS ] && grep -q "^\[$t\] $v: " "$log"; then
			# the guest's own reason (fail/skip in tests/vm/lib.sh)
			why="(${s}s: $(sed -n "s/^\[$t\] $v: //p" "$log" | tail -n1 | cut -c1-200))"
		else
			why="(${s}s)"
		fi
		if [ -n "$bad" ] && [ "$v" != FAIL ]; then
			v=FAIL
			why="(kernel log has a WARN/BUG/oops: see $log)"
		fi
		[ "$v" = FAIL ] && rc=1
		echo "$v $prefix/$t $why"
	done
	if [ -n "$bad" ]; then
		echo "vm: $label: kernel problem in guest log:" >&2
		echo "$bad" | sed 's/^/vm:   /' >&2
	fi
	[ "$(grep -c '^TSMH-DONE' "$log")" = 1 ] || echo "vm: $label: guest did not finish (timeout?)" >&2
	return $rc
}
