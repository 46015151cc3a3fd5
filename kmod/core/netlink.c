// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: the "tsmh" generic netlink family. Spec: docs/netlink/tsmh.yaml,
 * uapi: include/uapi/linux/tsmh.h.
 *
 * The request policies and the genl_ops (which commands need which
 * capability) are generated from the spec into nl_gen.h
 * (scripts/nlgen.py): each command's policy holds only its request
 * attributes, so strict validation rejects every other one. Errors carry
 * an extended ACK message.
 *
 * Privileges (docs/design.md, "Privileges"): everything that changes what
 * a device may do or what is believed about it (gate-set, mailbox claims,
 * DOE exchanges other than discovery, evidence put/commit/abort) needs
 * CAP_SYS_ADMIN, as binding a driver through sysfs does; CAP_NET_ADMIN
 * alone (NetworkManager, VPN daemons, "--cap-add NET_ADMIN" containers)
 * reads the evidence and runs DOE discovery, nothing more. The Device
 * Serial Number and the accepted digest go to CAP_SYS_ADMIN requesters
 * only, never into events.
 */
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "core.h"
#include "tdi.h"
#include "nl_gen.h"

enum { TSMH_MCGRP_EVENTS_IDX };

static const struct genl_multicast_group tsmh_mcgrps[] = {
	[TSMH_MCGRP_EVENTS_IDX] = { .name = TSMH_GENL_MCGRP_EVENTS },
};

/*
 * Reserved bits are rejected on every kernel (the genl core only checks
 * the header's reserved field from 6.2 on), and so are unknown flags.
 */
static int check_flags(struct genl_info *info, u32 allowed)
{
	u32 flags;

	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG(info->extack, "reserved genetlink header field must be 0");
		return -EINVAL;
	}
	if (!info->attrs[TSMH_A_FLAGS])
		return 0;
	flags = nla_get_u32(info->attrs[TSMH_A_FLAGS]);
	if (flags & ~allowed) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TSMH_A_FLAGS],
				    "unknown flag bits set");
		return -EINVAL;
	}
	return 0;
}

int tsmh_nl_perm(const struct sk_buff *skb, struct netlink_ext_ack *extack,
		 enum tsmh_nl_perm perm)
{
	if (perm == TSMH_NL_PERM_NET_OR_SYS_ADMIN && netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	/* NL_SET_ERR_MSG() takes a literal (a static array on 6.1) */
	if (perm == TSMH_NL_PERM_SYS_ADMIN)
		NL_SET_ERR_MSG(extack, "CAP_SYS_ADMIN required");
	else
		NL_SET_ERR_MSG(extack, "CAP_NET_ADMIN or CAP_SYS_ADMIN required");
	return -EPERM;
}

/* ---- replies ---- */

/*
 * A platform TSM driver connected through the PCI core (pdev->tsm, 6.19+
 * with CONFIG_PCI_TSM) owns the CMA mailbox: it is reported as a firmware
 * owner and nobody else may use it for anything but discovery. Its name
 * is not reachable without the PCI TSM core's lock: "pci-tsm".
 */
#define TSMH_PCI_TSM_OWNER "pci-tsm"

static bool mb_tsm_owned(struct tsmh_mb *mb)
{
	lockdep_assert_held(&mb->dev->state_lock);
	return tsmh_pci_tsm_bound(mb->dev->pdev) &&
	       (tsmh_mb_supports(mb, TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_CMA) ||
		tsmh_mb_supports(mb, TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_SEC_CMA));
}

static int put_mailbox(struct sk_buff *skb, struct tsmh_mb *mb)
{
	struct nlattr *nest, *pn;
	bool tsm;
	int i;

	lockdep_assert_held(&mb->dev->state_lock);
	nest = nla_nest_start(skb, TSMH_A_DEV_MAILBOX);
	if (!nest)
		return -EMSGSIZE;
	tsm = mb_tsm_owned(mb);
	if (nla_put_u16(skb, TSMH_MB_A_OFFSET, mb->off) ||
	    nla_put_u32(skb, TSMH_MB_A_OWNER, tsm ? TSMH_OWNER_FIRMWARE : mb->owner) ||
	    nla_put_u64_64bit(skb, TSMH_MB_A_EXCHANGES, mb->nr_xfer, 0))
		goto cancel;
	if (!tsm && mb->owner == TSMH_OWNER_HOST &&
	    nla_put_u32(skb, TSMH_MB_A_OWNER_ID, mb->owner_portid))
		goto cancel;
	if ((tsm || mb->owner != TSMH_OWNER_NONE) &&
	    nla_put_string(skb, TSMH_MB_A_OWNER_NAME, tsm ? TSMH_PCI_TSM_OWNER : mb->owner_name))
		goto cancel;
	if (mb->disc_err && nla_put_s32(skb, TSMH_MB_A_DISCOVERY_ERR, mb->disc_err))
		goto cancel;
	for (i = 0; i < mb->nr_prots; i++) {
		pn = nla_nest_start(skb, TSMH_MB_A_PROTOCOL);
		if (!pn ||
		    nla_put_u16(skb, TSMH_PROT_A_VENDOR, mb->prots[i].vid) ||
		    nla_put_u8(skb, TSMH_PROT_A_TYPE, mb->prots[i].type))
			goto cancel;
		nla_nest_end(skb, pn);
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * @priv: the requester has CAP_SYS_ADMIN: the Device Serial Number and the
 * accepted digest go in too (never in events).
 */
static int fill_dev(struct sk_buff *skb, struct tsmh_dev *dev, u32 portid, u32 seq,
		    int flags, u8 cmd, struct netlink_callback *cb, bool priv)
{
	void *hdr;
	int i, ret = -EMSGSIZE;

	hdr = genlmsg_put(skb, portid, seq, &tsmh_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb) /* flags the dump NLM_F_DUMP_INTR if the list changed */
		genl_dump_check_consistent(cb, hdr);
	mutex_lock(&dev->state_lock);
	if (nla_put_string(skb, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u16(skb, TSMH_A_DEV_VENDOR, dev->caps.vendor) ||
	    nla_put_u16(skb, TSMH_A_DEV_DEVICE, dev->caps.device) ||
	    nla_put_u32(skb, TSMH_A_DEV_CLASS, dev->caps.class_rev) ||
	    nla_put_u8(skb, TSMH_A_DEV_PCIE_TYPE, dev->caps.exp_type) ||
	    nla_put_u32(skb, TSMH_A_DEV_FLAGS, dev->flags) ||
	    nla_put_u32(skb, TSMH_A_DEV_ANOMALIES, dev->caps.anomalies))
		goto out;
	if (dev->caps.ide_off &&
	    (nla_put_u16(skb, TSMH_A_DEV_IDE_OFFSET, dev->caps.ide_off) ||
	     nla_put_u32(skb, TSMH_A_DEV_IDE_CAP, dev->caps.ide_cap)))
		goto out;
	if (priv && dev->has_serial &&
	    nla_put_u64_64bit(skb, TSMH_A_DEV_SERIAL, dev->serial, TSMH_A_PAD))
		goto out;
	if (cmd != TSMH_CMD_EVT_DEV_DEL)
		for (i = 0; i < dev->nr_mb; i++)
			if (put_mailbox(skb, &dev->mb[i]))
				goto out;
	if (cmd != TSMH_CMD_EVT_DEV_DEL && tsmh_gate_fill(skb, dev, priv))
		goto out;
	ret = 0;
out:
	mutex_unlock(&dev->state_lock);
	if (ret)
		genlmsg_cancel(skb, hdr);
	else
		genlmsg_end(skb, hdr);
	return ret;
}

void tsmh_nl_event_dev(struct tsmh_dev *dev, u8 cmd)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	/* multicast: anyone may listen, so nothing privileged */
	if (fill_dev(skb, dev, 0, 0, 0, cmd, NULL, false)) {
		nlmsg_free(skb);
		return;
	}
	/* -ESRCH just means nobody listens */
	genlmsg_multicast(&tsmh_family, skb, 0, TSMH_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

/*
 * 7.2 link TSM (tsm.c): ask the daemon; @tdi_op (tdi-op) is sent for a
 * guest-req, U32_MAX for none. 0 (delivered), -ESRCH (nobody listens),
 * -ENOBUFS (a listener's queue was full), -ENOMEM, -EMSGSIZE.
 */
int tsmh_nl_event_tsm_req(const char *name, u32 op, u64 cookie, u32 tdi_op)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &tsmh_family, 0, TSMH_CMD_EVT_TSM_REQ);
	if (!hdr ||
	    nla_put_string(skb, TSMH_A_DEV_NAME, name) ||
	    nla_put_u32(skb, TSMH_A_TSM_OP, op) ||
	    nla_put_u64_64bit(skb, TSMH_A_TSM_COOKIE, cookie, TSMH_A_PAD) ||
	    (tdi_op != U32_MAX && nla_put_u32(skb, TSMH_A_TDI_OP, tdi_op))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast(&tsmh_family, skb, 0, TSMH_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

/* an event built by another file (ide.c) to the events group; consumes @skb */
void tsmh_nl_multicast(struct sk_buff *skb)
{
	genlmsg_multicast(&tsmh_family, skb, 0, TSMH_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

/* The reply of a command that needs CAP_SYS_ADMIN (gate-set). */
int tsmh_nl_reply_dev(struct genl_info *info, struct tsmh_dev *dev, u8 cmd)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = fill_dev(msg, dev, info->snd_portid, info->snd_seq, 0, cmd, NULL, true);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

void tsmh_nl_event_reset(struct tsmh_dev *dev, u32 kind, u64 count)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tsmh_family, 0, TSMH_CMD_EVT_RESET);
	if (!hdr ||
	    nla_put_string(skb, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u32(skb, TSMH_A_RESET_KIND, kind) ||
	    nla_put_u64_64bit(skb, TSMH_A_RESET_COUNT, count, TSMH_A_PAD)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&tsmh_family, skb, 0, TSMH_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

void tsmh_nl_event_evidence(struct tsmh_dev *dev, u64 gen, u32 prov, u32 present)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tsmh_family, 0, TSMH_CMD_EVT_EVIDENCE);
	if (!hdr ||
	    nla_put_string(skb, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u64_64bit(skb, TSMH_A_EV_GENERATION, gen, TSMH_A_PAD) ||
	    nla_put_u32(skb, TSMH_A_EV_PROVENANCE, prov) ||
	    nla_put_u32(skb, TSMH_A_EV_PRESENT, present)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&tsmh_family, skb, 0, TSMH_MCGRP_EVENTS_IDX, GFP_KERNEL);
}

/* ---- commands ---- */

int tsmh_nl_get_caps_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = check_flags(info, 0);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tsmh_family, 0, TSMH_CMD_GET_CAPS);
	if (!hdr ||
	    nla_put_u32(msg, TSMH_A_ABI_VERSION, TSMH_ABI_VERSION) ||
	    nla_put_u32(msg, TSMH_A_DOE_BACKEND, tsmh_doe_backend()) ||
	    nla_put_u32(msg, TSMH_A_DOE_PAYLOAD_MAX, TSMH_DOE_PAYLOAD_MAX) ||
	    nla_put_string(msg, TSMH_A_KERNEL_RELEASE, utsname()->release) ||
	    nla_put_u32(msg, TSMH_A_EV_OBJ_MAX, TSMH_EV_OBJ_MAX) ||
	    nla_put_u32(msg, TSMH_A_EV_SET_MAX, TSMH_EV_SET_MAX) ||
	    nla_put_u64_64bit(msg, TSMH_A_EV_STAGED, tsmh_ev_staged_bytes(), TSMH_A_PAD) ||
	    nla_put_u32(msg, TSMH_A_GATE_MODE, tsmh_gate_mode()) ||
	    nla_put_u32(msg, TSMH_A_RESET_SOURCES, tsmh_reset_sources())) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * The common head of every per-device command: header and flags checked,
 * TSMH_A_DEV_NAME required and resolved. Returns the device (+1 ref) or
 * NULL with *err set and the extack filled in.
 */
static struct tsmh_dev *req_dev(struct genl_info *info, u32 allowed_flags, int *err)
{
	struct tsmh_dev *dev;
	struct nlattr *a;

	*err = check_flags(info, allowed_flags);
	if (!*err)
		*err = tsmh_nl_need(info, TSMH_A_DEV_NAME,
				    "device name (TSMH_A_DEV_NAME) required");
	if (*err)
		return NULL;
	a = info->attrs[TSMH_A_DEV_NAME];
	dev = tsmh_dev_find(nla_data(a));
	if (!dev) {
		TSMH_ERR(info->extack, "no such device tracked by tsmh", "%.31s",
			 (char *)nla_data(a));
		*err = -ENODEV;
	}
	return dev;
}

struct tsmh_dev *tsmh_nl_req_dev(struct genl_info *info, u32 allowed_flags, int *err)
{
	return req_dev(info, allowed_flags, err);
}

int tsmh_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_dev *dev;
	struct sk_buff *msg;
	int ret;

	dev = req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		tsmh_dev_put(dev);
		return -ENOMEM;
	}
	ret = fill_dev(msg, dev, info->snd_portid, info->snd_seq, 0, TSMH_CMD_DEV_GET, NULL,
		       netlink_capable(skb, CAP_SYS_ADMIN));
	tsmh_dev_put(dev);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

int tsmh_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = tsmh_dump_attrs(cb);
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	unsigned long idx = cb->args[0];
	struct tsmh_dev *dev;
	unsigned int gen;
	bool priv;
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
		NL_SET_ERR_MSG(cb->extack, "a dump lists every device: no device name");
		return -EINVAL;
	}
	/* the request's socket and the reader (each round, like the rest) */
	priv = netlink_capable(cb->skb, CAP_SYS_ADMIN);
	while ((dev = tsmh_dev_nth(idx, &gen))) {
		cb->seq = gen;
		ret = fill_dev(skb, dev, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			       NLM_F_MULTI, TSMH_CMD_DEV_GET, cb, priv);
		tsmh_dev_put(dev);
		if (ret)
			break;
		idx++;
	}
	cb->args[0] = idx;
	/* a full skb ends this round; an empty one means we are done */
	return ret && skb->len ? skb->len : (ret ? ret : skb->len);
}

/* Pick the mailbox: by offset, or the first one offering the protocol. */
static struct tsmh_mb *pick_mb(struct genl_info *info, struct tsmh_dev *dev,
			       u16 vid, u8 type, bool by_prot)
{
	struct nlattr *off = info->attrs[TSMH_A_MB_OFFSET];
	struct tsmh_mb *mb = NULL;
	int i;

	mutex_lock(&dev->state_lock);
	for (i = 0; i < dev->nr_mb; i++) {
		if (off && dev->mb[i].off != nla_get_u16(off))
			continue;
		if (!off && by_prot && !tsmh_mb_supports(&dev->mb[i], vid, type))
			continue;
		mb = &dev->mb[i];
		break;
	}
	if (mb && by_prot && !tsmh_mb_supports(mb, vid, type)) {
		TSMH_ERR(info->extack, "mailbox does not offer the protocol",
			 "mailbox %#x, protocol %04x:%02x", mb->off, vid, type);
		mb = ERR_PTR(-EOPNOTSUPP);
	}
	mutex_unlock(&dev->state_lock);
	if (!mb) {
		if (off)
			TSMH_ERR(info->extack, "no DOE mailbox at that offset", "%#x",
				 nla_get_u16(off));
		else
			TSMH_ERR(info->extack, "no DOE mailbox offers the protocol",
				 "%04x:%02x", vid, type);
		return ERR_PTR(off ? -ENOENT : -EOPNOTSUPP);
	}
	return mb;
}

/* Describe the owner for an error message. */
static __maybe_unused const char *owner_str(struct tsmh_mb *mb)
{
	return mb->owner == TSMH_OWNER_FIRMWARE ? "firmware TSM" : "host requester";
}

/*
 * One DOE_EXCHANGE request on its way through the phases below.
 *
 * The handler only checks and admits the request; the exchange itself,
 * its reply and its ACK run in a work item (doe_xchg_work()). genl_rcv()
 * holds generic netlink's global cb_lock (read) across every handler and
 * genl_register_family() takes it for write, so a handler that sleeps for
 * a device (up to the DOE timeout, several in a row when exchanges queue)
 * stalls every generic netlink request and family registration in the
 * system behind the waiting writer. The handler returns -EINTR, for which
 * netlink_rcv_skb() sends no ACK; the work item sends the reply and then
 * the ACK (or the error with its extack) for the same request, so a
 * client sees what a synchronous handler would have sent.
 */
struct doe_xchg {
	struct tsmh_dev *dev;
	struct tsmh_mb *mb;
	u16 vid;
	u8 type;
	void *req;		/* the payload, zero-padded to @pad_len */
	size_t pad_len;
	void *rsp;		/* TSMH_DOE_PAYLOAD_MAX + 4 bytes */
	size_t rsp_len;
	/* the request, kept for the deferred reply and ACK */
	struct work_struct work;
	struct sk_buff *in_skb;	/* +1 ref; holds @nlh */
	struct nlmsghdr *nlh;
	struct sock *sk;	/* the requester (sock_hold): claim identity */
	u32 portid, seq;
	struct netlink_ext_ack extack;
};

/*
 * Admission: at most TSMH_MB_QUEUE_MAX exchanges queued on one mailbox and
 * TSMH_XFER_MAX in the whole module; beyond that -EAGAIN (retry later).
 */
#define TSMH_MB_QUEUE_MAX	8
#define TSMH_XFER_MAX		64
static atomic_t tsmh_xfer_inflight = ATOMIC_INIT(0);

/*
 * Phase 0: the privilege ("flags: [ cap-in-handler ]"), before anything
 * else looks at the request: DOE discovery takes CAP_NET_ADMIN or
 * CAP_SYS_ADMIN, any other protocol (CMA and SPDM above all)
 * CAP_SYS_ADMIN, and EPERM names what this request needed.
 */
static int doe_xchg_perm(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *vid = info->attrs[TSMH_A_DOE_VENDOR];
	struct nlattr *type = info->attrs[TSMH_A_DOE_TYPE];
	bool disc = vid && type && nla_get_u16(vid) == TSMH_DOE_VID_PCISIG &&
		    nla_get_u8(type) == TSMH_DOE_PROT_DISCOVERY;

	return tsmh_nl_perm(skb, info->extack,
			    disc ? TSMH_NL_PERM_NET_OR_SYS_ADMIN : TSMH_NL_PERM_SYS_ADMIN);
}

/* Phase 1: flags and the protocol attributes. */
static int doe_xchg_parse(struct genl_info *info, struct doe_xchg *x)
{
	int ret;

	ret = check_flags(info, 0);
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_DOE_VENDOR,
				   "protocol vendor (TSMH_A_DOE_VENDOR) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_DOE_TYPE,
				   "protocol type (TSMH_A_DOE_TYPE) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_DOE_REQUEST,
				   "request payload (TSMH_A_DOE_REQUEST) required");
	if (ret)
		return ret;
	x->vid = nla_get_u16(info->attrs[TSMH_A_DOE_VENDOR]);
	x->type = nla_get_u8(info->attrs[TSMH_A_DOE_TYPE]);
	return 0;
}

/* Phase 2: the request and response buffers. */
static int doe_xchg_alloc(struct doe_xchg *x, const struct nlattr *rq)
{
	size_t req_len = nla_len(rq);

	/* DOE objects are whole dwords: zero-pad the payload (PCIe 6.30.1). */
	x->pad_len = round_up(req_len, 4);
	x->req = kvzalloc(max_t(size_t, x->pad_len, 4), GFP_KERNEL);
	/* 4 bytes of headroom tell a too-large response from one that fits */
	x->rsp = kvmalloc(TSMH_DOE_PAYLOAD_MAX + 4, GFP_KERNEL);
	if (!x->req || !x->rsp)
		return -ENOMEM;
	memcpy(x->req, nla_data(rq), req_len);
	return 0;
}

/* Phase 3: a place in the mailbox's queue and the module's (no sleeping). */
static int doe_xchg_admit(struct genl_info *info, struct doe_xchg *x)
{
	struct tsmh_mb *mb = x->mb;
	int ret = 0;

	if (atomic_inc_return(&tsmh_xfer_inflight) > TSMH_XFER_MAX) {
		atomic_dec(&tsmh_xfer_inflight);
		TSMH_ERR(info->extack, "too many DOE exchanges in flight, retry later",
			 "limit %u", TSMH_XFER_MAX);
		return -EAGAIN;
	}
	mutex_lock(&x->dev->state_lock);
	if (mb->nr_queued >= TSMH_MB_QUEUE_MAX) {
		TSMH_ERR(info->extack, "DOE mailbox queue full, retry later",
			 "mailbox %#x: %u exchanges queued", mb->off, mb->nr_queued);
		ret = -EAGAIN;
	} else {
		mb->nr_queued++;
	}
	mutex_unlock(&x->dev->state_lock);
	if (ret)
		atomic_dec(&tsmh_xfer_inflight);
	return ret;
}

static void doe_xchg_leave(struct doe_xchg *x)
{
	mutex_lock(&x->dev->state_lock);
	x->mb->nr_queued--;
	mutex_unlock(&x->dev->state_lock);
	atomic_dec(&tsmh_xfer_inflight);
}

/* Anyone but the SPDM owner (if there is one) may only run discovery. */
static int doe_owner_check(struct doe_xchg *x)
{
	struct tsmh_mb *mb = x->mb;
	int ret = 0;

	lockdep_assert_held(&mb->xfer_lock);
	mutex_lock(&x->dev->state_lock);
	if (!(x->vid == TSMH_DOE_VID_PCISIG && x->type == TSMH_DOE_PROT_DISCOVERY) &&
	    mb_tsm_owned(mb)) {
		TSMH_ERR(&x->extack, "mailbox is owned by the platform TSM",
			 "%s (pdev->tsm set): only DOE discovery", TSMH_PCI_TSM_OWNER);
		ret = -EBUSY;
	} else if (!(x->vid == TSMH_DOE_VID_PCISIG && x->type == TSMH_DOE_PROT_DISCOVERY) &&
		   mb->owner != TSMH_OWNER_NONE && !tsmh_mb_owned_by(mb, x->sk)) {
		TSMH_ERR(&x->extack, "mailbox is claimed by another SPDM owner",
			 "%s %.15s", owner_str(mb), mb->owner_name);
		ret = -EBUSY;
	}
	mutex_unlock(&x->dev->state_lock);
	return ret;
}

/* The extack for a failed transfer (not for the checks before it). */
static void doe_xfer_extack(struct doe_xchg *x, int ret)
{
	struct netlink_ext_ack *extack = &x->extack;

	switch (ret) {
	case 0:
		break;
	case -EBUSY:
		TSMH_ERR(extack, "DOE mailbox busy (another entity is using it)",
			 "mailbox %#x", x->mb->off);
		break;
	case -ETIMEDOUT:
		TSMH_ERR(extack, "DOE response timed out",
			 "mailbox %#x: no response within 1 s", x->mb->off);
		break;
	case -EMSGSIZE:
		TSMH_ERR(extack, "DOE response too large for netlink",
			 "%zu bytes, limit %u", x->rsp_len, TSMH_DOE_PAYLOAD_MAX);
		break;
	case -ENODEV:
		if (READ_ONCE(x->dev->gone))
			NL_SET_ERR_MSG(extack, "device was removed during the exchange");
		else
			NL_SET_ERR_MSG(extack, "device is gone (config reads all ones)");
		break;
	default:
		TSMH_ERR(extack,
			 "DOE exchange failed (device error, timeout, bad response)",
			 "mailbox %#x: %d", x->mb->off, ret);
		break;
	}
}

/* Phase 4 (work item): under the mailbox's xfer_lock, arbitration and the transfer. */
static int doe_xchg_run(struct doe_xchg *x)
{
	struct tsmh_mb *mb = x->mb;
	char drv[32];
	int ret;

	mutex_lock(&mb->xfer_lock);
	/* set, with the mailbox pointer cleared, by removal and by unload */
	if (READ_ONCE(x->dev->gone)) {
		TSMH_ERR(&x->extack, "device is being removed",
			 "%s: exchange not started", x->dev->name);
		ret = -ENODEV;
		goto unlock_xfer;
	}
	ret = doe_owner_check(x);
	if (ret)
		goto unlock_xfer;
	ret = tsmh_doe_driver_conflict(mb, drv, sizeof(drv));
	if (ret) {
		TSMH_ERR(&x->extack, "DOE mailbox driven by the bound driver",
			 "%.31s (config-space backend: no sharing; see cfg_doe_drivers)", drv);
		/* 6.1's extack has no room for the name: the log says it */
		pci_info_ratelimited(x->dev->pdev,
				     "DOE exchange on mailbox %#x refused: driver %s drives it\n",
				     mb->off, drv);
		goto unlock_xfer;
	}
	ret = tsmh_doe_xfer(mb, x->vid, x->type, x->req, x->pad_len, x->rsp,
			    TSMH_DOE_PAYLOAD_MAX + 4, &x->rsp_len);
	if (!ret && x->rsp_len > TSMH_DOE_PAYLOAD_MAX)
		ret = -EMSGSIZE; /* pci_doe() truncates silently */
	if (!ret) {
		mutex_lock(&x->dev->state_lock);
		mb->nr_xfer++;
		mutex_unlock(&x->dev->state_lock);
	} else if (ret != -ENODEV && !pci_device_is_present(x->dev->pdev)) {
		ret = -ENODEV; /* it fell off the bus mid-exchange */
	}
	mutex_unlock(&mb->xfer_lock);
	doe_xfer_extack(x, ret);
	return ret;

unlock_xfer:
	mutex_unlock(&mb->xfer_lock);
	return ret;
}

/* Phase 5 (work item): the reply carrying the response. */
static int doe_xchg_reply(struct doe_xchg *x)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(x->rsp_len) + NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, x->portid, x->seq, &tsmh_family, 0, TSMH_CMD_DOE_EXCHANGE);
	if (!hdr ||
	    nla_put_string(msg, TSMH_A_DEV_NAME, x->dev->name) ||
	    nla_put_u16(msg, TSMH_A_MB_OFFSET, x->mb->off) ||
	    nla_put_u16(msg, TSMH_A_DOE_VENDOR, x->vid) ||
	    nla_put_u8(msg, TSMH_A_DOE_TYPE, x->type) ||
	    nla_put(msg, TSMH_A_DOE_RESPONSE, x->rsp_len, x->rsp)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_unicast(sock_net(x->sk), msg, x->portid);
}

static void doe_xchg_free(struct doe_xchg *x)
{
	kvfree(x->req);
	kvfree(x->rsp);
	if (x->in_skb)
		consume_skb(x->in_skb);
	if (x->sk)
		sock_put(x->sk);
	if (x->dev)
		tsmh_dev_put(x->dev);
	kfree(x);
}

static void doe_xchg_work(struct work_struct *work)
{
	struct doe_xchg *x = container_of(work, struct doe_xchg, work);
	int ret;

	ret = doe_xchg_run(x);
	doe_xchg_leave(x);
	/*
	 * A closed requester gets nothing: its port id may already belong
	 * to a new socket, which must not see a stray reply.
	 */
	if (!sock_flag(x->sk, SOCK_DEAD)) {
		if (!ret)
			ret = doe_xchg_reply(x);
		if (ret || (x->nlh->nlmsg_flags & NLM_F_ACK))
			netlink_ack(x->in_skb, x->nlh, ret, &x->extack);
	}
	doe_xchg_free(x);
}

int tsmh_nl_doe_exchange_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct doe_xchg *x;
	int ret;

	ret = doe_xchg_perm(skb, info);
	if (ret)
		return ret;
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	ret = doe_xchg_parse(info, x);
	if (ret)
		goto free;
	x->dev = req_dev(info, 0, &ret);
	if (!x->dev)
		goto free;
	x->mb = pick_mb(info, x->dev, x->vid, x->type, true);
	if (IS_ERR(x->mb)) {
		ret = PTR_ERR(x->mb);
		goto free;
	}
	if (READ_ONCE(x->dev->gone)) {
		TSMH_ERR(info->extack, "device is being removed", "%s", x->dev->name);
		ret = -ENODEV;
		goto free;
	}
	/* an attestation: the evidence this socket commits dates from here */
	if (!(x->vid == TSMH_DOE_VID_PCISIG && x->type == TSMH_DOE_PROT_DISCOVERY)) {
		ret = tsmh_ev_attest_begin(x->dev, info);
		if (ret)
			goto free;
	}
	ret = doe_xchg_alloc(x, info->attrs[TSMH_A_DOE_REQUEST]);
	if (ret)
		goto free;
	ret = doe_xchg_admit(info, x);
	if (ret)
		goto free;
	x->in_skb = skb_get(skb);
	/* const in genl_info since 6.x; netlink_ack() still takes it non-const */
	x->nlh = (struct nlmsghdr *)info->nlhdr;
	x->sk = NETLINK_CB(skb).sk;
	sock_hold(x->sk);
	x->portid = info->snd_portid;
	x->seq = info->snd_seq;
	INIT_WORK(&x->work, doe_xchg_work);
	queue_work(tsmh_wq, &x->work);
	/* netlink_rcv_skb() sends no ACK for -EINTR: the work item answers */
	return -EINTR;

free:
	doe_xchg_free(x);
	return ret;
}

static int doe_claim_release(struct sk_buff *skb, struct genl_info *info, bool claim)
{
	struct sock *sk = NETLINK_CB(skb).sk, *put = NULL;
	struct tsmh_dev *dev;
	struct tsmh_mb *mb;
	int ret;

	dev = req_dev(info, TSMH_CLAIM_F_ALL, &ret);
	if (!dev)
		return ret;
	mb = pick_mb(info, dev, TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_CMA,
		     !info->attrs[TSMH_A_MB_OFFSET]);
	if (IS_ERR(mb)) {
		ret = PTR_ERR(mb);
		goto out;
	}
	mutex_lock(&dev->state_lock);
	if (dev->gone) {
		TSMH_ERR(info->extack, "device is being removed", "%s", dev->name);
		ret = -ENODEV;
	} else if (claim && mb_tsm_owned(mb)) {
		TSMH_ERR(info->extack, "mailbox is owned by the platform TSM",
			 "%s (pdev->tsm set)", TSMH_PCI_TSM_OWNER);
		ret = -EBUSY;
	} else if (tsmh_mb_owned_by(mb, sk)) {
		if (!claim) {
			mb->owner = TSMH_OWNER_NONE;
			put = mb->owner_sk;
			mb->owner_sk = NULL;
		}
	} else if (mb->owner != TSMH_OWNER_NONE && claim) {
		TSMH_ERR(info->extack, "mailbox is claimed by another SPDM owner",
			 "%s %.15s", owner_str(mb), mb->owner_name);
		ret = -EBUSY;
	} else if (mb->owner != TSMH_OWNER_NONE) {
		TSMH_ERR(info->extack, "not the owner of this mailbox",
			 "owned by %s %.15s", owner_str(mb), mb->owner_name);
		ret = -EPERM;
	} else if (claim) {
		/* the claim lives as long as this very socket (not its port id) */
		sock_hold(sk);
		mb->owner = TSMH_OWNER_HOST;
		mb->owner_sk = sk;
		mb->owner_portid = info->snd_portid;
		get_task_comm(mb->owner_name, current);
	} else {
		TSMH_ERR(info->extack, "mailbox is not claimed", "mailbox %#x", mb->off);
		ret = -ENOENT;
	}
	mutex_unlock(&dev->state_lock);
	if (put)
		sock_put(put);
	/* a TDI operation it has pending is abandoned: no session owner now */
	if (!ret && !claim)
		tsmh_tdi_claim_released(dev, sk);
	/* comm is the caller's to choose: escaped */
	if (!ret)
		pci_info_ratelimited(dev->pdev, "DOE mailbox %#x %s by %*pE (port %u)\n",
				     mb->off, claim ? "claimed" : "released",
				     (int)strnlen(current->comm, sizeof(current->comm)),
				     current->comm, info->snd_portid);
out:
	tsmh_dev_put(dev);
	return ret;
}

int tsmh_nl_doe_claim_doit(struct sk_buff *skb, struct genl_info *info)
{
	return doe_claim_release(skb, info, true);
}

int tsmh_nl_doe_release_doit(struct sk_buff *skb, struct genl_info *info)
{
	return doe_claim_release(skb, info, false);
}

struct genl_family tsmh_family = {
	.name = TSMH_GENL_NAME,
	.version = TSMH_GENL_VERSION,
	.maxattr = TSMH_A_MAX,
	.netnsok = false, /* devices are global: init_net only */
	/*
	 * An exchange can wait up to the DOE timeout; under the global
	 * genl_mutex that would stall every generic netlink family in the
	 * system. Our own locks ("Lock order" in core.h) cover everything
	 * the handlers touch.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = tsmh_nl_ops,
	.n_ops = ARRAY_SIZE(tsmh_nl_ops),
	.resv_start_op = TSMH_CMD_DOE_RELEASE + 1,
	.mcgrps = tsmh_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tsmh_mcgrps),
};

static int tsmh_netlink_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct netlink_notify *n = data;

	/*
	 * DOE claims and uncommitted evidence die with their socket. The
	 * port id is free for reuse before this runs: claims are matched by
	 * the (dead, still referenced) socket itself, see tsmh_release_owner().
	 */
	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC) {
		/* an operation pending on a TDI is abandoned first */
		tsmh_tdi_release(n->net, n->portid);
		tsmh_release_owner(n->net, n->portid);
	}
	return NOTIFY_DONE;
}

static struct notifier_block tsmh_netlink_nb = {
	.notifier_call = tsmh_netlink_notify,
};

int tsmh_nl_init(void)
{
	int ret;

	ret = netlink_register_notifier(&tsmh_netlink_nb);
	if (ret)
		return ret;
	ret = genl_register_family(&tsmh_family);
	if (ret)
		netlink_unregister_notifier(&tsmh_netlink_nb);
	return ret;
}

void tsmh_nl_exit(void)
{
	genl_unregister_family(&tsmh_family);
	netlink_unregister_notifier(&tsmh_netlink_nb);
}
