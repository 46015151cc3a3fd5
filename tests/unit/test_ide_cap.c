// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE Extended Capability decode and the stream register encoders.
 * The capability dumps are built here byte by byte from the layout in
 * PCIe r6.x 7.9.26 (bit positions written out, not taken from the
 * library's macros), in several shapes: selective only, link +
 * selective, 0 and 15 address association blocks, blocks of different
 * sizes, and ones that run past config space or into the next capability.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ide_cap.h"

static uint8_t cfg[4096];
static char why[256];

static int rd(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	assert_true(off <= 4092 && !(off & 3));
	*v = tsmh_get_le32(cfg + off);
	return 0;
}

static const struct tsmh_cfg_reader rdr = { .read32 = rd, .size = 4096 };

/* registers beyond config space are not there (truncated shapes) */
static void put32(unsigned int off, uint32_t v)
{
	if (off > sizeof(cfg) - 4)
		return;
	cfg[off] = v & 0xff;
	cfg[off + 1] = (v >> 8) & 0xff;
	cfg[off + 2] = (v >> 16) & 0xff;
	cfg[off + 3] = v >> 24;
}

/* extended capability header: ID 0x30, version 1, next */
static void ide_header(unsigned int off, unsigned int next)
{
	put32(off, 0x30 | 1u << 16 | (uint32_t)next << 20);
}

/*
 * Lay out an IDE capability at @off: @nr_link link blocks (0: Link IDE
 * not supported), @nr_sel selective blocks with assoc[i] address blocks
 * each. Every register gets a recognisable value derived from its block
 * and offset. Returns the offset after the last block.
 */
static unsigned int build(unsigned int off, unsigned int next, unsigned int nr_link,
			  unsigned int nr_sel, const unsigned int *assoc)
{
	uint32_t cap = 1u << 6 /* IDE_KM */;
	unsigned int pos, i, x;

	if (nr_link)
		cap |= 1u << 0 | (uint32_t)(nr_link - 1) << 13;
	if (nr_sel)
		cap |= 1u << 1 | (uint32_t)(nr_sel - 1) << 16;
	ide_header(off, next);
	put32(off + 4, cap);
	put32(off + 8, 0);
	pos = off + 12;
	for (i = 0; i < nr_link; i++, pos += 8) {
		/* enabled, TC = i, stream ID 0x40 + i, state secure */
		put32(pos, 1u | i << 19 | (0x40 + i) << 24);
		put32(pos + 4, 2);
	}
	for (i = 0; i < nr_sel; i++) {
		put32(pos, assoc[i]);
		/* ID 0x10 + i, TC 0, not enabled, insecure */
		put32(pos + 4, (0x10 + i) << 24);
		put32(pos + 8, 0);
		put32(pos + 12, (0x0100 + i) << 8); /* RID limit */
		put32(pos + 16, 1u | (0x0100 + i) << 8); /* valid, base, segment 0 */
		for (x = 0; x < assoc[i]; x++) {
			/* window i.x: [x GiB + i MiB, x GiB + i MiB + 1 MiB - 1] + 4 GiB * i */
			uint64_t base = ((uint64_t)i << 32) | (uint64_t)x << 30 | (uint64_t)i << 20;
			uint64_t lim = base + 0xfffff;

			put32(pos + 20 + 12 * x, 1u | (uint32_t)((base >> 20) & 0xfff) << 8 |
							 (uint32_t)((lim >> 20) & 0xfff) << 20);
			put32(pos + 24 + 12 * x, (uint32_t)(lim >> 32));
			put32(pos + 28 + 12 * x, (uint32_t)(base >> 32));
		}
		pos += 20 + 12 * assoc[i];
	}
	return pos;
}

static struct tsmh_ide_layout l;
static struct tsmh_ide_sel sel;

static void test_selective_only(void **st)
{
	static const unsigned int assoc[] = { 1, 1 };
	struct tsmh_ide_link lk;
	unsigned int end;

	(void)st;
	memset(cfg, 0, sizeof(cfg));
	end = build(0x200, 0, 0, 2, assoc);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x200, &l, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_true(l.cap.selective);
	assert_false(l.cap.link);
	assert_true(l.cap.ide_km);
	assert_int_equal(l.nr_link, 0);
	assert_int_equal(l.nr_sel, 2);
	assert_true(l.assoc_uniform);
	/* no link blocks: selective block 0 right after the control register */
	assert_int_equal(l.sel_off[0], 0x20c);
	assert_int_equal(l.sel_off[1], 0x20c + 32);
	assert_int_equal(l.end, end);
	assert_int_equal(tsmh_ide_link_read(&rdr, &l, 0, &lk), -EINVAL);

	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 1, &sel), 0);
	assert_int_equal(sel.off, 0x22c);
	assert_int_equal(sel.nr_assoc, 1);
	assert_int_equal(sel.ctl.stream_id, 0x11);
	assert_false(sel.ctl.en);
	assert_true(sel.rid.valid);
	assert_int_equal(sel.rid.base, 0x101);
	assert_int_equal(sel.rid.limit, 0x101);
	assert_true(sel.addr[0].valid);
	assert_int_equal(sel.addr[0].base, 0x100100000ULL);
	assert_int_equal(sel.addr[0].limit, 0x1001fffffULL);
	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 2, &sel), -EINVAL);
}

static void test_link_and_selective(void **st)
{
	static const unsigned int assoc[] = { 2, 2, 2 };
	struct tsmh_ide_link lk;
	unsigned int i;

	(void)st;
	memset(cfg, 0, sizeof(cfg));
	build(0x100, 0, 4, 3, assoc);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x100, &l, why, sizeof(why)), 0);
	assert_true(l.cap.link);
	assert_int_equal(l.cap.nr_link_tc, 4);
	assert_int_equal(l.nr_link, 4);
	assert_int_equal(l.nr_sel, 3);
	for (i = 0; i < 4; i++) {
		assert_int_equal(tsmh_ide_link_read(&rdr, &l, i, &lk), 0);
		assert_int_equal(lk.off, 0x10c + 8 * i);
		assert_true(lk.ctl.en);
		assert_int_equal(lk.ctl.tc, i);
		assert_int_equal(lk.ctl.stream_id, 0x40 + i);
		assert_int_equal(lk.sts.state, TSMH_IDE_STATE_SECURE);
		assert_string_equal(tsmh_ide_state_name(lk.sts.state), "secure");
	}
	/* selective blocks after the 4 link blocks, 20 + 2 * 12 bytes each */
	for (i = 0; i < 3; i++)
		assert_int_equal(l.sel_off[i], 0x10c + 32 + 44 * i);
	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 2, &sel), 0);
	assert_int_equal(sel.addr[1].base, (2ULL << 32) | 1ULL << 30 | 2ULL << 20);
	assert_int_equal(sel.addr[1].limit, sel.addr[1].base + 0xfffff);
}

static void test_assoc_0_and_15(void **st)
{
	static const unsigned int assoc[] = { 0, 15, 3 };
	unsigned int x;

	(void)st;
	memset(cfg, 0, sizeof(cfg));
	build(0x100, 0, 1, 3, assoc);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x100, &l, why, sizeof(why)), 0);
	assert_int_equal(l.sel_off[0], 0x114);
	assert_int_equal(l.sel_off[1], 0x114 + 20);
	assert_int_equal(l.sel_off[2], 0x114 + 20 + 200);
	assert_int_equal(l.end, 0x114 + 20 + 200 + 56);
	/* the spec allows it; Linux would refuse the device: reported */
	assert_false(l.assoc_uniform);
	assert_int_equal(l.assoc_differs_at, 1);
	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 0, &sel), 0);
	assert_int_equal(sel.nr_assoc, 0);
	assert_int_equal(sel.ctl.stream_id, 0x10);
	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 1, &sel), 0);
	assert_int_equal(sel.nr_assoc, 15);
	for (x = 0; x < 15; x++) {
		assert_true(sel.addr[x].valid);
		assert_int_equal(sel.addr[x].base, (1ULL << 32) | (uint64_t)x << 30 | 1ULL << 20);
	}
	/* the block after the big one is found where the spec puts it */
	assert_int_equal(tsmh_ide_sel_read(&rdr, &l, 2, &sel), 0);
	assert_int_equal(sel.ctl.stream_id, 0x12);
	assert_int_equal(sel.rid.base, 0x102);
}

static void test_truncated(void **st)
{
	static const unsigned int assoc[] = { 15, 15 };
	static const unsigned int one[] = { 1 };

	(void)st;
	/* two 200-byte blocks from 0xe80: the second ends past 4096 */
	memset(cfg, 0, sizeof(cfg));
	build(0xe80, 0, 0, 2, assoc);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0xe80, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "selective IDE stream register block 1"));
	assert_non_null(strstr(why, "end of config space"));

	/* 8 link blocks at 0xfd0 do not fit either */
	memset(cfg, 0, sizeof(cfg));
	ide_header(0xfd0, 0);
	put32(0xfd4, 1u | 7u << 13);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0xfd0, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "link IDE stream register block 4"));

	/* a block reaching into the next capability */
	memset(cfg, 0, sizeof(cfg));
	build(0x100, 0x120, 0, 1, one);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x100, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "selective IDE stream register block 0 (0x10c..0x12b)"));
	assert_non_null(strstr(why, "next capability at 0x120"));
	/* the same block with the next capability right after it is fine */
	build(0x100, 0x12c, 0, 1, one);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x100, &l, why, sizeof(why)), 0);

	/* not an IDE capability */
	put32(0x100, 0x2e | 1u << 16);
	assert_int_equal(tsmh_ide_layout_read(&rdr, 0x100, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not IDE"));
	/* a config space without extended capabilities */
	{
		struct tsmh_cfg_reader small = rdr;

		small.size = 256;
		assert_int_equal(tsmh_ide_layout_read(&small, 0x100, &l, why, sizeof(why)),
				 -EINVAL);
	}
}

static void test_capreg_bits(void **st)
{
	struct tsmh_ide_capreg c;

	(void)st;
	tsmh_ide_capreg_decode(0, &c);
	assert_int_equal(c.nr_sel, 0);
	assert_int_equal(c.nr_link_tc, 0);
	/* SEL_NUM / LINK_TC_NUM mean nothing without their support bit */
	tsmh_ide_capreg_decode(0xffu << 16 | 7u << 13, &c);
	assert_int_equal(c.nr_sel, 0);
	assert_int_equal(c.nr_link_tc, 0);
	tsmh_ide_capreg_decode(1u << 1 | 0xffu << 16, &c);
	assert_int_equal(c.nr_sel, 256);
	tsmh_ide_capreg_decode(1u << 0 | 7u << 13, &c);
	assert_int_equal(c.nr_link_tc, 8);
	tsmh_ide_capreg_decode(1u << 2, &c);
	assert_true(c.flowthrough && !c.partial_hdr && !c.link);
	tsmh_ide_capreg_decode(1u << 3, &c);
	assert_true(c.partial_hdr && !c.aggregation);
	tsmh_ide_capreg_decode(1u << 4, &c);
	assert_true(c.aggregation && !c.pcrc);
	tsmh_ide_capreg_decode(1u << 5, &c);
	assert_true(c.pcrc && !c.ide_km);
	tsmh_ide_capreg_decode(1u << 7, &c);
	assert_true(c.sel_cfg && !c.ide_km);
	tsmh_ide_capreg_decode(1u << 24, &c);
	assert_true(c.tee_limited && !c.sel_cfg);
	tsmh_ide_capreg_decode(0x1fu << 8, &c);
	assert_int_equal(c.alg, 0x1f);
	assert_string_equal(tsmh_ide_alg_name(c.alg), "reserved");
	assert_string_equal(tsmh_ide_alg_name(0), "aes-gcm-256-96");
	assert_string_equal(tsmh_ide_state_name(0), "insecure");
	assert_string_equal(tsmh_ide_state_name(1), "reserved");
}

static void test_ctl_round_trip(void **st)
{
	struct tsmh_ide_ctl c, d;
	const char *w;
	uint32_t v, seed = 1;
	int i;

	(void)st;
	/* every field at its extreme lands where the spec puts it */
	memset(&c, 0, sizeof(c));
	c.stream_id = 0xff;
	assert_int_equal(tsmh_ide_ctl_encode(&c, true, &v, &w), 0);
	assert_int_equal(v, 0xff000000);
	memset(&c, 0, sizeof(c));
	c.en = c.pcrc_en = c.cfg_en = c.default_stream = c.tee_limited = true;
	c.aggr_npr = 1;
	c.aggr_pr = 2;
	c.aggr_cpl = 3;
	c.part_enc = 0xf;
	c.alg = 0x1f;
	c.tc = 7;
	assert_int_equal(tsmh_ide_ctl_encode(&c, true, &v, &w), 0);
	assert_int_equal(v, 0x1u | 1u << 2 | 2u << 4 | 3u << 6 | 1u << 8 | 1u << 9 | 0xfu << 10 |
				    0x1fu << 14 | 7u << 19 | 1u << 22 | 1u << 23);
	/* link streams have no CFG_EN/default/TEE-limited */
	assert_int_equal(tsmh_ide_ctl_encode(&c, false, &v, &w), -EINVAL);
	assert_non_null(strstr(w, "selective streams only"));
	c.tc = 8;
	assert_int_equal(tsmh_ide_ctl_encode(&c, true, &v, &w), -EINVAL);
	assert_non_null(strstr(w, "traffic class"));
	/* decode(encode(x)) == x for many values, selective and link */
	for (i = 0; i < 2000; i++) {
		bool s = i & 1;

		seed = seed * 1103515245 + 12345;
		memset(&c, 0, sizeof(c));
		c.en = seed & 1;
		c.pcrc_en = seed & 2;
		if (s) {
			c.cfg_en = seed & 4;
			c.default_stream = seed & 8;
			c.tee_limited = seed & 16;
		}
		c.aggr_npr = (seed >> 5) & 3;
		c.aggr_pr = (seed >> 7) & 3;
		c.aggr_cpl = (seed >> 9) & 3;
		c.part_enc = (seed >> 11) & 0xf;
		c.alg = (seed >> 15) & 0x1f;
		c.tc = (seed >> 20) & 7;
		c.stream_id = (seed >> 23) & 0xff;
		assert_int_equal(tsmh_ide_ctl_encode(&c, s, &v, &w), 0);
		tsmh_ide_ctl_decode(v, s, &d);
		assert_memory_equal(&c, &d, sizeof(c));
	}
}

static void test_rid(void **st)
{
	struct tsmh_ide_rid r;
	uint32_t r1, r2;
	const char *w;

	(void)st;
	/* endpoint 01:00.0 with VFs up to 01:01.7, segment 3 */
	assert_int_equal(tsmh_ide_rid_encode(0x0100, 0x010f, 3, &r1, &r2, &w), 0);
	assert_int_equal(r1, 0x010f00);
	assert_int_equal(r2, 0x03010001);
	tsmh_ide_rid_decode(r1, r2, &r);
	assert_true(r.valid);
	assert_int_equal(r.base, 0x0100);
	assert_int_equal(r.limit, 0x010f);
	assert_int_equal(r.seg, 3);
	assert_int_equal(tsmh_ide_rid_encode(0xffff, 0xffff, 0xff, &r1, &r2, &w), 0);
	tsmh_ide_rid_decode(r1, r2, &r);
	assert_int_equal(r.base, 0xffff);
	assert_int_equal(r.seg, 0xff);
	assert_int_equal(tsmh_ide_rid_encode(0x0200, 0x0100, 0, &r1, &r2, &w), -EINVAL);
	assert_non_null(strstr(w, "RID base above RID limit"));
}

static void test_addr(void **st)
{
	static const struct {
		uint64_t base, limit, want_base, want_limit;
	} t[] = {
		/* aligned: unchanged */
		{ 0xfe000000, 0xfe0fffff, 0xfe000000, 0xfe0fffff },
		/* a 16 KiB BAR: the 1 MiB granule around it */
		{ 0xfe104000, 0xfe107fff, 0xfe100000, 0xfe1fffff },
		/* crossing 4 GiB: upper halves differ */
		{ 0xfff00000, 0x1000fffffULL, 0xfff00000, 0x1000fffffULL },
		/* a 64-bit prefetchable window */
		{ 0x38000000000ULL, 0x3800fffffffULL, 0x38000000000ULL, 0x3800fffffffULL },
		/* unaligned both ends */
		{ 0x123456789ULL, 0x12345678aULL, 0x123400000ULL, 0x1234fffffULL },
		/* the whole space */
		{ 0, ~0ULL, 0, ~0ULL },
	};
	struct tsmh_ide_addr a;
	uint32_t regs[3];
	const char *w;
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(tsmh_ide_addr_encode(t[i].base, t[i].limit, regs, &w), 0);
		/* register 2 is the limit's upper half, register 3 the base's */
		assert_int_equal(regs[1], (uint32_t)(t[i].want_limit >> 32));
		assert_int_equal(regs[2], (uint32_t)(t[i].want_base >> 32));
		tsmh_ide_addr_decode(regs[0], regs[1], regs[2], &a);
		assert_true(a.valid);
		assert_int_equal(a.base, t[i].want_base);
		assert_int_equal(a.limit, t[i].want_limit);
		/* the window programmed covers the one asked for */
		assert_true(a.base <= t[i].base && a.limit >= t[i].limit);
	}
	/* the lower register by hand: base 0xfe1 in [19:8], limit 0xfe1 in [31:20] */
	assert_int_equal(tsmh_ide_addr_encode(0xfe104000, 0xfe107fff, regs, &w), 0);
	assert_int_equal(regs[0], 0xfe1fe101);
	assert_int_equal(tsmh_ide_addr_encode(0x200000, 0x1fffff, regs, &w), -EINVAL);
	assert_non_null(strstr(w, "base above its limit"));
}

static void test_windows(void **st)
{
	/* 64-bit BAR above 4 GiB, two 16 KiB BARs in one granule, one next to it */
	static const struct tsmh_ide_win in[] = {
		{ 0x380000000000ULL, 0x3800001fffffULL },
		{ 0xfe104000, 0xfe107fff },
		{ 0xfe100000, 0xfe103fff },
		{ 0xfe200000, 0xfe2fffff },
		{ 0xfd000000, 0xfd003fff },
		{ 0x1000, 0xfff }, /* empty: skipped */
	};
	struct tsmh_ide_win out[8];
	int n, i;

	(void)st;
	assert_int_equal(tsmh_ide_addr_windows(in, 0, out, 1), 0);
	/* a device without memory BARs: no window */
	assert_int_equal(tsmh_ide_addr_windows(&in[5], 1, out, 1), 0);
	assert_int_equal(tsmh_ide_addr_windows(in, 1, out, 0), -ENOSPC);
	/* touching granules merge: fe1 + fe2 -> one; fd0 and the 64-bit stay apart */
	n = tsmh_ide_addr_windows(in, 6, out, 8);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].base, 0xfd000000);
	assert_int_equal(out[0].limit, 0xfd0fffff);
	assert_int_equal(out[1].base, 0xfe100000);
	assert_int_equal(out[1].limit, 0xfe2fffff);
	assert_int_equal(out[2].base, 0x380000000000ULL);
	assert_int_equal(out[2].limit, 0x3800001fffffULL);
	/* two blocks: the smallest gap (fd0..fe1) is merged, not the 64-bit one */
	n = tsmh_ide_addr_windows(in, 6, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].base, 0xfd000000);
	assert_int_equal(out[0].limit, 0xfe2fffff);
	assert_int_equal(out[1].base, 0x380000000000ULL);
	/* one block: everything in one window that covers every range */
	n = tsmh_ide_addr_windows(in, 6, out, 1);
	assert_int_equal(n, 1);
	for (i = 0; i < 5; i++)
		assert_true(out[0].base <= in[i].base && out[0].limit >= in[i].limit);
	/* the top of the address space does not wrap */
	{
		static const struct tsmh_ide_win top[] = {
			{ 0xfffffffffff00000ULL, ~0ULL },
			{ 0xffffffffffe00000ULL, 0xffffffffffefffffULL },
		};

		assert_int_equal(tsmh_ide_addr_windows(top, 2, out, 2), 1);
		assert_int_equal(out[0].base, 0xffffffffffe00000ULL);
		assert_int_equal(out[0].limit, ~0ULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selective_only),
		cmocka_unit_test(test_link_and_selective),
		cmocka_unit_test(test_assoc_0_and_15),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_capreg_bits),
		cmocka_unit_test(test_ctl_round_trip),
		cmocka_unit_test(test_rid),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
