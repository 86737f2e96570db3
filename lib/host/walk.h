/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Guest memory translation and virtqueue descriptor-chain walking, with no
 * DPDK dependency (unit-tested over synthetic memory). Every guest address
 * is checked against a snapshot of the guest's memory table; nothing here
 * ever dereferences an address that was not translated.
 */
#ifndef VCRYPTO_HOST_WALK_H
#define VCRYPTO_HOST_WALK_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* rte_vhost 22.11 accepts at most 8 regions (VHOST_MEMORY_MAX_NREGIONS). */
#define VC_MAX_REGIONS 8

#define VC_DESC_F_NEXT 1u
#define VC_DESC_F_WRITE 2u
#define VC_DESC_F_INDIRECT 4u

/* Split-ring descriptor (virtio 1.x, little-endian). */
struct vc_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct vc_desc) == 16, "vring_desc");

struct vc_region {
	uint64_t gpa;  /* guest physical start */
	uint64_t size; /* bytes */
	uint64_t hva;  /* host virtual start */
};

struct vc_memtab {
	uint32_t n;
	uint32_t gen;  /* changed whenever the table is (re)written */
	bool disjoint; /* no guest address in two regions (vc_memtab_done) */
	struct vc_region r[VC_MAX_REGIONS];
};

/*
 * After r[] and n are written (every table the walks read goes through it):
 * cuts each region at guest address 2^64 - 1, so no range inside a region
 * wraps (a front end may send a region past it; QEMU does not), and returns
 * how many it cut; then decides whether the regions are disjoint (a front
 * end may send overlapping ones; QEMU does not). Only then do the fast
 * paths look beyond the first region, where the first region that holds an
 * address is the only one, as the general walk takes it.
 */
uint32_t vc_memtab_done(struct vc_memtab *mt);

/* Whether region @r holds all of [gpa, gpa + len). */
static inline bool vc_region_has(const struct vc_region *r, uint64_t gpa, uint64_t len)
{
	/* gpa below the region wraps off past its size (no region wraps: vc_memtab_done) */
	const uint64_t off = gpa - r->gpa;

	return off < r->size && len <= r->size - off;
}

/* A piece of a descriptor chain, contiguous in both guest and host space. */
struct vc_seg {
	uint64_t gpa;
	uint8_t *hva;
	uint32_t len;
};

/*
 * Translate [gpa, gpa + len) into at most @max segments (split at region
 * boundaries, merged where host addresses are contiguous). Returns the number
 * of segments, 0 for len 0, -EFAULT if some byte is not in guest memory or
 * the range wraps, -E2BIG if more than @max segments would be needed.
 */
int vc_mem_translate_slow(const struct vc_memtab *mt, uint64_t gpa, uint64_t len,
			  struct vc_seg *segs, uint32_t max);
static inline int vc_mem_translate(const struct vc_memtab *mt, uint64_t gpa, uint64_t len,
				   struct vc_seg *segs, uint32_t max)
{
	/* Fast path: inside the first region (most buffers, often all). */
	if (mt->n && len && max && vc_region_has(&mt->r[0], gpa, len) && len <= UINT32_MAX) {
		segs[0].gpa = gpa;
		segs[0].hva = (uint8_t *)(uintptr_t)(mt->r[0].hva + (gpa - mt->r[0].gpa));
		segs[0].len = (uint32_t)len;
		return 1;
	}
	return vc_mem_translate_slow(mt, gpa, len, segs, max);
}

/* Host address of [gpa, gpa + len) if contiguous in host memory, else NULL. */
void *vc_mem_contig(const struct vc_memtab *mt, uint64_t gpa, uint64_t len);

/*
 * Host address of a descriptor table at [gpa, gpa + len) if it can be read
 * where it is: contiguous in host memory and at an aligned host address.
 * Else NULL (copy it).
 */
const struct vc_desc *vc_mem_desc_table(const struct vc_memtab *mt, uint64_t gpa, uint64_t len);

/*
 * The region that holds all of [gpa, gpa + len) (len > 0), or NULL: the
 * fast paths' lookup, the first region first, the others only if the
 * regions are disjoint (vc_memtab_done). A guest has a few regions: QEMU
 * gives a VM one, or two beyond 2-3 GiB of memory (below and above 4 GiB,
 * the larger part above), so a VM's buffers are often outside the first.
 */
const struct vc_region *vc_mem_region_slow(const struct vc_memtab *mt, uint64_t gpa, uint64_t len);
static inline const struct vc_region *vc_mem_region(const struct vc_memtab *mt, uint64_t gpa,
						    uint64_t len)
{
	return mt->n && vc_region_has(&mt->r[0], gpa, len) ? &mt->r[0] :
							     vc_mem_region_slow(mt, gpa, len);
}

/*
 * As vc_mem_desc_table, for a table inside region @r only (the fast paths
 * look in the region vc_mem_region finds): whether all of it is in @r at an
 * aligned host address, which goes in *@t.
 */
static inline bool vc_region_desc_table(const struct vc_region *r, uint64_t gpa, uint64_t len,
					const volatile struct vc_desc **t)
{
	const uint64_t hva = r->hva + (gpa - r->gpa);

	if (!vc_region_has(r, gpa, len) || (hva & (alignof(struct vc_desc) - 1)))
		return false;
	*t = (const volatile struct vc_desc *)(uintptr_t)hva;
	return true;
}

/*
 * A descriptor table at [gpa, gpa + len) inside one region at an aligned
 * host address (vc_region_desc_table), the first region tried first: its
 * region, the table's host address in *@t; NULL if there is none.
 */
static inline const struct vc_region *vc_mem_desc_table_in(const struct vc_memtab *mt, uint64_t gpa,
							   uint64_t len,
							   const volatile struct vc_desc **t)
{
	const struct vc_region *r;

	if (mt->n && vc_region_desc_table(&mt->r[0], gpa, len, t))
		return &mt->r[0];
	r = vc_mem_region_slow(mt, gpa, len);
	return r && vc_region_desc_table(r, gpa, len, t) ? r : NULL;
}

/* A piece of an output stream: guest address, and its host address when it was planned. */
struct vc_out_seg {
	uint64_t gpa;
	uint32_t len;
	uint8_t *hva; /* valid while the memory table has not changed; vc_mem_write_out ignores it */
};

/*
 * Write @len bytes of @src at offset @off of the output stream @out (@nout
 * pieces), translating every guest address through @mt. Returns 0,
 * -EFAULT if a piece is no longer in guest memory, -ERANGE if the stream
 * is shorter than @off + @len (bytes before the failure may be written).
 */
int vc_mem_write_out(const struct vc_memtab *mt, const struct vc_out_seg *out, uint32_t nout,
		     uint64_t off, const void *src, uint64_t len);

/* As vc_mem_write_out, through the pieces' host addresses (memory table unchanged). */
int vc_out_write_slow(const struct vc_out_seg *out, uint32_t nout, uint64_t off, const void *src,
		      uint64_t len);
static inline int vc_out_write(const struct vc_out_seg *out, uint32_t nout, uint64_t off,
			       const void *src, uint64_t len)
{
	/* Fast path: the range lies in the first piece (the usual output). */
	if (nout && off < out[0].len && len <= out[0].len - off) {
		memcpy(out[0].hva + off, src, len);
		return 0;
	}
	return vc_out_write_slow(out, nout, off, src, len);
}

/*
 * As vc_out_write, the other way: read @len bytes at offset @off of the
 * stream @in (@nin pieces, through their host addresses) into @dst.
 * Returns 0, or -ERANGE if the stream is shorter than @off + @len.
 */
int vc_out_read_slow(const struct vc_out_seg *in, uint32_t nin, uint64_t off, void *dst,
		     uint64_t len);
static inline int vc_out_read(const struct vc_out_seg *in, uint32_t nin, uint64_t off, void *dst,
			      uint64_t len)
{
	if (nin && off < in[0].len && len <= in[0].len - off) {
		memcpy(dst, in[0].hva + off, len);
		return 0;
	}
	return vc_out_read_slow(in, nin, off, dst, len);
}

/* Whether the host range [hva, hva + len) lies inside one guest region. */
bool vc_mem_hva_ok(const struct vc_memtab *mt, const void *hva, uint64_t len);

/* Result of walking one descriptor chain. */
struct vc_chain {
	struct vc_seg *segs; /* caller's scratch: readable segments, then writable */
	uint32_t cap;	     /* capacity of segs */
	uint32_t nr;	     /* readable segments: segs[0, nr) */
	uint32_t nw;	     /* writable segments: segs[nr, nr + nw) */
	uint64_t rlen;	     /* readable bytes */
	uint64_t wlen;	     /* writable bytes */
	uint32_t ndescs;     /* descriptors visited */
	bool indirect;	     /* went through an indirect table */
	bool status_ok;	     /* status byte located (last byte of the last descriptor) */
	bool general;	     /* read by vc_walk_chain_general (not the one-pass path) */
	uint64_t status_gpa;
	uint8_t *status_hva;
};

/*
 * Walk the chain starting at @head of a split ring whose descriptor table
 * is @table (host address, @qsize entries; read with volatile loads, each
 * descriptor copied once). An indirect table is copied into @ind_scratch
 * (room for @max_descs descriptors) before use.
 *
 * Returns:
 *  0        - well-formed chain, segments in @c;
 *  -EINVAL  - malformed but walked to its end (writable before readable,
 *             zero-length indirect...): c->status_ok says whether the status
 *             byte is known, so the request can complete with BADMSG;
 *  -EFAULT  - a buffer is outside guest memory (walked to the end, as -EINVAL);
 *  -E2BIG   - more segments than c->cap (walked to the end, as -EINVAL);
 *  -ERANGE  - head or next index out of range (abandoned: status unknown);
 *  -ELOOP   - more than @max_descs descriptors or a loop (abandoned);
 *  -EPROTO  - bad indirect descriptor (nested, not alone, bad length,
 *             table not in memory) (abandoned).
 * For the "abandoned" errors c->status_ok is false.
 */
int vc_walk_chain(const struct vc_memtab *mt, const volatile struct vc_desc *table, uint32_t qsize,
		  uint32_t head, uint32_t max_descs, struct vc_desc *ind_scratch,
		  struct vc_chain *c);

/*
 * vc_walk_chain's one-pass path for the layout every front end sends (one
 * indirect table, entries in order, each buffer in one region; @head below
 * the ring's size): 0 with @c filled, or -1 for anything else, which
 * vc_walk_chain then walks with vc_walk_chain_general.
 */
int vc_walk_fast(const struct vc_memtab *mt, const volatile struct vc_desc *table, uint32_t head,
		 uint32_t max_descs, struct vc_chain *c);

/*
 * vc_walk_chain without its one-pass path for the common layout (same
 * results for the same memory; the fuzz target checks that they agree).
 */
int vc_walk_chain_general(const struct vc_memtab *mt, const volatile struct vc_desc *table,
			  uint32_t qsize, uint32_t head, uint32_t max_descs,
			  struct vc_desc *ind_scratch, struct vc_chain *c);

/*
 * Find the sub-range [off, off + len) of a segment list (a readable or
 * writable stream). Returns the number of segments written to @out (at most
 * @max), or -ERANGE if the stream is shorter, -E2BIG if @max is too small.
 */
int vc_stream_range_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, uint64_t len,
			 struct vc_seg *out, uint32_t max);
static inline int vc_stream_range(const struct vc_seg *segs, uint32_t n, uint64_t off, uint64_t len,
				  struct vc_seg *out, uint32_t max)
{
	/* Fast path: the range lies in the first segment (the usual output). */
	if (n && len && max && off < segs[0].len && len <= segs[0].len - off) {
		out[0] = (struct vc_seg){
			.gpa = segs[0].gpa + off, .hva = segs[0].hva + off, .len = (uint32_t)len};
		return 1;
	}
	return vc_stream_range_slow(segs, n, off, len, out, max);
}

/* Copy @len bytes at offset @off of a stream into @dst. Returns 0 or -ERANGE. */
int vc_stream_read_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, void *dst,
			uint64_t len);
/*
 * Fast path of vc_stream_read and vc_stream_contig: where [off, off + len)
 * starts if it lies within one of the first segments (one per part,
 * usually), else NULL.
 */
static inline uint8_t *vc_stream_in_one(const struct vc_seg *segs, uint32_t n, uint64_t off,
					uint64_t len)
{
	for (uint32_t i = 0; i < n && i < 4; i++) {
		if (off < segs[i].len)
			return len <= segs[i].len - off ? segs[i].hva + off : NULL;
		off -= segs[i].len;
	}
	return NULL;
}

static inline int vc_stream_read(const struct vc_seg *segs, uint32_t n, uint64_t off, void *dst,
				 uint64_t len)
{
	const uint8_t *src = vc_stream_in_one(segs, n, off, len);

	if (!src)
		return vc_stream_read_slow(segs, n, off, dst, len);
	memcpy(dst, src, len);
	return 0;
}

/*
 * vc_stream_read for an IV: the usual 16 bytes in one piece are copied
 * inline (a constant-size copy), not through a call of memcpy.
 */
static inline int vc_stream_read_iv(const struct vc_seg *segs, uint32_t n, uint64_t off, void *dst,
				    uint32_t len)
{
	const uint8_t *src = len == 16 ? vc_stream_in_one(segs, n, off, 16) : NULL;

	if (!src)
		return vc_stream_read(segs, n, off, dst, len);
	memcpy(dst, src, 16);
	return 0;
}

/* If [off, off + len) of a stream is contiguous in host memory, its address; else NULL. */
uint8_t *vc_stream_contig_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, uint64_t len);
static inline uint8_t *vc_stream_contig(const struct vc_seg *segs, uint32_t n, uint64_t off,
					uint64_t len)
{
	uint8_t *p = len ? vc_stream_in_one(segs, n, off, len) : NULL;

	return p ? p : vc_stream_contig_slow(segs, n, off, len);
}

#endif /* VCRYPTO_HOST_WALK_H */
