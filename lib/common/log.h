/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Internal logging. Exported from libvcrypto-guest as VCRYPTO_PRIVATE. */
#ifndef VCRYPTO_LOG_H
#define VCRYPTO_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <vcrypto/vcrypto.h>

VCRYPTO_API void vcrypto__log(enum vcrypto_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
VCRYPTO_API bool vcrypto__log_enabled(enum vcrypto_log_level level);
/* Where messages go while the application set no handler (host: rte_log). */
VCRYPTO_API void vcrypto__log_set_default_sink(vcrypto_log_fn fn, void *ctx);

/*
 * Rate limit for messages a guest can trigger at will: at most `burst`
 * messages per second per limiter; the number suppressed is reported with
 * the next message that passes. Not thread-safe by itself: one limiter per
 * thread or per object served by one thread.
 */
struct vc_ratelimit {
	uint64_t window_start_ns;
	uint32_t in_window;
	uint32_t suppressed;
};
VCRYPTO_API bool vcrypto__ratelimit_pass(struct vc_ratelimit *rl, uint32_t burst,
					 uint32_t *suppressed);

#define VC_LOG(level, ...) vcrypto__log(VCRYPTO_LOG_##level, __VA_ARGS__)

#define VC_LOG_RL(rl, level, fmt, ...)                                                             \
	do {                                                                                       \
		uint32_t vc_supp_;                                                                 \
		if (vcrypto__log_enabled(VCRYPTO_LOG_##level) &&                                   \
		    vcrypto__ratelimit_pass((rl), 10, &vc_supp_)) {                                \
			if (vc_supp_)                                                              \
				vcrypto__log(VCRYPTO_LOG_##level,                                  \
					     fmt " (%u similar messages suppressed)",              \
					     ##__VA_ARGS__, vc_supp_);                             \
			else                                                                       \
				vcrypto__log(VCRYPTO_LOG_##level, fmt, ##__VA_ARGS__);             \
		}                                                                                  \
	} while (0)

#endif /* VCRYPTO_LOG_H */
