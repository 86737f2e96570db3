#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# The public ABI of libvcrypto.so and libvcrypto-guest.so against the
# baselines in lib/abi/ (libabigail: abidw writes a library's ABI, abidiff
# compares two). CI's "abi" stage runs it.
#
#   scripts/abi-check.sh                          compare
#   scripts/abi-check.sh --update [--allow-incompatible]
#                                                 write the baselines
#
# Builds the two libraries alone in BUILD_DIR (default build-abi):
# RelWithDebInfo, no link-time optimization and the source tree's path
# mapped to "." in the debug information, so that the same tree gives the
# same baseline wherever it is. A library's ABI is its exported symbols and
# the types of the public headers (include/vcrypto) they reach; the symbols
# of the VCRYPTO_PRIVATE node, which only the two libraries of one release
# share (lib/abi/private.suppr), are left out.
#
# Compare: exit 0 if both libraries match their baselines. Any difference is
# printed (abidiff's report) and exits 1, with what it is:
#   - an addition (functions added): record it with --update, and put new
#     symbols in a new version node of the linker map;
#   - a changed interface (a type or a function's parameters): compatible only
#     if members were appended to a struct that carries its size or an enum
#     gained values; anything else needs a new SONAME (VCRYPTO_SOVERSION in
#     CMakeLists.txt, CHANGELOG.md's promise). abidiff cannot tell these
#     apart: the report says what changed, and review judges it;
#   - a symbol removed (abidiff's "incompatible"): a new SONAME.
# --update writes what differs, after the same report; it refuses a removed
# symbol under the baseline's SONAME unless --allow-incompatible is given
# (for an interface no release has shipped).
#
# Needs abidw and abidiff (Debian: abigail-tools, scripts/deps.sh's
# VCRYPTO_CI_PACKAGES). Exit: 0 match (or updated), 1 differences or a
# refused update, 2 usage or tools missing.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$src/build-abi}
update=0 allow_incompatible=0
for a in "$@"; do
	case $a in
	--update) update=1 ;;
	--allow-incompatible) allow_incompatible=1 ;;
	*)
		echo "usage: scripts/abi-check.sh [--update [--allow-incompatible]]" >&2
		exit 2
		;;
	esac
done
if [ "$allow_incompatible" = 1 ] && [ "$update" = 0 ]; then
	echo "abi-check: --allow-incompatible goes with --update" >&2
	exit 2
fi
for t in abidw abidiff; do
	if ! command -v "$t" >/dev/null; then
		echo "abi-check: $t not found (apt-get install abigail-tools)" >&2
		exit 2
	fi
done

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVCRYPTO_LTO=OFF \
	-DCMAKE_C_FLAGS="-fdebug-prefix-map=$src=." -DVCRYPTO_BUILD_TESTS=OFF \
	-DVCRYPTO_BUILD_EXAMPLES=OFF -DVCRYPTO_BUILD_BENCH=OFF -DVCRYPTO_BUILD_DOCS=OFF >/dev/null
targets=(vcrypto-guest)
if grep -q '^VCRYPTO_BUILD_HOST:BOOL=ON' "$build/CMakeCache.txt"; then
	targets+=(vcrypto)
else
	echo "abi-check: the host library is not built here (no DPDK?); checking the guest library only"
fi
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]}" >/dev/null

abi_dir=$src/lib/abi
soname_of() { sed -n "s/^<abi-corpus .* soname='\([^']*\)'.*/\1/p" "$1"; }
rc=0
for lib in "${targets[@]}"; do
	so=$(find "$build/lib" -maxdepth 1 -name "lib$lib.so.*.*.*" -type f | head -n1)
	if [ -z "$so" ]; then
		echo "abi-check: lib$lib.so not found in $build/lib" >&2
		exit 2
	fi
	base=$abi_dir/lib$lib.abi
	new=$build/lib$lib.abi
	abidw --suppressions "$abi_dir/private.suppr" --headers-dir "$src/include/vcrypto" \
		--drop-private-types --drop-undefined-syms --no-corpus-path --no-comp-dir-path \
		--no-show-locs --out-file "$new" "$so"
	new_so=$(soname_of "$new")
	if [ ! -f "$base" ]; then
		if [ "$update" = 1 ]; then
			cp "$new" "$base"
			echo "abi-check: lib$lib: baseline written ($new_so)"
			continue
		fi
		echo "abi-check: lib$lib: no baseline $base (scripts/abi-check.sh --update)"
		rc=1
		continue
	fi
	base_so=$(soname_of "$base")
	if [ "$base_so" != "$new_so" ]; then
		if [ "$update" = 1 ]; then
			cp "$new" "$base"
			echo "abi-check: lib$lib: new SONAME $new_so, baseline replaced"
			continue
		fi
		echo "abi-check: lib$lib: SONAME $new_so, baseline $base_so:" \
			"a new ABI, record it with --update"
		rc=1
		continue
	fi
	set +e
	report=$(abidiff --no-show-locs "$base" "$new" 2>&1)
	d=$?
	set -e
	if [ $((d & 3)) != 0 ]; then
		echo "abi-check: lib$lib: abidiff failed ($d):" >&2
		echo "$report" >&2
		exit 2
	fi
	if [ "$d" = 0 ]; then
		echo "abi-check: lib$lib: matches its baseline ($base_so)"
		continue
	fi
	echo "$report" | sed "s/^/  lib$lib| /"
	# (abidiff sets bit 8 for removed symbols only; a changed type is bit 4)
	changed=$(echo "$report" |
		awk '/changes summary:/ && match($0, /[0-9]+ Changed/) {
			n += substr($0, RSTART, RLENGTH - 8) } END { print n + 0 }')
	if [ $((d & 8)) != 0 ]; then
		kind="incompatible with its baseline, same SONAME ($base_so)"
		advice="change VCRYPTO_SOVERSION in CMakeLists.txt with it"
	elif [ "$changed" != 0 ]; then
		kind="interface changed from its baseline"
		advice="compatible only if members were appended to a struct that carries its size"
		advice+=" (sz) or an enum gained values; anything else (a member inserted, moved or"
		advice+=" retyped, a parameter changed) needs a new SONAME (VCRYPTO_SOVERSION);"
		advice+=" record a compatible one with --update"
	else
		kind="interface added to its baseline"
		advice="record it with --update, and put new symbols in a new version node of the"
		advice+=" linker map"
	fi
	if [ "$update" = 0 ]; then
		echo "abi-check: lib$lib: $kind: $advice"
		rc=1
	elif [ $((d & 8)) != 0 ] && [ "$allow_incompatible" = 0 ]; then
		echo "abi-check: lib$lib: $kind; not recorded: $advice," \
			"or --allow-incompatible if no release has shipped the interface"
		rc=1
	else
		cp "$new" "$base"
		echo "abi-check: lib$lib: baseline updated ($kind)"
	fi
done
exit "$rc"
