/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Built with `pkg-config --cflags --libs vcrypto-guest`: no DPDK header or
 * library is involved. Prints "guest-consumer: OK" and exits 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vcrypto/guest.h>

int main(void)
{
	struct vcrypto_guest_opts opts = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);

	printf("vcrypto-guest %s: -ENOTCONN is \"%s\"\n", vcrypto_version(),
	       vcrypto_strerror(-ENOTCONN));
	if (strcmp(vcrypto_version(), VCRYPTO_VERSION_STRING) != 0 ||
	    opts.sz != sizeof(struct vcrypto_guest_opts) ||
	    strcmp(vcrypto_strerror(-ENOTCONN), "unknown error") == 0) {
		fprintf(stderr, "guest-consumer: FAILED\n");
		return 1;
	}
	printf("guest-consumer: OK\n");
	return 0;
}
