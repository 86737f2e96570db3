/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Writes the generated seed corpora of the fuzz targets:
 *  - session_msg: real CREATE_SESSION payloads made by the guest library's
 *    encoder, for every session kind in every layout that expresses it, and
 *    session parameter records for the from_params mode;
 *  - walk: guest memory images with descriptor chains laid out as Linux
 *    6.1's virtio_crypto driver does (indirect, scatterlists walked to their
 *    end: R72 R16 R3 R5 R8 R5 R8 R8 W3 W5 W8 W5 W8 W8 W1), as DPDK 22.11's
 *    virtio crypto PMD does (indirect, one descriptor per part), as a direct
 *    chain, split across two regions, and a few broken chains.
 * Usage: fuzz_gen_seeds CORPUS_DIR (the directories must exist).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/session_msg.h"
#include "common/virtio_crypto_wire.h"
#include "host/walk.h"

static const char *g_dir;

static void write_seed(const char *target, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", g_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* ---- session_msg ---- */

static void session_seeds(void)
{
	static const uint8_t key[64] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
					0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
					0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
					0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
	static const uint8_t akey[64] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
					 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
					 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
	const struct {
		const char *name;
		struct vcrypto_session_params p;
	} s[] = {
		{"aes128cbc-enc",
		 {.type = VCRYPTO_SESSION_CIPHER,
		  .direction = VCRYPTO_ENCRYPT,
		  .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
		  .cipher_key_len = 16}},
		{"aes256xts-dec",
		 {.type = VCRYPTO_SESSION_CIPHER,
		  .direction = VCRYPTO_DECRYPT,
		  .cipher_algo = VCRYPTO_CIPHER_AES_XTS,
		  .cipher_key_len = 64}},
		{"3descbc-enc",
		 {.type = VCRYPTO_SESSION_CIPHER,
		  .direction = VCRYPTO_ENCRYPT,
		  .cipher_algo = VCRYPTO_CIPHER_3DES_CBC,
		  .cipher_key_len = 24}},
		/* What DPDK's virtio crypto PMD asks for: AES-CBC + HMAC-SHA1. */
		{"chain-aescbc-hmacsha1-enc",
		 {.type = VCRYPTO_SESSION_CHAIN,
		  .direction = VCRYPTO_ENCRYPT,
		  .cipher_algo = VCRYPTO_CIPHER_AES_CBC,
		  .cipher_key_len = 16,
		  .mac_algo = VCRYPTO_MAC_HMAC_SHA1,
		  .auth_key_len = 20,
		  .digest_len = 12}},
		{"chain-aesctr-sha256-dec",
		 {.type = VCRYPTO_SESSION_CHAIN,
		  .direction = VCRYPTO_DECRYPT,
		  .cipher_algo = VCRYPTO_CIPHER_AES_CTR,
		  .cipher_key_len = 32,
		  .hash_algo = VCRYPTO_HASH_SHA_256,
		  .aad_len = 8}},
		{"hash-sha512", {.type = VCRYPTO_SESSION_HASH, .hash_algo = VCRYPTO_HASH_SHA_512}},
		{"mac-hmacsha256",
		 {.type = VCRYPTO_SESSION_MAC,
		  .mac_algo = VCRYPTO_MAC_HMAC_SHA_256,
		  .auth_key_len = 64}},
		{"mac-cmac",
		 {.type = VCRYPTO_SESSION_MAC,
		  .mac_algo = VCRYPTO_MAC_CMAC_AES,
		  .auth_key_len = 16}},
		{"aead-gcm-enc",
		 {.type = VCRYPTO_SESSION_AEAD,
		  .direction = VCRYPTO_ENCRYPT,
		  .aead_algo = VCRYPTO_AEAD_AES_GCM,
		  .cipher_key_len = 16,
		  .aad_len = 16}},
		{"aead-ccm-dec",
		 {.type = VCRYPTO_SESSION_AEAD,
		  .direction = VCRYPTO_DECRYPT,
		  .aead_algo = VCRYPTO_AEAD_AES_CCM,
		  .cipher_key_len = 24,
		  .digest_len = 8}},
		{"aead-chacha-enc",
		 {.type = VCRYPTO_SESSION_AEAD,
		  .direction = VCRYPTO_ENCRYPT,
		  .aead_algo = VCRYPTO_AEAD_CHACHA20_POLY1305,
		  .cipher_key_len = 32}},
	};
	static const char *const lname[] = {"default", "dpdk2211", "qemu7", "qemu8"};
	uint8_t buf[1 + VC_SESSION_PAYLOAD_MAX];
	char name[128];

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct vcrypto_session_params p = s[i].p;
		struct vc_session_desc d;
		uint8_t rec[64];
		size_t n = 0;

		p.sz = sizeof(p);
		p.cipher_key = p.cipher_key_len ? key : NULL;
		p.auth_key = p.auth_key_len ? akey : NULL;
		if (vcrypto__session_from_params(&p, &d)) {
			fprintf(stderr, "seed %s refused\n", s[i].name);
			exit(1);
		}
		for (int l = 1; l <= 3; l++) {
			int len = vcrypto__session_encode((enum vcrypto_session_layout)l, &d,
							  buf + 1, sizeof(buf) - 1);

			if (len < 0)
				continue;
			buf[0] = (uint8_t)l;
			snprintf(name, sizeof(name), "%s-%s", lname[l], s[i].name);
			write_seed("session_msg", name, buf, (size_t)len + 1);
			/* The same payload for layout detection. */
			buf[0] = 0;
			snprintf(name, sizeof(name), "%s-%s-detect", lname[l], s[i].name);
			write_seed("session_msg", name, buf, (size_t)len + 1);
		}
		/* The from_params record (see fuzz_session_msg.c). */
		rec[n++] = 0x80;
		rec[n++] = (uint8_t)p.type;
		rec[n++] = (uint8_t)p.direction;
		rec[n++] = (uint8_t)p.cipher_algo;
		rec[n++] = (uint8_t)p.hash_algo;
		rec[n++] = (uint8_t)p.mac_algo;
		rec[n++] = (uint8_t)p.aead_algo;
		rec[n++] = (uint8_t)p.chain_order;
		rec[n++] = (uint8_t)p.cipher_key_len;
		rec[n++] = (uint8_t)p.auth_key_len;
		rec[n++] = (uint8_t)(p.auth_key_len >> 8);
		rec[n++] = (uint8_t)p.digest_len;
		rec[n++] = (uint8_t)p.aad_len;
		rec[n++] = (uint8_t)(p.aad_len >> 8);
		{
			uint8_t full[sizeof(rec) + 64 + 64];

			memcpy(full, rec, n);
			memcpy(full + n, key, p.cipher_key_len);
			memcpy(full + n + p.cipher_key_len, akey, p.auth_key_len);
			snprintf(name, sizeof(name), "params-%s", s[i].name);
			write_seed("session_msg", name, full,
				   n + p.cipher_key_len + p.auth_key_len);
		}
	}
}

/* ---- walk ---- */

#define G0 0x100000ull
#define S0 4096u
#define G1 0x7ff000ull
#define S1 4096u
#define QSIZE 64u

struct image {
	unsigned int nreg;
	uint8_t mode; /* bit 7: regions back to back in one host buffer */
	uint64_t gpa[2];
	uint16_t size[2];
	uint16_t head, max_descs;
	uint8_t cap;
	struct vc_desc table[QSIZE];
	uint8_t mem[2][S0];
};

static uint8_t *put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static void write_image(const char *name, const struct image *im)
{
	static uint8_t out[64 + QSIZE * 16 + 2 * S0];
	uint8_t *p = out;

	p = put(p, (im->nreg - 1) | im->mode, 1);
	for (unsigned int i = 0; i < im->nreg; i++) {
		p = put(p, im->gpa[i], 8);
		p = put(p, im->size[i], 2);
	}
	p = put(p, QSIZE - 1, 2);
	p = put(p, im->head, 2);
	p = put(p, im->max_descs, 2);
	p = put(p, im->cap, 1);
	for (unsigned int i = 0; i < QSIZE; i++) {
		p = put(p, im->table[i].addr, 8);
		p = put(p, im->table[i].len, 4);
		p = put(p, im->table[i].flags, 2);
		p = put(p, im->table[i].next, 2);
	}
	for (unsigned int i = 0; i < im->nreg; i++) {
		memcpy(p, im->mem[i], im->size[i]);
		p += im->size[i];
	}
	write_seed("walk", name, out, (size_t)(p - out));
}

static void image_init(struct image *im, unsigned int nreg)
{
	memset(im, 0, sizeof(*im));
	im->nreg = nreg;
	im->gpa[0] = G0;
	im->size[0] = S0;
	im->gpa[1] = G1;
	im->size[1] = S1;
	im->max_descs = 4096;
	im->cap = 144; /* max_chain_descs * 2 + 16 for a chain of 64 */
}

/* Request header at @off of region 0. */
static void put_hdr(struct image *im, uint32_t off, uint32_t opcode, uint32_t iv, uint32_t src,
		    uint32_t dst, uint32_t dig)
{
	struct vc_op_data_req h;

	memset(&h, 0, sizeof(h));
	h.header.opcode = opcode;
	h.header.session_id = 1;
	if (dig) {
		h.u.sym_req.op_type = VC_SYM_OP_CHAIN;
		h.u.sym_req.u.chain.iv_len = iv;
		h.u.sym_req.u.chain.src_data_len = src;
		h.u.sym_req.u.chain.dst_data_len = dst;
		h.u.sym_req.u.chain.len_to_cipher = src;
		h.u.sym_req.u.chain.len_to_hash = src;
		h.u.sym_req.u.chain.hash_result_len = dig;
	} else {
		h.u.sym_req.op_type = VC_SYM_OP_CIPHER;
		h.u.sym_req.u.cipher.para.iv_len = iv;
		h.u.sym_req.u.cipher.para.src_data_len = src;
		h.u.sym_req.u.cipher.para.dst_data_len = dst;
	}
	memcpy(im->mem[0] + off, &h, sizeof(h));
}

/* Descriptors @d[0..n) chained (NEXT to the following one, last ends). */
static void chain(struct vc_desc *d, unsigned int n, unsigned int first)
{
	for (unsigned int i = 0; i < n; i++) {
		d[i].next = (uint16_t)(first + i + 1);
		if (i + 1 < n)
			d[i].flags |= VC_DESC_F_NEXT;
	}
}

static void walk_seeds(void)
{
	struct image im;
	struct vc_desc ind[16];
	unsigned int n;

	/* Linux 6.1: 16 bytes as 3+5+8, one indirect head at index 5. */
	image_init(&im, 1);
	put_hdr(&im, 0x100, VC_CIPHER_ENCRYPT, 16, 16, 16, 0);
	{
		static const struct {
			uint32_t off, len;
			uint16_t w;
		} l[] = {{0x100, 72, 0}, {0x180, 16, 0}, {0x200, 3, 0}, {0x210, 5, 0},
			 {0x220, 8, 0},	 {0x210, 5, 0},	 {0x220, 8, 0}, {0x220, 8, 0},
			 {0x300, 3, 1},	 {0x310, 5, 1},	 {0x320, 8, 1}, {0x310, 5, 1},
			 {0x320, 8, 1},	 {0x320, 8, 1},	 {0x400, 1, 1}};

		n = sizeof(l) / sizeof(l[0]);
		memset(ind, 0, sizeof(ind));
		for (unsigned int i = 0; i < n; i++) {
			ind[i].addr = G0 + l[i].off;
			ind[i].len = l[i].len;
			ind[i].flags = l[i].w ? VC_DESC_F_WRITE : 0;
		}
	}
	chain(ind, n, 0);
	memcpy(im.mem[0], ind, n * sizeof(ind[0]));
	im.head = 5;
	im.table[5].addr = G0;
	im.table[5].len = n * sizeof(struct vc_desc);
	im.table[5].flags = VC_DESC_F_INDIRECT;
	write_image("linux-indirect-3-5-8", &im);

	/* DPDK 22.11 virtio PMD: AES-CBC + HMAC-SHA1, one descriptor per part. */
	image_init(&im, 1);
	put_hdr(&im, 0x800, VC_CIPHER_ENCRYPT, 16, 64, 64, 12);
	memset(ind, 0, sizeof(ind));
	ind[0] = (struct vc_desc){G0 + 0x800, 72, 0, 0};
	ind[1] = (struct vc_desc){G0 + 0x900, 16, 0, 0};	       /* iv */
	ind[2] = (struct vc_desc){G0 + 0xa00, 64, 0, 0};	       /* src */
	ind[3] = (struct vc_desc){G0 + 0xa00, 64, VC_DESC_F_WRITE, 0}; /* dst = src */
	ind[4] = (struct vc_desc){G0 + 0xb00, 12, VC_DESC_F_WRITE, 0}; /* digest */
	ind[5] = (struct vc_desc){G0 + 0x848, 1, VC_DESC_F_WRITE, 0};  /* status after req */
	n = 6;
	chain(ind, n, 0);
	memcpy(im.mem[0] + 0x400, ind, n * sizeof(ind[0]));
	im.head = 0;
	im.table[0].addr = G0 + 0x400;
	im.table[0].len = n * sizeof(struct vc_desc);
	im.table[0].flags = VC_DESC_F_INDIRECT;
	write_image("dpdk-pmd-indirect-chain", &im);

	/* The same parts as a direct chain (ring wraps: starts at 62). */
	for (unsigned int i = 0; i < n; i++) {
		im.table[(62 + i) % QSIZE] = ind[i];
		im.table[(62 + i) % QSIZE].next = (uint16_t)((63 + i) % QSIZE);
	}
	im.table[0].flags = ind[0].flags | VC_DESC_F_NEXT;
	im.head = 62;
	write_image("direct-chain-wrapping", &im);

	/* Buffers straddling two regions (adjacent guest addresses). */
	image_init(&im, 2);
	im.gpa[1] = G0 + S0;
	put_hdr(&im, 0xf00, VC_CIPHER_DECRYPT, 16, 512, 512, 0);
	im.table[0] = (struct vc_desc){G0 + 0xf00, 72 + 16 + 512, VC_DESC_F_NEXT, 1};
	im.table[1] = (struct vc_desc){G0 + 0xff0, 512 + 1, VC_DESC_F_WRITE, 0};
	write_image("two-regions-straddle", &im);
	im.mode = 0x80;
	write_image("two-regions-host-contiguous", &im);

	/* Broken chains: a loop, a readable after a writable, an out-of-range next. */
	image_init(&im, 1);
	put_hdr(&im, 0, VC_CIPHER_ENCRYPT, 16, 16, 16, 0);
	im.table[0] = (struct vc_desc){G0, 72, VC_DESC_F_NEXT, 1};
	im.table[1] = (struct vc_desc){G0 + 0x100, 32, VC_DESC_F_NEXT, 2};
	im.table[2] = (struct vc_desc){G0 + 0x200, 17, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 0};
	write_image("loop", &im);
	im.table[2].next = 3;
	im.table[3] = (struct vc_desc){G0 + 0x300, 8, 0, 0};
	write_image("readable-after-writable", &im);
	im.table[2].next = 999;
	write_image("next-out-of-range", &im);
	/* A buffer outside guest memory, status still found. */
	im.table[2] = (struct vc_desc){G0 + 0x200, 17, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 3};
	im.table[3] = (struct vc_desc){G1 + 0x10000, 64, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 4};
	im.table[4] = (struct vc_desc){G0 + 0x400, 1, VC_DESC_F_WRITE, 0};
	write_image("outside-memory", &im);
	/* Nested indirect. */
	image_init(&im, 1);
	memset(ind, 0, sizeof(ind));
	ind[0] = (struct vc_desc){G0, 32, VC_DESC_F_INDIRECT, 0};
	memcpy(im.mem[0], ind, sizeof(ind[0]));
	im.table[7] = (struct vc_desc){G0, 16, VC_DESC_F_INDIRECT, 0};
	im.head = 7;
	write_image("nested-indirect", &im);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	g_dir = argv[1];
	session_seeds();
	walk_seeds();
	return 0;
}
