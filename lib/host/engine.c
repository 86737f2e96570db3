/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* Engines: a cryptodev with pools, and the sessions made on it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_cryptodev_scheduler.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "common/opts.h"
#include "host/internal.h"

static atomic_uint pool_seq; /* unique names for DPDK objects */

/* ---- algorithm mapping ---- */

/* A virtio-crypto algorithm and DPDK's; what a table lacks is not offered. */
struct vc_algo_map {
	uint32_t vc;
	int rte;
};

static const struct vc_algo_map cipher_map[] = {
	{VCRYPTO_CIPHER_AES_ECB, RTE_CRYPTO_CIPHER_AES_ECB},
	{VCRYPTO_CIPHER_AES_CBC, RTE_CRYPTO_CIPHER_AES_CBC},
	{VCRYPTO_CIPHER_AES_CTR, RTE_CRYPTO_CIPHER_AES_CTR},
	{VCRYPTO_CIPHER_DES_CBC, RTE_CRYPTO_CIPHER_DES_CBC},
	{VCRYPTO_CIPHER_3DES_ECB, RTE_CRYPTO_CIPHER_3DES_ECB},
	{VCRYPTO_CIPHER_3DES_CBC, RTE_CRYPTO_CIPHER_3DES_CBC},
	{VCRYPTO_CIPHER_3DES_CTR, RTE_CRYPTO_CIPHER_3DES_CTR},
	{VCRYPTO_CIPHER_AES_XTS, RTE_CRYPTO_CIPHER_AES_XTS},
};

static const struct vc_algo_map hash_map[] = {
	{VCRYPTO_HASH_MD5, RTE_CRYPTO_AUTH_MD5},
	{VCRYPTO_HASH_SHA1, RTE_CRYPTO_AUTH_SHA1},
	{VCRYPTO_HASH_SHA_224, RTE_CRYPTO_AUTH_SHA224},
	{VCRYPTO_HASH_SHA_256, RTE_CRYPTO_AUTH_SHA256},
	{VCRYPTO_HASH_SHA_384, RTE_CRYPTO_AUTH_SHA384},
	{VCRYPTO_HASH_SHA_512, RTE_CRYPTO_AUTH_SHA512},
};

/* GMAC needs a per-request IV: not offered. */
static const struct vc_algo_map mac_map[] = {
	{VCRYPTO_MAC_HMAC_MD5, RTE_CRYPTO_AUTH_MD5_HMAC},
	{VCRYPTO_MAC_HMAC_SHA1, RTE_CRYPTO_AUTH_SHA1_HMAC},
	{VCRYPTO_MAC_HMAC_SHA_224, RTE_CRYPTO_AUTH_SHA224_HMAC},
	{VCRYPTO_MAC_HMAC_SHA_256, RTE_CRYPTO_AUTH_SHA256_HMAC},
	{VCRYPTO_MAC_HMAC_SHA_384, RTE_CRYPTO_AUTH_SHA384_HMAC},
	{VCRYPTO_MAC_HMAC_SHA_512, RTE_CRYPTO_AUTH_SHA512_HMAC},
	{VCRYPTO_MAC_CMAC_AES, RTE_CRYPTO_AUTH_AES_CMAC},
};

/* CCM needs an IV layout vcrypto does not define: not offered. */
static const struct vc_algo_map aead_map[] = {
	{VCRYPTO_AEAD_AES_GCM, RTE_CRYPTO_AEAD_AES_GCM},
	{VCRYPTO_AEAD_CHACHA20_POLY1305, RTE_CRYPTO_AEAD_CHACHA20_POLY1305},
};

/* DPDK's algorithm for @a in @m (of @n), or -ENOTSUP. */
static int map_algo(const struct vc_algo_map *m, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].vc == a)
			return m[i].rte;
	return -ENOTSUP;
}

#define MAP_ALGO(table, a, out)                                                                    \
	({                                                                                         \
		int r_ = map_algo((table), RTE_DIM(table), (uint32_t)(a));                         \
		if (r_ >= 0)                                                                       \
			*(out) = (__typeof__(*(out)))r_;                                           \
		r_ < 0 ? r_ : 0;                                                                   \
	})

static int map_cipher(enum vcrypto_cipher_algo a, enum rte_crypto_cipher_algorithm *out)
{
	return MAP_ALGO(cipher_map, a, out);
}

static int map_hash(enum vcrypto_hash_algo a, enum rte_crypto_auth_algorithm *out)
{
	return MAP_ALGO(hash_map, a, out);
}

static int map_mac(enum vcrypto_mac_algo a, enum rte_crypto_auth_algorithm *out)
{
	return MAP_ALGO(mac_map, a, out);
}

static int map_aead(enum vcrypto_aead_algo a, enum rte_crypto_aead_algorithm *out)
{
	return MAP_ALGO(aead_map, a, out);
}

/* Transforms of a session; x[0..1] storage, returns the head. */
struct vc_xf {
	struct rte_crypto_sym_xform x[2];
	struct rte_crypto_sym_xform *head;
	int iv_len;
};

static int build_xforms(const struct vc_session_desc *d, bool with_keys, struct vc_xf *xf)
{
	struct rte_crypto_sym_xform *c = &xf->x[0], *a = &xf->x[1];
	int ret, iv;

	memset(xf, 0, sizeof(*xf));
	iv = vcrypto__session_iv_len(d);
	xf->iv_len = iv;
	if (iv < 0)
		return -ENOTSUP;

	if (d->type == VCRYPTO_SESSION_CIPHER || d->type == VCRYPTO_SESSION_CHAIN) {
		c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		ret = map_cipher(d->cipher_algo, &c->cipher.algo);
		if (ret)
			return ret;
		c->cipher.op = d->direction == VCRYPTO_DECRYPT ? RTE_CRYPTO_CIPHER_OP_DECRYPT :
								 RTE_CRYPTO_CIPHER_OP_ENCRYPT;
		c->cipher.key.data = with_keys ? d->cipher_key : NULL;
		c->cipher.key.length = (uint16_t)d->cipher_key_len;
		c->cipher.iv.offset = VC_IV_OFFSET;
		c->cipher.iv.length = (uint16_t)iv;
	}
	if (d->type == VCRYPTO_SESSION_HASH || d->type == VCRYPTO_SESSION_MAC ||
	    d->type == VCRYPTO_SESSION_CHAIN) {
		a->type = RTE_CRYPTO_SYM_XFORM_AUTH;
		if (d->mac_algo) {
			ret = map_mac(d->mac_algo, &a->auth.algo);
			a->auth.key.data = with_keys ? d->auth_key : NULL;
			a->auth.key.length = (uint16_t)d->auth_key_len;
		} else {
			ret = map_hash(d->hash_algo, &a->auth.algo);
		}
		if (ret)
			return ret;
		/* virtio-crypto returns the digest; it never verifies one. */
		a->auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
		a->auth.digest_length = (uint16_t)d->digest_len;
	}
	switch (d->type) {
	case VCRYPTO_SESSION_CIPHER:
		xf->head = c;
		break;
	case VCRYPTO_SESSION_HASH:
	case VCRYPTO_SESSION_MAC:
		xf->head = a;
		break;
	case VCRYPTO_SESSION_CHAIN:
		if (d->aad_len)
			return -ENOTSUP;
		if (d->chain_order == VCRYPTO_CHAIN_HASH_THEN_CIPHER) {
			a->next = c;
			xf->head = a;
		} else {
			c->next = a;
			xf->head = c;
		}
		break;
	case VCRYPTO_SESSION_AEAD:
		c->type = RTE_CRYPTO_SYM_XFORM_AEAD;
		ret = map_aead(d->aead_algo, &c->aead.algo);
		if (ret)
			return ret;
		c->aead.op = d->direction == VCRYPTO_DECRYPT ? RTE_CRYPTO_AEAD_OP_DECRYPT :
							       RTE_CRYPTO_AEAD_OP_ENCRYPT;
		c->aead.key.data = with_keys ? d->cipher_key : NULL;
		c->aead.key.length = (uint16_t)d->cipher_key_len;
		c->aead.iv.offset = VC_IV_OFFSET;
		c->aead.iv.length = (uint16_t)iv;
		c->aead.digest_length = (uint16_t)d->digest_len;
		c->aead.aad_length = (uint16_t)d->aad_len;
		if (d->aad_len > VC_MAX_AAD_LEN)
			return -ENOTSUP;
		xf->head = c;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* 1 if the device's capabilities cover every transform, else 0. */
static int caps_ok(uint8_t dev_id, const struct vc_xf *xf)
{
	for (const struct rte_crypto_sym_xform *x = xf->head; x; x = x->next) {
		struct rte_cryptodev_sym_capability_idx idx = {.type = x->type};
		const struct rte_cryptodev_symmetric_capability *cap;

		switch (x->type) {
		case RTE_CRYPTO_SYM_XFORM_CIPHER:
			idx.algo.cipher = x->cipher.algo;
			cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
			if (!cap || rte_cryptodev_sym_capability_check_cipher(
					    cap, x->cipher.key.length, x->cipher.iv.length))
				return 0;
			break;
		case RTE_CRYPTO_SYM_XFORM_AUTH:
			idx.algo.auth = x->auth.algo;
			cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
			if (!cap || rte_cryptodev_sym_capability_check_auth(
					    cap, x->auth.key.length, x->auth.digest_length, 0))
				return 0;
			break;
		case RTE_CRYPTO_SYM_XFORM_AEAD:
			idx.algo.aead = x->aead.algo;
			cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
			if (!cap || rte_cryptodev_sym_capability_check_aead(
					    cap, x->aead.key.length, x->aead.digest_length,
					    x->aead.aad_length, x->aead.iv.length))
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

VCRYPTO_API int vcrypto_engine_supports(const struct vcrypto_engine *e,
					const struct vcrypto_session_params *params)
{
	static const uint8_t zero_key[VCRYPTO_MAX_AUTH_KEY_LEN];
	struct vcrypto_session_params p;
	struct vc_session_desc d;
	struct vc_xf xf;
	int ret;

	/* (a shorter structure is taken with the rest zero, a longer one's extra bytes must be) */
	if (!e || !params || vcrypto__opts_copy(&p, sizeof(p), params))
		return -EINVAL;
	if (!p.cipher_key)
		p.cipher_key = zero_key;
	if (!p.auth_key)
		p.auth_key = zero_key;
	if (vcrypto__session_from_params(&p, &d) < 0)
		return -EINVAL;
	explicit_bzero(d.cipher_key, sizeof(d.cipher_key));
	explicit_bzero(d.auth_key, sizeof(d.auth_key));
	ret = build_xforms(&d, false, &xf);
	if (ret == -EINVAL)
		return -EINVAL;
	if (ret)
		return 0;
	return caps_ok(e->dev_id, &xf);
}

/* ---- sessions ---- */

/* Null-crypto measurement mode: same shape, NULL algorithms. */
static void null_xforms(const struct vc_session_desc *d, struct vc_xf *xf)
{
	struct rte_crypto_sym_xform *c = &xf->x[0], *a = &xf->x[1];

	memset(c, 0, sizeof(*c));
	memset(a, 0, sizeof(*a));
	c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	c->cipher.algo = RTE_CRYPTO_CIPHER_NULL;
	c->cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
	a->type = RTE_CRYPTO_SYM_XFORM_AUTH;
	a->auth.algo = RTE_CRYPTO_AUTH_NULL;
	a->auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
	switch (d->type) {
	case VCRYPTO_SESSION_CIPHER:
		xf->head = c;
		break;
	case VCRYPTO_SESSION_HASH:
	case VCRYPTO_SESSION_MAC:
		xf->head = a;
		break;
	default:
		c->next = a;
		xf->head = c;
		break;
	}
}

/*
 * Whether CPU crypto (intel-ipsec-mb, the library behind every DPDK 22.11
 * driver that offers it) computes this session's requests one after
 * another rather than side by side in its lanes. Its lanes run AES/DES-CBC
 * encryption, hashes and MACs (HMAC, CMAC, the CBC-MAC of AES-CCM); AES-GCM,
 * GMAC, ChaCha20-Poly1305, and ciphers in CTR, ECB and XTS modes and CBC
 * decryption go one at a time, each at the full speed of a core. The
 * poller's fair turns only hold such requests up to their byte quantum
 * (fetch_queue): more side by side would gain nothing and make other
 * queues wait.
 */
static bool sess_one_lane(const struct vc_session_desc *d)
{
	switch (d->type) {
	case VCRYPTO_SESSION_AEAD:
		return d->aead_algo == VCRYPTO_AEAD_AES_GCM ||
		       d->aead_algo == VCRYPTO_AEAD_CHACHA20_POLY1305;
	case VCRYPTO_SESSION_CIPHER:
		return d->cipher_algo == VCRYPTO_CIPHER_AES_CTR ||
		       d->cipher_algo == VCRYPTO_CIPHER_AES_ECB ||
		       d->cipher_algo == VCRYPTO_CIPHER_AES_XTS ||
		       (d->cipher_algo == VCRYPTO_CIPHER_AES_CBC &&
			d->direction == VCRYPTO_DECRYPT);
	case VCRYPTO_SESSION_MAC:
		return d->mac_algo == VCRYPTO_MAC_GMAC_AES;
	default:
		return false;
	}
}

int vc_sess_create(struct vcrypto_engine *e, const struct vc_session_desc *d, struct vc_sess **out)
{
	struct vc_xf xf;
	struct vc_sess *s;
	uint8_t dev;
	void *cs;
	int ret;

	ret = build_xforms(d, true, &xf);
	if (ret)
		return ret == -EINVAL ? -EINVAL : -ENOTSUP;
	if (!caps_ok(e->dev_id, &xf))
		return -ENOTSUP;
	if (atomic_fetch_add(&e->sessions, 1) >= e->max_sessions) {
		atomic_fetch_sub(&e->sessions, 1);
		return -ENOSPC;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		atomic_fetch_sub(&e->sessions, 1);
		return -ENOMEM;
	}
	dev = e->dev_id;
	if (e->null_crypto) {
		struct vc_xf nx;

		null_xforms(d, &nx);
		dev = e->null_dev_id;
		cs = rte_cryptodev_sym_session_create(dev, nx.head, e->sess_pool);
	} else {
		cs = rte_cryptodev_sym_session_create(dev, xf.head, e->sess_pool);
	}
	explicit_bzero(&xf, sizeof(xf));
	if (!cs) {
		int err = rte_errno;

		free(s);
		atomic_fetch_sub(&e->sessions, 1);
		if (err == ENOMEM)
			return -ENOSPC;
		if (err == EINVAL)
			return -EKEYREJECTED;
		return -ENOTSUP;
	}
	s->cs = cs;
	s->dev_id = dev;
	s->engine = e;
	s->refs = 1;
	s->sh.d = *d;
	explicit_bzero(s->sh.d.cipher_key, sizeof(s->sh.d.cipher_key));
	explicit_bzero(s->sh.d.auth_key, sizeof(s->sh.d.auth_key));
	s->sh.iv_len = xf.iv_len >= 0 ? vcrypto__session_iv_len(d) : -1;
	s->sh.block = vcrypto__session_block_len(d);
	s->sh.digest_len = d->digest_len;
	s->one_lane = sess_one_lane(d);
	*out = s;
	return 0;
}

void vc_sess_free(struct vc_sess *s)
{
	rte_cryptodev_sym_session_free(s->dev_id, s->cs);
	atomic_fetch_sub(&s->engine->sessions, 1);
	free(s);
}

/* ---- engine lifecycle ---- */

void vc_engine_get(struct vcrypto_engine *e)
{
	atomic_fetch_add(&e->users, 1);
}

void vc_engine_put(struct vcrypto_engine *e)
{
	atomic_fetch_sub(&e->users, 1);
}

static int setup_device(uint8_t dev_id, uint16_t nb_qp, uint32_t nb_desc, int socket,
			struct rte_mempool *sess_pool)
{
	struct rte_cryptodev_config conf = {
		.socket_id = socket,
		.nb_queue_pairs = nb_qp,
		.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY,
	};
	struct rte_cryptodev_qp_conf qc = {.nb_descriptors = nb_desc, .mp_session = sess_pool};

	if (rte_cryptodev_configure(dev_id, &conf) < 0)
		return -EIO;
	for (uint16_t q = 0; q < nb_qp; q++)
		if (rte_cryptodev_queue_pair_setup(dev_id, q, &qc, socket) < 0)
			return -EIO;
	if (rte_cryptodev_start(dev_id) < 0)
		return -EIO;
	return 0;
}

/* Find a cryptodev by name, or create it from vdev arguments. */
static int find_or_create(const char *device, uint8_t *dev_id, bool *created)
{
	char name[RTE_CRYPTODEV_NAME_MAX_LEN];
	const char *comma = strchr(device, ',');
	size_t nlen = comma ? (size_t)(comma - device) : strlen(device);
	int id;

	*created = false;
	if (nlen == 0 || nlen >= sizeof(name))
		return -EINVAL;
	memcpy(name, device, nlen);
	name[nlen] = 0;
	id = rte_cryptodev_get_dev_id(name);
	if (id < 0) {
		if (rte_vdev_init(name, comma ? comma + 1 : NULL) < 0)
			return -ENODEV;
		id = rte_cryptodev_get_dev_id(name);
		if (id < 0) {
			rte_vdev_uninit(name);
			return -ENODEV;
		}
		*created = true;
	} else if (comma) {
		return -EINVAL; /* arguments for a device that exists */
	}
	*dev_id = (uint8_t)id;
	return 0;
}

static int engine_pools(struct vcrypto_engine *e, int socket, uint32_t sess_size)
{
	char nm[RTE_MEMPOOL_NAMESIZE];
	unsigned int seq = atomic_fetch_add(&pool_seq, 1);
	uint32_t nsess = e->max_sessions + 64;

	snprintf(nm, sizeof(nm), "vc_sess_%u_%u", e->dev_id, seq);
	e->sess_pool = rte_cryptodev_sym_session_pool_create(nm, nsess, sess_size, 0, 0, socket);
	if (!e->sess_pool)
		return -ENOMEM;
	snprintf(nm, sizeof(nm), "vc_op_%u_%u", e->dev_id, seq);
	e->op_pool = rte_crypto_op_pool_create(nm, RTE_CRYPTO_OP_TYPE_SYMMETRIC, e->nb_ops, 64,
					       sizeof(struct vc_op_priv), socket);
	if (!e->op_pool)
		return -ENOMEM;
	snprintf(nm, sizeof(nm), "vc_mbuf_%u_%u", e->dev_id, seq);
	e->mbuf_pool = rte_pktmbuf_pool_create(nm, e->nb_ops, 64, 0,
					       VC_MBUF_DATA + RTE_PKTMBUF_HEADROOM, socket);
	if (!e->mbuf_pool)
		return -ENOMEM;
	snprintf(nm, sizeof(nm), "vc_big_%u_%u", e->dev_id, seq);
	e->big_pool = rte_mempool_create(nm, VC_BIG_BUFS, VC_BIG_BUF, 0, 0, NULL, NULL, NULL, NULL,
					 socket, 0);
	if (!e->big_pool)
		return -ENOMEM;
	return 0;
}

static void engine_free(struct vcrypto_engine *e)
{
	if (!e)
		return;
	if (e->created) {
		rte_cryptodev_stop(e->dev_id);
		rte_cryptodev_close(e->dev_id);
		if (e->name[0])
			rte_vdev_uninit(e->name);
	}
	if (e->null_created) {
		char nm[RTE_CRYPTODEV_NAME_MAX_LEN];

		snprintf(nm, sizeof(nm), "%s", rte_cryptodev_name_get(e->null_dev_id));
		rte_cryptodev_stop(e->null_dev_id);
		rte_cryptodev_close(e->null_dev_id);
		rte_vdev_uninit(nm);
	}
	rte_mempool_free(e->big_pool);
	rte_mempool_free(e->mbuf_pool);
	rte_mempool_free(e->op_pool);
	rte_mempool_free(e->sess_pool);
	free(e->qp_owned);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static bool is_driver(const struct rte_cryptodev_info *info, const char *name)
{
	return info->driver_name && !strcmp(info->driver_name, name);
}

/*
 * What vcrypto works around in the device (docs/design.md, device quirks).
 * crypto_scheduler passes ops to its workers: their quirks apply to it.
 * - crypto_aesni_mb (intel-ipsec-mb) keeps cipher lengths in 16-bit lane
 *   fields: a 65536-byte AES-CBC request comes back unencrypted with status
 *   success. Longer cipher lengths are refused.
 * - crypto_aesni_mb (DPDK 22.11) claims SGL support, but for a chained source
 *   it computes HMAC into a temporary linear buffer and never copies the
 *   digest to the op (the guest gets zeros with status success), and it
 *   crashed in dequeue on chained copies (vcrypto's soak on this driver).
 *   Copies get one contiguous buffer instead of a chain.
 * - crypto_scheduler advertises the union of its workers' feature flags,
 *   CPU crypto included, but has no CPU crypto of its own (every call fails
 *   with ENOTSUP): see engine_common().
 */
static void driver_quirks(struct vcrypto_engine *e, uint8_t dev_id,
			  const struct rte_cryptodev_info *info)
{
	if (is_driver(info, "crypto_aesni_mb")) {
		e->max_cipher_len = UINT16_MAX;
		e->linear_only = true;
	} else if (is_driver(info, "crypto_scheduler")) {
		uint8_t w[RTE_CRYPTODEV_SCHEDULER_MAX_NB_WORKERS];
		int n = rte_cryptodev_scheduler_workers_get(dev_id, w);

		for (int i = 0; i < n; i++) {
			struct rte_cryptodev_info wi;

			rte_cryptodev_info_get(w[i], &wi);
			driver_quirks(e, w[i], &wi);
		}
	}
}

static int engine_common(struct vcrypto_engine *e, const struct vcrypto_engine_opts *o, int socket,
			 bool configure)
{
	struct rte_cryptodev_info info;
	uint32_t sess_size;
	int ret;

	rte_cryptodev_info_get(e->dev_id, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO))
		return -ENOTSUP;
	e->dev_features = info.feature_flags;
	driver_quirks(e, e->dev_id, &info);
	e->max_sessions = o->max_sessions ? o->max_sessions : 2048;
	e->nb_ops = o->nb_ops ? o->nb_ops : 8192;
	if (e->nb_ops < 64)
		e->nb_ops = 64;
	sess_size = rte_cryptodev_sym_get_private_session_size(e->dev_id);

	if (o->flags & VCRYPTO_ENGINE_F_NULL_CRYPTO) {
		char nm[RTE_CRYPTODEV_NAME_MAX_LEN];
		int id;

		snprintf(nm, sizeof(nm), "crypto_null_vc%u", e->dev_id);
		id = rte_cryptodev_get_dev_id(nm);
		if (id < 0) {
			char args[64];

			snprintf(args, sizeof(args), "max_nb_queue_pairs=%u",
				 (unsigned int)e->first_qp + e->nb_qp);
			if (rte_vdev_init(nm, args) < 0)
				return -ENOTSUP;
			id = rte_cryptodev_get_dev_id(nm);
			if (id < 0)
				return -ENOTSUP;
			e->null_created = true;
		}
		e->null_crypto = true;
		e->null_dev_id = (uint8_t)id;
		if (rte_cryptodev_sym_get_private_session_size(e->null_dev_id) > sess_size)
			sess_size = rte_cryptodev_sym_get_private_session_size(e->null_dev_id);
	}
	ret = engine_pools(e, socket, sess_size);
	if (ret)
		return ret;
	if (configure) {
		ret = setup_device(e->dev_id, e->nb_qp,
				   o->qp_descriptors ? o->qp_descriptors : 2048, socket,
				   e->sess_pool);
		if (ret)
			return ret;
	}
	if (e->null_created) {
		ret = setup_device(e->null_dev_id, (uint16_t)(e->first_qp + e->nb_qp),
				   o->qp_descriptors ? o->qp_descriptors : 2048, socket,
				   e->sess_pool);
		if (ret)
			return ret;
	}
	/*
	 * Some PMDs (crypto_openssl) process an op before they find their
	 * completion ring full, and then refuse it: enqueueing it again would
	 * process it twice. Never offer more ops than a queue pair holds.
	 */
	e->qp_depth = (o->qp_descriptors ? o->qp_descriptors : 2048) - 1;
	if (e->qp_depth == 0)
		e->qp_depth = 1;
	e->qp_owned = calloc((size_t)e->first_qp + e->nb_qp, 1);
	if (!e->qp_owned)
		return -ENOMEM;
	e->zc_possible = rte_eal_iova_mode() == RTE_IOVA_VA;
	e->zc_sgl = e->zc_possible && (info.feature_flags & RTE_CRYPTODEV_FF_IN_PLACE_SGL) &&
		    !e->linear_only;
	e->cpu_crypto = (info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) &&
			!(o->flags & VCRYPTO_ENGINE_F_NO_CPU_CRYPTO) && e->zc_possible &&
			!is_driver(&info, "crypto_scheduler");
	return 0;
}

static int engine_alloc(const struct vcrypto_engine_opts *opts, struct vcrypto_engine_opts *o,
			struct vcrypto_engine **out)
{
	struct vcrypto_engine *e;
	int ret;

	ret = vcrypto__opts_copy(o, sizeof(*o), opts);
	if (ret)
		return ret;
	if (o->flags & ~(uint32_t)(VCRYPTO_ENGINE_F_NULL_CRYPTO | VCRYPTO_ENGINE_F_NO_CPU_CRYPTO))
		return -EINVAL;
	if (o->socket_id < -1)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	*out = e;
	return 0;
}

VCRYPTO_API int vcrypto_engine_create(const char *device, const struct vcrypto_engine_opts *opts,
				      struct vcrypto_engine **out)
{
	struct vcrypto_engine_opts o;
	struct rte_cryptodev_info info;
	struct vcrypto_engine *e;
	bool created;
	uint8_t dev_id;
	int socket, ret;

	if (!device || !out || !*device)
		return -EINVAL;
	if (rte_eal_process_type() == RTE_PROC_INVALID)
		return -EINVAL;
	vc_telemetry_register();
	ret = engine_alloc(opts, &o, &e);
	if (ret)
		return ret;
	if (o.first_queue_pair) {
		ret = -EINVAL;
		goto fail;
	}
	ret = find_or_create(device, &dev_id, &created);
	if (ret)
		goto fail;
	e->dev_id = dev_id;
	if (created) {
		e->created = true;
		snprintf(e->name, sizeof(e->name), "%s", rte_cryptodev_name_get(dev_id));
	} else {
		/* A device we did not create: we configure it, but must not be late. */
		struct rte_cryptodev *unused = NULL;

		(void)unused;
		if (rte_cryptodev_queue_pair_count(dev_id) > 0 &&
		    rte_cryptodev_get_qp_status(dev_id, 0) == 1) {
			ret = -EBUSY;
			goto fail;
		}
		e->created = true; /* we configure and start it: we stop and close it */
	}
	rte_cryptodev_info_get(dev_id, &info);
	socket = o.socket_id > 0 ? o.socket_id : rte_cryptodev_socket_id(dev_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	e->nb_qp = o.nb_queue_pairs ? o.nb_queue_pairs : (uint16_t)rte_lcore_count();
	if (e->nb_qp > info.max_nb_queue_pairs) {
		if (o.nb_queue_pairs) {
			ret = -EINVAL;
			goto fail;
		}
		e->nb_qp = info.max_nb_queue_pairs;
	}
	if (e->nb_qp == 0) {
		ret = -EINVAL;
		goto fail;
	}
	ret = engine_common(e, &o, socket, true);
	if (ret)
		goto fail;
	VC_LOG(INFO, "engine on %s: %u queue pairs", rte_cryptodev_name_get(dev_id), e->nb_qp);
	*out = e;
	return 0;
fail:
	engine_free(e);
	return ret;
}

VCRYPTO_API int vcrypto_engine_attach(uint8_t dev_id, const struct vcrypto_engine_opts *opts,
				      struct vcrypto_engine **out)
{
	struct vcrypto_engine_opts o;
	struct vcrypto_engine *e;
	uint16_t nqp;
	int socket, ret;

	if (!out)
		return -EINVAL;
	if (!rte_cryptodev_is_valid_dev(dev_id))
		return -ENODEV;
	vc_telemetry_register();
	ret = engine_alloc(opts, &o, &e);
	if (ret)
		return ret;
	e->dev_id = dev_id;
	nqp = rte_cryptodev_queue_pair_count(dev_id);
	if (o.first_queue_pair >= nqp) {
		ret = -EINVAL;
		goto fail;
	}
	e->first_qp = o.first_queue_pair;
	e->nb_qp = o.nb_queue_pairs ? o.nb_queue_pairs : (uint16_t)(nqp - e->first_qp);
	if ((uint32_t)e->first_qp + e->nb_qp > nqp) {
		ret = -EINVAL;
		goto fail;
	}
	socket = o.socket_id > 0 ? o.socket_id : rte_cryptodev_socket_id(dev_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	ret = engine_common(e, &o, socket, false);
	if (ret)
		goto fail;
	*out = e;
	return 0;
fail:
	engine_free(e);
	return ret;
}

VCRYPTO_API void vcrypto_engine_destroy(struct vcrypto_engine *e)
{
	if (!e)
		return;
	if (atomic_load(&e->users))
		VC_LOG(ERR, "engine destroyed while %u ports/pollers still use it",
		       atomic_load(&e->users));
	engine_free(e);
}
