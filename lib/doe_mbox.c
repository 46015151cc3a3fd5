// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Device-side DOE mailbox register model. See doe_mbox.h.
 */
#include "doe_mbox.h"

void tsmh_doe_mbox_init(struct tsmh_doe_mbox *mb, u32 *wbuf, u32 *rbuf, u32 cap_dw)
{
	memset(mb, 0, sizeof(*mb));
	mb->wbuf = wbuf;
	mb->rbuf = rbuf;
	mb->cap_dw = cap_dw;
}

enum tsmh_mbox_action tsmh_doe_mbox_reset(struct tsmh_doe_mbox *mb)
{
	int was_pending = mb->pending;

	mb->wlen = 0;
	mb->rlen = 0;
	mb->rpos = 0;
	mb->status = 0;
	mb->pending = 0;
	mb->seq++;
	return was_pending ? TSMH_MBOX_ABORTED : TSMH_MBOX_NONE;
}

static void set_error(struct tsmh_doe_mbox *mb)
{
	mb->status |= TSMH_DOE_STATUS_ERROR;
	mb->status &= ~(TSMH_DOE_STATUS_BUSY | TSMH_DOE_STATUS_DOR);
	mb->wlen = 0;
	mb->rlen = 0;
	mb->rpos = 0;
	mb->nr_error++;
}

u32 tsmh_doe_mbox_read(struct tsmh_doe_mbox *mb, u32 reg)
{
	switch (reg) {
	case TSMH_DOE_CAP:
		return 0; /* no interrupt support: the requester polls */
	case TSMH_DOE_CTRL:
		return mb->ctrl;
	case TSMH_DOE_STATUS:
		return mb->status;
	case TSMH_DOE_READ:
		if ((mb->status & TSMH_DOE_STATUS_DOR) && mb->rpos < mb->rlen)
			return mb->rbuf[mb->rpos];
		return 0;
	default:
		return 0;
	}
}

static enum tsmh_mbox_action go(struct tsmh_doe_mbox *mb)
{
	u32 len;

	if (mb->pending || (mb->status & TSMH_DOE_STATUS_DOR)) {
		/* GO while the previous exchange is unfinished */
		set_error(mb);
		return TSMH_MBOX_NONE;
	}
	if (mb->wlen < TSMH_DOE_HDR_DW) {
		set_error(mb);
		return TSMH_MBOX_NONE;
	}
	len = tsmh_doe_hdr_len(mb->wbuf[1]);
	if (len != mb->wlen) {
		set_error(mb);
		return TSMH_MBOX_NONE;
	}
	mb->pending = 1;
	mb->seq++;
	mb->status |= TSMH_DOE_STATUS_BUSY;
	mb->nr_submit++;
	return TSMH_MBOX_SUBMIT;
}

enum tsmh_mbox_action tsmh_doe_mbox_write(struct tsmh_doe_mbox *mb, u32 reg, u32 val)
{
	switch (reg) {
	case TSMH_DOE_CTRL:
		mb->ctrl = val & TSMH_DOE_CTRL_INT_EN;
		if (val & TSMH_DOE_CTRL_ABORT) {
			mb->nr_abort++;
			return tsmh_doe_mbox_reset(mb);
		}
		if (val & TSMH_DOE_CTRL_GO) {
			if (mb->status & TSMH_DOE_STATUS_ERROR)
				return TSMH_MBOX_NONE;
			return go(mb);
		}
		return TSMH_MBOX_NONE;
	case TSMH_DOE_WRITE:
		if (mb->status & TSMH_DOE_STATUS_ERROR)
			return TSMH_MBOX_NONE;
		if (mb->pending) {
			/* write while busy: the spec leaves it undefined, we flag it */
			set_error(mb);
			return TSMH_MBOX_NONE;
		}
		if (mb->wlen >= mb->cap_dw) {
			set_error(mb);
			return TSMH_MBOX_NONE;
		}
		mb->wbuf[mb->wlen++] = val;
		return TSMH_MBOX_NONE;
	case TSMH_DOE_READ:
		/* any write pops the current response dword */
		if (!(mb->status & TSMH_DOE_STATUS_DOR))
			return TSMH_MBOX_NONE;
		if (++mb->rpos >= mb->rlen) {
			mb->status &= ~TSMH_DOE_STATUS_DOR;
			mb->rlen = 0;
			mb->rpos = 0;
		}
		return TSMH_MBOX_NONE;
	default:
		return TSMH_MBOX_NONE;
	}
}

int tsmh_doe_mbox_complete(struct tsmh_doe_mbox *mb, u32 seq, const u8 *obj, u32 len)
{
	u16 vid;
	u8 type;
	u32 i;

	if (!mb->pending || seq != mb->seq) {
		mb->nr_stale++;
		return -ESTALE;
	}
	mb->pending = 0;
	mb->wlen = 0;
	mb->status &= ~TSMH_DOE_STATUS_BUSY;
	if (tsmh_doe_obj_check(obj, len, &vid, &type) || len / 4 > mb->cap_dw) {
		set_error(mb);
		return -EINVAL;
	}
	for (i = 0; i < len / 4; i++)
		mb->rbuf[i] = tsmh_get_le32(obj + 4 * i);
	mb->rlen = len / 4;
	mb->rpos = 0;
	mb->status |= TSMH_DOE_STATUS_DOR;
	return 0;
}

int tsmh_doe_mbox_fail(struct tsmh_doe_mbox *mb, u32 seq)
{
	if (!mb->pending || seq != mb->seq) {
		mb->nr_stale++;
		return -ESTALE;
	}
	mb->pending = 0;
	set_error(mb);
	return 0;
}
