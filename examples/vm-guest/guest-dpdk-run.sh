#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# /dpdk/run.sh in the e2e guest image built with build-image.sh --dpdk (run by /init when the
# kernel command line has vc_test=dpdk). The guest uses the virtio-crypto device through DPDK
# 22.11's virtio crypto PMD instead of the kernel: the device is bound to uio_pci_generic
# (Debian's 6.1 kernel has no VFIO no-IOMMU mode), EAL takes hugepages (hugepages=N on the kernel
# command line) and dpdk-test-crypto-perf runs in verify mode against AES-CBC known answers that
# OpenSSL computed on the host (/vectors/cperf-aes<bits>-<size>.data, gen-vectors.sh). Prints
# "VCRYPTO-E2E: ..." lines; the last is PASS or FAIL. Exit 0 on PASS.
say() { echo "VCRYPTO-E2E: $*"; }
# No ld.so.cache in the guest: Debian's cache also covers DPDK's plugin directory.
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0

mkdir -p /dev/hugepages /var/run /run
mount -t hugetlbfs nodev /dev/hugepages || { say "FAIL cannot mount hugetlbfs"; exit 1; }
say "DPDK hugepages=$(cat /proc/sys/vm/nr_hugepages)"
[ "$(cat /proc/sys/vm/nr_hugepages)" -gt 0 ] || { say "FAIL no hugepages (kernel cmdline hugepages=N)"; exit 1; }
while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$m" || say "ERROR insmod $m failed"
done </lib/modules/load-order-dpdk

bdf=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1054 ]; then
		bdf=$(basename "$d")
	fi
done
[ -n "$bdf" ] || { say "FAIL no virtio-crypto PCI device (1af4:1054)"; exit 1; }
echo 1af4 1054 >/sys/bus/pci/drivers/uio_pci_generic/new_id
drv=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")")
say "DPDK device $bdf driver=$drv"
[ "$drv" = uio_pci_generic ] || { say "FAIL $bdf not bound to uio_pci_generic"; exit 1; }

fails=0 runs=0
# keysize op buffer-size (the PMD refuses buffers over 2176 bytes)
for spec in "128 encrypt 64" "128 decrypt 64" "128 encrypt 2048" "128 decrypt 2048" \
	"256 encrypt 1024" "256 decrypt 2048"; do
	set -- $spec
	runs=$((runs + 1))
	out=/tmp/cperf.$runs.log
	# Bounded: a back end that stops answering must give a FAIL line, not a hung guest.
	timeout -s KILL 90 dpdk-test-crypto-perf --lcores 0@0,1@0 -a "$bdf" --file-prefix vce2e \
		--log-level lib.eal:warning -- \
		--ptest verify --devtype crypto_virtio --optype cipher-only \
		--cipher-algo aes-cbc --cipher-op "$2" --cipher-key-sz $(($1 / 8)) \
		--cipher-iv-sz 16 --buffer-sz "$3" --burst-sz 32 --total-ops 1000 \
		--test-file "/vectors/cperf-aes$1-$3.data" --test-name vcrypto >"$out" 2>&1
	rc=$?
	# The result row follows the "lcore id ... Failed Ops" header:
	# lcore buf-size burst enqueued dequeued failed-enq failed-deq failed-ops
	row=$(awk '/lcore id/ { h = 1; next } h && NF >= 8 { print; exit }' "$out")
	set -- $row
	if [ "$rc" = 0 ] && [ -n "$row" ] && [ "$4" = 1000 ] && [ "$5" = 1000 ] && [ "$8" = 0 ]; then
		say "DPDK verify aes-$spec: enqueued=$4 dequeued=$5 failed_ops=$8 ok"
	else
		say "ERROR DPDK verify aes-$spec: rc=$rc row='$row'"
		tail -n 15 "$out"
		fails=$((fails + 1))
		if [ "$rc" -ge 124 ] && [ -z "$row" ]; then
			say "ERROR DPDK run $runs killed after 90 s: the device stopped answering"
			break
		fi
	fi
done
if [ "$fails" = 0 ]; then
	say "PASS dpdk-test-crypto-perf verify runs=$runs (crypto_virtio PMD, 1000 ops each)"
	exit 0
fi
say "FAIL dpdk-test-crypto-perf verify: $fails of $runs runs failed"
exit 1
