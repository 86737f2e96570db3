/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Soak test: one process runs DPDK's EAL and a vcrypto host (crypto_openssl, N ports on one or
 * two pollers, each poller on its own thread) and many guest threads (libvcrypto-guest) that
 * connect, work and disconnect at random for a given time:
 *
 *   soak [--guests 64] [--seconds 60] [--seed X] [--ports-per-guest 2] [--pollers 2]
 *        [--check-every 4] [--warmup S] [--rss-growth PCT] [--pmd openssl|aesni_mb]
 *        [--zero-copy off|on|auto|toggle] [--max-len BYTES] [--limits] [--verbose]
 *
 * Each guest thread owns --ports-per-guest ports (a vhost-user port serves one front end at a
 * time) and loops: connect to one of them at random, create 1-3 sessions (AES-CBC encrypt or
 * decrypt, AES-GCM encrypt, HMAC-SHA-256; random keys), submit random bursts of random sizes
 * (16 B to --max-len, 16 KiB by default, log-uniform; half the AES-CBC and AES-GCM ones in
 * place), wait for some or all of them, and at random: close a session with requests in
 * flight (they complete OK or with INVSESS), disconnect with requests in flight (they are
 * abandoned, vcrypto_guest_destroy()), or disconnect and reconnect at once. One completed
 * request in --check-every is compared with OpenSSL (tests/support/oracle.h).
 *
 * Fails (exit 1) if: a result is wrong; a request completes twice, with an unknown id, or never
 * (no completion for 20 s); a status other than OK (or INVSESS after its session was closed)
 * comes back; a guest thread does not finish; the host's port stats disagree with the guests'
 * accounting at the end (sessions_active 0, inflight 0, backlog 0, requests and sessions
 * counted); RSS (sampled once a second) grows more than --rss-growth percent (default 20)
 * over its peak during the warm-up. The last line sums it up (requests, bytes, reconnects,
 * sessions, peak RSS).
 * --pmd picks the cryptodev (crypto_openssl by default; crypto_aesni_mb also runs
 * in-place zero-copy cipher requests through its CPU crypto path). --zero-copy sets the ports'
 * policy; "toggle" starts them in AUTO and, every 100 ms, sets a random port to OFF, ON or
 * AUTO while its guest works (vcrypto_port_set_zero_copy()). --limits, every 100 ms, gives a
 * random port new limits while its guest works (vcrypto_port_set_limits()): half the time
 * none, else a weight of 1-8 (a weight sizes AES-CBC slices, so it changes under requests cut
 * in slices), and each at random: an in-flight limit of 1-8, a rate of 2,000 or 20,000
 * requests/s, a rate of 50 or 500 MB/s (so that limited queues' turns end at their limits,
 * and their long requests take the queue pair, in slices). --max-len above 65535 (at most
 * 256 KiB) makes zero-copy requests that need mbuf chains (crypto_openssl) or, on
 * crypto_aesni_mb, copies into one large buffer and AES-CBC in chunks through CPU crypto;
 * each guest's memory grows with it.
 * Exit 77 if the EAL or the cryptodev cannot start here.
 */

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vcrypto/guest.h>
#include <vcrypto/host.h>

#include "dpdk_env.h"
#include "oracle.h"

#define NSLOT 32       /* requests one guest keeps in flight at most */
#define MAX_SESS 3     /* sessions per connection */
#define STALL_MS 20000 /* no completion for this long: requests lost */
#define QUEUE_SIZE 64

/* ---- options and global results ---- */

static unsigned int opt_guests = 64, opt_seconds = 60, opt_ppg = 2, opt_pollers = 2;
static unsigned int opt_check_every = 4, opt_warmup, opt_rss_growth = 20;
static uint32_t opt_max_len = 16384; /* largest request */
static uint64_t opt_seed;
static bool opt_verbose, opt_zc_toggle, opt_limits;
static const char *opt_pmd = "openssl";
static enum vcrypto_zero_copy opt_zc = VCRYPTO_ZERO_COPY_OFF;

static atomic_bool stop_guests;
static atomic_uint failures;

static void fail(unsigned int gi, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(unsigned int gi, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (atomic_fetch_add(&failures, 1) < 50)
		fprintf(stderr, "soak: FAIL guest %u: %s\n", gi, msg);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- random numbers (xorshift64*) ---- */

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* 0 .. n-1 */
static uint32_t rnd_n(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rnd(s) >> 32) % n);
}

static void rnd_fill(uint64_t *s, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len >= 8) {
		uint64_t v = rnd(s);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = rnd(s);

		memcpy(p, &v, len);
	}
}

/* ---- one guest ---- */

enum kind {
	K_CBC_ENC,
	K_CBC_DEC,
	K_GCM_ENC,
	K_HMAC,
	K_NKINDS
};

struct sess {
	bool open;
	uint64_t id;
	enum kind kind;
	uint8_t key[32];
	uint32_t key_len;
	uint32_t aad_len;
};

struct slot {
	bool busy;
	bool may_invsess; /* its session was closed while it was in flight */
	bool check;
	bool inplace; /* AES-CBC or AES-GCM in place: dst is the data, src keeps the input */
	uint16_t gen;
	struct sess s; /* copy: the session may be closed and replaced meanwhile */
	uint8_t iv[16];
	uint8_t aad[32];
	uint32_t len;
	uint8_t *src, *dst, *dig;
};

struct guest_stats {
	uint64_t submitted, completed, ok, invsess, bad_status, notconn, abandoned, checked;
	uint64_t bytes, connects, reconnects_now, disc_inflight, sess_created, sess_closed,
		sess_close_inflight;
};

struct guest {
	unsigned int idx;
	pthread_t thread;
	atomic_bool done;
	uint64_t rs;
	const char *const *paths; /* its own ports */
	struct vcrypto_guest *g;
	struct sess sess[MAX_SESS];
	struct slot slot[NSLOT];
	unsigned int inflight;
	uint8_t *want;
	struct guest_stats st;
	atomic_uint_fast64_t prog_sub, prog_done; /* for the progress line (other thread) */
};

static bool check_result(struct guest *gs, struct slot *sl)
{
	uint8_t *w = gs->want;
	size_t n = sl->len, cmp_len;
	const uint8_t *got;
	int r;

	switch (sl->s.kind) {
	case K_CBC_ENC:
	case K_CBC_DEC:
		r = oracle_cipher(VCRYPTO_CIPHER_AES_CBC,
				  sl->s.kind == K_CBC_ENC ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT,
				  sl->s.key, sl->s.key_len, sl->iv, sl->src, n, w);
		got = sl->dst;
		cmp_len = n;
		break;
	case K_GCM_ENC:
		r = oracle_aead(VCRYPTO_AEAD_AES_GCM, VCRYPTO_ENCRYPT, sl->s.key, sl->s.key_len,
				sl->iv, 12, sl->aad, sl->s.aad_len, sl->src, n, 16, w);
		got = sl->dst;
		cmp_len = n + 16;
		break;
	default:
		r = oracle_mac(VCRYPTO_MAC_HMAC_SHA_256, sl->s.key, sl->s.key_len, sl->src, n, w);
		r = r == 32 ? 0 : -1;
		got = sl->dig;
		cmp_len = 32;
		break;
	}
	if (r) {
		fail(gs->idx, "oracle failed (kind %d len %zu)", sl->s.kind, n);
		return false;
	}
	for (size_t i = 0; i < cmp_len; i++) {
		if (got[i] != w[i]) {
			fail(gs->idx,
			     "wrong result: kind %d key_len %u len %zu, byte %zu is %02x, "
			     "want %02x",
			     sl->s.kind, sl->s.key_len, n, i, got[i], w[i]);
			return false;
		}
	}
	return true;
}

/* Collect completions; wait up to @wait_ms for the first. Returns how many, or -1 (stall). */
static int collect(struct guest *gs, int wait_ms)
{
	struct vcrypto_guest_completion c[NSLOT];
	int n, total = 0;

	if (!gs->inflight)
		return 0;
	n = vcrypto_guest_poll(gs->g, 0, c, NSLOT);
	if (n == 0 && wait_ms) {
		vcrypto_guest_wait(gs->g, 0, wait_ms);
		n = vcrypto_guest_poll(gs->g, 0, c, NSLOT);
	}
	while (n > 0) {
		for (int i = 0; i < n; i++) {
			unsigned int si = (unsigned int)(c[i].user_data & 0xffff);
			uint16_t gen = (uint16_t)(c[i].user_data >> 16);
			struct slot *sl = si < NSLOT ? &gs->slot[si] : NULL;

			if (!sl || !sl->busy || sl->gen != gen) {
				fail(gs->idx,
				     "completion of an unknown or already completed request "
				     "(user_data %#" PRIx64 ")",
				     c[i].user_data);
				continue;
			}
			sl->busy = false;
			gs->inflight--;
			gs->st.completed++;
			atomic_fetch_add_explicit(&gs->prog_done, 1, memory_order_relaxed);
			total++;
			if (c[i].status == VCRYPTO_STATUS_OK) {
				gs->st.ok++;
				gs->st.bytes += sl->len;
				if (sl->check) {
					gs->st.checked++;
					check_result(gs, sl);
				}
			} else if (c[i].status == VCRYPTO_STATUS_INVSESS && sl->may_invsess) {
				gs->st.invsess++;
			} else if (c[i].status == -ENOTCONN) {
				gs->st.notconn++;
				fail(gs->idx,
				     "request failed with -ENOTCONN (the host never goes away)");
			} else {
				gs->st.bad_status++;
				fail(gs->idx, "request (kind %d len %u) completed with status %d",
				     sl->s.kind, sl->len, c[i].status);
			}
		}
		if (!gs->inflight)
			break;
		n = vcrypto_guest_poll(gs->g, 0, c, NSLOT);
	}
	if (n < 0) {
		fail(gs->idx, "vcrypto_guest_poll: %d", n);
		return -1;
	}
	return total;
}

/* Wait until at most @target requests are in flight. Returns false if they stall. */
static bool drain_to(struct guest *gs, unsigned int target)
{
	double last = now_s();

	while (gs->inflight > target) {
		int n = collect(gs, 100);

		if (n < 0)
			return false;
		if (n > 0) {
			last = now_s();
		} else if (now_s() - last > STALL_MS / 1000.0) {
			fail(gs->idx, "%u request(s) lost: no completion for %d s", gs->inflight,
			     STALL_MS / 1000);
			return false;
		}
	}
	return true;
}

static bool sess_open(struct guest *gs, struct sess *s)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	int r;

	memset(s, 0, sizeof(*s));
	s->kind = (enum kind)rnd_n(&gs->rs, K_NKINDS);
	rnd_fill(&gs->rs, s->key, sizeof(s->key));
	switch (s->kind) {
	case K_CBC_ENC:
	case K_CBC_DEC:
		s->key_len = rnd_n(&gs->rs, 2) ? 32 : 16;
		p.type = VCRYPTO_SESSION_CIPHER;
		p.direction = s->kind == K_CBC_ENC ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT;
		p.cipher_algo = VCRYPTO_CIPHER_AES_CBC;
		p.cipher_key = s->key;
		p.cipher_key_len = s->key_len;
		break;
	case K_GCM_ENC:
		s->key_len = rnd_n(&gs->rs, 2) ? 32 : 16;
		s->aad_len = 8u << rnd_n(&gs->rs, 3); /* 8, 16, 32 */
		p.type = VCRYPTO_SESSION_AEAD;
		p.direction = VCRYPTO_ENCRYPT;
		p.aead_algo = VCRYPTO_AEAD_AES_GCM;
		p.cipher_key = s->key;
		p.cipher_key_len = s->key_len;
		p.aad_len = s->aad_len;
		break;
	default:
		s->key_len = 16 + rnd_n(&gs->rs, 17); /* 16 .. 32 */
		p.type = VCRYPTO_SESSION_MAC;
		p.mac_algo = VCRYPTO_MAC_HMAC_SHA_256;
		p.auth_key = s->key;
		p.auth_key_len = s->key_len;
		break;
	}
	r = vcrypto_guest_session_create(gs->g, &p, &s->id);
	if (r) {
		fail(gs->idx, "session_create (kind %d): %s", s->kind, vcrypto_strerror(r));
		return false;
	}
	s->open = true;
	gs->st.sess_created++;
	return true;
}

static bool sess_close(struct guest *gs, struct sess *s)
{
	bool busy = false;
	int r;

	for (unsigned int i = 0; i < NSLOT; i++) {
		if (gs->slot[i].busy && gs->slot[i].s.id == s->id) {
			gs->slot[i].may_invsess = true;
			busy = true;
		}
	}
	if (busy)
		gs->st.sess_close_inflight++;
	r = vcrypto_guest_session_close(gs->g, s->id);
	s->open = false;
	if (r) {
		fail(gs->idx, "session_close: %s", vcrypto_strerror(r));
		return false;
	}
	gs->st.sess_closed++;
	return true;
}

static uint32_t rnd_len(struct guest *gs, enum kind k)
{
	/* Log-uniform from 16 B to --max-len. */
	unsigned int emax = 31 - (unsigned int)__builtin_clz(opt_max_len);
	unsigned int e = 4 + rnd_n(&gs->rs, emax - 3); /* 2^4 .. 2^emax */
	uint32_t n = (1u << e) + rnd_n(&gs->rs, 1u << e);

	if (n > opt_max_len)
		n = opt_max_len;
	/* (on crypto_aesni_mb, AES-CBC over 65535 bytes goes in chunks through CPU crypto) */
	if (k == K_CBC_ENC || k == K_CBC_DEC)
		n &= ~15u;
	return n < 16 ? 16 : n;
}

/* Submit a burst of 1..16 requests on random open sessions. */
static bool burst(struct guest *gs)
{
	struct vcrypto_guest_op ops[16];
	unsigned int idx[16], want = 1 + rnd_n(&gs->rs, 16), n = 0, nopen = 0, done = 0;
	struct sess *open[MAX_SESS];

	for (unsigned int i = 0; i < MAX_SESS; i++)
		if (gs->sess[i].open)
			open[nopen++] = &gs->sess[i];
	if (!nopen)
		return true;
	for (unsigned int i = 0; i < NSLOT && n < want; i++) {
		struct slot *sl = &gs->slot[i];
		struct vcrypto_guest_op *op = &ops[n];

		if (sl->busy)
			continue;
		sl->s = *open[rnd_n(&gs->rs, nopen)];
		sl->len = rnd_len(gs, sl->s.kind);
		sl->gen++;
		sl->may_invsess = false;
		sl->check = rnd_n(&gs->rs, opt_check_every) == 0;
		sl->inplace = (sl->s.kind == K_CBC_ENC || sl->s.kind == K_CBC_DEC ||
			       sl->s.kind == K_GCM_ENC) &&
			      rnd_n(&gs->rs, 2);
		rnd_fill(&gs->rs, sl->iv, sizeof(sl->iv));
		rnd_fill(&gs->rs, sl->aad, sizeof(sl->aad));
		rnd_fill(&gs->rs, sl->src, sl->len);
		memset(op, 0, sizeof(*op));
		op->session_id = sl->s.id;
		op->user_data = ((uint64_t)sl->gen << 16) | i;
		op->src = sl->src;
		op->src_len = sl->len;
		switch (sl->s.kind) {
		case K_CBC_ENC:
		case K_CBC_DEC:
			op->iv = sl->iv;
			op->iv_len = 16;
			op->dst = sl->dst;
			op->dst_len = sl->len;
			if (sl->inplace) { /* the result replaces the input in dst */
				memcpy(sl->dst, sl->src, sl->len);
				op->src = sl->dst;
			}
			break;
		case K_GCM_ENC:
			op->iv = sl->iv;
			op->iv_len = 12;
			op->aad = sl->aad;
			op->aad_len = sl->s.aad_len;
			op->dst = sl->dst;
			op->dst_len = sl->len + 16;
			if (sl->inplace) { /* the ciphertext and tag replace the input */
				memcpy(sl->dst, sl->src, sl->len);
				op->src = sl->dst;
			}
			break;
		default:
			op->digest = sl->dig;
			break;
		}
		idx[n++] = i;
	}
	while (done < n) {
		int r = vcrypto_guest_submit(gs->g, 0, ops + done, n - done);

		if (r < 0) {
			fail(gs->idx, "submit: %s", vcrypto_strerror(r));
			return false;
		}
		if ((unsigned int)r > n - done) {
			fail(gs->idx, "submit took %d of %d requests", r, n - done);
			return false;
		}
		for (int i = 0; i < r; i++) {
			gs->slot[idx[done + i]].busy = true;
			gs->inflight++;
			gs->st.submitted++;
		}
		atomic_fetch_add_explicit(&gs->prog_sub, (unsigned int)r, memory_order_relaxed);
		done += (unsigned int)r;
		if (done < n && collect(gs, 100) < 0) /* ring full */
			return false;
	}
	return true;
}

/* Disconnect: requests still in flight are abandoned. */
static void disconnect(struct guest *gs)
{
	if (gs->inflight)
		gs->st.disc_inflight++;
	gs->st.abandoned += gs->inflight;
	for (unsigned int i = 0; i < NSLOT; i++)
		gs->slot[i].busy = false;
	gs->inflight = 0;
	memset(gs->sess, 0, sizeof(gs->sess));
	vcrypto_guest_destroy(gs->g);
	gs->g = NULL;
}

static bool connect_port(struct guest *gs, const char *path)
{
	struct vcrypto_guest_opts o = {.sz = sizeof(o)};
	int r;

	o.queue_size = QUEUE_SIZE;
	/* Two buffers per slot (and a digest), the rings and the request areas. */
	o.mem_size = (size_t)NSLOT * (2 * opt_max_len + 256) + (512u << 10);
	if (o.mem_size < (2u << 20))
		o.mem_size = 2u << 20;
	o.mem_size = (o.mem_size + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1);
	o.connect_timeout_ms = 5000;
	r = vcrypto_guest_connect(path, &o, &gs->g);
	if (r) {
		fail(gs->idx, "connect %s: %s", path, vcrypto_strerror(r));
		return false;
	}
	gs->st.connects++;
	for (unsigned int i = 0; i < NSLOT; i++) {
		void *a, *b, *c;

		if (vcrypto_guest_buf_alloc(gs->g, opt_max_len, &a) ||
		    vcrypto_guest_buf_alloc(gs->g, opt_max_len + 16, &b) ||
		    vcrypto_guest_buf_alloc(gs->g, 64, &c)) {
			fail(gs->idx, "buf_alloc");
			return false;
		}
		gs->slot[i].src = a;
		gs->slot[i].dst = b;
		gs->slot[i].dig = c;
	}
	return true;
}

/* One connection's life. Returns false on a failure that ends this guest. */
static bool one_connection(struct guest *gs, const char *path)
{
	unsigned int rounds = 1 + rnd_n(&gs->rs, 60), nsess = 1 + rnd_n(&gs->rs, MAX_SESS);

	if (!connect_port(gs, path))
		return false;
	for (unsigned int i = 0; i < nsess; i++)
		if (!sess_open(gs, &gs->sess[i]))
			return false;
	for (unsigned int r = 0; r < rounds && !atomic_load(&stop_guests); r++) {
		uint32_t act = rnd_n(&gs->rs, 100);

		if (!burst(gs))
			return false;
		if (act < 4) { /* close a session with requests in flight, open another */
			struct sess *s = &gs->sess[rnd_n(&gs->rs, MAX_SESS)];

			if (s->open && !sess_close(gs, s))
				return false;
			if (!sess_open(gs, s))
				return false;
		} else if (act < 8) { /* disconnect with requests in flight */
			disconnect(gs);
			if (act < 6) { /* and connect again at once, to the same port */
				gs->st.reconnects_now++;
				return one_connection(gs, path);
			}
			return true;
		} else if (act < 50) { /* leave some in flight */
			if (!drain_to(gs, rnd_n(&gs->rs, NSLOT / 2)))
				return false;
		} else if (!drain_to(gs, 0)) {
			return false;
		}
	}
	/* Usually drained and sessions closed; sometimes not. */
	if (rnd_n(&gs->rs, 2)) {
		if (!drain_to(gs, 0))
			return false;
		for (unsigned int i = 0; i < MAX_SESS; i++)
			if (gs->sess[i].open && !sess_close(gs, &gs->sess[i]))
				return false;
	}
	disconnect(gs);
	return true;
}

static void *guest_main(void *arg)
{
	struct guest *gs = arg;

	while (!atomic_load(&stop_guests)) {
		if (!one_connection(gs, gs->paths[rnd_n(&gs->rs, opt_ppg)])) {
			if (gs->g)
				disconnect(gs);
			break;
		}
		if (rnd_n(&gs->rs, 4) == 0)
			usleep(rnd_n(&gs->rs, 20000));
	}
	atomic_store(&gs->done, true);
	return NULL;
}

/* ---- host ---- */

struct poller_thread {
	struct vcrypto_poller *p;
	pthread_t thread;
	atomic_bool stop;
};

static void *poller_main(void *arg)
{
	struct poller_thread *pt = arg;
	unsigned int idle = 0;

	while (!atomic_load_explicit(&pt->stop, memory_order_relaxed)) {
		if (vcrypto_poller_poll(pt->p) > 0) {
			idle = 0;
		} else if (++idle > 200) {
			usleep(20); /* the machine is shared: do not spin when idle */
		}
	}
	return NULL;
}

/* The pollers' counters that the summary gives, summed. */
static struct vcrypto_poller_stats pollers_sum(const struct poller_thread *pt)
{
	struct vcrypto_poller_stats sum = {.sz = sizeof(sum)};

	for (unsigned int i = 0; i < opt_pollers; i++) {
		struct vcrypto_poller_stats st = {.sz = sizeof(st)};

		if (!vcrypto_poller_stats_get(pt[i].p, &st)) {
			sum.cpu_processed += st.cpu_processed;
			sum.enqueued += st.enqueued;
		}
	}
	return sum;
}

static uint64_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Random limits for --limits: half the time none, else a weight and some limits. */
static struct vcrypto_port_limits rnd_limits(uint64_t *rs)
{
	struct vcrypto_port_limits l = {.sz = sizeof(l)};

	if (rnd_n(rs, 2))
		return l;
	l.weight = 1 + rnd_n(rs, 8);
	if (rnd_n(rs, 2))
		l.max_inflight = 1u << rnd_n(rs, 4); /* 1, 2, 4 or 8 */
	if (!rnd_n(rs, 3))
		l.rate_ops = rnd_n(rs, 2) ? 2000 : 20000;
	if (!rnd_n(rs, 3))
		l.rate_bytes = rnd_n(rs, 2) ? 50000000 : 500000000;
	return l;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: soak [--guests N] [--seconds S] [--seed X] [--ports-per-guest N] "
		"[--pollers 1|2] [--check-every N] [--warmup S] [--rss-growth PCT] "
		"[--pmd openssl|aesni_mb] [--zero-copy off|on|auto|toggle] [--max-len BYTES] "
		"[--limits] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"guests", required_argument, NULL, 'g'},
		{"seconds", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'x'},
		{"ports-per-guest", required_argument, NULL, 'p'},
		{"pollers", required_argument, NULL, 'P'},
		{"check-every", required_argument, NULL, 'c'},
		{"warmup", required_argument, NULL, 'w'},
		{"rss-growth", required_argument, NULL, 'r'},
		{"pmd", required_argument, NULL, 'd'},
		{"zero-copy", required_argument, NULL, 'z'},
		{"max-len", required_argument, NULL, 'L'},
		{"limits", no_argument, NULL, 'l'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	const char *vdevs[2] = {NULL, NULL};
	char dev[64];
	struct vcrypto_engine_opts eo = {.sz = sizeof(eo)};
	struct vcrypto_port_opts po = {.sz = sizeof(po)};
	struct vcrypto_poller_opts plo = {.sz = sizeof(plo)};
	struct vcrypto_engine *engine = NULL;
	struct poller_thread pt[2];
	struct vcrypto_port **ports;
	char **paths;
	struct guest *gs;
	struct guest_stats tot = {0};
	uint64_t rss_base = 0, rss_peak = 0, rss_peak_after = 0, rss_end;
	uint64_t rss_first10 = 0, rss_last10[10] = {0}, last10 = 0;
	uint64_t toggle_rs, zc_toggles = 0, limit_changes = 0;
	unsigned int nports, rss_n = 0, n_first10 = 0, n_last10 = 0;
	double t0, t_end;
	bool hung = false;
	int c, r;

	opt_seed = (uint64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'g':
			opt_guests = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt_seconds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'x':
			opt_seed = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			opt_ppg = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'P':
			opt_pollers = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			opt_check_every = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			opt_warmup = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			opt_rss_growth = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			opt_pmd = optarg;
			if (strcmp(optarg, "openssl") && strcmp(optarg, "aesni_mb"))
				usage();
			break;
		case 'z':
			if (!strcmp(optarg, "off"))
				opt_zc = VCRYPTO_ZERO_COPY_OFF;
			else if (!strcmp(optarg, "on"))
				opt_zc = VCRYPTO_ZERO_COPY_ON;
			else if (!strcmp(optarg, "auto"))
				opt_zc = VCRYPTO_ZERO_COPY_AUTO;
			else if (!strcmp(optarg, "toggle"))
				opt_zc = VCRYPTO_ZERO_COPY_AUTO, opt_zc_toggle = true;
			else
				usage();
			break;
		case 'L':
			opt_max_len = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			opt_limits = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		default:
			usage();
		}
	}
	if (!opt_guests || opt_guests > 1024 || !opt_seconds || !opt_ppg || opt_ppg > 8 ||
	    opt_pollers < 1 || opt_pollers > 2 || !opt_check_every || opt_max_len < 64 ||
	    opt_max_len > 256 * 1024)
		usage();
	if (!opt_warmup)
		opt_warmup = opt_seconds / 4 < 30 ? (opt_seconds / 4 ? opt_seconds / 4 : 1) : 30;
	nports = opt_guests * opt_ppg;
	printf("soak: guests=%u seconds=%u seed=%" PRIu64 " ports=%u pollers=%u check-every=%u "
	       "warmup=%u s pmd=%s zero-copy=%s max-len=%u limits=%s\n",
	       opt_guests, opt_seconds, opt_seed, nports, opt_pollers, opt_check_every, opt_warmup,
	       opt_pmd,
	       opt_zc_toggle			? "toggle" :
	       opt_zc == VCRYPTO_ZERO_COPY_ON	? "on" :
	       opt_zc == VCRYPTO_ZERO_COPY_AUTO ? "auto" :
						  "off",
	       opt_max_len, opt_limits ? "random" : "none");
	fflush(stdout);

	snprintf(dev, sizeof(dev), "crypto_%s", opt_pmd);
	vdevs[0] = dev;
	if (vc_test_eal_init(vdevs, 512))
		return 77;
	eo.nb_queue_pairs = (uint16_t)opt_pollers;
	eo.max_sessions = opt_guests * MAX_SESS * 2 + 64;
	eo.nb_ops = 8192;
	r = vcrypto_engine_create(dev, &eo, &engine);
	if (r) {
		fprintf(stderr, "soak: engine on %s: %s\n", dev, vcrypto_strerror(r));
		return r == -ENODEV || r == -ENOTSUP ? 77 : 1;
	}
	for (unsigned int i = 0; i < opt_pollers; i++) {
		plo.queue_pair = (uint16_t)i;
		r = vcrypto_poller_create(engine, &plo, &pt[i].p);
		if (r) {
			fprintf(stderr, "soak: poller: %s\n", vcrypto_strerror(r));
			return 1;
		}
		atomic_init(&pt[i].stop, false);
	}
	ports = calloc(nports, sizeof(*ports));
	paths = calloc(nports, sizeof(*paths));
	gs = calloc(opt_guests, sizeof(*gs));
	if (!ports || !paths || !gs) {
		free(ports);
		free(paths);
		free(gs);
		return 1;
	}
	po.max_sessions = 16; /* 3 in use; room for a closing connection's */
	po.zero_copy = opt_zc;
	po.zc_after_requests = 64;
	for (unsigned int i = 0; i < nports; i++) {
		char buf[108], name[32];

		paths[i] = strdup(vc_test_sock_path(buf, sizeof(buf), "soak"));
		snprintf(name, sizeof(name), "p%u", i);
		po.name = name;
		unlink(paths[i]);
		r = vcrypto_port_create(paths[i], engine, &po, &ports[i]);
		if (!r)
			r = vcrypto_poller_add_port(pt[i % opt_pollers].p, ports[i], 0);
		if (r) {
			/* (setup failed: exit() ends the process and what it holds) */
			fprintf(stderr, "soak: port %u: %s\n", i, vcrypto_strerror(r));
			exit(1);
		}
	}
	for (unsigned int i = 0; i < opt_pollers; i++)
		if (pthread_create(&pt[i].thread, NULL, poller_main, &pt[i]))
			exit(1);

	toggle_rs = opt_seed * 0x9E3779B97F4A7C15ULL + 7;
	t0 = now_s();
	for (unsigned int i = 0; i < opt_guests; i++) {
		gs[i].idx = i;
		gs[i].rs = opt_seed * 0x9E3779B97F4A7C15ULL + i * 2654435761u + 1;
		gs[i].paths = (const char *const *)&paths[i * opt_ppg];
		gs[i].want = malloc(opt_max_len + 64);
		if (!gs[i].want || pthread_create(&gs[i].thread, NULL, guest_main, &gs[i]))
			exit(1);
	}

	/* Once a second: RSS. */
	t_end = t0 + opt_seconds;
	for (unsigned int sec = 1; now_s() < t_end; sec++) {
		double until = t0 + sec;
		uint64_t rss;

		while (now_s() < until) {
			usleep(opt_zc_toggle || opt_limits ? 100000 : 20000);
			if (opt_limits) {
				uint32_t pi = rnd_n(&toggle_rs, nports);
				struct vcrypto_port_limits l = rnd_limits(&toggle_rs);

				r = vcrypto_port_set_limits(ports[pi], &l);
				if (r)
					fail(0, "set_limits on port %u: %s", pi,
					     vcrypto_strerror(r));
				else
					limit_changes++;
			}
			if (opt_zc_toggle) {
				static const enum vcrypto_zero_copy zcs[] = {
					VCRYPTO_ZERO_COPY_OFF, VCRYPTO_ZERO_COPY_ON,
					VCRYPTO_ZERO_COPY_AUTO};
				uint32_t pi = rnd_n(&toggle_rs, nports);

				r = vcrypto_port_set_zero_copy(ports[pi],
							       zcs[rnd_n(&toggle_rs, 3)]);
				if (r)
					fail(0, "set_zero_copy on port %u: %s", pi,
					     vcrypto_strerror(r));
				else
					zc_toggles++;
			}
		}
		rss = rss_bytes();
		if (rss > rss_peak)
			rss_peak = rss;
		if (sec <= opt_warmup) {
			if (rss > rss_base)
				rss_base = rss; /* the warm-up's peak */
		} else {
			if (rss > rss_peak_after)
				rss_peak_after = rss;
			/* Means of the first and the last 10 samples after the warm-up. */
			if (sec <= opt_warmup + 10)
				rss_first10 += rss, n_first10++;
			rss_last10[sec % 10] = rss;
		}
		rss_n++;
		if (opt_verbose || sec % 10 == 0) {
			uint64_t sub = 0, done = 0;

			for (unsigned int i = 0; i < opt_guests; i++) {
				sub += atomic_load_explicit(&gs[i].prog_sub, memory_order_relaxed);
				done += atomic_load_explicit(&gs[i].prog_done,
							     memory_order_relaxed);
			}
			printf("soak: %u s  rss=%.1f MiB  submitted=%" PRIu64 " completed=%" PRIu64
			       " failures=%u\n",
			       sec, (double)rss / 1048576.0, sub, done, atomic_load(&failures));
			fflush(stdout);
		}
	}
	atomic_store(&stop_guests, true);
	for (unsigned int i = 0; i < opt_guests; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 60;
		if (pthread_timedjoin_np(gs[i].thread, NULL, &ts)) {
			fail(i, "guest thread did not finish 60 s after the end");
			hung = true;
			break;
		}
		tot.submitted += gs[i].st.submitted;
		tot.completed += gs[i].st.completed;
		tot.ok += gs[i].st.ok;
		tot.invsess += gs[i].st.invsess;
		tot.bad_status += gs[i].st.bad_status;
		tot.notconn += gs[i].st.notconn;
		tot.abandoned += gs[i].st.abandoned;
		tot.checked += gs[i].st.checked;
		tot.bytes += gs[i].st.bytes;
		tot.connects += gs[i].st.connects;
		tot.reconnects_now += gs[i].st.reconnects_now;
		tot.disc_inflight += gs[i].st.disc_inflight;
		tot.sess_created += gs[i].st.sess_created;
		tot.sess_closed += gs[i].st.sess_closed;
		tot.sess_close_inflight += gs[i].st.sess_close_inflight;
		free(gs[i].want);
	}
	if (hung) {
		printf("soak: FAIL (a guest thread hung)\n");
		fflush(stdout);
		_exit(1);
	}
	if (tot.submitted != tot.completed + tot.abandoned)
		fail(0,
		     "guests: submitted %" PRIu64 " != completed %" PRIu64 " + abandoned %" PRIu64,
		     tot.submitted, tot.completed, tot.abandoned);

	/* The host's view, once every guest is gone. */
	{
		struct vcrypto_port_stats ps, sum;
		struct vcrypto_poller_stats pss;
		double deadline = now_s() + 20;
		bool settled;

		do {
			settled = true;
			memset(&sum, 0, sizeof(sum));
			for (unsigned int i = 0; i < nports; i++) {
				memset(&ps, 0, sizeof(ps));
				ps.sz = sizeof(ps);
				vcrypto_port_stats_get(ports[i], &ps);
				if (ps.state != VCRYPTO_PORT_WAITING || ps.sessions_active ||
				    ps.inflight || ps.backlog)
					settled = false;
				sum.requests += ps.requests;
				sum.requests_ok += ps.requests_ok;
				sum.bytes += ps.bytes;
				sum.err_invsess += ps.err_invsess;
				sum.err_badmsg += ps.err_badmsg;
				sum.err_other += ps.err_other;
				sum.err_notsupp += ps.err_notsupp;
				sum.err_ring += ps.err_ring;
				sum.sessions_created += ps.sessions_created;
				sum.sessions_failed += ps.sessions_failed;
				sum.sessions_active += ps.sessions_active;
				sum.inflight += ps.inflight;
				sum.backlog += ps.backlog;
				sum.connects += ps.connects;
				sum.zero_copy_requests += ps.zero_copy_requests;
			}
			if (!settled)
				usleep(50000);
		} while (!settled && now_s() < deadline);
		pss = pollers_sum(pt);
		printf("soak: host: requests=%" PRIu64 " ok=%" PRIu64 " invsess=%" PRIu64
		       " badmsg=%" PRIu64 " other=%" PRIu64 " ring=%" PRIu64 " bytes=%" PRIu64
		       " sessions_created=%" PRIu64 " failed=%" PRIu64 " active=%u inflight=%u "
		       "backlog=%u connects=%u zero_copy=%" PRIu64 " cpu_crypto=%" PRIu64
		       " qp_ops=%" PRIu64 " zc_toggles=%" PRIu64 " limit_changes=%" PRIu64 "\n",
		       sum.requests, sum.requests_ok, sum.err_invsess, sum.err_badmsg,
		       sum.err_other, sum.err_ring, sum.bytes, sum.sessions_created,
		       sum.sessions_failed, sum.sessions_active, sum.inflight, sum.backlog,
		       sum.connects, sum.zero_copy_requests, pss.cpu_processed, pss.enqueued,
		       zc_toggles, limit_changes);
		if (!settled)
			fail(0,
			     "host ports did not settle (all waiting, sessions_active 0, inflight 0, "
			     "backlog 0) 20 s after the guests left");
		if (sum.requests < tot.completed || sum.requests > tot.completed + tot.abandoned)
			fail(0,
			     "host requests %" PRIu64 " outside [guest completed %" PRIu64
			     ", + abandoned %" PRIu64 "]",
			     sum.requests, tot.completed, tot.abandoned);
		if (sum.requests_ok < tot.ok || sum.bytes < tot.bytes)
			fail(0,
			     "host ok %" PRIu64 " / bytes %" PRIu64 " below the guests' %" PRIu64
			     " / %" PRIu64,
			     sum.requests_ok, sum.bytes, tot.ok, tot.bytes);
		if (sum.err_badmsg || sum.err_other || sum.err_notsupp || sum.err_ring ||
		    sum.sessions_failed)
			fail(0, "host counted errors (see the host line)");
		if (sum.sessions_created != tot.sess_created)
			fail(0, "host created %" PRIu64 " sessions, guests %" PRIu64,
			     sum.sessions_created, tot.sess_created);
		if (sum.connects < tot.connects)
			fail(0, "host counted %u connects, guests %" PRIu64, sum.connects,
			     tot.connects);
	}

	rss_end = rss_bytes();
	for (unsigned int i = 0; i < 10; i++)
		if (rss_last10[i])
			last10 += rss_last10[i], n_last10++;
	if (rss_base && rss_peak_after > rss_base + rss_base / 100 * opt_rss_growth)
		fail(0,
		     "RSS grew from %.1f MiB (peak of the %u s warm-up) to %.1f MiB (more than "
		     "+%u%%)",
		     (double)rss_base / 1048576.0, opt_warmup, (double)rss_peak_after / 1048576.0,
		     opt_rss_growth);

	printf("soak: guests: submitted=%" PRIu64 " completed=%" PRIu64 " ok=%" PRIu64
	       " invsess=%" PRIu64 " bad=%" PRIu64 " notconn=%" PRIu64 " abandoned=%" PRIu64
	       " checked=%" PRIu64 " connects=%" PRIu64 " reconnects_at_once=%" PRIu64
	       " disconnects_in_flight=%" PRIu64 " sessions=%" PRIu64
	       " session_closes_in_flight=%" PRIu64 "\n",
	       tot.submitted, tot.completed, tot.ok, tot.invsess, tot.bad_status, tot.notconn,
	       tot.abandoned, tot.checked, tot.connects, tot.reconnects_now, tot.disc_inflight,
	       tot.sess_created, tot.sess_close_inflight);
	printf("soak: rss: samples=%u warmup_peak=%.1f MiB peak_after_warmup=%.1f MiB (%+.1f%%) "
	       "mean_first10=%.1f MiB mean_last10=%.1f MiB peak=%.1f MiB end=%.1f MiB\n",
	       rss_n, (double)rss_base / 1048576.0, (double)rss_peak_after / 1048576.0,
	       rss_base ? 100.0 * ((double)rss_peak_after - (double)rss_base) / (double)rss_base :
			  0.0,
	       n_first10 ? (double)rss_first10 / n_first10 / 1048576.0 : 0.0,
	       n_last10 ? (double)last10 / n_last10 / 1048576.0 : 0.0, (double)rss_peak / 1048576.0,
	       (double)rss_end / 1048576.0);

	/* Tear down: pollers stop, ports, pollers, engine, EAL. */
	for (unsigned int i = 0; i < opt_pollers; i++) {
		atomic_store(&pt[i].stop, true);
		pthread_join(pt[i].thread, NULL);
	}
	for (unsigned int i = 0; i < nports; i++) {
		vcrypto_port_destroy(ports[i]);
		unlink(paths[i]);
		free(paths[i]);
	}
	for (unsigned int i = 0; i < opt_pollers; i++)
		vcrypto_poller_destroy(pt[i].p);
	vcrypto_engine_destroy(engine);
	vcrypto_eal_cleanup();
	{
		char dir[128];

		/* The EAL's runtime directory (--file-prefix vc<pid>, see dpdk_env.c). */
		snprintf(dir, sizeof(dir), "/var/run/dpdk/vc%d", (int)getpid());
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	free(ports);
	free(paths);
	free(gs);

	printf("soak: %s requests=%" PRIu64 " bytes=%" PRIu64 " reconnects=%" PRIu64
	       " sessions=%" PRIu64 " peak_rss=%.1f MiB duration=%.1f s guests=%u seed=%" PRIu64
	       "\n",
	       atomic_load(&failures) ? "FAIL" : "PASS", tot.submitted, tot.bytes,
	       tot.connects > opt_guests ? tot.connects - opt_guests : 0, tot.sess_created,
	       (double)rss_peak / 1048576.0, now_s() - t0, opt_guests, opt_seed);
	return atomic_load(&failures) ? 1 : 0;
}
