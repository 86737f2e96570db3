/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/**
 * @file
 * @brief Host side: share DPDK cryptodevs with guests through vhost-user.
 *
 * Link with `pkg-config --libs vcrypto`. No DPDK type appears in this
 * header; DPDK is a private dependency.
 *
 * @par Objects
 * - An **engine** (struct vcrypto_engine) is one cryptodev with its queue
 *   pairs, session pool and op/mbuf pools. vcrypto either creates and
 *   configures the device (vcrypto_engine_create()) or uses a device the
 *   application already configured (vcrypto_engine_attach()).
 * - A **port** (struct vcrypto_port) is one vhost-user socket serving one
 *   guest device. It owns that guest's sessions (mapped to cryptodev
 *   sessions of its engine) and its data queues.
 * - A **poller** (struct vcrypto_poller) is the burst pipeline over a set of
 *   (port, queue) pairs and one engine queue pair. vcrypto_poller_poll()
 *   does one round and returns; a vswitch calls it from its own loop, a
 *   standalone program can use vcrypto_poller_launch() instead.
 *
 * @par Lifecycle
 * 1. The application initialises DPDK's EAL (or calls vcrypto_eal_init()).
 * 2. vcrypto_engine_create() / vcrypto_engine_attach().
 * 3. vcrypto_poller_create() for each data-plane thread.
 * 4. vcrypto_port_create() for each guest, then vcrypto_poller_add_port()
 *    for each of its queues. Ports can be created and destroyed at any time
 *    while pollers run.
 * 5. Teardown in reverse: vcrypto_port_destroy() (detaches the port from
 *    its pollers and completes its in-flight requests first),
 *    vcrypto_poller_destroy(), vcrypto_engine_destroy().
 *
 * @par The burst pipeline
 * Each round of a poller, for each of its (port, queue) pairs in turn:
 * fetch at most min(burst, free inflight slots) requests from the guest's
 * ring, validate and translate them into cryptodev operations, enqueue
 * them (what the device does not accept is kept, in order, for the next
 * round; a guest's request is never dropped nor parsed twice), dequeue
 * finished operations, write results and status back into guest memory,
 * publish used entries (possibly out of order), and signal each guest that
 * got completions once per round. Malformed requests complete with an
 * error status and never stall the queue.
 *
 * @par Quality of service
 * A port may be limited in requests and bytes per second and in requests
 * in flight (vcrypto_port_set_limits(), or the same fields in
 * vcrypto_port_opts); a port at its limit stops fetching and its requests
 * wait in the guest's ring. When a poller serves several (port, queue)
 * pairs, it fetches no more than its queue pair can take and shares that
 * budget among the queues that have work in proportion to their ports'
 * weights (deficit round robin), so a busy guest cannot starve a light one.
 * The first engine created registers DPDK telemetry commands
 * (`/vcrypto/ports`, `/vcrypto/port,<name>`, `/vcrypto/pollers`,
 * `/vcrypto/poller,<id>`) that show every port's and poller's counters.
 *
 * @par Threads
 * Control-plane functions may be called from any thread; they are
 * serialized internally. vcrypto_poller_poll() is the data-plane call: one
 * thread per poller, no locks taken across the round except one uncontended
 * lock per port queue, no allocation.
 */
#ifndef VCRYPTO_HOST_H
#define VCRYPTO_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vcrypto/crypto.h>
#include <vcrypto/vcrypto.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A cryptodev set up for vcrypto. Opaque. */
struct vcrypto_engine;
/** A vhost-user socket serving one guest device. Opaque. */
struct vcrypto_port;
/** A burst pipeline run by one thread. Opaque. */
struct vcrypto_poller;

/**
 * Initialise DPDK's EAL for a standalone program.
 *
 * A convenience for programs that do not otherwise use DPDK: it calls
 * rte_eal_init() with @p argc and @p argv. vcrypto never initialises the
 * EAL on its own; an application that already did must not call this.
 *
 * @param argc Argument count, as for rte_eal_init().
 * @param argv Arguments, as for rte_eal_init().
 * @return The number of arguments consumed (>= 0), or a negative errno
 *         (-EALREADY if the EAL is already initialised, -EINVAL for bad
 *         arguments, or what rte_eal_init() reported).
 *
 * @par Thread safety
 * Main thread, once.
 */
VCRYPTO_API int vcrypto_eal_init(int argc, char **argv);

/**
 * Release DPDK's EAL after vcrypto_eal_init().
 *
 * All vcrypto objects must be destroyed first.
 *
 * @par Thread safety
 * Main thread, once.
 */
VCRYPTO_API void vcrypto_eal_cleanup(void);

/** Flags for vcrypto_engine_opts::flags. */
enum vcrypto_engine_flags {
	/**
	 * For measurement only: run every session on a `crypto_null` device
	 * (created as needed) instead of the engine's device, so results are
	 * NOT encrypted. Shows what the vhost path itself costs. On a device
	 * with CPU crypto (see ::VCRYPTO_ENGINE_F_NO_CPU_CRYPTO), the requests
	 * it would compute in the poller take that path with the computation
	 * left out (their data is left as it is); the others go through
	 * `crypto_null`'s queue pair, which writes no separate destination.
	 */
	VCRYPTO_ENGINE_F_NULL_CRYPTO = 1u << 0,
	/**
	 * Never use the device's synchronous CPU crypto API. By default, a
	 * device that offers it (`crypto_aesni_mb`) runs cipher, AEAD and
	 * whole-buffer cipher-then-hash requests through it, in the poller,
	 * without an op, mbuf or queue pair: in place in zero-copy mode, and
	 * up to 4 KiB on a copy in copy mode; with this flag every request goes
	 * through the queue pair (enqueue/dequeue). DPDK 22.11's
	 * `crypto_aesni_mb` keeps about 200 KB of per-thread state for every
	 * thread that ran CPU crypto, until the process exits: an application
	 * that polls from short-lived threads should set this flag.
	 */
	VCRYPTO_ENGINE_F_NO_CPU_CRYPTO = 1u << 1,
};

/** Options of vcrypto_engine_create() and vcrypto_engine_attach(). */
struct vcrypto_engine_opts {
	size_t sz;		   /**< sizeof(struct vcrypto_engine_opts). */
	uint16_t nb_queue_pairs;   /**< create: queue pairs to configure; attach: pairs vcrypto may use, from first_queue_pair. Default: 1 per lcore of the EAL, at most the device's maximum. */
	uint16_t first_queue_pair; /**< attach: first queue pair vcrypto may use. Default: 0. */
	uint32_t qp_descriptors;   /**< create: descriptors per queue pair; attach: the number the application configured (vcrypto keeps fewer ops than this in a queue pair). Default: 2048. */
	uint32_t max_sessions;	   /**< Sessions across all ports of this engine. Default: 2048. */
	uint32_t nb_ops;	   /**< Operations (and mbufs) in the pools. Default: 8192. */
	int socket_id;		   /**< NUMA socket of the pools. Default (0 or SOCKET_ID_ANY as -1): the device's socket. */
	uint32_t flags;		   /**< Bitwise OR of vcrypto_engine_flags. Default: 0. */
};

/**
 * Create an engine on a cryptodev, creating and configuring the device.
 *
 * @param[in]  device A cryptodev name that exists ("crypto_aesni_mb0"), or
 *                    virtual device arguments to create one
 *                    ("crypto_openssl,max_nb_queue_pairs=4").
 * @param[in]  opts   Options, or NULL for the defaults.
 * @param[out] out    The engine; written only on success.
 * @return 0, or:
 *   - -EINVAL: bad argument or option;
 *   - -ENODEV: no such device and it could not be created;
 *   - -ENOTSUP: the device lacks symmetric crypto;
 *   - -EBUSY: the device is already started by someone else (use attach);
 *   - -ENOMEM: pools could not be allocated;
 *   - -EIO: the device refused its configuration.
 *
 * @par Thread safety
 * Control plane, after the EAL is initialised.
 */
VCRYPTO_API int vcrypto_engine_create(const char *device, const struct vcrypto_engine_opts *opts,
				      struct vcrypto_engine **out);

/**
 * Create an engine on a cryptodev the application already configured and
 * started (the embedding case).
 *
 * vcrypto uses queue pairs [first_queue_pair, first_queue_pair +
 * nb_queue_pairs) only, and does not stop or close the device.
 *
 * @param[in]  dev_id The device's DPDK id.
 * @param[in]  opts   Options, or NULL for the defaults (all queue pairs).
 * @param[out] out    The engine; written only on success.
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP, -ENOMEM (as vcrypto_engine_create()).
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_engine_attach(uint8_t dev_id, const struct vcrypto_engine_opts *opts,
				      struct vcrypto_engine **out);

/**
 * Destroy an engine. Accepts NULL.
 *
 * Every port and poller using it must have been destroyed. A device
 * created by vcrypto_engine_create() is stopped and closed.
 *
 * @param e The engine.
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API void vcrypto_engine_destroy(struct vcrypto_engine *e);

/**
 * Whether the engine's device can run a session with these parameters.
 *
 * Checks the device's capabilities (algorithm, key, digest and IV sizes).
 *
 * @param e      The engine.
 * @param params Session parameters; keys are not used.
 * @return 1 if supported, 0 if not, -EINVAL for invalid parameters.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_engine_supports(const struct vcrypto_engine *e,
					const struct vcrypto_session_params *params);

/** Server (listen) or client (connect) end of the vhost-user socket. */
enum vcrypto_port_mode {
	VCRYPTO_PORT_SERVER = 0, /**< vcrypto listens; the hypervisor connects (QEMU `server=off`). */
	VCRYPTO_PORT_CLIENT = 1, /**< vcrypto connects, and reconnects when the peer restarts. */
};

/**
 * When the cryptodev works on guest memory directly instead of on copies.
 *
 * Zero copy needs DPDK in IOVA-as-VA mode and applies to a request if its
 * source, destination and digest are each contiguous in host memory and at
 * most 65535 bytes long (DPDK's mbuf lengths are 16-bit); out-of-place zero
 * copy (destination != source) is used for plain cipher and AEAD requests
 * only; on a device with CPU crypto (`crypto_aesni_mb`) such a request of up
 * to 1 KiB, an AES-GCM request over 65535 bytes and a cipher-then-hash
 * request over its whole data have their data copied from source to
 * destination in guest memory and are computed there.
 * On a device that takes scatter-gather (`crypto_openssl`, not
 * `crypto_aesni_mb`), a request whose data is in several pieces of host
 * memory, or longer than 65535 bytes, is zero copy too (a chain of up to 32
 * mbufs over the guest's pieces) if it is an in-place cipher or
 * cipher-then-hash request, or an out-of-place cipher or AES-GCM request with
 * one destination buffer; its digest or tag must be one piece; the cipher
 * must be AES-CBC, AES-CTR or 3DES-CBC. Other requests are copied whatever
 * the policy.
 */
enum vcrypto_zero_copy {
	VCRYPTO_ZERO_COPY_OFF = 0,  /**< Always copy (safe default). */
	VCRYPTO_ZERO_COPY_ON = 1,   /**< Always work in place on guest memory. */
	/**
	 * Copy until the guest driver's self-test phase is over (see
	 * vcrypto_port_opts::zc_after_requests and zc_after_ms), then zero-copy.
	 */
	VCRYPTO_ZERO_COPY_AUTO = 2,
};

/** Options of vcrypto_port_create(). */
struct vcrypto_port_opts {
	size_t sz;			/**< sizeof(struct vcrypto_port_opts). */
	const char *name;		/**< Name in stats and logs. Copied. Default: the socket path. */
	enum vcrypto_port_mode mode;	/**< Default: VCRYPTO_PORT_SERVER. */
	uint32_t socket_perms;		/**< Server: permission bits of the socket file. Default: 0600. */
	const char *socket_group;	/**< Server: group name or number to own the socket. Default: unchanged. */
	uint16_t num_queues;		/**< Data queues offered to the guest, at most 64. Default: 1. */
	enum vcrypto_session_layout session_layout; /**< Default: detect per message. */
	enum vcrypto_zero_copy zero_copy; /**< Default: VCRYPTO_ZERO_COPY_OFF. */
	uint32_t zc_after_requests;	/**< AUTO: successful requests before zero-copy starts. Default: 1024. */
	uint32_t zc_after_ms;		/**< AUTO: and milliseconds since the device became ready. Default: 2000. */
	uint32_t max_sessions;		/**< Sessions this guest may hold, at most 2^24. Default: 256. */
	uint32_t max_inflight;		/**< Requests of one queue in the cryptodev at once (never more than the queue size), at most 32768. Default: 1024. */
	uint32_t max_request_len;	/**< Largest data length of one request. Default: 256 KiB. */
	uint32_t max_chain_descs;	/**< Most descriptors one request may use, at most 65536. Default: 4096. */
	uint64_t rate_ops;		/**< Requests per second this port may start, summed over its queues; see vcrypto_port_limits. Default: 0 (unlimited). */
	uint64_t rate_bytes;		/**< Data bytes per second this port may start. Default: 0 (unlimited). */
	uint64_t burst_ops;		/**< Requests that may start at once after an idle time (bucket depth). Default: rate_ops / 10, at least 1 (0 without rate_ops). */
	uint64_t burst_bytes;		/**< Bytes that may start at once after an idle time. Default: rate_bytes / 10, at least 1 (0 without rate_bytes). */
	uint32_t weight;		/**< Share of a busy poller's queue pair relative to the other ports of that poller (1 to 1000). Default: 1. */
};

/** Connection state of a port. */
enum vcrypto_port_state {
	VCRYPTO_PORT_WAITING = 0,   /**< No front end connected. */
	VCRYPTO_PORT_CONNECTED = 1, /**< Connected, rings not set up yet. */
	VCRYPTO_PORT_READY = 2,	    /**< Serving requests. */
	VCRYPTO_PORT_STOPPED = 3,   /**< Being torn down. */
};

/**
 * Create a port: a vhost-user socket for one guest device.
 *
 * Limits a guest meets: AEAD requests whose data exceed 256 KiB complete
 * with VCRYPTO_STATUS_NOTSUPP (the cryptodev wants the result in one
 * contiguous buffer); a copied result may be scattered over at most 64
 * guest buffers, else the request completes with VCRYPTO_STATUS_ERR.
 *
 * @param[in]  path   Socket path. Server mode creates it (an existing
 *                    socket file is replaced); client mode connects to it.
 * @param[in]  engine The engine that runs this guest's sessions.
 * @param[in]  opts   Options, or NULL for the defaults.
 * @param[out] out    The port; written only on success.
 * @return 0, or:
 *   - -EINVAL: bad argument or option;
 *   - -EEXIST: a port with this path exists;
 *   - -EPERM: the socket's group or permissions could not be set;
 *   - -EIO: DPDK's vhost library refused the socket;
 *   - -ENOMEM.
 *
 * @par Thread safety
 * Control plane, while pollers run.
 */
VCRYPTO_API int vcrypto_port_create(const char *path, struct vcrypto_engine *engine,
				    const struct vcrypto_port_opts *opts, struct vcrypto_port **out);

/**
 * Destroy a port. Accepts NULL.
 *
 * Detaches it from every poller (waiting for their current round), lets
 * in-flight requests finish and completes them to the guest if it is still
 * connected, frees its cryptodev sessions, closes the connection and
 * removes the socket.
 *
 * @param port The port.
 *
 * @par Thread safety
 * Control plane, while pollers run; not from a poller's own thread
 * unless that poller is not running.
 */
VCRYPTO_API void vcrypto_port_destroy(struct vcrypto_port *port);

/**
 * The port's name.
 *
 * @param port The port.
 * @return The name; valid until the port is destroyed.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API const char *vcrypto_port_name(const struct vcrypto_port *port);

/**
 * Change the zero-copy policy at run time.
 *
 * Takes effect for requests fetched after the call; requests in flight
 * finish in the mode they started in.
 *
 * @param port The port.
 * @param zc   The new policy.
 * @return 0, or -EINVAL.
 *
 * @par Thread safety
 * Any thread, while pollers run.
 */
VCRYPTO_API int vcrypto_port_set_zero_copy(struct vcrypto_port *port, enum vcrypto_zero_copy zc);

/** Counters of a port, summed over its queues. */
struct vcrypto_port_stats {
	size_t sz;		    /**< Set by the caller: sizeof(struct vcrypto_port_stats). */
	enum vcrypto_port_state state; /**< Current state. */
	uint64_t requests;	    /**< Requests completed (any status). */
	uint64_t requests_ok;	    /**< Requests completed with VCRYPTO_STATUS_OK. */
	uint64_t bytes;		    /**< Data bytes of requests completed OK. */
	uint64_t err_badmsg;	    /**< Completed with VCRYPTO_STATUS_BADMSG (malformed or auth failure). */
	uint64_t err_notsupp;	    /**< Completed with VCRYPTO_STATUS_NOTSUPP. */
	uint64_t err_invsess;	    /**< Completed with VCRYPTO_STATUS_INVSESS. */
	uint64_t err_other;	    /**< Completed with VCRYPTO_STATUS_ERR. */
	uint64_t err_ring;	    /**< Ring errors that stopped a queue (guest broke the virtio rules). */
	uint64_t zero_copy_requests; /**< Requests processed in zero-copy mode. */
	uint64_t notifications;	    /**< Call eventfd signals sent. */
	uint64_t sessions_created;  /**< Sessions created. */
	uint64_t sessions_closed;   /**< Sessions closed. */
	uint64_t sessions_failed;   /**< Session creations refused. */
	uint32_t sessions_active;   /**< Sessions open now. */
	uint32_t inflight;	    /**< Requests in the cryptodev now (with long AES-CBC requests the poller runs in slices, see docs/qos.md). */
	uint32_t backlog;	    /**< Requests fetched but not yet accepted by the cryptodev. */
	uint32_t connects;	    /**< Front-end connections so far. */
	uint64_t throttled_rounds;  /**< Poller visits that found requests waiting but left them in the ring because of the rate limits. */
	uint64_t throttled_ns;	    /**< Time the port spent held back by its rate limits, in nanoseconds (approximate). */
	uint64_t general_walks;	    /**< Requests whose descriptors the host read with its general walk, not its one-pass path for the usual layout (one indirect table, entries in order, each buffer inside one memory region): a sign of a front end's unusual layout, which costs more per request; malformed requests count too. */
};

/**
 * Read a port's counters.
 *
 * Does not stop the data path; counters are read one by one, so they may
 * be from slightly different moments.
 *
 * @param[in]  port  The port.
 * @param[out] stats Filled up to stats->sz bytes; stats->sz must be set.
 * @return 0, or -EINVAL.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_port_stats_get(const struct vcrypto_port *port,
				       struct vcrypto_port_stats *stats);

/**
 * Quality-of-service limits of a port (vcrypto_port_set_limits()).
 *
 * Rates are token buckets refilled continuously: a port whose bucket is
 * empty simply stops fetching; its requests wait in the guest's ring
 * (delayed, never failed or dropped). Bytes are charged by the data length
 * of a request once it is parsed, so the byte bucket may go negative by one
 * request. Zero means unlimited (rates) or the default (the others).
 */
struct vcrypto_port_limits {
	size_t sz;		/**< sizeof(struct vcrypto_port_limits). */
	uint64_t rate_ops;	/**< Requests per second, summed over the port's queues. Default: 0 (unlimited). */
	uint64_t rate_bytes;	/**< Data bytes per second. Default: 0 (unlimited). */
	uint64_t burst_ops;	/**< Bucket depth in requests. Default: rate_ops / 10, at least 1 (0 without rate_ops). */
	uint64_t burst_bytes;	/**< Bucket depth in bytes. Default: rate_bytes / 10, at least 1 (0 without rate_bytes). */
	uint32_t max_inflight;	/**< Requests of one queue fetched and not completed at once; at most vcrypto_port_opts::max_inflight takes effect. Default: vcrypto_port_opts::max_inflight. */
	uint32_t weight;	/**< Fair-share weight on the port's poller(s), 1 to 1000; applies to each of the port's queues. Default: 1. */
};

/**
 * Change a port's limits and weight while it runs.
 *
 * All fields are replaced at once (a zero field takes its default, see
 * vcrypto_port_limits). Pollers pick up the new values at their next round;
 * they never wait for this call nor this call for them.
 *
 * @param port   The port.
 * @param limits The new limits; limits->sz must be set.
 * @return 0, or -EINVAL (NULL argument, bad sz, weight above 1000,
 *         max_inflight above 32768).
 *
 * @par Thread safety
 * Any thread, also while pollers run.
 */
VCRYPTO_API int vcrypto_port_set_limits(struct vcrypto_port *port,
					const struct vcrypto_port_limits *limits);

/**
 * Read a port's limits and weight as in force (defaults filled in).
 *
 * @param[in]  port   The port.
 * @param[out] limits Filled up to limits->sz bytes; limits->sz must be set.
 * @return 0, or -EINVAL.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_port_get_limits(const struct vcrypto_port *port,
					struct vcrypto_port_limits *limits);

/** Options of vcrypto_poller_create(). */
struct vcrypto_poller_opts {
	size_t sz;	     /**< sizeof(struct vcrypto_poller_opts). */
	uint16_t burst;	     /**< Most requests fetched from one queue per round, times its port's weight (vcrypto_port_limits::weight). Default: 32. */
	uint16_t queue_pair; /**< The engine's queue pair this poller owns (no two pollers share one), counted from the engine's first one (vcrypto_engine_opts::first_queue_pair). Default: 0. */
	uint32_t quantum_bytes; /**< Fair sharing while two or more of this poller's queues are active: request bytes one queue may fetch per turn, times its port's weight (a larger request is taken whole and the excess charged to its next turn). Bounds the work a light guest's request waits behind. On a device that runs requests side by side (crypto_aesni_mb's lanes, hardware), a turn takes at least 16 (times the weight) past the quantum, except those intel-ipsec-mb runs one after another (AES-GCM, AES-CTR, AES-CBC decryption); and AES-CBC encryptions longer than a sixteenth of the quantum (times the weight) run in slices of that size on such devices (half that size through CPU crypto in copy mode, where each slice is also copied in and out), one slice of each per round, if the queue's turns bring half the device's 16 lanes' worth of them or end at the queue's own limits (docs/qos.md). Default: 65536; larger favours the throughput of large requests on multi-lane devices, smaller a light guest's latency. */
};

/**
 * Create a poller on one queue pair of an engine.
 *
 * @param[in]  engine The engine.
 * @param[in]  opts   Options, or NULL for the defaults.
 * @param[out] out    The poller; written only on success.
 * @return 0, or -EINVAL, -EBUSY (queue pair taken by another poller),
 *         -ENOMEM.
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_poller_create(struct vcrypto_engine *engine,
				      const struct vcrypto_poller_opts *opts,
				      struct vcrypto_poller **out);

/**
 * Destroy a poller. Accepts NULL.
 *
 * It must not be running (stop it first, or stop calling poll). Ports still
 * attached are detached, their in-flight requests completed first.
 *
 * @param p The poller.
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API void vcrypto_poller_destroy(struct vcrypto_poller *p);

/**
 * Let a poller serve one data queue of a port.
 *
 * Takes effect at the poller's next round. A (port, queue) pair is served
 * by one poller at a time. The port must use the poller's engine.
 *
 * @param p     The poller.
 * @param port  The port.
 * @param queue The port's data queue index.
 * @return 0, or -EINVAL (bad queue, other engine), -EBUSY (served
 *         elsewhere), -ENOSPC (poller full), -ENOMEM.
 *
 * @par Thread safety
 * Control plane, while the poller runs.
 */
VCRYPTO_API int vcrypto_poller_add_port(struct vcrypto_poller *p, struct vcrypto_port *port,
					uint16_t queue);

/**
 * Stop serving a data queue of a port.
 *
 * Waits until the poller has finished the requests of that queue that are
 * in the cryptodev (if the poller is running in another thread, it must
 * keep polling meanwhile). Requests still in the guest's ring stay there.
 *
 * @param p     The poller.
 * @param port  The port.
 * @param queue The queue.
 * @return 0, -ENOENT (not served by @p p), or -ETIMEDOUT (the poller did not
 *         make progress for 5 s).
 *
 * @par Thread safety
 * Control plane, from a thread other than the poller's while it runs.
 */
VCRYPTO_API int vcrypto_poller_remove_port(struct vcrypto_poller *p, struct vcrypto_port *port,
					   uint16_t queue);

/**
 * Run one round of the burst pipeline.
 *
 * @param p The poller.
 * @return The number of requests fetched plus completed in this round
 *         (0 when idle), for the caller's own idle back-off.
 *
 * @par Thread safety
 * Data plane: one thread per poller. No allocation; takes only the
 * per-queue locks it shares with vhost-user message handling.
 */
VCRYPTO_API int vcrypto_poller_poll(struct vcrypto_poller *p);

/**
 * Run a poller on a DPDK worker lcore until vcrypto_poller_stop().
 *
 * @param p        The poller.
 * @param lcore_id An lcore in the WAIT state.
 * @return 0, -EINVAL, -EBUSY (lcore busy or poller already launched).
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_poller_launch(struct vcrypto_poller *p, unsigned int lcore_id);

/**
 * Stop a poller started by vcrypto_poller_launch() and wait for its lcore.
 *
 * @param p The poller.
 * @return 0, or -EINVAL if it was not launched.
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_poller_stop(struct vcrypto_poller *p);

/** Counters of a poller. */
struct vcrypto_poller_stats {
	size_t sz;		/**< Set by the caller: sizeof(struct vcrypto_poller_stats). */
	uint64_t rounds;	/**< Calls of vcrypto_poller_poll(). */
	uint64_t busy_rounds;	/**< Rounds that did work. */
	uint64_t fetched;	/**< Requests fetched from guests. */
	uint64_t enqueued;	/**< Operations accepted by the cryptodev. */
	uint64_t enqueue_retries; /**< Operations the cryptodev refused at first and kept for later. */
	uint64_t dequeued;	/**< Operations returned by the cryptodev. */
	uint64_t completed;	/**< Requests completed to guests (including errors). */
	uint64_t notifications; /**< Call eventfd signals sent. */
	uint32_t ports;		/**< (port, queue) pairs served. */
	uint32_t inflight;	/**< Operations in the cryptodev now. */
	uint32_t backlog;	/**< Operations waiting to be enqueued. */
	/**
	 * Most requests per enqueue call now: 16, or 8 when the poller
	 * measured that the device does its work inside enqueue (as
	 * `crypto_openssl` does). Each chunk is dequeued and its completions
	 * published at once, so guests reuse them while the rest is computed.
	 */
	uint32_t enqueue_chunk;
	/**
	 * Requests run through the device's synchronous CPU crypto API in the
	 * poller (see #VCRYPTO_ENGINE_F_NO_CPU_CRYPTO); they are counted in
	 * fetched and completed, never in enqueued or dequeued.
	 */
	uint64_t cpu_processed;
};

/**
 * Read a poller's counters.
 *
 * @param[in]  p     The poller.
 * @param[out] stats Filled up to stats->sz bytes; stats->sz must be set.
 * @return 0, or -EINVAL.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_poller_stats_get(const struct vcrypto_poller *p,
					 struct vcrypto_poller_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* VCRYPTO_HOST_H */
