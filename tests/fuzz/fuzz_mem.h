/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Shared by the fuzz targets that run the host over a fuzzed guest (walk,
 * request): the guest memory image read from the fuzz input, and checks of
 * host addresses against it.
 *
 * Image format (little-endian; missing bytes read as zero):
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
 */
#ifndef VCRYPTO_FUZZ_MEM_H
#define VCRYPTO_FUZZ_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "host/walk.h"

#define FUZZ_MAX_REGIONS 3

struct fuzz_guest {
	struct vc_memtab mt;
	uint8_t *buf[FUZZ_MAX_REGIONS];
	uint64_t size[FUZZ_MAX_REGIONS];
	bool adjacent;	/* regions back to back in one host buffer */
	uint8_t *block; /* that buffer (adjacent), else NULL */
	uint64_t total; /* bytes of all regions */
	/* the ring and the walker's scratch */
	struct vc_desc *table;
	uint32_t qsize, head, max_descs, cap;
	struct vc_desc *ind; /* max_descs entries */
	struct vc_seg *segs; /* cap entries */
};

/*
 * Read an image from @in (see above). @cap_override, if not 0, replaces the
 * image's segment capacity. Aborts only if memory runs out.
 */
void fuzz_guest_load(struct fuzz_guest *g, struct fuzz_in *in, uint32_t cap_override);

void fuzz_guest_free(struct fuzz_guest *g);

/* [gpa, gpa + len) at @hva lies in the regions, each byte where translation puts it. */
bool fuzz_span_ok(const struct fuzz_guest *g, uint64_t gpa, const uint8_t *hva, uint64_t len);

/* [hva, hva + len) lies in one region buffer (no guest address to compare). */
bool fuzz_hva_ok(const struct fuzz_guest *g, const uint8_t *hva, uint64_t len);

/* [hva, hva + len) lies in one host buffer (a region, or the adjacent block). */
bool fuzz_host_ok(const struct fuzz_guest *g, const uint8_t *hva, uint64_t len);

/* The descriptor table vc_walk_chain() ended in (ring or indirect copy), its size in *n. */
const struct vc_desc *fuzz_walked_table(const struct fuzz_guest *g, const struct vc_chain *c,
					uint32_t *n);

/* @gpa is the last byte of a non-empty writable descriptor of @t[0, n). */
bool fuzz_is_write_desc_end(const struct vc_desc *t, uint32_t n, uint64_t gpa);

/* VCRYPTO_FUZZ_VERBOSE set: print what each input does (to check seeds). */
bool fuzz_verbose(void);

#endif /* VCRYPTO_FUZZ_MEM_H */
