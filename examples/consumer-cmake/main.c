/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * A minimal vcrypto consumer: checks that the headers and the libraries it
 * was built and linked against agree (libvcrypto-guest holds the common
 * functions) and, if built with the host library, calls into libvcrypto. Needs no socket, no device
 * and no privileges. Prints "consumer: OK" and exits 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vcrypto/guest.h>
#include <vcrypto/vcrypto.h>
#ifdef CONSUMER_HAVE_HOST
#include <vcrypto/host.h>
#endif

int main(void)
{
#ifdef CONSUMER_HAVE_HOST
	int ret;
#endif

	printf("vcrypto %s (headers %s), %s\n", vcrypto_version(), VCRYPTO_VERSION_STRING,
	       vcrypto_strerror(-EPROTO));
	if (vcrypto_version_number() != VCRYPTO_VERSION_NUMBER) {
		fprintf(stderr, "consumer: library %u does not match headers %u\n",
			vcrypto_version_number(), (unsigned int)VCRYPTO_VERSION_NUMBER);
		return 1;
	}
	if (strcmp(vcrypto_strerror(-EPROTO), vcrypto_strerror(EPROTO)) != 0 ||
	    strcmp(vcrypto_strerror(-EPROTO), "unknown error") == 0) {
		fprintf(stderr, "consumer: unexpected vcrypto_strerror()\n");
		return 1;
	}

#ifdef CONSUMER_HAVE_HOST
	/* Host library: bad arguments are refused before DPDK is touched. */
	ret = vcrypto_eal_init(0, NULL);
	printf("host: vcrypto_eal_init(0, NULL) = %d (%s)\n", ret, vcrypto_strerror(ret));
	if (ret != -EINVAL) {
		fprintf(stderr, "consumer: expected -EINVAL\n");
		return 1;
	}
#endif
	printf("consumer: OK\n");
	return 0;
}
