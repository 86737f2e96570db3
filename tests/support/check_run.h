/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* The Check runner shared by the integration tests (their EAL lives in the process: no fork). */
#ifndef VCRYPTO_TEST_CHECK_RUN_H
#define VCRYPTO_TEST_CHECK_RUN_H

#include <check.h>

/* Test @t as its own case (CK_RUN_CASE=<name> runs one) with a timeout in seconds. */
#define VC_TCASE(suite, t, secs)                                                                   \
	do {                                                                                       \
		TCase *tc_ = tcase_create(#t);                                                     \
		tcase_set_timeout(tc_, (secs));                                                    \
		tcase_add_test(tc_, t);                                                            \
		suite_add_tcase((suite), tc_);                                                     \
	} while (0)

/* Run @s in this process; the exit status for main(). */
static inline int vc_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* VCRYPTO_TEST_CHECK_RUN_H */
