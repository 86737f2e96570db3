/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Fuzz target: the host's descriptor-chain walker and guest-memory
 * translation (lib/host/walk.c) over a fuzzed guest, then the stream
 * helpers the same way the request parser of lib/host/poller.c uses them
 * (header read, data ranges, contiguous zero-copy ranges, output pieces).
 *
 * Input (little-endian; missing bytes read as zero):
 *   u8  mode: nregions - 1 (bits 0-6, mod 3); bit 7: regions back to back
 *       in one host buffer (else each region is its own heap buffer)
 *   per region: u64 guest-physical base, u16 size
 *   u16 queue size - 1 (mod 1024)
 *   u16 head index (raw: may be out of range)
 *   u16 max_descs (mod 4097)
 *   u8  segment capacity
 *   queue size * 16 bytes: the descriptor table
 *   the rest: the regions' contents, in order
 * Every region, the descriptor table, the indirect scratch table and the
 * segment array are heap buffers of exactly their size, so ASan reports
 * any access outside them.
 *
 * Invariants: every segment, status byte and stream range lies inside one
 * region (host and guest address agreeing); the status byte, when found, is
 * the last byte of a writable descriptor; the walk visits a bounded number
 * of descriptors; the byte counts add up; abandoned chains have no status.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/virtio_crypto_wire.h"
#include "fuzz_check.h"
#include "host/walk.h"

#define MAX_FUZZ_REGIONS 3
#define OUT_SEGS 64 /* VC_MAX_OUT_SEGS of lib/host/internal.h */
#define VC_REQ_HDR_LEN ((uint32_t)sizeof(struct vc_op_data_req)) /* as lib/host/poller.c */

struct guest {
	struct vc_memtab mt;
	uint8_t *buf[MAX_FUZZ_REGIONS];
	uint64_t size[MAX_FUZZ_REGIONS];
	bool adjacent; /* regions back to back in one host buffer */
};

/* [gpa, gpa + len) at hva lies in the regions, each byte where translation puts it. */
static bool span_ok(const struct guest *g, uint64_t gpa, const uint8_t *hva, uint64_t len)
{
	while (len) {
		uint32_t i;
		uint64_t off = 0, n;

		for (i = 0; i < g->mt.n; i++) {
			if (hva >= g->buf[i] && hva < g->buf[i] + g->size[i]) {
				off = (uint64_t)(hva - g->buf[i]);
				if (gpa - g->mt.r[i].gpa == off)
					break;
			}
		}
		if (i == g->mt.n)
			return false;
		n = g->size[i] - off;
		if (n > len)
			n = len;
		gpa += n;
		hva += n;
		len -= n;
	}
	return true;
}

/* [hva, hva + len) lies in the region buffers (no guest address to compare). */
static bool hva_ok(const struct guest *g, const uint8_t *hva, uint64_t len)
{
	for (uint32_t i = 0; i < g->mt.n; i++)
		if (hva >= g->buf[i] && (uint64_t)(hva - g->buf[i]) <= g->size[i] &&
		    g->size[i] - (uint64_t)(hva - g->buf[i]) >= len)
			return true;
	return false;
}

static volatile uint8_t sink;

/* VCRYPTO_FUZZ_VERBOSE=1: print each walk's result (to check seeds). */
static bool verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("VCRYPTO_FUZZ_VERBOSE") != NULL;
	return v;
}

/* Touch every byte of a segment list: read (and write, if @wr) it. */
static void touch(const struct vc_seg *s, uint32_t n, bool wr)
{
	for (uint32_t i = 0; i < n; i++) {
		if (wr) {
			memset(s[i].hva, 0xa5, s[i].len);
		} else {
			uint8_t x = 0;

			for (uint32_t k = 0; k < s[i].len; k++)
				x ^= s[i].hva[k];
			sink = x;
		}
	}
}

static bool is_write_desc_end(const struct vc_desc *t, uint32_t n, uint64_t gpa)
{
	for (uint32_t i = 0; i < n; i++)
		if ((t[i].flags & VC_DESC_F_WRITE) && t[i].len && t[i].addr + t[i].len - 1 == gpa)
			return true;
	return false;
}

/* One stream range the parser would ask for; check what comes back. */
static void check_range(const struct guest *g, const struct vc_seg *segs, uint32_t n,
			uint64_t total, uint64_t off, uint64_t len, bool wr)
{
	struct vc_seg out[OUT_SEGS];
	uint64_t sum = 0;
	uint8_t *p;
	int k;

	k = vc_stream_range(segs, n, off, len, out, OUT_SEGS);
	if (off + len <= total && off + len >= off && len) {
		FUZZ_CHECK(k != -ERANGE);
	} else if (len) {
		FUZZ_CHECK(k == -ERANGE || k == -E2BIG);
	}
	if (k > 0) {
		FUZZ_CHECK(k <= OUT_SEGS);
		for (int i = 0; i < k; i++) {
			FUZZ_CHECK(out[i].len > 0);
			FUZZ_CHECK(span_ok(g, out[i].gpa, out[i].hva, out[i].len));
			sum += out[i].len;
		}
		FUZZ_CHECK(sum == len);
		touch(out, (uint32_t)k, wr);
	}
	p = vc_stream_contig(segs, n, off, len);
	if (p) {
		/* One piece, inside the regions (checked above by span_ok). A piece
		 * may span host-adjacent regions (mode bit 7): only then may it
		 * leave a single region. */
		FUZZ_CHECK(k == 1 && p == out[0].hva && out[0].len == len);
		FUZZ_CHECK(hva_ok(g, p, len) || g->adjacent);
		FUZZ_CHECK(vc_mem_hva_ok(&g->mt, p, len) || g->adjacent);
	}
	if (len && len <= 4096) {
		uint8_t tmp[4096];

		if (vc_stream_read(segs, n, off, tmp, len) == 0) {
			FUZZ_CHECK(off + len <= total);
			if (k > 0) {
				uint64_t o = 0;

				for (int i = 0; i < k && !wr; i++) {
					FUZZ_CHECK(!memcmp(tmp + o, out[i].hva, out[i].len));
					o += out[i].len;
				}
			}
		} else {
			FUZZ_CHECK(off + len > total || off + len < off);
		}
	}
}

/* What fetch_one() does with a usable chain, on fuzzed header fields. */
static void parse_like_poller(const struct guest *g, const struct vc_chain *c)
{
	struct vc_op_data_req h;
	const struct vc_seg *rs = c->segs, *ws = c->segs + c->nr;
	const uint32_t *w;
	uint32_t iv, aad, src, dst, dig;

	if (c->rlen < VC_REQ_HDR_LEN) {
		FUZZ_CHECK(vc_stream_read(rs, c->nr, 0, &h, sizeof(h)) == -ERANGE);
		return;
	}
	FUZZ_CHECK(vc_stream_read(rs, c->nr, 0, &h, sizeof(h)) == 0);
	FUZZ_CHECK(!memcmp(&h, rs[0].hva, rs[0].len < sizeof(h) ? rs[0].len : sizeof(h)));
	/* The lengths the request declares, as the parser reads them per op code. */
	w = (const uint32_t *)(const void *)&h.u;
	switch (h.header.opcode) {
	case VC_CIPHER_ENCRYPT:
	case VC_CIPHER_DECRYPT:
		if (h.u.sym_req.op_type == VC_SYM_OP_CHAIN) {
			const struct vc_chain_para *ch = &h.u.sym_req.u.chain;

			iv = ch->iv_len;
			aad = ch->aad_len;
			src = ch->src_data_len;
			dst = ch->dst_data_len;
			dig = ch->hash_result_len;
		} else {
			const struct vc_cipher_para *cp = &h.u.sym_req.u.cipher.para;

			iv = cp->iv_len;
			aad = 0;
			src = cp->src_data_len;
			dst = cp->dst_data_len;
			dig = 0;
		}
		break;
	case VC_HASH:
	case VC_MAC:
		iv = aad = dst = 0;
		src = h.u.hash_req.para.src_data_len;
		dig = h.u.hash_req.para.hash_result_len;
		break;
	case VC_AEAD_ENCRYPT:
	case VC_AEAD_DECRYPT:
		iv = h.u.aead_req.para.iv_len;
		aad = h.u.aead_req.para.aad_len;
		src = h.u.aead_req.para.src_data_len;
		dst = h.u.aead_req.para.dst_data_len;
		dig = 16;
		break;
	default: /* any words: the stream helpers take any range */
		iv = w[0];
		aad = w[1];
		src = w[2];
		dst = w[3];
		dig = w[4];
		break;
	}
	check_range(g, rs, c->nr, c->rlen, VC_REQ_HDR_LEN, iv, false);
	check_range(g, rs, c->nr, c->rlen, (uint64_t)VC_REQ_HDR_LEN + iv, aad, false);
	check_range(g, rs, c->nr, c->rlen, (uint64_t)VC_REQ_HDR_LEN + iv + aad, src, false);
	check_range(g, ws, c->nw, c->wlen, 0, (uint64_t)dst + dig, true);
	check_range(g, ws, c->nw, c->wlen, dst, dig, true);
	/* The tag of an AEAD decryption, read after the source. */
	check_range(g, rs, c->nr, c->rlen, (uint64_t)VC_REQ_HDR_LEN + iv + aad + src, dig, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {.p = data, .len = size};
	struct guest g;
	struct vc_desc *table, *ind;
	struct vc_seg *segs;
	struct vc_chain c;
	uint32_t qsize, head, max_descs, cap, limit;
	uint64_t rsum = 0, wsum = 0, total = 0;
	uint8_t mode, *block = NULL;
	int ret;

	memset(&g, 0, sizeof(g));
	mode = (uint8_t)fuzz_take(&in, 1);
	g.mt.n = 1 + (uint32_t)((mode & 0x7f) % MAX_FUZZ_REGIONS);
	for (uint32_t i = 0; i < g.mt.n; i++) {
		g.mt.r[i].gpa = fuzz_take(&in, 8);
		g.size[i] = fuzz_take(&in, 2);
		g.mt.r[i].size = g.size[i];
	}
	qsize = 1 + (uint32_t)(fuzz_take(&in, 2) % 1024);
	head = (uint32_t)fuzz_take(&in, 2);
	max_descs = (uint32_t)(fuzz_take(&in, 2) % 4097);
	cap = (uint32_t)fuzz_take(&in, 1);

	table = malloc(qsize * sizeof(*table));
	FUZZ_CHECK(table);
	for (uint32_t i = 0; i < qsize; i++) {
		table[i].addr = fuzz_take(&in, 8);
		table[i].len = (uint32_t)fuzz_take(&in, 4);
		table[i].flags = (uint16_t)fuzz_take(&in, 2);
		table[i].next = (uint16_t)fuzz_take(&in, 2);
	}
	/* Mode bit 7: the regions back to back in one host buffer (as separate
	 * mmaps may be), so host-contiguous pieces of two regions can merge. */
	for (uint32_t i = 0; i < g.mt.n; i++)
		total += g.size[i];
	if (mode & 0x80) {
		g.adjacent = true;
		block = malloc(total ? total : 1);
		FUZZ_CHECK(block);
	}
	for (uint32_t i = 0, at = 0; i < g.mt.n; i++) {
		size_t n = fuzz_left(&in);

		if (block) {
			g.buf[i] = block + at;
			at += (uint32_t)g.size[i];
		} else {
			g.buf[i] = malloc(g.size[i] ? g.size[i] : 1);
		}
		FUZZ_CHECK(g.buf[i]);
		g.mt.r[i].hva = (uint64_t)(uintptr_t)g.buf[i];
		if (n > g.size[i])
			n = g.size[i];
		memset(g.buf[i], 0, g.size[i]);
		if (n)
			memcpy(g.buf[i], data + in.off, n);
		in.off += n;
	}
	ind = malloc((max_descs ? max_descs : 1) * sizeof(*ind));
	segs = malloc((cap ? cap : 1) * sizeof(*segs));
	FUZZ_CHECK(ind && segs);

	memset(&c, 0, sizeof(c));
	c.segs = segs;
	c.cap = cap;
	ret = vc_walk_chain(&g.mt, table, qsize, head, max_descs, ind, &c);
	if (verbose())
		fprintf(stderr,
			"walk: ret %d ndescs %u indirect %d nr %u nw %u rlen %llu wlen %llu "
			"status_ok %d status_gpa 0x%llx\n",
			ret, c.ndescs, c.indirect, c.nr, c.nw, (unsigned long long)c.rlen,
			(unsigned long long)c.wlen, c.status_ok, (unsigned long long)c.status_gpa);

	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EFAULT || ret == -E2BIG ||
		   ret == -ERANGE || ret == -ELOOP || ret == -EPROTO);
	if (ret == -ERANGE || ret == -ELOOP || ret == -EPROTO)
		FUZZ_CHECK(!c.status_ok);
	if (head >= qsize)
		FUZZ_CHECK(ret == -ERANGE && c.ndescs == 0);
	/* Termination: bounded by the limits, whatever the tables say. */
	limit = qsize < max_descs ? qsize : max_descs;
	if (c.indirect)
		FUZZ_CHECK(c.ndescs <= 1 + max_descs);
	else
		FUZZ_CHECK(c.ndescs <= limit);
	FUZZ_CHECK((uint64_t)c.nr + c.nw <= cap);
	for (uint32_t i = 0; i < c.nr + c.nw; i++) {
		FUZZ_CHECK(segs[i].len > 0);
		FUZZ_CHECK(span_ok(&g, segs[i].gpa, segs[i].hva, segs[i].len));
		FUZZ_CHECK(vc_mem_hva_ok(&g.mt, segs[i].hva, segs[i].len) || g.adjacent);
		if (i < c.nr)
			rsum += segs[i].len;
		else
			wsum += segs[i].len;
	}
	FUZZ_CHECK(rsum == c.rlen && wsum == c.wlen);
	if (c.status_ok) {
		const struct vc_desc *t = c.indirect ? ind : table;
		uint32_t tn = qsize;

		FUZZ_CHECK(span_ok(&g, c.status_gpa, c.status_hva, 1));
		if (c.indirect)
			tn = table[head].len / (uint32_t)sizeof(struct vc_desc);
		/* The status byte ends a writable descriptor of the table walked. */
		FUZZ_CHECK(is_write_desc_end(t, tn, c.status_gpa));
		*c.status_hva = 0x5a;
		/* A clean chain ends with its status byte. */
		if (ret == 0 && c.nw)
			FUZZ_CHECK(segs[c.nr + c.nw - 1].gpa + segs[c.nr + c.nw - 1].len - 1 ==
					   c.status_gpa &&
				   segs[c.nr + c.nw - 1].hva + segs[c.nr + c.nw - 1].len - 1 ==
					   c.status_hva);
	}
	if (ret == 0 && !c.indirect)
		FUZZ_CHECK(c.ndescs >= 1);
	touch(segs, c.nr, false);
	touch(segs + c.nr, c.nw, true);

	/* The request parser only goes on with a status byte and a clean chain. */
	if (c.status_ok && ret == 0)
		parse_like_poller(&g, &c);

	free(segs);
	free(ind);
	if (block)
		free(block);
	else
		for (uint32_t i = 0; i < g.mt.n; i++)
			free(g.buf[i]);
	free(table);
	return 0;
}
