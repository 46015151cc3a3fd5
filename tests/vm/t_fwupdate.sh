# A firmware update without a window of unverified service: the new
# firmware's measurements are taken from a lab device that already runs it
# (tsmctl policy generate DEV), pre-approved for the production device
# (tsmctl allow DEV --measurements FILE), then the production device's
# activating reset (FLR; tsmh_core reset_hold=1) unbinds its driver until
# tsmd has verified the new measurements and rebinds it. Firmware nobody
# approved is quarantined; tsmctl allow --replace retires the old set.
# The emulator's meas-change fault plays the update: every FLR of a slot
# changes its firmware measurement (block 2).
. /tests/lib.sh
# at exit, besides the stage's own teardown (tests/vm/lib.sh)
test_cleanup() { [ -n "${HOOK:-}" ] && kill "$HOOK" 2>/dev/null; }
# files of its own, apart from the other tsmd tests'
TSMD_CONF=/etc/tsmd/fw.conf
TSMD_AL=/var/lib/tsmd-fw/allow-list.json
TSMD_ROOT=/etc/tsmd/root-fw.pem
AL=$TSMD_AL
# the measurement sets the allow-list accepts for the entry with serial $1
nsets() { jq --arg s "$1" '[.devices[] | select(.identity.serial == $s)][0].measurements | length' $AL; }
SER0=54534d4800000000
SER1=54534d4800000001

rm -f /tmp/fw-hook.log
tsmd_stage -k reset_hold=1 --fault meas-change
tsmd_conf measurements '"attest_timeout_ms": 30000'
tsmd_start
tsmd_accept $EP0 $EP1
ok "lab device $EP0 and production device $EP1 accepted with firmware 1.0.0#0"

# the lab device gets the new firmware first: nobody approved it, so it
# comes back quarantined and the change is named
echo 1 >/sys/bus/pci/devices/$EP0/reset || fail "FLR $EP0"
wait_until 30 "$EP0 not quarantined after its update" \
	sh -c "tsmctl -j show $EP0 | jq -r .gate.msg | grep -q 'measurement 2'"
[ -z "$(drv $EP0)" ] || tfail "$EP0 runs unapproved firmware bound to $(drv $EP0)"
ok "lab device updated without approval: held ($(gmsg $EP0))"

# the admin exports the lab device's new measurements ...
tsmctl policy generate -c "$TSMD_CONF" -o /tmp/newfw.json $EP0 2>/tmp/gen.err ||
	tfail "policy generate $EP0: $(cat /tmp/gen.err)"
jq -e --arg s $SER0 '.devices | length == 1 and .[0].identity.serial == $s and
	(.[0].measurements | length) == 1' /tmp/newfw.json >/dev/null ||
	tfail "generated for $EP0: $(cat /tmp/newfw.json)"
tsmctl policy generate -c "$TSMD_CONF" -o /tmp/both.json 2>/dev/null || tfail "policy generate"
ok "policy generate $EP0 wrote one entry with the new firmware's measurements"

# ... and refusals come first: not root; a file for two devices; another model
chmod 0644 /tmp/newfw.json
out=$(asuser tsmctl allow $EP1 --measurements /tmp/newfw.json 2>&1) &&
	tfail "nobody could pre-approve: $out"
echo "$out" | grep -q "permission denied" || tfail "unprivileged refusal unclear: $out"
out=$(tsmctl allow $EP1 --measurements /tmp/both.json 2>&1) && tfail "two entries accepted: $out"
echo "$out" | grep -q "2 allow entries with measurements" || tfail "two entries: $out"
jq '.devices[0].identity.device = "1e11"' /tmp/newfw.json >/tmp/other.json
out=$(tsmctl allow $EP1 --measurements /tmp/other.json 2>&1) && tfail "other model accepted: $out"
echo "$out" | grep -q "from a 1b36:1e11 device, this is 1b36:1e10" || tfail "other model: $out"
echo '{ "blocks": [ {' >/tmp/broken.json
out=$(tsmctl allow $EP1 --measurements /tmp/broken.json 2>&1) && tfail "broken file accepted: $out"
echo "$out" | grep -q "/tmp/broken.json" || tfail "broken file not named: $out"
[ "$(nsets $SER1)" = 1 ] || tfail "allow-list changed by a refused call: $(cat $AL)"
ok "pre-approval refused for nobody, for a two-device file, for another model, for a broken file"

# pre-approve the new firmware for the production device, then update it
out=$(tsmctl allow $EP1 --measurements /tmp/newfw.json 2>&1) || tfail "pre-approve: $out"
echo "$out" | grep -q "1 measurement set(s) added to its allow-list entry, 2 accepted now" ||
	tfail "pre-approve said: $out"
[ "$(nsets $SER1)" = 2 ] || tfail "allow-list: $(cat $AL)"
[ "$(drv $EP1)" = pci-stub ] || tfail "pre-approval disturbed $EP1"
ok "new firmware pre-approved for $EP1 ($out)"

tsmctl monitor --exec 'echo "$TSMH_EVENT $TSMH_DEVICE ${TSMH_RESET_KIND:-$TSMH_GATE_STATE/$TSMH_GATE_REASON} drv=${TSMH_DRIVER:-}" >>/tmp/fw-hook.log' \
	>/dev/null 2>/tmp/fw-hook.err &
HOOK=$!
sleep 1
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR $EP1"
wait_until 30 "$EP1 not back after its update" sh -c "grep -q \"^gate $EP1 released/attested\" /tmp/fw-hook.log"
wait_until 10 "pci-stub never rebound $EP1" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
# the order the kernel reported: reset, held (driver gone), released
# (tsmd's evidence commit comes in between)
seq=$(grep -E "^(reset|gate) $EP1 " /tmp/fw-hook.log | awk '{ print $1 ":" $3 }' | tr '\n' ' ')
case "$seq" in
"reset:flr gate:held/reset gate:released/attested "*) ;;
*) tfail "$EP1 events: $seq ($(cat /tmp/fw-hook.log))" ;;
esac
grep "^gate $EP1 held/reset" /tmp/fw-hook.log | grep -q "drv=$" ||
	tfail "driver still bound while held: $(cat /tmp/fw-hook.log)"
[ "$(gate $EP1)" = released/attested ] || tfail "$EP1: $(gate $EP1)"
ok "update of $EP1: reset, held without its driver, verified against the pre-approved set, rebound ($seq)"

# firmware nobody approved: quarantined, the change named
echo 1 >/sys/bus/pci/devices/$EP1/reset || fail "FLR $EP1"
wait_until 30 "$EP1 not quarantined" sh -c "tsmctl -j show $EP1 | jq -r .gate.msg | grep -q 'measurement 2'"
[ -z "$(drv $EP1)" ] || tfail "$EP1 bound to $(drv $EP1) with unapproved firmware"
ok "unapproved firmware on $EP1: quarantined ($(gmsg $EP1))"

# the lab device's held state is re-decided when its own set is approved
out=$(tsmctl allow $EP0 --measurements /tmp/newfw.json 2>&1) || tfail "approve $EP0: $out"
wait_until 10 "$EP0 not released by approving its measurements" \
	sh -c "[ -e /sys/bus/pci/devices/$EP0/driver ]"
ok "approving the lab device's current measurements released it ($out)"

# accept $EP1's current firmware and retire the older ones
out=$(tsmctl allow $EP1 --replace 2>&1) || tfail "allow --replace: $out"
wait_until 10 "$EP1 not released by allow --replace" sh -c "[ -e /sys/bus/pci/devices/$EP1/driver ]"
[ "$(nsets $SER1)" = 1 ] || tfail "old sets kept: $(cat $AL)"
jq -e --arg s $SER1 '[.devices[] | select(.identity.serial == $s)][0].measurements[0].blocks[] |
	select(.index == 2)' $AL >/dev/null || tfail "allow-list: $(cat $AL)"
ok "allow --replace: $EP1 released, its entry keeps only the running firmware"

kill $HOOK
HOOK=
tsmd_stage_down
exit 0
