#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vcrypto-hostd + vcrypto-guest: files encrypted through the host match
# `openssl enc` byte for byte (AES-GCM records: an OpenSSL libcrypto oracle),
# and decrypt back; a short perf run works; SIGTERM stops the daemon with exit 0.
export HOSTD=$1 GUEST=$2 GCM_ORACLE=$4 # HOSTD: used by lib.sh
. "$(dirname "$0")/lib.sh"
need openssl

SOCK=$T/vm.sock
# Main-thread polling with a short idle sleep: gentle on a shared 2-core machine.
start_hostd 0 "$T/hostd.log" --device crypto_openssl --socket "$SOCK" --stats-interval 1 \
	--idle-sleep-us 20
if ! wait_for_socket "$SOCK" 30; then
	cat "$T/hostd.log"
	fail "hostd did not create $SOCK"
	finish
fi
SIZES="0 1 15 16 17 4096 65537 200003"
for s in $SIZES; do head -c "$s" /dev/urandom >"$T/in.$s"; done

check_algo() { # algo chunk sizes...
	local algo=$1 chunk=$2 s f before=$FAILS
	shift 2
	for s in "$@"; do
		f=$T/in.$s
		oracle_enc "$algo" "$f" "$T/ref" || { fail "openssl enc $algo"; continue; }
		rm -f "$T/enc" "$T/dec"
		if ! guest_crypt encrypt "$SOCK" "$algo" "$f" "$T/enc" --chunk "$chunk" --timeout 5000; then
			fail "$algo encrypt size $s chunk $chunk: vcrypto-guest failed"
		elif ! cmp -s "$T/enc" "$T/ref"; then
			fail "$algo encrypt size $s chunk $chunk: differs from openssl enc"
		elif ! guest_crypt decrypt "$SOCK" "$algo" "$T/ref" "$T/dec" --chunk "$chunk" --timeout 5000 ||
			! cmp -s "$T/dec" "$f"; then
			fail "$algo decrypt size $s chunk $chunk: not the original"
		fi
	done
	[ $FAILS = "$before" ] && ok "$algo, requests of $chunk bytes, sizes $*: same as openssl enc, decrypt back"
}

# shellcheck disable=SC2086
{
	check_algo aes-128-cbc 65536 $SIZES
	check_algo aes-128-cbc 4096 $SIZES # IV chained across many requests
	check_algo aes-256-ctr 65536 $SIZES
	check_algo aes-256-ctr 4096 $SIZES # counter carried across requests
	check_algo aes-192-cbc 65536 17 65537
	check_algo aes-256-cbc 65536 17 65537
	check_algo aes-128-ctr 65536 17 65537
	check_algo aes-192-ctr 65536 17 65537
	check_algo des-ede3-cbc 65536 17 65537
}

# crypto_openssl (DPDK 22.11) has no AES-ECB: the session is refused cleanly.
rm -f "$T/enc"
if guest_crypt encrypt "$SOCK" aes-128-ecb "$T/in.16" "$T/enc" 2>"$T/err"; then
	oracle_enc aes-128-ecb "$T/in.16" "$T/ref"
	cmp -s "$T/enc" "$T/ref" && ok "aes-128-ecb matches openssl enc" || fail "aes-128-ecb differs"
elif grep -q "not supported" "$T/err" && [ ! -e "$T/enc" ]; then
	ok "aes-128-ecb refused by crypto_openssl: $(cat "$T/err")"
else
	fail "aes-128-ecb: $(cat "$T/err")"
fi

# Pipes: standard input and output.
f=$T/in.200003
oracle_enc aes-128-cbc "$f" "$T/ref"
if "$GUEST" encrypt --socket "$SOCK" --algo aes-128-cbc --key $KEY128 --iv $IV <"$f" | cmp -s - "$T/ref"; then
	ok "stdin/stdout pipe matches openssl enc"
else
	fail "stdin/stdout pipe"
fi

# A wrong key fails the padding check (fixed input, so deterministic), like openssl.
printf 'attack at dawn, attack at dawn!!' >"$T/fixed"
oracle_enc aes-128-cbc "$T/fixed" "$T/ref"
rm -f "$T/dec"
if openssl enc -d -aes-128-cbc -K 0f0e0d0c0b0a09080706050403020100 -iv $IV -in "$T/ref" \
	-out /dev/null 2>/dev/null; then
	echo "(openssl accepts the wrong key by chance; skipping that check)"
elif "$GUEST" decrypt --socket "$SOCK" --algo aes-128-cbc --key 0f0e0d0c0b0a09080706050403020100 \
	--iv $IV --in "$T/ref" --out "$T/dec" 2>"$T/err"; then
	fail "wrong key: decrypt succeeded"
elif grep -q "bad decrypt" "$T/err" && [ ! -e "$T/dec" ]; then
	ok "wrong key: bad decrypt, no output file left"
else
	fail "wrong key: unexpected error: $(cat "$T/err")"
fi

# Short perf run.
if "$GUEST" perf --socket "$SOCK" --algo aes-128-cbc --size 4096 --depth 16 --duration 2 \
	>"$T/perf" 2>&1; then
	cat "$T/perf"
	grep -q "failed=0 notconn=0" "$T/perf" && ok "perf run" || fail "perf output"
else
	cat "$T/perf"
	fail "perf run failed"
fi

# AES-GCM records against the libcrypto oracle, tamper and truncation detection.
gcm_case() { # algo file chunk
	local algo=$1 f=$2 chunk=$3
	"$GCM_ORACLE" encrypt "$(key_for "$algo")" "$(iv_for "$algo")" "$chunk" <"$f" >"$T/ref" ||
		fail "gcm oracle"
	rm -f "$T/enc" "$T/dec"
	if ! guest_crypt encrypt "$SOCK" "$algo" "$f" "$T/enc" --chunk "$chunk" --timeout 5000; then
		fail "$algo ${f##*/} records of $chunk: encrypt failed"
	elif ! cmp -s "$T/enc" "$T/ref"; then
		fail "$algo ${f##*/} records of $chunk: differs from libcrypto"
	elif ! guest_crypt decrypt "$SOCK" "$algo" "$T/ref" "$T/dec" --chunk "$chunk" --timeout 5000 ||
		! cmp -s "$T/dec" "$f"; then
		fail "$algo ${f##*/} records of $chunk: decrypt"
	else
		ok "$algo ${f##*/} records of $chunk: same as libcrypto, decrypts back"
	fi
}
for algo in aes-128-gcm aes-256-gcm; do
	gcm_case $algo "$T/in.0" 32768
	gcm_case $algo "$T/in.17" 32768
	gcm_case $algo "$T/in.4096" 32768
	gcm_case $algo "$T/in.200003" 4096
	"$GCM_ORACLE" encrypt "$(key_for $algo)" "$(iv_for $algo)" 4096 <"$T/in.65537" >"$T/ref"
	cp "$T/ref" "$T/tampered"
	# Flip bits of byte 100 (writing a fixed value left a random ciphertext unchanged 1 time in 256).
	b=$(od -An -tu1 -j100 -N1 "$T/tampered" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0x55)))" | dd of="$T/tampered" bs=1 seek=100 conv=notrunc 2>/dev/null
	cmp -s "$T/ref" "$T/tampered" && fail "$algo: tampering left the input unchanged"
	if guest_crypt decrypt "$SOCK" "$algo" "$T/tampered" "$T/dec" --chunk 4096 --timeout 5000 2>"$T/err"; then
		fail "$algo: tampered input decrypted"
	elif grep -q "authentication failed" "$T/err"; then
		ok "$algo: tampered input rejected (authentication failed)"
	else
		fail "$algo: tampered input: unexpected error $(cat "$T/err")"
	fi
	head -c $((4096 + 16)) "$T/ref" >"$T/truncated" # first record only: its AAD says "not last"
	if guest_crypt decrypt "$SOCK" "$algo" "$T/truncated" "$T/dec" --chunk 4096 --timeout 5000 2>"$T/err"; then
		fail "$algo: truncated input decrypted"
	elif grep -q "authentication failed" "$T/err"; then
		ok "$algo: truncated input rejected (authentication failed)"
	else
		fail "$algo: truncated input: unexpected error $(cat "$T/err")"
	fi
done
# Larger AEAD records: the default (32 KiB) and the largest multiple of 16 allowed.
gcm_case aes-128-gcm "$T/in.65537" 32768
gcm_case aes-256-gcm "$T/in.200003" 65504

grep -q "^stats: port=port0 state=" "$T/hostd.log" && ok "periodic stats lines" ||
	fail "no stats lines"
stop_hostd
rc=$?
[ $rc = 0 ] && ok "hostd exit 0 after SIGTERM" || { fail "hostd exit $rc after SIGTERM"; tail -20 "$T/hostd.log"; }
[ -e "$SOCK" ] && fail "socket left behind"
finish
