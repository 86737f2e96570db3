/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * virtio-crypto data request wire format (VIRTIO 1.2, section 5.9), written
 * from the specification. Internal: shared by the guest and host libraries.
 * All multi-byte fields are little-endian.
 */
#ifndef VCRYPTO_VIRTIO_CRYPTO_WIRE_H
#define VCRYPTO_VIRTIO_CRYPTO_WIRE_H

#include <stdint.h>

/* Services */
#define VC_SERVICE_CIPHER 0u
#define VC_SERVICE_HASH 1u
#define VC_SERVICE_MAC 2u
#define VC_SERVICE_AEAD 3u
#define VC_OPCODE(service, op) (((service) << 8) | (op))

/* Control op codes (carried in the session message's op code field). */
#define VC_CIPHER_CREATE_SESSION VC_OPCODE(VC_SERVICE_CIPHER, 0x02)
#define VC_CIPHER_DESTROY_SESSION VC_OPCODE(VC_SERVICE_CIPHER, 0x03)
#define VC_HASH_CREATE_SESSION VC_OPCODE(VC_SERVICE_HASH, 0x02)
#define VC_MAC_CREATE_SESSION VC_OPCODE(VC_SERVICE_MAC, 0x02)
#define VC_AEAD_CREATE_SESSION VC_OPCODE(VC_SERVICE_AEAD, 0x02)

/* Data op codes (virtio_crypto_op_header.opcode). */
#define VC_CIPHER_ENCRYPT VC_OPCODE(VC_SERVICE_CIPHER, 0x00)
#define VC_CIPHER_DECRYPT VC_OPCODE(VC_SERVICE_CIPHER, 0x01)
#define VC_HASH VC_OPCODE(VC_SERVICE_HASH, 0x00)
#define VC_MAC VC_OPCODE(VC_SERVICE_MAC, 0x00)
#define VC_AEAD_ENCRYPT VC_OPCODE(VC_SERVICE_AEAD, 0x00)
#define VC_AEAD_DECRYPT VC_OPCODE(VC_SERVICE_AEAD, 0x01)

/* Symmetric op types (sym_req.op_type and session op_type). */
#define VC_SYM_OP_NONE 0u
#define VC_SYM_OP_CIPHER 1u
#define VC_SYM_OP_CHAIN 2u

/* Hash modes of a chain session. */
#define VC_HASH_MODE_PLAIN 1u
#define VC_HASH_MODE_AUTH 2u
#define VC_HASH_MODE_NESTED 3u

struct vc_op_header {
	uint32_t opcode;
	uint32_t algo;
	uint64_t session_id;
	uint32_t flag;
	uint32_t padding;
};

struct vc_cipher_para {
	uint32_t iv_len;
	uint32_t src_data_len;
	uint32_t dst_data_len;
	uint32_t padding;
};

struct vc_hash_para {
	uint32_t src_data_len;
	uint32_t hash_result_len;
};

struct vc_aead_para {
	uint32_t iv_len;
	uint32_t aad_len;
	uint32_t src_data_len;
	uint32_t dst_data_len;
};

struct vc_chain_para {
	uint32_t iv_len;
	uint32_t src_data_len;
	uint32_t dst_data_len;
	uint32_t cipher_start_src_offset;
	uint32_t len_to_cipher;
	uint32_t hash_start_src_offset;
	uint32_t len_to_hash;
	uint32_t aad_len;
	uint32_t hash_result_len;
	uint32_t reserved;
};

struct vc_sym_data_req {
	union {
		struct {
			struct vc_cipher_para para;
			uint8_t padding[24];
		} cipher;
		struct vc_chain_para chain;
		uint8_t padding[40];
	} u;
	uint32_t op_type;
	uint32_t padding;
};

/* The 72-byte request header at the start of the device-readable part. */
struct vc_op_data_req {
	struct vc_op_header header;
	union {
		struct vc_sym_data_req sym_req;
		struct {
			struct vc_hash_para para;
			uint8_t padding[40];
		} hash_req;
		struct {
			struct vc_hash_para para;
			uint8_t padding[40];
		} mac_req;
		struct {
			struct vc_aead_para para;
			uint8_t padding[32];
		} aead_req;
		uint8_t padding[48];
	} u;
};

_Static_assert(sizeof(struct vc_op_header) == 24, "virtio_crypto_op_header");
_Static_assert(sizeof(struct vc_sym_data_req) == 48, "virtio_crypto_sym_data_req");
_Static_assert(sizeof(struct vc_op_data_req) == 72, "virtio_crypto_op_data_req");

/*
 * Request layouts in the descriptor chain (device-readable part first, then
 * device-writable part; the status byte is the last byte of the last
 * device-writable descriptor):
 *   cipher: R[hdr 72][iv][src]                 W[dst][status]
 *   chain:  R[hdr 72][iv][aad][src]            W[dst][hash_result][status]
 *   hash, mac: R[hdr 72][src]                  W[hash_result][status]
 *   aead:   R[hdr 72][iv][aad][src]            W[dst][status]
 */

#endif /* VCRYPTO_VIRTIO_CRYPTO_WIRE_H */
