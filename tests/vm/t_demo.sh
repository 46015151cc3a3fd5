# The demo (make demo): two emulated TEE-IO endpoints behind an emulated
# root port, listed by tsmctl with their capabilities and the SPDM VERSION
# answer that came back through the kernel's DOE proxy.
# tsmh-vm: not in the sim suite (run by make demo, not by tests/run.sh's vm_tests)
. /tests/lib.sh
load_modules 2
start_emu --versions 1.2,1.3
wait_eps 2
echo "\$ tsmctl info"
tsmctl info || fail "tsmctl info"
echo
echo "\$ tsmctl list --spdm"
tsmctl list --spdm || fail "tsmctl list"
echo
echo "\$ tsmctl show $EP0 --spdm"
tsmctl show $EP0 --spdm || fail "tsmctl show"
echo
echo "\$ tsmctl doe $EP1 --protocol cma --hex 10840000     # raw SPDM GET_VERSION"
tsmctl doe $EP1 --protocol cma --hex 10840000 || fail "tsmctl doe"
n=$(tsmctl -j list --spdm | jq '[.[] | select(.spdm.versions == ["1.2", "1.3"])] | length')
[ "$n" = 2 ] || fail "expected 2 endpoints answering SPDM 1.2,1.3, got $n"
unload_modules
