#!/bin/bash
# Every command tsmctl --help lists has an entry in tsmctl(8), every entry
# there is a command, and every option a command's usage (tsmctl COMMAND
# --help) names appears in that command's entries.
# Usage: tests/tsmctl/help-man.sh BINDIR [MANPAGE]   (prints PASS/FAIL lines)
set -u
tsmctl=$1/tsmctl
man=${2:-man/tsmctl.8}
name=doc/tsmctl-help-man
fail=0
err() {
	echo "$name: $*" >&2
	fail=1
}

cmds=$("$tsmctl" --help | awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f && /^  [a-z]/ { print $1 }' | uniq)
[ -n "$cmds" ] || err "tsmctl --help lists no commands"
# "COMMAND<TAB>line" for every line of the COMMANDS entries (.TP heading and
# body), with the roff escapes and quotes that split options removed
entries=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g' "$man" | awk '
	/^\.SH/ { in_cmds = ($2 == "COMMANDS"); cmd = ""; next }
	!in_cmds { next }
	/^\.TP/ { head = 1; next }
	head { head = 0; cmd = $2 }
	cmd != "" { print cmd "\t" $0 }')
mancmds=$(echo "$entries" | cut -f1 | uniq)
for c in $cmds; do
	if ! grep -qx -- "$c" <<<"$mancmds"; then
		err "'$c' is in tsmctl --help but has no entry in $man"
		continue
	fi
	usage=$("$tsmctl" "$c" --help) || err "tsmctl $c --help failed"
	opts=$(grep -oE -- '(^|[][ |])--?[a-z][a-z0-9-]*' <<<"$usage" | sed 's/^[][ |]//' | sort -u)
	text=$(grep -- "^$c	" <<<"$entries")
	for o in $opts; do
		grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|\$)" <<<"$text" ||
			err "tsmctl $c: option $o is not in its entry in $man"
	done
done
for c in $mancmds; do
	grep -qx -- "$c" <<<"$cmds" || err "$man has an entry for '$c', which tsmctl --help does not list"
done
if [ "$fail" = 0 ]; then
	echo "PASS $name"
else
	echo "FAIL $name"
fi
exit $fail
