# Certificate chains through the kernel's DOE proxy: the emulated device's
# chain is fetched in portions, verified against its root with OpenSSL,
# and a chain to an unknown root is refused.
. /tests/lib.sh
load_modules 2
start_emu --export-root /tmp/root.pem
wait_eps 2
tsmctl -j certs $EP0 --trust /tmp/root.pem >/tmp/c.json 2>&1 || fail "certs: $(cat /tmp/c.json)"
jq -e '.[0].verified and .[0].certificates == 3 and
	(.[0].identity | startswith("Vendor=1b36:Device=1e10:"))' /tmp/c.json >/dev/null ||
	fail "certs result: $(cat /tmp/c.json)"
tsmctl certs $EP1 --trust /tmp/root.pem || fail "certs $EP1"
n=$(tsmctl -j show $EP0 | jq '.doe[0].exchanges')
[ "$n" -ge 5 ] || fail "expected VCA + DIGESTS + portions through the proxy, saw $n exchanges"
ok "chains verified through the proxy ($n exchanges on $EP0)"
[ "$(tsmctl -j show $EP0 | jq -r '.doe[0].owner')" = null ] || fail "claim left behind"
stop_emu
start_emu --fault unknown-root --export-root /tmp/root2.pem --plug none
expect_fail "chain does not verify" tsmctl certs $EP0 --trust /tmp/root2.pem
unload_modules
