/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * vswitch-embed: how a vswitch (OVS-DPDK style) embeds vcrypto.
 *
 * The application owns everything DPDK: it initialises the EAL, creates and
 * configures a crypto_openssl cryptodev with rte_cryptodev_* calls, keeps
 * queue pair 0 for itself and lends queue pair 1 to vcrypto through
 * vcrypto_engine_attach(). Its own poll loop does its (simulated) packet
 * work and calls vcrypto_poller_poll() beside it: vcrypto runs no thread on
 * the data path.
 *
 *   vswitch-embed [EAL options] -- --socket PATH [--duration S] [--burst N]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <vcrypto/host.h>

#define VDEV_NAME "crypto_openssl_vswitch"
#define VSWITCH_QP 0 /* the vswitch's own queue pair */
#define VCRYPTO_QP 1 /* lent to vcrypto */
#define NB_PKTS 32
#define PKT_LEN 256

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The vswitch's own work: "forward" a burst of packets (touch and checksum). */
static uint64_t simulated_packet_work(uint8_t pkts[NB_PKTS][PKT_LEN], uint64_t round)
{
	uint64_t sum = 0;

	for (int i = 0; i < NB_PKTS; i++) {
		pkts[i][0] = (uint8_t)round;
		for (int k = 0; k < PKT_LEN; k += 8)
			sum += pkts[i][k];
	}
	return sum;
}

static int setup_cryptodev(uint8_t *dev_id)
{
	struct rte_cryptodev_config conf = {0};
	struct rte_cryptodev_qp_conf qp = {.nb_descriptors = 2048};
	int id, ret;

	ret = rte_vdev_init(VDEV_NAME, "max_nb_queue_pairs=2");
	if (ret) {
		fprintf(stderr, "vswitch-embed: rte_vdev_init(%s): %s\n", VDEV_NAME,
			strerror(-ret));
		return ret;
	}
	id = rte_cryptodev_get_dev_id(VDEV_NAME);
	if (id < 0) {
		fprintf(stderr, "vswitch-embed: no cryptodev %s\n", VDEV_NAME);
		return -ENODEV;
	}
	conf.socket_id = rte_cryptodev_socket_id((uint8_t)id);
	if (conf.socket_id < 0)
		conf.socket_id = 0;
	conf.nb_queue_pairs = 2;
	ret = rte_cryptodev_configure((uint8_t)id, &conf);
	for (uint16_t q = 0; !ret && q < 2; q++)
		ret = rte_cryptodev_queue_pair_setup((uint8_t)id, q, &qp, conf.socket_id);
	if (!ret)
		ret = rte_cryptodev_start((uint8_t)id);
	if (ret) {
		fprintf(stderr, "vswitch-embed: cryptodev setup: %s\n", strerror(-ret));
		rte_vdev_uninit(VDEV_NAME);
		return ret;
	}
	*dev_id = (uint8_t)id;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vswitch-embed [EAL options] -- --socket PATH [--duration SECONDS] "
		"[--burst N]\n"
		"EAL options for this machine: --no-huge -m 512 --no-pci --file-prefix vswitch -l 0\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"duration", required_argument, NULL, 'd'},
		{"burst", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vcrypto_engine_opts eo = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);
	struct vcrypto_poller_opts po = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
	struct vcrypto_port_opts pto = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct vcrypto_engine *engine = NULL;
	struct vcrypto_poller *poller = NULL;
	struct vcrypto_port *port = NULL;
	static uint8_t pkts[NB_PKTS][PKT_LEN];
	const char *socket_path = NULL;
	double duration = 0, t0, next;
	uint64_t rounds = 0, pkt_work = 0, vc_work = 0, sink = 0;
	uint64_t last_rounds = 0, last_pkts = 0, last_req = 0, last_bytes = 0;
	uint8_t dev_id;
	int ret, opt, status = 1;
	bool cryptodev_up = false;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vswitch-embed: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	optind = 0; /* full getopt re-initialisation after the EAL's own parsing */
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'b':
			po.burst = (uint16_t)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (!socket_path) {
		usage(stderr);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (setup_cryptodev(&dev_id))
		goto out;
	cryptodev_up = true;
	printf("vswitch-embed: cryptodev %s (id %u) started with 2 queue pairs; "
	       "queue pair %d is the vswitch's, %d is lent to vcrypto\n",
	       VDEV_NAME, dev_id, VSWITCH_QP, VCRYPTO_QP);

	eo.first_queue_pair = VCRYPTO_QP;
	eo.nb_queue_pairs = 1;
	ret = vcrypto_engine_attach(dev_id, &eo, &engine);
	if (ret) {
		fprintf(stderr, "vswitch-embed: vcrypto_engine_attach: %s\n",
			vcrypto_strerror(ret));
		goto out;
	}
	po.queue_pair = 0; /* the first (only) queue pair of the engine: device pair 1 */
	ret = vcrypto_poller_create(engine, &po, &poller);
	if (ret) {
		fprintf(stderr, "vswitch-embed: vcrypto_poller_create: %s\n",
			vcrypto_strerror(ret));
		goto out;
	}
	pto.name = "vswitch-port";
	ret = vcrypto_port_create(socket_path, engine, &pto, &port);
	if (!ret)
		ret = vcrypto_poller_add_port(poller, port, 0);
	if (ret) {
		fprintf(stderr, "vswitch-embed: port %s: %s\n", socket_path, vcrypto_strerror(ret));
		goto out;
	}
	printf("vswitch-embed: vhost-user crypto port on %s; polling on lcore %u (no vcrypto "
	       "threads)\n",
	       socket_path, rte_lcore_id());
	fflush(stdout);

	t0 = now_s();
	next = t0 + 1;
	while (!g_stop) {
		double t;

		/* One iteration of the vswitch's loop: its packets, then crypto. */
		sink += simulated_packet_work(pkts, rounds);
		pkt_work += NB_PKTS;
		vc_work += (uint64_t)vcrypto_poller_poll(poller);
		rounds++;
		if (rounds % 256)
			continue;
		t = now_s();
		if (t >= next) {
			struct vcrypto_port_stats ps = {.sz = sizeof(ps)};
			struct vcrypto_poller_stats pls = {.sz = sizeof(pls)};

			vcrypto_port_stats_get(port, &ps);
			vcrypto_poller_stats_get(poller, &pls);
			printf("vswitch-embed: t=%.0f loops/s=%" PRIu64 " pkts/s=%" PRIu64
			       " crypto_req/s=%" PRIu64 " crypto_MB/s=%.1f requests=%" PRIu64
			       " ok=%" PRIu64 " inflight=%u poll_work=%" PRIu64 " sessions=%u\n",
			       t - t0, rounds - last_rounds, pkt_work - last_pkts,
			       ps.requests - last_req, (double)(ps.bytes - last_bytes) / 1e6,
			       ps.requests, ps.requests_ok, pls.inflight, vc_work,
			       ps.sessions_active);
			fflush(stdout);
			last_rounds = rounds;
			last_pkts = pkt_work;
			last_req = ps.requests;
			last_bytes = ps.bytes;
			next += 1;
			if (duration > 0 && t - t0 >= duration)
				break;
		}
	}
	printf("vswitch-embed: stopping after %" PRIu64 " loops (checksum %" PRIx64 ")\n", rounds,
	       sink);
	status = 0;
out:
	vcrypto_port_destroy(port);
	vcrypto_poller_destroy(poller);
	vcrypto_engine_destroy(engine);
	if (cryptodev_up) {
		rte_cryptodev_stop(dev_id);
		rte_cryptodev_close(dev_id);
		rte_vdev_uninit(VDEV_NAME);
	}
	rte_eal_cleanup();
	return status;
}
