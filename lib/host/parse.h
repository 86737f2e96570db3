/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Request parsing, with no DPDK dependency (fuzzed over synthetic guest
 * memory by tests/fuzz/fuzz_request.c): walk a request's descriptor chain,
 * read its header, and check it against its session, producing a plan of
 * where every part lies in the chain, or the virtio status to complete it
 * with.
 */
#ifndef VCRYPTO_HOST_PARSE_H
#define VCRYPTO_HOST_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/session_msg.h"
#include "common/virtio_crypto_wire.h"
#include "host/walk.h"

#define VC_REQ_HDR_LEN ((uint32_t)sizeof(struct vc_op_data_req))
#define VC_MAX_AAD_LEN 256
/* Largest AEAD result: the PMDs want one contiguous destination buffer. */
#define VC_BIG_BUF (256u * 1024)

enum vc_kind {
	VC_K_CIPHER = 1,
	VC_K_HASH,
	VC_K_CHAIN,
	VC_K_AEAD,
};

/* What a request needs of its session. */
struct vc_sess_shape {
	struct vc_session_desc d; /* parameters (keys wiped) */
	int iv_len;		  /* required IV length, -1 variable */
	uint32_t block;		  /* data length multiple: 1, 8 or 16 (a power of two) */
	uint32_t digest_len;
};

/* Where the parts of a valid request lie (offsets in the R / W streams). */
struct vc_plan {
	uint8_t kind;
	uint32_t iv_len;
	uint32_t aad_len;
	uint32_t src_off, src_len; /* readable stream */
	uint32_t data_len;	   /* bytes the op works on */
	uint32_t dst_len;	   /* result bytes at W offset 0 */
	uint32_t dig_len, dig_woff;
	uint32_t tag_roff; /* AEAD decrypt: tag in the readable stream */
	bool aead_dec;
	uint32_t c_off, c_len, h_off, h_len;
};

/*
 * Walk the chain at @head of a split ring (@table, @qsize entries) and read
 * its header into @h. Returns:
 *  VCRYPTO_STATUS_OK - @h and @c filled: go on with the session;
 *  another VCRYPTO_STATUS_* - complete now with that status at c->status_hva;
 *  -1 - no usable status byte: complete with used length 0.
 * *walk_ret gets vc_walk_chain()'s result (0 when the head is out of range
 * it is -ERANGE) for diagnostics.
 */
int vc_parse_request(const struct vc_memtab *mt, const volatile struct vc_desc *table,
		     uint32_t qsize, uint32_t head, uint32_t max_descs, struct vc_desc *ind_scratch,
		     struct vc_chain *c, struct vc_op_data_req *h, int *walk_ret);

/*
 * Check a request header against its session and the chain's lengths.
 * @max_request_len bounds the source data; @max_cipher_len (0: none) the
 * cipher length the device handles. Returns VCRYPTO_STATUS_OK with @pl
 * filled, or the status to complete the request with.
 * An OK plan guarantees: src_off + src_len <= c->rlen (and the AEAD tag
 * within it), dst_len + dig_len + 1 <= c->wlen, iv_len <= VCRYPTO_MAX_IV_LEN,
 * aad_len <= VC_MAX_AAD_LEN, AEAD data_len <= VC_BIG_BUF.
 */
uint8_t vc_plan_request(const struct vc_op_data_req *h, const struct vc_sess_shape *s,
			uint32_t max_request_len, uint32_t max_cipher_len, const struct vc_chain *c,
			struct vc_plan *pl);

/* Text for a vc_walk_chain() error, for logs. */
const char *vc_walk_strerror(int err);

#endif /* VCRYPTO_HOST_PARSE_H */
