/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Unit tests of the host's guest-memory translation and descriptor-chain
 * walker (lib/host/walk.c) over synthetic guest memory: two regions that
 * are adjacent in guest-physical space but not in host space.
 */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/walk.h"

#define RA_GPA 0x10000ull
#define RB_GPA 0x20000ull
#define RSZ 0x10000ull

static uint8_t *mem; /* 3 * RSZ: region A at 0, a hole, region B at 2 * RSZ */
static struct vc_memtab mt;
static struct vc_seg segs[256];
static struct vc_desc ind[4096];

static void setup(void)
{
	mem = calloc(1, 3 * RSZ);
	ck_assert_ptr_nonnull(mem);
	memset(&mt, 0, sizeof(mt));
	mt.n = 2;
	mt.r[0] = (struct vc_region){.gpa = RA_GPA, .size = RSZ, .hva = (uint64_t)(uintptr_t)mem};
	mt.r[1] = (struct vc_region){
		.gpa = RB_GPA, .size = RSZ, .hva = (uint64_t)(uintptr_t)(mem + 2 * RSZ)};
	vc_memtab_done(&mt);
}

static void teardown(void)
{
	free(mem);
}

static uint8_t *hva(uint64_t gpa)
{
	if (gpa >= RB_GPA)
		return mem + 2 * RSZ + (gpa - RB_GPA);
	return mem + (gpa - RA_GPA);
}

static struct vc_chain chain(void)
{
	struct vc_chain c = {.segs = segs, .cap = 256};

	return c;
}

/* Descriptor table (ring) at the start of region A: 16 entries. */
static struct vc_desc *ring(void)
{
	return (struct vc_desc *)mem;
}

static void d(struct vc_desc *t, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
	      uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

/* Both walks take the chain at @p t's head 0, its segment 1 at @p src. */
static void both_take(const struct vc_desc *t, const uint8_t *src)
{
	struct vc_chain c = chain();

	ck_assert_int_eq(vc_walk_fast(&mt, t, 0, 4096, &c), 0);
	ck_assert_ptr_eq(c.segs[1].hva, src);
	c = chain();
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert_ptr_eq(c.segs[1].hva, src);
}

/* Both walks refuse the chain at @p t's head 0; its status byte is found at @p status_gpa. */
static void both_refuse(const struct vc_desc *t, uint64_t status_gpa)
{
	struct vc_chain c = chain();

	ck_assert_int_eq(vc_walk_fast(&mt, t, 0, 4096, &c), -1);
	c = chain();
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EFAULT);
	ck_assert(c.status_ok);
	ck_assert_ptr_eq(c.status_hva, hva(status_gpa));
}

START_TEST(translate_split_and_faults)
{
	struct vc_seg s[4];
	int n;

	/* Within region A. */
	n = vc_mem_translate(&mt, RA_GPA + 100, 50, s, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_eq(s[0].hva, mem + 100);
	/* Spans A and B: two pieces, host addresses not contiguous. */
	n = vc_mem_translate(&mt, RB_GPA - 10, 30, s, 4);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(s[0].len, 10);
	ck_assert_uint_eq(s[1].len, 20);
	ck_assert_ptr_eq(s[1].hva, mem + 2 * RSZ);
	ck_assert_ptr_null(vc_mem_contig(&mt, RB_GPA - 10, 30));
	ck_assert_int_eq(vc_mem_translate(&mt, RB_GPA - 10, 30, s, 1), -E2BIG);
	/* Outside, partly outside, wrapping. */
	ck_assert_int_eq(vc_mem_translate(&mt, 0x1000, 1, s, 4), -EFAULT);
	ck_assert_int_eq(vc_mem_translate(&mt, RB_GPA + RSZ - 4, 8, s, 4), -EFAULT);
	ck_assert_int_eq(vc_mem_translate(&mt, UINT64_MAX - 2, 8, s, 4), -EFAULT);
	ck_assert_int_eq(vc_mem_translate(&mt, RA_GPA, 0, s, 4), 0);
	/* Host-range checks used for the rings. */
	ck_assert(vc_mem_hva_ok(&mt, mem + 10, RSZ - 10));
	ck_assert(!vc_mem_hva_ok(&mt, mem + 10, RSZ - 9));
	ck_assert(!vc_mem_hva_ok(&mt, mem + RSZ + 5, 1));
}
END_TEST

START_TEST(direct_chain)
{
	struct vc_desc *t = ring();
	struct vc_chain c = chain();
	uint8_t buf[16];

	d(t, 3, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 5);
	d(t, 5, RB_GPA - 8, 16, VC_DESC_F_NEXT, 1); /* split across regions */
	d(t, 1, RA_GPA + 0x3000, 17, VC_DESC_F_WRITE, 0);
	memcpy(hva(RB_GPA - 8), "ABCDEFGH", 8);
	memcpy(hva(RB_GPA), "IJKLMNOP", 8);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 3, 4096, ind, &c), 0);
	ck_assert_uint_eq(c.ndescs, 3);
	ck_assert(!c.indirect);
	ck_assert_uint_eq(c.nr, 3);
	ck_assert_uint_eq(c.nw, 1);
	ck_assert_uint_eq(c.rlen, 88);
	ck_assert_uint_eq(c.wlen, 17);
	ck_assert(c.status_ok);
	ck_assert_uint_eq(c.status_gpa, RA_GPA + 0x3000 + 16);
	ck_assert_ptr_eq(c.status_hva, mem + 0x3000 + 16);
	/* Reading across the region boundary through the stream. */
	ck_assert_int_eq(vc_stream_read(c.segs, c.nr, 72 + 4, buf, 8), 0);
	ck_assert_mem_eq(buf, "EFGHIJKL", 8);
	ck_assert_ptr_null(vc_stream_contig(c.segs, c.nr, 72 + 4, 8));
	ck_assert_ptr_eq(vc_stream_contig(c.segs, c.nr, 72, 8), hva(RB_GPA - 8));
	ck_assert_int_eq(vc_stream_read(c.segs, c.nr, 80, buf, 9), -ERANGE);
}
END_TEST

/* The Linux driver's layout for a 3+5+8 scatterlist (from INTEROP.md). */
START_TEST(indirect_linux_layout)
{
	static const uint32_t lens[] = {72, 16, 3, 5, 8, 5, 8, 8, 3, 5, 8, 5, 8, 8, 1};
	struct vc_desc *t = ring();
	struct vc_desc *tbl = (struct vc_desc *)hva(RA_GPA + 0x2000);
	struct vc_chain c = chain();
	struct vc_seg r[8];
	uint64_t a = RA_GPA + 0x4000;
	int n;

	for (unsigned int i = 0; i < 15; i++) {
		uint16_t fl = (i < 14 ? VC_DESC_F_NEXT : 0) | (i >= 8 ? VC_DESC_F_WRITE : 0);

		d(tbl, i, a, lens[i], fl, (uint16_t)(i + 1));
		a += 64;
	}
	d(t, 0, RA_GPA + 0x2000, 15 * 16, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert(c.indirect);
	ck_assert_uint_eq(c.ndescs, 16);
	ck_assert_uint_eq(c.nr, 8);
	ck_assert_uint_eq(c.nw, 7);
	ck_assert_uint_eq(c.rlen, 72 + 16 + 3 + 5 + 8 + 5 + 8 + 8);
	ck_assert_uint_eq(c.wlen, 3 + 5 + 8 + 5 + 8 + 8 + 1);
	ck_assert(c.status_ok);
	ck_assert_uint_eq(c.status_gpa, RA_GPA + 0x4000 + 14 * 64);
	/* dst (16 bytes) at the start of the writable stream: three pieces. */
	n = vc_stream_range(c.segs + c.nr, c.nw, 0, 16, r, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(r[0].len, 3);
	ck_assert_uint_eq(r[2].len, 8);
	ck_assert_int_eq(vc_stream_range(c.segs + c.nr, c.nw, 0, 16, r, 2), -E2BIG);
	ck_assert_int_eq(vc_stream_range(c.segs + c.nr, c.nw, 30, 10, r, 8), -ERANGE);
}
END_TEST

/*
 * The one-pass walk (vc_walk_fast) takes a table and buffers in any region
 * (a VM of several GiB has two), if the regions are disjoint; a buffer
 * across the regions' boundary (adjacent in guest-physical space, apart in
 * host space) takes the general walk, which cuts it in two.
 */
START_TEST(indirect_any_region)
{
	struct vc_desc *t = ring();
	struct vc_desc *tbl = (struct vc_desc *)hva(RB_GPA + 0x1000);
	struct vc_chain c = chain();

	d(tbl, 0, RB_GPA + 0x2000, 88, VC_DESC_F_NEXT, 1);		     /* header + IV */
	d(tbl, 1, RA_GPA + 0x4000, 64, VC_DESC_F_NEXT, 2);		     /* source */
	d(tbl, 2, RB_GPA + 0x3000, 64, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 3); /* destination */
	d(tbl, 3, RA_GPA + 0x5000, 1, VC_DESC_F_WRITE, 0);		     /* status */
	d(t, 0, RB_GPA + 0x1000, 4 * 16, VC_DESC_F_INDIRECT, 0);
	ck_assert(mt.disjoint);
	ck_assert_int_eq(vc_walk_fast(&mt, t, 0, 4096, &c), 0);
	ck_assert_uint_eq(c.nr, 2);
	ck_assert_uint_eq(c.nw, 2);
	ck_assert_uint_eq(c.ndescs, 5);
	ck_assert_uint_eq(c.rlen, 88 + 64);
	ck_assert_uint_eq(c.wlen, 65);
	ck_assert_ptr_eq(c.segs[0].hva, hva(RB_GPA + 0x2000));
	ck_assert_ptr_eq(c.segs[1].hva, hva(RA_GPA + 0x4000));
	ck_assert_ptr_eq(c.segs[2].hva, hva(RB_GPA + 0x3000));
	ck_assert_ptr_eq(c.status_hva, hva(RA_GPA + 0x5000));
	ck_assert_uint_eq(c.status_gpa, RA_GPA + 0x5000);
	c = chain();
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert_ptr_eq(c.segs[1].hva, hva(RA_GPA + 0x4000));
	ck_assert(!c.general);

	/* The source across the boundary: the general walk, two segments. */
	d(tbl, 1, RB_GPA - 32, 64, VC_DESC_F_NEXT, 2);
	c = chain();
	ck_assert_int_eq(vc_walk_fast(&mt, t, 0, 4096, &c), -1);
	c = chain();
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert(c.general);
	ck_assert_uint_eq(c.nr, 3);
	ck_assert_uint_eq(c.rlen, 88 + 64);
	ck_assert_ptr_eq(c.segs[1].hva, hva(RB_GPA - 32));
	ck_assert_uint_eq(c.segs[1].len, 32);
	ck_assert_ptr_eq(c.segs[2].hva, hva(RB_GPA));
	ck_assert_uint_eq(c.segs[2].len, 32);

	/* A buffer past the end of guest memory: refused, its status byte known. */
	d(tbl, 1, RB_GPA + RSZ - 32, 64, VC_DESC_F_NEXT, 2);
	both_refuse(t, RA_GPA + 0x5000);

	/*
	 * Overlapping regions (a third one over the end of region A and the
	 * start of B): the general walk takes the first region that holds a
	 * byte, so the one-pass walk keeps to the first region.
	 */
	d(tbl, 1, RA_GPA + 0x4000, 64, VC_DESC_F_NEXT, 2);
	mt.r[2] = (struct vc_region){
		.gpa = RB_GPA - 0x100, .size = 0x200, .hva = (uint64_t)(uintptr_t)(mem + RSZ)};
	mt.n = 3;
	vc_memtab_done(&mt);
	ck_assert(!mt.disjoint);
	c = chain();
	ck_assert_int_eq(vc_walk_fast(&mt, t, 0, 4096, &c), -1);
	c = chain();
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert_ptr_eq(c.segs[0].hva, hva(RB_GPA + 0x2000));
	mt.n = 2;
	vc_memtab_done(&mt);
	ck_assert(mt.disjoint);
}
END_TEST

/*
 * A region past guest address 2^64 - 1 (a hostile front end's): cut there,
 * so the wrapped part is no guest memory to either walk, and a range that
 * would end at 2^64 is refused by both.
 */
START_TEST(region_past_top)
{
	const uint64_t top = UINT64_MAX - RSZ / 2 + 1; /* region B: [top, top + RSZ) wraps */
	struct vc_desc *t = ring();
	struct vc_desc *tbl = (struct vc_desc *)hva(RA_GPA + 0x1000);
	uint8_t *b = mem + 2 * RSZ;

	mt.r[1].gpa = top;
	ck_assert_uint_eq(vc_memtab_done(&mt), 1);
	ck_assert_uint_eq(mt.r[1].size, RSZ / 2 - 1);
	ck_assert(mt.disjoint);
	ck_assert_uint_eq(vc_memtab_done(&mt), 0);

	d(tbl, 0, RA_GPA + 0x2000, 88, VC_DESC_F_NEXT, 1);
	d(tbl, 1, top + 0x100, 64, VC_DESC_F_NEXT, 2);
	d(tbl, 2, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE, 0);
	d(t, 0, RA_GPA + 0x1000, 3 * 16, VC_DESC_F_INDIRECT, 0);
	both_take(t, b + 0x100);

	/* The last bytes below 2^64 - 1: guest memory to both. */
	d(tbl, 1, UINT64_MAX - 64, 64, VC_DESC_F_NEXT, 2);
	both_take(t, b + RSZ / 2 - 1 - 64);

	/* Ending at 2^64, and in the wrapped part: refused by both. */
	d(tbl, 1, UINT64_MAX - 63, 64, VC_DESC_F_NEXT, 2);
	both_refuse(t, RA_GPA + 0x3000);
	d(tbl, 1, 0x100, 64, VC_DESC_F_NEXT, 2);
	both_refuse(t, RA_GPA + 0x3000);
	ck_assert_int_eq(vc_mem_translate(&mt, 0x100, 1, segs, 1), -EFAULT);
}
END_TEST

START_TEST(bad_buffer_address_keeps_status)
{
	struct vc_desc *t = ring();
	struct vc_chain c = chain();

	d(t, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(t, 1, 0xdead0000, 64, VC_DESC_F_NEXT, 2); /* not guest memory */
	d(t, 2, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EFAULT);
	ck_assert(c.status_ok);
	ck_assert_ptr_eq(c.status_hva, mem + 0x3000);
	/* Just past the last region. */
	d(t, 1, RB_GPA + RSZ, 1, VC_DESC_F_NEXT, 2);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EFAULT);
	ck_assert(c.status_ok);
	/* Wrapping address + length. */
	d(t, 1, UINT64_MAX - 4, 64, VC_DESC_F_NEXT, 2);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EFAULT);
	/* Status descriptor itself outside memory: status unknown. */
	d(t, 1, RA_GPA + 0x2000, 64, VC_DESC_F_NEXT, 2);
	d(t, 2, 0x5000000, 1, VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EFAULT);
	ck_assert(!c.status_ok);
	/* Last descriptor readable: no status byte. */
	d(t, 2, RA_GPA + 0x3000, 1, 0, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert(!c.status_ok);
}
END_TEST

START_TEST(loops_and_indices)
{
	struct vc_desc *t = ring();
	struct vc_chain c = chain();

	/* 0 -> 1 -> 0 ... */
	d(t, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(t, 1, RA_GPA + 0x3000, 1, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -ELOOP);
	ck_assert(!c.status_ok);
	/* Self loop. */
	d(t, 2, RA_GPA + 0x3000, 1, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 2);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 2, 4096, ind, &c), -ELOOP);
	/* Head out of range. */
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 16, 4096, ind, &c), -ERANGE);
	ck_assert(!c.status_ok);
	/* next out of range. */
	d(t, 3, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 99);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 3, 4096, ind, &c), -ERANGE);
	ck_assert(!c.status_ok);
	/* A long but legal chain beyond max_descs. */
	for (unsigned int i = 0; i < 10; i++)
		d(t, i, RA_GPA + 0x1000, 8, VC_DESC_F_NEXT, (uint16_t)(i + 1));
	d(t, 10, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4, ind, &c), -ELOOP);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 11, ind, &c), 0);
}
END_TEST

START_TEST(indirect_rules)
{
	struct vc_desc *t = ring();
	struct vc_desc *tbl = (struct vc_desc *)hva(RA_GPA + 0x2000);
	struct vc_chain c = chain();

	d(tbl, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(tbl, 1, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE, 0);
	/* Fine. */
	d(t, 0, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	/* Length not a multiple of 16, or 0. */
	d(t, 0, RA_GPA + 0x2000, 40, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	d(t, 0, RA_GPA + 0x2000, 0, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	/* Larger than max_descs entries. */
	d(t, 0, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 1, ind, &c), -EPROTO);
	/* Table outside guest memory. */
	d(t, 0, 0x7000000, 32, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	ck_assert(!c.status_ok);
	/* Indirect with NEXT, or not first. */
	d(t, 0, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT | VC_DESC_F_NEXT, 1);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	d(t, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(t, 1, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	/* Nested indirect. */
	d(tbl, 0, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT, 0);
	d(t, 0, RA_GPA + 0x2000, 32, VC_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EPROTO);
	/* Loop inside the table. */
	d(tbl, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(tbl, 1, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -ELOOP);
	/* next beyond the table. */
	d(tbl, 1, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE | VC_DESC_F_NEXT, 2);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -ERANGE);
}
END_TEST

START_TEST(write_then_read_is_malformed)
{
	struct vc_desc *t = ring();
	struct vc_chain c = chain();

	d(t, 0, RA_GPA + 0x1000, 72, VC_DESC_F_NEXT, 1);
	d(t, 1, RA_GPA + 0x3000, 8, VC_DESC_F_NEXT | VC_DESC_F_WRITE, 2);
	d(t, 2, RA_GPA + 0x1100, 8, VC_DESC_F_NEXT, 3);
	d(t, 3, RA_GPA + 0x3100, 1, VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -EINVAL);
	ck_assert(c.status_ok);
	ck_assert_ptr_eq(c.status_hva, mem + 0x3100);
}
END_TEST

START_TEST(too_many_segments)
{
	struct vc_desc *t = ring();
	struct vc_chain c = {.segs = segs, .cap = 3};

	for (unsigned int i = 0; i < 5; i++)
		d(t, i, RA_GPA + 0x1000 + 0x100 * i, 8, VC_DESC_F_NEXT, (uint16_t)(i + 1));
	d(t, 5, RA_GPA + 0x3000, 1, VC_DESC_F_WRITE, 0);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), -E2BIG);
	ck_assert(c.status_ok);
	/* Zero-length descriptors are skipped. */
	d(t, 1, RA_GPA + 0x1000, 0, VC_DESC_F_NEXT, 5);
	ck_assert_int_eq(vc_walk_chain(&mt, t, 16, 0, 4096, ind, &c), 0);
	ck_assert_uint_eq(c.nr, 1);
	ck_assert_uint_eq(c.nw, 1);
}
END_TEST

/*
 * Reading and writing a stream in pieces at an offset (vc_out_read,
 * vc_out_write: the chunks of a copy-mode AES-CBC request): ranges within
 * one piece, across pieces, to the end; one byte too many is -ERANGE.
 */
START_TEST(out_stream_read_write)
{
	uint8_t a[10], b[7], c[20], got[37], want[37];
	const struct vc_out_seg st[3] = {
		{.gpa = 0x1000, .len = sizeof(a), .hva = a},
		{.gpa = 0x2000, .len = sizeof(b), .hva = b},
		{.gpa = 0x3000, .len = sizeof(c), .hva = c},
	};
	static const uint32_t cases[][2] = {{0, 10}, {3, 4},   {8, 5},	{9, 20},
					    {0, 37}, {17, 20}, {36, 1}, {10, 0}};

	for (unsigned int i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(3 * i + 1);
	memcpy(a, want, 10);
	memcpy(b, want + 10, 7);
	memcpy(c, want + 17, 20);
	for (unsigned int k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint32_t off = cases[k][0], len = cases[k][1];

		memset(got, 0, sizeof(got));
		ck_assert_int_eq(vc_out_read(st, 3, off, got, len), 0);
		ck_assert_msg(!memcmp(got, want + off, len), "read %u at %u", len, off);
	}
	ck_assert_int_eq(vc_out_read(st, 3, 30, got, 8), -ERANGE);
	ck_assert_int_eq(vc_out_read(st, 2, 10, got, 8), -ERANGE);
	/* Write back shifted values through the same pieces, then read them. */
	for (unsigned int i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(want[i] + 7);
	ck_assert_int_eq(vc_out_write(st, 3, 0, want, 12), 0);
	ck_assert_int_eq(vc_out_write(st, 3, 12, want + 12, 25), 0);
	ck_assert_int_eq(vc_out_read(st, 3, 0, got, 37), 0);
	ck_assert(!memcmp(got, want, 37));
	ck_assert_int_eq(vc_out_write(st, 3, 36, want, 2), -ERANGE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host_walk");
	TCase *tc = tcase_create("walk");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, translate_split_and_faults);
	tcase_add_test(tc, direct_chain);
	tcase_add_test(tc, indirect_linux_layout);
	tcase_add_test(tc, indirect_any_region);
	tcase_add_test(tc, region_past_top);
	tcase_add_test(tc, bad_buffer_address_keeps_status);
	tcase_add_test(tc, loops_and_indices);
	tcase_add_test(tc, indirect_rules);
	tcase_add_test(tc, write_then_read_is_malformed);
	tcase_add_test(tc, too_many_segments);
	tcase_add_test(tc, out_stream_read_write);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
