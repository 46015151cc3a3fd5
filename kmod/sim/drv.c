// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim_drv: a PCI driver for tests of the driver gate. It has no ID
 * table, so it matches nothing by itself: a test binds it through new_id,
 * driver_override or the driver's bind file, and it refuses any device
 * outside the emulated domain. Its probe sleeps drv_probe_ms (default 0),
 * so a test can have a probe running while the gate holds or releases the
 * device (tests/vm/t_gaterace.sh). Its reset_prepare (a reset through the
 * PCI core, before the reset) sleeps drv_reset_ms and its remove
 * drv_remove_ms, each logged before and after, so a test can keep a reset
 * running, or tsmh_core's reset work busy unbinding the device with
 * reset_hold=1 (tests/vm/t_resetdev.sh). Bound to a function 0 with SR-IOV
 * (nr_vfs), it enables VFs through sriov_numvfs (t_simbars.sh).
 */
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include "sim.h"

static unsigned int drv_probe_ms;
module_param(drv_probe_ms, uint, 0644);
MODULE_PARM_DESC(drv_probe_ms, "tsmh_sim_drv's probe sleeps this many ms, at most 10000 (tests; default 0)");

static unsigned int drv_reset_ms;
module_param(drv_reset_ms, uint, 0644);
MODULE_PARM_DESC(drv_reset_ms, "tsmh_sim_drv's reset_prepare sleeps this many ms, at most 10000 (tests; default 0)");

static unsigned int drv_remove_ms;
module_param(drv_remove_ms, uint, 0644);
MODULE_PARM_DESC(drv_remove_ms, "tsmh_sim_drv's remove sleeps this many ms, at most 10000 (tests; default 0)");

static void sim_drv_sleep(struct pci_dev *pdev, const char *what, unsigned int ms)
{
	if (!ms)
		return;
	ms = min(ms, 10000U);
	pci_info(pdev, "%s sleeps %u ms\n", what, ms);
	msleep(ms);
	pci_info(pdev, "%s done\n", what);
}

static int sim_drv_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tsmh_sim *sim = sim_instance;
	unsigned int ms = READ_ONCE(drv_probe_ms);

	if (!sim || !sim_seg_of(sim, pci_domain_nr(pdev->bus)))
		return -ENODEV;
	if (ms)
		msleep(min(ms, 10000U));
	return 0;
}

static void sim_drv_remove(struct pci_dev *pdev)
{
	sim_drv_sleep(pdev, "remove", READ_ONCE(drv_remove_ms));
	pci_disable_sriov(pdev);	/* a PF's VFs go with its driver */
}

static void sim_drv_reset_prepare(struct pci_dev *pdev)
{
	sim_drv_sleep(pdev, "reset_prepare", READ_ONCE(drv_reset_ms));
}

static void sim_drv_reset_done(struct pci_dev *pdev)
{
}

static const struct pci_error_handlers sim_drv_err = {
	.reset_prepare = sim_drv_reset_prepare,
	.reset_done = sim_drv_reset_done,
};

static struct pci_driver sim_drv = {
	.name = "tsmh_sim_drv",
	.probe = sim_drv_probe,
	.remove = sim_drv_remove,
	.err_handler = &sim_drv_err,
	/* sriov_numvfs of a sim PF (tsmh_sim nr_vfs) it is bound to */
	.sriov_configure = pci_sriov_configure_simple,
};

int sim_drv_init(void)
{
	return pci_register_driver(&sim_drv);
}

void sim_drv_exit(void)
{
	pci_unregister_driver(&sim_drv);
}
