// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct call_ctx {
	struct tsmh_nl *nl;
	int (*parse)(struct nl_msg *m, void *arg);
	void *arg;
	int done;
	int ret;
};

/* Extended ACK attributes (NLMSGERR_ATTR_*) at @p, @len bytes. */
static void read_tlvs(struct tsmh_nl *nl, void *p, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, p, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->err, sizeof(nl->err), "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	/* an enum, not a macro: an #ifdef on it was always false */
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		nl->err_attr_miss = (int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	/* strip the trailing NUL/newline the kernel may include */
	len = (int)strlen(nl->err);
	while (len && (nl->err[len - 1] == '\n'))
		nl->err[--len] = 0;
}

/*
 * The TLVs follow the request echoed in @e (all of it unless
 * NLM_F_CAPPED): the echoed length is the kernel's word, so it is checked
 * against the message before it is used to find them.
 */
static void read_extack(struct tsmh_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e), len = nlh->nlmsg_len - NLMSG_HDRLEN;

	nl->err[0] = 0;
	nl->err_attr_miss = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN((size_t)e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off < len)
		read_tlvs(nl, (char *)e + off, (int)(len - off));
}

/* An error code from the kernel as -errno: anything but -1..-4095 is -EPROTO. */
static int kernel_errno(struct tsmh_nl *nl, int code)
{
	if (code < 0 && code >= -4095)
		return code;
	snprintf(nl->err, sizeof(nl->err), "netlink error message with code %d, not an -errno",
		 code);
	return -EPROTO;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct call_ctx *c = arg;

	(void)nla;
	c->done = 1;
	if (e->error)
		read_extack(c->nl, e);
	c->ret = e->error ? kernel_errno(c->nl, e->error) : 0;
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	struct call_ctx *c = arg;

	(void)m;
	c->done = 1;
	return NL_STOP;
}

static int on_finish(struct nl_msg *m, void *arg)
{
	struct call_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	/* a dump can end with an error code, and extack TLVs, in NLMSG_DONE */
	if (nlmsg_datalen(nlh) >= (int)sizeof(int) && *(int *)nlmsg_data(nlh) < 0) {
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			read_tlvs(c->nl, (char *)nlmsg_data(nlh) + sizeof(int),
				  nlmsg_datalen(nlh) - (int)sizeof(int));
		c->ret = kernel_errno(c->nl, *(int *)nlmsg_data(nlh));
	}
	c->done = 1;
	return NL_STOP;
}

static int no_seq_check(struct nl_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return NL_OK;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct call_ctx *c = arg;
	int ret;

	if (!c->parse)
		return NL_OK;
	ret = c->parse(m, c->arg);
	if (ret) {
		c->ret = ret;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * tsmh_nl_replay() (tests, fuzzers): the next call on this thread reads
 * its replies from a buffer instead of the socket and sends nothing.
 */
static __thread struct {
	unsigned char *buf; /* malloc'd; libnl frees what it received */
	int len, armed;
} replay;

static int replay_recv(struct nl_sock *sk, struct sockaddr_nl *nla, unsigned char **buf,
		       struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (!replay.buf || !replay.len)
		return -NLE_AGAIN; /* all of it was read: nothing more comes */
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = replay.buf;
	replay.buf = NULL;
	return replay.len;
}

/* 1 if the call on @cb replays a buffer (armed by tsmh_nl_replay()) */
static int replaying(struct nl_cb *cb)
{
	if (!replay.armed)
		return 0;
	nl_cb_overwrite_recv(cb, replay_recv);
	return 1;
}

static void replay_end(void)
{
	free(replay.buf);
	replay.buf = NULL;
	replay.armed = 0;
}

int tsmh_nl_replay(const void *buf, size_t len)
{
	replay_end();
	if (len > 1 << 20)
		return -EMSGSIZE;
	replay.buf = malloc(len ? len : 1);
	if (!replay.buf)
		return -ENOMEM;
	memcpy(replay.buf, buf, len);
	replay.len = (int)len;
	replay.armed = 1;
	return 0;
}

int tsmh_nl_open(struct tsmh_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret) {
		snprintf(nl->err, sizeof(nl->err), "cannot open a generic netlink socket");
		tsmh_nl_close(nl);
		return -ENOTCONN;
	}
	/* DOE payloads approach 64 KiB: room for a whole request or reply */
	nl_socket_set_buffer_size(nl->sk, 1 << 18, 1 << 18);
	nl_socket_set_msg_buf_size(nl->sk, 1 << 17);
	nl_socket_enable_msg_peek(nl->sk);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, TSMH_GENL_NAME);
	if (nl->family < 0) {
		snprintf(nl->err, sizeof(nl->err),
			 "generic netlink family \"%s\" not found: is the tsmh_core module loaded?",
			 TSMH_GENL_NAME);
		tsmh_nl_close(nl);
		return -ENOENT;
	}
	nl->mcgrp_events = genl_ctrl_resolve_grp(nl->sk, TSMH_GENL_NAME, TSMH_GENL_MCGRP_EVENTS);
	return 0;
}

void tsmh_nl_close(struct tsmh_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *tsmh_nl_msg(struct tsmh_nl *nl, uint8_t cmd, int dump)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m)
		return NULL;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, dump ? NLM_F_DUMP : 0, cmd,
			 TSMH_GENL_VERSION)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

int tsmh_nl_call(struct tsmh_nl *nl, struct nl_msg *msg, int (*parse)(struct nl_msg *m, void *arg),
		 void *arg)
{
	struct call_ctx c = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->err[0] = 0;
	nl->err_attr_miss = 0;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		replay_end();
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &c);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
	ret = replaying(cb) ? 0 : nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		snprintf(nl->err, sizeof(nl->err), "netlink send failed: %s", nl_geterror(ret));
		return -EIO;
	}
	while (!c.done && !c.ret) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !c.ret) {
			c.ret = -EIO;
			if (!nl->err[0])
				snprintf(nl->err, sizeof(nl->err), "netlink receive failed: %s",
					 nl_geterror(ret));
		}
	}
	nl_cb_put(cb);
	replay_end();
	return c.ret;
}

int tsmh_nl_subscribe(struct tsmh_nl *nl)
{
	int ret;

	if (nl->mcgrp_events < 0)
		return -ENOENT;
	ret = nl_socket_add_membership(nl->sk, nl->mcgrp_events);
	return ret ? -EIO : 0;
}

int tsmh_nl_recv_events(struct tsmh_nl *nl, int (*parse)(struct nl_msg *m, void *arg), void *arg)
{
	struct call_ctx c = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		replay_end();
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	replaying(cb);
	ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	replay_end();
	if (c.ret)
		return c.ret;
	if (ret == -NLE_AGAIN) /* non-blocking socket, nothing queued */
		return -EAGAIN;
	if (ret == -NLE_NOMEM) /* ENOBUFS: the receive queue overflowed */
		return -ENOBUFS;
	return ret < 0 ? -EIO : 0;
}
