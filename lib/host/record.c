/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Seed recorder: see record.h. Built only with -DVCRYPTO_RECORD_SEEDS=ON. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "host/record.h"

#define REC_PAYLOAD 640	  /* longest CREATE payload kept */
#define REC_SESSIONS 256  /* sessions remembered (oldest replaced) */
#define REC_MAX_FILES 64  /* per directory */
#define REC_MAX_DESCS 64  /* descriptors followed per chain */
#define REC_MAX_SPANS 128 /* guest buffers per chain */
#define REC_REGION_MAX 65535u
#define REC_GAP 64u /* buffers closer than this share an interval */
/* Guest address of region @r of an image (regions are at most 64 KiB apart). */
#define REC_REGION_GPA(r) (0x100000ULL * ((r) + 1))

struct rec_sess {
	const void *port;
	uint64_t id;
	int layout;
	uint32_t len;
	uint8_t p[REC_PAYLOAD];
};

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *rec_dir;
static bool rec_init;
static struct rec_sess rec_sess[REC_SESSIONS];
static uint32_t rec_nsess;
static uint64_t rec_seen[3 * REC_MAX_FILES];
static uint32_t rec_nseen, rec_nsmsg, rec_nwalk, rec_nreq;

/* Under rec_lock. */
static bool rec_on(void)
{
	static const char *const sub[] = {"session_msg", "walk", "request"};
	char path[4096];

	if (!rec_init) {
		rec_init = true;
		rec_dir = getenv("VCRYPTO_RECORD_DIR");
		if (rec_dir && *rec_dir) {
			mkdir(rec_dir, 0755);
			for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
				snprintf(path, sizeof(path), "%s/%s", rec_dir, sub[i]);
				mkdir(path, 0755);
			}
		} else {
			rec_dir = NULL;
		}
	}
	return rec_dir != NULL;
}

/* Write the @n pieces of @v to rec_dir/@sub/@name (nothing is left of a short write). */
static void rec_write(const char *sub, const char *name, const struct iovec *v, int n)
{
	char path[4096];
	ssize_t want = 0;
	int fd;

	for (int i = 0; i < n; i++)
		want += (ssize_t)v[i].iov_len;
	snprintf(path, sizeof(path), "%s/%s/%s", rec_dir, sub, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (writev(fd, v, n) != want)
		unlink(path);
	close(fd);
}

/* True the first time @key is seen. */
static bool rec_new(uint64_t key)
{
	for (uint32_t i = 0; i < rec_nseen; i++)
		if (rec_seen[i] == key)
			return false;
	if (rec_nseen == sizeof(rec_seen) / sizeof(rec_seen[0]))
		return false;
	rec_seen[rec_nseen++] = key;
	return true;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h;
}

void vc_record_session(const void *port, uint64_t id, int layout, const uint8_t *payload,
		       uint32_t len)
{
	struct rec_sess *s;
	uint64_t key = mix(mix(1, (uint64_t)layout), len);

	if (len > REC_PAYLOAD)
		len = REC_PAYLOAD;
	pthread_mutex_lock(&rec_lock);
	if (!rec_on()) {
		pthread_mutex_unlock(&rec_lock);
		return;
	}
	s = &rec_sess[rec_nsess++ % REC_SESSIONS];
	s->port = port;
	s->id = id;
	s->layout = layout;
	s->len = len;
	memcpy(s->p, payload, len);
	/* One seed per layout and op/algorithm words (the first 16 bytes). */
	for (uint32_t i = 0; i < len && i < 16; i++)
		key = mix(key, payload[i]);
	if (rec_nsmsg < REC_MAX_FILES && rec_new(key)) {
		uint8_t mode = (uint8_t)layout;
		struct iovec v[2] = {{&mode, 1}, {(void *)payload, len}};
		char name[64];

		snprintf(name, sizeof(name), "rec-layout%d-%d-%u", layout, (int)getpid(),
			 rec_nsmsg++);
		rec_write("session_msg", name, v, 2);
	}
	pthread_mutex_unlock(&rec_lock);
}

/* ---- request images ---- */

struct span {
	uint64_t a, b; /* [a, b) */
};

struct ival {
	uint64_t a, b; /* guest interval */
	uint64_t nb;   /* its new guest address */
	uint32_t boff; /* its offset in the image's region contents (all regions) */
};

struct rec_chain {
	struct span sp[REC_MAX_SPANS];
	uint32_t nsp;
	struct span tables[REC_MAX_DESCS]; /* indirect tables */
	uint32_t ntables;
	uint32_t ring[REC_MAX_DESCS]; /* ring indices visited, in order */
	uint32_t nring;
	uint64_t shape;
};

static bool add_span(struct rec_chain *rc, uint64_t a, uint64_t len)
{
	if (!len)
		return true;
	if (rc->nsp == REC_MAX_SPANS || a + len < a)
		return false;
	rc->sp[rc->nsp].a = a;
	rc->sp[rc->nsp].b = a + len;
	rc->nsp++;
	return true;
}

/* Follow the chain at @head (read only; false for anything a real front end would not send). */
static bool gather(const struct vc_memtab *mt, const volatile struct vc_desc *table, uint32_t qsize,
		   uint16_t head, struct rec_chain *rc)
{
	uint32_t i = head;

	memset(rc, 0, sizeof(*rc));
	rc->shape = 7;
	for (;;) {
		struct vc_desc d = {table[i].addr, table[i].len, table[i].flags, table[i].next};

		if (rc->nring == REC_MAX_DESCS)
			return false;
		rc->ring[rc->nring++] = i;
		rc->shape = mix(mix(rc->shape, d.flags), d.len);
		if (d.flags & VC_DESC_F_INDIRECT) {
			const struct vc_desc *t = vc_mem_contig(mt, d.addr, d.len);
			uint32_t n = d.len / 16, j = 0;

			if (!t || d.len % 16 || !n || rc->ntables == REC_MAX_DESCS ||
			    !add_span(rc, d.addr, d.len))
				return false;
			rc->tables[rc->ntables].a = d.addr;
			rc->tables[rc->ntables].b = d.addr + d.len;
			rc->ntables++;
			for (uint32_t k = 0; k < n; k++) {
				struct vc_desc e;

				memcpy(&e, &t[j], sizeof(e));
				rc->shape = mix(mix(rc->shape, e.flags), e.len);
				if (!add_span(rc, e.addr, e.len))
					return false;
				if (!(e.flags & VC_DESC_F_NEXT))
					break;
				if (e.next >= n)
					return false;
				j = e.next;
			}
		} else if (!add_span(rc, d.addr, d.len)) {
			return false;
		}
		if (!(d.flags & VC_DESC_F_NEXT))
			return true;
		if (d.next >= qsize)
			return false;
		i = d.next;
	}
}

static int cmp_span(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	return a->a < b->a ? -1 : a->a > b->a;
}

/* Merge the spans into intervals and place them in up to 3 regions of the image. */
static uint32_t place(struct rec_chain *rc, struct ival *iv, uint32_t *nreg, uint32_t *reg_size)
{
	uint32_t n = 0, reg = 0, off = 0, base = 0; /* base: the region's start in the contents */

	qsort(rc->sp, rc->nsp, sizeof(rc->sp[0]), cmp_span);
	for (uint32_t i = 0; i < rc->nsp; i++) {
		if (n && rc->sp[i].a <= iv[n - 1].b + REC_GAP) {
			if (rc->sp[i].b > iv[n - 1].b)
				iv[n - 1].b = rc->sp[i].b;
			continue;
		}
		iv[n].a = rc->sp[i].a;
		iv[n].b = rc->sp[i].b;
		n++;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t len = iv[i].b - iv[i].a;
		/* Keep the offset within a 64-byte line (alignment paths stay the same). */
		uint32_t at = ((off + REC_GAP - 1) & ~(REC_GAP - 1)) + (uint32_t)(iv[i].a & 63);

		if (len > REC_REGION_MAX - 64)
			return 0;
		if (at + len > REC_REGION_MAX) {
			reg_size[reg] = off;
			base += off;
			if (++reg == 3)
				return 0;
			at = (uint32_t)(iv[i].a & 63);
		}
		iv[i].boff = base + at;
		iv[i].nb = REC_REGION_GPA(reg) + at;
		off = at + (uint32_t)len;
	}
	reg_size[reg] = off;
	*nreg = reg + 1;
	return n;
}

/* The interval holding guest address @addr, or NULL. */
static const struct ival *ival_of(const struct ival *iv, uint32_t n, uint64_t addr)
{
	for (uint32_t i = 0; i < n; i++)
		if (addr >= iv[i].a && addr < iv[i].b)
			return &iv[i];
	return NULL;
}

/* @addr moved to its place in the image; false if it is in no interval. */
static bool remap(const struct ival *iv, uint32_t n, uint64_t *addr)
{
	const struct ival *v = ival_of(iv, n, *addr);

	if (v)
		*addr = v->nb + (*addr - v->a);
	return v || *addr == 0; /* an empty buffer's address may be anything: 0 stays 0 */
}

static void put(uint8_t **p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

void vc_record_request(const void *port, const struct vc_memtab *mt,
		       const volatile struct vc_desc *table, uint32_t qsize, uint16_t head,
		       uint64_t session_id, uint32_t max_descs, uint32_t max_req,
		       uint32_t max_cipher)
{
	static struct rec_chain rc;
	static struct ival iv[REC_MAX_SPANS];
	const struct rec_sess *s = NULL;
	uint32_t niv, nreg = 0, reg_size[3] = {0}, qs, total = 0;
	uint8_t *img = NULL, *p, *regs;
	char name[64];

	pthread_mutex_lock(&rec_lock);
	if (!rec_on() || (rec_nwalk >= REC_MAX_FILES && rec_nreq >= REC_MAX_FILES) ||
	    !gather(mt, table, qsize, head, &rc))
		goto out;
	for (uint32_t i = 0; i < REC_SESSIONS && i < rec_nsess; i++)
		if (rec_sess[i].port == port && rec_sess[i].id == session_id)
			s = &rec_sess[i];
	if (!rec_new(mix(rc.shape, s ? (uint64_t)s->layout : 99)))
		goto out;
	niv = place(&rc, iv, &nreg, reg_size);
	if (!niv)
		goto out;
	qs = rc.nring < 8 ? 8 : rc.nring;
	for (uint32_t r = 0; r < nreg; r++)
		total += reg_size[r];
	img = calloc(1, 1 + 10 * 3 + 7 + (size_t)qs * 16 + total);
	if (!img)
		goto out;
	p = img;
	*p++ = (uint8_t)(nreg - 1);
	for (uint32_t r = 0; r < nreg; r++) {
		put(&p, REC_REGION_GPA(r), 8);
		put(&p, reg_size[r], 2);
	}
	put(&p, qs - 1, 2);
	put(&p, 0, 2); /* head: the chain is renumbered from 0 */
	put(&p, max_descs > 4096 ? 4096 : max_descs, 2);
	*p++ = 255; /* segment capacity (request seeds use the port's, flag bit 3) */
	for (uint32_t k = 0; k < rc.nring; k++) {
		const volatile struct vc_desc *d = &table[rc.ring[k]];
		uint64_t a = d->addr;
		uint16_t fl = d->flags;

		if (!remap(iv, niv, &a))
			goto out;
		put(&p, a, 8);
		put(&p, d->len, 4);
		put(&p, fl, 2);
		put(&p, (fl & VC_DESC_F_NEXT) ? k + 1 : 0, 2);
	}
	p += (size_t)(qs - rc.nring) * 16;
	regs = p;
	for (uint32_t i = 0; i < niv; i++) {
		const uint8_t *src = vc_mem_contig(mt, iv[i].a, iv[i].b - iv[i].a);

		if (!src)
			goto out;
		memcpy(regs + iv[i].boff, src, iv[i].b - iv[i].a);
	}
	/* Indirect tables: their entries point into the packed regions too. */
	for (uint32_t t = 0; t < rc.ntables; t++) {
		const struct ival *v = ival_of(iv, niv, rc.tables[t].a);
		uint8_t *tab;

		if (!v)
			goto out;
		tab = regs + v->boff + (rc.tables[t].a - v->a);
		for (uint64_t e = 0; e + 16 <= rc.tables[t].b - rc.tables[t].a; e += 16) {
			uint64_t a;

			memcpy(&a, tab + e, 8);
			if (remap(iv, niv, &a))
				memcpy(tab + e, &a, 8);
		}
	}
	if (rec_nwalk < REC_MAX_FILES) {
		struct iovec v = {img, (size_t)(p - img) + total};

		snprintf(name, sizeof(name), "rec-%d-%u", (int)getpid(), rec_nwalk++);
		rec_write("walk", name, &v, 1);
	}
	if (s && rec_nreq < REC_MAX_FILES) {
		uint8_t hdr[11], *h = hdr;
		struct iovec v[3] = {{hdr, sizeof(hdr)},
				     {(void *)s->p, s->len},
				     {img, (size_t)(p - img) + total}};

		*h++ = (uint8_t)((s->layout & 3) | 0x08);
		put(&h, max_req, 4);
		put(&h, max_cipher, 4);
		put(&h, s->len, 2);
		snprintf(name, sizeof(name), "rec-layout%d-%d-%u", s->layout, (int)getpid(),
			 rec_nreq++);
		rec_write("request", name, v, 3);
	}
out:
	free(img);
	pthread_mutex_unlock(&rec_lock);
}
