#!/bin/bash
# Build (once) the root filesystem of the systemd-booted guest: Debian 12
# (bookworm) debootstrap'd with systemd as PID 1, udev, a real D-Bus system
# bus and everything the two packages (debian/: tsm-host, tsm-host-dkms)
# depend on, so scripts/vm/run-systemd.sh installs them with apt without
# a network. Cached in $TSMH_CACHE (default /var/cache/tsm-host) as
# rootfs-bookworm-systemd-deb/, keyed by the package list and REV, so a change
# of the list (or of REV, bumped when the configuration below changes)
# rebuilds it; rebuilding is idempotent, and a failure is
# reported with the log to read (never a half-built cache: the tree is only
# marked ready at the end).
#
# Usage: scripts/vm/mkroot-systemd.sh      prints the rootfs directory
# Environment: TSMH_CACHE, TSMH_MIRROR (default http://deb.debian.org/debian)
set -euo pipefail
CACHE=${TSMH_CACHE:-/var/cache/tsm-host}
MIRROR=${TSMH_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# systemd + udev + dbus: what is under test; kmod: modprobe/depmod for
# udev; jq, procps: the guest tests; the libraries: tsm-host's Depends
# (what tsmd/tsmctl/tsmh-emu link); dkms (and with it gcc, make, ...):
# tsm-host-dkms's Depends.
PKGS="systemd systemd-sysv udev dbus kmod jq procps
      libnl-3-200 libnl-genl-3-200 libcjson1 libssl3 libsystemd0 libudev1
      dkms"
# bump when the guest configuration below changes
REV=1

die() { echo "mkroot-systemd.sh: $*" >&2; exit 1; }
log() { echo "mkroot-systemd.sh: $*" >&2; }

# "-deb": the tree that holds the packages' dependencies (the one named
# rootfs-bookworm-systemd/ before it installed the build with make install)
name=rootfs-$SUITE-systemd-deb
root=$CACHE/$name
logf=$CACHE/$name.log
# shellcheck disable=SC2086 # PKGS: one word per package
key=$(echo "$SUITE" "$MIRROR" $PKGS "rev $REV")

mkdir -p "$CACHE"
# concurrent checkouts share the cache: one builder at a time
exec 9>"$CACHE/.$name.lock"
flock 9
if [ -f "$root/.tsmh-ready" ] && [ "$(cat "$root/.tsmh-ready")" = "$key" ]; then
	echo "$root"
	exit 0
fi

log "debootstrap $SUITE with systemd into $root (log: $logf)"
rm -rf "$root"
mkdir -p "$root"
debootstrap --variant=minbase --include="$(echo "$PKGS" | xargs | tr ' ' ,)" \
	"$SUITE" "$root" "$MIRROR" >"$logf" 2>&1 ||
	die "debootstrap $SUITE failed (see $logf)"

# Guest configuration. Per boot the runner copies this tree and adds the
# build under test, so nothing here depends on the build.
echo tsmh-guest >"$root/etc/hostname"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
# a fixed machine ID: no first-boot setup (systemd-firstboot, presets)
systemd-machine-id-setup --root="$root" >>"$logf" 2>&1 ||
	die "systemd-machine-id-setup failed (see $logf)"
# nothing in the guest needs these, and each costs seconds under TCG
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-timesyncd.service getty@tty1.service serial-getty@ttyS0.service \
	systemd-networkd-wait-online.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# journald: keep the journal in memory-backed /run, forward to the console
# only what we print ourselves (the test unit writes to the console itself)
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/tsmh.conf"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
echo "$key" >"$root/.tsmh-ready"
log "rootfs ready ($(du -sh "$root" | cut -f1))"
echo "$root"
