#!/bin/bash
# TDISP over the spdm-emu socket protocol: tsmctl tdisp (protocol only, no
# kernel) against the device emulator: authentication, session,
# GET_TDISP_VERSION, GET_TDISP_CAPABILITIES, LOCK_INTERFACE, every portion
# of the report (decoded, checked against the layout's BARs), STATE, a
# wrong-nonce START refused, START, STATE, STOP, END_SESSION, for each of
# the emulator's layouts and at SPDM 1.2 and 1.3; each TDISP fault of the
# emulator gives its one error naming the step, exit status 1, the TDI is
# stopped again when it was locked and the session is still ended;
# --tdisp-need-ide refuses LOCK until IDE_KM keys are in use; the nonce is
# never printed. --tdisp-layout-file: the patterns laid onto the sim's BARs
# pass tsmctl's check against the same BARs, the file is read at every
# LOCK (no line: INVALID_INTERFACE; bad line or no file: UNSPECIFIED and
# a log line naming it), the faults name the file's BARs.
# Usage: tests/integration/tdisp.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=tdisp
. "$(dirname "$0")/lib.sh"
td() { # PORT [-j] ARGS...
	local port=$1 j=
	shift
	[ "${1:-}" = -j ] && j=-j && shift
	"$bin/tsmctl" $j tdisp --socket "127.0.0.1:$port" --trust "$tmp/root-$port.pem" "$@"
}
ended() { grep -q 'session 0x[0-9a-f]* ended (END_SESSION)' "$tmp/emu-$1.log"; }
# a 32-byte nonce printed as hex would be a long hex run; nothing else is
no_hex() { ! grep -Eq '[0-9a-fA-F]{16}' "$@"; }

# layout: ranges, [flags of each range], first pages of the MSI-X table and PBA
declare -A nr=([simple]=4 [sparse]=5 [offset]=5)
declare -A flags=(
	[simple]='[[],["msix_table"],["msix_pba"],[]]'
	[sparse]='[["updatable"],["non_tee"],["msix_table"],["msix_pba"],[]]'
	[offset]='[[],["updatable"],["msix_table"],["msix_pba"],["non_tee"]]')
declare -A table=([simple]=0x1f0008000 [sparse]=0x1f0202000 [offset]=0x1f0501000)
v=1.2
for l in simple sparse offset; do
	emu --verbose --versions $v --tdisp-layout $l
	p=$port
	td $p -j --layout $l --mmio-offset 0x100000000 --lock-msix --no-fw-update \
		>"$tmp/out-$p.json" 2>"$tmp/err-$p"
	e=$?
	if [ $e = 0 ] && jq -e --argjson n "${nr[$l]}" --argjson f "${flags[$l]}" \
		--arg t "${table[$l]}" '.ok and .session_closed and .report_checked and
		.state_locked == "CONFIG_LOCKED" and .state_running == "RUN" and
		(.report.mmio_ranges | length) == $n and
		([.report.mmio_ranges[].flags] == $f) and
		(.report.mmio_ranges[] | select(.flags == ["msix_table"]) | .first_page) == $t and
		(.report.interface_info_flags | index("no_update_after_lock")) != null and
		.report.device_specific_info_length == 8 and .report.portions >= 2 and
		.capabilities.lock_interface_flags_supported == 31 and
		([.steps[].step] == ["authentication", "KEY_EXCHANGE+FINISH",
			"GET_TDISP_VERSION", "GET_TDISP_CAPABILITIES", "LOCK_INTERFACE",
			"GET_DEVICE_INTERFACE_REPORT", "GET_DEVICE_INTERFACE_STATE (locked)",
			"START_INTERFACE (wrong nonce): refused", "START_INTERFACE",
			"GET_DEVICE_INTERFACE_STATE (running)", "STOP_INTERFACE", "END_SESSION"]) and
		all(.steps[]; .ok)' "$tmp/out-$p.json" >/dev/null 2>&1 && ended $p &&
		grep -q 'TDISP START_INTERFACE_REQUEST (interface 0): TDISP_ERROR INVALID_NONCE' "$tmp/emu-$p.log" &&
		grep -q 'STOP_INTERFACE_RESPONSE, now CONFIG_UNLOCKED' "$tmp/emu-$p.log" &&
		no_hex "$tmp/out-$p.json" "$tmp/err-$p" "$tmp/emu-$p.log"; then
		res PASS "SPDM $v, layout $l: lock, ${nr[$l]} ranges in portions checked against the BARs (MMIO offset added), wrong nonce refused, start, stop, END_SESSION; no nonce printed"
	else
		res FAIL "SPDM $v layout $l (exit $e): $(cat "$tmp/out-$p.json" "$tmp/err-$p"; tail -n 5 "$tmp/emu-$p.log")"
	fi
	v=1.3
done

# human output, TDI 2 (its BARs 32 MiB higher), --raw
emu --verbose
p=$port
td $p --interface-id 00:00.2 --layout simple --raw "$tmp/report.bin" >"$tmp/out-h.txt" 2>&1
e=$?
if [ $e = 0 ] && grep -q '^    MMIO range 1: first page 0xf2008000, 1 page, range ID 0, attributes 0x0001 msix_table$' "$tmp/out-h.txt" &&
	grep -q '^  device interface report: 92 bytes in 2 portions$' "$tmp/out-h.txt" &&
	grep -q '^  report checked against the BARs of the layout' "$tmp/out-h.txt" &&
	grep -q '^  STOP_INTERFACE  *ok$' "$tmp/out-h.txt" && [ "$(stat -c %s "$tmp/report.bin")" = 92 ] &&
	grep -q 'LOCK_INTERFACE_REQUEST TDI 2 ' "$tmp/emu-$p.log"; then
	res PASS "human output: TDI 00:00.2's decoded ranges at its own BARs, every step; --raw writes the 92-byte report"
else
	res FAIL "human output (exit $e): $(cat "$tmp/out-h.txt")"
fi

# the same report checked against BARs that do not hold it: the range named
td $p -j --bar 0:0xf0000000:0x8000:64:pf >"$tmp/out-b.json" 2>"$tmp/err-b"
e=$?
if [ $e = 1 ] && jq -e '(.ok | not) and (.error | test("GET_DEVICE_INTERFACE_REPORT: the report does not match the TDI.s BARs: MMIO range 1 \\(range ID 0\\): pages 0xf0008000-0xf0008fff .* outside every BAR")) and
	.steps[-2].step == "STOP_INTERFACE (after the failure)" and .steps[-2].ok and .session_closed' \
	"$tmp/out-b.json" >/dev/null 2>&1; then
	res PASS "--bar smaller than the layout: range 1 named as outside every BAR; STOP_INTERFACE sent after the failure"
else
	res FAIL "--bar mismatch (exit $e): $(cat "$tmp/out-b.json" "$tmp/err-b")"
fi

# an interface the device does not host
td $p -j --interface-id 00:00.5 >"$tmp/out-i.json" 2>"$tmp/err-i"
e=$?
if [ $e = 1 ] && grep -q 'tsmctl: tdisp 127.0.0.1:[0-9]*: GET_TDISP_VERSION: device answered TDISP_ERROR INVALID_INTERFACE (0x101), error data 0$' "$tmp/err-i" &&
	jq -e '.session_closed and (.steps | map(.step) | index("STOP_INTERFACE (after the failure)")) == null' "$tmp/out-i.json" >/dev/null 2>&1; then
	res PASS "interface 00:00.5: TDISP_ERROR INVALID_INTERFACE named; nothing to stop; session ended"
else
	res FAIL "unknown interface (exit $e): $(cat "$tmp/out-i.json" "$tmp/err-i")"
fi

# Faults: FAULT, what tsmctl must say, whether the TDI was locked (STOP owed)
check_fault() { # FAULT REGEX LOCKED TEXT
	local f=$1 re=$2 locked=$3 text=$4 p e stop
	emu --verbose --fault "$f"
	p=$port
	td $p -j --layout simple >"$tmp/out-$p.json" 2>"$tmp/err-$p"
	e=$?
	stop='(.steps | map(.step) | index("STOP_INTERFACE (after the failure)")) == null'
	[ "$locked" = 1 ] && stop='(.steps[-2] | .step == "STOP_INTERFACE (after the failure)" and .ok)'
	if [ $e = 1 ] && jq -e --arg re "$re" "(.ok | not) and (.error | test(\$re)) and $stop and
		.steps[-1].step == \"END_SESSION (after the failure)\" and .steps[-1].ok and
		.session_closed" "$tmp/out-$p.json" >/dev/null 2>&1 &&
		[ "$(grep -c 'tsmctl: tdisp' "$tmp/err-$p")" = 1 ] &&
		grep -Eq "tsmctl: tdisp 127.0.0.1:$p: .*$re" "$tmp/err-$p" && ended $p &&
		{ [ "$locked" = 0 ] || grep -q 'STOP_INTERFACE_RESPONSE, now CONFIG_UNLOCKED' "$tmp/emu-$p.log"; } &&
		no_hex "$tmp/out-$p.json" "$tmp/err-$p" "$tmp/emu-$p.log"; then
		res PASS "$f: $text; exit 1$([ "$locked" = 1 ] && echo ", TDI stopped again"), END_SESSION still sent"
	else
		res FAIL "$f (exit $e): $(cat "$tmp/out-$p.json" "$tmp/err-$p"; tail -n 5 "$tmp/emu-$p.log")"
	fi
}
check_fault tdisp-report-long 'GET_DEVICE_INTERFACE_REPORT offset 64 \(portion 2\): DEVICE_INTERFACE_REPORT: end of portion 0x5c, expected within the length the first portion announced \(a report longer than announced\)' 1 \
	"a report longer than its first portion announced is refused"
check_fault tdisp-overlap 'GET_DEVICE_INTERFACE_REPORT: the report does not match the TDI.s BARs: MMIO range 4 \(range ID 0, pages 0xf0001000-0xf0008fff\) overlaps MMIO range 0' 1 \
	"overlapping ranges named"
check_fault tdisp-beyond-bar 'MMIO range 3 \(range ID 0\): pages 0xf000a000-0xf001ffff run past the end of BAR 0 \(0xf0000000-0xf000ffff\)' 1 \
	"a range past its BAR named with the BAR"
check_fault tdisp-state-lie 'GET_DEVICE_INTERFACE_STATE \(locked\): the device says RUN, expected CONFIG_LOCKED' 1 \
	"a device claiming RUN while locked is caught"
check_fault tdisp-any-nonce 'START_INTERFACE \(wrong nonce\): accepted: the device does not check START_INTERFACE_NONCE' 1 \
	"a device accepting a wrong nonce is caught"
check_fault tdisp-error 'LOCK_INTERFACE: device answered TDISP_ERROR VENDOR_SPECIFIC_ERROR \(0xff\), error data 0, extended error data: registry PCI-SIG, vendor ID 0x0001, 2 bytes of vendor data' 0 \
	"TDISP_ERROR with its extended error data decoded"

# --tdisp-need-ide: LOCK refused until IDE_KM started a key set of the default stream
emu --verbose --tdisp-need-ide
p=$port
td $p -j >"$tmp/out-n1.json" 2>"$tmp/err-n1"
e1=$?
td $p -j --ide-stream 3 --default-stream 3 --layout simple >"$tmp/out-n2.json" 2>"$tmp/err-n2"
e2=$?
if [ $e1 = 1 ] && grep -q 'LOCK_INTERFACE: device answered TDISP_ERROR INVALID_DEVICE_CONFIGURATION (0x104)' "$tmp/err-n1" &&
	[ $e2 = 0 ] && jq -e '.ok and .steps[2].step == "IDE_KM keys for stream 3" and .steps[2].ok' "$tmp/out-n2.json" >/dev/null 2>&1 &&
	grep -q 'set active' "$tmp/emu-$p.log" && no_hex "$tmp/out-n2.json" "$tmp/emu-$p.log"; then
	res PASS "--tdisp-need-ide: LOCK refused (INVALID_DEVICE_CONFIGURATION) without IDE keys, accepted after --ide-stream keyed the default stream"
else
	res FAIL "need-ide (exit $e1, $e2): $(cat "$tmp/err-n1" "$tmp/out-n2.json" "$tmp/err-n2")"
fi

# --tdisp-layout-file: each TDI's pattern laid onto the BARs the file gives
# (the sim's, as tests/vm/lib.sh tdi_layout_file writes them), checked by
# tsmctl against the same BARs given as --bar/--msix
DSM='bar0=0x900000000:0x1000000:64:pref,bar2=0x40180000:0x10000:32:np,bar4=0x40000000:0x100000:64:np,msix=4:0x0:32:4:0x10000'
FN1='bar0=0x40240000:0x40000:32:pref,bar1=0x40284000:0x4000:32:np,bar2=0x900200000:0x200000:64:pref,msix=1:0x0:8:1:0x2000'
VF='bar0=0x900400000:0x100000:64:pref,bar2=0x40290000:0x4000:32:np,msix=2:0x0:4:2:0x2000'
bar_opts() { # BARSPEC: the same as tsmctl tdisp --bar/--msix
	local item k v b
	local -a f
	for item in ${1//,/ }; do
		k=${item%%=*} v=${item#*=}
		IFS=: read -r -a f <<<"$v"
		case $k in
		bar*)
			b=--bar=${k#bar}:${f[0]}:${f[1]}
			[ "${f[2]}" = 64 ] && b=$b:64
			[ "${f[3]}" = pref ] && b=$b:pf
			echo "$b"
			;;
		msix) echo "--msix=$v" ;;
		esac
	done
}
lf=$tmp/tdi.layout
printf '# DEV LAYOUT BARSPEC\n00:00.0 sparse %s\n1 offset %s  # function 1\n00:00.3 simple %s\n' \
	"$DSM" "$FN1" "$VF" >"$lf"
emu --verbose --tdisp-layout-file "$lf"
p=$port
for t in "00:00.0 sparse $DSM" "00:00.1 offset $FN1" "00:00.3 simple $VF"; do
	read -r id l spec <<<"$t"
	# shellcheck disable=SC2046
	td $p -j --interface-id "$id" --mmio-offset 0x100000000 --lock-msix $(bar_opts "$spec") \
		>"$tmp/out-lf.json" 2>"$tmp/err-lf"
	e=$?
	if [ $e = 0 ] && jq -e '.ok and .report_checked and .state_running == "RUN" and
		(.report.mmio_ranges | length) >= 4 and
		([.report.mmio_ranges[].flags[]] | index("msix_table")) != null' "$tmp/out-lf.json" >/dev/null 2>&1; then
		res PASS "--tdisp-layout-file: TDI $id, layout $l on the sim's BARs: $(jq '.report.mmio_ranges | length' "$tmp/out-lf.json") ranges checked against the same BARs (--bar/--msix)"
	else
		res FAIL "--tdisp-layout-file TDI $id $l (exit $e): $(cat "$tmp/out-lf.json" "$tmp/err-lf")"
	fi
done
# read again at every LOCK: a function without a line, then a bad line
printf '0 simple %s\n' "$DSM" >"$lf"
td $p -j --interface-id 00:00.1 >"$tmp/out-lf1.json" 2>"$tmp/err-lf1"
e1=$?
printf '0 simple %s\n0 simple bar0=0x1000:0x3000:32:np\n' "$DSM" >"$lf"
td $p -j --interface-id 00:00.0 >"$tmp/out-lf2.json" 2>"$tmp/err-lf2"
e2=$?
rm -f "$lf"
td $p -j --interface-id 00:00.0 >"$tmp/out-lf3.json" 2>"$tmp/err-lf3"
e3=$?
if [ $e1 = 1 ] && grep -q 'LOCK_INTERFACE: device answered TDISP_ERROR INVALID_INTERFACE (0x101)' "$tmp/err-lf1" &&
	[ $e2 = 1 ] && grep -q 'LOCK_INTERFACE: device answered TDISP_ERROR UNSPECIFIED (0x5)' "$tmp/err-lf2" &&
	grep -q "tsmh-emu: --tdisp-layout-file $lf line 2: BARSPEC: bar0: size 0x3000 is not a power of two" "$tmp/emu-$p.log" &&
	[ $e3 = 1 ] && grep -q 'LOCK_INTERFACE: device answered TDISP_ERROR UNSPECIFIED (0x5)' "$tmp/err-lf3" &&
	grep -q "tsmh-emu: --tdisp-layout-file $lf: No such file or directory" "$tmp/emu-$p.log"; then
	res PASS "--tdisp-layout-file read at every LOCK: no line for the TDI: INVALID_INTERFACE; a bad line or no file: UNSPECIFIED, the emulator names the file and line"
else
	res FAIL "--tdisp-layout-file errors ($e1 $e2 $e3): $(cat "$tmp/err-lf1" "$tmp/err-lf2" "$tmp/err-lf3"; tail -n 5 "$tmp/emu-$p.log")"
fi
# the report faults on the file's BARs: named as with the named layouts
printf '0 offset %s\n' "$DSM" >"$lf"
emu --verbose --tdisp-layout-file "$lf" --fault tdisp-beyond-bar
p=$port
# shellcheck disable=SC2046
td $p -j $(bar_opts "$DSM") >"$tmp/out-lf4.json" 2>"$tmp/err-lf4"
e=$?
if [ $e = 1 ] && grep -Eq 'the report does not match the TDI.s BARs: MMIO range [0-9]+ \(range ID 4\): pages 0x400[0-9a-f]*-0x4010ffff run past the end of BAR 4 \(0x40000000-0x400fffff\)' "$tmp/err-lf4"; then
	res PASS "--tdisp-layout-file with tdisp-beyond-bar: the last range named running past the file's BAR 4"
else
	res FAIL "--tdisp-layout-file beyond-bar (exit $e): $(cat "$tmp/err-lf4")"
fi

# usage
"$bin/tsmh-emu" --listen 0 --tdisp-layout simple --tdisp-layout-file "$lf" >/dev/null 2>"$tmp/err-u0"
e0=$?
if [ $e0 = 2 ] && grep -q -- '--tdisp-layout or --tdisp-layout-file, not both' "$tmp/err-u0"; then
	res PASS "tsmh-emu --tdisp-layout with --tdisp-layout-file: usage error (exit 2)"
else
	res FAIL "tsmh-emu both layouts (exit $e0): $(cat "$tmp/err-u0")"
fi
"$bin/tsmctl" tdisp --trust "$tmp/root-$p.pem" >/dev/null 2>"$tmp/err-u1"
e1=$?
td $p --bar 6:0:0x1000 >/dev/null 2>"$tmp/err-u2"
e2=$?
td $p --layout simple --bar 0:0:0x1000 >/dev/null 2>"$tmp/err-u3"
e3=$?
td $p --mmio-offset 0x123 >/dev/null 2>"$tmp/err-u4"
e4=$?
if [ $e1 = 2 ] && grep -q 'one target: DEV or --socket' "$tmp/err-u1" && [ $e2 = 2 ] &&
	grep -q -- "--bar wants N:BASE:SIZE" "$tmp/err-u2" && [ $e3 = 2 ] &&
	grep -q -- '--layout or --bar/--msix, not both' "$tmp/err-u3" && [ $e4 = 2 ] &&
	grep -q -- '--mmio-offset wants a 4 KiB-aligned number' "$tmp/err-u4"; then
	res PASS "usage errors: no target, BAR index 6, --layout with --bar, unaligned MMIO offset (exit 2)"
else
	res FAIL "usage: $e1 $e2 $e3 $e4 $(cat "$tmp"/err-u*)"
fi

reap_emus
exit $rc
