/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Test oracle (OpenSSL libcrypto) for vcrypto-guest's AES-GCM file format:
 * the input is cut into records of CHUNK bytes; record i is sealed with
 * nonce = IV whose last 4 bytes are XORed with i (big endian), AAD = one byte,
 * 1 for the last record and 0 otherwise; each record is ciphertext || 16-byte
 * tag. An empty input is one empty last record.
 *
 *   gcm_records encrypt|decrypt KEYHEX IVHEX CHUNK < in > out
 */

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex(const char *s, unsigned char *out, size_t want)
{
	if (strlen(s) != 2 * want)
		return -1;
	for (size_t i = 0; i < want; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char key[32], iv[12], nonce[12], tag[16], aad;
	size_t klen, chunk, want, n;
	unsigned char *in, *out;
	int enc, len, peek;
	unsigned long rec = 0;
	int last = 0;

	if (argc != 5)
		return fprintf(stderr, "usage: gcm_records encrypt|decrypt KEY IV CHUNK\n"), 2;
	enc = !strcmp(argv[1], "encrypt");
	klen = strlen(argv[2]) / 2;
	chunk = strtoul(argv[4], NULL, 0);
	if ((klen != 16 && klen != 32) || hex(argv[2], key, klen) || hex(argv[3], iv, 12) || !chunk)
		return fprintf(stderr, "gcm_records: bad arguments\n"), 2;
	want = chunk + (enc ? 0 : 16);
	in = malloc(want + 16);
	out = malloc(want + 16);
	if (!in || !out) {
		free(in);
		free(out);
		return 1;
	}
	peek = getchar();
	while (!last) {
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		const EVP_CIPHER *c = klen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();

		n = 0;
		if (peek != EOF) {
			in[n++] = (unsigned char)peek;
			n += fread(in + n, 1, want - n, stdin);
		}
		peek = n == want ? getchar() : EOF;
		last = peek == EOF;
		memcpy(nonce, iv, 12);
		for (int i = 0; i < 4; i++)
			nonce[8 + i] ^= (unsigned char)(rec >> (24 - 8 * i));
		aad = (unsigned char)last;
		if (!enc && n < 16)
			return fprintf(stderr, "gcm_records: truncated record\n"), 1;
		if (!EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) ||
		    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
		    !EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) ||
		    !EVP_CipherUpdate(ctx, NULL, &len, &aad, 1))
			return 1;
		if (enc) {
			if (!EVP_CipherUpdate(ctx, out, &len, in, (int)n) ||
			    !EVP_CipherFinal_ex(ctx, out + len, &len) ||
			    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag))
				return 1;
			fwrite(out, 1, n, stdout);
			fwrite(tag, 1, 16, stdout);
		} else {
			memcpy(tag, in + n - 16, 16);
			if (!EVP_CipherUpdate(ctx, out, &len, in, (int)n - 16) ||
			    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) ||
			    EVP_CipherFinal_ex(ctx, out + len, &len) <= 0)
				return fprintf(stderr, "gcm_records: tag mismatch in record %lu\n",
					       rec),
				       1;
			fwrite(out, 1, n - 16, stdout);
		}
		EVP_CIPHER_CTX_free(ctx);
		rec++;
	}
	free(in);
	free(out);
	return fflush(stdout) ? 1 : 0;
}
