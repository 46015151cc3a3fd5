// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host-side DOE requester. See doe_req.h.
 */
#include "doe_req.h"

#define POLL_MIN_US	10
#define POLL_MAX_US	2000

static u32 timeout_of(const struct tsmh_doe_io *io)
{
	return io->timeout_us ? io->timeout_us : TSMH_DOE_TIMEOUT_US;
}

static int rd(const struct tsmh_doe_io *io, u16 reg, u32 *v)
{
	return io->read32(io->ctx, io->cap + reg, v);
}

static int wr(const struct tsmh_doe_io *io, u16 reg, u32 v)
{
	return io->write32(io->ctx, io->cap + reg, v);
}

/* Status register; a function that reads as all ones is gone. */
static int rd_status(const struct tsmh_doe_io *io, u32 *st)
{
	int ret = rd(io, TSMH_DOE_STATUS, st);

	if (!ret && *st == 0xffffffff)
		return -ENODEV;
	return ret;
}

/*
 * Poll status until (status & mask) == want, or any bit of @stop is set
 * (the caller inspects *last); exponential back-off.
 */
static int poll_status(const struct tsmh_doe_io *io, u32 mask, u32 want,
		       u32 stop, u32 *last)
{
	u64 deadline = io->now_us(io->ctx) + timeout_of(io);
	u32 delay = POLL_MIN_US, st;
	int ret;

	for (;;) {
		ret = rd_status(io, &st);
		if (ret)
			return ret; /* incl. surprise removal */
		*last = st;
		if ((st & mask) == want || (st & stop))
			return 0;
		if (io->now_us(io->ctx) >= deadline)
			return -ETIMEDOUT;
		ret = io->wait(io->ctx, delay);
		if (ret)
			return ret;
		if (delay < POLL_MAX_US)
			delay *= 2;
	}
}

int tsmh_doe_req_abort(const struct tsmh_doe_io *io)
{
	u32 st;
	int ret;

	ret = wr(io, TSMH_DOE_CTRL, TSMH_DOE_CTRL_ABORT);
	if (ret)
		return ret;
	return poll_status(io, TSMH_DOE_STATUS_BUSY | TSMH_DOE_STATUS_ERROR |
			   TSMH_DOE_STATUS_DOR, 0, 0, &st);
}

static int fail(const struct tsmh_doe_io *io, int err)
{
	/* Best effort: leave the mailbox idle for the next user. */
	if (err != -ENODEV)
		tsmh_doe_req_abort(io);
	return err;
}

static int send_req(const struct tsmh_doe_io *io, u16 vid, u8 type,
		    const u8 *req, u32 req_len)
{
	u32 st, i, len_dw = TSMH_DOE_HDR_DW + req_len / 4;
	int ret;

	ret = rd_status(io, &st);
	if (ret)
		return ret;
	/*
	 * A response waiting to be read belongs to somebody else's exchange
	 * (ours never leave one: every failure aborts): leave it alone.
	 */
	if (st & TSMH_DOE_STATUS_DOR)
		return -EBUSY;
	if (st & TSMH_DOE_STATUS_ERROR) {
		/* a failed exchange left Error set: clear it */
		ret = tsmh_doe_req_abort(io);
		if (ret)
			return ret == -ETIMEDOUT ? -EBUSY : ret;
	}
	if (st & TSMH_DOE_STATUS_BUSY) {
		ret = poll_status(io, TSMH_DOE_STATUS_BUSY, 0, 0, &st);
		if (ret)
			return ret == -ETIMEDOUT ? -EBUSY : ret;
	}
	ret = wr(io, TSMH_DOE_WRITE, tsmh_doe_hdr0(vid, type));
	if (!ret)
		ret = wr(io, TSMH_DOE_WRITE, tsmh_doe_hdr1(len_dw));
	for (i = 0; !ret && i < req_len / 4; i++)
		ret = wr(io, TSMH_DOE_WRITE, tsmh_get_le32(req + 4 * i));
	if (!ret)
		ret = wr(io, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO);
	return ret;
}

/* Read one response dword and pop it; -EIO if the object ended early. */
static int pop(const struct tsmh_doe_io *io, u32 *v)
{
	u32 st;
	int ret;

	ret = rd_status(io, &st);
	if (ret)
		return ret;
	if ((st & TSMH_DOE_STATUS_ERROR) || !(st & TSMH_DOE_STATUS_DOR))
		return -EIO;
	ret = rd(io, TSMH_DOE_READ, v);
	if (ret)
		return ret;
	return wr(io, TSMH_DOE_READ, 0);
}

int tsmh_doe_req_exchange(const struct tsmh_doe_io *io, u16 vid, u8 type,
			  const u8 *req, u32 req_len, u8 *rsp, u32 rsp_cap,
			  u32 *rsp_len)
{
	u32 st, h0, h1, len_dw, i, v;
	int ret;

	*rsp_len = 0;
	if ((req_len & 3) || req_len / 4 > TSMH_DOE_MAX_DW - TSMH_DOE_HDR_DW)
		return -EINVAL;

	ret = send_req(io, vid, type, req, req_len);
	if (ret == -EBUSY)
		return ret; /* somebody else's exchange: not ours to abort */
	if (ret)
		return fail(io, ret);

	ret = poll_status(io, TSMH_DOE_STATUS_DOR, TSMH_DOE_STATUS_DOR,
			  TSMH_DOE_STATUS_ERROR, &st);
	if (!ret && (st & TSMH_DOE_STATUS_ERROR))
		ret = -EIO;
	if (ret)
		return fail(io, ret);

	ret = pop(io, &h0);
	if (!ret)
		ret = pop(io, &h1);
	if (ret)
		return fail(io, ret);
	if (tsmh_doe_hdr_vid(h0) != vid || tsmh_doe_hdr_type(h0) != type)
		return fail(io, -EIO);
	len_dw = tsmh_doe_hdr_len(h1);
	if (len_dw < TSMH_DOE_HDR_DW)
		return fail(io, -EIO);

	*rsp_len = (len_dw - TSMH_DOE_HDR_DW) * 4;
	/*
	 * A response we cannot keep is not read out (up to 2^18 dwords, a
	 * config cycle pair each, for nothing): abort it; *rsp_len says how
	 * long it was.
	 */
	if (*rsp_len > rsp_cap)
		return fail(io, -EMSGSIZE);
	for (i = 0; i < len_dw - TSMH_DOE_HDR_DW; i++) {
		ret = pop(io, &v);
		if (ret)
			return fail(io, ret);
		tsmh_put_le32(rsp + 4 * i, v);
	}
	/* The object must end where its length said it would. */
	ret = rd_status(io, &st);
	if (ret)
		return fail(io, ret);
	if (st & (TSMH_DOE_STATUS_ERROR | TSMH_DOE_STATUS_DOR))
		return fail(io, -EIO);
	return 0;
}
