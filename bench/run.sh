#!/bin/bash
# make bench: time per full attestation and per digest-cached
# re-attestation against the device emulator, over the spdm-emu socket
# (host, release build) and through the kernel's DOE proxy (Debian 12
# kernel under QEMU TCG: no KVM here, so the proxy figures include TCG's
# cost for every config-space access of the DOE mailbox). The emulated
# device has 4 provisioned slots, so a full run fetches 4 chains.
# Environment: TSMH_BENCH_RUNS (socket runs, default 20; the guest does
# 20), TSMH_BENCH_LABEL (deb12).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${TSMH_BENCH_RUNS:-20}
label=${TSMH_BENCH_LABEL:-deb12}
bin=build/rel
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

report() { # WHERE MODE RUNS TOTAL_MS
	awk -v w="$1" -v m="$2" -v n="$3" -v t="$4" \
		'BEGIN { printf "%-7s %-7s %4d runs  %8.1f ms per attestation\n", w, m, n, t / n }'
}
now_ms() { date +%s%3N; }

port=$((20000 + RANDOM % 20000))
"$bin/tsmh-emu" --listen "127.0.0.1:$port" --slots 4 --export-root "$tmp/root.pem" >"$tmp/emu.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q serving "$tmp/emu.log" && break; sleep 0.1; done
att() { "$bin/tsmctl" attest --socket "127.0.0.1:$port" --trust "$tmp/root.pem" "$@" >/dev/null; }
att --cache "$tmp/cache"
for mode in full cached; do
	t0=$(now_ms)
	for _ in $(seq "$runs"); do
		if [ $mode = full ]; then att; else att --cache "$tmp/cache"; fi
	done
	report socket $mode "$runs" $(($(now_ms) - t0))
done
kill $pid
wait $pid 2>/dev/null || true
pid=

scripts/kernels.sh prepare "$label" >"$tmp/kernels.log" 2>&1
scripts/dkms-build.sh "$label" "build/kmod/$label"
mkdir -p build/vm
scripts/vm/mkinitramfs.sh "$label" "build/kmod/$label" "$bin" "build/vm/$label-bench.cpio"
scripts/vm/run.sh "$label" "build/vm/$label-bench.cpio" build/vm/bench bench >/dev/null
tr -d '\r' <"build/vm/bench/$label.log" |
	sed -n 's/^\[bench\] BENCH proxy \([a-z]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3/p' | while read -r mode n total; do
	report "proxy" "$mode" "$n" "$total"
done
echo "(proxy: $label kernel under QEMU TCG, emulated DOE mailbox; socket: host loopback)"
