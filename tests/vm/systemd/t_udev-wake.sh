# udev wakes tsmd: tsmd.service is enabled, but at boot its condition
# (tsmh_core loaded) is unmet, so it is not running. pci-stub claims
# 1b36:1e10 before any such device exists; then modprobe tsmh_core, tsmh_sim and
# the emulator hot-add two gated endpoints. 80-tsmd.rules (SYSTEMD_WANTS) must
# start tsmd.service; tsmd attests and applies the policy: EP0 released by
# a slot rule (pci-stub binds it), EP1 attested but not in the (empty)
# allow-list, so held with no driver although pci-stub matches it.
. /opt/tsmh-test/lib.sh
[ "$(prop ActiveState)" = inactive ] || fail "tsmd already $(prop ActiveState) before any device"
[ "$(prop ConditionResult)" = no ] || fail "tsmd's boot condition: $(prop ConditionResult) (expected unmet)"
[ ! -e /sys/module/tsmh_core ] || fail "tsmh_core loaded at boot"
ok "tsmd enabled but not started at boot (ConditionPathExists=/sys/module/tsmh_core unmet)"

# the admin's policy: trust the emulator's root; EP0 by slot, rest measured
mkdir -p /etc/tsmd/trust.d
cat >/etc/tsmd/tsmd.conf <<EOT
{ "trust_anchors": "/etc/tsmd/trust.d",
  "allow_list": "/var/lib/tsmd/allow-list.json",
  "default": "measurements",
  "attest_timeout_ms": 30000,
  "rules": [ { "match": { "slot": "$EP0" }, "require": "exempt",
               "comment": "test: released by policy" } ] }
EOT
chmod 600 /etc/tsmd/tsmd.conf

# tsmh_core first (it gates devices that appear after it), then the
# driver, then the emulated PCI domain (tsmh_sim needs no tsmh_core symbols)
modprobe tsmh_core || fail "modprobe tsmh_core"
modprobe pci-stub ids=1b36:1e10 || fail "modprobe pci-stub"
modprobe tsmh_sim nr_endpoints=2 || fail "modprobe tsmh_sim"
# the emulator as a service of its own: it outlives this script (the
# later tests use the same devices); it writes the root before plugging
systemd-run --unit=tsmh-emu --quiet /usr/sbin/tsmh-emu --sim \
	--export-root /etc/tsmd/trust.d/emu-root.pem --ready-file /run/tsmh-emu.ready ||
	fail "systemd-run tsmh-emu"
wait_until 30 "emulator did not start: $(journalctl -u tsmh-emu --no-pager | tail -n 3)" \
	test -f /run/tsmh-emu.ready
wait_until 30 "endpoints never appeared" test -e "/sys/bus/pci/devices/$EP1/tsmh/gate"
ok "modprobe tsmh_sim + tsmh-emu: $EP0 and $EP1 hot-added"

wait_until 60 "udev never started tsmd.service" active_is active
udevadm info -q property "/sys/bus/pci/devices/$EP1" | grep -qx 'SYSTEMD_WANTS=tsmd.service' ||
	fail "udev did not set SYSTEMD_WANTS on $EP1: $(udevadm info -q property /sys/bus/pci/devices/"$EP1")"
wb=$(prop WantedBy)
case $wb in *.device*) ;; *) fail "tsmd.service not wanted by a device unit: WantedBy=$wb" ;; esac
# started once and stayed up (a failed first start would be hidden by
# Restart=on-failure)
[ "$(prop NRestarts)" = 0 ] || tfail "tsmd needed $(prop NRestarts) restart(s) to come up"
ok "udev started tsmd.service (WantedBy=$wb)"

wait_until 60 "$EP0 never released" is_bound "$EP0"
wait_until 60 "tsmd never decided $EP1 ($(gatefile "$EP1"))" \
	sh -c "tsmctl -j show $EP1 | jq -r .gate.msg | grep -q 'not in the allow-list'"
[ "$(gate "$EP0")" = released/exempt ] || tfail "$EP0: $(gate "$EP0")"
[ "$(gatefile "$EP1")" = "held quarantine" ] || tfail "$EP1 gate: $(gatefile "$EP1")"
[ -z "$(drv "$EP1")" ] || tfail "$EP1 bound to $(drv "$EP1") while held"
ok "$EP0 released by policy, pci-stub bound; $EP1 attested and held: $(gmsg "$EP1")"
