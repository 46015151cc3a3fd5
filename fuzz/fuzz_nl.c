// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the netlink receive side (common/nl.c) on whatever a
 * (hostile or broken) kernel could answer: ACKs, NLMSG_ERROR with and
 * without extended-ACK TLVs (capped or not), NLMSG_DONE carrying an
 * error, dumps, sequence numbers, truncated and overlong messages. No
 * socket: tsmh_nl_replay() hands the bytes to libnl's receive loop, which
 * calls nl.c's handlers as a socket read would.
 *
 * Input: a mode byte, then the bytes of one read. A message whose
 * nlmsg_seq is 0 gets the sequence number the call expects (others are
 * left as they are: out of sequence). Modes: 0 a request's ACK, 1 a dump
 * handed to the device-info parser, 2 the events group through the event
 * decoder, 3 an evidence read (common/evidence.c) over it.
 *
 * Invariants: 0 or -errno (-1..-4095), nothing else; the extended-ACK text kept is a
 * string within its buffer, without the trailing newline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include "devinfo.h"
#include "event.h"
#include "evidence.h"
#include "nl.h"
#include "nl_replay.h"

static int on_dev(struct nl_msg *m, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct tsmh_devinfo d;
	char err[256];

	(void)arg;
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	return tsmh_devinfo_parse(genlmsg_attrdata(nlmsg_data(nlh), 0),
				  genlmsg_attrlen(nlmsg_data(nlh), 0), &d, err);
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct tsmh_event ev;
	char err[128];

	(void)arg;
	if (!tsmh_event_decode(m, &ev, err) && (!ev.what || !ev.dev[0]))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_nl nl;
	struct tsmh_evidence ev;
	struct tsmh_evidence_get_opts o = { .attempts = 2 };
	char why[256];
	int mode, ret;
	size_t l;

	if (size < 1 || size > 1 << 16)
		return 0;
	mode = data[0] & 3;
	fuzz_nl_replay(&nl, data + 1, size - 1);
	switch (mode) {
	case 0: ret = tsmh_nl_call(&nl, tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 0), NULL, NULL); break;
	case 1: ret = tsmh_nl_call(&nl, tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1), on_dev, NULL); break;
	case 2: ret = tsmh_nl_recv_events(&nl, on_event, NULL); break;
	default:
		ret = tsmh_evidence_get(&nl, "0000:01:00.0", &o, &ev, why, sizeof(why));
		if (!ret)
			tsmh_evidence_free(&ev);
	}
	if (ret > 0 || ret < -4095)
		__builtin_trap(); /* 0 or -errno */
	l = strnlen(nl.err, sizeof(nl.err));
	if (l == sizeof(nl.err) || (l && nl.err[l - 1] == '\n'))
		__builtin_trap();
	nl_socket_free(nl.sk);
	return 0;
}
