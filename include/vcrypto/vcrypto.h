/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/**
 * @file
 * @brief vcrypto: common definitions shared by the host and guest libraries.
 *
 * vcrypto shares a host's crypto devices (DPDK cryptodevs) with virtual
 * machines and containers through virtio-crypto over vhost-user.
 *
 * It ships as two libraries:
 * - **libvcrypto-guest** (`pkg-config vcrypto-guest`, header
 *   <vcrypto/guest.h>): the container-side front end. It has no DPDK
 *   dependency. It also holds the common functions declared here.
 * - **libvcrypto** (`pkg-config vcrypto`, header <vcrypto/host.h>): the host
 *   side, built on DPDK's vhost and cryptodev libraries. It depends on
 *   libvcrypto-guest for the common functions.
 *
 * @par Conventions used by every vcrypto function
 * - **Errors.** Functions returning `int` return a value `>= 0` on success
 *   and a negative errno value on failure (`-EINVAL`, `-ENOMEM`, ...). Each
 *   function lists the errno values it can return. There is no thread-local
 *   error state. vcrypto_strerror() describes a code.
 * - **Constructors** are named `vcrypto_<object>_create()` (or `_connect()`)
 *   and write their output handle only on success. **Destructors** return
 *   void, accept NULL, and release half-built objects.
 * - **Options structures** (`struct vcrypto_<object>_opts`) start with a
 *   `size_t sz` member that the caller sets to `sizeof(struct ...)` as
 *   compiled into the caller (use VCRYPTO_OPTS_INIT()). A NULL pointer or a
 *   zero field means "use the default" (each field documents it). A caller
 *   built against a newer vcrypto may pass a larger structure: the bytes
 *   this library does not know must then be zero, otherwise the call fails
 *   with `-EINVAL`. A caller built against an older vcrypto passes a smaller
 *   structure: the missing fields take their defaults. Fields are never
 *   reordered or removed.
 * - **Statistics structures** returned by `*_stats_get()` functions use the
 *   same size convention: the library fills at most `sz` bytes.
 * - **Threads.** Each function documents under "Thread safety" whether it
 *   is a control-plane call (any thread, serialized internally) or a
 *   data-plane call (one thread per object, no locks, no allocation).
 */
#ifndef VCRYPTO_VCRYPTO_H
#define VCRYPTO_VCRYPTO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <vcrypto/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def VCRYPTO_API
 * Marks a function exported by a vcrypto library.
 */
#if defined(VCRYPTO_BUILDING_LIBRARY)
#define VCRYPTO_API __attribute__((visibility("default")))
#else
#define VCRYPTO_API
#endif

/**
 * @def VCRYPTO_EXPERIMENTAL
 * Marks a function whose interface may still change between minor
 * releases. Callers must define `ALLOW_VCRYPTO_EXPERIMENTAL` before
 * including vcrypto headers to use such a function; otherwise its use is a
 * compile-time error.
 */
#if defined(ALLOW_VCRYPTO_EXPERIMENTAL) || defined(VCRYPTO_BUILDING_LIBRARY)
#define VCRYPTO_EXPERIMENTAL
#else
#define VCRYPTO_EXPERIMENTAL                                                                       \
	__attribute__((error("vcrypto: experimental API, define ALLOW_VCRYPTO_EXPERIMENTAL")))
#endif

/**
 * Initialise an options structure: zero every field and set its size.
 *
 * @code
 * struct vcrypto_guest_opts opts = VCRYPTO_OPTS_INIT(vcrypto_guest_opts);
 * opts.queue_size = 256;
 * @endcode
 *
 * @param type The structure's tag, without `struct`.
 */
#ifdef __cplusplus
#define VCRYPTO_OPTS_INIT(type)                                                                    \
	[] {                                                                                       \
		struct type o_ = {};                                                               \
		o_.sz = sizeof(struct type);                                                       \
		return o_;                                                                         \
	}()
#else
#define VCRYPTO_OPTS_INIT(type) ((struct type){.sz = sizeof(struct type)})
#endif

/**
 * Version of the library in use at run time.
 *
 * Compare with the compile-time VCRYPTO_VERSION_STRING to detect a mismatch.
 *
 * @return A static, NUL-terminated string such as "0.1.0". Never NULL.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API const char *vcrypto_version(void);

/**
 * Version of the library in use at run time, as a number.
 *
 * @return VCRYPTO_VERSION_NUMBER of the library that was built, i.e.
 *         `major * 10000 + minor * 100 + patch`.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API uint32_t vcrypto_version_number(void);

/**
 * Describe an error code returned by a vcrypto function.
 *
 * Accepts either sign (`-EINVAL` and `EINVAL` give the same text). Unlike
 * strerror(3) the text names the meaning vcrypto gives the code where it is
 * more specific (for example `-EPROTO`: "vhost-user protocol error").
 *
 * @param err An error code.
 * @return A static, NUL-terminated string. Never NULL; an unknown code gives
 *         "unknown error".
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API const char *vcrypto_strerror(int err);

/** Log levels, the same numbers as syslog(3) and DPDK's RTE_LOG_* levels. */
enum vcrypto_log_level {
	VCRYPTO_LOG_ERR = 4,	/**< An operation failed. */
	VCRYPTO_LOG_WARNING = 5, /**< Something unexpected, handled (e.g. a bad guest request). */
	VCRYPTO_LOG_NOTICE = 6, /**< Normal but significant (connect, disconnect). */
	VCRYPTO_LOG_INFO = 7,	/**< Informational. */
	VCRYPTO_LOG_DEBUG = 8,	/**< Debugging detail; may be verbose. */
};

/**
 * A log sink.
 *
 * @param level Severity of the message.
 * @param msg   The message, NUL-terminated, without a trailing newline.
 * @param ctx   The pointer passed to vcrypto_log_set_handler().
 *
 * Called from whichever thread logs (including data-plane threads and
 * DPDK's vhost message thread). It must not call back into vcrypto and
 * should not block.
 */
typedef void (*vcrypto_log_fn)(enum vcrypto_log_level level, const char *msg, void *ctx);

/**
 * Route vcrypto's log messages to a handler of the application's.
 *
 * This is the one process-wide setting in vcrypto: a process has one log,
 * and an embedding application (a vswitch) wants all of vcrypto's messages
 * in it whichever object they come from. By default the guest library
 * writes messages of level VCRYPTO_LOG_WARNING and above to standard error,
 * and the host library sends them to DPDK's log under the logtype
 * "lib.vcrypto".
 *
 * @param fn  The handler, or NULL to restore the default.
 * @param ctx Passed to @p fn unchanged.
 *
 * @par Thread safety
 * Any thread. Messages being logged concurrently may still reach the
 * previous handler.
 */
VCRYPTO_API void vcrypto_log_set_handler(vcrypto_log_fn fn, void *ctx);

/**
 * Set the most verbose level that is passed to the log handler.
 *
 * @param level Messages with a level numerically greater than this are
 *              dropped before formatting. Default: VCRYPTO_LOG_NOTICE.
 * @return 0, or -EINVAL if @p level is not a vcrypto_log_level.
 *
 * @par Thread safety
 * Any thread.
 */
VCRYPTO_API int vcrypto_log_set_level(enum vcrypto_log_level level);

#ifdef __cplusplus
}
#endif

#endif /* VCRYPTO_VCRYPTO_H */
