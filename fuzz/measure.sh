#!/bin/bash
# The fuzz table of docs/fuzzing.md: each harness (all, or those named) run
# alone for SECONDS against a copy of its committed corpus, one after the
# other (one process, one core). Prints one Markdown row per harness:
# executions (total and per second), coverage (libFuzzer's cov:) after
# loading the committed corpus (INITED) and at the end, corpus entries
# before and after. New finds that add coverage are merged into
# fuzz/corpus/NAME (-merge=1) when no larger than MAXB bytes each.
#   fuzz/measure.sh SECONDS [NAME...]     (MAXB=4096 by default)
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
shift
maxb=${MAXB:-4096}
make -s -f fuzz/fuzz.mk || exit 1
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in build/fuzz/fuzz_*; do [ -x "$f" ] && names+=("${f##*/fuzz_}"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "${names[@]}"; do
	corpus=fuzz/corpus/$n
	mkdir -p "$corpus" "$tmp/new-$n"
	# a copy: rebuilding the harnesses meanwhile does not disturb the run
	cp build/fuzz/fuzz_"$n" "$tmp/bin-$n"
	before=$(find "$corpus" -type f | wc -l)
	log=build/fuzz/measure-$n.log
	"$tmp/bin-$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/crash-"$n"- "$tmp/new-$n" "$corpus" >"$log" 2>&1
	rc=$?
	cov0=$(grep -m1 'INITED' "$log" | grep -o 'cov: [0-9]*' | awk '{print $2}')
	cov1=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]*' | tail -n1 | awk '{print $2}')
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}')
	eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}')
	# the new finds that add coverage, small ones only
	ls -1 "$corpus" | sort >"$tmp/old"
	"$tmp/bin-$n" -merge=1 -timeout=10 -rss_limit_mb=1024 "$corpus" "$tmp/new-$n" \
		>build/fuzz/measure-$n.merge.log 2>&1
	ls -1 "$corpus" | sort | comm -13 "$tmp/old" - | while read -r f; do
		[ "$(stat -c %s "$corpus/$f")" -le "$maxb" ] || rm -f "$corpus/$f"
	done
	after=$(find "$corpus" -type f | wc -l)
	res=ok
	[ "$rc" -eq 0 ] || res="FAIL rc=$rc (build/fuzz/crash-$n-*)"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${execs:-?}" "${eps:-?}" \
		"${cov0:-?}" "${cov1:-?}" "$before" "$after" "$res"
	rm -rf "$tmp/new-$n" "$tmp/bin-$n"
done
