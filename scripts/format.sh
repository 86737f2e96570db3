#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# Format C sources with clang-format (.clang-format at the repository root).
#
#   scripts/format.sh [--check] [FILE...]
#
# Without FILEs: every *.c, *.h and *.h.in file git knows (tracked or new,
# not ignored). --check changes nothing, lists the files that would change
# and exits 1 if there are any.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
if [ $# -eq 0 ]; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' '*.h.in')
else
	files=("$@")
fi

bad=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	if [ "$check" = 1 ]; then
		if ! clang-format --style=file "$f" | cmp -s - "$f"; then
			echo "needs formatting: $f"
			bad=1
		fi
	else
		clang-format --style=file -i "$f"
	fi
done
exit "$bad"
