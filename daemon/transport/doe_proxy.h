/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM transport through the kernel's DOE proxy (netlink
 * TSMH_CMD_DOE_EXCHANGE). Like the socket transport (sock_transport.h) it
 * presents the requester with bare SPDM messages; DOE framing and padding
 * stay here.
 */
#ifndef TSMH_DOE_PROXY_H
#define TSMH_DOE_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include "nl.h"
#include "requester.h"

/*
 * One DOE exchange through the kernel. *@rsp is malloc'ed. 0 or -errno.
 * A full queue in the kernel (EAGAIN) is retried for up to 10 s.
 */
int tsmh_doe_proxy_xfer(struct tsmh_nl *nl, const char *dev, int mb, uint16_t vid, uint8_t type,
			const uint8_t *req, size_t len, uint8_t **rsp, size_t *rsp_len,
			uint16_t *mb_used);

/* Take SPDM ownership of DEV's mailbox (@mb < 0: the CMA one) for this socket. */
int tsmh_doe_proxy_claim(struct tsmh_nl *nl, const char *dev, int mb);

struct proxy_ctx {
	struct tsmh_nl *nl;
	const char *dev;
};
/* SPDM over the kernel proxy (CMA protocol), into @t. */
void spdm_transport_proxy(struct spdm_transport *t, struct proxy_ctx *ctx);

#endif
