/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/**
 * @file
 * @brief Guest side: a virtio-crypto front end over vhost-user, without DPDK.
 *
 * A container (or any process) uses the host's shared crypto device by
 * speaking vhost-user to the host's socket itself ("virtio-user"). Link with
 * `pkg-config --libs vcrypto-guest`; no DPDK header or library is needed.
 *
 * @par Lifecycle
 * 1. vcrypto_guest_connect() connects to the host's socket, negotiates,
 *    shares a memfd memory region and sets up the data virtqueues.
 * 2. vcrypto_guest_session_create() creates sessions (keys go to the host
 *    once, in the session message).
 * 3. vcrypto_guest_buf_alloc() hands out data buffers inside the shared
 *    region: the host reads and writes them directly, nothing is copied on
 *    the guest side.
 * 4. vcrypto_guest_submit() queues requests without waiting;
 *    vcrypto_guest_poll() collects completions (in any order, each with its
 *    virtio status); vcrypto_guest_wait() sleeps on the queue's call eventfd.
 *    vcrypto_guest_run() does one request synchronously.
 * 5. vcrypto_guest_destroy() disconnects and frees everything.
 *
 * @par Disconnects
 * If the host goes away, every outstanding request completes with status
 * `-ENOTCONN` and further calls fail with `-ENOTCONN`. The buffers stay
 * valid. vcrypto_guest_reconnect() connects again on the same path; sessions
 * do not survive and must be created again. A host that does not answer a
 * control-plane message within 5 seconds is treated the same way (the call
 * fails with `-ETIMEDOUT`): its reply could still come, and would be taken
 * for the next message's.
 *
 * @par Threads
 * Control-plane calls (connect, sessions, buffer allocation, reconnect,
 * destroy) are serialized internally and may be made from any thread.
 * Data-plane calls (submit, poll, wait, run) on one queue must come from one
 * thread at a time; different queues may be driven from different threads.
 */
#ifndef VCRYPTO_GUEST_H
#define VCRYPTO_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vcrypto/crypto.h>
#include <vcrypto/vcrypto.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A connection to a host's virtio-crypto vhost-user socket. Opaque. */
struct vcrypto_guest;

/** Flags for vcrypto_guest_opts::flags. */
enum vcrypto_guest_flags {
	/**
	 * Chain each request's descriptors directly in the ring instead of
	 * through one indirect table. Uses several ring slots per request.
	 * DPDK 22.11's own vhost-crypto back end requires indirect tables,
	 * vcrypto's host takes both.
	 */
	VCRYPTO_GUEST_F_DIRECT_DESC = 1u << 0,
	/**
	 * Do not negotiate VIRTIO_RING_F_EVENT_IDX: notifications are then
	 * suppressed only with the ring flags (VRING_USED_F_NO_NOTIFY,
	 * VRING_AVAIL_F_NO_INTERRUPT), never with used_event/avail_event
	 * (for tests of a host's handling of both modes).
	 */
	VCRYPTO_GUEST_F_NO_EVENT_IDX = 1u << 1,
	/**
	 * The application busy-polls: vcrypto_guest_poll() finding nothing
	 * does not ask the host to signal the call eventfd (each signal costs
	 * the host a system call). vcrypto_guest_wait() still asks, so it
	 * keeps working; an event loop sleeping on vcrypto_guest_call_fd()
	 * must not set this flag.
	 */
	VCRYPTO_GUEST_F_BUSY_POLL = 1u << 2,
	/**
	 * Give a request's header, IV and AAD a descriptor each, as Linux's
	 * virtio_crypto driver and DPDK's virtio crypto PMD do. Without this
	 * flag, a host that offers VIRTIO_F_ANY_LAYOUT (vcrypto's host does)
	 * gets the three in one descriptor, which saves it a descriptor per
	 * request; a host that does not offer it (DPDK 22.11's own
	 * vhost-crypto back end, which reads each part from its own
	 * descriptor) gets a descriptor per part anyway. For measuring a
	 * host with the layout VM guests send.
	 */
	VCRYPTO_GUEST_F_DESC_PER_PART = 1u << 3,
};

/** Options of vcrypto_guest_connect(). */
struct vcrypto_guest_opts {
	size_t sz;		/**< sizeof(struct vcrypto_guest_opts). */
	uint16_t num_queues;	/**< Data virtqueues. Default: 1. */
	uint16_t queue_size;	/**< Entries per virtqueue, a power of two up to 32768. Default: 256. */
	uint32_t flags;		/**< Bitwise OR of vcrypto_guest_flags. Default: 0. */
	uint64_t mem_size;	/**< Bytes of shared memory for data buffers. Default: 64 MiB. */
	enum vcrypto_session_layout session_layout; /**< Session message layout. Default: DPDK 22.11. */
	int connect_timeout_ms; /**< How long to retry a socket that does not accept yet. Default: 0 (one try). */
};

/**
 * One request. Buffers @ref src, @ref dst and @ref digest must lie inside
 * buffers from vcrypto_guest_buf_alloc() and stay untouched until the
 * request completes. @ref iv and @ref aad are copied at submission.
 *
 * | session | src | dst | digest |
 * |---------|-----|-----|--------|
 * | CIPHER  | input, src_len | output, dst_len == src_len | — |
 * | HASH, MAC | input, src_len | — | written, session digest_len |
 * | CHAIN   | input, src_len | output, dst_len == src_len | written, session digest_len |
 * | AEAD encrypt | plaintext | ciphertext + tag: dst_len == src_len + tag | — |
 * | AEAD decrypt | ciphertext + tag | plaintext: dst_len == src_len - tag | — |
 *
 * AEAD decryption whose tag does not verify completes with
 * VCRYPTO_STATUS_BADMSG.
 */
struct vcrypto_guest_op {
	uint64_t session_id;	/**< From vcrypto_guest_session_create(). */
	uint64_t user_data;	/**< Returned unchanged in the completion. */
	const void *iv;		/**< IV (copied). NULL if the algorithm takes none. */
	uint32_t iv_len;	/**< At most VCRYPTO_MAX_IV_LEN. */
	uint32_t aad_len;	/**< AEAD and CHAIN: must equal the session's aad_len. */
	const void *aad;	/**< Additional authenticated data (copied, at most 256 bytes). */
	const void *src;	/**< Input, inside a shared buffer. */
	void *dst;		/**< Output, inside a shared buffer; may equal @ref src. */
	void *digest;		/**< HASH, MAC, CHAIN: where the digest is written, inside a shared buffer. */
	uint32_t src_len;	/**< Input length in bytes. */
	uint32_t dst_len;	/**< Output length in bytes. */
	uint32_t cipher_offset; /**< CHAIN: first byte of src to cipher. Default: 0. */
	uint32_t cipher_len;	/**< CHAIN: bytes to cipher. 0: src_len - cipher_offset. */
	uint32_t hash_offset;	/**< CHAIN: first byte of src to hash. Default: 0. */
	uint32_t hash_len;	/**< CHAIN: bytes to hash. 0: src_len - hash_offset. */
};

/** A completed request. */
struct vcrypto_guest_completion {
	uint64_t user_data; /**< vcrypto_guest_op::user_data of the request. */
	/**
	 * The virtio status written by the host (an enum vcrypto_status, >= 0),
	 * or a negative errno if the request could not complete: -ENOTCONN if
	 * the host disconnected first.
	 */
	int32_t status;
};

/**
 * Connect to a host's vhost-user socket and set up the device.
 *
 * Negotiates VERSION_1, INDIRECT_DESC and the protocol features
 * CRYPTO_SESSION and REPLY_ACK, shares a memfd region of
 * vcrypto_guest_opts::mem_size bytes plus the rings, and starts every data
 * queue.
 *
 * @param[in]  path Path of the host's UNIX socket.
 * @param[in]  opts Options, or NULL for the defaults.
 * @param[out] out  The new connection; written only on success.
 * @return 0 on success, or:
 *   - -EINVAL: bad argument or option (queue_size not a power of two...);
 *   - -ENOENT, -ECONNREFUSED, -EACCES: the socket could not be reached;
 *   - -EPROTO: the host answered something vhost-user does not allow;
 *   - -ENOTSUP: the host lacks a feature vcrypto needs (crypto sessions);
 *   - -ETIMEDOUT: the host did not answer in time;
 *   - -ENOMEM: out of memory.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_guest_connect(const char *path, const struct vcrypto_guest_opts *opts,
				      struct vcrypto_guest **out);

/**
 * Disconnect and free a connection, its sessions and its buffers.
 *
 * Requests still outstanding are abandoned. Accepts NULL.
 *
 * @param g The connection.
 *
 * @par Thread safety
 * No other call on @p g may be in progress or follow.
 */
VCRYPTO_API void vcrypto_guest_destroy(struct vcrypto_guest *g);

/**
 * Connect again after the host went away.
 *
 * Outstanding requests complete with -ENOTCONN (collect them with
 * vcrypto_guest_poll() before or after). Buffers keep their addresses and
 * contents; sessions are gone and must be created again.
 *
 * @param g The connection.
 * @return 0, or the errors of vcrypto_guest_connect(); -EISCONN if still
 *         connected.
 *
 * @par Thread safety
 * Control plane; no data-plane call on @p g may run concurrently.
 */
VCRYPTO_API int vcrypto_guest_reconnect(struct vcrypto_guest *g);

/**
 * Whether the connection is up.
 *
 * @param g The connection.
 * @return true while connected to the host.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API bool vcrypto_guest_is_connected(const struct vcrypto_guest *g);

/**
 * Create a session on the host.
 *
 * Parameters are checked before anything is sent: unknown algorithm, a key
 * length the algorithm does not take, digest too long, or fields that do
 * not apply to the session type fail with -EINVAL and nothing is sent.
 *
 * @param[in]  g          The connection.
 * @param[in]  params     The session's parameters. Keys are copied.
 * @param[out] session_id The host's session id; written only on success.
 * @return 0, or:
 *   - -EINVAL: invalid parameters;
 *   - -ENOTSUP: the host refused the algorithm (VCRYPTO_STATUS_NOTSUPP), or
 *     the connection's session layout cannot express the session
 *     (VCRYPTO_SESSION_LAYOUT_QEMU_7 carries CIPHER and CHAIN only);
 *   - -EKEYREJECTED: the host refused the key;
 *   - -ENOSPC: the host has no free session;
 *   - -ENOTCONN: not connected;
 *   - -EIO: the host failed the request for another reason;
 *   - -EPROTO: malformed reply;
 *   - -ETIMEDOUT: no reply in time; the connection is given up (see
 *     "Disconnects").
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_guest_session_create(struct vcrypto_guest *g,
					     const struct vcrypto_session_params *params,
					     uint64_t *session_id);

/**
 * Close a session on the host.
 *
 * Requests already submitted on it may complete with
 * VCRYPTO_STATUS_INVSESS. Further submissions on it fail with -EBADF.
 *
 * @param g          The connection.
 * @param session_id The session.
 * @return 0, or -EBADF (unknown session), -ENOTCONN, -EIO (the host refused),
 *         -ETIMEDOUT (no reply in time; the connection is given up, see
 *         "Disconnects").
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API int vcrypto_guest_session_close(struct vcrypto_guest *g, uint64_t session_id);

/**
 * Allocate a buffer in the shared region.
 *
 * @param[in]  g     The connection.
 * @param[in]  len   Bytes, at least 1.
 * @param[out] buf   The buffer, 64-byte aligned; written only on success.
 * @return 0, -EINVAL (len 0), or -ENOMEM (the region is full).
 *
 * @par Thread safety
 * Control plane (internally locked); not for the hot path.
 */
VCRYPTO_API int vcrypto_guest_buf_alloc(struct vcrypto_guest *g, size_t len, void **buf);

/**
 * Free a buffer from vcrypto_guest_buf_alloc(). Accepts NULL.
 *
 * @param g   The connection.
 * @param buf The buffer; no outstanding request may use it.
 *
 * @par Thread safety
 * Control plane.
 */
VCRYPTO_API void vcrypto_guest_buf_free(struct vcrypto_guest *g, void *buf);

/**
 * Queue requests on a data queue and notify the host.
 *
 * Each request is validated before it is queued. Submission stops at the
 * first request that is invalid or does not fit the ring; the earlier ones
 * are queued.
 *
 * @param g     The connection.
 * @param queue Data queue index.
 * @param ops   Requests.
 * @param n     Number of requests.
 * @return The number of requests queued (0 to @p n). If none was queued
 *         because the first one is invalid or the connection is down, a
 *         negative errno:
 *   - -EINVAL: bad queue index, lengths that do not fit the session or the
 *     algorithm (e.g. not a multiple of the block size for CBC), IV too long;
 *   - -EFAULT: a buffer is not inside the shared region;
 *   - -EBADF: unknown or closed session;
 *   - -ENOTCONN: not connected.
 *   A return of 0 means the ring is full (queue_size requests out, or
 *   with ::VCRYPTO_GUEST_F_DIRECT_DESC too few free descriptors for the
 *   longest request): poll completions and retry. The host may complete
 *   requests in any order; one still out does not stop later ones while
 *   the ring has room.
 *
 * @par Thread safety
 * Data plane: one thread per queue.
 */
VCRYPTO_API int vcrypto_guest_submit(struct vcrypto_guest *g, uint16_t queue,
				     const struct vcrypto_guest_op *ops, unsigned int n);

/**
 * Collect completed requests of a data queue.
 *
 * Does not block.
 *
 * @param g     The connection.
 * @param queue Data queue index.
 * @param c     Where to store completions.
 * @param max   Capacity of @p c.
 * @return The number of completions stored (0 to @p max), or -EINVAL.
 *
 * @par Thread safety
 * Data plane: one thread per queue.
 */
VCRYPTO_API int vcrypto_guest_poll(struct vcrypto_guest *g, uint16_t queue,
				   struct vcrypto_guest_completion *c, unsigned int max);

/**
 * Sleep until the host signals the queue's call eventfd or a timeout.
 *
 * @param g          The connection.
 * @param queue      Data queue index.
 * @param timeout_ms Milliseconds; -1 waits for ever, 0 does not wait.
 * Arms the host's notification first (used_event, or clears
 * VRING_AVAIL_F_NO_INTERRUPT) and returns at once if completions are
 * already in the used ring.
 *
 * @return 1 if signalled or completions are ready (also when the host has
 *         disconnected while requests were outstanding: vcrypto_guest_poll()
 *         then returns them with -ENOTCONN), 0 on timeout, -ENOTCONN if the
 *         host disconnected and nothing is outstanding, -EINVAL, or -EINTR.
 *
 * @par Thread safety
 * Data plane: one thread per queue.
 */
VCRYPTO_API int vcrypto_guest_wait(struct vcrypto_guest *g, uint16_t queue, int timeout_ms);

/**
 * The call eventfd of a data queue, for an application's own event loop.
 *
 * Readable when the host has signalled. vcrypto_guest_wait() resets it;
 * vcrypto_guest_poll() does not (it makes no system call), so an event loop
 * that polls this descriptor itself reads it (8 bytes, eventfd semantics)
 * before calling vcrypto_guest_poll(). The host is asked to signal only
 * after a vcrypto_guest_poll() that found nothing (unless the connection
 * has VCRYPTO_GUEST_F_BUSY_POLL) or a vcrypto_guest_wait(): poll until it
 * returns 0 before sleeping on the descriptor.
 *
 * @param g     The connection.
 * @param queue Data queue index.
 * @return A file descriptor owned by @p g, or -EINVAL, -ENOTCONN.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_guest_call_fd(const struct vcrypto_guest *g, uint16_t queue);

/**
 * Run one request synchronously on a data queue.
 *
 * Must not be mixed with outstanding vcrypto_guest_submit() requests on the
 * same queue (their completions would be consumed).
 *
 * @param g          The connection.
 * @param queue      Data queue index.
 * @param op         The request.
 * @param timeout_ms Milliseconds to wait; -1 for ever.
 * @return The virtio status (an enum vcrypto_status, >= 0), or a negative
 *         errno as in vcrypto_guest_submit(), -ENOSPC if the ring is full
 *         (submitted requests are outstanding), -ENOTCONN if the host went
 *         away before completing it, or -ETIMEDOUT (the request stays
 *         outstanding; a later vcrypto_guest_poll() returns it).
 *
 * @par Thread safety
 * Data plane: one thread per queue.
 */
VCRYPTO_API int vcrypto_guest_run(struct vcrypto_guest *g, uint16_t queue,
				  const struct vcrypto_guest_op *op, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* VCRYPTO_GUEST_H */
