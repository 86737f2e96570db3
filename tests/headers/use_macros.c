/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The public macros and types in use, compiled as strict C11 and as C++11
 * (the build copies this file to a .cpp). Nothing here runs.
 */
#include <vcrypto/crypto.h>
#include <vcrypto/guest.h>
#include <vcrypto/vcrypto.h>
#include <vcrypto/version.h>
#ifdef VCRYPTO_HEADERS_HOST
#include <vcrypto/host.h>
#endif

#if !defined(VCRYPTO_VERSION_MAJOR) || !defined(VCRYPTO_VERSION_MINOR) ||                          \
	!defined(VCRYPTO_VERSION_PATCH) || !defined(VCRYPTO_VERSION_STRING)
#error "version macros missing"
#endif
#if VCRYPTO_VERSION_NUMBER !=                                                                      \
	VCRYPTO_VERSION_MAJOR * 10000 + VCRYPTO_VERSION_MINOR * 100 + VCRYPTO_VERSION_PATCH
#error "VCRYPTO_VERSION_NUMBER is not major * 10000 + minor * 100 + patch"
#endif

size_t vcrypto_hdr_use_macros(void);

size_t vcrypto_hdr_use_macros(void)
{
	struct vcrypto_guest_opts g = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_session_params s = VCRYPTO_OPTS_INIT(vcrypto_session_params);
	size_t total = g.sz + s.sz;
	const char *(*fn)(int) = vcrypto_strerror;
#ifdef VCRYPTO_HEADERS_HOST
	struct vcrypto_port_opts p = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_engine_opts e = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_poller_opts q = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);

	total += p.sz + e.sz + q.sz;
#endif
	g.queue_size = 256;
	s.type = VCRYPTO_SESSION_CIPHER;
	s.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	return total + g.queue_size + (s.type == VCRYPTO_SESSION_CIPHER ? 1u : 0u) + (fn ? 1u : 0u);
}
