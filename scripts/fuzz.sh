#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Long fuzzing run of every libFuzzer target in tests/fuzz, one after the
# other (one process: the machine may be shared).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 300)
#
# Environment: BUILD_DIR (default build-fuzz), TARGETS (default
# "session_msg walk request hostd_config"), FUZZ_ARGS (extra libFuzzer options).
# Builds with clang (-DVCRYPTO_BUILD_FUZZ=ON) into BUILD_DIR, runs each target
# on a working corpus BUILD_DIR/tests/fuzz/corpus-work/<target> seeded from
# tests/fuzz/corpus/<target>, and prints executions, exec/s and coverage.
# Crashes are written to BUILD_DIR/tests/fuzz/artifacts/<target>/; copy a
# reproducer to tests/fuzz/crashes/<target>/ to make it a regression test
# (ctest -L unit runs it in every build). Exit status: 1 if any target
# crashed, else 0.
set -eu

SECONDS_PER_TARGET=${1:-300}
case $SECONDS_PER_TARGET in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS_PER_TARGET]" >&2
	exit 2
	;;
esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-fuzz}
TARGETS=${TARGETS:-"session_msg walk request hostd_config"}
FUZZ_ARGS=${FUZZ_ARGS:-}

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$SRC" -B "$BUILD_DIR" -DVCRYPTO_BUILD_FUZZ=ON \
	-DVCRYPTO_BUILD_DOCS=OFF >/dev/null
for t in $TARGETS; do
	cmake --build "$BUILD_DIR" -j2 --target "fuzz_$t"
done

status=0
summary=""
for t in $TARGETS; do
	dir=$BUILD_DIR/tests/fuzz
	work=$dir/corpus-work/$t
	art=$dir/artifacts/$t
	log=$dir/fuzz-$t.log
	mkdir -p "$work" "$art"
	dict=
	[ -f "$SRC/tests/fuzz/$t.dict" ] && dict="-dict=$SRC/tests/fuzz/$t.dict"
	echo "== fuzz_$t: ${SECONDS_PER_TARGET}s (log: $log)"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	if "$dir/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" $dict $FUZZ_ARGS \
		"$work" "$SRC/tests/fuzz/corpus/$t" >"$log" 2>&1; then
		result=ok
	else
		result="CRASH (see $log, reproducer in $art/)"
		status=1
	fi
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	line=$(printf '%-14s execs=%s exec/s=%s cov=%s ft=%s corpus=%s %s' "$t" "${execs:-?}" \
		"${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
	echo "$line"
	summary="$summary$line
"
done
echo "== summary"
printf '%s' "$summary"
exit $status
