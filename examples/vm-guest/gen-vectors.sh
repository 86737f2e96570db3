#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# gen-vectors.sh OUTDIR [--seed HEX]
#
# Writes AES-CBC known answers for guest-afalg-test into OUTDIR, computed on the host by
# OpenSSL's command line tool (the independent oracle): OUTDIR/manifest has one line per vector
#   <id> <key hex> <iv hex> <length> <piece sizes, comma separated>
# and OUTDIR/<id>.pt, OUTDIR/<id>.ct hold plaintext and ciphertext; OUTDIR/cperf-aes*.data
# hold known answers for dpdk-test-crypto-perf --ptest verify (DPDK guest). Keys, IVs and plaintexts are
# fresh random bytes on every run (openssl rand), unless --seed is given: then they are derived
# from the seed (SHA-256 in counter mode), so a failing run can be repeated exactly.
# shellcheck disable=SC2154 # key and iv are set by rand_hex (printf -v)
set -euo pipefail

usage() { echo "usage: $0 OUTDIR [--seed HEX]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
seed=
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
command -v openssl >/dev/null || { echo "gen-vectors.sh: openssl not found (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out"/manifest "$out"/*.pt "$out"/*.ct "$out"/*.data

# rand_bytes N FILE: N random bytes (or seed-derived: sha256(seed || label || counter) ...)
ctr=0
rand_bytes() {
	local n=$1 f=$2
	if [ -z "$seed" ]; then
		openssl rand -out "$f" "$n"
	else
		ctr=$((ctr + 1))
		# AES-256-CTR keystream keyed by sha256(seed:ctr): deterministic, any length.
		local k
		k=$(printf '%s:%d' "$seed" "$ctr" | openssl dgst -sha256 -r | cut -c1-64)
		head -c "$n" /dev/zero |
			openssl enc -aes-256-ctr -K "$k" -iv 00000000000000000000000000000000 -out "$f"
	fi
}
# rand_hex N VAR: VAR=N random bytes in hex (no subshell: the counter must advance)
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT
rand_hex() {
	rand_bytes "$1" "$tmp"
	printf -v "$2" '%s' "$(od -An -v -tx1 "$tmp" | tr -d ' \n')"
}

# id length pieces: one block; block multiples around page boundaries; odd multi-page sizes;
# up to 64 KiB. Pieces are split at unaligned offsets. Key sizes rotate 128/192/256.
# (Linux's driver turns n scatterlist entries into n(n+1)/2 descriptors; 64 KiB with 16
# pages is about 275: well inside a 1024-entry queue. Much larger requests are not portable.)
vectors=(
	"v01 16 16"
	"v02 16 1,15"
	"v03 32 16,16"
	"v04 48 5,40,3"
	"v05 64 64"
	"v06 256 100,156"
	"v07 1024 1024"
	"v08 2176 2176"
	"v09 4080 4080"
	"v10 4096 4096"
	"v11 4112 7,4000,105"
	"v12 8192 4096,4096"
	"v13 12336 3000,3000,3000,3336"
	"v14 20000 1,19998,1"
	"v15 32768 32768"
	"v16 40960 10000,10000,10000,10000,960"
	"v17 65520 65520"
	"v18 65536 1,4095,4096,57344"
	"v19 65536 65536"
)
keylens=(16 24 32)
i=0
for v in "${vectors[@]}"; do
	read -r id len pieces <<<"$v"
	klen=${keylens[$((i % 3))]}
	rand_hex "$klen" key
	rand_hex 16 iv
	rand_bytes "$len" "$out/$id.pt"
	case $klen in 16) c=aes-128-cbc ;; 24) c=aes-192-cbc ;; 32) c=aes-256-cbc ;; esac
	openssl enc -"$c" -nopad -K "$key" -iv "$iv" -in "$out/$id.pt" -out "$out/$id.ct"
	[ "$(stat -c %s "$out/$id.ct")" = "$len" ] || { echo "gen-vectors.sh: $id: bad ciphertext length" >&2; exit 1; }
	echo "$id $key $iv $len $pieces" >>"$out/manifest"
	i=$((i + 1))
done
# The same kind of known answer in dpdk-test-crypto-perf's test file format, for the DPDK guest
# (build-image.sh --dpdk): cperf-aes<bits>-<size>.data; in verify mode the vector's length must
# equal --buffer-sz.
cperf_bytes() { # FILE -> "0x.., 0x..," lines of 16
	od -An -v -tx1 "$1" | awk '{ s = ""; for (i = 1; i <= NF; i++) s = s (i > 1 ? ", " : "") "0x" $i; lines[n++] = s }
		END { for (i = 0; i < n; i++) print lines[i] (i < n - 1 ? "," : "") }'
}
for spec in 128-64 128-2048 256-1024 256-2048; do
	bits=${spec%-*} size=${spec#*-}
	rand_hex $((bits / 8)) key
	rand_hex 16 iv
	rand_bytes "$size" "$tmp.pt"
	openssl enc -aes-"$bits"-cbc -nopad -K "$key" -iv "$iv" -in "$tmp.pt" -out "$tmp.ct"
	printf '%s' "$key" | xxd -r -p >"$tmp.key"
	printf '%s' "$iv" | xxd -r -p >"$tmp.iv"
	{
		echo "# AES-$bits-CBC known answer computed by OpenSSL (gen-vectors.sh)"
		echo "plaintext ="; cperf_bytes "$tmp.pt"; echo
		echo "ciphertext ="; cperf_bytes "$tmp.ct"; echo
		echo "cipher_key ="; cperf_bytes "$tmp.key"; echo
		echo "cipher_iv ="; cperf_bytes "$tmp.iv"; echo
		echo "[vcrypto]"
		echo "cipher_iv ="; cperf_bytes "$tmp.iv"
	} >"$out/cperf-aes$spec.data"
	rm -f "$tmp".pt "$tmp".ct "$tmp".key "$tmp".iv
done

echo "gen-vectors.sh: $i vectors in $out (${seed:+seed }${seed:-random})" >&2
