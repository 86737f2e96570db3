/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Test oracle: reference results computed with OpenSSL libcrypto, for
 * checking what vcrypto's guest and host produce. Test-only code.
 * All functions return 0 on success, -1 if OpenSSL refused.
 */
#ifndef VCRYPTO_TEST_ORACLE_H
#define VCRYPTO_TEST_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include <vcrypto/crypto.h>

/* Cipher (no padding): AES-ECB/CBC/CTR/XTS, DES-CBC, 3DES-ECB/CBC. */
int oracle_cipher(enum vcrypto_cipher_algo algo, enum vcrypto_direction dir, const void *key,
		  size_t key_len, const void *iv, const void *in, size_t len, void *out);

/* Plain hash; writes the full digest, returns its length (or -1). */
int oracle_hash(enum vcrypto_hash_algo algo, const void *in, size_t len, void *digest);

/* HMAC-* and AES-CMAC; writes the full MAC, returns its length (or -1). */
int oracle_mac(enum vcrypto_mac_algo algo, const void *key, size_t key_len, const void *in,
	       size_t len, void *mac);

/*
 * AEAD (AES-GCM, AES-CCM, ChaCha20-Poly1305). Encrypt: out = ciphertext
 * followed by the tag (len + tag_len bytes). Decrypt: in = ciphertext + tag
 * (len + tag_len bytes), out = plaintext; returns 1 if the tag does not verify.
 */
int oracle_aead(enum vcrypto_aead_algo algo, enum vcrypto_direction dir, const void *key,
		size_t key_len, const void *iv, size_t iv_len, const void *aad, size_t aad_len,
		const void *in, size_t len, size_t tag_len, void *out);

/* Parse a hex string into buf (at most cap bytes); returns the byte count or -1. */
int oracle_hex(const char *hex, uint8_t *buf, size_t cap);

#endif /* VCRYPTO_TEST_ORACLE_H */
