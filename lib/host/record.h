/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Seed recorder (build option VCRYPTO_RECORD_SEEDS, off by default; never in
 * a release build): writes what real front ends send as inputs of the fuzz
 * targets in tests/fuzz, into the directory named by the environment variable
 * VCRYPTO_RECORD_DIR (nothing is written if it is unset):
 *   session_msg/rec-<layout>-<n>  a CREATE_SESSION payload (mode byte: its layout)
 *   walk/rec-<n>                  a request's descriptor chain and the guest
 *                                 memory it touches, as a fuzz_mem.h image
 *   request/rec-<n>               the same with its session's CREATE payload
 * Guest addresses are packed into at most three small regions (the image's
 * limit); descriptor flags, lengths, order and in-page offsets are kept. Keys
 * in the payloads are written as sent: record only test traffic. One file per
 * distinct chain shape, at most 64 per directory.
 */
#ifndef VCRYPTO_HOST_RECORD_H
#define VCRYPTO_HOST_RECORD_H

#include <stdint.h>

#include "host/walk.h"

#ifdef VCRYPTO_RECORD_SEEDS
void vc_record_session(const void *port, uint64_t id, int layout, const uint8_t *payload,
		       uint32_t len);
void vc_record_request(const void *port, const struct vc_memtab *mt,
		       const volatile struct vc_desc *table, uint32_t qsize, uint16_t head,
		       uint64_t session_id, uint32_t max_descs, uint32_t max_req,
		       uint32_t max_cipher);
#define VC_RECORDING 1
#else
#define vc_record_session(...) ((void)0)
#define vc_record_request(...) ((void)0)
#define VC_RECORDING 0
#endif

#endif /* VCRYPTO_HOST_RECORD_H */
