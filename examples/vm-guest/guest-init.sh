#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# /init of the vcrypto e2e guest initramfs (built by build-image.sh). Loads the virtio-pci,
# virtio_crypto and AF_ALG modules, checks /proc/crypto, runs the test named by the kernel
# command line (vc_test=afalg, the default), prints "VCRYPTO-E2E: ..." result lines on the serial
# console and powers the VM off. Kernel command line knobs (plain words without dots reach init
# as environment variables): vc_test, vc_jobs (parallel AF_ALG workers), vc_tput (seconds of
# throughput loop), vc_reset=0 (skip the driver reload and second pass), vc_shell=1 (drop to a shell instead of powering off; interactive use only).
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /run
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp

up() { cut -d' ' -f1 /proc/uptime; }
finish() {
	echo "VCRYPTO-E2E: DONE rc=$1 uptime=$(up)"
	if [ "${vc_shell:-0}" = 1 ]; then
		setsid cttyhack sh
	fi
	sync
	poweroff -f
	# Not reached; with panic=-1 and QEMU's -no-reboot an exit of init also ends the VM.
	exit "$1"
}

echo "VCRYPTO-E2E: BOOTED kernel=$(uname -r) uptime=$(up)"
test=${vc_test:-afalg}
case $test in
afalg)
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "/lib/modules/$m" || echo "VCRYPTO-E2E: ERROR insmod $m failed"
	done </lib/modules/load-order
	# The device shows up as a virtio device bound to virtio_crypto.
	for d in /sys/bus/virtio/devices/*; do
		[ -e "$d/device" ] || continue
		drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
		echo "VCRYPTO-E2E: VIRTIO $(basename "$d") device=$(cat "$d/device") driver=${drv:-none}"
	done
	/guest-afalg-test -d /vectors -j "${vc_jobs:-2}" -t "${vc_tput:-2}"
	rc=$?
	if [ "$rc" = 0 ] && [ "${vc_reset:-1}" = 1 ]; then
		# Driver reload = device reset and re-initialisation while QEMU and the back end
		# keep their connection (what a guest reboot or a driver rebind does): rings
		# are stopped and set up again, sessions are created anew.
		echo "VCRYPTO-E2E: RESET reloading virtio_crypto"
		if rmmod virtio_crypto && insmod /lib/modules/virtio_crypto.ko; then
			/guest-afalg-test -d /vectors -j 0 -t 1
			rc=$?
		else
			echo "VCRYPTO-E2E: FAIL could not reload virtio_crypto"
			rc=1
		fi
	fi
	;;
dpdk)
	# The kernel's virtio drivers stay unloaded: the device goes to uio_pci_generic.
	if [ -x /dpdk/run.sh ]; then
		/dpdk/run.sh
		rc=$?
	else
		echo "VCRYPTO-E2E: FAIL this image has no DPDK test"
		rc=1
	fi
	;;
*)
	echo "VCRYPTO-E2E: FAIL unknown vc_test=$test"
	rc=1
	;;
esac
if [ "$rc" != 0 ]; then
	echo "VCRYPTO-E2E: FAIL rc=$rc"
	echo "VCRYPTO-E2E: guest kernel log (virtio/crypto lines):"
	dmesg | grep -i -E 'virtio|crypto|alg|error|fail' | tail -n 40
fi
finish "$rc"
