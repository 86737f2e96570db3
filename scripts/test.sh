#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Build vcrypto and run its tests:
#
#   scripts/test.sh [CTEST_ARGS...]
#
# e.g.  scripts/test.sh                   # everything
#       scripts/test.sh -L unit           # unit tests only
#       scripts/test.sh -R guest -V       # matching tests, verbose
#       VCRYPTO_SANITIZE=ON scripts/test.sh   # ASan + UBSan build
#
# Environment:
#   BUILD_DIR          build directory (default: build, or build-asan with
#                      VCRYPTO_SANITIZE=ON), relative to the repository root
#   BUILD_TYPE         CMake build type (default: RelWithDebInfo)
#   VCRYPTO_SANITIZE   ON for AddressSanitizer + UndefinedBehaviorSanitizer
#   CMAKE_ARGS         more arguments for the CMake configure step
#   JOBS               parallel build jobs (default: number of CPUs)
#   VCRYPTO_NO_DEPS=1  do not check for / install missing Debian packages
#
# As root, missing Debian packages (scripts/deps.sh) are installed first.
# Ends with a line "tests: N passed, N failed, N skipped" (also written to
# <build>/ctest-summary.txt). Exits non-zero if the build or any test fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/deps.sh
source scripts/deps.sh

sanitize=${VCRYPTO_SANITIZE:-OFF}
case "${sanitize^^}" in
ON | 1 | YES | TRUE) sanitize=ON default_dir=build-asan ;;
*) sanitize=OFF default_dir=build ;;
esac
build=${BUILD_DIR:-$default_dir}
jobs=${JOBS:-$(nproc)}

if [ "${VCRYPTO_NO_DEPS:-0}" != 1 ]; then
	vcrypto_install_packages "${VCRYPTO_BUILD_PACKAGES[@]}" "${VCRYPTO_VM_TEST_PACKAGES[@]}"
fi

# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
	-DVCRYPTO_SANITIZE="$sanitize" -DVCRYPTO_WERROR=ON -DVCRYPTO_BUILD_TESTS=ON \
	${CMAKE_ARGS:-}
cmake --build "$build" -j"$jobs"

junit="$root/$build/ctest-results.xml"
[ "${build:0:1}" = / ] && junit="$build/ctest-results.xml"
rm -f "$junit" "$(dirname "$junit")/ctest-summary.txt"
rc=0
(cd "$build" && ctest --output-on-failure --timeout 300 --output-junit "$junit" "$@") || rc=$?

# One plain summary line, counted from CTest's JUnit report.
if [ -f "$junit" ]; then
	suite=$(tr '\n' ' ' <"$junit" | sed -n 's/.*<testsuite\([^>]*\)>.*/\1/p')
	attr() { sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$suite"; }
	total=$(attr tests) failed=$(attr failures) skipped=$(attr skipped) disabled=$(attr disabled)
	total=${total:-0} failed=${failed:-0} skipped=$((${skipped:-0} + ${disabled:-0}))
	summary="$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
	echo "$summary" >"$(dirname "$junit")/ctest-summary.txt"
	echo "scripts/test.sh: tests in $build"
	echo "tests: $summary"
fi
exit "$rc"
