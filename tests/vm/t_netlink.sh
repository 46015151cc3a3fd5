# Malformed and hostile netlink input gets clear errors (nlprobe asserts).
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
nlprobe $EP0 || fail "nlprobe"
unload_modules
