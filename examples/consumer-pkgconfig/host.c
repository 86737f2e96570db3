/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Built with `pkg-config --cflags --libs vcrypto`: links libvcrypto (and,
 * through Requires, libvcrypto-guest); DPDK stays a private dependency.
 * Prints "host-consumer: OK" and exits 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vcrypto/host.h>

int main(void)
{
	int ret = vcrypto_eal_init(0, NULL); /* refused before DPDK is touched */

	printf("vcrypto %s: vcrypto_eal_init(0, NULL) = %d (%s)\n", vcrypto_version(), ret,
	       vcrypto_strerror(ret));
	if (ret != -EINVAL || vcrypto_version_number() != VCRYPTO_VERSION_NUMBER) {
		fprintf(stderr, "host-consumer: FAILED\n");
		return 1;
	}
	printf("host-consumer: OK\n");
	return 0;
}
