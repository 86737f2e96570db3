/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Unit tests of the common functions of libvcrypto-guest: version, error
 * texts, the log hook (handler, level, rate limit) and the options-structure
 * helpers.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vcrypto/vcrypto.h>
#include <vcrypto/version.h>

#include "common/log.h"
#include "common/opts.h"
#include "documented_errnos.h"

/* ---------------------------------------------------------------- version */

START_TEST(test_version_string)
{
	char expect[32];

	snprintf(expect, sizeof(expect), "%d.%d.%d", VCRYPTO_VERSION_MAJOR, VCRYPTO_VERSION_MINOR,
		 VCRYPTO_VERSION_PATCH);
	ck_assert_str_eq(VCRYPTO_VERSION_STRING, expect);
	ck_assert_ptr_nonnull(vcrypto_version());
	ck_assert_str_eq(vcrypto_version(), VCRYPTO_VERSION_STRING);
}
END_TEST

START_TEST(test_version_number)
{
	unsigned int maj, min, pat;

	ck_assert_uint_eq(VCRYPTO_VERSION_NUMBER, VCRYPTO_VERSION_MAJOR * 10000 +
							  VCRYPTO_VERSION_MINOR * 100 +
							  VCRYPTO_VERSION_PATCH);
	ck_assert_uint_eq(vcrypto_version_number(), VCRYPTO_VERSION_NUMBER);
	/* The number agrees with the run-time string. */
	ck_assert_int_eq(sscanf(vcrypto_version(), "%u.%u.%u", &maj, &min, &pat), 3);
	ck_assert_uint_eq(vcrypto_version_number(), maj * 10000 + min * 100 + pat);
	ck_assert_uint_lt(VCRYPTO_VERSION_MINOR, 100);
	ck_assert_uint_lt(VCRYPTO_VERSION_PATCH, 100);
}
END_TEST

/* ---------------------------------------------------------------- strerror */

struct named_errno {
	const char *name;
	int value;
};

#define VC_ERRNO(e) {#e, e},
static const struct named_errno documented[] = {VC_DOCUMENTED_ERRNOS};
#undef VC_ERRNO

START_TEST(test_strerror_documented)
{
	size_t i, j;

	/* The headers document at least these; guards against an empty list. */
	ck_assert_uint_ge(sizeof(documented) / sizeof(documented[0]), 10);
	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		int e = documented[i].value;
		const char *neg = vcrypto_strerror(-e);
		const char *pos = vcrypto_strerror(e);

		ck_assert_msg(neg && *neg, "%s: empty text", documented[i].name);
		ck_assert_msg(strcmp(neg, "unknown error") != 0,
			      "vcrypto_strerror(-%s) is \"unknown error\"", documented[i].name);
		ck_assert_msg(strcmp(neg, pos) == 0, "vcrypto_strerror(%s) depends on the sign",
			      documented[i].name);
		/* Distinct codes get distinct texts. */
		for (j = 0; j < i; j++) {
			const char *other = vcrypto_strerror(-documented[j].value);

			if (documented[j].value == e)
				continue;
			ck_assert_msg(strcmp(other, neg) != 0, "%s and %s share the text \"%s\"",
				      documented[j].name, documented[i].name, neg);
		}
	}
}
END_TEST

START_TEST(test_strerror_unknown)
{
	ck_assert_str_eq(vcrypto_strerror(0), "success");
	ck_assert_str_eq(vcrypto_strerror(123456), "unknown error");
	ck_assert_str_eq(vcrypto_strerror(-123456), "unknown error");
	/* INT_MIN cannot be negated; it must still give a valid string. */
	ck_assert_ptr_nonnull(vcrypto_strerror(-2147483647 - 1));
}
END_TEST

/* --------------------------------------------------------------------- log */

struct capture {
	int calls;
	enum vcrypto_log_level level;
	char msg[1024];
	void *ctx;
};

static void capture_fn(enum vcrypto_log_level level, const char *msg, void *ctx)
{
	struct capture *c = ctx;

	c->calls++;
	c->level = level;
	c->ctx = ctx;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static void log_teardown(void)
{
	vcrypto_log_set_handler(NULL, NULL);
	vcrypto_log_set_level(VCRYPTO_LOG_NOTICE);
}

START_TEST(test_log_handler)
{
	struct capture c = {0};

	vcrypto_log_set_handler(capture_fn, &c);
	VC_LOG(WARNING, "port %s: %d", "p0", 42);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(c.level, VCRYPTO_LOG_WARNING);
	ck_assert_str_eq(c.msg, "port p0: 42");
	ck_assert_ptr_eq(c.ctx, &c);
	VC_LOG(ERR, "second");
	ck_assert_int_eq(c.calls, 2);
	ck_assert_int_eq(c.level, VCRYPTO_LOG_ERR);
}
END_TEST

START_TEST(test_log_long_message_truncated)
{
	struct capture c = {0};
	char big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vcrypto_log_set_handler(capture_fn, &c);
	VC_LOG(ERR, "%s", big);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_uint_gt(strlen(c.msg), 100);
	ck_assert_uint_lt(strlen(c.msg), sizeof(big) - 1);
	ck_assert_int_eq(c.msg[0], 'x');
}
END_TEST

/* With no handler, warnings go to stderr as "vcrypto: <msg>". */
START_TEST(test_log_reset_to_stderr)
{
	struct capture c = {0};
	char buf[256] = {0};
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	ssize_t n;

	ck_assert_ptr_nonnull(tmp);
	ck_assert_int_ge(saved, 0);
	vcrypto_log_set_handler(capture_fn, &c);
	vcrypto_log_set_handler(NULL, NULL);

	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
	VC_LOG(WARNING, "to stderr %d", 7);
	VC_LOG(NOTICE, "notice is not printed by default");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	ck_assert_int_eq(c.calls, 0);
	rewind(tmp);
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, tmp);
	fclose(tmp);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "vcrypto: to stderr 7\n");
}
END_TEST

START_TEST(test_log_level_filter)
{
	struct capture c = {0};

	vcrypto_log_set_handler(capture_fn, &c);
	/* Default level: NOTICE. */
	ck_assert(vcrypto__log_enabled(VCRYPTO_LOG_NOTICE));
	ck_assert(!vcrypto__log_enabled(VCRYPTO_LOG_INFO));
	VC_LOG(INFO, "dropped");
	ck_assert_int_eq(c.calls, 0);
	VC_LOG(NOTICE, "kept");
	ck_assert_int_eq(c.calls, 1);

	ck_assert_int_eq(vcrypto_log_set_level(VCRYPTO_LOG_ERR), 0);
	VC_LOG(WARNING, "dropped");
	ck_assert_int_eq(c.calls, 1);
	VC_LOG(ERR, "kept");
	ck_assert_int_eq(c.calls, 2);

	ck_assert_int_eq(vcrypto_log_set_level(VCRYPTO_LOG_DEBUG), 0);
	VC_LOG(DEBUG, "kept");
	ck_assert_int_eq(c.calls, 3);
	ck_assert_int_eq(c.level, VCRYPTO_LOG_DEBUG);

	/* Invalid levels are refused and change nothing. */
	ck_assert_int_eq(vcrypto_log_set_level((enum vcrypto_log_level)3), -EINVAL);
	ck_assert_int_eq(vcrypto_log_set_level((enum vcrypto_log_level)9), -EINVAL);
	ck_assert_int_eq(vcrypto_log_set_level((enum vcrypto_log_level) - 1), -EINVAL);
	ck_assert(vcrypto__log_enabled(VCRYPTO_LOG_DEBUG));
}
END_TEST

static void default_sink_fn(enum vcrypto_log_level level, const char *msg, void *ctx)
{
	capture_fn(level, msg, ctx);
}

START_TEST(test_log_default_sink)
{
	struct capture def = {0}, user = {0};

	/* The host library replaces the default sink; a user handler wins over it. */
	vcrypto__log_set_default_sink(default_sink_fn, &def);
	VC_LOG(ERR, "a");
	ck_assert_int_eq(def.calls, 1);
	vcrypto_log_set_handler(capture_fn, &user);
	VC_LOG(ERR, "b");
	ck_assert_int_eq(def.calls, 1);
	ck_assert_int_eq(user.calls, 1);
	vcrypto_log_set_handler(NULL, NULL);
	VC_LOG(ERR, "c");
	ck_assert_int_eq(def.calls, 2);
	ck_assert_str_eq(def.msg, "c");
	vcrypto__log_set_default_sink(NULL, NULL);
}
END_TEST

START_TEST(test_ratelimit)
{
	struct vc_ratelimit rl = {0};
	uint32_t supp = 99;
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert(vcrypto__ratelimit_pass(&rl, 3, &supp));
		ck_assert_uint_eq(supp, 0);
	}
	for (i = 0; i < 5; i++)
		ck_assert(!vcrypto__ratelimit_pass(&rl, 3, &supp));
	/* Move the window into the past instead of sleeping a second. */
	rl.window_start_ns -= 2000000000ull;
	ck_assert(vcrypto__ratelimit_pass(&rl, 3, &supp));
	ck_assert_uint_eq(supp, 5);
	ck_assert(vcrypto__ratelimit_pass(&rl, 3, &supp));
	ck_assert_uint_eq(supp, 0);
}
END_TEST

START_TEST(test_log_ratelimited_macro)
{
	struct capture c = {0};
	struct vc_ratelimit rl = {0};
	int i;

	vcrypto_log_set_handler(capture_fn, &c);
	for (i = 0; i < 25; i++)
		VC_LOG_RL(&rl, WARNING, "bad request %d", i);
	ck_assert_int_eq(c.calls, 10); /* VC_LOG_RL's burst */
	ck_assert_str_eq(c.msg, "bad request 9");
	rl.window_start_ns -= 2000000000ull;
	VC_LOG_RL(&rl, WARNING, "bad request %d", 25);
	ck_assert_int_eq(c.calls, 11);
	ck_assert_str_eq(c.msg, "bad request 25 (15 similar messages suppressed)");
	/* Messages below the level do not count against the limit. */
	vcrypto_log_set_level(VCRYPTO_LOG_ERR);
	VC_LOG_RL(&rl, WARNING, "filtered");
	ck_assert_int_eq(c.calls, 11);
	ck_assert_uint_eq(rl.in_window, 1);
}
END_TEST

/* ------------------------------------------------------------------- opts */

/* Version 1 of an options structure, and a later version 2 with one more field. */
struct t_opts_v1 {
	size_t sz;
	uint32_t a;
	uint16_t b;
};

struct t_opts_v2 {
	size_t sz;
	uint32_t a;
	uint16_t b;
	uint64_t c;
};

START_TEST(test_opts_check)
{
	struct t_opts_v1 v1 = VCRYPTO_OPTS_INIT(t_opts_v1);
	struct t_opts_v2 v2 = VCRYPTO_OPTS_INIT(t_opts_v2);

	ck_assert_uint_eq(v1.sz, sizeof(v1));
	ck_assert_int_eq(vcrypto__opts_check(NULL, sizeof(v1)), 0);
	ck_assert_int_eq(vcrypto__opts_check(&v1, sizeof(v1)), 0);
	/* Older caller: smaller structure. */
	ck_assert_int_eq(vcrypto__opts_check(&v1, sizeof(v2)), 0);
	/* Newer caller, new field zero: fine; nonzero: refused. */
	ck_assert_int_eq(vcrypto__opts_check(&v2, sizeof(v1)), 0);
	v2.c = 1;
	ck_assert_int_eq(vcrypto__opts_check(&v2, sizeof(v1)), -EINVAL);
	ck_assert_int_eq(vcrypto__opts_check(&v2, sizeof(v2)), 0);
	v2.c = 1ull << 63;
	ck_assert_int_eq(vcrypto__opts_check(&v2, sizeof(v1)), -EINVAL);
	/* sz missing or too small to hold itself. */
	v1.sz = 0;
	ck_assert_int_eq(vcrypto__opts_check(&v1, sizeof(v1)), -EINVAL);
	v1.sz = sizeof(size_t) - 1;
	ck_assert_int_eq(vcrypto__opts_check(&v1, sizeof(v1)), -EINVAL);
	v1.sz = sizeof(size_t);
	ck_assert_int_eq(vcrypto__opts_check(&v1, sizeof(v1)), 0);
}
END_TEST

START_TEST(test_opts_copy)
{
	struct t_opts_v1 v1 = VCRYPTO_OPTS_INIT(t_opts_v1);
	struct t_opts_v2 v2 = VCRYPTO_OPTS_INIT(t_opts_v2);
	struct t_opts_v2 dst2;
	struct t_opts_v1 dst1;

	/* NULL: all defaults (zero), sz set. */
	memset(&dst2, 0xa5, sizeof(dst2));
	ck_assert_int_eq(vcrypto__opts_copy(&dst2, sizeof(dst2), NULL), 0);
	ck_assert_uint_eq(dst2.sz, sizeof(dst2));
	ck_assert_uint_eq(dst2.a, 0);
	ck_assert_uint_eq(dst2.b, 0);
	ck_assert_uint_eq(dst2.c, 0);

	/* Older caller: known fields copied, the new one zeroed. */
	v1.a = 7;
	v1.b = 9;
	memset(&dst2, 0xa5, sizeof(dst2));
	ck_assert_int_eq(vcrypto__opts_copy(&dst2, sizeof(dst2), &v1), 0);
	ck_assert_uint_eq(dst2.sz, sizeof(dst2));
	ck_assert_uint_eq(dst2.a, 7);
	ck_assert_uint_eq(dst2.b, 9);
	ck_assert_uint_eq(dst2.c, 0);

	/* Newer caller with the unknown field zero: truncated copy. */
	v2.a = 1;
	v2.b = 2;
	memset(&dst1, 0xa5, sizeof(dst1));
	ck_assert_int_eq(vcrypto__opts_copy(&dst1, sizeof(dst1), &v2), 0);
	ck_assert_uint_eq(dst1.sz, sizeof(dst1));
	ck_assert_uint_eq(dst1.a, 1);
	ck_assert_uint_eq(dst1.b, 2);

	/* Newer caller using the unknown field: refused, dst untouched. */
	v2.c = 3;
	memset(&dst1, 0xa5, sizeof(dst1));
	ck_assert_int_eq(vcrypto__opts_copy(&dst1, sizeof(dst1), &v2), -EINVAL);
	ck_assert_uint_eq(dst1.a, 0xa5a5a5a5u);

	/* Bad arguments. */
	v1.sz = 0;
	ck_assert_int_eq(vcrypto__opts_copy(&dst2, sizeof(dst2), &v1), -EINVAL);
	ck_assert_int_eq(vcrypto__opts_copy(NULL, sizeof(dst2), NULL), -EINVAL);
	ck_assert_int_eq(vcrypto__opts_copy(&dst2, 0, NULL), -EINVAL);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc;

	tc = tcase_create("version");
	tcase_add_test(tc, test_version_string);
	tcase_add_test(tc, test_version_number);
	suite_add_tcase(s, tc);

	tc = tcase_create("strerror");
	tcase_add_test(tc, test_strerror_documented);
	tcase_add_test(tc, test_strerror_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, NULL, log_teardown);
	tcase_add_test(tc, test_log_handler);
	tcase_add_test(tc, test_log_long_message_truncated);
	tcase_add_test(tc, test_log_reset_to_stderr);
	tcase_add_test(tc, test_log_level_filter);
	tcase_add_test(tc, test_log_default_sink);
	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_log_ratelimited_macro);
	suite_add_tcase(s, tc);

	tc = tcase_create("opts");
	tcase_add_test(tc, test_opts_check);
	tcase_add_test(tc, test_opts_copy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(common_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
