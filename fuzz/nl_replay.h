/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fuzzers of the netlink receive side: a socket that sends nothing and
 * whose next call reads the fuzz input (tsmh_nl_replay()). Messages whose
 * nlmsg_seq is 0 get the sequence number the call expects (the others are
 * left as they are: out of sequence).
 */
#ifndef TSMH_FUZZ_NL_REPLAY_H
#define TSMH_FUZZ_NL_REPLAY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include "nl.h"

/* The sequence numbers libnl will expect, given to messages that carry 0. */
static inline void fuzz_fix_seq(uint8_t *buf, size_t len, uint32_t seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int n = (int)len;

	while (nlmsg_ok(h, n)) {
		if (!h->nlmsg_seq)
			h->nlmsg_seq = seq;
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR ||
		    h->nlmsg_type == NLMSG_NOOP || h->nlmsg_type == NLMSG_OVERRUN)
			seq++;
		h = nlmsg_next(h, &n);
	}
}

/* @nl (family 0x20) on a new socket whose next call reads @len bytes at @p */
static inline void fuzz_nl_replay(struct tsmh_nl *nl, const uint8_t *p, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);

	memset(nl, 0, sizeof(*nl));
	nl->family = 0x20;
	nl->sk = nl_socket_alloc();
	if (!nl->sk || !buf)
		abort();
	memcpy(buf, p, len);
	/* a new socket expects the first number it hands out */
	fuzz_fix_seq(buf, len, nl_socket_use_seq(nl->sk));
	if (tsmh_nl_replay(buf, len))
		abort();
	free(buf);
}

#endif
