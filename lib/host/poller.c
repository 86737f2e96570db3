/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Pollers: the burst pipeline. Per round, for each served (port, queue):
 * fetch and validate requests, build cryptodev ops; then enqueue (what the
 * device refuses stays in a FIFO backlog), dequeue, write results back,
 * publish used entries and signal the guest once per queue.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "common/opts.h"
#include "common/virtio_crypto_wire.h"
#include "host/internal.h"
#include "host/record.h"

#define VC_DEQ_BURST 64
/*
 * Requests are enqueued VC_CHUNK at a time, each chunk dequeued and its
 * completions published at once, so that the guest reuses them while the
 * next chunk is computed: with one whole burst per round the guest waits
 * for the last request of the burst before it can reuse the first, and the
 * two sides take turns instead of overlapping (measured at 32 in flight:
 * transport only at 64 B 5.5 -> 8.0 M requests/s, crypto_aesni_mb through
 * its queue pair at 4 KiB 0.55x -> 0.69x of the bare device). 16 is the
 * lane count of crypto_aesni_mb's AVX-512 code, which works in dequeue:
 * smaller chunks leave lanes empty.
 *
 * A device that does its work inside enqueue (crypto_openssl, any
 * synchronous CPU PMD) gets VC_SPLIT_CHUNK instead (64 B: 0.37x with 16,
 * 0.53x with 8). Found by timing every VC_PROF_EVERY-th enqueue and
 * dequeue call (VC_PROF_SAMPLES per decision): split when enqueue costs
 * more than VC_SPLIT_MIN_CYC per op and VC_SPLIT_RATIO times dequeue's.
 */
#define VC_CHUNK 16u
#define VC_SPLIT_CHUNK 8u
#define VC_PROF_EVERY 4u
#define VC_PROF_SAMPLES 32u
#define VC_SPLIT_MIN_CYC 150u
#define VC_SPLIT_RATIO 3u
#define VC_QUANTUM_BYTES 65536u /* vcrypto_poller_opts::quantum_bytes default */
#define VC_MIN_CHARGE 256u	/* bytes charged at least per request under contention */
#define VC_ACTIVE_VISITS 16u	/* visits a queue stays active after its last request */
#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VC_REMOVE_TIMEOUT_NS 5000000000ull

/* ---- ring access ---- */

static inline uint16_t ring_avail_idx(const struct vc_vq *vq)
{
	return __atomic_load_n(&vq->avail[1], __ATOMIC_ACQUIRE);
}

static inline uint16_t ring_avail_entry(const struct vc_vq *vq, uint16_t i)
{
	return vq->avail[2 + (i & (vq->size - 1))];
}

static inline void ring_used_put(struct vc_vq *vq, uint16_t head, uint32_t len)
{
	volatile uint32_t *e =
		(volatile uint32_t *)(vq->used + 4 + 8 * (size_t)(vq->used_idx & (vq->size - 1)));

	e[0] = head;
	e[1] = len;
	vq->used_idx++;
}

/*
 * Start loading the request at @head (its indirect table's first two
 * entries: header and IV) into cache while the one before it is handled.
 * Only addresses inside guest memory are touched; a head that is out of
 * range or any other layout prefetches nothing. A hint: the walk checks
 * everything again.
 */
static inline void prefetch_req(const struct vc_vq *vq, uint16_t head)
{
	const struct vc_memtab *mt = &vq->port->mt;
	const volatile struct vc_desc *d, *t;
	const struct vc_region *r;
	uint64_t gpa, size, hva;

	if (head >= vq->size)
		return;
	d = &vq->desc[head];
	if (d->flags != VC_DESC_F_INDIRECT || d->len < 2 * sizeof(*t))
		return;
	r = vc_mem_desc_table_in(mt, d->addr, 2 * sizeof(*t), &t);
	if (!r)
		return;
	gpa = r->gpa;
	size = r->size;
	hva = r->hva;
	for (int i = 0; i < 2; i++) {
		const uint64_t a = t[i].addr - gpa;

		if (a < size) /* (in the table's region: a hint, not worth a search) */
			rte_prefetch0((const void *)(uintptr_t)(hva + a));
	}
}

static inline bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* ---- completion helpers ---- */

static void count_status(struct vc_vq *vq, uint8_t status)
{
	VC_STAT_ADD(vq->st.requests, 1);
	switch (status) {
	case VCRYPTO_STATUS_OK:
		VC_STAT_ADD(vq->st.requests_ok, 1);
		break;
	case VCRYPTO_STATUS_BADMSG:
		VC_STAT_ADD(vq->st.err_badmsg, 1);
		break;
	case VCRYPTO_STATUS_NOTSUPP:
		VC_STAT_ADD(vq->st.err_notsupp, 1);
		break;
	case VCRYPTO_STATUS_INVSESS:
		VC_STAT_ADD(vq->st.err_invsess, 1);
		break;
	default:
		VC_STAT_ADD(vq->st.err_other, 1);
		break;
	}
}

/* Complete a request that never reached the cryptodev (under port lock). */
/*
 * Complete one request: its status byte at @status_hva (NULL: no longer
 * writable, used length 0), its used entry and the counters. @wlen is the
 * used length of an OK request (others: 1); @data_len and @zc are what an
 * OK request counts.
 */
static void complete_req(struct vcrypto_poller *p, struct vc_vq *vq, uint16_t head,
			 uint8_t *status_hva, uint8_t status, uint32_t wlen, uint32_t data_len,
			 bool zc)
{
	if (status_hva) {
		*(volatile uint8_t *)status_hva = status;
		ring_used_put(vq, head, status == VCRYPTO_STATUS_OK ? wlen : 1);
		count_status(vq, status);
		if (status == VCRYPTO_STATUS_OK) {
			VC_STAT_ADD(vq->st.bytes, data_len);
			vq->port->ok_requests++;
			if (zc)
				VC_STAT_ADD(vq->st.zero_copy, 1);
		}
	} else {
		ring_used_put(vq, head, 0);
		VC_STAT_ADD(vq->st.err_ring, 1);
	}
	VC_STAT_ADD(p->st.completed, 1);
}

/* Complete a request refused before it reached the device (@status is an error). */
static void complete_now(struct vcrypto_poller *p, struct vc_vq *vq, uint16_t head,
			 uint8_t *status_hva, uint8_t status)
{
	complete_req(p, vq, head, status_hva, status, 1, 0, false);
}

/* ---- ops and their mbufs, cached per poller ---- */

static inline struct vc_op_priv *op_priv(struct rte_crypto_op *op)
{
	return (struct vc_op_priv *)((uint8_t *)op + VC_IV_OFFSET);
}

/* Point a cached mbuf back at its own data room. */
static void mbuf_home(struct rte_mbuf *m)
{
	uint32_t off = (uint32_t)sizeof(*m) + rte_pktmbuf_priv_size(m->pool);

	m->buf_addr = (uint8_t *)m + off;
	m->buf_iova = rte_mempool_virt2iova(m) + off;
	m->buf_len = rte_pktmbuf_data_room_size(m->pool);
	m->data_off = RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM, m->buf_len);
	m->nb_segs = 1;
	m->next = NULL;
}

/*
 * Point a cached mbuf at @len bytes of guest memory (zero copy, IOVA as VA).
 * Over 65535 bytes (only the one-buffer destination of zc_chain) the 16-bit
 * lengths are clipped and pkt_len holds the real one.
 */
static void mbuf_point(struct rte_mbuf *m, uint8_t *hva, uint32_t len)
{
	uint16_t l16 = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);

	m->buf_addr = hva;
	m->buf_iova = (rte_iova_t)(uintptr_t)hva;
	m->buf_len = l16;
	m->data_off = 0;
	m->data_len = l16;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->next = NULL;
}

/* The op's cached mbuf @i, allocated on first use; NULL if the pool is dry. */
static struct rte_mbuf *op_mbuf(struct vcrypto_engine *e, struct vc_op_priv *pv, int i)
{
	if (!pv->m[i])
		pv->m[i] = rte_pktmbuf_alloc(e->mbuf_pool);
	return pv->m[i];
}

static void op_free(struct rte_crypto_op *op)
{
	struct vc_op_priv *pv = op_priv(op);

	for (int i = 0; i < 2; i++) {
		if (pv->m[i]) {
			mbuf_home(pv->m[i]);
			rte_pktmbuf_free(pv->m[i]);
			pv->m[i] = NULL;
		}
	}
	rte_crypto_op_free(op);
}

/* An op ready for a request: from the poller's cache, else from the pool. */
static struct rte_crypto_op *op_get(struct vcrypto_poller *p, struct vcrypto_engine *e)
{
	struct rte_crypto_op *op;

	if (p->op_cached) {
		op = p->op_cache[--p->op_cached];
		op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
		memset(op->sym, 0, sizeof(*op->sym));
		return op;
	}
	op = rte_crypto_op_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (op) {
		op_priv(op)->m[0] = NULL;
		op_priv(op)->m[1] = NULL;
	}
	return op;
}

static void op_put(struct vcrypto_poller *p, struct rte_crypto_op *op)
{
	if (p->op_cached < p->op_cache_cap)
		p->op_cache[p->op_cached++] = op;
	else
		op_free(op);
}

/* Return a zero-copy chain's mbufs (pointed at guest memory) to their pool. */
static void chain_free(struct rte_mbuf *m)
{
	struct rte_mbuf *next;

	for (; m; m = next) {
		next = m->next;
		mbuf_home(m);
		rte_pktmbuf_free_seg(m);
	}
}

/* Only the serving poller (one round at a time) changes a queue's inflight. */
static inline void vq_inflight_add(struct vc_vq *vq, int32_t d)
{
	atomic_store_explicit(&vq->inflight,
			      atomic_load_explicit(&vq->inflight, memory_order_relaxed) +
				      (uint32_t)d,
			      memory_order_release);
}

/* Whether @p vq's ring is still the one a request fetched at generation @p gen came from. */
static inline bool vq_live(const struct vc_vq *vq, uint32_t gen)
{
	return gen == vq->gen && vq->started && vq->ready;
}

/*
 * Whether results of ring generation @p gen are to be dropped unwritten
 * (the ring was reset or the front end left); if so, @p n such requests
 * are no longer orphans of a timed-out drain (port_stop) once dropped.
 */
static bool vq_drops(struct vc_vq *vq, uint32_t gen, uint32_t n)
{
	if (vq_live(vq, gen))
		return false;
	if (gen != vq->gen)
		__atomic_store_n(&vq->orphans, vq->orphans > n ? vq->orphans - n : 0,
				 __ATOMIC_RELAXED);
	return true;
}

/* Release a finished request's resources (under port lock, by its poller). */
static void slot_release(struct vcrypto_poller *p, struct vc_vq *vq, struct vc_slot *s)
{
	struct rte_crypto_op *op = s->op;

	if (op) {
		if (s->zc_chain) {
			chain_free(op->sym->m_src);
			chain_free(op->sym->m_dst);
		} else if (s->own_mbufs) {
			if (op->sym->m_dst && op->sym->m_dst != op->sym->m_src)
				rte_pktmbuf_free(op->sym->m_dst);
			rte_pktmbuf_free(op->sym->m_src);
		}
		op_put(p, op);
	}
	vc_sess_put(s->sess);
	s->sess = NULL;
	s->op = NULL;
	vq->free_slots[vq->nfree++] = (uint32_t)(s - vq->slots);
	vq_inflight_add(vq, -1);
}

static uint8_t op_status(const struct rte_crypto_op *op)
{
	switch (op->status) {
	case RTE_CRYPTO_OP_STATUS_SUCCESS:
		return VCRYPTO_STATUS_OK;
	case RTE_CRYPTO_OP_STATUS_AUTH_FAILED:
		return VCRYPTO_STATUS_BADMSG;
	case RTE_CRYPTO_OP_STATUS_INVALID_SESSION:
		return VCRYPTO_STATUS_INVSESS;
	case RTE_CRYPTO_OP_STATUS_INVALID_ARGS:
		return VCRYPTO_STATUS_BADMSG;
	default:
		return VCRYPTO_STATUS_ERR;
	}
}

/* Write a result piece: through the addresses planned at fetch, or translated again. */
static inline int out_write(const struct vcrypto_port *port, const struct vc_slot *s, bool fast,
			    uint64_t off, const void *src, uint64_t len)
{
	return fast ? vc_out_write(s->out, s->nout, off, src, len) :
		      vc_mem_write_out(&port->mt, s->out, s->nout, off, src, len);
}

/*
 * After a slice of a sliced encryption (qs_want) came back: set its op up
 * for the next one, held for the next round (qs_release), and say so.
 * False when the request is done, failed or its ring was reset.
 */
static bool qs_next(struct vcrypto_poller *p, struct vc_slot *s)
{
	struct rte_crypto_op *op = s->op;
	struct rte_crypto_sym_op *so = op->sym;
	const struct vc_vq *vq = s->vq;
	uint32_t done = so->cipher.data.offset + so->cipher.data.length;

	if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS && done < s->data_len &&
	    vq_live(vq, s->gen)) {
		const struct rte_mbuf *m = so->m_dst ? so->m_dst : so->m_src;

		memcpy(op_priv(op)->iv, rte_pktmbuf_mtod_offset(m, const uint8_t *, done - 16), 16);
		so->cipher.data.offset = done;
		so->cipher.data.length = RTE_MIN(s->qs_len, s->data_len - done);
		/*
		 * The (empty) hash range moves along: out of place, DPDK
		 * 22.11's crypto_aesni_mb copies the source between the hash
		 * and the cipher offsets into the destination (for a digest
		 * over both), which put the plaintext back over the slices
		 * before.
		 */
		so->auth.data.offset = done;
		op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
		p->qs_held[p->qs_nheld++] = op;
		return true;
	}
	p->qs_n--;
	s->vq->qs_n--;
	s->qs_len = 0;
	return false;
}

/* Finish one dequeued op (under its port's lock). */
static void finalize(struct vcrypto_poller *p, struct vc_slot *s)
{
	struct vc_vq *vq = s->vq;
	struct vcrypto_port *port = vq->port;
	struct rte_crypto_op *op = s->op;
	uint8_t status, *sh;

	if (s->qs_len && qs_next(p, s))
		return; /* (its next slice goes in the next round) */
	if (vq_drops(vq, s->gen, 1)) {
		slot_release(p, vq, s);
		return;
	}
	status = op_status(op);
	if (status == VCRYPTO_STATUS_OK && !s->zc) {
		struct vc_op_priv *pv = op_priv(op);
		uint64_t off = 0, skip = s->dst_skip, left = s->dst_len;
		int err = 0;

		struct rte_mbuf *res = op->sym->m_src;
		bool fast = s->mt_gen == port->mt.gen;

		if (s->out_dst) {
			/* One contiguous buffer, possibly longer than an mbuf can say. */
			struct rte_mbuf *m = op->sym->m_dst ? op->sym->m_dst : res;

			err = out_write(port, s, fast, 0, rte_pktmbuf_mtod(m, uint8_t *), left);
			left = 0;
		}
		for (struct rte_mbuf *m = res; m && left && !err; m = m->next) {
			uint64_t dl = rte_pktmbuf_data_len(m), c;

			if (skip >= dl) {
				skip -= dl;
				continue;
			}
			c = dl - skip;
			if (c > left)
				c = left;
			err = out_write(port, s, fast, off,
					rte_pktmbuf_mtod_offset(m, uint8_t *, skip), c);
			off += c;
			left -= c;
			skip = 0;
		}
		if (!err && left)
			err = -ERANGE;
		if (!err && s->dig_len)
			err = out_write(port, s, fast, s->dig_woff, pv->digest, s->dig_len);
		if (err)
			status = VCRYPTO_STATUS_ERR;
	}
	sh = s->mt_gen == port->mt.gen ? s->status_hva : vc_mem_contig(&port->mt, s->status_gpa, 1);
	complete_req(p, vq, s->head, sh, status, s->dst_len + s->dig_len + 1, s->data_len, s->zc);
	slot_release(p, vq, s);
}

static bool use_zero_copy(struct vcrypto_port *port)
{
	int pol = atomic_load_explicit(&port->zc_policy, memory_order_relaxed);

	if (!port->engine->zc_possible || pol == VCRYPTO_ZERO_COPY_OFF)
		return false;
	if (pol == VCRYPTO_ZERO_COPY_ON)
		return true;
	if (!port->zc_auto_on && port->ok_requests >= port->o.zc_after_requests && port->ready_ns &&
	    vc_now_ns() - port->ready_ns >= (uint64_t)port->o.zc_after_ms * 1000000u)
		port->zc_auto_on = true; /* until the next connection */
	return port->zc_auto_on;
}

static void big_free(void *addr, void *opaque)
{
	rte_mempool_put(opaque, addr);
}

/*
 * A one-segment mbuf over a buffer of the engine's big pool. Above 65535
 * bytes the mbuf's 16-bit lengths cannot describe it: data_len is clipped
 * and pkt_len holds the real length. crypto_openssl writes AEAD results
 * through the segment's data pointer for the op's full length, which is
 * what this relies on; a PMD that checks data_len refuses the op (ERR).
 */
static struct rte_mbuf *big_mbuf(struct vcrypto_engine *e, struct rte_mbuf_ext_shared_info *sh,
				 uint32_t len)
{
	struct rte_mbuf *m;
	void *b;

	if (rte_mempool_get(e->big_pool, &b) < 0)
		return NULL;
	m = rte_pktmbuf_alloc(e->mbuf_pool);
	if (!m) {
		rte_mempool_put(e->big_pool, b);
		return NULL;
	}
	sh->free_cb = big_free;
	sh->fcb_opaque = e->big_pool;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, b, rte_mempool_virt2iova(b),
				  (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len), sh);
	m->data_len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	m->pkt_len = len;
	return m;
}

/* Copy-mode mbuf chain holding @len bytes of the readable stream at @off. */
static struct rte_mbuf *copy_mbufs(struct vcrypto_engine *e, const struct vc_chain *c, uint32_t off,
				   uint32_t len)
{
	struct rte_mbuf *ms[64];
	uint32_t n = len ? (len + VC_MBUF_DATA - 1) / VC_MBUF_DATA : 1;
	struct rte_mbuf **arr = ms, *head;
	uint32_t done = 0;

	if (n > RTE_DIM(ms)) {
		arr = malloc(n * sizeof(*arr));
		if (!arr)
			return NULL;
	}
	if (rte_pktmbuf_alloc_bulk(e->mbuf_pool, arr, n) < 0) {
		if (arr != ms)
			free(arr);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c_len = len - done > VC_MBUF_DATA ? VC_MBUF_DATA : len - done;

		vc_stream_read(c->segs, c->nr, off + done, rte_pktmbuf_mtod(arr[i], uint8_t *),
			       c_len);
		arr[i]->data_len = (uint16_t)c_len;
		arr[i]->pkt_len = c_len;
		done += c_len;
		if (i)
			arr[i - 1]->next = arr[i];
	}
	head = arr[0];
	head->nb_segs = (uint16_t)n;
	head->pkt_len = len;
	if (arr != ms)
		free(arr);
	return head;
}

/* ---- synchronous CPU crypto (see vcrypto_poller::cpu) ---- */

/*
 * Requests per CPU crypto call: as many as crypto_aesni_mb has AVX-512
 * lanes (16; fewer leave lanes empty: 8 halves its 4 KiB AES-CBC rate),
 * and no more, so that the guest reuses one chunk's completions while the
 * next is computed (32 per call, at 32 in flight, makes the two sides take
 * turns: 4 KiB 0.53x of the bare device instead of 0.76x).
 */
#define VC_CPU_MAX 16u
/*
 * Copy mode through CPU crypto: data up to VC_CPU_COPY_MAX bytes (the
 * device's 16-bit lengths), output in up to VC_CPU_OUT_SEGS pieces. A
 * batch's copies lie one after another in the poller's bounce area, each
 * followed by a spare line: at exactly 4 KiB apart, 16 copies' lines share
 * L1 sets and their loads and stores alias (copy at 1 KiB: 584 -> 518 host
 * cycles per request, at 4 KiB 1525 -> 1337). The area holds VC_CPU_MAX
 * copies of VC_CPU_BOUNCE bytes, and grows to VC_CPU_MAX of the largest at
 * the first copy over VC_CPU_BOUNCE bytes.
 */
#define VC_CPU_BOUNCE 4096u
#define VC_CPU_COPY_MAX UINT16_MAX
#define VC_CPU_PAD 64u
#define VC_CPU_SPAN(len) (RTE_ALIGN_CEIL((uint32_t)(len), VC_LINE) + VC_CPU_PAD)
#define VC_CPU_OUT_SEGS 4
/*
 * Zero copy out of place through CPU crypto (which computes in place): the
 * data copied to its destination first, for cipher and AEAD requests up to
 * this many bytes; longer ones take the queue pair, which reads the source
 * and writes the destination in one pass. path_cost --oop, crypto_aesni_mb,
 * host cycles per request (queue pair -> copy and CPU crypto): AES-CBC 64 B
 * 354 -> 274, 1 KiB 526 -> 463, 2 KiB 684 -> 662, 4 KiB 991 -> 1113;
 * AES-256-GCM alike. (Cipher-then-hash requests, which no device here takes
 * out of place, are copied to their destination at any length, and AES-GCM
 * requests over 65535 bytes, which no mbuf can hold: copy mode, the other
 * way, copies twice.)
 */
#define VC_CPU_OOP_MAX 1024u
/* Requests over the device's cipher length a batch gathers (see lcbc_add). */
#define VC_LCBC_MAX 16u

static void publish(struct vcrypto_poller *p, struct vc_vq *vq);

struct vc_cpu_batch {
	uint32_t n;
	struct vc_vq *vq;
	struct vc_sess *sess;
	struct rte_crypto_vec vec[VC_CPU_MAX];
	struct rte_crypto_sgl sgl[VC_CPU_MAX];
	struct rte_crypto_va_iova_ptr iv[VC_CPU_MAX], dig[VC_CPU_MAX], aad[VC_CPU_MAX];
	int32_t status[VC_CPU_MAX];
	uint8_t ivs[VC_CPU_MAX][16]; /* IVs copied out of guest memory, as the op path does */
	uint8_t aads[VC_CPU_MAX][VC_MAX_AAD_LEN]; /* AEAD: the AAD, copied out likewise */
	/*
	 * Where a request without a digest points its digest: crypto_aesni_mb
	 * compares 0 bytes there for cipher-only sessions, and glibc's AVX-512
	 * memcmp does a masked load from it, which from NULL (an unmapped
	 * page) takes a slow fault-suppression assist on every request.
	 */
	uint8_t no_digest[64];
	struct vc_cpu_req {
		uint8_t *status_hva;
		uint32_t wlen; /* used length when OK */
		uint32_t data_len;
		uint16_t head;
		/* copy mode: the result is in bounce[i] and digs[i], written out at completion */
		uint8_t nout; /* 0: zero copy */
		uint32_t dst_len, dig_len, dig_woff;
		struct vc_out_seg out[VC_CPU_OUT_SEGS];
	} req[VC_CPU_MAX];
	uint8_t digs[VC_CPU_MAX][64];
	uint8_t *bounce;      /* copy mode: the copies of this batch, one after another */
	uint32_t bounce_cap;  /* bytes: VC_CPU_MAX spans of VC_CPU_BOUNCE or VC_CPU_COPY_MAX */
	uint32_t bounce_used; /* bytes taken by this batch */
	/* AES-CBC requests over the device's cipher length (lcbc_add), gathered apart */
	struct vc_lcbc {
		uint32_t n;
		uint32_t used; /* copy mode: bytes of the poller's long_buf taken */
		struct vc_vq *vq;
		struct vc_sess *sess;
		/*
		 * Held across rounds (lcbc_hold): counted in vq->inflight, one
		 * chunk round per poller round (lcbc_round), ring generation
		 * @gen. Takes no more requests until it is empty.
		 */
		bool held;
		bool slice; /* to be held at the end of the turn (a request came sliced) */
		uint32_t gen;
		struct vc_lcbc_req {
			uint8_t *buf; /* the data: guest memory (in place) or long_buf */
			uint8_t *status_hva;
			uint32_t len, chunk, done;
			uint16_t head;
			uint8_t st;
			/* 0: in guest memory; else the source and the output, a chunk at a time */
			uint8_t nout, nin;
			uint8_t iv[16], next[16];
			struct vc_out_seg out[VC_MAX_OUT_SEGS], in[VC_MAX_OUT_SEGS];
		} req[VC_LCBC_MAX];
	} lc;
};

/* A piece of a request's planned output (vc_stream_range), as results are written through. */
static inline struct vc_out_seg out_seg(const struct vc_seg *s)
{
	return (struct vc_out_seg){.gpa = s->gpa, .len = s->len, .hva = s->hva};
}

/* Copy mode: write a request's result from the batch into the guest's output (0 or -errno). */
static int cpu_write_out(struct vc_cpu_batch *b, uint32_t i)
{
	const struct vc_cpu_req *r = &b->req[i];
	int err = vc_out_write(r->out, r->nout, 0, b->vec[i].base, r->dst_len);

	if (!err && r->dig_len)
		err = vc_out_write(r->out, r->nout, r->dig_woff, b->digs[i], r->dig_len);
	return err;
}

/*
 * Run the gathered requests (all of one queue and session, under the
 * port's lock: the session cannot go away meanwhile) and complete them.
 */
static void cpu_flush(struct vcrypto_poller *p)
{
	struct vc_cpu_batch *b = p->cpu;
	struct vc_vq *vq = b->vq;
	struct rte_crypto_sym_vec v = {.num = b->n,
				       .src_sgl = b->sgl,
				       .iv = b->iv,
				       .digest = b->dig,
				       .aad = b->aad,
				       .status = b->status};
	union rte_crypto_sym_ofs ofs = {.raw = 0};

	if (!b->n)
		return;
	if (vq->port->engine->null_crypto) {
		/* Measurement only (VCRYPTO_ENGINE_F_NULL_CRYPTO): the path without the crypto. */
		memset(b->status, 0, b->n * sizeof(b->status[0]));
	} else {
		for (uint32_t i = 0; i < b->n; i++)
			b->status[i] = EIO; /* whatever the device leaves unset is an error */
		rte_cryptodev_sym_cpu_crypto_process(b->sess->dev_id, b->sess->cs, ofs, &v);
	}
	for (uint32_t i = 0; i < b->n; i++) {
		uint8_t st = b->status[i] == 0	     ? VCRYPTO_STATUS_OK :
			     b->status[i] == EBADMSG ? VCRYPTO_STATUS_BADMSG :
						       VCRYPTO_STATUS_ERR;

		if (st == VCRYPTO_STATUS_OK && b->req[i].nout && cpu_write_out(b, i))
			st = VCRYPTO_STATUS_ERR;
		complete_req(p, vq, b->req[i].head, b->req[i].status_hva, st, b->req[i].wlen,
			     b->req[i].data_len, !b->req[i].nout);
	}
	VC_STAT_ADD(p->st.cpu_processed, b->n);
	b->n = 0;
	b->bounce_used = 0;
	/* The guest reuses these while the next chunk is computed. */
	publish(p, vq);
}

/* Whether [a, a + alen) and [b, b + blen) share a byte. */
static inline bool overlap(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * cpu_fits()'s rule for a request out of place (see there), out of line:
 * inlined, it made the in-place path 12 host instructions longer (LTO).
 */
static __rte_noinline bool cpu_oop_fits(const struct vc_plan *pl, const uint8_t *zsrc,
					const uint8_t *zdst, const uint8_t *tag, uint32_t tag_len)
{
	if (pl->kind != VC_K_CHAIN && pl->data_len > VC_CPU_OOP_MAX && pl->data_len <= UINT16_MAX)
		return false; /* (the queue pair's one pass costs less) */
	return pl->dst_len == pl->data_len && !overlap(zsrc, pl->data_len, zdst, pl->dst_len) &&
	       !(pl->aead_dec && overlap(tag, tag_len, zdst, pl->dst_len));
}

/*
 * Whether a zero-copy request can run through CPU crypto: a cipher or AEAD
 * request (its AAD copied out as the op path does) or the whole data
 * enciphered and hashed from its start (one set of offsets per call), an
 * IV that fits. The API writes where it reads: a request out of place is
 * copied to its destination and computed there (cpu_oop) if its
 * destination shares no byte with its source or the AEAD tag to verify
 * (@p tag, @p tag_len bytes), and it is a cipher or AEAD request of at most
 * VC_CPU_OOP_MAX bytes (longer ones take the queue pair) or over 65535
 * (AES-GCM: cpu_long_ok; no mbuf can say that length, so the other way is
 * copy mode, two copies), or cipher-then-hash (which no device here takes out
 * of place: the other way is copy mode too).
 */
static inline bool cpu_fits(const struct vc_plan *pl, const uint8_t *zsrc, const uint8_t *zdst,
			    const uint8_t *tag, uint32_t tag_len)
{
	if (!pl->data_len || pl->iv_len > 16)
		return false;
	if (pl->dst_len && zdst != zsrc && !cpu_oop_fits(pl, zsrc, zdst, tag, tag_len))
		return false;
	if (pl->kind == VC_K_CIPHER || pl->kind == VC_K_AEAD)
		return true;
	return pl->kind == VC_K_CHAIN && pl->c_off == 0 && pl->h_off == 0 &&
	       pl->c_len == pl->data_len && pl->h_len == pl->data_len;
}

/*
 * Whether a session's zero-copy requests over 65535 bytes (one piece in
 * guest memory) may run through CPU crypto, whose lengths are 32-bit:
 * AES-GCM, whose lengths crypto_aesni_mb keeps in 64 bits (its AES-CBC
 * lanes count in 16, and longer cipher requests are refused before this;
 * AES-CCM and ChaCha20-Poly1305 are not tested that long, and are copied).
 */
static inline bool cpu_long_ok(const struct vc_session_desc *d)
{
	return d->type == VCRYPTO_SESSION_AEAD && d->aead_algo == VCRYPTO_AEAD_AES_GCM;
}

/*
 * Whether a copy-mode request can run through CPU crypto on a copy of its
 * data (in place there, so in place or not in the guest): cipher, AEAD or
 * the whole data enciphered and hashed from its start, an IV and a digest
 * that fit, data of at most VC_CPU_COPY_MAX bytes.
 */
static inline bool cpu_copy_fits(const struct vc_plan *pl)
{
	if (!pl->data_len || pl->data_len > VC_CPU_COPY_MAX || pl->iv_len > 16 || pl->dig_len > 64)
		return false;
	if (pl->kind == VC_K_CIPHER || pl->kind == VC_K_AEAD)
		return pl->dst_len == pl->data_len;
	return pl->kind == VC_K_CHAIN && pl->c_off == 0 && pl->h_off == 0 &&
	       pl->c_len == pl->data_len && pl->h_len == pl->data_len &&
	       pl->dst_len == pl->data_len;
}

/*
 * Whether a request of @p len bytes may run through CPU crypto now: up to
 * VC_CPU_BOUNCE bytes always, longer ones unless fetch_queue() found their
 * queue limited (a rate or a max_inflight below the port's) while another
 * queue is active. A CPU crypto call runs its requests to the end (one
 * 64 KiB AES-CBC encryption alone: about 90 us, four side by side as
 * long), so a limit on a busy guest's count or rate does not shorten what
 * a light guest waits behind; the device's lanes (crypto_aesni_mb) finish
 * a short request that joins a few long ones first. Beside a busy guest's
 * 65520-byte zero-copy requests capped at 4 in flight or at half its rate,
 * a depth-1 64 B guest got 7,600-9,300 requests/s behind CPU crypto calls
 * and 17,400-19,100 behind the lanes, the busy guest's throughput about
 * the same. Unlimited, CPU crypto serves both better (the busy guest's
 * 64 KiB zero-copy requests: 85 Gbit/s, 62 through the queue pair, and the
 * light guest waits no less behind the queue pair's ring).
 */
static inline bool cpu_len_ok(const struct vcrypto_poller *p, uint32_t len)
{
	return len <= VC_CPU_BOUNCE || p->cpu_long;
}

/*
 * Replace the area at *@p buf (*@p cap bytes, its contents no longer
 * needed) by a line-aligned one of @p size bytes. False, nothing changed,
 * if there is no memory for it.
 */
static bool area_replace(uint8_t **buf, uint32_t *cap, uint32_t size)
{
	uint8_t *nb;

	if (posix_memalign((void **)&nb, VC_LINE, size))
		return false;
	free(*buf);
	*buf = nb;
	*cap = size;
	return true;
}

static void cpu_batch_free(struct vc_cpu_batch *b)
{
	if (b)
		free(b->bounce);
	free(b);
}

/* A new batch: what never changes per request. */
static struct vc_cpu_batch *cpu_batch_new(void)
{
	struct vc_cpu_batch *b = vc_calloc_lines(1, sizeof(*b));

	if (b &&
	    !area_replace(&b->bounce, &b->bounce_cap, VC_CPU_MAX * VC_CPU_SPAN(VC_CPU_BOUNCE))) {
		free(b);
		return NULL;
	}
	for (uint32_t i = 0; b && i < VC_CPU_MAX; i++) {
		b->sgl[i].vec = &b->vec[i];
		b->sgl[i].num = 1;
		b->iv[i].va = b->ivs[i];
		b->iv[i].iova = (rte_iova_t)(uintptr_t)b->ivs[i];
		b->aad[i].va = b->aads[i];
		b->aad[i].iova = (rte_iova_t)(uintptr_t)b->aads[i];
	}
	return b;
}

/*
 * Whether the bounce area takes a copy of @p len bytes (at most
 * VC_CPU_COPY_MAX), growing it at the first copy over VC_CPU_BOUNCE bytes
 * (what the batch holds is run first: its copies are in the area). Once
 * grown it holds VC_CPU_MAX copies of any length, as it held VC_CPU_MAX of
 * VC_CPU_BOUNCE bytes before: the batch fills up before its area does.
 * False if the area cannot grow (the request then takes the queue pair).
 */
static bool cpu_bounce_fits(struct vcrypto_poller *p, uint32_t len)
{
	const uint32_t big = VC_CPU_MAX * VC_CPU_SPAN(VC_CPU_COPY_MAX);
	struct vc_cpu_batch *b = p->cpu;

	if (len <= VC_CPU_BOUNCE || b->bounce_cap == big)
		return true;
	cpu_flush(p);
	return area_replace(&b->bounce, &b->bounce_cap, big);
}

/* The batch's next entry, for @p vq and @p s (what it holds for others is run first). */
static uint32_t cpu_entry(struct vcrypto_poller *p, struct vc_vq *vq, struct vc_sess *s)
{
	struct vc_cpu_batch *b = p->cpu;

	if (b->n && (b->vq != vq || b->sess != s || b->n == VC_CPU_MAX))
		cpu_flush(p);
	b->vq = vq;
	b->sess = s;
	return b->n++;
}

/*
 * Add a request to the batch: zero copy (@p zsrc, @p zdig in guest memory;
 * out of place, cpu_oop follows) or, with @p zsrc NULL, copy mode: its data
 * read into the entry's bounce buffer (once: what the guest changes later
 * does not matter), the result written out at completion through @p c's
 * output stream. Returns false if a copy-mode request does not fit (its
 * output in too many pieces): then it takes the queue pair.
 */
static bool cpu_add(struct vcrypto_poller *p, struct vc_vq *vq, struct vc_sess *s, uint16_t head,
		    const struct vc_chain *c, const struct vc_plan *pl, uint8_t *zsrc,
		    uint8_t *zdig)
{
	struct vc_cpu_batch *b = p->cpu;
	struct vc_seg outs[VC_CPU_OUT_SEGS];
	int nout = 0;
	uint32_t i;

	if (!zsrc) {
		nout = vc_stream_range(c->segs + c->nr, c->nw, 0,
				       (uint64_t)pl->dst_len + pl->dig_len, outs, VC_CPU_OUT_SEGS);
		if (nout <= 0 || (pl->aead_dec && s->sh.digest_len > sizeof(b->digs[0])) ||
		    !cpu_bounce_fits(p, pl->data_len))
			return false;
	}
	i = cpu_entry(p, vq, s);
	b->req[i].nout = (uint8_t)nout;
	if (!zsrc) {
		zsrc = b->bounce + b->bounce_used;
		b->bounce_used += VC_CPU_SPAN(pl->data_len);
		vc_stream_read(c->segs, c->nr, pl->src_off, zsrc, pl->data_len);
		zdig = pl->dig_len ? b->digs[i] : NULL;
		if (pl->aead_dec) { /* the tag to verify, read once as the data is */
			vc_stream_read(c->segs, c->nr, pl->tag_roff, b->digs[i], s->sh.digest_len);
			zdig = b->digs[i];
		}
		b->req[i].dst_len = pl->dst_len;
		b->req[i].dig_len = pl->dig_len;
		b->req[i].dig_woff = pl->dig_woff;
		for (int k = 0; k < nout; k++)
			b->req[i].out[k] = out_seg(&outs[k]);
	}
	b->vec[i].base = zsrc;
	b->vec[i].iova = (rte_iova_t)(uintptr_t)zsrc;
	b->vec[i].len = pl->data_len;
	b->vec[i].tot_len = pl->data_len;
	if (pl->iv_len)
		vc_stream_read_iv(c->segs, c->nr, VC_REQ_HDR_LEN, b->ivs[i], pl->iv_len);
	if (pl->aad_len)
		vc_stream_read(c->segs, c->nr, VC_REQ_HDR_LEN + pl->iv_len, b->aads[i],
			       pl->aad_len);
	b->dig[i].va = zdig ? zdig : b->no_digest;
	b->dig[i].iova = (rte_iova_t)(uintptr_t)b->dig[i].va;
	b->req[i].status_hva = c->status_hva;
	b->req[i].wlen = pl->dst_len + pl->dig_len + 1;
	b->req[i].data_len = pl->data_len;
	b->req[i].head = head;
	p->last_bytes = pl->data_len;
	VC_STAT_ADD(p->st.fetched, 1);
	return true;
}

/*
 * The request cpu_add() just added, out of place (cpu_fits): its data
 * copied to @p zdst and computed there, in place. After cpu_add(), which
 * has read its IV and AAD: the copy may not change them.
 */
static void cpu_oop(struct vc_cpu_batch *b, uint8_t *zdst, uint32_t len)
{
	struct rte_crypto_vec *v = &b->vec[b->n - 1];

	memcpy(zdst, v->base, len);
	v->base = zdst;
	v->iova = (rte_iova_t)(uintptr_t)zdst;
}

/* Whether two segment lists are the same pieces of host memory (an output in place). */
static bool segs_same(const struct vc_seg *a, int na, const struct vc_seg *b, int nb)
{
	bool same = na == nb;

	for (int i = 0; same && i < na; i++)
		same = a[i].hva == b[i].hva && a[i].len == b[i].len;
	return same;
}

/*
 * Whether a session's requests may go to the device in pieces: the
 * algorithms tested that way against OpenSSL (zero_copy_chains). Others
 * cannot be: crypto_openssl feeds OpenSSL piece by piece, which AES-XTS and
 * AES-CCM (one update call only) do not take, and it refuses chains for
 * 3DES-CTR (its own counter code).
 */
static bool chain_algo_ok(const struct vc_session_desc *d)
{
	if (d->type == VCRYPTO_SESSION_AEAD)
		return d->aead_algo == VCRYPTO_AEAD_AES_GCM;
	switch (d->cipher_algo) {
	case VCRYPTO_CIPHER_AES_CBC:
	case VCRYPTO_CIPHER_AES_CTR:
	case VCRYPTO_CIPHER_3DES_CBC:
		return true;
	default:
		return false;
	}
}

/*
 * Zero copy over a chain of mbufs, for a request whose data is not one piece
 * of host memory (a guest's page-split buffer) or is longer than an mbuf can
 * say (over 65535 bytes), on a device that takes scatter-gather:
 * - in-place cipher or cipher-then-hash (in-place SGL): the output stream is
 *   the input's data, piece by piece;
 * - out-of-place cipher or AEAD (SGL in, one buffer out: crypto_openssl
 *   takes no chained destination): the destination one piece apart from the
 *   source, in one mbuf (*mdst; over 65535 bytes its data_len is clipped, as
 *   big_mbuf's). For AES-GCM that one buffer may be the source's own (in
 *   place, the request's data in one piece over 65535 bytes).
 * Only for the algorithms of chain_algo_ok. A digest or tag must be one piece
 * (@zdig, found by the caller). Returns the source chain, or NULL (then the
 * request is copied).
 */
static struct rte_mbuf *zc_chain(struct vcrypto_engine *e, const struct vc_chain *c,
				 const struct vc_plan *pl, const struct vc_session_desc *d,
				 const uint8_t *zdig, struct rte_mbuf **mdst)
{
	struct vc_seg in[VC_ZC_MAX_SEGS], out[VC_ZC_MAX_SEGS];
	struct rte_mbuf *ms[VC_ZC_MAX_SEGS + 1];
	bool oop = pl->kind == VC_K_AEAD;
	uint8_t *zdst = NULL;
	uint32_t nm = 0, k = 0;
	int ni;

	*mdst = NULL;
	if (pl->kind == VC_K_HASH || !chain_algo_ok(d) || pl->dst_len != pl->data_len ||
	    ((pl->dig_len || pl->aead_dec) && !zdig))
		return NULL;
	ni = vc_stream_range(c->segs, c->nr, pl->src_off, pl->data_len, in, VC_ZC_MAX_SEGS);
	if (ni <= 0)
		return NULL;
	if (!oop) {
		int no = vc_stream_range(c->segs + c->nr, c->nw, 0, pl->dst_len, out,
					 VC_ZC_MAX_SEGS);
		bool in_place = segs_same(in, ni, out, no);
		if (!in_place) {
			if (pl->kind != VC_K_CIPHER)
				return NULL;
			oop = true;
		}
	}
	if (oop) {
		if (!(e->dev_features & RTE_CRYPTODEV_FF_OOP_SGL_IN_LB_OUT))
			return NULL;
		zdst = vc_stream_contig(c->segs + c->nr, c->nw, 0, pl->dst_len);
		if (!zdst)
			return NULL;
	}
	for (int i = 0; i < ni; i++) {
		/*
		 * The device reads piece k and writes its output at the same offset
		 * of the destination: a destination that overlaps the source is
		 * safe only where each piece's output lands on the piece itself
		 * (AES-GCM, whose output keeps pace with its input, in place in one
		 * buffer), not shifted onto a piece still to be read.
		 */
		if (oop && overlap(in[i].hva, in[i].len, zdst, pl->dst_len) &&
		    !(pl->kind == VC_K_AEAD && ni == 1 && in[0].hva == zdst))
			return NULL;
		nm += (in[i].len + VC_ZC_SEG_MAX - 1) / VC_ZC_SEG_MAX;
	}
	if (nm > VC_ZC_MAX_SEGS || rte_pktmbuf_alloc_bulk(e->mbuf_pool, ms, nm + oop) < 0)
		return NULL;
	for (int i = 0; i < ni; i++) {
		for (uint32_t off = 0; off < in[i].len; off += VC_ZC_SEG_MAX, k++) {
			uint32_t l = in[i].len - off < VC_ZC_SEG_MAX ? in[i].len - off :
								       VC_ZC_SEG_MAX;

			mbuf_point(ms[k], in[i].hva + off, l);
			if (k)
				ms[k - 1]->next = ms[k];
		}
	}
	ms[0]->nb_segs = (uint16_t)nm;
	ms[0]->pkt_len = pl->data_len;
	if (oop) {
		mbuf_point(ms[nm], zdst, pl->dst_len);
		*mdst = ms[nm];
	}
	return ms[0];
}

/* AES-CBC over a device's cipher length goes in chunks of at most this many bytes (lcbc_add). */
#define VC_CBC_CHUNK (UINT16_MAX & ~15u)
/* Copy mode: the bytes a batch of such requests copies at most (one alone may exceed it). */
#define VC_LCBC_COPY (4u << 20)
/* A set must fill this many of crypto_aesni_mb's lanes for its requests to be sliced. */
#define VC_LCBC_FAT (VC_LCBC_MAX / 2)

/* The end of run @p r: a run under half the lanes marks it thin, a longer one clears that. */
static inline void run_end(struct vc_run *r)
{
	if (r->n)
		r->thin = r->n < VC_LCBC_FAT;
	r->n = 0;
}

/* Make run @p r, if it has begun, count as long as a full one (from here on and at its end). */
static inline void run_fill(struct vc_run *r)
{
	if (r->n && r->n < VC_LCBC_FAT) {
		r->n = VC_LCBC_FAT;
		r->thin = false;
	}
}

/*
 * Count a request of @p key (a session, or NULL for a run of any) in run
 * @p r, and say whether it counts as part of a full run: the last run was
 * not thin, or this one has reached half the lanes (which clears "thin" at
 * once). Another key ends the run (run_end); so does the end of a turn,
 * where the caller says (run_end, or just n = 0 where a cut run says
 * nothing).
 */
static inline bool run_add(struct vc_run *r, const void *key)
{
	if (r->key != key) {
		run_end(r);
		r->key = key;
	}
	if (r->n < UINT8_MAX)
		r->n++;
	if (r->n >= VC_LCBC_FAT)
		r->thin = false;
	return !r->thin;
}

/*
 * Whether requests gathered now are held across rounds in slices (see
 * lcbc_slice): while another queue is active, unless the queue is one
 * whose long requests take the queue pair (cpu_len_ok) and these can
 * (@p over_dev false: not over the device's cipher length, which only CPU
 * crypto takes on crypto_aesni_mb).
 */
static inline bool lcbc_holds(const struct vcrypto_poller *p, bool over_dev)
{
	return p->npending >= 2 && (p->cpu_long || over_dev);
}

/* @p vq's byte quantum: the bytes a turn of it may fetch under contention (quantum x weight). */
static inline uint64_t vq_quantum(const struct vcrypto_poller *p, const struct vc_vq *vq)
{
	return (uint64_t)p->quantum * vq->port->qos.cur.weight;
}

/*
 * While other queues wait, an unlimited queue's AES-CBC encryptions longer
 * than a slice run in slices, one slice of each per poller round
 * (lcbc_hold): the set's 16 slices together are the queue's byte quantum
 * (4 KiB each by default, about 6 us for 16 side by side on
 * crypto_aesni_mb, where 16 whole 64 KiB requests took about 100 us,
 * which a light guest's request waited behind). AES-CBC decryption and
 * the other kinds intel-ipsec-mb runs one at a time end a turn at the
 * quantum instead (fetch_queue); cipher-then-hash cannot be cut.
 */
static inline uint32_t lcbc_slice(const struct vcrypto_poller *p, const struct vc_vq *vq)
{
	uint64_t b = vq_quantum(p, vq) / VC_LCBC_MAX;

	return b < 1024 ? 1024 : b > VC_CBC_CHUNK ? VC_CBC_CHUNK : (uint32_t)b & ~15u;
}

/*
 * Count an AES-CBC request of session @p s that a held set would take
 * (lcbc_add) in @p vq's run, and say whether it is sliced: only if the
 * queue's sets fill half the lanes or more. A set takes one session's
 * requests of one turn; a thin one runs its slices in a lane or two, while
 * other queues whose requests need the set wait for all its rounds, and
 * whole requests would have shared the lanes of CPU crypto calls (a
 * 64-guest soak of mixed sessions sliced 40% of its bytes, 85% of the
 * calls in one lane, and moved 13-17% fewer bytes). Not sliced, a request
 * up to 65520 bytes goes whole, a longer one in a set run to the end in
 * the turn (as without contention). The queue's last run decides (a queue
 * starts out sliced), and a run that reaches half the lanes turns slicing
 * on from there, as does a turn the queue's own limits ended (fetch_queue:
 * a queue limited to 4 in flight never brings 8). A run ends at the end of
 * a turn that counted in it (fetch_queue) or at another session's request.
 */
static inline bool lcbc_fills(struct vc_vq *vq, const struct vc_sess *s)
{
	return run_add(&vq->lcbc_run, s);
}

/*
 * Count a request of session @p s on the device of a poller with CPU
 * crypto in @p vq's run of one session's requests, and say whether the
 * queue's requests may take CPU crypto. A CPU crypto call takes one
 * session (DPDK's API), so a batch (cpu_add) or set (lcbc_add) holds one
 * session's requests in a row, and a queue whose requests alternate
 * sessions (a guest with several IPsec SAs) made calls of one request: one
 * lane each for the kinds crypto_aesni_mb runs in lanes (one guest taking
 * four AES-CBC sessions in turn got 5-6 Gbit/s from 4 to 64 KiB instead of
 * 64-94), and a call, a completion pass and a publication per request for
 * the others (AES-GCM 64 B: 2.6-3.2 M requests/s, 3.4-4.8 M through the
 * queue pair). The queue pair mixes sessions in the device's lanes. A run
 * cut short (under half the lanes) by another session's request marks the
 * queue as alternating; a run that reaches half the lanes clears it, from
 * that request on. A run the end of a turn cuts says nothing (a depth-1
 * guest's runs are all 1): fetch_queue() starts a new one.
 */
static inline bool lane_run(struct vc_vq *vq, const struct vc_sess *s)
{
	return run_add(&vq->lane_run, s);
}

/* A request counted in runs (lcbc_fills, lane_run, qs_fills) is left on the ring: it is read again. */
static inline void runs_uncount(struct vc_vq *vq, bool lcbc, bool lane, bool qs)
{
	if (lcbc)
		vq->lcbc_run.n--;
	if (lane)
		vq->lane_run.n--;
	if (qs)
		vq->qs_run.n--;
}

/*
 * Whether @p vq's next request waits for the held set or for room among
 * the queue pair's slices (qs_want): its visits pass meanwhile.
 */
static inline bool lcbc_waits(const struct vcrypto_poller *p, const struct vc_vq *vq)
{
	return (vq->lcbc_wait && p->cpu && p->cpu->lc.held) ||
	       (vq->qs_wait && vq->qs_n >= VC_QS_MAX);
}

/* The set is done (or dropped, under its port's lock): queues that waited for it fetch again. */
static void lcbc_empty(struct vcrypto_poller *p)
{
	struct vc_lcbc *l = &p->cpu->lc;

	l->n = 0;
	l->used = 0;
	l->slice = false;
	if (l->held) {
		vc_sess_put(l->sess);
		/*
		 * (after the round's turns) The next turn is the owner's
		 * successor's: among queues that waited, the set goes round.
		 */
		for (uint32_t i = 0; i < p->n; i++) {
			p->entries[i]->lcbc_wait = false;
			if (p->entries[i] == l->vq) {
				p->drr_pos = i + 1 < p->n ? i + 1 : 0;
				p->drr_fresh = true;
			}
		}
	}
	l->held = false;
}

/* Whether a planned AES-CBC request is one lcbc_add() can run: whole blocks, same length out. */
static inline bool lcbc_shape_ok(const struct vc_plan *pl)
{
	return pl->iv_len == 16 && !(pl->data_len % 16) && pl->dst_len == pl->data_len;
}

/*
 * Whether an AES-CBC request of session @p s can go in slices of @p vq's
 * (lcbc_slice), through CPU crypto (lcbc_add) or the queue pair (qs_want):
 * an encryption (each slice's IV is the last ciphertext block before it)
 * longer than a slice, in a shape slices take.
 */
static inline bool cbc_sliceable(const struct vcrypto_poller *p, const struct vc_vq *vq,
				 const struct vc_sess *s, const struct vc_plan *pl)
{
	return s->sh.d.direction == VCRYPTO_ENCRYPT && lcbc_shape_ok(pl) &&
	       pl->data_len > lcbc_slice(p, vq);
}

/* Whether a session's requests over the device's cipher length can go through lcbc_add(). */
static inline bool long_cbc_ok(const struct vcrypto_poller *p, const struct vc_sess *s)
{
	return p->cpu && s->dev_id == p->engine->dev_id && !p->engine->null_crypto &&
	       s->sh.d.type == VCRYPTO_SESSION_CIPHER &&
	       s->sh.d.cipher_algo == VCRYPTO_CIPHER_AES_CBC;
}

/*
 * Run the gathered long AES-CBC requests (one queue and session, under the
 * port's lock) and complete them. A round takes the next chunk of every
 * request into one CPU crypto call, so crypto_aesni_mb runs them in its
 * lanes side by side: an encryption's chunks depend on each other (a
 * chunk's IV is the last ciphertext block of the chunk before), so one
 * request uses one lane. A decryption saves that block before the chunk is
 * decrypted over it.
 */
static void lcbc_step(struct vcrypto_poller *p, bool all)
{
	struct vc_lcbc *l = &p->cpu->lc;
	struct rte_crypto_vec vec[VC_LCBC_MAX];
	struct rte_crypto_sgl sgl[VC_LCBC_MAX];
	struct rte_crypto_va_iova_ptr iv[VC_LCBC_MAX], dig[VC_LCBC_MAX], aad[VC_LCBC_MAX];
	int32_t status[VC_LCBC_MAX];
	uint8_t map[VC_LCBC_MAX];
	struct rte_crypto_sym_vec v = {
		.src_sgl = sgl, .iv = iv, .digest = dig, .aad = aad, .status = status};
	bool enc;

	if (!l->n)
		return;
	enc = l->sess->sh.d.direction == VCRYPTO_ENCRYPT;
	for (bool more = true; more; more = all) {
		uint32_t k = 0;

		for (uint32_t i = 0; i < l->n; i++) {
			struct vc_lcbc_req *r = &l->req[i];
			/* (a held set run to the end: what is left, as far as the device goes) */
			uint32_t c = all && l->held ? VC_CBC_CHUNK : r->chunk;
			uint32_t n = r->len - r->done < c ? r->len - r->done : c;

			if (r->st != VCRYPTO_STATUS_OK || !n)
				continue;
			/* (copy mode: the chunk's source now, so a round copies a chunk, not all) */
			if (r->nin && vc_out_read(r->in, r->nin, r->done, r->buf + r->done, n)) {
				r->st = VCRYPTO_STATUS_ERR;
				continue;
			}
			vec[k] = (struct rte_crypto_vec){
				.base = r->buf + r->done,
				.iova = (rte_iova_t)(uintptr_t)(r->buf + r->done),
				.len = n,
				.tot_len = n};
			sgl[k] = (struct rte_crypto_sgl){.vec = &vec[k], .num = 1};
			iv[k] = (struct rte_crypto_va_iova_ptr){.va = r->iv};
			dig[k] = (struct rte_crypto_va_iova_ptr){.va = p->cpu->no_digest};
			aad[k] = (struct rte_crypto_va_iova_ptr){.va = NULL};
			status[k] = EIO;
			if (!enc)
				memcpy(r->next, r->buf + r->done + n - 16, 16);
			map[k++] = (uint8_t)i;
		}
		if (!k)
			break;
		v.num = k;
		rte_cryptodev_sym_cpu_crypto_process(l->sess->dev_id, l->sess->cs,
						     (union rte_crypto_sym_ofs){.raw = 0}, &v);
		for (uint32_t j = 0; j < k; j++) {
			struct vc_lcbc_req *r = &l->req[map[j]];

			if (status[j] || (r->nout && vc_out_write(r->out, r->nout, r->done,
								  r->buf + r->done, vec[j].len)))
				r->st = VCRYPTO_STATUS_ERR;
			memcpy(r->iv, enc ? r->buf + r->done + vec[j].len - 16 : r->next, 16);
			r->done += vec[j].len;
		}
	}
	/* Complete what is done (all of it, unless a held set's chunk round left some). */
	for (uint32_t i = 0; i < l->n;) {
		struct vc_lcbc_req *r = &l->req[i];

		if (r->st == VCRYPTO_STATUS_OK && r->done < r->len) {
			i++;
			continue;
		}
		complete_req(p, l->vq, r->head, r->status_hva, r->st, r->len + 1, r->len, !r->nout);
		VC_STAT_ADD(p->st.cpu_processed, 1);
		if (l->held)
			vq_inflight_add(l->vq, -1);
		*r = l->req[--l->n];
	}
	if (!l->n)
		lcbc_empty(p);
	publish(p, l->vq);
}

/* Run the gathered long AES-CBC requests to the end and complete them. */
static void lcbc_flush(struct vcrypto_poller *p)
{
	lcbc_step(p, true);
}

/*
 * Hold the requests this turn gathered (contention): they are in flight
 * now, and each poller round runs one chunk of each (lcbc_round), so that
 * other queues are served between chunks instead of waiting for all of it.
 */
static void lcbc_hold(struct vcrypto_poller *p)
{
	struct vc_lcbc *l = &p->cpu->lc;

	l->held = true;
	l->gen = l->vq->gen;
	vq_inflight_add(l->vq, (int32_t)l->n);
	vc_sess_get(l->sess); /* the guest may close it meanwhile (as an op's slot holds it) */
}

/*
 * Whether another queue than the held set's is active and not waiting for
 * the set: what the set's slices make room for. (Queues that only wait
 * for it gain nothing from slices: it then runs to the end.)
 */
static bool lcbc_others(const struct vcrypto_poller *p)
{
	if (p->npending < 2)
		return false;
	for (uint32_t i = 0; i < p->n; i++) {
		const struct vc_vq *vq = p->entries[i];

		if (vq->pending && vq != p->cpu->lc.vq && !vq->lcbc_wait)
			return true;
	}
	return false;
}

/*
 * A poller round's share of a held set (see lcbc_hold), under its port's
 * lock: the next chunk of each request, or all that is left once no other
 * queue is active but to wait for it (lcbc_others). A set whose ring was
 * reset or whose front end left is dropped unread (vq_drops, as finalize()
 * drops such results).
 */
static int lcbc_round(struct vcrypto_poller *p)
{
	struct vc_lcbc *l = &p->cpu->lc;
	struct vc_vq *vq = l->vq;

	if (!l->held)
		return 0;
	rte_spinlock_lock(&vq->port->lock);
	if (vq_drops(vq, l->gen, l->n)) {
		vq_inflight_add(vq, -(int32_t)l->n);
		lcbc_empty(p);
	} else {
		lcbc_step(p, !lcbc_others(p));
	}
	rte_spinlock_unlock(&vq->port->lock);
	return 1;
}

/*
 * Whether a copy-mode request's source may be read a chunk at a time as
 * the chunks run (lcbc_add): its output is its source (in place) or
 * overlaps no byte of it. Else (the destination 16 bytes after the source,
 * say) a chunk's result would overwrite the next chunk's source before it
 * is read. Host addresses: two guest regions may map the same memory.
 */
static bool lcbc_chunks_ok(const struct vc_seg *in, int nin, const struct vc_seg *out, int nout)
{
	if (segs_same(in, nin, out, nout))
		return true;
	for (int i = 0; i < nin; i++)
		for (int j = 0; j < nout; j++) {
			const uintptr_t a = (uintptr_t)in[i].hva, b = (uintptr_t)out[j].hva;

			if (a < b + out[j].len && b < a + in[i].len)
				return false;
		}
	return true;
}

/*
 * AES-CBC longer than the device can take in one piece (crypto_aesni_mb's
 * cipher lanes count in 16 bits), or (lcbc_slice) longer than a slice
 * while other queues wait, through CPU crypto in chunks, gathered with the
 * queue's other such requests (lcbc_flush, lcbc_hold). @p slice: in
 * slices (lcbc_fills), so the set is held at the end of the turn and takes
 * no request it cannot hold meanwhile. In place in guest memory at @p z
 * (zero copy, in place, in one piece), else on the poller's own buffer,
 * each chunk read from the guest before it is computed and written out
 * after (lcbc_step): a held set's round copies a slice of each request,
 * not whole ones (16 requests of 128 KiB copied in at fetch and out at
 * completion: 4 MiB, about 200 us that a light guest waited behind); a
 * source in more pieces than VC_MAX_OUT_SEGS, or that the output overlaps
 * other than in place (lcbc_chunks_ok), is read whole now. Returns 1 if
 * consumed, 0 if it must wait for a held set to finish (not consumed).
 */
static int lcbc_add(struct vcrypto_poller *p, struct vc_vq *vq, struct vc_sess *s, uint16_t head,
		    const struct vc_chain *c, const struct vc_plan *pl, uint8_t *z, bool slice)
{
	struct vc_lcbc *l = &p->cpu->lc;
	struct vc_seg outs[VC_MAX_OUT_SEGS], ins[VC_MAX_OUT_SEGS];
	struct vc_lcbc_req *r;
	/* (a spare line after each copy: copies 64 KiB apart would share L1 sets, see VC_CPU_PAD) */
	uint32_t need = VC_CPU_SPAN(pl->data_len), nch;
	int nout = 0, nin = 0;

	/*
	 * As the device fails them (whole blocks, same length); the plan refuses
	 * them first. A request here is longer than the device takes or than a
	 * slice, never empty: the test keeps the chunk count below from dividing
	 * by zero should that change.
	 */
	if (!lcbc_shape_ok(pl) || !pl->data_len)
		goto refuse;
	if (!z) {
		nout = vc_stream_range(c->segs + c->nr, c->nw, 0, pl->dst_len, outs,
				       VC_MAX_OUT_SEGS);
		if (nout <= 0)
			goto refuse;
	}
	/* A set to be held in slices does not run to the end here: wait for its rounds. */
	if (l->held || (l->slice && l->n &&
			(l->vq != vq || l->sess != s || l->n == VC_LCBC_MAX ||
			 (!z && l->used + need > p->long_cap)))) {
		vq->lcbc_wait = true;
		return 0;
	}
	p->last_bytes = pl->data_len;
	VC_STAT_ADD(p->st.fetched, 1);
	if (!z) {
		if (l->n && l->used + need > p->long_cap)
			lcbc_flush(p);
		/* (the batch holds no copy now) */
		if (p->long_cap < l->used + need &&
		    !area_replace(&p->long_buf, &p->long_cap,
				  need > VC_LCBC_COPY ? need : VC_LCBC_COPY))
			goto refuse;
	}
	if (l->n && (l->vq != vq || l->sess != s || l->n == VC_LCBC_MAX))
		lcbc_flush(p);
	l->vq = vq;
	l->sess = s;
	l->slice |= slice;
	r = &l->req[l->n++];
	if (z) {
		r->buf = z;
	} else {
		r->buf = p->long_buf + l->used;
		l->used += need;
		nin = vc_stream_range(c->segs, c->nr, pl->src_off, pl->data_len, ins,
				      VC_MAX_OUT_SEGS);
		if (nin <= 0 || !lcbc_chunks_ok(ins, nin, outs, nout)) {
			nin = 0; /* (read whole now) */
			vc_stream_read(c->segs, c->nr, pl->src_off, r->buf, pl->data_len);
		}
		for (int k = 0; k < nin; k++)
			r->in[k] = out_seg(&ins[k]);
		for (int k = 0; k < nout; k++)
			r->out[k] = out_seg(&outs[k]);
	}
	r->nout = (uint8_t)nout;
	r->nin = (uint8_t)nin;
	vc_stream_read_iv(c->segs, c->nr, VC_REQ_HDR_LEN, r->iv, 16);
	/*
	 * The fewest chunks, of equal size: the lanes of a round finish
	 * together. Slices: half as long in copy mode, where each is also
	 * copied in and out (about as much time as its computation), so that a
	 * round's work stays about a quantum: beside 16 such requests of 128 KiB,
	 * a light guest's median 14-15 us with whole slices, 7-8.5 us so.
	 */
	nch = (pl->data_len + VC_CBC_CHUNK - 1) / VC_CBC_CHUNK;
	r->chunk = !slice ? (pl->data_len / 16 + nch - 1) / nch * 16 :
		   z	  ? lcbc_slice(p, vq) :
			    RTE_MAX(lcbc_slice(p, vq) / 2 & ~15u, 1024u);
	r->len = pl->data_len;
	r->done = 0;
	r->head = head;
	r->status_hva = c->status_hva;
	r->st = VCRYPTO_STATUS_OK;
	return 1;
refuse:
	p->last_bytes = pl->data_len;
	VC_STAT_ADD(p->st.fetched, 1);
	VC_STAT_ADD(p->st.cpu_processed, 1);
	complete_now(p, vq, head, c->status_hva, VCRYPTO_STATUS_ERR);
	return 1;
}

/*
 * Where requests take the queue pair (a device without CPU crypto, a queue
 * whose sessions alternate: lane_run, a limited one beside others:
 * cpu_len_ok) on a device that computes outside enqueue, a queue's turn
 * takes at least VC_CHUNK requests (fetch_queue): 16 whole 64 KiB AES-CBC
 * encryptions, about 100 us on crypto_aesni_mb, which a light guest's
 * request waited behind (p50 142 us, 11,000 requests/s beside a guest of
 * four sessions; 8.5 us and 108,000 beside a guest of one, whose requests
 * CPU crypto slices: lcbc_add). Under contention such an encryption longer
 * than a slice goes through the queue pair one slice per round instead,
 * its op sent again with the next slice's offset and IV (the last
 * ciphertext block of the slice before: qs_next). A queue has up to
 * VC_QS_MAX in slices, the slices of a round its quantum (lcbc_slice),
 * side by side in the device's lanes; a queue whose next request would be
 * one more waits, its turns passing (lcbc_waits).
 */
static inline bool qs_want(const struct vcrypto_poller *p, const struct vc_vq *vq,
			   const struct vc_sess *s, const struct vc_plan *pl)
{
	return p->npending >= 2 && p->st.enqueue_chunk == VC_CHUNK && pl->kind == VC_K_CIPHER &&
	       s->sh.d.cipher_algo == VCRYPTO_CIPHER_AES_CBC && !p->engine->null_crypto &&
	       cbc_sliceable(p, vq, s, pl);
}

/*
 * Count a sliceable request (qs_want) in @p vq's turn and say whether it
 * is sliced: only if the queue's turns bring half the lanes' worth or
 * more (its last turn did, or this one does from that request on; a
 * queue starts out sliced; a turn its own limits or VC_QS_MAX ended
 * counts as full: fetch_queue). A queue streaming long encryptions does;
 * guests that send a few among other requests do not, and slicing theirs
 * only cost: a 64-guest soak of mixed requests moved 17-20% fewer bytes
 * slicing every one (the same criterion as lcbc_fills).
 */
static inline bool qs_fills(struct vc_vq *vq)
{
	return run_add(&vq->qs_run, NULL);
}

/*
 * Fetch one request (under port lock). Returns 1 if consumed (queued or
 * completed), 0 if it must wait for resources (not consumed).
 */
static int fetch_one(struct vcrypto_poller *p, struct vc_vq *vq, uint16_t head)
{
	struct vcrypto_port *port = vq->port;
	struct vcrypto_engine *e = port->engine;
	struct vc_chain c = {.segs = vq->scratch, .cap = vq->scratch_cap};
	struct rte_mbuf *msrc = NULL, *mdst = NULL, *chain = NULL, *chain_dst = NULL;
	struct vc_op_data_req h;
	struct vc_op_priv *pv;
	struct rte_crypto_op *op;
	struct rte_crypto_sym_op *so;
	struct vc_sess *s;
	struct vc_slot *sl;
	struct vc_plan pl;
	uint8_t *zsrc = NULL, *zdst = NULL, *zdig = NULL;
	struct vc_seg outs[VC_MAX_OUT_SEGS];
	int nout = 0, ret, st;
	bool want_zc, zc = false, own, contig = false, cpu, cbc, lcbc, counted = false,
		      slice = false, lanes = true, lane_counted = false, qs, qs_counted;
	uint32_t max_cipher, qs_len;

	st = vc_parse_request(&port->mt, vq->desc, vq->size, head, port->o.max_chain_descs, vq->ind,
			      &c, &h, &ret);
	if (c.general)
		VC_STAT_ADD(vq->st.general_walks, 1);
	if (st < 0) {
		VC_LOG_RL(&vq->rl, WARNING, "%s/%u: unusable descriptor chain at %u (%s)",
			  port->name, vq->idx, head, vc_walk_strerror(ret));
		complete_now(p, vq, head, NULL, 0);
		return 1;
	}
	if (st != VCRYPTO_STATUS_OK) {
		if (st == VCRYPTO_STATUS_BADMSG)
			VC_LOG_RL(&vq->rl, WARNING, "%s/%u: malformed descriptor chain (%s)",
				  port->name, vq->idx,
				  ret < 0 ? vc_walk_strerror(ret) : "short header");
		complete_now(p, vq, head, c.status_hva, (uint8_t)st);
		return 1;
	}
	/*
	 * Own the status byte's line now: the guest does not touch it until
	 * completion, and a store to it then would otherwise wait for the
	 * guest's shared copy to be invalidated.
	 */
	rte_prefetch0_write(c.status_hva);
	s = vc_port_session(port, h.header.session_id);
	if (!s) {
		complete_now(p, vq, head, c.status_hva, VCRYPTO_STATUS_INVSESS);
		return 1;
	}
	/* (its device is an intel-ipsec-mb one: see fetch_queue) */
	p->last_one_lane = s->one_lane && p->cpu && s->dev_id == e->dev_id;
	/* (AES-CBC over the device's cipher length: in chunks, lcbc_add) */
	cbc = long_cbc_ok(p, s);
	max_cipher = s->dev_id == e->dev_id && !cbc ? e->max_cipher_len : 0;
	if (VC_RECORDING)
		vc_record_request(port, &port->mt, vq->desc, vq->size, head, h.header.session_id,
				  port->o.max_chain_descs, port->o.max_request_len, max_cipher);
	st = vc_plan_request(&h, &s->sh, port->o.max_request_len, max_cipher, &c, &pl);
	if (st != VCRYPTO_STATUS_OK) {
		VC_LOG_RL(&vq->rl, INFO, "%s/%u: request refused (status %d)", port->name, vq->idx,
			  st);
		complete_now(p, vq, head, c.status_hva, (uint8_t)st);
		return 1;
	}

	/* (lanes: CPU crypto unless the queue's sessions alternate, lane_run) */
	if (p->cpu && s->dev_id == e->dev_id) {
		lane_counted = true;
		lanes = lane_run(vq, s);
	}
	/* Zero copy when every part is contiguous in host memory (else see zc_chain). */
	want_zc = use_zero_copy(port) && pl.data_len;
	lcbc = cbc && e->max_cipher_len && pl.c_len > e->max_cipher_len;
	if (want_zc) {
		/* The digest (or the tag to verify): one piece, where the device writes or reads it. */
		if (pl.dig_len)
			zdig = vc_stream_contig(c.segs + c.nr, c.nw, pl.dig_woff, pl.dig_len);
		else if (pl.aead_dec)
			zdig = vc_stream_contig(c.segs, c.nr, pl.tag_roff, s->sh.digest_len);
	}
	/* (with F_NULL_CRYPTO, what would take CPU crypto takes its path without the crypto) */
	cpu = p->cpu && (s->dev_id == e->dev_id || e->null_crypto);
	if (want_zc && (pl.data_len <= UINT16_MAX || (cpu && (lcbc || cpu_long_ok(&s->sh.d))))) {
		zsrc = vc_stream_contig(c.segs, c.nr, pl.src_off, pl.data_len);
		zdst = pl.dst_len ? vc_stream_contig(c.segs + c.nr, c.nw, 0, pl.dst_len) : NULL;
		zc = zsrc && (!pl.dst_len || zdst) && (!(pl.dig_len || pl.aead_dec) || zdig);
		/*
		 * The devices take out-of-place only for plain cipher and AEAD;
		 * CPU crypto takes a cipher-then-hash request too, copied to its
		 * destination (cpu_fits; then it is taken below, or copied). The
		 * test below's twin (that one adds the case over 65535 bytes,
		 * which a chain never reaches here): one inline helper for both
		 * cost the transport-only path 8 host instructions per request
		 * (883.6 -> 891.6, callgrind).
		 */
		if (zc && pl.dst_len && zdst != zsrc && pl.kind != VC_K_CIPHER &&
		    pl.kind != VC_K_AEAD)
			zc = cpu && lanes && cpu_len_ok(p, pl.data_len) &&
			     cpu_fits(&pl, zsrc, zdst, zdig, s->sh.digest_len);
		if (zc && pl.dst_len && zdst != zsrc &&
		    !(e->dev_features & RTE_CRYPTODEV_FF_OOP_LB_IN_LB_OUT))
			zc = false;
	}
	/* (in slices while other queues wait, if the queue's sets fill lanes: lcbc_fills) */
	if (lcbc && lcbc_holds(p, true)) {
		counted = true;
		slice = lcbc_fills(vq, s);
	} else if (cbc && lcbc_holds(p, false) && cbc_sliceable(p, vq, s, &pl) &&
		   !(zc && zdst != zsrc)) {
		counted = true;
		lcbc = slice = lcbc_fills(vq, s);
	}
	if (lcbc) { /* in guest memory if in place in one piece */
		ret = lcbc_add(p, vq, s, head, &c, &pl, zsrc && zdst == zsrc ? zsrc : NULL, slice);
		if (!ret) /* (read again when the set is done) */
			runs_uncount(vq, counted, lane_counted, false);
		return ret;
	}
	/* (over 65535 bytes only CPU crypto takes one piece: no mbuf can say the length) */
	if (zc && cpu && cpu_fits(&pl, zsrc, zdst, zdig, s->sh.digest_len) &&
	    ((lanes && cpu_len_ok(p, pl.data_len)) || pl.data_len > UINT16_MAX)) {
		cpu_add(p, vq, s, head, &c, &pl, zsrc, zdig);
		if (pl.dst_len && zdst != zsrc)
			cpu_oop(p->cpu, zdst, pl.data_len);
		return 1;
	}
	/* Over 65535 bytes only CPU crypto takes one piece (an mbuf cannot say it). */
	if (pl.data_len > UINT16_MAX)
		zc = false;
	if (want_zc && !zc && e->zc_sgl && s->dev_id == e->dev_id) {
		chain = zc_chain(e, &c, &pl, &s->sh.d, zdig, &chain_dst);
		zc = chain != NULL;
	}
	/* Copy mode through CPU crypto: no op, mbuf or queue pair (see cpu_add). */
	if (!zc && cpu && lanes && cpu_copy_fits(&pl) && cpu_len_ok(p, pl.data_len) &&
	    cpu_add(p, vq, s, head, &c, &pl, NULL, NULL))
		return 1;
	if (!zc) {
		nout = vc_stream_range(c.segs + c.nr, c.nw, 0, (uint64_t)pl.dst_len + pl.dig_len,
				       outs, VC_MAX_OUT_SEGS);
		if (nout < 0) {
			VC_LOG_RL(&vq->rl, WARNING, "%s/%u: output in more than %u pieces",
				  port->name, vq->idx, VC_MAX_OUT_SEGS);
			complete_now(p, vq, head, c.status_hva, VCRYPTO_STATUS_ERR);
			return 1;
		}
		if (e->linear_only && pl.data_len > VC_BIG_BUF) {
			VC_LOG_RL(&vq->rl, WARNING,
				  "%s/%u: a copy of %u bytes does not fit one buffer (%u) and %s "
				  "takes no chains",
				  port->name, vq->idx, pl.data_len, VC_BIG_BUF, e->name);
			complete_now(p, vq, head, c.status_hva, VCRYPTO_STATUS_NOTSUPP);
			return 1;
		}
	}

	/* (AES-CBC encryption through the queue pair in slices under contention: qs_want) */
	qs_counted = !chain && qs_want(p, vq, s, &pl);
	qs = qs_counted && qs_fills(vq);
	if (qs && vq->qs_n >= VC_QS_MAX) {
		vq->qs_wait = true; /* (read again when one is done) */
		runs_uncount(vq, counted, lane_counted, qs_counted);
		return 0;
	}
	op = op_get(p, e);
	if (!op) {
		chain_free(chain);
		chain_free(chain_dst);
		runs_uncount(vq, counted, lane_counted, qs_counted);
		return 0;
	}
	pv = op_priv(op);
	sl = &vq->slots[vq->free_slots[vq->nfree - 1]];
	own = false;
	if (chain) {
		msrc = chain;
		mdst = chain_dst;
	} else if (zc) {
		msrc = op_mbuf(e, pv, 0);
		if (msrc)
			mbuf_point(msrc, zsrc, pl.data_len);
		if (msrc && pl.dst_len && zdst != zsrc) {
			mdst = op_mbuf(e, pv, 1);
			if (mdst)
				mbuf_point(mdst, zdst, pl.dst_len);
			else
				msrc = NULL;
		}
	} else if (pl.data_len <= VC_MBUF_DATA) {
		msrc = op_mbuf(e, pv, 0);
		if (msrc) {
			mbuf_home(msrc);
			vc_stream_read(c.segs, c.nr, pl.src_off, rte_pktmbuf_mtod(msrc, uint8_t *),
				       pl.data_len);
			msrc->data_len = (uint16_t)pl.data_len;
			msrc->pkt_len = pl.data_len;
		}
	} else if (e->linear_only) {
		/* One contiguous buffer (see engine_common), the result in place. */
		own = true;
		contig = true;
		msrc = big_mbuf(e, &sl->big_sh, pl.data_len);
		if (msrc)
			vc_stream_read(c.segs, c.nr, pl.src_off, rte_pktmbuf_mtod(msrc, uint8_t *),
				       pl.data_len);
	} else {
		own = true;
		msrc = copy_mbufs(e, &c, pl.src_off, pl.data_len);
		if (msrc && pl.kind == VC_K_AEAD && msrc->nb_segs > 1) {
			/* AEAD needs a contiguous destination: out of place. */
			mdst = big_mbuf(e, &sl->big_sh, pl.data_len);
			if (!mdst) {
				rte_pktmbuf_free(msrc);
				msrc = NULL;
			}
		}
	}
	if (!msrc) {
		op_put(p, op);
		runs_uncount(vq, counted, lane_counted, qs_counted);
		return 0;
	}

	if (qs && (msrc->nb_segs != 1 || (mdst && mdst->nb_segs != 1)))
		qs = false;
	qs_len = qs ? lcbc_slice(p, vq) : 0;
	vq->nfree--;
	pv->slot = sl;
	if (pl.iv_len)
		vc_stream_read_iv(c.segs, c.nr, VC_REQ_HDR_LEN, pv->iv, pl.iv_len);
	so = op->sym;
	so->m_src = msrc;
	so->m_dst = mdst;
	rte_crypto_op_attach_sym_session(op, s->cs);
	switch (pl.kind) {
	case VC_K_CIPHER:
		so->cipher.data.offset = 0;
		so->cipher.data.length = qs ? qs_len : pl.data_len;
		break;
	case VC_K_CHAIN:
		so->cipher.data.offset = pl.c_off;
		so->cipher.data.length = pl.c_len;
		/* fall through */
	case VC_K_HASH:
		so->auth.data.offset = pl.h_off;
		so->auth.data.length = pl.h_len;
		so->auth.digest.data = zc ? zdig : pv->digest;
		so->auth.digest.phys_addr =
			zc ? (rte_iova_t)(uintptr_t)zdig :
			     rte_crypto_op_ctophys_offset(
				     op, VC_IV_OFFSET + offsetof(struct vc_op_priv, digest));
		break;
	case VC_K_AEAD:
		so->aead.data.offset = 0;
		so->aead.data.length = pl.data_len;
		if (pl.aad_len)
			vc_stream_read(c.segs, c.nr, VC_REQ_HDR_LEN + pl.iv_len, pv->aad,
				       pl.aad_len);
		so->aead.aad.data = pv->aad;
		so->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(
			op, VC_IV_OFFSET + offsetof(struct vc_op_priv, aad));
		if (pl.aead_dec && !zc)
			vc_stream_read(c.segs, c.nr, pl.tag_roff, pv->digest, s->sh.digest_len);
		so->aead.digest.data = zc ? zdig : pv->digest;
		so->aead.digest.phys_addr =
			zc ? (rte_iova_t)(uintptr_t)zdig :
			     rte_crypto_op_ctophys_offset(
				     op, VC_IV_OFFSET + offsetof(struct vc_op_priv, digest));
		break;
	default:
		break;
	}

	sl->op = op;
	vc_sess_get(s);
	sl->sess = s;
	sl->vq = vq;
	sl->gen = vq->gen;
	sl->head = head;
	sl->zc = zc;
	sl->own_mbufs = own;
	sl->zc_chain = chain != NULL;
	sl->kind = pl.kind;
	sl->out_dst = !zc && (mdst || contig);
	sl->data_len = pl.data_len;
	p->last_bytes = pl.data_len;
	sl->dst_len = pl.dst_len;
	sl->dst_skip = 0;
	sl->dig_len = pl.aead_dec ? 0 : pl.dig_len;
	sl->dig_woff = pl.dig_woff;
	sl->status_gpa = c.status_gpa;
	sl->status_hva = c.status_hva;
	sl->mt_gen = port->mt.gen;
	sl->qs_len = qs_len;
	p->qs_n += qs;
	vq->qs_n += qs;
	sl->nout = (uint32_t)nout;
	for (int i = 0; i < nout; i++)
		sl->out[i] = out_seg(&outs[i]);
	atomic_store_explicit(&vq->inflight,
			      atomic_load_explicit(&vq->inflight, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	vq->backlog++;
	p->backlog[p->bl_tail++ & (p->bl_cap - 1)] = op;
	VC_STAT_ADD(p->st.fetched, 1);
	return 1;
}

static inline void set_pending(struct vcrypto_poller *p, struct vc_vq *vq, bool pending)
{
	if (pending != vq->pending) {
		vq->pending = pending;
		p->npending += pending ? 1u : (uint32_t)-1;
	}
}

/*
 * Fetch up to @cap requests from one queue (under port lock), within the
 * port's limits. *more is set if the queue stopped only because of @cap
 * (it has more work and nothing else held it back).
 */
static int fetch_queue(struct vcrypto_poller *p, struct vc_vq *vq, uint32_t cap, bool *more)
{
	uint64_t now;
	struct vc_qos *q = &vq->port->qos;
	uint16_t avail = ring_avail_idx(vq), n = (uint16_t)(avail - vq->last_avail);
	uint32_t limit = vq->max_inflight < vq->size ? vq->max_inflight : vq->size;
	uint32_t in = atomic_load_explicit(&vq->inflight, memory_order_relaxed);
	uint32_t room = p->bl_cap - (p->bl_tail - p->bl_head);
	uint32_t budget, done = 0, floor;
	bool throttled = false, capped, out_of_bytes = false, limited;

	*more = false;
	vq->lcbc_wait = false; /* (set again if its next request still waits: lcbc_add) */
	vq->qs_wait = false;   /* (likewise: fetch_one) */
	/* (a turn ends the runs of qs_fills and lcbc_fills; lane_run's is cut, saying nothing) */
	run_end(&vq->qs_run);
	run_end(&vq->lcbc_run);
	vq->lane_run.n = 0;
	/*
	 * Active: requests waiting or in flight, or so within its last
	 * VC_ACTIVE_VISITS visits (a depth-1 guest is often caught between a
	 * completion and its next request: it must not lose its standing then).
	 */
	if (n || atomic_load_explicit(&vq->inflight, memory_order_relaxed)) {
		vq->idle_visits = 0;
		set_pending(p, vq, true);
	} else if (vq->idle_visits < VC_ACTIVE_VISITS) {
		vq->idle_visits++;
	} else {
		set_pending(p, vq, false);
	}
	if (n > vq->size) {
		VC_LOG_RL(&vq->rl, ERR,
			  "%s/%u: avail index jumped by %u (queue size %u): queue stopped",
			  vq->port->name, vq->idx, n, vq->size);
		vq->broken = true;
		vq->ready = false;
		VC_STAT_ADD(vq->st.err_ring, 1);
		return 0;
	}
	if (!n) {
		vc_qos_throttled(q, 0, false);
		return 0;
	}
	now = vc_qos_refresh(q);
	if (q->cur.max_inflight < limit)
		limit = q->cur.max_inflight;
	/* A limited queue's long requests beside another active queue: queue pair (cpu_len_ok) */
	p->cpu_long = p->npending < 2 || !(q->cur.rate_ops || q->cur.rate_bytes ||
					   q->cur.max_inflight < vq->port->o.max_inflight);
	/*
	 * A device that computes outside enqueue (crypto_aesni_mb's lanes, a
	 * hardware queue) runs a chunk of requests in about the time of one:
	 * a turn fills a chunk (times the weight) even past its byte quantum,
	 * and the excess is not carried over. Otherwise one 64 KiB request per
	 * turn leaves 15 of 16 lanes idle (heavy guest 7 Gbit/s instead of 30+).
	 * Not so for requests intel-ipsec-mb runs one after another (AES-GCM,
	 * CBC decryption, ...: vc_sess::one_lane): their turn ends at the
	 * quantum, the excess charged to the next, as on other devices. A
	 * chunk of 64 KiB AES-GCM requests took 100 us, which a light guest
	 * beside it waited for.
	 */
	floor = p->st.enqueue_chunk == VC_CHUNK ? VC_CHUNK * q->cur.weight : 1;
	budget = n;
	capped = budget > cap;
	if (capped)
		budget = cap;
	if (budget > limit - (in < limit ? in : limit)) {
		budget = limit - (in < limit ? in : limit);
		capped = false;
	}
	if (budget > room) {
		budget = room;
		capped = false;
	}
	if (budget > vq->nfree) {
		budget = vq->nfree;
		capped = false;
	}
	while (done < budget) {
		uint16_t head = ring_avail_entry(vq, vq->last_avail);

		if (!vc_qos_may_start(q)) {
			throttled = true;
			break;
		}
		if (done + 1 < budget)
			prefetch_req(vq, ring_avail_entry(vq, (uint16_t)(vq->last_avail + 1)));
		p->last_bytes = 0;
		p->last_one_lane = false;
		if (!fetch_one(p, vq, head))
			break;
		vc_qos_charge(q, p->last_bytes);
		vq->round_bytes += p->last_bytes;
		vq->last_avail++;
		done++;
		if (p->npending >= 2) {
			/* Contention: charge bytes (at least VC_MIN_CHARGE per request). */
			vq->bdeficit -= p->last_bytes > VC_MIN_CHARGE ? p->last_bytes :
									VC_MIN_CHARGE;
			if (vq->bdeficit <= 0 && (done >= floor || p->last_one_lane)) {
				out_of_bytes = true;
				break;
			}
		}
	}
	if (floor > 1 && !p->last_one_lane && vq->bdeficit < 0)
		vq->bdeficit = 0;
	if (p->cpu) {
		cpu_flush(p);
		if (p->cpu->lc.n && !p->cpu->lc.held) {
			/* (a set is marked for slices only where it may be held) */
			if (p->cpu->lc.slice && lcbc_holds(p, true))
				lcbc_hold(p);
			else
				lcbc_flush(p);
		}
	}
	/*
	 * A turn that the queue's own limits ended (its rate, its in-flight
	 * limit) or its VC_QS_MAX requests in slices (qs_wait) brought all it
	 * may: its sliceable requests count as a full turn's (qs_fills). A
	 * queue limited to 4 in flight never brings 8, and a light guest beside
	 * it waited behind 4 whole 64 KiB encryptions in 4 lanes (72-88 us
	 * median); a turn of a few that stopped at the cap made the next ones
	 * go whole (p99 120-130 us beside a rate-limited busy guest). Likewise
	 * for held sets (lcbc_fills): a limited queue's AES-CBC encryptions over
	 * the device's length, which take CPU crypto (lcbc_holds), went whole.
	 */
	limited = throttled || in + done >= q->cur.max_inflight;
	if (limited || vq->qs_wait)
		run_fill(&vq->qs_run);
	if (limited)
		run_fill(&vq->lcbc_run);
	vc_qos_throttled(q, now, throttled);
	*more = (capped && done == budget) || (out_of_bytes && done < n);
	/* avail_event one behind what we consumed: no kick until the index wraps (see port.c). */
	if (vq->evidx_ok)
		*(volatile uint16_t *)(vq->used + 4 + 8 * (size_t)vq->size) =
			(uint16_t)(vq->last_avail - 1);
	return (int)done;
}

/* Publish used entries and signal the guest (under port lock). */
static void publish(struct vcrypto_poller *p, struct vc_vq *vq)
{
	uint16_t old = vq->used_published, now = vq->used_idx;
	bool notify;

	if (!vq->ready || old == now)
		return;
	__atomic_store_n((volatile uint16_t *)(vq->used + 2), now, __ATOMIC_RELEASE);
	vq->used_published = now;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->port->features & (1ull << 29)) {
		notify = !vq->evidx_ok || need_event(vq->avail[2 + vq->size], now, old);
	} else {
		/*
		 * The front end may use EVENT_IDX without telling us (QEMU 7.2):
		 * signal unless both ways of asking for silence agree.
		 */
		notify = !(vq->avail[0] & VRING_AVAIL_F_NO_INTERRUPT) ||
			 (vq->evidx_ok && need_event(vq->avail[2 + vq->size], now, old));
	}
	if (notify && vq->callfd >= 0) {
		eventfd_write(vq->callfd, 1);
		VC_STAT_ADD(vq->st.notifications, 1);
		VC_STAT_ADD(p->st.notifications, 1);
	}
}

/* Publish every queue with new used entries (once per queue and call). */
static void publish_all(struct vcrypto_poller *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		struct vc_vq *vq = p->entries[i];

		if (vq->used_idx == vq->used_published)
			continue;
		rte_spinlock_lock(&vq->port->lock);
		publish(p, vq);
		rte_spinlock_unlock(&vq->port->lock);
	}
}

static uint8_t run_dev(const struct vcrypto_poller *p)
{
	return p->engine->null_crypto ? p->engine->null_dev_id : p->engine->dev_id;
}

static inline struct vc_slot *slot_of(struct rte_crypto_op *op)
{
	return op_priv(op)->slot;
}

/* Finalize ops, taking each port's lock once per run of its ops. */
static void finalize_batch(struct vcrypto_poller *p, struct rte_crypto_op **ops, uint32_t n)
{
	struct vcrypto_port *locked = NULL;

	for (uint32_t k = 0; k < n; k++) {
		struct vc_slot *s = slot_of(ops[k]);

		if (locked != s->vq->port) {
			if (locked)
				rte_spinlock_unlock(&locked->lock);
			locked = s->vq->port;
			rte_spinlock_lock(&locked->lock);
		}
		finalize(p, s);
	}
	if (locked)
		rte_spinlock_unlock(&locked->lock);
}

/*
 * Whether @p vq, whose visit (or sparse turn) just ended with @p more
 * requests left or not, counts as light (vc_vq::sparse): it emptied its ring
 * with less than its quantum since its last visit ended. A queue that
 * brought a whole quantum is not, even when that emptied its ring (a device
 * that computes in enqueue completes a busy guest's 16 x 4 KiB in the round,
 * and the guest sends 16 again): served first as well, it took two quanta a
 * round, and a light guest waited behind both (crypto_openssl: 110-120 us
 * instead of 55-60).
 */
static inline bool light_queue(const struct vcrypto_poller *p, const struct vc_vq *vq, bool more)
{
	return !more && !vq->lcbc_wait && !vq->qs_wait && vq->round_bytes < vq_quantum(p, vq);
}

/*
 * Visit the queues in deficit round robin order. With one queue, fetch up
 * to a burst into the backlog as the device allows. With several, fetch no
 * more than the queue pair can take now (free slots), so that the budget
 * is shared: each queue with work gets burst * weight per turn, and a turn
 * cut short by the budget goes on in the next round.
 */
static int fetch_all(struct vcrypto_poller *p)
{
	uint32_t n = p->n, budget = UINT32_MAX, visits;
	int work = 0;

	if (!n)
		return 0;
	if (n > 1) {
		uint32_t used = p->in_dev + (p->bl_tail - p->bl_head) + p->qs_nheld;

		budget = p->engine->qp_depth > used ? p->engine->qp_depth - used : 0;
	}
	if (p->drr_pos >= n) {
		p->drr_pos = 0;
		p->drr_fresh = true;
	}
	/*
	 * Under contention, queues that emptied their ring at their last visit
	 * with less than a quantum (sparse: a light guest) go first, for up to
	 * one quantum, so their requests reach the device ahead of this round's
	 * backlogged work instead of behind it (as fq_codel serves new flows
	 * first).
	 */
	p->sparse_fetched = 0;
	if (p->npending >= 2 && p->bl_head == p->bl_tail) {
		for (uint32_t i = 0; i < n && budget; i++) {
			struct vc_vq *vq = p->entries[i];
			struct vcrypto_port *port = vq->port;
			int64_t saved;
			bool more = false;
			int got = 0;

			if (!vq->sparse || lcbc_waits(p, vq) || vq->detaching ||
			    atomic_load_explicit(&port->pause, memory_order_acquire))
				continue;
			rte_spinlock_lock(&port->lock);
			/* The ring is only mapped while the queue is ready (under the lock). */
			if (vq->ready &&
			    !atomic_load_explicit(&port->pause, memory_order_relaxed) &&
			    ring_avail_idx(vq) != vq->last_avail) {
				saved = vq->bdeficit;
				vq->bdeficit = (int64_t)vq_quantum(p, vq);
				got = fetch_queue(p, vq, budget < p->burst ? budget : p->burst,
						  &more);
				vq->bdeficit = saved;
				vq->sparse = light_queue(p, vq, more);
			}
			rte_spinlock_unlock(&port->lock);
			work += got;
			if (budget != UINT32_MAX)
				budget -= (uint32_t)got;
		}
		/*
		 * What went to the backlog (the rest took CPU crypto). Counting
		 * all made the enqueue send that many of the backlog alone when
		 * a light guest's requests took CPU crypto: a heavy guest's
		 * first op each round, alone in crypto_aesni_mb's lanes (16
		 * slices in one lane's time and 15 in another's: 39 instead of
		 * 74 Gbit/s).
		 */
		p->sparse_fetched = p->bl_tail - p->bl_head;
	}
	for (visits = 0; visits < n && budget; visits++) {
		struct vc_vq *vq = p->entries[p->drr_pos];
		struct vcrypto_port *port = vq->port;
		bool more = false;
		int got = 0;

		if (!atomic_load_explicit(&port->pause, memory_order_acquire) && !vq->detaching) {
			rte_spinlock_lock(&port->lock);
			if (vq->ready &&
			    !atomic_load_explicit(&port->pause, memory_order_relaxed)) {
				uint32_t cap;

				if (p->drr_fresh || vq->deficit <= 0)
					vq->deficit += (int64_t)p->burst * port->qos.cur.weight;
				if (p->drr_fresh)
					vq->bdeficit += (int64_t)vq_quantum(p, vq);
				p->drr_fresh = false;
				cap = vq->deficit > (int64_t)budget ? budget :
								      (uint32_t)vq->deficit;
				if (lcbc_waits(p, vq)) {
					/* Waits for the held AES-CBC set: this turn passes. */
				} else if (p->npending >= 2 && vq->bdeficit <= 0) {
					/* Overdrawn by a large request: this turn is skipped. */
					more = ring_avail_idx(vq) != vq->last_avail;
					set_pending(p, vq, true);
				} else {
					got = fetch_queue(p, vq, cap, &more);
				}
			} else {
				set_pending(p, vq, false);
			}
			rte_spinlock_unlock(&port->lock);
		} else {
			set_pending(p, vq, false);
		}
		work += got;
		if (budget != UINT32_MAX)
			budget -= (uint32_t)got;
		vq->deficit -= got;
		if (more && vq->deficit > 0 && (p->npending < 2 || vq->bdeficit > 0))
			break; /* the budget ran out: this queue goes on next round */
		vq->sparse = light_queue(p, vq, more);
		vq->round_bytes = 0;
		if (!more) {
			vq->deficit = 0; /* idle or held back: no credit saved */
			if (vq->bdeficit > 0)
				vq->bdeficit = 0;
		}
		if (p->npending < 2 && vq->bdeficit > 0)
			vq->bdeficit = 0; /* no contention: no byte credit saved either */
		p->drr_pos = p->drr_pos + 1 < n ? p->drr_pos + 1 : 0;
		p->drr_fresh = true;
	}
	/*
	 * After a whole round, start the next one a queue later. Otherwise the
	 * same queue is always served last, and with a device that finishes a
	 * round's last requests only in the next round's dequeue
	 * (crypto_aesni_mb keeps them in its lanes) that queue gets half its
	 * share: 64 guests at depth 16, one of them at 0.50.
	 */
	if (visits == n && n > 1 && p->drr_fresh)
		p->drr_pos = p->drr_pos + 1 < n ? p->drr_pos + 1 : 0;
	/* A held set's next chunks (after the other queues' turns) */
	if (p->cpu)
		work += lcbc_round(p);
	return work;
}

/* Dequeue, finalize and publish what the device has done (up to 16 bursts). */
static int drain(struct vcrypto_poller *p, uint8_t dev, uint16_t qp)
{
	int work = 0;

	for (int rounds = 0; rounds < 16; rounds++) {
		uint64_t t0 = p->prof.on ? rte_rdtsc() : 0;
		uint16_t nd = rte_cryptodev_dequeue_burst(dev, qp, p->deq, VC_DEQ_BURST);

		if (p->prof.on) {
			p->prof.deq_cyc += rte_rdtsc() - t0;
			p->prof.deq_ops += nd;
		}
		if (!nd)
			break;
		p->in_dev -= nd;
		VC_STAT_ADD(p->st.dequeued, nd);
		work += nd;
		finalize_batch(p, p->deq, nd);
		/* Completions reach their guests burst by burst, not at the end of the round. */
		publish_all(p);
		/*
		 * With slices under way, ask again while the device holds ops:
		 * crypto_aesni_mb hands back the lanes that are done and keeps
		 * the others (a shorter slice ends first) until a dequeue finds
		 * nothing new to start, which flushes them. Left there, slices
		 * came back rounds late (16 slices of 16 requests took 27
		 * rounds).
		 */
		if (nd < VC_DEQ_BURST && !(p->qs_n && p->in_dev))
			break;
	}
	return work;
}

/* One timed enqueue and its dequeues are done: decide every VC_PROF_SAMPLES. */
static void prof_sample(struct vcrypto_poller *p)
{
	p->prof.on = false;
	if (++p->prof.samples < VC_PROF_SAMPLES)
		return;
	if (p->prof.enq_ops && p->prof.deq_ops) {
		uint64_t enq = p->prof.enq_cyc / p->prof.enq_ops;
		uint64_t deq = p->prof.deq_cyc / p->prof.deq_ops;
		bool split = enq > VC_SPLIT_MIN_CYC && enq > VC_SPLIT_RATIO * deq;

		uint32_t chunk = split ? VC_SPLIT_CHUNK : VC_CHUNK;

		if (chunk != p->st.enqueue_chunk)
			VC_LOG(DEBUG,
			       "poller %u: enqueue %" PRIu64 ", dequeue %" PRIu64
			       " cycles/op: chunks of %u",
			       p->id, enq, deq, chunk);
		VC_STAT_ADD(p->st.enqueue_chunk, chunk - p->st.enqueue_chunk);
	}
	memset(&p->prof, 0, sizeof(p->prof));
}

/*
 * The next slices go to the device this round, behind what the sparse
 * queues brought. One whose ring was reset meanwhile (the guest left while
 * no poller ran: port_stop gave up waiting) is dropped here, before the
 * device would touch memory that may no longer be mapped.
 */
static int qs_release(struct vcrypto_poller *p)
{
	int dropped = 0;

	for (uint32_t i = 0; i < p->qs_nheld; i++) {
		struct rte_crypto_op *op = p->qs_held[i];
		struct vc_slot *s = slot_of(op);
		struct vc_vq *vq = s->vq;

		rte_spinlock_lock(&vq->port->lock);
		if (vq_live(vq, s->gen)) {
			vq->backlog++;
			p->backlog[p->bl_tail++ & (p->bl_cap - 1)] = op;
		} else {
			finalize(p, s); /* (not processed: dropped, see qs_next) */
			dropped++;
		}
		rte_spinlock_unlock(&vq->port->lock);
	}
	p->qs_nheld = 0;
	return dropped;
}

int vc_poller_round(struct vcrypto_poller *p)
{
	uint8_t dev = run_dev(p);
	uint16_t qp = (uint16_t)(p->engine->first_qp + p->qp);
	uint32_t chunk, full;
	int work = 0;

	/* 1. fetch (and the sliced encryptions' next slices: qs_next) */
	work += fetch_all(p);
	work += qs_release(p);

	/*
	 * 2. enqueue, oldest first; the rest waits for the next round. What the
	 * sparse queues brought (at the head when nothing was left over) goes
	 * alone and is dequeued at once: whether the device works inside
	 * enqueue (crypto_openssl) or dequeue (crypto_aesni_mb), it then does
	 * not wait for this round's backlogged work.
	 */
	full = p->st.enqueue_chunk; /* set by prof_sample() */
	chunk = p->sparse_fetched && p->sparse_fetched < full ? p->sparse_fetched : full;
	while (p->bl_head != p->bl_tail) {
		uint32_t idx = p->bl_head & (p->bl_cap - 1);
		uint32_t n = p->bl_tail - p->bl_head, sent, room;
		struct rte_crypto_op *op;
		uint64_t t0 = 0;

		room = p->engine->qp_depth > p->in_dev ? p->engine->qp_depth - p->in_dev : 0;
		if (n > p->bl_cap - idx)
			n = p->bl_cap - idx;
		if (n > chunk)
			n = chunk;
		if (n > room)
			n = room;
		if (!n) {
			VC_STAT_ADD(p->st.enqueue_retries, p->bl_tail - p->bl_head);
			break;
		}
		/* Sample where the device works, on a round with enough ops and nothing in it. */
		if (!p->prof.on && n >= VC_SPLIT_CHUNK && !p->in_dev &&
		    ++p->prof.tick % VC_PROF_EVERY == 0) {
			p->prof.on = true;
			t0 = rte_rdtsc();
		}
		sent = rte_cryptodev_enqueue_burst(dev, qp, &p->backlog[idx], (uint16_t)n);
		if (t0) {
			p->prof.enq_cyc += rte_rdtsc() - t0;
			p->prof.enq_ops += sent;
		}
		for (uint32_t k = 0; k < sent; k++)
			slot_of(p->backlog[idx + k])->vq->backlog--;
		p->bl_head += sent;
		p->in_dev += sent;
		VC_STAT_ADD(p->st.enqueued, sent);
		if (chunk < VC_DEQ_BURST && sent) {
			/* The sparse queues' requests alone, or a chunk: complete them now. */
			work += drain(p, dev, qp);
			if (p->prof.on)
				prof_sample(p);
			chunk = full;
		}
		if (sent == n)
			continue;
		op = p->backlog[(idx + sent) & (p->bl_cap - 1)];
		if (op->status != RTE_CRYPTO_OP_STATUS_NOT_PROCESSED) {
			/*
			 * The device worked on it and still refused it (crypto_openssl
			 * does so when an op fails): complete it as it is, never retry.
			 */
			slot_of(op)->vq->backlog--;
			p->bl_head++;
			finalize_batch(p, &op, 1);
			work++;
			continue;
		}
		VC_STAT_ADD(p->st.enqueue_retries, p->bl_tail - p->bl_head);
		break;
	}

	/* 3. dequeue and finalize */
	work += drain(p, dev, qp);
	if (p->prof.on)
		prof_sample(p);

	/* 4. publish used indices, notify */
	publish_all(p);
	VC_STAT_ADD(p->st.rounds, 1);
	VC_STAT_ADD(p->st.inflight, p->in_dev - p->st.inflight);
	VC_STAT_ADD(p->st.backlog, (p->bl_tail - p->bl_head) - p->st.backlog);
	if (work)
		VC_STAT_ADD(p->st.busy_rounds, 1);
	return work;
}

VCRYPTO_API int vcrypto_poller_poll(struct vcrypto_poller *p)
{
	int r;

	if (!p || !rte_spinlock_trylock(&p->round_lock))
		return 0;
	r = vc_poller_round(p);
	rte_spinlock_unlock(&p->round_lock);
	return r;
}

/* ---- control plane ---- */

static void poller_mem_free(struct vcrypto_poller *p)
{
	free(p->backlog);
	free(p->qs_held);
	free(p->deq);
	free(p->op_cache);
	cpu_batch_free(p->cpu);
	free(p->long_buf);
	free(p);
}

/* Every poller of the process, for telemetry. */
static pthread_mutex_t g_pollers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcrypto_poller **g_pollers;
static size_t g_npollers;
static uint32_t g_poller_ids;

static int poller_register(struct vcrypto_poller *p)
{
	struct vcrypto_poller **np;

	pthread_mutex_lock(&g_pollers_lock);
	np = realloc(g_pollers, (g_npollers + 1) * sizeof(*np));
	if (!np) {
		pthread_mutex_unlock(&g_pollers_lock);
		return -ENOMEM;
	}
	g_pollers = np;
	g_pollers[g_npollers++] = p;
	p->id = g_poller_ids++;
	pthread_mutex_unlock(&g_pollers_lock);
	return 0;
}

static void poller_unregister(struct vcrypto_poller *p)
{
	pthread_mutex_lock(&g_pollers_lock);
	for (size_t i = 0; i < g_npollers; i++) {
		if (g_pollers[i] == p) {
			g_pollers[i] = g_pollers[--g_npollers];
			break;
		}
	}
	if (!g_npollers) {
		free(g_pollers);
		g_pollers = NULL;
	}
	pthread_mutex_unlock(&g_pollers_lock);
}

void vc_poller_foreach(void (*fn)(struct vcrypto_poller *p, void *arg), void *arg)
{
	pthread_mutex_lock(&g_pollers_lock);
	for (size_t i = 0; i < g_npollers; i++)
		fn(g_pollers[i], arg);
	pthread_mutex_unlock(&g_pollers_lock);
}

uint32_t vc_poller_id(const struct vcrypto_poller *p)
{
	return p->id;
}

VCRYPTO_API int vcrypto_poller_create(struct vcrypto_engine *engine,
				      const struct vcrypto_poller_opts *opts,
				      struct vcrypto_poller **out)
{
	struct vcrypto_poller_opts o;
	struct vcrypto_poller *p;
	uint32_t cap = 1;
	int ret;

	if (!engine || !out)
		return -EINVAL;
	ret = vcrypto__opts_copy(&o, sizeof(o), opts);
	if (ret)
		return ret;
	if (o.queue_pair >= engine->nb_qp)
		return -EINVAL;
	if (!o.burst)
		o.burst = 32;
	p = vc_calloc_lines(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	while (cap < engine->nb_ops)
		cap <<= 1;
	p->backlog = vc_calloc_lines(cap, sizeof(*p->backlog));
	p->qs_held = vc_calloc_lines(cap, sizeof(*p->qs_held));
	p->deq = vc_calloc_lines(VC_DEQ_BURST, sizeof(*p->deq));
	if (engine->cpu_crypto)
		p->cpu = cpu_batch_new();
	/* Enough for what the device and a burst hold, a fraction of the pool. */
	p->op_cache_cap = engine->qp_depth + 2u * o.burst;
	if (p->op_cache_cap > engine->nb_ops / 8)
		p->op_cache_cap = engine->nb_ops / 8;
	p->op_cache = vc_calloc_lines(p->op_cache_cap + 1, sizeof(*p->op_cache));
	if (!p->backlog || !p->qs_held || !p->deq || !p->op_cache ||
	    (engine->cpu_crypto && !p->cpu)) {
		poller_mem_free(p);
		return -ENOMEM;
	}
	p->bl_cap = cap;
	p->engine = engine;
	p->qp = o.queue_pair;
	p->burst = o.burst;
	p->quantum = o.quantum_bytes ? o.quantum_bytes : VC_QUANTUM_BYTES;
	p->st.enqueue_chunk = VC_CHUNK;
	rte_spinlock_init(&p->round_lock);
	pthread_mutex_lock(&engine->lock);
	if (engine->qp_owned[p->qp]) {
		pthread_mutex_unlock(&engine->lock);
		poller_mem_free(p);
		return -EBUSY;
	}
	engine->qp_owned[p->qp] = 1;
	pthread_mutex_unlock(&engine->lock);
	if (poller_register(p)) {
		pthread_mutex_lock(&engine->lock);
		engine->qp_owned[p->qp] = 0;
		pthread_mutex_unlock(&engine->lock);
		poller_mem_free(p);
		return -ENOMEM;
	}
	vc_engine_get(engine);
	*out = p;
	return 0;
}

VCRYPTO_API int vcrypto_poller_add_port(struct vcrypto_poller *p, struct vcrypto_port *port,
					uint16_t queue)
{
	struct vc_vq *vq;
	int ret = 0;

	if (!p || !port || queue >= port->nq || port->engine != p->engine)
		return -EINVAL;
	vq = &port->vq[queue];
	pthread_mutex_lock(&p->engine->lock);
	if (vq->poller) {
		ret = -EBUSY;
	} else if (p->n >= VC_POLLER_MAX_ENTRIES) {
		ret = -ENOSPC;
	} else {
		vq->detaching = false;
		vq->pending = false;
		vq->deficit = 0;
		vq->bdeficit = 0;
		rte_spinlock_lock(&p->round_lock);
		p->entries[p->n++] = vq;
		rte_spinlock_unlock(&p->round_lock);
		vq->poller = p;
		VC_STAT_ADD(p->st.ports, 1);
	}
	pthread_mutex_unlock(&p->engine->lock);
	return ret;
}

static int detach(struct vcrypto_poller *p, struct vc_vq *vq)
{
	uint64_t t0 = vc_now_ns();

	vq->detaching = true;
	while (atomic_load(&vq->inflight)) {
		/* Run rounds ourselves if nobody else is polling right now. */
		if (rte_spinlock_trylock(&p->round_lock)) {
			vc_poller_round(p);
			rte_spinlock_unlock(&p->round_lock);
		}
		if (!atomic_load(&vq->inflight))
			break;
		if (vc_now_ns() - t0 > VC_REMOVE_TIMEOUT_NS)
			return -ETIMEDOUT;
		usleep(50);
	}
	rte_spinlock_lock(&p->round_lock);
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->entries[i] == vq) {
			p->entries[i] = p->entries[--p->n];
			break;
		}
	}
	set_pending(p, vq, false);
	rte_spinlock_unlock(&p->round_lock);
	vq->poller = NULL;
	vq->detaching = false;
	VC_STAT_ADD(p->st.ports, (uint32_t)-1);
	return 0;
}

VCRYPTO_API int vcrypto_poller_remove_port(struct vcrypto_poller *p, struct vcrypto_port *port,
					   uint16_t queue)
{
	struct vc_vq *vq;
	int ret;

	if (!p || !port || queue >= port->nq)
		return -ENOENT;
	vq = &port->vq[queue];
	pthread_mutex_lock(&p->engine->lock);
	if (vq->poller != p) {
		pthread_mutex_unlock(&p->engine->lock);
		return -ENOENT;
	}
	ret = detach(p, vq);
	pthread_mutex_unlock(&p->engine->lock);
	return ret;
}

int vc_port_detach_all(struct vcrypto_port *port)
{
	int ret = 0;

	pthread_mutex_lock(&port->engine->lock);
	for (uint16_t q = 0; q < port->nq; q++) {
		struct vc_vq *vq = &port->vq[q];

		if (vq->poller) {
			int r = detach(vq->poller, vq);

			if (r)
				ret = r;
		}
	}
	pthread_mutex_unlock(&port->engine->lock);
	return ret;
}

VCRYPTO_API void vcrypto_poller_destroy(struct vcrypto_poller *p)
{
	if (!p)
		return;
	if (atomic_load(&p->launched))
		vcrypto_poller_stop(p);
	poller_unregister(p);
	pthread_mutex_lock(&p->engine->lock);
	while (p->n)
		if (detach(p, p->entries[0]))
			break;
	p->engine->qp_owned[p->qp] = 0;
	pthread_mutex_unlock(&p->engine->lock);
	while (p->op_cached)
		op_free(p->op_cache[--p->op_cached]);
	vc_engine_put(p->engine);
	poller_mem_free(p);
}

static int poller_main(void *arg)
{
	struct vcrypto_poller *p = arg;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		if (!vcrypto_poller_poll(p))
			rte_pause();
	}
	return 0;
}

VCRYPTO_API int vcrypto_poller_launch(struct vcrypto_poller *p, unsigned int lcore_id)
{
	bool f = false;

	if (!p || lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore_id) ||
	    lcore_id == rte_get_main_lcore())
		return -EINVAL;
	if (!atomic_compare_exchange_strong(&p->launched, &f, true))
		return -EBUSY;
	atomic_store(&p->stop, false);
	p->lcore = lcore_id;
	if (rte_eal_remote_launch(poller_main, p, lcore_id) < 0) {
		atomic_store(&p->launched, false);
		return -EBUSY;
	}
	return 0;
}

VCRYPTO_API int vcrypto_poller_stop(struct vcrypto_poller *p)
{
	if (!p || !atomic_load(&p->launched))
		return -EINVAL;
	atomic_store(&p->stop, true);
	rte_eal_wait_lcore(p->lcore);
	atomic_store(&p->launched, false);
	return 0;
}

VCRYPTO_API int vcrypto_poller_stats_get(const struct vcrypto_poller *p,
					 struct vcrypto_poller_stats *stats)
{
	struct vcrypto_poller_stats s;
	size_t n;

	if (!p || !stats || stats->sz < sizeof(size_t))
		return -EINVAL;
	s.sz = sizeof(s);
	s.rounds = VC_STAT_GET(p->st.rounds);
	s.busy_rounds = VC_STAT_GET(p->st.busy_rounds);
	s.fetched = VC_STAT_GET(p->st.fetched);
	s.enqueued = VC_STAT_GET(p->st.enqueued);
	s.enqueue_retries = VC_STAT_GET(p->st.enqueue_retries);
	s.dequeued = VC_STAT_GET(p->st.dequeued);
	s.completed = VC_STAT_GET(p->st.completed);
	s.notifications = VC_STAT_GET(p->st.notifications);
	s.ports = VC_STAT_GET(p->st.ports);
	s.inflight = VC_STAT_GET(p->st.inflight);
	s.backlog = VC_STAT_GET(p->st.backlog);
	s.enqueue_chunk = VC_STAT_GET(p->st.enqueue_chunk);
	s.cpu_processed = VC_STAT_GET(p->st.cpu_processed);
	n = stats->sz < sizeof(s) ? stats->sz : sizeof(s);
	memcpy((uint8_t *)stats + sizeof(size_t), (uint8_t *)&s + sizeof(size_t),
	       n - sizeof(size_t));
	return 0;
}
