#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# vm-e2e.sh --builtin | --hostd BIN  [--test afalg|dpdk] [--workdir DIR] [--timeout S]
#            [--guests N] [--no-kill] [--mem SIZE] [--one-pass]
#
# End-to-end test: real Linux VM guests (QEMU/TCG, examples/vm-guest) use a virtio-crypto-pci
# device and check AES-CBC known answers computed by OpenSSL on the host.
#   --builtin    QEMU's built-in back end (proves the harness: image, guest program, vectors).
#   --hostd BIN  vcrypto's host daemon: started here on a vhost-user socket with DPDK's
#                crypto_openssl vdev; N guests (default 2) boot one after the other against the
#                same daemon (the second one proves reconnects work). Unless --no-kill, one more
#                guest is killed (SIGKILL to QEMU) in the middle of its verified 4 KiB traffic
#                loop, and the guest after it must pass again. Then the daemon is stopped with
#                SIGTERM and must exit cleanly. BIN "" or missing: skip (77).
# --mem SIZE: the memory of the N guests (QEMU's -m; run-vm.sh's default otherwise, and for the
# killed guest and the one after it). Beyond 2-3 GiB
# QEMU gives the back end two memory regions (below and above 4 GiB).
# --one-pass: the daemon's final statistics must show requests, none of them read by its
# general descriptor walk (general_walks=0: the one-pass path took every one).
# --test dpdk: the guests use DPDK's virtio crypto PMD (dpdk-test-crypto-perf --ptest verify)
# instead of the kernel's driver (one guest, no kill).
# Exit: 0 pass, 1 fail, 77 skip (QEMU or the guest kernel cannot be installed, or no daemon).
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run_vm=$src/examples/vm-guest/run-vm.sh
mode='' hostd='' workdir='' timeout_s=300 guests=2 kill_mid=1 test=afalg mem_opt=() one_pass=0
while [ $# -gt 0 ]; do
	case $1 in
	--builtin) mode=builtin; shift ;;
	--hostd) mode=hostd; hostd=${2-}; shift 2 ;;
	--workdir) workdir=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--guests) guests=${2:?}; shift 2 ;;
	--no-kill) kill_mid=0; shift ;;
	--test) test=${2:?}; shift 2 ;;
	--mem) mem_opt=(--mem "${2:?}"); shift 2 ;;
	--one-pass) one_pass=1; shift ;;
	*) echo "vm-e2e.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$mode" ] || { echo "usage: vm-e2e.sh --builtin | --hostd BIN [--workdir DIR]" >&2; exit 2; }
[ -n "$workdir" ] || workdir=$(mktemp -d /tmp/vcrypto-e2e.XXXXXX)
mkdir -p "$workdir"
# Only what an earlier run of this script left there.
rm -rf "$workdir"/guest* "$workdir"/hostd.conf "$workdir"/hostd.log "$workdir"/vcrypto.sock
workdir=$(cd "$workdir" && pwd)
say() { echo "vm-e2e.sh: $*"; }

if [ "$mode" = builtin ]; then
	"$run_vm" --builtin --test "$test" --timeout "$timeout_s" --workdir "$workdir/guest1" 2>&1
	exit $?
fi

# --- vcrypto host daemon ------------------------------------------------------------------------
if [ -z "$hostd" ] || [ ! -x "$hostd" ]; then
	say "SKIP: vcrypto-hostd not built (${hostd:-no path given})"
	exit 77
fi
# The image first (this may install packages; a skip here is a real skip).
img_opts=()
if [ "$test" = dpdk ]; then
	img_opts+=(--dpdk)
	guests=1 kill_mid=0
fi
"$src/examples/vm-guest/build-image.sh" "${img_opts[@]}" >/dev/null || exit $?

sock=$workdir/vcrypto.sock
# sun_path holds 108 bytes.
[ ${#sock} -le 100 ] || sock=$(mktemp -u /tmp/vce2e.XXXXXX.sock)
hlog=$workdir/hostd.log
# EAL as everywhere in vcrypto's tests: no hugepages, no PCI, private runtime dir, OpenSSL PMD;
# one lcore (the main thread polls; it sleeps when idle, the machine is shared with TCG).
eal=(-l 0 --no-huge -m 1024 --no-pci --file-prefix "vce2e$$" --vdev crypto_openssl
	--log-level lib.eal:warning)
cat >"$workdir/hostd.conf" <<EOF
# written by vm-e2e.sh
[daemon]
idle_sleep_us = 50
$([ "$one_pass" = 1 ] && echo "stats_interval = 3600")
[engine sw]
device = ${VCRYPTO_E2E_DEVICE:-crypto_openssl}
[port vm]
socket = $sock
${VCRYPTO_E2E_PORT_KEYS:-}
EOF
# VCRYPTO_E2E_DEVICE: the engine's cryptodev (default crypto_openssl, the EAL's vdev; e.g.
# crypto_aesni_mb_e2e makes a crypto_aesni_mb vdev, whose copy mode runs through CPU crypto).
# VCRYPTO_E2E_PORT_KEYS: extra "key = value" lines for the [port vm] section (e.g.
# "session_layout = qemu-7"); VCRYPTO_E2E_HOSTD_ARGS replaces the daemon's own options (after "--") if set.
# shellcheck disable=SC2206
opts=(${VCRYPTO_E2E_HOSTD_ARGS:---config $workdir/hostd.conf})
say "starting $hostd ${eal[*]} -- ${opts[*]}"
# Under timeout(1) too: if this script is SIGKILLed (CTest timeout), the daemon still ends.
# timeout passes SIGTERM on and returns the daemon's own exit status.
timeout -k 10 "$(((guests + 3) * timeout_s + 120))" \
	"$hostd" "${eal[@]}" -- "${opts[@]}" >"$hlog" 2>&1 </dev/null &
hpid=$!
stop_hostd() {
	[ -n "$hpid" ] || return 0
	kill -TERM "$hpid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$hpid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$hpid" 2>/dev/null; then
		say "FAIL: vcrypto-hostd did not exit 10 s after SIGTERM; killing it"
		kill -KILL "$hpid" 2>/dev/null
		wait "$hpid" 2>/dev/null
		hpid=
		return 1
	fi
	wait "$hpid"
	local rc=$?
	hpid=
	say "vcrypto-hostd exited with $rc"
	[ "$rc" = 0 ]
}
trap 'stop_hostd >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM

for _ in $(seq 1 300); do
	[ -S "$sock" ] && break
	if ! kill -0 "$hpid" 2>/dev/null; then
		say "FAIL: vcrypto-hostd exited before creating $sock:"
		sed 's/^/  hostd| /' "$hlog"
		exit 1
	fi
	sleep 0.1
done
[ -S "$sock" ] || { say "FAIL: no socket $sock after 30 s"; sed 's/^/  hostd| /' "$hlog"; exit 1; }

rc=0
alive() {
	kill -0 "$hpid" 2>/dev/null && return 0
	say "FAIL: vcrypto-hostd died ($1)"
	return 1
}
for g in $(seq 1 "$guests"); do
	say "guest $g of $guests"
	if ! "$run_vm" --socket "$sock" --test "$test" --timeout "$timeout_s" "${mem_opt[@]}" \
		--workdir "$workdir/guest$g" 2>&1; then
		rc=1
		break
	fi
	alive "during guest $g" || { rc=1; break; }
done
if [ "$rc" = 0 ] && [ "$kill_mid" = 1 ]; then
	# A guest in a long verified traffic loop; QEMU is killed once the loop is running.
	kd=$workdir/guest-killed
	mkdir -p "$kd"
	say "guest killed mid-traffic"
	"$run_vm" --socket "$sock" --timeout "$timeout_s" --workdir "$kd" --log "$kd/serial.log" \
		--jobs 0 --tput 600 >"$kd/run-vm.out" 2>&1 &
	rpid=$!
	for _ in $(seq 1 "$((timeout_s * 10))"); do
		grep -q 'VCRYPTO-E2E: TRAFFIC' "$kd/serial.log" 2>/dev/null && break
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 3
	qpid=$(pgrep -P "$(pgrep -P "$rpid" -x timeout | head -n1)" 2>/dev/null | head -n1)
	if grep -q 'VCRYPTO-E2E: TRAFFIC' "$kd/serial.log" 2>/dev/null &&
		! grep -q 'VCRYPTO-E2E: \(PASS\|FAIL\)' "$kd/serial.log" && [ -n "$qpid" ]; then
		say "killing QEMU (pid $qpid, SIGKILL) during the guest's traffic loop"
		kill -KILL "$qpid"
	else
		say "FAIL: the guest to be killed did not reach its traffic loop:"
		sed 's/^/  run-vm| /' "$kd/run-vm.out"
		rc=1
	fi
	wait "$rpid"
	alive "after a guest was killed mid-traffic" || rc=1
	if [ "$rc" = 0 ]; then
		guests=$((guests + 1))
		g=$guests
		say "guest $g: after the killed one"
		"$run_vm" --socket "$sock" --timeout "$timeout_s" --workdir "$workdir/guest$g" 2>&1 ||
			rc=1
		alive "during guest $g" || rc=1
	fi
fi
stop_hostd || rc=1
if [ "$one_pass" = 1 ]; then
	# The daemon prints its statistics once more as it stops (stats_interval set).
	st=$(grep '^stats: port=vm ' "$hlog" | tail -n1)
	if [[ $st =~ \ requests=([1-9][0-9]*)\ .*\ general_walks=0$ ]]; then
		say "one-pass walk: all ${BASH_REMATCH[1]} requests"
	else
		say "FAIL: requests took the general walk (or none were made): ${st:-no statistics}"
		rc=1
	fi
fi
if grep -q -E 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$hlog"; then
	say "FAIL: sanitizer report in $hlog"
	rc=1
fi
say "vcrypto-hostd log (last 40 lines of $hlog):"
tail -n 40 "$hlog" | sed 's/^/  hostd| /'
if [ "$rc" = 0 ]; then
	say "PASS ($guests guests passed against vcrypto-hostd$([ "$kill_mid" = 1 ] && echo ", 1 more killed mid-traffic"))"
else
	say "FAIL"
fi
exit "$rc"
