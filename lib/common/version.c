/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include <vcrypto/vcrypto.h>

VCRYPTO_API const char *vcrypto_version(void)
{
	return VCRYPTO_VERSION_STRING;
}

VCRYPTO_API uint32_t vcrypto_version_number(void)
{
	return VCRYPTO_VERSION_NUMBER;
}
