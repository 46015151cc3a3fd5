// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "doe.h"
#include "emu_sock.h"
#include "sock_transport.h"

/* Secured CMA uses the same NORMAL command and PCI_DOE transport, DOE type 2. */
static int sock_xfer(struct spdm_transport *t, uint8_t ptype, const uint8_t *req, size_t len,
		     uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	struct sock_ctx *s = t->ctx;
	uint8_t *obj;
	size_t padded = (len + 3) & ~(size_t)3, total = TSMH_DOE_HDR_BYTES + padded;
	struct emu_frame f;
	int64_t deadline;
	uint16_t vid;
	uint8_t type;
	size_t got;
	int ret;

	obj = calloc(1, EMU_SOCK_MAX_PAYLOAD);
	if (!obj)
		return -ENOMEM;
	if (total > EMU_SOCK_MAX_PAYLOAD) {
		free(obj);
		return -EMSGSIZE;
	}
	tsmh_put_le32(obj, tsmh_doe_hdr0(TSMH_DOE_VID_PCISIG, ptype));
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1((uint32_t)(total / 4)));
	memcpy(obj + TSMH_DOE_HDR_BYTES, req, len);
	deadline = emu_sock_deadline(s->timeout_ms ? s->timeout_ms : SOCK_TIMEOUT_MS);
	ret = emu_sock_send_by(s->fd, EMU_SOCK_CMD_NORMAL, EMU_SOCK_TRANS_PCI_DOE, obj,
			       (uint32_t)total, deadline);
	if (ret) {
		s->broken = 1;
		snprintf(t->err, sizeof(t->err), "spdm-emu socket: send (%zu bytes)%s", total,
			 ret == -ETIMEDOUT ? ": the peer does not read" : "");
		free(obj);
		return ret;
	}
	ret = emu_sock_recv_by(s->fd, &f, obj, EMU_SOCK_MAX_PAYLOAD, deadline, &got);
	if (ret) {
		s->broken = 1;
		if (ret == -ETIMEDOUT)
			snprintf(
				t->err, sizeof(t->err),
				"spdm-emu socket: receive: no whole response within %d ms (%zu bytes arrived)",
				s->timeout_ms ? s->timeout_ms : SOCK_TIMEOUT_MS, got);
		else
			snprintf(t->err, sizeof(t->err),
				 "spdm-emu socket: receive (%zu bytes arrived)", got);
		free(obj);
		return ret;
	}
	if (f.cmd != EMU_SOCK_CMD_NORMAL || tsmh_doe_obj_check(obj, f.len, &vid, &type) ||
	    vid != TSMH_DOE_VID_PCISIG || type != ptype) {
		snprintf(t->err, sizeof(t->err),
			 "peer answered command %#x with a malformed DOE object", f.cmd);
		free(obj);
		return -EPROTO;
	}
	if (f.len - TSMH_DOE_HDR_BYTES > cap) {
		free(obj);
		return -EMSGSIZE;
	}
	*rsp_len = f.len - TSMH_DOE_HDR_BYTES;
	memcpy(rsp, obj + TSMH_DOE_HDR_BYTES, *rsp_len);
	free(obj);
	return 0;
}

static int sock_exchange(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			 size_t cap, size_t *rsp_len)
{
	return sock_xfer(t, TSMH_DOE_PROT_CMA, req, len, rsp, cap, rsp_len);
}

static int sock_secured(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			size_t cap, size_t *rsp_len)
{
	return sock_xfer(t, TSMH_DOE_PROT_SEC_CMA, req, len, rsp, cap, rsp_len);
}

/* the peer's answer to SHUTDOWN is awaited this long at most */
#define SOCK_END_TIMEOUT_MS 2000

int spdm_transport_socket_close(struct sock_ctx *ctx)
{
	int ret = -ENOTCONN;

	if (ctx->fd < 0)
		return ret;
	if (!ctx->broken)
		ret = emu_sock_end(ctx->fd, EMU_SOCK_CMD_SHUTDOWN, EMU_SOCK_TRANS_PCI_DOE,
				   SOCK_END_TIMEOUT_MS);
	close(ctx->fd);
	ctx->fd = -1;
	return ret;
}

void spdm_transport_socket(struct spdm_transport *t, struct sock_ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->exchange = sock_exchange;
	t->secured = sock_secured;
	t->ctx = ctx;
}
