// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the IDE capability decode over an arbitrary config space
 * (input: 2 bytes capability offset, then the config space from 0x100),
 * the register encoders round-tripped on values from the input, and the
 * address association windows of up to 32 ranges taken from the input.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "ide_cap.h"

static uint8_t cfg[TSMH_CFG_SIZE_EXT];
static struct tsmh_ide_layout l;
static struct tsmh_ide_sel sel;

static int rd(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	if (off > TSMH_CFG_SIZE_EXT - 4 || (off & 3))
		__builtin_trap(); /* the decoder must never ask for this */
	*v = tsmh_get_le32(cfg + off);
	return 0;
}

static u64 get64(const uint8_t *p)
{
	return (u64)tsmh_get_le32(p) | (u64)tsmh_get_le32(p + 4) << 32;
}

static void encoders(const uint8_t *data, size_t size)
{
	struct tsmh_ide_addr a;
	struct tsmh_ide_ctl c, d;
	struct tsmh_ide_rid r;
	u32 regs[3], v, w, r1, r2;
	const char *why;
	u64 base, limit;

	if (size < 24)
		return;
	base = get64(data);
	limit = get64(data + 8);
	if (tsmh_ide_addr_encode(base, limit, regs, &why) == 0) {
		tsmh_ide_addr_decode(regs[0], regs[1], regs[2], &a);
		/* exactly the 1 MiB granules around the window asked for */
		if (base > limit || !a.valid || a.base != (base & ~0xfffffULL) ||
		    a.limit != (limit | 0xfffffULL))
			__builtin_trap();
	} else if (base <= limit || !why) {
		__builtin_trap();
	}
	/* control: decode, encode back: the defined bits survive, no others */
	v = tsmh_get_le32(data + 16);
	tsmh_ide_ctl_decode(v, true, &c);
	if (tsmh_ide_ctl_encode(&c, true, &w, &why) || w != (v & 0xfffffffd))
		__builtin_trap();
	tsmh_ide_ctl_decode(w, true, &d);
	if (memcmp(&c, &d, sizeof(c)))
		__builtin_trap();
	tsmh_ide_ctl_decode(v, false, &c);
	if (tsmh_ide_ctl_encode(&c, false, &w, &why) || w != (v & 0xff3ffdfd))
		__builtin_trap();
	/* RID association */
	if (tsmh_ide_rid_encode(tsmh_get_le16(data + 20), tsmh_get_le16(data + 22), data[0], &r1,
				&r2, &why) == 0) {
		tsmh_ide_rid_decode(r1, r2, &r);
		if (!r.valid || r.base != tsmh_get_le16(data + 20) ||
		    r.limit != tsmh_get_le16(data + 22) || r.seg != data[0] || r.base > r.limit)
			__builtin_trap();
	} else if (tsmh_get_le16(data + 20) <= tsmh_get_le16(data + 22)) {
		__builtin_trap();
	}
}

/* windows: sorted, granular, apart, within @max, covering every range */
static void windows(const uint8_t *data, size_t size)
{
	struct tsmh_ide_win in[TSMH_IDE_WIN_IN_MAX], out[TSMH_IDE_MAX_ASSOC];
	unsigned int n = 0, max, i, j, nonempty = 0;
	int ret;

	if (size < 1)
		return;
	max = data[0] % (TSMH_IDE_MAX_ASSOC + 1);
	for (data++, size--; size >= 16 && n < TSMH_IDE_WIN_IN_MAX; data += 16, size -= 16) {
		in[n].base = get64(data);
		in[n].limit = get64(data + 8);
		nonempty += in[n].limit >= in[n].base;
		n++;
	}
	ret = tsmh_ide_addr_windows(in, n, out, max);
	if (!nonempty) {
		if (ret)
			__builtin_trap();
		return;
	}
	if (!max) {
		if (ret != -ENOSPC)
			__builtin_trap();
		return;
	}
	if (ret < 1 || (unsigned int)ret > max)
		__builtin_trap();
	for (i = 0; i < (unsigned int)ret; i++) {
		if ((out[i].base & 0xfffff) || (out[i].limit & 0xfffff) != 0xfffff ||
		    out[i].base > out[i].limit)
			__builtin_trap();
		if (i && out[i].base <= out[i - 1].limit + 1)
			__builtin_trap(); /* overlapping or touching: should be one */
	}
	for (j = 0; j < n; j++) {
		if (in[j].limit < in[j].base)
			continue;
		for (i = 0; i < (unsigned int)ret; i++)
			if (out[i].base <= in[j].base && out[i].limit >= in[j].limit)
				break;
		if (i == (unsigned int)ret)
			__builtin_trap(); /* a range not covered */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_cfg_reader rdr = { .read32 = rd, .size = TSMH_CFG_SIZE_EXT };
	struct tsmh_ide_link lk;
	char why[160];
	unsigned int i, prev_end;
	u16 off;

	encoders(data, size);
	windows(data, size);
	if (size < 2)
		return 0;
	off = tsmh_get_le16(data) & 0xfff;
	memset(cfg, 0, sizeof(cfg));
	size -= 2;
	memcpy(cfg + 0x100, data + 2, size < 0xf00 ? size : 0xf00);
	if (tsmh_ide_layout_read(&rdr, off, &l, why, sizeof(why))) {
		if (!why[0] || strnlen(why, sizeof(why)) == sizeof(why))
			__builtin_trap(); /* a refusal always says why */
		return 0;
	}
	/* every block inside config space and the capability, in order */
	if (l.end > TSMH_CFG_SIZE_EXT || l.nr_link > TSMH_IDE_MAX_LINK ||
	    l.nr_sel > TSMH_IDE_MAX_SEL || (l.next > l.off && l.end > l.next))
		__builtin_trap();
	prev_end = l.off + TSMH_IDE_LINK_BLK0 + l.nr_link * TSMH_IDE_LINK_BLK_SIZE;
	for (i = 0; i < l.nr_link; i++)
		if (tsmh_ide_link_read(&rdr, &l, i, &lk))
			__builtin_trap();
	for (i = 0; i < l.nr_sel; i++) {
		if (l.sel_off[i] != prev_end || l.sel_nr_assoc[i] > TSMH_IDE_MAX_ASSOC)
			__builtin_trap();
		prev_end += TSMH_IDE_SEL_BLK_SIZE(l.sel_nr_assoc[i]);
		if (tsmh_ide_sel_read(&rdr, &l, i, &sel))
			__builtin_trap();
		if (!(tsmh_ide_state_name(sel.sts.state)[0]))
			__builtin_trap();
	}
	if (prev_end != l.end)
		__builtin_trap();
	return 0;
}
