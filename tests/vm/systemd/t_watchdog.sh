# Watchdog: a frozen tsmd (SIGSTOP) is killed and restarted by systemd
# after WatchdogSec (shortened to 8 s by a runtime drop-in: the shipped
# 30 s would only make the test slower); the held device stays held and
# unbound while tsmd is down; the new tsmd resyncs from the kernel and
# decides the held device again. The drop-in is removed at the end.
. /opt/tsmh-test/lib.sh
dropin=/run/systemd/system/tsmd.service.d/50-tsmh-test-watchdog.conf
mkdir -p "$(dirname "$dropin")"
printf '[Service]\nWatchdogSec=8s\n' >"$dropin"
systemctl daemon-reload
timeout 90 systemctl restart tsmd || tfail "restart with the watchdog drop-in"
[ "$(prop WatchdogUSec)" = 8s ] || fail "drop-in not applied: WatchdogUSec=$(prop WatchdogUSec)"
pid=$(prop MainPID)
n0=$(prop NRestarts)
# a live tsmd pets the watchdog: 12 s > 8 s and it is still the same process
sleep 12
[ "$(prop MainPID)" = "$pid" ] || tfail "tsmd $pid replaced while it was not frozen: $(prop MainPID)"
ok "tsmd $pid running with WatchdogSec=8s, still alive after 12 s"

t0=$(date +%s)
kill -STOP "$pid" || fail "SIGSTOP $pid"
# while it is frozen (and after systemd kills it), nothing is released
for _ in 1 2 3 4 5; do
	[ "$(gatefile "$EP1")" = "held quarantine" ] && [ -z "$(drv "$EP1")" ] ||
		fail "$EP1 while tsmd is frozen: $(gatefile "$EP1") $(drv "$EP1")"
	sleep 1
done
wait_until 60 "systemd did not restart the frozen tsmd" \
	sh -c "p=\$(systemctl show -p MainPID --value tsmd); [ \"\$p\" != 0 ] && [ \"\$p\" != $pid ]"
dt=$(($(date +%s) - t0))
kill -0 "$pid" 2>/dev/null && fail "frozen tsmd $pid still exists"
[ "$dt" -ge 7 ] || fail "restarted after ${dt}s, before the 8 s watchdog could expire"
[ "$(prop NRestarts)" = $((n0 + 1)) ] || fail "NRestarts $(prop NRestarts), was $n0"
journalctl --sync
journalctl -b -u tsmd --no-pager -o cat | grep -qi 'watchdog timeout' ||
	tfail "no watchdog timeout logged by systemd"
[ "$(gatefile "$EP1")" = "held quarantine" ] && [ -z "$(drv "$EP1")" ] ||
	fail "$EP1 after the watchdog kill: $(gatefile "$EP1") $(drv "$EP1")"
is_bound "$EP0" || fail "$EP0 lost its driver"
npid=$(prop MainPID)
ok "frozen tsmd $pid killed by the watchdog and restarted as $npid after ${dt}s; $EP1 held throughout"

wait_until 30 "tsmd $npid not active" active_is active
wait_until 60 "restarted tsmd $npid never decided $EP1 again" \
	sh -c "journalctl -b -u tsmd _PID=$npid TSMH_DEVICE=$EP1 --no-pager -o cat | grep -q 'not in the allow-list'"
want="1 held, 1 released, 0 attesting"
wait_until 30 "StatusText is not '$want'" status_is "$want"
ok "restarted tsmd resynced: $EP1 decided again ($(gmsg "$EP1")), status '$want'"

rm -f "$dropin"
systemctl daemon-reload
timeout 90 systemctl restart tsmd || tfail "restart without the drop-in"
[ "$(prop WatchdogUSec)" = 30s ] || fail "shipped watchdog not back: $(prop WatchdogUSec)"
ok "drop-in removed: WatchdogSec=$(prop WatchdogUSec) again"
