#!/bin/bash
# Print the uncompressed ELF kernel embedded in a bzImage to stdout.
# Finds each compressed-stream magic and keeps the first candidate that
# decompresses to an ELF file. Only the formats Debian kernels use.
set -euo pipefail
img=$1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
try() { # magic-as-grep-pattern decompressor...
	local magic=$1
	shift
	local off
	for off in $(LC_ALL=C grep -aboP "$magic" "$img" | cut -d: -f1); do
		tail -c "+$((off + 1))" "$img" | "$@" >"$tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			cat "$tmp"
			exit 0
		fi
	done
}
try '\xFD7zXZ\x00' xz -dc
try '\x28\xb5\x2f\xfd' zstd -dc
try '\x1f\x8b\x08' gzip -dc
echo "extract-vmlinux.sh: no ELF kernel found in $img" >&2
exit 1
