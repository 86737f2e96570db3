#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# build-image.sh [--kernel-version V] [--cache DIR] [--force] [--dpdk]
#
# Builds the vcrypto e2e guest from Debian packages only: the kernel of linux-image-amd64 and
# an initramfs (gzip'd cpio) with busybox (busybox-static), the virtio-pci, virtio_crypto and
# AF_ALG kernel modules of that kernel (dependencies resolved by modprobe --show-depends from
# its modules.dep), the static test program guest-afalg-test (gcc -static, glibc from
# libc6-dev) and guest-init.sh as /init. The AES known answers are not in this image: run-vm.sh
# appends them per run as a second cpio archive.
#
# --dpdk adds a second guest test (vc_test=dpdk on the kernel command line): DPDK 22.11's
# dpdk-test-crypto-perf from the host's Debian package (dpdk-dev) with the shared libraries it
# and the PMDs it needs (bus_pci, bus_vdev, mempool_ring, crypto_virtio) load (found with ldd),
# the uio_pci_generic module and guest-dpdk-run.sh as /dpdk/run.sh.
#
# The result is cached in $VCRYPTO_VM_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/vcrypto/vm)
# under a directory named after the kernel version and a hash of every input; it holds
# vmlinuz and initrd.cpio.gz. Prints that directory on stdout (the last line).
#
# Missing packages are installed with apt-get when running as root; otherwise the exact command
# is printed and the script exits with 77.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kver=
force=0
dpdk=0
cache=${VCRYPTO_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vcrypto/vm}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-version) kver=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--force) force=1; shift ;;
	--dpdk) dpdk=1; shift ;;
	-h|--help) sed -n '4,20p' "$0"; exit 0 ;;
	*) echo "build-image.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
log() { echo "build-image.sh: $*" >&2; }

# --- packages ---------------------------------------------------------------------------------
need_pkgs=()
dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null | grep -q 'ok installed' ||
	need_pkgs+=(linux-image-amd64)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
	need_pkgs+=(busybox-static)
extra=(cpio gzip kmod gcc libc6-dev openssl)
[ "$dpdk" = 1 ] && extra+=(dpdk-dev)
for p in "${extra[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	cmd="apt-get install -y --no-install-recommends ${need_pkgs[*]}"
	if [ "$(id -u)" = 0 ]; then
		log "installing: ${need_pkgs[*]}"
		if ! DEBIAN_FRONTEND=noninteractive $cmd >&2; then
			log "SKIP: could not install ${need_pkgs[*]}"
			exit 77
		fi
	else
		log "SKIP: missing packages; run as root: $cmd"
		exit 77
	fi
fi

# --- kernel -----------------------------------------------------------------------------------
if [ -z "$kver" ]; then
	# The version linux-image-amd64 points at (Depends: linux-image-6.1.0-NN-amd64 (= ...)).
	kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 |
		sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')
fi
vmlinuz=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
if [ -z "$kver" ] || [ ! -r "$vmlinuz" ] || [ ! -d "$moddir" ]; then
	log "SKIP: kernel '$kver' not complete (need $vmlinuz and $moddir)"
	exit 77
fi
busybox=/bin/busybox
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' &&
	ldd "$busybox" >/dev/null 2>&1; then
	log "$busybox is not static (the busybox package replaced busybox-static?)"
	exit 1
fi

# Modules in load order, dependencies first (modprobe reads $moddir/modules.dep).
modules=(virtio_pci virtio_crypto af_alg algif_skcipher algif_hash)
mapfile -t kos < <(for m in "${modules[@]}"; do
	modprobe --set-version "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++')
[ ${#kos[@]} -ge ${#modules[@]} ] || { log "could not resolve modules for $kver"; exit 1; }
dpdk_kos=() dpdk_files=()
if [ "$dpdk" = 1 ]; then
	mapfile -t dpdk_kos < <(modprobe --set-version "$kver" --show-depends uio_pci_generic |
		awk '$1 == "insmod" { print $2 }')
	cperf=$(command -v dpdk-test-crypto-perf)
	pmddir=$(pkg-config --variable=pmdsdir libdpdk 2>/dev/null || true)
	[ -n "$pmddir" ] || pmddir=$(ls -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-* | tail -n1)
	pmds=()
	for p in bus_pci bus_vdev mempool_ring crypto_virtio; do
		pmds+=("$pmddir/librte_$p.so")
	done
	# The program, the PMDs (EAL loads every .so in its plugin directory, so only these go in)
	# and every library they need, at the same paths as on the host.
	mapfile -t dpdk_files < <( {
		printf '%s\n' "$cperf" "${pmds[@]}"
		for f in "$cperf" "${pmds[@]}"; do
			ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
		done
	} | awk '!seen[$0]++')
fi

# --- cache key --------------------------------------------------------------------------------
inputs=(
	"$here/build-image.sh" "$here/guest-init.sh" "$here/guest-afalg-test.c"
	"$vmlinuz" "$busybox" "${kos[@]}"
)
[ "$dpdk" = 1 ] && inputs+=("$here/guest-dpdk-run.sh" "${dpdk_kos[@]}" "${dpdk_files[@]}")
key=$( {
	echo "$kver"
	sha256sum "${inputs[@]}" | awk '{ print $1 }'
	gcc --version | head -n1
	dpkg-query -W -f='${Version}\n' libc6-dev
} | sha256sum | cut -c1-16)
out=$cache/$kver-$key
[ "$dpdk" = 1 ] && out=$cache/$kver-dpdk-$key
if [ "$force" = 0 ] && [ -s "$out/initrd.cpio.gz" ] && [ -s "$out/vmlinuz" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

# --- build ------------------------------------------------------------------------------------
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.build.XXXXXX")
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,usr/lib/modules,usr/lib64,vectors}
# Merged /usr as on the host: a library reached as /lib/... and as /usr/lib/... is one file.
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
cp "$busybox" "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 0755 "$root/init"
: >"$root/lib/modules/load-order"
for ko in "${kos[@]}"; do
	cp "$ko" "$root/lib/modules/"
	basename "$ko" >>"$root/lib/modules/load-order"
done
if [ "$dpdk" = 1 ]; then
	: >"$root/lib/modules/load-order-dpdk"
	for ko in "${dpdk_kos[@]}"; do
		cp "$ko" "$root/lib/modules/"
		basename "$ko" >>"$root/lib/modules/load-order-dpdk"
	done
	# Symbolic links are kept as links (EAL loads librte_x.so and librte_x.so.23 from its
	# plugin directory: as copies they would register each driver twice).
	for f in "${dpdk_files[@]}"; do
		while [ -L "$f" ]; do
			mkdir -p "$root$(dirname "$f")"
			cp -P "$f" "$root$f"
			t=$(readlink "$f")
			case $t in /*) f=$t ;; *) f=$(realpath -s -m "$(dirname "$f")/$t") ;; esac
		done
		mkdir -p "$root$(dirname "$f")"
		cp "$f" "$root$f"
	done
	# The dynamic loader is found by its absolute path; /lib64 is a symlink on the host.
	mkdir -p "$root/usr/bin" "$root/dpdk"
	cp "$here/guest-dpdk-run.sh" "$root/dpdk/run.sh"
	chmod 0755 "$root/dpdk/run.sh"
fi
gcc -static -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes \
	-o "$root/guest-afalg-test" "$here/guest-afalg-test.c"
strip "$root/guest-afalg-test"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0 --reproducible) | gzip -9n >"$tmp/initrd.cpio.gz"
cp "$vmlinuz" "$tmp/vmlinuz"
printf '%s\n' "kernel $kver" "modules ${kos[*]}" "key $key" >"$tmp/manifest.txt"
rm -rf "$root"
# Publish with one rename, so concurrent users (parallel test runs share the cache) never see a
# half-written image. If another build of the same key won the race, keep its copy.
[ "$force" = 1 ] && rm -rf "$out"
if mv -T "$tmp" "$out" 2>/dev/null; then
	trap - EXIT
	log "built $out ($(du -h "$out/initrd.cpio.gz" | cut -f1) initramfs, kernel $kver)"
else
	log "built, but $out appeared meanwhile: using that one"
fi
echo "$out"
