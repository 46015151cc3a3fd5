/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tsm-host compat layer, force-included into every kernel object by Kbuild.
 *
 * Kernel differences are detected on the target tree by Kbuild (feature
 * tests on its headers, never version numbers) and become TSMH_HAVE_*
 * macros; this file turns them into one spelling the code uses, so the
 * rest of the module reads like current upstream.
 *
 *   TSMH_HAVE_KERNEL_DOE   pci_find_doe_mailbox()/pci_doe() (>= 6.5): the
 *                          PCI core owns DOE mailboxes; we must use them.
 *   TSMH_HAVE_NL_ERR_FMT   NL_SET_ERR_MSG_FMT() (>= 6.2).
 *   TSMH_HAVE_GENL_INFO_DUMP  genl_info_dump() (>= 6.7): dump attributes
 *                          moved into a struct genl_info.
 *   TSMH_HAVE_CONST_BIN_ATTR  bin_attribute callbacks take a const
 *                          struct bin_attribute * (>= 6.16 or so).
 *   TSMH_HAVE_DEV_DRIVER_OVERRIDE  driver_override lives in struct device
 *                          (device_set_driver_override(), spinlock) instead
 *                          of struct pci_dev (driver_set_override(), under
 *                          the device lock): Debian 6.12 and later.
 *   TSMH_HAVE_PCI_TSM      struct pci_dev.tsm (6.19+).
 *   TSMH_HAVE_PCI_TSM_LINK pci-tsm.h with pci_tsm_pf0_constructor() (6.19+).
 *   TSMH_HAVE_TSM_REGISTER_PCI  tsm_register(parent, struct pci_tsm_ops *)
 *                          (6.19+; 6.12's tsm_register() is the report API).
 *   TSMH_HAVE_PCI_IDE      pci-ide.h with pci_ide_set_nr_streams() (6.19+).
 */
#ifndef TSMH_COMPAT_H
#define TSMH_COMPAT_H

/*
 * Log prefixes, set once for every object (this file is force-included
 * before any kernel header): pr_*() lines start with the module name
 * ("tsmh_core: ", "tsmh_sim: "), pci_*()/dev_*() lines carry "tsmh: "
 * after the device name. Messages are written without a prefix.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#define dev_fmt(fmt) "tsmh: " fmt

#include <linux/netlink.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/genetlink.h>

/*
 * TSMH_ERR(extack, "static reason", "detail fmt", args...): an extended ACK
 * message. Kernels that can format one get "static reason: detail"; older
 * kernels get the static reason alone (never an unformatted template).
 */
#ifdef TSMH_HAVE_NL_ERR_FMT
#define TSMH_ERR(extack, reason, fmt, ...) \
	NL_SET_ERR_MSG_FMT(extack, reason ": " fmt, ##__VA_ARGS__)
#else
#define TSMH_ERR(extack, reason, fmt, ...) NL_SET_ERR_MSG(extack, reason)
#endif

/*
 * TSMH_ERR_STR(extack, reason, "detail fmt", args...): as TSMH_ERR, for a
 * reason that is not a literal but a string with static storage (shared
 * rule tables in lib/ return those).
 */
#ifdef TSMH_HAVE_NL_ERR_FMT
#define TSMH_ERR_STR(extack, reason, fmt, ...) \
	NL_SET_ERR_MSG_FMT(extack, "%s: " fmt, reason, ##__VA_ARGS__)
#else
#define TSMH_ERR_STR(extack, reason, fmt, ...) do {			\
	struct netlink_ext_ack *__ex = (extack);			\
	if (__ex)							\
		__ex->_msg = (reason);					\
} while (0)
#endif

/*
 * TSMH_ERRF(extack, "static text", "fmt", args...): the formatted message
 * where the kernel can format one, else the static text alone.
 */
#ifdef TSMH_HAVE_NL_ERR_FMT
#define TSMH_ERRF(extack, fallback, fmt, ...) NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)
#else
#define TSMH_ERRF(extack, fallback, fmt, ...) NL_SET_ERR_MSG(extack, fallback)
#endif

/* sysfs binary attribute callbacks: TSMH_BIN_ATTR_CONST struct bin_attribute * */
#ifdef TSMH_HAVE_CONST_BIN_ATTR
#define TSMH_BIN_ATTR_CONST const
#else
#define TSMH_BIN_ATTR_CONST
#endif

/*
 * driver_override of a PCI function: tsmh_set_driver_override(pdev, name)
 * sets it (NULL clears it); tsmh_driver_override_is(pdev, name) compares.
 * Neither may be called with the device lock held (6.1 takes it inside;
 * see "Lock order" in kmod/core/core.h).
 *
 * The _locked variants are called with the device lock held (asserted),
 * so an update is serialised with probe and remove on every kernel:
 * tsmh_set_driver_override_locked() as above;
 * tsmh_driver_override_dup_locked() returns a copy of the override
 * (kfree() it), NULL if none is set, or ERR_PTR(-ENOMEM).
 * The PCI core checks driver_override again under the device lock before
 * it calls a driver's probe (pci_device_probe()), so a probe that starts
 * after the update sees it.
 */
#ifdef TSMH_HAVE_DEV_DRIVER_OVERRIDE
static inline int tsmh_set_driver_override(struct pci_dev *pdev, const char *s)
{
	return device_set_driver_override(&pdev->dev, s ? s : "");
}

static inline bool tsmh_driver_override_is(struct pci_dev *pdev, const char *s)
{
	bool ret;

	spin_lock(&pdev->dev.driver_override.lock);
	ret = pdev->dev.driver_override.name && !strcmp(pdev->dev.driver_override.name, s);
	spin_unlock(&pdev->dev.driver_override.lock);
	return ret;
}

/* the driver_override spinlock is a leaf: fine under the device lock */
static inline int tsmh_set_driver_override_locked(struct pci_dev *pdev, const char *s)
{
	device_lock_assert(&pdev->dev);
	return device_set_driver_override(&pdev->dev, s ? s : "");
}

static inline char *tsmh_driver_override_dup_locked(struct pci_dev *pdev)
{
	char *s = NULL;

	device_lock_assert(&pdev->dev);
	spin_lock(&pdev->dev.driver_override.lock);
	if (pdev->dev.driver_override.name)
		s = kstrdup(pdev->dev.driver_override.name, GFP_ATOMIC) ?: ERR_PTR(-ENOMEM);
	spin_unlock(&pdev->dev.driver_override.lock);
	return s;
}
#else
static inline int tsmh_set_driver_override(struct pci_dev *pdev, const char *s)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override, s ? s : "",
				   s ? strlen(s) : 0);
}

static inline bool tsmh_driver_override_is(struct pci_dev *pdev, const char *s)
{
	bool ret;

	device_lock(&pdev->dev);
	ret = pdev->driver_override && !strcmp(pdev->driver_override, s);
	device_unlock(&pdev->dev);
	return ret;
}

/*
 * What driver_set_override() does inside its device_lock() section, with
 * the lock already held: pdev->driver_override is protected by it here.
 */
static inline int tsmh_set_driver_override_locked(struct pci_dev *pdev, const char *s)
{
	const char *old;
	char *new = NULL;

	device_lock_assert(&pdev->dev);
	if (s && *s) {
		new = kstrdup(s, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	old = pdev->driver_override;
	pdev->driver_override = new;
	kfree(old);
	return 0;
}

static inline char *tsmh_driver_override_dup_locked(struct pci_dev *pdev)
{
	device_lock_assert(&pdev->dev);
	if (!pdev->driver_override)
		return NULL;
	return kstrdup(pdev->driver_override, GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}
#endif

/* The parsed request attributes of a dump. */
static inline struct nlattr **tsmh_dump_attrs(struct netlink_callback *cb)
{
#ifdef TSMH_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * The PCI core's TSM (struct pci_dev.tsm, CONFIG_PCI_TSM): while it is set
 * a TSM driver is connected to the device. If that is a platform TSM it
 * owns the device's CMA/SPDM mailbox; if it is tsmh_core itself (the 7.2
 * link TSM, kmod/core/tsm.c, whose connect op asks tsmd) the mailbox
 * stays ours and tsmd's. Read without the PCI TSM core's lock (not
 * exported): a snapshot, used to refuse, never dereferenced; ours is told
 * by comparing the pointer with tsm.c's contexts.
 * tsmh_pci_tsm_bound(): set, and not ours.
 */
bool tsmh_tsm_is_ours(const void *tsm);	/* kmod/core/tsm.c */
#if defined(TSMH_HAVE_PCI_TSM) && IS_ENABLED(CONFIG_PCI_TSM)
static inline bool tsmh_pci_tsm_bound(struct pci_dev *pdev)
{
	const void *tsm = READ_ONCE(pdev->tsm);

	return tsm && !tsmh_tsm_is_ours(tsm);
}
#else
static inline bool tsmh_pci_tsm_bound(struct pci_dev *pdev)
{
	return false;
}
#endif

/*
 * TSMH_TSM_LINK: we can register as a link TSM (kmod/core/tsm.c).
 * TSMH_PCI_IDE: the PCI core owns IDE stream IDs, register blocks and the
 * host bridges' pools (pci_ide_stream_*(), kmod/core/ide_pci.c).
 */
#if defined(TSMH_HAVE_PCI_TSM_LINK) && defined(TSMH_HAVE_TSM_REGISTER_PCI) && \
	defined(TSMH_HAVE_PCI_TSM) && IS_ENABLED(CONFIG_PCI_TSM) && IS_ENABLED(CONFIG_TSM)
#define TSMH_TSM_LINK 1
#endif
#if defined(TSMH_HAVE_PCI_IDE) && IS_ENABLED(CONFIG_PCI_IDE)
#define TSMH_PCI_IDE 1
#endif

#endif
