/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Guest data-path cost: submit + poll against a trivial "device" thread
 * that completes every request at once (no crypto, no vhost-user), so the
 * numbers are the guest's own per-request overhead plus the cache-line
 * traffic between two cores. Prints the rate; asserts only that every
 * request completes exactly once with the device's status.
 */

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guest/guest_internal.h"

static atomic_bool stop;

/* Complete everything the guest made available (the device's side). */
static uint16_t device_step(struct vc_vq *vq, uint16_t seen)
{
	uint16_t avail = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t used = vq->used->idx;

	while (seen != avail) {
		uint16_t head = vq->avail->ring[seen & vq->mask];

		vq->slot_va[(size_t)head * VC_SLOT_SIZE + vq->slots[head].status_off] = 0;
		vq->used->ring[used & vq->mask].id = head;
		vq->used->ring[used & vq->mask].len = 1;
		used++;
		seen++;
	}
	__atomic_store_n(&vq->used->idx, used, __ATOMIC_RELEASE);
	return seen;
}

static bool inline_device;
static uint16_t inline_seen;

static void *device(void *arg)
{
	struct vc_vq *vq = arg;
	uint16_t seen = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		seen = device_step(vq, seen);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run(uint32_t flags, unsigned int burst, const char *name)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_session_params p = {.sz = sizeof(p),
					   .type = VCRYPTO_SESSION_CIPHER,
					   .direction = VCRYPTO_ENCRYPT,
					   .cipher_algo = VCRYPTO_CIPHER_AES_CBC};
	struct vcrypto_guest_completion c[64];
	struct vcrypto_guest_op ops[64];
	struct vcrypto_guest *g = NULL;
	struct vc_session_desc d;
	const unsigned int total = inline_device ? 1000000 : 200000;
	unsigned int sent = 0, done = 0;
	uint8_t key[16] = {0}, iv[16] = {0};
	uint64_t sum = 0, bad = 0;
	pthread_t th;
	uint8_t *buf;
	double t0, t1;

	o.queue_size = 256;
	o.flags = flags | VCRYPTO_GUEST_F_NO_EVENT_IDX;
	o.mem_size = 1 << 20;
	ck_assert_int_eq(vc_guest_create_detached(&o, &g), 0);
	g->vq[0].used->flags = VRING_USED_F_NO_NOTIFY; /* a polling device: no kicks */
	p.cipher_key = key;
	p.cipher_key_len = 16;
	ck_assert_int_eq(vcrypto__session_from_params(&p, &d), 0);
	ck_assert_int_eq(vc_sess_insert(g, 1, &d), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, 64 * 1024, (void **)&buf), 0);
	for (unsigned int i = 0; i < 64; i++)
		ops[i] = (struct vcrypto_guest_op){.session_id = 1,
						   .iv = iv,
						   .iv_len = 16,
						   .src = buf + i * 1024,
						   .dst = buf + i * 1024,
						   .src_len = 1024,
						   .dst_len = 1024};
	atomic_store(&stop, false);
	inline_seen = 0;
	if (!inline_device)
		pthread_create(&th, NULL, device, &g->vq[0]);
	t0 = now();
	while (done < total) {
		if (sent < total) {
			unsigned int n = total - sent < burst ? total - sent : burst;
			int r;

			for (unsigned int i = 0; i < n; i++)
				ops[i].user_data = sent + i;
			r = vcrypto_guest_submit(g, 0, ops, n);
			if (r < 0)
				break; /* (Check's asserts are too slow for this loop) */
			sent += (unsigned int)r;
		}
		if (inline_device)
			inline_seen = device_step(&g->vq[0], inline_seen);
		for (int r; (r = vcrypto_guest_poll(g, 0, c, 64)) > 0;) {
			for (int k = 0; k < r; k++) {
				bad += c[k].status != 0;
				sum += c[k].user_data;
			}
			done += (unsigned int)r;
		}
	}
	t1 = now();
	atomic_store(&stop, true);
	if (!inline_device)
		pthread_join(th, NULL);
	ck_assert_uint_eq(done, total);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(sum, (uint64_t)total * (total - 1) / 2);
	printf("guest data path (%s, burst %u, device %s): %.2f Mreq/s, %.0f ns/request\n", name,
	       burst, inline_device ? "inline" : "thread", total / (t1 - t0) / 1e6,
	       (t1 - t0) / total * 1e9);
	vcrypto_guest_destroy(g);
}

START_TEST(bench_inline)
{
	/* One thread: the guest's CPU cost per request, independent of a second core. */
	inline_device = true;
	run(0, 32, "indirect");
	run(0, 1, "indirect");
	run(VCRYPTO_GUEST_F_DIRECT_DESC, 32, "direct");
	inline_device = false;
}
END_TEST

START_TEST(bench_indirect)
{
	run(0, 32, "indirect");
	run(0, 1, "indirect");
}
END_TEST

START_TEST(bench_direct)
{
	run(VCRYPTO_GUEST_F_DIRECT_DESC, 32, "direct");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest_bench");
	TCase *tc = tcase_create("bench");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bench_inline);
	tcase_add_test(tc, bench_indirect);
	tcase_add_test(tc, bench_direct);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
