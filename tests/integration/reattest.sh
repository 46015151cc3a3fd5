#!/bin/bash
# Re-attestation (tsmctl attest --reattest, issue 11 "Performance") over the
# spdm-emu socket protocol with a --cache directory holding the chains and
# the verifier's records of them: what is skipped (GET_CERTIFICATE, the
# other slots' chains, CHALLENGE), what is re-checked (the anchor still
# trusted, the time window, the measurement signature over a fresh nonce)
# and that a record which no longer applies means a full verification.
# Usage: tests/integration/reattest.sh BINDIR      (prints PASS/FAIL lines)
set -u
SUITE=reattest
. "$(dirname "$0")/lib.sh"
nreq() { grep -c "request" "$tmp/emu-$1.log"; }
ra() { # PORT TRUST CACHE ARGS...
	local port=$1 trust=$2 cache=$3
	shift 3
	"$bin/tsmctl" -j attest --socket "127.0.0.1:$port" --trust "$trust" --cache "$cache" \
		--reattest "$@"
}

emu -v --slots 4
p=$port
C=$tmp/cache
mkdir -m 700 "$C"
"$bin/tsmctl" attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --cache "$C" >/dev/null 2>&1
n0=$(nreq $p)
nrec=$(grep -l '^slot [0-7] sha384 ' "$C"/*.verified 2>/dev/null | wc -l)
out=$(ra $p "$tmp/root-$p.pem" "$C" 2>&1)
n1=$(($(nreq $p) - n0))
if echo "$out" | jq -e '.attested and .mode == "reattest" and (.challenge_verified | not) and
	.measurements_verified and (.measurements | length) == 5 and
	([.slots[] | .chain] == ["rechecked", "carried", "carried", "carried"]) and
	(.slots[0].identity | startswith("Vendor=1b36"))' >/dev/null 2>&1 &&
	[ "$nrec" = 4 ] && [ "$n1" = 5 ]; then
	res PASS "4 records kept by the full run; re-attestation: 5 exchanges (VCA, DIGESTS, signed MEASUREMENTS) against $n0, slot 0 re-checked, slots 1-3 carried, no CHALLENGE"
else
	res FAIL "re-attestation ($nrec records, $n0 -> $n1 exchanges): $out"
fi

# the anchor that verified is gone: the record does not apply, the chain
# is verified in full against what is trusted now, and fails
emu
other=$tmp/root-$port.pem
mkdir -m 755 "$tmp/t1" "$tmp/t2"
cp "$other" "$tmp/t1/other.pem"
out=$(ra $p "$tmp/t1" "$C" 2>/dev/null)
e=$?
if [ $e = 1 ] && echo "$out" | jq -e '(.attested | not) and .failed_step == "verify chain" and
	(.record_not_used | test("slot 0: the anchor it verified against .* is no longer in"))' \
	>/dev/null 2>&1; then
	res PASS "anchor removed: record not used ($(echo "$out" | jq -r .record_not_used)), full verification fails"
else
	res FAIL "anchor removed (exit $e): $out"
fi
# the same root under another name next to a root of the same subject: re-checked by key, not name
cp "$other" "$tmp/t2/a-other.pem"
cp "$tmp/root-$p.pem" "$tmp/t2/z-renamed.pem"
out=$(ra $p "$tmp/t2" "$C" 2>&1)
if echo "$out" | jq -e '.attested and .mode == "reattest" and .slots[0].chain == "rechecked" and
	(.slots[0].anchor | test("z-renamed.pem"))' >/dev/null 2>&1; then
	res PASS "anchor moved to another file beside another root: re-checked, anchor $(echo "$out" | jq -r .slots[0].anchor)"
else
	res FAIL "anchor moved: $out"
fi

# a trust directory a full verification refuses (a CERTIFICATE block that
# does not decode) is refused by the re-check too
mkdir -m 755 "$tmp/t3"
cp "$tmp/root-$p.pem" "$tmp/t3/root.pem"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$tmp/t3/bad.pem"
out=$(ra $p "$tmp/t3" "$C" 2>/dev/null)
e=$?
if [ $e = 1 ] && echo "$out" | jq -e '(.attested | not) and (.error | test("bad.pem: a CERTIFICATE block that does not decode"))' \
	>/dev/null 2>&1; then
	res PASS "a trust directory with an undecodable CERTIFICATE block: refused by the re-check as by a full verification"
else
	res FAIL "undecodable anchor (exit $e): $out"
fi

# a record whose window has passed (certificates expired since): full verification
f=$(grep -l '^slot 0 ' "$C"/*.verified)
cp "$f" "$tmp/rec.saved"
sed -i 's/not-before [0-9-]* not-after [0-9]*/not-before 0 not-after 1/' "$f"
out=$(ra $p "$tmp/root-$p.pem" "$C" 2>&1)
if echo "$out" | jq -e '.attested and .slots[0].chain == "verified" and
	(.record_not_used | test("outside the time its certificates are valid \\(1970-01-01T00:00:00Z to 1970-01-01T00:00:01Z\\)"))' \
	>/dev/null 2>&1; then
	res PASS "record outside its time window: not used, chain verified in full ($(echo "$out" | jq -r .record_not_used))"
else
	res FAIL "expired record: $out"
fi
# the full verification wrote a fresh record: the next run re-checks again
out=$(ra $p "$tmp/root-$p.pem" "$C" 2>&1)
if echo "$out" | jq -e '.slots[0].chain == "rechecked"' >/dev/null 2>&1 && cmp -s "$f" "$tmp/rec.saved"; then
	res PASS "the full verification replaced the stale record; the next run re-checks"
else
	res FAIL "record after a full verification: $(cat "$f"): $out"
fi
# a malformed record is no record
printf 'tsmh-chain-verified 1\nslot 0 sha384 zz\n' >"$f"
out=$(ra $p "$tmp/root-$p.pem" "$C" 2>&1)
if echo "$out" | jq -e '.attested and .slots[0].chain == "verified"' >/dev/null 2>&1; then
	res PASS "malformed record: ignored, chain verified in full"
else
	res FAIL "malformed record: $out"
fi

# a device whose measurement signature is wrong fails re-attestation
emu --fault wrong-signature
q=$port
mkdir -m 700 "$tmp/c2"
"$bin/tsmctl" attest --socket "127.0.0.1:$q" --trust "$tmp/root-$q.pem" --cache "$tmp/c2" >/dev/null 2>&1
out=$(ra $q "$tmp/root-$q.pem" "$tmp/c2" 2>/dev/null)
e=$?
if [ $e = 1 ] && echo "$out" | jq -e '.mode == "reattest" and .failed_step == "verify MEASUREMENTS"' >/dev/null 2>&1; then
	res PASS "wrong measurement signature: re-attestation fails at $(echo "$out" | jq -r .failed_step)"
else
	res FAIL "wrong signature (exit $e): $out"
fi

out=$("$bin/tsmctl" attest --socket "127.0.0.1:$p" --trust "$tmp/root-$p.pem" --reattest 2>&1)
e=$?
if [ $e = 2 ] && echo "$out" | grep -q -- "--socket has no kernel record: give --cache DIR"; then
	res PASS "--reattest over --socket without --cache: usage error"
else
	res FAIL "--reattest without a record (exit $e): $out"
fi
reap_emus
exit $rc
