// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim: module entry, the emulated root bus, and plug/unplug.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "sim.h"

static int nr_endpoints = 2;
module_param(nr_endpoints, int, 0444);
MODULE_PARM_DESC(nr_endpoints, "Number of emulated TEE-IO endpoints (1-64, default 2)");

static int nr_functions = 1;
module_param(nr_functions, int, 0444);
MODULE_PARM_DESC(nr_functions, "Functions per endpoint card (1-3, default 1): function 0 has DOE/IDE/TEE-IO, the others neither");

static int domain;
module_param(domain, int, 0444);
MODULE_PARM_DESC(domain, "PCI domain of the emulated hierarchy (default: first free from 0x10000)");

#ifdef CONFIG_X86
static struct pci_sysdata sim_sysdata;

static void *sim_sysdata_init(int dom)
{
	sim_sysdata.domain = dom;
	sim_sysdata.node = NUMA_NO_NODE;
	return &sim_sysdata;
}
#else
#error "tsmh_sim: only x86 host bridges are emulated so far"
#endif

static int pick_domain(void)
{
	int d;

	if (domain)
		return pci_find_bus(domain, 0) ? -EBUSY : domain;
	for (d = 0x10000; d < 0x10100; d++)
		if (!pci_find_bus(d, 0))
			return d;
	return -EBUSY;
}

static void sim_rescan_work(struct work_struct *work)
{
	struct tsmh_sim *sim = container_of(work, struct tsmh_sim, rescan_work);
	DECLARE_BITMAP(unplug, TSMH_SIM_MAX_SLOTS);
	unsigned long flags;
	bool rescan;
	int i;

	raw_spin_lock_irqsave(&sim->lock, flags);
	bitmap_copy(unplug, sim->unplug_mask, TSMH_SIM_MAX_SLOTS);
	bitmap_zero(sim->unplug_mask, TSMH_SIM_MAX_SLOTS);
	rescan = sim->rescan;
	sim->rescan = false;
	raw_spin_unlock_irqrestore(&sim->lock, flags);

	pci_lock_rescan_remove();
	for_each_set_bit(i, unplug, sim->nr_ep) {
		struct pci_dev *pdev;
		int fn;

		/* the whole card: its other functions first */
		for (fn = sim->nr_fn - 1; fn >= 0; fn--) {
			pdev = pci_get_domain_bus_and_slot(sim->domain, 3 + i, PCI_DEVFN(0, fn));
			if (pdev) {
				pci_stop_and_remove_bus_device(pdev);
				pci_dev_put(pdev);
			}
		}
	}
	if (rescan)
		pci_rescan_bus(sim->bus);
	pci_unlock_rescan_remove();
}

static int sim_alloc(struct tsmh_sim *sim)
{
	size_t dw = TSMH_SIM_OBJ_MAX / 4;
	int i;

	/* each function carries 8 KiB of config space and write mask */
	sim->dsp = vzalloc(array_size(sim->nr_ep, sizeof(*sim->dsp)));
	sim->ep = vzalloc(array_size(sim->nr_ep, sizeof(*sim->ep)));
	if (sim->nr_fn > 1) {
		sim->epf = vzalloc(array3_size(sim->nr_ep, sim->nr_fn - 1, sizeof(*sim->epf)));
		if (!sim->epf)
			return -ENOMEM;
	}
	sim->rd_buf = kvmalloc(SIM_REC_MAX, GFP_KERNEL);
	sim->wr_buf = kvmalloc(SIM_REC_MAX, GFP_KERNEL);
	if (!sim->dsp || !sim->ep || !sim->rd_buf || !sim->wr_buf)
		return -ENOMEM;
	for (i = 0; i < sim->nr_ep; i++) {
		struct sim_fn *f = &sim->ep[i];

		f->mb_wbuf = kvmalloc_array(dw, sizeof(u32), GFP_KERNEL);
		f->mb_rbuf = kvmalloc_array(dw, sizeof(u32), GFP_KERNEL);
		if (!f->mb_wbuf || !f->mb_rbuf)
			return -ENOMEM;
		tsmh_doe_mbox_init(&f->mb, f->mb_wbuf, f->mb_rbuf, dw);
	}
	return 0;
}

static void sim_free(struct tsmh_sim *sim)
{
	int i;

	memzero_explicit(&sim->ku, sizeof(sim->ku));	/* root-port IDE keys */
	if (sim->ep)
		for (i = 0; i < sim->nr_ep; i++) {
			memzero_explicit(sim->ep[i].ekeys, sizeof(sim->ep[i].ekeys));
			kvfree(sim->ep[i].mb_wbuf);
			kvfree(sim->ep[i].mb_rbuf);
		}
	kvfree(sim->rd_buf);
	kvfree(sim->wr_buf);
	vfree(sim->epf);
	vfree(sim->ep);
	vfree(sim->dsp);
	kfree(sim);
}

static int __init tsmh_sim_init(void)
{
	struct tsmh_sim *sim;
	LIST_HEAD(resources);
	struct resource *busn;
	int ret;

	if (nr_endpoints < 1 || nr_endpoints > TSMH_SIM_MAX_SLOTS) {
		pr_err("nr_endpoints=%d out of range 1-%d\n",
		       nr_endpoints, TSMH_SIM_MAX_SLOTS);
		return -EINVAL;
	}
	if (nr_functions < 1 || nr_functions > SIM_MAX_FN) {
		pr_err("nr_functions=%d out of range 1-%d\n", nr_functions, SIM_MAX_FN);
		return -EINVAL;
	}
	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	sim->nr_ep = nr_endpoints;
	sim->nr_fn = nr_functions;
	raw_spin_lock_init(&sim->lock);
	mutex_init(&sim->chr_lock);
	init_waitqueue_head(&sim->wq);
	INIT_WORK(&sim->rescan_work, sim_rescan_work);
	init_irq_work(&sim->wake_work, sim_wake); /* config writes may kick it from now on */
	ret = sim_alloc(sim);
	if (ret)
		goto err_free;
	sim_cfg_build(sim);
	sim_instance = sim;

	sim->parent = root_device_register("tsmh_sim");
	if (IS_ERR(sim->parent)) {
		ret = PTR_ERR(sim->parent);
		goto err_free;
	}

	busn = &sim->busn;
	pci_lock_rescan_remove();
	ret = pick_domain();
	if (ret < 0) {
		pci_unlock_rescan_remove();
		pr_err("no free PCI domain (domain=%#x)\n", domain);
		goto err_root;
	}
	sim->domain = ret;
	busn->name = "tsmh_sim bus";
	busn->start = 0;
	busn->end = 2 + sim->nr_ep;
	busn->flags = IORESOURCE_BUS;
	pci_add_resource(&resources, busn);
	sim->bus = pci_create_root_bus(sim->parent, 0, &sim_pci_ops,
				       sim_sysdata_init(sim->domain), &resources);
	if (!sim->bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&resources);
		ret = -ENODEV;
		pr_err("cannot create root bus in domain %#x\n", sim->domain);
		goto err_root;
	}
	pci_scan_child_bus(sim->bus);
	pci_bus_add_devices(sim->bus);
	pci_unlock_rescan_remove();

	ret = sim_chr_init(sim);
	if (ret)
		goto err_bus;
	ret = sim_drv_init();
	if (ret)
		goto err_chr;
	pr_info("domain %04x: root port + switch, %d endpoint slot(s) of %d function(s); waiting for the device emulator on /dev/%s\n",
		sim->domain, sim->nr_ep, sim->nr_fn, TSMH_SIM_DEVNAME);
	return 0;

err_chr:
	sim_chr_exit(sim);
err_bus:
	pci_lock_rescan_remove();
	pci_stop_root_bus(sim->bus);
	pci_remove_root_bus(sim->bus);
	pci_unlock_rescan_remove();
	irq_work_sync(&sim->wake_work);
err_root:
	root_device_unregister(sim->parent);
err_free:
	sim_instance = NULL;
	sim_free(sim);
	return ret;
}

static void __exit tsmh_sim_exit(void)
{
	struct tsmh_sim *sim = sim_instance;

	sim_drv_exit();
	/* no emulator can be attached: it would hold a module reference */
	sim_chr_exit(sim);
	cancel_work_sync(&sim->rescan_work);
	pci_lock_rescan_remove();
	pci_stop_root_bus(sim->bus);
	pci_remove_root_bus(sim->bus);
	pci_unlock_rescan_remove();
	/*
	 * Removal itself touches the mailboxes (the DOE core aborts pending
	 * exchanges), which can queue a wakeup: let it run before freeing.
	 */
	irq_work_sync(&sim->wake_work);
	root_device_unregister(sim->parent);
	sim_instance = NULL;
	sim_free(sim);
}

module_init(tsmh_sim_init);
module_exit(tsmh_sim_exit);
MODULE_DESCRIPTION("tsm-host emulated PCIe domain with TEE-IO endpoints");
MODULE_AUTHOR("tsm-host developers");
MODULE_LICENSE("GPL");
