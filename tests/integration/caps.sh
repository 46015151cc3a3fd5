#!/bin/bash
# tsmctl caps FILE: offline decoding of saved config spaces, good and bad.
# Usage: tests/integration/caps.sh BINDIR      (prints PASS/FAIL lines)
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
res() { echo "$1 integration/caps: $2"; [ "$1" = PASS ] || rc=1; }

# put OFFSET HEXBYTES... into FILE (little-endian bytes as given)
put() {
	local f=$1 off=$2
	shift 2
	printf "$(printf '\\x%s' "$@")" | dd of="$f" bs=1 seek=$((off)) conv=notrunc status=none
}
mkcfg() { # a TEE-IO endpoint: PCIe cap at 0x40, DOE at 0x100 -> IDE at 0x118
	local f=$1
	head -c 4096 /dev/zero >"$f"
	put "$f" 0x00 36 1b 10 1e          # 1b36:1e10
	put "$f" 0x06 10 00                # status: capabilities list
	put "$f" 0x08 01 00 00 12          # class 120000 rev 1
	put "$f" 0x34 40
	put "$f" 0x40 10 00 02 00          # PCIe v2 endpoint, next 0
	put "$f" 0x44 00 00 00 50          # DEVCAP: FLR | TEE-IO
	put "$f" 0x100 2e 00 81 11         # DOE v1, next 0x118
	put "$f" 0x118 30 00 01 00         # IDE v1, next 0
	put "$f" 0x11c 43 00 01 01         # link, selective, IDE_KM, 2 streams, TEE-limited
}

mkcfg "$tmp/good"
out=$("$bin/tsmctl" -j caps "$tmp/good")
if [ $? = 0 ] && echo "$out" | jq -e '.tee_io and .flr and .doe_mailboxes == [256] and
	.ide.offset == 280 and .ide.selective_streams == 2 and (.capabilities | length) == 3' >/dev/null; then
	res PASS "well-formed endpoint decoded (TEE-IO, DOE at 0x100, IDE with 2 streams)"
else
	res FAIL "well-formed endpoint: $out"
fi

head -c 256 "$tmp/good" >"$tmp/short"
out=$("$bin/tsmctl" caps "$tmp/short")
if [ $? = 0 ] && echo "$out" | grep -q "extended capabilities (DOE, IDE) not visible"; then
	res PASS "256-byte dump: says the extended space is missing"
else
	res FAIL "256-byte dump: $out"
fi

cp "$tmp/good" "$tmp/loop"
put "$tmp/loop" 0x118 30 00 01 10      # IDE -> back to 0x100
out=$("$bin/tsmctl" caps "$tmp/loop")
if [ $? = 1 ] && echo "$out" | grep -q "MALFORMED at 0x100: extended capability list loops"; then
	res PASS "extended capability loop reported with its offset"
else
	res FAIL "loop: $out"
fi

cp "$tmp/good" "$tmp/hdr"
put "$tmp/hdr" 0x34 08
out=$("$bin/tsmctl" caps "$tmp/hdr")
if [ $? = 1 ] && echo "$out" | grep -q "pointer into the header"; then
	res PASS "capability pointer into the header reported"
else
	res FAIL "pointer into header: $out"
fi

head -c 100 "$tmp/good" >"$tmp/trunc"
out=$("$bin/tsmctl" caps "$tmp/trunc" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "100 bytes; a config space dump is 256 or 4096 bytes"; then
	res PASS "truncated file refused with the reason"
else
	res FAIL "truncated file: $out"
fi

out=$("$bin/tsmctl" caps "$tmp/missing" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "No such file"; then
	res PASS "missing file reported"
else
	res FAIL "missing file: $out"
fi
exit $rc
