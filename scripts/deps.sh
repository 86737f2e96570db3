# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# The Debian 12 packages vcrypto needs, in one place. Sourced by
# scripts/test.sh and .ci/run (bash). Add a package to the list that needs it.

# Build the libraries and run the unit and integration tests.
VCRYPTO_BUILD_PACKAGES=(
	build-essential # gcc, g++, make, binutils (nm)
	cmake
	pkg-config
	libdpdk-dev # DPDK 22.11 with the crypto_openssl and crypto_aesni_mb PMDs
	libbsd-dev
	check      # unit test framework
	libssl-dev # libcrypto: the tests' reference implementation
)

# End-to-end tests that boot a VM with a virtio-crypto device
# (label "e2e"; they skip when these are missing).
VCRYPTO_VM_TEST_PACKAGES=(
	qemu-system-x86
	linux-image-amd64
	busybox-static
)

# Benchmarks (bench/run.sh): the plots.
VCRYPTO_BENCH_PACKAGES=(
	gnuplot-nox
	python3
)

# Coverage of the libraries by the tests (scripts/coverage.sh).
VCRYPTO_COVERAGE_PACKAGES=(
	lcov
)

# CI only: API docs, Debian packages, fuzzing, static analysis, the ABI check.
VCRYPTO_CI_PACKAGES=(
	doxygen
	debhelper
	dpkg-dev
	clang
	libclang-rt-14-dev # libFuzzer and the sanitizer runtimes for clang
	clang-tidy         # scripts/analyze.sh
	cppcheck           # scripts/analyze.sh
	abigail-tools      # scripts/abi-check.sh (abidw, abidiff)
)

# Print the packages of "$@" that are not installed.
vcrypto_missing_packages()
{
	local p status
	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$status" = installed ] || echo "$p"
	done
}

# Install the packages of "$@" that are missing (as root, with apt-get);
# as another user, only report them. Returns non-zero if some are missing
# and could not be installed.
vcrypto_install_packages()
{
	local missing
	# shellcheck disable=SC2086
	missing=$(vcrypto_missing_packages "$@")
	if [ -z "$missing" ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		# shellcheck disable=SC2086
		echo "missing packages (install them as root):" $missing >&2
		return 1
	fi
	# shellcheck disable=SC2086
	echo "installing:" $missing
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing </dev/null
}
