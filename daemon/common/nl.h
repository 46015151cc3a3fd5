/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Client side of the "tsmh" generic netlink family (libnl-genl-3), shared
 * by tsmctl and tsmd. Errors come back as -errno plus the kernel's
 * extended ACK message in tsmh_nl.err.
 */
#ifndef TSMH_NL_H
#define TSMH_NL_H

#include <stdint.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <linux/tsmh.h>

struct tsmh_nl {
	struct nl_sock *sk;
	int family;
	int mcgrp_events;
	char err[256]; /* extack message of the last failure, or "" */
	int err_attr_miss; /* missing attribute type reported, or 0 */
};

/* Connect and resolve the family. 0 or -errno (err says why). */
int tsmh_nl_open(struct tsmh_nl *nl);
void tsmh_nl_close(struct tsmh_nl *nl);
/* A request for @cmd; @dump adds NLM_F_DUMP. NULL on ENOMEM. */
struct nl_msg *tsmh_nl_msg(struct tsmh_nl *nl, uint8_t cmd, int dump);
/*
 * Send @msg (consumed) and receive until the ACK or the end of a dump,
 * handing each reply to @parse (may be NULL). A non-zero return from
 * @parse stops and is returned. Returns 0 or -errno.
 */
int tsmh_nl_call(struct tsmh_nl *nl, struct nl_msg *msg, int (*parse)(struct nl_msg *m, void *arg),
		 void *arg);
/*
 * Join the events group; then tsmh_nl_recv_events() feeds @parse. On a
 * non-blocking socket it returns -EAGAIN when nothing is queued; -ENOBUFS
 * means the queue overflowed and events were lost.
 */
int tsmh_nl_subscribe(struct tsmh_nl *nl);
int tsmh_nl_recv_events(struct tsmh_nl *nl, int (*parse)(struct nl_msg *m, void *arg), void *arg);
/*
 * Tests and fuzzers: the next tsmh_nl_call() or tsmh_nl_recv_events() on
 * this thread sends nothing and receives the @len bytes at @buf (netlink
 * messages as the kernel would send them; a copy is taken) as one read,
 * then nothing more (-EIO for a call still waiting). 0 or -errno.
 */
int tsmh_nl_replay(const void *buf, size_t len);

#endif
