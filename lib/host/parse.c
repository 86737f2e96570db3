/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Request parsing (see parse.h): no DPDK here, so it can be fuzzed. */

#include <errno.h>
#include <string.h>

#include <vcrypto/crypto.h>

#include "host/parse.h"

const char *vc_walk_strerror(int err)
{
	switch (err) {
	case -ERANGE:
		return "descriptor index out of range";
	case -ELOOP:
		return "descriptor loop or chain too long";
	case -EPROTO:
		return "bad indirect descriptor";
	case -EFAULT:
		return "buffer outside guest memory";
	case -EINVAL:
		return "writable descriptor before a readable one";
	case -E2BIG:
		return "too many pieces";
	case 0:
		return "no status byte";
	default:
		return "malformed";
	}
}

int vc_parse_request(const struct vc_memtab *mt, const volatile struct vc_desc *table,
		     uint32_t qsize, uint32_t head, uint32_t max_descs, struct vc_desc *ind_scratch,
		     struct vc_chain *c, struct vc_op_data_req *h, int *walk_ret)
{
	int ret;

	if (head >= qsize) {
		c->status_ok = false;
		*walk_ret = -ERANGE;
		return -1;
	}
	ret = vc_walk_chain(mt, table, qsize, head, max_descs, ind_scratch, c);
	*walk_ret = ret;
	if (!c->status_ok)
		return -1;
	if (ret < 0 || c->rlen < VC_REQ_HDR_LEN)
		return VCRYPTO_STATUS_BADMSG;
	if (c->nr && c->segs[0].len >= sizeof(*h))
		memcpy(h, c->segs[0].hva, sizeof(*h)); /* constant size: inlined */
	else
		vc_stream_read(c->segs, c->nr, 0, h, sizeof(*h));
	switch (h->header.opcode) {
	case VC_CIPHER_ENCRYPT:
	case VC_CIPHER_DECRYPT:
	case VC_HASH:
	case VC_MAC:
	case VC_AEAD_ENCRYPT:
	case VC_AEAD_DECRYPT:
		return VCRYPTO_STATUS_OK;
	default:
		return VCRYPTO_STATUS_NOTSUPP;
	}
}

/* Validate a request against its session; returns a virtio status. */
uint8_t vc_plan_request(const struct vc_op_data_req *h, const struct vc_sess_shape *s, uint32_t max,
			uint32_t max_cipher_len, const struct vc_chain *c, struct vc_plan *pl)
{
	const struct vc_session_desc *d = &s->d;
	uint32_t op = h->header.opcode;
	uint64_t rneed, wneed;

	memset(pl, 0, sizeof(*pl));
	switch (op) {
	case VC_CIPHER_ENCRYPT:
	case VC_CIPHER_DECRYPT: {
		uint32_t want = op == VC_CIPHER_ENCRYPT ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT;
		uint32_t ot = h->u.sym_req.op_type;

		if (ot == VC_SYM_OP_CIPHER) {
			const struct vc_cipher_para *cp = &h->u.sym_req.u.cipher.para;

			if (d->type != VCRYPTO_SESSION_CIPHER || d->direction != want)
				return VCRYPTO_STATUS_BADMSG;
			pl->kind = VC_K_CIPHER;
			pl->iv_len = cp->iv_len;
			pl->src_len = cp->src_data_len;
			if (cp->dst_data_len != cp->src_data_len)
				return VCRYPTO_STATUS_BADMSG;
			pl->data_len = pl->src_len;
			pl->dst_len = pl->src_len;
			pl->c_len = pl->src_len;
		} else if (ot == VC_SYM_OP_CHAIN) {
			const struct vc_chain_para *ch = &h->u.sym_req.u.chain;

			if (d->type != VCRYPTO_SESSION_CHAIN || d->direction != want)
				return VCRYPTO_STATUS_BADMSG;
			pl->kind = VC_K_CHAIN;
			pl->iv_len = ch->iv_len;
			pl->aad_len = ch->aad_len;
			pl->src_len = ch->src_data_len;
			if (ch->dst_data_len != ch->src_data_len || ch->aad_len != d->aad_len ||
			    ch->hash_result_len != s->digest_len)
				return VCRYPTO_STATUS_BADMSG;
			if ((uint64_t)ch->cipher_start_src_offset + ch->len_to_cipher >
				    pl->src_len ||
			    (uint64_t)ch->hash_start_src_offset + ch->len_to_hash > pl->src_len)
				return VCRYPTO_STATUS_BADMSG;
			if (ch->len_to_cipher & (s->block - 1))
				return VCRYPTO_STATUS_BADMSG;
			pl->c_off = ch->cipher_start_src_offset;
			pl->c_len = ch->len_to_cipher;
			pl->h_off = ch->hash_start_src_offset;
			pl->h_len = ch->len_to_hash;
			pl->data_len = pl->src_len;
			pl->dst_len = pl->src_len;
			pl->dig_len = s->digest_len;
			pl->dig_woff = pl->dst_len;
		} else if (ot == VC_SYM_OP_NONE) {
			return VCRYPTO_STATUS_BADMSG;
		} else {
			return VCRYPTO_STATUS_NOTSUPP;
		}
		if (pl->kind == VC_K_CIPHER && (pl->src_len == 0 || pl->src_len & (s->block - 1)))
			return VCRYPTO_STATUS_BADMSG;
		if (pl->iv_len != (uint32_t)s->iv_len)
			return VCRYPTO_STATUS_BADMSG;
		break;
	}
	case VC_HASH:
	case VC_MAC: {
		const struct vc_hash_para *hp = op == VC_HASH ? &h->u.hash_req.para :
								&h->u.mac_req.para;

		if (d->type != (op == VC_HASH ? VCRYPTO_SESSION_HASH : VCRYPTO_SESSION_MAC))
			return VCRYPTO_STATUS_BADMSG;
		if (hp->hash_result_len != s->digest_len)
			return VCRYPTO_STATUS_BADMSG;
		pl->kind = VC_K_HASH;
		pl->src_len = hp->src_data_len;
		pl->data_len = pl->src_len;
		pl->h_len = pl->src_len;
		pl->dig_len = s->digest_len;
		pl->dig_woff = 0;
		break;
	}
	case VC_AEAD_ENCRYPT:
	case VC_AEAD_DECRYPT: {
		const struct vc_aead_para *ap = &h->u.aead_req.para;
		bool enc = op == VC_AEAD_ENCRYPT;

		if (d->type != VCRYPTO_SESSION_AEAD ||
		    d->direction != (enc ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT))
			return VCRYPTO_STATUS_BADMSG;
		pl->kind = VC_K_AEAD;
		pl->iv_len = ap->iv_len;
		pl->aad_len = ap->aad_len;
		pl->src_len = ap->src_data_len;
		if (pl->iv_len != (uint32_t)s->iv_len || pl->aad_len != d->aad_len)
			return VCRYPTO_STATUS_BADMSG;
		if (enc) {
			if ((uint64_t)ap->dst_data_len !=
			    (uint64_t)ap->src_data_len + s->digest_len)
				return VCRYPTO_STATUS_BADMSG;
			pl->data_len = pl->src_len;
			pl->dst_len = pl->src_len;
			pl->dig_len = s->digest_len;
			pl->dig_woff = pl->src_len;
		} else {
			if (ap->src_data_len < s->digest_len ||
			    ap->dst_data_len != ap->src_data_len - s->digest_len)
				return VCRYPTO_STATUS_BADMSG;
			pl->aead_dec = true;
			pl->data_len = ap->dst_data_len;
			pl->dst_len = ap->dst_data_len;
		}
		/* The result must fit one contiguous destination buffer. */
		if (pl->data_len > VC_BIG_BUF)
			return VCRYPTO_STATUS_NOTSUPP;
		break;
	}
	default:
		return VCRYPTO_STATUS_NOTSUPP;
	}
	if (pl->src_len > max || pl->iv_len > VCRYPTO_MAX_IV_LEN || pl->aad_len > VC_MAX_AAD_LEN)
		return VCRYPTO_STATUS_BADMSG;
	if ((pl->kind == VC_K_CIPHER || pl->kind == VC_K_CHAIN) && max_cipher_len &&
	    pl->c_len > max_cipher_len)
		return VCRYPTO_STATUS_NOTSUPP;
	pl->src_off = VC_REQ_HDR_LEN + pl->iv_len + pl->aad_len;
	if (pl->aead_dec)
		pl->tag_roff = pl->src_off + pl->data_len;
	rneed = (uint64_t)pl->src_off + pl->src_len;
	wneed = (uint64_t)pl->dst_len + pl->dig_len + 1;
	if (rneed > c->rlen || wneed > c->wlen)
		return VCRYPTO_STATUS_BADMSG;
	return VCRYPTO_STATUS_OK;
}
