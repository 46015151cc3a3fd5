#!/bin/bash
# Build the Debian packages (debian/: tsm-host, tsm-host-dkms) the way a
# clean clone would: the tracked files (git ls-files, as they are in the
# work tree; untracked and ignored files such as build/ stay out) are
# copied to OUTDIR/src/tsm-host-VERSION, dpkg-buildpackage -us -uc -b runs
# there, the .debs, .buildinfo and .changes land in OUTDIR, and lintian
# checks the .changes (both .debs).
#
# Usage: scripts/deb.sh [OUTDIR]          (default build/deb)
# Logs: OUTDIR/build.log, OUTDIR/lintian.log (lintian's output, as is).
# Exit: 0 if the packages were built and lintian reported no error; 1 if
# the build failed; 2 if lintian reported errors.
# Environment: DEB_BUILD_OPTIONS (e.g. nocheck: skip the unit tests).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=$out/src/tsm-host-$ver

rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
# tracked files that exist (a file deleted in the work tree is left out)
(cd "$top" && git ls-files -z | while IFS= read -r -d '' f; do
	if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done | tar -cf - --null --no-recursion -T -) | tar -xf - -C "$src"

echo "deb.sh: dpkg-buildpackage in $src (log: $out/build.log)" >&2
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed (see $out/build.log)" >&2
	exit 1
fi
mv "$out/src"/*.deb "$out/src"/*.buildinfo "$out/src"/*.changes "$out/"
rm -rf "$out/src"
ls "$out"/*.deb >&2

changes=$(ls "$out"/tsm-host_*.changes)
rc=0
lintian "$changes" >"$out/lintian.log" 2>&1 || rc=$?
cat "$out/lintian.log" >&2
if [ $rc != 0 ]; then
	echo "deb.sh: lintian reported errors (exit $rc; see $out/lintian.log)" >&2
	exit 2
fi
