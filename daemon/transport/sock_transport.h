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
};
/* SPDM over an spdm-emu socket (already connected), into @t. */
void spdm_transport_socket(struct spdm_transport *t, struct sock_ctx *ctx);

#endif
