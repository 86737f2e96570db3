/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <vcrypto/vcrypto.h>

VCRYPTO_API const char *vcrypto_strerror(int err)
{
	if (err < 0)
		err = err == INT_MIN ? INT_MAX : -err;
	switch (err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory";
	case ENOTCONN:
		return "not connected to the vhost-user peer";
	case ECONNREFUSED:
		return "vhost-user socket refused the connection";
	case ENOENT:
		return "no such object (socket path, port or session)";
	case EPROTO:
		return "vhost-user protocol error";
	case ENOTSUP:
		return "operation or algorithm not supported";
	case EKEYREJECTED:
		return "key rejected by the device";
	case ENOSPC:
		return "no space left (sessions, ring slots or buffers)";
	case EBADF:
		return "unknown or closed session";
	case EFAULT:
		return "buffer outside the shared memory region";
	case ETIMEDOUT:
		return "timed out";
	case EBUSY:
		return "resource busy";
	case EEXIST:
		return "already exists";
	case ENODEV:
		return "no such crypto device";
	case EIO:
		return "device or peer failed the operation";
	case EISCONN:
		return "already connected";
	case EALREADY:
		return "already initialised";
	case EPERM:
		return "operation not permitted";
	case EACCES:
		return "permission denied";
	case EBADMSG:
		return "authentication failed or malformed message";
	case EINTR:
		return "interrupted";
	default:
		return "unknown error";
	}
}
