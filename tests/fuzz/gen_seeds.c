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
 *    chain, split across two regions, and a few broken chains;
 *  - request: whole requests with their session (encoded in the layout the
 *    sender uses) as Linux 6.1 (AES-CBC, QEMU 7 layout), DPDK 22.11's PMD
 *    (AES-CBC, AES-CBC + HMAC-SHA1 chain, op cookie layout) and vcrypto's
 *    guest library (hash, MAC, AEAD encrypt/decrypt, chain with offsets,
 *    direct descriptors) send them, and broken ones (each refusal of the
 *    parser and the planner, limits, a loop, output in too many pieces).
 * Usage: fuzz_gen_seeds CORPUS_DIR (the directories must exist).
 */

#include <stddef.h>
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
#define SMAX 32768u /* largest region of a seed */

struct image {
	unsigned int nreg;
	uint8_t mode; /* bit 7: regions back to back in one host buffer */
	uint64_t gpa[2];
	uint16_t size[2];
	uint16_t head, max_descs;
	uint8_t cap;
	struct vc_desc table[QSIZE];
	uint8_t mem[2][SMAX];
};

static uint8_t *put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

/* The image in the format of fuzz_mem.h; returns the end of what was written. */
static uint8_t *image_bytes(const struct image *im, uint8_t *p)
{
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
	return p;
}

static uint8_t g_out[64 + VC_SESSION_PAYLOAD_MAX + QSIZE * 16 + 2 * SMAX];

static void write_image(const char *name, const struct image *im)
{
	write_seed("walk", name, g_out, (size_t)(image_bytes(im, g_out) - g_out));
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

/* Where guest address @gpa of an image is. */
static uint8_t *at(struct image *im, uint64_t gpa)
{
	for (unsigned int i = 0; i < im->nreg; i++)
		if (gpa >= im->gpa[i] && gpa - im->gpa[i] < im->size[i])
			return im->mem[i] + (gpa - im->gpa[i]);
	fprintf(stderr, "seed address 0x%llx outside the image\n", (unsigned long long)gpa);
	exit(1);
}

static void req_init(struct vc_op_data_req *h, uint32_t opcode)
{
	memset(h, 0, sizeof(*h));
	h->header.opcode = opcode;
	h->header.session_id = 1;
}

static void put_req(struct image *im, uint64_t gpa, const struct vc_op_data_req *h)
{
	memcpy(at(im, gpa), h, sizeof(*h));
}

/* Request headers at guest address @gpa (chains: cipher and hash from the given offsets
 * to the end). */
static void hdr_cipher(struct image *im, uint64_t gpa, uint32_t opcode, uint32_t iv, uint32_t len)
{
	struct vc_op_data_req h;

	req_init(&h, opcode);
	h.u.sym_req.op_type = VC_SYM_OP_CIPHER;
	h.u.sym_req.u.cipher.para.iv_len = iv;
	h.u.sym_req.u.cipher.para.src_data_len = len;
	h.u.sym_req.u.cipher.para.dst_data_len = len;
	put_req(im, gpa, &h);
}

static void hdr_chain(struct image *im, uint64_t gpa, uint32_t opcode, uint32_t iv, uint32_t len,
		      uint32_t coff, uint32_t hoff, uint32_t dig)
{
	struct vc_op_data_req h;
	struct vc_chain_para *c = &h.u.sym_req.u.chain;

	req_init(&h, opcode);
	h.u.sym_req.op_type = VC_SYM_OP_CHAIN;
	c->iv_len = iv;
	c->src_data_len = len;
	c->dst_data_len = len;
	c->cipher_start_src_offset = coff;
	c->len_to_cipher = len - coff;
	c->hash_start_src_offset = hoff;
	c->len_to_hash = len - hoff;
	c->hash_result_len = dig;
	put_req(im, gpa, &h);
}

static void hdr_hash(struct image *im, uint64_t gpa, uint32_t opcode, uint32_t len, uint32_t dig)
{
	struct vc_op_data_req h;

	req_init(&h, opcode);
	h.u.hash_req.para.src_data_len = len;
	h.u.hash_req.para.hash_result_len = dig;
	put_req(im, gpa, &h);
}

static void hdr_aead(struct image *im, uint64_t gpa, uint32_t opcode, uint32_t iv, uint32_t aad,
		     uint32_t src, uint32_t dst)
{
	struct vc_op_data_req h;

	req_init(&h, opcode);
	h.u.aead_req.para.iv_len = iv;
	h.u.aead_req.para.aad_len = aad;
	h.u.aead_req.para.src_data_len = src;
	h.u.aead_req.para.dst_data_len = dst;
	put_req(im, gpa, &h);
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

/* Linux 6.1's self-test request: 16 bytes as 3+5+8, each scatterlist entry walked
 * to the end of its list (region 0: header 0x100, IV 0x180, src 0x200, dst 0x300,
 * status 0x400). */
static const struct {
	uint32_t off, len;
	uint16_t w;
} linux_358[] = {{0x100, 72, 0}, {0x180, 16, 0}, {0x200, 3, 0}, {0x210, 5, 0}, {0x220, 8, 0},
		 {0x210, 5, 0},	 {0x220, 8, 0},	 {0x220, 8, 0}, {0x300, 3, 1}, {0x310, 5, 1},
		 {0x320, 8, 1},	 {0x310, 5, 1},	 {0x320, 8, 1}, {0x320, 8, 1}, {0x400, 1, 1}};
#define LINUX_358_N (sizeof(linux_358) / sizeof(linux_358[0]))

static void walk_seeds(void)
{
	static struct image im;
	struct vc_desc ind[16];
	unsigned int n;

	/* Linux 6.1: 16 bytes as 3+5+8, one indirect head at index 5. */
	image_init(&im, 1);
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 16);
	n = LINUX_358_N;
	memset(ind, 0, sizeof(ind));
	for (unsigned int i = 0; i < n; i++) {
		ind[i].addr = G0 + linux_358[i].off;
		ind[i].len = linux_358[i].len;
		ind[i].flags = linux_358[i].w ? VC_DESC_F_WRITE : 0;
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
	hdr_chain(&im, G0 + 0x800, VC_CIPHER_ENCRYPT, 16, 64, 0, 0, 12);
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
	hdr_cipher(&im, G0 + 0xf00, VC_CIPHER_DECRYPT, 16, 512);
	im.table[0] = (struct vc_desc){G0 + 0xf00, 72 + 16 + 512, VC_DESC_F_NEXT, 1};
	im.table[1] = (struct vc_desc){G0 + 0xff0, 512 + 1, VC_DESC_F_WRITE, 0};
	write_image("two-regions-straddle", &im);
	im.mode = 0x80;
	write_image("two-regions-host-contiguous", &im);

	/*
	 * A region past guest address 2^64 - 1 (its last 0x800 bytes would wrap
	 * to 0): the source in the wrapped part, then ending at 2^64; both walks
	 * refuse both (the table is cut at 2^64 - 1).
	 */
	image_init(&im, 2);
	im.gpa[1] = 0 - 0x800ull;
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 64);
	memset(ind, 0, sizeof(ind));
	ind[0] = (struct vc_desc){G0 + 0x100, 72 + 16, 0, 0};
	ind[1] = (struct vc_desc){0x100, 64, 0, 0};
	ind[2] = (struct vc_desc){G0 + 0x300, 64, VC_DESC_F_WRITE, 0};
	ind[3] = (struct vc_desc){G0 + 0x400, 1, VC_DESC_F_WRITE, 0};
	n = 4;
	chain(ind, n, 0);
	memcpy(im.mem[0] + 0x800, ind, n * sizeof(ind[0]));
	im.table[0] =
		(struct vc_desc){G0 + 0x800, n * sizeof(struct vc_desc), VC_DESC_F_INDIRECT, 0};
	write_image("region-past-top-wrapped", &im);
	ind[1].addr = 0 - 64ull;
	memcpy(im.mem[0] + 0x800, ind, n * sizeof(ind[0]));
	write_image("region-past-top-end", &im);

	/* Broken chains: a loop, a readable after a writable, an out-of-range next. */
	image_init(&im, 1);
	hdr_cipher(&im, G0, VC_CIPHER_ENCRYPT, 16, 16);
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

/* ---- request ---- */

struct part {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VC_DESC_F_WRITE or 0 */
};

/* The parts as one indirect head (table at guest address @tbl), or direct from @head. */
static void lay(struct image *im, uint16_t head, uint64_t tbl, const struct part *p, unsigned int n)
{
	struct vc_desc d[160];

	memset(d, 0, sizeof(d));
	for (unsigned int i = 0; i < n; i++) {
		d[i].addr = p[i].gpa;
		d[i].len = p[i].len;
		d[i].flags = p[i].flags;
	}
	im->head = head;
	if (tbl) {
		chain(d, n, 0);
		d[n - 1].next = 0;
		memcpy(at(im, tbl), d, n * sizeof(d[0]));
		im->table[head] =
			(struct vc_desc){tbl, (uint32_t)(n * sizeof(d[0])), VC_DESC_F_INDIRECT, 0};
	} else {
		for (unsigned int i = 0; i < n; i++) {
			im->table[(head + i) % QSIZE] = d[i];
			im->table[(head + i) % QSIZE].next = (uint16_t)((head + i + 1) % QSIZE);
			if (i + 1 < n)
				im->table[(head + i) % QSIZE].flags |= VC_DESC_F_NEXT;
		}
	}
}

static void req_image(struct image *im, unsigned int nreg, uint16_t s0, uint16_t s1)
{
	image_init(im, nreg);
	im->size[0] = s0;
	im->size[1] = s1;
}

/* Fill [gpa, gpa + n) with a recognisable pattern (plaintext, IV, AAD). */
static void data(struct image *im, uint64_t gpa, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		*at(im, gpa + i) = (uint8_t)(seed + i * 13);
}

/* What the prefix of a request input says about the session and the limits. */
struct req_opts {
	uint8_t flags; /* see fuzz_request.c; layout in bits 0-1 */
	uint32_t max_req, max_cipher;
};

static void write_request(const char *name, const struct req_opts *o,
			  const struct vcrypto_session_params *sp, const struct image *im)
{
	static const uint8_t key[64] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe,
					0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81};
	static const uint8_t akey[64] = {0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c};
	struct vcrypto_session_params p = *sp;
	struct vc_session_desc d;
	uint8_t sess[VC_SESSION_PAYLOAD_MAX];
	uint8_t *q = g_out;
	int n;

	p.sz = sizeof(p);
	p.cipher_key = p.cipher_key_len ? key : NULL;
	p.auth_key = p.auth_key_len ? akey : NULL;
	if (vcrypto__session_from_params(&p, &d)) {
		fprintf(stderr, "seed %s: session refused\n", name);
		exit(1);
	}
	if (o->flags & 0x80) {
		/* The parameter record of fuzz_request.c. */
		uint8_t *r = sess;

		r = put(r, p.type, 1);
		r = put(r, p.direction, 1);
		r = put(r, p.cipher_algo, 1);
		r = put(r, p.hash_algo, 1);
		r = put(r, p.mac_algo, 1);
		r = put(r, p.aead_algo, 1);
		r = put(r, p.chain_order, 1);
		r = put(r, p.cipher_key_len, 1);
		r = put(r, p.auth_key_len, 2);
		r = put(r, p.digest_len, 1);
		r = put(r, p.aad_len, 2);
		n = (int)(r - sess);
	} else {
		/* Layout 0 (detect): encoded as DPDK 22.11. */
		unsigned int l = o->flags & 3;

		n = vcrypto__session_encode((enum vcrypto_session_layout)(l ? l : 1), &d, sess,
					    sizeof(sess));
		if (n < 0) {
			fprintf(stderr, "seed %s: layout %u refused\n", name, l);
			exit(1);
		}
	}
	q = put(q, o->flags, 1);
	q = put(q, o->max_req, 4);
	q = put(q, o->max_cipher, 4);
	q = put(q, (uint64_t)n, 2);
	memcpy(q, sess, (size_t)n);
	q = image_bytes(im, q + n);
	write_seed("request", name, g_out, (size_t)(q - g_out));
}

/* The base of the broken requests: AES-CBC encryption of @len bytes, one part each. */
static void base_request(struct image *im, struct part *p, uint32_t len)
{
	req_image(im, 1, S0, 0);
	hdr_cipher(im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, len);
	p[0] = (struct part){G0 + 0x100, 72, 0};
	p[1] = (struct part){G0 + 0x180, 16, 0};
	p[2] = (struct part){G0 + 0x200, len, 0};
	p[3] = (struct part){G0 + 0x300, len, VC_DESC_F_WRITE};
	p[4] = (struct part){G0 + 0x400, 1, VC_DESC_F_WRITE};
	lay(im, 0, G0 + 0x800, p, 5);
}

/* vcrypto's guest library: per-slot area (table 0, header 128, status 200, IV 208, AAD 256). */
#define SLOT(i) (G0 + 512u * (i))

/* The sessions of the request seeds. */
static const struct vcrypto_session_params aes128cbc_enc = {
	.type = VCRYPTO_SESSION_CIPHER,
	.direction = VCRYPTO_ENCRYPT,
	.cipher_algo = VCRYPTO_CIPHER_AES_CBC,
	.cipher_key_len = 16,
};
static const struct vcrypto_session_params aes256cbc_dec = {
	.type = VCRYPTO_SESSION_CIPHER,
	.direction = VCRYPTO_DECRYPT,
	.cipher_algo = VCRYPTO_CIPHER_AES_CBC,
	.cipher_key_len = 32,
};
/* What DPDK's PMD asks for: AES-CBC + HMAC-SHA1, 12-byte digest. */
static const struct vcrypto_session_params chain_enc = {
	.type = VCRYPTO_SESSION_CHAIN,
	.direction = VCRYPTO_ENCRYPT,
	.cipher_algo = VCRYPTO_CIPHER_AES_CBC,
	.cipher_key_len = 16,
	.mac_algo = VCRYPTO_MAC_HMAC_SHA1,
	.auth_key_len = 20,
	.digest_len = 12,
};
static const struct vcrypto_session_params chain_ctr_dec = {
	.type = VCRYPTO_SESSION_CHAIN,
	.direction = VCRYPTO_DECRYPT,
	.cipher_algo = VCRYPTO_CIPHER_AES_CTR,
	.cipher_key_len = 16,
	.hash_algo = VCRYPTO_HASH_SHA_256,
	.chain_order = VCRYPTO_CHAIN_HASH_THEN_CIPHER,
};
static const struct vcrypto_session_params sha256 = {
	.type = VCRYPTO_SESSION_HASH,
	.hash_algo = VCRYPTO_HASH_SHA_256,
};
static const struct vcrypto_session_params hmac256 = {
	.type = VCRYPTO_SESSION_MAC,
	.mac_algo = VCRYPTO_MAC_HMAC_SHA_256,
	.auth_key_len = 32,
};
static const struct vcrypto_session_params gcm_enc = {
	.type = VCRYPTO_SESSION_AEAD,
	.direction = VCRYPTO_ENCRYPT,
	.aead_algo = VCRYPTO_AEAD_AES_GCM,
	.cipher_key_len = 16,
	.aad_len = 16,
};
static const struct vcrypto_session_params gcm_dec = {
	.type = VCRYPTO_SESSION_AEAD,
	.direction = VCRYPTO_DECRYPT,
	.aead_algo = VCRYPTO_AEAD_AES_GCM,
	.cipher_key_len = 16,
	.aad_len = 16,
};
static const struct vcrypto_session_params chacha_enc = {
	.type = VCRYPTO_SESSION_AEAD,
	.direction = VCRYPTO_ENCRYPT,
	.aead_algo = VCRYPTO_AEAD_CHACHA20_POLY1305,
	.cipher_key_len = 32,
};

static void request_seeds(void)
{
	static struct image im;
	const struct req_opts qemu7 = {.flags = 2}, dpdk = {.flags = 1},
			      dpdk_oop = {.flags = 1 | 0x04}, detect = {.flags = 0},
			      qemu8 = {.flags = 3 | 0x08}, params = {.flags = 0x80};
	struct part p[160];
	unsigned int n;

	/* Linux 6.1 virtio_crypto (QEMU 7.2 session layout): the self-test's 3+5+8 split. */
	req_image(&im, 1, S0, 0);
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 16);
	data(&im, G0 + 0x180, 16, 0x10);
	data(&im, G0 + 0x200, 0x30, 0x20);
	n = LINUX_358_N;
	for (unsigned int i = 0; i < n; i++)
		p[i] = (struct part){G0 + linux_358[i].off, linux_358[i].len,
				     linux_358[i].w ? VC_DESC_F_WRITE : 0};
	lay(&im, 5, G0 + 0x800, p, n);
	write_request("linux-aes128cbc-enc-3-5-8", &qemu7, &aes128cbc_enc, &im);

	/* Linux: one 4 KiB page each way, in place (dst = src), then split over two pages. */
	req_image(&im, 1, 3 * S0, 0);
	hdr_cipher(&im, G0 + 0x40, VC_CIPHER_DECRYPT, 16, 4096);
	data(&im, G0 + 0x100, 16, 0x31);
	data(&im, G0 + S0, 4096, 0x32);
	p[0] = (struct part){G0 + 0x40, 72, 0};
	p[1] = (struct part){G0 + 0x100, 16, 0};
	p[2] = (struct part){G0 + S0, 4096, 0};
	p[3] = (struct part){G0 + S0, 4096, VC_DESC_F_WRITE};
	p[4] = (struct part){G0 + 0x3ff, 1, VC_DESC_F_WRITE};
	lay(&im, 17, G0 + 0x400, p, 5);
	write_request("linux-aes256cbc-dec-4k-inplace", &qemu7, &aes256cbc_dec, &im);
	p[2] = (struct part){G0 + S0 + 3000, 1096, 0};
	p[3] = (struct part){G0 + 2 * S0 + 256, 3000, 0};
	p[4] = (struct part){G0 + 2 * S0 + 256, 3000, 0};
	p[5] = (struct part){G0 + S0 + 3000, 1096, VC_DESC_F_WRITE};
	p[6] = (struct part){G0 + 2 * S0 + 256, 3000, VC_DESC_F_WRITE};
	p[7] = (struct part){G0 + 2 * S0 + 256, 3000, VC_DESC_F_WRITE};
	p[8] = (struct part){G0 + 0x3ff, 1, VC_DESC_F_WRITE};
	lay(&im, 17, G0 + 0x400, p, 9);
	write_request("linux-aes256cbc-dec-4k-two-pages", &qemu7, &aes256cbc_dec, &im);
	{
		/* The memory table changes before the result is written: region halved. */
		struct req_opts o = qemu7;

		o.flags |= 0x20;
		write_request("linux-aes256cbc-dec-4k-memtab-halved", &o, &aes256cbc_dec, &im);
	}

	/* DPDK 22.11 virtio PMD (its session layout): the op cookie holds the header, the
	 * status right after it, the indirect table at +73 and the IV at +185; the mbuf
	 * is in place, the digest elsewhere. */
	req_image(&im, 1, S0, 0);
	hdr_cipher(&im, G0 + 0x200, VC_CIPHER_ENCRYPT, 16, 64);
	data(&im, G0 + 0x200 + 185, 16, 0x41);
	data(&im, G0 + 0x800, 64, 0x42);
	p[0] = (struct part){G0 + 0x200, 72, 0};
	p[1] = (struct part){G0 + 0x200 + 185, 16, 0};
	p[2] = (struct part){G0 + 0x800, 64, 0};
	p[3] = (struct part){G0 + 0x800, 64, VC_DESC_F_WRITE};
	p[4] = (struct part){G0 + 0x200 + 72, 1, VC_DESC_F_WRITE};
	lay(&im, 0, G0 + 0x200 + 73, p, 5);
	write_request("dpdk-pmd-aescbc-enc", &dpdk, &aes128cbc_enc, &im);
	/* Out of place (m_dst): zero copy on a device that does OOP. */
	p[3].gpa = G0 + 0xa00;
	lay(&im, 0, G0 + 0x200 + 73, p, 5);
	write_request("dpdk-pmd-aescbc-enc-oop", &dpdk_oop, &aes128cbc_enc, &im);

	req_image(&im, 1, S0, 0);
	hdr_chain(&im, G0 + 0x200, VC_CIPHER_ENCRYPT, 16, 64, 0, 0, 12);
	data(&im, G0 + 0x200 + 185, 16, 0x51);
	data(&im, G0 + 0x800, 64, 0x52);
	p[0] = (struct part){G0 + 0x200, 72, 0};
	p[1] = (struct part){G0 + 0x200 + 185, 16, 0};
	p[2] = (struct part){G0 + 0x800, 64, 0};
	p[3] = (struct part){G0 + 0x800, 64, VC_DESC_F_WRITE};
	p[4] = (struct part){G0 + 0xc00, 12, VC_DESC_F_WRITE};
	p[5] = (struct part){G0 + 0x200 + 72, 1, VC_DESC_F_WRITE};
	lay(&im, 0, G0 + 0x200 + 73, p, 6);
	write_request("dpdk-pmd-chain-aescbc-hmacsha1", &dpdk, &chain_enc, &im);

	/* vcrypto's guest library: hash, MAC, AEAD, chain (its own layout, indirect). */
	req_image(&im, 2, 2 * S0, S1);
	hdr_hash(&im, SLOT(1) + 128, VC_HASH, 100, 32);
	data(&im, G1, 100, 0x61);
	p[0] = (struct part){SLOT(1) + 128, 72, 0};
	p[1] = (struct part){G1, 100, 0};
	p[2] = (struct part){G1 + 0x200, 32, VC_DESC_F_WRITE};
	p[3] = (struct part){SLOT(1) + 200, 1, VC_DESC_F_WRITE};
	lay(&im, 1, SLOT(1), p, 4);
	write_request("guest-hash-sha256", &dpdk, &sha256, &im);
	{
		/* The region holding the digest goes before the result is written. */
		struct req_opts o = dpdk;

		o.flags |= 0x20 | 0x40;
		write_request("guest-hash-sha256-memtab-region-gone", &o, &sha256, &im);
	}
	hdr_hash(&im, SLOT(1) + 128, VC_MAC, 100, 32);
	write_request("guest-mac-hmacsha256", &qemu8, &hmac256, &im);
	/* The same MAC with an empty message. */
	hdr_hash(&im, SLOT(1) + 128, VC_MAC, 0, 32);
	p[1] = p[2];
	p[2] = p[3];
	lay(&im, 1, SLOT(1), p, 3);
	write_request("guest-mac-empty", &detect, &hmac256, &im);

	req_image(&im, 2, 2 * S0, S1);
	hdr_aead(&im, SLOT(2) + 128, VC_AEAD_ENCRYPT, 12, 16, 64, 80);
	data(&im, SLOT(2) + 208, 12, 0x71);
	data(&im, SLOT(2) + 256, 16, 0x72);
	data(&im, G1, 64, 0x73);
	p[0] = (struct part){SLOT(2) + 128, 72, 0};
	p[1] = (struct part){SLOT(2) + 208, 12, 0};
	p[2] = (struct part){SLOT(2) + 256, 16, 0};
	p[3] = (struct part){G1, 64, 0};
	p[4] = (struct part){G1 + 0x100, 80, VC_DESC_F_WRITE};
	p[5] = (struct part){SLOT(2) + 200, 1, VC_DESC_F_WRITE};
	lay(&im, 2, SLOT(2), p, 6);
	write_request("guest-aead-gcm-enc", &dpdk_oop, &gcm_enc, &im);
	hdr_aead(&im, SLOT(2) + 128, VC_AEAD_DECRYPT, 12, 16, 80, 64);
	p[3].len = 80;
	p[4].len = 64;
	lay(&im, 2, SLOT(2), p, 6);
	write_request("guest-aead-gcm-dec", &dpdk_oop, &gcm_dec, &im);
	/* Direct descriptors (the guest library's direct mode), the ring wrapping. */
	hdr_aead(&im, SLOT(2) + 128, VC_AEAD_ENCRYPT, 12, 0, 64, 80);
	p[2] = p[3];
	p[2].len = 64;
	p[3] = p[4];
	p[3].len = 80;
	p[4] = p[5];
	memset(im.table, 0, sizeof(im.table));
	lay(&im, 62, 0, p, 5);
	write_request("guest-aead-chacha-enc-direct", &qemu8, &chacha_enc, &im);

	/* AEAD over more than one copy mbuf (12000 bytes): one contiguous destination. */
	req_image(&im, 2, SMAX, SMAX);
	hdr_aead(&im, SLOT(3) + 128, VC_AEAD_ENCRYPT, 12, 16, 12000, 12016);
	data(&im, SLOT(3) + 208, 12, 0x81);
	data(&im, SLOT(3) + 256, 16, 0x82);
	data(&im, G0 + 0x2000, 12000, 0x83);
	p[0] = (struct part){SLOT(3) + 128, 72, 0};
	p[1] = (struct part){SLOT(3) + 208, 12, 0};
	p[2] = (struct part){SLOT(3) + 256, 16, 0};
	p[3] = (struct part){G0 + 0x2000, 12000, 0};
	p[4] = (struct part){G1, 12016, VC_DESC_F_WRITE};
	p[5] = (struct part){SLOT(3) + 200, 1, VC_DESC_F_WRITE};
	lay(&im, 3, SLOT(3), p, 6);
	write_request("guest-aead-gcm-enc-12000", &dpdk, &gcm_enc, &im);

	/* A hash-then-cipher chain with offsets (AES-CTR + SHA-256), from a parameter record. */
	req_image(&im, 1, 2 * S0, 0);
	hdr_chain(&im, SLOT(4) + 128, VC_CIPHER_DECRYPT, 16, 200, 24, 8, 32);
	data(&im, SLOT(4) + 208, 16, 0x91);
	data(&im, G0 + 0x1000, 200, 0x92);
	p[0] = (struct part){SLOT(4) + 128, 72, 0};
	p[1] = (struct part){SLOT(4) + 208, 16, 0};
	p[2] = (struct part){G0 + 0x1000, 200, 0};
	p[3] = (struct part){G0 + 0x1400, 200, VC_DESC_F_WRITE};
	p[4] = (struct part){G0 + 0x1600, 32, VC_DESC_F_WRITE};
	p[5] = (struct part){SLOT(4) + 200, 1, VC_DESC_F_WRITE};
	lay(&im, 4, SLOT(4), p, 6);
	write_request("guest-chain-aesctr-sha256-params", &params, &chain_ctr_dec, &im);

	/* Two regions back to back in host memory, the data straddling them. */
	req_image(&im, 2, S0, S1);
	im.gpa[1] = G0 + S0;
	im.mode = 0x80;
	hdr_cipher(&im, G0, VC_CIPHER_ENCRYPT, 16, 512);
	p[0] = (struct part){G0, 72 + 16, 0};
	p[1] = (struct part){G0 + S0 - 256, 512, 0};
	p[2] = (struct part){G0 + S0 - 128, 512, VC_DESC_F_WRITE};
	p[3] = (struct part){G0 + 0x100, 1, VC_DESC_F_WRITE};
	lay(&im, 9, 0, p, 4);
	write_request("two-regions-host-contiguous", &dpdk_oop, &aes128cbc_enc, &im);

	/* ---- broken requests ---- */
	base_request(&im, p, 64);
	write_request("ok-base", &dpdk, &aes128cbc_enc, &im);
	/* Unknown session id; wrong session type; another direction. */
	{
		struct req_opts o = dpdk;

		o.flags |= 0x10;
		write_request("bad-unknown-session", &o, &aes128cbc_enc, &im);
	}
	write_request("bad-session-type", &dpdk, &sha256, &im);
	write_request("bad-session-direction", &dpdk, &aes256cbc_dec, &im);
	/* Limits: max_request_len, the device's max cipher length. */
	{
		struct req_opts o = dpdk;

		o.max_req = 32;
		write_request("bad-over-max-request", &o, &aes128cbc_enc, &im);
		o.max_req = 0;
		o.max_cipher = 48;
		write_request("bad-over-max-cipher", &o, &aes128cbc_enc, &im);
	}
	/* Output longer than the writable part. */
	p[3].len = 32;
	lay(&im, 0, G0 + 0x800, p, 5);
	write_request("bad-dst-too-short", &dpdk, &aes128cbc_enc, &im);
	p[3].len = 64;
	/* Header shorter than 72 bytes. */
	p[0].len = 40;
	lay(&im, 0, G0 + 0x800, p, 2);
	p[1] = p[4];
	lay(&im, 0, G0 + 0x800, p, 2);
	write_request("bad-short-header", &dpdk, &aes128cbc_enc, &im);
	/* Unknown op code; IV length not the session's; not a block multiple. */
	base_request(&im, p, 64);
	hdr_cipher(&im, G0 + 0x100, VC_OPCODE(VC_SERVICE_CIPHER, 0x07), 16, 64);
	write_request("bad-opcode", &dpdk, &aes128cbc_enc, &im);
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 8, 64);
	write_request("bad-iv-len", &dpdk, &aes128cbc_enc, &im);
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 60);
	write_request("bad-not-block-multiple", &dpdk, &aes128cbc_enc, &im);
	/* Chain offsets past the data. */
	hdr_chain(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 64, 0, 80, 12);
	write_request("bad-chain-hash-offset", &dpdk, &chain_enc, &im);
	hdr_chain(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 64, 8, 0, 12);
	write_request("bad-chain-not-block-multiple", &dpdk, &chain_enc, &im);
	/* Symmetric op type NONE (BADMSG) and unknown (NOTSUPP). */
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 64);
	*at(&im, G0 + 0x100 + offsetof(struct vc_op_data_req, u.sym_req.op_type)) = VC_SYM_OP_NONE;
	write_request("bad-op-type-none", &dpdk, &aes128cbc_enc, &im);
	*at(&im, G0 + 0x100 + offsetof(struct vc_op_data_req, u.sym_req.op_type)) = 9;
	write_request("bad-op-type-unknown", &dpdk, &aes128cbc_enc, &im);
	/* AEAD: more than one destination buffer holds; decrypt shorter than its tag. */
	hdr_aead(&im, G0 + 0x100, VC_AEAD_ENCRYPT, 12, 16, 300000, 300016);
	write_request("bad-aead-over-big-buf", &dpdk, &gcm_enc, &im);
	hdr_aead(&im, G0 + 0x100, VC_AEAD_DECRYPT, 12, 16, 8, 0);
	write_request("bad-aead-dec-short", &dpdk, &gcm_dec, &im);
	/* A writable buffer outside guest memory: status still found (BADMSG). */
	hdr_cipher(&im, G0 + 0x100, VC_CIPHER_ENCRYPT, 16, 64);
	p[3].gpa = G1 + 0x100000;
	lay(&im, 0, G0 + 0x800, p, 5);
	write_request("bad-dst-outside-memory", &dpdk, &aes128cbc_enc, &im);
	/* A loop: no status byte, nothing written. */
	memset(im.table, 0, sizeof(im.table));
	im.table[0] = (struct vc_desc){G0 + 0x100, 72, VC_DESC_F_NEXT, 1};
	im.table[1] = (struct vc_desc){G0 + 0x300, 65, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 0};
	im.head = 0;
	write_request("bad-loop", &dpdk, &aes128cbc_enc, &im);
	/* The output in 80 one-byte pieces: more than the host keeps (ERR), copy only. */
	base_request(&im, p, 80);
	for (unsigned int i = 0; i < 80; i++)
		p[3 + i] = (struct part){G0 + 0x300 + 2 * i, 1, VC_DESC_F_WRITE};
	p[83] = (struct part){G0 + 0x400, 1, VC_DESC_F_WRITE};
	lay(&im, 0, G0 + 0x800, p, 84);
	write_request("bad-output-in-80-pieces", &dpdk, &aes128cbc_enc, &im);
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
	request_seeds();
	return 0;
}
