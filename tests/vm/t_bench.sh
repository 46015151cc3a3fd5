# make bench (not part of make check): attestation timings through the
# kernel's DOE proxy, each committing its evidence to the kernel; "cached"
# re-attestations take the chains from the kernel's evidence.
# Prints "BENCH proxy <full|cached> <runs> <total ms>".
# tsmh-vm: not in the sim suite (run by make bench, not by tests/run.sh's vm_tests)
. /tests/lib.sh
runs=${TSMH_BENCH_RUNS:-20}
load_modules 1
start_emu --slots 4 --export-root /tmp/root.pem
wait_eps 1
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
tsmctl attest $EP0 --trust /tmp/root.pem >/dev/null || fail "attest"
for mode in full cached; do
	t0=$(ms)
	i=0
	while [ $i -lt $runs ]; do
		if [ $mode = full ]; then
			tsmctl attest $EP0 --trust /tmp/root.pem --no-cache >/dev/null ||
				fail "attest $i"
		else
			tsmctl attest $EP0 --trust /tmp/root.pem >/dev/null ||
				fail "cached attest $i"
		fi
		i=$((i + 1))
	done
	echo "BENCH proxy $mode $runs $(($(ms) - t0))"
done
unload_modules
