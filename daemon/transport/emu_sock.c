// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "emu_sock.h"

static int full_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
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

static int full_read(int fd, uint8_t *p, size_t n, int *got_any)
{
	while (n) {
		ssize_t r;

		quickack(fd);
		r = read(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return *got_any ? -EPIPE : -ECONNRESET;
		*got_any = 1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int emu_sock_send(int fd, uint32_t cmd, uint32_t transport, const void *payload, uint32_t len)
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
	ret = full_write(fd, buf, sizeof(h) + len);
	free(buf);
	return ret;
}

int emu_sock_recv(int fd, struct emu_frame *f, void *buf, uint32_t cap)
{
	uint32_t h[3];
	int any = 0, ret;

	ret = full_read(fd, (uint8_t *)h, sizeof(h), &any);
	if (ret)
		return ret;
	f->cmd = ntohl(h[0]);
	f->transport = ntohl(h[1]);
	f->len = ntohl(h[2]);
	if (f->len > cap)
		return -EMSGSIZE;
	return f->len ? full_read(fd, buf, f->len, &any) : 0;
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
		return -ETIMEDOUT;
	if (ret)
		return ret;
	return f.cmd == cmd ? 0 : -EPROTO;
}

int emu_sock_connect(const char *host, uint16_t port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char portstr[8];
	int fd = -1, one = 1, ret;

	snprintf(portstr, sizeof(portstr), "%u", port);
	ret = getaddrinfo(host, portstr, &hints, &res);
	if (ret)
		return -EHOSTUNREACH;
	ret = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		ret = -errno;
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
