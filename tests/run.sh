#!/bin/bash
# The whole test suite (make check). Every step prints PASS/FAIL/SKIP lines
# into build/test-results.txt; the last line is the summary
#   N passed, N failed[, N skipped]
# Environment: TSMH_LABELS="deb12 deb13 sid" (kernels for the VM tests),
#              TSMH_NO_VM=1 (userspace and lint only).
# Per kernel: the DKMS build, the sim VM tests (scripts/vm/run.sh), then one
# boot under Debian sid's QEMU against its emulated NVMe DOE mailbox
# (scripts/vm/run-nvme.sh; QEMU installed by scripts/vm/qemu-sid.sh), then
# one boot of the systemd guest (scripts/vm/run-systemd.sh: Debian 12 root
# file system with systemd as PID 1, the shipped unit and udev rules).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
res=build/test-results.txt
mkdir -p build
: >"$res"
labels=${TSMH_LABELS:-deb12 deb13 sid}
# the sim VM tests: every tests/vm/t_NAME.sh (the files the initramfs
# carries, scripts/vm/mkinitramfs.sh) but those with the line
# "# tsmh-vm: not in the sim suite" (make demo, make bench, the NVMe boot),
# in file name order; each test sets up its own state (tests/vm/lib.sh)
vm_tests=$(for f in tests/vm/t_*.sh; do
	grep -q '^# tsmh-vm: not in the sim suite' "$f" || basename "$f" .sh
done | sed 's/^t_//' | tr '\n' ' ')
t_start=$(date +%s)

rec() { echo "$*" | tee -a "$res"; }
phase() { echo "== $* ($(($(date +%s) - t_start))s)" >&2; }

phase "userspace build (release + ASan/UBSan)"
for v in "build/rel" "build/san SAN=1"; do
	set -- $v
	if make -s -f build.mk B=$1 ${2:-} >build/make-$(basename "$1").log 2>&1; then
		rec "PASS build/userspace/$(basename "$1")"
	else
		rec "FAIL build/userspace/$(basename "$1") (see build/make-$(basename "$1").log)"
		tail -n 20 "build/make-$(basename "$1").log" >&2
	fi
done

phase "layering: a layer's include path ends at the layers below it"
# layers.mk, docs/design.md "Userspace layers"; a header of a higher
# layer must not be found with a lower layer's flags (tests/layers.sh)
if tests/layers.sh >build/layers.log 2>&1; then
	rec "PASS build/layers"
else
	rec "FAIL build/layers (see build/layers.log)"
	head -n 20 build/layers.log >&2
fi

phase "unit tests (cmocka, under ASan/UBSan)"
for t in build/san/tests/unit/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case "$t" in *.o | *.d) continue ;; esac
	suite=${t##*/test_}
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	echo "$out" | sed -n 's/^ok [0-9]* - \(.*\)/PASS unit\/'"$suite"'\/\1/p; s/^not ok [0-9]* - \(.*\)/FAIL unit\/'"$suite"'\/\1/p' | tee -a "$res"
	if [ $rc != 0 ] && ! echo "$out" | grep -q '^not ok'; then
		rec "FAIL unit/$suite (exit $rc: crash or sanitizer report)"
		echo "$out" | tail -n 20 >&2
	fi
done

phase "integration (device emulator over the spdm-emu socket protocol)"
tests/integration/run.sh build/san | tee -a "$res"
tests/integration/caps.sh build/san | tee -a "$res"
tests/integration/certs.sh build/san | tee -a "$res"
tests/integration/attest.sh build/san | tee -a "$res"
tests/integration/session.sh build/san | tee -a "$res"
tests/integration/idekm.sh build/san | tee -a "$res"
tests/integration/tdisp.sh build/san | tee -a "$res"
tests/integration/strict.sh build/san | tee -a "$res"
tests/integration/timeouts.sh build/san | tee -a "$res"
tests/integration/reattest.sh build/san | tee -a "$res"

phase "tsmctl: --help against tsmctl(8); bash completion against tsmctl"
tests/tsmctl/help-man.sh build/san | tee -a "$res"
tests/tsmctl/completion.sh build/san | tee -a "$res"

phase "fuzz: libFuzzer harnesses, ${TSMH_FUZZ_SECONDS:-10}s each"
fuzz/run.sh "${TSMH_FUZZ_SECONDS:-10}" | tee -a "$res"

phase "netlink schema: docs/netlink/tsmh.yaml against the uapi and the generated policies"
# scripts/nlgen.py --check names the first disagreement; --self-test breaks
# the YAML, the uapi, the generated files and a daemon file on purpose (in
# a copy) and fails unless --check catches each
if out=$(scripts/nlgen.py --check 2>&1); then
	rec "PASS lint/netlink-schema"
else
	rec "FAIL lint/netlink-schema: $(echo "$out" | head -n 1)"
	echo "$out" | head -n 20 >&2
fi
if out=$(scripts/nlgen.py --self-test 2>&1); then
	rec "PASS lint/netlink-schema-selftest"
else
	rec "FAIL lint/netlink-schema-selftest: $(echo "$out" | grep -v '^ok:' | head -n 1)"
	echo "$out" | head -n 20 >&2
fi

phase "lint: checkpatch --strict, clang-format, sparse"
cp=${TSMH_CACHE:-/var/cache/tsm-host}/checkpatch/scripts/checkpatch.pl
kfiles=$(ls kmod/*/*.[ch] lib/*.[ch])
if [ -x "$cp" ]; then
	if out=$("$cp" --no-tree --strict --terse -f $kfiles 2>&1 | grep -v '^total:'); [ -z "$out" ]; then
		rec "PASS lint/checkpatch-strict"
	else
		rec "FAIL lint/checkpatch-strict"
		echo "$out" | head -n 20 >&2
	fi
else
	rec "FAIL lint/checkpatch-strict (checkpatch.pl missing: run scripts/deps.sh)"
fi
ufiles=$(ls daemon/*/*.[ch] tests/unit/*.[ch] tests/integration/*.c tests/vm/*.c fuzz/*.c)
if clang-format --dry-run --Werror $ufiles >build/clang-format.log 2>&1; then
	rec "PASS lint/clang-format-userspace"
else
	rec "FAIL lint/clang-format-userspace (see build/clang-format.log)"
	head -n 20 build/clang-format.log >&2
fi
kver12=$(scripts/kernels.sh version deb12 2>/dev/null)
if [ -n "$kver12" ]; then
	tmp=$(mktemp -d)
	(tar -cf - Kbuild kmod lib include) | tar -xf - -C "$tmp"
	out=$(make -s -C "/usr/src/linux-headers-$kver12" M="$tmp" C=2 TSMH_WERROR=1 modules 2>&1 | grep -E 'warning|error')
	if [ -z "$out" ]; then
		rec "PASS lint/sparse"
	else
		rec "FAIL lint/sparse"
		echo "$out" | head -n 20 >&2
	fi
	rm -rf "$tmp"
fi

phase "Debian packages: dpkg-buildpackage + lintian (scripts/deb.sh)"
# build/deb/*.deb: also what the systemd guest installs (run-systemd.sh)
scripts/deb.sh build/deb
case $? in
0) rec "PASS pkg/deb" && rec "PASS pkg/lintian" ;;
2) rec "PASS pkg/deb" && rec "FAIL pkg/lintian (see build/deb/lintian.log)" ;;
*) rec "FAIL pkg/deb (see build/deb/build.log)" && rec "FAIL pkg/lintian (no packages to check)" ;;
esac

if [ -z "${TSMH_NO_VM:-}" ]; then
	qemu_sid=
	for l in $labels; do
		phase "kernel $l: DKMS build + VM tests"
		kd=build/kmod/$l
		if ! scripts/kernels.sh prepare "$l" >build/kernels-$l.log 2>&1; then
			rec "FAIL build/kernel/$l (see build/kernels-$l.log)"
			tail -n 10 "build/kernels-$l.log" >&2
			continue
		fi
		if scripts/dkms-build.sh "$l" "$kd"; then
			rec "PASS build/dkms/$l"
		else
			rec "FAIL build/dkms/$l"
			continue
		fi
		mkdir -p build/vm
		if ! scripts/vm/mkinitramfs.sh "$l" "$kd" build/rel "build/vm/$l.cpio"; then
			rec "FAIL vm/$l/initramfs"
			continue
		fi
		scripts/vm/run.sh "$l" "build/vm/$l.cpio" build/vm/logs $vm_tests | tee -a "$res"
		# the same kernel against QEMU's own NVMe DOE mailbox (sid QEMU);
		# SKIP (with the reason) only if that QEMU lacks the feature
		if [ -z "$qemu_sid" ]; then
			if scripts/vm/qemu-sid.sh prepare >build/qemu-sid.log 2>&1; then
				qemu_sid=ok
			else
				qemu_sid=failed
				rec "FAIL build/qemu-sid (see build/qemu-sid.log)"
				tail -n 10 build/qemu-sid.log >&2
			fi
		fi
		[ "$qemu_sid" = ok ] &&
			scripts/vm/run-nvme.sh "$l" "build/vm/$l.cpio" build/vm/logs | tee -a "$res"
		# the shipped unit and udev rules under a real systemd (its own
		# FAIL lines, with the log named, if the root file system cannot
		# be built)
		scripts/vm/run-systemd.sh "$l" "$kd" build/vm/logs | tee -a "$res"
	done
fi

phase "done"
p=$(grep -c '^PASS' "$res")
f=$(grep -c '^FAIL' "$res")
s=$(grep -c '^SKIP' "$res")
echo "total time: $(($(date +%s) - t_start))s" >&2
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" = 0 ]
