// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the capability walk over an arbitrary config space dump. */
#include <stdint.h>
#include <string.h>
#include "pcicap.h"

static uint8_t cfg[TSMH_CFG_SIZE_EXT];

static int rd(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	if (off > TSMH_CFG_SIZE_EXT - 4 || (off & 3))
		__builtin_trap(); /* the walker must never ask for this */
	*v = tsmh_get_le32(cfg + off);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_cfg_reader r = { .read32 = rd };
	struct tsmh_caps c;
	int i;

	memset(cfg, 0, sizeof(cfg));
	memcpy(cfg, data, size < sizeof(cfg) ? size : sizeof(cfg));
	r.size = size > TSMH_CFG_SIZE_LEGACY ? TSMH_CFG_SIZE_EXT : TSMH_CFG_SIZE_LEGACY;
	if (tsmh_caps_walk(&r, &c))
		return 0;
	if (c.nr_caps > TSMH_MAX_CAPS || c.nr_doe > TSMH_MAX_DOE)
		__builtin_trap();
	for (i = 0; i < c.nr_caps; i++)
		if (c.caps[i].off < 0x40 || c.caps[i].off > TSMH_CFG_SIZE_EXT - 4)
			__builtin_trap();
	return 0;
}
