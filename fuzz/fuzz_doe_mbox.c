// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the device-side DOE mailbox model (lib/doe_mbox.c), which
 * runs inside the kernel sim under a spinlock, driven by a hostile host.
 * Input: a program of register reads/writes, resets, completions (with
 * object bytes) and failures. Invariants: the read position never passes
 * the response, the request never passes the buffer, and a stale
 * completion is refused.
 */
#include <stdint.h>
#include <string.h>
#include "doe_mbox.h"

#define CAP_DW 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u32 wbuf[CAP_DW], rbuf[CAP_DW];
	struct tsmh_doe_mbox mb;
	size_t i = 0;
	u32 seq_seen = 0;

	tsmh_doe_mbox_init(&mb, wbuf, rbuf, CAP_DW);
	while (i + 5 <= size) {
		uint8_t op = data[i];
		u32 reg = (u32)(data[i] >> 4 & 7) * 4 % TSMH_DOE_CAP_SIZE, val;

		memcpy(&val, data + i + 1, 4);
		i += 5;
		switch (op & 7) {
		case 0:
		case 1:
			if (tsmh_doe_mbox_write(&mb, reg, val) == TSMH_MBOX_SUBMIT)
				seq_seen = mb.seq;
			break;
		case 2:
		case 3: tsmh_doe_mbox_read(&mb, reg); break;
		case 4: tsmh_doe_mbox_reset(&mb); break;
		case 5: {
			/* complete with the next (val & 0xff) bytes as the object */
			u32 len = val & 0xff;

			if (len > size - i)
				len = (u32)(size - i);
			if (!tsmh_doe_mbox_complete(&mb, (op & 8) ? seq_seen : val >> 8, data + i,
						    len) &&
			    mb.rlen > CAP_DW)
				__builtin_trap();
			i += len;
			break;
		}
		case 6: tsmh_doe_mbox_fail(&mb, (op & 8) ? seq_seen : val); break;
		default: break;
		}
		if (mb.wlen > CAP_DW || mb.rlen > CAP_DW || mb.rpos > mb.rlen)
			__builtin_trap();
	}
	return 0;
}
