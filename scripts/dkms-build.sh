#!/bin/bash
# Build and install the modules with real DKMS for kernel matrix LABEL
# (deb12 on the host, deb13/sid in their chroots) and copy the resulting
# .ko files to OUTDIR.   Usage: scripts/dkms-build.sh LABEL OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
label=$1
out=$2
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
kver=$("$here/kernels.sh" version "$label")
root=$("$here/kernels.sh" root "$label")
src="$root/usr/src/tsm-host-$ver"

# One DKMS build at a time per machine: /var/lib/dkms and the source
# tree in the build root are shared by every checkout.
exec 9>"${TSMH_LOCKDIR:-/run/lock}/tsmh-dkms.lock"
flock 9

rm -rf "$src"
mkdir -p "$src"
(cd "$top" && tar -cf - Kbuild dkms.conf kmod lib include) | tar -xf - -C "$src"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete

log="$out/dkms-$label.log"
mkdir -p "$out"
run() { "$here/kernels.sh" run "$label" "$@"; }
{
	run dkms remove -m tsm-host -v "$ver" --all || true
	# each step must succeed: "set -e" does not act inside this list, and
	# "dkms install" would rebuild without -Werror after a failed build
	run dkms add -m tsm-host -v "$ver" &&
	# -Werror for our own builds only (Kbuild): env passes it through the
	# chroot's "env -i" and dkms to make, which imports it as a variable.
	run env TSMH_WERROR=1 dkms build -m tsm-host -v "$ver" -k "$kver" &&
	run dkms install -m tsm-host -v "$ver" -k "$kver" --force
} >"$log" 2>&1 || {
	echo "dkms-build: DKMS failed for $label ($kver); log: $log" >&2
	tail -n 30 "$log" >&2
	find "$root/var/lib/dkms/tsm-host/$ver/build" -name make.log -exec tail -n 40 {} \; >&2 2>/dev/null || true
	exit 1
}
mdir="$root/var/lib/dkms/tsm-host/$ver/$kver/x86_64/module"
rm -f "$out"/*.ko
for m in tsmh_core tsmh_sim; do
	f=$(ls "$mdir/$m.ko"* 2>/dev/null | head -n1)
	[ -n "$f" ] || { echo "dkms-build: $m not built for $kver" >&2; exit 1; }
	case "$f" in
	*.xz) xz -dc "$f" >"$out/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$out/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$out/$m.ko" ;;
	*) cp "$f" "$out/$m.ko" ;;
	esac
done
# VM-test-only modules (tests/vm/kmod): plain kbuild against the same
# kernel, never in the DKMS source tree or a package
tsrc="$root/usr/src/tsmh-vmtest-$ver"
rm -rf "$tsrc"
mkdir -p "$tsrc"
cp "$top"/tests/vm/kmod/Kbuild "$top"/tests/vm/kmod/*.c "$tsrc/"
run make -C "/lib/modules/$kver/build" M="/usr/src/tsmh-vmtest-$ver" TSMH_WERROR=1 modules \
	>"$out/vmtest-$label.log" 2>&1 || {
	echo "dkms-build: VM test modules failed for $label ($kver); log: $out/vmtest-$label.log" >&2
	tail -n 30 "$out/vmtest-$label.log" >&2
	exit 1
}
cp "$tsrc"/*.ko "$out/"
rm -rf "$tsrc"
echo "$kver" >"$out/kver"
echo "dkms-build: $label ($kver): tsmh_core.ko tsmh_sim.ko built and installed with DKMS" >&2
