// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_rtest: a VM-test-only module (never packaged) that resets a PCI
 * function the ways tsmh_core's reset detection must see, as drivers do
 * it, without going through sysfs "reset":
 *
 *   echo DDDD:BB:DD.F > /sys/module/tsmh_rtest/parameters/flr
 *	pcie_flr(), as a driver calling it directly
 *   .../reset_flr   pcie_reset_flr(dev, PCI_RESET_DO_RESET)
 *   .../probe_flr   pcie_reset_flr(dev, PCI_RESET_PROBE): asks, resets nothing
 *   .../locked      what vfio-pci does when a VM closes the device: under
 *	the device lock, __pci_reset_function_locked() then
 *	pci_restore_state() (no pci_dev_restore())
 *
 * The write fails with the reset's error; each call is logged.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

enum rtest_how { RT_FLR, RT_RESET_FLR, RT_PROBE_FLR, RT_LOCKED };

static int rtest_reset(struct pci_dev *pdev, enum rtest_how how)
{
	int ret;

	switch (how) {
	case RT_FLR:
		return pcie_flr(pdev);
	case RT_RESET_FLR:
		return pcie_reset_flr(pdev, PCI_RESET_DO_RESET);
	case RT_PROBE_FLR:
		return pcie_reset_flr(pdev, PCI_RESET_PROBE);
	case RT_LOCKED:
		device_lock(&pdev->dev);
		pci_cfg_access_lock(pdev);
		pci_save_state(pdev);
		ret = __pci_reset_function_locked(pdev);
		pci_restore_state(pdev);
		pci_cfg_access_unlock(pdev);
		device_unlock(&pdev->dev);
		return ret;
	}
	return -EINVAL;
}

static int rtest_set(const char *val, const struct kernel_param *kp)
{
	enum rtest_how how = (enum rtest_how)(uintptr_t)kp->arg;
	unsigned int dom, bus, dev, fn;
	struct pci_dev *pdev;
	int ret;

	if (sscanf(val, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(dev, fn));
	if (!pdev)
		return -ENODEV;
	ret = rtest_reset(pdev, how);
	pci_info(pdev, "tsmh_rtest: %s returned %d\n", kp->name, ret);
	pci_dev_put(pdev);
	return ret;
}

static const struct kernel_param_ops rtest_ops = { .set = rtest_set };

#define RTEST_PARAM(name, how) \
	module_param_cb(name, &rtest_ops, (void *)(uintptr_t)(how), 0200)

RTEST_PARAM(flr, RT_FLR);
RTEST_PARAM(reset_flr, RT_RESET_FLR);
RTEST_PARAM(probe_flr, RT_PROBE_FLR);
RTEST_PARAM(locked, RT_LOCKED);

MODULE_DESCRIPTION("tsm-host VM test: reset a PCI function as drivers and vfio-pci do");
MODULE_LICENSE("GPL");
