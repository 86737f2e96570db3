/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * vcrypto-hostd configuration: an INI-style file parsed into plain structs.
 *
 * This file has no dependency on DPDK or on libvcrypto's functions (only on
 * the enums of <vcrypto/host.h>), so unit tests and fuzz targets can use it
 * alone.
 */
#ifndef HOSTD_CONFIG_H
#define HOSTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vcrypto/host.h>

#define HOSTD_NAME_MAX 64
#define HOSTD_PATH_MAX 108 /* sun_path */
#define HOSTD_DEVICE_MAX 256
#define HOSTD_MAX_ENGINES 16
#define HOSTD_MAX_POLLERS 128
#define HOSTD_MAX_PORTS 1024
#define HOSTD_MAX_PORT_POLLERS 16
#define HOSTD_MAX_QUEUES 64

/** [engine NAME] */
struct hostd_engine_cfg {
	char name[HOSTD_NAME_MAX];
	char device[HOSTD_DEVICE_MAX]; /* required */
	uint16_t queue_pairs;	       /* 0: as many as its pollers need */
	uint32_t qp_descriptors;       /* 0: library default */
	uint32_t max_sessions;	       /* 0: library default */
	uint32_t nb_ops;	       /* 0: library default */
	bool null_crypto;
	bool no_cpu_crypto; /* cpu_crypto = no */
	int line;
};

/** [poller NAME] */
struct hostd_poller_cfg {
	char name[HOSTD_NAME_MAX];
	char engine[HOSTD_NAME_MAX]; /* "": the only engine */
	int lcore;		     /* -1: next free worker lcore (or the main thread) */
	uint16_t burst;		     /* 0: library default */
	uint32_t quantum_bytes;	     /* 0: library default */
	int queue_pair;		     /* -1: next free queue pair of its engine */
	bool implicit;		     /* created by hostd_config_finalize() */
	int line;
};

/** [port NAME] (also the keys of the control socket's add-port) */
struct hostd_port_cfg {
	char name[HOSTD_NAME_MAX];
	char socket[HOSTD_PATH_MAX]; /* required */
	char engine[HOSTD_NAME_MAX]; /* "": the only engine */
	enum vcrypto_port_mode mode;
	uint32_t perms; /* 0: library default (0600) */
	char group[HOSTD_NAME_MAX];
	uint16_t queues; /* 0: 1 */
	enum vcrypto_zero_copy zero_copy;
	uint32_t zc_after_requests;
	uint32_t zc_after_ms;
	uint32_t max_sessions;
	uint32_t max_inflight;
	uint32_t max_request_len;
	uint32_t max_chain_descs;
	enum vcrypto_session_layout session_layout;
	/* rate_ops, rate_bytes, burst_ops, burst_bytes, weight (max_inflight: above) */
	struct vcrypto_port_limits limits;
	/* Pollers serving queue i: pollers[i % nb_pollers]; none: spread over the engine's. */
	char pollers[HOSTD_MAX_PORT_POLLERS][HOSTD_NAME_MAX];
	unsigned int nb_pollers;
	int line;
};

/** [daemon] */
struct hostd_daemon_cfg {
	char control[HOSTD_PATH_MAX]; /* "": no control socket */
	unsigned int stats_interval;  /* seconds, 0: off */
	unsigned int idle_sleep_us;   /* main-thread polling only; default 0 */
	int log_level;		      /* 0: library default */
};

struct hostd_config {
	struct hostd_daemon_cfg daemon;
	struct hostd_engine_cfg engines[HOSTD_MAX_ENGINES];
	unsigned int nb_engines;
	struct hostd_poller_cfg pollers[HOSTD_MAX_POLLERS];
	unsigned int nb_pollers;
	struct hostd_port_cfg *ports; /* HOSTD_MAX_PORTS entries, heap */
	unsigned int nb_ports;
};

/** Zero @p cfg and set the defaults. Returns 0 or -ENOMEM. */
int hostd_config_init(struct hostd_config *cfg);
/** Free what hostd_config_init() allocated. Accepts NULL. */
void hostd_config_fini(struct hostd_config *cfg);

/**
 * Parse configuration text into @p cfg (which hostd_config_init() prepared;
 * several texts may be parsed into one config).
 *
 * @param text  NUL-terminated text.
 * @param fname File name used in error messages.
 * @param err   Receives "FNAME:LINE: what is wrong" on error.
 * @return 0, or -EINVAL (syntax or value error), -ENOSPC (too many objects).
 */
int hostd_config_parse_string(struct hostd_config *cfg, const char *text, const char *fname,
			      char *err, size_t errlen);

/** As hostd_config_parse_string(), reading @p path. -errno if it cannot be read. */
int hostd_config_parse_file(struct hostd_config *cfg, const char *path, char *err, size_t errlen);

/**
 * Check cross-references and fill defaults: each port and poller gets its
 * engine, an engine with no poller gets one implicit poller, queue pairs are
 * assigned and checked. Errors name the line of the section at fault.
 *
 * @param fname File name used in error messages.
 * @return 0 or -EINVAL.
 */
int hostd_config_finalize(struct hostd_config *cfg, const char *fname, char *err, size_t errlen);

/** Initialise a port config with its defaults. */
void hostd_port_cfg_init(struct hostd_port_cfg *p, const char *name);

/**
 * Set one key of a port ("socket", "queues", ...).
 *
 * @param err Receives "what is wrong" (no file or line) on error.
 * @return 0, -ENOENT (unknown key) or -EINVAL (bad value).
 */
int hostd_port_cfg_set(struct hostd_port_cfg *p, const char *key, const char *value, char *err,
		       size_t errlen);

/**
 * Resolve a runtime-added port against a finalized config (engine given or
 * the only one, pollers exist and use that engine).
 *
 * @return 0 or -EINVAL with a message in @p err.
 */
int hostd_port_cfg_check(const struct hostd_config *cfg, struct hostd_port_cfg *p, char *err,
			 size_t errlen);

/**
 * Set one quality-of-service key (rate_ops, rate_bytes, burst_ops,
 * burst_bytes, weight, max_inflight) in @p l; the control socket's
 * set-limits. Rates take K/M/G suffixes; 0 means unlimited (rates) or the
 * default (the rest).
 * @return 0, -ENOENT (not such a key) or -EINVAL (bad value).
 */
int hostd_limits_set(struct vcrypto_port_limits *l, const char *key, const char *value, char *err,
		     size_t errlen);

/** Index of the engine called @p name, or -1. */
int hostd_config_find_engine(const struct hostd_config *cfg, const char *name);
/** Index of the poller called @p name, or -1. */
int hostd_config_find_poller(const struct hostd_config *cfg, const char *name);

/** Names of enum values, for messages. */
const char *hostd_zero_copy_name(enum vcrypto_zero_copy zc);
const char *hostd_layout_name(enum vcrypto_session_layout l);

#endif /* HOSTD_CONFIG_H */
