/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Host-side DOE requester over config-space accessors (PCIe 6.x 6.30.2).
 *
 * Used by the core module on kernels whose DOE API is not usable from a
 * module (6.0-6.4: pcim_doe_create_mb() is devres-managed and needs a bound
 * driver), and by the unit tests against the register model in
 * doe_mbox.c. The caller serialises exchanges on one mailbox.
 */
#ifndef TSMH_LIB_DOE_REQ_H
#define TSMH_LIB_DOE_REQ_H

#include "doe.h"

struct tsmh_doe_io {
	int (*read32)(void *ctx, u16 off, u32 *val);
	int (*write32)(void *ctx, u16 off, u32 val);
	/* Sleep about @us; a non-zero return (-ENODEV, -EINTR) cancels. */
	int (*wait)(void *ctx, u32 us);
	u64 (*now_us)(void *ctx);
	void *ctx;
	u16 cap;		/* DOE capability offset */
	u32 timeout_us;		/* per response; 0 = TSMH_DOE_TIMEOUT_US */
};

/* Abort and wait for the mailbox to go idle: 0, -ETIMEDOUT or accessor error. */
int tsmh_doe_req_abort(const struct tsmh_doe_io *io);

/*
 * One exchange. @req is the payload (no DOE header) of @req_len bytes, a
 * multiple of 4. The response payload (no header) is stored in @rsp (up
 * to @rsp_cap bytes) and its full length in *@rsp_len.
 * Returns 0, or:
 *   -EINVAL     request not dword-sized or too large for a data object
 *   -EBUSY      mailbox stayed busy, or holds a response nobody collected
 *               (another entity is using it; it is left untouched)
 *   -EIO        device set Error, or sent an object that breaks the rules
 *               (wrong protocol, length < 2, data ended early)
 *   -ETIMEDOUT  no Data Object Ready within the timeout
 *   -EMSGSIZE   response longer than @rsp_cap (*@rsp_len says how long;
 *               the mailbox is aborted, the response never read out)
 * Every failure leaves the mailbox aborted (idle), never half-read.
 */
int tsmh_doe_req_exchange(const struct tsmh_doe_io *io, u16 vid, u8 type,
			  const u8 *req, u32 req_len, u8 *rsp, u32 rsp_cap,
			  u32 *rsp_len);

#endif
