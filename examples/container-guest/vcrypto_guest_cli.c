/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * vcrypto-guest: the container side. Uses the host's crypto device through
 * libvcrypto-guest only (no DPDK).
 *
 *   vcrypto-guest encrypt|decrypt --socket PATH --algo ALGO --key HEX [--iv HEX]
 *                 [--in FILE] [--out FILE] [--chunk BYTES]
 *   vcrypto-guest perf --socket PATH --algo ALGO [--size N] [--depth N]
 *                 [--duration S | --count N] [--progress]
 *   vcrypto-guest algos
 *
 * CBC and ECB use PKCS#7 padding and CTR counts over the whole stream, so the
 * output is byte for byte what `openssl enc -<algo> -K <key> -iv <iv>` gives.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vcrypto/guest.h>

enum mode {
	M_CBC,
	M_CTR,
	M_ECB,
	M_GCM
};

struct algo {
	const char *name;
	enum mode mode;
	unsigned int key_len;
	unsigned int iv_len;
	unsigned int block;
	enum vcrypto_cipher_algo cipher;
	enum vcrypto_aead_algo aead;
};

static const struct algo algos[] = {
	{"aes-128-cbc", M_CBC, 16, 16, 16, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_AEAD_NONE},
	{"aes-192-cbc", M_CBC, 24, 16, 16, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_AEAD_NONE},
	{"aes-256-cbc", M_CBC, 32, 16, 16, VCRYPTO_CIPHER_AES_CBC, VCRYPTO_AEAD_NONE},
	{"aes-128-ctr", M_CTR, 16, 16, 16, VCRYPTO_CIPHER_AES_CTR, VCRYPTO_AEAD_NONE},
	{"aes-192-ctr", M_CTR, 24, 16, 16, VCRYPTO_CIPHER_AES_CTR, VCRYPTO_AEAD_NONE},
	{"aes-256-ctr", M_CTR, 32, 16, 16, VCRYPTO_CIPHER_AES_CTR, VCRYPTO_AEAD_NONE},
	{"aes-128-ecb", M_ECB, 16, 0, 16, VCRYPTO_CIPHER_AES_ECB, VCRYPTO_AEAD_NONE},
	{"aes-256-ecb", M_ECB, 32, 0, 16, VCRYPTO_CIPHER_AES_ECB, VCRYPTO_AEAD_NONE},
	{"des-ede3-cbc", M_CBC, 24, 8, 8, VCRYPTO_CIPHER_3DES_CBC, VCRYPTO_AEAD_NONE},
	{"aes-128-gcm", M_GCM, 16, 12, 1, VCRYPTO_CIPHER_NONE, VCRYPTO_AEAD_AES_GCM},
	{"aes-256-gcm", M_GCM, 32, 12, 1, VCRYPTO_CIPHER_NONE, VCRYPTO_AEAD_AES_GCM},
};

#define GCM_TAG 16
#define EXIT_DISCONNECTED 3

struct args {
	const char *socket;
	const struct algo *algo;
	uint8_t key[64];
	bool have_key;
	uint8_t iv[32];
	bool have_iv;
	const char *in, *out;
	uint32_t chunk;
	uint32_t size;
	uint32_t depth;
	double duration;
	uint64_t count;
	bool progress;
	int connect_timeout_ms;
	int request_timeout_ms;
	double stall_timeout;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  vcrypto-guest encrypt|decrypt --socket PATH --algo ALGO --key HEX [--iv HEX]\n"
		"                [--in FILE] [--out FILE] [--chunk BYTES]\n"
		"  vcrypto-guest perf --socket PATH --algo ALGO [--key HEX] [--size BYTES]\n"
		"                [--depth N] [--duration SECONDS | --count N] [--progress]\n"
		"  vcrypto-guest algos\n"
		"\n"
		"  --socket PATH        the host's vhost-user socket (a vcrypto-hostd port)\n"
		"  --algo ALGO          see 'vcrypto-guest algos'\n"
		"  --key HEX, --iv HEX  as for 'openssl enc -K HEX -iv HEX'\n"
		"  --in/--out FILE      default: standard input/output\n"
		"  --chunk BYTES        bytes per request (default 65536; AES-GCM: bytes per\n"
		"                       record, default 32768, at most 65535)\n"
		"  --size BYTES         perf: bytes per request (default 4096)\n"
		"  --depth N            perf: requests in flight (default 32)\n"
		"  --duration SECONDS   perf: run time (default 5)\n"
		"  --count N            perf: number of requests instead of a duration\n"
		"  --progress           perf: progress line every second even if stderr is no tty\n"
		"  --connect-timeout MS retry connecting for this long (default 5000)\n"
		"  --timeout MS         encrypt/decrypt: wait this long per request (default 30000)\n"
		"  --stall-timeout S    perf: give up after S seconds without a completion (default 10)\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage, 3 the host disconnected.\n");
}

static const struct algo *find_algo(const char *name)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (!strcmp(algos[i].name, name))
			return &algos[i];
	return NULL;
}

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int connect_host(const struct args *a, uint16_t queue_size, uint64_t mem,
			struct vcrypto_guest **g)
{
	struct vcrypto_guest_opts o = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
	int ret;

	o.queue_size = queue_size;
	o.mem_size = mem;
	o.connect_timeout_ms = a->connect_timeout_ms;
	/*
	 * A port serves one front end at a time: right after another guest
	 * disconnected, the host may still refuse us until it has noticed.
	 * Retry such refusals within the connect timeout.
	 */
	for (double end = now_s() + a->connect_timeout_ms / 1000.0;;) {
		ret = vcrypto_guest_connect(a->socket, &o, g);
		if (!(ret == -ENOTCONN || ret == -ECONNRESET || ret == -EPIPE ||
		      ret == -ECONNREFUSED || ret == -ENOENT) ||
		    now_s() >= end)
			break;
		usleep(20000);
	}
	if (ret)
		fprintf(stderr, "vcrypto-guest: cannot connect to %s: %s\n", a->socket,
			vcrypto_strerror(ret));
	return ret;
}

static int create_session(struct vcrypto_guest *g, const struct args *a, enum vcrypto_direction d,
			  uint64_t *sid)
{
	struct vcrypto_session_params p = {.sz = sizeof(p)};
	int ret;

	p.direction = d;
	p.cipher_key = a->key;
	p.cipher_key_len = a->algo->key_len;
	if (a->algo->mode == M_GCM) {
		p.type = VCRYPTO_SESSION_AEAD;
		p.aead_algo = a->algo->aead;
		p.digest_len = GCM_TAG;
		p.aad_len = 1;
	} else {
		p.type = VCRYPTO_SESSION_CIPHER;
		p.cipher_algo = a->algo->cipher;
	}
	ret = vcrypto_guest_session_create(g, &p, sid);
	if (ret)
		fprintf(stderr, "vcrypto-guest: %s session: %s\n", a->algo->name,
			vcrypto_strerror(ret));
	return ret;
}

/* ------------------------------------------------------------------ */
/* encrypt / decrypt a stream                                          */

/* Reads with one byte of look-ahead, so a chunk knows whether it is the last. */
struct reader {
	int fd;
	bool eof;
	bool have_peek;
	uint8_t peek;
};

static ssize_t read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t reader_fill(struct reader *r, uint8_t *buf, size_t want, bool *last)
{
	size_t n = 0;
	ssize_t k;

	if (r->have_peek && want) {
		buf[n++] = r->peek;
		r->have_peek = false;
	}
	while (n < want && !r->eof) {
		k = read_some(r->fd, buf + n, want - n);
		if (k < 0)
			return -errno;
		if (k == 0)
			r->eof = true;
		n += (size_t)k;
	}
	if (!r->eof && !r->have_peek) {
		k = read_some(r->fd, &r->peek, 1);
		if (k < 0)
			return -errno;
		if (k == 0)
			r->eof = true;
		else
			r->have_peek = true;
	}
	*last = r->eof && !r->have_peek;
	return (ssize_t)n;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void ctr_add(uint8_t ctr[16], uint64_t blocks)
{
	for (int i = 15; i >= 0 && blocks; i--) {
		uint64_t s = (uint64_t)ctr[i] + (blocks & 0xff);

		ctr[i] = (uint8_t)s;
		blocks = (blocks >> 8) + (s >> 8);
	}
}

static int run_op(struct vcrypto_guest *g, struct vcrypto_guest_op *op, const char *what,
		  int timeout_ms)
{
	int st = vcrypto_guest_run(g, 0, op, timeout_ms);

	if (st == VCRYPTO_STATUS_OK)
		return 0;
	if (st < 0)
		fprintf(stderr, "vcrypto-guest: %s: %s\n", what, vcrypto_strerror(st));
	else if (st == VCRYPTO_STATUS_BADMSG)
		fprintf(stderr, "vcrypto-guest: %s: authentication failed or bad message\n", what);
	else
		fprintf(stderr, "vcrypto-guest: %s: the host returned status %d\n", what, st);
	return st == -ENOTCONN ? -ENOTCONN : -EIO;
}

static int do_stream(const struct args *a, bool enc)
{
	const struct algo *al = a->algo;
	struct vcrypto_guest *g = NULL;
	struct reader rd = {.fd = 0};
	uint8_t *src = NULL, *dst = NULL, iv[32];
	uint64_t sid, record = 0;
	int out = 1, ret, status = 1;
	bool created = false, last = false, pad = al->mode == M_CBC || al->mode == M_ECB;
	size_t cap = (size_t)a->chunk + 64;

	memcpy(iv, a->iv, sizeof(iv));
	if (a->in && strcmp(a->in, "-")) {
		rd.fd = open(a->in, O_RDONLY | O_CLOEXEC);
		if (rd.fd < 0) {
			fprintf(stderr, "vcrypto-guest: %s: %s\n", a->in, strerror(errno));
			return 1;
		}
	}
	if (connect_host(a, 64, 4 * cap + (1 << 20), &g))
		goto out;
	if (create_session(g, a, enc ? VCRYPTO_ENCRYPT : VCRYPTO_DECRYPT, &sid))
		goto out;
	if (vcrypto_guest_buf_alloc(g, cap, (void **)&src) ||
	    vcrypto_guest_buf_alloc(g, cap, (void **)&dst)) {
		fprintf(stderr, "vcrypto-guest: cannot allocate shared buffers\n");
		goto out;
	}
	if (a->out && strcmp(a->out, "-")) {
		out = open(a->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "vcrypto-guest: %s: %s\n", a->out, strerror(errno));
			out = 1;
			goto out;
		}
		created = true;
	}

	while (!last) {
		/* GCM decryption reads whole records: chunk + tag. */
		size_t want = a->chunk + (al->mode == M_GCM && !enc ? GCM_TAG : 0);
		ssize_t n = reader_fill(&rd, src, want, &last);
		struct vcrypto_guest_op op = {.session_id = sid};
		uint8_t next_iv[32], aad, nonce[12];
		size_t len, out_len;

		if (n < 0) {
			fprintf(stderr, "vcrypto-guest: read: %s\n", strerror((int)-n));
			goto out;
		}
		len = (size_t)n;
		if (pad && enc && last) { /* PKCS#7: always 1..block bytes */
			size_t p = al->block - len % al->block;

			memset(src + len, (int)p, p);
			len += p;
		}
		if (len == 0 && al->mode != M_GCM)
			break; /* CTR: empty tail; CBC decrypt: handled below */
		if ((pad || (al->mode == M_CTR && !last)) && len % al->block) {
			fprintf(stderr,
				"vcrypto-guest: input length is not a multiple of the block size "
				"(%u)\n",
				al->block);
			goto out;
		}
		op.src = src;
		op.dst = dst;
		op.src_len = (uint32_t)len;
		out_len = len;
		if (al->mode == M_GCM) {
			if (!enc && len < GCM_TAG) {
				fprintf(stderr, "vcrypto-guest: truncated record %" PRIu64 "\n",
					record);
				goto out;
			}
			memcpy(nonce, iv, 12);
			for (int i = 0; i < 4; i++)
				nonce[8 + i] ^= (uint8_t)(record >> (24 - 8 * i));
			aad = last ? 1 : 0;
			op.iv = nonce;
			op.iv_len = 12;
			op.aad = &aad;
			op.aad_len = 1;
			out_len = enc ? len + GCM_TAG : len - GCM_TAG;
		} else if (al->iv_len) {
			op.iv = iv;
			op.iv_len = al->iv_len;
		}
		op.dst_len = (uint32_t)out_len;
		/* Next chunk's IV: CBC chains on the last ciphertext block. */
		if (al->mode == M_CBC && !enc)
			memcpy(next_iv, src + len - al->block, al->block);
		ret = run_op(g, &op, enc ? "encrypt" : "decrypt", a->request_timeout_ms);
		if (ret) {
			if (ret == -ENOTCONN)
				status = EXIT_DISCONNECTED;
			goto out;
		}
		if (al->mode == M_CBC && enc)
			memcpy(next_iv, dst + len - al->block, al->block);
		if (al->mode == M_CBC)
			memcpy(iv, next_iv, al->block);
		else if (al->mode == M_CTR)
			ctr_add(iv, len / 16);
		record++;
		if (pad && !enc && last) { /* check and strip PKCS#7 */
			uint8_t p = dst[out_len - 1];

			if (p == 0 || p > al->block) {
				fprintf(stderr, "vcrypto-guest: bad decrypt (wrong key or IV?)\n");
				goto out;
			}
			for (unsigned int i = 0; i < p; i++) {
				if (dst[out_len - 1 - i] != p) {
					fprintf(stderr,
						"vcrypto-guest: bad decrypt (wrong key or IV?)\n");
					goto out;
				}
			}
			out_len -= p;
		}
		ret = write_all(out, dst, out_len);
		if (ret) {
			fprintf(stderr, "vcrypto-guest: write: %s\n", strerror(-ret));
			goto out;
		}
	}
	if (pad && !enc && record == 0) {
		fprintf(stderr, "vcrypto-guest: bad decrypt (empty input)\n");
		goto out;
	}
	status = 0;
out:
	if (out != 1) {
		if (close(out) && !status) {
			fprintf(stderr, "vcrypto-guest: %s: %s\n", a->out, strerror(errno));
			status = 1;
		}
		if (status && created)
			unlink(a->out);
	}
	if (rd.fd > 0)
		close(rd.fd);
	vcrypto_guest_destroy(g);
	return status;
}

/* ------------------------------------------------------------------ */
/* perf                                                                */

#define HIST_BUCKETS (64 + 58 * 32 + 32)

struct hist {
	uint64_t n[HIST_BUCKETS];
	uint64_t count;
	uint64_t max;
};

static unsigned int hist_index(uint64_t v)
{
	unsigned int msb;

	if (v < 64)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	return 64 + (msb - 6) * 32 + (unsigned int)((v >> (msb - 5)) & 31);
}

static uint64_t hist_value(unsigned int idx)
{
	unsigned int msb, sub;

	if (idx < 64)
		return idx;
	msb = (idx - 64) / 32 + 6;
	sub = (idx - 64) % 32;
	/* middle of the bucket */
	return ((32ull + sub) << (msb - 5)) + (1ull << (msb - 6));
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->n[hist_index(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

static uint64_t hist_pct(const struct hist *h, double pct)
{
	uint64_t want = (uint64_t)((double)h->count * pct / 100.0), acc = 0;

	if (want >= h->count)
		want = h->count ? h->count - 1 : 0;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		acc += h->n[i];
		if (acc > want) {
			uint64_t v = hist_value(i);

			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

static volatile sig_atomic_t g_interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	g_interrupted = 1;
}

static int do_perf(const struct args *a)
{
	const struct algo *al = a->algo;
	struct vcrypto_guest *g = NULL;
	struct vcrypto_guest_op *ops = NULL;
	struct vcrypto_guest_completion comp[64];
	struct vcrypto_guest_op batch[64];
	struct hist *h = calloc(1, sizeof(*h));
	uint64_t *t_sub = NULL, sid;
	uint32_t *free_slots = NULL, nb_free;
	uint64_t submitted = 0, ok = 0, failed = 0, notconn = 0;
	uint32_t size = a->size, out_size, queue_size = 64;
	uint8_t aad = 0;
	bool stop_submit = false, show = a->progress || isatty(2), disconnected = false;
	double t0, t_end, next_prog, last_progress;
	uint64_t prog_done = 0;
	int status = 1, ret;

	if (!h)
		return 1;
	if (al->mode != M_GCM && size % al->block) {
		fprintf(stderr, "vcrypto-guest: --size must be a multiple of %u for %s\n",
			al->block, al->name);
		free(h);
		return 2;
	}
	out_size = size + (al->mode == M_GCM ? GCM_TAG : 0);
	while (queue_size < a->depth)
		queue_size *= 2;
	if (connect_host(a, queue_size,
			 (uint64_t)a->depth * ((uint64_t)size + out_size + 128) + (1 << 20), &g))
		goto out;
	if (create_session(g, a, VCRYPTO_ENCRYPT, &sid))
		goto out;
	ops = calloc(a->depth, sizeof(*ops));
	t_sub = calloc(a->depth, sizeof(*t_sub));
	free_slots = calloc(a->depth, sizeof(*free_slots));
	if (!ops || !t_sub || !free_slots)
		goto out;
	for (uint32_t i = 0; i < a->depth; i++) {
		void *s, *d;

		if (vcrypto_guest_buf_alloc(g, size ? size : 1, &s) ||
		    vcrypto_guest_buf_alloc(g, out_size ? out_size : 1, &d)) {
			fprintf(stderr, "vcrypto-guest: cannot allocate shared buffers\n");
			goto out;
		}
		for (uint32_t k = 0; k < size; k++)
			((uint8_t *)s)[k] = (uint8_t)(k * 7 + i);
		ops[i] = (struct vcrypto_guest_op){
			.session_id = sid,
			.user_data = i,
			.iv = al->iv_len ? a->iv : NULL,
			.iv_len = al->iv_len,
			.src = s,
			.dst = d,
			.src_len = size,
			.dst_len = out_size,
		};
		if (al->mode == M_GCM) {
			ops[i].aad = &aad;
			ops[i].aad_len = 1;
		}
		free_slots[i] = a->depth - 1 - i;
	}
	nb_free = a->depth;
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);

	t0 = now_s();
	t_end = a->count ? 0 : t0 + a->duration;
	next_prog = t0 + 1;
	last_progress = t0;
	for (;;) {
		uint64_t done = ok + failed + notconn;
		double t = now_s();
		int n;

		if (!stop_submit && (g_interrupted || (a->count && submitted >= a->count) ||
				     (!a->count && t >= t_end)))
			stop_submit = true;
		if (stop_submit && done == submitted)
			break;
		/* Fill every free slot: one submission (and one kick) per batch. */
		while (!stop_submit && nb_free && (!a->count || submitted < a->count)) {
			unsigned int k = 0, want = nb_free < 64 ? nb_free : 64;
			uint64_t tn = now_ns();

			if (a->count && a->count - submitted < want)
				want = (unsigned int)(a->count - submitted);
			for (; k < want; k++) {
				uint32_t slot = free_slots[nb_free - 1 - k];

				batch[k] = ops[slot];
				t_sub[slot] = tn;
			}
			ret = vcrypto_guest_submit(g, 0, batch, k);
			if (ret < 0) {
				if (ret == -ENOTCONN) {
					disconnected = true;
				} else {
					fprintf(stderr, "vcrypto-guest: submit: %s\n",
						vcrypto_strerror(ret));
					failed++; /* counted as submitted and failed */
					submitted++;
				}
				stop_submit = true;
				break;
			}
			nb_free -= (uint32_t)ret;
			submitted += (uint64_t)ret;
			if ((unsigned int)ret < k)
				break; /* ring full */
		}
		n = vcrypto_guest_poll(g, 0, comp, 64);
		if (n < 0) {
			fprintf(stderr, "vcrypto-guest: poll: %s\n", vcrypto_strerror(n));
			goto out;
		}
		if (n) {
			uint64_t tn = now_ns();

			for (int i = 0; i < n; i++) {
				uint32_t slot = (uint32_t)comp[i].user_data;

				if (slot >= a->depth) {
					fprintf(stderr,
						"vcrypto-guest: bad completion %" PRIu64 "\n",
						comp[i].user_data);
					goto out;
				}
				if (comp[i].status == VCRYPTO_STATUS_OK) {
					ok++;
					hist_add(h, tn - t_sub[slot]);
				} else if (comp[i].status == -ENOTCONN) {
					notconn++;
					disconnected = true;
					stop_submit = true;
				} else {
					if (!failed)
						fprintf(stderr,
							"vcrypto-guest: request failed: status %d\n",
							(int)comp[i].status);
					failed++;
				}
				free_slots[nb_free++] = slot;
			}
			last_progress = t;
		} else if (!vcrypto_guest_is_connected(g) && !disconnected) {
			disconnected = true;
			stop_submit = true;
		} else if (t - last_progress > a->stall_timeout) {
			fprintf(stderr,
				"vcrypto-guest: no completion for %.0f s with %" PRIu64
				" request(s) outstanding: giving up\n",
				a->stall_timeout, submitted - done);
			goto out;
		} else {
			ret = vcrypto_guest_wait(g, 0, 2);
			if (ret == -ENOTCONN)
				disconnected = true;
		}
		if (show && t >= next_prog) {
			double el = t - t0;

			fprintf(stderr, "%sperf: %.0f s  %.0f ops/s  %.3f Gbps  p99 %.1f us%s",
				a->progress && !isatty(2) ? "" : "\r", el,
				(double)(ok - prog_done) / (t - next_prog + 1),
				(double)(ok - prog_done) * size * 8 / (t - next_prog + 1) / 1e9,
				(double)hist_pct(h, 99) / 1e3,
				a->progress && !isatty(2) ? "\n" : "  ");
			prog_done = ok;
			next_prog = t + 1;
		}
	}
	double el = now_s() - t0;

	if (show && isatty(2))
		fprintf(stderr, "\n");
	printf("perf: algo=%s size=%u depth=%u queue_size=%u\n", al->name, size, a->depth,
	       queue_size);
	printf("perf: requests=%" PRIu64 " ok=%" PRIu64 " failed=%" PRIu64 " notconn=%" PRIu64
	       " elapsed=%.3f s\n",
	       submitted, ok, failed, notconn, el);
	printf("perf: %.0f ops/s, %.3f Gbps\n", (double)ok / el, (double)ok * size * 8 / el / 1e9);
	printf("perf: latency us p50=%.1f p99=%.1f p999=%.1f max=%.1f\n",
	       (double)hist_pct(h, 50) / 1e3, (double)hist_pct(h, 99) / 1e3,
	       (double)hist_pct(h, 99.9) / 1e3, (double)h->max / 1e3);
	if (submitted != ok + failed + notconn) {
		fprintf(stderr, "vcrypto-guest: lost requests: %" PRIu64 "\n",
			submitted - ok - failed - notconn);
		goto out;
	}
	if (failed)
		goto out;
	status = disconnected ? EXIT_DISCONNECTED : 0;
	if (disconnected)
		printf("perf: the host disconnected; every request was accounted for\n");
out:
	fflush(stdout);
	vcrypto_guest_destroy(g);
	free(ops);
	free(t_sub);
	free(free_slots);
	free(h);
	return status;
}

/* ------------------------------------------------------------------ */

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (*s == '-' || errno || end == s || *end || v < min || v > max) {
		fprintf(stderr,
			"vcrypto-guest: %s must be a number in %" PRIu64 "..%" PRIu64
			", got '%s'\n",
			opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"algo", required_argument, NULL, 'a'},
		{"key", required_argument, NULL, 'k'},
		{"iv", required_argument, NULL, 'v'},
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"chunk", required_argument, NULL, 'c'},
		{"size", required_argument, NULL, 'S'},
		{"depth", required_argument, NULL, 'd'},
		{"duration", required_argument, NULL, 't'},
		{"count", required_argument, NULL, 'n'},
		{"progress", no_argument, NULL, 'p'},
		{"connect-timeout", required_argument, NULL, 'T'},
		{"stall-timeout", required_argument, NULL, 'X'},
		{"timeout", required_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {.chunk = 0,
			 .size = 4096,
			 .depth = 32,
			 .duration = 5,
			 .connect_timeout_ms = 5000,
			 .request_timeout_ms = 30000,
			 .stall_timeout = 10};
	const char *cmd, *key_hex = NULL, *iv_hex = NULL, *algo = NULL;
	uint64_t v;
	size_t len;
	int opt;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "algos")) {
		for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
			printf("%-14s key %2u bytes, iv %2u bytes%s\n", algos[i].name,
			       algos[i].key_len, algos[i].iv_len,
			       algos[i].mode == M_GCM ? ", records of --chunk bytes + 16-byte tag" :
							"");
		return 0;
	}
	if (strcmp(cmd, "encrypt") && strcmp(cmd, "decrypt") && strcmp(cmd, "perf")) {
		fprintf(stderr, "vcrypto-guest: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			a.socket = optarg;
			break;
		case 'a':
			algo = optarg;
			break;
		case 'k':
			key_hex = optarg;
			break;
		case 'v':
			iv_hex = optarg;
			break;
		case 'i':
			a.in = optarg;
			break;
		case 'o':
			a.out = optarg;
			break;
		case 'c':
			if (parse_u64("--chunk", optarg, 64, 1u << 20, &v))
				return 2;
			a.chunk = (uint32_t)v;
			break;
		case 'S':
			if (parse_u64("--size", optarg, 1, 1u << 20, &v))
				return 2;
			a.size = (uint32_t)v;
			break;
		case 'd':
			if (parse_u64("--depth", optarg, 1, 4096, &v))
				return 2;
			a.depth = (uint32_t)v;
			break;
		case 't':
			if (parse_u64("--duration", optarg, 1, 86400, &v))
				return 2;
			a.duration = (double)v;
			break;
		case 'n':
			if (parse_u64("--count", optarg, 1, UINT64_MAX, &v))
				return 2;
			a.count = v;
			break;
		case 'p':
			a.progress = true;
			break;
		case 'T':
			if (parse_u64("--connect-timeout", optarg, 0, 3600000, &v))
				return 2;
			a.connect_timeout_ms = (int)v;
			break;
		case 'R':
			if (parse_u64("--timeout", optarg, 1, 3600000, &v))
				return 2;
			a.request_timeout_ms = (int)v;
			break;
		case 'X':
			if (parse_u64("--stall-timeout", optarg, 1, 3600, &v))
				return 2;
			a.stall_timeout = (double)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vcrypto-guest: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!a.socket || !algo) {
		fprintf(stderr, "vcrypto-guest: --socket and --algo are required\n");
		return 2;
	}
	a.algo = find_algo(algo);
	if (!a.algo) {
		fprintf(stderr,
			"vcrypto-guest: unknown algorithm '%s' (see 'vcrypto-guest algos')\n",
			algo);
		return 2;
	}
	if (key_hex) {
		if (parse_hex(key_hex, a.key, sizeof(a.key), &len) || len != a.algo->key_len) {
			fprintf(stderr, "vcrypto-guest: --key must be %u hex bytes for %s\n",
				a.algo->key_len, a.algo->name);
			return 2;
		}
		a.have_key = true;
	} else if (strcmp(cmd, "perf")) {
		fprintf(stderr, "vcrypto-guest: --key is required\n");
		return 2;
	}
	if (iv_hex) {
		if (!a.algo->iv_len) {
			fprintf(stderr, "vcrypto-guest: %s takes no IV\n", a.algo->name);
			return 2;
		}
		if (parse_hex(iv_hex, a.iv, sizeof(a.iv), &len) || len != a.algo->iv_len) {
			fprintf(stderr, "vcrypto-guest: --iv must be %u hex bytes for %s\n",
				a.algo->iv_len, a.algo->name);
			return 2;
		}
		a.have_iv = true;
	} else if (a.algo->iv_len && strcmp(cmd, "perf")) {
		fprintf(stderr, "vcrypto-guest: --iv is required for %s\n", a.algo->name);
		return 2;
	}
	if (strcmp(cmd, "perf")) {
		if (!a.chunk)
			a.chunk = a.algo->mode == M_GCM ? 32768 : 65536;
		/* The host keeps an AEAD request in one mbuf: 16-bit lengths. */
		if (a.algo->mode == M_GCM && a.chunk > 65535 - GCM_TAG) {
			fprintf(stderr, "vcrypto-guest: --chunk must be at most %d for %s\n",
				65535 - GCM_TAG, a.algo->name);
			return 2;
		}
		if (a.chunk % 16) {
			fprintf(stderr, "vcrypto-guest: --chunk must be a multiple of 16\n");
			return 2;
		}
		return do_stream(&a, !strcmp(cmd, "encrypt"));
	}
	return do_perf(&a);
}
