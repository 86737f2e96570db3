# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Helpers for the example programs' tests. Source it; set HOSTD, GUEST, VSWITCH.

set -u
T=$(mktemp -d /tmp/vcex.XXXXXX)
PIDS=()
FAILS=0

cleanup() {
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$T" /var/run/dpdk/vcex$$-* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/vcex$$-* 2>/dev/null
	true
}
trap cleanup EXIT

say() { echo "### $*"; }
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
ok() { echo "ok: $*"; }

need() {
	command -v "$1" >/dev/null || { echo "SKIP: $1 not installed"; exit 77; }
}

# EAL arguments for this machine kind (no hugepages, no PCI). Note: DPDK 22.11
# refuses --in-memory together with --no-huge ("--legacy-mem is not compatible
# with --in-memory"), so each run gets its own --file-prefix, removed on exit.
eal_args() { # $1: lcore list
	echo "--no-huge -m 256 --no-pci --file-prefix vcex$$-$RANDOM -l $1 --log-level=lib.eal:warning"
}

wait_for_socket() { # path timeout_s
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_pid PID TIMEOUT_S: exit status of PID, or 124 if it did not end in time.
wait_pid() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			return $?
		fi
		sleep 0.1
	done
	return 124
}

# start_hostd LCORES LOG ARGS... ; sets HOSTD_PID
start_hostd() {
	local lcores=$1 log=$2
	shift 2
	# shellcheck disable=SC2046
	"$HOSTD" $(eal_args "$lcores") --vdev crypto_openssl -- "$@" >"$log" 2>&1 &
	HOSTD_PID=$!
	PIDS+=("$HOSTD_PID")
}

stop_hostd() { # LOG ; returns hostd's exit status
	kill -TERM "$HOSTD_PID" 2>/dev/null
	wait_pid "$HOSTD_PID" 30
	local rc=$?
	if [ $rc = 124 ]; then
		echo "hostd did not exit within 30 s after SIGTERM"
		kill -KILL "$HOSTD_PID"
	fi
	return $rc
}

KEY128=000102030405060708090a0b0c0d0e0f
KEY192=000102030405060708090a0b0c0d0e0f1011121314151617
KEY256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
IV=f0e0d0c0b0a090807060504030201000

key_for() { # algo
	case $1 in
	aes-128-*) echo $KEY128 ;;
	aes-192-* | des-ede3-*) echo $KEY192 ;;
	*) echo $KEY256 ;;
	esac
}

iv_for() {
	case $1 in
	*-ecb) echo "" ;;
	des-ede3-cbc) echo f0e0d0c0b0a09080 ;;
	*-gcm) echo 0a0b0c0d0e0f101112131415 ;;
	*) echo $IV ;;
	esac
}

# openssl enc as the independent oracle.
oracle_enc() { # algo in out
	local iv
	iv=$(iv_for "$1")
	openssl enc -"$1" -K "$(key_for "$1")" ${iv:+-iv "$iv"} -in "$2" -out "$3"
}

guest_crypt() { # encrypt|decrypt socket algo in out [extra]
	local op=$1 sock=$2 algo=$3 in=$4 out=$5 iv
	shift 5
	iv=$(iv_for "$algo")
	"$GUEST" "$op" --socket "$sock" --algo "$algo" --key "$(key_for "$algo")" \
		${iv:+--iv "$iv"} --in "$in" --out "$out" "$@"
}

make_inputs() { # dir ; files named by size
	local s
	for s in 0 1 15 16 17 4095 4096 65535 65536 65537 200003; do
		head -c "$s" /dev/urandom >"$1/in.$s"
	done
}

finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
