# A DOE claim belongs to the netlink socket that made it, not to its port
# id (issue 10, suspected: "owners are identified by portid, which a new
# socket can reuse in the close window"). The kernel frees a socket's port
# id before the release notification that drops its claims; claimrace
# makes one thread claim and close on a fixed port id in a loop while
# another binds the same port id whenever it is free and tries to release
# a claim it never made. That must never succeed, and after the storm the
# mailbox is unclaimed and serves exchanges.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
claimrace $EP0 10 >/tmp/cr.out 2>&1
rc=$?
cat /tmp/cr.out | tail -n 3
[ $rc = 0 ] || fail "a socket that reused the owner's port id was taken for the owner: $(tail -n 1 /tmp/cr.out)"
grep -q "^claims [1-9]" /tmp/cr.out || fail "the owner thread never claimed: $(cat /tmp/cr.out)"
ok "no stranger on a reused port id released a claim"
wait_until 5 "claim outlived its socket" owner_is $EP0 none
rsp=$(tsmctl doe $EP0 --protocol cma --hex 10840000) || fail "exchange after the storm"
ok "mailbox unclaimed and serving: $rsp"
unload_modules
