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
MODULE_PARM_DESC(nr_endpoints, "Number of emulated TEE-IO endpoints (1-256, default 2; 128 per PCI domain)");

static int nr_functions = 1;
module_param(nr_functions, int, 0444);
MODULE_PARM_DESC(nr_functions, "Functions per endpoint card (1-3, default 1): function 0 has DOE/IDE/TEE-IO, the others neither");

static int bar_slots = 16;
module_param(bar_slots, int, 0444);
MODULE_PARM_DESC(bar_slots, "Endpoint slots 0..bar_slots-1 have memory BARs and MSI-X (0-256, default 16): 2 MiB below 4 GiB and 32 MiB above it each");

static int nr_vfs;
module_param(nr_vfs, int, 0444);
MODULE_PARM_DESC(nr_vfs, "SR-IOV TotalVFs of function 0 of the cards with BARs (0-4, default 0; at most 8 - nr_functions)");

static int domain;
module_param(domain, int, 0444);
MODULE_PARM_DESC(domain, "PCI domain of the emulated hierarchy, the next ones for endpoints 128-255 (default: first free from 0x10000)");

#ifdef CONFIG_X86
static void *sim_sysdata_init(struct sim_seg *g)
{
	g->sysdata.domain = g->domain;
	g->sysdata.node = NUMA_NO_NODE;
	return &g->sysdata;
}
#else
#error "tsmh_sim: only x86 host bridges are emulated so far"
#endif

/* segment @s's domain: domain + @s, or the first free after @prev */
static int pick_domain(int s, int prev)
{
	int d;

	if (domain)
		return pci_find_bus(domain + s, 0) ? -EBUSY : domain + s;
	for (d = max(0x10000, prev + 1); d < 0x10100; d++)
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
		struct sim_fn *f = &sim->ep[i];
		struct pci_dev *pdev;
		int fn;

		/* the whole card: its other functions first */
		for (fn = sim->nr_fn - 1; fn >= 0; fn--) {
			pdev = pci_get_domain_bus_and_slot(sim->seg[f->seg].domain, f->bus,
							   PCI_DEVFN(0, fn));
			if (pdev) {
				pci_stop_and_remove_bus_device(pdev);
				pci_dev_put(pdev);
			}
		}
	}
	for (i = 0; rescan && i < sim->nr_seg; i++)
		pci_rescan_bus(sim->seg[i].bus);
	pci_unlock_rescan_remove();
}

static int sim_alloc(struct tsmh_sim *sim)
{
	size_t dw = TSMH_SIM_OBJ_MAX / 4;
	int i;

	sim->nr_seg = DIV_ROUND_UP(sim->nr_ep, SIM_EP_PER_SEG);
	/* each function carries 8 KiB of config space and write mask */
	sim->seg = vzalloc(array_size(sim->nr_seg, sizeof(*sim->seg)));
	if (!sim->seg)
		return -ENOMEM;
	for (i = 0; i < sim->nr_seg; i++) {
		sim->seg[i].domain = -1;	/* none until its root bus exists */
		sim->seg[i].first = i * SIM_EP_PER_SEG;
		sim->seg[i].nr_ep = min(sim->nr_ep - sim->seg[i].first, SIM_EP_PER_SEG);
		sim->seg[i].nr_bar = clamp(sim->nr_bar - sim->seg[i].first, 0, sim->seg[i].nr_ep);
	}
	sim->dsp = vzalloc(array_size(sim->nr_ep, sizeof(*sim->dsp)));
	sim->ep = vzalloc(array_size(sim->nr_ep, sizeof(*sim->ep)));
	if (sim->nr_fn > 1) {
		sim->epf = vzalloc(array3_size(sim->nr_ep, sim->nr_fn - 1, sizeof(*sim->epf)));
		if (!sim->epf)
			return -ENOMEM;
	}
	if (sim->nr_vfs) {
		sim->vf = vzalloc(array3_size(sim->nr_bar, sim->nr_vfs, sizeof(*sim->vf)));
		if (!sim->vf)
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

	if (sim->seg)	/* the root ports' IDE keys */
		for (i = 0; i < sim->nr_seg; i++)
			memzero_explicit(&sim->seg[i].ku, sizeof(sim->seg[i].ku));
	if (sim->ep)
		for (i = 0; i < sim->nr_ep; i++) {
			memzero_explicit(sim->ep[i].ekeys, sizeof(sim->ep[i].ekeys));
			kvfree(sim->ep[i].mb_wbuf);
			kvfree(sim->ep[i].mb_rbuf);
		}
	kvfree(sim->rd_buf);
	kvfree(sim->wr_buf);
	vfree(sim->vf);
	vfree(sim->epf);
	vfree(sim->ep);
	vfree(sim->dsp);
	vfree(sim->seg);
	kfree(sim);
}

static void sim_free_apertures(struct sim_seg *g)
{
	if (g->pf.parent)
		release_resource(&g->pf);
	if (g->np.parent)
		release_resource(&g->np);
}

/*
 * The non-prefetchable aperture must lie below 4 GiB (a bridge's memory
 * window is 32-bit). Where the platform's host bridge windows cover that
 * range (QEMU's q35: all of it), an unused part of a window of domain 0's
 * root bus; else a free range of iomem_resource.
 */
static int sim_alloc_np(struct resource *np, resource_size_t size)
{
	struct pci_bus *b = pci_find_bus(0, 0);
	struct resource *r;
	int i;

	if (b)
		pci_bus_for_each_resource(b, r, i) {
			if (!r || resource_type(r) != IORESOURCE_MEM ||
			    (r->flags & IORESOURCE_PREFETCH) || r->end > U32_MAX || !r->parent)
				continue;
			if (!allocate_resource(r, np, size, max_t(resource_size_t, r->start, SZ_1M),
					       r->end, SIM_NP_STRIDE, NULL, NULL))
				return 0;
		}
	return allocate_resource(&iomem_resource, np, size, SZ_1M, U32_MAX, SIM_NP_STRIDE,
				 NULL, NULL);
}

/*
 * Segment @g's host bridge apertures for its slots with BARs: address
 * ranges reserved so that nothing else is given them. Nothing backs them:
 * the sim emulates configuration space only; a read of a BAR's MMIO goes
 * wherever the platform sends unclaimed addresses (docs/design.md).
 */
static int sim_alloc_apertures(struct sim_seg *g)
{
	int ret;

	if (!g->nr_bar)
		return 0;
	g->np.name = "tsmh_sim aperture (not backed)";
	g->np.flags = IORESOURCE_MEM;
	ret = sim_alloc_np(&g->np, (resource_size_t)g->nr_bar * SIM_NP_STRIDE);
	if (ret) {
		pr_err("domain %#x: no free %u MiB below 4 GiB for the BARs of slots %d-%d (bar_slots=%d): %d\n",
		       g->domain, g->nr_bar * (SIM_NP_STRIDE >> 20), g->first,
		       g->first + g->nr_bar - 1, bar_slots, ret);
		return ret;
	}
	g->pf.name = "tsmh_sim aperture (not backed)";
	g->pf.flags = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64;
	ret = allocate_resource(&iomem_resource, &g->pf,
				(resource_size_t)g->nr_bar * SIM_PF_STRIDE, SZ_4G,
				iomem_resource.end, SIM_PF_STRIDE, NULL, NULL);
	if (ret) {
		pr_err("domain %#x: no free %u MiB above 4 GiB for the BARs of slots %d-%d (bar_slots=%d): %d\n",
		       g->domain, g->nr_bar * (SIM_PF_STRIDE >> 20), g->first,
		       g->first + g->nr_bar - 1, bar_slots, ret);
		release_resource(&g->np);
		return ret;
	}
	return 0;
}

/* Tear down the root buses of segments 0..@n-1; pci_lock_rescan_remove() held. */
static void sim_remove_segs(struct tsmh_sim *sim, int n)
{
	while (n-- > 0) {
		pci_stop_root_bus(sim->seg[n].bus);
		pci_remove_root_bus(sim->seg[n].bus);
		sim->seg[n].bus = NULL;
		sim_free_apertures(&sim->seg[n]);
	}
}

/* One root bus per segment, scanned; pci_lock_rescan_remove() held. */
static int sim_add_segs(struct tsmh_sim *sim)
{
	int s, prev = 0, ret;

	for (s = 0; s < sim->nr_seg; s++) {
		struct sim_seg *g = &sim->seg[s];
		LIST_HEAD(resources);

		ret = pick_domain(s, prev);
		if (ret < 0) {
			pr_err("no free PCI domain for endpoints %d-%d (domain=%#x)\n",
			       g->first, g->first + g->nr_ep - 1, domain);
			goto err;
		}
		g->domain = ret;
		prev = ret;
		g->busn.name = "tsmh_sim bus";
		g->busn.start = 0;
		g->busn.end = 2 + g->nr_ep;
		g->busn.flags = IORESOURCE_BUS;
		pci_add_resource(&resources, &g->busn);
		ret = sim_alloc_apertures(g);
		if (ret) {
			pci_free_resource_list(&resources);
			goto err;
		}
		if (g->nr_bar) {
			pci_add_resource(&resources, &g->np);
			pci_add_resource(&resources, &g->pf);
			sim_cfg_windows(sim, g);
		}
		g->bus = pci_create_root_bus(sim->parent, 0, &sim_pci_ops, sim_sysdata_init(g),
					     &resources);
		if (!g->bus) {
			pci_free_resource_list(&resources);
			pr_err("cannot create root bus in domain %#x\n", g->domain);
			sim_free_apertures(g);
			ret = -ENODEV;
			goto err;
		}
		pci_scan_child_bus(g->bus);
		/* the bridge windows as "firmware" programmed them */
		pci_bus_claim_resources(g->bus);
		pci_bus_add_devices(g->bus);
	}
	return 0;
err:
	sim_remove_segs(sim, s);
	return ret;
}

static int __init tsmh_sim_init(void)
{
	struct tsmh_sim *sim;
	int ret;

	if (nr_endpoints < 1 || nr_endpoints > TSMH_SIM_MAX_SLOTS) {
		pr_err("nr_endpoints=%d out of range 1-%d\n",
		       nr_endpoints, TSMH_SIM_MAX_SLOTS);
		return -EINVAL;
	}
	if (bar_slots < 0 || bar_slots > TSMH_SIM_MAX_SLOTS) {
		pr_err("bar_slots=%d out of range 0-%d\n", bar_slots, TSMH_SIM_MAX_SLOTS);
		return -EINVAL;
	}
	if (nr_functions < 1 || nr_functions > SIM_MAX_FN) {
		pr_err("nr_functions=%d out of range 1-%d\n", nr_functions, SIM_MAX_FN);
		return -EINVAL;
	}
	if (nr_vfs < 0 || nr_vfs > SIM_MAX_VF || nr_vfs + nr_functions > 8) {
		pr_err("nr_vfs=%d out of range 0-%d (and nr_vfs + nr_functions <= 8)\n",
		       nr_vfs, SIM_MAX_VF);
		return -EINVAL;
	}
	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	sim->nr_ep = nr_endpoints;
	sim->nr_fn = nr_functions;
	sim->nr_bar = min(bar_slots, nr_endpoints);
	sim->nr_vfs = sim->nr_bar ? nr_vfs : 0;
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

	pci_lock_rescan_remove();
	ret = sim_add_segs(sim);
	pci_unlock_rescan_remove();
	if (ret)
		goto err_root;

	ret = sim_chr_init(sim);
	if (ret)
		goto err_bus;
	ret = sim_drv_init();
	if (ret)
		goto err_chr;
	for (ret = 0; ret < sim->nr_seg; ret++)
		pr_info("domain %04x: root port + switch, endpoint slot(s) %d-%d of %d function(s), %d with BARs; waiting for the device emulator on /dev/%s\n",
			sim->seg[ret].domain, sim->seg[ret].first,
			sim->seg[ret].first + sim->seg[ret].nr_ep - 1, sim->nr_fn,
			sim->seg[ret].nr_bar,
			TSMH_SIM_DEVNAME);
	return 0;

err_chr:
	sim_chr_exit(sim);
err_bus:
	pci_lock_rescan_remove();
	sim_remove_segs(sim, sim->nr_seg);
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
	sim_remove_segs(sim, sim->nr_seg);
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
