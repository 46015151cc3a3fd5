#!/bin/bash
# make bench: time per full attestation, per digest-cached one (chains
# from the cache, still verified, CHALLENGE sent) and per re-attestation
# (--reattest: the attested slot's chain re-checked against the
# verifier's record, the other slots carried, signed measurements under a
# fresh nonce instead of CHALLENGE; daemon/attest/attest.h) against the
# device emulator, over the spdm-emu socket (host, release build) and
# through the kernel's DOE proxy (Debian 12 kernel under QEMU TCG: no KVM
# here, so the proxy figures include TCG's cost for every config-space
# access of the DOE mailbox). The emulated device has 4 provisioned slots,
# so a full run fetches 4 chains. Then the requester's CPU instructions
# (valgrind's callgrind, whole tsmctl process and tsmh_attest_run() alone)
# for one full attestation and one re-attestation over the socket: timings
# on a shared machine are noisy, instruction counts are not.
# Then tsmd's timings in the same guest (tests/vm/t_bench_tsmd.sh), for 1,
# 64 and 256 emulated endpoints behind pci-stub (256: two PCI domains of
# the sim), tsmd at its default max_parallel (8): device add -> driver
# bound, and FLR of all devices -> service restored (plus tsmd start with N
# held devices -> all bound); then tsmd idle with the N devices in service
# (attested, released, bound): its RSS and its wake-ups per second (context
# switches of all its threads over TSMH_BENCH_IDLE seconds). The guest has
# no systemd, hence no watchdog: under systemd (WatchdogSec=30s) sd-event
# adds one ping every 15-22 s.
# IDE through the kernel (tests/vm/t_bench_ide.sh, same guest): tsmctl
# attest --session, ide km, connect, disconnect and ide refresh of one
# endpoint, wall time per run (kernel DOE proxy and IDE stream commands).
# TDISP through the kernel (tests/vm/t_bench_tdi.sh, same guest): tsmctl
# tdi lock (lock -> report -> stop) and lock --start (lock -> report ->
# start -> stop, host-native mode) of function 1 beside attest --session.
# IDE_KM over the socket: `tsmctl ide km` (authentication, KEY_EXCHANGE +
# FINISH, QUERY, KEY_PROG of the six keys of a key set, K_SET_GO and
# K_SET_STOP of each, END_SESSION) beside `tsmctl attest --session`
# (authentication, KEY_EXCHANGE + FINISH, two HEARTBEATs, two KEY_UPDATEs,
# END_SESSION): wall time per run and callgrind instructions, with the
# IDE_KM requests' own share (tsmh_idekm_query/_key_prog/_k_set inclusive).
# TDISP over the socket: `tsmctl tdisp` (authentication, session,
# GET_TDISP_VERSION, GET_TDISP_CAPABILITIES, LOCK_INTERFACE, every
# GET_DEVICE_INTERFACE_REPORT portion, GET_DEVICE_INTERFACE_STATE,
# START_INTERFACE, GET_DEVICE_INTERFACE_STATE, STOP_INTERFACE, END_SESSION;
# the report checked against the emulator's simple layout), wall time and
# instructions, the TDISP exchanges' share (tsmh_tdisp_xfer inclusive).
# Figures only: nothing here passes or fails on a threshold.
# Environment: TSMH_BENCH_RUNS (socket runs, default 20; the guest does
# 20), TSMH_BENCH_LABEL (deb12), TSMH_BENCH_TSMD (endpoint counts, default
# 1,64,256), TSMH_BENCH_IDLE (idle window in s, default 60),
# TSMH_BENCH_TIMEOUT (guest time limit in s, default 3600),
# TSMH_BENCH_SOCKET (0: skip the host socket rows), TSMH_BENCH_GUEST (the
# guest benchmarks to run, default "bench bench_ide bench_tdi bench_tsmd"; empty: no
# guest).
# Only the tsmd row at 64 devices, for example:
#   TSMH_BENCH_SOCKET=0 TSMH_BENCH_GUEST=bench_tsmd TSMH_BENCH_TSMD=64 bench/run.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${TSMH_BENCH_RUNS:-20}
label=${TSMH_BENCH_LABEL:-deb12}
bin=build/rel
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

report() { # WHERE MODE RUNS TOTAL_MS [PER]
	awk -v w="$1" -v m="$2" -v n="$3" -v t="$4" -v p="${5:-attestation}" \
		'BEGIN { printf "%-7s %-7s %4d runs  %8.1f ms per %s\n", w, m, n, t / n, p }'
}
now_ms() { date +%s%3N; }
guest=${TSMH_BENCH_GUEST-bench bench_ide bench_tdi bench_tsmd}
# callgrind's inclusive instructions of FUNCs, summed (FILE FUNC...)
incl() {
	local f=$1
	shift
	callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
		awk -v fs="$*" 'BEGIN { n = split(fs, fn, " "); for (i = 1; i <= n; i++) want[fn[i]] = 1 }
			{ for (k in want) if (!(k in got) && index($0, ":" k " [")) { gsub(",", "", $1); got[k] = $1; s += $1 } }
			END { print s + 0 }'
}

if [ "${TSMH_BENCH_SOCKET:-1}" != 0 ]; then
"$bin/tsmh-emu" --listen 127.0.0.1:0 --slots 4 --export-root "$tmp/root.pem" >"$tmp/emu.log" 2>&1 &
pid=$!
port=
for _ in $(seq 100); do
	l=$(grep -o -m1 'serving .* on 127\.0\.0\.1:[0-9]*' "$tmp/emu.log") && port=${l##*:} && break
	sleep 0.1
done
[ -n "$port" ] || { echo "bench: emulator did not start: $(tail -n 3 "$tmp/emu.log")" >&2; exit 1; }
att() { "$bin/tsmctl" attest --socket "127.0.0.1:$port" --trust "$tmp/root.pem" "$@" >/dev/null; }
att --cache "$tmp/cache"
for mode in full cached reattest; do
	t0=$(now_ms)
	for _ in $(seq "$runs"); do
		case $mode in
		full) att ;;
		cached) att --cache "$tmp/cache" ;;
		reattest) att --cache "$tmp/cache" --reattest ;;
		esac
	done
	report socket $mode "$runs" $(($(now_ms) - t0))
done
# instructions: callgrind's total (Ir) for the process, and the inclusive
# count of tsmh_attest_run() (the requester without process start-up)
instr() { # NAME ARGS...
	local name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$name" "$bin/tsmctl" attest \
		--socket "127.0.0.1:$port" --trust "$tmp/root.pem" "$@" >/dev/null 2>"$tmp/vg.$name"
	tot=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/vg.$name")
	run=$(callgrind_annotate --inclusive=yes "$tmp/cg.$name" 2>/dev/null |
		awk '!d && /tsmh_attest_run/ { gsub(",", "", $1); print $1; d = 1 }')
	echo "$name $tot $run"
}
{
	instr full
	instr reattest --cache "$tmp/cache" --reattest
} >"$tmp/instr"
awk '{ t[$1] = $2; r[$1] = $3 }
	END {
		printf "socket  full     instructions %11d process %11d tsmh_attest_run\n", t["full"], r["full"]
		printf "socket  reattest instructions %11d process %11d tsmh_attest_run  (%.2fx, %.2fx of full)\n",
			t["reattest"], r["reattest"], t["reattest"] / t["full"], r["reattest"] / r["full"]
	}' "$tmp/instr"

# IDE_KM (see the top): wall time, then instructions
idekm() { "$bin/tsmctl" ide km --socket "127.0.0.1:$port" --trust "$tmp/root.pem" "$@" >/dev/null; }
# TDISP over the socket (see the top): tsmctl tdisp, the emulator's simple layout
tdisp() {
	"$bin/tsmctl" tdisp --socket "127.0.0.1:$port" --trust "$tmp/root.pem" --layout simple \
		--no-nonce-probe "$@" >/dev/null
}
tdisp || { echo "bench: tsmctl tdisp --socket failed" >&2; exit 1; }
for mode in session ide-km tdisp; do
	t0=$(now_ms)
	for _ in $(seq "$runs"); do
		case $mode in
		session) att --session ;;
		ide-km) idekm ;;
		tdisp) tdisp ;;
		esac
	done
	report socket $mode "$runs" $(($(now_ms) - t0)) run
done
vg() { # NAME CMD...: callgrind's total for CMD (its profile in $tmp/cg.NAME)
	local name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$name" "$@" >/dev/null 2>"$tmp/vg.$name"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/vg.$name"
}
st=$(vg session "$bin/tsmctl" attest --socket "127.0.0.1:$port" --trust "$tmp/root.pem" --session)
it=$(vg idekm "$bin/tsmctl" ide km --socket "127.0.0.1:$port" --trust "$tmp/root.pem")
tt=$(vg tdisp "$bin/tsmctl" tdisp --socket "127.0.0.1:$port" --trust "$tmp/root.pem" --layout simple --no-nonce-probe)
tk=$(incl "$tmp/cg.tdisp" tsmh_tdisp_xfer)
sa=$(incl "$tmp/cg.session" tsmh_attest_run)
ss=$(incl "$tmp/cg.session" attest_session)
ia=$(incl "$tmp/cg.idekm" tsmh_attest_run)
is=$(incl "$tmp/cg.idekm" tsmh_session_start tsmh_session_end)
ik=$(incl "$tmp/cg.idekm" tsmh_idekm_query tsmh_idekm_key_prog tsmh_idekm_k_set)
awk -v st="$st" -v sa="$sa" -v ss="$ss" -v it="$it" -v ia="$ia" -v is="$is" -v ik="$ik" -v tt="$tt" -v tk="$tk" 'BEGIN {
	printf "socket  session  instructions %11d process %11d tsmh_attest_run %10d session (start, 2 HEARTBEAT, 2 KEY_UPDATE, end)\n",
		st, sa, ss
	printf "socket  ide-km   instructions %11d process %11d tsmh_attest_run %10d session (start, end)\n", it, ia, is
	printf "socket  ide-km   IDE_KM requests (QUERY, 6 KEY_PROG, 6 K_SET_GO, 6 K_SET_STOP) %d instructions: %.1f%% of the process; process %.2fx of attest --session\n",
		ik, 100 * ik / it, it / st
	printf "socket  tdisp    instructions %11d process (%.2fx attest --session); TDISP exchanges (VERSION, CAPABILITIES, LOCK, REPORT portions, STATE, START, STATE, STOP) %d: %.1f%%\n",
		tt, tt / st, tk, 100 * tk / tt
}'
kill $pid
wait $pid 2>/dev/null || true
pid=
fi

if [ -z "$guest" ]; then
	exit 0
fi

scripts/kernels.sh prepare "$label" >"$tmp/kernels.log" 2>&1
scripts/dkms-build.sh "$label" "build/kmod/$label"
mkdir -p build/vm
scripts/vm/mkinitramfs.sh "$label" "build/kmod/$label" "$bin" "build/vm/$label-bench.cpio"
# one boot for both guest benchmarks; the 64-device tsmd runs need more
# than the guest's usual 120 s per test
vmout=build/vm/bench/$label.verdicts
mkdir -p build/vm/bench
tmo=${TSMH_BENCH_TIMEOUT:-3600}
vmrc=0
TSMH_VM_TIMEOUT=$((tmo + 300)) \
	TSMH_VM_APPEND="tsmh.timeout=$tmo tsmh.bench_tsmd=${TSMH_BENCH_TSMD:-1,64,256} tsmh.bench_idle=${TSMH_BENCH_IDLE:-60}" \
	scripts/vm/run.sh "$label" "build/vm/$label-bench.cpio" build/vm/bench $guest \
	>"$vmout" || vmrc=$?
log=build/vm/bench/$label.log
tr -d '\r' <"$log" |
	sed -n 's/^\[bench\] BENCH proxy \([a-z]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3/p' | while read -r mode n total; do
	report "proxy" "$mode" "$n" "$total"
done
tr -d '\r' <"$log" | awk '/^\[bench\] BENCH proxy (full|reattest) [0-9]+ [0-9]+$/ { t[$4] = $6 / $5 }
	END { if (t["full"] && t["reattest"]) printf "proxy   reattest / full wall time: %.2fx\n", t["reattest"] / t["full"] }' 
echo "(proxy: $label kernel under QEMU TCG, emulated DOE mailbox; socket: host loopback)"
tr -d '\r' <"$log" | awk '
	/^\[bench_ide\] BENCH ide [a-z-]+ [0-9]+ [0-9]+$/ { t[$4] = $6 / $5; n[$4] = $5; m[++k] = $4 }
	END {
		for (i = 1; i <= k; i++) {
			printf "proxy   ide %-14s %4d runs  %8.1f ms per run", m[i], n[m[i]], t[m[i]]
			if (m[i] != "attest-session" && t["attest-session"])
				printf "  (%.2fx attest --session)", t[m[i]] / t["attest-session"]
			printf "\n"
		}
		if (k)
			print "(ide: one endpoint through the kernel; connect/disconnect/refresh program the sim'"'"'s IDE registers and key unit)"
	}'
tr -d '\r' <"$log" | awk '
	/^\[bench_tdi\] BENCH tdi [a-z-]+ [0-9]+ [0-9]+$/ { t[$4] = $6 / $5; n[$4] = $5; m[++k] = $4 }
	END {
		for (i = 1; i <= k; i++) {
			printf "proxy   tdi %-14s %4d runs  %8.1f ms per run", m[i], n[m[i]], t[m[i]]
			if (m[i] != "attest-session" && t["attest-session"])
				printf "  (%.2fx attest --session)", t[m[i]] / t["attest-session"]
			printf "\n"
		}
		if (k)
			print "(tdi: function 1 of a TEE-IO card through the kernel: tdi-begin/end around each TDISP request, the report checked against the BARs)"
	}'
tr -d '\r' <"$log" | awk '
	/^\[bench_tsmd\] BENCH tsmd [a-z-]+ [0-9]+ [0-9]+$/ { v[$4 " " $5] = $6; if (!($5 in seen)) { seen[$5] = 1; ns[++k] = $5 } }
	/^\[bench_tsmd\] BENCH tsmd idle [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$/ { idle[$5] = $6 " " $7 " " $8 " " $9 }
	/^\[bench_tsmd\] BENCH tsmd worker-(full|reattest) [0-9]+ [0-9]+ [0-9]+$/ { wk[$4 " " $5] = $6 " " $7 }
	END {
		split("start add flr", what, " ")
		name["start"] = "start->bound"; name["add"] = "add->bound"; name["flr"] = "FLR->restored"
		for (i = 1; i <= k; i++)
			for (j = 1; j <= 3; j++) {
				n = ns[i]; w = what[j]
				if (!((w " " n) in v))
					continue
				t = v[w " " n]
				printf "tsmd    %-14s %3d device%s %8d ms total %7.0f ms/device", name[w], n,
					n == 1 ? " " : "s", t, t / n
				if (w == "add" && ("add-first " n) in v)
					printf "  (first bound after %d ms)", v["add-first " n]
				if (w == "flr" && ("flr-writes " n) in v)
					printf "  (of which the sysfs reset writes: %d ms)", v["flr-writes " n]
				printf "\n"
			}
		for (i = 1; i <= k; i++) {
			n = ns[i]
			if (!(("worker-full " n) in wk) || !(("worker-reattest " n) in wk))
				continue
			split(wk["worker-full " n], a, " "); split(wk["worker-reattest " n], b, " ")
			printf "tsmd    %-14s %3d device%s  first attestation %5d ms, re-attestation %5d ms: %.2fx (%d and %d workers)\n",
				"worker", n, n == 1 ? " " : "s", a[2], b[2], b[2] / a[2], a[1], b[1]
		}
		for (i = 1; i <= k; i++) {
			n = ns[i]
			if (!(n in idle))
				continue
			split(idle[n], f, " ")
			printf "tsmd    %-14s %3d device%s  RSS %6.1f MiB (peak %.1f)  %d wake-ups in %.0f s: %.2f/s\n",
				"idle", n, n == 1 ? " " : "s", f[1] / 1024, f[2] / 1024, f[3], f[4] / 1000,
				f[3] * 1000 / f[4]
		}
	}'
echo "(tsmd: $label kernel under QEMU TCG, 2 vCPUs; max_parallel 8 (default); devices added by a"
echo " rescan after a sysfs remove; FLRs issued back to back through sysfs reset; idle: after"
echo " the FLR round, all N in service; RSS = VmRSS, peak = VmHWM; wake-ups = voluntary +"
echo " nonvoluntary context switches of all tsmd threads; no systemd watchdog in the guest;"
echo " worker: a worker's time from fork to summary as tsmd logs it, mean over the devices: the"
echo " added devices' first attestations, then the re-attestations after the FLRs)"
if [ "$vmrc" != 0 ]; then
	echo "bench: a guest benchmark did not finish (see $log):" >&2
	grep -v '^PASS' "$vmout" >&2
	exit 1
fi
