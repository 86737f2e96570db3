/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Shared by the guest-side benchmarks (vhost_bench.c, path_cost.c): the session of a case. */
#ifndef VCRYPTO_BENCH_GUEST_H
#define VCRYPTO_BENCH_GUEST_H

#include <vcrypto/crypto.h>
#include <vcrypto/host.h>

#include "bench_common.h"

/*
 * Engine flags for a benchmark engine: @flags, plus
 * VCRYPTO_ENGINE_F_NO_CPU_CRYPTO when VCRYPTO_BENCH_NO_CPU_CRYPTO is set
 * (to measure the queue-pair path on a device that has CPU crypto).
 */
static inline uint32_t bench_engine_flags(uint32_t flags)
{
	const char *e = getenv("VCRYPTO_BENCH_NO_CPU_CRYPTO");

	return e && *e && strcmp(e, "0") ? flags | VCRYPTO_ENGINE_F_NO_CPU_CRYPTO : flags;
}

/* Session parameters of benchmark algorithm @algo (encrypt direction). */
static inline struct vcrypto_session_params bench_session_params(int algo)
{
	struct vcrypto_session_params sp = {.sz = sizeof(sp)};

	sp.direction = VCRYPTO_ENCRYPT;
	sp.cipher_key = bench_key;
	sp.cipher_key_len = BENCH_CIPHER_KEY_LEN(algo);
	if (algo == BENCH_AES_GCM) {
		sp.type = VCRYPTO_SESSION_AEAD;
		sp.aead_algo = VCRYPTO_AEAD_AES_GCM;
		sp.digest_len = 16;
	} else {
		sp.type = algo == BENCH_AES_CBC ? VCRYPTO_SESSION_CIPHER : VCRYPTO_SESSION_CHAIN;
		sp.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
		if (algo == BENCH_AES_CBC_SHA1) {
			sp.mac_algo = VCRYPTO_MAC_HMAC_SHA1;
			sp.auth_key = bench_auth_key;
			sp.auth_key_len = BENCH_AUTH_KEY_LEN;
			sp.digest_len = 20;
			sp.chain_order = VCRYPTO_CHAIN_CIPHER_THEN_HASH;
		}
	}
	return sp;
}

#endif /* VCRYPTO_BENCH_GUEST_H */
