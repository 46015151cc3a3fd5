# One SPDM owner per mailbox; the claim is visible and dies with its socket.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
tsmctl claim $EP0 2>/tmp/claim.err &
CPID=$!
wait_until 10 "claim not visible: $(cat /tmp/claim.err)" owner_is $EP0 host
tsmctl show $EP0
tsmctl show $EP0 | grep -q "owner host (tsmctl, netlink port" || fail "show does not name the owner"
ok "claim visible in tsmctl show"
expect_fail "claimed by another SPDM owner" tsmctl doe $EP0 --protocol cma --hex 10840000
expect_fail "claimed by another SPDM owner" tsmctl claim $EP0
tsmctl doe $EP0 --protocol discovery --hex 00000000 >/dev/null || fail "discovery must stay open"
tsmctl doe $EP1 --protocol cma --hex 10840000 >/dev/null || fail "other device affected"
ok "discovery and other devices unaffected"
kill $CPID
wait $CPID
wait_until 5 "claim not released when the socket closed" owner_is $EP0 none
tsmctl doe $EP0 --protocol cma --hex 10840000 >/dev/null || fail "exchange after release"
ok "released when the owner's socket closed"
unload_modules
