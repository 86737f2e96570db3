/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Shared by the fuzz targets: the libFuzzer entry point and an invariant
 * check that aborts (a crash for libFuzzer, a failure for the regression
 * driver) with the failed condition.
 */
#ifndef VCRYPTO_FUZZ_CHECK_H
#define VCRYPTO_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Little-endian reader over the fuzz input; reads past the end give zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t len, off;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned int nbytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < nbytes; i++) {
		uint64_t b = in->off < in->len ? in->p[in->off] : 0;

		v |= b << (8 * i);
		in->off++;
	}
	return v;
}

static inline size_t fuzz_left(const struct fuzz_in *in)
{
	return in->off < in->len ? in->len - in->off : 0;
}

#endif /* VCRYPTO_FUZZ_CHECK_H */
