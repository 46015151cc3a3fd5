// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "emu_sock.h"

int64_t emu_sock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t emu_sock_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : emu_sock_now_ms() + timeout_ms;
}

/*
 * Wait until @fd is ready for @events or @deadline (ms, CLOCK_MONOTONIC;
 * -1: none) passes: 0 or -ETIMEDOUT. Without a deadline a blocking
 * descriptor just goes ahead.
 */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int r;

	if (deadline < 0)
		return 0;
	for (;;) {
		left = deadline - emu_sock_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int full_write(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t w;
		int ret = wait_fd(fd, POLLOUT, deadline);

		if (ret)
			return ret;
		/* MSG_DONTWAIT: poll said there is room, but maybe not for all of it */
		w = send(fd, p, n, MSG_NOSIGNAL | (deadline < 0 ? 0 : MSG_DONTWAIT));
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Peers that write a frame in several small pieces without TCP_NODELAY
 * (QEMU's backends/spdm-socket.c: command, transport, size and payload are
 * four send() calls) stall in Nagle until we ACK the first piece, and
 * delayed ACK holds that ~40 ms per message. Quick-ACK what we read; Linux
 * drops quick-ACK mode by itself, so re-arm it at every read. Not a TCP
 * socket (socketpair in tests): harmless ENOPROTOOPT.
 */
static void quickack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* @n bytes into @p by @deadline (-1: none); *@got counts what arrived. */
static int full_read(int fd, uint8_t *p, size_t n, size_t *got, int64_t deadline)
{
	while (n) {
		ssize_t r;
		int ret = wait_fd(fd, POLLIN, deadline);

		if (ret)
			return ret;
		quickack(fd);
		r = recv(fd, p, n, deadline < 0 ? 0 : MSG_DONTWAIT);
		if (r < 0 && errno == ENOTSOCK)
			r = read(fd, p, n);
		if (r < 0) {
			if (errno == EINTR || (deadline >= 0 && errno == EAGAIN))
				continue;
			return -errno;
		}
		if (r == 0)
			return *got ? -EPIPE : -ECONNRESET;
		*got += (size_t)r;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int emu_sock_send(int fd, uint32_t cmd, uint32_t transport, const void *payload, uint32_t len)
{
	return emu_sock_send_by(fd, cmd, transport, payload, len, -1);
}

int emu_sock_send_by(int fd, uint32_t cmd, uint32_t transport, const void *payload, uint32_t len,
		     int64_t deadline)
{
	uint8_t *buf;
	uint32_t h[3] = { htonl(cmd), htonl(transport), htonl(len) };
	int ret;

	if (len > EMU_SOCK_MAX_PAYLOAD)
		return -EMSGSIZE;
	buf = malloc(sizeof(h) + len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	ret = full_write(fd, buf, sizeof(h) + len, deadline);
	free(buf);
	return ret;
}

int emu_sock_recv(int fd, struct emu_frame *f, void *buf, uint32_t cap)
{
	size_t got;

	return emu_sock_recv_by(fd, f, buf, cap, -1, &got);
}

int emu_sock_recv_by(int fd, struct emu_frame *f, void *buf, uint32_t cap, int64_t deadline,
		     size_t *got)
{
	uint32_t h[3];
	size_t pl = 0;
	int ret;

	*got = 0;
	memset(f, 0, sizeof(*f));
	ret = full_read(fd, (uint8_t *)h, sizeof(h), got, deadline);
	if (ret)
		return ret;
	f->cmd = ntohl(h[0]);
	f->transport = ntohl(h[1]);
	f->len = ntohl(h[2]);
	if (f->len > cap)
		return -EMSGSIZE;
	ret = f->len ? full_read(fd, buf, f->len, &pl, deadline) : 0;
	*got += pl;
	return ret == -ECONNRESET ? -EPIPE : ret;
}

static uint32_t be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

int emu_sock_rx_feed(int fd, struct emu_sock_rx *rx, void *buf, uint32_t cap)
{
	for (;;) {
		uint8_t *p;
		size_t want;
		ssize_t r;

		if (rx->got < sizeof(rx->hdr)) {
			p = rx->hdr + rx->got;
			want = sizeof(rx->hdr) - rx->got;
		} else {
			rx->f.cmd = be32(rx->hdr);
			rx->f.transport = be32(rx->hdr + 4);
			rx->f.len = be32(rx->hdr + 8);
			if (rx->f.len > cap)
				return -EMSGSIZE;
			if (rx->got == sizeof(rx->hdr) + rx->f.len) {
				rx->got = 0; /* whole: the next frame starts afresh */
				return 1;
			}
			p = (uint8_t *)buf + (rx->got - sizeof(rx->hdr));
			want = sizeof(rx->hdr) + rx->f.len - rx->got;
		}
		quickack(fd);
		r = recv(fd, p, want, MSG_DONTWAIT);
		if (r < 0 && errno == ENOTSOCK)
			r = read(fd, p, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if (r == 0)
			return rx->got ? -EPIPE : -ECONNRESET;
		rx->got += (uint32_t)r;
	}
}

int emu_sock_end(int fd, uint32_t cmd, uint32_t transport, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	struct emu_frame f;
	uint8_t junk[64];
	int ret;

	ret = emu_sock_send(fd, cmd, transport, NULL, 0);
	if (ret)
		return ret;
	/* bounded: a peer that does not know the command may never answer */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	ret = emu_sock_recv(fd, &f, junk, sizeof(junk));
	if (ret == -EAGAIN || ret == -EWOULDBLOCK)
		ret = -ETIMEDOUT;
	if (ret)
		return ret;
	return f.cmd == cmd ? 0 : -EPROTO;
}

/* connect() bounded by @deadline (-1: none): 0 or -errno. */
static int connect_by(int fd, const struct sockaddr *sa, socklen_t sl, int64_t deadline)
{
	int fl = fcntl(fd, F_GETFL), err = 0, ret;
	socklen_t el = sizeof(err);

	if (deadline < 0)
		return connect(fd, sa, sl) ? -errno : 0;
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	if (connect(fd, sa, sl) == 0)
		ret = 0;
	else if (errno != EINPROGRESS)
		ret = -errno;
	else if ((ret = wait_fd(fd, POLLOUT, deadline)) == 0)
		ret = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) ? -errno : -err;
	if (fcntl(fd, F_SETFL, fl) && !ret)
		ret = -errno;
	return ret;
}

static __thread char resolve_err[128];

const char *emu_sock_resolve_error(void)
{
	return resolve_err;
}

int emu_sock_connect(const char *host, uint16_t port)
{
	return emu_sock_connect_by(host, port, -1);
}

int emu_sock_connect_by(const char *host, uint16_t port, int64_t deadline)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char portstr[8];
	int fd = -1, one = 1, ret;

	snprintf(portstr, sizeof(portstr), "%u", port);
	resolve_err[0] = 0;
	ret = getaddrinfo(host, portstr, &hints, &res);
	if (ret) {
		/* a name that does not resolve is not "No route to host" */
		snprintf(resolve_err, sizeof(resolve_err), "cannot resolve %s: %s", host,
			 ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return -ENXIO;
	}
	ret = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		ret = connect_by(fd, ai->ai_addr, ai->ai_addrlen, deadline);
		if (!ret)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ret;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int emu_sock_listen(const char *addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
