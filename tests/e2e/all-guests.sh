#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# all-guests.sh --hostd BIN --guest BIN [--workdir DIR] [--timeout S]
#
# One vcrypto-hostd (crypto_openssl, three ports) serves all three guest kinds at once:
#   vm     a Linux VM, kernel virtio_crypto driver through AF_ALG (run-vm.sh --test afalg)
#   dpdk   a VM running DPDK 22.11's virtio crypto PMD (run-vm.sh --test dpdk)
#   ctr    a container guest (vcrypto-guest, libvcrypto-guest): files encrypted and decrypted
#          (AES-128-CBC, AES-256-CTR) and compared with `openssl enc`, then perf runs that keep
#          traffic going until both VMs are done.
# All must pass. Then, with the container's last perf run still submitting, the daemon gets
# SIGTERM: it must exit 0 within 15 s; the container guest must account for every request
# (completed OK or -ENOTCONN, exit 3, failed=0, requests = ok + notconn) and not hang; the daemon
# log must hold no sanitizer report (ASan/UBSan builds).
# Exit: 0 pass, 1 fail, 77 skip (QEMU or the guest kernel cannot be installed, or no daemon).
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run_vm=$src/examples/vm-guest/run-vm.sh
hostd='' guest='' workdir='' timeout_s=150
while [ $# -gt 0 ]; do
	case $1 in
	--hostd) hostd=${2-}; shift 2 ;;
	--guest) guest=${2-}; shift 2 ;;
	--workdir) workdir=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	*) echo "all-guests.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
say() { echo "all-guests.sh: $(date +%T) $*"; }
for b in "$hostd" "$guest"; do
	if [ -z "$b" ] || [ ! -x "$b" ]; then
		say "SKIP: vcrypto-hostd or vcrypto-guest not built (${b:-no path given})"
		exit 77
	fi
done
command -v openssl >/dev/null || { say "SKIP: openssl not installed"; exit 77; }
[ -n "$workdir" ] || workdir=$(mktemp -d /tmp/vcrypto-allg.XXXXXX)
mkdir -p "$workdir"
# Only what an earlier run of this script left there.
rm -rf "$workdir"/vm "$workdir"/dpdk "$workdir"/ctr "$workdir"/*.sock "$workdir"/hostd.*
workdir=$(cd "$workdir" && pwd)
t0=$SECONDS

# Both images first (this may install packages; a skip here is a real skip).
"$src/examples/vm-guest/build-image.sh" >/dev/null || exit $?
"$src/examples/vm-guest/build-image.sh" --dpdk >/dev/null || exit $?

sockdir=$workdir
# sun_path holds 108 bytes.
[ ${#workdir} -le 90 ] || sockdir=$(mktemp -d /tmp/vcallg.XXXXXX)
hlog=$workdir/hostd.log
prefix="vcallg$$"
eal=(-l 0 --no-huge -m 1024 --no-pci --file-prefix "$prefix" --vdev crypto_openssl
	--log-level lib.eal:warning)
cat >"$workdir/hostd.conf" <<EOF
# written by all-guests.sh
[daemon]
idle_sleep_us = 50
[engine sw]
device = crypto_openssl
[port vm]
socket = $sockdir/vm.sock
[port dpdk]
socket = $sockdir/dpdk.sock
[port ctr]
socket = $sockdir/ctr.sock
EOF
say "starting $hostd ${eal[*]} -- --config $workdir/hostd.conf"
# Under timeout(1) too: if this script is SIGKILLed (CTest timeout), the daemon still ends.
timeout -k 10 "$((timeout_s * 2 + 120))" \
	"$hostd" "${eal[@]}" -- --config "$workdir/hostd.conf" >"$hlog" 2>&1 </dev/null &
hpid=$!
pids=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in "${pids[@]}" $hpid; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$prefix"
	[ "$sockdir" = "$workdir" ] || rm -rf "$sockdir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for _ in $(seq 1 300); do
	[ -S "$sockdir/ctr.sock" ] && break
	kill -0 "$hpid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$sockdir/ctr.sock" ]; then
	say "FAIL: vcrypto-hostd did not create its sockets:"
	sed 's/^/  hostd| /' "$hlog"
	exit 1
fi

rc=0
# --- the two VMs, at once -----------------------------------------------------------------------
"$run_vm" --socket "$sockdir/vm.sock" --test afalg --timeout "$timeout_s" --workdir "$workdir/vm" \
	>"$workdir/vm.out" 2>&1 &
vmpid=$!
pids+=("$vmpid")
"$run_vm" --socket "$sockdir/dpdk.sock" --test dpdk --timeout "$timeout_s" \
	--workdir "$workdir/dpdk" >"$workdir/dpdk.out" 2>&1 &
dpid=$!
pids+=("$dpid")

# --- the container guest, while the VMs boot and run ---------------------------------------------
c=$workdir/ctr
mkdir -p "$c"
head -c 1000003 /dev/urandom >"$c/plain"
key128=$(openssl rand -hex 16) key256=$(openssl rand -hex 32) iv=$(openssl rand -hex 16)
ctr_check() { # algo key chunk
	local a=$1 k=$2 ch=$3
	if ! "$guest" encrypt --socket "$sockdir/ctr.sock" --algo "$a" --key "$k" --iv "$iv" \
		--chunk "$ch" --in "$c/plain" --out "$c/enc-$a" 2>"$c/err-$a"; then
		say "FAIL: container guest: $a encrypt: $(cat "$c/err-$a")"
		return 1
	fi
	if ! openssl enc "-$a" -K "$k" -iv "$iv" -in "$c/plain" | cmp -s - "$c/enc-$a"; then
		say "FAIL: container guest: $a ciphertext differs from openssl enc"
		return 1
	fi
	if ! "$guest" decrypt --socket "$sockdir/ctr.sock" --algo "$a" --key "$k" --iv "$iv" \
		--chunk "$ch" --in "$c/enc-$a" --out "$c/back-$a" 2>"$c/err-$a" ||
		! cmp -s "$c/plain" "$c/back-$a"; then
		say "FAIL: container guest: $a decrypt did not give the plaintext back $(cat "$c/err-$a")"
		return 1
	fi
	say "container guest: $a (chunk $ch) matches openssl enc, decrypts back"
}
ctr_check aes-128-cbc "$key128" 65536 || rc=1
ctr_check aes-256-ctr "$key256" 4000 || rc=1

# perf runs keep traffic going while both VMs work (each run connects anew).
perf_runs=0 perf_bad=0
while kill -0 "$vmpid" 2>/dev/null || kill -0 "$dpid" 2>/dev/null; do
	perf_runs=$((perf_runs + 1))
	if ! "$guest" perf --socket "$sockdir/ctr.sock" --algo aes-128-cbc --size 4096 --depth 8 \
		--duration 5 --stall-timeout 20 >"$c/perf$perf_runs.out" 2>&1; then
		say "FAIL: container perf run $perf_runs:"
		sed 's/^/  perf| /' "$c/perf$perf_runs.out"
		perf_bad=$((perf_bad + 1))
		rc=1
		break
	fi
	sleep 1
done
say "container guest: $perf_runs perf runs during the VM tests, $perf_bad failed;" \
	"last: $(grep 'ops/s,' "$c/perf$perf_runs.out")"

wait "$vmpid"
vrc=$?
wait "$dpid"
drc=$?
pids=()
for k in vm dpdk; do
	grep 'VCRYPTO-E2E:' "$workdir/$k.out" | sed "s/^/  $k| /" | tail -n 8
done
if [ "$vrc" = 77 ] || [ "$drc" = 77 ]; then
	say "SKIP: run-vm.sh could not run QEMU ($vrc, $drc)"
	exit 77
fi
if [ "$vrc" = 0 ]; then
	say "Linux VM guest (AF_ALG) passed"
else
	say "FAIL: Linux VM guest (AF_ALG) exit $vrc"
	tail -n 30 "$workdir/vm.out"
	rc=1
fi
if [ "$drc" = 0 ]; then
	say "DPDK VM guest (virtio PMD) passed"
else
	say "FAIL: DPDK VM guest exit $drc"
	tail -n 30 "$workdir/dpdk.out"
	rc=1
fi
kill -0 "$hpid" 2>/dev/null || { say "FAIL: vcrypto-hostd died during the guests"; rc=1; }

# --- SIGTERM with traffic in flight ------------------------------------------------------------
"$guest" perf --socket "$sockdir/ctr.sock" --algo aes-256-cbc --size 2048 --depth 64 \
	--duration 120 --stall-timeout 20 --progress >"$c/perf-final.out" 2>&1 &
gpid=$!
pids+=("$gpid")
for _ in $(seq 1 100); do # until it has completed requests (a progress line) and still runs
	grep -q '^perf: [0-9]* s ' "$c/perf-final.out" && break
	sleep 0.1
done
if ! kill -0 "$gpid" 2>/dev/null || ! grep -q '^perf: [0-9]* s ' "$c/perf-final.out"; then
	say "FAIL: the final perf run is not running:"
	sed 's/^/  perf| /' "$c/perf-final.out"
	rc=1
fi
say "SIGTERM to vcrypto-hostd (pid $hpid) with the container guest's perf run submitting"
ts=$(date +%s%N)
kill -TERM "$hpid"
hrc=124
for _ in $(seq 1 150); do
	if ! kill -0 "$hpid" 2>/dev/null; then
		wait "$hpid"
		hrc=$?
		break
	fi
	sleep 0.1
done
ms=$((($(date +%s%N) - ts) / 1000000))
if [ "$hrc" = 124 ]; then
	say "FAIL: vcrypto-hostd still running 15 s after SIGTERM; killing it"
	kill -KILL "$hpid" 2>/dev/null
	rc=1
elif [ "$hrc" != 0 ]; then
	say "FAIL: vcrypto-hostd exited with $hrc after SIGTERM"
	rc=1
else
	say "vcrypto-hostd exited 0, $ms ms after SIGTERM"
fi
hpid=
grc=124
for _ in $(seq 1 300); do
	if ! kill -0 "$gpid" 2>/dev/null; then
		wait "$gpid"
		grc=$?
		break
	fi
	sleep 0.1
done
pids=()
grep -v '^perf: [0-9]* s ' "$c/perf-final.out" | sed 's/^/  perf| /'
sum=$(grep -E '^perf: requests=' "$c/perf-final.out")
if [ "$grc" = 124 ]; then
	say "FAIL: the container guest hung after the daemon stopped"
	rc=1
elif [ "$grc" != 3 ]; then
	say "FAIL: the container guest exited $grc (want 3: host disconnected, all accounted for)"
	rc=1
elif ! [[ $sum =~ requests=([0-9]+)\ ok=([0-9]+)\ failed=([0-9]+)\ notconn=([0-9]+) ]]; then
	say "FAIL: no perf summary"
	rc=1
else
	n=${BASH_REMATCH[1]} okn=${BASH_REMATCH[2]} fl=${BASH_REMATCH[3]} nc=${BASH_REMATCH[4]}
	if [ "$fl" != 0 ] || [ "$n" != $((okn + nc)) ] || [ "$okn" = 0 ]; then
		say "FAIL: container guest accounting: requests=$n ok=$okn failed=$fl notconn=$nc"
		rc=1
	else
		say "container guest: every request accounted for: $n = $okn ok + $nc -ENOTCONN"
	fi
fi

if grep -q -E 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$hlog"; then
	say "FAIL: sanitizer report in $hlog"
	grep -E -A20 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$hlog" | head -n 60
	rc=1
fi
say "vcrypto-hostd log (last 25 lines of $hlog):"
tail -n 25 "$hlog" | sed 's/^/  hostd| /'
if [ "$rc" = 0 ]; then
	say "PASS: AF_ALG VM + DPDK VM + container guest on one daemon," \
		"clean SIGTERM under traffic ($((SECONDS - t0)) s)"
else
	say "FAIL ($((SECONDS - t0)) s)"
fi
exit "$rc"
