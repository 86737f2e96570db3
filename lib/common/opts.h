/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The options-structure convention (see vcrypto.h, "Options structures"):
 * every `struct vcrypto_*_opts` starts with `size_t sz`, set by the caller
 * to the size of the structure it was compiled with. Internal; exported
 * from libvcrypto-guest under VCRYPTO_PRIVATE for libvcrypto's use.
 *
 * Typical use in a constructor:
 *
 *	struct vcrypto_port_opts o;
 *	int ret = vcrypto__opts_copy(&o, sizeof(o), user_opts);
 *	if (ret < 0)
 *		return ret;
 *	if (!o.num_queues)
 *		o.num_queues = 1;
 */
#ifndef VCRYPTO_OPTS_H
#define VCRYPTO_OPTS_H

#include <stddef.h>

#include <vcrypto/vcrypto.h>

/*
 * Validate a caller's options structure against the size this library
 * knows (@known_size, normally sizeof the structure).
 *
 * Returns 0 if @opts is NULL (use the defaults) or valid; -EINVAL if
 * opts->sz is smaller than the `sz` member itself (0 included), or if
 * opts->sz is larger than @known_size and any byte in
 * [known_size, opts->sz) is nonzero (a newer caller asked for something
 * this library does not know).
 */
VCRYPTO_API int vcrypto__opts_check(const void *opts, size_t known_size);

/*
 * Validate @src as vcrypto__opts_check(src, dst_size) does, then copy it
 * into @dst (dst_size bytes, an options structure of this library):
 * min(src->sz, dst_size) bytes are copied, the rest of @dst is zeroed (an
 * older caller's missing fields take their defaults), and dst->sz is set
 * to @dst_size. A NULL @src gives an all-zero @dst with dst->sz set.
 *
 * Returns 0, or -EINVAL (bad @src, or @dst NULL or smaller than a size_t);
 * @dst is not written on error.
 */
VCRYPTO_API int vcrypto__opts_copy(void *dst, size_t dst_size, const void *src);

#endif /* VCRYPTO_OPTS_H */
