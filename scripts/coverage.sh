#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Line coverage of the libraries (lib/) by the tests: a --coverage build
# (Debug, no link-time optimization), the tests, a summary per source file
# and an HTML report.
#
#   scripts/coverage.sh [CTEST_ARGS...]
#
# Without arguments every test runs but the VM end-to-end ones and the soaks
# (ctest -E 'e2e_vm|e2e_all_guests|soak': minutes under TCG, and random).
# The fuzz targets' regression runs over their corpora count (they compile
# the library's sources into their own binaries).
#
# Environment: BUILD_DIR (default build-cov), JOBS (default: number of
# CPUs), VCRYPTO_NO_DEPS=1 (do not install lcov). Output: the summary, and
# BUILD_DIR/coverage/index.html. Exits non-zero if a test fails (the
# report is still made).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
build=${BUILD_DIR:-build-cov}
jobs=${JOBS:-$(nproc)}

if [ "${VCRYPTO_NO_DEPS:-0}" != 1 ]; then
	vcrypto_install_packages "${VCRYPTO_BUILD_PACKAGES[@]}" "${VCRYPTO_COVERAGE_PACKAGES[@]}"
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DVCRYPTO_LTO=OFF -DCMAKE_C_FLAGS=--coverage \
	-DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage \
	-DVCRYPTO_BUILD_TESTS=ON -DVCRYPTO_BUILD_BENCH=OFF -DVCRYPTO_BUILD_DOCS=OFF >/dev/null
cmake --build "$build" -j"$jobs"
lcov -q --zerocounters --directory "$build"
args=("$@")
[ "${#args[@]}" -gt 0 ] || args=(-E 'e2e_vm|e2e_all_guests|soak')
status=0
(cd "$build" && ctest --output-on-failure "${args[@]}") || status=$?
lcov -q --capture --directory "$build" --output-file "$build/coverage-all.info"
lcov -q --extract "$build/coverage-all.info" "$root/lib/*" --output-file "$build/coverage.info"
lcov --list "$build/coverage.info"
genhtml -q "$build/coverage.info" --output-directory "$build/coverage"
echo "coverage: $build/coverage/index.html"
exit $status
