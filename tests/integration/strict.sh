#!/bin/bash
# StrictModes for the files tsmd and tsmctl trust (issue 11 item 12,
# common/safepath.c): tsmd refuses a configuration another user could
# change (naming the file, the reason and the fix) before it touches the
# kernel, and anything under /tmp (sticky, writable by all: as sshd);
# tsmctl policy show flags an unsafe configuration, trust anchors and
# allow-list directory; tsmctl refuses --trust anchors others could change.
# Usage: tests/integration/strict.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=strict
. "$(dirname "$0")/lib.sh"
# tsmd's early exits must not leak (issue 11 item 13): LeakSanitizer on
export ASAN_OPTIONS=detect_leaks=1
conf=$tmp/tsmd.conf
printf '{ "trust_anchors": "%s", "allow_list": "%s" }\n' "$tmp/trust.pem" "$tmp/al/allow-list.json" >"$conf"
printf 'not a certificate\n' >"$tmp/trust.pem"
mkdir "$tmp/al"
tsmd() { out=$(timeout 20 "$bin/tsmd" -c "$1" 2>&1); e=$?; }

chmod 0666 "$conf"
tsmd "$conf"
if [ $e != 0 ] && echo "$out" | grep -qF "$conf: unsafe: file $conf is writable by group and others (mode 0666)" &&
	echo "$out" | grep -qF "fix: chmod go-w $conf" && echo "$out" | grep -q "not starting"; then
	res PASS "tsmd: a world-writable configuration refused, file, mode and fix named"
else
	res FAIL "tsmd with a 0666 configuration (exit $e): $out"
fi
chmod 0644 "$conf"
tsmd "$conf"
if [ $e != 0 ] && echo "$out" | grep -qF "$conf: unsafe: directory /tmp is writable by group and others (mode 1777)" &&
	echo "$out" | grep -q "keep it out of a shared directory"; then
	res PASS "tsmd: a configuration under /tmp refused (sticky, writable by all: as sshd StrictModes)"
else
	res FAIL "tsmd with a configuration under /tmp (exit $e): $out"
fi
if [ "$(id -u)" = 0 ]; then
	mkdir "$tmp/theirs"
	cp "$conf" "$tmp/theirs/tsmd.conf"
	chown 65534:65534 "$tmp/theirs"
	tsmd "$tmp/theirs/tsmd.conf"
	if [ $e != 0 ] && echo "$out" | grep -qF "directory $tmp/theirs is owned by uid 65534, not by root" &&
		echo "$out" | grep -qF "fix: chown root $tmp/theirs"; then
		res PASS "tsmd: a configuration in a directory of nobody's refused, directory and fix named"
	else
		res FAIL "tsmd with a configuration in nobody's directory (exit $e): $out"
	fi
	chown 65534:65534 "$tmp/al"
fi

chmod 0666 "$tmp/trust.pem"
out=$("$bin/tsmctl" policy show -c "$conf" 2>&1)
e=$?
j=$("$bin/tsmctl" -j policy show -c "$conf" 2>/dev/null)
if [ $e = 1 ] && echo "$out" | grep -qF "UNSAFE, tsmd's attestations fail: $tmp/trust.pem: unsafe: file $tmp/trust.pem is writable by group and others" &&
	echo "$out" | grep -qF "UNSAFE, tsmd will not load it: $conf" &&
	echo "$j" | jq -e '.unsafe.config and .unsafe.trust_anchors' >/dev/null &&
	{ [ "$(id -u)" != 0 ] || echo "$j" | jq -e '.unsafe.allow_list | contains("owned by uid 65534")' >/dev/null; }; then
	res PASS "tsmctl policy show: unsafe configuration, trust anchors and allow-list directory flagged (text and JSON), exit 1"
else
	res FAIL "policy show (exit $e): $out $j"
fi

# tsmctl --trust: refused before any device is asked (port 1: nobody there)
out=$("$bin/tsmctl" attest --socket 127.0.0.1:1 --trust "$tmp/trust.pem" 2>&1)
e=$?
if [ $e = 1 ] && echo "$out" | grep -qF "attest: --trust refused: $tmp/trust.pem: unsafe: file $tmp/trust.pem is writable by group and others (mode 0666)"; then
	res PASS "tsmctl attest: --trust anchors others can write refused, named with the fix"
else
	res FAIL "tsmctl attest --trust 0666 (exit $e): $out"
fi
chmod 0644 "$tmp/trust.pem"
out=$("$bin/tsmctl" certs --socket 127.0.0.1:1 --trust "$tmp/trust.pem" 2>&1)
if echo "$out" | grep -q "connect 127.0.0.1:1"; then
	res PASS "tsmctl certs: --trust of root's own under a private directory in /tmp accepted"
else
	res FAIL "tsmctl certs --trust 0644: $out"
fi
# Early exits, each with its exit status and nothing leaked (the san build
# reports leaks and then exits 1: "--help" used to).
early() { # WANT-STATUS WANT-TEXT ARGS...
	local want=$1 text=$2
	shift 2
	out=$(timeout 10 "$bin/tsmd" "$@" 2>&1)
	e=$?
	if [ $e = "$want" ] && echo "$out" | grep -qF -- "$text" && ! echo "$out" | grep -q "LeakSanitizer"; then
		res PASS "tsmd $*: exit $e, \"$text\", nothing leaked"
	else
		res FAIL "tsmd $* (exit $e, want $want): $out"
	fi
}
early 0 "Usage: tsmd" --help
early 0 "tsmd " --version
early 2 "Usage: tsmd" --no-such-option
early 2 "Usage: tsmd" extra-argument
early 1 "No such file" -c /nonexistent/tsmd.conf
# a safe directory (root's, not writable by others, all the way up)
sdir=$(mktemp -d -p /run tsmh-strict.XXXXXX)
early 1 "$sdir: is a directory, not a file" -c "$sdir"
# a FIFO where the configuration should be: refused at once, not waited on
mkfifo "$sdir/tsmd.conf"
early 1 "$sdir/tsmd.conf: not a regular file" -c "$sdir/tsmd.conf"
rm -rf "$sdir"
exit $rc
