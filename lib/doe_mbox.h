/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Device-side DOE mailbox register model (PCIe 6.x sec 6.30 / 7.9.24).
 *
 * Pure state machine over caller-owned buffers: the sim module runs it
 * under its config-space spinlock (it must not sleep or allocate), and the
 * unit tests drive it against the host-side requester in doe_req.c.
 * The *responder* (what answers a request) is not here: a write of GO
 * returns TSMH_MBOX_SUBMIT and the caller hands the request to whoever
 * answers (the userspace device emulator), which later completes it with
 * tsmh_doe_mbox_complete() quoting the sequence number it was given, so a
 * late answer to an aborted request is recognised and dropped.
 */
#ifndef TSMH_LIB_DOE_MBOX_H
#define TSMH_LIB_DOE_MBOX_H

#include "doe.h"

enum tsmh_mbox_action {
	TSMH_MBOX_NONE = 0,
	TSMH_MBOX_SUBMIT,	/* a complete request object is in wbuf */
	TSMH_MBOX_ABORTED,	/* the pending request (seq) was aborted */
};

struct tsmh_doe_mbox {
	u32 *wbuf;		/* request dwords, cap_dw long */
	u32 *rbuf;		/* response dwords, cap_dw long */
	u32 cap_dw;		/* largest object accepted, in dwords */
	u32 wlen, rlen, rpos;	/* dwords */
	u32 status;		/* TSMH_DOE_STATUS_* */
	u32 ctrl;		/* INT_EN only */
	u32 seq;		/* id of the current request */
	u8 pending;		/* request handed to the responder */
	/* counters, for tests and debugfs */
	u32 nr_submit, nr_abort, nr_error, nr_stale;
};

void tsmh_doe_mbox_init(struct tsmh_doe_mbox *mb, u32 *wbuf, u32 *rbuf, u32 cap_dw);
/* Reset as on an FLR or an abort; returns ABORTED if a request was pending. */
enum tsmh_mbox_action tsmh_doe_mbox_reset(struct tsmh_doe_mbox *mb);
/* Register access at @reg (TSMH_DOE_*, dword aligned, < TSMH_DOE_CAP_SIZE). */
u32 tsmh_doe_mbox_read(struct tsmh_doe_mbox *mb, u32 reg);
enum tsmh_mbox_action tsmh_doe_mbox_write(struct tsmh_doe_mbox *mb, u32 reg, u32 val);
/*
 * Responder answers request @seq with a complete object @obj of @len
 * bytes (headers included). Returns 0, -ESTALE (not the pending request:
 * dropped), or -EINVAL (malformed object: the mailbox reports ERROR).
 */
int tsmh_doe_mbox_complete(struct tsmh_doe_mbox *mb, u32 seq, const u8 *obj, u32 len);
/* Responder reports an internal error for @seq: status ERROR. */
int tsmh_doe_mbox_fail(struct tsmh_doe_mbox *mb, u32 seq);

#endif
