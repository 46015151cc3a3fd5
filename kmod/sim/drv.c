// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim_drv: a PCI driver for tests of the driver gate. It has no ID
 * table, so it matches nothing by itself: a test binds it through new_id,
 * driver_override or the driver's bind file, and it refuses any device
 * outside the emulated domain. Its probe sleeps drv_probe_ms (default 0),
 * so a test can have a probe running while the gate holds or releases the
 * device (tests/vm/t_gaterace.sh).
 */
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include "sim.h"

static unsigned int drv_probe_ms;
module_param(drv_probe_ms, uint, 0644);
MODULE_PARM_DESC(drv_probe_ms, "tsmh_sim_drv's probe sleeps this many ms, at most 10000 (tests; default 0)");

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
}

static struct pci_driver sim_drv = {
	.name = "tsmh_sim_drv",
	.probe = sim_drv_probe,
	.remove = sim_drv_remove,
};

int sim_drv_init(void)
{
	return pci_register_driver(&sim_drv);
}

void sim_drv_exit(void)
{
	pci_unregister_driver(&sim_drv);
}
