# An unprivileged caller may read but not mutate.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
# run a command as "nobody" (no capabilities)
asuser tsmctl list >/tmp/u.out 2>&1 || fail "unprivileged list: $(cat /tmp/u.out)"
grep -q "$EP0" /tmp/u.out || fail "unprivileged list misses $EP0"
ok "unprivileged list works"
expect_fail "Operation not permitted" asuser tsmctl doe $EP0 --protocol cma --hex 10840000
expect_fail "Operation not permitted" asuser tsmctl claim $EP0
n=$(tsmctl -j show $EP0 | jq '.doe[0].exchanges')
[ "$n" = 0 ] || fail "a refused exchange reached the device ($n exchanges)"
ok "nothing reached the device"
unload_modules
