/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* The fuzzed guest memory image shared by the walk and request targets (see fuzz_mem.h). */

#include <stdlib.h>
#include <string.h>

#include "fuzz_mem.h"

void fuzz_guest_load(struct fuzz_guest *g, struct fuzz_in *in, uint32_t cap_override)
{
	uint8_t mode;

	memset(g, 0, sizeof(*g));
	mode = (uint8_t)fuzz_take(in, 1);
	g->mt.n = 1 + (uint32_t)((mode & 0x7f) % FUZZ_MAX_REGIONS);
	for (uint32_t i = 0; i < g->mt.n; i++) {
		g->mt.r[i].gpa = fuzz_take(in, 8);
		g->size[i] = fuzz_take(in, 2);
		g->mt.r[i].size = g->size[i];
	}
	g->qsize = 1 + (uint32_t)(fuzz_take(in, 2) % 1024);
	g->head = (uint32_t)fuzz_take(in, 2);
	g->max_descs = (uint32_t)(fuzz_take(in, 2) % 4097);
	g->cap = (uint32_t)fuzz_take(in, 1);
	if (cap_override)
		g->cap = cap_override;

	g->table = malloc(g->qsize * sizeof(*g->table));
	FUZZ_CHECK(g->table);
	for (uint32_t i = 0; i < g->qsize; i++) {
		g->table[i].addr = fuzz_take(in, 8);
		g->table[i].len = (uint32_t)fuzz_take(in, 4);
		g->table[i].flags = (uint16_t)fuzz_take(in, 2);
		g->table[i].next = (uint16_t)fuzz_take(in, 2);
	}
	/* Mode bit 7: the regions back to back in one host buffer (as separate
	 * mmaps may be), so host-contiguous pieces of two regions can merge. */
	for (uint32_t i = 0; i < g->mt.n; i++)
		g->total += g->size[i];
	if (mode & 0x80) {
		g->adjacent = true;
		g->block = malloc(g->total ? g->total : 1);
		FUZZ_CHECK(g->block);
	}
	for (uint32_t i = 0, at = 0; i < g->mt.n; i++) {
		size_t n = fuzz_left(in);

		if (g->block) {
			g->buf[i] = g->block + at;
			at += (uint32_t)g->size[i];
		} else {
			g->buf[i] = malloc(g->size[i] ? g->size[i] : 1);
		}
		FUZZ_CHECK(g->buf[i]);
		g->mt.r[i].hva = (uint64_t)(uintptr_t)g->buf[i];
		if (n > g->size[i])
			n = g->size[i];
		memset(g->buf[i], 0, g->size[i]);
		if (n)
			memcpy(g->buf[i], in->p + in->off, n);
		in->off += n;
	}
	vc_memtab_done(&g->mt);
	g->ind = malloc((g->max_descs ? g->max_descs : 1) * sizeof(*g->ind));
	g->segs = malloc((g->cap ? g->cap : 1) * sizeof(*g->segs));
	FUZZ_CHECK(g->ind && g->segs);
}

void fuzz_guest_free(struct fuzz_guest *g)
{
	free(g->segs);
	free(g->ind);
	if (g->block)
		free(g->block);
	else
		for (uint32_t i = 0; i < g->mt.n; i++)
			free(g->buf[i]);
	free(g->table);
	memset(g, 0, sizeof(*g));
}

bool fuzz_span_ok(const struct fuzz_guest *g, uint64_t gpa, const uint8_t *hva, uint64_t len)
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

bool fuzz_hva_ok(const struct fuzz_guest *g, const uint8_t *hva, uint64_t len)
{
	for (uint32_t i = 0; i < g->mt.n; i++)
		if (hva >= g->buf[i] && (uint64_t)(hva - g->buf[i]) <= g->size[i] &&
		    g->size[i] - (uint64_t)(hva - g->buf[i]) >= len)
			return true;
	return false;
}

bool fuzz_host_ok(const struct fuzz_guest *g, const uint8_t *hva, uint64_t len)
{
	if (!g->block)
		return fuzz_hva_ok(g, hva, len);
	return hva >= g->block && (uint64_t)(hva - g->block) <= g->total &&
	       g->total - (uint64_t)(hva - g->block) >= len;
}

const struct vc_desc *fuzz_walked_table(const struct fuzz_guest *g, const struct vc_chain *c,
					uint32_t *n)
{
	if (c->indirect) {
		const struct vc_desc *hd = &g->table[g->head];
		const struct vc_desc *in_place;

		*n = hd->len / (uint32_t)sizeof(struct vc_desc);
		/*
		 * The walker reads a table that lies in one region at an aligned
		 * host address where it is, else it copies it to g->ind (nothing
		 * changes guest memory during a walk here, so both hold the same
		 * descriptors).
		 */
		in_place = vc_mem_desc_table(&g->mt, hd->addr, hd->len);
		return in_place ? in_place : g->ind;
	}
	*n = g->qsize;
	return g->table;
}

bool fuzz_is_write_desc_end(const struct vc_desc *t, uint32_t n, uint64_t gpa)
{
	for (uint32_t i = 0; i < n; i++)
		if ((t[i].flags & VC_DESC_F_WRITE) && t[i].len && t[i].addr + t[i].len - 1 == gpa)
			return true;
	return false;
}

bool fuzz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("VCRYPTO_FUZZ_VERBOSE") != NULL;
	return v;
}
