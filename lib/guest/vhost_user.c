/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/* The vhost-user front end: socket, negotiation, memory and vring setup, session messages. */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/virtio_crypto_wire.h"
#include "guest/guest_internal.h"

enum {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
};

#define VHOST_USER_VERSION 0x1u
#define VHOST_USER_REPLY 0x4u
#define VHOST_USER_NEED_REPLY 0x8u
#define VHOST_USER_HDR_SIZE 12
#define VHOST_USER_MAX_PAYLOAD 4096

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

struct vu_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vu_mem {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region regions[1];
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vc_vu_connect(struct vcrypto_guest *g)
{
	struct sockaddr_un sa;
	int64_t deadline =
		now_ms() + (g->opts.connect_timeout_ms > 0 ? g->opts.connect_timeout_ms : 0);
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(g->path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, g->path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return vc_neg_errno();
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		err = errno;
		close(fd);
		if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN) || now_ms() >= deadline)
			return -err;
		usleep(10000);
	}
	g->sock = fd;
	return 0;
}

/* Send one message with optional fds. */
static int vu_send(struct vcrypto_guest *g, uint32_t req, uint32_t flags, const void *payload,
		   uint32_t size, const int *fds, int nfds)
{
	struct vu_hdr hdr = {req, VHOST_USER_VERSION | flags, size};
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, size}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	size_t total = sizeof(hdr) + size, done = 0;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = size ? 2 : 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	do {
		r = sendmsg(g->sock, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		vc_guest_mark_down(g);
		return -ENOTCONN;
	}
	done = (size_t)r;
	/* A short write (rare on UNIX sockets): send the rest without fds. */
	while (done < total) {
		const uint8_t *p;
		size_t left;

		if (done < sizeof(hdr)) {
			p = (const uint8_t *)&hdr + done;
			left = sizeof(hdr) - done;
		} else {
			p = (const uint8_t *)payload + (done - sizeof(hdr));
			left = total - done;
		}
		r = send(g->sock, p, left, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			vc_guest_mark_down(g);
			return -ENOTCONN;
		}
		done += (size_t)r;
	}
	return 0;
}

/*
 * Give the connection up after a reply did not come (whole) in time: the
 * host may still send it, and the next call's reply would then be read from
 * the middle of it, or be it (a late CREATE_CRYPTO_SESSION reply would give
 * the next session the id of one with another key).
 */
static int reply_lost(struct vcrypto_guest *g, int err)
{
	VC_LOG(ERR, "vhost-user: no reply from %s within %d ms (%s): connection given up",
	       g->path ? g->path : "(none)", g->reply_timeout_ms, vcrypto_strerror(err));
	vc_guest_mark_down(g);
	return err;
}

static int recv_full(struct vcrypto_guest *g, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = {g->sock, POLLIN, 0};
		int64_t left = deadline - now_ms();
		ssize_t r;
		int pr;

		if (left <= 0)
			return reply_lost(g, -ETIMEDOUT);
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return reply_lost(g, vc_neg_errno());
		if (pr == 0)
			return reply_lost(g, -ETIMEDOUT);
		r = recv(g->sock, p, len, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			vc_guest_mark_down(g);
			return -ENOTCONN;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Receive the reply to @p req; payload up to @p cap bytes, its size in *size. */
static int vu_recv(struct vcrypto_guest *g, uint32_t req, void *payload, uint32_t cap,
		   uint32_t *size)
{
	int64_t deadline = now_ms() + g->reply_timeout_ms;
	uint8_t discard[256];
	struct vu_hdr hdr;
	int rc;

	rc = recv_full(g, &hdr, sizeof(hdr), deadline);
	if (rc)
		return rc;
	/* (filled: recv_full() failed otherwise; clang-tidy 14 loses that in -errno) */
	if (hdr.request != req || /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	    !(hdr.flags & VHOST_USER_REPLY) || (hdr.flags & 0x3) != VHOST_USER_VERSION ||
	    hdr.size > VHOST_USER_MAX_PAYLOAD) {
		VC_LOG(ERR, "vhost-user: unexpected reply (request %u flags %#x size %u) to %u",
		       hdr.request, hdr.flags, hdr.size, req);
		vc_guest_mark_down(g);
		return -EPROTO;
	}
	if (hdr.size <= cap) {
		rc = recv_full(g, payload, hdr.size, deadline);
	} else {
		rc = recv_full(g, payload, cap, deadline);
		for (uint32_t left = hdr.size - cap; !rc && left;) {
			uint32_t n = left < sizeof(discard) ? left : (uint32_t)sizeof(discard);

			rc = recv_full(g, discard, n, deadline);
			left -= n;
		}
	}
	if (rc)
		return rc;
	*size = hdr.size;
	return 0;
}

static bool has_reply_ack(const struct vcrypto_guest *g)
{
	return g->protocol_features & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK);
}

/* Send a message; with REPLY_ACK, wait for the host's ack. */
static int vu_set(struct vcrypto_guest *g, uint32_t req, const void *payload, uint32_t size,
		  const int *fds, int nfds)
{
	bool ack = has_reply_ack(g);
	uint64_t v = 0;
	uint32_t got;
	int rc;

	rc = vu_send(g, req, ack ? VHOST_USER_NEED_REPLY : 0, payload, size, fds, nfds);
	if (rc || !ack)
		return rc;
	rc = vu_recv(g, req, &v, sizeof(v), &got);
	if (rc)
		return rc;
	if (got != sizeof(v))
		return -EPROTO;
	if (v) {
		VC_LOG(ERR, "vhost-user: host failed request %u", req);
		return -EIO;
	}
	return 0;
}

static int vu_get_u64(struct vcrypto_guest *g, uint32_t req, uint64_t *out)
{
	uint32_t got;
	int rc;

	rc = vu_send(g, req, 0, NULL, 0, NULL, 0);
	if (!rc)
		rc = vu_recv(g, req, out, sizeof(*out), &got);
	if (!rc && got != sizeof(*out))
		rc = -EPROTO;
	return rc;
}

int vc_vu_setup(struct vcrypto_guest *g)
{
	uint64_t host_features, host_pf, want, pf, qnum;
	struct vu_mem mem;
	int rc;

	g->protocol_features = 0;
	rc = vu_get_u64(g, VHOST_USER_GET_FEATURES, &host_features);
	if (rc)
		return rc;
	if (!(host_features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES))) {
		VC_LOG(ERR, "vhost-user: host lacks PROTOCOL_FEATURES (crypto sessions)");
		return -ENOTSUP;
	}
	if (!(g->opts.flags & VCRYPTO_GUEST_F_DIRECT_DESC)) {
		if (!(host_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC))) {
			VC_LOG(ERR, "vhost-user: host lacks INDIRECT_DESC");
			return -ENOTSUP;
		}
	}
	want = (1ull << VHOST_USER_F_PROTOCOL_FEATURES) | (1ull << VIRTIO_F_VERSION_1);
	want |= host_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	if (!(g->opts.flags & VCRYPTO_GUEST_F_NO_EVENT_IDX))
		want |= host_features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	/* (a host that does not say so may read each part from its own descriptor: build()) */
	if (!(g->opts.flags & VCRYPTO_GUEST_F_DESC_PER_PART))
		want |= host_features & (1ull << VIRTIO_F_ANY_LAYOUT);
	if (!(host_features & (1ull << VIRTIO_F_VERSION_1))) {
		VC_LOG(ERR, "vhost-user: host lacks VERSION_1");
		return -ENOTSUP;
	}

	rc = vu_get_u64(g, VHOST_USER_GET_PROTOCOL_FEATURES, &host_pf);
	if (rc)
		return rc;
	pf = (1ull << VHOST_USER_PROTOCOL_F_CRYPTO_SESSION) |
	     (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	if ((host_pf & pf) != pf) {
		VC_LOG(ERR, "vhost-user: host lacks CRYPTO_SESSION or REPLY_ACK (%#llx)",
		       (unsigned long long)host_pf);
		return -ENOTSUP;
	}
	if (g->nq > 1) {
		if (!(host_pf & (1ull << VHOST_USER_PROTOCOL_F_MQ)))
			return -ENOTSUP;
		pf |= 1ull << VHOST_USER_PROTOCOL_F_MQ;
	}
	rc = vu_send(g, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &pf, sizeof(pf), NULL, 0);
	if (rc)
		return rc;
	g->protocol_features = pf;
	if (g->nq > 1) {
		rc = vu_get_u64(g, VHOST_USER_GET_QUEUE_NUM, &qnum);
		if (rc)
			return rc;
		if (qnum < g->nq) {
			VC_LOG(ERR, "vhost-user: host has %llu queues, %u requested",
			       (unsigned long long)qnum, g->nq);
			return -ENOTSUP;
		}
	}
	rc = vu_set(g, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	if (rc)
		return rc;
	rc = vu_set(g, VHOST_USER_SET_FEATURES, &want, sizeof(want), NULL, 0);
	if (rc)
		return rc;
	g->features = want;

	memset(&mem, 0, sizeof(mem));
	mem.nregions = 1;
	mem.regions[0].guest_phys_addr = VC_GPA_BASE;
	mem.regions[0].memory_size = g->mem_len;
	mem.regions[0].userspace_addr = (uint64_t)(uintptr_t)g->mem;
	mem.regions[0].mmap_offset = 0;
	rc = vu_set(g, VHOST_USER_SET_MEM_TABLE, &mem, sizeof(mem), &g->memfd, 1);
	if (rc)
		return rc;

	for (uint16_t i = 0; i < g->nq; i++) {
		struct vc_vq *vq = &g->vq[i];
		struct vu_vring_state st = {i, vq->size};
		struct vu_vring_addr addr = {
			.index = i,
			.desc_user_addr = (uint64_t)(uintptr_t)vq->desc,
			.used_user_addr = (uint64_t)(uintptr_t)vq->used,
			.avail_user_addr = (uint64_t)(uintptr_t)vq->avail,
		};
		uint64_t idx = i;

		vq->event_idx = g->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
		vq->per_part = !(g->features & (1ull << VIRTIO_F_ANY_LAYOUT));
		rc = vu_set(g, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
		st.num = vq->avail_idx;
		if (!rc)
			rc = vu_set(g, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0);
		if (!rc)
			rc = vu_set(g, VHOST_USER_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0);
		if (!rc)
			rc = vu_set(g, VHOST_USER_SET_VRING_KICK, &idx, sizeof(idx), &vq->kick_fd,
				    1);
		if (!rc)
			rc = vu_set(g, VHOST_USER_SET_VRING_CALL, &idx, sizeof(idx), &vq->call_fd,
				    1);
		if (rc)
			return rc;
	}
	for (uint16_t i = 0; i < g->nq; i++) {
		struct vu_vring_state st = {i, 1};

		rc = vu_set(g, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0);
		if (rc)
			return rc;
	}
	return 0;
}

static int map_session_error(int64_t v)
{
	switch (-v) {
	case VCRYPTO_STATUS_NOTSUPP:
		return -ENOTSUP;
	case VCRYPTO_STATUS_KEY_REJECTED:
		return -EKEYREJECTED;
	case VCRYPTO_STATUS_NOSPC:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

int vc_vu_session_create(struct vcrypto_guest *g, const struct vc_session_desc *d, uint64_t *id)
{
	uint8_t buf[VC_SESSION_PAYLOAD_MAX], reply[VC_SESSION_PAYLOAD_MAX];
	enum vcrypto_session_layout layout = g->opts.session_layout;
	size_t off = vcrypto__session_id_offset(layout);
	uint32_t got;
	int64_t v;
	int size, rc;

	size = vcrypto__session_encode(layout, d, buf, sizeof(buf));
	if (size < 0)
		return size;
	rc = vu_send(g, VHOST_USER_CREATE_CRYPTO_SESSION, VHOST_USER_NEED_REPLY, buf,
		     (uint32_t)size, NULL, 0);
	if (rc)
		return rc;
	rc = vu_recv(g, VHOST_USER_CREATE_CRYPTO_SESSION, reply, sizeof(reply), &got);
	if (rc)
		return rc;
	if (got < off + 8 || got > sizeof(reply))
		return -EPROTO;
	memcpy(&v, reply + off, sizeof(v));
	if (v < 0)
		return map_session_error(v);
	*id = (uint64_t)v;
	return 0;
}

int vc_vu_session_close(struct vcrypto_guest *g, uint64_t id)
{
	return vu_set(g, VHOST_USER_CLOSE_CRYPTO_SESSION, &id, sizeof(id), NULL, 0);
}

bool vc_vu_peer_gone(struct vcrypto_guest *g)
{
	struct pollfd pfd = {g->sock, POLLRDHUP, 0};

	if (g->sock < 0)
		return true;
	if (poll(&pfd, 1, 0) < 0)
		return false;
	return pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL);
}
