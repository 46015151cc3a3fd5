#!/bin/bash
# Build the guest initramfs for kernel matrix LABEL:
#   busybox (static), systemd-udevd + udevadm, our modules (from DKMS),
#   tsmctl / tsmh-emu / tsmd / test tools with the host's shared libraries,
#   dbus-daemon (a system bus for tsmd),
#   the guest test scripts, and /init.
# Usage: scripts/vm/mkinitramfs.sh LABEL KMODDIR BINDIR OUT.cpio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
label=$1 kmod=$2 bin=$3 out=$4
kver=$(cat "$kmod/kver")
kcache=$(dirname "$("$top/scripts/kernels.sh" image "$label")")

st=$(mktemp -d)
trap 'rm -rf "$st"' EXIT
mkdir -p "$st"/{bin,sbin,etc,proc,sys,dev,run,tmp,root,usr/bin,usr/lib,lib/udev/rules.d,etc/udev/rules.d}
mkdir -p "$st/lib/modules/$kver/extra" "$st/tests"

cp /bin/busybox "$st/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$st/bin/$a" ] || ln -s busybox "$st/bin/$a"
done

# Copy a binary and the shared libraries it needs (and the loader).
copy_elf() {
	local f=$1 dst=$2 lib
	cp -L "$f" "$st$dst"
	for lib in $(ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'); do
		[ -f "$lib" ] || continue
		mkdir -p "$st$(dirname "$lib")"
		[ -e "$st$lib" ] || cp -L "$lib" "$st$lib"
	done
}
for p in tsmctl tsmh-emu tsmd; do
	copy_elf "$bin/$p" "/usr/bin/$p"
done
# a system bus for tsmd's D-Bus API, with our bus policy
copy_elf "$(command -v dbus-daemon)" /usr/bin/dbus-daemon
# a plain D-Bus client (t_tsmdedge calls tsmd's methods as an unprivileged user)
copy_elf "$(command -v dbus-send)" /usr/bin/dbus-send
mkdir -p "$st/usr/share/dbus-1/system.d" "$st/etc/tsmd"
cp "$top/dbus/org.tsmhost.tsmd1.conf" "$st/usr/share/dbus-1/system.d/"
cp "$top/tests/vm/dbus-system.conf" "$st/etc/tsmh-dbus.conf"
copy_elf "$bin/tests/vm/nlprobe" /usr/bin/nlprobe
copy_elf "$bin/tests/vm/evput" /usr/bin/evput
copy_elf "$bin/tests/vm/aerinj" /usr/bin/aerinj
# times unrelated generic netlink operations (t_genlstall)
copy_elf "$bin/tests/vm/genltime" /usr/bin/genltime
# claims against a port id reused in the close window (t_claimsock)
copy_elf "$bin/tests/vm/claimrace" /usr/bin/claimrace
# runs a command as another user with only the capabilities given (t_capadmin, t_dsn)
copy_elf "$bin/tests/vm/capexec" /usr/bin/capexec
# drives the sim's IDE registers and root-port key unit (t_simide)
copy_elf "$bin/tests/vm/simide" /usr/bin/simide
# answers evt-tsm-req in tsmd's place (t_tsmlink)
copy_elf "$bin/tests/vm/tsmresp" /usr/bin/tsmresp
# the kernel's IDE stream commands one at a time (t_idestream)
copy_elf "$bin/tests/vm/idenl" /usr/bin/idenl
# the kernel's TDI commands on one socket, a lying requester (t_tdi)
copy_elf "$bin/tests/vm/tdinl" /usr/bin/tdinl
copy_elf "$(command -v sha384sum)" /usr/bin/sha384sum # busybox has none
# the sim's BARs and bridge windows as a user sees them (t_simbars), where installed
if command -v lspci >/dev/null; then copy_elf "$(command -v lspci)" /usr/bin/lspci; fi
copy_elf "$(command -v jq)" /usr/bin/jq
copy_elf /lib/systemd/systemd-udevd /sbin/udevd
copy_elf /bin/udevadm /bin/udevadm
# udevd needs a few rules; ours plus the basic device nodes
for r in 50-udev-default.rules 60-persistent-storage.rules 80-drivers.rules; do
	[ -f "/lib/udev/rules.d/$r" ] && cp "/lib/udev/rules.d/$r" "$st/lib/udev/rules.d/"
done
cp "$top"/udev/*.rules "$st/lib/udev/rules.d/" 2>/dev/null || true
echo 'root:x:0:0:root:/root:/bin/sh' >"$st/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$st/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$st/etc/group"

cp "$kmod"/tsmh_core.ko "$kmod"/tsmh_sim.ko "$st/lib/modules/$kver/extra/"
# VM-test-only modules (tests/vm/kmod, built by scripts/dkms-build.sh)
cp "$kmod"/tsmh_rtest.ko "$st/lib/modules/$kver/extra/" 2>/dev/null || true
cp "$kmod"/tsmh_btest.ko "$st/lib/modules/$kver/extra/" 2>/dev/null || true # 7.2 only
# in-tree modules the tests may load (as a user would with modprobe);
# sha512_generic gives tsmh_core its SHA-384 where it is not built in (6.1)
kmod_file() { find "$kcache/modules" \( -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" \) 2>/dev/null | head -n1; }
add_kmod() {
	local m=$1 f
	f=$(kmod_file "$m")
	[ -n "$f" ] || return 1
	case "$f" in
	*.xz) xz -dc "$f" >"$st/lib/modules/$kver/extra/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$st/lib/modules/$kver/extra/$m.ko" ;;
	*) cp "$f" "$st/lib/modules/$kver/extra/$m.ko" ;;
	esac
}
# aer_inject: t_reset drives AER recovery with it (where the kernel has it);
# psample: a small module that registers a generic netlink family (t_genlstall)
for m in pci-stub sha512_generic aer_inject psample; do
	add_kmod "$m" || true
done
# A module with its dependencies (modinfo depends), and the order to insmod
# them in (dependencies first) in /etc/tsmh-kmods-NAME: the initramfs has
# no modules.dep (the NVMe test loads the nvme driver this way).
kmod_seen=" "
kmod_order=()
kmod_dfs() {
	local m=$1 f d
	case "$kmod_seen" in *" $m "*) return 0 ;; esac
	kmod_seen="$kmod_seen$m "
	f=$(kmod_file "$m")
	[ -n "$f" ] || { echo "mkinitramfs: $label has no module $m" >&2; return 1; }
	for d in $(modinfo -F depends "$f" | tr , ' '); do
		kmod_dfs "$d" || return 1
	done
	add_kmod "$m"
	kmod_order+=("$m")
}
add_kmod_chain() {
	kmod_seen=" "
	kmod_order=()
	kmod_dfs "$1" || return 1
	printf '%s\n' "${kmod_order[@]}" >"$st/etc/tsmh-kmods-$1"
}
add_kmod_chain nvme || true
# vfio-pci (t_tsmvfio: a VFIO-bound TDI's 7.2 bind; no-IOMMU mode in the VM)
add_kmod_chain vfio-pci || true

cp "$top"/tests/vm/*.sh "$st/tests/"
cp "$top/tests/vm/init" "$st/init"
chmod +x "$st/init" "$st"/tests/*.sh
echo "$label" >"$st/etc/tsmh-label"

chmod 755 "$st"
# every file root's and none writable by group or others, whoever built
# it and with whatever umask: tsmd refuses configuration, allow-list and
# trust anchors under a directory another user could write (StrictModes)
chmod -R go-w "$st"
(cd "$st" && find . | cpio -o -H newc --quiet --owner=0:0) >"$out.tmp"
mv "$out.tmp" "$out"
