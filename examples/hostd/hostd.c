/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * vcrypto-hostd: share a host's DPDK cryptodevs with VMs and containers.
 *
 *   vcrypto-hostd [EAL options] -- --config FILE [--control PATH] [--stats-interval N]
 *   vcrypto-hostd [EAL options] -- --device DEV --socket PATH [--socket PATH...]
 *   vcrypto-hostd --ctl PATH COMMAND [ARGS...]
 *
 * Pollers run on the EAL's worker lcores; pollers without a worker lcore are
 * polled by the main thread (control work then moves to its own thread).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include <vcrypto/host.h>

#include "hostd_config.h"

#define MAX_CLIENTS 8
#define CLIENT_BUF 4096

struct hd_engine {
	struct vcrypto_engine *e;
	const struct hostd_engine_cfg *cfg;
	unsigned int rr; /* round-robin cursor over its pollers */
};

struct hd_poller {
	struct vcrypto_poller *p;
	const struct hostd_poller_cfg *cfg;
	int engine;
	int lcore; /* -1: polled by the main thread */
	bool launched;
};

struct hd_port {
	bool used;
	struct vcrypto_port *port;
	struct hostd_port_cfg cfg;
	int engine;
	int poller_of_queue[HOSTD_MAX_QUEUES];
	uint64_t prev_requests, prev_bytes;
	double prev_time;
};

struct hd_client {
	int fd;
	size_t len;
	char buf[CLIENT_BUF];
};

static struct {
	struct hostd_config cfg;
	struct hd_engine engines[HOSTD_MAX_ENGINES];
	struct hd_poller pollers[HOSTD_MAX_POLLERS];
	struct hd_port *ports; /* HOSTD_MAX_PORTS */
	unsigned int nb_main_pollers;
	int ctl_fd;
	struct hd_client clients[MAX_CLIENTS];
	atomic_bool poll_stop;
} g = {.ctl_fd = -1};

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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  vcrypto-hostd [EAL options] -- --config FILE [options]\n"
		"  vcrypto-hostd [EAL options] -- --device DEV --socket PATH [--socket PATH]... "
		"[options]\n"
		"  vcrypto-hostd --ctl PATH COMMAND [ARGS...]\n"
		"\n"
		"Options (after --):\n"
		"  --config FILE          configuration file (see vcrypto-hostd.conf)\n"
		"  --device DEV           cryptodev for an engine called 'default'\n"
		"                         (e.g. crypto_openssl, crypto_aesni_mb0)\n"
		"  --socket PATH          a port (vhost-user server socket) on that engine;\n"
		"                         repeat for more ports: port0, port1, ...\n"
		"  --port-opt KEY=VALUE   set a [port] key for every --socket port\n"
		"                         (queues=2, zero_copy=auto, perms=0660, ...)\n"
		"  --control PATH         control socket (add-port, remove-port, stats)\n"
		"  --stats-interval N     print per-port statistics every N seconds\n"
		"  --log-level LEVEL      err, warning, notice, info, debug\n"
		"  --idle-sleep-us N      main-thread polling: sleep N us when idle (default 0)\n"
		"  --check                parse and check the configuration, then exit\n"
		"  --help                 this text\n"
		"\n"
		"Control commands (over --control, or with --ctl PATH):\n"
		"  add-port NAME socket=PATH [KEY=VALUE]...\n"
		"  remove-port NAME\n"
		"  set-limits NAME KEY=VALUE...  (rate_ops rate_bytes burst_ops burst_bytes weight\n"
		"                                 max_inflight)\n"
		"  stats [NAME]\n"
		"  pollers\n"
		"  shutdown\n"
		"\n"
		"EAL options for a machine without hugepages:\n"
		"  --no-huge -m 1024 --no-pci --file-prefix vcrypto --vdev crypto_openssl\n");
}

/* ------------------------------------------------------------------ */
/* --ctl client                                                        */

static int ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[CLIENT_BUF], last[CLIENT_BUF] = "", buf[4096];
	size_t len = 0, llen = 0;
	ssize_t n;
	int fd;

	if (argc < 1) {
		fprintf(stderr, "vcrypto-hostd --ctl: missing command\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - len - 1) {
			fprintf(stderr, "vcrypto-hostd --ctl: command too long\n");
			return 2;
		}
		len += (size_t)w;
	}
	line[len++] = '\n';
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vcrypto-hostd --ctl: path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "vcrypto-hostd --ctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	if (write(fd, line, len) != (ssize_t)len) {
		fprintf(stderr, "vcrypto-hostd --ctl: write: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				last[llen] = '\0';
				if (llen)
					memcpy(line, last, llen + 1);
				llen = 0;
			} else if (llen < sizeof(last) - 1) {
				last[llen++] = buf[i];
			}
		}
	}
	close(fd);
	return strcmp(line, "ok") ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* ports                                                               */

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
	return "?";
}

static struct hd_port *find_port(const char *name)
{
	for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++)
		if (g.ports[i].used && !strcmp(g.ports[i].cfg.name, name))
			return &g.ports[i];
	return NULL;
}

static void port_down(struct hd_port *hp)
{
	vcrypto_port_destroy(hp->port); /* detaches, completes in-flight requests */
	hp->port = NULL;
	hp->used = false;
}

static int port_up(const struct hostd_port_cfg *pc, char *err, size_t errlen)
{
	struct vcrypto_port_opts o = VCRYPTO_OPTS_INIT(vcrypto_port_opts);
	struct hd_port *hp = NULL;
	int eng, ret;

	if (find_port(pc->name))
		return snprintf(err, errlen, "port '%s' exists", pc->name), -EEXIST;
	for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++) {
		if (g.ports[i].used && !strcmp(g.ports[i].cfg.socket, pc->socket))
			return snprintf(err, errlen, "socket '%s' is used by port '%s'", pc->socket,
					g.ports[i].cfg.name),
			       -EEXIST;
		if (!g.ports[i].used && !hp)
			hp = &g.ports[i];
	}
	if (!hp)
		return snprintf(err, errlen, "too many ports"), -ENOSPC;
	eng = hostd_config_find_engine(&g.cfg, pc->engine);
	if (eng < 0)
		return snprintf(err, errlen, "unknown engine '%s'", pc->engine), -EINVAL;

	memset(hp, 0, sizeof(*hp));
	hp->cfg = *pc;
	hp->engine = eng;
	o.name = hp->cfg.name;
	o.mode = pc->mode;
	o.socket_perms = pc->perms;
	o.socket_group = pc->group[0] ? hp->cfg.group : NULL;
	o.num_queues = pc->queues ? pc->queues : 1;
	o.session_layout = pc->session_layout;
	o.zero_copy = pc->zero_copy;
	o.zc_after_requests = pc->zc_after_requests;
	o.zc_after_ms = pc->zc_after_ms;
	o.max_sessions = pc->max_sessions;
	o.max_inflight = pc->max_inflight;
	o.max_request_len = pc->max_request_len;
	o.max_chain_descs = pc->max_chain_descs;
	o.rate_ops = pc->limits.rate_ops;
	o.rate_bytes = pc->limits.rate_bytes;
	o.burst_ops = pc->limits.burst_ops;
	o.burst_bytes = pc->limits.burst_bytes;
	o.weight = pc->limits.weight;
	ret = vcrypto_port_create(pc->socket, g.engines[eng].e, &o, &hp->port);
	if (ret) {
		snprintf(err, errlen, "port '%s': cannot create %s: %s", pc->name, pc->socket,
			 vcrypto_strerror(ret));
		return ret;
	}
	hp->used = true;
	for (uint16_t q = 0; q < o.num_queues; q++) {
		int pi = -1;

		if (pc->nb_pollers) {
			pi = hostd_config_find_poller(&g.cfg, pc->pollers[q % pc->nb_pollers]);
		} else {
			/* Spread queues over the engine's pollers. */
			for (unsigned int k = 0; k < g.cfg.nb_pollers && pi < 0; k++) {
				unsigned int c = (g.engines[eng].rr + k) % g.cfg.nb_pollers;

				if (g.pollers[c].engine == eng) {
					pi = (int)c;
					g.engines[eng].rr = c + 1;
				}
			}
		}
		if (pi < 0) {
			snprintf(err, errlen, "port '%s': no poller for queue %u", pc->name, q);
			port_down(hp);
			return -EINVAL;
		}
		ret = vcrypto_poller_add_port(g.pollers[pi].p, hp->port, q);
		if (ret) {
			snprintf(err, errlen, "port '%s': poller '%s' cannot serve queue %u: %s",
				 pc->name, g.pollers[pi].cfg->name, q, vcrypto_strerror(ret));
			port_down(hp);
			return ret;
		}
		hp->poller_of_queue[q] = pi;
	}
	hp->prev_time = now_s();
	printf("vcrypto-hostd: port %s: %s %s, %u queue(s), engine %s, zero_copy %s\n", pc->name,
	       pc->mode == VCRYPTO_PORT_SERVER ? "listening on" : "connecting to", pc->socket,
	       o.num_queues, pc->engine, hostd_zero_copy_name(pc->zero_copy));
	fflush(stdout);
	return 0;
}

/* JSON string contents: escape quotes, backslashes and control characters. */
static const char *json_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 7 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

static int port_json(const struct hd_port *hp, char *out, size_t len)
{
	struct vcrypto_port_stats s = {.sz = sizeof(s)};
	struct vcrypto_port_limits l = {.sz = sizeof(l)};
	int ret = vcrypto_port_stats_get(hp->port, &s);
	char sock[HOSTD_PATH_MAX * 6 + 8];

	if (!ret)
		ret = vcrypto_port_get_limits(hp->port, &l);
	if (ret)
		return snprintf(out, len, "{\"name\":\"%s\",\"error\":\"%s\"}", hp->cfg.name,
				vcrypto_strerror(ret));
	return snprintf(out, len,
			"{\"name\":\"%s\",\"socket\":\"%s\",\"state\":\"%s\",\"connects\":%u,"
			"\"requests\":%" PRIu64 ",\"requests_ok\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"err_badmsg\":%" PRIu64 ",\"err_notsupp\":%" PRIu64
			",\"err_invsess\":%" PRIu64 ",\"err_other\":%" PRIu64
			",\"err_ring\":%" PRIu64 ",\"zero_copy_requests\":%" PRIu64
			",\"notifications\":%" PRIu64 ",\"sessions_active\":%u,"
			"\"sessions_created\":%" PRIu64 ",\"sessions_failed\":%" PRIu64
			",\"inflight\":%u,\"backlog\":%u,\"throttled_rounds\":%" PRIu64
			",\"throttled_ns\":%" PRIu64 ",\"rate_ops\":%" PRIu64
			",\"rate_bytes\":%" PRIu64 ",\"burst_ops\":%" PRIu64
			",\"burst_bytes\":%" PRIu64 ",\"max_inflight\":%u,\"weight\":%u"
			",\"general_walks\":%" PRIu64 "}",
			hp->cfg.name, json_escape(hp->cfg.socket, sock, sizeof(sock)),
			state_name(s.state), s.connects, s.requests, s.requests_ok, s.bytes,
			s.err_badmsg, s.err_notsupp, s.err_invsess, s.err_other, s.err_ring,
			s.zero_copy_requests, s.notifications, s.sessions_active,
			s.sessions_created, s.sessions_failed, s.inflight, s.backlog,
			s.throttled_rounds, s.throttled_ns, l.rate_ops, l.rate_bytes, l.burst_ops,
			l.burst_bytes, l.max_inflight, l.weight, s.general_walks);
}

static void print_stats(void)
{
	double t = now_s();

	for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++) {
		struct hd_port *hp = &g.ports[i];
		struct vcrypto_port_stats s = {.sz = sizeof(s)};
		double dt;

		if (!hp->used || vcrypto_port_stats_get(hp->port, &s))
			continue;
		dt = t - hp->prev_time;
		if (dt <= 0)
			dt = 1;
		printf("stats: port=%s state=%s requests=%" PRIu64 " ok=%" PRIu64 " errors=%" PRIu64
		       " bytes=%" PRIu64 " ops/s=%.0f Gbps=%.3f inflight=%u "
		       "backlog=%u sessions=%u zc=%" PRIu64 " general_walks=%" PRIu64 "\n",
		       hp->cfg.name, state_name(s.state), s.requests, s.requests_ok,
		       s.requests - s.requests_ok, s.bytes,
		       (double)(s.requests - hp->prev_requests) / dt,
		       (double)(s.bytes - hp->prev_bytes) * 8 / dt / 1e9, s.inflight, s.backlog,
		       s.sessions_active, s.zero_copy_requests, s.general_walks);
		hp->prev_requests = s.requests;
		hp->prev_bytes = s.bytes;
		hp->prev_time = t;
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* control socket                                                      */

static int ctl_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 8)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static void reply(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void replyf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void replyf(int fd, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	reply(fd, buf);
}

static void ctl_command(int fd, char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " \t\r", &save);
	char err[512], js[2048];

	if (!cmd) {
		reply(fd, "error: empty command\n");
		return;
	}
	if (!strcmp(cmd, "add-port")) {
		struct hostd_port_cfg pc;
		char *name = strtok_r(NULL, " \t\r", &save), *kv;

		if (!name) {
			reply(fd, "error: usage: add-port NAME socket=PATH [KEY=VALUE]...\n");
			return;
		}
		if (strlen(name) >= HOSTD_NAME_MAX) {
			reply(fd, "error: name too long\n");
			return;
		}
		hostd_port_cfg_init(&pc, name);
		while ((kv = strtok_r(NULL, " \t\r", &save))) {
			char *eq = strchr(kv, '=');

			if (!eq || eq == kv || !eq[1]) {
				replyf(fd, "error: expected KEY=VALUE, got '%s'\n", kv);
				return;
			}
			*eq = '\0';
			if (hostd_port_cfg_set(&pc, kv, eq + 1, err, sizeof(err))) {
				replyf(fd, "error: %s\n", err);
				return;
			}
		}
		if (hostd_port_cfg_check(&g.cfg, &pc, err, sizeof(err)) ||
		    port_up(&pc, err, sizeof(err))) {
			replyf(fd, "error: %s\n", err);
			return;
		}
		reply(fd, "ok\n");
	} else if (!strcmp(cmd, "remove-port")) {
		char *name = strtok_r(NULL, " \t\r", &save);
		struct hd_port *hp = name ? find_port(name) : NULL;

		if (!name) {
			reply(fd, "error: usage: remove-port NAME\n");
			return;
		}
		if (!hp) {
			replyf(fd, "error: no port '%s'\n", name);
			return;
		}
		port_down(hp);
		printf("vcrypto-hostd: port %s removed\n", name);
		fflush(stdout);
		reply(fd, "ok\n");
	} else if (!strcmp(cmd, "set-limits")) {
		struct vcrypto_port_limits l = {.sz = sizeof(l)};
		char *name = strtok_r(NULL, " \t\r", &save), *kv;
		struct hd_port *hp = name ? find_port(name) : NULL;
		bool rate_ops = false, burst_ops = false, rate_bytes = false, burst_bytes = false;
		int ret;

		if (!name) {
			reply(fd, "error: usage: set-limits NAME KEY=VALUE...\n");
			return;
		}
		if (!hp) {
			replyf(fd, "error: no port '%s'\n", name);
			return;
		}
		/* Keys not given keep their values (a new rate without a burst: default burst). */
		vcrypto_port_get_limits(hp->port, &l);
		while ((kv = strtok_r(NULL, " \t\r", &save))) {
			char *eq = strchr(kv, '=');

			if (!eq || eq == kv || !eq[1]) {
				replyf(fd, "error: expected KEY=VALUE, got '%s'\n", kv);
				return;
			}
			*eq = '\0';
			if (hostd_limits_set(&l, kv, eq + 1, err, sizeof(err))) {
				replyf(fd, "error: %s\n", err);
				return;
			}
			rate_ops |= !strcmp(kv, "rate_ops");
			burst_ops |= !strcmp(kv, "burst_ops");
			rate_bytes |= !strcmp(kv, "rate_bytes");
			burst_bytes |= !strcmp(kv, "burst_bytes");
		}
		if (rate_ops && !burst_ops)
			l.burst_ops = 0;
		if (rate_bytes && !burst_bytes)
			l.burst_bytes = 0;
		ret = vcrypto_port_set_limits(hp->port, &l);
		if (ret) {
			replyf(fd, "error: port '%s': %s\n", name, vcrypto_strerror(ret));
			return;
		}
		hp->cfg.limits = l;
		printf("vcrypto-hostd: port %s: limits rate_ops=%" PRIu64 " rate_bytes=%" PRIu64
		       " burst_ops=%" PRIu64 " burst_bytes=%" PRIu64 " max_inflight=%u weight=%u\n",
		       name, l.rate_ops, l.rate_bytes, l.burst_ops, l.burst_bytes, l.max_inflight,
		       l.weight ? l.weight : 1);
		fflush(stdout);
		reply(fd, "ok\n");
	} else if (!strcmp(cmd, "stats")) {
		char *name = strtok_r(NULL, " \t\r", &save);
		bool any = false;

		for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++) {
			if (!g.ports[i].used || (name && strcmp(name, g.ports[i].cfg.name)))
				continue;
			port_json(&g.ports[i], js, sizeof(js));
			replyf(fd, "%s\n", js);
			any = true;
		}
		if (name && !any)
			replyf(fd, "error: no port '%s'\n", name);
		else
			reply(fd, "ok\n");
	} else if (!strcmp(cmd, "pollers")) {
		for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
			struct vcrypto_poller_stats s = {.sz = sizeof(s)};

			if (vcrypto_poller_stats_get(g.pollers[i].p, &s))
				continue;
			replyf(fd,
			       "{\"name\":\"%s\",\"engine\":\"%s\",\"lcore\":%d,\"queue_pair\":%d,"
			       "\"rounds\":%" PRIu64 ",\"busy_rounds\":%" PRIu64
			       ",\"fetched\":%" PRIu64 ",\"completed\":%" PRIu64
			       ",\"enqueue_retries\":%" PRIu64 ",\"ports\":%u,\"inflight\":%u}\n",
			       g.pollers[i].cfg->name, g.pollers[i].cfg->engine, g.pollers[i].lcore,
			       g.pollers[i].cfg->queue_pair, s.rounds, s.busy_rounds, s.fetched,
			       s.completed, s.enqueue_retries, s.ports, s.inflight);
		}
		reply(fd, "ok\n");
	} else if (!strcmp(cmd, "shutdown")) {
		g_stop = 1;
		reply(fd, "ok\n");
	} else if (!strcmp(cmd, "help")) {
		reply(fd, "add-port NAME socket=PATH [KEY=VALUE]...\nremove-port NAME\n"
			  "set-limits NAME KEY=VALUE...\nstats [NAME]\npollers\nshutdown\nok\n");
	} else {
		replyf(fd, "error: unknown command '%s' (try help)\n", cmd);
	}
}

static void client_close(struct hd_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void client_input(struct hd_client *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF: a last line without newline still counts. */
		if (c->len) {
			c->buf[c->len] = '\0';
			ctl_command(c->fd, c->buf);
		}
		client_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		*nl = '\0';
		ctl_command(c->fd, c->buf);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		reply(c->fd, "error: line too long\n");
		client_close(c);
	}
}

/* ------------------------------------------------------------------ */
/* control loop: control socket, periodic stats, signals               */

static void control_loop(void)
{
	double next_stats = now_s() + g.cfg.daemon.stats_interval;

	while (!g_stop) {
		struct pollfd pfd[1 + MAX_CLIENTS];
		int n = 0;

		if (g.ctl_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = g.ctl_fd, .events = POLLIN};
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (g.clients[i].fd >= 0)
				pfd[n++] = (struct pollfd){.fd = g.clients[i].fd, .events = POLLIN};
		if (poll(pfd, (nfds_t)n, 100) > 0) {
			for (int k = 0; k < n; k++) {
				if (!pfd[k].revents)
					continue;
				if (pfd[k].fd == g.ctl_fd) {
					int cfd = accept4(g.ctl_fd, NULL, NULL, SOCK_CLOEXEC);
					int slot = -1;

					if (cfd < 0)
						continue;
					for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
						if (g.clients[i].fd < 0)
							slot = i;
					if (slot < 0) {
						reply(cfd, "error: too many control clients\n");
						close(cfd);
						continue;
					}
					g.clients[slot].fd = cfd;
					g.clients[slot].len = 0;
					continue;
				}
				for (int i = 0; i < MAX_CLIENTS; i++)
					if (g.clients[i].fd == pfd[k].fd)
						client_input(&g.clients[i]);
			}
		}
		if (g.cfg.daemon.stats_interval && now_s() >= next_stats) {
			print_stats();
			next_stats += g.cfg.daemon.stats_interval;
		}
	}
}

/* Stop accepting control commands, then destroy every port: each destroy
 * detaches the port from its pollers and completes its in-flight requests. */
static void shutdown_ports(void)
{
	unsigned int n = 0;

	if (g.ctl_fd >= 0) {
		close(g.ctl_fd);
		g.ctl_fd = -1;
		unlink(g.cfg.daemon.control);
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (g.clients[i].fd >= 0)
			client_close(&g.clients[i]);
	if (g.cfg.daemon.stats_interval)
		print_stats();
	for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++) {
		if (g.ports[i].used) {
			port_down(&g.ports[i]);
			n++;
		}
	}
	printf("vcrypto-hostd: %u port(s) closed\n", n);
	fflush(stdout);
}

static void *control_thread(void *arg)
{
	(void)arg;
	control_loop();
	shutdown_ports();
	atomic_store(&g.poll_stop, true);
	return NULL;
}

static void main_thread_poll(void)
{
	unsigned int idle = 0;

	while (!atomic_load_explicit(&g.poll_stop, memory_order_relaxed)) {
		int work = 0;

		for (unsigned int i = 0; i < g.cfg.nb_pollers; i++)
			if (g.pollers[i].lcore < 0)
				work += vcrypto_poller_poll(g.pollers[i].p);
		if (work > 0) {
			idle = 0;
		} else if (g.cfg.daemon.idle_sleep_us && ++idle > 1024) {
			usleep(g.cfg.daemon.idle_sleep_us);
		}
	}
}

/* ------------------------------------------------------------------ */
/* setup                                                               */

static int add_text(char **text, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add_text(char **text, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	char *t = realloc(*text, *len + (size_t)n + 1);

	if (!t) {
		free(s);
		return -ENOMEM;
	}
	memcpy(t + *len, s, (size_t)n + 1);
	*len += (size_t)n;
	*text = t;
	free(s);
	return 0;
}

struct cli {
	const char *config;
	const char *device;
	const char *sockets[64];
	unsigned int nb_sockets;
	const char *port_opts[64];
	unsigned int nb_port_opts;
	const char *control;
	long stats_interval;
	long idle_sleep_us;
	const char *log_level;
	bool check;
};

/* Not getopt: its hidden state would confuse rte_eal_init()'s own getopt run. */
static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const char *const with_arg[] = {"config",    "device",	    "socket",
					       "port-opt",  "control",	    "stats-interval",
					       "log-level", "idle-sleep-us"};
	int i;

	c->stats_interval = -1;
	c->idle_sleep_us = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[32];
		size_t nlen;
		char *end;

		if (strncmp(a, "--", 2) || !a[2])
			break;
		a += 2;
		nlen = strcspn(a, "=");
		if (nlen >= sizeof(name))
			goto unknown;
		memcpy(name, a, nlen);
		name[nlen] = '\0';
		if (a[nlen] == '=')
			val = a + nlen + 1;
		for (size_t k = 0; k < sizeof(with_arg) / sizeof(with_arg[0]); k++) {
			if (strcmp(name, with_arg[k]))
				continue;
			if (!val) {
				if (i + 1 >= argc)
					return fprintf(stderr,
						       "vcrypto-hostd: --%s needs a value\n", name),
					       -1;
				val = argv[++i];
			}
			break;
		}
		if (!strcmp(name, "config")) {
			c->config = val;
		} else if (!strcmp(name, "device")) {
			c->device = val;
		} else if (!strcmp(name, "socket")) {
			if (c->nb_sockets == 64)
				return fprintf(stderr, "vcrypto-hostd: too many --socket\n"), -1;
			c->sockets[c->nb_sockets++] = val;
		} else if (!strcmp(name, "port-opt")) {
			if (c->nb_port_opts == 64 || !strchr(val, '=') || *val == '=')
				return fprintf(stderr, "vcrypto-hostd: --port-opt KEY=VALUE\n"), -1;
			c->port_opts[c->nb_port_opts++] = val;
		} else if (!strcmp(name, "control")) {
			c->control = val;
		} else if (!strcmp(name, "stats-interval")) {
			c->stats_interval = strtol(val, &end, 10);
			if (!*val || *end || c->stats_interval < 0 || c->stats_interval > 86400)
				return fprintf(stderr, "vcrypto-hostd: bad --stats-interval '%s'\n",
					       val),
				       -1;
		} else if (!strcmp(name, "idle-sleep-us")) {
			c->idle_sleep_us = strtol(val, &end, 10);
			if (!*val || *end || c->idle_sleep_us < 0 || c->idle_sleep_us > 1000000)
				return fprintf(stderr, "vcrypto-hostd: bad --idle-sleep-us '%s'\n",
					       val),
				       -1;
		} else if (!strcmp(name, "log-level")) {
			c->log_level = val;
		} else if (!strcmp(name, "check") && !val) {
			c->check = true;
		} else if (!strcmp(name, "help") && !val) {
			usage(stdout);
			exit(0);
		} else {
unknown:
			fprintf(stderr, "vcrypto-hostd: unknown option '%s'\n\n", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	if (i < argc) {
		fprintf(stderr, "vcrypto-hostd: unexpected argument '%s'\n", argv[i]);
		return -1;
	}
	if (!c->config && !c->device && !c->nb_sockets && !c->control) {
		fprintf(stderr, "vcrypto-hostd: nothing to do: give --config FILE or --device DEV "
				"--socket PATH (after --)\n");
		return -1;
	}
	if (c->nb_sockets && !c->device && !c->config) {
		fprintf(stderr, "vcrypto-hostd: --socket needs --device (or a --config with an "
				"engine)\n");
		return -1;
	}
	return 0;
}

/* Turn the command line into configuration text, then parse it with the
 * same parser as files, so both get the same checks and messages. */
static int load_config(const struct cli *c, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (c->config) {
		ret = hostd_config_parse_file(&g.cfg, c->config, err, errlen);
		if (ret)
			return ret;
	}
	ret = add_text(&text, &len, "# from the command line\n");
	if (!ret && c->device)
		ret = add_text(&text, &len, "[engine default]\ndevice = \"%s\"\n", c->device);
	for (unsigned int i = 0; !ret && i < c->nb_sockets; i++) {
		ret = add_text(&text, &len, "[port port%u]\nsocket = \"%s\"\n", i, c->sockets[i]);
		for (unsigned int k = 0; !ret && k < c->nb_port_opts; k++) {
			const char *eq = strchr(c->port_opts[k], '=');

			ret = add_text(&text, &len, "%.*s = \"%s\"\n", (int)(eq - c->port_opts[k]),
				       c->port_opts[k], eq + 1);
		}
	}
	/* A second [daemon] section overrides the file's keys one by one. */
	if (!ret &&
	    (c->control || c->stats_interval >= 0 || c->log_level || c->idle_sleep_us >= 0)) {
		ret = add_text(&text, &len, "[daemon]\n");
		if (!ret && c->control)
			ret = add_text(&text, &len, "control = \"%s\"\n", c->control);
		if (!ret && c->stats_interval >= 0)
			ret = add_text(&text, &len, "stats_interval = %ld\n", c->stats_interval);
		if (!ret && c->log_level)
			ret = add_text(&text, &len, "log_level = %s\n", c->log_level);
		if (!ret && c->idle_sleep_us >= 0)
			ret = add_text(&text, &len, "idle_sleep_us = %ld\n", c->idle_sleep_us);
	}
	if (!ret)
		ret = hostd_config_parse_string(&g.cfg, text, "<command line>", err, errlen);
	free(text);
	if (ret)
		return ret;
	return hostd_config_finalize(&g.cfg, c->config ? c->config : "<command line>", err, errlen);
}

static int assign_lcores(char *err, size_t errlen)
{
	bool taken[RTE_MAX_LCORE] = {false};
	unsigned int lc;

	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
		int want = g.cfg.pollers[i].lcore;

		if (want < 0)
			continue;
		if (want >= RTE_MAX_LCORE || !rte_lcore_is_enabled((unsigned int)want) ||
		    (unsigned int)want == rte_get_main_lcore())
			return snprintf(err, errlen,
					"poller '%s': lcore %d is not a worker lcore of the EAL "
					"(EAL option -l lists them; the main lcore is %u)",
					g.cfg.pollers[i].name, want, rte_get_main_lcore()),
			       -EINVAL;
		taken[want] = true;
		g.pollers[i].lcore = want;
	}
	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
		if (g.cfg.pollers[i].lcore >= 0)
			continue;
		g.pollers[i].lcore = -1;
		RTE_LCORE_FOREACH_WORKER(lc) {
			if (!taken[lc]) {
				taken[lc] = true;
				g.pollers[i].lcore = (int)lc;
				break;
			}
		}
		if (g.pollers[i].lcore < 0)
			g.nb_main_pollers++;
	}
	return 0;
}

static int setup(char *err, size_t errlen)
{
	int ret;

	for (unsigned int i = 0; i < g.cfg.nb_engines; i++) {
		const struct hostd_engine_cfg *ec = &g.cfg.engines[i];
		struct vcrypto_engine_opts o = VCRYPTO_OPTS_INIT(vcrypto_engine_opts);

		o.nb_queue_pairs = ec->queue_pairs;
		o.qp_descriptors = ec->qp_descriptors;
		o.max_sessions = ec->max_sessions;
		o.nb_ops = ec->nb_ops;
		o.socket_id = -1;
		o.flags = (ec->null_crypto ? VCRYPTO_ENGINE_F_NULL_CRYPTO : 0) |
			  (ec->no_cpu_crypto ? VCRYPTO_ENGINE_F_NO_CPU_CRYPTO : 0);
		g.engines[i].cfg = ec;
		ret = vcrypto_engine_create(ec->device, &o, &g.engines[i].e);
		if (ret)
			return snprintf(err, errlen, "engine '%s': device '%s': %s", ec->name,
					ec->device, vcrypto_strerror(ret)),
			       ret;
		printf("vcrypto-hostd: engine %s on %s, %u queue pair(s)%s\n", ec->name, ec->device,
		       ec->queue_pairs, ec->null_crypto ? ", NULL CRYPTO" : "");
	}
	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
		const struct hostd_poller_cfg *pc = &g.cfg.pollers[i];
		struct vcrypto_poller_opts o = VCRYPTO_OPTS_INIT(vcrypto_poller_opts);
		int eng = hostd_config_find_engine(&g.cfg, pc->engine);

		o.burst = pc->burst;
		o.quantum_bytes = pc->quantum_bytes;
		o.queue_pair = (uint16_t)pc->queue_pair;
		g.pollers[i].cfg = pc;
		g.pollers[i].engine = eng;
		ret = vcrypto_poller_create(g.engines[eng].e, &o, &g.pollers[i].p);
		if (ret)
			return snprintf(err, errlen, "poller '%s': %s", pc->name,
					vcrypto_strerror(ret)),
			       ret;
	}
	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
		if (g.pollers[i].lcore < 0)
			continue;
		ret = vcrypto_poller_launch(g.pollers[i].p, (unsigned int)g.pollers[i].lcore);
		if (ret)
			return snprintf(err, errlen, "poller '%s': cannot launch on lcore %d: %s",
					g.cfg.pollers[i].name, g.pollers[i].lcore,
					vcrypto_strerror(ret)),
			       ret;
		g.pollers[i].launched = true;
	}
	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++)
		printf("vcrypto-hostd: poller %s: engine %s queue pair %d, %s\n",
		       g.cfg.pollers[i].name, g.cfg.pollers[i].engine, g.cfg.pollers[i].queue_pair,
		       g.pollers[i].lcore >= 0 ? "worker lcore" : "main thread");
	for (unsigned int i = 0; i < g.cfg.nb_ports; i++) {
		ret = port_up(&g.cfg.ports[i], err, errlen);
		if (ret)
			return ret;
	}
	if (g.cfg.daemon.control[0]) {
		g.ctl_fd = ctl_listen(g.cfg.daemon.control);
		if (g.ctl_fd < 0)
			return snprintf(err, errlen, "control socket %s: %s", g.cfg.daemon.control,
					strerror(-g.ctl_fd)),
			       g.ctl_fd;
		printf("vcrypto-hostd: control socket %s\n", g.cfg.daemon.control);
	}
	fflush(stdout);
	return 0;
}

static void teardown(void)
{
	for (unsigned int i = 0; i < HOSTD_MAX_PORTS; i++)
		if (g.ports && g.ports[i].used)
			port_down(&g.ports[i]);
	for (unsigned int i = 0; i < g.cfg.nb_pollers; i++) {
		if (g.pollers[i].launched)
			vcrypto_poller_stop(g.pollers[i].p);
		g.pollers[i].launched = false;
		vcrypto_poller_destroy(g.pollers[i].p);
		g.pollers[i].p = NULL;
	}
	for (unsigned int i = 0; i < g.cfg.nb_engines; i++) {
		vcrypto_engine_destroy(g.engines[i].e);
		g.engines[i].e = NULL;
	}
}

int main(int argc, char **argv)
{
	char err[1024];
	struct cli cli = {0};
	struct sigaction sa = {.sa_handler = on_signal};
	int split = -1, ret, status = 0;

	if (argc >= 2 && !strcmp(argv[1], "--ctl")) {
		if (argc < 3) {
			fprintf(stderr, "usage: vcrypto-hostd --ctl PATH COMMAND [ARGS...]\n");
			return 2;
		}
		return ctl_client(argv[2], argc - 3, argv + 3);
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			split = i;
			break;
		}
	}
	if (split < 0) {
		fprintf(stderr, "vcrypto-hostd: missing '--' between EAL options and daemon "
				"options\n\n");
		usage(stderr);
		return 1;
	}
	/* Our options: argv[split+1..], with a program name in front. */
	argv[split] = argv[0];
	if (parse_cli(argc - split, argv + split, &cli))
		return 1;
	if (hostd_config_init(&g.cfg)) {
		fprintf(stderr, "vcrypto-hostd: out of memory\n");
		return 1;
	}
	if (load_config(&cli, err, sizeof(err))) {
		fprintf(stderr, "vcrypto-hostd: %s\n", err);
		hostd_config_fini(&g.cfg);
		return 1;
	}
	if (cli.check) {
		printf("vcrypto-hostd: configuration OK: %u engine(s), %u poller(s), %u port(s)\n",
		       g.cfg.nb_engines, g.cfg.nb_pollers, g.cfg.nb_ports);
		hostd_config_fini(&g.cfg);
		return 0;
	}
	g.ports = calloc(HOSTD_MAX_PORTS, sizeof(*g.ports));
	if (!g.ports) {
		hostd_config_fini(&g.cfg);
		return 1;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		g.clients[i].fd = -1;
	if (g.cfg.daemon.log_level)
		vcrypto_log_set_level(g.cfg.daemon.log_level);

	ret = vcrypto_eal_init(split, argv);
	if (ret < 0) {
		fprintf(stderr, "vcrypto-hostd: EAL initialisation failed: %s\n",
			vcrypto_strerror(ret));
		free(g.ports);
		hostd_config_fini(&g.cfg);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (assign_lcores(err, sizeof(err)) || setup(err, sizeof(err))) {
		fprintf(stderr, "vcrypto-hostd: %s\n", err);
		status = 2;
		goto out;
	}
	printf("vcrypto-hostd: running (version %s, pid %d)\n", vcrypto_version(), (int)getpid());
	fflush(stdout);

	if (g.nb_main_pollers) {
		/* The main thread polls; control work runs beside it. */
		pthread_t th;

		ret = pthread_create(&th, NULL, control_thread, NULL);
		if (ret) {
			fprintf(stderr, "vcrypto-hostd: pthread_create: %s\n", strerror(ret));
			status = 2;
			goto out;
		}
		main_thread_poll();
		pthread_join(th, NULL);
	} else {
		control_loop();
		shutdown_ports();
	}
	printf("vcrypto-hostd: stopping\n");
out:
	if (g.ctl_fd >= 0) {
		close(g.ctl_fd);
		unlink(g.cfg.daemon.control);
	}
	teardown();
	vcrypto_eal_cleanup();
	free(g.ports);
	hostd_config_fini(&g.cfg);
	printf("vcrypto-hostd: exit %d\n", status);
	return status;
}
