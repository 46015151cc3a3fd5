#!/bin/bash
# Install what tsm-host needs on a Debian 12 host, idempotently:
# build tools and libraries, the Debian 12 kernel headers (for DKMS),
# QEMU, busybox, debootstrap (for the Debian 13 / sid build chroots and
# the systemd guest's root file system; e2fsprogs and systemd's systemctl
# turn it into a disk image with the units enabled), the packaging tools
# for make deb (dpkg-dev, debhelper, dh-dkms: bookworm's dh_dkms is in its
# own package, fakeroot, lintian; git for the copy of the tracked files),
# checkpatch.pl from Debian's linux-source package (for lint), and
# python3-yaml for scripts/nlgen.py (the netlink spec check), and valgrind
# for make bench's instruction counts (callgrind).
# Nothing is added to the host's apt sources.
set -euo pipefail
CACHE=${TSMH_CACHE:-/var/cache/tsm-host}
PKGS="gcc make pkg-config libc6-dev libnl-3-dev libnl-genl-3-dev libcjson-dev
      libcmocka-dev libsystemd-dev libudev-dev libssl-dev linux-headers-amd64 dkms
      qemu-system-x86 busybox-static debootstrap cpio jq udev kmod zstd xz-utils dbus-daemon dbus-bin
      sparse clang-format clang libclang-rt-14-dev ca-certificates e2fsprogs systemd
      git dpkg-dev debhelper dh-dkms fakeroot lintian python3 python3-yaml valgrind"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# INITRD=No: do not spend minutes building an initrd for a kernel we
	# only use headers of.
	INITRD=No apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# checkpatch.pl (+ its data files) from linux-source-6.1, unpacked in the cache
cp_dir="$CACHE/checkpatch/scripts"
if [ ! -x "$cp_dir/checkpatch.pl" ]; then
	echo "deps.sh: fetching checkpatch.pl from linux-source-6.1" >&2
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null 2>&1) || {
		apt-get update -q >/dev/null
		(cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null 2>&1)
	}
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -xf - -C "$tmp" ./usr/src/linux-source-6.1.tar.xz
	mkdir -p "$CACHE/checkpatch"
	tar -xJf "$tmp/usr/src/linux-source-6.1.tar.xz" -C "$CACHE/checkpatch" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	rm -rf "$tmp"
fi
