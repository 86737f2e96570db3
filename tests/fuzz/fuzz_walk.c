/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Fuzz target: the host's descriptor-chain walker and guest-memory
 * translation (lib/host/walk.c) over a fuzzed guest, then the stream
 * helpers the same way the request parser of lib/host/poller.c uses them
 * (header read, data ranges, contiguous zero-copy ranges, output pieces).
 *
 * Input: a guest memory image (regions, descriptor table, head, limits),
 * in the format described in fuzz_mem.h.
 *
 * Invariants: every segment, status byte and stream range lies inside one
 * region (host and guest address agreeing); the status byte, when found, is
 * the last byte of a writable descriptor; the walk visits a bounded number
 * of descriptors; the byte counts add up; abandoned chains have no status.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/virtio_crypto_wire.h"
#include "fuzz_mem.h"
#include "host/parse.h"

#define OUT_SEGS 64 /* VC_MAX_OUT_SEGS of lib/host/internal.h */

static volatile uint8_t sink;

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

/* One stream range the parser would ask for; check what comes back. */
static void check_range(const struct fuzz_guest *g, const struct vc_seg *segs, uint32_t n,
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
			FUZZ_CHECK(fuzz_span_ok(g, out[i].gpa, out[i].hva, out[i].len));
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
		FUZZ_CHECK(fuzz_hva_ok(g, p, len) || g->adjacent);
		FUZZ_CHECK(vc_mem_hva_ok(&g->mt, p, len) || g->adjacent);
	}
	/* ... and a range in one piece is found (the inline fast path or the slow one). */
	if (k == 1)
		FUZZ_CHECK(p == out[0].hva);
	if (len && len <= 4096) {
		uint8_t tmp[4096];

		if (vc_stream_read(segs, n, off, tmp, len) == 0) {
			FUZZ_CHECK(off + len <= total);
			if (k > 0) {
				uint64_t o = 0;

				for (int i = 0; i < k && !wr; i++) {
					FUZZ_CHECK(out[i].hva &&
						   !memcmp(tmp + o, out[i].hva, out[i].len));
					o += out[i].len;
				}
			}
		} else {
			FUZZ_CHECK(off + len > total || off + len < off);
		}
	}
}

/* What fetch_one() does with a usable chain, on fuzzed header fields. */
static void parse_like_poller(const struct fuzz_guest *g, const struct vc_chain *c)
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
	struct fuzz_guest g;
	struct vc_seg *segs;
	struct vc_chain c;
	uint32_t limit;
	uint64_t rsum = 0, wsum = 0;
	int ret;

	fuzz_guest_load(&g, &in, 0);
	segs = g.segs;
	memset(&c, 0, sizeof(c));
	c.segs = segs;
	c.cap = g.cap;
	ret = vc_walk_chain(&g.mt, g.table, g.qsize, g.head, g.max_descs, g.ind, &c);
	if (fuzz_verbose())
		fprintf(stderr,
			"walk: ret %d ndescs %u indirect %d nr %u nw %u rlen %llu wlen %llu "
			"status_ok %d status_gpa 0x%llx\n",
			ret, c.ndescs, c.indirect, c.nr, c.nw, (unsigned long long)c.rlen,
			(unsigned long long)c.wlen, c.status_ok, (unsigned long long)c.status_gpa);

	/*
	 * The one-pass path for the common layout and the general walk agree
	 * (nothing has written guest memory yet).
	 */
	{
		struct vc_seg *gsegs = calloc(g.cap ? g.cap : 1, sizeof(*gsegs));
		struct vc_chain gc = {.segs = gsegs, .cap = g.cap};
		int gret;

		FUZZ_CHECK(gsegs != NULL);
		gret = vc_walk_chain_general(&g.mt, g.table, g.qsize, g.head, g.max_descs, g.ind,
					     &gc);
		FUZZ_CHECK(gret == ret && gc.nr == c.nr && gc.nw == c.nw && gc.rlen == c.rlen &&
			   gc.wlen == c.wlen && gc.ndescs == c.ndescs &&
			   gc.indirect == c.indirect && gc.status_ok == c.status_ok);
		if (c.status_ok)
			FUZZ_CHECK(gc.status_gpa == c.status_gpa && gc.status_hva == c.status_hva);
		if (ret == 0)
			for (uint32_t i = 0; i < c.nr + c.nw; i++)
				FUZZ_CHECK(gsegs[i].gpa == segs[i].gpa &&
					   gsegs[i].hva == segs[i].hva &&
					   gsegs[i].len == segs[i].len);
		free(gsegs);
	}

	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EFAULT || ret == -E2BIG ||
		   ret == -ERANGE || ret == -ELOOP || ret == -EPROTO);
	if (ret == -ERANGE || ret == -ELOOP || ret == -EPROTO)
		FUZZ_CHECK(!c.status_ok);
	if (g.head >= g.qsize)
		FUZZ_CHECK(ret == -ERANGE && c.ndescs == 0);
	/* Termination: bounded by the limits, whatever the tables say. */
	limit = g.qsize < g.max_descs ? g.qsize : g.max_descs;
	if (c.indirect)
		FUZZ_CHECK(c.ndescs <= 1 + g.max_descs);
	else
		FUZZ_CHECK(c.ndescs <= limit);
	FUZZ_CHECK((uint64_t)c.nr + c.nw <= g.cap);
	for (uint32_t i = 0; i < c.nr + c.nw; i++) {
		FUZZ_CHECK(segs[i].len > 0);
		FUZZ_CHECK(fuzz_span_ok(&g, segs[i].gpa, segs[i].hva, segs[i].len));
		FUZZ_CHECK(vc_mem_hva_ok(&g.mt, segs[i].hva, segs[i].len) || g.adjacent);
		if (i < c.nr)
			rsum += segs[i].len;
		else
			wsum += segs[i].len;
	}
	FUZZ_CHECK(rsum == c.rlen && wsum == c.wlen);
	if (c.status_ok) {
		uint32_t tn;
		const struct vc_desc *t = fuzz_walked_table(&g, &c, &tn);

		FUZZ_CHECK(fuzz_span_ok(&g, c.status_gpa, c.status_hva, 1));
		/* The status byte ends a writable descriptor of the table walked. */
		FUZZ_CHECK(fuzz_is_write_desc_end(t, tn, c.status_gpa));
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

	fuzz_guest_free(&g);
	return 0;
}
