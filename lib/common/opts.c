/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "common/opts.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

VCRYPTO_API int vcrypto__opts_check(const void *opts, size_t known_size)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (i = known_size; i < sz; i++)
		if (p[i])
			return -EINVAL;
	return 0;
}

VCRYPTO_API int vcrypto__opts_copy(void *dst, size_t dst_size, const void *src)
{
	size_t sz = 0;
	int ret;

	if (!dst || dst_size < sizeof(size_t))
		return -EINVAL;
	ret = vcrypto__opts_check(src, dst_size);
	if (ret < 0)
		return ret;
	if (src) {
		memcpy(&sz, src, sizeof(sz));
		if (sz > dst_size)
			sz = dst_size;
		memcpy(dst, src, sz);
	}
	memset((unsigned char *)dst + sz, 0, dst_size - sz);
	memcpy(dst, &dst_size, sizeof(dst_size));
	return 0;
}
