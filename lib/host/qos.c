/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Per-port limits: the public setter and getter (the rest is in qos.h). */

#include <errno.h>
#include <string.h>

#include "common/opts.h"
#include "host/internal.h"

VCRYPTO_API int vcrypto_port_set_limits(struct vcrypto_port *port,
					const struct vcrypto_port_limits *limits)
{
	struct vcrypto_port_limits l;
	struct vc_qos_cfg c;
	struct vc_qos *q;
	int ret;

	if (!port || !limits)
		return -EINVAL;
	ret = vcrypto__opts_copy(&l, sizeof(l), limits);
	if (ret)
		return ret;
	ret = vc_qos_resolve(&c, l.rate_ops, l.rate_bytes, l.burst_ops, l.burst_bytes,
			     l.max_inflight, l.weight, port->o.max_inflight);
	if (ret)
		return ret;
	q = &port->qos;
	pthread_mutex_lock(&q->cfg_lock);
	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vc_qos_cfg_store(&q->pub, &c);
	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&q->cfg_lock);
	return 0;
}

VCRYPTO_API int vcrypto_port_get_limits(const struct vcrypto_port *port,
					struct vcrypto_port_limits *limits)
{
	struct vcrypto_port_limits l;
	struct vc_qos_cfg c;
	struct vc_qos *q;
	size_t n;

	if (!port || !limits || limits->sz < sizeof(size_t))
		return -EINVAL;
	q = (struct vc_qos *)&port->qos;
	pthread_mutex_lock(&q->cfg_lock);
	vc_qos_cfg_load(&c, &q->pub);
	pthread_mutex_unlock(&q->cfg_lock);
	memset(&l, 0, sizeof(l));
	l.sz = sizeof(l);
	l.rate_ops = c.rate_ops;
	l.rate_bytes = c.rate_bytes;
	l.burst_ops = c.burst_ops;
	l.burst_bytes = c.burst_bytes;
	l.max_inflight = c.max_inflight;
	l.weight = c.weight;
	n = limits->sz < sizeof(l) ? limits->sz : sizeof(l);
	memcpy((uint8_t *)limits + sizeof(size_t), (uint8_t *)&l + sizeof(size_t),
	       n - sizeof(size_t));
	return 0;
}
