#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vcrypto-hostd's control socket: add-port, stats, remove-port, errors.
HOSTD=$1 GUEST=$2
. "$(dirname "$0")/lib.sh"
need openssl

CTL=$T/ctl.sock
ctl() { "$HOSTD" --ctl "$CTL" "$@"; }

start_hostd 0-1 "$T/hostd.log" --device crypto_openssl --control "$CTL"
wait_for_socket "$CTL" 30 || { cat "$T/hostd.log"; fail "no control socket"; finish; }

out=$(ctl add-port c1 socket="$T/c1.sock" queues=1 zero_copy=off)
[ $? = 0 ] && [ "$out" = ok ] && ok "add-port c1" || fail "add-port c1: $out"
[ -S "$T/c1.sock" ] && ok "c1 socket exists" || fail "c1 socket missing"

out=$(ctl add-port c1 socket="$T/c1b.sock")
[ $? = 1 ] && [ "$out" = "error: port 'c1' exists" ] && ok "duplicate name refused" || fail "duplicate: $out"
out=$(ctl add-port c2 socket="$T/c1.sock")
[ $? = 1 ] && [ "$out" = "error: socket '$T/c1.sock' is used by port 'c1'" ] && ok "duplicate socket refused" || fail "dup socket: $out"
out=$(ctl add-port c3 socket="$T/c3.sock" colour=red)
[ $? = 1 ] && [ "$out" = "error: unknown key 'colour'" ] && ok "unknown key refused" || fail "unknown key: $out"
out=$(ctl add-port c3 socket="$T/c3.sock" queues=99)
[ $? = 1 ] && [ "$out" = "error: 'queues' must be between 1 and 64, got '99'" ] && ok "bad value refused" || fail "bad value: $out"
out=$(ctl add-port c3)
[ $? = 1 ] && [ "$out" = "error: port 'c3': missing 'socket'" ] && ok "missing socket refused" || fail "missing socket: $out"
out=$(ctl frobnicate)
[ $? = 1 ] && [ "$out" = "error: unknown command 'frobnicate' (try help)" ] && ok "unknown command" || fail "unknown command: $out"

head -c 100000 /dev/urandom >"$T/in"
oracle_enc aes-128-cbc "$T/in" "$T/ref"
guest_crypt encrypt "$T/c1.sock" aes-128-cbc "$T/in" "$T/enc" && cmp -s "$T/enc" "$T/ref" &&
	ok "traffic through a port added at run time matches openssl" || fail "traffic through c1"

out=$(ctl stats c1)
echo "$out"
line1=$(head -1 <<<"$out")
if [ "$(tail -1 <<<"$out")" = ok ] && grep -q '"name":"c1"' <<<"$line1" &&
	grep -Eq '"requests":[1-9][0-9]*' <<<"$line1" && grep -q '"state":"' <<<"$line1"; then
	ok "stats c1 counts the requests"
else
	fail "stats c1: $out"
fi
out=$(ctl set-limits c1 rate_ops=1000 rate_bytes=10M weight=2)
[ "$out" = ok ] && ok "set-limits c1" || fail "set-limits c1: $out"
out=$(ctl stats c1)
line1=$(head -1 <<<"$out")
grep -q '"rate_ops":1000,"rate_bytes":10485760,"burst_ops":100,"burst_bytes":1048576,' <<<"$line1" &&
	grep -q '"weight":2,' <<<"$line1" && ok "stats show the new limits" || fail "limits: $out"
guest_crypt encrypt "$T/c1.sock" aes-128-cbc "$T/in" "$T/enc" && cmp -s "$T/enc" "$T/ref" &&
	ok "traffic under a limit matches openssl" || fail "traffic under a limit"
out=$(ctl set-limits c1 weight=0)
[ $? = 1 ] && [ "$out" = "error: 'weight' must be between 1 and 1000, got '0'" ] &&
	ok "bad limit refused" || fail "bad limit: $out"
out=$(ctl set-limits nope rate_ops=1)
[ $? = 1 ] && [ "$out" = "error: no port 'nope'" ] && ok "set-limits of unknown port" ||
	fail "set-limits nope: $out"
out=$(ctl set-limits c1 rate_ops=0)
[ "$out" = ok ] && ok "limit removed" || fail "set-limits rate_ops=0: $out"
out=$(ctl stats nope)
[ $? = 1 ] && [ "$out" = "error: no port 'nope'" ] && ok "stats of unknown port" || fail "stats nope: $out"
out=$(ctl pollers)
grep -q '"name":"default.poller"' <<<"$out" && ok "pollers" || fail "pollers: $out"

out=$(ctl remove-port c1)
[ "$out" = ok ] && ok "remove-port c1" || fail "remove-port: $out"
[ -e "$T/c1.sock" ] && fail "c1 socket still there after remove-port"
"$GUEST" encrypt --socket "$T/c1.sock" --algo aes-128-cbc --key $KEY128 --iv $IV --in "$T/in" \
	--out "$T/enc" --connect-timeout 0 2>/dev/null && fail "connected to a removed port" ||
	ok "removed port refuses guests"
out=$(ctl remove-port c1)
[ $? = 1 ] && [ "$out" = "error: no port 'c1'" ] && ok "remove twice refused" || fail "remove twice: $out"

out=$(ctl add-port c1 socket="$T/c1.sock")
[ "$out" = ok ] && guest_crypt encrypt "$T/c1.sock" aes-128-cbc "$T/in" "$T/enc" &&
	cmp -s "$T/enc" "$T/ref" && ok "port re-added under the same name works" || fail "re-add: $out"

out=$(ctl add-port p2 socket="$T/p2.sock" perms=0640)
mode=$(stat -c %a "$T/p2.sock" 2>/dev/null)
[ "$out" = ok ] && [ "$mode" = 640 ] && ok "perms=0640 gives a socket with mode $mode" ||
	fail "perms: $out, mode $mode"

# The shutdown command stops the daemon like SIGTERM.
out=$(ctl shutdown)
[ "$out" = ok ] && ok "shutdown accepted" || fail "shutdown: $out"
wait_pid "$HOSTD_PID" 30
rc=$?
[ $rc = 0 ] && ok "hostd exit 0 after the shutdown command" || fail "hostd exit $rc after shutdown"
grep -q "vcrypto-hostd: 2 port(s) closed" "$T/hostd.log" && ok "both ports closed" || fail "ports not closed"
[ -e "$CTL" ] && fail "control socket left behind"
[ -e "$T/c1.sock" ] || [ -e "$T/p2.sock" ] && fail "port socket left behind"
finish
