#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Regenerate debian/libvcrypto0.symbols and debian/libvcrypto-guest0.symbols
# from a fresh build of the working tree (run from anywhere; needs cmake,
# dpkg-dev and the build dependencies). Run it when the ABI changes, review
# the diff, and commit it with the change.
#
#   scripts/update-symbols.sh [MIN_VERSION]
#
# MIN_VERSION (default: the upstream version of debian/changelog) is the
# version given to symbols that are not in the current files yet; symbols
# already listed keep theirs; symbols no longer exported are dropped (removing
# a public symbol needs a new SONAME anyway). Private symbols (vcrypto__*, version node
# VCRYPTO_PRIVATE) are tagged (optional): they are not part of the ABI that
# applications see, may disappear in any release, and libvcrypto0, their only
# user, depends on the exact libvcrypto-guest0 version.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=${1:-$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$//')}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake -S . -B "$tmp/build" -DVCRYPTO_BUILD_TESTS=OFF -DVCRYPTO_BUILD_EXAMPLES=OFF \
	-DVCRYPTO_BUILD_DOCS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null

gen() {
	local pkg=$1 lib=$2 out=debian/$1.symbols
	local file old
	file=$(find "$tmp/build/lib" -name "$lib.so.*.*.*" | head -n1)
	old=/dev/null
	if [ -f "$out" ]; then
		cp "$out" "$tmp/$pkg.symbols.old"
		old=$tmp/$pkg.symbols.old
	fi
	# -c0: report, never fail. Symbols gone from the library are dropped.
	dpkg-gensymbols -c0 -q -p"$pkg" -v"$version" -I/dev/null -e"$file" -O"$tmp/$pkg.symbols" >/dev/null
	{
		head -n1 "$tmp/$pkg.symbols"
		echo "* Build-Depends-Package: libvcrypto-dev"
		# Keep the minimal version of symbols the current file lists.
		awk -v old="$old" '
			BEGIN {
				while ((getline l < old) > 0)
					if (l ~ /^ /) {
						n = split(l, f, " ")
						sub(/^\([a-z|=]*\)/, "", f[1])
						ver[f[1]] = f[n]
					}
			}
			NR > 1 && /^ / {
				sym = $1
				sub(/^\([a-z|=]*\)/, "", sym)
				v = (sym in ver) ? ver[sym] : $2
				tag = (sym ~ /^vcrypto__.*@VCRYPTO_PRIVATE$/) ? "(optional)" : ""
				printf " %s%s %s\n", tag, sym, v
			}' "$tmp/$pkg.symbols"
	} >"$out"
	echo "$out: $(grep -c '@' "$out") symbols"
}
gen libvcrypto-guest0 libvcrypto-guest
if [ -f "$tmp/build/lib/libvcrypto.so" ]; then
	gen libvcrypto0 libvcrypto
fi
git --no-pager diff --stat -- debian/*.symbols 2>/dev/null || true
