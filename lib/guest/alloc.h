/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * First-fit extent allocator with coalescing for the buffer heap of the
 * shared region. Metadata lives in private memory (the host can write the
 * shared region; it must not be able to corrupt our bookkeeping). Not
 * thread-safe: the caller locks.
 */
#ifndef VCRYPTO_GUEST_ALLOC_H
#define VCRYPTO_GUEST_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define VC_ALLOC_ALIGN 64

struct vc_extent {
	uint64_t off;
	uint64_t len;
	int used;
};

struct vc_alloc {
	struct vc_extent *ext; /* sorted by off, covering [0, size) without gaps */
	size_t n, cap;
	uint64_t size;
	uint64_t in_use; /* bytes handed out */
};

/* Manage [0, size) (size is rounded down to VC_ALLOC_ALIGN). 0 or -ENOMEM. */
int vc_alloc_init(struct vc_alloc *a, uint64_t size);
void vc_alloc_fini(struct vc_alloc *a);
/* Allocate len bytes (rounded up to VC_ALLOC_ALIGN): 0 and *off, -EINVAL, -ENOMEM. */
int vc_alloc_get(struct vc_alloc *a, uint64_t len, uint64_t *off);
/* Free the block starting at off: 0, or -EINVAL if no block starts there. */
int vc_alloc_put(struct vc_alloc *a, uint64_t off);
/* Length of the block starting at off, or 0 if none is allocated there. */
uint64_t vc_alloc_len(const struct vc_alloc *a, uint64_t off);

#endif /* VCRYPTO_GUEST_ALLOC_H */
