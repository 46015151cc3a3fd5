# The packages (tsm-host, tsm-host-dkms: apt-get install ./*.deb) put the
# shipped unit, udev rules and bus policy where systemd, udevd and dbus
# read them (Debian 12: /lib/systemd/system, /lib/udev/rules.d), the
# binaries in /usr/sbin run with the rootfs's libraries, the shipped unit
# is sane (Type=notify, a watchdog of 10 s to 5 min), and modprobe finds
# the DKMS-built modules for this kernel.
. /opt/tsmh-test/lib.sh
src=/opt/tsmh-test/src
unit=/lib/systemd/system/tsmd.service
for p in tsm-host tsm-host-dkms; do
	status=$(dpkg-query -W -f '${Status}' $p 2>&1)
	[ "$status" = "install ok installed" ] || fail "package $p: $status"
done
ok "packages tsm-host and tsm-host-dkms installed"
for f in $unit /lib/udev/rules.d/60-tsmh.rules \
	/lib/udev/rules.d/70-tsmh-gate.rules /lib/udev/rules.d/80-tsmd.rules \
	/usr/share/dbus-1/system.d/org.tsmhost.tsmd1.conf; do
	cmp -s "$f" "$src/$(basename "$f")" || fail "$f is not the shipped $(basename "$f")"
done
ok "unit, udev rules and bus policy installed as shipped"
for b in tsmd tsmctl tsmh-emu; do
	[ -x /usr/sbin/$b ] || fail "no /usr/sbin/$b"
done
v=$(tsmd --version 2>&1) || fail "tsmd does not run here: $v"
ok "binaries run: $v"
# Debian 12's root is merged-/usr: either name is the same file
case $(prop FragmentPath) in
"$unit" | "/usr$unit") ;;
*) fail "systemd loads $(prop FragmentPath)" ;;
esac
[ "$(prop LoadState)" = loaded ] || fail "tsmd.service: $(prop LoadState) $(prop LoadError)"
[ "$(systemctl is-enabled tsmd)" = enabled ] || fail "tsmd.service not enabled"
# --man=no: the guest has no man(1) to check Documentation= with
out=$(systemd-analyze verify --man=no $unit 2>&1) ||
	fail "systemd-analyze verify tsmd.service: $out"
[ "$(prop Type)" = notify ] || fail "Type=$(prop Type)"
[ "$(prop ExecMainStatus)" = 0 ] || fail "tsmd exited at boot: $(prop ExecMainStatus)"
# the configured value (WatchdogUSec reads "infinity" until it first runs)
wd=$(systemctl cat tsmd | sed -n 's/^WatchdogSec=//p' | tail -n 1)
case $wd in
[1-9][0-9]s | [1-9][0-9] | [1-5]min) ;;
*) fail "shipped WatchdogSec is not between 10 s and 5 min: '$wd'" ;;
esac
ok "tsmd.service loaded from $(prop FragmentPath), enabled, verifies clean, Type=notify, WatchdogSec=$wd"
k=$(uname -r)
for m in tsmh_core tsmh_sim; do
	p=$(modinfo -n $m 2>&1) || fail "modinfo $m: $p"
	[ "$p" = "/lib/modules/$k/extra/$m.ko" ] || fail "modprobe would load $m from $p"
	vm=$(modinfo -F vermagic $m)
	[ "${vm%% *}" = "$k" ] || fail "$m built for ${vm%% *}, running $k"
done
ok "modprobe finds tsmh_core/tsmh_sim for $k in /lib/modules/$k/extra"
