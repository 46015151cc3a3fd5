// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: reset detection.
 *
 * The kernel has no notifier for device resets, and a driver's
 * reset_prepare/reset_done only reach the bound driver. So tsmh_core puts
 * kretprobes on the functions that reset a device, and counts a reset
 * when the function returns (the reset is done), never on entry:
 *
 *   pci_reset_function, pci_reset_function_locked, pci_try_reset_function,
 *   __pci_reset_function_locked (dev)   function resets through the PCI
 *	core (sysfs "reset", drivers, and vfio-pci, which calls
 *	__pci_reset_function_locked + pci_restore_state when a VM closes
 *	the device); a reset unless they return -ENOTTY (no method) or
 *	-EAGAIN (busy), or if a reset nested inside them was done (an FLR
 *	that then timed out).
 *   pcie_reset_flr(dev, probe), pcie_flr(dev)   an FLR, also when a
 *	driver calls them directly (pcie_reset_flr: not when probing).
 *   pcibios_reset_secondary_bus(bridge)   a secondary bus reset: every
 *	device below @bridge was reset (sysfs "bus" reset method, slot and
 *	bus resets, vfio hot reset, the link reset of AER recovery through
 *	pci_bus_error_reset). A __weak function, so never inlined.
 *   dpc_reset_link(port)   DPC (and EDR) recovery: the link below @port
 *	went down, every device below it was reset.
 *   pcie_do_recovery(dev)   not a reset by itself (a non-fatal error is
 *	recovered without one): only context, so that a reset done during
 *	recovery (the two above) is reported as kind "recovery".
 *
 * Nesting: the wrappers call each other (pci_reset_function ->
 * __pci_reset_function_locked -> pcie_reset_flr -> pcie_flr, or ->
 * pcibios_reset_secondary_bus for the "bus" method). The entry handler
 * keeps a frame per task and device; only the outermost function of a
 * device reports, once, when it returns (kind "bus" when its reset was a
 * bus reset of the device's own link, which the PCI core does only for a
 * device alone on its bus). Whichever of them the compiler inlined, one
 * out-of-line caller remains probed.
 *
 * The handlers run in atomic context: they record the device pointer
 * (compared against tracked devices later, never dereferenced by the
 * work) in a small ring and queue a work item, which matches it against
 * the tracked devices (the device itself, or every device below a reset
 * bridge, by following upstream bridges: no bus walk, no lock) and calls
 * tsmh_gate_reset(). A full ring, or a kretprobe that missed a call (more
 * than MAXACTIVE resets at once), is not silent: the work then treats it
 * as a reset of every tracked device (kind unknown) and says so in the
 * log, so no reset is lost.
 *
 * Pending resets (tsmh_reset_pending(), for the gate's attested release):
 * from a probed call's entry until the work has counted it, a reset is
 * known with the device it resets: an in-flight call holds a slot in
 * active[] (device, or bridge with everything below it), a done one an
 * entry of the ring, then of the work's batch while the work processes
 * it. A device is pending while any of these names it or a bridge above
 * it. What names no device makes every device pending: a call that found
 * no free slot, a missed call (a kretprobe's nmissed moved), a full ring,
 * and the work's "every tracked device" round that follows the last two.
 *
 * Limits: resets that bypass these functions (a driver poking its own
 * reset register, a link-down the AER core never sees, firmware) are not
 * seen; power loss (D3cold, system suspend/hibernation resume) is not
 * reported as a reset (docs/design.md); the pointer comparison may match
 * a device freed and reallocated at the same address between the probe
 * and the work (a spurious event, never a missed one).
 */
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include "core.h"

#define RESET_RING	64
#define NR_FRAMES	32
#define MAXACTIVE	64
#define NR_ACTIVE	64

enum reset_role {
	ROLE_FUNC,	/* a function reset wrapper: done if 0 or a nested reset was */
	ROLE_RESET_FLR,	/* pcie_reset_flr(dev, probe): done unless probing or -ENOTTY */
	ROLE_FLR,	/* pcie_flr(dev): always done */
	ROLE_BRIDGE,	/* pcibios_reset_secondary_bus(bridge): everything below */
	ROLE_DPC,	/* dpc_reset_link(port): everything below */
	ROLE_RECOVERY,	/* pcie_do_recovery(): context only */
};

struct tsmh_rp {
	struct kretprobe rp;
	enum reset_role role;
	bool armed;
};

static struct tsmh_rp tsmh_rps[] = {
	{ .rp.kp.symbol_name = "pci_reset_function", .role = ROLE_FUNC },
	{ .rp.kp.symbol_name = "pci_reset_function_locked", .role = ROLE_FUNC },
	{ .rp.kp.symbol_name = "pci_try_reset_function", .role = ROLE_FUNC },
	{ .rp.kp.symbol_name = "__pci_reset_function_locked", .role = ROLE_FUNC },
	{ .rp.kp.symbol_name = "pcie_reset_flr", .role = ROLE_RESET_FLR },
	{ .rp.kp.symbol_name = "pcie_flr", .role = ROLE_FLR },
	{ .rp.kp.symbol_name = "pcibios_reset_secondary_bus", .role = ROLE_BRIDGE },
	{ .rp.kp.symbol_name = "dpc_reset_link", .role = ROLE_DPC },
	{ .rp.kp.symbol_name = "pcie_do_recovery", .role = ROLE_RECOVERY },
};

/*
 * A reset (or recovery) under way in @task. Function frames are per
 * device (@depth: nested calls for the same device); a recovery frame
 * only gives the resets inside it their kind.
 */
struct reset_frame {
	struct task_struct *task;	/* NULL: free */
	const void *pdev;
	bool recovery;
	bool done;			/* a nested call reset the device */
	bool bus;			/* by a bus reset of its link */
	unsigned int depth;
};

/*
 * A probed reset call between its entry and its return, for
 * tsmh_reset_pending(): the device it resets, or (@below) the bridge
 * everything below which it resets.
 */
struct reset_active {
	const void *pdev;	/* NULL: free; compared only, never dereferenced */
	bool below;
};

/* per call (kretprobe instance data) */
struct reset_call {
	const void *pdev;
	struct reset_frame *frame;	/* NULL: no frame (the table was full) */
	struct reset_active *slot;	/* NULL: none (not a reset, or active[] was full) */
	bool nested;
	bool anon;			/* a reset counted in active_anon */
};

struct reset_ev {
	const void *pdev;	/* compared only, never dereferenced */
	bool below;		/* the devices below @pdev, not @pdev */
	u32 kind;
};

static DEFINE_SPINLOCK(ring_lock);	/* protects everything below */
static struct reset_ev ring[RESET_RING];
static unsigned int ring_head, ring_len;
static bool ring_overflow;
static struct reset_frame frames[NR_FRAMES];
static struct reset_active active[NR_ACTIVE];
static unsigned int active_anon;	/* resets entered, not returned, without a slot */
static int missed_seen;			/* sum of nmissed already handled */
/*
 * What the work took from the ring and has not finished counting: written
 * by the work only (under ring_lock; it reads them without), read by
 * tsmh_reset_pending(). @batch_all: the work's round over every tracked
 * device (full ring, missed call).
 */
static struct reset_ev batch[RESET_RING];
static unsigned int batch_len;
static bool batch_all;
/* set by tsmh_reset_init(), cleared by tsmh_reset_exit(); no lock */
static u32 sources;

static void reset_work_fn(struct work_struct *work);
static DECLARE_WORK(reset_work, reset_work_fn);

u32 tsmh_reset_sources(void)
{
	return sources;
}

/*
 * Calls the probes missed (no free instance, or a probe hit while another
 * ran on the CPU); pcie_do_recovery() only gives a kind, so not it.
 */
static int rp_missed(void)
{
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(tsmh_rps); i++)
		if (tsmh_rps[i].armed && tsmh_rps[i].role != ROLE_RECOVERY)
			n += READ_ONCE(tsmh_rps[i].rp.nmissed) +
			     (int)READ_ONCE(tsmh_rps[i].rp.kp.nmissed);
	return n;
}

/* @p is an upstream bridge of @dev (no lock: each device holds its parents). */
static bool below(struct tsmh_dev *dev, const void *p)
{
	struct pci_dev *up;

	for (up = pci_upstream_bridge(dev->pdev); up; up = pci_upstream_bridge(up))
		if (up == p)
			return true;
	return false;
}

/* a reset of @pdev (@below: of everything below it) resets @dev */
static bool resets(struct tsmh_dev *dev, const void *pdev, bool below_pdev)
{
	return below_pdev ? below(dev, pdev) : dev->pdev == pdev;
}

static bool matches(struct tsmh_dev *dev, const struct reset_ev *ev)
{
	return resets(dev, ev->pdev, ev->below);
}

/*
 * A reset of @dev, or of a bridge above it, is under way (a probed call
 * entered and not returned) or was done and not counted yet (in the ring,
 * or in the batch the work is counting); or one that names no device is
 * (see the top of this file), which may be a reset of @dev too.
 *
 * Called with @dev's device lock held, which is what makes the answer
 * last until the caller's change (gate.c, gate_apply()): a reset through
 * the PCI core (function, slot, bus) resets @dev only while holding its
 * device lock, and some probed call of it has entered by then (the
 * outermost one may take the lock itself, after its entry). So a reset of
 * @dev that ran before the caller took the lock holds a slot in active[]
 * from that entry until its return handler, which puts it in the ring in
 * the same ring_lock section; the work moves it to the batch in one
 * section and drops the batch after the count moved. Each step is under
 * ring_lock, so this check sees it somewhere or counted; one that enters
 * later waits for the lock, after the caller's change. A reset done
 * without the device lock (DPC, AER's link reset, a driver's own
 * pcie_flr()) that enters after this check started after it: counted
 * when done, as any later reset. Nothing here is module-wide but what
 * names no device (see the top of this file).
 */
enum tsmh_reset_pend tsmh_reset_pending(struct tsmh_dev *dev)
{
	unsigned long flags;
	bool pending = false;
	unsigned int i;

	device_lock_assert(&dev->pdev->dev);
	spin_lock_irqsave(&ring_lock, flags);
	if (active_anon || ring_overflow || batch_all || rp_missed() != missed_seen) {
		spin_unlock_irqrestore(&ring_lock, flags);
		return TSMH_RESET_PEND_ANY;
	}
	for (i = 0; i < NR_ACTIVE && !pending; i++)
		pending = active[i].pdev && resets(dev, active[i].pdev, active[i].below);
	for (i = 0; i < ring_len && !pending; i++)
		pending = matches(dev, &ring[(ring_head + i) % RESET_RING]);
	for (i = 0; i < batch_len && !pending; i++)
		pending = matches(dev, &batch[i]);
	spin_unlock_irqrestore(&ring_lock, flags);
	return pending ? TSMH_RESET_PEND_DEV : TSMH_RESET_PEND_NONE;
}

/* ring_lock held: @c's reset is in flight until its return handler */
static void active_get(struct reset_call *c, const void *pdev, bool below_pdev)
{
	int i;

	lockdep_assert_held(&ring_lock);
	for (i = 0; i < NR_ACTIVE; i++)
		if (!active[i].pdev) {
			active[i] = (struct reset_active) { .pdev = pdev, .below = below_pdev };
			c->slot = &active[i];
			return;
		}
	c->anon = true;
	active_anon++;
}

/* ring_lock held */
static void active_put(struct reset_call *c)
{
	lockdep_assert_held(&ring_lock);
	if (c->slot)
		c->slot->pdev = NULL;
	else if (c->anon)
		active_anon--;
	c->slot = NULL;
	c->anon = false;
}

/* ring_lock held */
static struct reset_frame *frame_find(const void *pdev, bool recovery)
{
	int i;

	for (i = 0; i < NR_FRAMES; i++)
		if (frames[i].task == current && frames[i].recovery == recovery &&
		    (recovery || frames[i].pdev == pdev))
			return &frames[i];
	return NULL;
}

/* ring_lock held */
static struct reset_frame *frame_new(const void *pdev, bool recovery)
{
	int i;

	for (i = 0; i < NR_FRAMES; i++)
		if (!frames[i].task) {
			frames[i] = (struct reset_frame) {
				.task = current, .pdev = pdev, .recovery = recovery,
			};
			return &frames[i];
		}
	return NULL;
}

/* ring_lock held */
static void ring_push(const void *pdev, bool below, u32 kind)
{
	if (ring_len < RESET_RING) {
		ring[(ring_head + ring_len) % RESET_RING] = (struct reset_ev) {
			.pdev = pdev, .below = below, .kind = kind,
		};
		ring_len++;
	} else {
		ring_overflow = true;
	}
}

/*
 * ring_lock held. A bus reset below @bridge inside a function reset of a
 * device whose own link it is: part of that function reset. The device is
 * alive (its reset is running in this task), so reading its bus is safe.
 */
static struct reset_frame *bus_in_func(const void *bridge)
{
	int i;

	for (i = 0; i < NR_FRAMES; i++) {
		struct reset_frame *f = &frames[i];
		const struct pci_dev *pdev = f->pdev;

		if (f->task == current && !f->recovery && pdev->bus && pdev->bus->self == bridge)
			return f;
	}
	return NULL;
}

static int tsmh_rp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tsmh_rp *t = container_of(get_kretprobe(ri), struct tsmh_rp, rp);
	struct reset_call *c = (struct reset_call *)ri->data;
	const void *pdev = (const void *)regs_get_kernel_argument(regs, 0);
	struct reset_frame *f;
	unsigned long flags;
	int ret = 0;

	*c = (struct reset_call) { .pdev = pdev };
	/* pcie_reset_flr(dev, PCI_RESET_PROBE) only asks */
	if (t->role == ROLE_RESET_FLR && (u8)regs_get_kernel_argument(regs, 1))
		return 1;
	spin_lock_irqsave(&ring_lock, flags);
	switch (t->role) {
	case ROLE_FUNC:
	case ROLE_RESET_FLR:
	case ROLE_FLR:
		f = frame_find(pdev, false);
		if (f) {
			f->depth++;
			c->nested = true;
		} else {
			f = frame_new(pdev, false);
		}
		c->frame = f;
		active_get(c, pdev, false);
		break;
	case ROLE_BRIDGE:
		f = bus_in_func(pdev);
		if (f) {
			/* reported by the function reset, as a bus reset */
			f->done = true;
			f->bus = true;
			ret = 1;
			break;
		}
		active_get(c, pdev, true);
		break;
	case ROLE_DPC:
		active_get(c, pdev, true);
		break;
	case ROLE_RECOVERY:
		c->frame = frame_new(pdev, true);
		break;
	}
	spin_unlock_irqrestore(&ring_lock, flags);
	return ret;
}

static int tsmh_rp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tsmh_rp *t = container_of(get_kretprobe(ri), struct tsmh_rp, rp);
	struct reset_call *c = (struct reset_call *)ri->data;
	int rv = (int)regs_return_value(regs);
	struct reset_frame *f = c->frame;
	bool done = false, below = false, bus = false;
	unsigned long flags;
	u32 kind = TSMH_RESET_FLR;

	spin_lock_irqsave(&ring_lock, flags);
	switch (t->role) {
	case ROLE_FUNC:
		/* -ENOTTY: no method; -EAGAIN: pci_try_reset_function() busy */
		done = rv != -ENOTTY && rv != -EAGAIN;
		break;
	case ROLE_RESET_FLR:
		done = rv != -ENOTTY;
		break;
	case ROLE_FLR:
		done = true;
		break;
	case ROLE_BRIDGE:
	case ROLE_DPC:
		done = true;
		below = true;
		kind = t->role == ROLE_DPC ? TSMH_RESET_RECOVERY : TSMH_RESET_BUS;
		break;
	case ROLE_RECOVERY:
		if (f)
			f->task = NULL;
		spin_unlock_irqrestore(&ring_lock, flags);
		return 0;
	}
	if (f && c->nested) {
		/* the outermost call of this device reports */
		f->depth--;
		f->done |= done;
		done = false;
	} else if (f) {
		done |= f->done;
		bus = f->bus;
		f->task = NULL;
	}
	if (done) {
		if (frame_find(NULL, true))
			kind = TSMH_RESET_RECOVERY;
		else if (bus)
			kind = TSMH_RESET_BUS;
		ring_push(c->pdev, below, kind);
	}
	/* in the section of the push: always in one of the two for pending */
	active_put(c);
	spin_unlock_irqrestore(&ring_lock, flags);
	if (done)
		queue_work(tsmh_wq, &reset_work);
	return 0;
}

/*
 * Counts what the ring holds. The entries move to @batch in one ring_lock
 * section and leave it only after every tracked device has been counted,
 * so tsmh_reset_pending() sees each reset until its device's count moved.
 */
static void reset_work_fn(struct work_struct *work)
{
	unsigned int n, i, gen;
	unsigned long idx, flags;
	struct tsmh_dev *dev;
	bool overflow;
	int missed;

	spin_lock_irqsave(&ring_lock, flags);
	n = ring_len;
	for (i = 0; i < n; i++)
		batch[i] = ring[(ring_head + i) % RESET_RING];
	batch_len = n;
	ring_head = (ring_head + n) % RESET_RING;
	ring_len = 0;
	missed = rp_missed();
	overflow = ring_overflow || missed != missed_seen;
	batch_all = overflow;
	ring_overflow = false;
	missed_seen = missed;
	spin_unlock_irqrestore(&ring_lock, flags);

	if (overflow)
		pr_warn("too many resets at once: treating every tracked device as reset\n");
	/* no tsmh lock held here: tsmh_gate_reset() may unbind a driver */
	for (idx = 0; (dev = tsmh_dev_nth(idx, &gen)); idx++) {
		if (overflow)
			tsmh_gate_reset(dev, TSMH_RESET_UNKNOWN);
		else
			for (i = 0; i < n; i++)
				if (matches(dev, &batch[i]))
					tsmh_gate_reset(dev, batch[i].kind);
		tsmh_dev_put(dev);
	}
	spin_lock_irqsave(&ring_lock, flags);
	batch_len = 0;
	batch_all = false;
	spin_unlock_irqrestore(&ring_lock, flags);
}

void tsmh_reset_init(void)
{
	bool recovery = false, link = false;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(tsmh_rps); i++) {
		struct tsmh_rp *t = &tsmh_rps[i];

		t->rp.entry_handler = tsmh_rp_entry;
		t->rp.handler = tsmh_rp_ret;
		t->rp.data_size = sizeof(struct reset_call);
		t->rp.maxactive = MAXACTIVE;
		ret = register_kretprobe(&t->rp);
		if (ret) {
			pr_info("reset probe on %s not armed (%d)\n", t->rp.kp.symbol_name, ret);
			continue;
		}
		t->armed = true;
		pr_info("reset probe armed on %s\n", t->rp.kp.symbol_name);
		switch (t->role) {
		case ROLE_FUNC:
		case ROLE_RESET_FLR:
		case ROLE_FLR:
			sources |= BIT(TSMH_RESET_FLR);
			break;
		case ROLE_BRIDGE:
			sources |= BIT(TSMH_RESET_BUS);
			link = true;
			break;
		case ROLE_DPC:
			link = true;
			break;
		case ROLE_RECOVERY:
			recovery = true;
			break;
		}
	}
	if (recovery && link)
		sources |= BIT(TSMH_RESET_RECOVERY);
	spin_lock_irq(&ring_lock);
	missed_seen = rp_missed();
	spin_unlock_irq(&ring_lock);
	if (!sources)
		pr_warn("no reset probe armed: resets will not be reported\n");
}

void tsmh_reset_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tsmh_rps); i++) {
		if (tsmh_rps[i].armed)
			unregister_kretprobe(&tsmh_rps[i].rp);
		tsmh_rps[i].armed = false;
	}
	cancel_work_sync(&reset_work);
	spin_lock_irq(&ring_lock);
	memset(frames, 0, sizeof(frames));
	memset(active, 0, sizeof(active));
	ring_len = 0;
	ring_overflow = false;
	active_anon = 0;
	batch_len = 0;
	batch_all = false;
	spin_unlock_irq(&ring_lock);
	sources = 0;
}
