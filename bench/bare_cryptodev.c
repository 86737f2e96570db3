/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The baseline: one cryptodev driven directly from one core, without
 * vcrypto. Prebuilt ops with mbufs over contiguous buffers (in place; the
 * digest or tag right after the data), enqueue/dequeue bursts keeping
 * `depth` operations in flight. One JSON line per case on stdout.
 *
 * --cpu-crypto measures the device's synchronous CPU crypto API instead
 * (rte_cryptodev_sym_cpu_crypto_process, crypto_aesni_mb): `depth` buffers
 * in place, computed in calls of --cpu-call requests (default 16, what
 * vcrypto's poller gathers per call), mode "bare-cpu". It is what the
 * poller's CPU crypto path pays the device: crypto_aesni_mb runs a call's
 * requests in its lanes side by side and flushes them at its end.
 *
 * Usage: bare_cryptodev [--pmd openssl|aesni_mb] [--algo LIST] [--sizes LIST]
 *                       [--depth LIST] [--seconds S] [--warmup S] [--cpu N]
 *                       [--cpu-crypto] [--cpu-call N]
 */

#include <getopt.h>
#include <stdbool.h>

#include <rte_bus_vdev.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "bench_common.h"

#define IV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define MAX_DEPTH 256
#define SLOT_OF(op) rte_crypto_op_ctod_offset(op, uint32_t *, IV_OFF + 48)
#define SEG_MAX 32768u /* segment size when a PMD needs segments (> 65535 bytes) */

struct slot {
	struct rte_crypto_op *op;
	struct rte_mbuf *m[4];
	struct rte_mbuf_ext_shared_info sh[4];
	uint8_t *buf;
	uint64_t t_sub;
};

static struct {
	struct bench_matrix m;
	int cpu;
	bool cpu_crypto; /* --cpu-crypto */
	uint32_t cpu_call;
} O = {.cpu = 1, .cpu_call = 16};

static uint8_t dev_id;
static struct rte_mempool *sess_pool, *op_pool, *mbuf_pool;
static bool segments_needed; /* PMD walks mbuf segments by data_len (crypto_openssl) */

static void noop_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

static void *make_session(int algo)
{
	struct rte_crypto_sym_xform c = {0}, a = {0};

	if (algo == BENCH_AES_GCM) {
		c.type = RTE_CRYPTO_SYM_XFORM_AEAD;
		c.aead.op = RTE_CRYPTO_AEAD_OP_ENCRYPT;
		c.aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		c.aead.key.data = bench_key;
		c.aead.key.length = 32;
		c.aead.iv.offset = IV_OFF;
		c.aead.iv.length = 12;
		c.aead.digest_length = 16;
		c.aead.aad_length = 0;
	} else {
		c.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
		c.cipher.algo = RTE_CRYPTO_CIPHER_AES_CBC;
		c.cipher.key.data = bench_key;
		c.cipher.key.length = 16;
		c.cipher.iv.offset = IV_OFF;
		c.cipher.iv.length = 16;
		if (algo == BENCH_AES_CBC_SHA1) {
			c.next = &a;
			a.type = RTE_CRYPTO_SYM_XFORM_AUTH;
			a.auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
			a.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
			a.auth.key.data = bench_auth_key;
			a.auth.key.length = BENCH_AUTH_KEY_LEN;
			a.auth.digest_length = 20;
		}
	}
	return rte_cryptodev_sym_session_create(dev_id, &c, sess_pool);
}

/* Slot over @buf (in the run's buffer block, see bench_buf_stride()). */
static int slot_setup(struct slot *s, void *sess, int algo, uint32_t size, uint8_t *buf,
		      rte_iova_t iova)
{
	uint32_t dig = BENCH_DIGEST_LEN(algo), total = size + dig;
	uint32_t seg = segments_needed ? SEG_MAX : UINT16_MAX, nseg, off = 0;
	struct rte_crypto_sym_op *sym;

	s->buf = buf;
	s->op = rte_crypto_op_alloc(op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (!s->op)
		return -ENOMEM;
	memset(s->buf, 0x5a, total);
	/* crypto_openssl wants AEAD output contiguous: one (clipped) segment */
	nseg = segments_needed && algo != BENCH_AES_GCM ? (size + seg - 1) / seg : 1;
	if (nseg > RTE_DIM(s->m))
		return -EINVAL;
	for (uint32_t i = 0; i < nseg; i++) {
		uint32_t l = nseg == 1 ? size : size - off > seg ? seg : size - off;

		s->m[i] = rte_pktmbuf_alloc(mbuf_pool);
		if (!s->m[i])
			return -ENOMEM;
		s->sh[i].free_cb = noop_free;
		s->sh[i].fcb_opaque = NULL;
		rte_mbuf_ext_refcnt_set(&s->sh[i], 1);
		/* one segment over the whole buffer: 16-bit lengths clip above 65535 */
		rte_pktmbuf_attach_extbuf(
			s->m[i], s->buf + off, iova + off,
			(uint16_t)(total - off > UINT16_MAX ? UINT16_MAX : total - off), &s->sh[i]);
		s->m[i]->data_len = (uint16_t)(l > UINT16_MAX ? UINT16_MAX : l);
		s->m[i]->pkt_len = l;
		if (i)
			s->m[i - 1]->next = s->m[i];
		off += l;
	}
	s->m[0]->nb_segs = (uint16_t)nseg;
	s->m[0]->pkt_len = size;
	rte_crypto_op_attach_sym_session(s->op, sess);
	sym = s->op->sym;
	sym->m_src = s->m[0];
	sym->m_dst = NULL;
	memcpy(rte_crypto_op_ctod_offset(s->op, uint8_t *, IV_OFF), bench_iv, 16);
	if (algo == BENCH_AES_GCM) {
		sym->aead.data.offset = 0;
		sym->aead.data.length = size;
		sym->aead.digest.data = s->buf + size;
		sym->aead.digest.phys_addr = iova + size;
		sym->aead.aad.data = rte_crypto_op_ctod_offset(s->op, uint8_t *, IV_OFF + 16);
		sym->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(s->op, IV_OFF + 16);
	} else {
		sym->cipher.data.offset = 0;
		sym->cipher.data.length = size;
		if (algo == BENCH_AES_CBC_SHA1) {
			sym->auth.data.offset = 0;
			sym->auth.data.length = size;
			sym->auth.digest.data = s->buf + size;
			sym->auth.digest.phys_addr = iova + size;
		}
	}
	return 0;
}

static void slot_free(struct slot *s)
{
	if (s->op)
		rte_crypto_op_free(s->op);
	if (s->m[0])
		rte_pktmbuf_free(s->m[0]);
	memset(s, 0, sizeof(*s));
}

/* One op on a fresh buffer: did the device write the whole output? */
static const char *sanity(struct slot *s, uint32_t size)
{
	struct rte_crypto_op *op = s->op, *d;
	uint64_t give_up = rte_rdtsc() + rte_get_tsc_hz();

	if (rte_cryptodev_enqueue_burst(dev_id, 0, &op, 1) != 1)
		return "refused";
	while (rte_cryptodev_dequeue_burst(dev_id, 0, &d, 1) != 1)
		if (rte_rdtsc() > give_up)
			return "timeout";
	if (d->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
		return "status";
	d->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	return bench_output_check(s->buf, size);
}

/* The session of a case, or NULL to skip the case (said on stderr). */
static void *case_session(int algo, uint32_t size)
{
	void *sess;

	if (algo != BENCH_AES_GCM && size % 16) {
		fprintf(stderr, "bare: %s needs a multiple of 16 bytes\n", bench_algo_names[algo]);
		return NULL;
	}
	sess = make_session(algo);
	if (!sess)
		fprintf(stderr, "bare: %s: %s does not take the session (%s): skipped\n", O.m.pmd,
			bench_algo_names[algo], rte_strerror(rte_errno));
	return sess;
}

static struct bench_result case_result(const char *mode, int algo, uint32_t size, uint32_t depth)
{
	return (struct bench_result){.mode = mode,
				     .pmd = O.m.pmd,
				     .algo = algo,
				     .size = size,
				     .depth = depth,
				     .guests = 1};
}

/* @p depth buffers of a case, @p *stride bytes apart (see bench_buf_stride()). */
static uint8_t *case_block(int algo, uint32_t size, uint32_t depth, size_t *stride)
{
	*stride = bench_buf_stride((size_t)size + BENCH_DIGEST_LEN(algo));
	return rte_malloc(NULL, *stride * depth, 64);
}

/* A case's measured window: O.m.seconds after O.m.warmup seconds. */
struct window {
	uint64_t hz, t_warm, t_end, t_start, cpu0, ops, errs;
	bool measuring;
	struct bench_windows short_w; /* its 20 ms windows (all cycles are busy ones here) */
};

static void window_start(struct window *w)
{
	memset(w, 0, sizeof(*w));
	w->hz = rte_get_tsc_hz();
	w->t_warm = rte_rdtsc() + (uint64_t)(O.m.warmup * w->hz);
	w->t_end = w->t_warm + (uint64_t)(O.m.seconds * w->hz);
}

/* @p n more done at @p now; whether the window is over. */
static bool window_tick(struct window *w, uint64_t now, uint64_t n)
{
	if (w->measuring) {
		w->ops += n;
		if (now >= w->short_w.t_next)
			bench_windows_mark(&w->short_w, now, w->ops, now - w->t_start);
	}
	if (!w->measuring && now >= w->t_warm) {
		w->measuring = true;
		w->t_start = now;
		w->t_end = now + (uint64_t)(O.m.seconds * w->hz);
		w->errs = 0;
		w->cpu0 = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
		bench_windows_start(&w->short_w, now, w->hz, 0, 0);
	}
	return now >= w->t_end;
}

/* The window's figures into @p r; its JSON line (with @p extra fields) and summary. */
static void report(struct bench_result *r, struct window *w, uint64_t now, struct bench_lat *lat,
		   const char *extra)
{
	r->ops = w->ops;
	r->errors = w->errs;
	r->secs = (double)(now - w->t_start) / w->hz;
	if (r->secs <= 0)
		r->secs = 1e-9;
	r->cyc_total = w->ops ? (double)(now - w->t_start) / w->ops : 0;
	r->cyc_busy = r->cyc_total;
	bench_windows_result(&w->short_w, r);
	r->host_cpu = (bench_clock_ns(CLOCK_THREAD_CPUTIME_ID) - w->cpu0) / (r->secs * 1e9);
	r->cyc_op_cpu = w->ops ? r->host_cpu * r->secs * w->hz / w->ops : 0;
	r->host_busy = 1;
	r->guest_busy = 0;
	r->share_min = r->share_max = 1;
	r->tsc_hz = (double)w->hz;
	bench_result_json_begin(stdout, r);
	bench_lat_json(stdout, lat, 1e9 / w->hz);
	fprintf(stdout, "%s}\n", extra);
	fflush(stdout);
	fprintf(stderr, "%s %-8s %-12s %6u B depth %-3u %10.0f ops/s %7.3f Gbit/s%s\n", r->mode,
		O.m.pmd, bench_algo_names[r->algo], r->size, r->depth, r->ops / r->secs,
		r->ops / r->secs * r->size * 8 / 1e9, r->errors ? "  ERRORS" : "");
	if (strcmp(r->check, "ok"))
		fprintf(stderr, "     output check: %s\n", r->check);
}

static int run_case(int algo, uint32_t size, uint32_t depth)
{
	static struct slot slots[MAX_DEPTH];
	struct rte_crypto_op *fr[MAX_DEPTH], *deq[64];
	struct bench_lat lat = {0};
	struct bench_result r = case_result("bare", algo, size, depth);
	uint32_t nfree = depth, inflight = 0;
	uint8_t *block = NULL;
	struct window w;
	uint64_t now;
	size_t stride;
	void *sess;
	int ret = 0;

	sess = case_session(algo, size);
	if (!sess)
		return 0;
	block = case_block(algo, size, depth, &stride);
	if (!block) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < depth; i++) {
		ret = slot_setup(&slots[i], sess, algo, size, block + i * stride,
				 rte_malloc_virt2iova(block) + i * stride);
		if (ret)
			goto out;
		*SLOT_OF(slots[i].op) = i;
		fr[i] = slots[i].op;
	}
	if (depth == 1) {
		lat.v = malloc(BENCH_LAT_MAX * sizeof(uint64_t));
		if (!lat.v) {
			ret = -ENOMEM;
			goto out;
		}
	}
	r.check = sanity(&slots[0], size);
	window_start(&w);
	for (;;) {
		uint16_t n, k;

		if (nfree) {
			uint64_t t = rte_rdtsc();

			n = rte_cryptodev_enqueue_burst(dev_id, 0, fr, (uint16_t)nfree);
			if (n < nfree && !inflight && !n) /* refused (crypto_openssl: failed op) */
				w.errs++;
			for (k = 0; k < n && depth == 1; k++)
				slots[*SLOT_OF(fr[k])].t_sub = t;
			if (n && n < nfree)
				memmove(fr, fr + n, (nfree - n) * sizeof(fr[0]));
			nfree -= n;
			inflight += n;
		}
		n = rte_cryptodev_dequeue_burst(dev_id, 0, deq, RTE_DIM(deq));
		now = rte_rdtsc();
		for (k = 0; k < n; k++) {
			struct slot *s = &slots[*SLOT_OF(deq[k])];

			if (deq[k]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
				w.errs++;
			deq[k]->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
			if (w.measuring && lat.v && lat.n < BENCH_LAT_MAX)
				lat.v[lat.n++] = now - s->t_sub;
			fr[nfree++] = deq[k];
		}
		inflight -= n;
		if (window_tick(&w, now, n))
			break;
	}
	while (inflight) { /* drain */
		uint16_t n = rte_cryptodev_dequeue_burst(dev_id, 0, deq, RTE_DIM(deq));

		inflight -= n;
	}
	report(&r, &w, now, &lat, "");
out:
	free(lat.v);
	for (uint32_t i = 0; i < depth; i++)
		slot_free(&slots[i]);
	rte_free(block);
	rte_cryptodev_sym_session_free(dev_id, sess);
	return ret;
}

/* --cpu-crypto: @p depth buffers in place, in calls of O.cpu_call (see the top). */
static int run_cpu_case(int algo, uint32_t size, uint32_t depth)
{
	static struct rte_crypto_vec vec[MAX_DEPTH];
	static struct rte_crypto_sgl sgl[MAX_DEPTH];
	static struct rte_crypto_va_iova_ptr iv[MAX_DEPTH], dig[MAX_DEPTH], aad[MAX_DEPTH];
	static int32_t st[MAX_DEPTH];
	static uint8_t ivs[MAX_DEPTH][16], aad_buf[16];
	const union rte_crypto_sym_ofs ofs = {.raw = 0};
	struct bench_lat lat = {0};
	struct bench_result r = case_result("bare-cpu", algo, size, depth);
	struct rte_crypto_sym_vec one = {
		.num = 1, .src_sgl = sgl, .iv = iv, .digest = dig, .aad = aad, .status = st};
	struct window w;
	char extra[32];
	uint8_t *block;
	uint64_t now;
	size_t stride;
	void *sess;

	sess = case_session(algo, size);
	if (!sess)
		return 0;
	block = case_block(algo, size, depth, &stride);
	if (!block) {
		rte_cryptodev_sym_session_free(dev_id, sess);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < depth; i++) {
		uint8_t *b = block + i * stride;

		memset(b, 0x5a, size + BENCH_DIGEST_LEN(algo));
		vec[i] = (struct rte_crypto_vec){.base = b, .len = size};
		sgl[i] = (struct rte_crypto_sgl){.vec = &vec[i], .num = 1};
		memcpy(ivs[i], bench_iv, 16);
		iv[i].va = ivs[i];
		dig[i].va = b + size;
		aad[i].va = aad_buf;
	}
	r.check = rte_cryptodev_sym_cpu_crypto_process(dev_id, sess, ofs, &one) != 1 || st[0] ?
			  "status" :
			  bench_output_check(block, size);
	window_start(&w);
	for (;;) {
		for (uint32_t off = 0; off < depth; off += O.cpu_call) {
			uint32_t n = depth - off < O.cpu_call ? depth - off : O.cpu_call;
			struct rte_crypto_sym_vec v = {.num = n,
						       .src_sgl = sgl + off,
						       .iv = iv + off,
						       .digest = dig + off,
						       .aad = aad + off,
						       .status = st + off};

			w.errs += n - rte_cryptodev_sym_cpu_crypto_process(dev_id, sess, ofs, &v);
		}
		now = rte_rdtsc();
		if (window_tick(&w, now, depth))
			break;
	}
	snprintf(extra, sizeof(extra), ",\"cpu_call\":%u", O.cpu_call);
	report(&r, &w, now, &lat, extra);
	rte_free(block);
	rte_cryptodev_sym_session_free(dev_id, sess);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bare_cryptodev [--pmd openssl|aesni_mb] [--algo aes-cbc,aes-cbc-sha1,"
		   "aes-256-gcm] [--sizes 64,4k] [--depth 1,32] [--seconds S] [--warmup S] "
		   "[--cpu N] [--cpu-crypto] [--cpu-call N]\n");
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {BENCH_MATRIX_OPTIONS,
					   {"cpu", required_argument, NULL, 'c'},
					   {"cpu-crypto", no_argument, NULL, 'C'},
					   {"cpu-call", required_argument, NULL, 'n'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	bench_matrix_defaults(&O.m);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (bench_matrix_opt(&O.m, c, optarg))
			continue;
		switch (c) {
		case 'c':
			O.cpu = atoi(optarg);
			break;
		case 'C':
			O.cpu_crypto = true;
			break;
		case 'n':
			O.cpu_call = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!bench_matrix_ok(&O.m) || O.cpu < 0 || !O.cpu_call || O.cpu_call > MAX_DEPTH) {
		usage(stderr);
		return -1;
	}
	for (int i = 0; i < O.m.ndepths; i++)
		if (O.m.depths[i] > MAX_DEPTH)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[32], vdev[64], name[64], lcores[32];
	char *eargv[16];
	int eargc = 0, ret;
	struct rte_cryptodev_config conf = {0};
	struct rte_cryptodev_qp_conf qconf = {0};
	struct rte_cryptodev_info info;

	if (parse(argc, argv))
		return 2;
	snprintf(prefix, sizeof(prefix), "vcb%d", (int)getpid());
	snprintf(name, sizeof(name), "crypto_%s_bare", O.m.pmd);
	snprintf(vdev, sizeof(vdev), "%s", name);
	snprintf(lcores, sizeof(lcores), "0@%d", O.cpu);
	eargv[eargc++] = argv[0];
	eargv[eargc++] = "--no-huge";
	eargv[eargc++] = "-m";
	eargv[eargc++] = "256";
	eargv[eargc++] = "--no-pci";
	eargv[eargc++] = "--file-prefix";
	eargv[eargc++] = prefix;
	eargv[eargc++] = "--lcores";
	eargv[eargc++] = lcores;
	eargv[eargc++] = "--log-level";
	eargv[eargc++] = "*:warning";
	eargv[eargc++] = "--vdev";
	eargv[eargc++] = vdev;
	eargv[eargc] = NULL;
	if (rte_eal_init(eargc, eargv) < 0) {
		fprintf(stderr, "bare: EAL init failed: %s\n", rte_strerror(rte_errno));
		bench_eal_rundir_remove(prefix);
		return 1;
	}
	ret = rte_cryptodev_get_dev_id(name);
	if (ret < 0) {
		fprintf(stderr, "bare: no device %s\n", name);
		ret = 1;
		goto out;
	}
	dev_id = (uint8_t)ret;
	rte_cryptodev_info_get(dev_id, &info);
	if (O.cpu_crypto && !(info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO)) {
		fprintf(stderr, "bare: %s has no CPU crypto API (--cpu-crypto)\n", name);
		ret = 0;
		goto out;
	}
	segments_needed = !strcmp(O.m.pmd, "openssl");
	conf.socket_id = rte_cryptodev_socket_id(dev_id);
	conf.nb_queue_pairs = 1;
	sess_pool = rte_cryptodev_sym_session_pool_create(
		"bare_sess", 16, rte_cryptodev_sym_get_private_session_size(dev_id), 0, 0,
		SOCKET_ID_ANY);
	op_pool = rte_crypto_op_pool_create("bare_op", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 2 * MAX_DEPTH,
					    0, 64, SOCKET_ID_ANY);
	mbuf_pool = rte_pktmbuf_pool_create("bare_mbuf", 8 * MAX_DEPTH, 0, 0, 0, SOCKET_ID_ANY);
	if (!sess_pool || !op_pool || !mbuf_pool) {
		fprintf(stderr, "bare: pools: %s\n", rte_strerror(rte_errno));
		ret = 1;
		goto out;
	}
	qconf.nb_descriptors = 2048;
	qconf.mp_session = sess_pool;
	if (rte_cryptodev_configure(dev_id, &conf) < 0 ||
	    rte_cryptodev_queue_pair_setup(dev_id, 0, &qconf, (int)conf.socket_id) < 0 ||
	    rte_cryptodev_start(dev_id) < 0) {
		fprintf(stderr, "bare: device setup failed\n");
		ret = 1;
		goto out;
	}
	ret = 0;
	for (int a = 0; a < O.m.nalgos && !ret; a++)
		for (int s = 0; s < O.m.nsizes && !ret; s++)
			for (int d = 0; d < O.m.ndepths && !ret; d++)
				ret = (O.cpu_crypto ? run_cpu_case : run_case)(
					O.m.algos[a], O.m.sizes[s], O.m.depths[d]);
	rte_cryptodev_stop(dev_id);
	rte_cryptodev_close(dev_id);
	ret = ret ? 1 : 0;
out:
	rte_mempool_free(mbuf_pool);
	rte_mempool_free(op_pool);
	rte_mempool_free(sess_pool);
	rte_eal_cleanup();
	bench_eal_rundir_remove(prefix);
	return ret;
}
