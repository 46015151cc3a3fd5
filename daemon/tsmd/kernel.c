// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd and tsmh_core: two netlink sockets, one for requests (dumps, gate
 * changes) and one subscribed to the "events" group, read from the event
 * loop. If the event socket overflows (a burst of hot-adds) events are
 * lost, so tsmd resyncs from a full dump instead of guessing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "event.h"
#include "ide_nl.h"
#include "nl_policy.h"
#include "tsmd.h"

struct dump_ctx {
	struct tsmd *d;
	struct tsmh_devinfo *one; /* DEV_GET of one device: the reply goes here */
	/*
	 * A full dump is collected and applied once it is complete: applying a
	 * device may decide it at once (an exempt or deny rule) and send a gate
	 * command on the same socket, which must not happen mid-dump (its
	 * reply would be read among the dump's, "sequence number mismatch").
	 */
	struct tsmh_devinfo *all;
	int cap;
	char err[128];
	int n;
};

static int on_dev(struct nl_msg *m, void *arg)
{
	struct dump_ctx *c = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct tsmh_devinfo info;

	if (tsmh_devinfo_parse(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &info, c->err))
		return -EBADMSG;
	if (c->one) {
		*c->one = info;
		c->n++;
		return 0;
	}
	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 16;
		struct tsmh_devinfo *all = realloc(c->all, (size_t)cap * sizeof(*all));

		if (!all)
			return -ENOMEM;
		c->all = all;
		c->cap = cap;
	}
	c->all[c->n++] = info;
	return 0;
}

int tsmd_kernel_dev_get(struct tsmd *d, const char *name, struct tsmh_devinfo *out)
{
	struct dump_ctx c = { .d = d, .one = out };
	struct nl_msg *m = tsmh_nl_msg(&d->nl, TSMH_CMD_DEV_GET, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_string(m, TSMH_A_DEV_NAME, name)) {
		nlmsg_free(m);
		return -EINVAL;
	}
	return tsmh_nl_call(&d->nl, m, on_dev, &c);
}

int tsmd_kernel_resync(struct tsmd *d)
{
	struct dump_ctx c = { .d = d };
	struct nl_msg *m = tsmh_nl_msg(&d->nl, TSMH_CMD_DEV_GET, 1);
	int ret;

	if (!m)
		return -ENOMEM;
	ret = tsmh_nl_call(&d->nl, m, on_dev, &c);
	for (int i = 0; !ret && i < c.n; i++)
		tsmd_dev_update(d, &c.all[i]);
	free(c.all);
	if (ret == -EBADMSG)
		tsmd_log(LOG_ERR, NULL, "resync", "malformed device dump from tsmh_core: %s",
			 c.err);
	else if (ret)
		tsmd_log(LOG_ERR, NULL, "resync", "cannot list devices: %s",
			 d->nl.err[0] ? d->nl.err : strerror(-ret));
	else
		tsmd_log(LOG_DEBUG, NULL, "resync", "%d tracked device(s)", c.n);
	d->resync_pending = ret != 0;
	return ret;
}

int tsmd_kernel_gate(struct tsmd *d, const char *name, uint32_t action, uint32_t reason,
		     const char *msg, const uint8_t *digest, size_t dlen, uint64_t gen, char *why,
		     size_t whylen)
{
	struct nl_msg *m = tsmh_nl_msg(&d->nl, TSMH_CMD_GATE_SET, 0);
	char tmsg[TSMH_GATE_MSG_MAX];
	int ret;

	if (!m)
		return -ENOMEM;
	/* the kernel keeps at most TSMH_GATE_MSG_MAX - 1 bytes: cut, do not fail */
	snprintf(tmsg, sizeof(tmsg), "%s", msg ? msg : "");
	if (nla_put_string(m, TSMH_A_DEV_NAME, name) ||
	    nla_put_u32(m, TSMH_A_GATE_ACTION, action) ||
	    (reason && nla_put_u32(m, TSMH_A_GATE_REASON, reason)) ||
	    (tmsg[0] && nla_put_string(m, TSMH_A_GATE_MSG, tmsg)) ||
	    (digest && nla_put(m, TSMH_A_ACCEPT_DIGEST, (int)dlen, digest)) ||
	    (digest && nla_put_u64(m, TSMH_A_ACCEPT_GENERATION, gen))) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	ret = tsmh_nl_call(&d->nl, m, NULL, NULL);
	if (ret)
		snprintf(why, whylen, "%s", d->nl.err[0] ? d->nl.err : strerror(-ret));
	return ret;
}

/*
 * Added, gate changed: events leave out what only CAP_SYS_ADMIN may read
 * (the Device Serial Number, the accepted digest), which policy matches
 * on and re-acceptance after a reset compares: decide on the device as
 * DEV_GET gives it to us. Never on the event's partial view: a deny rule
 * by serial would not match. A device gone meanwhile has its "removed"
 * event coming; anything else resyncs.
 */
static void on_dev_event(struct tsmd *d, const struct tsmh_event *ev)
{
	struct tsmh_devinfo info;
	int ret;

	ret = tsmd_kernel_dev_get(d, ev->dev, &info);
	if (!ret) {
		tsmd_dev_update(d, &info);
	} else if (ret != -ENODEV) {
		tsmd_log(LOG_WARNING, ev->dev, "event",
			 "cannot read the device after its %s event: %s; resyncing", ev->what,
			 d->nl.err[0] ? d->nl.err : strerror(-ret));
		d->resync_pending = 1;
	}
}

/*
 * ABI 5 events the common decoder does not know: evt-ide (a stream
 * changed) and evt-tsm-req (7.2 tsm/connect, tsm/disconnect). 1 if @m was
 * one of them (handled), 0 if not.
 */
static int on_conn_event(struct tsmd *d, struct nl_msg *m)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct tsmh_idenl_stream st;
	char why[160] = "", dev[32];
	int have_st = 0;

	if (genlmsg_valid_hdr(nlmsg_hdr(m), 0) && g->cmd == TSMH_CMD_EVT_TDI) {
		tsmd_tdi_event(d, m);
		return 1;
	}
	if (!genlmsg_valid_hdr(nlmsg_hdr(m), 0) ||
	    (g->cmd != TSMH_CMD_EVT_IDE && g->cmd != TSMH_CMD_EVT_TSM_REQ))
		return 0;
	if (nla_parse(tb, TSMH_A_MAX, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
		      (struct nla_policy *)tsmh_nl_tsmh_policy) ||
	    !tb[TSMH_A_DEV_NAME]) {
		tsmd_log(LOG_WARNING, NULL, "event", "malformed %s event",
			 g->cmd == TSMH_CMD_EVT_IDE ? "ide" : "tsm-req");
		return 1;
	}
	nla_strlcpy(dev, tb[TSMH_A_DEV_NAME], sizeof(dev));
	if (g->cmd == TSMH_CMD_EVT_TSM_REQ) {
		if (!tb[TSMH_A_TSM_COOKIE] || !tb[TSMH_A_TSM_OP]) {
			tsmd_log(LOG_WARNING, dev, "event", "tsm-req event without %s",
				 tb[TSMH_A_TSM_COOKIE] ? "an operation" : "a cookie");
			return 1;
		}
		tsmd_conn_tsm_req(d, dev, nla_get_u32(tb[TSMH_A_TSM_OP]),
				  tb[TSMH_A_TDI_OP] ? (int64_t)nla_get_u32(tb[TSMH_A_TDI_OP]) : -1,
				  nla_get_u64(tb[TSMH_A_TSM_COOKIE]));
		return 1;
	}
	if (!tb[TSMH_A_IDE_EVENT]) {
		tsmd_log(LOG_WARNING, dev, "event", "ide event without its kind");
		return 1;
	}
	memset(&st, 0, sizeof(st));
	if (tb[TSMH_A_IDE_STREAM]) {
		if (tsmh_idenl_parse_stream(tb[TSMH_A_IDE_STREAM], &st, why, sizeof(why)))
			tsmd_log(LOG_WARNING, dev, "event", "ide event: %s", why);
		else
			have_st = 1;
	}
	tsmd_conn_ide_event(d, dev, nla_get_u32(tb[TSMH_A_IDE_EVENT]), have_st ? &st : NULL);
	return 1;
}

int tsmd_kernel_tsm_done(struct tsmd *d, const char *name, uint64_t cookie, int status,
			 const char *msg)
{
	struct nl_msg *m = tsmh_nl_msg(&d->nl, TSMH_CMD_TSM_DONE, 0);
	char tmsg[TSMH_GATE_MSG_MAX];

	if (!m)
		return -ENOMEM;
	snprintf(tmsg, sizeof(tmsg), "%s", msg ? msg : "");
	if (nla_put_string(m, TSMH_A_DEV_NAME, name) || nla_put_u64(m, TSMH_A_TSM_COOKIE, cookie) ||
	    nla_put_s32(m, TSMH_A_TSM_STATUS, status) ||
	    (tmsg[0] && nla_put_string(m, TSMH_A_GATE_MSG, tmsg))) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(&d->nl, m, NULL, NULL);
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct tsmd *d = arg;
	struct tsmh_event ev;
	char err[128];
	int ret;

	if (on_conn_event(d, m))
		return 0;
	ret = tsmh_event_decode(m, &ev, err);
	/* evidence commits (our own workers') and newer events */
	if (ret > 0 || ev.cmd == TSMH_CMD_EVT_EVIDENCE)
		return 0;
	if (ret < 0) {
		if (ev.cmd == TSMH_CMD_EVT_DEV_ADD || ev.cmd == TSMH_CMD_EVT_GATE)
			tsmd_log(LOG_WARNING, NULL, "event", "malformed device event: %s", err);
		else
			tsmd_log(LOG_WARNING, NULL, "event", "malformed event %u", ev.cmd);
		d->resync_pending = 1;
		return 0;
	}
	switch (ev.cmd) {
	case TSMH_CMD_EVT_DEV_DEL: tsmd_dev_removed(d, ev.dev); break;
	case TSMH_CMD_EVT_RESET: tsmd_dev_reset(d, ev.dev, ev.reset_kind, ev.reset_count); break;
	default: on_dev_event(d, &ev); break; /* add, gate */
	}
	return 0;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct tsmd *d = arg;
	int ret;

	(void)s, (void)fd, (void)revents;
	ret = tsmh_nl_recv_events(&d->nl_ev, on_event, d);
	if (ret && ret != -EAGAIN) {
		/* ENOBUFS and friends: events were lost */
		tsmd_log(LOG_WARNING, NULL, "resync", "kernel events lost (%s); resyncing",
			 strerror(-ret));
		d->resync_pending = 1;
	}
	if (d->resync_pending)
		tsmd_kernel_resync(d);
	tsmd_pump(d);
	return 0;
}

int tsmd_kernel_open(struct tsmd *d)
{
	int ret;

	ret = tsmh_nl_open(&d->nl);
	if (ret) {
		tsmd_log(LOG_ERR, NULL, "start", "netlink family \"%s\": %s (is tsmh_core loaded?)",
			 TSMH_GENL_NAME, d->nl.err[0] ? d->nl.err : strerror(-ret));
		return ret;
	}
	ret = tsmh_nl_open(&d->nl_ev);
	if (!ret)
		ret = tsmh_nl_subscribe(&d->nl_ev);
	if (ret) {
		tsmd_log(LOG_ERR, NULL, "start", "cannot subscribe to tsmh events: %s",
			 strerror(-ret));
		return ret;
	}
	nl_socket_set_nonblocking(d->nl_ev.sk);
	nl_socket_set_buffer_size(d->nl_ev.sk, 4 << 20, 0);
	return sd_event_add_io(d->ev, &d->nl_src, nl_socket_get_fd(d->nl_ev.sk), EPOLLIN,
			       on_readable, d);
}

void tsmd_kernel_close(struct tsmd *d)
{
	d->nl_src = sd_event_source_disable_unref(d->nl_src);
	tsmh_nl_close(&d->nl_ev);
	tsmh_nl_close(&d->nl);
}
