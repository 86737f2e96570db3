/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Allocation on whole cache lines. */
#ifndef VCRYPTO_LINES_H
#define VCRYPTO_LINES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/** The cache line size the allocations below are aligned and padded to. */
#define VC_LINE 64u

/*
 * Zeroed memory for @p n objects of @p size bytes that starts on a cache
 * line and fills its last one: no other allocation shares a line with it.
 * For what one thread writes at every request while other threads work
 * beside it (a poller's state, a queue's): with calloc() the neighbours'
 * ends share lines, and two cores then pass such a line back and forth at
 * every write (false sharing between pollers, or between the queues of
 * one port served by two pollers). NULL on overflow or failure. Freed
 * with free().
 */
static inline void *vc_calloc_lines(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (size && n > (SIZE_MAX - VC_LINE) / size)
		return NULL;
	bytes = (n * size + VC_LINE - 1) & ~(size_t)(VC_LINE - 1);
	if (!bytes)
		bytes = VC_LINE;
	p = aligned_alloc(VC_LINE, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

#endif
