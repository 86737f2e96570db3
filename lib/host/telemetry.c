/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * DPDK telemetry commands (registered once per process, by the first
 * engine). The callbacks run on DPDK's telemetry thread; they find ports
 * and pollers through the registries (whose locks keep an object alive
 * while it is read) and read counters with the any-thread getters.
 *
 *   /vcrypto/ports            names of all ports
 *   /vcrypto/port,<name>      one port: state, counters, limits
 *   /vcrypto/pollers          ids of all pollers with their main counters
 *   /vcrypto/poller,<id>      one poller's counters
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "host/internal.h"

static const char *state_name(enum vcrypto_port_state s)
{
	switch (s) {
	case VCRYPTO_PORT_WAITING:
		return "waiting";
	case VCRYPTO_PORT_CONNECTED:
		return "connected";
	case VCRYPTO_PORT_READY:
		return "ready";
	case VCRYPTO_PORT_STOPPED:
		return "stopped";
	}
	return "unknown";
}

static void add_name(struct vcrypto_port *port, void *arg)
{
	rte_tel_data_add_array_string(arg, vcrypto_port_name(port));
}

static int cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	vc_port_foreach(add_name, d);
	return 0;
}

struct port_q {
	const char *name;
	struct rte_tel_data *d;
	bool found;
};

static void port_dict(struct vcrypto_port *port, void *arg)
{
	struct port_q *q = arg;
	struct vcrypto_port_stats s = {.sz = sizeof(s)};
	struct vcrypto_port_limits l = {.sz = sizeof(l)};
	struct rte_tel_data *d = q->d;

	if (q->found || strcmp(vcrypto_port_name(port), q->name))
		return;
	q->found = true;
	vcrypto_port_stats_get(port, &s);
	vcrypto_port_get_limits(port, &l);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", vcrypto_port_name(port));
	rte_tel_data_add_dict_string(d, "state", state_name(s.state));
	rte_tel_data_add_dict_u64(d, "requests", s.requests);
	rte_tel_data_add_dict_u64(d, "requests_ok", s.requests_ok);
	rte_tel_data_add_dict_u64(d, "bytes", s.bytes);
	rte_tel_data_add_dict_u64(d, "err_badmsg", s.err_badmsg);
	rte_tel_data_add_dict_u64(d, "err_notsupp", s.err_notsupp);
	rte_tel_data_add_dict_u64(d, "err_invsess", s.err_invsess);
	rte_tel_data_add_dict_u64(d, "err_other", s.err_other);
	rte_tel_data_add_dict_u64(d, "err_ring", s.err_ring);
	rte_tel_data_add_dict_u64(d, "zero_copy_requests", s.zero_copy_requests);
	rte_tel_data_add_dict_u64(d, "notifications", s.notifications);
	rte_tel_data_add_dict_u64(d, "sessions_created", s.sessions_created);
	rte_tel_data_add_dict_u64(d, "sessions_closed", s.sessions_closed);
	rte_tel_data_add_dict_u64(d, "sessions_failed", s.sessions_failed);
	rte_tel_data_add_dict_u64(d, "sessions_active", s.sessions_active);
	rte_tel_data_add_dict_u64(d, "inflight", s.inflight);
	rte_tel_data_add_dict_u64(d, "backlog", s.backlog);
	rte_tel_data_add_dict_u64(d, "connects", s.connects);
	rte_tel_data_add_dict_u64(d, "throttled_rounds", s.throttled_rounds);
	rte_tel_data_add_dict_u64(d, "throttled_ns", s.throttled_ns);
	rte_tel_data_add_dict_u64(d, "general_walks", s.general_walks);
	rte_tel_data_add_dict_u64(d, "rate_ops", l.rate_ops);
	rte_tel_data_add_dict_u64(d, "rate_bytes", l.rate_bytes);
	rte_tel_data_add_dict_u64(d, "burst_ops", l.burst_ops);
	rte_tel_data_add_dict_u64(d, "burst_bytes", l.burst_bytes);
	rte_tel_data_add_dict_u64(d, "max_inflight", l.max_inflight);
	rte_tel_data_add_dict_u64(d, "weight", l.weight);
}

static int cmd_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct port_q q = {.name = params, .d = d};

	(void)cmd;
	if (!params || !*params)
		return -EINVAL;
	vc_port_foreach(port_dict, &q);
	return q.found ? 0 : -ENOENT;
}

static void fill_poller(struct rte_tel_data *d, const struct vcrypto_poller_stats *s)
{
	rte_tel_data_add_dict_u64(d, "rounds", s->rounds);
	rte_tel_data_add_dict_u64(d, "busy_rounds", s->busy_rounds);
	rte_tel_data_add_dict_u64(d, "fetched", s->fetched);
	rte_tel_data_add_dict_u64(d, "enqueued", s->enqueued);
	rte_tel_data_add_dict_u64(d, "enqueue_retries", s->enqueue_retries);
	rte_tel_data_add_dict_u64(d, "dequeued", s->dequeued);
	rte_tel_data_add_dict_u64(d, "completed", s->completed);
	rte_tel_data_add_dict_u64(d, "notifications", s->notifications);
	rte_tel_data_add_dict_u64(d, "ports", s->ports);
	rte_tel_data_add_dict_u64(d, "inflight", s->inflight);
	rte_tel_data_add_dict_u64(d, "backlog", s->backlog);
	rte_tel_data_add_dict_u64(d, "enqueue_chunk", s->enqueue_chunk);
	rte_tel_data_add_dict_u64(d, "cpu_processed", s->cpu_processed);
}

/* /vcrypto/pollers: per poller "<id>": [rounds, busy_rounds, fetched, completed]. */
static void poller_entry(struct vcrypto_poller *p, void *arg)
{
	struct vcrypto_poller_stats s = {.sz = sizeof(s)};
	struct rte_tel_data *a = rte_tel_data_alloc();
	char key[16];

	if (!a)
		return;
	vcrypto_poller_stats_get(p, &s);
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	rte_tel_data_add_array_u64(a, s.rounds);
	rte_tel_data_add_array_u64(a, s.busy_rounds);
	rte_tel_data_add_array_u64(a, s.fetched);
	rte_tel_data_add_array_u64(a, s.completed);
	rte_tel_data_add_array_u64(a, s.ports);
	snprintf(key, sizeof(key), "%u", vc_poller_id(p));
	if (rte_tel_data_add_dict_container(arg, key, a, 0))
		rte_tel_data_free(a);
}

static int cmd_pollers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	vc_poller_foreach(poller_entry, d);
	return 0;
}

struct poller_q {
	unsigned long id;
	struct rte_tel_data *d;
	bool found;
};

static void poller_dict(struct vcrypto_poller *p, void *arg)
{
	struct poller_q *q = arg;
	struct vcrypto_poller_stats s = {.sz = sizeof(s)};

	if (q->found || vc_poller_id(p) != q->id)
		return;
	q->found = true;
	vcrypto_poller_stats_get(p, &s);
	rte_tel_data_start_dict(q->d);
	rte_tel_data_add_dict_u64(q->d, "id", q->id);
	fill_poller(q->d, &s);
}

static int cmd_poller(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct poller_q q = {.d = d};
	char *end;

	(void)cmd;
	if (!params || !*params)
		return -EINVAL;
	q.id = strtoul(params, &end, 10);
	if (*end)
		return -EINVAL;
	vc_poller_foreach(poller_dict, &q);
	return q.found ? 0 : -ENOENT;
}

static void do_register(void)
{
	rte_telemetry_register_cmd("/vcrypto/ports", cmd_ports,
				   "Names of the vcrypto ports. No parameters");
	rte_telemetry_register_cmd(
		"/vcrypto/port", cmd_port,
		"State, counters and limits of a vcrypto port. Parameter: port name");
	rte_telemetry_register_cmd(
		"/vcrypto/pollers", cmd_pollers,
		"vcrypto pollers: id -> [rounds, busy_rounds, fetched, completed, ports]. No parameters");
	rte_telemetry_register_cmd("/vcrypto/poller", cmd_poller,
				   "Counters of a vcrypto poller. Parameter: poller id");
}

void vc_telemetry_register(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, do_register);
}
