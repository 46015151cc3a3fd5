# `make install DESTDIR=` put the shipped unit, udev rules and bus policy
# where systemd, udevd and dbus read them, the binaries run with the
# rootfs's libraries, the shipped unit is sane (Type=notify, a watchdog of
# 10 s to 5 min), and modprobe finds the DKMS-built modules for this kernel.
. /opt/tsmh-test/lib.sh
src=/opt/tsmh-test/src
for f in /etc/systemd/system/tsmd.service /etc/udev/rules.d/60-tsmh.rules \
	/etc/udev/rules.d/70-tsmh-gate.rules /etc/udev/rules.d/80-tsmd.rules \
	/usr/share/dbus-1/system.d/org.tsmhost.tsmd1.conf; do
	cmp -s "$f" "$src/$(basename "$f")" || fail "$f is not the shipped $(basename "$f")"
done
ok "unit, udev rules and bus policy installed as shipped"
for b in tsmd tsmctl tsmh-emu; do
	[ -x /usr/local/sbin/$b ] || fail "no /usr/local/sbin/$b"
done
v=$(tsmd --version 2>&1) || fail "tsmd does not run here: $v"
ok "binaries run: $v"
[ "$(prop FragmentPath)" = /etc/systemd/system/tsmd.service ] || fail "systemd loads $(prop FragmentPath)"
[ "$(prop LoadState)" = loaded ] || fail "tsmd.service: $(prop LoadState) $(prop LoadError)"
[ "$(systemctl is-enabled tsmd)" = enabled ] || fail "tsmd.service not enabled"
# --man=no: the guest has no man(1) to check Documentation= with
out=$(systemd-analyze verify --man=no /etc/systemd/system/tsmd.service 2>&1) ||
	fail "systemd-analyze verify tsmd.service: $out"
[ "$(prop Type)" = notify ] || fail "Type=$(prop Type)"
[ "$(prop ExecMainStatus)" = 0 ] || fail "tsmd exited at boot: $(prop ExecMainStatus)"
# the configured value (WatchdogUSec reads "infinity" until it first runs)
wd=$(systemctl cat tsmd | sed -n 's/^WatchdogSec=//p' | tail -n 1)
case $wd in
[1-9][0-9]s | [1-9][0-9] | [1-5]min) ;;
*) fail "shipped WatchdogSec is not between 10 s and 5 min: '$wd'" ;;
esac
ok "tsmd.service loaded from /etc, enabled, verifies clean, Type=notify, WatchdogSec=$wd"
k=$(uname -r)
for m in tsmh_core tsmh_sim; do
	p=$(modinfo -n $m 2>&1) || fail "modinfo $m: $p"
	[ "$p" = "/lib/modules/$k/extra/$m.ko" ] || fail "modprobe would load $m from $p"
	vm=$(modinfo -F vermagic $m)
	[ "${vm%% *}" = "$k" ] || fail "$m built for ${vm%% *}, running $k"
done
ok "modprobe finds tsmh_core/tsmh_sim for $k in /lib/modules/$k/extra"
