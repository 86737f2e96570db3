/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Cryptodev faults under a real guest. The device stays real
 * (crypto_openssl); faults are injected by wrapping its fast-path functions
 * in DPDK's rte_crypto_fp_ops[] (rte_cryptodev_core.h, DPDK 22.11: the
 * inline rte_cryptodev_enqueue_burst()/dequeue_burst() call
 * rte_crypto_fp_ops[dev_id].enqueue_burst(qp.data[qp_id], ops, n)). The
 * wrappers are installed after the device is started (vcrypto starts it;
 * rte_cryptodev_start() fills the table) and call the saved originals.
 *
 * Faults: the device refuses enqueues, or fails an op at enqueue; it
 * returns ops with error statuses; it stalls (dequeue returns nothing) on one
 * queue pair; a port is destroyed, or its guest goes away, while requests are
 * stuck in a stalled device; the op and mbuf pools run dry; the session pool
 * runs dry. In every case each request must complete exactly once, OK
 * results must equal OpenSSL's, errors must be the injected ones, and the
 * host's counters must account for every request.
 *
 * crypto_aesni_mb's synchronous CPU crypto path (no queue pair) gets its
 * errors by interposing rte_cryptodev_sym_cpu_crypto_process(): this
 * program defines it, so libvcrypto's call lands here first, and the real
 * one is called through dlsym(RTLD_NEXT).
 *
 * Two cases found library bugs, fixed since: destroy_port_stuck_forever
 * (a destroy that gave up wrote results into unmapped guest memory later)
 * and reconnect_while_orphans_stuck (requests orphaned by a timed-out drain
 * delayed every later vhost-user message by the drain time).
 */

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "dpdk_env.h"
#include "oracle.h"
#include "check_run.h"

#define LEN 1024u   /* data bytes per request */
#define MAXREQ 4096 /* requests one batch may hold */
#define IV_MAGIC 0x7a11u

/* DPDK's convention (and vcrypto's): the IV follows the symmetric op. */
#define OP_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))

static const uint8_t KEY[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
				0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- fault injection on the fast-path table ---- */

enum enq_mode {
	ENQ_PASS = 0,
	ENQ_REFUSE_THEN_ONE = 1, /* refuse all until enq_until_ns, then accept 0 or 1 at random */
	/*
	 * Every err_every-th op of batch err_tag is refused after "processing"
	 * (status ERROR, as crypto_openssl does when an op fails at enqueue).
	 */
	ENQ_FAIL_EVERY = 2,
};

static bool op_ident(struct rte_crypto_op *op, uint32_t *tag, uint32_t *idx);

static struct {
	uint8_t dev;
	bool installed;
	enqueue_pkt_burst_t enq;
	dequeue_pkt_burst_t deq;
	atomic_int enq_mode;
	atomic_uint_fast64_t enq_until_ns;
	atomic_uint_fast64_t enq_calls, enq_refused;
	atomic_uint err_every;	  /* mark every k-th dequeued op as failed (0: off) */
	atomic_uint err_tag;	  /* only ops of this batch tag are counted */
	atomic_uint deq_count;	  /* ops of err_tag seen at dequeue */
	atomic_uint err_marked;	  /* ops marked */
	atomic_bool stall;	  /* dequeue returns nothing... */
	_Atomic(void *) stall_qp; /* ...on this queue pair (NULL: all) */
	atomic_uint_fast64_t stalled_calls;
	atomic_uchar errored[MAXREQ]; /* per request index: 0, or 1 + the status_cycle entry used */
} F;

static uint16_t enq_fail_every(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	unsigned int k = atomic_load(&F.err_every);

	for (uint16_t i = 0; i < n; i++) {
		uint32_t tag, idx;

		if (k && op_ident(ops[i], &tag, &idx) && tag == atomic_load(&F.err_tag) &&
		    idx < MAXREQ && (atomic_load(&F.deq_count) + 1) % k == 0) {
			atomic_fetch_add(&F.deq_count, 1);
			ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
			atomic_store(&F.errored[idx], 1); /* status_cycle[0]: ERROR */
			atomic_fetch_add(&F.err_marked, 1);
			return i;
		}
		if (F.enq(qp, &ops[i], 1) != 1)
			return i;
		if (k && op_ident(ops[i], &tag, &idx) && tag == atomic_load(&F.err_tag))
			atomic_fetch_add(&F.deq_count, 1);
	}
	return n;
}

static uint16_t wrap_enq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	atomic_fetch_add(&F.enq_calls, 1);
	if (atomic_load(&F.enq_mode) == ENQ_FAIL_EVERY)
		return enq_fail_every(qp, ops, n);
	if (atomic_load(&F.enq_mode) == ENQ_REFUSE_THEN_ONE && n) {
		static __thread unsigned int seed = 12345;

		if (now_ns() < atomic_load(&F.enq_until_ns)) {
			atomic_fetch_add(&F.enq_refused, n);
			return 0;
		}
		if (rand_r(&seed) & 1) {
			atomic_fetch_add(&F.enq_refused, n);
			return 0;
		}
		atomic_fetch_add(&F.enq_refused, n - 1u);
		n = 1;
	}
	return F.enq(qp, ops, n);
}

/* The request an op carries: the guest puts {magic, tag, index} in the IV. */
static bool op_ident(struct rte_crypto_op *op, uint32_t *tag, uint32_t *idx)
{
	const uint32_t *iv = rte_crypto_op_ctod_offset(op, const uint32_t *, OP_IV_OFFSET);

	if (iv[0] != IV_MAGIC)
		return false;
	*tag = iv[1];
	*idx = iv[2];
	return true;
}

/* The statuses a failing device returns, in turn, and what the guest must see. */
static const struct {
	enum rte_crypto_op_status dev;
	int32_t guest;
} status_cycle[] = {
	{RTE_CRYPTO_OP_STATUS_ERROR, VCRYPTO_STATUS_ERR},
	{RTE_CRYPTO_OP_STATUS_AUTH_FAILED, VCRYPTO_STATUS_BADMSG},
	{RTE_CRYPTO_OP_STATUS_INVALID_SESSION, VCRYPTO_STATUS_INVSESS},
	{RTE_CRYPTO_OP_STATUS_INVALID_ARGS, VCRYPTO_STATUS_BADMSG},
	{RTE_CRYPTO_OP_STATUS_NOT_PROCESSED, VCRYPTO_STATUS_ERR},
};
#define NCYCLE (sizeof(status_cycle) / sizeof(status_cycle[0]))

static uint16_t wrap_deq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	/* Failing at dequeue is armed by err_every unless enqueue uses it. */
	unsigned int k = atomic_load(&F.enq_mode) == ENQ_FAIL_EVERY ? 0 : atomic_load(&F.err_every);
	uint16_t got;

	if (atomic_load(&F.stall)) {
		void *only = atomic_load(&F.stall_qp);

		if (!only || only == qp) {
			atomic_fetch_add(&F.stalled_calls, 1);
			return 0;
		}
	}
	got = F.deq(qp, ops, n);
	if (!k)
		return got;
	for (uint16_t i = 0; i < got; i++) {
		uint32_t tag, idx;

		if (!op_ident(ops[i], &tag, &idx) || tag != atomic_load(&F.err_tag) ||
		    idx >= MAXREQ)
			continue;
		if (ops[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
			continue;
		if ((atomic_fetch_add(&F.deq_count, 1) + 1) % k == 0) {
			unsigned int c = atomic_fetch_add(&F.err_marked, 1) % NCYCLE;

			ops[i]->status = status_cycle[c].dev;
			atomic_store(&F.errored[idx], (unsigned char)(1 + c));
		}
	}
	return got;
}

static void faults_reset(void)
{
	atomic_store(&F.enq_mode, ENQ_PASS);
	atomic_store(&F.enq_until_ns, 0);
	atomic_store(&F.enq_calls, 0);
	atomic_store(&F.enq_refused, 0);
	atomic_store(&F.err_every, 0);
	atomic_store(&F.err_tag, 0);
	atomic_store(&F.deq_count, 0);
	atomic_store(&F.err_marked, 0);
	atomic_store(&F.stall, false);
	atomic_store(&F.stall_qp, NULL);
	atomic_store(&F.stalled_calls, 0);
	for (unsigned int i = 0; i < MAXREQ; i++)
		atomic_store(&F.errored[i], 0);
}

static void faults_install(uint8_t dev)
{
	struct rte_crypto_fp_ops *fp = &rte_crypto_fp_ops[dev];

	faults_reset();
	F.dev = dev;
	F.enq = fp->enqueue_burst;
	F.deq = fp->dequeue_burst;
	ck_assert_ptr_nonnull(F.enq);
	ck_assert_ptr_nonnull(F.deq);
	__atomic_store_n(&fp->enqueue_burst, wrap_enq, __ATOMIC_RELEASE);
	__atomic_store_n(&fp->dequeue_burst, wrap_deq, __ATOMIC_RELEASE);
	F.installed = true;
}

static void faults_remove(void)
{
	struct rte_crypto_fp_ops *fp = &rte_crypto_fp_ops[F.dev];

	if (!F.installed)
		return;
	faults_reset();
	if (fp->enqueue_burst == wrap_enq)
		__atomic_store_n(&fp->enqueue_burst, F.enq, __ATOMIC_RELEASE);
	if (fp->dequeue_burst == wrap_deq)
		__atomic_store_n(&fp->dequeue_burst, F.deq, __ATOMIC_RELEASE);
	F.installed = false;
}

/* The device's internal queue pair pointer (what the wrappers receive). */
static void *qp_ptr(uint16_t qp)
{
	return rte_crypto_fp_ops[F.dev].qp.data[qp];
}

/* ---- host ---- */

static char devname[64];

static struct vcrypto_engine *engine_up(uint32_t nb_ops, uint32_t max_sessions, uint16_t nqp)
{
	static unsigned int seq;
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_engine *e = NULL;
	int id;

	eo.nb_ops = nb_ops;
	eo.max_sessions = max_sessions;
	eo.nb_queue_pairs = nqp;
	eo.qp_descriptors = 512;
	snprintf(devname, sizeof(devname), "crypto_openssl_flt%u", seq++);
	ck_assert_int_eq(vcrypto_engine_create(devname, &eo, &e), 0);
	id = rte_cryptodev_get_dev_id(devname);
	ck_assert_int_ge(id, 0);
	faults_install((uint8_t)id);
	return e;
}

static void engine_down(struct vcrypto_engine *e)
{
	faults_remove();
	vcrypto_engine_destroy(e);
}

static void host_on(struct vc_test_host *h, struct vcrypto_engine *e, uint16_t qp, char *path)
{
	struct vcrypto_poller_opts plo = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);

	plo.queue_pair = qp;
	vc_test_sock_path(path, 108, "flt");
	ck_assert_int_eq(vc_test_host_start(h, path, NULL, e, NULL, NULL, &plo), 0);
}

static void port_stats(struct vcrypto_port *p, struct vcrypto_port_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	ck_assert_int_eq(vcrypto_port_stats_get(p, st), 0);
}

static void poller_stats(struct vcrypto_poller *p, struct vcrypto_poller_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	ck_assert_int_eq(vcrypto_poller_stats_get(p, st), 0);
}

/* ---- guest ---- */

static struct vcrypto_guest *guest_up(const char *path)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;

	o.queue_size = 256;
	o.mem_size = 16 << 20;
	o.connect_timeout_ms = 3000;
	ck_assert_int_eq(vcrypto_guest_connect(path, &o, &g), 0);
	return g;
}

static int session(struct vcrypto_guest *g, uint64_t *sid)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};

	p.type = VCRYPTO_SESSION_CIPHER;
	p.direction = VCRYPTO_ENCRYPT;
	p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
	p.cipher_key = KEY;
	p.cipher_key_len = 16;
	return vcrypto_guest_session_create(g, &p, sid);
}

static uint64_t session_ok(struct vcrypto_guest *g)
{
	uint64_t sid = 0;

	ck_assert_int_eq(session(g, &sid), 0);
	return sid;
}

/*
 * A batch of AES-CBC requests with distinct data and IVs. The IV carries
 * {IV_MAGIC, tag, index} so the fault wrappers can tell which request an
 * op is; user_data is the index.
 */
struct batch {
	struct vcrypto_guest *g;
	unsigned int n, tag;
	uint8_t *src, *dst, *want;
	uint32_t (*iv)[4];
	struct vcrypto_guest_op *ops;
	uint8_t *seen;
	int32_t *status;
	unsigned int sent, done, ok, err, notconn;
};

static void batch_init(struct batch *b, struct vcrypto_guest *g, uint64_t sid, unsigned int n,
		       unsigned int tag)
{
	unsigned int seed = tag * 7919u;

	ck_assert_uint_le(n, MAXREQ);
	memset(b, 0, sizeof(*b));
	b->g = g;
	b->n = n;
	b->tag = tag;
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, (size_t)n * LEN, (void **)&b->src), 0);
	ck_assert_int_eq(vcrypto_guest_buf_alloc(g, (size_t)n * LEN, (void **)&b->dst), 0);
	b->want = malloc((size_t)n * LEN);
	b->iv = calloc(n, sizeof(*b->iv));
	b->ops = calloc(n, sizeof(*b->ops));
	b->seen = calloc(n, 1);
	b->status = calloc(n, sizeof(*b->status));
	ck_assert(b->want && b->iv && b->ops && b->seen && b->status);
	for (size_t i = 0; i < (size_t)n * LEN; i++)
		b->src[i] = (uint8_t)(rand_r(&seed) >> 5);
	memset(b->dst, 0, (size_t)n * LEN);
	for (unsigned int i = 0; i < n; i++) {
		b->iv[i][0] = IV_MAGIC;
		b->iv[i][1] = tag;
		b->iv[i][2] = i;
		b->iv[i][3] = (uint32_t)rand_r(&seed);
		ck_assert_int_eq(oracle_cipher(VCRYPTO_CIPHER_AES_CBC, VCRYPTO_ENCRYPT, KEY, 16,
					       b->iv[i], b->src + (size_t)i * LEN, LEN,
					       b->want + (size_t)i * LEN),
				 0);
		b->ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						      .user_data = i,
						      .iv = b->iv[i],
						      .iv_len = 16,
						      .src = b->src + (size_t)i * LEN,
						      .dst = b->dst + (size_t)i * LEN,
						      .src_len = LEN,
						      .dst_len = LEN};
	}
}

static void batch_free(struct batch *b)
{
	vcrypto_guest_buf_free(b->g, b->src);
	vcrypto_guest_buf_free(b->g, b->dst);
	free(b->want);
	free(b->iv);
	free(b->ops);
	free(b->seen);
	free(b->status);
}

/* Submit what fits, collect what completed. Returns completions collected. */
static unsigned int batch_pump(struct batch *b, bool submit)
{
	struct vcrypto_guest_completion c[64];
	int r;

	if (submit && b->sent < b->n) {
		r = vcrypto_guest_submit(b->g, 0, b->ops + b->sent, b->n - b->sent);
		if (r != -ENOTCONN) {
			ck_assert_int_ge(r, 0);
			b->sent += (unsigned int)r;
		}
	}
	r = vcrypto_guest_poll(b->g, 0, c, 64);
	ck_assert_int_ge(r, 0);
	for (int k = 0; k < r; k++) {
		uint64_t i = c[k].user_data;

		ck_assert_uint_lt(i, b->n);
		ck_assert_msg(!b->seen[i], "request %u completed twice", (unsigned int)i);
		b->seen[i] = 1;
		b->status[i] = c[k].status;
		b->done++;
		if (c[k].status == VCRYPTO_STATUS_OK) {
			b->ok++;
			ck_assert_msg(!memcmp(b->dst + i * LEN, b->want + i * LEN, LEN),
				      "request %u: result differs from OpenSSL", (unsigned int)i);
		} else if (c[k].status == -ENOTCONN) {
			b->notconn++;
		} else {
			b->err++;
		}
	}
	return (unsigned int)r;
}

/* Pump until every request completed (asserts within @timeout_ms). */
static void batch_finish(struct batch *b, unsigned int timeout_ms)
{
	uint64_t t0 = now_ns();

	while (b->done < b->n) {
		if (!batch_pump(b, true))
			vcrypto_guest_wait(b->g, 0, 5);
		ck_assert_msg(now_ns() - t0 < (uint64_t)timeout_ms * 1000000ull,
			      "batch %u: %u/%u completed (%u sent) after %u ms", b->tag, b->done,
			      b->n, b->sent, timeout_ms);
	}
	for (unsigned int i = 0; i < b->n; i++)
		ck_assert(b->seen[i]);
}

/* A fresh batch with no fault armed: everything OK. */
static void fresh_ok(struct vcrypto_guest *g, uint64_t sid, unsigned int tag)
{
	struct batch b;

	batch_init(&b, g, sid, 16, tag);
	batch_finish(&b, 5000);
	ck_assert_uint_eq(b.ok, 16);
	batch_free(&b);
}

/* Wait until @cond holds for the port's counters (ms), else fail. */
#define WAIT_PORT(port, st, cond, ms, what)                                                        \
	do {                                                                                       \
		uint64_t t0_ = now_ns();                                                           \
		for (;;) {                                                                         \
			port_stats((port), &(st));                                                 \
			if (cond)                                                                  \
				break;                                                             \
			ck_assert_msg(now_ns() - t0_ < (uint64_t)(ms)*1000000ull,                  \
				      "timeout waiting for %s", what);                             \
			usleep(1000);                                                              \
		}                                                                                  \
	} while (0)

struct expect {
	uint64_t requests, ok, err_other, err_badmsg, err_invsess;
};

/* The port's counters moved from @a to @b by exactly @x; nothing left inside. */
static void assert_counts(const struct vcrypto_port_stats *a, const struct vcrypto_port_stats *b,
			  struct expect x)
{
	ck_assert_uint_eq(b->requests - a->requests, x.requests);
	ck_assert_uint_eq(b->requests_ok - a->requests_ok, x.ok);
	ck_assert_uint_eq(b->err_other - a->err_other, x.err_other);
	ck_assert_uint_eq(b->err_badmsg - a->err_badmsg, x.err_badmsg);
	ck_assert_uint_eq(b->err_invsess - a->err_invsess, x.err_invsess);
	ck_assert_uint_eq(b->err_notsupp - a->err_notsupp, 0);
	ck_assert_uint_eq(b->err_ring - a->err_ring, 0);
	ck_assert_uint_eq(x.requests, x.ok + x.err_other + x.err_badmsg + x.err_invsess);
	ck_assert_uint_eq(b->bytes - a->bytes, x.ok * LEN);
	ck_assert_uint_eq(b->inflight, 0);
	ck_assert_uint_eq(b->backlog, 0);
}

static void assert_accounted(const struct vcrypto_port_stats *a, const struct vcrypto_port_stats *b,
			     uint64_t requests, uint64_t ok)
{
	assert_counts(a, b, (struct expect){.requests = requests, .ok = ok});
}

/* ---- a. the device refuses enqueues ---- */

START_TEST(enqueue_refused)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats s0, s1;
	struct vcrypto_poller_stats p0, p1;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	uint64_t sid;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	port_stats(h.port, &s0);
	poller_stats(h.poller, &p0);
	batch_init(&b, g, sid, 1000, 1);
	/* Nothing accepted for 150 ms, then at most one op per call, at random. */
	atomic_store(&F.enq_until_ns, now_ns() + 150000000ull);
	atomic_store(&F.enq_mode, ENQ_REFUSE_THEN_ONE);
	batch_finish(&b, 20000);
	atomic_store(&F.enq_mode, ENQ_PASS);
	ck_assert_uint_eq(b.ok, 1000);
	ck_assert_uint_eq(b.err, 0);
	port_stats(h.port, &s1);
	poller_stats(h.poller, &p1);
	assert_accounted(&s0, &s1, 1000, 1000);
	ck_assert_uint_gt(atomic_load(&F.enq_refused), 0);
	ck_assert_uint_gt(p1.enqueue_retries - p0.enqueue_retries, 0);
	ck_assert_uint_eq(p1.fetched - p0.fetched, 1000);
	ck_assert_uint_eq(p1.enqueued - p0.enqueued, 1000);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 1000);
	ck_assert_uint_eq(p1.completed - p0.completed, 1000);
	fprintf(stderr, "enqueue_refused: %lu ops refused, %lu retries counted\n",
		(unsigned long)atomic_load(&F.enq_refused),
		(unsigned long)(p1.enqueue_retries - p0.enqueue_retries));
	batch_free(&b);
	fresh_ok(g, sid, 2);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

/*
 * a2. The device refuses an op after working on it (status ERROR, as
 * crypto_openssl does when an op fails at enqueue): that request completes
 * with VCRYPTO_STATUS_ERR at once, is never enqueued again, and the others
 * are unaffected.
 */
START_TEST(enqueue_fails_op)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats s0, s1;
	struct vcrypto_poller_stats p0, p1;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	unsigned int marked = 0;
	uint64_t sid;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	port_stats(h.port, &s0);
	poller_stats(h.poller, &p0);
	batch_init(&b, g, sid, 500, 24);
	atomic_store(&F.err_tag, 24);
	atomic_store(&F.err_every, 5);
	atomic_store(&F.enq_mode, ENQ_FAIL_EVERY);
	batch_finish(&b, 20000);
	atomic_store(&F.enq_mode, ENQ_PASS);
	atomic_store(&F.err_every, 0);
	for (unsigned int i = 0; i < b.n; i++) {
		if (atomic_load(&F.errored[i])) {
			ck_assert_msg(b.status[i] == VCRYPTO_STATUS_ERR, "request %u: status %d", i,
				      b.status[i]);
			marked++;
		} else {
			ck_assert_msg(b.status[i] == VCRYPTO_STATUS_OK, "request %u: status %d", i,
				      b.status[i]);
		}
	}
	ck_assert_uint_eq(marked, 100);
	ck_assert_uint_eq(marked, atomic_load(&F.err_marked));
	ck_assert_uint_eq(b.ok, 400);
	port_stats(h.port, &s1);
	poller_stats(h.poller, &p1);
	assert_counts(&s0, &s1, (struct expect){.requests = 500, .ok = 400, .err_other = 100});
	ck_assert_uint_eq(p1.fetched - p0.fetched, 500);
	ck_assert_uint_eq(p1.enqueued - p0.enqueued, 400);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 400);
	ck_assert_uint_eq(p1.completed - p0.completed, 500);
	batch_free(&b);
	fresh_ok(g, sid, 25);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

/* ---- b. the device returns failed ops ---- */

START_TEST(errored_ops)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats s0, s1;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	unsigned int marked = 0;
	uint64_t sid;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	port_stats(h.port, &s0);
	batch_init(&b, g, sid, 600, 3);
	atomic_store(&F.err_tag, 3);
	atomic_store(&F.err_every, 7);
	batch_finish(&b, 20000);
	atomic_store(&F.err_every, 0);
	{
		struct expect x = {.requests = 600};

		for (unsigned int i = 0; i < b.n; i++) {
			unsigned int c = atomic_load(&F.errored[i]);

			if (!c) {
				ck_assert_msg(b.status[i] == VCRYPTO_STATUS_OK,
					      "request %u: status %d", i, b.status[i]);
				x.ok++;
				continue;
			}
			/* The guest gets the virtio status byte as is (no errno mapping). */
			ck_assert_msg(b.status[i] == status_cycle[c - 1].guest,
				      "request %u: device status %d, guest status %d, want %d", i,
				      (int)status_cycle[c - 1].dev, b.status[i],
				      status_cycle[c - 1].guest);
			marked++;
			if (status_cycle[c - 1].guest == VCRYPTO_STATUS_ERR)
				x.err_other++;
			else if (status_cycle[c - 1].guest == VCRYPTO_STATUS_BADMSG)
				x.err_badmsg++;
			else
				x.err_invsess++;
		}
		ck_assert_uint_eq(marked, 600 / 7);
		ck_assert_uint_eq(marked, atomic_load(&F.err_marked));
		ck_assert_uint_eq(b.err, marked);
		ck_assert_uint_gt(x.err_other, 0);
		ck_assert_uint_gt(x.err_badmsg, 0);
		ck_assert_uint_gt(x.err_invsess, 0);
		port_stats(h.port, &s1);
		assert_counts(&s0, &s1, x);
	}
	batch_free(&b);
	fresh_ok(g, sid, 4);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

/* ---- b2. CPU crypto reports errors for some requests ---- */

static struct {
	atomic_uint calls;
	atomic_uint tag, every_eio, every_badmsg; /* 0: off */
	atomic_uint marked;
	atomic_uchar errored[MAXREQ]; /* 1: EIO, 2: EBADMSG */
} C;

uint32_t rte_cryptodev_sym_cpu_crypto_process(uint8_t dev_id, void *sess,
					      union rte_crypto_sym_ofs ofs,
					      struct rte_crypto_sym_vec *vec)
{
	static uint32_t (*real)(uint8_t, void *, union rte_crypto_sym_ofs,
				struct rte_crypto_sym_vec *);
	uint32_t n, tag = atomic_load(&C.tag);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "rte_cryptodev_sym_cpu_crypto_process");
	n = real(dev_id, sess, ofs, vec);
	atomic_fetch_add(&C.calls, 1);
	for (uint32_t i = 0; tag && i < vec->num; i++) {
		const uint32_t *iv = vec->iv[i].va;
		uint32_t e = atomic_load(&C.every_eio), m = atomic_load(&C.every_badmsg);

		if (iv[0] != IV_MAGIC || iv[1] != tag || iv[2] >= MAXREQ || vec->status[i])
			continue;
		if (e && iv[2] % e == 0) {
			vec->status[i] = EIO;
			atomic_store(&C.errored[iv[2]], 1);
		} else if (m && iv[2] % m == 0) {
			vec->status[i] = EBADMSG;
			atomic_store(&C.errored[iv[2]], 2);
		} else {
			continue;
		}
		atomic_fetch_add(&C.marked, 1);
		n--;
	}
	return n;
}

/*
 * AES-CBC on crypto_aesni_mb runs through CPU crypto: in place in zero-copy
 * mode, and out of place on a copy of the data in copy mode. Requests it
 * reports as failed (EIO: ERR, EBADMSG: BADMSG) complete once with that
 * status, the others with OpenSSL's result, and the counters add up. In
 * copy mode a failed request writes nothing into the guest's buffer.
 */
static void cpu_crypto_errors_case(bool copy)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_poller_stats p0, p1;
	struct vcrypto_port_stats s0, s1;
	struct expect x = {.requests = 400};
	struct vc_test_host h;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	uint64_t sid;
	int r;

	/* What an earlier case left in the interposer's record (it is off: tag 0). */
	atomic_store(&C.calls, 0);
	atomic_store(&C.marked, 0);
	for (unsigned int i = 0; i < MAXREQ; i++)
		atomic_store(&C.errored[i], 0);
	eo.nb_ops = 1024;
	po.zero_copy = copy ? VCRYPTO_ZERO_COPY_OFF : VCRYPTO_ZERO_COPY_ON;
	vc_test_sock_path(path, 108, copy ? "flc" : "flt");
	r = vc_test_host_start(&h, path, "crypto_aesni_mb_flt", NULL, &eo, &po, NULL);
	if (r == -ENODEV || r == -ENOTSUP)
		return; /* no AES-NI/AVX on this CPU */
	ck_assert_int_eq(r, 0);
	g = guest_up(path);
	sid = session_ok(g);
	batch_init(&b, g, sid, 400, 9);
	if (!copy) {
		/* In place: the plaintext in dst, each request encrypts it there. */
		memcpy(b.dst, b.src, (size_t)b.n * LEN);
		for (unsigned int i = 0; i < b.n; i++)
			b.ops[i].src = b.dst + (size_t)i * LEN;
	}
	port_stats(h.port, &s0);
	poller_stats(h.poller, &p0);
	atomic_store(&C.every_eio, 5);
	atomic_store(&C.every_badmsg, 7);
	atomic_store(&C.tag, 9);
	batch_finish(&b, 20000);
	atomic_store(&C.tag, 0);
	for (unsigned int i = 0; i < b.n; i++) {
		unsigned int c = atomic_load(&C.errored[i]);

		ck_assert_int_eq(c, i % 5 == 0 ? 1 : i % 7 == 0 ? 2 : 0);
		ck_assert_msg(b.status[i] == (c == 1 ? VCRYPTO_STATUS_ERR :
					      c == 2 ? VCRYPTO_STATUS_BADMSG :
						       VCRYPTO_STATUS_OK),
			      "request %u: injected %u, status %d", i, c, b.status[i]);
		if (copy && c) {
			static const uint8_t zero[LEN];

			ck_assert_msg(!memcmp(b.dst + (size_t)i * LEN, zero, LEN),
				      "request %u failed but wrote its output", i);
		}
		if (c == 1)
			x.err_other++;
		else if (c == 2)
			x.err_badmsg++;
		else
			x.ok++;
	}
	ck_assert_uint_eq(atomic_load(&C.marked), x.err_other + x.err_badmsg);
	ck_assert_uint_eq(x.err_other, 80);
	ck_assert_uint_eq(b.err, x.err_other + x.err_badmsg);
	port_stats(h.port, &s1);
	poller_stats(h.poller, &p1);
	assert_counts(&s0, &s1, x);
	/* All of them went through CPU crypto, none through the queue pair. */
	ck_assert_uint_eq(p1.cpu_processed - p0.cpu_processed, 400);
	ck_assert_uint_eq(p1.enqueued - p0.enqueued, 0);
	ck_assert_uint_gt(atomic_load(&C.calls), 0);
	batch_free(&b);
	fresh_ok(g, sid, 10);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
}

START_TEST(cpu_crypto_errors)
{
	cpu_crypto_errors_case(false);
}
END_TEST

START_TEST(cpu_crypto_errors_copy)
{
	cpu_crypto_errors_case(true);
}
END_TEST

/* ---- c. a stalled queue pair; another poller's port keeps full service ---- */

START_TEST(stall_one_queue_pair)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 2);
	struct vc_test_host ha, hb;
	struct vcrypto_port_stats a0, a1, b0, b1, mid;
	struct vcrypto_guest *ga, *gb;
	struct batch ba, bb;
	char pa[108], pb[108];
	uint64_t sa, sb, t0;

	host_on(&ha, e, 0, pa);
	host_on(&hb, e, 1, pb);
	ga = guest_up(pa);
	gb = guest_up(pb);
	sa = session_ok(ga);
	sb = session_ok(gb);
	port_stats(ha.port, &a0);
	port_stats(hb.port, &b0);
	atomic_store(&F.stall_qp, qp_ptr(0));
	atomic_store(&F.stall, true);
	batch_init(&ba, ga, sa, 64, 5);
	while (ba.sent < ba.n)
		batch_pump(&ba, true);
	/* All 64 reach the device and stay there. */
	WAIT_PORT(ha.port, mid, mid.inflight == 64, 3000, "64 requests in the device");
	t0 = now_ns();
	/* Meanwhile port B (queue pair 1) serves a full batch. */
	batch_init(&bb, gb, sb, 300, 6);
	batch_finish(&bb, 10000);
	ck_assert_uint_eq(bb.ok, 300);
	while (now_ns() - t0 < 300000000ull) {
		batch_pump(&ba, false);
		usleep(5000);
	}
	ck_assert_uint_eq(ba.done, 0); /* the stall held */
	port_stats(ha.port, &mid);
	ck_assert_uint_eq(mid.inflight, 64);
	ck_assert_uint_eq(mid.requests - a0.requests, 0);
	ck_assert_uint_gt(atomic_load(&F.stalled_calls), 0);
	atomic_store(&F.stall, false);
	batch_finish(&ba, 5000);
	ck_assert_uint_eq(ba.ok, 64);
	port_stats(ha.port, &a1);
	port_stats(hb.port, &b1);
	assert_accounted(&a0, &a1, 64, 64);
	assert_accounted(&b0, &b1, 300, 300);
	batch_free(&ba);
	batch_free(&bb);
	fresh_ok(ga, sa, 7);
	fresh_ok(gb, sb, 8);
	vcrypto_guest_destroy(ga);
	vcrypto_guest_destroy(gb);
	vc_test_host_stop(&hb);
	vc_test_host_stop(&ha);
	engine_down(e);
}
END_TEST

/* ---- d. port destroyed while its requests are stuck in a stalled device ---- */

static void *release_later(void *arg)
{
	usleep((useconds_t)(uintptr_t)arg * 1000u);
	atomic_store(&F.stall, false);
	return NULL;
}

START_TEST(destroy_port_stuck_in_device)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats mid;
	struct vcrypto_poller_stats p0, p1;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	pthread_t thr;
	uint64_t sid, t0, took;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	fresh_ok(g, sid, 9);
	poller_stats(h.poller, &p0);
	atomic_store(&F.stall, true);
	batch_init(&b, g, sid, 32, 10);
	while (b.sent < b.n)
		batch_pump(&b, true);
	WAIT_PORT(h.port, mid, mid.inflight == 32, 3000, "32 requests in the device");
	ck_assert_int_eq(pthread_create(&thr, NULL, release_later, (void *)(uintptr_t)200), 0);
	t0 = now_ns();
	vcrypto_port_destroy(h.port);
	took = now_ns() - t0;
	h.port = NULL;
	pthread_join(thr, NULL);
	fprintf(stderr, "destroy_port_stuck_in_device: destroy returned after %lu ms\n",
		(unsigned long)(took / 1000000));
	/* It waited for the device (not a failure, not a hang). */
	ck_assert_uint_ge(took, 150000000ull);
	ck_assert_uint_lt(took, 5500000000ull);
	/* The requests completed to the still connected guest before it was cut off. */
	batch_finish(&b, 3000);
	ck_assert_uint_eq(b.ok, 32);
	poller_stats(h.poller, &p1);
	ck_assert_uint_eq(p1.fetched - p0.fetched, 32);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 32);
	ck_assert_uint_eq(p1.completed - p0.completed, 32);
	ck_assert_uint_eq(p1.inflight, 0);
	ck_assert_uint_eq(p1.ports, 0);
	/* The guest was disconnected: its next control call fails and says so. */
	{
		uint64_t x;

		ck_assert_int_lt(session(g, &x), 0);
		ck_assert(!vcrypto_guest_is_connected(g));
	}
	batch_free(&b);
	vcrypto_guest_destroy(g);
	/* A new port on the same poller works. */
	{
		struct vcrypto_guest *g2;

		vc_test_sock_path(path, sizeof(path), "flt");
		ck_assert_int_eq(vcrypto_port_create(path, e, NULL, &h.port), 0);
		ck_assert_int_eq(vcrypto_poller_add_port(h.poller, h.port, 0), 0);
		g2 = guest_up(path);
		fresh_ok(g2, session_ok(g2), 11);
		vcrypto_guest_destroy(g2);
	}
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

/*
 * d2. The stall outlasts vcrypto_port_destroy()'s wait (5 s): destroy gives
 * up, keeps the port's memory, unregisters the socket. Then the device
 * returns the ops: the poller must not write into the guest memory that the
 * unregistration unmapped (it did before the fix: SIGSEGV in the write-back).
 */
START_TEST(destroy_port_stuck_forever)
{
	struct vcrypto_engine *e;
	struct vc_test_host h;
	struct vcrypto_port_stats mid;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	uint64_t sid, t0, took;

	e = engine_up(2048, 64, 1);
	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	atomic_store(&F.stall, true);
	batch_init(&b, g, sid, 32, 12);
	while (b.sent < b.n)
		batch_pump(&b, true);
	WAIT_PORT(h.port, mid, mid.inflight == 32, 3000, "32 requests in the device");
	t0 = now_ns();
	vcrypto_port_destroy(h.port);
	took = now_ns() - t0;
	h.port = NULL;
	fprintf(stderr, "destroy_port_stuck_forever: destroy returned after %lu ms\n",
		(unsigned long)(took / 1000000));
	ck_assert_uint_lt(took, 7000000000ull);
	/* The device comes back: the poller finishes the orphaned ops. */
	atomic_store(&F.stall, false);
	usleep(300000);
	{
		struct vcrypto_poller_stats ps;

		poller_stats(h.poller, &ps);
		ck_assert_uint_eq(ps.inflight, 0);
	}
	batch_free(&b);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

/*
 * g. The guest goes away while its requests are stuck in a stalled device.
 * Short stall: the host's disconnect waits for them (its drain time is 2 s)
 * and completes them while the guest's memory is still mapped. Long stall:
 * the disconnect gives up, the requests are orphaned and their results
 * dropped when the device returns them; meanwhile a new guest connects to
 * the same port and is served as soon as the device is back.
 */
START_TEST(guest_gone_while_stuck)
{
	struct vcrypto_engine *e = engine_up(2048, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats s0, s1, mid;
	struct vcrypto_poller_stats p0, p1;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108];
	uint64_t sid, t0, waited;

	host_on(&h, e, 0, path);

	/* Short stall (300 ms). */
	g = guest_up(path);
	sid = session_ok(g);
	port_stats(h.port, &s0);
	atomic_store(&F.stall, true);
	batch_init(&b, g, sid, 32, 20);
	while (b.sent < b.n)
		batch_pump(&b, true);
	WAIT_PORT(h.port, mid, mid.inflight == 32, 3000, "32 requests in the device");
	batch_free(&b);
	vcrypto_guest_destroy(g);
	usleep(300000);
	atomic_store(&F.stall, false);
	WAIT_PORT(h.port, mid, mid.state == VCRYPTO_PORT_WAITING && mid.inflight == 0, 5000,
		  "port waiting again");
	port_stats(h.port, &s1);
	/* Completed into the departing guest's memory, counted as done. */
	assert_accounted(&s0, &s1, 32, 32);
	ck_assert_uint_eq(s1.sessions_active, 0);

	/* Long stall: beyond the disconnect's drain time (2 s). */
	g = guest_up(path);
	sid = session_ok(g);
	port_stats(h.port, &s0);
	poller_stats(h.poller, &p0);
	atomic_store(&F.stall, true);
	batch_init(&b, g, sid, 32, 21);
	while (b.sent < b.n)
		batch_pump(&b, true);
	WAIT_PORT(h.port, mid, mid.inflight == 32, 3000, "32 requests in the device");
	batch_free(&b);
	vcrypto_guest_destroy(g);
	t0 = now_ns();
	WAIT_PORT(h.port, mid, mid.state == VCRYPTO_PORT_WAITING, 6000, "port waiting (stalled)");
	waited = now_ns() - t0;
	fprintf(stderr, "guest_gone_while_stuck: disconnect took %lu ms with a stalled device\n",
		(unsigned long)(waited / 1000000));
	ck_assert_uint_lt(waited, 4000000000ull);
	/* The device comes back: the orphans' results are dropped, not written. */
	atomic_store(&F.stall, false);
	{
		uint64_t tw = now_ns();

		do {
			usleep(2000);
			poller_stats(h.poller, &p1);
		} while (p1.inflight && now_ns() - tw < 3000000000ull);
	}
	g = guest_up(path);
	sid = session_ok(g);
	fresh_ok(g, sid, 22);
	poller_stats(h.poller, &p1);
	port_stats(h.port, &s1);
	ck_assert_uint_eq(p1.fetched - p0.fetched, 32 + 16);
	ck_assert_uint_eq(p1.dequeued - p0.dequeued, 32 + 16);
	ck_assert_uint_eq(p1.inflight, 0);
	ck_assert_uint_eq(s1.requests_ok - s0.requests_ok, 16);
	ck_assert_uint_eq(s1.requests - s0.requests, 16);
	ck_assert_uint_eq(s1.err_ring - s0.err_ring, 0);
	ck_assert_uint_eq(s1.inflight, 0);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

struct timed_connect {
	const char *path;
	uint64_t ns;
	int ret;
};

static void *timed_connect_thread(void *arg)
{
	struct timed_connect *tc = arg;
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	struct vcrypto_guest *g = NULL;
	uint64_t t0 = now_ns(), sid;

	o.mem_size = 4 << 20;
	o.connect_timeout_ms = 3000;
	tc->ret = vcrypto_guest_connect(tc->path, &o, &g);
	if (!tc->ret)
		tc->ret = session(g, &sid);
	tc->ns = now_ns() - t0;
	vcrypto_guest_destroy(g);
	return NULL;
}

/*
 * Regression (fixed): requests orphaned by a disconnect (device stalled past the
 * 2 s drain time) still count as in flight, so every later vhost-user
 * message that stops the port (SET_FEATURES, SET_MEM_TABLE, SET_VRING_*)
 * waits the full 2 s drain time again, on rte_vhost's one message thread:
 * a new guest on that port needs about 16 s to connect, and a guest of
 * another port connecting meanwhile waits as well (before the fix; orphans
 * are now counted apart and never waited for again).
 */
START_TEST(reconnect_while_orphans_stuck)
{
	struct vcrypto_engine *e;
	struct vc_test_host h;
	struct vcrypto_port_stats mid;
	struct vcrypto_port *other;
	struct vcrypto_guest *g;
	struct batch b;
	char path[108], opath[108];
	struct timed_connect same = {.path = path}, oth = {.path = opath};
	pthread_t t1, t2;
	uint64_t sid;

	e = engine_up(2048, 64, 1);
	host_on(&h, e, 0, path);
	vc_test_sock_path(opath, sizeof(opath), "flt");
	ck_assert_int_eq(vcrypto_port_create(opath, e, NULL, &other), 0);
	ck_assert_int_eq(vcrypto_poller_add_port(h.poller, other, 0), 0);
	g = guest_up(path);
	sid = session_ok(g);
	atomic_store(&F.stall, true);
	batch_init(&b, g, sid, 32, 23);
	while (b.sent < b.n)
		batch_pump(&b, true);
	WAIT_PORT(h.port, mid, mid.inflight == 32, 3000, "32 requests in the device");
	batch_free(&b);
	vcrypto_guest_destroy(g);
	WAIT_PORT(h.port, mid, mid.state == VCRYPTO_PORT_WAITING, 6000, "port waiting (stalled)");
	/* Still stalled: a guest reconnects here, another connects to the other port. */
	ck_assert_int_eq(pthread_create(&t1, NULL, timed_connect_thread, &same), 0);
	usleep(200000);
	ck_assert_int_eq(pthread_create(&t2, NULL, timed_connect_thread, &oth), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	atomic_store(&F.stall, false);
	fprintf(stderr,
		"reconnect_while_orphans_stuck: same port %lu ms (ret %d), other port %lu ms "
		"(ret %d)\n",
		(unsigned long)(same.ns / 1000000), same.ret, (unsigned long)(oth.ns / 1000000),
		oth.ret);
	vcrypto_port_destroy(other);
	vc_test_host_stop(&h);
	engine_down(e);
	ck_assert_int_eq(same.ret, 0);
	ck_assert_int_eq(oth.ret, 0);
	ck_assert_uint_lt(same.ns, 3000000000ull);
	ck_assert_uint_lt(oth.ns, 3000000000ull);
}
END_TEST

/* ---- e. op and mbuf pools dry ---- */

struct pool_find {
	char prefix[32];
	struct rte_mempool *mp;
};

static void pool_walk(struct rte_mempool *mp, void *arg)
{
	struct pool_find *pf = arg;

	if (!strncmp(mp->name, pf->prefix, strlen(pf->prefix)))
		pf->mp = mp; /* the engine's pools are the newest with this prefix */
}

static struct rte_mempool *engine_pool(const char *kind)
{
	struct pool_find pf = {.mp = NULL};

	snprintf(pf.prefix, sizeof(pf.prefix), "vc_%s_%u_", kind, F.dev);
	rte_mempool_walk(pool_walk, &pf);
	ck_assert_msg(pf.mp != NULL, "pool %s not found", pf.prefix);
	return pf.mp;
}

/* Take every free object out of @mp (bypassing lcore caches). */
static unsigned int pool_drain(struct rte_mempool *mp, void ***objs)
{
	unsigned int cap = mp->size, n = 0;
	struct rte_mempool_cache *c = rte_mempool_default_cache(mp, rte_lcore_id());

	if (c)
		rte_mempool_cache_flush(c, mp);
	*objs = calloc(cap, sizeof(void *));
	ck_assert_ptr_nonnull(*objs);
	while (n < cap && rte_mempool_generic_get(mp, &(*objs)[n], 1, NULL) == 0)
		n++;
	ck_assert_uint_eq(rte_mempool_avail_count(mp), 0);
	return n;
}

static void pool_refill(struct rte_mempool *mp, void **objs, unsigned int n)
{
	rte_mempool_generic_put(mp, objs, n, NULL);
	free(objs);
}

/*
 * The pool runs dry before the poller ever took an object from it (a poller
 * may keep ops and mbufs it used for reuse; a fresh one has none).
 */
static void dry_pool_case(const char *kind, unsigned int tag)
{
	struct vcrypto_engine *e = engine_up(256, 64, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats s0, s1;
	struct vcrypto_guest *g;
	struct rte_mempool *mp;
	struct batch b;
	char path[108];
	void **objs;
	unsigned int n;
	uint64_t sid, t0;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	sid = session_ok(g);
	mp = engine_pool(kind);
	port_stats(h.port, &s0);
	n = pool_drain(mp, &objs);
	ck_assert_uint_gt(n, 0);
	batch_init(&b, g, sid, 64, tag);
	t0 = now_ns();
	/* Requests wait while the pool is dry: none fails, none is lost. */
	while (now_ns() - t0 < 200000000ull) {
		batch_pump(&b, true);
		usleep(2000);
	}
	ck_assert_uint_eq(b.err, 0);
	port_stats(h.port, &s1);
	ck_assert_uint_eq(s1.requests - s0.requests, s1.requests_ok - s0.requests_ok);
	ck_assert_uint_eq(s1.requests - s0.requests, b.done);
	fprintf(stderr, "dry %s pool: %u of 64 completed while dry\n", kind, b.done);
	pool_refill(mp, objs, n);
	batch_finish(&b, 5000);
	ck_assert_uint_eq(b.ok, 64);
	port_stats(h.port, &s1);
	assert_accounted(&s0, &s1, 64, 64);
	batch_free(&b);
	fresh_ok(g, sid, tag + 100);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}

START_TEST(pools_dry)
{
	dry_pool_case("op", 14);
	dry_pool_case("mbuf", 15);
}
END_TEST

/* ---- f. session pool dry ---- */

START_TEST(sessions_dry)
{
	struct vcrypto_engine *e = engine_up(1024, 8, 1);
	struct vc_test_host h;
	struct vcrypto_port_stats st;
	struct vcrypto_guest *g;
	uint64_t sids[64], extra;
	char path[108];
	unsigned int n = 0;
	int ret;

	host_on(&h, e, 0, path);
	g = guest_up(path);
	for (;;) {
		ck_assert_uint_lt(n, 64);
		ret = session(g, &sids[n]);
		if (ret)
			break;
		n++;
	}
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_eq(n, 8); /* the engine's max_sessions */
	port_stats(h.port, &st);
	ck_assert_uint_eq(st.sessions_active, 8);
	ck_assert_uint_eq(st.sessions_failed, 1);
	/* Existing sessions keep working. */
	fresh_ok(g, sids[0], 17);
	fresh_ok(g, sids[7], 18);
	/* Still full; closing one lets a new one be made. */
	ck_assert_int_eq(session(g, &extra), -ENOSPC);
	ck_assert_int_eq(vcrypto_guest_session_close(g, sids[3]), 0);
	ck_assert_int_eq(session(g, &extra), 0);
	fresh_ok(g, extra, 19);
	port_stats(h.port, &st);
	ck_assert_uint_eq(st.sessions_active, 8);
	ck_assert_uint_eq(st.sessions_failed, 2);
	vcrypto_guest_destroy(g);
	vc_test_host_stop(&h);
	engine_down(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("faults");

	if (vc_test_eal_init(NULL, 512))
		return 77;
#define ADD(t, secs) VC_TCASE(s, t, secs)
	ADD(enqueue_refused, 60);
	ADD(enqueue_fails_op, 60);
	ADD(errored_ops, 60);
	ADD(cpu_crypto_errors, 60);
	ADD(cpu_crypto_errors_copy, 60);
	ADD(stall_one_queue_pair, 60);
	ADD(destroy_port_stuck_in_device, 60);
	ADD(destroy_port_stuck_forever, 60);
	ADD(guest_gone_while_stuck, 60);
	ADD(reconnect_while_orphans_stuck, 90);
	ADD(pools_dry, 60);
	ADD(sessions_dry, 60);
	return vc_check_run(s);
}
