# Last (it takes the packages away): "apt-get purge tsm-host tsm-host-dkms"
# as an admin would. tsmd is stopped (tsm-host's prerm) and the devices it
# held stay held (the kernel holds them, nothing is released because the
# daemon went away); DKMS forgets the module (tsm-host-dkms's prerm: dkms
# remove --all) and /usr/src/tsm-host-* goes; the unit, udev rules, bus
# policy, binaries, the conffile /etc/tsmd/tsmd.conf (and /etc/tsmd unless
# the admin's own files are in it) and the allow-list's state directory
# /var/lib/tsmd are gone; dpkg knows neither
# package any more (no "config-files" left over).
. /opt/tsmh-test/lib.sh
ver=$(dpkg-query -W -f '${Version}' tsm-host-dkms) || fail "tsm-host-dkms not installed"
dkms status 2>&1 | grep -q "^tsm-host[/,]" || fail "DKMS does not know tsm-host before the purge: $(dkms status 2>&1)"
[ -d "/usr/src/tsm-host-$ver" ] || fail "no /usr/src/tsm-host-$ver before the purge"
# tsmd running, and one device the admin quarantined: it must stay held
systemctl start tsmd || fail "systemctl start tsmd"
wait_until 20 "tsmd not active: $(prop ActiveState)" active_is active
tsmctl gate "$EP0" quarantine --msg "before the purge" || fail "tsmctl gate $EP0 quarantine"
wait_until 10 "$EP0 not held after quarantine: $(gatefile "$EP0")" sh -c "grep -q '^held' /sys/bus/pci/devices/$EP0/tsmh/gate"
before=
for d in /sys/bus/pci/devices/*; do
	[ "$(cut -d' ' -f1 "$d/tsmh/gate" 2>/dev/null)" = held ] && before="$before ${d##*/}"
done
out=$(DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o Dpkg::Use-Pty=0 tsm-host tsm-host-dkms 2>&1) ||
	fail "apt-get purge: $(echo "$out" | tail -n 20)"
for p in tsm-host tsm-host-dkms; do
	st=$(dpkg-query -W -f '${db:Status-Abbrev}' $p 2>/dev/null)
	case $st in
	"" | "un "*) ;;
	*) fail "package $p left in dpkg's database as '$st'" ;;
	esac
done
ok "apt-get purge tsm-host tsm-host-dkms (was $ver): dpkg knows neither package"
[ "$(prop ActiveState)" != active ] || fail "tsmd still running after the purge"
for f in /lib/systemd/system/tsmd.service /lib/udev/rules.d/60-tsmh.rules \
	/lib/udev/rules.d/70-tsmh-gate.rules /lib/udev/rules.d/80-tsmd.rules \
	/usr/share/dbus-1/system.d/org.tsmhost.tsmd1.conf /usr/sbin/tsmd /usr/sbin/tsmctl \
	/usr/sbin/tsmh-emu /etc/tsmd/tsmd.conf /var/lib/tsmd "/usr/src/tsm-host-$ver" \
	/usr/share/bash-completion/completions/tsmctl; do
	[ -e "$f" ] && fail "$f left after the purge"
done
# /etc/tsmd goes with the conffile, unless the admin put files of their
# own there (this guest's trust anchor): dpkg leaves those, and the
# directory with them
left=
[ -d /etc/tsmd ] && left=$(cd /etc/tsmd && ls -A)
case " $(echo $left) " in *" tsmd.conf "* | *".dpkg-"*) fail "package files left in /etc/tsmd: $left" ;; esac
dkms status 2>&1 | grep -q "^tsm-host[/,]" && fail "DKMS still lists tsm-host: $(dkms status 2>&1)"
ok "tsmd stopped; unit, rules, bus policy, binaries, the conffile, /var/lib/tsmd, the sources and DKMS's entry gone (left in /etc/tsmd, not the package's: $(echo ${left:-nothing}))"
for dev in $before; do
	[ "$(gatefile "$dev" | cut -d' ' -f1)" = held ] || fail "$dev let go by the purge: $(gatefile "$dev")"
	is_bound "$dev" && fail "$dev bound to a driver after the purge"
done
ok "held devices stay held after the purge:$before"
