// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim: IDE register behaviour of the root port and the endpoints,
 * the root port's IDE key unit, and the rule that takes a selective
 * stream to SECURE. docs/design.md "Sim IDE model" says what is modelled.
 *
 * Everything here runs under sim->lock (a raw spinlock): nothing sleeps.
 */
#include <linux/pci.h>
#include <linux/string.h>
#include "sim.h"
#include "ide_cap.h"

static u32 rd32(struct sim_fn *f, int off)
{
	return f->cfg[off] | f->cfg[off + 1] << 8 | f->cfg[off + 2] << 16 |
	       (u32)f->cfg[off + 3] << 24;
}

static void wr32(struct sim_fn *f, int off, u32 v)
{
	f->cfg[off] = v & 0xff;
	f->cfg[off + 1] = (v >> 8) & 0xff;
	f->cfg[off + 2] = (v >> 16) & 0xff;
	f->cfg[off + 3] = v >> 24;
}

/* every selective block of the sim has one address association block */
static int sel_off(struct sim_fn *f, int i)
{
	return f->ide_off + TSMH_IDE_LINK_BLK0 + TSMH_IDE_LINK_BLK_SIZE +
	       i * TSMH_IDE_SEL_BLK_SIZE(1);
}

static int link_off(struct sim_fn *f)
{
	return f->ide_off + TSMH_IDE_LINK_BLK0;
}

/* the selective block whose control register is at @base, or -1 */
static int sel_ctl_block(struct sim_fn *f, int base)
{
	int i;

	for (i = 0; i < f->ide_nsel; i++)
		if (base == sel_off(f, i) + TSMH_IDE_SEL_CTL)
			return i;
	return -1;
}

static bool is_sts(struct sim_fn *f, int base)
{
	int i;

	if (base == link_off(f) + TSMH_IDE_LINK_STS)
		return true;
	for (i = 0; i < f->ide_nsel; i++)
		if (base == sel_off(f, i) + TSMH_IDE_SEL_STS)
			return true;
	return false;
}

static void set_state(struct sim_fn *f, int blk, u8 state, bool fail)
{
	int off = sel_off(f, blk) + TSMH_IDE_SEL_STS;
	u32 v = rd32(f, off);

	v = (v & ~TSMH_IDE_STS_STATE_MASK) | state;
	if (fail)
		v |= TSMH_IDE_STS_IDE_FAIL;
	wr32(f, off, v);
}

/* key unit */

static struct sim_ku_slot *ku_find(struct sim_ku *ku, u8 id, bool create)
{
	struct sim_ku_slot *free = NULL;
	int i;

	for (i = 0; i < SIM_KU_SLOTS; i++) {
		if (ku->slot[i].used && ku->slot[i].stream_id == id)
			return &ku->slot[i];
		if (!ku->slot[i].used && !free)
			free = &ku->slot[i];
	}
	if (!create || !free)
		return NULL;
	free->used = true;
	free->stream_id = id;
	free->programmed = 0;
	free->active = -1;
	return free;
}

static void ku_wipe(struct sim_ku_slot *s)
{
	memzero_explicit(s, sizeof(*s));
	s->active = -1;
}

static void ku_wipe_id(struct sim_ku *ku, u8 id)
{
	struct sim_ku_slot *s = ku_find(ku, id, false);

	if (s)
		ku_wipe(s);
}

/*
 * STOP: wipe key set @set of stream @id (its six keys), so that a refresh
 * can stop the old set without touching the new one; the slot goes with
 * the last key.
 */
static void ku_stop_set(struct sim_ku *ku, u8 id, unsigned int set)
{
	struct sim_ku_slot *s = ku_find(ku, id, false);
	unsigned int k;

	if (!s)
		return;
	for (k = set * 6; k < set * 6 + 6; k++) {
		memzero_explicit(s->key[k], sizeof(s->key[k]));
		memzero_explicit(s->ifv[k], sizeof(s->ifv[k]));
	}
	s->programmed &= ~(0x3fU << (set * 6));
	if (s->active == (int)set)
		s->active = -1;
	if (!s->programmed)
		ku_wipe(s);
}

/* the status register of @g's key unit: the last command's outcome, the selected stream's keys */
static void ku_sts_update(struct sim_seg *g)
{
	struct sim_fn *f = &g->rp;
	u32 sel = rd32(f, f->ku_off + SIM_KU_SEL);
	struct sim_ku_slot *s = ku_find(&g->ku, sel & SIM_KU_SEL_ID, false);
	u32 v = g->ku.status;

	if (s && s->active >= 0)
		v |= SIM_KU_STS_ACTIVE | (s->active ? SIM_KU_STS_ACTIVE_SET : 0);
	if (s)
		v |= (u32)s->programmed << SIM_KU_STS_PROG_SHIFT;
	wr32(f, f->ku_off + SIM_KU_STS, v);
}

static void ku_cmd(struct tsmh_sim *sim, struct sim_fn *f, u32 cmd)
{
	struct sim_ku *ku = &sim->seg[f->seg].ku;
	u32 sel = rd32(f, f->ku_off + SIM_KU_SEL);
	u8 id = sel & SIM_KU_SEL_ID, set = !!(sel & SIM_KU_SEL_SET);
	unsigned int sub = (sel >> SIM_KU_SEL_SUB_SHIFT) & 3;
	unsigned int k = set * 6 + !!(sel & SIM_KU_SEL_TX) * 3 + sub;
	struct sim_ku_slot *s;
	u32 err = 0;

	cmd &= SIM_KU_CMD_PROGRAM | SIM_KU_CMD_GO | SIM_KU_CMD_STOP;
	if (!cmd)
		return;
	if (hweight32(cmd) > 1) {
		err = SIM_KU_E_CMD;
	} else if (cmd == SIM_KU_CMD_PROGRAM) {
		s = sub > 2 ? NULL : ku_find(ku, id, true);
		if (sub > 2) {
			err = SIM_KU_E_SUB;
		} else if (!s) {
			err = SIM_KU_E_FULL;
		} else {
			/* replacing a key wipes the old one; its set is inactive until GO */
			memzero_explicit(s->key[k], sizeof(s->key[k]));
			memzero_explicit(s->ifv[k], sizeof(s->ifv[k]));
			memcpy(s->key[k], ku->stage, TSMH_SIM_IDE_KEY_LEN);
			memcpy(s->ifv[k], ku->stage + 8, TSMH_SIM_IDE_IFV_LEN);
			s->programmed |= 1U << k;
			if (s->active == set)
				s->active = -1;
		}
	} else if (cmd == SIM_KU_CMD_GO) {
		s = ku_find(ku, id, false);
		if (!s || ((s->programmed >> (set * 6)) & 0x3f) != 0x3f)
			err = SIM_KU_E_NOKEYS;
		else
			s->active = set;
	} else {
		ku_stop_set(ku, id, set);
	}
	/* the staged key is consumed by any command */
	memzero_explicit(ku->stage, sizeof(ku->stage));
	ku->status = SIM_KU_STS_DONE | (err ? SIM_KU_STS_ERR | err << SIM_KU_STS_CODE_SHIFT : 0);
	sim_ide_eval(sim);
}

bool sim_ide_write(struct tsmh_sim *sim, struct sim_fn *f, int base, u32 wval, u32 mask)
{
	struct sim_ku *ku = &sim->seg[f->seg].ku;
	int r;

	if (!f->ku_off || base < f->ku_off + SIM_KU_CMD || base >= f->ku_off + SIM_KU_LEN)
		return false;
	r = base - f->ku_off;
	if (r == SIM_KU_CMD) {
		ku_cmd(sim, f, wval);
	} else if (r >= SIM_KU_KEY) {
		u32 *d = &ku->stage[(r - SIM_KU_KEY) / 4];

		*d = (*d & ~mask) | wval;	/* never in cfg[]: reads return 0 */
	}
	return true;	/* the status register is read-only */
}

void sim_ide_written(struct tsmh_sim *sim, struct sim_fn *f, int base, u32 old, u32 wval,
		     u32 mask)
{
	struct tsmh_ide_ctl oc, nc;
	u32 v;
	int blk;

	if (f->ku_off && base == f->ku_off + SIM_KU_SEL) {
		ku_sts_update(&sim->seg[f->seg]);
		return;
	}
	if (!f->ide_off || base < f->ide_off || base >= sel_off(f, f->ide_nsel))
		return;
	if (is_sts(f, base)) {
		/* IDE_FAIL is RW1C, the state read-only; no re-evaluation here */
		if (wval & TSMH_IDE_STS_IDE_FAIL)
			wr32(f, base, rd32(f, base) & ~TSMH_IDE_STS_IDE_FAIL);
		return;
	}
	blk = sel_ctl_block(f, base);
	if (blk >= 0 || base == link_off(f) + TSMH_IDE_LINK_CTL) {
		v = rd32(f, base);
		tsmh_ide_ctl_decode(old, blk >= 0, &oc);
		tsmh_ide_ctl_decode(v, blk >= 0, &nc);
		/* a reserved algorithm encoding is not taken: the field keeps its value */
		if (nc.alg != TSMH_IDE_ALG_AES_GCM_256_96) {
			v = (v & ~(0x1fU << TSMH_IDE_CTL_ALG_SHIFT)) |
			    (old & (0x1fU << TSMH_IDE_CTL_ALG_SHIFT));
			wr32(f, base, v);
		}
		/* the root port's keys for a stream go when the stream is torn down */
		if (f->kind == SIM_RP && blk >= 0 && oc.en &&
		    (!nc.en || nc.stream_id != oc.stream_id))
			ku_wipe_id(&sim->seg[f->seg].ku, oc.stream_id);
	}
	sim_ide_eval(sim);
}

void sim_ide_ep_reset(struct tsmh_sim *sim, struct sim_fn *f)
{
	memzero_explicit(f->ekeys, sizeof(f->ekeys));
	sim_ide_eval(sim);
}

int sim_ide_keys(struct tsmh_sim *sim, u32 slot, const struct tsmh_sim_ide_keys *k)
{
	struct sim_ep_keys *e = NULL;
	struct sim_fn *f;
	int i;

	if (slot >= sim->nr_ep || k->rsvd || k->rsvd2 || k->key_set > 1 ||
	    (k->programmed & ~0xfffU) ||
	    (k->flags & ~(TSMH_SIM_IDE_ACTIVE | TSMH_SIM_IDE_NEVER_SECURE)) ||
	    ((k->flags & TSMH_SIM_IDE_ACTIVE) &&
	     ((k->programmed >> (6 * k->key_set)) & 0x3f) != 0x3f))
		return -EINVAL;
	f = &sim->ep[slot];
	if (!f->present)
		return -ENODEV;
	for (i = 0; i < SIM_EP_STREAMS; i++)
		if (f->ekeys[i].valid && f->ekeys[i].stream_id == k->stream_id)
			e = &f->ekeys[i];
	for (i = 0; !e && i < SIM_EP_STREAMS; i++)
		if (!f->ekeys[i].valid)
			e = &f->ekeys[i];
	if (!e)
		return -ENOSPC;
	memzero_explicit(e, sizeof(*e));
	e->active = -1;
	if (k->programmed) {
		e->valid = true;
		e->never_secure = k->flags & TSMH_SIM_IDE_NEVER_SECURE;
		e->stream_id = k->stream_id;
		e->programmed = k->programmed;
		if (k->flags & TSMH_SIM_IDE_ACTIVE)
			e->active = k->key_set;
		memcpy(e->key, k->key, sizeof(e->key));
		memcpy(e->ifv, k->ifv, sizeof(e->ifv));
	}
	sim_ide_eval(sim);
	return 0;
}

typedef u8 sim_key_t[TSMH_SIM_IDE_KEY_LEN];
typedef u8 sim_ifv_t[TSMH_SIM_IDE_IFV_LEN];

/* the three sub-streams' keys and IFVs at @akey/@aifv equal those at @bkey/@bifv */
static bool keys_match(const sim_key_t *akey, const sim_ifv_t *aifv, const sim_key_t *bkey,
		       const sim_ifv_t *bifv)
{
	int s;

	for (s = 0; s < 3; s++)
		if (memcmp(akey[s], bkey[s], TSMH_SIM_IDE_KEY_LEN) ||
		    memcmp(aifv[s], bifv[s], TSMH_SIM_IDE_IFV_LEN))
			return false;
	return true;
}

static struct sim_ep_keys *ep_keys(struct sim_fn *f, u8 id)
{
	int i;

	for (i = 0; i < SIM_EP_STREAMS; i++)
		if (f->ekeys[i].valid && f->ekeys[i].stream_id == id)
			return &f->ekeys[i];
	return NULL;
}

static void sel_read(struct sim_fn *f, int blk, struct tsmh_ide_ctl *c, struct tsmh_ide_rid *r)
{
	int off = sel_off(f, blk);

	tsmh_ide_ctl_decode(rd32(f, off + TSMH_IDE_SEL_CTL), true, c);
	tsmh_ide_rid_decode(rd32(f, off + TSMH_IDE_SEL_RID1), rd32(f, off + TSMH_IDE_SEL_RID2), r);
}

/*
 * Evaluate one root-port stream against endpoint @e's block @j (both
 * enabled, same stream ID): SECURE or not, and which receiver sees
 * integrity failures.
 */
static bool pair_secure(struct tsmh_sim *sim, struct sim_fn *e, const struct tsmh_ide_ctl *rc,
			const struct tsmh_ide_rid *rr, const struct tsmh_ide_ctl *ec,
			const struct tsmh_ide_rid *er, bool *rp_fail, bool *ep_fail)
{
	u16 rid = (u16)e->bus << 8 | e->devfn;
	struct sim_ku_slot *s = ku_find(&sim->seg[e->seg].ku, rc->stream_id, false);
	struct sim_ep_keys *k = ep_keys(e, ec->stream_id);
	int a, r;

	*rp_fail = false;
	*ep_fail = false;
	/* the root port must associate the endpoint's RID; the endpoint some RID range */
	if (!rr->valid || rid < rr->base || rid > rr->limit || !er->valid)
		return false;
	if (rc->tc != ec->tc || rc->alg != ec->alg)
		return false;
	if (!s || s->active < 0 || !k || k->active < 0)
		return false;	/* not keyed at both ends: no IDE traffic at all */
	/*
	 * Each end transmits with its active set and the receiver decrypts
	 * with the set the TLPs name (both sets stay programmed during a
	 * refresh): root port TX -> endpoint RX, endpoint TX -> root port RX.
	 */
	r = s->active * 6;
	a = k->active * 6;
	*ep_fail = ((k->programmed >> r) & 7) != 7 ||
		   !keys_match(&s->key[r + 3], &s->ifv[r + 3], &k->key[r], &k->ifv[r]);
	*rp_fail = ((s->programmed >> a) & 7) != 7 ||
		   !keys_match(&k->key[a + 3], &k->ifv[a + 3], &s->key[a], &s->ifv[a]);
	return !*ep_fail && !*rp_fail && !k->never_secure;
}

/* The streams of segment @g: its root port against the endpoints below it. */
static void seg_eval(struct tsmh_sim *sim, struct sim_seg *g)
{
	struct tsmh_ide_ctl rc, ec;
	struct tsmh_ide_rid rr, er;
	struct sim_fn *rp = &g->rp;
	bool rp_fail, ep_fail, sec;
	int i, j, n;

	for (i = 0; i < rp->ide_nsel; i++) {
		sec = false;
		sel_read(rp, i, &rc, &rr);
		for (n = g->first; rc.en && n < g->first + g->nr_ep; n++) {
			struct sim_fn *e = &sim->ep[n];

			if (!e->present || !e->ide_off)
				continue;
			for (j = 0; j < e->ide_nsel; j++) {
				bool s;

				sel_read(e, j, &ec, &er);
				if (!ec.en || ec.stream_id != rc.stream_id)
					continue;
				s = pair_secure(sim, e, &rc, &rr, &ec, &er, &rp_fail, &ep_fail);
				set_state(e, j, s ? TSMH_IDE_STATE_SECURE : TSMH_IDE_STATE_INSECURE,
					  ep_fail);
				if (rp_fail)
					set_state(rp, i, TSMH_IDE_STATE_INSECURE, true);
				sec |= s;
			}
		}
		set_state(rp, i, sec ? TSMH_IDE_STATE_SECURE : TSMH_IDE_STATE_INSECURE, false);
	}
	if (rp->ku_off)
		ku_sts_update(g);
}

void sim_ide_eval(struct tsmh_sim *sim)
{
	int j, n;

	lockdep_assert_held(&sim->lock);
	/* endpoints: INSECURE unless a root-port stream above makes them SECURE */
	for (n = 0; n < sim->nr_ep; n++)
		for (j = 0; sim->ep[n].ide_off && j < sim->ep[n].ide_nsel; j++)
			set_state(&sim->ep[n], j, TSMH_IDE_STATE_INSECURE, false);
	/* each segment has its own root port, key unit and endpoints */
	for (n = 0; n < sim->nr_seg; n++)
		seg_eval(sim, &sim->seg[n]);
}
