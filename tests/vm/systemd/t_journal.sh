# journald structured fields: every decision about a device is an entry
# with TSMH_DEVICE, TSMH_ACTION, TSMH_VERDICT, TSMH_REASON and the
# identity fields (daemon/tsmd/log.c, tsmd(8) LOGGING), so an admin can
# `journalctl -u tsmd TSMH_DEVICE=... -o json` or TSMH_ACTION=quarantine.
. /opt/tsmh-test/lib.sh
journalctl --sync
j=$(journalctl -b -u tsmd "TSMH_DEVICE=$EP1" -o json --no-pager)
[ -n "$j" ] || tfail "no journal entries with TSMH_DEVICE=$EP1"
echo "$j" | jq -s -e 'all(.[]; .SYSLOG_IDENTIFIER == "tsmd" and (.TSMH_ACTION | length) > 0)' >/dev/null ||
	fail "entries without TSMH_ACTION: $(echo "$j" | jq -c -s 'map({TSMH_ACTION, MESSAGE})')"
for a in quarantine release; do
	e=$(echo "$j" | jq -s -c --arg a "$a" 'map(select(.TSMH_ACTION == $a)) | last')
	[ "$e" != null ] || fail "no TSMH_ACTION=$a entry for $EP1"
	for f in TSMH_REASON TSMH_IDENTITY TSMH_SPKI_SHA384; do
		echo "$e" | jq -e --arg f "$f" '.[$f] | type == "string" and length > 0' >/dev/null ||
			fail "TSMH_ACTION=$a entry for $EP1 lacks $f: $e"
	done
	echo "$e" | jq -e '.TSMH_SPKI_SHA384 | test("^[0-9a-f]{96}$")' >/dev/null ||
		fail "TSMH_SPKI_SHA384 is not a SHA-384: $e"
	ok "$a: $(echo "$e" | jq -c '{TSMH_ACTION, TSMH_VERDICT, TSMH_REASON}')"
done
# a hold names its verdict code (tsmd_vcode_name), a release its digest
echo "$j" | jq -s -e 'map(select(.TSMH_ACTION == "quarantine")) | last | .TSMH_VERDICT == "hold-unknown-device"' \
	>/dev/null || fail "quarantine entry for $EP1: TSMH_VERDICT is not hold-unknown-device"
echo "$j" | jq -s -e 'map(select(.TSMH_ACTION == "release")) | last | .TSMH_DIGEST | test("^[0-9a-f]+$")' \
	>/dev/null || fail "release entry for $EP1 without TSMH_DIGEST"
n=$(journalctl -b -u tsmd TSMH_ACTION=quarantine -o cat --no-pager | grep -c "$EP1")
[ "$n" -ge 1 ] || fail "journalctl TSMH_ACTION=quarantine does not list $EP1"
ok "journalctl TSMH_ACTION=quarantine lists $EP1 ($n entries)"
