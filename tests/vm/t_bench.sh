# make bench (not part of make check): attestation timings through the
# kernel's DOE proxy, each committing its evidence to the kernel; "cached"
# attestations take the chains from the kernel's evidence (and verify them
# and CHALLENGE as a full one does); "reattest" ones (--reattest) re-check
# the attested slot's chain against the kernel's record and prove the key
# with signed measurements instead of CHALLENGE (daemon/attest/attest.h).
# Prints "BENCH proxy <full|cached|reattest> <runs> <total ms>".
# tsmh-vm: not in the sim suite (run by make bench, not by tests/run.sh's vm_tests)
. /tests/lib.sh
runs=${TSMH_BENCH_RUNS:-20}
load_modules 1
start_emu --slots 4 --export-root /tmp/root.pem
wait_eps 1
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
tsmctl attest $EP0 --trust /tmp/root.pem >/dev/null || fail "attest"
for mode in full cached reattest; do
	t0=$(ms)
	i=0
	while [ $i -lt $runs ]; do
		case $mode in
		full) tsmctl attest $EP0 --trust /tmp/root.pem --no-cache >/dev/null || fail "attest $i" ;;
		cached) tsmctl attest $EP0 --trust /tmp/root.pem >/dev/null || fail "cached attest $i" ;;
		reattest)
			tsmctl attest $EP0 --trust /tmp/root.pem --reattest >/tmp/ra.txt ||
				fail "re-attestation $i"
			grep -q "re-attested" /tmp/ra.txt || fail "not a re-attestation: $(cat /tmp/ra.txt)"
			;;
		esac
		i=$((i + 1))
	done
	echo "BENCH proxy $mode $runs $(($(ms) - t0))"
done
unload_modules
