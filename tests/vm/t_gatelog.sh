# What gate requests write into the kernel log (issue 10, item 1): a gate
# message cannot put control characters there (no forged log lines, no
# terminal escapes: they are stored and logged as '?'), and gate and
# evidence-commit lines are ratelimited, so a busy or hostile caller
# cannot flood the log.
. /tests/lib.sh
load_modules 2
start_emu
wait_eps 2
ESC=$(printf '\033')

# --- control characters ---
msg=$(printf 'ok\033[31mred\nforged: tsmh gate released\001end\177')
tsmctl gate $EP1 hold --msg "$msg" || fail "hold with a hostile message"
got=$(gmsg $EP1)
[ "$got" = "ok?[31mred?forged: tsmh gate released?end?" ] || fail "stored message: '$got'"
dmesg >/tmp/d.log
grep -q "$ESC" /tmp/d.log && fail "an escape character reached the kernel log: $(grep "$ESC" /tmp/d.log | od -c | head)"
grep -q "^forged" /tmp/d.log && fail "a forged line in the kernel log: $(grep -B1 "^forged" /tmp/d.log)"
grep -q "gate held -> held (admin): ok?\[31mred?forged: tsmh gate released?end?" /tmp/d.log ||
	fail "the gate line: $(grep 'gate held' /tmp/d.log | tail -n 3)"
# UTF-8 stays in the message; the log line shows it escaped or as is, never raw C1 bytes
tsmctl gate $EP1 hold --msg "café … done" || fail "hold with UTF-8"
[ "$(gmsg $EP1)" = "café … done" ] || fail "UTF-8 message: '$(gmsg $EP1)'"
ok "control characters stored and logged as '?'; UTF-8 kept"

# --- ratelimited: gate lines (through sysfs: no process per request, so
# the loop takes well under the 5 s window) ---
N=40
sleep 6 # a fresh ratelimit window
before=$(dmesg | grep -c "$EP1: tsmh: gate ")
i=0
while [ $i -lt $N ]; do
	echo hold >/sys/bus/pci/devices/$EP1/tsmh/gate || fail "hold $i"
	i=$((i + 1))
done
after=$(dmesg | grep -c "$EP1: tsmh: gate ")
logged=$((after - before))
[ "$logged" -lt $((N / 2)) ] || fail "$logged of $N gate lines logged: not ratelimited"
ok "$logged of $N gate lines logged"

# --- ratelimited: evidence commits ---
echo "evidence" >/tmp/obj
sleep 6 # a fresh ratelimit window
before=$(dmesg | grep -c "$EP0: tsmh: evidence generation .* committed")
steps=
i=0
while [ $i -lt $N ]; do
	steps="$steps set:spdm:vca=/tmp/obj"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # one word per step
out=$(evput $EP0 $steps 2>&1) || fail "commits: $out"
[ "$(echo "$out" | grep -c '^generation ')" = $N ] || fail "not $N commits: $out"
after=$(dmesg | grep -c "$EP0: tsmh: evidence generation .* committed")
logged=$((after - before))
[ "$logged" -lt $((N / 2)) ] || fail "$logged of $N commit lines logged: not ratelimited"
ok "$logged of $N evidence-commit lines logged"
unload_modules
