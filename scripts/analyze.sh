#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Static analysis of the libraries (lib/), the examples (examples/), the
# benchmarks (bench/) and the tests (tests/): clang-tidy with the
# repository's .clang-tidy (the clang static analyzer and the bug-prone
# checks, findings are errors; tests/.clang-tidy leaves one check out there)
# and cppcheck (warning, portability, performance), both with the compile
# commands of a build configured for it, so that they see the flags and
# DPDK's headers the code is built with. The VM guest's test program
# (examples/vm-guest/guest-afalg-test.c, built by the VM image script, libc
# only) gets its flags here. CI's "analyze" stage runs it.
#
#   scripts/analyze.sh
#
# Environment: BUILD_DIR (default build-analyze; configured, not built; the
# tests' configuration goes to BUILD_DIR-tests),
# JOBS (default 2). Needs clang-tidy and cppcheck (scripts/deps.sh,
# VCRYPTO_CI_PACKAGES). Exit status: 1 if either reports anything.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build-analyze}
JOBS=${JOBS:-2}
# (absolute: cppcheck matches no file of a project named by a relative path)
case $BUILD_DIR in
/*) ;;
*) BUILD_DIR=$(pwd)/$BUILD_DIR ;;
esac

for t in clang-tidy cppcheck; do
	if ! command -v "$t" >/dev/null; then
		echo "analyze: $t not found (apt-get install clang-tidy cppcheck)" >&2
		exit 2
	fi
done
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DVCRYPTO_LTO=OFF \
	-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DVCRYPTO_BUILD_TESTS=OFF \
	-DVCRYPTO_BUILD_EXAMPLES=ON -DVCRYPTO_BUILD_BENCH=ON -DVCRYPTO_BUILD_DOCS=OFF >/dev/null
# The tests from a configuration of their own: built with the rest, the fuzz
# regression targets compile hostd_config.c a second time, and clang-tidy 14
# run over two compile commands of one file in one process reports a va_list
# it initialized as uninitialized in the second.
TEST_DIR=$BUILD_DIR-tests
cmake -S "$SRC" -B "$TEST_DIR" -DCMAKE_BUILD_TYPE=Debug -DVCRYPTO_LTO=OFF \
	-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DVCRYPTO_BUILD_TESTS=ON \
	-DVCRYPTO_BUILD_EXAMPLES=ON -DVCRYPTO_BUILD_BENCH=OFF -DVCRYPTO_BUILD_DOCS=OFF >/dev/null
db=$BUILD_DIR/compile_commands.json
tdb=$TEST_DIR/compile_commands.json
# The sources as the build compiles them (not every file is in every
# configuration).
sources()
{
	sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$1" | grep -E "^$SRC/($2)/" | sort -u
}
files=$(sources "$db" "lib|examples|bench")
tfiles=$(sources "$tdb" tests)
for d in lib examples bench tests; do
	if ! printf '%s\n' "$files" "$tfiles" | grep -q "^$SRC/$d/"; then
		echo "analyze: no sources of $d/ in $db or $tdb" >&2
		exit 1
	fi
done
afalg=$SRC/examples/vm-guest/guest-afalg-test.c
afalg_flags="-std=gnu11 -D_GNU_SOURCE -Wall -Wextra"

status=0
log=$BUILD_DIR/clang-tidy.log
echo "analyze: clang-tidy ($(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n1)), $(($(echo "$files" | wc -l) + $(echo "$tfiles" | wc -l) + 1)) files"
# shellcheck disable=SC2086
if ! { printf '%s\n' $files | xargs -P "$JOBS" -n 1 clang-tidy -p "$BUILD_DIR" --quiet &&
	printf '%s\n' $tfiles | xargs -P "$JOBS" -n 1 clang-tidy -p "$TEST_DIR" --quiet &&
	clang-tidy --quiet "$afalg" -- $afalg_flags; } >"$log" 2>&1; then
	grep -E -A8 '(warning|error):' "$log" || cat "$log"
	echo "analyze: clang-tidy: FAILED (whole output: $log)"
	status=1
else
	echo "analyze: clang-tidy: OK"
fi

echo "analyze: cppcheck ($(cppcheck --version | sed 's/Cppcheck //'))"
cpp="cppcheck -q --error-exitcode=1 --enable=warning,portability,performance --inline-suppr --std=c11"
# shellcheck disable=SC2086
if ! { $cpp --project="$db" --file-filter="$SRC/lib/*" --file-filter="$SRC/examples/*" \
	--file-filter="$SRC/bench/*" --suppress=missingIncludeSystem &&
	$cpp --project="$tdb" --file-filter="$SRC/tests/*" --suppress=missingIncludeSystem &&
	$cpp -D_GNU_SOURCE "$afalg"; }; then
	echo "analyze: cppcheck: FAILED"
	status=1
else
	echo "analyze: cppcheck: OK"
fi
exit $status
