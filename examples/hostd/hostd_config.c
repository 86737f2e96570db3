/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Parser of vcrypto-hostd's configuration file. See vcrypto-hostd.conf for
 * the format. No DPDK, no libvcrypto calls: reusable by tests and fuzzers.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostd_config.h"

#define LINE_MAX_LEN 1024
#define MAX_KEYS_PER_SECTION 32

enum section_kind {
	SEC_NONE,
	SEC_DAEMON,
	SEC_ENGINE,
	SEC_POLLER,
	SEC_PORT
};

struct parser {
	struct hostd_config *cfg;
	const char *fname;
	int line;
	enum section_kind kind;
	void *obj; /* current engine/poller/port */
	char seen_keys[MAX_KEYS_PER_SECTION][32];
	int seen_lines[MAX_KEYS_PER_SECTION];
	unsigned int nb_seen;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->fname, ps->line, msg);
	return -EINVAL;
}

static int set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *hostd_zero_copy_name(enum vcrypto_zero_copy zc)
{
	switch (zc) {
	case VCRYPTO_ZERO_COPY_OFF:
		return "off";
	case VCRYPTO_ZERO_COPY_ON:
		return "on";
	case VCRYPTO_ZERO_COPY_AUTO:
		return "auto";
	}
	return "?";
}

const char *hostd_layout_name(enum vcrypto_session_layout l)
{
	switch (l) {
	case VCRYPTO_SESSION_LAYOUT_DEFAULT:
		return "auto";
	case VCRYPTO_SESSION_LAYOUT_DPDK_22_11:
		return "dpdk-22.11";
	case VCRYPTO_SESSION_LAYOUT_QEMU_7:
		return "qemu-7";
	case VCRYPTO_SESSION_LAYOUT_QEMU_8:
		return "qemu-8";
	}
	return "?";
}

/* ---- value parsers: return 0 or -EINVAL and a message without location ---- */

static int parse_uint(const char *key, const char *v, int base, uint64_t min, uint64_t max,
		      uint64_t *out, char *err, size_t errlen)
{
	unsigned long long x;
	uint64_t mult = 1;
	char *end;

	if (!*v || *v == '-' || *v == '+' || isspace((unsigned char)*v))
		goto bad;
	errno = 0;
	x = strtoull(v, &end, base);
	if (errno || end == v)
		goto bad;
	if (base == 0 && *end) { /* size suffixes for decimal keys */
		if ((*end == 'K' || *end == 'k') && !end[1])
			mult = 1024;
		else if ((*end == 'M' || *end == 'm') && !end[1])
			mult = 1024ull * 1024;
		else if ((*end == 'G' || *end == 'g') && !end[1])
			mult = 1024ull * 1024 * 1024;
		else
			goto bad;
	} else if (*end) {
		goto bad;
	}
	if (x > max / mult || x * mult < min || x * mult > max)
		goto range;
	*out = x * mult;
	return 0;
bad:
	if (base == 8)
		set_err(err, errlen, "'%s' must be an octal number, got '%s'", key, v);
	else
		set_err(err, errlen, "'%s' must be a number, got '%s'", key, v);
	return -EINVAL;
range:
	if (base == 8)
		set_err(err, errlen, "'%s' must be between 0%llo and 0%llo, got '%s'", key,
			(unsigned long long)min, (unsigned long long)max, v);
	else
		set_err(err, errlen, "'%s' must be between %llu and %llu, got '%s'", key,
			(unsigned long long)min, (unsigned long long)max, v);
	return -EINVAL;
}

static int parse_u32(const char *key, const char *v, uint64_t min, uint64_t max, uint32_t *out,
		     char *err, size_t errlen)
{
	uint64_t x;
	int ret = parse_uint(key, v, 0, min, max, &x, err, errlen);

	if (!ret)
		*out = (uint32_t)x;
	return ret;
}

static int parse_u16(const char *key, const char *v, uint64_t min, uint64_t max, uint16_t *out,
		     char *err, size_t errlen)
{
	uint64_t x;
	int ret = parse_uint(key, v, 0, min, max, &x, err, errlen);

	if (!ret)
		*out = (uint16_t)x;
	return ret;
}

static int parse_int_auto(const char *key, const char *v, uint64_t max, int *out, char *err,
			  size_t errlen)
{
	uint64_t x;
	int ret;

	if (!strcmp(v, "auto")) {
		*out = -1;
		return 0;
	}
	ret = parse_uint(key, v, 0, 0, max, &x, err, errlen);
	if (ret) {
		return set_err(err, errlen, "'%s' must be 'auto' or a number up to %llu, got '%s'",
			       key, (unsigned long long)max, v);
	}
	*out = (int)x;
	return 0;
}

static int parse_bool(const char *key, const char *v, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return set_err(err, errlen, "'%s' must be yes or no, got '%s'", key, v);
}

static int copy_str(const char *key, const char *v, char *dst, size_t dstlen, char *err,
		    size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0)
		return set_err(err, errlen, "'%s' must not be empty", key);
	if (n >= dstlen)
		return set_err(err, errlen, "'%s' is too long (at most %zu characters)", key,
			       dstlen - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= HOSTD_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static int parse_name_list(const char *key, const char *v, char (*names)[HOSTD_NAME_MAX],
			   unsigned int max, unsigned int *count, char *err, size_t errlen)
{
	char buf[LINE_MAX_LEN];
	char *save = NULL, *tok;
	unsigned int n = 0;

	if (strlen(v) >= sizeof(buf))
		return set_err(err, errlen, "'%s' is too long", key);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (!valid_name(tok))
			return set_err(err, errlen, "'%s': invalid name '%s'", key, tok);
		if (n == max)
			return set_err(err, errlen, "'%s': at most %u names", key, max);
		strcpy(names[n++], tok);
	}
	if (!n)
		return set_err(err, errlen, "'%s' must not be empty", key);
	*count = n;
	return 0;
}

/* ---- sections ---- */

void hostd_port_cfg_init(struct hostd_port_cfg *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	if (name)
		snprintf(p->name, sizeof(p->name), "%s", name);
	p->mode = VCRYPTO_PORT_SERVER;
	p->zero_copy = VCRYPTO_ZERO_COPY_OFF;
	p->session_layout = VCRYPTO_SESSION_LAYOUT_DEFAULT;
	p->limits.sz = sizeof(p->limits);
}

int hostd_limits_set(struct vcrypto_port_limits *l, const char *key, const char *v, char *err,
		     size_t errlen)
{
	if (!strcmp(key, "rate_ops"))
		return parse_uint(key, v, 0, 0, UINT64_MAX, &l->rate_ops, err, errlen);
	if (!strcmp(key, "rate_bytes"))
		return parse_uint(key, v, 0, 0, UINT64_MAX, &l->rate_bytes, err, errlen);
	if (!strcmp(key, "burst_ops"))
		return parse_uint(key, v, 0, 0, UINT64_MAX, &l->burst_ops, err, errlen);
	if (!strcmp(key, "burst_bytes"))
		return parse_uint(key, v, 0, 0, UINT64_MAX, &l->burst_bytes, err, errlen);
	if (!strcmp(key, "weight"))
		return parse_u32(key, v, 1, 1000, &l->weight, err, errlen);
	if (!strcmp(key, "max_inflight"))
		return parse_u32(key, v, 0, 32768, &l->max_inflight, err, errlen);
	set_err(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

int hostd_port_cfg_set(struct hostd_port_cfg *p, const char *key, const char *v, char *err,
		       size_t errlen)
{
	uint64_t x;
	int ret;

	if (!strcmp(key, "socket")) {
		if (v[0] != '/')
			return set_err(err, errlen, "'socket' must be an absolute path, got '%s'",
				       v);
		return copy_str(key, v, p->socket, sizeof(p->socket), err, errlen);
	}
	if (!strcmp(key, "engine")) {
		if (!valid_name(v))
			return set_err(err, errlen, "'engine': invalid name '%s'", v);
		return copy_str(key, v, p->engine, sizeof(p->engine), err, errlen);
	}
	if (!strcmp(key, "mode")) {
		if (!strcmp(v, "server"))
			p->mode = VCRYPTO_PORT_SERVER;
		else if (!strcmp(v, "client"))
			p->mode = VCRYPTO_PORT_CLIENT;
		else
			return set_err(err, errlen, "'mode' must be server or client, got '%s'", v);
		return 0;
	}
	if (!strcmp(key, "perms")) {
		ret = parse_uint(key, v, 8, 1, 0777, &x, err, errlen);
		if (!ret)
			p->perms = (uint32_t)x;
		return ret;
	}
	if (!strcmp(key, "group"))
		return copy_str(key, v, p->group, sizeof(p->group), err, errlen);
	if (!strcmp(key, "queues"))
		return parse_u16(key, v, 1, HOSTD_MAX_QUEUES, &p->queues, err, errlen);
	if (!strcmp(key, "zero_copy")) {
		if (!strcmp(v, "off"))
			p->zero_copy = VCRYPTO_ZERO_COPY_OFF;
		else if (!strcmp(v, "on"))
			p->zero_copy = VCRYPTO_ZERO_COPY_ON;
		else if (!strcmp(v, "auto"))
			p->zero_copy = VCRYPTO_ZERO_COPY_AUTO;
		else
			return set_err(err, errlen, "'zero_copy' must be off, on or auto, got '%s'",
				       v);
		return 0;
	}
	if (!strcmp(key, "zc_after_requests"))
		return parse_u32(key, v, 0, UINT32_MAX, &p->zc_after_requests, err, errlen);
	if (!strcmp(key, "zc_after_ms"))
		return parse_u32(key, v, 0, UINT32_MAX, &p->zc_after_ms, err, errlen);
	if (!strcmp(key, "max_sessions"))
		return parse_u32(key, v, 1, 1u << 20, &p->max_sessions, err, errlen);
	if (!strcmp(key, "max_inflight"))
		return parse_u32(key, v, 1, 1u << 16, &p->max_inflight, err, errlen);
	if (!strcmp(key, "max_request_len"))
		return parse_u32(key, v, 1, 64u << 20, &p->max_request_len, err, errlen);
	if (!strcmp(key, "max_chain_descs"))
		return parse_u32(key, v, 3, 1u << 16, &p->max_chain_descs, err, errlen);
	if (!strcmp(key, "session_layout")) {
		if (!strcmp(v, "auto"))
			p->session_layout = VCRYPTO_SESSION_LAYOUT_DEFAULT;
		else if (!strcmp(v, "dpdk-22.11"))
			p->session_layout = VCRYPTO_SESSION_LAYOUT_DPDK_22_11;
		else if (!strcmp(v, "qemu-7"))
			p->session_layout = VCRYPTO_SESSION_LAYOUT_QEMU_7;
		else if (!strcmp(v, "qemu-8"))
			p->session_layout = VCRYPTO_SESSION_LAYOUT_QEMU_8;
		else
			return set_err(
				err, errlen,
				"'session_layout' must be auto, dpdk-22.11, qemu-7 or qemu-8, "
				"got '%s'",
				v);
		return 0;
	}
	if (!strcmp(key, "rate_ops") || !strcmp(key, "rate_bytes") || !strcmp(key, "burst_ops") ||
	    !strcmp(key, "burst_bytes") || !strcmp(key, "weight"))
		return hostd_limits_set(&p->limits, key, v, err, errlen);
	if (!strcmp(key, "pollers") || !strcmp(key, "poller"))
		return parse_name_list(key, v, p->pollers, HOSTD_MAX_PORT_POLLERS, &p->nb_pollers,
				       err, errlen);
	set_err(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

static int engine_set(struct hostd_engine_cfg *e, const char *key, const char *v, char *err,
		      size_t errlen)
{
	if (!strcmp(key, "device"))
		return copy_str(key, v, e->device, sizeof(e->device), err, errlen);
	if (!strcmp(key, "queue_pairs"))
		return parse_u16(key, v, 1, 1024, &e->queue_pairs, err, errlen);
	if (!strcmp(key, "qp_descriptors"))
		return parse_u32(key, v, 1, 1u << 20, &e->qp_descriptors, err, errlen);
	if (!strcmp(key, "max_sessions"))
		return parse_u32(key, v, 1, 1u << 24, &e->max_sessions, err, errlen);
	if (!strcmp(key, "nb_ops"))
		return parse_u32(key, v, 1, 1u << 24, &e->nb_ops, err, errlen);
	if (!strcmp(key, "null_crypto"))
		return parse_bool(key, v, &e->null_crypto, err, errlen);
	if (!strcmp(key, "cpu_crypto")) {
		bool on = true;
		int ret = parse_bool(key, v, &on, err, errlen);

		if (!ret)
			e->no_cpu_crypto = !on;
		return ret;
	}
	set_err(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

static int poller_set(struct hostd_poller_cfg *p, const char *key, const char *v, char *err,
		      size_t errlen)
{
	if (!strcmp(key, "engine")) {
		if (!valid_name(v))
			return set_err(err, errlen, "'engine': invalid name '%s'", v);
		return copy_str(key, v, p->engine, sizeof(p->engine), err, errlen);
	}
	if (!strcmp(key, "lcore"))
		return parse_int_auto(key, v, 1023, &p->lcore, err, errlen);
	if (!strcmp(key, "burst"))
		return parse_u16(key, v, 1, 512, &p->burst, err, errlen);
	if (!strcmp(key, "quantum_bytes"))
		return parse_u32(key, v, 64, 1u << 30, &p->quantum_bytes, err, errlen);
	if (!strcmp(key, "queue_pair"))
		return parse_int_auto(key, v, 1023, &p->queue_pair, err, errlen);
	set_err(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

static int daemon_set(struct hostd_daemon_cfg *d, const char *key, const char *v, char *err,
		      size_t errlen)
{
	uint32_t x;
	int ret;

	if (!strcmp(key, "control")) {
		if (v[0] != '/')
			return set_err(err, errlen, "'control' must be an absolute path, got '%s'",
				       v);
		return copy_str(key, v, d->control, sizeof(d->control), err, errlen);
	}
	if (!strcmp(key, "stats_interval")) {
		ret = parse_u32(key, v, 0, 86400, &x, err, errlen);
		if (!ret)
			d->stats_interval = x;
		return ret;
	}
	if (!strcmp(key, "idle_sleep_us")) {
		ret = parse_u32(key, v, 0, 1000000, &x, err, errlen);
		if (!ret)
			d->idle_sleep_us = x;
		return ret;
	}
	if (!strcmp(key, "log_level")) {
		static const char *const names[] = {"err", "warning", "notice", "info", "debug"};

		for (int i = 0; i < 5; i++) {
			if (!strcmp(v, names[i])) {
				d->log_level = VCRYPTO_LOG_ERR + i;
				return 0;
			}
		}
		return set_err(err, errlen,
			       "'log_level' must be err, warning, notice, info or debug, got '%s'",
			       v);
	}
	set_err(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

int hostd_config_find_engine(const struct hostd_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->nb_engines; i++)
		if (!strcmp(cfg->engines[i].name, name))
			return (int)i;
	return -1;
}

int hostd_config_find_poller(const struct hostd_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->nb_pollers; i++)
		if (!strcmp(cfg->pollers[i].name, name))
			return (int)i;
	return -1;
}

static int find_port(const struct hostd_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->nb_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return (int)i;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int start_section(struct parser *ps, char *hdr)
{
	struct hostd_config *cfg = ps->cfg;
	char *type, *name, *save = NULL;
	int idx;

	type = strtok_r(hdr, " \t", &save);
	name = strtok_r(NULL, " \t", &save);
	if (!type)
		return fail(ps, "empty section header");
	if (strtok_r(NULL, " \t", &save))
		return fail(ps, "section header has too many words: expected [TYPE NAME]");
	ps->nb_seen = 0;
	if (!strcmp(type, "daemon")) {
		if (name)
			return fail(ps, "section [daemon] takes no name");
		ps->kind = SEC_DAEMON;
		ps->obj = &cfg->daemon;
		return 0;
	}
	if (strcmp(type, "engine") && strcmp(type, "poller") && strcmp(type, "port"))
		return fail(ps,
			    "unknown section type '%s' (expected daemon, engine, poller or port)",
			    type);
	if (!name)
		return fail(ps, "section [%s] needs a name: [%s NAME]", type, type);
	if (!valid_name(name))
		return fail(ps,
			    "invalid %s name '%s' (letters, digits, '_', '-', '.'; at most %d "
			    "characters)",
			    type, name, HOSTD_NAME_MAX - 1);
	if (!strcmp(type, "engine")) {
		idx = hostd_config_find_engine(cfg, name);
		if (idx >= 0)
			return fail(ps, "duplicate [engine %s] (first on line %d)", name,
				    cfg->engines[idx].line);
		if (cfg->nb_engines == HOSTD_MAX_ENGINES) {
			fail(ps, "too many engines (at most %d)", HOSTD_MAX_ENGINES);
			return -ENOSPC;
		}
		struct hostd_engine_cfg *e = &cfg->engines[cfg->nb_engines++];

		memset(e, 0, sizeof(*e));
		strcpy(e->name, name);
		e->line = ps->line;
		ps->kind = SEC_ENGINE;
		ps->obj = e;
	} else if (!strcmp(type, "poller")) {
		idx = hostd_config_find_poller(cfg, name);
		if (idx >= 0)
			return fail(ps, "duplicate [poller %s] (first on line %d)", name,
				    cfg->pollers[idx].line);
		if (cfg->nb_pollers == HOSTD_MAX_POLLERS) {
			fail(ps, "too many pollers (at most %d)", HOSTD_MAX_POLLERS);
			return -ENOSPC;
		}
		struct hostd_poller_cfg *p = &cfg->pollers[cfg->nb_pollers++];

		memset(p, 0, sizeof(*p));
		strcpy(p->name, name);
		p->lcore = -1;
		p->queue_pair = -1;
		p->line = ps->line;
		ps->kind = SEC_POLLER;
		ps->obj = p;
	} else {
		idx = find_port(cfg, name);
		if (idx >= 0)
			return fail(ps, "duplicate [port %s] (first on line %d)", name,
				    cfg->ports[idx].line);
		if (cfg->nb_ports == HOSTD_MAX_PORTS) {
			fail(ps, "too many ports (at most %d)", HOSTD_MAX_PORTS);
			return -ENOSPC;
		}
		struct hostd_port_cfg *p = &cfg->ports[cfg->nb_ports++];

		hostd_port_cfg_init(p, name);
		p->line = ps->line;
		ps->kind = SEC_PORT;
		ps->obj = p;
	}
	return 0;
}

static const char *section_desc(struct parser *ps, char *buf, size_t len)
{
	switch (ps->kind) {
	case SEC_DAEMON:
		return "[daemon]";
	case SEC_ENGINE:
		snprintf(buf, len, "[engine %s]", ((struct hostd_engine_cfg *)ps->obj)->name);
		return buf;
	case SEC_POLLER:
		snprintf(buf, len, "[poller %s]", ((struct hostd_poller_cfg *)ps->obj)->name);
		return buf;
	case SEC_PORT:
		snprintf(buf, len, "[port %s]", ((struct hostd_port_cfg *)ps->obj)->name);
		return buf;
	default:
		return "";
	}
}

static int key_value(struct parser *ps, char *s)
{
	char msg[400], sec[96];
	char *eq = strchr(s, '='), *key, *val;
	int ret;

	if (!eq)
		return fail(ps, "expected 'key = value' or '[section]', got '%s'", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return fail(ps, "missing key before '='");
	/* Quoted value: "..." keeps '#' and spaces. Else " #..." starts a comment. */
	if (*val == '"') {
		char *close = strchr(val + 1, '"');

		if (!close)
			return fail(ps, "unterminated quoted value");
		*close = '\0';
		if (*trim(close + 1) && *trim(close + 1) != '#' && *trim(close + 1) != ';')
			return fail(ps, "text after quoted value");
		val++;
	} else {
		for (char *c = val; *c; c++) {
			if ((*c == '#' || *c == ';') &&
			    (c == val || isspace((unsigned char)c[-1]))) {
				*c = '\0';
				break;
			}
		}
		val = trim(val);
	}
	if (ps->kind == SEC_NONE)
		return fail(ps, "key '%s' outside of any section", key);
	if (strlen(key) >= sizeof(ps->seen_keys[0]))
		return fail(ps, "unknown key '%s' in %s", key, section_desc(ps, sec, sizeof(sec)));
	for (unsigned int i = 0; i < ps->nb_seen; i++)
		if (!strcmp(ps->seen_keys[i], key))
			return fail(ps, "duplicate key '%s' (first on line %d)", key,
				    ps->seen_lines[i]);
	if (!*val)
		return fail(ps, "key '%s' has no value", key);

	switch (ps->kind) {
	case SEC_DAEMON:
		ret = daemon_set(ps->obj, key, val, msg, sizeof(msg));
		break;
	case SEC_ENGINE:
		ret = engine_set(ps->obj, key, val, msg, sizeof(msg));
		break;
	case SEC_POLLER:
		ret = poller_set(ps->obj, key, val, msg, sizeof(msg));
		break;
	default:
		ret = hostd_port_cfg_set(ps->obj, key, val, msg, sizeof(msg));
		break;
	}
	if (ret == -ENOENT)
		return fail(ps, "unknown key '%s' in %s", key, section_desc(ps, sec, sizeof(sec)));
	if (ret)
		return fail(ps, "%s", msg);
	if (ps->nb_seen < MAX_KEYS_PER_SECTION) {
		strcpy(ps->seen_keys[ps->nb_seen], key);
		ps->seen_lines[ps->nb_seen++] = ps->line;
	}
	return 0;
}

int hostd_config_init(struct hostd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ports = calloc(HOSTD_MAX_PORTS, sizeof(*cfg->ports));
	if (!cfg->ports)
		return -ENOMEM;
	return 0;
}

void hostd_config_fini(struct hostd_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->ports);
	cfg->ports = NULL;
	cfg->nb_ports = 0;
}

int hostd_config_parse_string(struct hostd_config *cfg, const char *text, const char *fname,
			      char *err, size_t errlen)
{
	struct parser ps = {
		.cfg = cfg, .fname = fname ? fname : "<config>", .err = err, .errlen = errlen};
	char buf[LINE_MAX_LEN + 1];
	const char *p = text;
	int ret;

	if (!cfg || !text || !cfg->ports)
		return -EINVAL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *s;

		ps.line++;
		if (n > LINE_MAX_LEN)
			return fail(&ps, "line too long (more than %d characters)", LINE_MAX_LEN);
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + (nl ? 1 : 0);
		if (memchr(buf, '\0', n))
			return fail(&ps, "NUL byte in line");
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			char *rest;

			if (!close)
				return fail(&ps, "missing ']' in section header");
			rest = trim(close + 1);
			if (*rest && *rest != '#' && *rest != ';')
				return fail(&ps, "text after section header: '%s'", rest);
			*close = '\0';
			ret = start_section(&ps, trim(s + 1));
		} else {
			ret = key_value(&ps, s);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int hostd_config_parse_file(struct hostd_config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	long len;
	int ret;

	if (!cfg || !path)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return ret;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		return ret;
	}
	if (len > (1 << 20)) {
		fclose(f);
		set_err(err, errlen, "%s: file too large (more than 1 MiB)", path);
		return -EFBIG;
	}
	text = malloc((size_t)len + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(text, 1, (size_t)len, f) != (size_t)len) {
		free(text);
		fclose(f);
		set_err(err, errlen, "%s: cannot read", path);
		return -EIO;
	}
	text[len] = '\0';
	fclose(f);
	if (strlen(text) != (size_t)len) {
		free(text);
		set_err(err, errlen, "%s: NUL byte in file", path);
		return -EINVAL;
	}
	ret = hostd_config_parse_string(cfg, text, path, err, errlen);
	free(text);
	return ret;
}

/* ---- finalize ---- */

static int resolve_engine(const struct hostd_config *cfg, char *engine, const char *what,
			  const char *name, char *msg, size_t len)
{
	if (!*engine) {
		if (cfg->nb_engines == 1) {
			strcpy(engine, cfg->engines[0].name);
			return 0;
		}
		return set_err(msg, len, "%s '%s': %u engines are defined, set 'engine'", what,
			       name, cfg->nb_engines);
	}
	if (hostd_config_find_engine(cfg, engine) < 0)
		return set_err(msg, len, "%s '%s': unknown engine '%s'", what, name, engine);
	return 0;
}

int hostd_port_cfg_check(const struct hostd_config *cfg, struct hostd_port_cfg *p, char *err,
			 size_t errlen)
{
	int ret;

	if (!p->socket[0])
		return set_err(err, errlen, "port '%s': missing 'socket'", p->name);
	ret = resolve_engine(cfg, p->engine, "port", p->name, err, errlen);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < p->nb_pollers; i++) {
		int idx = hostd_config_find_poller(cfg, p->pollers[i]);

		if (idx < 0)
			return set_err(err, errlen, "port '%s': unknown poller '%s'", p->name,
				       p->pollers[i]);
		if (strcmp(cfg->pollers[idx].engine, p->engine))
			return set_err(err, errlen,
				       "port '%s': poller '%s' runs engine '%s', not '%s'", p->name,
				       p->pollers[i], cfg->pollers[idx].engine, p->engine);
	}
	return 0;
}

int hostd_config_finalize(struct hostd_config *cfg, const char *fname, char *err, size_t errlen)
{
	char msg[400];
	int ret;

	if (!fname)
		fname = "<config>";
	if (!cfg->nb_engines)
		return set_err(err, errlen,
			       "%s: no [engine NAME] section (one with 'device = ...')", fname);
	for (unsigned int i = 0; i < cfg->nb_engines; i++) {
		if (!cfg->engines[i].device[0])
			return set_err(err, errlen, "%s:%d: engine '%s': missing 'device'", fname,
				       cfg->engines[i].line, cfg->engines[i].name);
	}
	for (unsigned int i = 0; i < cfg->nb_pollers; i++) {
		struct hostd_poller_cfg *p = &cfg->pollers[i];

		ret = resolve_engine(cfg, p->engine, "poller", p->name, msg, sizeof(msg));
		if (ret)
			return set_err(err, errlen, "%s:%d: %s", fname, p->line, msg);
		for (unsigned int j = 0; j < i; j++) {
			if (p->lcore >= 0 && cfg->pollers[j].lcore == p->lcore)
				return set_err(err, errlen,
					       "%s:%d: poller '%s': lcore %d is already used by "
					       "poller '%s' (line %d)",
					       fname, p->line, p->name, p->lcore,
					       cfg->pollers[j].name, cfg->pollers[j].line);
			if (p->queue_pair >= 0 && cfg->pollers[j].queue_pair == p->queue_pair &&
			    !strcmp(cfg->pollers[j].engine, p->engine))
				return set_err(
					err, errlen,
					"%s:%d: poller '%s': queue pair %d of engine '%s' is "
					"already used by poller '%s' (line %d)",
					fname, p->line, p->name, p->queue_pair, p->engine,
					cfg->pollers[j].name, cfg->pollers[j].line);
		}
	}
	/* One implicit poller for each engine that has none. */
	for (unsigned int e = 0; e < cfg->nb_engines; e++) {
		bool has = false;

		for (unsigned int i = 0; i < cfg->nb_pollers; i++)
			has |= !strcmp(cfg->pollers[i].engine, cfg->engines[e].name);
		if (has)
			continue;
		if (cfg->nb_pollers == HOSTD_MAX_POLLERS)
			return set_err(err, errlen, "%s: too many pollers", fname);
		struct hostd_poller_cfg *p = &cfg->pollers[cfg->nb_pollers++];

		memset(p, 0, sizeof(*p));
		size_t nl = strnlen(cfg->engines[e].name, HOSTD_NAME_MAX - 8);

		memcpy(p->name, cfg->engines[e].name, nl);
		memcpy(p->name + nl, ".poller", sizeof(".poller"));
		strcpy(p->engine, cfg->engines[e].name);
		p->lcore = -1;
		p->queue_pair = -1;
		p->implicit = true;
		p->line = cfg->engines[e].line;
	}
	/* Queue pairs: automatic ones get the lowest free pair of their engine. */
	for (unsigned int e = 0; e < cfg->nb_engines; e++) {
		struct hostd_engine_cfg *eng = &cfg->engines[e];
		int max_qp = -1;

		for (unsigned int i = 0; i < cfg->nb_pollers; i++) {
			struct hostd_poller_cfg *p = &cfg->pollers[i];

			if (strcmp(p->engine, eng->name) || p->queue_pair >= 0)
				continue;
			for (int qp = 0;; qp++) {
				bool used = false;

				for (unsigned int j = 0; j < cfg->nb_pollers; j++)
					used |= !strcmp(cfg->pollers[j].engine, eng->name) &&
						cfg->pollers[j].queue_pair == qp;
				if (!used) {
					p->queue_pair = qp;
					break;
				}
			}
		}
		const struct hostd_poller_cfg *maxp = NULL;

		for (unsigned int i = 0; i < cfg->nb_pollers; i++) {
			if (!strcmp(cfg->pollers[i].engine, eng->name) &&
			    cfg->pollers[i].queue_pair > max_qp) {
				max_qp = cfg->pollers[i].queue_pair;
				maxp = &cfg->pollers[i];
			}
		}
		if (!eng->queue_pairs)
			eng->queue_pairs = (uint16_t)(max_qp + 1);
		else if (max_qp >= eng->queue_pairs)
			return set_err(
				err, errlen,
				"%s:%d: engine '%s': queue_pairs = %u, but poller '%s' (line "
				"%d) uses queue pair %d",
				fname, eng->line, eng->name, eng->queue_pairs, maxp->name,
				maxp->line, max_qp);
	}
	for (unsigned int i = 0; i < cfg->nb_ports; i++) {
		struct hostd_port_cfg *p = &cfg->ports[i];

		ret = hostd_port_cfg_check(cfg, p, msg, sizeof(msg));
		if (ret)
			return set_err(err, errlen, "%s:%d: %s", fname, p->line, msg);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].socket, p->socket))
				return set_err(err, errlen,
					       "%s:%d: port '%s': socket '%s' is already used by "
					       "port '%s' (line %d)",
					       fname, p->line, p->name, p->socket,
					       cfg->ports[j].name, cfg->ports[j].line);
	}
	return 0;
}
