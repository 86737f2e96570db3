/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Default log sink of the host library: DPDK's rte_log, logtype "lib.vcrypto". */

#include <rte_common.h>
#include <rte_log.h>

#include "common/log.h"

static int vc_logtype = -1;

static void rte_log_sink(enum vcrypto_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	/* vcrypto's levels use the same numbers as RTE_LOG_*. */
	rte_log((uint32_t)level, (uint32_t)(vc_logtype >= 0 ? vc_logtype : RTE_LOGTYPE_USER1),
		"VCRYPTO: %s\n", msg);
}

RTE_INIT(vcrypto_host_log_init)
{
	vc_logtype = rte_log_register_type_and_pick_level("lib.vcrypto", RTE_LOG_NOTICE);
	vcrypto__log_set_default_sink(rte_log_sink, NULL);
}
