/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * The vhost path: libvcrypto's poller on one core (EAL worker lcore 1,
 * pinned to --host-cpu), libvcrypto-guest front ends on the main lcore
 * (pinned to --guest-cpu), a real vhost-user socket and memfd memory
 * between them. One process: the guest library shares nothing with the host
 * library but the socket and the memfd, exactly as across processes, and
 * one process lets the benchmark switch cases (copy, zero-copy,
 * transport-only) and read both sides' cycle counters without any IPC.
 *
 * Modes: copy (VCRYPTO_ZERO_COPY_OFF), zc (VCRYPTO_ZERO_COPY_ON), null and
 * null-zc (copy or zero copy on an engine with VCRYPTO_ENGINE_F_NULL_CRYPTO:
 * the transport alone), dpdk (the same guest served by DPDK 22.11's own
 * rte_vhost_crypto on the same core instead: the reference, dpdk_host.h).
 * One JSON line per case on stdout.
 *
 * Usage: vhost_bench [--pmd openssl|aesni_mb] [--algo LIST] [--sizes LIST]
 *                    [--depth LIST] [--modes copy,zc,null,null-zc,dpdk] [--seconds S]
 *                    [--warmup S] [--scaling 1,4,16,64] [--fairness ...]
 *                    [--host-cpu N] [--guest-cpu N] [--c2c-wait S]
 */

#include <getopt.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "bench_guest.h"
#include "dpdk_host.h"

#define MAX_DEPTH 256
#define MAX_GUESTS 64
#define MAX_SESSIONS 16 /* --sessions */

static struct {
	struct bench_matrix m;
	bool modes[BENCH_M_N];
	uint32_t scaling[BENCH_MAX_LIST];
	int nscaling;
	uint32_t scaling_depth;
	bool fairness;
	bool algo_given; /* --algo: fairness runs these (else AES-CBC only) */
	uint32_t light_sizes[BENCH_MAX_LIST];
	int nlight;
	uint32_t heavy_sizes[BENCH_MAX_LIST];
	int nheavy;
	uint32_t heavy_depth, light_weight, heavy_inflight;
	uint32_t fair_runs;	 /* --fair-runs: bit k for enum fair_run k */
	uint32_t qp_descriptors; /* engine option (0: default) */
	uint32_t burst;		 /* poller option (0: default) */
	double rate_frac;
	int host_cpu, guest_cpu;
	double c2c_wait;   /* seconds a case may wait for the vCPUs to be placed close */
	uint32_t sessions; /* per algorithm and guest, taken in turn by its requests */
	bool per_part; /* --desc-per-part: a descriptor per part, as VM guests lay requests out */
	bool oop;      /* --oop: out of place, the destinations after the sources */
} O = {.c2c_wait = 20,
       .sessions = 1,
       .host_cpu = 1,
       .guest_cpu = 0,
       .scaling_depth = 16,
       .heavy_depth = 32,
       .light_weight = 4,
       .fair_runs = 0x1f,
       .heavy_inflight = 4,
       .rate_frac = 0.5};

/* The host core's loop: polls the active poller, counts cycles of busy rounds. */
static struct host_ctx {
	_Atomic(struct vcrypto_poller *) active;
	_Atomic(struct dpdk_host *) dpdk; /* or the reference host (mode dpdk) */
	atomic_uint gen, ack;
	atomic_bool stop;
	_Atomic uint64_t busy_cycles;
	_Atomic uint64_t busy_rounds;
	clockid_t cpu_clock; /* the host thread's CPU-time clock */
	atomic_int tid;	     /* the host thread's id */
	atomic_bool clock_set;
} H;

/*
 * Core-to-core probe: the guest thread sets an odd value, the host loop
 * answers with the next even one (on a line of its own). The one-way
 * latency moves between about 75 and 400 cycles on this VM with where the
 * hypervisor puts the two vCPUs, and every two-core figure moves with it:
 * each case records it so that the report can tell the slow placement.
 */
static struct {
	alignas(64) atomic_uint v;
	char pad[64 - sizeof(atomic_uint)];
} Ping;

static inline void ping_answer(void)
{
	unsigned int v = atomic_load_explicit(&Ping.v, memory_order_acquire);

	if (v & 1)
		atomic_store_explicit(&Ping.v, v + 1, memory_order_release);
}

/* One-way latency to the host thread in TSC cycles, over 2000 round trips; 0 if it did not answer. */
static double c2c_probe(void)
{
	const unsigned int n = 2000;
	unsigned int v = atomic_load(&Ping.v);
	uint64_t t0 = rte_rdtsc(), give_up = t0 + rte_get_tsc_hz() / 10;

	for (unsigned int i = 0; i < n; i++, v += 2) {
		atomic_store_explicit(&Ping.v, v + 1, memory_order_release);
		while (atomic_load_explicit(&Ping.v, memory_order_acquire) != v + 2)
			if (rte_rdtsc() > give_up) {
				atomic_store(&Ping.v, v + 2); /* the host may still answer */
				return 0;
			}
	}
	return (double)(rte_rdtsc() - t0) / n / 2;
}

static int host_main(void *arg)
{
	uint64_t busy = 0, rounds = 0;

	(void)arg;
	atomic_store(&H.tid, (int)gettid());
	if (pthread_getcpuclockid(pthread_self(), &H.cpu_clock) == 0)
		atomic_store(&H.clock_set, true);
	while (!atomic_load_explicit(&H.stop, memory_order_relaxed)) {
		unsigned int gen = atomic_load_explicit(&H.gen, memory_order_acquire);
		struct vcrypto_poller *p = atomic_load_explicit(&H.active, memory_order_acquire);
		struct dpdk_host *d = atomic_load_explicit(&H.dpdk, memory_order_acquire);
		uint64_t t0, t1;
		int n;

		atomic_store_explicit(&H.ack, gen, memory_order_release);
		ping_answer();
		if (!p && !d) {
			rte_pause();
			continue;
		}
		t0 = rte_rdtsc();
		n = p ? vcrypto_poller_poll(p) : dpdk_host_poll(d);
		t1 = rte_rdtsc();
		if (n > 0) {
			busy += t1 - t0;
			rounds++;
			atomic_store_explicit(&H.busy_cycles, busy, memory_order_relaxed);
			atomic_store_explicit(&H.busy_rounds, rounds, memory_order_relaxed);
		}
	}
	return 0;
}

/*
 * Switch the host loop to poller @p p or reference host @p d (or neither)
 * and wait until it no longer polls the previous one.
 */
static void host_set(struct vcrypto_poller *p, struct dpdk_host *d)
{
	unsigned int g;

	atomic_store_explicit(&H.active, p, memory_order_release);
	atomic_store_explicit(&H.dpdk, d, memory_order_release);
	g = atomic_fetch_add_explicit(&H.gen, 1, memory_order_acq_rel) + 1;
	while (atomic_load_explicit(&H.ack, memory_order_acquire) != g)
		rte_pause();
}

/*
 * c2c_probe() with the host loop idle (a poll round of many queues would
 * delay its answers), then back to what it served. Between windows only:
 * nothing may be in flight.
 */
static double c2c_measure(void)
{
	struct vcrypto_poller *p = atomic_load(&H.active);
	struct dpdk_host *d = atomic_load(&H.dpdk);
	double v;

	host_set(NULL, NULL);
	v = c2c_probe();
	host_set(p, d);
	return v;
}

/* What bench/report.py calls placed apart: over this many times the lowest latency. */
#define C2C_SLOW 2.0
static double c2c_best; /* the lowest latency this process has measured */

/*
 * The latency before a window. The vCPUs stay placed apart for about 10 to
 * 15 s at a time here (a two-thread ping-pong alone sees it in about one
 * probe of eight), so while it is over C2C_SLOW times the lowest seen, wait
 * (up to --c2c-wait seconds): the window then measures vcrypto, not the
 * placement. The first call calibrates over half a second (unless told
 * not to wait).
 */
static double c2c_settle(void)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint64_t calib = c2c_best > 0 || O.c2c_wait <= 0 ? now : now + hz / 2,
		 until = now + (uint64_t)(O.c2c_wait * hz);
	double v;

	for (;;) {
		v = c2c_measure();
		if (v > 0 && (c2c_best == 0 || v < c2c_best))
			c2c_best = v;
		now = rte_rdtsc();
		if (now >= calib && (v <= C2C_SLOW * c2c_best || now >= until))
			return v;
		rte_delay_us_sleep(20000);
	}
}

/* One guest connection and its port. */
struct guest {
	struct vcrypto_port *port;
	struct vcrypto_guest *g;
	char path[108];
	uint64_t sess[BENCH_NALGOS][MAX_SESSIONS];
	bool have[BENCH_NALGOS];
	struct vcrypto_guest_op ops[MAX_DEPTH]; /* one prebuilt op per slot */
	void *src[MAX_DEPTH]; /* in src_block (bench_buf_stride); the output goes in place */
	uint8_t *src_block;
	uint64_t t_sub[MAX_DEPTH];
	uint32_t pend[MAX_DEPTH]; /* completed slots not yet submitted again (ring full) */
	uint32_t npend;
	uint32_t depth; /* requests kept outstanding by drive() */
	uint32_t outstanding;
	uint64_t done;	   /* completions inside the window */
	uint64_t busy_cyc; /* guest-thread cycles spent on this guest inside the window */
};

static struct guest *G[MAX_GUESTS];
static unsigned int sock_seq;

/*
 * Whether the guest gives each part of a request its own descriptor: with
 * --desc-per-part, and always against DPDK's host (@dpdk), which reads each
 * part from its own descriptor (and does not offer VIRTIO_F_ANY_LAYOUT).
 */
static bool per_part(bool dpdk)
{
	return O.per_part || dpdk;
}

static const char *layout_name(bool dpdk)
{
	return per_part(dpdk) ? "per-part" : "joined";
}

static void guest_path(struct guest *gs)
{
	snprintf(gs->path, sizeof(gs->path), "/tmp/vcbench-%d-%u.sock", (int)getpid(), sock_seq++);
}

/*
 * Connect a guest with @p mem bytes of memory and create its sessions: to a
 * new port of engine @p e on poller @p p, or (@p e NULL) to the reference
 * host listening on gs->path (sessions it cannot make are left out quietly).
 */
static int guest_up(struct guest *gs, struct vcrypto_engine *e, struct vcrypto_poller *p,
		    uint64_t mem)
{
	struct vcrypto_guest_opts go = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	int ret;

	if (e) { /* else the reference host listens on gs->path */
		guest_path(gs);
		ret = vcrypto_port_create(gs->path, e, NULL, &gs->port);
		if (ret) {
			fprintf(stderr, "vhost_bench: port_create: %s\n", vcrypto_strerror(ret));
			return ret;
		}
		ret = vcrypto_poller_add_port(p, gs->port, 0);
		if (ret) {
			fprintf(stderr, "vhost_bench: add_port: %s\n", vcrypto_strerror(ret));
			return ret;
		}
	}
	go.queue_size = 256;
	go.mem_size = mem;
	go.connect_timeout_ms = 3000;
	go.flags = VCRYPTO_GUEST_F_BUSY_POLL; /* the bench polls without sleeping */
	if (per_part(!e))
		go.flags |= VCRYPTO_GUEST_F_DESC_PER_PART;
	ret = vcrypto_guest_connect(gs->path, &go, &gs->g);
	if (ret) {
		fprintf(stderr, "vhost_bench: guest_connect: %s\n", vcrypto_strerror(ret));
		return ret;
	}
	for (int a = 0; a < BENCH_NALGOS; a++) {
		struct vcrypto_session_params sp = bench_session_params(a);
		uint32_t k;

		ret = 0;
		for (k = 0; k < O.sessions && !ret; k++)
			ret = vcrypto_guest_session_create(gs->g, &sp, &gs->sess[a][k]);
		gs->have[a] = ret == 0;
		if (!ret)
			continue;
		if (e)
			fprintf(stderr, "vhost_bench: %s session: %s\n", bench_algo_names[a],
				vcrypto_strerror(ret));
		/* All or none: close those made (DPDK's host keeps them past the guest). */
		while (--k > 0)
			vcrypto_guest_session_close(gs->g, gs->sess[a][k - 1]);
	}
	return 0;
}

static void guest_down(struct guest *gs)
{
	if (!gs)
		return;
	/* Closed one by one: DPDK's rte_vhost_crypto frees none of them when the guest leaves. */
	for (int a = 0; a < BENCH_NALGOS && gs->g; a++)
		for (uint32_t k = 0; k < O.sessions && gs->have[a]; k++)
			vcrypto_guest_session_close(gs->g, gs->sess[a][k]);
	vcrypto_guest_destroy(gs->g);
	vcrypto_port_destroy(gs->port); /* the host loop keeps polling meanwhile */
	free(gs);
}

static void guest_bufs_free(struct guest *gs)
{
	vcrypto_guest_buf_free(gs->g, gs->src_block);
	gs->src_block = NULL;
	for (unsigned int i = 0; i < MAX_DEPTH; i++)
		gs->src[i] = NULL;
}

/*
 * Prebuild @p depth requests, all in place as the bare loop's are: the
 * destination is the source (for GCM followed by the tag, for CBC+SHA1 the
 * digest after the data); with --oop the destinations (and digests) are in
 * a second block after the sources.
 */
static int guest_prepare(struct guest *gs, int algo, uint32_t size, uint32_t depth)
{
	uint32_t dig = BENCH_DIGEST_LEN(algo);
	size_t stride = bench_buf_stride((size_t)size + dig);
	void *sb = NULL;
	int ret = vcrypto_guest_buf_alloc(gs->g, stride * depth * (O.oop ? 2 : 1), &sb);

	gs->src_block = sb;
	if (ret)
		return ret;
	for (uint32_t i = 0; i < depth; i++) {
		struct vcrypto_guest_op *op = &gs->ops[i];

		gs->src[i] = gs->src_block + i * stride;
		memset(gs->src[i], 0x5a, size + dig);
		memset(op, 0, sizeof(*op));
		op->session_id = gs->sess[algo][i % O.sessions];
		op->user_data = i;
		op->iv = bench_iv;
		op->iv_len = BENCH_IV_LEN(algo);
		op->src = gs->src[i];
		op->src_len = size;
		op->dst = O.oop ? gs->src_block + (depth + i) * stride : gs->src[i];
		op->dst_len = algo == BENCH_AES_GCM ? size + dig : size;
		if (algo == BENCH_AES_CBC_SHA1)
			op->digest = (uint8_t *)op->dst + size;
	}
	return 0;
}

struct port_snap {
	uint64_t requests, zc, notifications;
};

static void snap_ports(struct guest **gs, unsigned int ng, struct port_snap *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < ng; i++) {
		struct vcrypto_port_stats st = {.sz = sizeof(st)};

		if (vcrypto_port_stats_get(gs[i]->port, &st) == 0) {
			s->requests += st.requests;
			s->zc += st.zero_copy_requests;
			s->notifications += st.notifications;
		}
	}
}

/*
 * Drive @p ng guests at @p depth requests each (0: each at its own
 * guest::depth) for warmup + seconds and fill @p r. Latency samples of
 * guest 0 go to @p lat if not NULL. The guests are served in order from one
 * thread: guest 0 is polled, then each of the others, then guest 0 again.
 */
static int drive(struct guest **gs, unsigned int ng, uint32_t depth, struct bench_result *r,
		 struct bench_lat *lat)
{
	struct vcrypto_guest_completion c[64];
	struct vcrypto_guest_op batch[64];
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc(), t_warm, t_end, t_start = 0;
	uint64_t busy0 = 0, rounds0 = 0, gbusy = 0, errs = 0, total = 0, hcpu0 = 0, gcpu0 = 0,
		 hsw0 = 0, gsw0 = 0;
	int htid = atomic_load(&H.tid), gtid = (int)gettid();
	clockid_t hclk = atomic_load(&H.clock_set) ? H.cpu_clock : CLOCK_THREAD_CPUTIME_ID;
	struct port_snap ps0 = {0}, ps1;
	bool measuring = false;
	struct bench_windows win = {0};

	r->c2c_cyc = c2c_settle(); /* before and after: the larger */
	for (unsigned int i = 0; i < ng; i++) {
		int n;

		if (depth)
			gs[i]->depth = depth;
		gs[i]->done = 0;
		gs[i]->busy_cyc = 0;
		for (uint32_t k = 0; k < gs[i]->depth; k++)
			gs[i]->t_sub[k] = now;
		n = vcrypto_guest_submit(gs[i]->g, 0, gs[i]->ops, gs[i]->depth);
		if (n != (int)gs[i]->depth) {
			fprintf(stderr, "vhost_bench: submit: %d of %u\n", n, gs[i]->depth);
			return n < 0 ? n : -EIO;
		}
		gs[i]->outstanding = gs[i]->depth;
		gs[i]->npend = 0;
	}
	t_warm = now + (uint64_t)(O.m.warmup * hz);
	t_end = t_warm + (uint64_t)(O.m.seconds * hz);
	for (;;) {
		for (unsigned int i = 0; i < ng; i++) {
			struct guest *g = gs[i];
			uint64_t t0 = rte_rdtsc(), t1;
			int n = vcrypto_guest_poll(g->g, 0, c, RTE_DIM(c)), s;

			if (n <= 0 && !g->npend)
				continue;
			t1 = rte_rdtsc();
			for (int k = 0; k < n; k++) {
				uint32_t slot = (uint32_t)c[k].user_data;

				if (c[k].status != VCRYPTO_STATUS_OK)
					errs++;
				if (measuring && lat && i == 0 && lat->n < BENCH_LAT_MAX)
					lat->v[lat->n++] = t1 - g->t_sub[slot];
				g->pend[g->npend++] = slot;
				g->t_sub[slot] = t1;
			}
			if (measuring && n > 0)
				g->done += (uint64_t)n;
			/* What the ring does not take now waits for the next pass (the depth stays). */
			for (uint32_t k = 0; k < g->npend && k < RTE_DIM(batch); k++)
				batch[k] = g->ops[g->pend[k]];
			s = vcrypto_guest_submit(g->g, 0, batch,
						 g->npend < RTE_DIM(batch) ?
							 g->npend :
							 (unsigned int)RTE_DIM(batch));
			if (s < 0) {
				fprintf(stderr, "vhost_bench: resubmit: %s\n", vcrypto_strerror(s));
				return s;
			}
			g->npend -= (uint32_t)s;
			memmove(g->pend, g->pend + s, g->npend * sizeof(g->pend[0]));
			t1 = rte_rdtsc() - t0;
			gbusy += t1;
			g->busy_cyc += t1;
		}
		now = rte_rdtsc();
		if (measuring && now >= win.t_next) {
			uint64_t done = 0;

			for (unsigned int i = 0; i < ng; i++)
				done += gs[i]->done;
			bench_windows_mark(&win, now, done,
					   atomic_load_explicit(&H.busy_cycles,
								memory_order_relaxed));
		}
		if (!measuring && now >= t_warm) {
			measuring = true;
			t_start = now;
			t_end = now +
				(uint64_t)(O.m.seconds * hz); /* a full window even if preempted */
			gbusy = 0;
			errs = 0;
			for (unsigned int i = 0; i < ng; i++)
				gs[i]->busy_cyc = 0;
			busy0 = atomic_load_explicit(&H.busy_cycles, memory_order_relaxed);
			rounds0 = atomic_load_explicit(&H.busy_rounds, memory_order_relaxed);
			hcpu0 = bench_clock_ns(hclk);
			gcpu0 = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
			hsw0 = htid ? bench_nvcsw(htid) : 0;
			gsw0 = bench_nvcsw(gtid);
			snap_ports(gs, ng, &ps0);
			bench_windows_start(&win, now, hz, 0, busy0);
		}
		if (now >= t_end)
			break;
	}
	r->host_busy = (double)(atomic_load_explicit(&H.busy_cycles, memory_order_relaxed) - busy0);
	rounds0 = atomic_load_explicit(&H.busy_rounds, memory_order_relaxed) - rounds0;
	r->host_cpu = (double)(bench_clock_ns(hclk) - hcpu0);
	r->guest_cpu = (double)(bench_clock_ns(CLOCK_THREAD_CPUTIME_ID) - gcpu0);
	r->host_preempt = htid ? (double)(bench_nvcsw(htid) - hsw0) : 0;
	r->guest_preempt = (double)(bench_nvcsw(gtid) - gsw0);
	snap_ports(gs, ng, &ps1);
	/* drain */
	for (unsigned int i = 0; i < ng; i++) {
		uint64_t give_up = rte_rdtsc() + 5 * hz;

		gs[i]->outstanding -= gs[i]->npend; /* (never submitted again) */
		gs[i]->npend = 0;

		while (gs[i]->outstanding && rte_rdtsc() < give_up) {
			int n = vcrypto_guest_poll(gs[i]->g, 0, c, RTE_DIM(c));

			if (n > 0)
				gs[i]->outstanding -= (uint32_t)n;
		}
		if (gs[i]->outstanding) {
			fprintf(stderr, "vhost_bench: %u requests never completed\n",
				gs[i]->outstanding);
			return -ETIMEDOUT;
		}
	}
	{
		double c2c = c2c_measure();

		r->c2c_cyc = c2c > r->c2c_cyc ? c2c : r->c2c_cyc;
	}
	r->share_min = 1e9;
	r->share_max = 0;
	for (unsigned int i = 0; i < ng; i++)
		total += gs[i]->done;
	for (unsigned int i = 0; i < ng; i++) {
		double sh = total ? (double)gs[i]->done * ng / total : 0;

		r->share_min = sh < r->share_min ? sh : r->share_min;
		r->share_max = sh > r->share_max ? sh : r->share_max;
	}
	r->ops = total;
	r->errors = errs;
	r->secs = (double)(now - t_start) / hz;
	if (r->secs <= 0)
		r->secs = 1e-9;
	r->cyc_total = total ? (double)(now - t_start) / total : 0;
	r->cyc_busy = total ? r->host_busy / total : 0;
	bench_windows_result(&win, r);
	r->host_busy /= (double)(now - t_start);
	r->cyc_op_cpu = total ? r->host_cpu * 1e-9 * hz / total : 0;
	r->host_cpu /= r->secs * 1e9;
	r->guest_cpu /= r->secs * 1e9;
	r->guest_busy = (double)gbusy / (double)(now - t_start);
	r->zc_frac = ps1.requests > ps0.requests ?
			     (double)(ps1.zc - ps0.zc) / (double)(ps1.requests - ps0.requests) :
			     0;
	{
		struct vcrypto_poller_stats pst = {.sz = sizeof(pst)};
		struct vcrypto_poller *hp = atomic_load(&H.active);

		r->enq_chunk = hp && vcrypto_poller_stats_get(hp, &pst) == 0 ? pst.enqueue_chunk :
									       0;
	}
	/* (the reference host has no port: its requests are the guests' completions) */
	r->req_round = !rounds0 ? 0 :
		       ps1.requests > ps0.requests ?
				  (double)(ps1.requests - ps0.requests) / (double)rounds0 :
				  (double)r->ops / (double)rounds0;
	r->notify_per_req = ps1.requests > ps0.requests ?
				    (double)(ps1.notifications - ps0.notifications) /
					    (double)(ps1.requests - ps0.requests) :
				    0;
	return 0;
}

static void print_result(struct bench_result *r, struct bench_lat *lat)
{
	double ops_s = r->ops / r->secs;

	r->tsc_hz = (double)rte_get_tsc_hz();
	bench_result_json_begin(stdout, r);
	printf(",\"sessions\":%u,\"layout\":\"%s\",\"oop\":%s", O.sessions,
	       layout_name(!strcmp(r->mode, "dpdk")), O.oop ? "true" : "false");
	if (lat)
		bench_lat_json(stdout, lat, 1e9 / rte_get_tsc_hz());
	fputs("}\n", stdout);
	fflush(stdout);
	fprintf(stderr,
		"%-5s %-8s %-12s %6u B depth %-3u guests %-2u %10.0f ops/s %7.3f Gbit/s host "
		"busy %3.0f%% cpu %3.0f%% guest busy %3.0f%% cpu %3.0f%% zc %.2f chunk %.0f%s\n",
		r->mode, r->pmd, bench_algo_names[r->algo], r->size, r->depth, r->guests, ops_s,
		ops_s * r->size * 8 / 1e9, r->host_busy * 100, r->host_cpu * 100,
		r->guest_busy * 100, r->guest_cpu * 100, r->zc_frac, r->enq_chunk,
		r->errors ? "  ERRORS" : "");
	if (r->check && strcmp(r->check, "ok") && strcmp(r->check, "n/a"))
		fprintf(stderr, "      output check: %s\n", r->check);
}

static int run_case(struct guest *gs, enum bench_mode m, int algo, uint32_t size, uint32_t depth)
{
	struct bench_result r = {.mode = bench_mode_names[m],
				 .pmd = O.m.pmd,
				 .algo = algo,
				 .size = size,
				 .depth = depth,
				 .guests = 1};
	struct bench_lat lat = {0};
	int ret;

	if (!gs->have[algo])
		return 0;
	if (algo != BENCH_AES_GCM && size % 16)
		return 0;
	if (m == BENCH_M_DPDK && size > DPDK_HOST_MAX_DATA)
		return 0; /* it would jam the reference host's queue (dpdk_host.h) */
	if (gs->port)
		vcrypto_port_set_zero_copy(gs->port, bench_mode_zc(m) ? VCRYPTO_ZERO_COPY_ON :
									VCRYPTO_ZERO_COPY_OFF);
	ret = guest_prepare(gs, algo, size, depth);
	if (ret) {
		fprintf(stderr, "vhost_bench: buffers: %s\n", vcrypto_strerror(ret));
		goto out;
	}
	if (depth == 1) {
		lat.v = malloc(BENCH_LAT_MAX * sizeof(uint64_t));
		if (!lat.v) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = vcrypto_guest_run(gs->g, 0, &gs->ops[0], 5000);
	if (ret < 0) {
		fprintf(stderr, "vhost_bench: first request: %s\n", vcrypto_strerror(ret));
		goto out;
	}
	r.check = ret != VCRYPTO_STATUS_OK ? "status" :
		  bench_mode_null(m)	   ? "n/a" :
					     bench_output_check(gs->ops[0].dst, size);
	ret = drive(&gs, 1, depth, &r, depth == 1 ? &lat : NULL);
	if (!ret)
		print_result(&r, depth == 1 ? &lat : NULL);
out:
	free(lat.v);
	guest_bufs_free(gs);
	return ret;
}

static int engine_make(const char *tag, uint32_t flags, struct vcrypto_engine **e)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	char dev[64];
	int ret;

	eo.nb_queue_pairs = 1;
	eo.flags = bench_engine_flags(flags);
	eo.qp_descriptors = O.qp_descriptors;
	snprintf(dev, sizeof(dev), "crypto_%s_%s", O.m.pmd, tag);
	ret = vcrypto_engine_create(dev, &eo, e);
	if (ret)
		fprintf(stderr, "vhost_bench: engine %s%s: %s\n", dev,
			flags ? " (NULL_CRYPTO)" : "", vcrypto_strerror(ret));
	return ret;
}

/* Slot of a mode in run_matrix: 0 the engine, 1 the crypto_null engine, 2 the reference host. */
static int mode_slot(int m)
{
	return m == BENCH_M_DPDK ? 2 : bench_mode_null(m);
}

static int run_matrix(void)
{
	struct vcrypto_engine *e[3] = {NULL, NULL, NULL};
	struct vcrypto_poller *p[3] = {NULL, NULL, NULL};
	struct guest *gs[3] = {NULL, NULL, NULL};
	struct dpdk_host *ref = NULL;
	uint32_t max_size = 0, max_depth = 0;
	uint64_t mem;
	int ret = 0;

	for (int i = 0; i < O.m.nsizes; i++)
		max_size = O.m.sizes[i] > max_size ? O.m.sizes[i] : max_size;
	for (int i = 0; i < O.m.ndepths; i++)
		max_depth = O.m.depths[i] > max_depth ? O.m.depths[i] : max_depth;
	mem = (uint64_t)max_depth * 2 * bench_buf_stride(max_size + 128) + (4u << 20);
	mem = (mem + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
	for (int k = 0; k < 3 && !ret; k++) {
		bool want = false;

		for (int m = 0; m < BENCH_M_N; m++)
			want |= O.modes[m] && mode_slot(m) == k;
		if (!want)
			continue;
		gs[k] = calloc(1, sizeof(*gs[k]));
		if (!gs[k]) {
			ret = -ENOMEM;
			break;
		}
		if (k == 2) {
			guest_path(gs[k]);
			ret = dpdk_host_create(O.m.pmd, gs[k]->path, &ref);
			if (!ret) {
				host_set(NULL, ref);
				ret = guest_up(gs[k], NULL, NULL, mem);
			}
			continue;
		}
		ret = engine_make(k ? "vbn" : "vbr", k ? VCRYPTO_ENGINE_F_NULL_CRYPTO : 0, &e[k]);
		if (ret == -ENOTSUP && k == 1) {
			fprintf(stderr, "vhost_bench: transport-only case blocked: NULL_CRYPTO "
					"not supported by the host\n");
			ret = 0;
			continue;
		}
		if (!ret)
			ret = vcrypto_poller_create(e[k], NULL, &p[k]);
		if (!ret) {
			host_set(p[k], NULL);
			ret = guest_up(gs[k], e[k], p[k], mem);
		}
	}
	/* interleave the modes per case */
	for (int a = 0; a < O.m.nalgos && !ret; a++)
		for (int s = 0; s < O.m.nsizes && !ret; s++)
			for (int d = 0; d < O.m.ndepths && !ret; d++)
				for (int m = 0; m < BENCH_M_N && !ret; m++) {
					int k = mode_slot(m);

					if (!O.modes[m] || !gs[k] || !gs[k]->g)
						continue;
					host_set(p[k], k == 2 ? ref : NULL);
					ret = run_case(gs[k], (enum bench_mode)m, O.m.algos[a],
						       O.m.sizes[s], O.m.depths[d]);
				}
	for (int k = 0; k < 3; k++) {
		/* The reference host is not polled once its guest leaves (dpdk_host.h). */
		host_set(p[k], NULL);
		guest_down(gs[k]);
		host_set(NULL, NULL);
		vcrypto_poller_destroy(p[k]);
		vcrypto_engine_destroy(e[k]);
	}
	dpdk_host_destroy(ref);
	return ret;
}

/* N guests (ports) on one poller, each at scaling_depth, first size and algo. */
static int run_scaling(void)
{
	struct vcrypto_engine *e = NULL;
	int algo = O.m.algos[0], ret;
	uint32_t size = O.m.sizes[0], depth = O.scaling_depth;
	enum bench_mode m = O.modes[BENCH_M_ZC] && !O.modes[BENCH_M_COPY] ? BENCH_M_ZC :
									    BENCH_M_COPY;

	ret = engine_make("vbs", 0, &e);
	for (int i = 0; i < O.nscaling && !ret; i++) {
		struct vcrypto_poller_opts po = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
		struct bench_result r = {.mode = bench_mode_names[m],
					 .pmd = O.m.pmd,
					 .algo = algo,
					 .size = size,
					 .depth = depth,
					 .guests = O.scaling[i]};
		struct vcrypto_poller *p = NULL;
		uint32_t ng = O.scaling[i];
		uint64_t mem = (uint64_t)depth * 2 * bench_buf_stride(size + 128) + (2u << 20);

		mem = (mem + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
		ret = vcrypto_poller_create(e, &po, &p);
		if (ret)
			break;
		host_set(p, NULL);
		for (uint32_t g = 0; g < ng && !ret; g++) {
			G[g] = calloc(1, sizeof(*G[g]));
			ret = G[g] ? guest_up(G[g], e, p, mem) : -ENOMEM;
			if (!ret && !G[g]->have[algo])
				ret = -ENOTSUP;
			if (!ret) {
				vcrypto_port_set_zero_copy(G[g]->port,
							   m == BENCH_M_ZC ? VCRYPTO_ZERO_COPY_ON :
									     VCRYPTO_ZERO_COPY_OFF);
				ret = guest_prepare(G[g], algo, size, depth);
			}
		}
		if (!ret)
			ret = drive(G, ng, depth, &r, NULL);
		if (!ret) {
			print_result(&r, NULL);
			fprintf(stderr, "      per-guest share x guests: min %.2f max %.2f\n",
				r.share_min, r.share_max);
		}
		for (uint32_t g = 0; g < ng; g++) {
			if (G[g] && G[g]->g)
				guest_bufs_free(G[g]);
			guest_down(G[g]);
			G[g] = NULL;
		}
		host_set(NULL, NULL);
		vcrypto_poller_destroy(p);
	}
	vcrypto_engine_destroy(e);
	return ret;
}

/*
 * Fairness: a light guest (depth 1) and a heavy guest (depth heavy_depth,
 * large requests) on one poller, one queue pair. Per (light size, heavy
 * size), five runs in a row (the repetitions interleave them: run.sh starts
 * one process per repetition):
 *   alone    - the light guest alone (the heavy port attached but idle);
 *   equal    - both, weights 1 and 1;
 *   weight   - both, light weight light_weight, heavy weight 1;
 *   rate     - both, the heavy port limited to rate_frac x the bytes/s it
 *              got in "equal" (vcrypto_port_set_limits rate_bytes);
 *   inflight - both, the heavy port's max_inflight set to heavy_inflight.
 * The guest thread polls the light guest, then the heavy one, in turn; the
 * light guest's latency is taken from its submit to the poll that saw the
 * completion.
 */
enum fair_run {
	FR_ALONE = 0,
	FR_EQUAL = 1,
	FR_WEIGHT = 2,
	FR_RATE = 3,
	FR_INFLIGHT = 4,
	FR_N = 5
};
static const char *const fair_run_names[FR_N] = {"alone", "equal", "weight", "rate", "inflight"};

struct fair_snap {
	uint64_t throttled_ns, requests, notifications;
};

static void fair_snap(struct guest *g, struct fair_snap *s)
{
	struct vcrypto_port_stats st = {.sz = sizeof(st)};

	memset(s, 0, sizeof(*s));
	if (vcrypto_port_stats_get(g->port, &st) == 0) {
		s->throttled_ns = st.throttled_ns;
		s->requests = st.requests;
		s->notifications = st.notifications;
	}
}

static int fair_limits(struct guest *g, uint32_t weight, uint64_t rate_bytes, uint32_t inflight)
{
	struct vcrypto_port_limits l = {.sz = sizeof(l)};
	int ret;

	l.weight = weight;
	l.rate_bytes = rate_bytes;
	l.max_inflight = inflight;
	ret = vcrypto_port_set_limits(g->port, &l);
	if (ret)
		fprintf(stderr, "vhost_bench: set_limits: %s\n", vcrypto_strerror(ret));
	return ret;
}

static int fair_case(struct guest *light, struct guest *heavy, enum bench_mode m, int algo,
		     uint32_t lsize, uint32_t hsize, double *heavy_bps_equal)
{
	uint64_t hz = rte_get_tsc_hz();
	const char *lcheck, *hcheck;
	struct bench_lat lat = {0};
	int ret;

	ret = guest_prepare(light, algo, lsize, 1);
	if (!ret)
		ret = guest_prepare(heavy, algo, hsize, O.heavy_depth);
	if (ret) {
		fprintf(stderr, "vhost_bench: buffers: %s\n", vcrypto_strerror(ret));
		goto out;
	}
	lat.v = malloc(BENCH_LAT_MAX * sizeof(uint64_t));
	if (!lat.v) {
		ret = -ENOMEM;
		goto out;
	}
	/* one request each, checked, before the runs */
	ret = vcrypto_guest_run(light->g, 0, &light->ops[0], 5000);
	lcheck = ret != VCRYPTO_STATUS_OK ? "status" : bench_output_check(light->ops[0].dst, lsize);
	if (ret >= 0)
		ret = vcrypto_guest_run(heavy->g, 0, &heavy->ops[0], 5000);
	hcheck = ret != VCRYPTO_STATUS_OK ? "status" : bench_output_check(heavy->ops[0].dst, hsize);
	if (ret < 0) {
		fprintf(stderr, "vhost_bench: first request: %s\n", vcrypto_strerror(ret));
		goto out;
	}
	light->depth = 1;
	heavy->depth = O.heavy_depth;
	*heavy_bps_equal = 0;
	for (int k = 0; k < FR_N && !ret; k++) {
		struct bench_result r = {.mode = bench_mode_names[m],
					 .pmd = O.m.pmd,
					 .algo = algo,
					 .size = lsize,
					 .depth = 1,
					 .guests = k == FR_ALONE ? 1 : 2};
		struct guest *gs[2] = {light, heavy};
		uint32_t lw = k == FR_WEIGHT ? O.light_weight : 1;
		uint64_t rate = 0;
		struct fair_snap h0, h1;
		double lops, hops, secs, warmup;

		if (!(O.fair_runs & (1u << k)))
			continue;
		if (k == FR_RATE) {
			rate = (uint64_t)(*heavy_bps_equal / 8 * O.rate_frac);
			if (!rate) {
				fprintf(stderr,
					"vhost_bench: rate run skipped: no heavy rate measured\n");
				continue;
			}
		}
		ret = fair_limits(light, lw, 0, 0);
		if (!ret)
			ret = fair_limits(heavy, 1, rate, k == FR_INFLIGHT ? O.heavy_inflight : 0);
		if (ret)
			break;
		lat.n = 0;
		fair_snap(heavy, &h0);
		/*
		 * The heavy port's byte bucket holds 0.1 s at the rate (the default
		 * burst) and the heavy guest asks for twice the rate: it takes
		 * about 0.1 s to empty. Warm up past that.
		 */
		warmup = O.m.warmup;
		if (k == FR_RATE && O.m.warmup < 0.25)
			O.m.warmup = 0.25;
		ret = drive(gs, k == FR_ALONE ? 1 : 2, 0, &r, &lat);
		O.m.warmup = warmup;
		fair_snap(heavy, &h1);
		if (ret)
			break;
		secs = r.secs;
		lops = (double)light->done / secs;
		hops = k == FR_ALONE ? 0 : (double)heavy->done / secs;
		if (k == FR_EQUAL)
			*heavy_bps_equal = hops * hsize * 8;
		r.tsc_hz = (double)hz;
		r.check = lcheck;
		bench_result_json_begin(stdout, &r);
		printf(",\"sessions\":%u,\"layout\":\"%s\"", O.sessions, layout_name(false));
		printf(",\"kind\":\"fairness\",\"run\":\"%s\",\"run_idx\":%d,\"light_size\":%u,"
		       "\"heavy_size\":%u,\"heavy_depth\":%u,\"light_weight\":%u,"
		       "\"heavy_weight\":1,\"heavy_rate_bytes\":%llu,\"heavy_max_inflight\":%u,"
		       "\"light_ops_s\":%.1f,\"light_gbps\":%.4f,\"heavy_ops_s\":%.1f,"
		       "\"heavy_gbps\":%.4f,\"heavy_throttled\":%.3f,\"heavy_check\":\"%s\","
		       "\"light_guest_ns\":%.0f,\"heavy_guest_ns\":%.0f,\"qp_descriptors\":%u,"
		       "\"burst\":%u,\"host_preempt_s\":%.1f,\"guest_preempt_s\":%.1f",
		       fair_run_names[k], k, lsize, hsize, O.heavy_depth, lw,
		       (unsigned long long)rate, k == FR_INFLIGHT ? O.heavy_inflight : 0, lops,
		       lops * lsize * 8 / 1e9, hops, hops * hsize * 8 / 1e9,
		       (double)(h1.throttled_ns - h0.throttled_ns) / (secs * 1e9), hcheck,
		       light->done ? (double)light->busy_cyc * 1e9 / hz / light->done : 0,
		       k != FR_ALONE && heavy->done ?
			       (double)heavy->busy_cyc * 1e9 / hz / heavy->done :
			       0,
		       O.qp_descriptors, O.burst, r.host_preempt / secs, r.guest_preempt / secs);
		bench_lat_json(stdout, &lat, 1e9 / hz);
		bench_lat_tail_json(stdout, &lat, 1e9 / hz);
		fputs("}\n", stdout);
		fflush(stdout);
		fprintf(stderr,
			"fair  %-8s %-11s %-4s light %5u B heavy %5u B x%-3u %-8s light %8.0f ops/s "
			"p50 %7.1f p99 %8.1f p99.9 %8.1f us | heavy %8.0f ops/s %6.3f Gbit/s%s\n",
			O.m.pmd, bench_algo_names[algo], bench_mode_names[m], lsize, hsize,
			O.heavy_depth, fair_run_names[k], lops,
			lat.n ? lat.v[lat.n / 2] * 1e6 / hz : 0,
			lat.n ? lat.v[(uint64_t)lat.n * 99 / 100] * 1e6 / hz : 0,
			lat.n ? lat.v[(uint64_t)lat.n * 999 / 1000] * 1e6 / hz : 0, hops,
			hops * hsize * 8 / 1e9, r.errors ? "  ERRORS" : "");
	}
	if (!ret)
		ret = fair_limits(light, 1, 0, 0);
	if (!ret)
		ret = fair_limits(heavy, 1, 0, 0);
	if (strcmp(lcheck, "ok") || strcmp(hcheck, "ok"))
		fprintf(stderr, "      output check: light %s, heavy %s\n", lcheck, hcheck);
out:
	free(lat.v);
	guest_bufs_free(light);
	guest_bufs_free(heavy);
	return ret;
}

static int run_fairness(void)
{
	struct vcrypto_engine *e = NULL;
	struct vcrypto_poller *p = NULL;
	struct guest *light = NULL, *heavy = NULL;
	enum bench_mode m = O.modes[BENCH_M_ZC] && !O.modes[BENCH_M_COPY] ? BENCH_M_ZC :
									    BENCH_M_COPY;
	uint32_t lmax = 0, hmax = 0;
	uint64_t lmem, hmem;
	int algos[BENCH_NALGOS] = {BENCH_AES_CBC}, nalgos = 1, ret;

	if (O.algo_given) {
		nalgos = O.m.nalgos;
		memcpy(algos, O.m.algos, sizeof(algos));
	}
	for (int i = 0; i < O.nlight; i++)
		lmax = O.light_sizes[i] > lmax ? O.light_sizes[i] : lmax;
	for (int i = 0; i < O.nheavy; i++)
		hmax = O.heavy_sizes[i] > hmax ? O.heavy_sizes[i] : hmax;
	lmem = (2 * (uint64_t)bench_buf_stride(lmax + 128) + (4u << 20) + (1u << 20) - 1) &
	       ~(uint64_t)((1u << 20) - 1);
	hmem = ((uint64_t)O.heavy_depth * 2 * bench_buf_stride(hmax + 128) + (4u << 20) +
		(1u << 20) - 1) &
	       ~(uint64_t)((1u << 20) - 1);
	ret = engine_make("vbf", 0, &e);
	if (!ret) {
		struct vcrypto_poller_opts po = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);

		po.burst = (uint16_t)O.burst;
		ret = vcrypto_poller_create(e, &po, &p);
	}
	if (!ret) {
		host_set(p, NULL);
		light = calloc(1, sizeof(*light));
		heavy = calloc(1, sizeof(*heavy));
		ret = light && heavy ? 0 : -ENOMEM;
	}
	if (!ret)
		ret = guest_up(light, e, p, lmem);
	if (!ret)
		ret = guest_up(heavy, e, p, hmem);
	for (int a = 0; a < nalgos && !ret; a++)
		if (!light->have[algos[a]] || !heavy->have[algos[a]])
			ret = -ENOTSUP;
	if (!ret) {
		vcrypto_port_set_zero_copy(light->port, m == BENCH_M_ZC ? VCRYPTO_ZERO_COPY_ON :
									  VCRYPTO_ZERO_COPY_OFF);
		vcrypto_port_set_zero_copy(heavy->port, m == BENCH_M_ZC ? VCRYPTO_ZERO_COPY_ON :
									  VCRYPTO_ZERO_COPY_OFF);
	}
	for (int a = 0; a < nalgos && !ret; a++)
		for (int l = 0; l < O.nlight && !ret; l++)
			for (int h = 0; h < O.nheavy && !ret; h++) {
				uint32_t hs = O.heavy_sizes[h];
				double bps = 0;

				/*
				 * intel-ipsec-mb: its lengths are 16-bit, 64 KiB
				 * becomes 65520 B; vcrypto runs longer AES-CBC
				 * requests in chunks through CPU crypto
				 */
				if (!strcmp(O.m.pmd, "aesni_mb") && hs > 65520 &&
				    (hs <= 65536 || algos[a] != BENCH_AES_CBC))
					hs = 65520;
				if (O.light_sizes[l] % 16 || hs % 16) {
					fprintf(stderr, "vhost_bench: fairness sizes must be "
							"multiples of 16\n");
					ret = -EINVAL;
					break;
				}
				ret = fair_case(light, heavy, m, algos[a], O.light_sizes[l], hs,
						&bps);
			}
	if (light && light->g)
		guest_bufs_free(light);
	if (heavy && heavy->g)
		guest_bufs_free(heavy);
	guest_down(light);
	guest_down(heavy);
	host_set(NULL, NULL);
	vcrypto_poller_destroy(p);
	vcrypto_engine_destroy(e);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vhost_bench [--pmd openssl|aesni_mb] [--algo LIST] [--sizes LIST] "
		   "[--depth LIST] [--modes copy,zc,null,null-zc,dpdk] [--seconds S] [--warmup S] "
		   "[--scaling 1,4,16,64] [--scaling-depth D] [--fairness [--light-sizes LIST] "
		   "[--heavy-sizes LIST] [--heavy-depth N] [--light-weight W] [--rate-frac F] "
		   "[--heavy-inflight N] [--qp-descriptors N] [--burst N]] [--host-cpu N] "
		   "[--guest-cpu N] [--c2c-wait S] [--sessions N] "
		   "[--fair-runs alone,equal,weight,rate,inflight] [--desc-per-part] [--oop]\n");
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {BENCH_MATRIX_OPTIONS,
					   {"modes", required_argument, NULL, 'm'},
					   {"scaling", required_argument, NULL, 'S'},
					   {"scaling-depth", required_argument, NULL, 'D'},
					   {"host-cpu", required_argument, NULL, 'H'},
					   {"guest-cpu", required_argument, NULL, 'G'},
					   {"fairness", no_argument, NULL, 'F'},
					   {"light-sizes", required_argument, NULL, 'l'},
					   {"heavy-sizes", required_argument, NULL, 'y'},
					   {"heavy-depth", required_argument, NULL, 'Y'},
					   {"light-weight", required_argument, NULL, 'W'},
					   {"rate-frac", required_argument, NULL, 'r'},
					   {"heavy-inflight", required_argument, NULL, 'I'},
					   {"qp-descriptors", required_argument, NULL, 'Q'},
					   {"burst", required_argument, NULL, 'B'},
					   {"c2c-wait", required_argument, NULL, 'C'},
					   {"sessions", required_argument, NULL, 'N'},
					   {"desc-per-part", no_argument, NULL, 'P'},
					   {"oop", no_argument, NULL, 'O'},
					   {"fair-runs", required_argument, NULL, 'R'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	bench_matrix_defaults(&O.m);
	for (int k = 0; k < BENCH_M_N; k++)
		O.modes[k] = true;
	O.nlight = bench_parse_u32_list("64,4k", O.light_sizes, BENCH_MAX_LIST);
	O.nheavy = bench_parse_u32_list("4k,64k", O.heavy_sizes, BENCH_MAX_LIST);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'a')
			O.algo_given = true;
		if (bench_matrix_opt(&O.m, c, optarg))
			continue;
		switch (c) {
		case 'm': {
			char *dup = strdup(optarg), *save = NULL, *tok;

			for (int k = 0; k < BENCH_M_N; k++)
				O.modes[k] = false;
			for (tok = strtok_r(dup, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int k;

				for (k = 0; k < BENCH_M_N && strcmp(tok, bench_mode_names[k]); k++)
					;
				if (k == BENCH_M_N) {
					free(dup);
					usage(stderr);
					return -1;
				}
				O.modes[k] = true;
			}
			free(dup);
			break;
		}
		case 'S':
			O.nscaling = bench_parse_u32_list(optarg, O.scaling, BENCH_MAX_LIST);
			break;
		case 'D':
			O.scaling_depth = (uint32_t)atoi(optarg);
			break;
		case 'H':
			O.host_cpu = atoi(optarg);
			break;
		case 'G':
			O.guest_cpu = atoi(optarg);
			break;
		case 'C':
			O.c2c_wait = atof(optarg);
			break;
		case 'P':
			O.per_part = true;
			break;
		case 'O':
			O.oop = true;
			break;
		case 'N':
			O.sessions = (uint32_t)atoi(optarg);
			if (O.sessions < 1 || O.sessions > MAX_SESSIONS) {
				usage(stderr);
				return -1;
			}
			break;
		case 'F':
			O.fairness = true;
			break;
		case 'l':
			O.nlight = bench_parse_u32_list(optarg, O.light_sizes, BENCH_MAX_LIST);
			break;
		case 'y':
			O.nheavy = bench_parse_u32_list(optarg, O.heavy_sizes, BENCH_MAX_LIST);
			break;
		case 'Y':
			O.heavy_depth = (uint32_t)atoi(optarg);
			break;
		case 'W':
			O.light_weight = (uint32_t)atoi(optarg);
			break;
		case 'R': {
			char *save = NULL, *list = strdup(optarg);

			O.fair_runs = 0;
			for (char *t = list ? strtok_r(list, ",", &save) : NULL; t;
			     t = strtok_r(NULL, ",", &save)) {
				int k = 0;

				while (k < FR_N && strcmp(t, fair_run_names[k]))
					k++;
				if (k == FR_N) {
					fprintf(stderr, "vhost_bench: unknown fairness run %s\n",
						t);
					free(list);
					return -1;
				}
				O.fair_runs |= 1u << k;
			}
			free(list);
			if (!O.fair_runs) {
				usage(stderr);
				return -1;
			}
			break;
		}
		case 'r':
			O.rate_frac = atof(optarg);
			break;
		case 'I':
			O.heavy_inflight = (uint32_t)atoi(optarg);
			break;
		case 'Q':
			O.qp_descriptors = (uint32_t)atoi(optarg);
			break;
		case 'B':
			O.burst = (uint32_t)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!bench_matrix_ok(&O.m) || O.nscaling < 0 || O.scaling_depth == 0 ||
	    O.scaling_depth > MAX_DEPTH || O.nlight <= 0 || O.nheavy <= 0 || O.heavy_depth == 0 ||
	    O.heavy_depth > MAX_DEPTH || O.light_weight == 0 || O.light_weight > 1000 ||
	    O.heavy_inflight == 0 || O.rate_frac <= 0 || O.rate_frac > 1 || O.burst > 1024 ||
	    O.qp_descriptors > 65536) {
		usage(stderr);
		return -1;
	}
	for (int i = 0; i < O.m.ndepths; i++)
		if (O.m.depths[i] > MAX_DEPTH)
			return -1;
	for (int i = 0; i < O.nscaling; i++)
		if (O.scaling[i] > MAX_GUESTS)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[32], lcores[32], refdev[64];
	char *eargv[18];
	int eargc = 0, ret;

	if (parse(argc, argv))
		return 2;
	snprintf(prefix, sizeof(prefix), "vcv%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "0@%d,1@%d", O.guest_cpu, O.host_cpu);
	eargv[eargc++] = argv[0];
	eargv[eargc++] = "--no-huge";
	eargv[eargc++] = "-m";
	eargv[eargc++] = "1024";
	eargv[eargc++] = "--no-pci";
	eargv[eargc++] = "--file-prefix";
	eargv[eargc++] = prefix;
	eargv[eargc++] = "--lcores";
	eargv[eargc++] = lcores;
	eargv[eargc++] = "--log-level";
	eargv[eargc++] = "*:warning";
	if (O.modes[BENCH_M_DPDK] && !O.fairness && !O.nscaling) {
		snprintf(refdev, sizeof(refdev), DPDK_HOST_VDEV_FMT, O.m.pmd);
		eargv[eargc++] = "--vdev";
		eargv[eargc++] = refdev;
	}
	eargv[eargc] = NULL;
	ret = vcrypto_eal_init(eargc, eargv);
	if (ret < 0) {
		fprintf(stderr, "vhost_bench: EAL init failed: %s\n", vcrypto_strerror(ret));
		bench_eal_rundir_remove(prefix);
		return 1;
	}
	if (rte_eal_remote_launch(host_main, NULL, 1) != 0) {
		fprintf(stderr, "vhost_bench: lcore 1 unavailable\n");
		ret = -EBUSY;
	} else {
		ret = O.fairness ? run_fairness() : O.nscaling ? run_scaling() : run_matrix();
		atomic_store(&H.stop, true);
		rte_eal_mp_wait_lcore();
	}
	vcrypto_eal_cleanup();
	bench_eal_rundir_remove(prefix);
	return ret ? 1 : 0;
}
