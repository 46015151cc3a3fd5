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
