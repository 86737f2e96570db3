/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Guest-side session set-up shared by the integration tests (Check assertions). */
#ifndef VCRYPTO_TEST_GUEST_SESSION_H
#define VCRYPTO_TEST_GUEST_SESSION_H

#include <stdint.h>

#include <check.h>
#include <vcrypto/guest.h>

/* A cipher session of @algo on @g (asserts that it is created); returns its id. */
static inline uint64_t vc_test_cipher_session(struct vcrypto_guest *g,
					      enum vcrypto_cipher_algo algo,
					      enum vcrypto_direction dir, const uint8_t *key,
					      uint32_t key_len)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	uint64_t id = UINT64_MAX;

	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = dir;
	p.cipher_algo = algo;
	p.cipher_key = key;
	p.cipher_key_len = key_len;
	ck_assert_int_eq(vcrypto_guest_session_create(g, &p, &id), 0);
	return id;
}

#endif /* VCRYPTO_TEST_GUEST_SESSION_H */
