# Shared by the socket integration tests (sourced). Set SUITE before.
# Provides: $bin $tmp, res PASS|FAIL TEXT, emu ARGS... (sets $port), reap_emus.
bin=$1
tmp=$(mktemp -d)
rc=0
pids=
nemu=0
trap 'kill $pids 2>/dev/null; rm -rf "$tmp"' EXIT
res() { echo "$1 integration/$SUITE: $2"; [ "$1" = PASS ] || rc=1; }

emu() { # ARGS...: start an emulator on a free port (the kernel picks it, so
	# suites running side by side never collide); sets $port, with the
	# emulator's root in $tmp/root-$port.pem and its log in $tmp/emu-$port.log
	local n=$((nemu += 1)) l
	"$bin/tsmh-emu" --listen 127.0.0.1:0 --export-root "$tmp/root-e$n.pem" "$@" \
		>"$tmp/emu-e$n.log" 2>&1 &
	pids="$pids $!"
	port=
	for _ in $(seq 300); do
		if l=$(grep -o -m1 'serving .* on 127\.0\.0\.1:[0-9]*' "$tmp/emu-e$n.log"); then
			port=${l##*:}
			ln -sf "emu-e$n.log" "$tmp/emu-$port.log"
			ln -sf "root-e$n.pem" "$tmp/root-$port.pem"
			return 0
		fi
		sleep 0.1
	done
	res FAIL "emulator $* did not start: $(tail -n 3 "$tmp/emu-e$n.log")"
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
