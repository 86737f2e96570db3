/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The vcrypto authors */
/*
 * guest-afalg-test: runs inside the e2e VM guest (static binary in the initramfs).
 *
 * Checks that the guest kernel's virtio-crypto device computes AES-CBC correctly, through
 * AF_ALG bound to the device's driver name (virtio_crypto_aes_cbc; a CPU driver such as
 * aesni would outrank it if we asked for "cbc(aes)"). The known answers come from the host
 * (OpenSSL, see gen-vectors.sh): <dir>/manifest lists one vector per line,
 *   <id> <key hex> <iv hex> <length> <piece sizes, comma separated>
 * and <dir>/<id>.pt, <dir>/<id>.ct hold plaintext and ciphertext.
 *
 * Each vector is encrypted and decrypted; the input is handed to the kernel in the listed
 * pieces (one sendmsg with an iovec per piece, or one sendmsg per piece with MSG_MORE) from
 * buffers at odd addresses, and the output is read back in pieces too. Negative cases: an
 * invalid key length and lengths that are not a multiple of the block size must fail with an
 * error, and the device must still answer correctly afterwards. Then the whole set runs again
 * in parallel processes (several requests in flight), and a short verified throughput loop
 * runs at 4 KiB.
 *
 * Every result goes to stdout as "VCRYPTO-E2E: ..." lines; the last one is either
 * "VCRYPTO-E2E: PASS ..." or "VCRYPTO-E2E: FAIL ...". Exit status 0 on PASS, 1 on FAIL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_alg.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define MAX_VECTORS 256
#define MAX_PIECES 16
#define MAX_KEY 64
#define MAX_IV 16
#define AES_BLOCK 16

struct vector {
	char id[32];
	uint8_t key[MAX_KEY];
	size_t key_len;
	uint8_t iv[MAX_IV];
	size_t iv_len;
	size_t len;
	size_t pieces[MAX_PIECES];
	unsigned int n_pieces;
	uint8_t *pt;
	uint8_t *ct;
};

static const char *g_driver = "virtio_crypto_aes_cbc";
static const char *g_dir = "/vectors";
static unsigned int g_op_timeout = 60;
static char g_current[160] = "start";
static int g_failures;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line: lines of parallel children do not interleave. */
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
		return;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	g_failures++;
	say("VCRYPTO-E2E: ERROR %s", buf);
}

/* @p s after the @p len bytes in @p buf, within @p cap (no stdio: for the signal handler). */
static size_t sig_append(char *buf, size_t len, size_t cap, const char *s)
{
	while (*s && len < cap)
		buf[len++] = *s++;
	return len;
}

/* Only async-signal-safe calls: the timed-out operation may be inside stdio or malloc. */
static void on_alarm(int sig)
{
	char buf[256], num[16];
	size_t n = 0, k = sizeof(num) - 1;
	unsigned int t = g_op_timeout;

	(void)sig;
	num[k] = '\0';
	do {
		num[--k] = (char)('0' + t % 10);
		t /= 10;
	} while (t && k);
	n = sig_append(buf, n, sizeof(buf) - 1, "VCRYPTO-E2E: FAIL timeout after ");
	n = sig_append(buf, n, sizeof(buf) - 1, &num[k]);
	n = sig_append(buf, n, sizeof(buf) - 1, " s in ");
	n = sig_append(buf, n, sizeof(buf) - 1, g_current);
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		_exit(3);
	_exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hex_decode(const char *s, uint8_t *out, size_t max, size_t *out_len)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*out_len = n / 2;
	return 0;
}

static uint8_t *read_file(const char *path, size_t expect)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != expect) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(expect ? expect : 1);
	while (buf && got < expect) {
		ssize_t r = read(fd, buf + got, expect - got);

		if (r <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	return buf;
}

static int load_vectors(struct vector *v, unsigned int max)
{
	char path[512], line[1024];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifest", g_dir);
	f = fopen(path, "re");
	if (!f) {
		fail("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char id[32], key[2 * MAX_KEY + 3], iv[2 * MAX_IV + 3], split[256];
		struct vector *x;
		size_t sum = 0;
		char *tok, *save;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (n == max) {
			fail("too many vectors in %s", path);
			break;
		}
		x = &v[n];
		memset(x, 0, sizeof(*x));
		if (sscanf(line, "%31s %130s %34s %zu %255s", id, key, iv, &x->len, split) != 5 ||
		    hex_decode(key, x->key, sizeof(x->key), &x->key_len) ||
		    hex_decode(iv, x->iv, sizeof(x->iv), &x->iv_len)) {
			fail("bad manifest line: %s", line);
			fclose(f);
			return -1;
		}
		memcpy(x->id, id, sizeof(x->id));
		for (tok = strtok_r(split, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (x->n_pieces == MAX_PIECES) {
				fail("vector %s: too many pieces", id);
				fclose(f);
				return -1;
			}
			x->pieces[x->n_pieces] = strtoul(tok, NULL, 10);
			sum += x->pieces[x->n_pieces++];
		}
		if (sum != x->len) {
			fail("vector %s: pieces add up to %zu, not %zu", id, sum, x->len);
			fclose(f);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s.pt", g_dir, id);
		x->pt = read_file(path, x->len);
		snprintf(path, sizeof(path), "%s/%s.ct", g_dir, id);
		x->ct = read_file(path, x->len);
		if (!x->pt || !x->ct) {
			fail("vector %s: missing or short .pt/.ct", id);
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return (int)n;
}

/* Opens a transform socket bound to the driver: fd >= 0 or -errno. */
static int tfm_bind(void)
{
	struct sockaddr_alg sa = {.salg_family = AF_ALG, .salg_type = "skcipher"};
	int fd, err;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", g_driver);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Opens a transform socket bound to the driver with this key: fd >= 0 or -errno. */
static int tfm_open(const uint8_t *key, size_t key_len)
{
	int fd = tfm_bind(), err;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, (socklen_t)key_len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Piece buffers at odd addresses, so nothing is aligned to a page or even to 8 bytes. */
struct pieces {
	struct iovec iov[MAX_PIECES];
	uint8_t *raw[MAX_PIECES];
	unsigned int n;
};

static void pieces_free(struct pieces *p)
{
	unsigned int i;

	for (i = 0; i < MAX_PIECES; i++)
		free(p->raw[i]);
	memset(p, 0, sizeof(*p));
}

/* The buffers of @p sizes, or -ENOMEM and nothing allocated. */
static int pieces_alloc(struct pieces *p, const size_t *sizes, unsigned int n)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		p->raw[i] = malloc(sizes[i] + 8);
		if (!p->raw[i]) {
			pieces_free(p);
			return -ENOMEM;
		}
		p->iov[i].iov_base = p->raw[i] + 1 + (i % 7);
		p->iov[i].iov_len = sizes[i];
	}
	p->n = n;
	return 0;
}

static void pieces_scatter(struct pieces *p, const uint8_t *src)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		memcpy(p->iov[i].iov_base, src, p->iov[i].iov_len);
		src += p->iov[i].iov_len;
	}
}

static void pieces_gather(const struct pieces *p, uint8_t *dst)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		memcpy(dst, p->iov[i].iov_base, p->iov[i].iov_len);
		dst += p->iov[i].iov_len;
	}
}

/*
 * One cipher operation on a fresh op socket of tfm. in: the input pieces; out: the output
 * pieces (same total). mode 0: one sendmsg carrying all pieces; mode 1: one sendmsg per piece
 * (MSG_MORE on all but the last). Returns 0 or -errno of the failing call.
 */
static int cipher_op(int tfm, int encrypt, const uint8_t *iv, size_t iv_len, struct pieces *in,
		     struct pieces *out, int mode)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct af_alg_iv) + MAX_IV)];
	struct msghdr msg = {0};
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	size_t total = 0, got = 0;
	unsigned int i;
	int op, err = 0;

	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	if (op < 0)
		return -errno;
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)(void *)CMSG_DATA(c) = encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + iv_len);
	aiv = (struct af_alg_iv *)(void *)CMSG_DATA(c);
	aiv->ivlen = (uint32_t)iv_len;
	memcpy(aiv->iv, iv, iv_len);

	for (i = 0; i < in->n; i++)
		total += in->iov[i].iov_len;
	if (mode == 0) {
		msg.msg_iov = in->iov;
		msg.msg_iovlen = in->n;
		if (sendmsg(op, &msg, 0) != (ssize_t)total)
			err = errno ? -errno : -EIO;
	} else {
		for (i = 0; i < in->n && !err; i++) {
			msg.msg_iov = &in->iov[i];
			msg.msg_iovlen = 1;
			if (sendmsg(op, &msg, i + 1 < in->n ? MSG_MORE : 0) !=
			    (ssize_t)in->iov[i].iov_len)
				err = errno ? -errno : -EIO;
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}
	}
	while (!err && got < total) {
		struct iovec iov[MAX_PIECES];
		size_t skip = got;
		unsigned int k = 0;
		ssize_t r;

		/* Remaining part of the output pieces. */
		for (i = 0; i < out->n; i++) {
			if (skip >= out->iov[i].iov_len) {
				skip -= out->iov[i].iov_len;
				continue;
			}
			iov[k].iov_base = (uint8_t *)out->iov[i].iov_base + skip;
			iov[k].iov_len = out->iov[i].iov_len - skip;
			skip = 0;
			k++;
		}
		r = readv(op, iov, (int)k);
		if (r < 0)
			err = -errno;
		else if (r == 0)
			err = -EIO;
		else
			got += (size_t)r;
	}
	close(op);
	return err;
}

/* Encrypts and decrypts one vector, compares with the known answers. 0 if all matched. */
static int check_vector(const struct vector *v, int mode)
{
	size_t out_sizes[MAX_PIECES];
	struct pieces in = {0}, out = {0};
	uint8_t *buf;
	unsigned int i;
	int tfm, err, bad = 0;

	tfm = tfm_open(v->key, v->key_len);
	if (tfm < 0) {
		fail("vector %s: bind/setkey(%zu) failed: %s", v->id, v->key_len, strerror(-tfm));
		return -1;
	}
	/* Output pieces: the input pieces in reverse order, so the boundaries differ. */
	for (i = 0; i < v->n_pieces; i++)
		out_sizes[i] = v->pieces[v->n_pieces - 1 - i];
	buf = calloc(1, v->len); /* (pieces_gather() fills it: the pieces add up to len) */
	if (!buf || pieces_alloc(&in, v->pieces, v->n_pieces) ||
	    pieces_alloc(&out, out_sizes, v->n_pieces)) {
		fail("out of memory");
		pieces_free(&in);
		free(buf);
		close(tfm);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		int enc = i == 0;
		const uint8_t *src = enc ? v->pt : v->ct, *want = enc ? v->ct : v->pt;
		size_t first_bad;
		unsigned int k;

		snprintf(g_current, sizeof(g_current), "vector %s %s len %zu mode %d", v->id,
			 enc ? "encrypt" : "decrypt", v->len, mode);
		pieces_scatter(&in, src);
		for (k = 0; k < out.n; k++)
			memset(out.iov[k].iov_base, 0xa5, out.iov[k].iov_len);
		alarm(g_op_timeout);
		err = cipher_op(tfm, enc, v->iv, v->iv_len, &in, &out, mode);
		alarm(0);
		if (err) {
			fail("%s: %s", g_current, strerror(-err));
			bad = 1;
			continue;
		}
		pieces_gather(&out, buf);
		if (memcmp(buf, want, v->len)) {
			for (first_bad = 0; first_bad < v->len && buf[first_bad] == want[first_bad];
			     first_bad++)
				;
			fail("%s: wrong output (first difference at byte %zu)", g_current,
			     first_bad);
			bad = 1;
		}
	}
	pieces_free(&in);
	pieces_free(&out);
	free(buf);
	close(tfm);
	return bad ? -1 : 0;
}

/* Runs every vector once; returns the number of vectors that failed. */
static int run_all(const struct vector *v, int n, int mode_base)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (check_vector(&v[i], (i + mode_base) % 2))
			bad++;
	return bad;
}

/* Requests that must fail cleanly; afterwards the device must still answer correctly. */
static int run_negative(const struct vector *v, int n, int *checked)
{
	static const size_t bad_lens[] = {17, 4104, 1};
	static const uint8_t key20[20];
	const struct vector *ok = &v[0];
	unsigned int i;
	int tfm, err, bad = 0;

	/* A key length AES does not have: bind works, setkey must fail. */
	snprintf(g_current, sizeof(g_current), "negative: setkey with 20 bytes");
	tfm = tfm_bind();
	if (tfm < 0) {
		fail("bind to %s failed: %s", g_driver, strerror(-tfm));
		bad++;
	} else {
		alarm(g_op_timeout);
		err = setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key20, sizeof(key20)) < 0 ? -errno : 0;
		alarm(0);
		if (!err) {
			fail("%s was accepted", g_current);
			bad++;
		} else {
			say("VCRYPTO-E2E: NEGATIVE setkey(20) -> %s (expected)", strerror(-err));
		}
		close(tfm);
	}
	(*checked)++;

	for (i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
		size_t len = bad_lens[i];
		struct pieces in = {0}, out = {0};
		uint8_t *src = calloc(1, len);

		if (!src || pieces_alloc(&in, &len, 1) || pieces_alloc(&out, &len, 1)) {
			pieces_free(&in);
			free(src);
			fail("out of memory");
			return bad + 1;
		}
		pieces_scatter(&in, src);
		tfm = tfm_open(ok->key, ok->key_len);
		if (tfm < 0) {
			fail("negative: bind/setkey failed: %s", strerror(-tfm));
			bad++;
		} else {
			snprintf(g_current, sizeof(g_current), "negative: encrypt %zu bytes", len);
			alarm(g_op_timeout);
			err = cipher_op(tfm, 1, ok->iv, ok->iv_len, &in, &out, 0);
			alarm(0);
			if (!err) {
				fail("%s succeeded (not a block multiple)", g_current);
				bad++;
			} else {
				say("VCRYPTO-E2E: NEGATIVE encrypt len=%zu -> %s (expected)", len,
				    strerror(-err));
			}
			close(tfm);
		}
		pieces_free(&in);
		pieces_free(&out);
		free(src);
		(*checked)++;
		/* The queue is not wedged: a valid request right after still works. */
		if (check_vector(ok, 0) || (n > 1 && check_vector(&v[n - 1], 1)))
			bad++;
	}
	return bad;
}

static int run_parallel(const struct vector *v, int n, int jobs)
{
	pid_t pids[16];
	int i, bad = 0, status;

	if (jobs > 16)
		jobs = 16;
	for (i = 0; i < jobs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(run_all(v, n, i) ? 1 : 0);
		if (pids[i] < 0) {
			fail("fork: %s", strerror(errno));
			bad++;
		}
	}
	for (i = 0; i < jobs; i++) {
		if (pids[i] <= 0)
			continue;
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fail("parallel worker %d failed (status 0x%x)", i, status);
			bad++;
		}
	}
	return bad;
}

/* Verified throughput at 4 KiB (the first vector of exactly 4096 bytes); MB/s or < 0. */
static double run_throughput(const struct vector *v, int n, double seconds, unsigned long *ops)
{
	const struct vector *x = NULL;
	struct pieces in = {0}, out = {0};
	size_t len = 4096;
	double t0, t;
	uint8_t *buf;
	int i, tfm, err;

	for (i = 0; i < n && !x; i++)
		if (v[i].len == 4096)
			x = &v[i];
	if (!x)
		return -1;
	tfm = tfm_open(x->key, x->key_len);
	buf = malloc(len);
	if (tfm < 0 || !buf || pieces_alloc(&in, &len, 1) || pieces_alloc(&out, &len, 1)) {
		fail("throughput: setup failed");
		pieces_free(&in);
		free(buf);
		if (tfm >= 0)
			close(tfm);
		return -1;
	}
	pieces_scatter(&in, x->pt);
	snprintf(g_current, sizeof(g_current), "throughput loop (4096 bytes)");
	say("VCRYPTO-E2E: TRAFFIC 4096-byte requests for %.1f s", seconds);
	*ops = 0;
	t0 = now_s();
	do {
		alarm(g_op_timeout);
		err = cipher_op(tfm, 1, x->iv, x->iv_len, &in, &out, 0);
		alarm(0);
		pieces_gather(&out, buf);
		if (err || memcmp(buf, x->ct, len)) {
			fail("throughput: request %lu wrong (%s)", *ops,
			     err ? strerror(-err) : "data");
			break;
		}
		(*ops)++;
		t = now_s() - t0;
	} while (t < seconds);
	t = now_s() - t0;
	pieces_free(&in);
	pieces_free(&out);
	free(buf);
	close(tfm);
	return t > 0 ? (double)*ops * (double)len / t / 1e6 : -1;
}

/* Waits until /proc/crypto lists the driver with "selftest : passed". 0 or -1. */
static int check_proc_crypto(unsigned int timeout_s, int *priority)
{
	double t0 = now_s();
	char line[256], name[128] = "", driver[128] = "", selftest[128] = "";

	do {
		FILE *f = fopen("/proc/crypto", "re");
		int prio = 0;

		if (!f) {
			fail("cannot open /proc/crypto: %s", strerror(errno));
			return -1;
		}
		name[0] = driver[0] = selftest[0] = '\0';
		while (fgets(line, sizeof(line), f)) {
			char key[64], val[128];

			if (line[0] == '\n') { /* end of a block */
				name[0] = driver[0] = selftest[0] = '\0';
				continue;
			}
			if (sscanf(line, "%63s : %127s", key, val) != 2)
				continue;
			if (!strcmp(key, "name"))
				snprintf(name, sizeof(name), "%s", val);
			else if (!strcmp(key, "driver"))
				snprintf(driver, sizeof(driver), "%s", val);
			else if (!strcmp(key, "priority"))
				prio = atoi(val);
			else if (!strcmp(key, "selftest"))
				snprintf(selftest, sizeof(selftest), "%s", val);
			if (!strcmp(driver, g_driver) && selftest[0]) {
				if (!strcmp(selftest, "passed")) {
					fclose(f);
					say("VCRYPTO-E2E: PROC-CRYPTO name=%s driver=%s "
					    "priority=%d selftest=passed",
					    name, driver, prio);
					*priority = prio;
					return 0;
				}
				break;
			}
		}
		fclose(f);
		usleep(200 * 1000);
	} while (now_s() - t0 < timeout_s);
	fail("/proc/crypto: driver %s %s after %u s", g_driver,
	     selftest[0] ? "has not passed its self-test" : "is not registered", timeout_s);
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: guest-afalg-test [-d vector_dir] [-n driver] [-j parallel]"
			" [-t throughput_seconds] [-T op_timeout_s]\n");
}

int main(int argc, char **argv)
{
	static struct vector vecs[MAX_VECTORS];
	double mbps = -1, seconds = 2.0, t0 = now_s();
	unsigned long tput_ops = 0;
	int c, n, jobs = 2, prio = 0, negative = 0, bad;

	while ((c = getopt(argc, argv, "d:n:j:t:T:h")) != -1) {
		switch (c) {
		case 'd':
			g_dir = optarg;
			break;
		case 'n':
			g_driver = optarg;
			break;
		case 'j':
			jobs = atoi(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'T':
			g_op_timeout = (unsigned int)atoi(optarg);
			break;
		default:
			usage();
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGALRM, on_alarm);

	if (check_proc_crypto(15, &prio)) {
		say("VCRYPTO-E2E: FAIL proc-crypto");
		return 1;
	}
	c = tfm_bind();
	if (c < 0) {
		say("VCRYPTO-E2E: FAIL AF_ALG bind to skcipher %s: %s", g_driver, strerror(-c));
		return 1;
	}
	close(c);
	n = load_vectors(vecs, MAX_VECTORS);
	if (n <= 0) {
		say("VCRYPTO-E2E: FAIL no vectors");
		return 1;
	}
	say("VCRYPTO-E2E: VECTORS n=%d dir=%s", n, g_dir);

	bad = run_all(vecs, n, 0);
	say("VCRYPTO-E2E: SEQUENTIAL vectors=%d failed=%d (%.2f s)", n, bad, now_s() - t0);
	bad += run_negative(vecs, n, &negative);
	say("VCRYPTO-E2E: NEGATIVE checked=%d failures=%d", negative, g_failures);
	if (jobs > 0) {
		int pbad = run_parallel(vecs, n, jobs);

		say("VCRYPTO-E2E: PARALLEL jobs=%d failed=%d", jobs, pbad);
		bad += pbad;
	}
	if (seconds > 0) {
		mbps = run_throughput(vecs, n, seconds, &tput_ops);
		say("VCRYPTO-E2E: THROUGHPUT size=4096 ops=%lu mbps=%.2f", tput_ops, mbps);
	}
	if (bad || g_failures) {
		say("VCRYPTO-E2E: FAIL failures=%d vectors=%d", bad + g_failures, n);
		return 1;
	}
	say("VCRYPTO-E2E: PASS vectors=%d negative=%d parallel=%d mbps=%.2f time=%.2fs", n,
	    negative, jobs, mbps, now_s() - t0);
	return 0;
}
