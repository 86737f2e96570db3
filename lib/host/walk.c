/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "host/walk.h"

#include <errno.h>
#include <stdalign.h>
#include <string.h>

static const struct vc_region *find_region(const struct vc_memtab *mt, uint64_t gpa)
{
	for (uint32_t i = 0; i < mt->n && i < VC_MAX_REGIONS; i++) {
		const struct vc_region *r = &mt->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

int vc_mem_translate_slow(const struct vc_memtab *mt, uint64_t gpa, uint64_t len,
			  struct vc_seg *segs, uint32_t max)
{
	uint32_t n = 0;

	if (len == 0)
		return 0;
	if (gpa + len < gpa)
		return -EFAULT;
	while (len) {
		const struct vc_region *r = find_region(mt, gpa);
		uint64_t off, chunk;
		uint8_t *hva;

		if (!r)
			return -EFAULT;
		off = gpa - r->gpa;
		chunk = r->size - off;
		if (chunk > len)
			chunk = len;
		if (chunk > UINT32_MAX)
			chunk = UINT32_MAX & ~(uint64_t)4095;
		hva = (uint8_t *)(uintptr_t)(r->hva + off);
		if (n && segs[n - 1].hva + segs[n - 1].len == hva &&
		    segs[n - 1].gpa + segs[n - 1].len == gpa &&
		    (uint64_t)segs[n - 1].len + chunk <= UINT32_MAX) {
			segs[n - 1].len += (uint32_t)chunk;
		} else {
			if (n == max)
				return -E2BIG;
			segs[n].gpa = gpa;
			segs[n].hva = hva;
			segs[n].len = (uint32_t)chunk;
			n++;
		}
		gpa += chunk;
		len -= chunk;
	}
	return (int)n;
}

void *vc_mem_contig(const struct vc_memtab *mt, uint64_t gpa, uint64_t len)
{
	struct vc_seg s;

	if (len == 0 || vc_mem_translate(mt, gpa, len, &s, 1) != 1)
		return NULL;
	return s.hva;
}

const struct vc_desc *vc_mem_desc_table(const struct vc_memtab *mt, uint64_t gpa, uint64_t len)
{
	const void *t = vc_mem_contig(mt, gpa, len);

	/*
	 * The host address is what must be aligned: a guest's memory table may
	 * pair a region's guest address with a mapping offset of any alignment.
	 */
	return t && !((uintptr_t)t & (alignof(struct vc_desc) - 1)) ? t : NULL;
}

bool vc_mem_hva_ok(const struct vc_memtab *mt, const void *hva, uint64_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)hva;

	if (a + len < a)
		return false;
	for (uint32_t i = 0; i < mt->n && i < VC_MAX_REGIONS; i++) {
		const struct vc_region *r = &mt->r[i];

		if (a >= r->hva && a - r->hva <= r->size && r->size - (a - r->hva) >= len)
			return true;
	}
	return false;
}

/* Gather-copy guest memory [gpa, gpa + len) into @dst. */
static int mem_read(const struct vc_memtab *mt, uint64_t gpa, void *dst, uint64_t len)
{
	uint8_t *d = dst;

	if (gpa + len < gpa)
		return -EFAULT;
	while (len) {
		const struct vc_region *r = find_region(mt, gpa);
		uint64_t off, chunk;

		if (!r)
			return -EFAULT;
		off = gpa - r->gpa;
		chunk = r->size - off;
		if (chunk > len)
			chunk = len;
		memcpy(d, (const void *)(uintptr_t)(r->hva + off), chunk);
		d += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

uint32_t vc_memtab_done(struct vc_memtab *mt)
{
	uint32_t cut = 0;

	/*
	 * A region whose end passes 2^64 - 1 is cut there. Its wrapped part is
	 * not guest memory (a range there would wrap, which every lookup
	 * refuses), and vc_region_has's arithmetic would count it as inside.
	 */
	for (uint32_t i = 0; i < mt->n; i++)
		if (mt->r[i].size > UINT64_MAX - mt->r[i].gpa) {
			mt->r[i].size = UINT64_MAX - mt->r[i].gpa;
			cut++;
		}
	mt->disjoint = true;
	for (uint32_t i = 0; i < mt->n; i++)
		for (uint32_t k = i + 1; k < mt->n; k++) {
			const struct vc_region *a = &mt->r[i], *b = &mt->r[k];

			/* One starts inside the other? (An empty region holds nothing.) */
			if (vc_region_has(a, b->gpa, 1) || vc_region_has(b, a->gpa, 1))
				mt->disjoint = false;
		}
	return cut;
}

const struct vc_region *vc_mem_region_slow(const struct vc_memtab *mt, uint64_t gpa, uint64_t len)
{
	if (!mt->disjoint)
		return NULL;
	for (uint32_t k = 1; k < mt->n; k++)
		if (vc_region_has(&mt->r[k], gpa, len))
			return &mt->r[k];
	return NULL;
}

static inline void desc_load(const volatile struct vc_desc *t, uint32_t i, struct vc_desc *d)
{
	d->addr = t[i].addr;
	d->len = t[i].len;
	d->flags = t[i].flags;
	d->next = t[i].next;
}

/*
 * The layout every front end sends (Linux, DPDK's virtio PMD,
 * libvcrypto-guest): one indirect descriptor whose table lies at an aligned
 * host address inside one memory region, its entries linked in order,
 * readable then writable, every buffer non-empty and inside one region (the
 * table's, or another: a VM of several GiB has two), the last one writable
 * (the status byte). Walked in one pass that
 * loads each entry once; 0 on success, -1 for anything else, which the
 * general walk then reads again from the start (the guest may change its
 * descriptors meanwhile: only what the general walk reads counts then).
 */
int vc_walk_fast(const struct vc_memtab *mt, const volatile struct vc_desc *table, uint32_t head,
		 uint32_t max_descs, struct vc_chain *c)
{
	uint64_t a = table[head].addr, rlen = 0, wlen = 0, gpa0, size0, hva0;
	uint32_t len = table[head].len, nd = len / (uint32_t)sizeof(struct vc_desc), nr = 0;
	const struct vc_region *r;
	const volatile struct vc_desc *t;
	struct vc_seg *segs = c->segs;

	if (table[head].flags != VC_DESC_F_INDIRECT || nd == 0 || len % sizeof(struct vc_desc) ||
	    nd > max_descs || nd > c->cap)
		return -1;
	r = vc_mem_desc_table_in(mt, a, len, &t);
	if (!r)
		return -1;
	/* The region in locals: stores to segs[] cannot then make them reload. */
	gpa0 = r->gpa;
	size0 = r->size;
	hva0 = r->hva;
	for (uint32_t i = 0; i < nd; i++) {
		uint64_t da = t[i].addr, doff = da - gpa0;
		uint32_t dl = t[i].len;
		uint16_t df = t[i].flags, dn = t[i].next;

		if ((df & ~(VC_DESC_F_NEXT | VC_DESC_F_WRITE)) || dl == 0)
			return -1;
		/* Not in the region of the one before (da below it wraps doff past its size)? */
		if (doff >= size0 || dl > size0 - doff) {
			r = vc_mem_region(mt, da, dl);
			if (!r)
				return -1; /* outside guest memory, or across regions */
			gpa0 = r->gpa;
			size0 = r->size;
			hva0 = r->hva;
			doff = da - gpa0;
		}
		segs[i].gpa = da;
		segs[i].hva = (uint8_t *)(uintptr_t)(hva0 + doff);
		segs[i].len = dl;
		if (df & VC_DESC_F_WRITE) {
			wlen += dl;
		} else {
			if (nr != i) /* readable after writable */
				return -1;
			nr++;
			rlen += dl;
		}
		if (!(df & VC_DESC_F_NEXT)) {
			if (!(df & VC_DESC_F_WRITE))
				return -1; /* no status byte */
			c->nr = nr;
			c->nw = i + 1 - nr;
			c->rlen = rlen;
			c->wlen = wlen;
			c->ndescs = i + 2;
			c->indirect = true;
			c->general = false;
			c->status_ok = true;
			c->status_gpa = da + dl - 1;
			c->status_hva = segs[i].hva + dl - 1;
			return 0;
		}
		if (dn != i + 1)
			return -1;
	}
	return -1; /* the chain runs past its table */
}

int vc_walk_chain(const struct vc_memtab *mt, const volatile struct vc_desc *table, uint32_t qsize,
		  uint32_t head, uint32_t max_descs, struct vc_desc *ind_scratch,
		  struct vc_chain *c)
{
	if (head < qsize && vc_walk_fast(mt, table, head, max_descs, c) == 0)
		return 0;
	return vc_walk_chain_general(mt, table, qsize, head, max_descs, ind_scratch, c);
}

int vc_walk_chain_general(const struct vc_memtab *mt, const volatile struct vc_desc *table,
			  uint32_t qsize, uint32_t head, uint32_t max_descs,
			  struct vc_desc *ind_scratch, struct vc_chain *c)
{
	const volatile struct vc_desc *t = table;
	uint32_t tsize = qsize, idx = head, count = 0, limit, ndescs = 0;
	uint32_t nseg = 0, nr = 0, nw = 0, cap = c->cap;
	uint64_t rlen = 0, wlen = 0, st_gpa = 0;
	uint8_t *st_hva = NULL;
	struct vc_seg *segs = c->segs;
	bool seen_w = false, indirect = false;
	int err = 0;

	/* Accumulate in locals, store once (the loop runs per descriptor). */
#define WALK_STORE(ok)                                                                             \
	do {                                                                                       \
		c->nr = nr;                                                                        \
		c->nw = nw;                                                                        \
		c->rlen = rlen;                                                                    \
		c->wlen = wlen;                                                                    \
		c->ndescs = ndescs;                                                                \
		c->indirect = indirect;                                                            \
		c->status_ok = (ok);                                                               \
		c->status_gpa = (ok) ? st_gpa : 0;                                                 \
		c->status_hva = (ok) ? st_hva : NULL;                                              \
	} while (0)

	c->general = true;
	if (idx >= tsize) {
		WALK_STORE(false);
		return -ERANGE;
	}
	limit = tsize < max_descs ? tsize : max_descs;

	for (;;) {
		struct vc_desc d;
		int n;

		desc_load(t, idx, &d);
		if (++count > limit) {
			WALK_STORE(false);
			return -ELOOP;
		}
		ndescs++;

		if (d.flags & VC_DESC_F_INDIRECT) {
			uint32_t nd;

			/* Only a direct chain's first and only descriptor may be indirect. */
			if (indirect || count != 1 || (d.flags & VC_DESC_F_NEXT) || d.len == 0 ||
			    d.len % sizeof(struct vc_desc)) {
				WALK_STORE(false);
				return -EPROTO;
			}
			nd = d.len / (uint32_t)sizeof(struct vc_desc);
			if (nd > max_descs) {
				WALK_STORE(false);
				return -EPROTO;
			}
			/*
			 * Read the table where it is when it can be (each descriptor
			 * is loaded once, as from the ring), else copy it.
			 */
			t = vc_mem_desc_table(mt, d.addr, d.len);
			if (!t) {
				if (mem_read(mt, d.addr, ind_scratch, d.len) < 0) {
					WALK_STORE(false);
					return -EPROTO;
				}
				t = ind_scratch;
			}
			tsize = nd;
			limit = nd;
			idx = 0;
			count = 0;
			indirect = true;
			continue;
		}

		/* The status byte is the last byte of the last descriptor, if writable. */
		st_hva = NULL;
		if (d.flags & VC_DESC_F_WRITE) {
			seen_w = true;
		} else if (seen_w) {
			/* Readable after writable: malformed; keep walking. */
			err = err ? err : -EINVAL;
		}

		if (d.len && !err) {
			n = vc_mem_translate(mt, d.addr, d.len, segs + nseg, cap - nseg);
			if (n < 0) {
				err = n == -E2BIG ? -E2BIG : -EFAULT;
			} else {
				if (d.flags & VC_DESC_F_WRITE) {
					nw += (uint32_t)n;
					wlen += d.len;
				} else {
					nr += (uint32_t)n;
					rlen += d.len;
				}
				nseg += (uint32_t)n;
			}
		}
		if ((d.flags & VC_DESC_F_WRITE) && d.len) {
			uint64_t sg = d.addr + d.len - 1;

			if (sg >= d.addr) {
				/* Translated just above (its last segment ends here), or look it up. */
				st_hva = !err && nseg ?
						 segs[nseg - 1].hva + segs[nseg - 1].len - 1 :
						 vc_mem_contig(mt, sg, 1);
				st_gpa = sg;
			}
		}

		if (!(d.flags & VC_DESC_F_NEXT))
			break;
		idx = d.next;
		if (idx >= tsize) {
			WALK_STORE(false);
			return -ERANGE;
		}
	}
	WALK_STORE(st_hva != NULL);
#undef WALK_STORE
	return err;
}

int vc_stream_range_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, uint64_t len,
			 struct vc_seg *out, uint32_t max)
{
	uint32_t i = 0, k = 0;

	while (i < n && off >= segs[i].len) {
		off -= segs[i].len;
		i++;
	}
	while (len) {
		uint64_t chunk;

		if (i >= n)
			return -ERANGE;
		chunk = segs[i].len - off;
		if (chunk > len)
			chunk = len;
		if (k && out[k - 1].hva + out[k - 1].len == segs[i].hva + off &&
		    out[k - 1].gpa + out[k - 1].len == segs[i].gpa + off) {
			out[k - 1].len += (uint32_t)chunk;
		} else {
			if (k == max)
				return -E2BIG;
			out[k].gpa = segs[i].gpa + off;
			out[k].hva = segs[i].hva + off;
			out[k].len = (uint32_t)chunk;
			k++;
		}
		len -= chunk;
		off = 0;
		i++;
	}
	return (int)k;
}

int vc_stream_read_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, void *dst,
			uint64_t len)
{
	uint8_t *d = dst;
	uint32_t i = 0;

	while (i < n && off >= segs[i].len) {
		off -= segs[i].len;
		i++;
	}
	while (len) {
		uint64_t chunk;

		if (i >= n)
			return -ERANGE;
		chunk = segs[i].len - off;
		if (chunk > len)
			chunk = len;
		memcpy(d, segs[i].hva + off, chunk);
		d += chunk;
		len -= chunk;
		off = 0;
		i++;
	}
	return 0;
}

uint8_t *vc_stream_contig_slow(const struct vc_seg *segs, uint32_t n, uint64_t off, uint64_t len)
{
	struct vc_seg s;

	if (len == 0 || len > UINT32_MAX || vc_stream_range(segs, n, off, len, &s, 1) != 1)
		return NULL;
	return s.hva;
}

int vc_mem_write_out(const struct vc_memtab *mt, const struct vc_out_seg *out, uint32_t nout,
		     uint64_t off, const void *src_, uint64_t len)
{
	const uint8_t *src = src_;

	for (uint32_t i = 0; i < nout && len; i++) {
		uint64_t seg_len = out[i].len, chunk, gpa;

		if (off >= seg_len) {
			off -= seg_len;
			continue;
		}
		chunk = seg_len - off;
		if (chunk > len)
			chunk = len;
		gpa = out[i].gpa + off;
		while (chunk) {
			struct vc_seg t[4];
			int n = vc_mem_translate(mt, gpa, chunk, t, 4);
			uint64_t done = 0;

			if (n == -E2BIG)
				n = 4;
			else if (n < 0)
				return -EFAULT;
			for (int k = 0; k < n && done < chunk; k++) {
				uint64_t c = t[k].len;

				if (c > chunk - done)
					c = chunk - done;
				memcpy(t[k].hva, src, c);
				src += c;
				done += c;
			}
			gpa += done;
			chunk -= done;
			len -= done;
		}
		off = 0;
	}
	return len ? -ERANGE : 0;
}

/* Copy @len bytes between @buf and offset @off of the pieces: into them if @in, else out. */
static int out_copy(const struct vc_out_seg *seg, uint32_t n, uint64_t off, uint8_t *buf,
		    uint64_t len, bool in)
{
	for (uint32_t i = 0; i < n && len; i++) {
		uint64_t chunk;

		if (off >= seg[i].len) {
			off -= seg[i].len;
			continue;
		}
		chunk = seg[i].len - off;
		if (chunk > len)
			chunk = len;
		if (in)
			memcpy(seg[i].hva + off, buf, chunk);
		else
			memcpy(buf, seg[i].hva + off, chunk);
		buf += chunk;
		len -= chunk;
		off = 0;
	}
	return len ? -ERANGE : 0;
}

int vc_out_write_slow(const struct vc_out_seg *out, uint32_t nout, uint64_t off, const void *src,
		      uint64_t len)
{
	return out_copy(out, nout, off, (uint8_t *)(uintptr_t)src, len, true);
}

int vc_out_read_slow(const struct vc_out_seg *in, uint32_t nin, uint64_t off, void *dst,
		     uint64_t len)
{
	return out_copy(in, nin, off, dst, len, false);
}
