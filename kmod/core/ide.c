// SPDX-License-Identifier: GPL-2.0-only
/*
 * IDE streams (ABI 5): the kernel side of connect (docs/design.md
 * "Connect (kernel)"). Objects and locking: ide.h.
 *
 * On kernels without an IDE core the module owns the IDE register blocks
 * of the ports it tracks: lib/ide_alloc.c picks stream IDs and blocks,
 * lib/ide_cap.c encodes the registers, tsmh_ide_own_ops writes them. The
 * root port's keys go to its key backend (tsmh_sim's key unit VSEC); a
 * root port without one belongs to a platform TSM and ide-stream-new is
 * refused before anything is allocated.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#endif
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include "core.h"
#include "ide.h"
#include "tdi.h"

static LIST_HEAD(tsmh_ide_bridges);
static DEFINE_MUTEX(tsmh_ide_list_lock);	/* the bridges list, nr_ports */
/* the last stream sequence number given (struct tsmh_ide_kstream @seq) */
static atomic64_t tsmh_ide_seq = ATOMIC64_INIT(0);

u64 tsmh_ide_seq_now(void)
{
	return atomic64_read(&tsmh_ide_seq);
}

#define MSG_LEN	256

/*
 * An extack message longer than the kernel formats (80 bytes): the first
 * 76 and "...". The caller logs the whole of it. @fallback: a literal.
 */
#define err_long(extack, fallback, msg) do {					\
	const char *__m __maybe_unused = (msg);					\
	TSMH_ERRF(extack, fallback, "%.76s%s", __m, strlen(__m) > 76 ? "..." : "");	\
} while (0)

/*
 * TSMH_ERRF for messages with names in them: the kernel formats 79
 * characters at most (more logs "truncated extack"), so one that comes
 * out longer is cut by err_long(). Keep the text short enough for
 * ordinary names; this is the safety net.
 */
#define ide_errf(extack, fallback, fmt, ...) do {				\
	char __b[80];								\
	snprintf(__b, sizeof(__b), fmt, ##__VA_ARGS__);			\
	err_long(extack, fallback, __b);					\
} while (0)

/* ---- registers ---- */

int tsmh_ide_rd(struct tsmh_ide_kport *p, int off, u32 *v)
{
	int ret = pci_read_config_dword(p->dev->pdev, off, v);

	return ret ? pcibios_err_to_errno(ret) : 0;
}

int tsmh_ide_wr(struct tsmh_ide_kport *p, int off, u32 v)
{
	int ret;

	lockdep_assert_held(&p->br->lock);
	ret = pci_write_config_dword(p->dev->pdev, off, v);
	return ret ? pcibios_err_to_errno(ret) : 0;
}

int tsmh_ide_sel_off(const struct tsmh_ide_kport *p, unsigned int block)
{
	if (block >= p->layout->nr_sel)
		return -EINVAL;
	return p->layout->sel_off[block];
}

static int link_off(const struct tsmh_ide_kport *p, unsigned int block)
{
	if (block >= p->layout->nr_link)
		return -EINVAL;
	return p->layout->off + TSMH_IDE_LINK_BLK0 + block * TSMH_IDE_LINK_BLK_SIZE;
}

/* control / status register of @s's block at @p */
static int blk_reg(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p, bool sts)
{
	unsigned int b = p == s->rp ? s->rp_block : s->ep_block;
	int off;

	if (s->type == TSMH_IDE_TYPE_LINK) {
		off = link_off(p, b);
		return off < 0 ? off : off + (sts ? TSMH_IDE_LINK_STS : TSMH_IDE_LINK_CTL);
	}
	off = tsmh_ide_sel_off(p, b);
	return off < 0 ? off : off + (sts ? TSMH_IDE_SEL_STS : TSMH_IDE_SEL_CTL);
}

static const char *role_name(const struct tsmh_ide_kport *p)
{
	return p->role == TSMH_IDE_ROLE_ROOT_PORT ? "root port" : "endpoint";
}

/* ---- the own-register backend ---- */

static int own_alloc(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	struct tsmh_ide_req req = TSMH_IDE_REQ_ANY;
	char *msg;
	int ret;

	msg = kzalloc(MSG_LEN, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	if (s->type == TSMH_IDE_TYPE_LINK) {
		req.tc = s->tc;
		ret = tsmh_ide_alloc_link(&s->a, &s->rp->port, &s->ep->port, &req, msg, MSG_LEN);
	} else {
		ret = tsmh_ide_alloc_sel(&s->a, &s->rp->port, &s->ep->port, &req, msg, MSG_LEN);
	}
	if (ret) {
		pci_info(s->epdev->pdev, "IDE stream allocation refused: %s\n", msg);
		err_long(extack, "IDE stream allocation refused (see the kernel log)", msg);
	} else {
		s->id = s->a.stream_id;
		s->rp_block = s->a.up_block;
		s->ep_block = s->a.down_block;
	}
	kfree(msg);
	return ret;
}

static int own_free(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	char msg[64];
	int ret = tsmh_ide_free(&s->br->hb, &s->a, msg, sizeof(msg));

	if (ret)
		pci_warn(s->epdev->pdev, "IDE stream %u: free: %s\n", s->id, msg);
	return ret;
}

/* the control register value of @s, enabled or not */
static int ctl_value(struct tsmh_ide_kstream *s, bool en, u32 *v, const char **why)
{
	struct tsmh_ide_ctl c = {
		.en = en, .alg = TSMH_IDE_ALG_AES_GCM_256_96, .tc = s->tc, .stream_id = s->id,
	};

	return tsmh_ide_ctl_encode(&c, s->type != TSMH_IDE_TYPE_LINK, v, why);
}

/* idle: stream ID 255, disabled, no association */
static int end_clear(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p)
{
	unsigned int b = p == s->rp ? s->rp_block : s->ep_block;
	int off, ret, i, err = 0;

	ret = blk_reg(s, p, false);
	if (ret < 0)
		return ret;
	err = tsmh_ide_wr(p, ret, (u32)TSMH_IDE_RESERVED_ID << TSMH_IDE_CTL_ID_SHIFT);
	if (s->type == TSMH_IDE_TYPE_LINK)
		return err;
	off = tsmh_ide_sel_off(p, b);
	ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_RID1, 0);
	err = err ?: ret;
	ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_RID2, 0);
	err = err ?: ret;
	for (i = 0; i < p->layout->sel_nr_assoc[b]; i++) {
		ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR1(i), 0);
		err = err ?: ret;
		ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR2(i), 0);
		err = err ?: ret;
		ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR3(i), 0);
		err = err ?: ret;
	}
	return err;
}

/* association registers, then control (stream ID, TC, algorithm), not enabled */
static int end_setup(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p,
		     struct netlink_ext_ack *extack)
{
	bool is_rp = p == s->rp;
	unsigned int b = is_rp ? s->rp_block : s->ep_block;
	const char *why = NULL, *step;
	u32 ctl, rid1, rid2, a[3];
	int off, ret, i;

	step = "control register";
	ret = ctl_value(s, false, &ctl, &why);
	if (ret)
		goto err;
	if (s->type != TSMH_IDE_TYPE_LINK) {
		off = tsmh_ide_sel_off(p, b);
		step = "RID association";
		if (is_rp)
			ret = tsmh_ide_rid_encode(s->rid_base & 0xffff, s->rid_limit & 0xffff,
						  s->rid_base >> 16, &rid1, &rid2, &why);
		else
			ret = tsmh_ide_rid_encode(s->ep_rid & 0xffff, s->ep_rid & 0xffff,
						  s->ep_rid >> 16, &rid1, &rid2, &why);
		if (ret)
			goto err;
		ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_RID1, rid1);
		ret = ret ?: tsmh_ide_wr(p, off + TSMH_IDE_SEL_RID2, rid2);
		if (ret)
			goto err;
		step = "address association";
		for (i = 0; i < p->layout->sel_nr_assoc[b]; i++) {
			memset(a, 0, sizeof(a));
			/* the endpoint's memory windows, at the root port only */
			if (is_rp && i < s->nr_addr) {
				ret = tsmh_ide_addr_encode(s->addr[i].base, s->addr[i].limit, a,
							   &why);
				if (ret)
					goto err;
			}
			ret = tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR1(i), a[0]);
			ret = ret ?: tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR2(i), a[1]);
			ret = ret ?: tsmh_ide_wr(p, off + TSMH_IDE_SEL_ADDR3(i), a[2]);
			if (ret)
				goto err;
		}
	}
	step = "control register";
	ret = blk_reg(s, p, false);
	if (ret >= 0)
		ret = tsmh_ide_wr(p, ret, ctl);
	if (!ret)
		return 0;
err:
	ide_errf(extack, "IDE stream setup failed (see the kernel log)",
		 "%s %s block %u: %s: %s", role_name(p), p->dev->name, b, step,
		 why ?: "config write failed");
	pci_warn(p->dev->pdev, "IDE stream %u setup, block %u: %s: %s (%d)\n", s->id, b, step,
		 why ?: "config write failed", ret);
	return ret;
}

static int own_teardown(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	int r1 = end_clear(s, s->rp), r2 = end_clear(s, s->ep);

	if (r1 || r2)
		pci_warn(s->epdev->pdev, "IDE stream %u: clearing the blocks failed (%d, %d)\n",
			 s->id, r1, r2);
	return r1 ?: r2;
}

static int own_setup(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	int ret = end_setup(s, s->rp, extack);

	if (!ret)
		ret = end_setup(s, s->ep, extack);
	if (ret)
		own_teardown(s, NULL);
	return ret;
}

static int end_ctl(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p, bool en)
{
	const char *why;
	u32 v;
	int off, ret;

	off = blk_reg(s, p, false);
	if (off < 0)
		return off;
	ret = ctl_value(s, en, &v, &why);
	return ret ?: tsmh_ide_wr(p, off, v);
}

/* the block still holds our set-up (not wiped by a reset of that end) */
static bool end_intact(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p)
{
	struct tsmh_ide_ctl c;
	u32 v;
	int off = blk_reg(s, p, false);

	if (off < 0 || tsmh_ide_rd(p, off, &v))
		return false;
	tsmh_ide_ctl_decode(v, s->type != TSMH_IDE_TYPE_LINK, &c);
	if (c.stream_id != s->id || c.tc != s->tc)
		return false;
	if (s->type == TSMH_IDE_TYPE_LINK)
		return true;
	off = tsmh_ide_sel_off(p, p == s->rp ? s->rp_block : s->ep_block);
	if (tsmh_ide_rd(p, off + TSMH_IDE_SEL_RID2, &v))
		return false;
	return v & TSMH_IDE_RID2_VALID;
}

/* the endpoint first, then the root port (PCIe r7.0 6.33.8) */
static int own_enable(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	struct tsmh_ide_kport *end[2] = { s->ep, s->rp };
	int i, ret;

	for (i = 0; i < 2; i++) {
		/* a reset wiped this end's block: set it up again first */
		if (!end_intact(s, end[i])) {
			ret = end_setup(s, end[i], extack);
			if (ret)
				goto err;
		}
		ret = end_ctl(s, end[i], true);
		if (ret) {
			ide_errf(extack, "IDE stream enable failed",
				 "%s %s: enable: config write failed (%d)", role_name(end[i]),
				 end[i]->dev->name, ret);
			goto err;
		}
	}
	return 0;
err:
	while (i-- > 0)
		end_ctl(s, end[i], false);
	return ret;
}

/* the root port first */
static int own_disable(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	int r1 = end_ctl(s, s->rp, false), r2 = end_ctl(s, s->ep, false);

	return r1 ?: r2;
}

const struct tsmh_ide_ops tsmh_ide_own_ops = {
	.name = "registers",
	.alloc = own_alloc,
	.setup = own_setup,
	.enable = own_enable,
	.disable = own_disable,
	.teardown = own_teardown,
	.free = own_free,
};

/* 7.2: the PCI core's helpers where it has them (ide_pci.c), else ours */
const struct tsmh_ide_ops *tsmh_ide_pick_ops(struct pci_dev *pdev)
{
	return tsmh_ide_pci_pick(pdev) ?: &tsmh_ide_own_ops;
}

/* ---- the root port's key unit (TSMH_IDE_KB_SIM) ---- */

static __maybe_unused const char *ku_code(u32 sts)
{
	switch ((sts >> TSMH_KU_STS_CODE_SHIFT) & 0xf) {
	case 1: return "reserved sub-stream";
	case 2: return "no free key slot";
	case 3: return "not all six keys of the set programmed";
	case 4: return "several command bits";
	default: return "unknown error";
	}
}

static u32 ku_sel(u8 id, unsigned int set, unsigned int dir, unsigned int sub)
{
	return id | (set ? TSMH_KU_SEL_SET : 0) | (dir ? TSMH_KU_SEL_TX : 0) |
	       sub << TSMH_KU_SEL_SUB_SHIFT;
}

/* one command on the selected key; 0 or -errno with the reason in @extack */
static int ku_cmd(struct tsmh_ide_kport *rp, u32 sel, u32 cmd, const char *step,
		  struct netlink_ext_ack *extack)
{
	u32 sts = 0;
	int ret;

	ret = tsmh_ide_wr(rp, rp->ku_off + TSMH_KU_SEL, sel);
	ret = ret ?: tsmh_ide_wr(rp, rp->ku_off + TSMH_KU_CMD, cmd);
	ret = ret ?: tsmh_ide_rd(rp, rp->ku_off + TSMH_KU_STS, &sts);
	if (ret) {
		ide_errf(extack, "root-port key unit: config access failed",
			 "root port %s key unit: %s: config access failed (%d)", rp->dev->name,
			 step, ret);
		return ret;
	}
	if (!(sts & TSMH_KU_STS_DONE)) {
		ide_errf(extack, "root-port key unit: command not done",
			 "%s key unit: %s: not done (status %#x)", rp->dev->name, step,
			 sts);
		return -EIO;
	}
	if (sts & TSMH_KU_STS_ERR) {
		ide_errf(extack, "root-port key unit refused the command",
			 "%s key unit: %s: %s", rp->dev->name, step, ku_code(sts));
		return ((sts >> TSMH_KU_STS_CODE_SHIFT) & 0xf) == 2 ? -ENOSPC : -EIO;
	}
	return 0;
}

/* keys programmed and the active set of stream @id (-1: none) */
static int ku_state(struct tsmh_ide_kport *rp, u8 id, u32 *keys, int *active)
{
	u32 sts;
	int ret;

	ret = tsmh_ide_wr(rp, rp->ku_off + TSMH_KU_SEL, ku_sel(id, 0, 0, 0));
	ret = ret ?: tsmh_ide_rd(rp, rp->ku_off + TSMH_KU_STS, &sts);
	if (ret)
		return ret;
	*keys = (sts & TSMH_KU_STS_PROG_MASK) >> TSMH_KU_STS_PROG_SHIFT;
	*active = sts & TSMH_KU_STS_ACTIVE ? !!(sts & TSMH_KU_STS_ACTIVE_SET) : -1;
	return 0;
}

/*
 * @s->ku_keys, @s->ku_active: the key unit's state for the stream, read
 * after every change the kernel makes (stream-new, key-prog, kset, a
 * reset of the root port) so that ide-get and dumps, open to everyone,
 * write no register (ku_state() selects with a write).
 */
static void ku_refresh(struct tsmh_ide_kstream *s)
{
	lockdep_assert_held(&s->br->lock);
	s->ku_keys = 0;
	s->ku_active = -1;
	if (s->rp->kb == TSMH_IDE_KB_SIM &&
	    ku_state(s->rp, s->id, &s->ku_keys, &s->ku_active))
		s->ku_active = -1;
}

/* both key sets of @s at the root port; best effort */
static void ku_stop_all(struct tsmh_ide_kstream *s)
{
	if (s->rp->kb != TSMH_IDE_KB_SIM)
		return;
	ku_cmd(s->rp, ku_sel(s->id, 0, 0, 0), TSMH_KU_CMD_STOP, "STOP set 0", NULL);
	ku_cmd(s->rp, ku_sel(s->id, 1, 0, 0), TSMH_KU_CMD_STOP, "STOP set 1", NULL);
}

/* ---- netlink attributes ---- */

struct end_state {
	u8 state;
	bool fail, en;
};

static void read_end(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p, struct end_state *e)
{
	struct tsmh_ide_sts st;
	struct tsmh_ide_ctl c;
	u32 v;
	int off;

	memset(e, 0, sizeof(*e));
	off = blk_reg(s, p, true);
	if (off >= 0 && !tsmh_ide_rd(p, off, &v)) {
		tsmh_ide_sts_decode(v, &st);
		e->state = st.state;
		e->fail = st.ide_fail;
	}
	off = blk_reg(s, p, false);
	if (off >= 0 && !tsmh_ide_rd(p, off, &v)) {
		tsmh_ide_ctl_decode(v, s->type != TSMH_IDE_TYPE_LINK, &c);
		e->en = c.en && c.stream_id == s->id;
	}
}

/* @s's flags with ENABLED and SECURE as the registers read now */
static u32 stream_flags(struct tsmh_ide_kstream *s, struct end_state *rp, struct end_state *ep)
{
	u32 f = s->flags & ~(TSMH_IDE_S_F_ENABLED | TSMH_IDE_S_F_SECURE);

	if (rp->en && ep->en)
		f |= TSMH_IDE_S_F_ENABLED;
	if (rp->state == TSMH_IDE_STATE_SECURE && ep->state == TSMH_IDE_STATE_SECURE)
		f |= TSMH_IDE_S_F_SECURE;
	return f;
}

/* the stream nest, states read from the registers now; bridge lock held */
static int put_stream(struct sk_buff *skb, struct tsmh_ide_kstream *s)
{
	struct end_state rp, ep;
	struct nlattr *n, *a;
	u32 keys = s->ku_keys;
	int active = s->ku_active, i;

	lockdep_assert_held(&s->br->lock);
	read_end(s, s->rp, &rp);
	read_end(s, s->ep, &ep);
	n = nla_nest_start(skb, TSMH_A_IDE_STREAM);
	if (!n)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TSMH_IDES_A_ID, s->id) ||
	    nla_put_u32(skb, TSMH_IDES_A_TYPE, s->type) ||
	    nla_put_u32(skb, TSMH_IDES_A_TC, s->tc) ||
	    nla_put_string(skb, TSMH_IDES_A_RP_NAME, s->rpdev->name) ||
	    nla_put_u32(skb, TSMH_IDES_A_RP_BLOCK, s->rp_block) ||
	    nla_put_string(skb, TSMH_IDES_A_EP_NAME, s->epdev->name) ||
	    nla_put_u32(skb, TSMH_IDES_A_EP_BLOCK, s->ep_block))
		goto err;
	if (s->type != TSMH_IDE_TYPE_LINK &&
	    (nla_put_u32(skb, TSMH_IDES_A_RID_BASE, s->rid_base) ||
	     nla_put_u32(skb, TSMH_IDES_A_RID_LIMIT, s->rid_limit)))
		goto err;
	for (i = 0; i < s->nr_addr; i++) {
		a = nla_nest_start(skb, TSMH_IDES_A_ADDR);
		if (!a ||
		    nla_put_u64_64bit(skb, TSMH_IDEA_A_BASE, s->addr[i].base, TSMH_IDEA_A_UNSPEC) ||
		    nla_put_u64_64bit(skb, TSMH_IDEA_A_LIMIT, s->addr[i].limit, TSMH_IDEA_A_UNSPEC))
			goto err;
		nla_nest_end(skb, a);
	}
	if (active >= 0 && nla_put_u32(skb, TSMH_IDES_A_KEY_SET, active))
		goto err;
	if (s->rp->kb == TSMH_IDE_KB_SIM && nla_put_u32(skb, TSMH_IDES_A_KEYS, keys))
		goto err;
	if (nla_put_u32(skb, TSMH_IDES_A_RP_STATE, rp.state) ||
	    nla_put_u32(skb, TSMH_IDES_A_EP_STATE, ep.state) ||
	    nla_put_u32(skb, TSMH_IDES_A_RP_FAIL, rp.fail) ||
	    nla_put_u32(skb, TSMH_IDES_A_EP_FAIL, ep.fail) ||
	    nla_put_u32(skb, TSMH_IDES_A_FLAGS, stream_flags(s, &rp, &ep)) ||
	    nla_put_u64_64bit(skb, TSMH_IDES_A_CREATED, s->created, TSMH_IDES_A_UNSPEC))
		goto err;
	nla_nest_end(skb, n);
	return 0;
err:
	nla_nest_cancel(skb, n);
	return -EMSGSIZE;
}

/* evt-ide for @s (dev-name: the endpoint); bridge lock held */
static void ide_event(struct tsmh_ide_kstream *s, u32 event)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tsmh_family, 0, TSMH_CMD_EVT_IDE);
	if (!hdr || nla_put_string(skb, TSMH_A_DEV_NAME, s->epdev->name) ||
	    nla_put_u32(skb, TSMH_A_IDE_EVENT, event) || put_stream(skb, s)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	tsmh_nl_multicast(skb);
	/* a TDI locked with this stream: ERROR ide-lost */
	if (event == TSMH_IDE_EVT_INSECURE || event == TSMH_IDE_EVT_DELETED)
		tsmh_tdi_ide_lost(s->epdev, s->id, event == TSMH_IDE_EVT_DELETED);
}

/* a reply with dev-name and the stream */
static int reply_stream(struct genl_info *info, u8 cmd, struct tsmh_dev *dev,
			struct tsmh_ide_kstream *s)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &tsmh_family, 0, cmd);
	if (!hdr || nla_put_string(msg, TSMH_A_DEV_NAME, dev->name) || put_stream(msg, s)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- ide-get ---- */

static int put_port(struct sk_buff *skb, struct tsmh_ide_kport *p)
{
	struct tsmh_ide_bridge *br = p->br;
	struct pci_dev *rp;
	struct nlattr *n;

	lockdep_assert_held(&br->lock);
	n = nla_nest_start(skb, TSMH_A_IDE_PORT);
	if (!n)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TSMH_IDEP_A_ROLE, p->role) ||
	    nla_put_u16(skb, TSMH_IDEP_A_OFFSET, p->layout->off) ||
	    nla_put_u32(skb, TSMH_IDEP_A_CAP, p->layout->cap_raw) ||
	    nla_put_u32(skb, TSMH_IDEP_A_NR_SEL, p->port.nr_sel) ||
	    nla_put_u32(skb, TSMH_IDEP_A_SEL_USED, p->port.nr_sel_used) ||
	    nla_put_u32(skb, TSMH_IDEP_A_NR_LINK, p->port.nr_link) ||
	    nla_put_u32(skb, TSMH_IDEP_A_LINK_USED, p->port.nr_link_used) ||
	    nla_put_string(skb, TSMH_IDEP_A_HB_NAME, br->hb.name) ||
	    nla_put_u32(skb, TSMH_IDEP_A_HB_STREAMS, br->hb.nr_streams) ||
	    nla_put_u32(skb, TSMH_IDEP_A_HB_USED, br->hb.nr_used))
		goto err;
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT) {
		if (nla_put_u32(skb, TSMH_IDEP_A_KEY_BACKEND, p->kb))
			goto err;
		if (p->kb == TSMH_IDE_KB_NONE &&
		    nla_put_string(skb, TSMH_IDEP_A_PLATFORM, p->platform))
			goto err;
	}
	if (p->role == TSMH_IDE_ROLE_ENDPOINT) {
		rp = pcie_find_root_port(p->dev->pdev);
		if (rp && nla_put_string(skb, TSMH_IDEP_A_UPSTREAM, pci_name(rp)))
			goto err;
	}
	nla_nest_end(skb, n);
	return 0;
err:
	nla_nest_cancel(skb, n);
	return -EMSGSIZE;
}

static int fill_port(struct sk_buff *skb, struct tsmh_dev *dev, u32 portid, u32 seq, int flags,
		     struct netlink_callback *cb)
{
	struct tsmh_ide_kport *p = READ_ONCE(dev->ide);
	struct tsmh_ide_kstream *s;
	void *hdr;
	int ret = -EMSGSIZE;

	hdr = genlmsg_put(skb, portid, seq, &tsmh_family, flags, TSMH_CMD_IDE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	mutex_lock(&p->br->lock);
	if (nla_put_string(skb, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u32(skb, TSMH_A_DEV_IDE_CAP, p->layout->cap_raw) || put_port(skb, p))
		goto out;
	list_for_each_entry(s, &p->br->streams, node)
		if ((s->rp == p || s->ep == p) && put_stream(skb, s))
			goto out;
	ret = 0;
out:
	mutex_unlock(&p->br->lock);
	if (ret)
		genlmsg_cancel(skb, hdr);
	else
		genlmsg_end(skb, hdr);
	return ret;
}

int tsmh_nl_ide_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_dev *dev;
	struct sk_buff *msg;
	int ret;

	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	if (!READ_ONCE(dev->ide)) {
		ide_errf(info->extack, "not an IDE root port or endpoint",
			 "%s: not an IDE root port or endpoint (no IDE capability tracked)",
			 dev->name);
		tsmh_dev_put(dev);
		return -EOPNOTSUPP;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		tsmh_dev_put(dev);
		return -ENOMEM;
	}
	ret = fill_port(msg, dev, info->snd_portid, info->snd_seq, 0, NULL);
	tsmh_dev_put(dev);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

int tsmh_nl_ide_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = tsmh_dump_attrs(cb);
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	unsigned long idx = cb->args[0];
	struct tsmh_dev *dev;
	unsigned int gen;
	int ret = 0;

	if (ghdr->reserved) {
		NL_SET_ERR_MSG(cb->extack, "reserved genetlink header field must be 0");
		return -EINVAL;
	}
	if (attrs[TSMH_A_FLAGS] && nla_get_u32(attrs[TSMH_A_FLAGS])) {
		NL_SET_ERR_MSG(cb->extack, "unknown flag bits set");
		return -EINVAL;
	}
	if (attrs[TSMH_A_DEV_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "a dump lists every port: no device name");
		return -EINVAL;
	}
	while ((dev = tsmh_dev_nth(idx, &gen))) {
		cb->seq = gen;
		ret = READ_ONCE(dev->ide) ?
		      fill_port(skb, dev, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				NLM_F_MULTI, cb) : 0;
		tsmh_dev_put(dev);
		if (ret)
			break;
		idx++;
	}
	cb->args[0] = idx;
	return ret && skb->len ? skb->len : (ret ? ret : skb->len);
}

/* ---- ide-stream-new ---- */

static void stream_destroy(struct tsmh_ide_kstream *s);
static void stream_put(struct tsmh_ide_kstream *s);

/*
 * The functions of @pdev's device, @pdev first: those of its slot, or
 * with ARI every function on its bus (what tsmh_leader_pdev() calls one
 * device: their TDIs share the DSM's stream). Each with a reference
 * (pci_dev_put() them); returns how many.
 */
static unsigned int dev_fns(struct pci_dev *pdev, struct pci_dev **fn, unsigned int max)
{
	bool ari = pci_ari_enabled(pdev->bus);
	unsigned int n = 0, devfn, first = ari ? 0 : PCI_DEVFN(PCI_SLOT(pdev->devfn), 0);
	unsigned int last = ari ? 255 : first + 7;

	fn[n++] = pci_dev_get(pdev);
	for (devfn = first; devfn <= last && n < max; devfn++) {
		struct pci_dev *d;

		if (devfn == pdev->devfn)
			continue;
		d = pci_get_slot(pdev->bus, devfn);
		if (d && d->is_virtfn) {	/* with its PF's SR-IOV range */
			pci_dev_put(d);
			d = NULL;
		}
		if (d)
			fn[n++] = d;
	}
	return n;
}

static void dev_fns_put(struct pci_dev **fn, unsigned int n)
{
	while (n)
		pci_dev_put(fn[--n]);
}

#define TSMH_IDE_FNS_MAX 32	/* functions of one device we associate */

/*
 * The device's memory BARs in bus addresses: every function's (a TDI on
 * function 1 locks the DSM's stream too) and their VFs' (the SR-IOV
 * resources).
 */
static int ep_windows(struct pci_dev *pdev, struct tsmh_ide_kstream *s, unsigned int max)
{
	struct tsmh_ide_win in[TSMH_IDE_WIN_IN_MAX];
	struct pci_dev *fn[TSMH_IDE_FNS_MAX];
	struct pci_bus_region r;
	unsigned int n = 0, nfn, f;
	int i, ret;

	nfn = dev_fns(pdev, fn, ARRAY_SIZE(fn));
	for (f = 0; f < nfn; f++) {
		for (i = 0; i < PCI_NUM_RESOURCES && n < TSMH_IDE_WIN_IN_MAX; i++) {
			struct resource *res = &fn[f]->resource[i];

			if (!(resource_type(res) & IORESOURCE_MEM) || !resource_size(res) ||
			    (res->flags & IORESOURCE_UNSET) || !res->parent)
				continue;
			if (i >= PCI_BRIDGE_RESOURCES && i <= PCI_BRIDGE_RESOURCE_END)
				continue;
			pcibios_resource_to_bus(fn[f]->bus, &r, res);
			in[n].base = r.start;
			in[n].limit = r.end;
			n++;
		}
	}
	dev_fns_put(fn, nfn);
	ret = tsmh_ide_addr_windows(in, n, s->addr, max);
	if (ret < 0)
		return ret;
	s->nr_addr = ret;
	return 0;
}

/*
 * The device's RID range: from its first function through its last and
 * the last VF of any of them. A VF's RID is its PF's +
 * First VF Offset + (n - 1) * VF Stride (PCIe r7.0 9.3.3.10, what
 * pci_iov_virtfn_bus()/devfn() compute; not exported).
 */
static void ep_rids(struct pci_dev *pdev, struct tsmh_ide_kstream *s)
{
	u32 seg = (u32)(pci_domain_nr(pdev->bus) & 0xff) << 16;
	u32 base = pci_dev_id(pdev), limit = base;
	struct pci_dev *fn[TSMH_IDE_FNS_MAX];
	unsigned int nfn, f;

	nfn = dev_fns(pdev, fn, ARRAY_SIZE(fn));
	for (f = 0; f < nfn; f++) {
		struct pci_dev *d = fn[f];
		int nvf = pci_num_vf(d), pos;
		u16 offset, stride;

		if (pci_dev_id(d) < base)
			base = pci_dev_id(d);
		if (pci_dev_id(d) > limit)
			limit = pci_dev_id(d);
		pos = nvf > 0 ? pci_find_ext_capability(d, PCI_EXT_CAP_ID_SRIOV) : 0;
		if (pos && !pci_read_config_word(d, pos + PCI_SRIOV_VF_OFFSET, &offset) &&
		    !pci_read_config_word(d, pos + PCI_SRIOV_VF_STRIDE, &stride)) {
			u32 last = pci_dev_id(d) + offset + (u32)stride * (nvf - 1);

			if (last > limit && last <= 0xffff)
				limit = last;
		}
	}
	dev_fns_put(fn, nfn);
	s->rid_base = seg | base;
	s->rid_limit = seg | limit;
}

#define PLATFORM_ANY	"this platform"

/* a root port whose keys a platform TSM owns (kb NONE): 79 characters at most */
static void platform_err(struct netlink_ext_ack *extack, const struct tsmh_ide_kport *rp)
{
	if (!strcmp(rp->platform, PLATFORM_ANY) || strlen(rp->platform) > 8)
		NL_SET_ERR_MSG(extack,
			       "root-port IDE keys on this platform are owned by the platform TSM; use a TSM backend");
	else
		ide_errf(extack,
			 "root-port IDE keys on this platform are owned by the platform TSM; use a TSM backend",
			 "root-port IDE keys on %s are owned by the platform TSM; use a TSM backend",
			 rp->platform);
}

static const char *platform_name(void)
{
#ifdef CONFIG_X86
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		return "Intel";
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD)
		return "AMD";
#endif
	return PLATFORM_ANY;
}

/* @ep's root port, referenced; NULL with @extack set */
static struct tsmh_dev *find_rp(struct tsmh_dev *ep, struct netlink_ext_ack *extack)
{
	struct pci_dev *rpdev = pcie_find_root_port(ep->pdev);
	struct tsmh_dev *rp;

	if (!rpdev) {
		ide_errf(extack, "the endpoint has no root port",
			 "%s: no PCIe root port above it", ep->name);
		return NULL;
	}
	rp = tsmh_dev_find(pci_name(rpdev));
	if (!rp || !READ_ONCE(rp->ide)) {
		ide_errf(extack, "the endpoint's root port has no IDE capability tracked",
			 "%s: its root port %s has no IDE capability tracked", ep->name,
			 pci_name(rpdev));
		if (rp)
			tsmh_dev_put(rp);
		return NULL;
	}
	return rp;
}

int tsmh_nl_ide_stream_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct tsmh_dev *dev, *rpdev = NULL;
	struct tsmh_ide_kport *ep, *rp;
	struct tsmh_ide_kstream *s = NULL;
	struct tsmh_ide_bridge *br;
	u32 type = TSMH_IDE_TYPE_SELECTIVE, tc = 0;
	unsigned int nr_assoc;
	int ret;

	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	if (info->attrs[TSMH_A_IDE_STREAM_TYPE])
		type = nla_get_u32(info->attrs[TSMH_A_IDE_STREAM_TYPE]);
	if (info->attrs[TSMH_A_IDE_TC])
		tc = nla_get_u32(info->attrs[TSMH_A_IDE_TC]);
	ret = -EINVAL;
	if (type >= __TSMH_IDE_TYPE_NR) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TSMH_A_IDE_STREAM_TYPE],
				    "unknown stream type");
		goto out;
	}
	if (tc > 7) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TSMH_A_IDE_TC], "traffic class is 0-7");
		goto out;
	}
	ep = READ_ONCE(dev->ide);
	ret = -EOPNOTSUPP;
	if (!ep || ep->role != TSMH_IDE_ROLE_ENDPOINT) {
		ide_errf(extack, "not an IDE endpoint",
			 "%s: not an endpoint with an IDE capability", dev->name);
		goto out;
	}
	rpdev = find_rp(dev, extack);
	if (!rpdev)
		goto out;
	rp = READ_ONCE(rpdev->ide);
	if (rp->role != TSMH_IDE_ROLE_ROOT_PORT || rp->br != ep->br) {
		ide_errf(extack, "the root port is not an IDE root port of the same host bridge",
			 "%s: %s is not its IDE root port", dev->name, rpdev->name);
		goto out;
	}
	if (type == TSMH_IDE_TYPE_LINK && pci_upstream_bridge(dev->pdev) != rpdev->pdev) {
		ide_errf(extack, "a link stream needs the endpoint directly below its root port",
			 "%s: link stream: a switch between it and root port %s",
			 dev->name, rpdev->name);
		goto out;
	}
	/* the keys first: nothing is allocated when the host cannot key the root port */
	if (rp->kb == TSMH_IDE_KB_NONE) {
		platform_err(extack, rp);
		goto out;
	}
	ret = -ENOMEM;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		goto out;
	br = ep->br;
	s->br = br;
	s->ops = br->ops;
	s->rp = rp;
	s->ep = ep;
	s->epdev = dev;		/* referenced below once the stream exists */
	s->rpdev = rpdev;
	s->type = type;
	s->tc = tc;
	s->created = ktime_get_real_ns();
	s->seq = atomic64_inc_return(&tsmh_ide_seq);
	ep_rids(dev->pdev, s);
	s->ep_rid = (u32)(pci_domain_nr(rpdev->pdev->bus) & 0xff) << 16 | pci_dev_id(rpdev->pdev);

	mutex_lock(&br->lock);
	ret = -ENODEV;
	if (ep->gone || rp->gone) {
		NL_SET_ERR_MSG(extack, "device is being removed");
		goto unlock;
	}
	if (type == TSMH_IDE_TYPE_SELECTIVE) {
		ret = ep_windows(dev->pdev, s, TSMH_IDE_MAX_ASSOC);
		if (ret)
			goto unlock;
	}
	ret = s->ops->alloc(s, extack);
	if (ret)
		goto unlock;
	/*
	 * Windows beyond the root port block's address blocks, or beyond
	 * what the backend programs (7.2's pci_ide: 2): merge further.
	 */
	nr_assoc = type == TSMH_IDE_TYPE_SELECTIVE ? rp->layout->sel_nr_assoc[s->rp_block] : 0;
	if (s->ops->max_addr && s->ops->max_addr < nr_assoc)
		nr_assoc = s->ops->max_addr;
	if (type == TSMH_IDE_TYPE_SELECTIVE && s->nr_addr > nr_assoc) {
		ret = ep_windows(dev->pdev, s, nr_assoc);
		if (ret) {
			ide_errf(extack, "the root port's block has no address association block",
				 "%s: root port %s block %u: no address association block",
				 dev->name, rpdev->name, s->rp_block);
			s->ops->free(s, NULL);
			goto unlock;
		}
	}
	ret = s->ops->setup(s, extack);
	if (ret) {
		s->ops->free(s, NULL);
		goto unlock;
	}
	kref_get(&dev->ref);
	rpdev = NULL;	/* the stream's reference now */
	list_add_tail(&s->node, &br->streams);
	ku_refresh(s);
	pci_info(dev->pdev, "IDE stream %u set up with %s (blocks %u/%u, TC %u), not enabled\n",
		 s->id, s->rpdev->name, s->rp_block, s->ep_block, s->tc);
	ide_event(s, TSMH_IDE_EVT_NEW);
	ret = reply_stream(info, TSMH_CMD_IDE_STREAM_NEW, dev, s);
	if (ret) {
		/* the caller never learns of the stream: it does not stay */
		stream_destroy(s);
		mutex_unlock(&br->lock);
		stream_put(s);
		s = NULL;
		goto out;
	}
	s = NULL;
unlock:
	mutex_unlock(&br->lock);
out:
	kfree(s);
	if (rpdev)
		tsmh_dev_put(rpdev);
	tsmh_dev_put(dev);
	return ret;
}

/* ---- commands on a stream ---- */

/*
 * The stream @info names: dev-name (its endpoint or its root port) and
 * ide-stream-id. Returns it with its bridge lock held, or NULL (*@err).
 */
static struct tsmh_ide_kstream *req_stream(struct genl_info *info, struct tsmh_dev **devp,
					   int *err)
{
	struct tsmh_ide_kstream *s;
	struct tsmh_ide_kport *p;
	struct tsmh_dev *dev;
	u32 id;

	*devp = NULL;
	dev = tsmh_nl_req_dev(info, 0, err);
	if (!dev)
		return NULL;
	*err = tsmh_nl_need(info, TSMH_A_IDE_STREAM_ID,
			    "stream ID (TSMH_A_IDE_STREAM_ID) required");
	if (*err)
		goto err;
	id = nla_get_u32(info->attrs[TSMH_A_IDE_STREAM_ID]);
	p = READ_ONCE(dev->ide);
	*err = -EOPNOTSUPP;
	if (!p || (p->role != TSMH_IDE_ROLE_ENDPOINT && p->role != TSMH_IDE_ROLE_ROOT_PORT)) {
		ide_errf(info->extack, "not an IDE root port or endpoint",
			 "%s: not an IDE root port or endpoint", dev->name);
		goto err;
	}
	mutex_lock(&p->br->lock);
	list_for_each_entry(s, &p->br->streams, node) {
		if (s->id == id && (s->rp == p || s->ep == p)) {
			*devp = dev;
			return s;
		}
	}
	mutex_unlock(&p->br->lock);
	*err = -ENOENT;
	ide_errf(info->extack, "no such IDE stream on the device",
		 "%s: no IDE stream %u", dev->name, id);
err:
	tsmh_dev_put(dev);
	return NULL;
}

static void req_stream_done(struct tsmh_ide_kstream *s, struct tsmh_dev *dev)
{
	mutex_unlock(&s->br->lock);
	tsmh_dev_put(dev);
}

/* a u32 attribute that must be present and below @max */
static int need_u32(struct genl_info *info, int attr, u32 max, const char *what, u32 *v)
{
	if (!info->attrs[attr]) {
		ide_errf(info->extack, "attribute missing", "%s required", what);
		return -EINVAL;
	}
	*v = nla_get_u32(info->attrs[attr]);
	if (*v >= max) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr], "value out of range");
		return -EINVAL;
	}
	return 0;
}

static int need_kb(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	if (s->rp->kb == TSMH_IDE_KB_SIM)
		return 0;
	platform_err(extack, s->rp);
	return -EOPNOTSUPP;
}

/* DWORD n of a key register holds bytes 4n..4n+3, the first in bits 7:0 */
static u32 le32_at(const u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

int tsmh_nl_ide_key_prog_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ka = info->attrs[TSMH_A_IDE_KEY], *ia = info->attrs[TSMH_A_IDE_IFV];
	u8 key[TSMH_IDE_KEY_LEN], ifv[TSMH_IDE_IFV_LEN];
	bool key_ok = ka && nla_len(ka) == TSMH_IDE_KEY_LEN;
	bool ifv_ok = ia && nla_len(ia) == TSMH_IDE_IFV_LEN;
	struct tsmh_ide_kstream *s;
	struct tsmh_dev *dev;
	u32 set, dir, sub, sel;
	int i, ret;

	/* copy and wipe the request's key material first, whatever follows */
	memset(key, 0, sizeof(key));
	memset(ifv, 0, sizeof(ifv));
	if (key_ok)
		memcpy(key, nla_data(ka), sizeof(key));
	if (ifv_ok)
		memcpy(ifv, nla_data(ia), sizeof(ifv));
	if (ka)
		memzero_explicit(nla_data(ka), nla_len(ka));
	if (ia)
		memzero_explicit(nla_data(ia), nla_len(ia));

	ret = -EINVAL;
	if (!key_ok) {
		if (ka)
			NL_SET_ERR_MSG_ATTR(info->extack, ka,
					    "key must be TSMH_IDE_KEY_LEN (32) bytes");
		else
			NL_SET_ERR_MSG(info->extack, "key (TSMH_A_IDE_KEY) required");
		goto wipe;
	}
	if (!ifv_ok) {
		if (ia)
			NL_SET_ERR_MSG_ATTR(info->extack, ia,
					    "IFV must be TSMH_IDE_IFV_LEN (8) bytes");
		else
			NL_SET_ERR_MSG(info->extack, "IFV (TSMH_A_IDE_IFV) required");
		goto wipe;
	}
	ret = need_u32(info, TSMH_A_IDE_KEY_SET, 2, "key set (TSMH_A_IDE_KEY_SET)", &set);
	ret = ret ?: need_u32(info, TSMH_A_IDE_DIR, __TSMH_IDE_DIR_NR, "direction (TSMH_A_IDE_DIR)",
			      &dir);
	ret = ret ?: need_u32(info, TSMH_A_IDE_SUB, __TSMH_IDE_SUB_NR,
			      "sub-stream (TSMH_A_IDE_SUB)", &sub);
	if (ret)
		goto wipe;
	s = req_stream(info, &dev, &ret);
	if (!s)
		goto wipe;
	ret = need_kb(s, info->extack);
	if (ret)
		goto done;
	sel = ku_sel(s->id, set, dir, sub);
	ret = tsmh_ide_wr(s->rp, s->rp->ku_off + TSMH_KU_SEL, sel);
	for (i = 0; !ret && i < TSMH_IDE_KEY_LEN / 4; i++)
		ret = tsmh_ide_wr(s->rp, s->rp->ku_off + TSMH_KU_KEY + 4 * i,
				  le32_at(key + 4 * i));
	for (i = 0; !ret && i < TSMH_IDE_IFV_LEN / 4; i++)
		ret = tsmh_ide_wr(s->rp, s->rp->ku_off + TSMH_KU_IFV + 4 * i,
				  le32_at(ifv + 4 * i));
	if (ret)
		ide_errf(info->extack, "root-port key unit: config write failed",
			 "root port %s key unit: staging the key failed (%d)", s->rpdev->name,
			 ret);
	else
		ret = ku_cmd(s->rp, sel, TSMH_KU_CMD_PROGRAM, "PROGRAM", info->extack);
	ku_refresh(s);
	/* not programmed: no key stays in the stage registers (IFV follows the key) */
	BUILD_BUG_ON(TSMH_KU_KEY + TSMH_IDE_KEY_LEN != TSMH_KU_IFV);
	if (ret)
		for (i = 0; i < (TSMH_IDE_KEY_LEN + TSMH_IDE_IFV_LEN) / 4; i++)
			tsmh_ide_wr(s->rp, s->rp->ku_off + TSMH_KU_KEY + 4 * i, 0);
done:
	req_stream_done(s, dev);
wipe:
	memzero_explicit(key, sizeof(key));
	memzero_explicit(ifv, sizeof(ifv));
	return ret;
}

int tsmh_nl_ide_kset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ide_kstream *s;
	struct tsmh_dev *dev;
	u32 set, op;
	int ret;

	ret = need_u32(info, TSMH_A_IDE_KEY_SET, 2, "key set (TSMH_A_IDE_KEY_SET)", &set);
	ret = ret ?: need_u32(info, TSMH_A_IDE_KSET_OP, __TSMH_IDE_KSET_NR,
			      "operation (TSMH_A_IDE_KSET_OP)", &op);
	if (ret)
		return ret;
	s = req_stream(info, &dev, &ret);
	if (!s)
		return ret;
	ret = need_kb(s, info->extack);
	if (!ret)
		ret = ku_cmd(s->rp, ku_sel(s->id, set, 0, 0),
			     op == TSMH_IDE_KSET_GO ? TSMH_KU_CMD_GO : TSMH_KU_CMD_STOP,
			     op == TSMH_IDE_KSET_GO ? "K_SET_GO" : "K_SET_STOP", info->extack);
	ku_refresh(s);
	if (ret == -EIO && op == TSMH_IDE_KSET_GO)
		ret = -ENOKEY;
	if (!ret) {
		ide_event(s, TSMH_IDE_EVT_KEYED);
		ret = reply_stream(info, TSMH_CMD_IDE_KSET, dev, s);
	}
	req_stream_done(s, dev);
	return ret;
}

int tsmh_nl_ide_stream_enable_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ide_kstream *s;
	struct end_state rp, ep;
	struct tsmh_dev *dev;
	int ret;

	s = req_stream(info, &dev, &ret);
	if (!s)
		return ret;
	ret = s->ops->enable(s, info->extack);
	if (!ret) {
		s->flags &= ~(TSMH_IDE_S_F_RESET | TSMH_IDE_S_F_CFG_WRITE);
		read_end(s, s->rp, &rp);
		read_end(s, s->ep, &ep);
		pci_info(s->epdev->pdev, "IDE stream %u enabled: root port %s, endpoint %s\n",
			 s->id, tsmh_ide_state_name(rp.state), tsmh_ide_state_name(ep.state));
		ide_event(s, TSMH_IDE_EVT_ENABLED);
		ret = reply_stream(info, TSMH_CMD_IDE_STREAM_ENABLE, dev, s);
	}
	req_stream_done(s, dev);
	return ret;
}

/*
 * Disable (root port first), wipe the root port's keys, clear the blocks
 * and free; the stream leaves the list. Bridge lock held; the caller
 * sends no more events for it and drops its references after unlocking.
 */
static void stream_destroy(struct tsmh_ide_kstream *s)
{
	lockdep_assert_held(&s->br->lock);
	s->ops->disable(s, NULL);
	ku_stop_all(s);
	s->ops->teardown(s, NULL);
	ide_event(s, TSMH_IDE_EVT_DELETED);
	s->ops->free(s, NULL);
	list_del(&s->node);
	pci_info(s->epdev->pdev, "IDE stream %u with %s deleted\n", s->id, s->rpdev->name);
}

static void stream_put(struct tsmh_ide_kstream *s)
{
	tsmh_dev_put(s->rpdev);
	tsmh_dev_put(s->epdev);
	kfree(s);
}

int tsmh_nl_ide_stream_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ide_kstream *s;
	struct tsmh_dev *dev;
	int ret;

	s = req_stream(info, &dev, &ret);
	if (!s)
		return ret;
	/* a TDI locked with it must leave CONFIG_LOCKED/RUN first */
	ret = tsmh_tdi_stream_del_check(s->epdev, s->id, info->extack);
	if (ret) {
		req_stream_done(s, dev);
		return ret;
	}
	stream_destroy(s);
	req_stream_done(s, dev);
	stream_put(s);
	return 0;
}

/* ---- lifecycle ---- */

static struct tsmh_ide_bridge *bridge_get(struct pci_dev *pdev)
{
	struct pci_host_bridge *phb = pci_find_host_bridge(pdev->bus);
	struct tsmh_ide_bridge *br;

	mutex_lock(&tsmh_ide_list_lock);
	list_for_each_entry(br, &tsmh_ide_bridges, node) {
		if (br->phb == phb) {
			br->nr_ports++;
			goto out;
		}
	}
	br = kzalloc(sizeof(*br), GFP_KERNEL);
	if (br) {
		br->phb = phb;
		br->nr_ports = 1;
		mutex_init(&br->lock);
		INIT_LIST_HEAD(&br->ports);
		INIT_LIST_HEAD(&br->streams);
		br->ops = tsmh_ide_pick_ops(pdev);
		tsmh_ide_hb_init(&br->hb, dev_name(&phb->dev), tsmh_ide_pci_pool(pdev),
				 TSMH_IDE_ID_PER_HB);
		list_add_tail(&br->node, &tsmh_ide_bridges);
	}
out:
	mutex_unlock(&tsmh_ide_list_lock);
	return br;
}

static void bridge_put(struct tsmh_ide_bridge *br)
{
	bool last;

	mutex_lock(&tsmh_ide_list_lock);
	last = !--br->nr_ports;
	if (last)
		list_del(&br->node);
	mutex_unlock(&tsmh_ide_list_lock);
	if (last) {
		mutex_destroy(&br->lock);
		kfree(br);
	}
}

static int cfg_read32(void *ctx, u16 off, u32 *v)
{
	int ret = pci_read_config_dword(ctx, off, v);

	return ret ? pcibios_err_to_errno(ret) : 0;
}

static void find_key_backend(struct tsmh_ide_kport *p)
{
	struct pci_dev *pdev = p->dev->pdev;
	u16 off = pci_find_vsec_capability(pdev, pdev->vendor, TSMH_KU_VSEC_ID);
	u32 hdr;

	p->kb = TSMH_IDE_KB_NONE;
	strscpy(p->platform, platform_name(), sizeof(p->platform));
	if (pdev->vendor != TSMH_KU_VENDOR || pdev->device != TSMH_KU_DEVICE)
		return;
	if (!off || pci_read_config_dword(pdev, off + PCI_VNDR_HEADER, &hdr))
		return;
	if (PCI_VNDR_HEADER_REV(hdr) != TSMH_KU_VSEC_REV ||
	    PCI_VNDR_HEADER_LEN(hdr) < TSMH_KU_LEN)
		return;
	p->kb = TSMH_IDE_KB_SIM;
	p->ku_off = off;
}

/* streams enabled at both ends before we came: claimed, never reprogrammed */
static void claim_streams(struct tsmh_ide_kport *ep, struct tsmh_dev *rpdev)
{
	struct tsmh_ide_bridge *br = ep->br;
	struct tsmh_ide_req req = TSMH_IDE_REQ_ANY;
	struct tsmh_ide_kport *rp = rpdev ? READ_ONCE(rpdev->ide) : NULL;
	struct tsmh_ide_ctl ec, rc;
	struct tsmh_ide_kstream *s;
	unsigned int i, j;
	char msg[128];
	u32 v;

	lockdep_assert_held(&br->lock);
	if (!rp || rp->br != br || rp->role != TSMH_IDE_ROLE_ROOT_PORT || rp->gone)
		return;
	for (i = 0; i < ep->layout->nr_sel; i++) {
		if (tsmh_ide_rd(ep, ep->layout->sel_off[i] + TSMH_IDE_SEL_CTL, &v))
			continue;
		tsmh_ide_ctl_decode(v, true, &ec);
		if (!ec.en || ec.stream_id == TSMH_IDE_RESERVED_ID)
			continue;
		for (j = 0; j < rp->layout->nr_sel; j++) {
			if (tsmh_ide_rd(rp, rp->layout->sel_off[j] + TSMH_IDE_SEL_CTL, &v))
				continue;
			tsmh_ide_ctl_decode(v, true, &rc);
			if (rc.en && rc.stream_id == ec.stream_id)
				break;
		}
		if (j == rp->layout->nr_sel)
			continue;
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s)
			break;
		req.stream_id = ec.stream_id;
		req.up_block = j;
		req.down_block = i;
		if (tsmh_ide_alloc_sel(&s->a, &rp->port, &ep->port, &req, msg, sizeof(msg))) {
			pci_warn(ep->dev->pdev, "IDE stream %u active at load not claimed: %s\n",
				 ec.stream_id, msg);
			kfree(s);
			continue;
		}
		s->br = br;
		s->ops = &tsmh_ide_own_ops;
		s->rp = rp;
		s->ep = ep;
		s->type = TSMH_IDE_TYPE_SELECTIVE;
		s->tc = ec.tc;
		s->id = ec.stream_id;
		s->rp_block = j;
		s->ep_block = i;
		s->flags = TSMH_IDE_S_F_CLAIMED;
		s->created = ktime_get_real_ns();
		s->seq = atomic64_inc_return(&tsmh_ide_seq);
		ep_rids(ep->dev->pdev, s);
		kref_get(&rpdev->ref);
		kref_get(&ep->dev->ref);
		s->rpdev = rpdev;
		s->epdev = ep->dev;
		list_add_tail(&s->node, &br->streams);
		ku_refresh(s);
		pci_info(ep->dev->pdev, "IDE stream %u (blocks %u/%u with %s) active at load: claimed\n",
			 s->id, j, i, rpdev->name);
		ide_event(s, TSMH_IDE_EVT_NEW);
	}
}

/* the selective block @i of @p belongs to a stream the kernel knows */
static bool block_owned(struct tsmh_ide_kport *p, unsigned int i)
{
	struct tsmh_ide_kstream *s;

	list_for_each_entry(s, &p->br->streams, node) {
		if (s->type != TSMH_IDE_TYPE_SELECTIVE)
			continue;
		if ((s->rp == p && s->rp_block == i) || (s->ep == p && s->ep_block == i))
			return true;
	}
	return false;
}

/*
 * Idle selective blocks hold stream ID 255 (never a live stream's). Only
 * with our own backend (the PCI core's registers are not ours to write)
 * and never a block a stream owns (set up, maybe not enabled yet:
 * mid-connect). @p->br->lock held.
 */
static void idle_ids(struct tsmh_ide_kport *p)
{
	struct tsmh_ide_ctl c;
	unsigned int i;
	u32 v;

	lockdep_assert_held(&p->br->lock);
	if (!p->host || p->br->ops != &tsmh_ide_own_ops)
		return;
	for (i = 0; i < p->layout->nr_sel; i++) {
		int off = p->layout->sel_off[i] + TSMH_IDE_SEL_CTL;

		if (block_owned(p, i) || tsmh_ide_rd(p, off, &v))
			continue;
		tsmh_ide_ctl_decode(v, true, &c);
		if (!c.en && c.stream_id != TSMH_IDE_RESERVED_ID)
			tsmh_ide_wr(p, off, (u32)TSMH_IDE_RESERVED_ID << TSMH_IDE_CTL_ID_SHIFT);
	}
}

void tsmh_ide_dev_add(struct tsmh_dev *dev, bool at_load)
{
	struct tsmh_cfg_reader rd = {
		.read32 = cfg_read32, .ctx = dev->pdev, .size = dev->pdev->cfg_size,
	};
	struct pci_dev *pdev = dev->pdev, *rpp;
	struct tsmh_dev *rpdev = NULL;
	struct tsmh_ide_kport *p;
	enum tsmh_ide_port_kind kind;
	char why[128];
	int type, ret;

	if (!dev->caps.ide_off)
		return;
	type = pci_pcie_type(pdev);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto nomem;
	p->layout = kzalloc(sizeof(*p->layout), GFP_KERNEL);
	if (!p->layout)
		goto nomem;
	ret = tsmh_ide_layout_read(&rd, dev->caps.ide_off, p->layout, why, sizeof(why));
	if (ret) {
		pci_warn(pdev, "IDE capability not used: %s (%d)\n", ret == -EINVAL ? why : "",
			 ret);
		goto free;
	}
	p->dev = dev;
	switch (type) {
	case PCI_EXP_TYPE_ROOT_PORT:
		p->role = TSMH_IDE_ROLE_ROOT_PORT;
		kind = TSMH_IDE_PORT_ROOT;
		find_key_backend(p);
		break;
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_LEG_END:
		p->role = TSMH_IDE_ROLE_ENDPOINT;
		kind = TSMH_IDE_PORT_ENDPOINT;
		break;
	case PCI_EXP_TYPE_DOWNSTREAM:
		p->role = TSMH_IDE_ROLE_OTHER;
		kind = TSMH_IDE_PORT_SWITCH_DS;
		break;
	default:
		p->role = TSMH_IDE_ROLE_OTHER;
		kind = TSMH_IDE_PORT_SWITCH_US;
		break;
	}
	p->br = bridge_get(pdev);
	if (!p->br)
		goto nomem;
	/* looked up before the bridge lock: tsmh_devs_lock is never taken inside it */
	rpp = p->role == TSMH_IDE_ROLE_ENDPOINT ? pcie_find_root_port(pdev) : NULL;
	if (rpp)
		rpdev = tsmh_dev_find(pci_name(rpp));
	mutex_lock(&p->br->lock);
	ret = tsmh_ide_port_init(&p->port, &p->br->hb, dev->name, kind, p->layout->nr_sel,
				 p->layout->nr_link);
	if (ret) {
		mutex_unlock(&p->br->lock);
		bridge_put(p->br);
		pci_warn(pdev, "IDE port not used (%d)\n", ret);
		if (rpdev)
			tsmh_dev_put(rpdev);
		goto free;
	}
	list_add_tail(&p->node, &p->br->ports);
	WRITE_ONCE(dev->ide, p);
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT)
		p->host = p->kb != TSMH_IDE_KB_NONE;
	if (p->role == TSMH_IDE_ROLE_ENDPOINT && rpdev && READ_ONCE(rpdev->ide))
		p->host = READ_ONCE(rpdev->ide)->host;
	/*
	 * With the PCI core's IDE helpers (7.2) the core claimed active
	 * streams and wrote the reserved ID into idle blocks at enumeration:
	 * its registers are not ours to write. A platform TSM's ports are
	 * left as they are.
	 */
	if (p->role == TSMH_IDE_ROLE_ENDPOINT && p->br->ops == &tsmh_ide_own_ops)
		claim_streams(p, rpdev);
	idle_ids(p);
	mutex_unlock(&p->br->lock);
	if (rpdev)
		tsmh_dev_put(rpdev);
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT)
		pci_info(pdev, "IDE root port: %u selective streams, root-port keys: %s\n",
			 p->layout->nr_sel,
			 p->kb == TSMH_IDE_KB_SIM ? "host key unit" : "platform TSM");
	return;
nomem:
	pci_warn(pdev, "IDE port not used: out of memory\n");
free:
	if (p)
		kfree(p->layout);
	kfree(p);
}

void tsmh_ide_dev_remove(struct tsmh_dev *dev, bool unload)
{
	struct tsmh_ide_kport *p = READ_ONCE(dev->ide);
	struct tsmh_ide_kstream *s, *tmp;
	LIST_HEAD(dead);
	char msg[128];

	if (!p)
		return;
	mutex_lock(&p->br->lock);
	p->gone = true;
	list_for_each_entry_safe(s, tmp, &p->br->streams, node) {
		if (s->rp != p && s->ep != p)
			continue;
		if (unload && (s->flags & TSMH_IDE_S_F_CLAIMED)) {
			/* found enabled at load: left as found, claimed again at the next */
			s->ops->free(s, NULL);
			list_del(&s->node);
			pci_info(s->epdev->pdev, "IDE stream %u (claimed at load) left enabled\n",
				 s->id);
		} else {
			stream_destroy(s);
		}
		list_add(&s->node, &dead);
	}
	if (tsmh_ide_port_fini(&p->port, msg, sizeof(msg)))
		pci_warn(dev->pdev, "IDE port still in use at removal: %s\n", msg);
	list_del(&p->node);
	mutex_unlock(&p->br->lock);
	list_for_each_entry_safe(s, tmp, &dead, node)
		stream_put(s);
}

/*
 * The 7.2 link TSM (tsm.c): the streams of the endpoint @pdev created
 * after @since (a tsmh_ide_seq_now() value; 0: all of them) are torn
 * down: a failed sysfs connect undoes only what its request made, every
 * disconnect all. Returns how many were torn down here.
 */
int tsmh_ide_release_dev(struct pci_dev *pdev, u64 since)
{
	struct tsmh_dev *dev = tsmh_dev_find(pci_name(pdev));
	struct tsmh_ide_kstream *s, *tmp;
	struct tsmh_ide_kport *p;
	LIST_HEAD(dead);
	int n = 0;

	if (!dev)
		return 0;
	p = READ_ONCE(dev->ide);
	if (p) {
		mutex_lock(&p->br->lock);
		list_for_each_entry_safe(s, tmp, &p->br->streams, node) {
			if (s->ep != p || s->seq <= since)
				continue;
			stream_destroy(s);
			list_add(&s->node, &dead);
			n++;
		}
		mutex_unlock(&p->br->lock);
	}
	list_for_each_entry_safe(s, tmp, &dead, node)
		stream_put(s);
	tsmh_dev_put(dev);
	return n;
}

/* the endpoint @ep's stream @id, or NULL; its bridge lock held */
static struct tsmh_ide_kstream *ep_stream(struct tsmh_ide_kport *p, u32 id)
{
	struct tsmh_ide_kstream *s;

	lockdep_assert_held(&p->br->lock);
	list_for_each_entry(s, &p->br->streams, node)
		if (s->ep == p && s->id == id)
			return s;
	return NULL;
}

int tsmh_ide_stream_secure(struct tsmh_dev *ep, u32 id)
{
	struct tsmh_ide_kport *p = READ_ONCE(ep->ide);
	struct tsmh_ide_kstream *s;
	struct end_state rp, es;
	int ret = -ENOENT;

	if (!p || p->role != TSMH_IDE_ROLE_ENDPOINT)
		return -ENOENT;
	mutex_lock(&p->br->lock);
	s = ep_stream(p, id);
	if (s) {
		read_end(s, s->rp, &rp);
		read_end(s, s->ep, &es);
		ret = (stream_flags(s, &rp, &es) & TSMH_IDE_S_F_SECURE) &&
		      !(s->flags & (TSMH_IDE_S_F_RESET | TSMH_IDE_S_F_CFG_WRITE));
	}
	mutex_unlock(&p->br->lock);
	return ret;
}

int tsmh_ide_stream_rids(struct tsmh_dev *ep, u32 id, u32 *base, u32 *limit)
{
	struct tsmh_ide_kport *p = READ_ONCE(ep->ide);
	struct tsmh_ide_kstream *s;
	int ret = -ENOENT;

	if (!p || p->role != TSMH_IDE_ROLE_ENDPOINT)
		return -ENOENT;
	mutex_lock(&p->br->lock);
	s = ep_stream(p, id);
	if (s) {
		*base = s->rid_base;
		*limit = s->rid_limit;
		ret = 0;
	}
	mutex_unlock(&p->br->lock);
	return ret;
}

void tsmh_ide_stream_watch(struct tsmh_dev *ep, u32 id)
{
	struct tsmh_ide_kport *p = READ_ONCE(ep->ide);
	struct tsmh_ide_kstream *s;
	int off;

	if (!p || p->role != TSMH_IDE_ROLE_ENDPOINT)
		return;
	mutex_lock(&p->br->lock);
	s = ep_stream(p, id);
	if (s) {
		off = blk_reg(s, s->ep, false);
		if (off >= 0)
			tsmh_tdi_cfg_watch(off);
		off = blk_reg(s, s->rp, false);
		if (off >= 0)
			tsmh_tdi_cfg_watch(off);
		off = s->type == TSMH_IDE_TYPE_LINK ? -1 : tsmh_ide_sel_off(s->rp, s->rp_block);
		if (off >= 0) {
			tsmh_tdi_cfg_watch(off + TSMH_IDE_SEL_RID1);
			tsmh_tdi_cfg_watch(off + TSMH_IDE_SEL_RID2);
		}
	}
	mutex_unlock(&p->br->lock);
}

/*
 * The root port's RID association of selective stream @s still holds
 * the DSM's RID (a link stream has none)? A write narrowing it takes the
 * DSM's traffic out of the stream while Enable and the state may stay.
 * The endpoint's association (the root port's RID) and the address
 * association registers are not re-read. Bridge lock held.
 */
static bool rp_rid_kept(struct tsmh_ide_kstream *s)
{
	u16 rid = s->rid_base & 0xffff;
	struct tsmh_ide_rid r;
	u32 rid1, rid2;
	int off;

	lockdep_assert_held(&s->br->lock);
	if (s->type == TSMH_IDE_TYPE_LINK)
		return true;
	off = tsmh_ide_sel_off(s->rp, s->rp_block);
	if (off < 0 || tsmh_ide_rd(s->rp, off + TSMH_IDE_SEL_RID1, &rid1) ||
	    tsmh_ide_rd(s->rp, off + TSMH_IDE_SEL_RID2, &rid2))
		return false;
	tsmh_ide_rid_decode(rid1, rid2, &r);
	return r.valid && rid >= r.base && rid <= r.limit;
}

void tsmh_ide_stream_cfg_check(struct tsmh_dev *ep, u32 id)
{
	struct tsmh_ide_kport *p = READ_ONCE(ep->ide);
	struct tsmh_ide_kstream *s;
	struct end_state rp, es;
	const char *why;

	if (!p || p->role != TSMH_IDE_ROLE_ENDPOINT)
		return;
	mutex_lock(&p->br->lock);
	s = ep_stream(p, id);
	/* one event: a stream already insecure (reset, written) is left */
	if (s && !(s->flags & (TSMH_IDE_S_F_RESET | TSMH_IDE_S_F_CFG_WRITE))) {
		read_end(s, s->rp, &rp);
		read_end(s, s->ep, &es);
		/*
		 * as tsmh_ide_stream_secure() reads it: both ends enabled
		 * with the ID and SECURE. Clearing Enable drops a stream to
		 * Insecure and only new keys bring it back, so a disable and
		 * re-enable both done before this runs still reads insecure
		 * where the hardware (or the sim, at the root port: its keys
		 * go with the Enable) does so.
		 */
		why = !es.en ? "endpoint control written (Enable cleared or stream ID changed)" :
		      !rp.en ? "root port control written (Enable cleared or stream ID changed)" :
		      !(stream_flags(s, &rp, &es) & TSMH_IDE_S_F_SECURE) ?
		      "no longer SECURE after a config write" :
		      !rp_rid_kept(s) ? "root port RID association no longer holds the DSM" : NULL;
		if (why) {
			s->flags |= TSMH_IDE_S_F_CFG_WRITE;
			pci_warn(s->epdev->pdev, "IDE stream %u: %s: insecure until enabled again\n",
				 s->id, why);
			ide_event(s, TSMH_IDE_EVT_INSECURE);
		}
	}
	mutex_unlock(&p->br->lock);
}

void tsmh_ide_dev_reset(struct tsmh_dev *dev, u32 kind)
{
	struct tsmh_ide_kport *p = READ_ONCE(dev->ide);
	struct tsmh_ide_kstream *s;

	if (!p)
		return;
	mutex_lock(&p->br->lock);
	list_for_each_entry(s, &p->br->streams, node) {
		if (s->rp != p && s->ep != p)
			continue;
		s->flags |= TSMH_IDE_S_F_RESET;
		ku_refresh(s);	/* a reset root port's key unit forgot its keys */
		pci_info(s->epdev->pdev, "IDE stream %u: %s reset: insecure until set up again\n",
			 s->id, role_name(p));
		ide_event(s, TSMH_IDE_EVT_INSECURE);
	}
	/* the reset left its blocks disabled with stream ID 0: idle again */
	idle_ids(p);
	mutex_unlock(&p->br->lock);
}

void tsmh_ide_dev_free(struct tsmh_dev *dev)
{
	struct tsmh_ide_kport *p = dev->ide;

	if (!p)
		return;
	bridge_put(p->br);
	kfree(p->layout);
	kfree(p);
}
