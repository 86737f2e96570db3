#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# scripts/soak.sh [SECONDS]
#
# The long form of the soak test (tests/soak/soak.c; CTest runs a 60 s form with label "soak"):
# one process with the vcrypto host (crypto_openssl, 2 ports per guest, two pollers on their own
# threads) and 64 guest threads that connect, create sessions, submit random bursts, close
# sessions and disconnect with requests in flight, and reconnect, at random, for SECONDS
# (default 3600). Every completed request is accounted for, one in 4 is checked against
# OpenSSL, the host's port stats must agree at the end and RSS must stay within +20% of its
# peak during the warm-up. The last line has the figures (requests, bytes, reconnects,
# sessions, peak RSS, duration).
#
# Environment:
#   BUILD_DIR  build directory (default: build); the target vcrypto_soak is built if missing.
#              An ASan+UBSan build (-DVCRYPTO_SANITIZE=ON) works too: LeakSanitizer checks the
#              exit, and ASan's quarantine is kept small (unless ASAN_OPTIONS is set).
#   GUESTS     guest threads (default 64)
#   SEED       random seed (default: from the clock; printed, to repeat a run)
#   SOAK_ARGS  more options for vcrypto_soak (--pollers 1, --check-every 1, --rss-growth 30, ...)
#   SOAK_LOG   also write the output here (default: soak-<date>.log in the build directory)
# Exit: vcrypto_soak's status (0 pass, 1 fail, 77 the EAL cannot start here).
set -uo pipefail

seconds=${1:-3600}
case $seconds in
'' | *[!0-9]*) echo "usage: scripts/soak.sh [SECONDS]" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$src/build}
[ -f "$build/CMakeCache.txt" ] || {
	echo "soak.sh: $build is not a configured build directory (cmake -S . -B build)" >&2
	exit 2
}
bin=$build/tests/soak/vcrypto_soak
cmake --build "$build" -j2 --target vcrypto_soak >/dev/null || exit 1
if grep -q '^VCRYPTO_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:thread_local_quarantine_size_kb=64}
fi
seed=${SEED:-$(date +%s)}
log=${SOAK_LOG:-$build/soak-$(date +%Y%m%d-%H%M%S).log}
echo "soak.sh: $bin --guests ${GUESTS:-64} --seconds $seconds --seed $seed" \
	"${SOAK_ARGS:-} (log: $log)"
# A hard bound: the run itself plus time to drain, check and tear down.
# shellcheck disable=SC2086
timeout -k 10 "$((seconds + 300))" "$bin" --guests "${GUESTS:-64}" --seconds "$seconds" \
	--seed "$seed" ${SOAK_ARGS:-} 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
