#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# run-vm.sh (--socket PATH | --builtin) [options]
#
# Boots the vcrypto e2e guest (build-image.sh; cached) under QEMU with a virtio-crypto-pci
# device whose back end is either a vhost-user crypto back end listening on the UNIX socket PATH
# (vcrypto's host daemon, or any other) or QEMU's built-in software back end (--builtin: the
# baseline). The guest checks its kernel's self-test of virtio_crypto_aes_cbc and runs
# guest-afalg-test against fresh AES-CBC known answers made by OpenSSL on the host
# (gen-vectors.sh), then powers off. The serial console goes to a log file.
#
# Options:
#   --socket PATH      vhost-user back end socket (QEMU connects to it as the client)
#   --builtin          use QEMU's cryptodev-backend-builtin instead
#   --timeout S        hard limit for the whole VM run (default 600)
#   --workdir DIR      where the run's files go (default: a new /tmp/vcrypto-vm.XXXXXX)
#   --log FILE         serial console log (default WORKDIR/serial.log)
#   --vectors DIR      use these known answers (gen-vectors.sh format) instead of fresh ones
#   --seed HEX         make the fresh known answers reproducible (gen-vectors.sh --seed)
#   --test NAME        guest test: afalg (default: the kernel driver through AF_ALG) or dpdk
#                      (DPDK 22.11's virtio crypto PMD, dpdk-test-crypto-perf --ptest verify;
#                      uses build-image.sh --dpdk, 1 GiB of guest memory and hugepages=256)
#   --mem SIZE         guest memory (default 512M; 1024M with --test dpdk)
#   --jobs N           parallel AF_ALG workers in the guest (default 2; 0 = none)
#   --tput S           seconds of the guest's 4 KiB throughput loop (default 2; 0 = none)
#   --append ARGS      extra guest kernel command line
#   --accel A          tcg (default) or kvm (if /dev/kvm is usable; then also -cpu host)
#   --smp N            guest CPUs (default 1)
#   --msix             keep MSI-X (QEMU 7.2 segfaults under TCG with vhost-user crypto + MSI-X)
#   --image DIR        use this image directory (vmlinuz + initrd.cpio.gz) as is
#   --qemu PATH        QEMU binary (default qemu-system-x86_64)
#   --interactive      serial console on this terminal (Ctrl-A X quits), and a shell in the
#                      guest after the test (vc_shell=1); no result parsing
#
# Exit status: 0 when the guest printed "VCRYPTO-E2E: PASS", 1 on any failure (including a
# timeout or a QEMU crash), 77 if QEMU or the guest kernel is missing and cannot be installed.
# shellcheck disable=SC2054 # commas inside QEMU option values
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
socket='' builtin=0 timeout_s=600 workdir='' log='' vectors='' seed='' test=afalg jobs=2 tput=2
append='' accel=tcg smp=1 msix=0 image='' qemu=qemu-system-x86_64 mem='' interactive=0
while [ $# -gt 0 ]; do
	case $1 in
	--socket) socket=${2:?}; shift 2 ;;
	--builtin) builtin=1; shift ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--workdir) workdir=${2:?}; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--vectors) vectors=${2:?}; shift 2 ;;
	--seed) seed=${2:?}; shift 2 ;;
	--test) test=${2:?}; shift 2 ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	--tput) tput=${2:?}; shift 2 ;;
	--append) append=${2:?}; shift 2 ;;
	--accel) accel=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--msix) msix=1; shift ;;
	--image) image=${2:?}; shift 2 ;;
	--qemu) qemu=${2:?}; shift 2 ;;
	--interactive) interactive=1; shift ;;
	-h|--help) sed -n '4,39p' "$0"; exit 0 ;;
	*) echo "run-vm.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
log_() { echo "run-vm.sh: $*" >&2; }
if [ "$builtin" = 0 ] && [ -z "$socket" ]; then
	echo "usage: run-vm.sh (--socket PATH | --builtin) [--timeout S] [options; --help]" >&2
	exit 2
fi

# --- QEMU -------------------------------------------------------------------------------------
if ! command -v "$qemu" >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		log_ "installing qemu-system-x86"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			qemu-system-x86 >&2 || { log_ "SKIP: cannot install qemu-system-x86"; exit 77; }
	else
		log_ "SKIP: $qemu not found; run as root: apt-get install -y --no-install-recommends qemu-system-x86"
		exit 77
	fi
fi

# --- image and known answers ------------------------------------------------------------------
image_opts=()
case $test in
afalg) [ -n "$mem" ] || mem=512M ;;
dpdk)
	image_opts+=(--dpdk)
	[ -n "$mem" ] || mem=1024M
	append="hugepages=256 $append"
	;;
*) log_ "unknown --test $test"; exit 2 ;;
esac
if [ -z "$image" ]; then
	set +e
	image=$("$here/build-image.sh" "${image_opts[@]}" | tail -n1)
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" = 0 ] || exit "$rc"
fi
[ -n "$workdir" ] || workdir=$(mktemp -d /tmp/vcrypto-vm.XXXXXX)
mkdir -p "$workdir"
[ -n "$log" ] || log=$workdir/serial.log
if [ -z "$vectors" ]; then
	vectors=$workdir/vectors
	"$here/gen-vectors.sh" "$vectors" ${seed:+--seed "$seed"}
fi
# Second cpio archive with the known answers under /vectors; Linux unpacks concatenated
# (separately compressed) archives in order.
rm -rf "$workdir/vroot"
mkdir -p "$workdir/vroot/vectors"
cp "$vectors"/manifest "$vectors"/*.pt "$vectors"/*.ct "$workdir/vroot/vectors/"
cp "$vectors"/*.data "$workdir/vroot/vectors/" 2>/dev/null || true
(cd "$workdir/vroot" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -1n >"$workdir/vectors.cpio.gz"
cat "$image/initrd.cpio.gz" "$workdir/vectors.cpio.gz" >"$workdir/initrd.cpio.gz"
rm -rf "$workdir/vroot"

# --- QEMU command line ------------------------------------------------------------------------
args=(-accel "$accel")
# TCG: "-cpu max" (Debian's DPDK needs SSE4.2; the default qemu64 CPU has none).
# With KVM: "--accel kvm" gives "-accel kvm -cpu host" here; nothing else changes.
if [ "$accel" = kvm ]; then args+=(-cpu host); else args+=(-cpu max); fi
# no_timer_check: on a loaded host, TCG can be too slow for the kernel's
# IO-APIC timer check, which then panics ("IO-APIC + timer doesn't work"; seen).
args+=(-smp "$smp" -m "$mem"
	-object "memory-backend-memfd,id=mem,size=$mem,share=on"
	-machine q35,memory-backend=mem
	-nodefaults -nographic -no-reboot
	-serial "file:$log"
	-kernel "$image/vmlinuz" -initrd "$workdir/initrd.cpio.gz"
	-append "console=ttyS0 panic=-1 loglevel=4 no_timer_check vc_test=$test vc_jobs=$jobs vc_tput=$tput $append")
if [ "$builtin" = 1 ]; then
	args+=(-object cryptodev-backend-builtin,id=cryptodev0)
	what="QEMU built-in back end"
else
	[ -S "$socket" ] || { log_ "FAIL: $socket is not a listening UNIX socket"; exit 1; }
	args+=(-chardev "socket,id=vc0,path=$socket"
		-object cryptodev-vhost-user,id=cryptodev0,chardev=vc0)
	what="vhost-user back end at $socket"
fi
dev=virtio-crypto-pci,id=crypto0,cryptodev=cryptodev0
[ "$msix" = 1 ] || dev+=,vectors=0
args+=(-device "$dev")

if [ "$interactive" = 1 ]; then
	for i in "${!args[@]}"; do
		[ "${args[$i]}" = "file:$log" ] && args[$i]=mon:stdio
		case ${args[$i]} in console=ttyS0*) args[$i]="${args[$i]} vc_shell=1" ;; esac
	done
	log_ "interactive: Ctrl-A X ends QEMU"
	exec "$qemu" "${args[@]}"
fi
printf '%q ' "$qemu" "${args[@]}" >"$workdir/qemu-cmdline.txt"
echo >>"$workdir/qemu-cmdline.txt"
log_ "booting guest ($what, accel $accel, timeout ${timeout_s}s); log $log"
: >"$log"
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 1
		kill -KILL "$qpid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
t0=$(date +%s.%N)
# timeout(1) is the hard limit; the trap above covers this script being killed itself.
timeout -k 5 "$timeout_s" "$qemu" "${args[@]}" </dev/null >"$workdir/qemu.out" 2>&1 &
qpid=$!
set +e
wait "$qpid"
qrc=$?
set -e
qpid=
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN { print $t1 - $t0 }")

boot=$(sed -n 's/.*VCRYPTO-E2E: BOOTED .*uptime=\([0-9.]*\).*/\1/p' "$log" | head -n1)
done_up=$(sed -n 's/.*VCRYPTO-E2E: DONE rc=[0-9]* uptime=\([0-9.]*\).*/\1/p' "$log" | head -n1)
result=$(grep -a -E 'VCRYPTO-E2E: (PASS|FAIL)' "$log" | tail -n1 | tr -d '\r' || true)
grep -a 'VCRYPTO-E2E:' "$log" | tr -d '\r' | sed 's/^/  guest| /' >&2 || true
if [ -s "$workdir/qemu.out" ]; then
	sed 's/^/  qemu| /' "$workdir/qemu.out" >&2
fi
npass=$(grep -a -c 'VCRYPTO-E2E: PASS' "$log" || true)
summary="guest_passes=$npass wall=${wall}s guest_boot=${boot:-?}s guest_done=${done_up:-?}s qemu_rc=$qrc"
# PASS needs the guest's last verdict to be PASS and /init to have finished with rc=0 (a
# guest that hangs after a first PASS line must not count).
done_rc=$(sed -n 's/.*VCRYPTO-E2E: DONE rc=\([0-9]*\).*/\1/p' "$log" | tail -n1)
[ "$done_rc" = 0 ] || case $result in *"VCRYPTO-E2E: PASS"*) result="VCRYPTO-E2E: FAIL no DONE rc=0 after the last PASS" ;; esac
case $result in
*"VCRYPTO-E2E: PASS"*)
	if [ "$qrc" != 0 ]; then
		log_ "FAIL: guest passed but QEMU exited with $qrc ($summary)"
		exit 1
	fi
	log_ "PASS ($what): ${result#*VCRYPTO-E2E: } | $summary"
	exit 0
	;;
*)
	[ "$qrc" = 124 ] && log_ "QEMU killed after ${timeout_s}s (hard timeout)"
	log_ "FAIL ($what): ${result:-no result line} | $summary; see $log and $workdir"
	tail -n 30 "$log" | sed 's/^/  log| /' >&2
	exit 1
	;;
esac
