// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: reset detection.
 *
 * The kernel has no notifier for device resets, and a driver's
 * reset_prepare/reset_done only reach the bound driver. So tsmh_core puts
 * kprobes on functions every reset path crosses:
 *
 *   pci_dev_restore(dev)            after every function, slot and bus
 *                                   reset done through the PCI core (sysfs
 *                                   "reset", vfio, pci_reset_function*,
 *                                   pci_reset_bus): the primary source.
 *   __pci_reset_function_locked(dev) fallback where pci_dev_restore is
 *                                   inlined (function resets only).
 *   pcibios_reset_secondary_bus(bridge)  a bus reset below @bridge: the
 *                                   restores that follow are reported as
 *                                   bus resets (without restore: reported).
 *                                   A __weak function, so never inlined:
 *                                   pci_bridge_secondary_bus_reset() is
 *                                   exported but inlined into its caller in
 *                                   pci.c (Debian 6.1: sysfs "bus" resets
 *                                   went unseen as such); it is only the
 *                                   fallback.
 *   pcie_do_recovery(dev)           AER/DPC recovery at or above the device.
 *
 * The probe handler runs in atomic context: it records the pointer
 * argument (compared against tracked devices later, never dereferenced)
 * in a small ring and queues a work item, which matches it against the
 * tracked devices and calls tsmh_gate_reset(). A full ring sets an
 * overflow flag: the work then treats it as a reset of every tracked
 * device (kind unknown) and says so in the log, so no reset is lost.
 *
 * Limits: resets that bypass these functions (a driver poking its own
 * reset register, a link-down the AER core never sees, firmware) are not
 * seen; the pointer comparison may match a device freed and reallocated
 * at the same address between the probe and the work (a spurious event,
 * never a missed one).
 */
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/spinlock.h>
#include "core.h"

#define RESET_RING	64
#define HINT_WINDOW	(5 * HZ)

enum reset_role { ROLE_RESTORE, ROLE_FUNC, ROLE_BRIDGE, ROLE_RECOVERY };

struct tsmh_kp {
	struct kprobe kp;
	enum reset_role role;
	bool armed;
};

static struct tsmh_kp tsmh_kps[] = {
	{ .kp.symbol_name = "pci_dev_restore", .role = ROLE_RESTORE },
	{ .kp.symbol_name = "__pci_reset_function_locked", .role = ROLE_FUNC },
	{ .kp.symbol_name = "pcibios_reset_secondary_bus", .role = ROLE_BRIDGE },
	{ .kp.symbol_name = "pci_bridge_secondary_bus_reset", .role = ROLE_BRIDGE },
	{ .kp.symbol_name = "pcie_do_recovery", .role = ROLE_RECOVERY },
};

struct reset_ev {
	const void *pdev;	/* compared only, never dereferenced */
	enum reset_role role;
};

static DEFINE_SPINLOCK(ring_lock);	/* protects the ring below */
static struct reset_ev ring[RESET_RING];
static unsigned int ring_head, ring_len;
static bool ring_overflow;
/* set by tsmh_reset_init(), cleared by tsmh_reset_exit(); no lock */
static bool have_restore, have_sbr;
static u32 sources;

static void reset_work_fn(struct work_struct *work);
static DECLARE_WORK(reset_work, reset_work_fn);

u32 tsmh_reset_sources(void)
{
	return sources;
}

/*
 * A reset was seen by a probe but the work has not counted it yet (it is
 * queued or running). Not tied to a device: a caller that must not act on
 * stale state (an attested release, gate.c) refuses for any device, which
 * is rare and only costs a retry.
 */
bool tsmh_reset_pending(void)
{
	unsigned long flags;
	bool ring;

	spin_lock_irqsave(&ring_lock, flags);
	ring = ring_len || ring_overflow;
	spin_unlock_irqrestore(&ring_lock, flags);
	return ring || work_busy(&reset_work);
}

static int tsmh_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct tsmh_kp *k = container_of(p, struct tsmh_kp, kp);
	unsigned long flags;

	spin_lock_irqsave(&ring_lock, flags);
	if (ring_len < RESET_RING) {
		ring[(ring_head + ring_len) % RESET_RING] = (struct reset_ev) {
			.pdev = (const void *)regs_get_kernel_argument(regs, 0),
			.role = k->role,
		};
		ring_len++;
	} else {
		ring_overflow = true;
	}
	spin_unlock_irqrestore(&ring_lock, flags);
	queue_work(tsmh_wq, &reset_work);
	return 0;
}

/* @p is @dev itself or an upstream bridge of it. */
static bool at_or_above(struct tsmh_dev *dev, const void *p)
{
	struct pci_dev *up = dev->pdev;

	for (; up; up = pci_upstream_bridge(up))
		if (up == p)
			return true;
	return false;
}

struct walk_arg {
	const void *p;
	bool found;
};

static int walk_match(struct pci_dev *pdev, void *data)
{
	struct walk_arg *w = data;

	if (pdev == w->p)
		w->found = true;
	return w->found;
}

/* @p is @dev, above it, or on its bus (recovery resets the whole link). */
static bool near(struct tsmh_dev *dev, const void *p)
{
	struct walk_arg w = { .p = p };

	if (at_or_above(dev, p))
		return true;
	if (dev->pdev->bus)
		pci_walk_bus(dev->pdev->bus, walk_match, &w);
	return w.found;
}

static void handle(struct tsmh_dev *dev, const struct reset_ev *ev)
{
	u32 kind = 0, hint;
	bool report = false, hinted;

	mutex_lock(&dev->state_lock);
	hinted = dev->reset_hint && time_before(jiffies, dev->reset_hint_at + HINT_WINDOW);
	hint = hinted ? dev->reset_hint : 0;
	switch (ev->role) {
	case ROLE_RESTORE:
		if (dev->pdev != ev->pdev)
			break;
		dev->reset_hint = 0;
		if (hint == TSMH_RESET_RECOVERY)
			break;	/* the restore of a recovery already reported */
		kind = hint == TSMH_RESET_BUS ? TSMH_RESET_BUS : TSMH_RESET_FLR;
		report = true;
		break;
	case ROLE_FUNC:
		if (dev->pdev != ev->pdev)
			break;
		kind = TSMH_RESET_FLR;
		report = true;
		break;
	case ROLE_BRIDGE:
		if (dev->pdev == ev->pdev || !at_or_above(dev, ev->pdev))
			break;
		if (have_restore && hint != TSMH_RESET_RECOVERY) {
			dev->reset_hint = TSMH_RESET_BUS;
			dev->reset_hint_at = jiffies;
		} else if (!have_restore && hint != TSMH_RESET_RECOVERY) {
			kind = TSMH_RESET_BUS;
			report = true;
		}
		break;
	case ROLE_RECOVERY:
		if (!near(dev, ev->pdev))
			break;
		dev->reset_hint = TSMH_RESET_RECOVERY;
		dev->reset_hint_at = jiffies;
		kind = TSMH_RESET_RECOVERY;
		report = true;
		break;
	}
	mutex_unlock(&dev->state_lock);
	if (report)
		tsmh_gate_reset(dev, kind);
}

static void reset_work_fn(struct work_struct *work)
{
	struct reset_ev evs[RESET_RING];
	unsigned int n, i, gen;
	unsigned long idx, flags;
	struct tsmh_dev *dev;
	bool overflow;

	spin_lock_irqsave(&ring_lock, flags);
	n = ring_len;
	for (i = 0; i < n; i++)
		evs[i] = ring[(ring_head + i) % RESET_RING];
	ring_head = (ring_head + n) % RESET_RING;
	ring_len = 0;
	overflow = ring_overflow;
	ring_overflow = false;
	spin_unlock_irqrestore(&ring_lock, flags);

	if (overflow)
		pr_warn("too many resets at once: treating every tracked device as reset\n");
	for (idx = 0; (dev = tsmh_dev_nth(idx, &gen)); idx++) {
		if (overflow)
			tsmh_gate_reset(dev, TSMH_RESET_UNKNOWN);
		else
			for (i = 0; i < n; i++)
				handle(dev, &evs[i]);
		tsmh_dev_put(dev);
	}
}

void tsmh_reset_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(tsmh_kps); i++) {
		struct tsmh_kp *k = &tsmh_kps[i];

		/* the function fallback only where the restore cannot be probed */
		if (k->role == ROLE_FUNC && have_restore)
			continue;
		/* the same for the bus reset's exported wrapper */
		if (k->role == ROLE_BRIDGE && have_sbr)
			continue;
		k->kp.pre_handler = tsmh_kp_pre;
		ret = register_kprobe(&k->kp);
		if (ret) {
			pr_info("reset probe on %s not armed (%d)\n",
				k->kp.symbol_name, ret);
			continue;
		}
		k->armed = true;
		pr_info("reset probe armed on %s\n", k->kp.symbol_name);
		switch (k->role) {
		case ROLE_RESTORE:
			have_restore = true;
			sources |= BIT(TSMH_RESET_FLR) | BIT(TSMH_RESET_BUS);
			break;
		case ROLE_FUNC:
			sources |= BIT(TSMH_RESET_FLR);
			break;
		case ROLE_BRIDGE:
			have_sbr = true;
			sources |= BIT(TSMH_RESET_BUS);
			break;
		case ROLE_RECOVERY:
			sources |= BIT(TSMH_RESET_RECOVERY);
			break;
		}
	}
	if (!sources)
		pr_warn("no reset probe armed: resets will not be reported\n");
}

void tsmh_reset_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tsmh_kps); i++) {
		if (tsmh_kps[i].armed)
			unregister_kprobe(&tsmh_kps[i].kp);
		tsmh_kps[i].armed = false;
	}
	cancel_work_sync(&reset_work);
	have_restore = false;
	have_sbr = false;
	sources = 0;
}
