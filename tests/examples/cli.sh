#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Command-line behaviour of vcrypto-hostd and vcrypto-guest that needs no daemon.
HOSTD=$1 GUEST=$2 CONF=$3
. "$(dirname "$0")/lib.sh"

expect() { # want_rc want_text cmd...
	local want_rc=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		fail "$*: exit $rc, want $want_rc; output: $out"
	elif ! grep -qF -- "$want" <<<"$out"; then
		fail "$*: output lacks '$want': $out"
	else
		ok "$* -> $rc"
	fi
}

expect 0 "Usage:" "$HOSTD" --help
expect 1 "missing '--'" "$HOSTD" --no-huge
expect 1 "nothing to do" "$HOSTD" --
expect 0 "configuration OK: 1 engine(s), 1 poller(s), 2 port(s)" "$HOSTD" -- --config "$CONF" --check
expect 0 "configuration OK: 1 engine(s), 1 poller(s), 2 port(s)" \
	"$HOSTD" -- --device crypto_openssl --socket /tmp/a.sock --socket /tmp/b.sock \
	--port-opt queues=2 --port-opt zero_copy=auto --check
expect 1 "<command line>:5: 'socket' must be an absolute path, got 'rel.sock'" \
	"$HOSTD" -- --device crypto_openssl --socket rel.sock --check
expect 1 "<command line>:6: 'zero_copy' must be off, on or auto, got 'sometimes'" \
	"$HOSTD" -- --device crypto_openssl --socket /tmp/a.sock --port-opt zero_copy=sometimes --check
printf '[engine e]\ndevice = crypto_openssl\n[port p]\nsokcet = /tmp/p.sock\n' >"$T/bad.conf"
expect 1 "$T/bad.conf:4: unknown key 'sokcet' in [port p]" "$HOSTD" -- --config "$T/bad.conf"
printf '[engine e]\ndevice = crypto_openssl\n\n[port p]\nqueues = 2\n' >"$T/bad2.conf"
expect 1 "$T/bad2.conf:4: port 'p': missing 'socket'" "$HOSTD" -- --config "$T/bad2.conf"
expect 1 "cannot open" "$HOSTD" -- --config "$T/missing.conf"
expect 2 "No such file" "$HOSTD" --ctl "$T/none.sock" stats

expect 0 "aes-256-gcm" "$GUEST" algos
expect 2 "Usage:" "$GUEST"
expect 2 "unknown algorithm 'rot13'" "$GUEST" encrypt --socket /x --algo rot13 --key 00
expect 2 "--key must be 16 hex bytes for aes-128-cbc" "$GUEST" encrypt --socket /x --algo aes-128-cbc --key 0011
expect 2 "--key must be 16 hex bytes" "$GUEST" encrypt --socket /x --algo aes-128-cbc --key 000102030405060708090a0b0c0d0eZZ
expect 2 "--iv is required for aes-128-cbc" "$GUEST" encrypt --socket /x --algo aes-128-cbc --key $KEY128
expect 2 "aes-128-ecb takes no IV" "$GUEST" encrypt --socket /x --algo aes-128-ecb --key $KEY128 --iv $IV
expect 2 "--chunk must be at most 65519 for aes-128-gcm" "$GUEST" encrypt --socket /x --algo aes-128-gcm \
	--key $KEY128 --iv 0a0b0c0d0e0f101112131415 --chunk 65536
expect 2 "--depth must be a number in 1..4096" "$GUEST" perf --socket /x --algo aes-128-cbc --depth 0
expect 1 "cannot connect to $T/none.sock" "$GUEST" encrypt --socket "$T/none.sock" --algo aes-128-cbc \
	--key $KEY128 --iv $IV --connect-timeout 0 --in /dev/null --out "$T/o"
[ -e "$T/o" ] && fail "output file left behind after a failed run"
finish
