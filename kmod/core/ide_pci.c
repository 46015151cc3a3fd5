// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 7.2 stream backend (kmod/core/ide.h, struct tsmh_ide_ops): where the
 * PCI core has IDE helpers (pci-ide.h, CONFIG_PCI_IDE) it owns the
 * selective register blocks, the host bridge's stream pool and the stream
 * IDs of every IDE port, so our streams are made with them and nothing
 * else: pci_ide_stream_alloc() picks both blocks and a pool slot,
 * pci_ide_stream_register() reserves the stream ID (we take the lowest
 * that is free: -EBUSY means taken by someone else, try the next) and
 * makes the host bridge's streamH.R.E link, pci_ide_stream_setup(),
 * enable(), disable(), teardown() write the blocks, and
 * pci_ide_stream_release() unregisters and frees. We never write IDE
 * registers ourselves here (the key unit VSEC is not IDE: the root port's
 * keys stay with the key backend, ide.c); we read status registers.
 * lib/ide_alloc.c mirrors the core's choice (the exact ID and blocks), so
 * ide-get lists the same counts as on 6.1/6.12.
 *
 * The sim's host bridges: their pool is set with pci_ide_set_nr_streams(),
 * as a platform TSM driver would at init, to the number of stream IDs the
 * sim's root-port key unit can key at once (its capability register);
 * available_secure_streams on the host bridge then counts down from it.
 *
 * Only selective streams with TC 0: the core's helpers program neither link
 * streams nor a traffic class.
 */
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include "core.h"
#include "ide.h"

#ifdef TSMH_PCI_IDE
#include <linux/pci-ide.h>

MODULE_IMPORT_NS("PCI_IDE");	/* pci_ide_set_nr_streams() */

#define MSG_LEN 256

static struct pci_ide *to_ide(struct tsmh_ide_kstream *s)
{
	return s->priv;
}

/* an ID one of our streams on @s's bridge holds: skip it without asking */
static bool id_ours(struct tsmh_ide_kstream *s, unsigned int id)
{
	struct tsmh_ide_kstream *o;

	list_for_each_entry(o, &s->br->streams, node)
		if (o != s && o->id == id)
			return true;
	return false;
}

/*
 * Our accounting first (lib/ide_alloc.c over our own streams: the same
 * "holders" messages as on 6.1/6.12), then the core's: it picks the
 * lowest free block at each end, as the lib does, and the lib then takes
 * exactly what the core gave.
 */
static int pci_alloc(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	struct pci_dev *ep = s->epdev->pdev, *rp = s->rpdev->pdev;
	struct pci_host_bridge *phb = pci_find_host_bridge(ep->bus);
	struct tsmh_ide_req req = TSMH_IDE_REQ_ANY;
	struct pci_ide *ide;
	unsigned int id;
	char *msg;
	int ret;

	lockdep_assert_held(&s->br->lock);
	if (s->type != TSMH_IDE_TYPE_SELECTIVE || s->tc) {
		TSMH_ERR(extack, "PCI core IDE helpers: selective streams, TC 0 only",
			 "%s", s->epdev->name);
		return -EOPNOTSUPP;
	}
	/* the lib mirror's pool follows the core's (pci_ide_set_nr_streams()) */
	if (s->br->hb.nr_streams != phb->nr_ide_streams && !s->br->hb.nr_used)
		tsmh_ide_hb_set_nr_streams(&s->br->hb, phb->nr_ide_streams);
	msg = kzalloc(MSG_LEN, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = tsmh_ide_alloc_sel(&s->a, &s->rp->port, &s->ep->port, &req, msg, MSG_LEN);
	if (ret) {
		pci_info(ep, "IDE stream allocation refused: %s\n", msg);
		TSMH_ERRF(extack, "IDE stream allocation refused (see the kernel log)", "%.76s%s",
			  msg, strlen(msg) > 76 ? "..." : "");
		goto out;
	}
	tsmh_ide_free(&s->br->hb, &s->a, msg, MSG_LEN);

	ret = -EBUSY;
	ide = pci_ide_stream_alloc(ep);
	if (!ide) {
		pci_info(ep, "IDE stream allocation refused by the PCI core: no free selective block at %s or here, or no slot in %s's pool of %u\n",
			 pci_name(rp), dev_name(&phb->dev), phb->nr_ide_streams);
		TSMH_ERR(extack, "no free selective block or pool slot (PCI core)",
			 "%s", s->epdev->name);
		goto out;
	}
	for (id = 0; id < PCI_IDE_RESERVED_STREAM_ID; id++) {
		if (id_ours(s, id))
			continue;
		ide->stream_id = id;
		ret = pci_ide_stream_register(ide);
		if (ret != -EBUSY)
			break;
	}
	if (ret) {
		pci_ide_stream_free(ide);
		TSMH_ERR(extack, "no stream ID registered with the PCI core", "%s: %d",
			 s->epdev->name, ret);
		goto out;
	}
	req.stream_id = id;
	req.up_block = ide->partner[PCI_IDE_RP].stream_index;
	req.down_block = ide->partner[PCI_IDE_EP].stream_index;
	ret = tsmh_ide_alloc_sel(&s->a, &s->rp->port, &s->ep->port, &req, msg, MSG_LEN);
	if (ret) {
		pci_warn(ep, "IDE: the PCI core's stream %u (blocks %u/%u) disagrees with ours: %s\n",
			 id, req.up_block, req.down_block, msg);
		TSMH_ERR(extack, "PCI core's stream disagrees with tsmh's", "%s",
			 s->epdev->name);
		pci_ide_stream_release(ide);
		goto out;
	}
	s->priv = ide;
	s->id = id;
	s->rp_block = req.up_block;
	s->ep_block = req.down_block;
	pci_info(ep, "IDE: stream %u from the PCI core (%s, blocks %u/%u)\n", id, ide->name,
		 s->rp_block, s->ep_block);
out:
	kfree(msg);
	return ret;
}

static int pci_setup(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	struct pci_ide *ide = to_ide(s);

	lockdep_assert_held(&s->br->lock);
	/*
	 * Our address association, not the core's default (the upstream
	 * bridge's windows). Set here, after the caller merged the windows
	 * to what the root port's block and pci_ide (.max_addr) hold.
	 */
	ide->partner[PCI_IDE_RP].mem_assoc = (struct pci_bus_region){ 0, -1 };
	ide->partner[PCI_IDE_RP].pref_assoc = (struct pci_bus_region){ 0, -1 };
	if (s->nr_addr > 0)
		ide->partner[PCI_IDE_RP].mem_assoc =
			(struct pci_bus_region){ s->addr[0].base, s->addr[0].limit };
	if (s->nr_addr > 1)
		ide->partner[PCI_IDE_RP].pref_assoc =
			(struct pci_bus_region){ s->addr[1].base, s->addr[1].limit };
	/* the device's RIDs, all its functions too (ide.c ep_rids()), not just pdev's */
	ide->partner[PCI_IDE_RP].rid_start = s->rid_base & 0xffff;
	ide->partner[PCI_IDE_RP].rid_end = s->rid_limit & 0xffff;
	pci_ide_stream_setup(s->rpdev->pdev, to_ide(s));
	pci_ide_stream_setup(s->epdev->pdev, to_ide(s));
	return 0;
}

static int pci_disable(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&s->br->lock);
	pci_ide_stream_disable(s->rpdev->pdev, to_ide(s));
	pci_ide_stream_disable(s->epdev->pdev, to_ide(s));
	return 0;
}

/* @p's block still holds the stream's ID and a valid RID association (read only) */
static bool block_intact(struct tsmh_ide_kstream *s, struct tsmh_ide_kport *p)
{
	int off = tsmh_ide_sel_off(p, p == s->rp ? s->rp_block : s->ep_block);
	struct tsmh_ide_ctl c;
	u32 v;

	if (off < 0 || tsmh_ide_rd(p, off + TSMH_IDE_SEL_CTL, &v))
		return false;
	tsmh_ide_ctl_decode(v, true, &c);
	if (c.stream_id != s->id)
		return false;
	return !tsmh_ide_rd(p, off + TSMH_IDE_SEL_RID2, &v) && (v & TSMH_IDE_RID2_VALID);
}

/*
 * The endpoint first (PCIe r7.0 6.33.8). pci_ide_stream_enable()'s -ENXIO
 * only says the state read right after its write was not SECURE (the
 * endpoint's cannot be before the root port is enabled): as with our own
 * registers the caller reads both states and decides (the daemon's
 * connect unwinds a stream that is not SECURE).
 */
static int pci_enable(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	struct tsmh_dev *end;
	int ret;

	lockdep_assert_held(&s->br->lock);
	/*
	 * A reset wiped an end's block: set that end up again (the core's
	 * writes). Not the other: rewriting a live root-port block would
	 * drop the keys its key unit holds for the stream.
	 */
	if (!block_intact(s, s->ep))
		pci_ide_stream_setup(s->epdev->pdev, to_ide(s));
	if (!block_intact(s, s->rp))
		pci_ide_stream_setup(s->rpdev->pdev, to_ide(s));
	ret = pci_ide_stream_enable(s->epdev->pdev, to_ide(s));
	if (ret && ret != -ENXIO) {
		end = s->epdev;
		goto err;
	}
	ret = pci_ide_stream_enable(s->rpdev->pdev, to_ide(s));
	if (ret && ret != -ENXIO) {
		end = s->rpdev;
		pci_ide_stream_disable(s->epdev->pdev, to_ide(s));
		goto err;
	}
	return 0;
err:
	/* not -ENXIO (not SECURE yet): the core refused the stream (-EINVAL) */
	TSMH_ERRF(extack, "IDE stream enable refused by the PCI core",
		  "%s: enable refused by the PCI core (%d)", end->name, ret);
	return ret;
}

static int pci_teardown(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&s->br->lock);
	pci_ide_stream_teardown(s->rpdev->pdev, to_ide(s));
	pci_ide_stream_teardown(s->epdev->pdev, to_ide(s));
	return 0;
}

static int pci_free(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack)
{
	char msg[MSG_LEN];
	int ret;

	lockdep_assert_held(&s->br->lock);
	ret = tsmh_ide_free(&s->br->hb, &s->a, msg, sizeof(msg));
	if (ret)
		pci_warn(s->epdev->pdev, "IDE stream %u: %s\n", s->id, msg);
	/* disables and tears down what is still set, unregisters, frees */
	pci_ide_stream_release(to_ide(s));
	s->priv = NULL;
	return 0;
}

static const struct tsmh_ide_ops tsmh_ide_pci_ops = {
	.name = "pci-ide",
	.max_addr = 2,	/* mem_assoc and pref_assoc */
	.alloc = pci_alloc,
	.setup = pci_setup,
	.enable = pci_enable,
	.disable = pci_disable,
	.teardown = pci_teardown,
	.free = pci_free,
};

/*
 * The sim is the platform of its host bridges: size their pool to its
 * root-port key unit's slots, before any stream exists (the core warns
 * otherwise). Other host bridges keep what their platform set.
 */
static void size_sim_pool(struct pci_dev *pdev)
{
	struct pci_host_bridge *phb = pci_find_host_bridge(pdev->bus);
	struct pci_dev *rp = NULL;
	u32 cap = 0;
	u16 off;

	for_each_pci_dev(rp) {
		if (!pci_is_pcie(rp) || pci_pcie_type(rp) != PCI_EXP_TYPE_ROOT_PORT ||
		    pci_find_host_bridge(rp->bus) != phb)
			continue;
		off = pci_find_vsec_capability(rp, rp->vendor, TSMH_KU_VSEC_ID);
		if (off && !pci_read_config_dword(rp, off + TSMH_KU_CAP, &cap) && (cap & 0xff)) {
			pci_dev_put(rp);
			break;
		}
		cap = 0;
	}
	if (!(cap & 0xff) || phb->nr_ide_streams == (cap & 0xff))
		return;
	/* the core warns when resized with streams allocated; leave it then */
	if (!ida_is_empty(&phb->ide_stream_ida)) {
		dev_info(&phb->dev, "tsmh: IDE stream pool left at %u: streams allocated\n",
			 phb->nr_ide_streams);
		return;
	}
	pci_ide_set_nr_streams(phb, cap & 0xff);
	dev_info(&phb->dev, "tsmh: IDE stream pool set to %u (the root-port key unit's slots)\n",
		 cap & 0xff);
}

const struct tsmh_ide_ops *tsmh_ide_pci_pick(struct pci_dev *pdev)
{
	size_sim_pool(pdev);
	return &tsmh_ide_pci_ops;
}

unsigned int tsmh_ide_pci_pool(struct pci_dev *pdev)
{
	return pci_find_host_bridge(pdev->bus)->nr_ide_streams;
}

#else

const struct tsmh_ide_ops *tsmh_ide_pci_pick(struct pci_dev *pdev)
{
	return NULL;
}

unsigned int tsmh_ide_pci_pool(struct pci_dev *pdev)
{
	return TSMH_IDE_POOL_MAX;
}

#endif
