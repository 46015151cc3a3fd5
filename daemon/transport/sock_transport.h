/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM transport over the DMTF spdm-emu socket protocol (emu_sock.h,
 * PCI_DOE transport). Like the kernel's DOE proxy (doe_proxy.h) it
 * presents the requester with bare SPDM messages; DOE framing and padding
 * stay here.
 */
#ifndef TSMH_SOCK_TRANSPORT_H
#define TSMH_SOCK_TRANSPORT_H

#include "requester.h"

struct sock_ctx {
	int fd;
	int broken; /* a send or receive failed: the stream is out of step */
	/*
	 * Each message, request sent and response received whole, must be
	 * done within this many ms (a total, not per byte; 0: the default,
	 * SOCK_TIMEOUT_MS; <0: none). A silent or dripping peer then fails
	 * the exchange with -ETIMEDOUT and t->err naming the step.
	 */
	int timeout_ms;
};

#define SOCK_TIMEOUT_MS 5000
/* SPDM over an spdm-emu socket (already connected), into @t. */
void spdm_transport_socket(struct spdm_transport *t, struct sock_ctx *ctx);
/*
 * End the session as the protocol wants: SHUTDOWN (answered by the peer
 * with SHUTDOWN; spdm_responder_emu then stops, tsmh-emu ends only this
 * client's session), then close. A peer that left the stream out of step
 * or went away is just closed. 0, or what emu_sock_end() said.
 */
int spdm_transport_socket_close(struct sock_ctx *ctx);

#endif
