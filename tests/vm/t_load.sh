# Module load/unload; the sim devices appear with the right capabilities.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
tsmctl -j list >/tmp/list.json || fail "tsmctl list"
cat /tmp/list.json
for d in $EP0 $EP1; do
	jq -e --arg d "$d" '.[] | select(.name == $d) |
		.vendor == "1b36" and .device == "1e10" and .tee_io and
		.ide.selective_streams == 2 and .ide.link and .ide.ide_km and
		(.doe | length) == 1 and .doe[0].offset == 256 and
		.doe[0].protocols == ["discovery", "cma", "sec-cma"] and
		.doe[0].owner == null and (.serial | startswith("54534d48"))' \
		/tmp/list.json >/dev/null || fail "$d: wrong capabilities"
	ok "$d: TEE-IO, IDE (2 selective streams), DOE cma+sec-cma"
done
jq -e --arg d "$RP" '.[] | select(.name == $d) | .pcie_type == "Root Port" and
	.ide.selective_streams == 8' /tmp/list.json >/dev/null || fail "root port IDE not listed"
ok "root port: IDE with 8 selective streams"
[ "$(cat /sys/bus/pci/devices/$EP0/vendor)" = 0x1b36 ] || fail "sysfs vendor"
# the offline decoder reads the same capabilities from a sysfs config dump
cat /sys/bus/pci/devices/$EP0/config >/tmp/ep0.cfg
tsmctl -j caps /tmp/ep0.cfg | jq -e '.tee_io and .doe_mailboxes == [256] and
	.ide.selective_streams == 2 and .anomaly == null' >/dev/null ||
	fail "tsmctl caps on the sysfs dump: $(tsmctl caps /tmp/ep0.cfg)"
ok "tsmctl caps decodes the live device's config dump"
# and the kernel sees the emulated DOE mailbox as a DOE mailbox
if [ -d /sys/bus/pci/devices/$EP0/doe_features ]; then
	ls /sys/bus/pci/devices/$EP0/doe_features | grep -q '0001:01' ||
		fail "PCI core doe_features lacks CMA: $(ls /sys/bus/pci/devices/$EP0/doe_features)"
	ok "PCI core discovered the mailbox itself: $(ls /sys/bus/pci/devices/$EP0/doe_features | tr '\n' ' ')"
fi
# the configured DOE backend matches the kernel
want=cfg
kernel_has_doe_api && want=kernel
tsmctl -j info | jq -e --arg w "$want" '.doe_backend | startswith(if $w == "kernel" then "kernel" else "tsmh" end)' >/dev/null ||
	fail "DOE backend is not $want: $(tsmctl info)"
ok "DOE backend: $(tsmctl -j info | jq -r .doe_backend)"

unload_modules
lsmod | grep -q tsmh && fail "modules still loaded"
[ -e /sys/bus/pci/devices/$EP0 ] && fail "$EP0 survived rmmod"
ok "unloaded"
load_modules 3
start_emu
wait_eps 3
ok "reloaded with 3 endpoints"
unload_modules
