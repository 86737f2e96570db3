/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Internal structures of libvcrypto (the host side). */
#ifndef VCRYPTO_HOST_INTERNAL_H
#define VCRYPTO_HOST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <vcrypto/host.h>

#include "common/lines.h"
#include "common/log.h"
#include "common/session_msg.h"
#include "host/parse.h"
#include "host/walk.h"

/* ---- statistics helpers: one writer, relaxed readers ---- */
#define VC_STAT_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define VC_STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* ---- engine ---- */

/* Data room of the mbufs used for copies (one request may chain several). */
#define VC_MBUF_DATA 8192
/*
 * Contiguous buffers (VC_BIG_BUF bytes each) in flight: copy-mode AEAD
 * results, and on linear-only engines every copy longer than VC_MBUF_DATA.
 */
#define VC_BIG_BUFS 24

/* Private area of every crypto op: IV first (its offset is fixed in the session). */
struct vc_op_priv {
	uint8_t iv[VCRYPTO_MAX_IV_LEN];
	uint8_t digest[VCRYPTO_MAX_DIGEST_LEN];
	uint8_t aad[VC_MAX_AAD_LEN];
	struct vc_slot *slot;
	/*
	 * mbufs that stay with the op while it is cached by a poller: [0] the
	 * source, [1] an out-of-place destination; NULL until first needed.
	 * Zero copy points them at guest memory for one request.
	 */
	struct rte_mbuf *m[2];
};

#define VC_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))

struct vcrypto_engine {
	uint8_t dev_id;
	bool created; /* vcrypto configured (and will close) the device */
	bool null_crypto;
	uint8_t null_dev_id; /* sessions run here with F_NULL_CRYPTO */
	bool null_created;
	uint16_t first_qp, nb_qp;
	uint32_t max_sessions;
	atomic_uint sessions; /* sessions in use across ports */
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *big_pool; /* contiguous 64 KiB buffers (AEAD destinations) */
	uint32_t nb_ops;
	uint32_t qp_depth; /* ops one queue pair holds: never enqueue more */
	bool zc_possible;  /* IOVA as VA: guest memory usable by the device */
	bool cpu_crypto;   /* the device has the synchronous CPU crypto API, and it is used */
	uint64_t dev_features;
	uint32_t max_cipher_len; /* longest cipher length the device gets right; 0: no limit */
	bool linear_only;	 /* never give the device mbuf chains (see engine_common) */
	bool zc_sgl; /* zero copy over mbuf chains (see zc_chain) */
	pthread_mutex_t lock;	 /* queue pair ownership */
	uint8_t *qp_owned;	 /* per queue pair: taken by a poller */
	atomic_uint users;	 /* ports and pollers */
	char name[64];
};

/*
 * A cryptodev session with refcount (map entry + requests in flight).
 * Sessions belong to one port: references are taken and dropped under
 * that port's lock (plain loads and stores, no atomic read-modify-write
 * on the request path).
 */
struct vc_sess {
	void *cs;	/* cryptodev session */
	uint8_t dev_id; /* device that runs it */
	uint32_t refs;
	struct vcrypto_engine *engine;
	struct vc_sess_shape sh; /* what its requests must look like */
	bool one_lane; /* CPU crypto runs its requests one after another (sess_one_lane) */
};

int vc_sess_create(struct vcrypto_engine *e, const struct vc_session_desc *d, struct vc_sess **out);
void vc_sess_free(struct vc_sess *s);
/* Under the port's lock, or before the session is published. */
static inline void vc_sess_get(struct vc_sess *s)
{
	s->refs++;
}
static inline void vc_sess_put(struct vc_sess *s)
{
	if (s && --s->refs == 0)
		vc_sess_free(s);
}
void vc_engine_get(struct vcrypto_engine *e);
void vc_engine_put(struct vcrypto_engine *e);

/* ---- quality of service (qos.c) ---- */

/* Limits in force (defaults resolved). */
struct vc_qos_cfg {
	uint64_t rate_ops, rate_bytes, burst_ops, burst_bytes;
	uint32_t max_inflight, weight;
};

#define VC_QOS_MAX_WEIGHT 1000

/*
 * Per port. The configuration is published by any thread through a
 * sequence lock (writers serialized by cfg_lock); pollers copy it under
 * the port lock when the sequence changed and never wait. The buckets
 * and counters below are changed under the port lock by pollers.
 */
struct vc_qos {
	pthread_mutex_t cfg_lock;
	uint32_t seq; /* odd while pub is being written */
	struct vc_qos_cfg pub;
	/* poller side (under port->lock) */
	uint32_t seen;
	struct vc_qos_cfg cur;
	double tok_ops, tok_bytes;
	uint64_t last_tsc;
	uint64_t thr_last; /* tsc of the last throttled visit, 0: not throttled */
	uint64_t throttled_rounds, throttled_cycles;
};

#include "host/qos.h"

/* The bucket lets one more request start. */
static inline bool vc_qos_may_start(const struct vc_qos *q)
{
	return (!q->cur.rate_ops || q->tok_ops >= 1.0) &&
	       (!q->cur.rate_bytes || q->tok_bytes > 0.0);
}
static inline void vc_qos_charge(struct vc_qos *q, uint32_t bytes)
{
	if (q->cur.rate_ops)
		q->tok_ops -= 1.0;
	if (q->cur.rate_bytes)
		q->tok_bytes -= (double)bytes;
}

/* Telemetry commands (telemetry.c): registered once per process. */
void vc_telemetry_register(void);
/* Visit every port (under the registry lock: @fn must not create or destroy ports). */
void vc_port_foreach(void (*fn)(struct vcrypto_port *port, void *arg), void *arg);
/* Visit every poller likewise. */
void vc_poller_foreach(void (*fn)(struct vcrypto_poller *p, void *arg), void *arg);
uint32_t vc_poller_id(const struct vcrypto_poller *p);

/* ---- port ---- */

#define VC_MAX_QUEUES 64
#define VC_VRING_USED_F_NO_NOTIFY 1u
#define VC_MAX_OUT_SEGS 64
#define VC_ZC_MAX_SEGS 32    /* mbufs in a zero-copy chain, at most */
#define VC_ZC_SEG_MAX 65520u /* bytes per mbuf of a zero-copy chain (16-bit lengths, whole blocks) */

/* AES-CBC encryptions of a queue in slices through the queue pair at a time (qs_want) */
#define VC_QS_MAX 16u

/* One request between fetch and completion. */
struct vc_slot {
	struct rte_crypto_op *op;
	struct vc_sess *sess;
	struct vc_vq *vq;
	uint32_t gen; /* vq->gen at fetch; a mismatch means the ring was reset */
	uint16_t head;
	uint8_t zc;
	uint8_t kind;
	uint8_t own_mbufs; /* m_src/m_dst were allocated for this request alone */
	uint8_t zc_chain;  /* m_src (and m_dst) are pool mbufs pointed at guest memory */
	uint8_t out_dst;   /* copy mode: the result is contiguous in m_dst (else m_src) */
	uint32_t data_len; /* bytes counted as done */
	uint32_t dst_len;  /* bytes of the op result to write at W offset 0 */
	uint32_t dst_skip; /* copy mode: offset in the mbuf data of the result */
	uint32_t dig_len;  /* digest bytes to write from the op's digest buffer */
	uint32_t dig_woff; /* W offset of the digest */
	uint32_t nout;
	uint64_t status_gpa;
	uint8_t *status_hva; /* valid while the port's memory table generation is mt_gen */
	uint32_t mt_gen;
	uint32_t qs_len; /* AES-CBC encryption through the queue pair in slices this long (qs_next) */
	struct rte_mbuf_ext_shared_info big_sh; /* its buffer from the big pool */
	struct vc_out_seg out[VC_MAX_OUT_SEGS]; /* W stream [0, dst_len + dig_len) */
};

struct vc_vq_stats {
	uint64_t requests, requests_ok, bytes;
	uint64_t err_badmsg, err_notsupp, err_invsess, err_other, err_ring;
	uint64_t zero_copy, notifications;
	uint64_t general_walks; /* requests the general walk read (vc_chain::general) */
};

/*
 * A queue's run of requests of one kind, counted as they are fetched
 * (poller.c: run_add): how many in a row, of one key (a session) where the
 * run has one, and whether the last run was thin, which decides how the
 * next requests go (slices, lanes).
 */
struct vc_run {
	const void *key; /* the run's session (compared only: it may be gone), or NULL */
	uint8_t n;	 /* requests in the run so far */
	bool thin;	 /* the last run ended under half the lanes (VC_LCBC_FAT) */
};

struct vc_vq {
	struct vcrypto_port *port;
	uint16_t idx;
	/* ring snapshot (valid while ready; under port->lock) */
	bool ready;
	bool broken;   /* guest broke the ring rules: stopped until reset */
	bool started;  /* indices loaded since the last ring reset */
	bool evidx_ok; /* used_event / avail_event locations are mapped */
	uint32_t gen;  /* incremented on every ring reset */
	volatile struct vc_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint8_t *used;	  /* flags, idx, ring[size] {id u32, len u32}, avail_event */
	uint32_t size;
	int callfd;
	uint16_t last_avail;
	uint16_t used_idx;	 /* shadow of used->idx */
	uint16_t used_published; /* used->idx last written */
	/* poller side */
	struct vcrypto_poller *poller; /* serving poller or NULL (under port->lock + engine) */
	atomic_uint inflight;	       /* fetched, not yet completed */
	uint32_t orphans; /* of those, left behind by a drain that timed out (under port->lock) */
	uint32_t backlog; /* fetched, not yet accepted by the device (poller-written) */
	atomic_bool detaching; /* being removed from its poller: no new fetches */
	uint32_t max_inflight;
	int64_t deficit;  /* fair sharing: requests this queue may still fetch (poller-written) */
	int64_t bdeficit; /* fair sharing under contention: bytes it may still fetch */
	bool pending;	  /* active (see fetch_queue): counts in its poller's npending */
	uint32_t idle_visits; /* visits since it last had requests waiting or in flight */
	bool sparse; /* emptied its ring at its last visit with under a quantum: served first */
	uint64_t round_bytes; /* taken since its last visit ended (its sparse turn's included) */
	bool lcbc_wait; /* its next request waits for its poller's held AES-CBC set (lcbc_add) */
	bool qs_wait;	/* its next request waits for one of its VC_QS_MAX slices (qs_want) */
	uint16_t qs_n;	/* its requests in slices through the queue pair (qs_want) */
	struct vc_run qs_run;	/* sliceable requests (qs_want) in its turn (qs_fills) */
	struct vc_run lcbc_run; /* sliceable AES-CBC of one session in a row (lcbc_fills) */
	struct vc_run lane_run; /* requests of one session in a row; thin: they alternate */
	struct vc_slot *slots;
	uint32_t *free_slots;
	uint32_t nfree;
	struct vc_seg *scratch; /* walker output */
	uint32_t scratch_cap;
	struct vc_desc *ind; /* indirect table copy */
	struct vc_vq_stats st;
	struct vc_ratelimit rl;
} __attribute__((aligned(VC_LINE))); /* queues of one port may have different pollers */

struct vc_smap {
	struct vc_sess *s;
	uint32_t gen;
	uint32_t next_free;
};

struct vcrypto_port {
	char *path;
	char *name;
	struct vcrypto_engine *engine;
	struct vcrypto_port_opts o;
	rte_spinlock_t lock; /* poller work on the rings vs vhost messages */
	int vid;	     /* -1: none (under g_lock and lock) */
	int held_vid;	     /* a connection waiting for vid to close, -1: none (under g_lock) */
	bool registered;
	atomic_int state;  /* enum vcrypto_port_state */
	atomic_bool pause; /* no new fetches (a vhost message is being handled) */
	atomic_bool dying;
	bool msg_open; /* a pre hook stopped the port and its post hook has not run yet */
	bool mem_seen;
	struct vc_memtab mt;
	uint64_t features;
	atomic_int zc_policy;
	uint64_t ready_ns;
	uint64_t ok_requests; /* for AUTO zero copy (poller-written) */
	bool zc_auto_on;      /* AUTO zero copy: its conditions were met (poller-written) */
	uint16_t nq;
	struct vc_vq *vq;
	/* sessions (changed by the vhost thread under lock, read by pollers under lock) */
	struct vc_smap *smap;
	uint32_t smap_free_head, smap_free_tail;
	uint32_t sess_active;
	uint64_t sess_created, sess_closed, sess_failed;
	uint32_t connects;
	struct vc_ratelimit rl;
	struct vc_qos qos;
};

/* ---- poller ---- */

#define VC_POLLER_MAX_ENTRIES 128

struct vcrypto_poller {
	struct vcrypto_engine *engine;
	uint16_t qp;
	uint16_t burst;
	rte_spinlock_t round_lock; /* held by a round; taken by control to change entries */
	uint32_t n;
	struct vc_vq *entries[VC_POLLER_MAX_ENTRIES];
	struct rte_crypto_op **backlog;
	uint32_t bl_cap, bl_head, bl_tail; /* FIFO; cap power of two */
	struct rte_crypto_op **deq;
	/* ops (with their mbufs) kept for reuse instead of going back to the pools */
	struct rte_crypto_op **op_cache;
	uint32_t op_cached, op_cache_cap;
	uint32_t in_dev; /* ops in the device queue pair */
	atomic_bool stop;
	atomic_bool launched;
	unsigned int lcore;
	uint32_t id;		 /* telemetry name */
	uint32_t drr_pos;	 /* fair sharing: entry being served */
	bool drr_fresh;		 /* that entry still needs its quantum */
	uint32_t quantum;	 /* bytes per turn and weight while queues contend */
	uint32_t npending;	 /* entries whose vq->pending is set: >= 2 means contention */
	uint32_t sparse_fetched; /* requests this round took first from sparse queues */
	uint32_t last_bytes;	 /* data length of the request fetch_one() just took */
	bool last_one_lane;	 /* and intel-ipsec-mb runs it alone (vc_sess::one_lane) */
	bool cpu_long;		 /* requests over 4 KiB may take CPU crypto (cpu_len_ok) */
	/*
	 * Where the device does its work, sampled: TSC cycles in enqueue and in
	 * dequeue calls, and the ops they moved. A device that computes inside
	 * enqueue (crypto_openssl) gets its work in smaller chunks, each
	 * dequeued and published at once (st.enqueue_chunk).
	 */
	struct {
		uint64_t enq_cyc, enq_ops, deq_cyc, deq_ops;
		uint32_t tick, samples;
		bool on; /* this round's calls are timed */
	} prof;
	/*
	 * Requests the device runs synchronously through its CPU crypto API
	 * (crypto_aesni_mb: no op, mbuf or queue pair), gathered per queue and
	 * session while a queue is fetched, run and completed before its lock
	 * is released.
	 */
	struct vc_cpu_batch *cpu;
	/*
	 * AES-CBC encryptions through the queue pair in slices (qs_want): how
	 * many are under way, and the ops of their next slices, enqueued in
	 * the next round ([bl_cap]: an op each at most).
	 */
	uint32_t qs_n, qs_nheld;
	struct rte_crypto_op **qs_held;
	uint8_t *long_buf; /* copies of AES-CBC requests over the device's cipher length */
	uint32_t long_cap;
	struct vcrypto_poller_stats st;
} __attribute__((aligned(VC_LINE))); /* one per thread: no line shared with another's */

/* Internal poller interface used by the port code. */
int vc_poller_round(struct vcrypto_poller *p);
uint64_t vc_now_ns(void);

/* Port helpers shared by port.c and poller.c */
struct vc_sess *vc_port_session(struct vcrypto_port *port, uint64_t id);
/* Internal and for tests: a port without a vhost-user socket. */
int vc_port_alloc(struct vcrypto_engine *engine, const struct vcrypto_port_opts *opts,
		  struct vcrypto_port **out);
void vc_port_free(struct vcrypto_port *port);
int vc_port_session_add(struct vcrypto_port *port, struct vc_sess *s, uint64_t *id);
int vc_port_session_close(struct vcrypto_port *port, uint64_t id);
int vc_port_detach_all(struct vcrypto_port *port);

#endif /* VCRYPTO_HOST_INTERNAL_H */
