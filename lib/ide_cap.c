// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE Extended Capability decode and the stream register encoders
 * (lib/ide_cap.h).
 */
#include "ide_cap.h"
#ifndef __KERNEL__
#include <stdio.h>
#endif

static inline u32 field(u32 v, unsigned int shift, u32 width_mask)
{
	return (v >> shift) & width_mask;
}

void tsmh_ide_capreg_decode(u32 v, struct tsmh_ide_capreg *c)
{
	memset(c, 0, sizeof(*c));
	c->link = v & TSMH_IDE_CAP_LINK;
	c->selective = v & TSMH_IDE_CAP_SELECTIVE;
	c->flowthrough = v & TSMH_IDE_CAP_FLOWTHROUGH;
	c->partial_hdr = v & TSMH_IDE_CAP_PARTIAL_HDR;
	c->aggregation = v & TSMH_IDE_CAP_AGGREGATION;
	c->pcrc = v & TSMH_IDE_CAP_PCRC;
	c->ide_km = v & TSMH_IDE_CAP_IDE_KM;
	c->sel_cfg = v & TSMH_IDE_CAP_SEL_CFG;
	c->tee_limited = v & TSMH_IDE_CAP_TEE_LIMITED;
	c->alg = (u8)field(v, TSMH_IDE_CAP_ALG_SHIFT, 0x1f);
	c->nr_link_tc = (u8)tsmh_ide_nr_link_tcs(v);
	c->nr_sel = (u16)tsmh_ide_nr_sel_streams(v);
}

void tsmh_ide_ctl_decode(u32 v, bool selective, struct tsmh_ide_ctl *c)
{
	memset(c, 0, sizeof(*c));
	c->en = v & TSMH_IDE_CTL_EN;
	c->aggr_npr = (u8)field(v, TSMH_IDE_CTL_AGGR_NPR_SHIFT, 3);
	c->aggr_pr = (u8)field(v, TSMH_IDE_CTL_AGGR_PR_SHIFT, 3);
	c->aggr_cpl = (u8)field(v, TSMH_IDE_CTL_AGGR_CPL_SHIFT, 3);
	c->pcrc_en = v & TSMH_IDE_CTL_PCRC_EN;
	c->part_enc = (u8)field(v, TSMH_IDE_CTL_PART_ENC_SHIFT, 0xf);
	c->alg = (u8)field(v, TSMH_IDE_CTL_ALG_SHIFT, 0x1f);
	c->tc = (u8)field(v, TSMH_IDE_CTL_TC_SHIFT, 7);
	c->stream_id = (u8)field(v, TSMH_IDE_CTL_ID_SHIFT, 0xff);
	if (selective) {
		c->cfg_en = v & TSMH_IDE_CTL_CFG_EN;
		c->default_stream = v & TSMH_IDE_CTL_DEFAULT;
		c->tee_limited = v & TSMH_IDE_CTL_TEE_LIMITED;
	}
}

void tsmh_ide_sts_decode(u32 v, struct tsmh_ide_sts *s)
{
	s->state = v & TSMH_IDE_STS_STATE_MASK;
	s->ide_fail = v & TSMH_IDE_STS_IDE_FAIL;
}

void tsmh_ide_rid_decode(u32 rid1, u32 rid2, struct tsmh_ide_rid *r)
{
	r->limit = (u16)field(rid1, TSMH_IDE_RID1_LIMIT_SHIFT, 0xffff);
	r->valid = rid2 & TSMH_IDE_RID2_VALID;
	r->base = (u16)field(rid2, TSMH_IDE_RID2_BASE_SHIFT, 0xffff);
	r->seg = (u8)field(rid2, TSMH_IDE_RID2_SEG_SHIFT, 0xff);
}

void tsmh_ide_addr_decode(u32 a1, u32 a2, u32 a3, struct tsmh_ide_addr *a)
{
	a->raw[0] = a1;
	a->raw[1] = a2;
	a->raw[2] = a3;
	a->valid = a1 & TSMH_IDE_ADDR1_VALID;
	a->base = (u64)a3 << 32 | (u64)field(a1, TSMH_IDE_ADDR1_BASE_SHIFT, 0xfff) << 20;
	a->limit = (u64)a2 << 32 | (u64)field(a1, TSMH_IDE_ADDR1_LIMIT_SHIFT, 0xfff) << 20 |
		   (TSMH_IDE_ADDR_GRAIN - 1);
}

int tsmh_ide_ctl_encode(const struct tsmh_ide_ctl *c, bool selective, u32 *v, const char **why)
{
	*why = NULL;
	if (c->aggr_npr > 3 || c->aggr_pr > 3 || c->aggr_cpl > 3)
		*why = "Tx aggregation mode is 2 bits (0..3)";
	else if (c->part_enc > 0xf)
		*why = "partial header encryption mode is 4 bits (0..15)";
	else if (c->alg > 0x1f)
		*why = "algorithm is 5 bits (0..31)";
	else if (c->tc > 7)
		*why = "traffic class is 3 bits (0..7)";
	else if (!selective && (c->cfg_en || c->default_stream || c->tee_limited))
		*why = "CFG_EN, default stream and TEE-limited exist on selective streams only";
	if (*why)
		return -EINVAL;
	*v = (c->en ? TSMH_IDE_CTL_EN : 0) |
	     (u32)c->aggr_npr << TSMH_IDE_CTL_AGGR_NPR_SHIFT |
	     (u32)c->aggr_pr << TSMH_IDE_CTL_AGGR_PR_SHIFT |
	     (u32)c->aggr_cpl << TSMH_IDE_CTL_AGGR_CPL_SHIFT |
	     (c->pcrc_en ? TSMH_IDE_CTL_PCRC_EN : 0) |
	     (c->cfg_en ? TSMH_IDE_CTL_CFG_EN : 0) |
	     (u32)c->part_enc << TSMH_IDE_CTL_PART_ENC_SHIFT |
	     (u32)c->alg << TSMH_IDE_CTL_ALG_SHIFT |
	     (u32)c->tc << TSMH_IDE_CTL_TC_SHIFT |
	     (c->default_stream ? TSMH_IDE_CTL_DEFAULT : 0) |
	     (c->tee_limited ? TSMH_IDE_CTL_TEE_LIMITED : 0) |
	     (u32)c->stream_id << TSMH_IDE_CTL_ID_SHIFT;
	return 0;
}

int tsmh_ide_rid_encode(u16 base, u16 limit, u8 seg, u32 *rid1, u32 *rid2, const char **why)
{
	*why = NULL;
	if (base > limit) {
		*why = "RID base above RID limit";
		return -EINVAL;
	}
	*rid1 = (u32)limit << TSMH_IDE_RID1_LIMIT_SHIFT;
	*rid2 = TSMH_IDE_RID2_VALID | (u32)base << TSMH_IDE_RID2_BASE_SHIFT |
		(u32)seg << TSMH_IDE_RID2_SEG_SHIFT;
	return 0;
}

int tsmh_ide_addr_encode(u64 base, u64 limit, u32 regs[3], const char **why)
{
	*why = NULL;
	if (base > limit) {
		*why = "memory window base above its limit";
		return -EINVAL;
	}
	/* base rounded down, limit rounded up: bits 19:0 are implied */
	regs[0] = TSMH_IDE_ADDR1_VALID |
		  (u32)((base >> 20) & 0xfff) << TSMH_IDE_ADDR1_BASE_SHIFT |
		  (u32)((limit >> 20) & 0xfff) << TSMH_IDE_ADDR1_LIMIT_SHIFT;
	regs[1] = (u32)(limit >> 32);
	regs[2] = (u32)(base >> 32);
	return 0;
}

int tsmh_ide_addr_windows(const struct tsmh_ide_win *in, unsigned int n,
			  struct tsmh_ide_win *out, unsigned int max)
{
	struct tsmh_ide_win w[TSMH_IDE_WIN_IN_MAX], t;
	unsigned int i, j, nw = 0, best;
	u64 gap, best_gap;

	if (n > TSMH_IDE_WIN_IN_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (in[i].limit < in[i].base)
			continue;
		w[nw].base = in[i].base & ~(TSMH_IDE_ADDR_GRAIN - 1);
		w[nw].limit = in[i].limit | (TSMH_IDE_ADDR_GRAIN - 1);
		/* insertion sort by base */
		for (j = nw++; j > 0 && w[j - 1].base > w[j].base; j--) {
			t = w[j - 1];
			w[j - 1] = w[j];
			w[j] = t;
		}
	}
	if (!nw)
		return 0;
	if (!max)
		return -ENOSPC;
	/* merge overlapping or touching windows (limit + 1 == next base) */
	for (i = 0, j = 1; j < nw; j++) {
		if (w[i].limit == ~0ULL || w[j].base <= w[i].limit + 1) {
			if (w[j].limit > w[i].limit)
				w[i].limit = w[j].limit;
		} else {
			w[++i] = w[j];
		}
	}
	nw = i + 1;
	/* too many: merge the neighbours with the smallest gap */
	while (nw > max) {
		best = 0;
		best_gap = ~0ULL;
		for (i = 0; i + 1 < nw; i++) {
			gap = w[i + 1].base - w[i].limit;
			if (gap < best_gap) {
				best_gap = gap;
				best = i;
			}
		}
		w[best].limit = w[best + 1].limit;
		for (i = best + 1; i + 1 < nw; i++)
			w[i] = w[i + 1];
		nw--;
	}
	for (i = 0; i < nw; i++)
		out[i] = w[i];
	return (int)nw;
}

static int rd32(const struct tsmh_cfg_reader *rd, u32 off, u32 *v)
{
	return rd->read32(rd->ctx, (u16)off, v);
}

/* the first byte a block may not reach: config space end or next cap */
static u32 cap_limit(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l)
{
	if (l->next > l->off && l->next < rd->size)
		return l->next;
	return rd->size;
}

/* "IDE capability at 0x150: link IDE stream register block 2 (0x16c..0x173)" + why */
static int oob(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l, char *why,
	       size_t len, const char *what, int i, u32 start, u32 end)
{
	char idx[16] = "";

	if (i >= 0)
		snprintf(idx, sizeof(idx), " %d", i);
	if (cap_limit(rd, l) == rd->size)
		snprintf(why, len,
			 "IDE capability at 0x%x: %s%s (0x%x..0x%x) runs past the end of config space (0x%x)",
			 l->off, what, idx, start, end - 1, rd->size);
	else
		snprintf(why, len,
			 "IDE capability at 0x%x: %s%s (0x%x..0x%x) runs into the next capability at 0x%x",
			 l->off, what, idx, start, end - 1, l->next);
	return -EINVAL;
}

int tsmh_ide_layout_read(const struct tsmh_cfg_reader *rd, u16 off, struct tsmh_ide_layout *l,
			 char *why, size_t len)
{
	u32 hdr, pos, limit, i;
	int ret;

	memset(l, 0, sizeof(*l));
	if (len)
		why[0] = 0;
	l->off = off;
	if (rd->size != TSMH_CFG_SIZE_EXT || off < TSMH_CFG_SIZE_LEGACY || (off & 3) ||
	    off > TSMH_CFG_SIZE_EXT - 12) {
		snprintf(why, len, "IDE capability at 0x%x: not a valid extended capability offset",
			 off);
		return -EINVAL;
	}
	ret = rd32(rd, off, &hdr);
	if (ret)
		return ret;
	if ((hdr & 0xffff) != TSMH_EXT_CAP_ID_IDE) {
		snprintf(why, len, "capability at 0x%x has ID 0x%x, not IDE (0x%x)", off,
			 hdr & 0xffff, TSMH_EXT_CAP_ID_IDE);
		return -EINVAL;
	}
	l->next = (u16)(hdr >> 20) & 0xffc;
	ret = rd32(rd, off + TSMH_IDE_CAP, &l->cap_raw);
	if (!ret)
		ret = rd32(rd, off + TSMH_IDE_CTL, &l->ctl_raw);
	if (ret)
		return ret;
	tsmh_ide_capreg_decode(l->cap_raw, &l->cap);
	l->flowthrough_en = l->ctl_raw & TSMH_IDE_CTL_FLOWTHROUGH;
	l->nr_link = l->cap.nr_link_tc;
	l->nr_sel = l->cap.nr_sel;
	l->assoc_uniform = true;
	limit = cap_limit(rd, l);
	if ((u32)off + TSMH_IDE_LINK_BLK0 > limit)
		return oob(rd, l, why, len, "capability and control registers", -1, off,
			   off + TSMH_IDE_LINK_BLK0);

	pos = off + TSMH_IDE_LINK_BLK0;
	for (i = 0; i < l->nr_link; i++, pos += TSMH_IDE_LINK_BLK_SIZE)
		if (pos + TSMH_IDE_LINK_BLK_SIZE > limit)
			return oob(rd, l, why, len, "link IDE stream register block", (int)i, pos,
				   pos + TSMH_IDE_LINK_BLK_SIZE);

	for (i = 0; i < l->nr_sel; i++) {
		u32 scap, size;

		if (pos + 4 > limit) {
			l->nr_sel = (u16)i;
			return oob(rd, l, why, len, "selective IDE stream register block", (int)i,
				   pos, pos + TSMH_IDE_SEL_BLK_SIZE(0));
		}
		ret = rd32(rd, pos + TSMH_IDE_SEL_CAP, &scap);
		if (ret)
			return ret;
		l->sel_off[i] = (u16)pos;
		l->sel_nr_assoc[i] = scap & TSMH_IDE_SEL_CAP_ASSOC_MASK;
		size = TSMH_IDE_SEL_BLK_SIZE(l->sel_nr_assoc[i]);
		if (pos + size > limit) {
			l->nr_sel = (u16)i;
			return oob(rd, l, why, len, "selective IDE stream register block", (int)i,
				   pos, pos + size);
		}
		if (l->assoc_uniform && l->sel_nr_assoc[i] != l->sel_nr_assoc[0]) {
			l->assoc_uniform = false;
			l->assoc_differs_at = (u16)i;
		}
		pos += size;
	}
	l->end = (u16)pos;
	return 0;
}

int tsmh_ide_link_read(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l,
		       unsigned int i, struct tsmh_ide_link *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	if (i >= l->nr_link)
		return -EINVAL;
	b->off = (u16)(l->off + TSMH_IDE_LINK_BLK0 + i * TSMH_IDE_LINK_BLK_SIZE);
	ret = rd32(rd, b->off + TSMH_IDE_LINK_CTL, &b->ctl_raw);
	if (!ret)
		ret = rd32(rd, b->off + TSMH_IDE_LINK_STS, &b->sts_raw);
	if (ret)
		return ret;
	tsmh_ide_ctl_decode(b->ctl_raw, false, &b->ctl);
	tsmh_ide_sts_decode(b->sts_raw, &b->sts);
	return 0;
}

int tsmh_ide_sel_read(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l,
		      unsigned int i, struct tsmh_ide_sel *b)
{
	unsigned int x;
	u32 o;
	int ret;

	memset(b, 0, sizeof(*b));
	if (i >= l->nr_sel)
		return -EINVAL;
	o = l->sel_off[i];
	b->off = (u16)o;
	b->nr_assoc = l->sel_nr_assoc[i];
	ret = rd32(rd, o + TSMH_IDE_SEL_CAP, &b->cap_raw);
	if (!ret)
		ret = rd32(rd, o + TSMH_IDE_SEL_CTL, &b->ctl_raw);
	if (!ret)
		ret = rd32(rd, o + TSMH_IDE_SEL_STS, &b->sts_raw);
	if (!ret)
		ret = rd32(rd, o + TSMH_IDE_SEL_RID1, &b->rid1_raw);
	if (!ret)
		ret = rd32(rd, o + TSMH_IDE_SEL_RID2, &b->rid2_raw);
	if (ret)
		return ret;
	tsmh_ide_ctl_decode(b->ctl_raw, true, &b->ctl);
	tsmh_ide_sts_decode(b->sts_raw, &b->sts);
	tsmh_ide_rid_decode(b->rid1_raw, b->rid2_raw, &b->rid);
	for (x = 0; x < b->nr_assoc; x++) {
		u32 a[3];

		ret = rd32(rd, o + TSMH_IDE_SEL_ADDR1(x), &a[0]);
		if (!ret)
			ret = rd32(rd, o + TSMH_IDE_SEL_ADDR2(x), &a[1]);
		if (!ret)
			ret = rd32(rd, o + TSMH_IDE_SEL_ADDR3(x), &a[2]);
		if (ret)
			return ret;
		tsmh_ide_addr_decode(a[0], a[1], a[2], &b->addr[x]);
	}
	return 0;
}

const char *tsmh_ide_state_name(u8 state)
{
	switch (state) {
	case TSMH_IDE_STATE_INSECURE:
		return "insecure";
	case TSMH_IDE_STATE_SECURE:
		return "secure";
	default:
		return "reserved";
	}
}

const char *tsmh_ide_alg_name(u8 alg)
{
	if (alg == TSMH_IDE_ALG_AES_GCM_256_96)
		return "aes-gcm-256-96";
	return "reserved";
}
