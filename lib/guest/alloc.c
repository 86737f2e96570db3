/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "guest/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vc_alloc_init(struct vc_alloc *a, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->size = size & ~(uint64_t)(VC_ALLOC_ALIGN - 1);
	a->cap = 16;
	a->ext = calloc(a->cap, sizeof(*a->ext));
	if (!a->ext)
		return -ENOMEM;
	if (a->size) {
		a->ext[0] = (struct vc_extent){0, a->size, 0};
		a->n = 1;
	}
	return 0;
}

void vc_alloc_fini(struct vc_alloc *a)
{
	free(a->ext);
	memset(a, 0, sizeof(*a));
}

static int insert_at(struct vc_alloc *a, size_t i, struct vc_extent e)
{
	if (a->n == a->cap) {
		size_t cap = a->cap * 2;
		struct vc_extent *n = realloc(a->ext, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		a->ext = n;
		a->cap = cap;
	}
	memmove(&a->ext[i + 1], &a->ext[i], (a->n - i) * sizeof(*a->ext));
	a->ext[i] = e;
	a->n++;
	return 0;
}

static void remove_at(struct vc_alloc *a, size_t i)
{
	memmove(&a->ext[i], &a->ext[i + 1], (a->n - i - 1) * sizeof(*a->ext));
	a->n--;
}

int vc_alloc_get(struct vc_alloc *a, uint64_t len, uint64_t *off)
{
	if (len == 0 || len > a->size)
		return len ? -ENOMEM : -EINVAL;
	len = (len + VC_ALLOC_ALIGN - 1) & ~(uint64_t)(VC_ALLOC_ALIGN - 1);
	for (size_t i = 0; i < a->n; i++) {
		struct vc_extent *e = &a->ext[i];

		if (e->used || e->len < len)
			continue;
		if (e->len > len) {
			struct vc_extent rest = {e->off + len, e->len - len, 0};

			if (insert_at(a, i + 1, rest))
				return -ENOMEM;
			e = &a->ext[i];
			e->len = len;
		}
		e->used = 1;
		a->in_use += len;
		*off = e->off;
		return 0;
	}
	return -ENOMEM;
}

static size_t find(const struct vc_alloc *a, uint64_t off)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->ext[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t vc_alloc_len(const struct vc_alloc *a, uint64_t off)
{
	size_t i = find(a, off);

	if (i < a->n && a->ext[i].off == off && a->ext[i].used)
		return a->ext[i].len;
	return 0;
}

int vc_alloc_put(struct vc_alloc *a, uint64_t off)
{
	size_t i = find(a, off);

	if (i >= a->n || a->ext[i].off != off || !a->ext[i].used)
		return -EINVAL;
	a->ext[i].used = 0;
	a->in_use -= a->ext[i].len;
	if (i + 1 < a->n && !a->ext[i + 1].used) {
		a->ext[i].len += a->ext[i + 1].len;
		remove_at(a, i + 1);
	}
	if (i > 0 && !a->ext[i - 1].used) {
		a->ext[i - 1].len += a->ext[i].len;
		remove_at(a, i);
	}
	return 0;
}
