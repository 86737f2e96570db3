/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Fuzz target: the vcrypto-hostd configuration parser
 * (examples/hostd/hostd_config.c): parse, finalize, and the runtime add-port
 * path (hostd_port_cfg_set/hostd_port_cfg_check) of the control socket.
 *
 * Input: the configuration text (up to the first NUL byte). The error
 * buffer is a heap buffer of 1..200 bytes (chosen from the input size) so
 * ASan sees any message written past its end.
 *
 * Invariants: the result is 0 or a documented error; an error comes with a
 * NUL-terminated message; counts stay within the limits; after finalize every
 * poller and port names an existing engine, every poller has a queue pair
 * below its engine's queue_pairs, no two ports share a socket.
 */

#include <errno.h>
#include <string.h>

#include "fuzz_check.h"
#include "hostd_config.h"

static void check_str(const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
}

static void check_finalized(const struct hostd_config *cfg)
{
	FUZZ_CHECK(cfg->nb_engines >= 1 && cfg->nb_engines <= HOSTD_MAX_ENGINES);
	FUZZ_CHECK(cfg->nb_pollers <= HOSTD_MAX_POLLERS);
	FUZZ_CHECK(cfg->nb_ports <= HOSTD_MAX_PORTS);
	for (unsigned int i = 0; i < cfg->nb_engines; i++) {
		check_str(cfg->engines[i].name, sizeof(cfg->engines[i].name));
		check_str(cfg->engines[i].device, sizeof(cfg->engines[i].device));
		FUZZ_CHECK(cfg->engines[i].device[0]);
		FUZZ_CHECK(cfg->engines[i].queue_pairs >= 1);
	}
	for (unsigned int i = 0; i < cfg->nb_pollers; i++) {
		const struct hostd_poller_cfg *p = &cfg->pollers[i];
		int e;

		check_str(p->name, sizeof(p->name));
		check_str(p->engine, sizeof(p->engine));
		e = hostd_config_find_engine(cfg, p->engine);
		FUZZ_CHECK(e >= 0);
		FUZZ_CHECK(p->queue_pair >= 0 && p->queue_pair < cfg->engines[e].queue_pairs);
		FUZZ_CHECK(hostd_config_find_poller(cfg, p->name) >= 0);
	}
	for (unsigned int i = 0; i < cfg->nb_ports; i++) {
		const struct hostd_port_cfg *p = &cfg->ports[i];

		check_str(p->name, sizeof(p->name));
		check_str(p->socket, sizeof(p->socket));
		FUZZ_CHECK(p->socket[0]);
		FUZZ_CHECK(hostd_config_find_engine(cfg, p->engine) >= 0);
		FUZZ_CHECK(p->nb_pollers <= HOSTD_MAX_PORT_POLLERS);
		for (unsigned int j = 0; j < p->nb_pollers; j++)
			FUZZ_CHECK(hostd_config_find_poller(cfg, p->pollers[j]) >= 0);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(cfg->ports[j].socket, p->socket) != 0);
	}
	for (unsigned int i = 0; i < cfg->nb_ports; i++) {
		FUZZ_CHECK(hostd_zero_copy_name(cfg->ports[i].zero_copy) != NULL);
		FUZZ_CHECK(strcmp(hostd_zero_copy_name(cfg->ports[i].zero_copy), "?") != 0);
		FUZZ_CHECK(hostd_layout_name(cfg->ports[i].session_layout) != NULL);
		FUZZ_CHECK(strcmp(hostd_layout_name(cfg->ports[i].session_layout), "?") != 0);
	}
}

/* The control socket's add-port: "key=value" pairs separated by spaces. */
static void add_port(const struct hostd_config *cfg, const char *text, char *err, size_t errlen)
{
	struct hostd_port_cfg p;
	char line[512];
	char *save = NULL, *tok;
	size_t n = strcspn(text, "\n");
	int ret;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text, n);
	line[n] = '\0';
	hostd_port_cfg_init(&p, "fuzz");
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = '\0';
		ret = hostd_port_cfg_set(&p, tok, eq + 1, err, errlen);
		FUZZ_CHECK(ret == 0 || ret == -ENOENT || ret == -EINVAL);
		if (ret)
			check_str(err, errlen);
	}
	check_str(p.socket, sizeof(p.socket));
	check_str(p.group, sizeof(p.group));
	FUZZ_CHECK(p.nb_pollers <= HOSTD_MAX_PORT_POLLERS);
	ret = hostd_port_cfg_check(cfg, &p, err, errlen);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	if (ret)
		check_str(err, errlen);
	else
		FUZZ_CHECK(hostd_config_find_engine(cfg, p.engine) >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostd_config cfg;
	size_t errlen = 1 + size % 200;
	char *text, *err;
	int ret;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	err = malloc(errlen);
	FUZZ_CHECK(text && err);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', errlen);

	FUZZ_CHECK(hostd_config_init(&cfg) == 0);
	ret = hostd_config_parse_string(&cfg, text, "fuzz.conf", err, errlen);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOSPC);
	if (ret) {
		check_str(err, errlen);
	} else {
		FUZZ_CHECK(cfg.nb_engines <= HOSTD_MAX_ENGINES);
		FUZZ_CHECK(cfg.nb_pollers <= HOSTD_MAX_POLLERS);
		FUZZ_CHECK(cfg.nb_ports <= HOSTD_MAX_PORTS);
		memset(err, 'x', errlen);
		ret = hostd_config_finalize(&cfg, "fuzz.conf", err, errlen);
		FUZZ_CHECK(ret == 0 || ret == -EINVAL);
		if (ret) {
			check_str(err, errlen);
		} else {
			check_finalized(&cfg);
			/* The last line, as a control-socket add-port request. */
			const char *last = strrchr(text, '\n');

			add_port(&cfg, last ? last + 1 : text, err, errlen);
		}
	}
	hostd_config_fini(&cfg);
	hostd_config_fini(NULL);
	free(err);
	free(text);
	return 0;
}
