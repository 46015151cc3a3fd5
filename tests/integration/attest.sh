#!/bin/bash
# Whole attestations over the spdm-emu socket protocol: tsmctl attest against
# the device emulator for each signing algorithm, re-verification of the
# exported signatures with the openssl command line (an implementation we
# did not write checks our transcripts and prefix), the digest-keyed cache,
# and each authentication fault of the emulator's menu.
# Usage: tests/integration/attest.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=attest
. "$(dirname "$0")/lib.sh"
attest() { # PORT ARGS...
	local port=$1
	shift
	"$bin/tsmctl" attest --socket "127.0.0.1:$port" --trust "$tmp/root-$port.pem" "$@"
}
# openssl re-verification of one exported signature: DIR WHAT ASYM
reverify() {
	local d=$1 what=$2 opts=
	case "$3" in
	RSAPSS*) opts="-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest" ;;
	esac
	openssl dgst -sha384 $opts -verify "$d/leaf.pub.pem" -signature "$d/$what.sig.der" \
		"$d/$what.signed" 2>&1 | grep -q "Verified OK"
}

for alg in ecdsa-p384 ecdsa-p256 rsapss-3072 rsassa-3072; do
	emu --asym $alg --slots 2
	p=$port
	out=$("$bin/tsmctl" -j attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" \
		--slot 1 --export "$tmp/ex-$alg" 2>&1)
	asym=$(echo "$out" | jq -r .base_asym 2>/dev/null)
	if echo "$out" | jq -e '.attested and .challenge_verified and .measurements_verified and
		.summary_matched and (.slots | length) == 2 and (.measurements | length) == 5 and
		(.measurements[1].type == "mutable firmware") and .measurements[2].form == "raw"' \
		>/dev/null 2>&1 && reverify "$tmp/ex-$alg" challenge "$asym" &&
		reverify "$tmp/ex-$alg" measurements "$asym"; then
		res PASS "$alg ($asym): 2 slots verified, CHALLENGE and measurements signed by slot 1, openssl re-verifies both exported signatures"
	else
		res FAIL "$alg: $out"
	fi
done

# the same device twice with a cache: the second run skips GET_CERTIFICATE
emu -v
p=$port
attest $p --cache "$tmp/cache" >/dev/null 2>&1
n1=$(grep -c "request" "$tmp/emu-$p.log")
out=$(attest $p --cache "$tmp/cache" 2>&1)
n2=$(($(grep -c "request" "$tmp/emu-$p.log") - n1))
if echo "$out" | grep -q "from cache, digest unchanged" && [ "$n2" -lt "$n1" ]; then
	res PASS "re-attestation with the same digests skips GET_CERTIFICATE ($n1 -> $n2 exchanges)"
else
	res FAIL "cached re-attestation ($n1 -> $n2 exchanges): $out"
fi

check_fault() { # FAULT EXPECTED-EXIT PATTERN WHAT
	emu --fault "$1"
	p=$port
	out=$(attest $p 2>&1)
	e=$?
	if [ $e = "$2" ] && echo "$out" | grep -q "$3"; then
		res PASS "fault $1: $4"
	else
		res FAIL "fault $1 (exit $e): $out"
	fi
}
check_fault wrong-signature 1 "verify CHALLENGE_AUTH\|CHALLENGE: .*does not verify" "refused: signature does not verify"
check_fault truncated 1 "CHALLENGE: response breaks DSP0274: 232 bytes, the fields need 238" "refused: truncated CHALLENGE_AUTH named, with its size and the size its fields need"
check_fault unknown-root 1 "slot 0: chain does not verify" "refused: chain to an unknown root"
check_fault not-ready 0 "signature verified" "ResponseNotReady waited out with RESPOND_IF_READY"
check_fault busy 0 "signature verified" "ERROR Busy retried"
emu --versions 1.0
p=$port
out=$(attest $p 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "GET_VERSION: no common SPDM version"; then
	res PASS "device offering only SPDM 1.0: refused at GET_VERSION"
else
	res FAIL "1.0 only: $out"
fi
# Output directories another user can write (issue 11 item 8), as root
# (CI and the fast suite run as root): nobody (65534) owns DIR and planted
# a symlink in it to a root 0600 file: --export, --cache and certs --out
# refuse DIR, naming it and the reason, and the file is not touched; a
# root 0777 DIR (no sticky bit) is refused too. In root's own DIR a
# planted symlink is replaced, never written through.
if [ "$(id -u)" = 0 ]; then
	emu
	p=$port
	victim=$tmp/victim
	printf 'secret\n' >"$victim"
	chmod 600 "$victim"
	evil=$tmp/evil
	mkdir -p "$evil/cache"
	for f in slot0.spdmchain evidence.json leaf.pub.pem; do
		ln -sf "$victim" "$evil/$f"
		ln -sf "$victim" "$evil/cache/$f"
	done
	chown -hR 65534:65534 "$evil"
	unsafe() { # WHAT: the last command refused DIR naming it and the reason
		if [ "$e" = 1 ] && echo "$out" | grep -q "refused: $d: unsafe: directory $d is owned by uid 65534" &&
			[ "$(cat "$victim")" = secret ] && [ "$(stat -c %u%a "$victim")" = 0600 ]; then
			res PASS "$1: a directory of nobody's refused (named, with the reason); the symlinked root file untouched"
		else
			res FAIL "$1 into nobody's directory (exit $e): $out; victim: $(cat "$victim")"
		fi
	}
	d=$evil
	out=$(attest $p --export "$d" 2>&1)
	e=$?
	unsafe "attest --export"
	d=$evil/cache
	out=$(attest $p --cache "$d" 2>&1)
	e=$?
	unsafe "attest --cache"
	d=$evil
	out=$("$bin/tsmctl" certs --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --out "$d" 2>&1)
	e=$?
	unsafe "certs --out"
	open=$tmp/open
	mkdir "$open"
	chmod 0777 "$open"
	ln -s "$victim" "$open/slot0.spdmchain"
	out=$(attest $p --export "$open" 2>&1)
	if [ $? = 1 ] && echo "$out" | grep -q "refused: $open: unsafe: directory $open is writable by group and others (mode 0777)" &&
		[ "$(cat "$victim")" = secret ]; then
		res PASS "attest --export: a world-writable directory refused (named, mode and fix given)"
	else
		res FAIL "attest --export into a 0777 directory: $out"
	fi
	chmod 0700 "$open"
	out=$(attest $p --export "$open" 2>&1)
	if [ $? = 0 ] && [ "$(cat "$victim")" = secret ] && [ -f "$open/slot0.spdmchain" ] &&
		[ ! -L "$open/slot0.spdmchain" ]; then
		res PASS "attest --export into root's own directory: a symlink found there is replaced, not written through"
	else
		res FAIL "attest --export into root's directory: $out; victim: $(cat "$victim")"
	fi
else
	echo "SKIP integration/$SUITE: output directories of another user: needs root"
fi
reap_emus
exit $rc
