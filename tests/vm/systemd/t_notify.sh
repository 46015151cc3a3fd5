# Type=notify: `systemctl start tsmd` returns only once tsmd said READY=1
# (its "ready" journal line, logged just before, is there by then), and
# StatusText carries tsmd's STATUS= line with the real counts. Stopping
# it releases nothing; reload (SIGHUP) keeps the same process.
. /opt/tsmh-test/lib.sh
systemctl stop tsmd || fail "systemctl stop tsmd"
[ "$(prop ActiveState)" = inactive ] || fail "after stop: $(prop ActiveState)"
[ "$(gatefile "$EP1")" = "held quarantine" ] && [ -z "$(drv "$EP1")" ] ||
	fail "$EP1 after tsmd stopped: $(gatefile "$EP1") $(drv "$EP1")"
is_bound "$EP0" || fail "$EP0 lost its driver when tsmd stopped"
ok "tsmd stopped: $EP1 still held, $EP0 still bound"

timeout 90 systemctl start tsmd || tfail "systemctl start tsmd failed"
st=$(prop ActiveState)/$(prop SubState)
pid=$(prop MainPID)
[ "$st" = active/running ] || tfail "right after start: $st"
# everything tsmd logged before start returned, flushed
journalctl --sync
journalctl -b -u tsmd "_PID=$pid" --no-pager -o cat | grep -q ' ready: policy ' ||
	tfail "systemctl start returned before tsmd (pid $pid) logged ready"
ok "systemctl start returned after tsmd $pid was ready ($st)"

want="1 held, 1 released, 0 attesting"
wait_until 30 "StatusText is not '$want'" status_is "$want"
ok "StatusText=$(prop StatusText)"

ndec() { journalctl -b -u tsmd "_PID=$pid" "TSMH_DEVICE=$EP1" --no-pager -o cat | wc -l; }
ndec_gt() { [ "$(ndec)" -gt "$1" ]; }
wait_until 30 "tsmd $pid never decided $EP1" ndec_gt 0
n0=$(ndec)
timeout 60 systemctl reload tsmd || tfail "systemctl reload tsmd"
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop ActiveState)" = active ] ||
	tfail "after reload: pid $(prop MainPID) $(prop ActiveState)"
# the reloaded policy is applied again to the held device
wait_until 30 "no new decision for $EP1 after the reload" ndec_gt "$n0"
ok "systemctl reload: same process, $EP1 decided again"
