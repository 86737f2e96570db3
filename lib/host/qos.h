/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Per-port limits: token buckets for requests and bytes per second, a
 * run-time cap on requests in flight, and the fair-sharing weight.
 *
 * Any thread publishes a configuration through a sequence lock
 * (vcrypto_port_set_limits(), qos.c); the poller that serves the port
 * copies it under the port lock (which it holds anyway to fetch) when the
 * sequence moved, and never waits: if a writer is in the middle of an
 * update it keeps the previous copy for this round. Included by
 * internal.h after struct vc_qos.
 */
#ifndef VCRYPTO_HOST_QOS_H
#define VCRYPTO_HOST_QOS_H

#include <errno.h>
#include <pthread.h>

#include <rte_cycles.h>

/*
 * A bucket's depth: @burst if set, else a tenth of a second at @rate (at least
 * 1); 0 without a rate.
 */
static inline uint64_t vc_qos_depth(uint64_t burst, uint64_t rate)
{
	if (burst || !rate)
		return burst;
	return rate / 10 ? rate / 10 : 1;
}

static inline int vc_qos_resolve(struct vc_qos_cfg *c, uint64_t rate_ops, uint64_t rate_bytes,
				 uint64_t burst_ops, uint64_t burst_bytes, uint32_t max_inflight,
				 uint32_t weight, uint32_t port_max_inflight)
{
	if (weight > VC_QOS_MAX_WEIGHT || max_inflight > 32768)
		return -EINVAL;
	c->rate_ops = rate_ops;
	c->rate_bytes = rate_bytes;
	c->burst_ops = vc_qos_depth(burst_ops, rate_ops);
	c->burst_bytes = vc_qos_depth(burst_bytes, rate_bytes);
	c->max_inflight = max_inflight && max_inflight < port_max_inflight ? max_inflight :
									     port_max_inflight;
	c->weight = weight ? weight : 1;
	return 0;
}

static inline int vc_qos_init(struct vc_qos *q, const struct vcrypto_port_opts *o)
{
	int ret = vc_qos_resolve(&q->pub, o->rate_ops, o->rate_bytes, o->burst_ops, o->burst_bytes,
				 0, o->weight, o->max_inflight);

	if (ret)
		return ret;
	pthread_mutex_init(&q->cfg_lock, NULL);
	q->seq = 2;
	q->seen = 2;
	q->cur = q->pub;
	q->tok_ops = (double)q->cur.burst_ops;
	q->tok_bytes = (double)q->cur.burst_bytes;
	return 0;
}

static inline void vc_qos_fini(struct vc_qos *q)
{
	pthread_mutex_destroy(&q->cfg_lock);
}

static inline void vc_qos_cfg_store(struct vc_qos_cfg *dst, const struct vc_qos_cfg *src)
{
	__atomic_store_n(&dst->rate_ops, src->rate_ops, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->rate_bytes, src->rate_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->burst_ops, src->burst_ops, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->burst_bytes, src->burst_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->max_inflight, src->max_inflight, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->weight, src->weight, __ATOMIC_RELAXED);
}

static inline void vc_qos_cfg_load(struct vc_qos_cfg *dst, const struct vc_qos_cfg *src)
{
	dst->rate_ops = __atomic_load_n(&src->rate_ops, __ATOMIC_RELAXED);
	dst->rate_bytes = __atomic_load_n(&src->rate_bytes, __ATOMIC_RELAXED);
	dst->burst_ops = __atomic_load_n(&src->burst_ops, __ATOMIC_RELAXED);
	dst->burst_bytes = __atomic_load_n(&src->burst_bytes, __ATOMIC_RELAXED);
	dst->max_inflight = __atomic_load_n(&src->max_inflight, __ATOMIC_RELAXED);
	dst->weight = __atomic_load_n(&src->weight, __ATOMIC_RELAXED);
}

/*
 * Take a newly published configuration and refill the buckets. Returns the
 * TSC it read, or 0 when the port has no rate limit (no clock is read then:
 * it costs as much as a small request).
 */
static inline uint64_t vc_qos_refresh(struct vc_qos *q)
{
	uint32_t s1 = __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE);
	uint64_t now;

	if (s1 != q->seen && !(s1 & 1)) {
		struct vc_qos_cfg c;

		vc_qos_cfg_load(&c, &q->pub);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&q->seq, __ATOMIC_RELAXED) == s1) {
			/* A bucket that was unlimited starts full. */
			if (c.rate_ops && !q->cur.rate_ops)
				q->tok_ops = (double)c.burst_ops;
			if (c.rate_bytes && !q->cur.rate_bytes)
				q->tok_bytes = (double)c.burst_bytes;
			q->cur = c;
			q->seen = s1;
		}
	}
	if (!q->cur.rate_ops && !q->cur.rate_bytes)
		return 0;
	now = rte_get_tsc_cycles();
	if (now > q->last_tsc) {
		double dt = (double)(now - q->last_tsc) / (double)rte_get_tsc_hz();

		if (q->cur.rate_ops) {
			q->tok_ops += dt * (double)q->cur.rate_ops;
			if (q->tok_ops > (double)q->cur.burst_ops)
				q->tok_ops = (double)q->cur.burst_ops;
		}
		if (q->cur.rate_bytes) {
			q->tok_bytes += dt * (double)q->cur.rate_bytes;
			if (q->tok_bytes > (double)q->cur.burst_bytes)
				q->tok_bytes = (double)q->cur.burst_bytes;
		}
	}
	if (now > q->last_tsc)
		q->last_tsc = now;
	return now;
}

static inline void vc_qos_throttled(struct vc_qos *q, uint64_t now, bool throttled)
{
	if (!throttled) {
		q->thr_last = 0;
		return;
	}
	VC_STAT_ADD(q->throttled_rounds, 1);
	if (q->thr_last && now > q->thr_last)
		VC_STAT_ADD(q->throttled_cycles, now - q->thr_last);
	q->thr_last = now;
}

#endif /* VCRYPTO_HOST_QOS_H */
