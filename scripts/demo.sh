#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The vcrypto demo, from a fresh Debian 12 machine:
#   1. installs the build dependencies (when root; otherwise prints the apt-get line),
#   2. builds vcrypto into build-demo/,
#   3. starts vcrypto-hostd sharing a crypto_openssl cryptodev on a vhost-user socket,
#   4. a "container" (vcrypto-guest, no DPDK) encrypts a generated file through the
#      host and decrypts it back; the result is checked against `openssl enc`,
#   5. a short performance run,
#   6. stops the daemon with SIGTERM and waits for it.
# Exits 0 only if everything matched. Leaves nothing behind but build-demo/.
#
#   scripts/demo.sh            (BUILD_DIR=..., DEMO_SIZE=bytes, DEMO_PERF_SECONDS=n)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-demo}
SIZE=${DEMO_SIZE:-1048579}
PERF_SECONDS=${DEMO_PERF_SECONDS:-3}
PKGS=(build-essential cmake pkg-config libdpdk-dev dpdk-dev libbsd-dev libssl-dev openssl check)
KEY=000102030405060708090a0b0c0d0e0f
IV=f0e0d0c0b0a090807060504030201000
PREFIX=vcdemo$$
TMP=
HOSTD_PID=

step() { printf '\n==> %s\n' "$*"; }
die() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

cleanup() {
	if [ -n "$HOSTD_PID" ] && kill -0 "$HOSTD_PID" 2>/dev/null; then
		kill -TERM "$HOSTD_PID" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$HOSTD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$HOSTD_PID" 2>/dev/null || true
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	rm -rf "/var/run/dpdk/$PREFIX" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$PREFIX" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. dependencies ----
step "Checking build dependencies"
if [ -f "$ROOT/scripts/deps.sh" ]; then
	# shellcheck source=deps.sh
	. "$ROOT/scripts/deps.sh"
	PKGS=("${VCRYPTO_BUILD_PACKAGES[@]}" openssl)
fi
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "all present: ${PKGS[*]}"
elif [ "$(id -u)" != 0 ]; then
	echo "Missing packages. Install them as root, then run this script again:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
elif declare -F vcrypto_install_packages >/dev/null; then
	vcrypto_install_packages "${missing[@]}" || die "apt-get install"
else
	echo "installing: ${missing[*]}"
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" || die "apt-get install"
fi

# ---- 2. build ----
step "Building into $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVCRYPTO_BUILD_TESTS=OFF \
	-DVCRYPTO_BUILD_EXAMPLES=ON >"$BUILD.cmake.log" 2>&1 ||
	{ cat "$BUILD.cmake.log"; die "cmake configure"; }
rm -f "$BUILD.cmake.log"
cmake --build "$BUILD" -j2 --target vcrypto-hostd vcrypto-guest-cli >/dev/null ||
	die "build (run: cmake --build $BUILD)"
HOSTD=$BUILD/examples/hostd/vcrypto-hostd
GUEST=$BUILD/examples/container-guest/vcrypto-guest
echo "built $HOSTD and $GUEST"

TMP=$(mktemp -d /tmp/vcrypto-demo.XXXXXX)
SOCK=$TMP/demo.sock

# ---- 3. the daemon ----
step "Starting vcrypto-hostd (crypto_openssl, socket $SOCK)"
LCORES=0
[ "$(nproc)" -ge 2 ] && LCORES=0-1 # one worker lcore for the poller
EAL=(--no-huge -m 512 --no-pci --file-prefix "$PREFIX" -l "$LCORES" --vdev crypto_openssl
	--log-level=lib.eal:warning)
echo "$HOSTD ${EAL[*]} -- --device crypto_openssl --socket $SOCK --stats-interval 1"
"$HOSTD" "${EAL[@]}" -- --device crypto_openssl --socket "$SOCK" --stats-interval 1 \
	>"$TMP/hostd.log" 2>&1 &
HOSTD_PID=$!
for _ in $(seq 300); do
	[ -S "$SOCK" ] && break
	kill -0 "$HOSTD_PID" 2>/dev/null || { cat "$TMP/hostd.log"; die "vcrypto-hostd exited"; }
	sleep 0.1
done
[ -S "$SOCK" ] || { cat "$TMP/hostd.log"; die "no socket after 30 s"; }
grep "^vcrypto-hostd:" "$TMP/hostd.log" | sed 's/^/  /'

# ---- 4. the container side ----
step "Encrypting a $SIZE-byte file through the host (AES-128-CBC)"
head -c "$SIZE" /dev/urandom >"$TMP/plain"
"$GUEST" encrypt --socket "$SOCK" --algo aes-128-cbc --key $KEY --iv $IV \
	--in "$TMP/plain" --out "$TMP/enc.vcrypto" || die "vcrypto-guest encrypt"
openssl enc -aes-128-cbc -K $KEY -iv $IV -in "$TMP/plain" -out "$TMP/enc.openssl"
if cmp -s "$TMP/enc.vcrypto" "$TMP/enc.openssl"; then
	echo "  ciphertext identical to 'openssl enc -aes-128-cbc' ($(stat -c %s "$TMP/enc.vcrypto") bytes)"
else
	die "ciphertext differs from openssl enc"
fi
step "Decrypting openssl's ciphertext through the host"
"$GUEST" decrypt --socket "$SOCK" --algo aes-128-cbc --key $KEY --iv $IV \
	--in "$TMP/enc.openssl" --out "$TMP/dec" || die "vcrypto-guest decrypt"
cmp -s "$TMP/dec" "$TMP/plain" || die "decrypted file differs from the original"
echo "  decrypted file identical to the original"

step "AES-256-CTR, streamed through a pipe"
KEY256=${KEY}${KEY}
head -c 300001 /dev/urandom >"$TMP/plain2"
"$GUEST" encrypt --socket "$SOCK" --algo aes-256-ctr --key "$KEY256" --iv $IV <"$TMP/plain2" \
	| cmp -s - <(openssl enc -aes-256-ctr -K "$KEY256" -iv $IV -in "$TMP/plain2") ||
	die "AES-256-CTR differs from openssl enc"
echo "  identical to 'openssl enc -aes-256-ctr'"

# ---- 5. performance ----
step "Performance: ${PERF_SECONDS} s of 4 KiB AES-128-CBC requests, 32 in flight"
"$GUEST" perf --socket "$SOCK" --algo aes-128-cbc --size 4096 --depth 32 \
	--duration "$PERF_SECONDS" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || die "perf run"
grep "^stats:" "$TMP/hostd.log" | tail -1 | sed 's/^/  host: /'

# ---- 6. stop ----
step "Stopping vcrypto-hostd (SIGTERM)"
kill -TERM "$HOSTD_PID"
rc=0
wait "$HOSTD_PID" || rc=$?
HOSTD_PID=
grep -E "^vcrypto-hostd: .*(closed|exit)" "$TMP/hostd.log" | sed 's/^/  /'
[ "$rc" = 0 ] || die "vcrypto-hostd exited with $rc"
[ -e "$SOCK" ] && die "socket left behind"

printf '\ndemo: OK (encrypt, decrypt and CTR matched openssl enc; daemon stopped cleanly)\n'
