#!/bin/bash
# Prepare the kernel matrix, cached outside the repository.
#
#   scripts/kernels.sh prepare LABEL...   build env + kernel image for each label
#   scripts/kernels.sh version LABEL      print the kernel version of LABEL
#   scripts/kernels.sh root LABEL         print the build root ("/" for the host)
#   scripts/kernels.sh image LABEL        print the bootable uncompressed kernel
#
# Labels: deb12 (host packages, 6.1), deb13 (trixie chroot, 6.12),
#         sid (sid chroot). Cache: $TSMH_CACHE (default /var/cache/tsm-host).
#
# The host's own apt sources are never touched for trixie/sid: those
# releases live in debootstrap chroots; the deb12 kernel image .deb is
# fetched with apt-get download and unpacked, never installed on the host.
set -euo pipefail

CACHE=${TSMH_CACHE:-/var/cache/tsm-host}
MIRROR=${TSMH_MIRROR:-http://deb.debian.org/debian}
ALL_LABELS="deb12 deb13 sid"

die() { echo "kernels.sh: $*" >&2; exit 1; }
log() { echo "kernels.sh: $*" >&2; }

suite_of() {
	case "$1" in
	deb12) echo bookworm ;;
	deb13) echo trixie ;;
	sid) echo sid ;;
	*) die "unknown kernel label '$1' (known: $ALL_LABELS)" ;;
	esac
}

root_of() {
	case "$1" in
	deb12) echo / ;;
	*) echo "$CACHE/chroot-$(suite_of "$1")" ;;
	esac
}

kdir() { echo "$CACHE/kernels/$1"; }

# Mount /proc etc. for commands run inside a chroot (objtool needs /proc).
chroot_run() {
	local root=$1
	shift
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root DEBIAN_FRONTEND=noninteractive INITRD=No "$@"
}

chroot_release() {
	local root=$1
	for m in proc dev; do
		if mountpoint -q "$root/$m"; then umount -l "$root/$m"; fi
	done
}

# Unpack the kernel .debs in directory $1 (image, and on newer Debian
# releases the split linux-binary/linux-modules packages) into $2: the
# bzImage, the extracted uncompressed ELF (boots ~2x faster under TCG;
# Debian kernels are PVH) and lib/modules/VER for in-tree modules.
unpack_image() {
	local debs=$1 out=$2 tmp deb vmlinuz
	tmp=$(mktemp -d)
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$tmp"
	done
	vmlinuz=$(ls "$tmp"/boot/vmlinuz-* "$tmp"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n1 || true)
	[ -n "$vmlinuz" ] || die "no vmlinuz in $(ls "$debs")"
	cp "$vmlinuz" "$out/bzImage"
	"$(dirname "$0")/extract-vmlinux.sh" "$out/bzImage" >"$out/vmlinux.tmp"
	mv "$out/vmlinux.tmp" "$out/vmlinux"
	rm -rf "$out/modules"
	mkdir -p "$out/modules"
	if [ -d "$tmp/lib/modules" ]; then
		cp -a "$tmp"/lib/modules/. "$out/modules/"
	elif [ -d "$tmp/usr/lib/modules" ]; then
		cp -a "$tmp"/usr/lib/modules/. "$out/modules/"
	fi
	rm -rf "$tmp"
}

# The image package, plus the packages it splits into on newer releases.
image_pkgs() {
	local ver=$1
	echo "linux-image-$ver"
	echo "linux-binary-$ver"
	echo "linux-modules-$ver"
}

prepare_deb12() {
	local d ver pkg
	d=$(kdir deb12)
	if [ -f "$d/vmlinux" ] && [ -f "$d/version" ] &&
		[ -d "/usr/src/linux-headers-$(cat "$d/version")" ]; then
		return 0
	fi
	ver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
	[ -n "$ver" ] || die "linux-headers-amd64 is not installed (run scripts/deps.sh)"
	pkg="linux-image-$ver"
	mkdir -p "$d"
	local dl
	dl=$(mktemp -d)
	(cd "$dl" && apt-get download "$pkg" >/dev/null 2>&1) ||
		(cd "$dl" && apt-get download "${pkg}-unsigned" >/dev/null 2>&1) ||
		die "cannot download $pkg"
	unpack_image "$dl" "$d"
	rm -rf "$dl"
	echo "$ver" >"$d/version"
	log "deb12: kernel $ver ready"
}

prepare_chroot() {
	local label=$1 suite root d ver
	suite=$(suite_of "$label")
	root=$(root_of "$label")
	d=$(kdir "$label")
	if [ -f "$d/vmlinux" ] && [ -f "$d/version" ] && [ -f "$root/.tsmh-ready" ]; then
		return 0
	fi
	if [ ! -f "$root/.tsmh-base" ]; then
		log "$label: debootstrap $suite into $root"
		rm -rf "$root"
		mkdir -p "$root"
		debootstrap --variant=minbase --include=ca-certificates \
			"$suite" "$root" "$MIRROR" >"$CACHE/debootstrap-$suite.log" 2>&1 ||
			die "debootstrap $suite failed (see $CACHE/debootstrap-$suite.log)"
		touch "$root/.tsmh-base"
	fi
	# The archive's sid Release file can be past its Valid-Until date on
	# a mirror snapshot; the signature is still checked.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99tsmh-valid-until"
	log "$label: installing headers, compiler and dkms in the chroot"
	trap 'chroot_release "$root"' RETURN
	chroot_run "$root" apt-get update -q >/dev/null
	chroot_run "$root" apt-get install -y -q --no-install-recommends \
		linux-headers-amd64 dkms gcc make libc6-dev kmod >"$CACHE/chroot-$suite-install.log" 2>&1 ||
		die "apt-get install in $suite chroot failed (see $CACHE/chroot-$suite-install.log)"
	ver=$(chroot_run "$root" dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
	[ -n "$ver" ] || die "$label: cannot resolve the headers version"
	mkdir -p "$d" "$root/tmp/tsmh-dl"
	rm -f "$root"/tmp/tsmh-dl/*.deb
	local p got=0
	for p in $(image_pkgs "$ver"); do
		if chroot_run "$root" sh -c "cd /tmp/tsmh-dl && apt-get download $p" >/dev/null 2>&1; then
			got=1
		fi
	done
	[ $got = 1 ] || die "$label: cannot download linux-image-$ver"
	unpack_image "$root/tmp/tsmh-dl" "$d"
	rm -rf "$root/tmp/tsmh-dl"
	echo "$ver" >"$d/version"
	touch "$root/.tsmh-ready"
	log "$label: kernel $ver ready"
}

cmd=${1:-}
shift || true
case "$cmd" in
prepare)
	mkdir -p "$CACHE"
	# concurrent checkouts share the cache: one preparer at a time
	exec 8>"$CACHE/.prepare.lock"
	flock 8
	[ $# -gt 0 ] || set -- $ALL_LABELS
	for l in "$@"; do
		case "$l" in
		deb12) prepare_deb12 ;;
		*) suite_of "$l" >/dev/null && prepare_chroot "$l" ;;
		esac
	done
	;;
version) cat "$(kdir "$1")/version" 2>/dev/null || die "$1 not prepared (scripts/kernels.sh prepare $1)" ;;
root) root_of "$1" ;;
image) echo "$(kdir "$1")/vmlinux" ;;
labels) echo $ALL_LABELS ;;
run)
	# run LABEL CMD...: run a command in that label's build root
	l=$1
	shift
	r=$(root_of "$l")
	if [ "$r" = / ]; then
		"$@"
	else
		trap 'chroot_release "$r"' EXIT
		chroot_run "$r" "$@"
	fi
	;;
*) die "usage: kernels.sh prepare|version|root|image|labels|run LABEL..." ;;
esac
