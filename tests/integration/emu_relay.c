// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * emu_relay: a recording relay for the spdm-emu socket protocol, to show
 * what a client puts on the wire. Listens on 127.0.0.1 (a free port,
 * named on the first line of standard output: "relay on 127.0.0.1:PORT"),
 * takes one client, connects to the server at 127.0.0.1:UPSTREAM and
 * passes frames both ways, one request and its answer at a time (as the
 * protocol goes), writing to LOG one line per frame with its 12-byte
 * header exactly as it was on the wire, in hex:
 *   > 0000fffe 00000002 00000000      client to server
 *   < 0000fffe 00000002 00000000      server to client
 * and "> EOF" / "< EOF" when a side closes. Exits when either side has.
 * Usage: emu_relay UPSTREAM_PORT LOG
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "emu_sock.h"

static uint8_t buf[12 + EMU_SOCK_MAX_PAYLOAD];

/* exactly @n bytes; 0, 1 on a close before the first byte, -1 otherwise */
static int get(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && got == 0 ? 1 : -1;
		got += (size_t)r;
	}
	return 0;
}

static int put(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One frame from @from to @to, logged with @dir; 0, or 1 when @from closed. */
static int pass(FILE *log, char dir, int from, int to)
{
	uint32_t len;
	int ret = get(from, buf, 12);

	if (ret) {
		fprintf(log, "%c %s\n", dir, ret > 0 ? "EOF" : "broken frame");
		return 1;
	}
	fprintf(log, "%c", dir);
	for (int i = 0; i < 12; i++)
		fprintf(log, "%s%02x", i % 4 ? "" : " ", buf[i]);
	fputc('\n', log);
	fflush(log);
	memcpy(&len, buf + 8, 4);
	len = ntohl(len);
	if (len > EMU_SOCK_MAX_PAYLOAD || get(from, buf + 12, len)) {
		fprintf(log, "%c broken frame\n", dir);
		return 1;
	}
	return put(to, buf, 12 + len) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd, cfd, ufd;
	FILE *log;

	if (argc != 3)
		return 2;
	log = fopen(argv[2], "w");
	lfd = emu_sock_listen("127.0.0.1", 0);
	if (!log || lfd < 0 || getsockname(lfd, (struct sockaddr *)&sin, &sl))
		return 1;
	printf("relay on 127.0.0.1:%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	cfd = accept(lfd, NULL, NULL);
	ufd = emu_sock_connect("127.0.0.1", (uint16_t)atoi(argv[1]));
	if (cfd < 0 || ufd < 0)
		return 1;
	while (!pass(log, '>', cfd, ufd) && !pass(log, '<', ufd, cfd))
		;
	fclose(log);
	close(ufd);
	close(cfd);
	close(lfd);
	return 0;
}
