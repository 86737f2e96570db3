/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

/*
 * The log sink is the one piece of process-wide state (see
 * vcrypto_log_set_handler()). Handler and context are published together
 * through one atomic pointer to an immutable pair, so a concurrent logger
 * never sees a handler with another handler's context.
 */
struct sink {
	vcrypto_log_fn fn;
	void *ctx;
};

static void stderr_sink(enum vcrypto_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level <= VCRYPTO_LOG_WARNING)
		fprintf(stderr, "vcrypto: %s\n", msg);
}

static const struct sink builtin_sink = {stderr_sink, NULL};
/* Each published pair lives until the process ends: a logger may still hold it. */
static struct sink user_sinks[8], default_sinks[8];
static atomic_uint user_sink_next, default_sink_next;
static _Atomic(const struct sink *) user_sink;
static _Atomic(const struct sink *) default_sink = &builtin_sink;
static atomic_int max_level = VCRYPTO_LOG_NOTICE;

static const struct sink *publish(struct sink *ring, atomic_uint *next, vcrypto_log_fn fn, void *ctx)
{
	struct sink *s = &ring[atomic_fetch_add(next, 1) % 8];

	s->fn = fn;
	s->ctx = ctx;
	return s;
}

VCRYPTO_API void vcrypto_log_set_handler(vcrypto_log_fn fn, void *ctx)
{
	atomic_store(&user_sink, fn ? publish(user_sinks, &user_sink_next, fn, ctx) : NULL);
}

VCRYPTO_API int vcrypto_log_set_level(enum vcrypto_log_level level)
{
	if (level < VCRYPTO_LOG_ERR || level > VCRYPTO_LOG_DEBUG)
		return -EINVAL;
	atomic_store(&max_level, (int)level);
	return 0;
}

VCRYPTO_API void vcrypto__log_set_default_sink(vcrypto_log_fn fn, void *ctx)
{
	atomic_store(&default_sink,
		     fn ? publish(default_sinks, &default_sink_next, fn, ctx) : &builtin_sink);
}

VCRYPTO_API bool vcrypto__log_enabled(enum vcrypto_log_level level)
{
	return (int)level <= atomic_load_explicit(&max_level, memory_order_relaxed);
}

VCRYPTO_API void vcrypto__log(enum vcrypto_log_level level, const char *fmt, ...)
{
	const struct sink *s;
	char buf[512];
	va_list ap;

	if (!vcrypto__log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s = atomic_load(&user_sink);
	if (!s)
		s = atomic_load(&default_sink);
	s->fn(level, buf, s->ctx);
}

VCRYPTO_API bool vcrypto__ratelimit_pass(struct vc_ratelimit *rl, uint32_t burst,
					 uint32_t *suppressed)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (now - rl->window_start_ns >= 1000000000u) {
		rl->window_start_ns = now;
		rl->in_window = 0;
	}
	if (rl->in_window >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->in_window++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
