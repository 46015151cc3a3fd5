#!/bin/bash
# Run every libFuzzer harness for SECONDS each against its corpus.
#   fuzz/run.sh SECONDS          (make check: new finds go to a temp dir)
#   fuzz/run.sh SECONDS --keep   (make fuzz: new finds are added to fuzz/corpus)
# Prints PASS/FAIL fuzz/NAME; a crash leaves its reproducer in build/fuzz/.
set -u
cd "$(dirname "$0")/.."
secs=${1:-10}
keep=${2:-}
rc=0
make -s -f fuzz/fuzz.mk || { echo "FAIL fuzz/build"; exit 1; }
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=${f##*/fuzz_}
	corpus=fuzz/corpus/$n
	if [ -n "$keep" ]; then
		dirs="$corpus"
	else
		new=$(mktemp -d)
		dirs="$new $corpus"
	fi
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix=build/fuzz/crash-"$n"- $dirs >build/fuzz/"$n".log 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' build/fuzz/"$n".log | awk '{print $2}')
		[ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' build/fuzz/"$n".log | tail -n1 | tr -d '#')
		echo "PASS fuzz/$n (${secs}s, ${execs:-?} runs)"
	else
		echo "FAIL fuzz/$n (see build/fuzz/$n.log; reproducer build/fuzz/crash-$n-*)"
		grep -m5 -E 'ERROR|SUMMARY|runtime error' build/fuzz/"$n".log
		rc=1
	fi
	[ -n "$keep" ] || rm -rf "$new"
done
exit $rc
