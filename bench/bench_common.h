/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Shared by bench/bare_cryptodev.c and bench/vhost_bench.c: the cases
 * (algorithms, keys), option parsing, latency statistics and the JSON line
 * each program prints per measured case (bench/report.py reads them).
 */
#ifndef VCRYPTO_BENCH_COMMON_H
#define VCRYPTO_BENCH_COMMON_H

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum bench_algo {
	BENCH_AES_CBC = 0,	/* AES-128-CBC, 16-byte IV */
	BENCH_AES_CBC_SHA1 = 1, /* AES-128-CBC then HMAC-SHA1 (20-byte digest), encrypt */
	BENCH_AES_GCM = 2,	/* AES-256-GCM, 12-byte IV, 16-byte tag, no AAD */
	BENCH_NALGOS = 3,
};

static const char *const bench_algo_names[BENCH_NALGOS] = {"aes-cbc", "aes-cbc-sha1",
							   "aes-256-gcm"};

#define BENCH_CIPHER_KEY_LEN(a) ((a) == BENCH_AES_GCM ? 32u : 16u)
#define BENCH_IV_LEN(a) ((a) == BENCH_AES_GCM ? 12u : 16u)
#define BENCH_DIGEST_LEN(a) ((a) == BENCH_AES_GCM ? 16u : (a) == BENCH_AES_CBC_SHA1 ? 20u : 0u)
#define BENCH_AUTH_KEY_LEN 20u
#define BENCH_MAX_LIST 16
#define BENCH_LAT_MAX (1u << 21) /* latency samples kept per case */

/*
 * Buffer layout, the same for the bare device and for the guest: request i's
 * buffer lies at base + i * stride, stride = its length rounded up to 64
 * bytes plus a skew (default 192 bytes, three cache lines). Back to back at
 * a power-of-two stride (4 KiB buffers, or page-aligned ones) the buffers a
 * multi-buffer engine works on together fall into the same L1 cache sets:
 * crypto_aesni_mb then runs about 30% slower at 4-16 KiB (path_cost: 1.47k
 * vs 1.03k cycles at 4 KiB). That is the layout's cost, not the path's, so
 * both sides get the same layout; VCRYPTO_BENCH_BUF_SKEW=0 measures the
 * aligned one.
 */
#define BENCH_BUF_SKEW 192u

static inline size_t bench_buf_stride(size_t len)
{
	static long skew = -1;

	if (skew < 0) {
		const char *e = getenv("VCRYPTO_BENCH_BUF_SKEW");

		skew = e ? strtol(e, NULL, 0) : (long)BENCH_BUF_SKEW;
		if (skew < 0 || skew > 65536)
			skew = BENCH_BUF_SKEW;
		skew = (skew + 63) & ~63l;
	}
	return ((len + 63) & ~(size_t)63) + (size_t)skew;
}

static const uint8_t bench_key[32] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
				      0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
				      0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe,
				      0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81};
static const uint8_t bench_auth_key[BENCH_AUTH_KEY_LEN] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
							   0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
							   0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t bench_iv[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static inline int bench_algo_parse(const char *s)
{
	for (int i = 0; i < BENCH_NALGOS; i++)
		if (!strcmp(s, bench_algo_names[i]))
			return i;
	if (!strcmp(s, "cbc"))
		return BENCH_AES_CBC;
	if (!strcmp(s, "chain") || !strcmp(s, "cbc-sha1"))
		return BENCH_AES_CBC_SHA1;
	if (!strcmp(s, "gcm"))
		return BENCH_AES_GCM;
	return -1;
}

/* "64,256,1k,4K,64k" -> numbers; returns the count or -1. */
static inline int bench_parse_u32_list(const char *s, uint32_t *out, int max)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int n = 0;

	if (!dup)
		return -1;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end == 'k' || *end == 'K') {
			v *= 1024;
			end++;
		}
		if (end == tok || *end || v == 0 || v > (1u << 20) || n == max) {
			free(dup);
			return -1;
		}
		out[n++] = (uint32_t)v;
	}
	free(dup);
	return n;
}

static inline int bench_parse_algo_list(const char *s, int *out, int max)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int n = 0;

	if (!dup)
		return -1;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int a = bench_algo_parse(tok);

		if (a < 0 || n == max) {
			free(dup);
			return -1;
		}
		out[n++] = a;
	}
	free(dup);
	return n;
}

/* The vhost modes of vhost_bench and path_cost (--modes). */
enum bench_mode {
	BENCH_M_COPY = 0,    /* VCRYPTO_ZERO_COPY_OFF */
	BENCH_M_ZC = 1,	     /* VCRYPTO_ZERO_COPY_ON */
	BENCH_M_NULL = 2,    /* transport only: sessions on crypto_null, copy */
	BENCH_M_NULL_ZC = 3, /* transport only, zero copy: the path without copies */
	BENCH_M_DPDK = 4,    /* the reference: DPDK's own rte_vhost_crypto host (dpdk_host.h) */
	BENCH_M_N = 5
};
static const char *const bench_mode_names[BENCH_M_N] = {"copy", "zc", "null", "null-zc", "dpdk"};

static inline bool bench_mode_null(int m)
{
	return m == BENCH_M_NULL || m == BENCH_M_NULL_ZC;
}

static inline bool bench_mode_zc(int m)
{
	return m == BENCH_M_ZC || m == BENCH_M_NULL_ZC;
}

/* Whether the comma-separated @list names @item exactly. */
static inline bool bench_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, item, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* The case matrix of bare_cryptodev and vhost_bench, and its options. */
struct bench_matrix {
	const char *pmd; /* "openssl" or "aesni_mb" */
	int algos[BENCH_NALGOS];
	int nalgos;
	uint32_t sizes[BENCH_MAX_LIST];
	int nsizes;
	uint32_t depths[BENCH_MAX_LIST];
	int ndepths;
	double seconds, warmup; /* per case */
};

/* getopt_long entries of the matrix's options (codes p, a, s, d, t, w). */
#define BENCH_MATRIX_OPTIONS                                                                       \
	{"pmd", required_argument, NULL, 'p'}, {"algo", required_argument, NULL, 'a'},             \
		{"sizes", required_argument, NULL, 's'}, {"depth", required_argument, NULL, 'd'},  \
		{"seconds", required_argument, NULL, 't'},                                         \
	{                                                                                          \
		"warmup", required_argument, NULL, 'w'                                             \
	}

/* The default matrix: every algorithm, 64 B to 64 KiB, depths 1 and 32, aesni_mb. */
static inline void bench_matrix_defaults(struct bench_matrix *m)
{
	m->pmd = "aesni_mb";
	m->seconds = 1.0;
	m->warmup = 0.2;
	m->nalgos =
		bench_parse_algo_list("aes-cbc,aes-cbc-sha1,aes-256-gcm", m->algos, BENCH_NALGOS);
	m->nsizes = bench_parse_u32_list("64,256,1k,4k,16k,64k", m->sizes, BENCH_MAX_LIST);
	m->ndepths = bench_parse_u32_list("1,32", m->depths, BENCH_MAX_LIST);
}

/* Take option @c (getopt_long's code) with @arg if it is the matrix's; false if it is not. */
static inline bool bench_matrix_opt(struct bench_matrix *m, int c, const char *arg)
{
	switch (c) {
	case 'p':
		m->pmd = arg;
		return true;
	case 'a':
		m->nalgos = bench_parse_algo_list(arg, m->algos, BENCH_NALGOS);
		return true;
	case 's':
		m->nsizes = bench_parse_u32_list(arg, m->sizes, BENCH_MAX_LIST);
		return true;
	case 'd':
		m->ndepths = bench_parse_u32_list(arg, m->depths, BENCH_MAX_LIST);
		return true;
	case 't':
		m->seconds = atof(arg);
		return true;
	case 'w':
		m->warmup = atof(arg);
		return true;
	default:
		return false;
	}
}

/* Every list parsed and non-empty, times positive, a known device. */
static inline bool bench_matrix_ok(const struct bench_matrix *m)
{
	return m->nalgos > 0 && m->nsizes > 0 && m->ndepths > 0 && m->seconds > 0 &&
	       m->warmup >= 0 && (!strcmp(m->pmd, "openssl") || !strcmp(m->pmd, "aesni_mb"));
}

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bench_clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Latency samples in TSC cycles. */
struct bench_lat {
	uint64_t *v;
	uint32_t n;
};

/*
 * Writes `"lat_p50_ns":..,"lat_p99_ns":..,"lat_p999_ns":..,"lat_max_ns":..,
 * "lat_samples":..,"lat_cdf_ns":[101 values]` (or nothing). Sorts the samples.
 */
static inline void bench_lat_json(FILE *f, struct bench_lat *l, double ns_per_cycle)
{
	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), bench_cmp_u64);
	fprintf(f,
		",\"lat_p50_ns\":%.0f,\"lat_p99_ns\":%.0f,\"lat_p999_ns\":%.0f,\"lat_max_ns\":%.0f,"
		"\"lat_samples\":%u,\"lat_cdf_ns\":[",
		l->v[(uint64_t)l->n * 50 / 100] * ns_per_cycle,
		l->v[(uint64_t)l->n * 99 / 100] * ns_per_cycle,
		l->v[(uint64_t)l->n * 999 / 1000] * ns_per_cycle, l->v[l->n - 1] * ns_per_cycle,
		l->n);
	for (unsigned int p = 0; p <= 100; p++) {
		uint64_t i = (uint64_t)(l->n - 1) * p / 100;

		fprintf(f, "%s%.0f", p ? "," : "", l->v[i] * ns_per_cycle);
	}
	fputc(']', f);
}

/*
 * After bench_lat_json() (sorted samples): `"lat_tail_ns":[[percentile, ns], ...]`
 * at 99.1 .. 99.9 (step 0.1), 99.95, 99.99 and 99.999, for tail plots.
 */
static inline void bench_lat_tail_json(FILE *f, const struct bench_lat *l, double ns_per_cycle)
{
	static const unsigned int ppm[] = {991000, 992000, 993000, 994000, 995000, 996000,
					   997000, 998000, 999000, 999500, 999900, 999990};

	if (!l->n)
		return;
	fputs(",\"lat_tail_ns\":[", f);
	for (unsigned int k = 0; k < sizeof(ppm) / sizeof(ppm[0]); k++)
		fprintf(f, "%s[%.3f,%.0f]", k ? "," : "", ppm[k] / 1e4,
			l->v[(uint64_t)(l->n - 1) * ppm[k] / 1000000] * ns_per_cycle);
	fputc(']', f);
}

/* The common part of a result line: everything but the latency and the end. */
struct bench_result {
	const char *mode; /* "bare", "copy", "zc", "null" */
	const char *pmd;
	int algo;
	uint32_t size, depth, guests;
	uint64_t ops, errors;
	double secs;
	double cyc_total;  /* cycles of the measuring (bare) / host poller core per op */
	double cyc_busy;   /* host: cycles in rounds that did work, per op */
	double host_busy;  /* fraction of the window the host core did work */
	double guest_busy; /* fraction of the window the guest thread did work */
	double share_min;  /* scaling: min and max per-guest share x guests */
	double share_max;
	double zc_frac;	       /* fraction of requests the host processed zero-copy */
	const char *check;     /* sanity check of one output: "ok" or why not */
	double host_cpu;       /* CPU time of the host (bare: the only) thread / window */
	double guest_cpu;      /* CPU time of the guest thread / window */
	double cyc_op_cpu;     /* host thread CPU time per op, in TSC cycles (robust to load) */
	double notify_per_req; /* host -> guest call eventfd signals per request */
	double enq_chunk;      /* the poller's enqueue chunk at the end (vcrypto_poller_stats) */
	double req_round;      /* vhost: requests per host round that did work */
	double tsc_hz;
	double host_preempt;  /* involuntary context switches of the host thread in the window */
	double guest_preempt; /* the same for the guest thread */
	double c2c_cyc;	      /* host <-> guest thread one-way latency, TSC cycles (0: none) */
	double cyc_best;      /* cyc_total of the best short window (bench_windows) */
	double cyc_busy_best; /* cyc_busy of the window with the lowest cyc_busy */
	double cyc_med;	      /* cyc_total, median window */
	double cyc_busy_med;  /* cyc_busy, median window */
};

/*
 * The measured interval cut into windows of BENCH_WINDOW_MS: the best window
 * is what path_cost reports (a shared machine's other work and the VM's
 * scheduling inflate it least), so two-core figures can be set beside it.
 */
#define BENCH_WINDOW_MS 20
#define BENCH_MAX_WINDOWS 4096

struct bench_windows {
	uint64_t t_next, step, t0, done0, busy0;
	unsigned int n;
	double cyc[BENCH_MAX_WINDOWS], busy[BENCH_MAX_WINDOWS];
};

static inline void bench_windows_start(struct bench_windows *w, uint64_t now, uint64_t hz,
				       uint64_t done, uint64_t busy)
{
	w->step = hz * BENCH_WINDOW_MS / 1000;
	w->t_next = now + w->step;
	w->t0 = now;
	w->done0 = done;
	w->busy0 = busy;
	w->n = 0;
}

/* A window ends at @p now with @p done requests and @p busy host cycles so far. */
static inline void bench_windows_mark(struct bench_windows *w, uint64_t now, uint64_t done,
				      uint64_t busy)
{
	if (done > w->done0 && w->n < BENCH_MAX_WINDOWS) {
		w->cyc[w->n] = (double)(now - w->t0) / (double)(done - w->done0);
		w->busy[w->n] = (double)(busy - w->busy0) / (double)(done - w->done0);
		w->n++;
	}
	w->t0 = now;
	w->t_next = now + w->step;
	w->done0 = done;
	w->busy0 = busy;
}

static inline void bench_windows_result(struct bench_windows *w, struct bench_result *r)
{
	if (!w->n)
		return;
	qsort(w->cyc, w->n, sizeof(w->cyc[0]), bench_cmp_double);
	qsort(w->busy, w->n, sizeof(w->busy[0]), bench_cmp_double);
	r->cyc_best = w->cyc[0];
	r->cyc_busy_best = w->busy[0];
	r->cyc_med = w->cyc[w->n / 2];
	r->cyc_busy_med = w->busy[w->n / 2];
}

static inline void bench_result_json_begin(FILE *f, const struct bench_result *r)
{
	double ops_s = r->secs > 0 ? (double)r->ops / r->secs : 0;

	fprintf(f,
		"{\"mode\":\"%s\",\"pmd\":\"%s\",\"algo\":\"%s\",\"size\":%u,\"depth\":%u,"
		"\"guests\":%u,\"ops\":%llu,\"errors\":%llu,\"secs\":%.4f,\"ops_s\":%.1f,"
		"\"gbps\":%.4f,\"cyc_op\":%.1f,\"cyc_op_busy\":%.1f,\"host_busy\":%.3f,"
		"\"guest_busy\":%.3f,\"share_min\":%.3f,\"share_max\":%.3f,\"zc_frac\":%.3f,\"check\":\"%s\",\"host_cpu\":%.3f,\"guest_cpu\":%.3f,\"cyc_op_cpu\":%.1f,\"notify_per_req\":%.3f,\"enq_chunk\":%.0f,\"req_round\":%.1f,\"c2c_cyc\":%.1f,\"tsc_hz\":%.0f,\"cyc_best\":%.1f,\"cyc_busy_best\":%.1f,\"cyc_med\":%.1f,\"cyc_busy_med\":%.1f",
		r->mode, r->pmd, bench_algo_names[r->algo], r->size, r->depth, r->guests,
		(unsigned long long)r->ops, (unsigned long long)r->errors, r->secs, ops_s,
		ops_s * r->size * 8 / 1e9, r->cyc_total, r->cyc_busy, r->host_busy, r->guest_busy,
		r->share_min, r->share_max, r->zc_frac, r->check ? r->check : "none", r->host_cpu,
		r->guest_cpu, r->cyc_op_cpu, r->notify_per_req, r->enq_chunk, r->req_round,
		r->c2c_cyc, r->tsc_hz, r->cyc_best, r->cyc_busy_best, r->cyc_med, r->cyc_busy_med);
}

/* Involuntary context switches of thread @p tid of this process so far (0 if unknown). */
static inline uint64_t bench_nvcsw(int tid)
{
	char path[64], line[128];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nonvoluntary_ctxt_switches: %" SCNu64, &v) == 1)
			break;
	fclose(f);
	return v;
}

static inline int bench_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove EAL's run-time directory of @p prefix (/var/run/dpdk/<prefix>). */
static inline void bench_eal_rundir_remove(const char *prefix)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	nftw(dir, bench_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Whether an output of @p len bytes, computed from a buffer of 0x5a bytes,
 * was written: its first and last 16 bytes must both differ from the input.
 */
static inline const char *bench_output_check(const uint8_t *out, uint32_t len)
{
	static const uint8_t pat[16] = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
					0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};
	uint32_t n = len < 16 ? len : 16;

	if (!memcmp(out, pat, n))
		return "head-unprocessed";
	if (!memcmp(out + len - n, pat, n))
		return "tail-unprocessed";
	return "ok";
}

#endif /* VCRYPTO_BENCH_COMMON_H */
