// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the spdm-emu socket transport's receive side (framing in
 * transport/emu_sock.c, DOE object checks in transport/sock_transport.c)
 * on whatever a peer sends: the input is the byte stream the peer writes
 * (then it closes), read through a socketpair by two exchanges, one plain
 * and one secured. Invariants: a success returns no more than the caller's
 * buffer and a failure says why (t->err).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sock_transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t req[4] = { 0x12, 0x84, 0, 0 };
	uint8_t rsp[256];
	struct spdm_transport t;
	struct sock_ctx sc = { .timeout_ms = 200 };
	size_t rl, off = 0;
	int fds[2], i, ret;

	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
		return 0;
	while (off < size) {
		ssize_t w = write(fds[1], data + off, size - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(fds[1], SHUT_WR);
	sc.fd = fds[0];
	spdm_transport_socket(&t, &sc);
	for (i = 0; i < 2; i++) {
		rl = 0;
		t.err[0] = 0;
		ret = i ? t.secured(&t, req, sizeof(req), rsp, sizeof(rsp), &rl)
			: t.exchange(&t, req, sizeof(req), rsp, sizeof(rsp), &rl);
		if (!ret && rl > sizeof(rsp))
			__builtin_trap();
		if (ret && ret != -ENOMEM && !t.err[0])
			__builtin_trap(); /* a failure says why */
		if (ret)
			break;
	}
	close(fds[0]);
	close(fds[1]);
	return 0;
}
