// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: DOE exchange on one mailbox, through whichever backend the
 * running kernel allows:
 *
 *  - kernel (TSMH_HAVE_KERNEL_DOE, Linux >= 6.5): the PCI core creates and
 *    owns every DOE mailbox at enumeration; we look ours up and call
 *    pci_doe(), so the core's per-mailbox queue serialises us with any
 *    in-kernel user (CXL CDAT, SPDM). We never touch the registers.
 *  - cfg (older kernels): the PCI core has no module-usable mailbox
 *    (6.0-6.4 only offer the devres-managed pcim_doe_create_mb(), which
 *    needs a bound driver and dies on unbind), so we drive the mailbox
 *    registers ourselves with lib/doe_req.c.
 *
 * Callers hold mb->xfer_lock (asserted) and pass dword-multiple requests.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sched/signal.h>
#include "core.h"
#include "doe_req.h"

#ifdef TSMH_HAVE_KERNEL_DOE
#include <linux/pci-doe.h>

enum tsmh_doe_backend tsmh_doe_backend(void)
{
	return TSMH_DOE_BACKEND_KERNEL;
}

int tsmh_doe_backend_init(struct tsmh_mb *mb)
{
	lockdep_assert_held(&mb->xfer_lock);
	/* pci_dev.doe_mbs is indexed by capability offset */
	mb->kmb = xa_load(&mb->dev->pdev->doe_mbs, mb->off);
	return mb->kmb ? 0 : -ENODEV;
}

/* The PCI core's mailbox queue serialises every in-kernel user with us. */
int tsmh_doe_driver_conflict(struct tsmh_mb *mb, char *drv, size_t len)
{
	return 0;
}

int tsmh_doe_xfer(struct tsmh_mb *mb, u16 vid, u8 type, const void *req,
		  size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len)
{
	int ret;

	lockdep_assert_held(&mb->xfer_lock);
	if (!mb->kmb)
		return -ENODEV;
	ret = pci_doe(mb->kmb, vid, type, req, req_len, rsp, rsp_cap);
	if (ret < 0)
		return ret;
	*rsp_len = ret;
	return 0;
}

#else /* config-space backend */

enum tsmh_doe_backend tsmh_doe_backend(void)
{
	return TSMH_DOE_BACKEND_CFG;
}

/*
 * Drivers that drive a DOE mailbox's registers themselves on these kernels,
 * where nothing serialises them with us: cxl_pci (CDAT reads through
 * pcim_doe_create_mb(), the only in-kernel DOE user before 6.5) and
 * vfio-pci (a guest or a userspace driver owns config space, DOE
 * included). While one is bound, an exchange of ours would interleave
 * with theirs on the same registers and corrupt both: refused. Other
 * drivers cannot reach DOE on these kernels. Comma-separated driver
 * names; writable for drivers we do not know of.
 */
static char cfg_doe_drivers[128] = "cxl_pci,vfio-pci";
module_param_string(cfg_doe_drivers, cfg_doe_drivers, sizeof(cfg_doe_drivers), 0644);
MODULE_PARM_DESC(cfg_doe_drivers,
		 "config-space DOE backend (Linux < 6.5): no exchange while one of these drivers is bound");

/* @name in the comma (or blank) separated @list; a sysfs write ends in '\n' */
static bool in_list(const char *list, const char *name)
{
	static const char sep[] = ", \t\n";
	size_t n = strlen(name), len;

	list += strspn(list, sep);
	while (n && *list) {
		len = strcspn(list, sep);
		if (len == n && !strncmp(list, name, n))
			return true;
		list += len;
		list += strspn(list, sep);
	}
	return false;
}

/* -EBUSY with the driver's name in @drv if a DOE-driving driver is bound */
int tsmh_doe_driver_conflict(struct tsmh_mb *mb, char *drv, size_t len)
{
	bool hit;

	/* the bound driver's name, kept by the bus notifier */
	mutex_lock(&mb->dev->state_lock);
	strscpy(drv, mb->dev->driver, len);
	mutex_unlock(&mb->dev->state_lock);
	kernel_param_lock(THIS_MODULE);
	hit = in_list(cfg_doe_drivers, drv);
	kernel_param_unlock(THIS_MODULE);
	return hit ? -EBUSY : 0;
}

static int cfg_read32(void *ctx, u16 off, u32 *val)
{
	struct tsmh_mb *mb = ctx;

	return pcibios_err_to_errno(pci_read_config_dword(mb->dev->pdev, off, val));
}

static int cfg_write32(void *ctx, u16 off, u32 val)
{
	struct tsmh_mb *mb = ctx;

	return pcibios_err_to_errno(pci_write_config_dword(mb->dev->pdev, off, val));
}

static int cfg_wait(void *ctx, u32 us)
{
	struct tsmh_mb *mb = ctx;

	if (READ_ONCE(mb->dev->gone) || pci_dev_is_disconnected(mb->dev->pdev))
		return -ENODEV;
	if (fatal_signal_pending(current))
		return -EINTR;
	usleep_range(us, us + us / 2 + 10);
	return 0;
}

static u64 cfg_now_us(void *ctx)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

int tsmh_doe_backend_init(struct tsmh_mb *mb)
{
	struct tsmh_doe_io io = {
		.read32 = cfg_read32, .write32 = cfg_write32,
		.wait = cfg_wait, .now_us = cfg_now_us,
		.ctx = mb, .cap = mb->off,
	};

	lockdep_assert_held(&mb->xfer_lock);
	/*
	 * Put the mailbox in a known state, as the PCI core does, unless a
	 * driver is bound: on these kernels it may run its own DOE exchanges
	 * (cxl_pci's CDAT reads) and an abort would destroy one in flight.
	 */
	if (mb->dev->pdev->driver)
		return 0;
	return tsmh_doe_req_abort(&io);
}

int tsmh_doe_xfer(struct tsmh_mb *mb, u16 vid, u8 type, const void *req,
		  size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len)
{
	struct tsmh_doe_io io = {
		.read32 = cfg_read32, .write32 = cfg_write32,
		.wait = cfg_wait, .now_us = cfg_now_us,
		.ctx = mb, .cap = mb->off,
	};
	char drv[32];
	u32 len = 0;
	int ret;

	lockdep_assert_held(&mb->xfer_lock);
	*rsp_len = 0;
	ret = tsmh_doe_driver_conflict(mb, drv, sizeof(drv));
	if (ret)
		return ret;
	ret = tsmh_doe_req_exchange(&io, vid, type, req, req_len, rsp, rsp_cap, &len);
	*rsp_len = len;
	return ret;
}

#endif

bool tsmh_mb_supports(struct tsmh_mb *mb, u16 vid, u8 type)
{
	int i;

	lockdep_assert_held(&mb->dev->state_lock);
	if (vid == TSMH_DOE_VID_PCISIG && type == TSMH_DOE_PROT_DISCOVERY)
		return true;
	for (i = 0; i < mb->nr_prots; i++)
		if (mb->prots[i].vid == vid && mb->prots[i].type == type)
			return true;
	return false;
}
