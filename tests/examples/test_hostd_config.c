/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Unit tests of vcrypto-hostd's configuration parser (examples/hostd/hostd_config.c). */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostd_config.h"

static struct hostd_config cfg;
static char err[1024];

static void setup(void)
{
	ck_assert_int_eq(hostd_config_init(&cfg), 0);
	err[0] = '\0';
}

static void teardown(void)
{
	hostd_config_fini(&cfg);
}

static int parse(const char *text)
{
	int ret = hostd_config_parse_string(&cfg, text, "t.conf", err, sizeof(err));

	if (!ret)
		ret = hostd_config_finalize(&cfg, "t.conf", err, sizeof(err));
	return ret;
}

#define EXPECT_ERR(text, msg)                                                                      \
	do {                                                                                       \
		ck_assert_int_lt(parse(text), 0);                                                  \
		ck_assert_str_eq(err, msg);                                                        \
	} while (0)

START_TEST(minimal)
{
	ck_assert_int_eq(parse("[engine sw]\ndevice = crypto_openssl\n[port vm1]\n"
			       "socket = /tmp/vm1.sock\n"),
			 0);
	ck_assert_uint_eq(cfg.nb_engines, 1);
	ck_assert_str_eq(cfg.engines[0].device, "crypto_openssl");
	ck_assert_uint_eq(cfg.engines[0].queue_pairs, 1);
	ck_assert_uint_eq(cfg.nb_pollers, 1);
	ck_assert_str_eq(cfg.pollers[0].name, "sw.poller");
	ck_assert(cfg.pollers[0].implicit);
	ck_assert_int_eq(cfg.pollers[0].queue_pair, 0);
	ck_assert_int_eq(cfg.pollers[0].lcore, -1);
	ck_assert_uint_eq(cfg.nb_ports, 1);
	ck_assert_str_eq(cfg.ports[0].name, "vm1");
	ck_assert_str_eq(cfg.ports[0].socket, "/tmp/vm1.sock");
	ck_assert_str_eq(cfg.ports[0].engine, "sw");
	ck_assert_int_eq(cfg.ports[0].mode, VCRYPTO_PORT_SERVER);
	ck_assert_int_eq(cfg.ports[0].zero_copy, VCRYPTO_ZERO_COPY_OFF);
	ck_assert_uint_eq(cfg.ports[0].queues, 0);
	ck_assert_int_eq(cfg.ports[0].line, 3);
	ck_assert_uint_eq(cfg.daemon.stats_interval, 0);
}
END_TEST

START_TEST(all_keys)
{
	ck_assert_int_eq(parse("[daemon]\n"
			       "control = /tmp/ctl.sock\n"
			       "stats_interval = 3\n"
			       "idle_sleep_us = 10\n"
			       "log_level = debug\n"
			       "[engine hw]\n"
			       "device = crypto_aesni_mb,max_nb_queue_pairs=4\n"
			       "queue_pairs = 4\n"
			       "qp_descriptors = 0x800\n"
			       "max_sessions = 4K\n"
			       "nb_ops = 16384\n"
			       "null_crypto = yes\n"
			       "cpu_crypto = no\n"
			       "[poller a]\n"
			       "lcore = 2\n"
			       "burst = 64\n"
			       "quantum_bytes = 16K\n"
			       "queue_pair = 3\n"
			       "[port vm1]\n"
			       "socket = /run/vm1.sock\n"
			       "mode = client\n"
			       "perms = 0660\n"
			       "group = kvm\n"
			       "queues = 4\n"
			       "zero_copy = auto\n"
			       "zc_after_requests = 10\n"
			       "zc_after_ms = 20\n"
			       "max_sessions = 16\n"
			       "max_inflight = 128\n"
			       "max_request_len = 1M\n"
			       "max_chain_descs = 512\n"
			       "session_layout = qemu-7\n"
			       "pollers = a\n"),
			 0);
	ck_assert_str_eq(cfg.daemon.control, "/tmp/ctl.sock");
	ck_assert_uint_eq(cfg.daemon.stats_interval, 3);
	ck_assert_uint_eq(cfg.daemon.idle_sleep_us, 10);
	ck_assert_int_eq(cfg.daemon.log_level, VCRYPTO_LOG_DEBUG);
	ck_assert_str_eq(cfg.engines[0].device, "crypto_aesni_mb,max_nb_queue_pairs=4");
	ck_assert_uint_eq(cfg.engines[0].queue_pairs, 4);
	ck_assert_uint_eq(cfg.engines[0].qp_descriptors, 2048);
	ck_assert_uint_eq(cfg.engines[0].max_sessions, 4096);
	ck_assert_uint_eq(cfg.engines[0].nb_ops, 16384);
	ck_assert(cfg.engines[0].null_crypto);
	ck_assert(cfg.engines[0].no_cpu_crypto);
	ck_assert_uint_eq(cfg.nb_pollers, 1);
	ck_assert_uint_eq(cfg.pollers[0].quantum_bytes, 16384);
	ck_assert_str_eq(cfg.pollers[0].engine, "hw");
	ck_assert_int_eq(cfg.pollers[0].lcore, 2);
	ck_assert_uint_eq(cfg.pollers[0].burst, 64);
	ck_assert_int_eq(cfg.pollers[0].queue_pair, 3);
	struct hostd_port_cfg *p = &cfg.ports[0];

	ck_assert_int_eq(p->mode, VCRYPTO_PORT_CLIENT);
	ck_assert_uint_eq(p->perms, 0660);
	ck_assert_str_eq(p->group, "kvm");
	ck_assert_uint_eq(p->queues, 4);
	ck_assert_int_eq(p->zero_copy, VCRYPTO_ZERO_COPY_AUTO);
	ck_assert_uint_eq(p->zc_after_requests, 10);
	ck_assert_uint_eq(p->zc_after_ms, 20);
	ck_assert_uint_eq(p->max_sessions, 16);
	ck_assert_uint_eq(p->max_inflight, 128);
	ck_assert_uint_eq(p->max_request_len, 1u << 20);
	ck_assert_uint_eq(p->max_chain_descs, 512);
	ck_assert_int_eq(p->session_layout, VCRYPTO_SESSION_LAYOUT_QEMU_7);
	ck_assert_uint_eq(p->nb_pollers, 1);
	ck_assert_str_eq(p->pollers[0], "a");
}
END_TEST

START_TEST(comments_and_quotes)
{
	ck_assert_int_eq(parse("# leading comment\n"
			       "; another\n"
			       "\n"
			       "   [engine sw]   # trailing\n"
			       "\tdevice=crypto_openssl   ; inline\n"
			       "[port p1]\r\n"
			       "socket = \"/tmp/a #b.sock\"  # comment after quotes\n"
			       "group = a#b\n"),
			 0);
	ck_assert_str_eq(cfg.engines[0].device, "crypto_openssl");
	ck_assert_str_eq(cfg.ports[0].socket, "/tmp/a #b.sock");
	ck_assert_str_eq(cfg.ports[0].group, "a#b");
	ck_assert_int_eq(cfg.ports[0].line, 6);
}
END_TEST

START_TEST(pollers_and_queue_pairs)
{
	ck_assert_int_eq(
		parse("[engine a]\ndevice = crypto_openssl\n"
		      "[engine b]\ndevice = crypto_aesni_mb\n"
		      "[poller a1]\nengine = a\nqueue_pair = 1\n"
		      "[poller a0]\nengine = a\n"
		      "[poller a2]\nengine = a\n"
		      "[port x]\nsocket = /tmp/x\nengine = b\n"
		      "[port y]\nsocket = /tmp/y\nengine = a\npollers = a0, a2\nqueues = 2\n"),
		0);
	/* auto queue pairs take the lowest free ones */
	ck_assert_int_eq(cfg.pollers[hostd_config_find_poller(&cfg, "a1")].queue_pair, 1);
	ck_assert_int_eq(cfg.pollers[hostd_config_find_poller(&cfg, "a0")].queue_pair, 0);
	ck_assert_int_eq(cfg.pollers[hostd_config_find_poller(&cfg, "a2")].queue_pair, 2);
	ck_assert_uint_eq(cfg.engines[0].queue_pairs, 3);
	/* engine b has no poller: it gets an implicit one */
	int bp = hostd_config_find_poller(&cfg, "b.poller");

	ck_assert_int_ge(bp, 0);
	ck_assert_str_eq(cfg.pollers[bp].engine, "b");
	ck_assert_int_eq(cfg.pollers[bp].queue_pair, 0);
	ck_assert_uint_eq(cfg.engines[1].queue_pairs, 1);
	ck_assert_uint_eq(cfg.ports[1].nb_pollers, 2);
	ck_assert_str_eq(cfg.ports[1].pollers[1], "a2");
}
END_TEST

START_TEST(daemon_reopened_overrides)
{
	/* hostd appends command-line settings as a second [daemon] section */
	ck_assert_int_eq(hostd_config_parse_string(&cfg,
						   "[daemon]\nstats_interval = 5\n"
						   "control = /tmp/a\n[engine e]\ndevice = d\n",
						   "file", err, sizeof(err)),
			 0);
	ck_assert_int_eq(hostd_config_parse_string(&cfg, "[daemon]\nstats_interval = 1\n",
						   "<command line>", err, sizeof(err)),
			 0);
	ck_assert_int_eq(hostd_config_finalize(&cfg, "file", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.daemon.stats_interval, 1);
	ck_assert_str_eq(cfg.daemon.control, "/tmp/a");
}
END_TEST

START_TEST(shipped_example_config)
{
	ck_assert_int_eq(hostd_config_parse_file(&cfg, HOSTD_EXAMPLE_CONF, err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_config_finalize(&cfg, HOSTD_EXAMPLE_CONF, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nb_ports, 2);
	ck_assert_uint_eq(cfg.nb_pollers, 1);
	ck_assert_str_eq(cfg.ports[1].engine, "sw");
	ck_assert_uint_eq(cfg.ports[0].max_request_len, 256 * 1024);
}
END_TEST

START_TEST(port_keys_for_control_socket)
{
	struct hostd_port_cfg p;

	hostd_port_cfg_init(&p, "c1");
	ck_assert_int_eq(hostd_port_cfg_set(&p, "socket", "/tmp/c1", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_port_cfg_set(&p, "queues", "2", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_port_cfg_set(&p, "colour", "red", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "unknown key 'colour'");
	ck_assert_int_eq(hostd_port_cfg_set(&p, "queues", "65", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'queues' must be between 1 and 64, got '65'");
	ck_assert_int_eq(parse("[engine e]\ndevice = d\n[poller q]\n"), 0);
	ck_assert_int_eq(hostd_port_cfg_check(&cfg, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.engine, "e");
	ck_assert_int_eq(hostd_port_cfg_set(&p, "pollers", "nope", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_port_cfg_check(&cfg, &p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "port 'c1': unknown poller 'nope'");
	hostd_port_cfg_init(&p, "c2");
	ck_assert_int_eq(hostd_port_cfg_check(&cfg, &p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "port 'c2': missing 'socket'");
}
END_TEST

/* Quality-of-service keys: in [port] and for the control socket's set-limits. */
START_TEST(qos_keys)
{
	struct vcrypto_port_limits l = {.sz = sizeof(l)};
	struct hostd_port_cfg *p;

	ck_assert_int_eq(parse("[engine e]\ndevice = d\n"
			       "[port a]\nsocket = /tmp/a\n"
			       "rate_ops = 20000\nrate_bytes = 200M\nburst_ops = 100\n"
			       "burst_bytes = 1M\nweight = 3\n"
			       "[port b]\nsocket = /tmp/b\n"),
			 0);
	p = &cfg.ports[0];
	ck_assert_uint_eq(p->limits.rate_ops, 20000);
	ck_assert_uint_eq(p->limits.rate_bytes, 200u << 20);
	ck_assert_uint_eq(p->limits.burst_ops, 100);
	ck_assert_uint_eq(p->limits.burst_bytes, 1u << 20);
	ck_assert_uint_eq(p->limits.weight, 3);
	p = &cfg.ports[1]; /* defaults: unlimited */
	ck_assert_uint_eq(p->limits.rate_ops, 0);
	ck_assert_uint_eq(p->limits.rate_bytes, 0);
	ck_assert_uint_eq(p->limits.weight, 0);

	ck_assert_int_eq(hostd_limits_set(&l, "rate_ops", "5000", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_limits_set(&l, "rate_bytes", "1G", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_limits_set(&l, "max_inflight", "64", err, sizeof(err)), 0);
	ck_assert_int_eq(hostd_limits_set(&l, "weight", "1000", err, sizeof(err)), 0);
	ck_assert_uint_eq(l.rate_ops, 5000);
	ck_assert_uint_eq(l.rate_bytes, 1ull << 30);
	ck_assert_uint_eq(l.max_inflight, 64);
	ck_assert_uint_eq(l.weight, 1000);
	ck_assert_int_eq(hostd_limits_set(&l, "weight", "0", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'weight' must be between 1 and 1000, got '0'");
	ck_assert_int_eq(hostd_limits_set(&l, "weight", "1001", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'weight' must be between 1 and 1000, got '1001'");
	ck_assert_int_eq(hostd_limits_set(&l, "rate_ops", "fast", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'rate_ops' must be a number, got 'fast'");
	ck_assert_int_eq(hostd_limits_set(&l, "max_inflight", "40000", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'max_inflight' must be between 0 and 32768, got '40000'");
	ck_assert_int_eq(hostd_limits_set(&l, "socket", "/tmp/x", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "unknown key 'socket'");
	/* Refused values leave the limits as they were. */
	ck_assert_uint_eq(l.rate_ops, 5000);
	ck_assert_uint_eq(l.weight, 1000);
	ck_assert_uint_eq(l.max_inflight, 64);
}
END_TEST

/* Every syntax error, with its line number. */
START_TEST(syntax_errors)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{"\ndevice = x\n", "t.conf:2: key 'device' outside of any section"},
		{"[engine a]\n[bogus b]\n",
		 "t.conf:2: unknown section type 'bogus' (expected daemon, engine, poller or port)"},
		{"[engine]\n", "t.conf:1: section [engine] needs a name: [engine NAME]"},
		{"[port a/b]\n",
		 "t.conf:1: invalid port name 'a/b' (letters, digits, '_', '-', '.'; at most 63 "
		 "characters)"},
		{"[port a b]\n",
		 "t.conf:1: section header has too many words: expected [TYPE NAME]"},
		{"[engine a]\ndevice = d\n\n[engine a]\n",
		 "t.conf:4: duplicate [engine a] (first on line 1)"},
		{"[port p]\nsocket = /a\n[port p]\n",
		 "t.conf:3: duplicate [port p] (first on line 1)"},
		{"[poller p]\n[poller p]\n", "t.conf:2: duplicate [poller p] (first on line 1)"},
		{"[engine a\n", "t.conf:1: missing ']' in section header"},
		{"[engine a] x\n", "t.conf:1: text after section header: 'x'"},
		{"[]\n", "t.conf:1: empty section header"},
		{"[daemon x]\n", "t.conf:1: section [daemon] takes no name"},
		{"[engine a]\ndevice\n",
		 "t.conf:2: expected 'key = value' or '[section]', got 'device'"},
		{"[engine a]\n = x\n", "t.conf:2: missing key before '='"},
		{"[engine a]\ndevice =\n", "t.conf:2: key 'device' has no value"},
		{"[engine a]\ndevice = # nothing\n", "t.conf:2: key 'device' has no value"},
		{"[port vm1]\nsockett = /x\n", "t.conf:2: unknown key 'sockett' in [port vm1]"},
		{"[engine e]\nlcore = 1\n", "t.conf:2: unknown key 'lcore' in [engine e]"},
		{"[poller p]\ndevice = d\n", "t.conf:2: unknown key 'device' in [poller p]"},
		{"[daemon]\nsocket = /x\n", "t.conf:2: unknown key 'socket' in [daemon]"},
		{"[port p]\nsocket = /a\n# c\nsocket = /b\n",
		 "t.conf:4: duplicate key 'socket' (first on line 2)"},
		{"[port p]\nsocket = \"/a\n", "t.conf:2: unterminated quoted value"},
		{"[port p]\nsocket = \"/a\" b\n", "t.conf:2: text after quoted value"},
		{"[port p]\nsocket = rel.sock\n",
		 "t.conf:2: 'socket' must be an absolute path, got 'rel.sock'"},
		{"[port p]\nqueues = 0\n", "t.conf:2: 'queues' must be between 1 and 64, got '0'"},
		{"[port p]\nqueues = two\n", "t.conf:2: 'queues' must be a number, got 'two'"},
		{"[port p]\nqueues = -1\n", "t.conf:2: 'queues' must be a number, got '-1'"},
		{"[port p]\nqueues = 2X\n", "t.conf:2: 'queues' must be a number, got '2X'"},
		{"[port p]\nmax_request_len = 65M\n",
		 "t.conf:2: 'max_request_len' must be between 1 and 67108864, got '65M'"},
		{"[port p]\nmax_inflight = 99999999999999999999\n",
		 "t.conf:2: 'max_inflight' must be a number, got '99999999999999999999'"},
		{"[port p]\nweight = 0\n",
		 "t.conf:2: 'weight' must be between 1 and 1000, got '0'"},
		{"[port p]\nrate_bytes = 5T\n",
		 "t.conf:2: 'rate_bytes' must be a number, got '5T'"},
		{"[port p]\nperms = 0999\n",
		 "t.conf:2: 'perms' must be an octal number, got '0999'"},
		{"[port p]\nperms = 1777\n",
		 "t.conf:2: 'perms' must be between 01 and 0777, got '1777'"},
		{"[port p]\nmode = listen\n",
		 "t.conf:2: 'mode' must be server or client, got 'listen'"},
		{"[port p]\nzero_copy = maybe\n",
		 "t.conf:2: 'zero_copy' must be off, on or auto, got 'maybe'"},
		{"[port p]\nsession_layout = qemu-9\n",
		 "t.conf:2: 'session_layout' must be auto, dpdk-22.11, qemu-7 or qemu-8, got "
		 "'qemu-9'"},
		{"[port p]\npollers = a,,b/c\n", "t.conf:2: 'pollers': invalid name 'b/c'"},
		{"[port p]\nengine = a b\n", "t.conf:2: 'engine': invalid name 'a b'"},
		{"[engine e]\nnull_crypto = perhaps\n",
		 "t.conf:2: 'null_crypto' must be yes or no, got 'perhaps'"},
		{"[poller p]\nlcore = many\n",
		 "t.conf:2: 'lcore' must be 'auto' or a number up to 1023, got 'many'"},
		{"[poller p]\nburst = 0\n", "t.conf:2: 'burst' must be between 1 and 512, got '0'"},
		{"[daemon]\ncontrol = ctl\n",
		 "t.conf:2: 'control' must be an absolute path, got 'ctl'"},
		{"[daemon]\nlog_level = loud\n",
		 "t.conf:2: 'log_level' must be err, warning, notice, info or debug, got 'loud'"},
		{"[daemon]\nstats_interval = 100000\n",
		 "t.conf:2: 'stats_interval' must be between 0 and 86400, got '100000'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hostd_config_fini(&cfg);
		ck_assert_int_eq(hostd_config_init(&cfg), 0);
		err[0] = '\0';
		ck_assert_msg(parse(cases[i].text) < 0, "case %zu accepted", i);
		ck_assert_msg(!strcmp(err, cases[i].msg), "case %zu: got \"%s\", want \"%s\"", i,
			      err, cases[i].msg);
	}
}
END_TEST

START_TEST(long_line)
{
	char *text = malloc(3000);

	strcpy(text, "[engine e]\ndevice = ");
	memset(text + strlen(text), 'x', 2000);
	text[21 + 2000] = '\0';
	EXPECT_ERR(text, "t.conf:2: line too long (more than 1024 characters)");
	free(text);
}
END_TEST

START_TEST(value_too_long)
{
	char text[400];

	snprintf(text, sizeof(text), "[port p]\nsocket = /%0200d\n", 0);
	EXPECT_ERR(text, "t.conf:2: 'socket' is too long (at most 107 characters)");
}
END_TEST

/* Errors found when the whole file is known, reported at the section's line. */
START_TEST(semantic_errors)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{"", "t.conf: no [engine NAME] section (one with 'device = ...')"},
		{"[port p]\nsocket = /a\n",
		 "t.conf: no [engine NAME] section (one with 'device = ...')"},
		{"[engine e]\ndevice = d\n[engine f]\n", "t.conf:3: engine 'f': missing 'device'"},
		{"[engine e]\ndevice = d\n\n[port p]\nqueues = 1\n",
		 "t.conf:4: port 'p': missing 'socket'"},
		{"[engine e]\ndevice = d\n[port p]\nsocket = /a\nengine = f\n",
		 "t.conf:3: port 'p': unknown engine 'f'"},
		{"[engine e]\ndevice = d\n[engine f]\ndevice = d\n[port p]\nsocket = /a\n",
		 "t.conf:5: port 'p': 2 engines are defined, set 'engine'"},
		{"[engine e]\ndevice = d\n[engine f]\ndevice = d\n[poller q]\n",
		 "t.conf:5: poller 'q': 2 engines are defined, set 'engine'"},
		{"[engine e]\ndevice = d\n[poller q]\nengine = x\n",
		 "t.conf:3: poller 'q': unknown engine 'x'"},
		{"[engine e]\ndevice = d\n[port p]\nsocket = /a\npollers = q\n",
		 "t.conf:3: port 'p': unknown poller 'q'"},
		{"[engine e]\ndevice = d\n[engine f]\ndevice = d\n[poller q]\nengine = f\n"
		 "[port p]\nsocket = /a\nengine = e\npollers = q\n",
		 "t.conf:7: port 'p': poller 'q' runs engine 'f', not 'e'"},
		{"[engine e]\ndevice = d\n[port p]\nsocket = /a\n[port r]\nsocket = /a\n",
		 "t.conf:5: port 'r': socket '/a' is already used by port 'p' (line 3)"},
		{"[engine e]\ndevice = d\n[poller a]\nlcore = 1\n[poller b]\nlcore = 1\n",
		 "t.conf:5: poller 'b': lcore 1 is already used by poller 'a' (line 3)"},
		{"[engine e]\ndevice = d\n[poller a]\nqueue_pair = 0\n[poller b]\nqueue_pair = 0\n",
		 "t.conf:5: poller 'b': queue pair 0 of engine 'e' is already used by poller 'a' "
		 "(line 3)"},
		{"[engine e]\ndevice = d\nqueue_pairs = 1\n[poller a]\n[poller b]\n",
		 "t.conf:1: engine 'e': queue_pairs = 1, but poller 'b' (line 5) uses queue pair 1"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hostd_config_fini(&cfg);
		ck_assert_int_eq(hostd_config_init(&cfg), 0);
		err[0] = '\0';
		ck_assert_msg(parse(cases[i].text) < 0, "case %zu accepted", i);
		ck_assert_msg(!strcmp(err, cases[i].msg), "case %zu: got \"%s\", want \"%s\"", i,
			      err, cases[i].msg);
	}
}
END_TEST

START_TEST(missing_file)
{
	ck_assert_int_eq(hostd_config_parse_file(&cfg, "/nonexistent/x.conf", err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/x.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(nul_byte)
{
	static const char text[] = "[engine e]\ndevice = d\n";
	char path[] = "/tmp/hostd_cfg_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fwrite(text, 1, sizeof(text), f); /* includes the NUL */
	fclose(f);
	ck_assert_int_eq(hostd_config_parse_file(&cfg, path, err, sizeof(err)), -EINVAL);
	unlink(path);
	ck_assert_str_eq(err + strlen(path), ": NUL byte in file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostd_config");
	TCase *tc = tcase_create("parser");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, minimal);
	tcase_add_test(tc, all_keys);
	tcase_add_test(tc, comments_and_quotes);
	tcase_add_test(tc, pollers_and_queue_pairs);
	tcase_add_test(tc, daemon_reopened_overrides);
	tcase_add_test(tc, shipped_example_config);
	tcase_add_test(tc, port_keys_for_control_socket);
	tcase_add_test(tc, qos_keys);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, value_too_long);
	tcase_add_test(tc, semantic_errors);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, nul_byte);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
