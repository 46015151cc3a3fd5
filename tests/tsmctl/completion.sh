#!/bin/bash
# completion/tsmctl run in bash as the shell runs it (COMP_WORDS, COMP_CWORD,
# _tsmctl), checked against tsmctl itself: the commands tsmctl --help lists,
# the options each tsmctl COMMAND --help names, evidence's object names;
# DEV from tsmctl list (a stand-in program) or, failing that, sysfs.
# Usage: tests/tsmctl/completion.sh BINDIR      (prints PASS/FAIL lines)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tsmctl=$1/tsmctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# comp WORD...: what completing the last WORD offers, one per line, sorted
comp() {
	bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tsmctl
		printf "%s\n" "${COMPREPLY[@]}"' "$top/completion/tsmctl" "$@" | sed '/^$/d' | sort
}
words() { tr ' ' '\n' | sed '/^$/d' | sort -u; }
check() { # NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "PASS completion/tsmctl/$1"
	else
		echo "FAIL completion/tsmctl/$1"
		diff <(echo "$2") <(echo "$3") | sed 's/^/  /' >&2
	fi
}

# stand-ins for tsmctl list: one lists two devices, one fails (no module)
cat >"$tmp/tsmctl" <<'EOS'
#!/bin/sh
[ "$1" = list ] || exit 2
printf '%s\n' "DEVICE           ID         TYPE" \
	"10000:03:00.0    1b36:0010  Endpoint" "0000:01:00.1     8086:0d4e  Endpoint"
EOS
printf '#!/bin/sh\nexit 1\n' >"$tmp/nomod"
chmod +x "$tmp/tsmctl" "$tmp/nomod"

cmds=$("$tsmctl" --help | awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f && /^  [a-z]/ { print $1 }' | sort -u)
check commands "$cmds" "$(comp "$tsmctl" "")"
check commands-after-json "spdm-info" "$(comp "$tsmctl" -j sp)"
check global-options "$(printf "%s " -h -j -V --help --json --version | words)" "$(comp "$tsmctl" -)"

missing=
for c in $cmds; do
	want=$("$tsmctl" "$c" --help | grep -oE -- '(^|[][ |])--?[a-z][a-z0-9-]*' | sed 's/^[][ |]//' | sort -u)
	have=$(comp "$tsmctl" "$c" -)
	for o in $want; do
		grep -qx -- "$o" <<<"$have" || missing="$missing $c:$o"
	done
done
check options-of-each-command "" "${missing# }"

devs=$(printf '%s\n' 10000:03:00.0 0000:01:00.1 | sort)
check dev-from-list "$devs" "$(comp "$tmp/tsmctl" show "")"
check dev-prefix "10000:03:00.0" "$(comp "$tmp/tsmctl" -j attest --trust r.pem 1)"
check dev-from-sysfs "$(find /sys/bus/pci/devices/ -mindepth 1 -maxdepth 1 -printf "%f\n" 2>/dev/null | sort)" "$(comp "$tmp/nomod" claim "")"
check no-dev-with-socket "$(echo --no-cache --no-measurements --no-store | words)" \
	"$(comp "$tmp/tsmctl" attest --socket localhost:2323 --no)"
check no-second-dev "--spdm" "$(comp "$tmp/tsmctl" show 10000:03:00.0 "")"
check gate-action "$(echo hold release quarantine | words)" "$(comp "$tmp/tsmctl" gate 0000:01:00.1 "")"
check gate-reason "$(echo admin attested exempt quarantine | words)" \
	"$(comp "$tmp/tsmctl" gate 0000:01:00.1 release --reason "")"
check policy-subcommand "$(echo generate show | words)" "$(comp "$tsmctl" policy "")"
check ide-verb "$("$tsmctl" ide --help 2>&1 | sed -n 's/^ *\(Usage:\)\{0,1\} *tsmctl ide \([a-z]*\).*/\2/p' | words)" \
	"$(comp "$tsmctl" ide "")"
check ide-list-no-dev "" "$(comp "$tmp/tsmctl" ide list "" | grep -F :)"
check ide-refresh-dev "$devs" "$(comp "$tmp/tsmctl" ide refresh "")"
check tdi-verb "$("$tsmctl" tdi --help 2>&1 | sed -n 's/^ *\(Usage:\)\{0,1\} *tsmctl tdi \([a-z]*\).*/\2/p' | words)" \
	"$(comp "$tsmctl" tdi "")"
check tdi-list-no-dev "" "$(comp "$tmp/tsmctl" tdi list "" | grep -F :)"
check tdi-lock-dev "$devs" "$(comp "$tmp/tsmctl" tdi lock --trust r.pem "")"
check connect-ide "$(echo link none selective | words)" "$(comp "$tsmctl" connect X --ide "")"
check policy-generate-devs "$devs" "$(comp "$tmp/tsmctl" policy generate -o al.json 0000:01:00.1 "")"
check doe-protocol "$(echo sec-cma secured-spdm spdm | words)" "$(comp "$tsmctl" doe X --protocol s)"
# the NAME: line and its continuation lines (indented 8)
names=$("$tsmctl" evidence --help | awk '/^  NAME:/ { f = 1; sub(/^  NAME:/, ""); print; next }
	f && /^        [a-z]/ { print; next } { f = 0 }' | words)
check evidence-objects "$names" "$(comp "$tsmctl" evidence X --object "")"
mkdir "$tmp/dir" && : >"$tmp/dir/cfg.bin"
check caps-file "$tmp/dir/cfg.bin" "$(comp "$tsmctl" caps "$tmp/dir/c")"
check export-dir "$tmp/dir" "$(comp "$tsmctl" attest X --export "$tmp/d")"
