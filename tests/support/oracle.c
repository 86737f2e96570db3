/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "oracle.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/params.h>

static const EVP_CIPHER *cipher_of(enum vcrypto_cipher_algo algo, size_t key_len)
{
	switch (algo) {
	case VCRYPTO_CIPHER_AES_ECB:
		return key_len == 16 ? EVP_aes_128_ecb() :
		       key_len == 24 ? EVP_aes_192_ecb() :
		       key_len == 32 ? EVP_aes_256_ecb() :
				       NULL;
	case VCRYPTO_CIPHER_AES_CBC:
		return key_len == 16 ? EVP_aes_128_cbc() :
		       key_len == 24 ? EVP_aes_192_cbc() :
		       key_len == 32 ? EVP_aes_256_cbc() :
				       NULL;
	case VCRYPTO_CIPHER_AES_CTR:
		return key_len == 16 ? EVP_aes_128_ctr() :
		       key_len == 24 ? EVP_aes_192_ctr() :
		       key_len == 32 ? EVP_aes_256_ctr() :
				       NULL;
	case VCRYPTO_CIPHER_AES_XTS:
		return key_len == 32 ? EVP_aes_128_xts() : key_len == 64 ? EVP_aes_256_xts() : NULL;
	case VCRYPTO_CIPHER_DES_CBC:
		return EVP_des_cbc();
	case VCRYPTO_CIPHER_3DES_ECB:
		return key_len == 16 ? EVP_des_ede_ecb() : EVP_des_ede3_ecb();
	case VCRYPTO_CIPHER_3DES_CBC:
		return key_len == 16 ? EVP_des_ede_cbc() : EVP_des_ede3_cbc();
	default:
		return NULL;
	}
}

/*
 * DPDK 22.11's crypto_openssl PMD loads OpenSSL's default provider when a
 * device is probed and unloads it when the device is removed: after the last
 * crypto_openssl device of a test is gone, every EVP call in the process
 * fails. Hold a reference of our own for the oracle's lifetime, in a
 * global (LeakSanitizer counts what a global points to as reachable).
 */
static OSSL_PROVIDER *held_provider;

__attribute__((constructor)) static void oracle_hold_default_provider(void)
{
	held_provider = OSSL_PROVIDER_load(NULL, "default");
}

int oracle_cipher(enum vcrypto_cipher_algo algo, enum vcrypto_direction dir, const void *key,
		  size_t key_len, const void *iv, const void *in, size_t len, void *out)
{
	const EVP_CIPHER *c = cipher_of(algo, key_len);
	EVP_CIPHER_CTX *ctx;
	int ok, n1 = 0, n2 = 0;

	if (!c || !(ctx = EVP_CIPHER_CTX_new()))
		return -1;
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, dir == VCRYPTO_ENCRYPT) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_CipherUpdate(ctx, out, &n1, in, (int)len) &&
	     EVP_CipherFinal_ex(ctx, (unsigned char *)out + n1, &n2);
	EVP_CIPHER_CTX_free(ctx);
	return ok && n1 >= 0 && n2 >= 0 && (size_t)n1 + (size_t)n2 == len ? 0 : -1;
}

static const EVP_MD *md_of(enum vcrypto_hash_algo a)
{
	switch (a) {
	case VCRYPTO_HASH_MD5:
		return EVP_md5();
	case VCRYPTO_HASH_SHA1:
		return EVP_sha1();
	case VCRYPTO_HASH_SHA_224:
		return EVP_sha224();
	case VCRYPTO_HASH_SHA_256:
		return EVP_sha256();
	case VCRYPTO_HASH_SHA_384:
		return EVP_sha384();
	case VCRYPTO_HASH_SHA_512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int oracle_hash(enum vcrypto_hash_algo algo, const void *in, size_t len, void *digest)
{
	const EVP_MD *md = md_of(algo);
	unsigned int n = 0;

	if (!md || !EVP_Digest(in, len, digest, &n, md, NULL))
		return -1;
	return (int)n;
}

int oracle_mac(enum vcrypto_mac_algo algo, const void *key, size_t key_len, const void *in,
	       size_t len, void *mac)
{
	EVP_MAC *m;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	size_t out = 0;
	int ok;

	if (algo == VCRYPTO_MAC_CMAC_AES) {
		const char *name = key_len == 16 ? "AES-128-CBC" :
				   key_len == 24 ? "AES-192-CBC" :
						   "AES-256-CBC";

		m = EVP_MAC_fetch(NULL, "CMAC", NULL);
		params[0] =
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)name, 0);
	} else {
		const char *d;

		switch (algo) {
		case VCRYPTO_MAC_HMAC_MD5:
			d = "MD5";
			break;
		case VCRYPTO_MAC_HMAC_SHA1:
			d = "SHA1";
			break;
		case VCRYPTO_MAC_HMAC_SHA_224:
			d = "SHA224";
			break;
		case VCRYPTO_MAC_HMAC_SHA_256:
			d = "SHA256";
			break;
		case VCRYPTO_MAC_HMAC_SHA_384:
			d = "SHA384";
			break;
		case VCRYPTO_MAC_HMAC_SHA_512:
			d = "SHA512";
			break;
		default:
			return -1;
		}
		m = EVP_MAC_fetch(NULL, "HMAC", NULL);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)d, 0);
	}
	params[1] = OSSL_PARAM_construct_end();
	if (!m)
		return -1;
	ctx = EVP_MAC_CTX_new(m);
	ok = ctx && EVP_MAC_init(ctx, key, key_len, params) && EVP_MAC_update(ctx, in, len) &&
	     EVP_MAC_final(ctx, mac, &out, 64);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return ok ? (int)out : -1;
}

int oracle_aead(enum vcrypto_aead_algo algo, enum vcrypto_direction dir, const void *key,
		size_t key_len, const void *iv, size_t iv_len, const void *aad, size_t aad_len,
		const void *in, size_t len, size_t tag_len, void *out)
{
	const EVP_CIPHER *c = NULL;
	int enc = dir == VCRYPTO_ENCRYPT, ccm = algo == VCRYPTO_AEAD_AES_CCM, n = 0, ok, ret = -1;
	EVP_CIPHER_CTX *ctx;

	switch (algo) {
	case VCRYPTO_AEAD_AES_GCM:
		c = key_len == 16 ? EVP_aes_128_gcm() :
		    key_len == 24 ? EVP_aes_192_gcm() :
				    EVP_aes_256_gcm();
		break;
	case VCRYPTO_AEAD_AES_CCM:
		c = key_len == 16 ? EVP_aes_128_ccm() :
		    key_len == 24 ? EVP_aes_192_ccm() :
				    EVP_aes_256_ccm();
		break;
	case VCRYPTO_AEAD_CHACHA20_POLY1305:
		c = EVP_chacha20_poly1305();
		break;
	default:
		return -1;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL);
	if (ok && ccm)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
					 enc ? NULL : (void *)((const uint8_t *)in + len));
	else if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
					 (void *)((const uint8_t *)in + len));
	ok = ok && EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc);
	if (ok && ccm)
		ok = EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)len);
	if (ok && aad_len)
		ok = EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len);
	if (!ok)
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len)) {
		ret = enc ? -1 : 1; /* CCM verifies in Update */
		goto out;
	}
	if (!ccm && !EVP_CipherFinal_ex(ctx, (uint8_t *)out + n, &n)) {
		ret = enc ? -1 : 1;
		goto out;
	}
	if (enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, (uint8_t *)out + len))
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int oracle_hex(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned int v;
		char t[3] = {hex[0], hex[1], 0};

		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		if (n >= cap || sscanf(t, "%2x", &v) != 1)
			return -1;
		buf[n++] = (uint8_t)v;
		hex += 2;
	}
	return (int)n;
}
