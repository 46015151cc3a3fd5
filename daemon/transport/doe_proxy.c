// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "doe.h"
#include "doe_proxy.h"
#include "nl_policy.h"

struct reply {
	uint8_t *buf;
	size_t len;
	uint16_t mb;
};

static int parse_reply(struct nl_msg *m, void *arg)
{
	struct reply *r = arg;
	struct nlattr *tb[TSMH_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, tsmh_nl_tsmh_policy) ||
	    !tb[TSMH_A_DOE_RESPONSE])
		return -EBADMSG;
	r->len = (size_t)nla_len(tb[TSMH_A_DOE_RESPONSE]);
	r->buf = malloc(r->len ? r->len : 1);
	if (!r->buf)
		return -ENOMEM;
	memcpy(r->buf, nla_data(tb[TSMH_A_DOE_RESPONSE]), r->len);
	if (tb[TSMH_A_MB_OFFSET])
		r->mb = nla_get_u16(tb[TSMH_A_MB_OFFSET]);
	return 0;
}

static int xfer_once(struct tsmh_nl *nl, const char *dev, int mb, uint16_t vid, uint8_t type,
		     const uint8_t *req, size_t len, struct reply *r)
{
	struct nl_msg *m = tsmh_nl_msg(nl, TSMH_CMD_DOE_EXCHANGE, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_string(m, TSMH_A_DEV_NAME, dev) || nla_put_u16(m, TSMH_A_DOE_VENDOR, vid) ||
	    nla_put_u8(m, TSMH_A_DOE_TYPE, type) || nla_put(m, TSMH_A_DOE_REQUEST, (int)len, req) ||
	    (mb >= 0 && nla_put_u16(m, TSMH_A_MB_OFFSET, (uint16_t)mb))) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(nl, m, parse_reply, r);
}

/*
 * The kernel refuses an exchange with EAGAIN when the mailbox's queue or
 * the module's is full (it never lets a netlink handler wait for a
 * device): retry with a growing pause, 10 ms to 250 ms, for at most
 * TSMH_DOE_RETRY_MS in all. EBUSY (claimed by another owner, mailbox used
 * by another entity) is not retried: it does not go away by waiting.
 */
#define TSMH_DOE_RETRY_MS 10000

int tsmh_doe_proxy_xfer(struct tsmh_nl *nl, const char *dev, int mb, uint16_t vid, uint8_t type,
			const uint8_t *req, size_t len, uint8_t **rsp, size_t *rsp_len,
			uint16_t *mb_used)
{
	struct reply r = { 0 };
	long waited = 0, pause = 10;
	int ret;

	*rsp = NULL;
	*rsp_len = 0;
	for (;;) {
		ret = xfer_once(nl, dev, mb, vid, type, req, len, &r);
		if (ret != -EAGAIN || waited >= TSMH_DOE_RETRY_MS)
			break;
		free(r.buf);
		r.buf = NULL;
		usleep((useconds_t)pause * 1000);
		waited += pause;
		if (pause < 250)
			pause *= 2;
	}
	if (ret) {
		free(r.buf);
		return ret;
	}
	*rsp = r.buf;
	*rsp_len = r.len;
	if (mb_used)
		*mb_used = r.mb;
	return 0;
}

int tsmh_doe_proxy_claim(struct tsmh_nl *nl, const char *dev, int mb)
{
	struct nl_msg *m = tsmh_nl_msg(nl, TSMH_CMD_DOE_CLAIM, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_string(m, TSMH_A_DEV_NAME, dev) ||
	    (mb >= 0 && nla_put_u16(m, TSMH_A_MB_OFFSET, (uint16_t)mb))) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(nl, m, NULL, NULL);
}

static int proxy_xfer(struct spdm_transport *t, uint8_t type, const uint8_t *req, size_t len,
		      uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	struct proxy_ctx *p = t->ctx;
	uint8_t *buf;
	size_t n;
	int ret;

	ret = tsmh_doe_proxy_xfer(p->nl, p->dev, -1, TSMH_DOE_VID_PCISIG, type, req, len, &buf, &n,
				  NULL);
	if (ret) {
		snprintf(t->err, sizeof(t->err), "%s", p->nl->err);
		return ret;
	}
	if (n > cap) {
		free(buf);
		snprintf(t->err, sizeof(t->err), "response of %zu bytes", n);
		return -EMSGSIZE;
	}
	memcpy(rsp, buf, n); /* may carry DOE padding: decoders use lengths inside */
	*rsp_len = n;
	free(buf);
	return 0;
}

static int proxy_exchange(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			  size_t cap, size_t *rsp_len)
{
	return proxy_xfer(t, TSMH_DOE_PROT_CMA, req, len, rsp, cap, rsp_len);
}

static int proxy_secured(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			 size_t cap, size_t *rsp_len)
{
	return proxy_xfer(t, TSMH_DOE_PROT_SEC_CMA, req, len, rsp, cap, rsp_len);
}

void spdm_transport_proxy(struct spdm_transport *t, struct proxy_ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->exchange = proxy_exchange;
	t->secured = proxy_secured;
	t->ctx = ctx;
}
