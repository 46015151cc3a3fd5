#!/bin/bash
# The userspace layering (layers.mk, docs/design.md "Userspace layers") is
# enforced by the include path each object is compiled with; this proves
# the enforcement can fail. With the flags build.mk gives a layer (or
# program, or the tests), the preprocessor must
#  - find a header of its own folder and of every layer below it, and
#  - not find a header of any layer above it, nor of another program,
# and no source under daemon/ may name a header by a path
# (#include "../crypto/sig.h"), which would go around the include path.
# That no source includes a header its layer does not see is the build
# itself (build/userspace/*). Prints one line per broken rule; exit 0 if
# none.
set -u
cd "$(dirname "$0")/.."
cc=${CC:-cc}
pkg=$(pkg-config --cflags libnl-genl-3.0 libcjson)
mk() { make -s -f build.mk B=build/layers "$@"; }
ldir() { [ "$1" = lib ] && echo lib || echo "daemon/$1"; }
rc=0
bad() {
	echo "$*"
	rc=1
}

# the layers (lowest first), the programs and the include flags of each
read -r -a layers <<<"$(mk print-var-LAYERS)"
read -r -a apps <<<"$(mk print-var-APPS)"
[ ${#layers[@]} -ge 2 ] && [ ${#apps[@]} -ge 1 ] || {
	echo "build.mk: no layers or programs (${layers[*]} / ${apps[*]})"
	exit 1
}
declare -A inc
for l in "${layers[@]}" "${apps[@]}" tests; do
	inc[$l]=$(mk "print-var-INC_$l")
	[ -n "${inc[$l]}" ] || bad "build.mk: no include flags for $l"
done

# ... and build.mk's compile rule uses them: a source of each folder
for l in "${layers[@]}" "${apps[@]}" tests; do
	d=tests/unit
	[ $l = tests ] || d=$(ldir "$l")
	src=$(ls "$d"/*.c | head -n 1)
	got=$(mk -n "build/layers/${src%.c}.o" | grep -o -- '-I[^/ ][^ ]*' | tr '\n' ' ')
	[ "$got" = "${inc[$l]} " ] || bad "$src: compiled with '$got', not '${inc[$l]}'"
done

# a header of each folder: its first in name order
declare -A hdr
for l in "${layers[@]}" "${apps[@]}"; do
	h=$(cd "$(ldir "$l")" && ls -- *.h 2>/dev/null | head -n 1)
	[ -n "$h" ] || bad "$(ldir "$l"): no header to probe with"
	hdr[$l]=$h
done

# 0 if "#include HEADER" finds HEADER with the include flags of $1 (what
# HEADER itself includes may be missing: that is the header's layer's
# business, and the build's)
sees() {
	! echo "#include \"$2\"" |
		LC_ALL=C $cc -D_GNU_SOURCE ${inc[$1]} $pkg -E -x c - -o /dev/null 2>&1 |
		grep -Eq "^<stdin>:1:[0-9]+: fatal error: ($2: No such file|'$2' file not found)"
}

# who: a layer sees those up to itself; a program every layer and itself;
# the tests every layer and the emulator library
for ((i = 0; i < ${#layers[@]}; i++)); do
	me=${layers[i]}
	for ((j = 0; j < ${#layers[@]}; j++)); do
		l=${layers[j]}
		if ((j <= i)); then
			sees "$me" "${hdr[$l]}" || bad "$me does not see $(ldir "$l")/${hdr[$l]}"
		elif sees "$me" "${hdr[$l]}"; then
			bad "$me sees $(ldir "$l")/${hdr[$l]} of the higher layer $l"
		fi
	done
	for a in "${apps[@]}"; do
		sees "$me" "${hdr[$a]}" && bad "$me sees $(ldir "$a")/${hdr[$a]} of the program $a"
	done
done
for me in "${apps[@]}" tests; do
	for l in "${layers[@]}"; do
		sees "$me" "${hdr[$l]}" || bad "$me does not see $(ldir "$l")/${hdr[$l]}"
	done
	for a in "${apps[@]}"; do
		want=no
		[ "$a" = "$me" ] && want=yes
		[ "$me" = tests ] && [ "$a" = emu ] && want=yes
		if sees "$me" "${hdr[$a]}"; then
			[ $want = yes ] || bad "$me sees $(ldir "$a")/${hdr[$a]} of the program $a"
		else
			[ $want = no ] || bad "$me does not see $(ldir "$a")/${hdr[$a]}"
		fi
	done
done

# no way around the include path
out=$(grep -n '^#[[:space:]]*include[[:space:]]*"[^"]*/' daemon/*/*.[ch])
[ -z "$out" ] || bad "headers named by path: $out"
exit $rc
