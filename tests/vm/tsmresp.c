// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmresp: a stand-in for tsmd's evt-tsm-req handler (tests/vm/t_tsmlink.sh).
 * Listens for EVT_TSM_REQ (a write to sysfs tsm/connect or tsm/disconnect
 * on 7.2), optionally runs a command for it, waits, and answers TSM_DONE
 * with the request's cookie.
 *
 *   tsmresp [-n COUNT] [-s STATUS] [-d SECONDS] [-e CMD] [-m MSG]
 *
 *   -n  answer COUNT requests, then exit (default 1)
 *   -s  the status to answer (0 or -errno; default 0)
 *   -d  wait SECONDS before answering (a late answer is refused: ENOENT)
 *   -e  run "sh -c CMD" first with TSM_DEV, TSM_OP (connect|disconnect|
 *       bind|unbind|guest-req), TSM_COOKIE (hex) and, for a guest-req,
 *       TSM_TDI_OP (the tdi-op asked, 2 = start) set; if it fails the
 *       answer is -EIO (unless -s). For bind/unbind/guest-req the command
 *       plays tsmd's TDISP part through tdinl's tdi-begin/end without any
 *       TDISP exchange (t_tsmbind.sh)
 *   -m  the reason sent with the answer (gate-msg)
 *   -i  IDE: on connect, ide-stream-new for the device (its failure is
 *       the answer); on disconnect, ide-stream-del of the stream made
 *       (no keys, no enable: the full flow is tsmd's)
 *
 *   tsmresp -l DEV    list DEV's streams from ide-get: "stream ID RB EB FLAGS"
 *   tsmresp -x DEV    one tsm-done for DEV with cookie 1, status 0 and no
 *                     request asked for: prints "tsm-done: ERRNO MESSAGE"
 *
 * Prints "req DEV OP COOKIE" when a request arrives and "done DEV OP
 * STATUS: RESULT [MESSAGE]" after the answer; exit 0 if every answer was
 * taken, 1 if one was refused (the kernel's errno and message printed).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nl.h"

struct req {
	int have;
	char dev[32];
	uint32_t op;
	uint64_t cookie;
	int64_t tdi_op; /* evt-tsm-req guest-req: the TDI operation asked; -1 none */
};

static const char *const op_names[] = {
	[TSMH_TSM_OP_CONNECT] = "connect",     [TSMH_TSM_OP_DISCONNECT] = "disconnect",
	[TSMH_TSM_OP_BIND] = "bind",	       [TSMH_TSM_OP_UNBIND] = "unbind",
	[TSMH_TSM_OP_GUEST_REQ] = "guest-req",
};

static int on_event(struct nl_msg *m, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct req *r = arg;

	if (g->cmd != TSMH_CMD_EVT_TSM_REQ)
		return 0;
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, NULL) || !tb[TSMH_A_DEV_NAME] ||
	    !tb[TSMH_A_TSM_OP] || !tb[TSMH_A_TSM_COOKIE]) {
		fprintf(stderr, "tsmresp: malformed evt-tsm-req\n");
		return 0;
	}
	snprintf(r->dev, sizeof(r->dev), "%s", nla_get_string(tb[TSMH_A_DEV_NAME]));
	r->op = nla_get_u32(tb[TSMH_A_TSM_OP]);
	r->cookie = nla_get_u64(tb[TSMH_A_TSM_COOKIE]);
	r->tdi_op = tb[TSMH_A_TDI_OP] ? (int64_t)nla_get_u32(tb[TSMH_A_TDI_OP]) : -1;
	r->have = 1;
	return 0;
}

struct sinfo {
	int n;
	unsigned int id[8];
};

/* the stream nests of an ide-get or ide-stream-new reply */
static int on_streams(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[TSMH_A_MAX + 1], *st[TSMH_IDES_A_MAX + 1], *a;
	struct sinfo *si = arg;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, NULL))
		return 0;
	nlmsg_for_each_attr(a, nlmsg_hdr(m), GENL_HDRLEN, rem)
	{
		if (nla_type(a) != TSMH_A_IDE_STREAM ||
		    nla_parse_nested(st, TSMH_IDES_A_MAX, a, NULL) || !st[TSMH_IDES_A_ID])
			continue;
		printf("stream %u %u %u %#x\n", nla_get_u32(st[TSMH_IDES_A_ID]),
		       st[TSMH_IDES_A_RP_BLOCK] ? nla_get_u32(st[TSMH_IDES_A_RP_BLOCK]) : 0,
		       st[TSMH_IDES_A_EP_BLOCK] ? nla_get_u32(st[TSMH_IDES_A_EP_BLOCK]) : 0,
		       st[TSMH_IDES_A_FLAGS] ? nla_get_u32(st[TSMH_IDES_A_FLAGS]) : 0);
		if (si->n < 8)
			si->id[si->n++] = nla_get_u32(st[TSMH_IDES_A_ID]);
	}
	return 0;
}

/* -i: the daemon's IDE part, reduced to allocation (ide-stream-new/del) */
static int ide_step(struct tsmh_nl *nl, const struct req *r, struct sinfo *made)
{
	struct nl_msg *m;
	int ret = 0, i;

	if (r->op == TSMH_TSM_OP_CONNECT) {
		made->n = 0;
		m = tsmh_nl_msg(nl, TSMH_CMD_IDE_STREAM_NEW, 0);
		if (!m)
			return -ENOMEM;
		nla_put_string(m, TSMH_A_DEV_NAME, r->dev);
		ret = tsmh_nl_call(nl, m, on_streams, made);
		printf("ide-stream-new %s: %s %s\n", r->dev, ret ? strerror(-ret) : "ok", nl->err);
		return ret;
	}
	for (i = 0; i < made->n; i++) {
		m = tsmh_nl_msg(nl, TSMH_CMD_IDE_STREAM_DEL, 0);
		if (!m)
			return -ENOMEM;
		nla_put_string(m, TSMH_A_DEV_NAME, r->dev);
		nla_put_u32(m, TSMH_A_IDE_STREAM_ID, made->id[i]);
		ret = tsmh_nl_call(nl, m, NULL, NULL);
		printf("ide-stream-del %s %u: %s %s\n", r->dev, made->id[i],
		       ret ? strerror(-ret) : "ok", nl->err);
	}
	made->n = 0;
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *msg = NULL;
	int count = 1, status = 0, status_set = 0, delay = 0, refused = 0, ide = 0, opt;
	struct tsmh_nl ev = { 0 }, nl = { 0 };
	const char *list = NULL, *stray = NULL;
	struct sinfo made = { 0 };

	while ((opt = getopt(argc, argv, "n:s:d:e:m:il:x:")) != -1) {
		switch (opt) {
		case 'n': count = atoi(optarg); break;
		case 's':
			status = atoi(optarg);
			status_set = 1;
			break;
		case 'd': delay = atoi(optarg); break;
		case 'e': cmd = optarg; break;
		case 'm': msg = optarg; break;
		case 'i': ide = 1; break;
		case 'l': list = optarg; break;
		case 'x': stray = optarg; break;
		default:
			fprintf(stderr,
				"usage: tsmresp [-n COUNT] [-s STATUS] [-d SECONDS] [-e CMD] [-m MSG]\n");
			return 2;
		}
	}
	if (stray) {
		struct nl_msg *m;
		int ret;

		if (tsmh_nl_open(&nl) || !(m = tsmh_nl_msg(&nl, TSMH_CMD_TSM_DONE, 0)))
			return 2;
		nla_put_string(m, TSMH_A_DEV_NAME, stray);
		nla_put_u64(m, TSMH_A_TSM_COOKIE, 1);
		nla_put_s32(m, TSMH_A_TSM_STATUS, 0);
		ret = tsmh_nl_call(&nl, m, NULL, NULL);
		printf("tsm-done: %d %s\n", ret, nl.err);
		tsmh_nl_close(&nl);
		return ret ? 1 : 0;
	}
	if (list) {
		struct nl_msg *m;
		int ret;

		if (tsmh_nl_open(&nl) || !(m = tsmh_nl_msg(&nl, TSMH_CMD_IDE_GET, 0)))
			return 2;
		nla_put_string(m, TSMH_A_DEV_NAME, list);
		ret = tsmh_nl_call(&nl, m, on_streams, &made);
		if (ret)
			fprintf(stderr, "tsmresp: ide-get %s: %s %s\n", list, strerror(-ret),
				nl.err);
		tsmh_nl_close(&nl);
		return ret ? 1 : 0;
	}
	if (tsmh_nl_open(&ev) || tsmh_nl_open(&nl) || tsmh_nl_subscribe(&ev)) {
		fprintf(stderr, "tsmresp: netlink: %s\n", ev.err[0] ? ev.err : nl.err);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening\n");
	while (count > 0) {
		struct req r = { 0 };
		const char *op;
		struct nl_msg *m;
		int st = status, ret;
		char ck[24];

		ret = tsmh_nl_recv_events(&ev, on_event, &r);
		if (ret && ret != -ENOBUFS) {
			fprintf(stderr, "tsmresp: receive: %s\n", strerror(-ret));
			return 2;
		}
		if (!r.have)
			continue;
		op = r.op < sizeof(op_names) / sizeof(op_names[0]) ? op_names[r.op] : "?";
		snprintf(ck, sizeof(ck), "%016" PRIx64, r.cookie);
		printf("req %s %s %s\n", r.dev, op, ck);
		if (cmd) {
			setenv("TSM_DEV", r.dev, 1);
			setenv("TSM_OP", op, 1);
			setenv("TSM_COOKIE", ck, 1);
			if (r.tdi_op >= 0) {
				char to[24];

				snprintf(to, sizeof(to), "%" PRId64, r.tdi_op);
				setenv("TSM_TDI_OP", to, 1);
			} else {
				unsetenv("TSM_TDI_OP");
			}
			ret = system(cmd);
			if (ret && !status_set)
				st = -EIO;
		}
		if (ide) {
			ret = ide_step(&nl, &r, &made);
			if (ret && !status_set)
				st = ret;
		}
		if (delay)
			sleep(delay);
		m = tsmh_nl_msg(&nl, TSMH_CMD_TSM_DONE, 0);
		if (!m)
			return 2;
		nla_put_string(m, TSMH_A_DEV_NAME, r.dev);
		nla_put_u64(m, TSMH_A_TSM_COOKIE, r.cookie);
		nla_put_s32(m, TSMH_A_TSM_STATUS, st);
		if (msg)
			nla_put_string(m, TSMH_A_GATE_MSG, msg);
		ret = tsmh_nl_call(&nl, m, NULL, NULL);
		printf("done %s %s %d: %s%s%s\n", r.dev, op, st, ret ? strerror(-ret) : "taken",
		       nl.err[0] ? " " : "", nl.err);
		if (ret)
			refused = 1;
		count--;
	}
	tsmh_nl_close(&ev);
	tsmh_nl_close(&nl);
	return refused;
}
