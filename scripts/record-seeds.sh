#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# scripts/record-seeds.sh [OUT_DIR]
#
# Records what real front ends send, as fuzz seeds: builds the host with
# -DVCRYPTO_RECORD_SEEDS=ON into build-rec (lib/host/record.h), then runs the VM end-to-end
# test twice against that build's vcrypto-hostd with VCRYPTO_RECORD_DIR set:
#   linux61   a Debian 12 guest (Linux 6.1 virtio_crypto: its self-tests and AF_ALG traffic)
#   dpdk2211  the same guest running DPDK 22.11's virtio crypto PMD (dpdk-test-crypto-perf)
# and copies the recordings into OUT_DIR/<target>/rec-<guest>-<n> for the targets session_msg,
# walk and request (default OUT_DIR: tests/fuzz/corpus). Each recorded request is checked by
# the target's plain driver (no failure allowed) before it is kept.
# Needs what the VM test needs (QEMU, the guest image; see examples/vm-guest); takes several
# minutes under TCG. Exit: 0 done, 1 failed, 77 the VM test skipped.
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$src/tests/fuzz/corpus}
build=${BUILD_DIR:-$src/build-rec}
work=$(mktemp -d /tmp/vcrypto-rec.XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$build" -DVCRYPTO_RECORD_SEEDS=ON -DVCRYPTO_BUILD_DOCS=OFF \
	-DVCRYPTO_BUILD_BENCH=OFF >/dev/null 2>&1 || exit 1
cmake --build "$build" -j2 --target vcrypto-hostd fuzz_regress_walk fuzz_regress_request \
	fuzz_regress_session_msg >/dev/null || exit 1

for guest in linux61 dpdk2211; do
	args=(--guests 1 --no-kill --timeout 900)
	[ "$guest" = dpdk2211 ] && args+=(--test dpdk)
	echo "record-seeds.sh: $guest guest ..."
	VCRYPTO_RECORD_DIR=$work/$guest "$src/tests/e2e/vm-e2e.sh" \
		--hostd "$build/examples/hostd/vcrypto-hostd" --workdir "$work/vm-$guest" \
		"${args[@]}" >"$work/$guest.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "record-seeds.sh: the VM test failed (exit $rc); log: $work/$guest.log" >&2
		tail -20 "$work/$guest.log" >&2
		trap - EXIT
		[ $rc -eq 77 ] && exit 77
		exit 1
	fi
	for t in session_msg walk request; do
		mkdir -p "$out/$t"
		rm -f "$out/$t/rec-$guest-"*
		n=0
		for f in "$work/$guest/$t"/*; do
			[ -f "$f" ] || continue
			"$build/tests/fuzz/fuzz_regress_$t" "$f" >/dev/null 2>&1 || {
				echo "record-seeds.sh: $f fails its target" >&2
				exit 1
			}
			cp "$f" "$out/$t/rec-$guest-$n"
			n=$((n + 1))
		done
		echo "record-seeds.sh: $guest: $n $t seeds"
	done
done
