#!/bin/bash
# The systemd-booted guest: boot kernel matrix LABEL under QEMU (TCG) on a
# Debian 12 root file system with systemd as PID 1 (scripts/vm/mkroot-
# systemd.sh), with the build under test installed the way a Debian admin
# would: the two packages (tsm-host, tsm-host-dkms from debian/) with
# `apt-get install ./tsm-host_*.deb ./tsm-host-dkms_*.deb` in a chroot
# (their dependencies are in the cached root, so no network), plus the
# modules scripts/dkms-build.sh built for this kernel in
# /lib/modules/KVER/extra + depmod (the guest root has no kernel headers,
# so the package's DKMS postinst only registers the source), and run the
# guest tests in
# tests/vm/systemd/ from a unit once the system is up. They test what the
# busybox guest cannot: the real systemd/tsmd.service (udev wake via
# SYSTEMD_WANTS, Type=notify, watchdog, sandboxing) and the udev rules,
# journald fields, a real system bus.
#
# Boot: a per-run ext4 image (mkfs.ext4 -d from a copy of the cached
# rootfs plus the install) as virtio-blk, and a tiny busybox initramfs that
# loads virtio/ext4 (modules on Debian kernels) and switch_roots to
# systemd. Prints one line per test:  PASS|FAIL vm/LABEL/systemd/NAME
# and exits 0 if none failed. Same conventions as scripts/vm/run.sh
# (scripts/vm/lib.sh): infrastructure retry, kernel-log checks.
#
# Usage: scripts/vm/run-systemd.sh LABEL KMODDIR LOGDIR
# (the packages: the .debs in TSMH_DEBDIR, default build/deb, as `make deb`
# leaves them; built there with `make deb` if there are none)
# Environment: TSMH_VM_TIMEOUT (whole boot, s; default 420), TSMH_DEBDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
label=$1 kmod=$2 logdir=$3
# the guest's tests, in the order tests/vm/systemd/run.sh runs them
TESTS="install udev-wake notify watchdog sandbox journal purge"
timeout_s=${TSMH_VM_TIMEOUT:-420}
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
prefix="vm/$label/systemd"

failall() {
	local t
	for t in $TESTS; do echo "FAIL $prefix/$t ($*)"; done
	exit 1
}

kernel=$("$top/scripts/kernels.sh" image "$label")
[ -f "$kernel" ] || failall "no kernel image $kernel"
kver=$(cat "$kmod/kver" 2>/dev/null) || failall "no DKMS build in $kmod"
kcache=$(dirname "$kernel")
debdir=${TSMH_DEBDIR:-$top/build/deb}
if ! ls "$debdir"/tsm-host_*.deb "$debdir"/tsm-host-dkms_*.deb >/dev/null 2>&1; then
	mkdir -p "$logdir"
	make -s -C "$top" deb >"$logdir/$label-systemd-deb.log" 2>&1 ||
		failall "make deb failed; see $logdir/$label-systemd-deb.log"
	debdir=$top/build/deb
fi
rootlog=$logdir/$label-systemd-rootfs.log
if ! root=$("$here/mkroot-systemd.sh" 2>"$rootlog"); then
	failall "rootfs build failed: $(tail -n 1 "$rootlog"); see $rootlog"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tsmh-systemd.XXXXXX")
trap 'rm -rf "$work"' EXIT
st=$work/root
setup_log=$logdir/$label-systemd-setup.log
: >"$setup_log"

# A module file of the kernel's own tree, uncompressed into DIR: the
# guest's kmod and the initramfs's busybox insmod then need no xz/zstd.
kmod_file() { find "$kcache/modules" \( -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" \) 2>/dev/null | head -n1; }
put_kmod() {
	local f=$1 dir=$2 n
	n=$(basename "$f")
	n=${n%.xz}
	n=${n%.zst}
	case "$f" in
	*.xz) xz -dc "$f" >"$dir/$n" ;;
	*.zst) zstd -qdc "$f" >"$dir/$n" ;;
	*) cp "$f" "$dir/$n" ;;
	esac
}
# kmod_chain NAME: NAME and its dependencies, dependencies first (modinfo
# depends), in KMOD_ORDER (module file paths); absent or built-in: skipped
kmod_chain() {
	local f d
	f=$(kmod_file "$1")
	[ -n "$f" ] || return 0
	case " ${KMOD_ORDER[*]-} " in *" $f "*) return 0 ;; esac
	for d in $(modinfo -F depends "$f" | tr , ' '); do
		kmod_chain "$d"
	done
	KMOD_ORDER+=("$f")
}

setup() {
	# the rootfs, then the build under test installed into it as a user would
	# (shared lock: a concurrent checkout may be rebuilding the cache)
	(flock -s 9 && cp -a "$root/." "$st/") 9>"$(dirname "$root")/.$(basename "$root").lock" ||
		return 1
	rm -f "$st/.tsmh-ready"
	# the packages, as an admin installs them (apt resolves nothing from
	# the network: the root has their dependencies); policy-rc.d: start
	# nothing in the chroot. tsm-host-dkms's postinst runs "dkms add" and
	# finds no kernel with headers here (it warns that /proc is not
	# mounted; nothing it needs), so it builds nothing and succeeds.
	mkdir -p "$st/tmp/tsmh-debs"
	cp "$debdir"/tsm-host_*.deb "$debdir"/tsm-host-dkms_*.deb "$st/tmp/tsmh-debs/" || return 1
	printf '#!/bin/sh\nexit 101\n' >"$st/usr/sbin/policy-rc.d"
	chmod +x "$st/usr/sbin/policy-rc.d"
	chroot "$st" sh -c 'DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
		/tmp/tsmh-debs/tsm-host_*.deb /tmp/tsmh-debs/tsm-host-dkms_*.deb' || return 1
	rm -rf "$st/usr/sbin/policy-rc.d" "$st/tmp/tsmh-debs"
	# enabled by the admin (the package does not: debian/rules)
	systemctl --root="$st" enable tsmd.service || return 1
	# the DKMS build for this kernel where modprobe looks for extra modules,
	# and the in-tree modules the tests use (tsmh_core's SHA-384 on 6.1,
	# pci-stub) or the boot needs (virtio, ext4), then depmod
	local m=$st/lib/modules/$kver
	mkdir -p "$m/extra" "$m/kernel"
	cp "$kmod/tsmh_core.ko" "$kmod/tsmh_sim.ko" "$m/extra/" || return 1
	KMOD_ORDER=()
	for x in sha512_generic pci-stub; do kmod_chain "$x"; done
	local f
	for f in "${KMOD_ORDER[@]}"; do put_kmod "$f" "$m/kernel" || return 1; done
	cp "$kcache/modules/$kver"/modules.builtin* "$m/" 2>/dev/null || true
	depmod -b "$st" "$kver" || return 1
	# the guest tests, the shipped files to compare the install with
	mkdir -p "$st/opt/tsmh-test/src"
	cp "$top"/tests/vm/systemd/*.sh "$st/opt/tsmh-test/" || return 1
	chmod +x "$st"/opt/tsmh-test/*.sh
	make -s -C "$top" units SBINDIR=/usr/sbin UNITS_OUT="$st/opt/tsmh-test/src" || return 1
	rm -f "$st/opt/tsmh-test/src/tsmh-emu.service"
	cp "$top"/udev/*.rules "$top/dbus/org.tsmhost.tsmd1.conf" "$st/opt/tsmh-test/src/" || return 1
	echo "$label" >"$st/etc/tsmh-label"
	cp "$top/tests/vm/systemd/tsmh-test.service" "$st/etc/systemd/system/" || return 1
	systemctl --root="$st" enable tsmh-test.service || return 1
	# the image: room for the journal, logs and the tests' files
	local mb
	mb=$(($(du -sm "$st" | cut -f1) + 192))
	mkfs.ext4 -q -F -L tsmh-root -d "$st" "$work/root.img" "${mb}M" || return 1
	rm -rf "$st"

	# the initramfs: busybox, virtio + ext4 modules, switch_root to systemd
	local ir=$work/initrd
	mkdir -p "$ir"/{bin,dev,proc,sys,newroot,lib/modules}
	cp /bin/busybox "$ir/bin/busybox"
	for x in sh mount umount insmod switch_root sleep cat echo mkdir; do ln -s busybox "$ir/bin/$x"; done
	KMOD_ORDER=()
	for x in virtio_pci virtio_blk crc32c_generic crc32c-intel ext4; do kmod_chain "$x"; done
	: >"$ir/lib/modules/order"
	for f in "${KMOD_ORDER[@]}"; do
		put_kmod "$f" "$ir/lib/modules" || return 1
		f=$(basename "$f")
		f=${f%.xz}
		echo "${f%.zst}" >>"$ir/lib/modules/order"
	done
	cp "$top/tests/vm/systemd/initrd-init" "$ir/init" && chmod +x "$ir/init" || return 1
	(cd "$ir" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio"
}
t0=$(date +%s)
if ! setup >>"$setup_log" 2>&1; then
	failall "guest image setup failed: $(tail -n 1 "$setup_log"); see $setup_log"
fi
echo "vm: $label: systemd guest image built in $(($(date +%s) - t0))s" >&2

# shellcheck disable=SC2317 # called by vm_boot_retry
boot() {
	local log=$1 cpu=$2
	# systemd.show_status=error: only failing units on the console, so the
	# tests' lines stay readable; the serial tty's CRs are dropped
	vm_qemu_args "$cpu" "$kernel" "$work/initrd.cpio" systemd \
		root=/dev/vda systemd.show_status=error
	# shellcheck disable=SC2054 # commas belong to QEMU option strings
	QARGS+=(-drive "file=$work/root.img,if=virtio,format=raw,cache=unsafe")
	timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 "${QARGS[@]}" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
}

log="$logdir/$label-systemd.log"
if ! vm_boot_retry "$label" "$log" boot; then
	failall "infrastructure: no boot; see $log"
fi
# shellcheck disable=SC2086 # TESTS: one word per test
vm_verdicts "$label" "$log" "$prefix" $TESTS
rc=$?
echo "vm: $label: systemd guest boot-to-verdict ${VM_BOOT_S}s" >&2
echo "$VM_BOOT_S" >"$logdir/$label-systemd.seconds"
exit $rc
