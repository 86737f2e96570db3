/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include <errno.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <vcrypto/host.h>

VCRYPTO_API int vcrypto_eal_init(int argc, char **argv)
{
	int ret;

	if (argc < 1 || !argv)
		return -EINVAL;
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return rte_errno ? -rte_errno : -EINVAL;
	return ret;
}

VCRYPTO_API void vcrypto_eal_cleanup(void)
{
	rte_eal_cleanup();
}
