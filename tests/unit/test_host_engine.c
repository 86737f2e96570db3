/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Engine, port and poller API: arguments, capabilities, lifecycle (crypto_openssl). */

#include <check.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vcrypto/host.h>

#include "dpdk_env.h"

static struct vcrypto_engine *eng;

START_TEST(engine_args)
{
	struct vcrypto_engine_opts o = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_engine *e = (struct vcrypto_engine *)0x1;

	ck_assert_int_eq(vcrypto_engine_create(NULL, NULL, &e), -EINVAL);
	ck_assert_int_eq(vcrypto_engine_create("crypto_openssl_x", NULL, NULL), -EINVAL);
	ck_assert_int_eq(vcrypto_engine_create("no_such_driver_xyz", NULL, &e), -ENODEV);
	o.flags = 0x80;
	ck_assert_int_eq(vcrypto_engine_create("crypto_openssl_x", &o, &e), -EINVAL);
	o.flags = 0;
	o.sz = 1;
	ck_assert_int_eq(vcrypto_engine_create("crypto_openssl_x", &o, &e), -EINVAL);
	o.sz = sizeof(o);
	o.first_queue_pair = 1; /* vcrypto_engine_attach()'s only */
	ck_assert_int_eq(vcrypto_engine_create("crypto_openssl_x", &o, &e), -EINVAL);
	o.first_queue_pair = 0;
	o.nb_queue_pairs = 1000; /* more than the device has */
	ck_assert_int_eq(vcrypto_engine_create("crypto_openssl_x", &o, &e), -EINVAL);
	ck_assert_ptr_eq(e, (struct vcrypto_engine *)0x1);
	ck_assert_int_eq(vcrypto_engine_attach(200, NULL, &e), -ENODEV);
	vcrypto_engine_destroy(NULL);
}
END_TEST

START_TEST(engine_supports)
{
	static const uint8_t k[64];
	struct vcrypto_session_params p = {.sz = sizeof(p)};

	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	p.cipher_key_len = 16;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	p.cipher_key = k; /* keys are not needed, but allowed */
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	p.cipher_algo = VCRYPTO_CIPHER_AES_CTR;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	p.cipher_algo = VCRYPTO_CIPHER_3DES_CBC;
	p.cipher_key_len = 24;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	p.cipher_key_len = 17;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.sz = sizeof(p);
	p.type = VCRYPTO_SESSION_HASH;
	p.hash_algo = VCRYPTO_HASH_SHA_512;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	p.type = VCRYPTO_SESSION_AEAD;
	p.hash_algo = 0;
	p.direction = VCRYPTO_DECRYPT;
	p.aead_algo = VCRYPTO_AEAD_AES_GCM;
	p.cipher_key_len = 32;
	p.aad_len = 16;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 1);
	/* AES-CCM: vcrypto defines no request IV layout for it. */
	p.aead_algo = VCRYPTO_AEAD_AES_CCM;
	p.cipher_key_len = 16;
	ck_assert_int_eq(vcrypto_engine_supports(eng, &p), 0);
	ck_assert_int_eq(vcrypto_engine_supports(NULL, &p), -EINVAL);
	ck_assert_int_eq(vcrypto_engine_supports(eng, NULL), -EINVAL);
	/*
	 * A caller built against a later header passes a longer structure:
	 * its new fields left zero mean what this version knows; any set is
	 * refused rather than ignored.
	 */
	{
		struct {
			struct vcrypto_session_params p;
			uint8_t later[24];
		} big = {.p = p};

		big.p.sz = sizeof(big);
		big.p.aead_algo = VCRYPTO_AEAD_AES_GCM;
		ck_assert_int_eq(vcrypto_engine_supports(eng, &big.p), 1);
		big.later[23] = 1;
		ck_assert_int_eq(vcrypto_engine_supports(eng, &big.p), -EINVAL);
		big.p.sz = sizeof(uint32_t); /* shorter than the size field itself */
		ck_assert_int_eq(vcrypto_engine_supports(eng, &big.p), -EINVAL);
	}
}
END_TEST

START_TEST(port_and_poller_args)
{
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_opts plo = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
	struct vcrypto_port *port = NULL, *p2 = NULL;
	struct vcrypto_poller *pol = NULL, *pol2 = NULL;
	struct vcrypto_port_stats ps = {.sz = sizeof(ps)};
	char path[108];
	struct stat st;

	vc_test_sock_path(path, sizeof(path), "args");
	ck_assert_int_eq(vcrypto_port_create(NULL, eng, NULL, &port), -EINVAL);
	ck_assert_int_eq(vcrypto_port_create(path, NULL, NULL, &port), -EINVAL);
	po.mode = 5;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.mode = VCRYPTO_PORT_SERVER;
	/* Each bound of vcrypto_port_opts, one past it: refused, nothing created. */
	po.num_queues = 65;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.num_queues = 1;
	po.max_sessions = (1u << 24) + 1;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.max_sessions = 0;
	po.max_inflight = 32769;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.max_inflight = 0;
	po.max_chain_descs = 65537;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.max_chain_descs = 0;
	po.weight = 1001;
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.weight = 0;
	ck_assert_ptr_null(port);
	ck_assert_int_ne(access(path, F_OK), 0);
	po.socket_group = "no-such-group-vcrypto";
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), -EINVAL);
	po.socket_group = "0";
	po.socket_perms = 0660;
	po.name = "argsport";
	ck_assert_int_eq(vcrypto_port_create(path, eng, &po, &port), 0);
	ck_assert_str_eq(vcrypto_port_name(port), "argsport");
	/* Socket mode and group as asked. */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_int_eq(vcrypto_port_create(path, eng, NULL, &p2), -EEXIST);
	/* A group given by name. */
	{
		struct group *gr = getgrnam("daemon");
		char path2[108];

		if (gr) {
			gid_t want = gr->gr_gid;

			vc_test_sock_path(path2, sizeof(path2), "grp");
			po.socket_group = "daemon";
			po.socket_perms = 0640;
			ck_assert_int_eq(vcrypto_port_create(path2, eng, &po, &p2), 0);
			ck_assert_int_eq(stat(path2, &st), 0);
			ck_assert_uint_eq(st.st_gid, want);
			ck_assert_uint_eq(st.st_mode & 07777, 0640);
			vcrypto_port_destroy(p2);
		}
	}
	ck_assert_int_eq(vcrypto_port_stats_get(port, &ps), 0);
	ck_assert_int_eq(ps.state, VCRYPTO_PORT_WAITING);

	plo.queue_pair = 9;
	ck_assert_int_eq(vcrypto_poller_create(eng, &plo, &pol), -EINVAL);
	plo.queue_pair = 0;
	ck_assert_int_eq(vcrypto_poller_create(eng, &plo, &pol), 0);
	ck_assert_int_eq(vcrypto_poller_create(eng, &plo, &pol2), -EBUSY);
	ck_assert_int_eq(vcrypto_poller_add_port(pol, port, 1), -EINVAL);
	ck_assert_int_eq(vcrypto_poller_add_port(pol, port, 0), 0);
	ck_assert_int_eq(vcrypto_poller_add_port(pol, port, 0), -EBUSY);
	ck_assert_int_eq(vcrypto_poller_poll(pol), 0);
	/* Launch on a worker lcore, stop. */
	ck_assert_int_eq(vcrypto_poller_launch(pol, 0), -EINVAL);
	ck_assert_int_eq(vcrypto_poller_launch(pol, 1), 0);
	ck_assert_int_eq(vcrypto_poller_launch(pol, 2), -EBUSY);
	usleep(10000);
	ck_assert_int_eq(vcrypto_poller_remove_port(pol, port, 0), 0);
	ck_assert_int_eq(vcrypto_poller_remove_port(pol, port, 0), -ENOENT);
	ck_assert_int_eq(vcrypto_poller_stop(pol), 0);
	ck_assert_int_eq(vcrypto_poller_stop(pol), -EINVAL);
	{
		struct vcrypto_poller_stats s = {.sz = sizeof(s)};

		ck_assert_int_eq(vcrypto_poller_stats_get(pol, &s), 0);
		ck_assert_uint_gt(s.rounds, 0);
		ck_assert_uint_eq(s.ports, 0);
	}
	vcrypto_poller_destroy(pol);
	vcrypto_port_destroy(port);
	ck_assert_int_ne(access(path, F_OK), 0); /* socket removed */
	vcrypto_port_destroy(NULL);
	vcrypto_poller_destroy(NULL);
}
END_TEST

START_TEST(null_crypto_engine)
{
	struct vcrypto_engine_opts o = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_engine *e = NULL;
	int ret;

	o.flags = VCRYPTO_ENGINE_F_NULL_CRYPTO;
	o.nb_ops = 256;
	o.nb_queue_pairs = 1;
	ret = vcrypto_engine_create("crypto_openssl_null", &o, &e);
	ck_assert_int_eq(ret, 0);
	vcrypto_engine_destroy(e);
}
END_TEST

int main(void)
{
	struct vcrypto_engine_opts o = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	Suite *s = suite_create("host_engine");
	TCase *tc = tcase_create("engine");
	SRunner *sr;
	int failed;

	if (vc_test_eal_init(NULL, 256))
		return 77;
	o.nb_ops = 256;
	o.nb_queue_pairs = 1;
	if (vcrypto_engine_create("crypto_openssl_eng", &o, &eng))
		return 77;
	tcase_add_test(tc, engine_args);
	tcase_add_test(tc, engine_supports);
	tcase_add_test(tc, port_and_poller_args);
	tcase_add_test(tc, null_crypto_engine);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	vcrypto_engine_destroy(eng);
	return failed ? 1 : 0;
}
