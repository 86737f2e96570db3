/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * placement_probe: where a VM's two vCPUs are, as the benchmark's two-core
 * cases see them (docs/performance.md, "The nineteenth round").
 *
 * Each sample: the one-way core-to-core latency between a thread on CPU
 * --cpu-a and one on --cpu-b (a cache-line ping-pong, the c2c figure of
 * vhost_bench), then a compute kernel on --cpu-a (xorshift steps and updates
 * of a 16 KiB table of its own) timed with the other CPU idle and with it
 * running the same kernel on its own table, then c2c again. If the kernel
 * slows when the other CPU computes, the two share one physical core's
 * execution units (SMT siblings). A spinning neighbour does not show this: a
 * spin takes little of a core.
 *
 *   placement_probe [--samples N] [--cpu-a A] [--cpu-b B] [--close C]
 *
 * Prints one line per sample (c2c before and after in TSC cycles, kernel
 * cycles idle and busy) and a summary of the samples with both c2c figures
 * under --close (default 100) and of those with both at or over it: the
 * median and range of busy / idle.
 */

#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench_common.h"

#define KERNEL_STEPS 200000u
#define TABLE_WORDS 4096u

enum peer_mode {
	PEER_IDLE,
	PEER_PONG,
	PEER_COMPUTE,
	PEER_EXIT
};

static _Atomic uint64_t ball __attribute__((aligned(64)));
static _Atomic int peer_mode __attribute__((aligned(64)));
static _Atomic uint64_t sink __attribute__((aligned(64)));
static _Atomic int peer_ready; /* 1: pinned and running, -1: could not pin */

static int pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

/* ALU work and L1 loads and stores on the calling thread's own table. */
static uint64_t kernel(uint32_t steps, uint64_t seed)
{
	static _Thread_local uint32_t tab[TABLE_WORDS];
	uint64_t x = seed | 1, acc = 0;

	for (uint32_t i = 0; i < steps; i++) {
		uint32_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (uint32_t)x & (TABLE_WORDS - 1);
		tab[k] += (uint32_t)(x >> 32);
		acc += tab[(k * 7) & (TABLE_WORDS - 1)] ^ (acc >> 3);
	}
	return acc;
}

static void *peer(void *arg)
{
	if (pin(*(const int *)arg)) {
		atomic_store(&peer_ready, -1);
		return NULL;
	}
	atomic_store(&peer_ready, 1);
	for (;;) {
		switch (atomic_load(&peer_mode)) {
		case PEER_EXIT:
			return NULL;
		case PEER_IDLE:
			usleep(200);
			break;
		case PEER_PONG: {
			uint64_t v = atomic_load(&ball);

			if (v & 1)
				atomic_store(&ball, v + 1);
			break;
		}
		default:
			atomic_fetch_add(&sink, kernel(KERNEL_STEPS / 10, 7));
			break;
		}
	}
}

/* One-way latency in TSC cycles: the best of 5 runs of 500 round trips. */
static uint64_t c2c(void)
{
	uint64_t best = UINT64_MAX;

	atomic_store(&ball, 0);
	atomic_store(&peer_mode, PEER_PONG);
	for (int r = 0; r < 5; r++) {
		uint64_t t0 = __rdtsc(), d;

		for (int i = 0; i < 500; i++) {
			uint64_t v = atomic_load(&ball);

			atomic_store(&ball, v + 1);
			while (atomic_load(&ball) == v + 1)
				;
		}
		d = (__rdtsc() - t0) / 1000;
		best = d < best ? d : best;
	}
	atomic_store(&peer_mode, PEER_IDLE);
	return best;
}

/* The kernel's TSC cycles, the best of three. */
static uint64_t timed(void)
{
	uint64_t best = UINT64_MAX;

	for (int r = 0; r < 3; r++) {
		uint64_t t0 = __rdtsc(), d;

		atomic_fetch_add(&sink, kernel(KERNEL_STEPS, 3));
		d = __rdtsc() - t0;
		best = d < best ? d : best;
	}
	return best;
}

static void summary(const char *what, double *v, unsigned int n)
{
	if (!n) {
		printf("%s: no samples\n", what);
		return;
	}
	qsort(v, n, sizeof(*v), bench_cmp_double);
	printf("%s: %u samples, kernel beside a busy CPU / beside an idle one: median %.2f, "
	       "%.2f-%.2f\n",
	       what, n, v[n / 2], v[0], v[n - 1]);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"samples", 1, 0, 's'},
					   {"cpu-a", 1, 0, 'a'},
					   {"cpu-b", 1, 0, 'b'},
					   {"close", 1, 0, 'c'},
					   {0, 0, 0, 0}};
	unsigned int samples = 1500, nclose = 0, napart = 0;
	int cpu_a = 1, cpu_b = 0, c;
	uint64_t close_c2c = 100;
	double *rclose, *rapart;
	pthread_t t;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			samples = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'a':
			cpu_a = atoi(optarg);
			break;
		case 'b':
			cpu_b = atoi(optarg);
			break;
		case 'c':
			close_c2c = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: placement_probe [--samples N] [--cpu-a A] "
					"[--cpu-b B] [--close C]\n");
			return 2;
		}
	}
	rclose = calloc(samples ? samples : 1, sizeof(*rclose));
	rapart = calloc(samples ? samples : 1, sizeof(*rapart));
	if (!rclose || !rapart || pin(cpu_a) || pthread_create(&t, NULL, peer, &cpu_b)) {
		fprintf(stderr, "placement_probe: cannot set up CPUs %d and %d\n", cpu_a, cpu_b);
		free(rclose);
		free(rapart);
		return 1;
	}
	while (!atomic_load(&peer_ready))
		usleep(100);
	if (atomic_load(&peer_ready) < 0) {
		fprintf(stderr, "placement_probe: cannot run on CPU %d\n", cpu_b);
		pthread_join(t, NULL);
		free(rclose);
		free(rapart);
		return 1;
	}
	printf("# c2c_before c2c_after kernel_idle kernel_busy (TSC cycles)\n");
	for (unsigned int i = 0; i < samples; i++) {
		uint64_t c1 = c2c(), c2, idle, busy;

		usleep(1000);
		idle = timed();
		atomic_store(&peer_mode, PEER_COMPUTE);
		usleep(300);
		busy = timed();
		atomic_store(&peer_mode, PEER_IDLE);
		c2 = c2c();
		printf("%llu %llu %llu %llu\n", (unsigned long long)c1, (unsigned long long)c2,
		       (unsigned long long)idle, (unsigned long long)busy);
		if (c1 < close_c2c && c2 < close_c2c)
			rclose[nclose++] = (double)busy / (double)idle;
		else if (c1 >= close_c2c && c2 >= close_c2c)
			rapart[napart++] = (double)busy / (double)idle;
		usleep(50000);
	}
	atomic_store(&peer_mode, PEER_EXIT);
	pthread_join(t, NULL);
	printf("# close: c2c under %llu cycles before and after; apart: at or over it\n",
	       (unsigned long long)close_c2c);
	summary("close", rclose, nclose);
	summary("apart", rapart, napart);
	free(rclose);
	free(rapart);
	return 0;
}
