# Shared by the socket integration tests (sourced). Set SUITE before.
# Provides: $bin $tmp, res PASS|FAIL TEXT, emu PORT ARGS..., reap_emus.
bin=$1
tmp=$(mktemp -d)
rc=0
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$tmp"' EXIT
res() { echo "$1 integration/$SUITE: $2"; [ "$1" = PASS ] || rc=1; }

emu() { # PORT ARGS...: start an emulator exporting its root to $tmp/root-PORT.pem
	local port=$1
	shift
	"$bin/tsmh-emu" --listen "127.0.0.1:$port" --export-root "$tmp/root-$port.pem" "$@" \
		>"$tmp/emu-$port.log" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 300); do
		grep -q serving "$tmp/emu-$port.log" && return 0
		sleep 0.1
	done
	return 1
}

# Stop every emulator; one that exits other than by SIGTERM (a sanitizer
# report) fails the suite.
reap_emus() {
	local q e
	for q in $pids; do
		kill "$q" 2>/dev/null
		wait "$q"
		e=$?
		if [ "$e" != 0 ] && [ "$e" != 143 ]; then
			res FAIL "an emulator exited $e (sanitizer?)"
			cat "$tmp"/emu-*.log
		fi
	done
	pids=
}
