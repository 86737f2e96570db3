/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * path_cost: what one request costs the host, without the other core.
 *
 * The guest front end (libvcrypto-guest, over a real vhost-user socket and
 * memfd memory) and the poller run on ONE thread, in turns: submit a burst,
 * poll the host until every request of it is complete, poll the guest. The
 * TSC cycles spent inside vcrypto_poller_poll() divided by the requests are
 * the host path's own cost (parsing, address translation, copies, the
 * cryptodev's enqueue/dequeue and crypto work, completion), free of the
 * cross-core effects and of the other side's speed that the two-core
 * vhost_bench measures. The same loop over the bare cryptodev gives the
 * device's own cost: the difference is what vcrypto adds per request.
 *
 * The best of many short windows is reported, so a machine busy with other
 * work inflates the figures less (a window in which the thread was
 * descheduled is simply not the best).
 *
 * Output: one JSON line per case, e.g.
 *   {"tool":"path_cost","pmd":"aesni_mb","algo":"aes-cbc","mode":"null","size":64,
 *    "burst":32,"host_cyc_op":250.1,"guest_cyc_op":60.2,"bare_cyc_op":0,...}
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "bench_guest.h"

#define PC_MAX_BURST 256

static struct {
	const char *pmd;
	int algos[BENCH_MAX_LIST], nalgos;
	uint32_t sizes[BENCH_MAX_LIST];
	int nsizes;
	const char *modes;
	uint32_t burst;
	unsigned int windows;
	double window_s;
	bool per_part; /* --desc-per-part: a descriptor per part, as VM guests lay requests out */
	bool oop;      /* --oop: out of place, the destinations after the sources */
} O = {.pmd = "aesni_mb",
       .modes = "copy,zc,null,null-zc",
       .burst = 32,
       .windows = 60,
       .window_s = 0.02};

struct pc_host {
	struct vcrypto_engine *e;
	struct vcrypto_port *port;
	struct vcrypto_poller *p;
	struct vcrypto_guest *g;
	char path[108];
};

static int pc_up(struct pc_host *h, bool null_crypto, bool zc)
{
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_port_opts po = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_guest_opts go = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	static unsigned int seq;
	char dev[64];
	int ret;

	snprintf(dev, sizeof(dev), "crypto_%s_pc%u", O.pmd, seq);
	snprintf(h->path, sizeof(h->path), "/tmp/vcpc-%d-%u.sock", (int)getpid(), seq++);
	eo.flags = bench_engine_flags(null_crypto ? VCRYPTO_ENGINE_F_NULL_CRYPTO : 0);
	ret = vcrypto_engine_create(dev, &eo, &h->e);
	if (!ret) {
		po.zero_copy = zc ? VCRYPTO_ZERO_COPY_ON : VCRYPTO_ZERO_COPY_OFF;
		ret = vcrypto_port_create(h->path, h->e, &po, &h->port);
	}
	if (!ret)
		ret = vcrypto_poller_create(h->e, NULL, &h->p);
	if (!ret)
		ret = vcrypto_poller_add_port(h->p, h->port, 0);
	if (!ret) {
		go.queue_size = 256;
		go.mem_size = 64ull << 20;
		go.connect_timeout_ms = 3000;
		go.flags = VCRYPTO_GUEST_F_BUSY_POLL |
			   (O.per_part ? VCRYPTO_GUEST_F_DESC_PER_PART : 0);
		ret = vcrypto_guest_connect(h->path, &go, &h->g);
	}
	if (ret)
		fprintf(stderr, "path_cost: setup on %s: %s\n", dev, vcrypto_strerror(ret));
	return ret;
}

static void pc_down(struct pc_host *h)
{
	vcrypto_guest_destroy(h->g);
	if (h->p && h->port)
		vcrypto_poller_remove_port(h->p, h->port, 0);
	vcrypto_port_destroy(h->port);
	vcrypto_poller_destroy(h->p);
	vcrypto_engine_destroy(h->e);
	memset(h, 0, sizeof(*h));
}

static int pc_session(struct vcrypto_guest *g, int algo, uint64_t *sid)
{
	struct vcrypto_session_params sp = bench_session_params(algo);

	return vcrypto_guest_session_create(g, &sp, sid);
}

/* Run one case; fills host and guest cycles per request (best window). */
static int pc_case(struct pc_host *h, int algo, uint32_t size, double *host_cyc, double *guest_cyc)
{
	struct vcrypto_guest_completion c[PC_MAX_BURST];
	struct vcrypto_guest_op ops[PC_MAX_BURST];
	uint32_t dig = BENCH_DIGEST_LEN(algo);
	size_t stride = bench_buf_stride((size_t)size + dig);
	uint8_t *src = NULL; /* blocks laid out as vhost_bench's and bare's */
	uint64_t hz = rte_get_tsc_hz(), sid;
	int ret = pc_session(h->g, algo, &sid);

	*host_cyc = *guest_cyc = 1e300;
	if (ret)
		return ret;
	ret = vcrypto_guest_buf_alloc(h->g, stride * O.burst * (O.oop ? 2 : 1), (void **)&src);
	/*
	 * In place, as the bare loop's (for GCM the tag follows the ciphertext),
	 * or with --oop each destination (and digest) in a second block.
	 */
	for (uint32_t i = 0; i < O.burst && !ret; i++) {
		uint8_t *b = src + i * stride, *d = O.oop ? b + stride * O.burst : b;

		memset(b, 0x5a, (size_t)size + dig);
		ops[i] = (struct vcrypto_guest_op){.session_id = sid,
						   .user_data = i,
						   .iv = bench_iv,
						   .iv_len = BENCH_IV_LEN(algo),
						   .src = b,
						   .src_len = size,
						   .dst = d,
						   .dst_len = size};
		if (algo == BENCH_AES_GCM)
			ops[i].dst_len = size + dig;
		else if (algo == BENCH_AES_CBC_SHA1)
			ops[i].digest = d + size;
	}
	/* Until the port is ready and the first burst goes through (also a warm-up). */
	for (unsigned int w = 0; !ret && w <= O.windows; w++) {
		uint64_t hc = 0, gc = 0, n = 0, t_end = rte_rdtsc() + (uint64_t)(O.window_s * hz);

		while (!ret && rte_rdtsc() < t_end) {
			uint64_t t0 = rte_rdtsc(), t1;
			int s = vcrypto_guest_submit(h->g, 0, ops, O.burst);
			uint32_t done = 0;

			gc += rte_rdtsc() - t0;
			if (s != (int)O.burst) {
				fprintf(stderr, "path_cost: submit: %d\n", s);
				ret = s < 0 ? s : -EIO;
				break;
			}
			for (uint64_t spins = 0; done < O.burst; spins++) {
				int k;

				t0 = rte_rdtsc();
				vcrypto_poller_poll(h->p);
				t1 = rte_rdtsc();
				hc += t1 - t0;
				k = vcrypto_guest_poll(h->g, 0, c, PC_MAX_BURST);
				gc += rte_rdtsc() - t1;
				for (int j = 0; j < k; j++) {
					if (c[j].status != VCRYPTO_STATUS_OK) {
						fprintf(stderr, "path_cost: status %d\n",
							c[j].status);
						ret = -EIO;
					}
				}
				if (k < 0 || spins > 100000000ull) {
					ret = k < 0 ? k : -ETIMEDOUT;
					break;
				}
				done += (uint32_t)k;
			}
			n += O.burst;
		}
		if (w && n) { /* window 0 is the warm-up */
			if ((double)hc / (double)n < *host_cyc)
				*host_cyc = (double)hc / (double)n;
			if ((double)gc / (double)n < *guest_cyc)
				*guest_cyc = (double)gc / (double)n;
		}
	}
	vcrypto_guest_buf_free(h->g, src);
	vcrypto_guest_session_close(h->g, sid);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: path_cost [--pmd openssl|aesni_mb] [--algo LIST] [--sizes LIST] "
			"[--modes copy,zc,null,null-zc] [--burst N] [--windows N] [--window-ms MS] "
			"[--desc-per-part] [--oop]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"pmd", 1, 0, 'p'},
					   {"algo", 1, 0, 'a'},
					   {"sizes", 1, 0, 's'},
					   {"modes", 1, 0, 'm'},
					   {"burst", 1, 0, 'b'},
					   {"windows", 1, 0, 'w'},
					   {"window-ms", 1, 0, 't'},
					   {"desc-per-part", 0, 0, 'P'},
					   {"oop", 0, 0, 'O'},
					   {"help", 0, 0, 'h'},
					   {0, 0, 0, 0}};
	char pfx[64], *eal[8];
	int opt, ret = 0;

	O.algos[O.nalgos++] = BENCH_AES_CBC;
	O.sizes[O.nsizes++] = 64;
	O.sizes[O.nsizes++] = 4096;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'p':
			O.pmd = optarg;
			break;
		case 'a':
			O.nalgos = bench_parse_algo_list(optarg, O.algos, BENCH_MAX_LIST);
			if (O.nalgos <= 0) {
				fprintf(stderr, "path_cost: bad algorithms %s\n", optarg);
				return 2;
			}
			break;
		case 's':
			O.nsizes = bench_parse_u32_list(optarg, O.sizes, BENCH_MAX_LIST);
			if (O.nsizes <= 0) {
				fprintf(stderr, "path_cost: bad sizes %s\n", optarg);
				return 2;
			}
			break;
		case 'm':
			O.modes = optarg;
			break;
		case 'b':
			O.burst = (uint32_t)atoi(optarg);
			break;
		case 'w':
			O.windows = (unsigned int)atoi(optarg);
			break;
		case 't':
			O.window_s = atof(optarg) / 1000.0;
			break;
		case 'P':
			O.per_part = true;
			break;
		case 'O':
			O.oop = true;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!O.burst || O.burst > PC_MAX_BURST || !O.windows || O.window_s <= 0) {
		usage();
		return 2;
	}
	snprintf(pfx, sizeof(pfx), "--file-prefix=vcpc%d", (int)getpid());
	eal[0] = "path_cost";
	eal[1] = "--no-huge";
	eal[2] = "-m";
	eal[3] = "512";
	eal[4] = "--no-pci";
	eal[5] = pfx;
	eal[6] = "--log-level=4";
	if (vcrypto_eal_init(7, eal) < 0) {
		fprintf(stderr, "path_cost: EAL init failed\n");
		return 77;
	}
	for (int mi = 0; mi < BENCH_M_N; mi++) {
		if (!bench_list_has(O.modes, bench_mode_names[mi]) || mi == BENCH_M_DPDK)
			continue; /* (the reference host is measured by vhost_bench only) */
		for (int ai = 0; ai < O.nalgos; ai++) {
			struct pc_host h = {0};

			if (bench_mode_null(mi) && ai) /* the algorithm does not matter */
				break;
			ret = pc_up(&h, bench_mode_null(mi), bench_mode_zc(mi));
			if (ret) {
				pc_down(&h);
				break;
			}
			for (int si = 0; si < O.nsizes; si++) {
				double hc, gc;

				ret = pc_case(&h, O.algos[ai], O.sizes[si], &hc, &gc);
				if (ret) {
					fprintf(stderr, "path_cost: %s %s %u: %s\n",
						bench_mode_names[mi], bench_algo_names[O.algos[ai]],
						O.sizes[si], vcrypto_strerror(ret));
					continue;
				}
				printf("{\"tool\":\"path_cost\",\"pmd\":\"%s\",\"algo\":\"%s\","
				       "\"mode\":\"%s\",\"size\":%u,\"burst\":%u,"
				       "\"host_cyc_op\":%.1f,\"guest_cyc_op\":%.1f,"
				       "\"host_mops_per_core\":%.2f,\"tsc_hz\":%" PRIu64 ","
				       "\"layout\":\"%s\",\"oop\":%s}\n",
				       O.pmd, bench_algo_names[O.algos[ai]], bench_mode_names[mi],
				       O.sizes[si], O.burst, hc, gc,
				       (double)rte_get_tsc_hz() / hc / 1e6, rte_get_tsc_hz(),
				       O.per_part ? "per-part" : "joined",
				       O.oop ? "true" : "false");
				fflush(stdout);
			}
			pc_down(&h);
		}
	}
	bench_eal_rundir_remove(pfx + strlen("--file-prefix="));
	return ret ? 1 : 0;
}
