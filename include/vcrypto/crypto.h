/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/**
 * @file
 * @brief Algorithms, session parameters and status codes of virtio-crypto.
 *
 * Shared by the guest library (which creates sessions and sends requests)
 * and the host library (which serves them). Algorithm identifiers and
 * status codes use the numbers of the VIRTIO 1.2 crypto device
 * specification, so they can be put on the wire unchanged.
 *
 * No DPDK type or header is used here.
 */
#ifndef VCRYPTO_CRYPTO_H
#define VCRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <vcrypto/vcrypto.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Cipher algorithms (VIRTIO_CRYPTO_CIPHER_*). */
enum vcrypto_cipher_algo {
	VCRYPTO_CIPHER_NONE = 0,      /**< No cipher. */
	VCRYPTO_CIPHER_AES_ECB = 2,   /**< AES in ECB mode. */
	VCRYPTO_CIPHER_AES_CBC = 3,   /**< AES in CBC mode; 16-byte IV. */
	VCRYPTO_CIPHER_AES_CTR = 4,   /**< AES in counter mode; 16-byte IV (counter block). */
	VCRYPTO_CIPHER_DES_CBC = 6,   /**< Single DES in CBC mode (legacy). */
	VCRYPTO_CIPHER_3DES_ECB = 7,  /**< Triple DES in ECB mode. */
	VCRYPTO_CIPHER_3DES_CBC = 8,  /**< Triple DES in CBC mode; 8-byte IV. */
	VCRYPTO_CIPHER_3DES_CTR = 9,  /**< Triple DES in counter mode. */
	VCRYPTO_CIPHER_AES_XTS = 13,  /**< AES-XTS; key is both halves; 16-byte tweak as IV. */
};

/** Plain hash algorithms (VIRTIO_CRYPTO_HASH_*). */
enum vcrypto_hash_algo {
	VCRYPTO_HASH_NONE = 0,	  /**< No hash. */
	VCRYPTO_HASH_MD5 = 1,	  /**< MD5 (legacy). */
	VCRYPTO_HASH_SHA1 = 2,	  /**< SHA-1. */
	VCRYPTO_HASH_SHA_224 = 3, /**< SHA-224. */
	VCRYPTO_HASH_SHA_256 = 4, /**< SHA-256. */
	VCRYPTO_HASH_SHA_384 = 5, /**< SHA-384. */
	VCRYPTO_HASH_SHA_512 = 6, /**< SHA-512. */
};

/** Keyed MAC algorithms (VIRTIO_CRYPTO_MAC_*). */
enum vcrypto_mac_algo {
	VCRYPTO_MAC_NONE = 0,		/**< No MAC. */
	VCRYPTO_MAC_HMAC_MD5 = 1,	/**< HMAC-MD5 (legacy). */
	VCRYPTO_MAC_HMAC_SHA1 = 2,	/**< HMAC-SHA1. */
	VCRYPTO_MAC_HMAC_SHA_224 = 3, /**< HMAC-SHA-224. */
	VCRYPTO_MAC_HMAC_SHA_256 = 4, /**< HMAC-SHA-256. */
	VCRYPTO_MAC_HMAC_SHA_384 = 5, /**< HMAC-SHA-384. */
	VCRYPTO_MAC_HMAC_SHA_512 = 6, /**< HMAC-SHA-512. */
	VCRYPTO_MAC_CMAC_AES = 26,	/**< AES-CMAC. */
	VCRYPTO_MAC_GMAC_AES = 41,	/**< AES-GMAC. */
};

/** AEAD algorithms (VIRTIO_CRYPTO_AEAD_*). */
enum vcrypto_aead_algo {
	VCRYPTO_AEAD_NONE = 0,		   /**< No AEAD. */
	VCRYPTO_AEAD_AES_GCM = 1,	   /**< AES-GCM; 12-byte IV. */
	VCRYPTO_AEAD_AES_CCM = 2,	   /**< AES-CCM. */
	VCRYPTO_AEAD_CHACHA20_POLY1305 = 3, /**< ChaCha20-Poly1305. */
};

/** What a session does. */
enum vcrypto_session_type {
	VCRYPTO_SESSION_CIPHER = 1, /**< Cipher only. */
	VCRYPTO_SESSION_HASH = 2,   /**< Plain hash (digest) only. */
	VCRYPTO_SESSION_MAC = 3,    /**< Keyed MAC only. */
	VCRYPTO_SESSION_CHAIN = 4,  /**< Cipher and hash/MAC chained ("algorithm chaining"). */
	VCRYPTO_SESSION_AEAD = 5,   /**< Authenticated encryption with associated data. */
};

/** Direction of a cipher, chain or AEAD session (VIRTIO_CRYPTO_OP_*). */
enum vcrypto_direction {
	VCRYPTO_ENCRYPT = 1, /**< Encrypt (and generate the digest or tag). */
	VCRYPTO_DECRYPT = 2, /**< Decrypt (and compute or verify the digest or tag). */
};

/** Order of a chain session (VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_*). */
enum vcrypto_chain_order {
	VCRYPTO_CHAIN_HASH_THEN_CIPHER = 1, /**< Hash the source, then cipher (usual for decrypt). */
	VCRYPTO_CHAIN_CIPHER_THEN_HASH = 2, /**< Cipher, then hash the result (usual for encrypt). */
};

/**
 * Completion status of a request (VIRTIO_CRYPTO_* status codes), as the
 * device writes it into the request's status byte.
 */
enum vcrypto_status {
	VCRYPTO_STATUS_OK = 0,		 /**< Success. */
	VCRYPTO_STATUS_ERR = 1,		 /**< Any failure not covered below. */
	VCRYPTO_STATUS_BADMSG = 2,	 /**< Malformed request, or authentication failed. */
	VCRYPTO_STATUS_NOTSUPP = 3,	 /**< Operation or algorithm not supported. */
	VCRYPTO_STATUS_INVSESS = 4,	 /**< Unknown or closed session. */
	VCRYPTO_STATUS_NOSPC = 5,	 /**< No free session (session creation). */
	VCRYPTO_STATUS_KEY_REJECTED = 6, /**< Key rejected (session creation). */
};

/**
 * Layout of the vhost-user crypto session messages (CREATE_CRYPTO_SESSION =
 * 26, CLOSE_CRYPTO_SESSION = 27).
 *
 * The vhost-user specification does not fix this payload, and its users
 * disagree: DPDK 22.11 and QEMU before 7.1 carry a 32-bit op code after the
 * session id; QEMU 7.1 to 8.0 (Debian 12 ships 7.2) dropped it; QEMU 8.1
 * and later put a 64-bit op code first and a larger union after it.
 */
enum vcrypto_session_layout {
	/** Guest: VCRYPTO_SESSION_LAYOUT_DPDK_22_11. Host: detect from each message. */
	VCRYPTO_SESSION_LAYOUT_DEFAULT = 0,
	/** DPDK 22.11's VhostUserCryptoSessionParam (QEMU before 7.1 too). 632 bytes. */
	VCRYPTO_SESSION_LAYOUT_DPDK_22_11 = 1,
	/** QEMU 7.1 to 8.0 (Debian 12's QEMU 7.2): no op code. 632 bytes. */
	VCRYPTO_SESSION_LAYOUT_QEMU_7 = 2,
	/**
	 * QEMU 8.1 and later: 64-bit op code, sym/asym union, session id last.
	 * Larger than 632 bytes, so DPDK 22.11's vhost library rejects these
	 * messages before vcrypto sees them; supported by the guest library for
	 * hosts that accept it.
	 */
	VCRYPTO_SESSION_LAYOUT_QEMU_8 = 3,
};

/** Largest cipher or AEAD key in a session message, in bytes. */
#define VCRYPTO_MAX_CIPHER_KEY_LEN 64
/** Largest MAC key in a session message, in bytes. */
#define VCRYPTO_MAX_AUTH_KEY_LEN 512
/** Largest IV a request may carry, in bytes. */
#define VCRYPTO_MAX_IV_LEN 32
/** Largest digest or tag, in bytes. */
#define VCRYPTO_MAX_DIGEST_LEN 64

/**
 * Parameters of a symmetric session.
 *
 * Which fields apply depends on the member `type`:
 * | type   | fields used |
 * |--------|-------------|
 * | CIPHER | direction, cipher_algo, cipher_key, cipher_key_len |
 * | HASH   | hash_algo, digest_len |
 * | MAC    | mac_algo, auth_key, auth_key_len, digest_len |
 * | CHAIN  | direction, chain_order, cipher_*, and either hash_algo or mac_algo (+ auth_key), digest_len, aad_len |
 * | AEAD   | direction, aead_algo, cipher_key (the AEAD key), cipher_key_len, digest_len (tag), aad_len |
 *
 * Fields that do not apply must be zero.
 *
 * HASH, MAC and AEAD sessions are a vcrypto extension of the vhost-user
 * session message (the op code field of the DPDK 22.11 and QEMU 8.1 layouts
 * carries the virtio service); QEMU's and DPDK's back ends only know CIPHER
 * and CHAIN.
 */
struct vcrypto_session_params {
	size_t sz; /**< sizeof(struct vcrypto_session_params). */
	enum vcrypto_session_type type;		/**< What the session does. Required. */
	enum vcrypto_direction direction;	/**< CIPHER, CHAIN, AEAD. Required there. */
	enum vcrypto_cipher_algo cipher_algo;	/**< CIPHER, CHAIN. */
	enum vcrypto_hash_algo hash_algo;	/**< HASH; CHAIN with a plain hash. */
	enum vcrypto_mac_algo mac_algo;		/**< MAC; CHAIN with a MAC. */
	enum vcrypto_aead_algo aead_algo;	/**< AEAD. */
	enum vcrypto_chain_order chain_order;	/**< CHAIN. Default: CIPHER_THEN_HASH when encrypting, HASH_THEN_CIPHER when decrypting. */
	const void *cipher_key;			/**< Cipher or AEAD key. Copied; not kept. */
	uint32_t cipher_key_len;		/**< At most VCRYPTO_MAX_CIPHER_KEY_LEN. */
	uint32_t auth_key_len;			/**< At most VCRYPTO_MAX_AUTH_KEY_LEN. */
	const void *auth_key;			/**< MAC key. Copied; not kept. */
	uint32_t digest_len;			/**< Digest or tag length. Default: the algorithm's full length (16 for AEAD tags). */
	uint32_t aad_len;			/**< AEAD: length of the additional authenticated data in each request. */
};

#ifdef __cplusplus
}
#endif

#endif /* VCRYPTO_CRYPTO_H */
