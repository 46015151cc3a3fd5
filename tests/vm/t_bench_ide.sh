# make bench (not part of make check): IDE through the kernel's DOE proxy
# and its IDE stream commands, one endpoint (4 certificate slots, as
# t_bench.sh). Per mode, RUNS runs (TSMH_BENCH_RUNS, default 20), each
# checked for its outcome, the total time of the timed commands:
#   attest-session  tsmctl attest DEV --session: authentication (evidence
#                   committed), KEY_EXCHANGE + FINISH, HEARTBEATs,
#                   KEY_UPDATEs, END_SESSION: the baseline without IDE
#   ide-km          tsmctl ide km DEV: authentication, session, IDE_KM
#                   QUERY, KEY_PROG x6, K_SET_GO x6, K_SET_STOP x6,
#                   END_SESSION; no IDE register touched
#   connect         tsmctl connect DEV: authentication, session, stream
#                   allocated, six keys at both ends, K_SET_GO, enabled,
#                   SECURE, END_SESSION (each run followed by an untimed
#                   disconnect)
#   disconnect      tsmctl disconnect DEV (after an untimed connect)
#   refresh         tsmctl ide refresh DEV on a SECURE stream: new session,
#                   six keys into the other key set, K_SET_GO, old set
#                   stopped
# Prints "BENCH ide <mode> <runs> <total ms>".
# tsmh-vm: not in the sim suite (run by make bench, not by tests/run.sh's vm_tests)
. /tests/lib.sh
runs=${TSMH_BENCH_RUNS:-20}
load_modules 1
start_emu --slots 4 --export-root /tmp/root.pem
wait_eps 1
T="--trust /tmp/root.pem"
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# the state/key set of EP0's stream as ide list shows it ("none": no stream)
ep_state() {
	tsmctl -j ide list >/tmp/il.json 2>&1 || fail "ide list: $(cat /tmp/il.json)"
	jq -r --arg ep "$EP0" '[.ports[] | select(.role == "root_port") | .streams[] |
		select(.endpoint == $ep)][0] | if . == null then "none" else .state + "/" + (.key_set | tostring) end' /tmp/il.json
}
run() { # WHAT CMD...: CMD must succeed (its output in /tmp/b.out)
	what=$1
	shift
	"$@" >/tmp/b.out 2>&1 || fail "$what: $(tail -n 5 /tmp/b.out)"
}
tsmctl attest $EP0 $T >/dev/null || fail "attest"

for mode in attest-session ide-km connect disconnect refresh; do
	[ $mode = refresh ] && run "connect before refresh" tsmctl connect $EP0 $T
	total=0
	i=0
	while [ $i -lt $runs ]; do
		[ $mode = disconnect ] && run "connect $i" tsmctl connect $EP0 $T
		t0=$(ms)
		case $mode in
		attest-session) run "attest --session $i" tsmctl attest $EP0 $T --session ;;
		ide-km) run "ide km $i" tsmctl ide km $EP0 $T ;;
		connect) run "connect $i" tsmctl connect $EP0 $T ;;
		disconnect) run "disconnect $i" tsmctl disconnect $EP0 $T ;;
		refresh) run "ide refresh $i" tsmctl ide refresh $EP0 $T ;;
		esac
		total=$((total + $(ms) - t0))
		case $mode in
		connect)
			[ "$(ep_state)" = secure/0 ] || fail "after connect $i: $(ep_state)"
			run "disconnect $i" tsmctl disconnect $EP0 $T
			;;
		disconnect) [ "$(ep_state)" = none ] || fail "after disconnect $i: $(ep_state)" ;;
		refresh) [ "$(ep_state)" = secure/$(((i + 1) % 2)) ] || fail "after refresh $i: $(ep_state)" ;;
		esac
		i=$((i + 1))
	done
	echo "BENCH ide $mode $runs $total"
done
run "disconnect at the end" tsmctl disconnect $EP0 $T
unload_modules
