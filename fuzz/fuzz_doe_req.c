// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the host-side DOE requester against a device whose register
 * reads are arbitrary (status bits, response dwords, lengths): it must
 * terminate, never overrun the response buffer, and report an error or a
 * response that fits.
 */
#include <stdint.h>
#include <string.h>
#include "doe_req.h"

struct dev {
	const uint8_t *data;
	size_t size, pos;
	uint64_t now;
};

static int rd(void *ctx, u16 off, u32 *v)
{
	struct dev *d = ctx;
	uint8_t b[4] = { 0 };
	size_t i;

	(void)off;
	for (i = 0; i < 4 && d->pos < d->size; i++)
		b[i] = d->data[d->pos++];
	*v = tsmh_get_le32(b);
	if (d->pos >= d->size)
		*v = 0; /* device goes quiet: idle status, no data */
	return 0;
}

static int wr(void *ctx, u16 off, u32 v)
{
	(void)ctx;
	(void)off;
	(void)v;
	return 0;
}

static int wait_us(void *ctx, u32 us)
{
	((struct dev *)ctx)->now += us;
	return 0;
}

static u64 now(void *ctx)
{
	return ((struct dev *)ctx)->now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dev d = { .data = data, .size = size };
	struct tsmh_doe_io io = {
		.read32 = rd,
		.write32 = wr,
		.wait = wait_us,
		.now_us = now,
		.ctx = &d,
		.cap = 0x100,
	};
	static const uint8_t req[4] = { 0x10, 0x84, 0, 0 };
	uint8_t rsp[64];
	uint32_t len = 0;
	int ret;

	ret = tsmh_doe_req_exchange(&io, 1, 1, req, sizeof(req), rsp, sizeof(rsp), &len);
	if (ret == 0 && len > sizeof(rsp))
		__builtin_trap();
	if (ret > 0)
		__builtin_trap();
	return 0;
}
