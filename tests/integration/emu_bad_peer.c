// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * emu_bad_peer: a misbehaving peer for the spdm-emu socket protocol, to
 * show that neither side waits for it forever.
 *
 *   emu_bad_peer drip MS      a responder on 127.0.0.1 (a free port, named
 *                             on the first line of standard output: "bad
 *                             peer on 127.0.0.1:PORT") that reads each
 *                             client's first bytes, then answers one zero
 *                             byte every MS ms, forever (a per-byte
 *                             timeout never fires)
 *   emu_bad_peer full         a listener whose accept queue is full and
 *                             never accepted: a connect() never completes
 *   emu_bad_peer stall PORT   a client of the server at 127.0.0.1:PORT
 *                             that sends half a frame header and then
 *                             sleeps (prints "stalled" once sent)
 *
 * Runs until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "emu_sock.h"

static int listener(int backlog)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		perror("emu_bad_peer: listen");
		exit(1);
	}
	printf("bad peer on 127.0.0.1:%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Each client in its own child: read a little, then a byte every @ms. */
static int drip(long ms)
{
	int lfd = listener(8), cfd;
	uint8_t b[64] = { 0 };

	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			if (read(cfd, b, sizeof(b)) <= 0)
				_exit(0);
			for (;;) {
				if (write(cfd, b, 1) != 1)
					_exit(0);
				sleep_ms(ms);
			}
		}
		close(cfd);
	}
}

/* Backlog 0 holds one connection (Linux: backlog + 1); fill it and never accept. */
static int full(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int lfd = listener(0), i;

	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	for (i = 0; i < 4; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd >= 0)
			connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	for (;;)
		pause();
	return 0;
}

static int stall(const char *port)
{
	int fd = emu_sock_connect("127.0.0.1", (uint16_t)atoi(port));

	if (fd < 0) {
		fprintf(stderr, "emu_bad_peer: connect: %s\n", strerror(-fd));
		return 1;
	}
	/* command NORMAL and half the transport field: 6 of the 12 header bytes */
	if (write(fd, "\0\0\0\x01\0\0", 6) != 6)
		return 1;
	printf("stalled\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "drip"))
		return drip(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "full"))
		return full();
	if (argc == 3 && !strcmp(argv[1], "stall"))
		return stall(argv[2]);
	fprintf(stderr, "usage: emu_bad_peer drip MS | full | stall PORT\n");
	return 2;
}
