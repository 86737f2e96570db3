/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Fuzz target: the host's request parser (lib/host/parse.c) and output
 * writes (vc_mem_write_out in lib/host/walk.c), driven the way fetch_one()
 * and finalize() in lib/host/poller.c drive them: vc_parse_request() on a
 * fuzzed guest, the session lookup, vc_plan_request(), the stream reads and
 * ranges of both the zero-copy and the copy decision, the write-back of a
 * result and a digest, and the status byte.
 *
 * Input (little-endian; missing bytes read as zero):
 *   u8  flags: bit 7: session from a parameter record (below), else a
 *       CREATE_SESSION payload decoded with layout bits 0-1 (0 detects);
 *       bit 2: the device does out-of-place (RTE_CRYPTODEV_FF_OOP_LB_IN_LB_OUT);
 *       bit 3: segment capacity as a port sets it (max_descs * 2 + 16)
 *       instead of the image's; bit 4: the session id is unknown (INVSESS);
 *       bit 5: the memory table changes before finalize() (bit 6: its last
 *       region goes, else it is halved)
 *   u32 max_request_len (0: the port default, 256 KiB)
 *   u32 max_cipher_len (0: no limit)
 *   u16 n, then n bytes: the session (payload, or parameter record:
 *       u8 type, direction, cipher, hash, mac, aead algo, chain order,
 *       u8 cipher key length, u16 auth key length, u8 digest length,
 *       u16 AAD length; keys are a fixed pattern)
 *   the rest: a guest memory image, as in fuzz_mem.h
 *
 * The session shape is derived as vc_sess_create() in lib/host/engine.c
 * does (keys wiped, IV length, block, digest length). Sessions the engine
 * would refuse (AES-CCM, chains with AAD, algorithms the device lacks) are
 * fuzzed too: the parser must be safe for any shape.
 *
 * Invariants (abort on failure): statuses are VCRYPTO_STATUS_* values, -1
 * only without a status byte; an OK plan fits the chain (parts inside the
 * streams, IV/AAD/digest within the host's buffers, AEAD data within
 * VC_BIG_BUF, limits kept) and agrees with the header and the session;
 * every stream read of a planned part succeeds; every byte written (result,
 * digest, status; copy and zero-copy) lands inside a device-writable
 * descriptor of the walked chain and the status byte ends the last one;
 * the writes of finalize() (vc_out_write() through the host addresses
 * planned at fetch, and vc_mem_write_out() translating again, as after a
 * memory table change) succeed for every OK plan. Writes are found by
 * zeroing the guest memory, writing non-zero patterns and scanning.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <vcrypto/crypto.h>

#include "common/session_msg.h"
#include "common/virtio_crypto_wire.h"
#include "fuzz_mem.h"
#include "host/parse.h"

/* Mirrors of lib/host/internal.h (DPDK types there). */
#define OUT_SEGS 64		   /* VC_MAX_OUT_SEGS */
#define MBUF_DATA 8192		   /* VC_MBUF_DATA */
#define PORT_MAX_REQ (256u * 1024) /* port.c default max_request_len */
#define STATUS_MARK 0xee

struct req_in {
	uint8_t flags;
	uint32_t max_req, max_cipher;
	bool have_sess;
	struct vc_sess_shape sh;
};

/* ---- session ---- */

static bool session_from_record(struct fuzz_in *in, struct vc_session_desc *d)
{
	static const uint8_t ckey[VCRYPTO_MAX_CIPHER_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t akey[VCRYPTO_MAX_AUTH_KEY_LEN] = {9, 10, 11, 12};
	struct vcrypto_session_params p;

	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	p.type = (enum vcrypto_session_type)fuzz_take(in, 1);
	p.direction = (enum vcrypto_direction)fuzz_take(in, 1);
	p.cipher_algo = (enum vcrypto_cipher_algo)fuzz_take(in, 1);
	p.hash_algo = (enum vcrypto_hash_algo)fuzz_take(in, 1);
	p.mac_algo = (enum vcrypto_mac_algo)fuzz_take(in, 1);
	p.aead_algo = (enum vcrypto_aead_algo)fuzz_take(in, 1);
	p.chain_order = (enum vcrypto_chain_order)fuzz_take(in, 1);
	p.cipher_key_len = (uint32_t)fuzz_take(in, 1);
	p.auth_key_len = (uint32_t)fuzz_take(in, 2);
	p.digest_len = (uint32_t)fuzz_take(in, 1);
	p.aad_len = (uint32_t)fuzz_take(in, 2);
	if (p.cipher_key_len > sizeof(ckey) || p.auth_key_len > sizeof(akey))
		return false;
	p.cipher_key = p.cipher_key_len ? ckey : NULL;
	p.auth_key = p.auth_key_len ? akey : NULL;
	return vcrypto__session_from_params(&p, d) == 0;
}

/* The session part of the input; false if the host would have no such session. */
static bool read_session(struct fuzz_in *in, uint8_t flags, struct vc_sess_shape *sh)
{
	struct vc_session_desc d;
	size_t n = (size_t)fuzz_take(in, 2), avail = fuzz_left(in);
	struct fuzz_in sub = {.p = in->p + (in->off < in->len ? in->off : in->len),
			      .len = n < avail ? n : avail};
	bool ok;
	int iv;

	if (flags & 0x80) {
		ok = session_from_record(&sub, &d);
	} else {
		/* An exact-size copy: ASan sees any read past the payload. */
		uint8_t *buf = malloc(sub.len ? sub.len : 1);

		FUZZ_CHECK(buf);
		if (sub.len)
			memcpy(buf, sub.p, sub.len);
		ok = vcrypto__session_decode((enum vcrypto_session_layout)(flags & 3), buf, sub.len,
					     &d, NULL) == 0;
		free(buf);
	}
	in->off += n;
	if (!ok)
		return false;
	/* As vc_sess_create() (lib/host/engine.c). */
	memset(sh, 0, sizeof(*sh));
	sh->d = d;
	explicit_bzero(sh->d.cipher_key, sizeof(sh->d.cipher_key));
	explicit_bzero(sh->d.auth_key, sizeof(sh->d.auth_key));
	iv = vcrypto__session_iv_len(&d);
	sh->iv_len = iv >= 0 ? iv : -1;
	sh->block = vcrypto__session_block_len(&d);
	sh->digest_len = d.digest_len;
	FUZZ_CHECK(sh->block >= 1);
	FUZZ_CHECK(sh->digest_len <= VCRYPTO_MAX_DIGEST_LEN);
	return true;
}

/* ---- where the device may write ---- */

/* Host buffers of the image: one per region, or the one adjacent block. */
struct shadow {
	uint32_t n;
	uint8_t *base[FUZZ_MAX_REGIONS];
	uint64_t len[FUZZ_MAX_REGIONS];
	uint32_t *cnt[FUZZ_MAX_REGIONS]; /* writable segments covering each byte */
	bool aliased;			 /* some byte is in two writable segments */
};

static bool locate(const struct shadow *sw, const uint8_t *p, uint64_t len, uint32_t *b,
		   uint64_t *off)
{
	for (uint32_t i = 0; i < sw->n; i++)
		if (p >= sw->base[i] && (uint64_t)(p - sw->base[i]) <= sw->len[i] &&
		    sw->len[i] - (uint64_t)(p - sw->base[i]) >= len) {
			*b = i;
			*off = (uint64_t)(p - sw->base[i]);
			return true;
		}
	return false;
}

/* Count, for every host byte, the writable segments of the chain covering it. */
static void shadow_build(struct shadow *sw, const struct fuzz_guest *g, const struct vc_chain *c)
{
	memset(sw, 0, sizeof(*sw));
	if (g->block) {
		sw->n = 1;
		sw->base[0] = g->block;
		sw->len[0] = g->total;
	} else {
		sw->n = g->mt.n;
		for (uint32_t i = 0; i < g->mt.n; i++) {
			sw->base[i] = g->buf[i];
			sw->len[i] = g->size[i];
		}
	}
	for (uint32_t i = 0; i < sw->n; i++) {
		sw->cnt[i] = calloc(sw->len[i] + 1, sizeof(uint32_t));
		FUZZ_CHECK(sw->cnt[i]);
	}
	/* Difference array, then prefix sums. */
	for (uint32_t k = c->nr; k < c->nr + c->nw; k++) {
		uint32_t b;
		uint64_t off;

		FUZZ_CHECK(locate(sw, c->segs[k].hva, c->segs[k].len, &b, &off));
		sw->cnt[b][off]++;
		sw->cnt[b][off + c->segs[k].len]--;
	}
	for (uint32_t i = 0; i < sw->n; i++) {
		uint32_t run = 0;

		for (uint64_t k = 0; k < sw->len[i]; k++) {
			run += sw->cnt[i][k];
			sw->cnt[i][k] = run;
			if (run > 1)
				sw->aliased = true;
		}
	}
}

static void shadow_free(struct shadow *sw)
{
	for (uint32_t i = 0; i < sw->n; i++)
		free(sw->cnt[i]);
}

/* Every byte of [p, p + len) is inside a writable segment of the chain. */
static bool shadow_writable(const struct shadow *sw, const uint8_t *p, uint64_t len)
{
	uint32_t b;
	uint64_t off;

	if (!locate(sw, p, len, &b, &off))
		return false;
	for (uint64_t k = 0; k < len; k++)
		if (!sw->cnt[b][off + k])
			return false;
	return true;
}

static void poison(const struct shadow *sw)
{
	for (uint32_t i = 0; i < sw->n; i++)
		memset(sw->base[i], 0, sw->len[i]);
}

/*
 * After a poison and the writes of one completion: every non-zero byte is in
 * a writable segment; without aliasing, the W stream holds exactly what was
 * written (result, digest, then the status mark in its last byte).
 */
static void scan(const struct shadow *sw, const struct vc_chain *c, const uint8_t *expect,
		 uint64_t elen)
{
	uint64_t nz = 0;

	for (uint32_t i = 0; i < sw->n; i++)
		for (uint64_t k = 0; k < sw->len[i]; k++)
			if (sw->base[i][k]) {
				FUZZ_CHECK(sw->cnt[i][k] > 0);
				nz++;
			}
	FUZZ_CHECK(nz <= elen + 1);
	if (!sw->aliased) {
		uint8_t *got = malloc(elen ? elen : 1);

		FUZZ_CHECK(got);
		FUZZ_CHECK(nz == elen + 1);
		FUZZ_CHECK(vc_stream_read(c->segs + c->nr, c->nw, 0, got, elen) == 0);
		FUZZ_CHECK(!elen || !memcmp(got, expect, elen));
		free(got);
		FUZZ_CHECK(*c->status_hva == STATUS_MARK);
	}
}

/*
 * The status byte of a completion that carries data: finalize() uses the
 * address found at fetch while the memory table is unchanged (@fast), else
 * translates it again; both must be the same byte, inside the last
 * writable descriptor.
 */
static void put_status(const struct fuzz_guest *g, const struct shadow *sw,
		       const struct vc_chain *c, bool fast)
{
	uint8_t *sh = fast ? c->status_hva : vc_mem_contig(&g->mt, c->status_gpa, 1);
	const struct vc_seg *l = &c->segs[c->nr + c->nw - 1];

	FUZZ_CHECK(sh && sh == c->status_hva && sh == l->hva + l->len - 1);
	FUZZ_CHECK(shadow_writable(sw, sh, 1));
	*sh = STATUS_MARK;
}

/* A completion without data: the status byte where vc_parse_request() found it. */
static void complete_now(const struct fuzz_guest *g, const struct vc_chain *c, int wret, int st)
{
	uint32_t tn;
	const struct vc_desc *t;

	FUZZ_CHECK(st >= VCRYPTO_STATUS_OK && st <= VCRYPTO_STATUS_KEY_REJECTED);
	FUZZ_CHECK(c->status_ok && c->status_hva);
	FUZZ_CHECK(fuzz_span_ok(g, c->status_gpa, c->status_hva, 1));
	t = fuzz_walked_table(g, c, &tn);
	FUZZ_CHECK(fuzz_is_write_desc_end(t, tn, c->status_gpa));
	if (wret == 0) {
		const struct vc_seg *l = &c->segs[c->nr + c->nw - 1];

		FUZZ_CHECK(c->nw && l->hva + l->len - 1 == c->status_hva &&
			   l->gpa + l->len - 1 == c->status_gpa);
	}
	*(volatile uint8_t *)c->status_hva = (uint8_t)st;
}

/* ---- the plan ---- */

/* What an OK plan promises (parse.h), and that it agrees with header and session. */
static void check_plan(const struct req_in *r, const struct vc_op_data_req *h,
		       const struct vc_chain *c, const struct vc_plan *pl)
{
	const struct vc_sess_shape *s = &r->sh;
	uint32_t op = h->header.opcode;

	FUZZ_CHECK((uint64_t)pl->src_off + pl->src_len <= c->rlen);
	FUZZ_CHECK((uint64_t)pl->dst_len + pl->dig_len + 1 <= c->wlen);
	FUZZ_CHECK(pl->src_off == VC_REQ_HDR_LEN + pl->iv_len + pl->aad_len);
	FUZZ_CHECK(pl->iv_len <= VCRYPTO_MAX_IV_LEN && pl->aad_len <= VC_MAX_AAD_LEN);
	FUZZ_CHECK(pl->src_len <= r->max_req);
	FUZZ_CHECK(pl->data_len <= pl->src_len);
	FUZZ_CHECK(pl->dst_len <= pl->data_len); /* the result comes from the data buffer */
	FUZZ_CHECK(pl->dig_len <= VCRYPTO_MAX_DIGEST_LEN);
	FUZZ_CHECK((uint64_t)pl->c_off + pl->c_len <= pl->data_len);
	FUZZ_CHECK((uint64_t)pl->h_off + pl->h_len <= pl->data_len);
	if (pl->dig_len)
		FUZZ_CHECK(pl->dig_woff >= pl->dst_len &&
			   (uint64_t)pl->dig_woff + pl->dig_len + 1 <= c->wlen);
	switch (pl->kind) {
	case VC_K_CIPHER:
	case VC_K_CHAIN:
		FUZZ_CHECK(op == VC_CIPHER_ENCRYPT || op == VC_CIPHER_DECRYPT);
		FUZZ_CHECK(s->d.type == (pl->kind == VC_K_CIPHER ? VCRYPTO_SESSION_CIPHER :
								   VCRYPTO_SESSION_CHAIN));
		FUZZ_CHECK(s->d.direction ==
			   (op == VC_CIPHER_ENCRYPT ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT));
		FUZZ_CHECK(s->iv_len >= 0 && pl->iv_len == (uint32_t)s->iv_len);
		FUZZ_CHECK(pl->c_len % s->block == 0);
		FUZZ_CHECK(pl->dst_len == pl->src_len && pl->data_len == pl->src_len);
		if (r->max_cipher)
			FUZZ_CHECK(pl->c_len <= r->max_cipher);
		if (pl->kind == VC_K_CIPHER)
			FUZZ_CHECK(pl->src_len == h->u.sym_req.u.cipher.para.src_data_len &&
				   pl->src_len > 0 && pl->dig_len == 0 && pl->aad_len == 0);
		else
			FUZZ_CHECK(pl->src_len == h->u.sym_req.u.chain.src_data_len &&
				   pl->dig_len == s->digest_len &&
				   h->u.sym_req.u.chain.hash_result_len == s->digest_len &&
				   pl->dig_woff == pl->dst_len);
		break;
	case VC_K_HASH:
		FUZZ_CHECK(op == VC_HASH || op == VC_MAC);
		FUZZ_CHECK(s->d.type ==
			   (op == VC_HASH ? VCRYPTO_SESSION_HASH : VCRYPTO_SESSION_MAC));
		FUZZ_CHECK(pl->dst_len == 0 && pl->dig_len == s->digest_len && pl->dig_woff == 0);
		FUZZ_CHECK(pl->iv_len == 0 && pl->h_len == pl->src_len);
		break;
	case VC_K_AEAD:
		FUZZ_CHECK(op == VC_AEAD_ENCRYPT || op == VC_AEAD_DECRYPT);
		FUZZ_CHECK(s->d.type == VCRYPTO_SESSION_AEAD);
		FUZZ_CHECK(s->d.direction ==
			   (op == VC_AEAD_ENCRYPT ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT));
		FUZZ_CHECK(s->iv_len >= 0 && pl->iv_len == (uint32_t)s->iv_len);
		FUZZ_CHECK(pl->aad_len == s->d.aad_len);
		FUZZ_CHECK(pl->data_len <= VC_BIG_BUF);
		FUZZ_CHECK(pl->aead_dec == (op == VC_AEAD_DECRYPT));
		if (pl->aead_dec) {
			/* The tag follows the data, inside the source. */
			FUZZ_CHECK(pl->dig_len == 0 && pl->tag_roff == pl->src_off + pl->data_len);
			FUZZ_CHECK((uint64_t)pl->data_len + s->digest_len == pl->src_len);
			FUZZ_CHECK((uint64_t)pl->tag_roff + s->digest_len <= c->rlen);
		} else {
			FUZZ_CHECK(pl->dig_len == s->digest_len && pl->dig_woff == pl->src_len);
			FUZZ_CHECK(pl->data_len == pl->src_len);
		}
		FUZZ_CHECK(pl->dst_len == pl->data_len);
		break;
	default:
		FUZZ_CHECK(!"plan kind");
	}
}

/* ---- fetch_one() and finalize() ---- */

static void fill(uint8_t *p, uint64_t n, uint8_t base)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = (uint8_t)(1 + (base + i) % 251); /* never 0 */
}

/* One piece of the result or digest, as finalize()'s out_write(). */
static int out_write(const struct fuzz_guest *g, const struct vc_out_seg *out, uint32_t nout,
		     bool fast, uint64_t off, const void *src, uint64_t len)
{
	return fast ? vc_out_write(out, nout, off, src, len) :
		      vc_mem_write_out(&g->mt, out, nout, off, src, len);
}

/*
 * finalize() in copy mode on guest memory just zeroed: the result from one
 * buffer (AEAD over several mbufs) or per mbuf of MBUF_DATA bytes, the
 * digest, the status byte. Every write succeeds; one past the pieces is
 * refused.
 */
static void write_back(const struct fuzz_guest *g, const struct shadow *sw,
		       const struct vc_chain *c, const struct vc_plan *pl,
		       const struct vc_out_seg *out, uint32_t nout, uint32_t nmb,
		       const uint8_t *res, const uint8_t *dig, bool fast)
{
	poison(sw);
	if (pl->kind == VC_K_AEAD && nmb > 1) {
		FUZZ_CHECK(out_write(g, out, nout, fast, 0, res, pl->dst_len) == 0);
	} else {
		for (uint64_t off = 0; off < pl->dst_len; off += MBUF_DATA) {
			uint64_t n = pl->dst_len - off > MBUF_DATA ? MBUF_DATA : pl->dst_len - off;

			FUZZ_CHECK(out_write(g, out, nout, fast, off, res + off, n) == 0);
		}
	}
	if (pl->dig_len)
		FUZZ_CHECK(out_write(g, out, nout, fast, pl->dig_woff, dig, pl->dig_len) == 0);
	FUZZ_CHECK(out_write(g, out, nout, fast, (uint64_t)pl->dst_len + pl->dig_len, "x", 1) ==
		   -ERANGE);
	put_status(g, sw, c, fast);
}

/* [p, p + 1) is inside a region of @t. */
static bool in_table(const struct vc_memtab *t, const uint8_t *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	for (uint32_t i = 0; i < t->n; i++)
		if (a >= t->r[i].hva && a - t->r[i].hva < t->r[i].size)
			return true;
	return false;
}

/*
 * Flags bit 5: the guest's memory table changed between fetch and finalize
 * (its last region halved, or with bit 6 gone), so finalize() translates
 * again. A write may now fail (-EFAULT: the request completes with ERR) and
 * the status byte be gone (used length 0), but nothing may land outside the
 * new table's regions or outside the writable descriptors.
 */
static void write_back_moved(const struct fuzz_guest *g, const struct shadow *sw,
			     const struct req_in *r, const struct vc_chain *c,
			     const struct vc_plan *pl, const struct vc_out_seg *out, uint32_t nout,
			     uint32_t nmb, const uint8_t *res, const uint8_t *dig,
			     const uint8_t *expect)
{
	struct vc_memtab nt = g->mt;
	uint8_t *sh;
	int err = 0;

	if (r->flags & 0x40)
		nt.n--;
	else
		nt.r[nt.n - 1].size /= 2;
	poison(sw);
	if (pl->kind == VC_K_AEAD && nmb > 1) {
		err = vc_mem_write_out(&nt, out, nout, 0, res, pl->dst_len);
	} else {
		for (uint64_t off = 0; off < pl->dst_len && !err; off += MBUF_DATA) {
			uint64_t n = pl->dst_len - off > MBUF_DATA ? MBUF_DATA : pl->dst_len - off;

			err = vc_mem_write_out(&nt, out, nout, off, res + off, n);
		}
	}
	if (!err && pl->dig_len)
		err = vc_mem_write_out(&nt, out, nout, pl->dig_woff, dig, pl->dig_len);
	FUZZ_CHECK(err == 0 || err == -EFAULT);
	sh = vc_mem_contig(&nt, c->status_gpa, 1);
	if (fuzz_verbose())
		fprintf(stderr, "  memory table changed: write %d, status byte %s\n", err,
			sh ? "found" : "gone");
	if (sh) {
		FUZZ_CHECK(sh == c->status_hva);
		*sh = err ? VCRYPTO_STATUS_ERR : STATUS_MARK;
	}
	for (uint32_t i = 0; i < sw->n; i++)
		for (uint64_t k = 0; k < sw->len[i]; k++)
			if (sw->base[i][k])
				FUZZ_CHECK(sw->cnt[i][k] > 0 && in_table(&nt, sw->base[i] + k));
	if (!err && sh)
		scan(sw, c, expect, (uint64_t)pl->dst_len + pl->dig_len);
}

/* Copy mode: what fetch_one() reads, then finalize() writing the result back. */
static void copy_path(const struct fuzz_guest *g, const struct shadow *sw, const struct req_in *r,
		      const struct vc_chain *c, const struct vc_plan *pl, const uint8_t *expect,
		      uint8_t *res)
{
	const struct vc_seg *rs = c->segs, *ws = c->segs + c->nr;
	struct vc_seg outs[OUT_SEGS];
	struct vc_out_seg out[OUT_SEGS];
	/* The op's private area (struct vc_op_priv), each part its own exact buffer. */
	uint8_t *iv = malloc(VCRYPTO_MAX_IV_LEN), *dig = malloc(VCRYPTO_MAX_DIGEST_LEN),
		*aad = malloc(VC_MAX_AAD_LEN);
	uint64_t wl = (uint64_t)pl->dst_len + pl->dig_len, sum = 0;
	uint32_t nmb = pl->data_len ? (pl->data_len + MBUF_DATA - 1) / MBUF_DATA : 1;
	int nout;

	FUZZ_CHECK(iv && dig && aad);
	nout = vc_stream_range(ws, c->nw, 0, wl, outs, OUT_SEGS);
	/* An OK plan's output fits the W stream: only too many pieces may fail. */
	FUZZ_CHECK(nout >= 0 || nout == -E2BIG);
	if (fuzz_verbose())
		fprintf(stderr, "  copy: %d output pieces\n", nout);
	if (nout < 0) {
		complete_now(g, c, 0, VCRYPTO_STATUS_ERR);
		goto out;
	}
	for (int i = 0; i < nout; i++) {
		FUZZ_CHECK(outs[i].len > 0 &&
			   fuzz_span_ok(g, outs[i].gpa, outs[i].hva, outs[i].len));
		FUZZ_CHECK(shadow_writable(sw, outs[i].hva, outs[i].len));
		out[i].gpa = outs[i].gpa;
		out[i].len = outs[i].len;
		out[i].hva = outs[i].hva;
		sum += outs[i].len;
	}
	FUZZ_CHECK(sum == wl);
	/* The source, into mbufs of MBUF_DATA bytes (one, or a chain: copy_mbufs()). */
	for (uint32_t i = 0, done = 0; i < nmb; i++) {
		uint32_t n = pl->data_len - done > MBUF_DATA ? MBUF_DATA : pl->data_len - done;
		uint8_t *m = malloc(MBUF_DATA);

		FUZZ_CHECK(m);
		FUZZ_CHECK(vc_stream_read(rs, c->nr, (uint64_t)pl->src_off + done, m, n) == 0);
		free(m);
		done += n;
	}
	if (pl->iv_len)
		FUZZ_CHECK(vc_stream_read(rs, c->nr, VC_REQ_HDR_LEN, iv, pl->iv_len) == 0);
	if (pl->kind == VC_K_AEAD && pl->aad_len)
		FUZZ_CHECK(vc_stream_read(rs, c->nr, VC_REQ_HDR_LEN + pl->iv_len, aad,
					  pl->aad_len) == 0);
	if (pl->aead_dec)
		FUZZ_CHECK(vc_stream_read(rs, c->nr, pl->tag_roff, dig, r->sh.digest_len) == 0);

	/* finalize(): through the planned host addresses, and translated again. */
	memcpy(res, expect, pl->dst_len);
	if (pl->dig_len)
		memcpy(dig, expect + pl->dig_woff, pl->dig_len);
	write_back(g, sw, c, pl, out, (uint32_t)nout, nmb, res, dig, true);
	scan(sw, c, expect, wl);
	write_back(g, sw, c, pl, out, (uint32_t)nout, nmb, res, dig, false);
	scan(sw, c, expect, wl);
	if (r->flags & 0x20)
		write_back_moved(g, sw, r, c, pl, out, (uint32_t)nout, nmb, res, dig, expect);
out:
	free(iv);
	free(dig);
	free(aad);
}

/* Zero copy: the device reads and writes guest memory directly. */
static void zc_path(const struct fuzz_guest *g, const struct shadow *sw, const struct req_in *r,
		    const struct vc_chain *c, const struct vc_plan *pl, const uint8_t *expect)
{
	const struct vc_seg *rs = c->segs, *ws = c->segs + c->nr;
	uint8_t *zsrc, *zdst = NULL, *zdig = NULL, *tmp;
	bool zc;

	if (!pl->data_len || pl->data_len > UINT16_MAX)
		return;
	zsrc = vc_stream_contig(rs, c->nr, pl->src_off, pl->data_len);
	if (pl->dst_len)
		zdst = vc_stream_contig(ws, c->nw, 0, pl->dst_len);
	if (pl->dig_len)
		zdig = vc_stream_contig(ws, c->nw, pl->dig_woff, pl->dig_len);
	else if (pl->aead_dec)
		zdig = vc_stream_contig(rs, c->nr, pl->tag_roff, r->sh.digest_len);
	zc = zsrc && (!pl->dst_len || zdst) && (!(pl->dig_len || pl->aead_dec) || zdig);
	if (zc && pl->dst_len && zdst != zsrc && pl->kind != VC_K_CIPHER && pl->kind != VC_K_AEAD)
		zc = false;
	if (zc && pl->dst_len && zdst != zsrc && !(r->flags & 0x04))
		zc = false;
	if (fuzz_verbose())
		fprintf(stderr, "  zero copy: %s\n", zc ? "yes" : "no");
	if (!zc)
		return;

	/* What the device reads: inside guest memory, the planned stream bytes. */
	tmp = malloc(pl->data_len + (uint64_t)VCRYPTO_MAX_DIGEST_LEN);
	FUZZ_CHECK(tmp);
	FUZZ_CHECK(fuzz_host_ok(g, zsrc, pl->data_len));
	FUZZ_CHECK(vc_stream_read(rs, c->nr, pl->src_off, tmp, pl->data_len) == 0);
	FUZZ_CHECK(!memcmp(tmp, zsrc, pl->data_len));
	if (pl->aead_dec && r->sh.digest_len) {
		FUZZ_CHECK(fuzz_host_ok(g, zdig, r->sh.digest_len));
		FUZZ_CHECK(vc_stream_read(rs, c->nr, pl->tag_roff, tmp, r->sh.digest_len) == 0);
		FUZZ_CHECK(!memcmp(tmp, zdig, r->sh.digest_len));
	}
	free(tmp);
	/* What it writes: inside the writable descriptors. */
	if (pl->dst_len)
		FUZZ_CHECK(shadow_writable(sw, zdst, pl->dst_len));
	if (pl->dig_len)
		FUZZ_CHECK(shadow_writable(sw, zdig, pl->dig_len));

	poison(sw);
	if (pl->dst_len)
		memcpy(zdst, expect, pl->dst_len);
	if (pl->dig_len)
		memcpy(zdig, expect + pl->dig_woff, pl->dig_len);
	put_status(g, sw, c, true);
	scan(sw, c, expect, (uint64_t)pl->dst_len + pl->dig_len);
}

static void run(const struct fuzz_guest *g, const struct req_in *r)
{
	struct vc_chain c = {.segs = g->segs, .cap = g->cap};
	struct vc_op_data_req h;
	struct vc_plan pl;
	struct shadow sw;
	uint8_t *expect, *res;
	uint64_t wl;
	int st, wret = 1;

	st = vc_parse_request(&g->mt, g->table, g->qsize, g->head, g->max_descs, g->ind, &c, &h,
			      &wret);
	if (fuzz_verbose())
		fprintf(stderr, "parse: %d (walk %d, rlen %llu, wlen %llu, status_ok %d)\n", st,
			wret, (unsigned long long)c.rlen, (unsigned long long)c.wlen, c.status_ok);
	FUZZ_CHECK(wret <= 0);
	FUZZ_CHECK(vc_walk_strerror(wret) && *vc_walk_strerror(wret)); /* what the log says */
	if (st < 0) {
		FUZZ_CHECK(st == -1 && !c.status_ok);
		return;
	}
	FUZZ_CHECK(c.status_ok);
	if (st != VCRYPTO_STATUS_OK) {
		FUZZ_CHECK(st == VCRYPTO_STATUS_BADMSG || st == VCRYPTO_STATUS_NOTSUPP);
		if (st == VCRYPTO_STATUS_BADMSG)
			FUZZ_CHECK(wret < 0 || c.rlen < VC_REQ_HDR_LEN);
		complete_now(g, &c, wret, st);
		return;
	}
	/* A clean chain with a whole header, read from the R stream. */
	FUZZ_CHECK(wret == 0 && c.rlen >= VC_REQ_HDR_LEN);
	{
		struct vc_op_data_req h2;

		FUZZ_CHECK(vc_stream_read(c.segs, c.nr, 0, &h2, sizeof(h2)) == 0);
		FUZZ_CHECK(!memcmp(&h, &h2, sizeof(h)));
	}
	if (!r->have_sess) {
		complete_now(g, &c, wret, VCRYPTO_STATUS_INVSESS);
		return;
	}
	st = vc_plan_request(&h, &r->sh, r->max_req, r->max_cipher, &c, &pl);
	if (fuzz_verbose())
		fprintf(stderr,
			"plan: %d kind %u iv %u aad %u src %u+%u data %u dst %u dig %u@%u tag %u\n",
			st, pl.kind, pl.iv_len, pl.aad_len, pl.src_off, pl.src_len, pl.data_len,
			pl.dst_len, pl.dig_len, pl.dig_woff, pl.tag_roff);
	if (st != VCRYPTO_STATUS_OK) {
		FUZZ_CHECK(st == VCRYPTO_STATUS_BADMSG || st == VCRYPTO_STATUS_NOTSUPP);
		complete_now(g, &c, wret, st);
		return;
	}
	check_plan(r, &h, &c, &pl);

	/* The bytes a completion writes: the result, then the digest. */
	wl = (uint64_t)pl.dst_len + pl.dig_len;
	expect = malloc(wl ? wl : 1);
	res = malloc(pl.data_len ? pl.data_len : 1); /* the result buffer: data_len bytes */
	FUZZ_CHECK(expect && res);
	fill(expect, wl, (uint8_t)pl.kind);
	shadow_build(&sw, g, &c);
	/* Zero copy first: the copy path's poison clears what it would read. */
	zc_path(g, &sw, r, &c, &pl, expect);
	copy_path(g, &sw, r, &c, &pl, expect, res);
	shadow_free(&sw);
	free(res);
	free(expect);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {.p = data, .len = size};
	struct fuzz_guest g;
	struct req_in r;
	uint32_t cap = 0;

	memset(&r, 0, sizeof(r));
	r.flags = (uint8_t)fuzz_take(&in, 1);
	r.max_req = (uint32_t)fuzz_take(&in, 4);
	if (!r.max_req)
		r.max_req = PORT_MAX_REQ;
	r.max_cipher = (uint32_t)fuzz_take(&in, 4);
	r.have_sess = read_session(&in, r.flags, &r.sh) && !(r.flags & 0x10);
	if (r.flags & 0x08) {
		/* The image's max_descs (u16 mod 4097) is 17 bytes in: peek at it. */
		struct fuzz_in peek = in;
		uint32_t nreg = 1 + (uint32_t)((fuzz_take(&peek, 1) & 0x7f) % FUZZ_MAX_REGIONS);

		peek.off += nreg * 10 + 4;
		cap = (uint32_t)(fuzz_take(&peek, 2) % 4097) * 2 + 16;
	}
	fuzz_guest_load(&g, &in, cap);
	if (fuzz_verbose())
		fprintf(stderr, "session: %s (type %d iv %d block %u digest %u aad %u)\n",
			r.have_sess ? "yes" : "none", r.sh.d.type, r.sh.iv_len, r.sh.block,
			r.sh.digest_len, r.sh.d.aad_len);
	run(&g, &r);
	fuzz_guest_free(&g);
	return 0;
}
