// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: module entry and the device registry.
 *
 * Every PCI function with a DOE mailbox, an IDE capability or the TEE-IO
 * Supported bit, and every endpoint the hold policy wants held (hold_ids,
 * the other functions of a gated card: gate.c), is tracked as a struct
 * tsmh_dev from the moment the PCI core adds it (bus notifier) or, for
 * functions present at load, from module init. DOE discovery runs in a
 * work item, never on the enumeration path; the "device added" event goes
 * out once it is done.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "core.h"
#include "ide.h"
#include "tdi.h"
#include "names.h"

static LIST_HEAD(tsmh_devs);		/* of tsmh_dev.node */
static DEFINE_MUTEX(tsmh_devs_lock);	/* protects tsmh_devs, tsmh_devs_gen */
static unsigned int tsmh_devs_gen;	/* bumped on every list change */
struct workqueue_struct *tsmh_wq;

static void tsmh_dev_release(struct kref *ref)
{
	struct tsmh_dev *dev = container_of(ref, struct tsmh_dev, ref);
	int i;

	/* claims still held (removal, unload) let go of their sockets */
	for (i = 0; i < dev->nr_mb; i++)
		if (dev->mb[i].owner_sk)
			sock_put(dev->mb[i].owner_sk);
	tsmh_ide_dev_free(dev);
	tsmh_tdi_free(dev);
	pci_dev_put(dev->pdev);
	kfree(dev);
}

void tsmh_dev_put(struct tsmh_dev *dev)
{
	kref_put(&dev->ref, tsmh_dev_release);
}

struct tsmh_dev *tsmh_dev_find(const char *name)
{
	struct tsmh_dev *dev, *found = NULL;

	mutex_lock(&tsmh_devs_lock);
	list_for_each_entry(dev, &tsmh_devs, node) {
		if (!strcmp(dev->name, name)) {
			kref_get(&dev->ref);
			found = dev;
			break;
		}
	}
	mutex_unlock(&tsmh_devs_lock);
	return found;
}

struct tsmh_dev *tsmh_dev_nth(unsigned long idx, unsigned int *gen)
{
	struct tsmh_dev *dev, *found = NULL;

	mutex_lock(&tsmh_devs_lock);
	*gen = tsmh_devs_gen;
	list_for_each_entry(dev, &tsmh_devs, node) {
		if (idx-- == 0) {
			kref_get(&dev->ref);
			found = dev;
			break;
		}
	}
	mutex_unlock(&tsmh_devs_lock);
	return found;
}

static struct tsmh_dev *find_by_pdev(struct pci_dev *pdev)
{
	struct tsmh_dev *dev;

	lockdep_assert_held(&tsmh_devs_lock);
	list_for_each_entry(dev, &tsmh_devs, node)
		if (dev->pdev == pdev)
			return dev;
	return NULL;
}

/*
 * A netlink socket closed: its DOE claims and staged evidence go. The
 * closing socket is dead (SOCK_DEAD) by the time NETLINK_URELEASE runs,
 * and its port id may already have been bound again: a claim goes only if
 * its own socket (held by the claim) is the dead one, so a new socket
 * that inherited the port id neither loses nor gains a claim.
 */
void tsmh_release_owner(struct net *net, u32 portid)
{
	struct tsmh_dev *dev;
	struct sock *sk;
	int i;

	mutex_lock(&tsmh_devs_lock);
	list_for_each_entry(dev, &tsmh_devs, node) {
		mutex_lock(&dev->state_lock);
		for (i = 0; i < dev->nr_mb; i++) {
			struct tsmh_mb *mb = &dev->mb[i];

			sk = mb->owner_sk;
			if (mb->owner != TSMH_OWNER_HOST || !sk || mb->owner_portid != portid ||
			    !net_eq(sock_net(sk), net) || !sock_flag(sk, SOCK_DEAD))
				continue;
			mb->owner = TSMH_OWNER_NONE;
			mb->owner_sk = NULL;
			mb->owner_name[0] = 0;
			sock_put(sk);
			pci_info_ratelimited(dev->pdev,
					     "DOE mailbox %#x released (owner socket closed)\n",
					     mb->off);
		}
		mutex_unlock(&dev->state_lock);
		tsmh_ev_release_portid(dev, net, portid);
	}
	mutex_unlock(&tsmh_devs_lock);
}

/* ---- capability walk on a live device ---- */

static int live_read32(void *ctx, u16 off, u32 *val)
{
	struct pci_dev *pdev = ctx;
	int ret = pcibios_err_to_errno(pci_read_config_dword(pdev, off, val));

	/*
	 * A VF's Vendor and Device ID read FFFFh (PCIe r6.x 9.3.4.1.1/2): its
	 * PF's SR-IOV capability names them, and the PCI core put them in pdev.
	 */
	if (!ret && !off && pdev->is_virtfn && *val == 0xffffffff)
		*val = pdev->vendor | (u32)pdev->device << 16;
	return ret;
}

static void read_serial(struct tsmh_dev *dev)
{
	int i;
	u32 lo, hi;

	for (i = 0; i < dev->caps.nr_caps; i++) {
		struct tsmh_cap_ent *e = &dev->caps.caps[i];

		if (!e->ext || e->id != PCI_EXT_CAP_ID_DSN)
			continue;
		if (pci_read_config_dword(dev->pdev, e->off + 4, &lo) ||
		    pci_read_config_dword(dev->pdev, e->off + 8, &hi))
			return;
		dev->serial = (u64)hi << 32 | lo;
		dev->has_serial = true;
		return;
	}
}

static void tsmh_announce(struct tsmh_dev *dev);

/* ---- DOE discovery ---- */

static int discover(struct tsmh_mb *mb)
{
	DECLARE_BITMAP(seen, 256);
	struct tsmh_doe_disc_ent e;
	__le32 req, rsp;
	size_t len;
	u8 index = 0;
	int ret;

	bitmap_zero(seen, 256);
	do {
		if (test_and_set_bit(index, seen))
			return -ELOOP; /* device keeps pointing back */
		if (READ_ONCE(mb->dev->gone))
			return -ENODEV;
		req = cpu_to_le32(tsmh_doe_disc_req(index));
		mutex_lock(&mb->xfer_lock);
		ret = tsmh_doe_xfer(mb, TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_DISCOVERY,
				    &req, sizeof(req), &rsp, sizeof(rsp), &len);
		mutex_unlock(&mb->xfer_lock);
		if (ret)
			return ret;
		if (len != sizeof(rsp))
			return -EPROTO;
		tsmh_doe_disc_parse(le32_to_cpu(rsp), &e);
		mutex_lock(&mb->dev->state_lock);
		if (mb->nr_prots < TSMH_MAX_PROTS)
			mb->prots[mb->nr_prots++] = e;
		else
			ret = -E2BIG;
		mutex_unlock(&mb->dev->state_lock);
		if (ret)
			return ret;
		index = e.next;
	} while (index);
	return 0;
}

static void tsmh_disc_work(struct work_struct *work)
{
	struct tsmh_dev *dev = container_of(work, struct tsmh_dev, disc_work);
	int i, j, ret;

	for (i = 0; i < dev->nr_mb; i++) {
		struct tsmh_mb *mb = &dev->mb[i];

		/* netlink may already reach the mailbox (discovery is open) */
		mutex_lock(&mb->xfer_lock);
		ret = tsmh_doe_backend_init(mb);
		mutex_unlock(&mb->xfer_lock);
		if (!ret)
			ret = discover(mb);
		mutex_lock(&dev->state_lock);
		mb->disc_err = ret;
		for (j = 0; !ret && j < mb->nr_prots; j++) {
			if (mb->prots[j].vid != TSMH_DOE_VID_PCISIG)
				continue;
			if (mb->prots[j].type == TSMH_DOE_PROT_CMA)
				dev->flags |= TSMH_DEV_F_CMA;
			if (mb->prots[j].type == TSMH_DOE_PROT_SEC_CMA)
				dev->flags |= TSMH_DEV_F_SEC_CMA;
		}
		mutex_unlock(&dev->state_lock);
		if (ret == -ENODEV && READ_ONCE(dev->gone))
			return;
		if (ret)
			pci_warn(dev->pdev, "DOE discovery on mailbox %#x failed: %d\n",
				 mb->off, ret);
	}
	mutex_lock(&dev->state_lock);
	dev->flags |= TSMH_DEV_F_DISCOVERED;
	mutex_unlock(&dev->state_lock);
	tsmh_gate_discovered(dev);
	tsmh_announce(dev);
}

/* ---- add / remove ---- */

/* "added" goes out once discovery is done; "removed" only after "added". */
static void tsmh_announce(struct tsmh_dev *dev)
{
	WRITE_ONCE(dev->announced, true);
	tsmh_nl_event_dev(dev, TSMH_CMD_EVT_DEV_ADD);
}

static void tsmh_add(struct pci_dev *pdev, bool at_load)
{
	struct tsmh_cfg_reader rd = {
		.read32 = live_read32, .ctx = pdev, .size = pdev->cfg_size,
	};
	struct tsmh_dev *dev;
	int i, ret;

	if (!pci_is_pcie(pdev))
		return;
	/* a failure here must not leave an attestable device bindable */
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		tsmh_gate_add_failed(pdev, "allocation", -ENOMEM);
		return;
	}
	ret = tsmh_caps_walk(&rd, &dev->caps);
	if (ret) {
		kfree(dev);
		tsmh_gate_add_failed(pdev, "capability walk", ret);
		return;
	}
	/* nothing of ours, unless the hold policy names it */
	if (!dev->caps.nr_doe && !dev->caps.ide_off && !dev->caps.tee_io &&
	    !tsmh_gate_wants(pdev) && !tsmh_tdi_wants(pdev)) {
		kfree(dev);
		return;
	}
	if (dev->caps.anomalies)
		pci_warn(pdev, "malformed capability list at %#x: %s\n",
			 dev->caps.anomaly_at, tsmh_caps_anomaly_str(dev->caps.anomalies));
	kref_init(&dev->ref);
	mutex_init(&dev->state_lock);
	mutex_init(&dev->gate_op_lock);
	tsmh_ev_dev_init(dev);
	INIT_WORK(&dev->disc_work, tsmh_disc_work);
	dev->pdev = pci_dev_get(pdev);
	strscpy(dev->name, pci_name(pdev), sizeof(dev->name));
	read_serial(dev);
	if (dev->caps.tee_io)
		dev->flags |= TSMH_DEV_F_TEE_IO;
	if (dev->caps.ide_off)
		dev->flags |= TSMH_DEV_F_IDE;
	dev->nr_mb = dev->caps.nr_doe;
	if (dev->nr_mb)
		dev->flags |= TSMH_DEV_F_DOE;
	for (i = 0; i < dev->nr_mb; i++) {
		dev->mb[i].dev = dev;
		dev->mb[i].off = dev->caps.doe_off[i];
		mutex_init(&dev->mb[i].xfer_lock);
	}

	mutex_lock(&tsmh_devs_lock);
	if (find_by_pdev(pdev)) { /* raced with the notifier at load */
		mutex_unlock(&tsmh_devs_lock);
		tsmh_dev_put(dev);
		return;
	}
	list_add_tail(&dev->node, &tsmh_devs);
	tsmh_devs_gen++;
	mutex_unlock(&tsmh_devs_lock);

	/* still before any driver probe when called from the notifier */
	tsmh_gate_add(dev, at_load);
	tsmh_ide_dev_add(dev, at_load);
	tsmh_tdi_add(dev);

	if (dev->nr_mb) {
		queue_work(tsmh_wq, &dev->disc_work);
	} else {
		dev->flags |= TSMH_DEV_F_DISCOVERED;
		tsmh_announce(dev);
	}
}

static void tsmh_remove(struct tsmh_dev *dev, bool event)
{
	int i;

	/* Pollers see @gone and give up; then drain in-flight exchanges. */
	WRITE_ONCE(dev->gone, true);
	cancel_work_sync(&dev->disc_work);
	for (i = 0; i < dev->nr_mb; i++) {
		mutex_lock(&dev->mb[i].xfer_lock);
		dev->mb[i].kmb = NULL;
		mutex_unlock(&dev->mb[i].xfer_lock);
	}
	/* its TDI: evt-tdi removed, nothing changes it any more */
	tsmh_tdi_remove(dev);
	/* its IDE streams: disabled, wiped and freed while it is still there */
	tsmh_ide_dev_remove(dev, !event);
	/* gate and evidence sysfs files go before the PCI device does */
	tsmh_gate_remove(dev, !event);
	tsmh_ev_dev_remove(dev);
	if (event && READ_ONCE(dev->announced))
		tsmh_nl_event_dev(dev, TSMH_CMD_EVT_DEV_DEL);
	tsmh_dev_put(dev);
}

/* hold_ids named a present device tsmh_core does not track yet */
void tsmh_adopt(struct pci_dev *pdev)
{
	tsmh_add(pdev, true);
}

static int tsmh_pci_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct tsmh_dev *dev;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		tsmh_add(pdev, false);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
	case BUS_NOTIFY_UNBOUND_DRIVER:
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
		/* device lock held: short sections only ("Lock order", core.h) */
		mutex_lock(&tsmh_devs_lock);
		dev = find_by_pdev(pdev);
		if (dev)
			kref_get(&dev->ref);
		mutex_unlock(&tsmh_devs_lock);
		if (!dev)
			break;
		if (action == BUS_NOTIFY_BOUND_DRIVER && pdev->dev.driver)
			tsmh_gate_bound(dev, pdev->dev.driver->name);
		else if (action != BUS_NOTIFY_BOUND_DRIVER)
			tsmh_gate_unbound(dev);
		tsmh_dev_put(dev);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		mutex_lock(&tsmh_devs_lock);
		dev = find_by_pdev(pdev);
		if (dev) {
			list_del(&dev->node);
			tsmh_devs_gen++;
		}
		mutex_unlock(&tsmh_devs_lock);
		if (dev)
			tsmh_remove(dev, true);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tsmh_pci_nb = {
	.notifier_call = tsmh_pci_notify,
};

static int __init tsmh_core_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	tsmh_wq = alloc_workqueue("tsmh", WQ_UNBOUND, 0);
	if (!tsmh_wq)
		return -ENOMEM;
	ret = tsmh_nl_init();
	if (ret)
		goto err_wq;
	/*
	 * Under the rescan lock no device can be added or removed between
	 * the notifier going live and the walk; otherwise the walk could
	 * pick up a device whose DEL notification has already gone by.
	 */
	pci_lock_rescan_remove();
	ret = bus_register_notifier(&pci_bus_type, &tsmh_pci_nb);
	if (!ret)
		for_each_pci_dev(pdev)
			tsmh_add(pdev, true);
	pci_unlock_rescan_remove();
	if (ret)
		goto err_nl;
	/* unbind (gate_bound=hold) or probe (gate=off) outside the rescan lock */
	tsmh_gate_load_done();
	tsmh_reset_init();
	tsmh_tdi_init();
	/* last: sysfs tsm/connect may be used from here on */
	tsmh_tsm_init();
	pr_info("loaded, netlink family \"%s\" v%d, DOE backend %s\n",
		TSMH_GENL_NAME, TSMH_GENL_VERSION,
		tsmh_doe_backend_name(tsmh_doe_backend()));
	return 0;

err_nl:
	tsmh_nl_exit();
err_wq:
	destroy_workqueue(tsmh_wq);
	return ret;
}

static void __exit tsmh_core_exit(void)
{
	struct tsmh_dev *dev, *tmp;
	LIST_HEAD(dead);

	/* first: disconnects what was connected through sysfs tsm/connect */
	tsmh_tsm_exit();
	/* no hold_ids work (it adopts devices) from here on */
	tsmh_gate_exit();
	/* probes and their work first: they look devices up */
	tsmh_tdi_exit();
	tsmh_reset_exit();
	/*
	 * The mirror of load: under the rescan lock no device can be removed
	 * between the notifier going away and every device being marked gone
	 * with its mailboxes drained and their pointers cleared (tsmh_remove(),
	 * as the DEL notification would have done). Without it the PCI core
	 * could destroy a mailbox a queued exchange is about to use. All are
	 * marked gone first, so exchanges in flight on every device give up
	 * together ("Lock order", core.h).
	 */
	pci_lock_rescan_remove();
	bus_unregister_notifier(&pci_bus_type, &tsmh_pci_nb);
	mutex_lock(&tsmh_devs_lock);
	list_splice_init(&tsmh_devs, &dead);
	tsmh_devs_gen++;
	mutex_unlock(&tsmh_devs_lock);
	list_for_each_entry(dev, &dead, node)
		WRITE_ONCE(dev->gone, true);
	list_for_each_entry_safe(dev, tmp, &dead, node) {
		list_del(&dev->node);
		tsmh_remove(dev, false);
	}
	pci_unlock_rescan_remove();
	/* after the discovery works that emit events are gone */
	tsmh_nl_exit();
	tsmh_ev_exit();
	destroy_workqueue(tsmh_wq);
}

module_init(tsmh_core_init);
module_exit(tsmh_core_exit);
MODULE_DESCRIPTION("tsm-host core: PCIe device security object model, DOE proxy, netlink");
MODULE_AUTHOR("tsm-host developers");
MODULE_LICENSE("GPL");
