#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vswitch-embed owns EAL and the cryptodev and polls vcrypto from its own
# loop; a guest runs traffic for 2 s; its counters must move.
GUEST=$2 VSWITCH=$3
. "$(dirname "$0")/lib.sh"
need openssl

SOCK=$T/vs.sock
# shellcheck disable=SC2046
"$VSWITCH" $(eal_args 0) -- --socket "$SOCK" --duration 8 >"$T/vs.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
wait_for_socket "$SOCK" 30 || { cat "$T/vs.log"; fail "no socket"; finish; }

head -c 50000 /dev/urandom >"$T/in"
oracle_enc aes-256-ctr "$T/in" "$T/ref"
guest_crypt encrypt "$SOCK" aes-256-ctr "$T/in" "$T/enc" && cmp -s "$T/enc" "$T/ref" &&
	ok "encryption through the vswitch matches openssl" || fail "encryption through the vswitch"

"$GUEST" perf --socket "$SOCK" --algo aes-128-cbc --size 1024 --depth 16 --duration 2 >"$T/perf" 2>&1 ||
	fail "perf through the vswitch"
cat "$T/perf"
wait_pid "$VPID" 30
rc=$?
cat "$T/vs.log"
[ $rc = 0 ] && ok "vswitch-embed exit 0" || fail "vswitch-embed exit $rc"
grep -Eq 'crypto_req/s=[1-9]' "$T/vs.log" && ok "crypto counters moved" || fail "crypto counters did not move"
grep -Eq 'pkts/s=[1-9]' "$T/vs.log" && ok "the vswitch's own work went on" || fail "no packet work"
finish
