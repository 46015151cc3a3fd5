// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: the driver gate (uapi "Driver gate (ABI 3)").
 *
 * Attestable endpoints are held from BUS_NOTIFY_ADD_DEVICE on, before the
 * driver core tries any driver: their driver_override is set to
 * TSMH_GATE_OVERRIDE, a name no driver has, so built-in and already
 * loaded drivers do not match either. Releasing clears the override and
 * asks the driver core to probe; holding sets it and unbinds. Both change
 * override and state under the device lock, so they are serialised with
 * probe (see gate_apply()).
 *
 * An administrator's own driver_override (driverctl's vfio-pci, say) is
 * never lost: a hold keeps it inside ours ("tsmh-held:vfio-pci", still a
 * name no driver has) and the release puts it back; one written while the
 * device is held is reported and left in place by the release.
 *
 * Module unload leaves held devices held: the override stays (visible in
 * sysfs driver_override), nothing becomes bindable because tsmh_core went
 * away. Loading again adopts them (held, reason "present"); loading with
 * gate=off drops our override (putting a kept one back) and probes them.
 *
 * Locking: "Lock order" in core.h (@gate_op_lock outside the device lock,
 * @state_lock inside it).
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include "core.h"
#include "ide.h"
#include "tdi.h"
#include "hold_ids.h"
#include "names.h"

static bool gate = true;
module_param(gate, bool, 0444);
MODULE_PARM_DESC(gate, "hold attestable PCIe endpoints until released (default on; off: hold nothing)");

static bool gate_bound_hold;

static int gate_bound_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "keep"))
		gate_bound_hold = false;
	else if (sysfs_streq(val, "hold"))
		gate_bound_hold = true;
	else
		return -EINVAL;
	return 0;
}

static int gate_bound_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", gate_bound_hold ? "hold" : "keep");
}

static const struct kernel_param_ops gate_bound_ops = {
	.set = gate_bound_set,
	.get = gate_bound_get,
};

module_param_cb(gate_bound, &gate_bound_ops, NULL, 0444);
MODULE_PARM_DESC(gate_bound, "devices bound when the module loads: keep (default) or hold (unbind)");

static bool reset_hold;
module_param(reset_hold, bool, 0644);
MODULE_PARM_DESC(reset_hold, "after a reset, unbind the driver and hold the device (default 0)");

u32 tsmh_gate_mode(void)
{
	return gate ? TSMH_GATE_MODE_ON : TSMH_GATE_MODE_OFF;
}

/*
 * A gate request, from netlink, sysfs or the module itself. @cond: the
 * module's own changes (NOT_CMA release, hold_ids, the other functions of
 * a card) apply only if it still holds under @gate_op_lock.
 */
struct gate_req {
	u32 action;
	u32 reason;
	const char *msg;
	const u8 *digest;
	u32 digest_len;
	u64 gen;
	bool (*cond)(struct tsmh_dev *dev);
	bool check_seq;	/* only if dev->gate_seq still equals @seq */
	u64 seq;
};

/* ---- hold policy: hold_ids (docs/design.md, "Hold policy") ---- */

static DEFINE_MUTEX(hold_ids_lock);	/* leaf; protects the four below */
static struct tsmh_hold_id hold_ids[TSMH_HOLD_IDS_MAX];
static unsigned int nr_hold_ids;
static bool hold_ids_live;	/* loaded: a write is applied to present devices */
static void hold_ids_work_fn(struct work_struct *work);
static void gate_follow(struct tsmh_dev *l, int depth);
static DECLARE_WORK(hold_ids_work, hold_ids_work_fn);

/* Under the module's kernel_param_lock: parse, install, queue; nothing else. */
static int hold_ids_set(const char *val, const struct kernel_param *kp)
{
	struct tsmh_hold_id ids[TSMH_HOLD_IDS_MAX];
	char buf[TSMH_HOLD_IDS_STR_MAX];
	const char *why;
	int n;

	n = tsmh_hold_ids_parse(val, ids, ARRAY_SIZE(ids), &why);
	if (n < 0) {
		int len = val ? strnlen(val, 64) : 0;

		if (len && val[len - 1] == '\n')
			len--;
		pr_warn_ratelimited("hold_ids \"%*pE\" refused: %s; unchanged\n",
				    len, val ? val : "", why);
		return -EINVAL;
	}
	tsmh_hold_ids_format(ids, n, buf, sizeof(buf));
	mutex_lock(&hold_ids_lock);
	memcpy(hold_ids, ids, n * sizeof(ids[0]));
	nr_hold_ids = n;
	if (hold_ids_live)
		queue_work(tsmh_wq, &hold_ids_work);
	mutex_unlock(&hold_ids_lock);
	pr_info("hold_ids=%s\n", n ? buf : "(none)");
	return 0;
}

static int hold_ids_get(char *buf, const struct kernel_param *kp)
{
	char ids[TSMH_HOLD_IDS_STR_MAX];

	mutex_lock(&hold_ids_lock);
	tsmh_hold_ids_format(hold_ids, nr_hold_ids, ids, sizeof(ids));
	mutex_unlock(&hold_ids_lock);
	return scnprintf(buf, PAGE_SIZE, "%s\n", ids);
}

static const struct kernel_param_ops hold_ids_ops = {
	.set = hold_ids_set,
	.get = hold_ids_get,
};

module_param_cb(hold_ids, &hold_ids_ops, NULL, 0644);
MODULE_PARM_DESC(hold_ids, "VVVV:DDDD[,VVVV:DDDD...] (DDDD may be *): endpoints held whatever they advertise (no not-cma release)");

static bool hold_ids_names(struct pci_dev *pdev)
{
	bool ret;

	mutex_lock(&hold_ids_lock);
	ret = tsmh_hold_ids_match(hold_ids, nr_hold_ids, pdev->vendor, pdev->device);
	mutex_unlock(&hold_ids_lock);
	return ret;
}

static bool is_endpoint(u8 type)
{
	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END ||
	       type == PCI_EXP_TYPE_RC_END;
}

/*
 * The function whose gate @pdev follows: function 0 of its device (of
 * the whole bus with ARI), or a VF's PF; NULL for function 0 itself.
 * Returns a reference.
 */
static struct pci_dev *leader_pdev(struct pci_dev *pdev)
{
	unsigned int devfn0;

	if (pdev->is_virtfn)
		return pci_dev_get(pci_physfn(pdev));
	devfn0 = pci_ari_enabled(pdev->bus) ? 0 : PCI_DEVFN(PCI_SLOT(pdev->devfn), 0);
	if (pdev->devfn == devfn0)
		return NULL;
	return pci_get_slot(pdev->bus, devfn0);
}

struct pci_dev *tsmh_leader_pdev(struct pci_dev *pdev)
{
	return leader_pdev(pdev);
}

/*
 * The gate state of @pdev's leader if tsmh_core gates it, else
 * TSMH_GATE_NONE; its name into @name (if not NULL). Takes tsmh_devs_lock
 * and the leader's state_lock.
 */
static u32 leader_state(struct pci_dev *pdev, char *name, size_t len)
{
	struct pci_dev *lp = leader_pdev(pdev);
	struct tsmh_dev *l;
	u32 state = TSMH_GATE_NONE;

	if (!lp)
		return state;
	if (name)
		strscpy(name, pci_name(lp), len);
	l = tsmh_dev_find(pci_name(lp));
	pci_dev_put(lp);
	if (!l)
		return state;
	mutex_lock(&l->state_lock);
	if (l->gateable)
		state = l->gate_state;
	mutex_unlock(&l->state_lock);
	tsmh_dev_put(l);
	return state;
}

static bool leader_held(struct tsmh_dev *dev)
{
	struct tsmh_dev *l;
	bool held = false;

	if (!dev->leader[0])
		return false;
	l = tsmh_dev_find(dev->leader);
	if (!l)
		return false;
	mutex_lock(&l->state_lock);
	held = l->gateable && l->gate_state == TSMH_GATE_HELD;
	mutex_unlock(&l->state_lock);
	tsmh_dev_put(l);
	return held;
}

bool tsmh_gate_wants(struct pci_dev *pdev)
{
	if (!gate || !is_endpoint(pci_pcie_type(pdev)))
		return false;
	return hold_ids_names(pdev) || leader_state(pdev, NULL, 0) != TSMH_GATE_NONE;
}

/*
 * tsmh_add() could not look at @pdev (allocation, config read): it may
 * be attestable, so it is held all the same (fail closed), untracked.
 */
void tsmh_gate_add_failed(struct pci_dev *pdev, const char *step, int err)
{
	int ret;

	if (!gate || !is_endpoint(pci_pcie_type(pdev))) {
		pci_err(pdev, "cannot track the device: %s failed: %d\n", step, err);
		return;
	}
	if (READ_ONCE(pdev->dev.driver)) {
		pci_err(pdev, "cannot track the device: %s failed: %d; its driver stays bound\n",
			step, err);
		return;
	}
	ret = tsmh_set_driver_override(pdev, TSMH_GATE_OVERRIDE);
	if (ret)
		pci_err(pdev, "cannot track the device: %s failed: %d; NOT held either (driver_override: %d)\n",
			step, err, ret);
	else
		pci_err(pdev, "cannot track the device: %s failed: %d; held, untracked (driver_override %s: clear it by hand to release)\n",
			step, err, TSMH_GATE_OVERRIDE);
}

static void gate_event(struct tsmh_dev *dev)
{
	if (READ_ONCE(dev->announced) && !READ_ONCE(dev->gone))
		tsmh_nl_event_dev(dev, TSMH_CMD_EVT_GATE);
}

/* ---- driver_override ---- */

/*
 * Ours is TSMH_GATE_OVERRIDE, or TSMH_GATE_OVERRIDE ":" NAME when a hold
 * replaced someone else's override NAME: the device itself keeps it, so
 * it survives a module unload and reload. gate_ovr_kept(): NULL if @s is
 * not ours, else the kept override ("" if none).
 */
#define GATE_OVR_SEP ':'

static const char *gate_ovr_kept(const char *s)
{
	size_t n = strlen(TSMH_GATE_OVERRIDE);

	if (!s || strncmp(s, TSMH_GATE_OVERRIDE, n))
		return NULL;
	if (!s[n])
		return "";
	if (s[n] == GATE_OVR_SEP && s[n + 1])
		return s + n + 1;
	return NULL;
}

#define GATE_F_OVR (TSMH_GATE_F_OVERRIDE_KEPT | TSMH_GATE_F_OVERRIDE_CHANGED)

/*
 * Hold: put our override in place; a foreign one is kept inside it.
 * @was_held: the device was held already, so a foreign override (or none)
 * is a change someone made meanwhile: reported. *@flags: the gate flags,
 * TSMH_GATE_F_OVR_* recomputed. Device lock held (the caller may hold
 * @state_lock too: the helpers take only the leaf driver_override lock).
 * 0, or -errno with nothing changed.
 */
static int gate_ovr_hold_locked(struct tsmh_dev *dev, bool was_held, u32 *flags)
{
	struct pci_dev *pdev = dev->pdev;
	const char *kept;
	char *cur, *want = NULL;
	int ret = 0;

	device_lock_assert(&pdev->dev);
	cur = tsmh_driver_override_dup_locked(pdev);
	if (IS_ERR(cur))
		return PTR_ERR(cur);
	*flags &= ~GATE_F_OVR;
	kept = gate_ovr_kept(cur);
	if (kept) {
		if (*kept)
			*flags |= TSMH_GATE_F_OVERRIDE_KEPT;
		goto out;
	}
	if (!cur) {
		ret = tsmh_set_driver_override_locked(pdev, TSMH_GATE_OVERRIDE);
		if (!ret && was_held) {
			*flags |= TSMH_GATE_F_OVERRIDE_CHANGED;
			dev_warn_ratelimited(&pdev->dev, "driver_override was cleared while held: %s again\n",
					     TSMH_GATE_OVERRIDE);
		}
		goto out;
	}
	want = kasprintf(GFP_KERNEL, "%s%c%s", TSMH_GATE_OVERRIDE, GATE_OVR_SEP, cur);
	if (!want) {
		ret = -ENOMEM;
		goto out;
	}
	ret = tsmh_set_driver_override_locked(pdev, want);
	if (ret == -EINVAL) {
		/* too long to keep (a page): held all the same, said loudly */
		ret = tsmh_set_driver_override_locked(pdev, TSMH_GATE_OVERRIDE);
		if (!ret)
			dev_err_ratelimited(&pdev->dev, "driver_override \"%*pE...\" too long to keep: replaced by %s, not put back on release\n",
					    (int)min_t(size_t, strlen(cur), 32), cur,
					    TSMH_GATE_OVERRIDE);
		goto out;
	}
	if (ret)
		goto out;
	*flags |= TSMH_GATE_F_OVERRIDE_KEPT;
	if (was_held) {
		*flags |= TSMH_GATE_F_OVERRIDE_CHANGED;
		dev_warn_ratelimited(&pdev->dev, "driver_override was changed to \"%*pE\" while held: kept for the release\n",
				     (int)strlen(cur), cur);
	} else {
		pci_info_ratelimited(pdev, "driver_override \"%*pE\" kept while held, put back on release\n",
				     (int)strlen(cur), cur);
	}
out:
	kfree(want);
	kfree(cur);
	return ret;
}

/*
 * Release: our override goes and a kept one comes back; one that is not
 * ours was written by someone else: it stays (reported if the device was
 * held). Same locking and result as gate_ovr_hold_locked(). *@dropped:
 * ours was there.
 */
static int gate_ovr_release_locked(struct tsmh_dev *dev, bool was_held, u32 *flags,
				   bool *dropped)
{
	struct pci_dev *pdev = dev->pdev;
	const char *kept;
	char *cur;
	int ret = 0;

	device_lock_assert(&pdev->dev);
	cur = tsmh_driver_override_dup_locked(pdev);
	if (IS_ERR(cur))
		return PTR_ERR(cur);
	*flags &= ~GATE_F_OVR;
	kept = gate_ovr_kept(cur);
	*dropped = !!kept;
	if (kept) {
		ret = tsmh_set_driver_override_locked(pdev, *kept ? kept : NULL);
		if (!ret && *kept) {
			*flags |= TSMH_GATE_F_OVERRIDE_KEPT;
			pci_info_ratelimited(pdev, "driver_override \"%*pE\" put back\n",
					     (int)strlen(kept), kept);
		}
	} else if (cur) {
		*flags |= TSMH_GATE_F_OVERRIDE_KEPT;
		if (was_held) {
			*flags |= TSMH_GATE_F_OVERRIDE_CHANGED;
			dev_warn_ratelimited(&pdev->dev, "driver_override was changed to \"%*pE\" while held: left as it is\n",
					     (int)strlen(cur), cur);
		}
	} else if (was_held) {
		*flags |= TSMH_GATE_F_OVERRIDE_CHANGED;
		dev_warn_ratelimited(&pdev->dev, "driver_override was cleared while held\n");
	}
	kfree(cur);
	return ret;
}

/* The same, taking the device lock (the add path; no tsmh lock held). */
static int gate_ovr_hold(struct tsmh_dev *dev, u32 *flags)
{
	int ret;

	device_lock(&dev->pdev->dev);
	ret = gate_ovr_hold_locked(dev, false, flags);
	device_unlock(&dev->pdev->dev);
	return ret;
}

static int gate_ovr_release(struct tsmh_dev *dev, bool *dropped)
{
	u32 flags = 0;
	int ret;

	device_lock(&dev->pdev->dev);
	ret = gate_ovr_release_locked(dev, false, &flags, dropped);
	device_unlock(&dev->pdev->dev);
	return ret;
}

/*
 * Quarantine: the driver is gone (its remove may have cleared Bus Master
 * Enable itself); make sure the device cannot start DMA or MSI writes of
 * its own accord while it is held. Memory Space stays as it was (config
 * and MMIO reads by an admin keep working). A release needs nothing
 * restored: the next driver's probe enables bus mastering itself
 * (pci_set_master). Called with @gate_op_lock held, nothing else.
 */
static void gate_bme_off(struct tsmh_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	u16 before = 0, after = 0;
	const char *drv = NULL;
	bool off = false;

	lockdep_assert_held(&dev->gate_op_lock);
	device_lock(&pdev->dev);
	if (pdev->dev.driver) {
		drv = pdev->dev.driver->name; /* bound anyway (bypass): not ours to touch */
	} else if (!pci_read_config_word(pdev, PCI_COMMAND, &before) && before != 0xffff) {
		pci_clear_master(pdev);
		off = !pci_read_config_word(pdev, PCI_COMMAND, &after) &&
		      !(after & PCI_COMMAND_MASTER);
	}
	if (off)
		pci_info(pdev, "quarantined: Bus Master Enable %s\n",
			 before & PCI_COMMAND_MASTER ? "cleared" : "was already clear");
	else if (drv)
		pci_warn(pdev, "quarantined, but %s is bound: Bus Master Enable left as it is\n",
			 drv);
	else
		pci_warn(pdev, "quarantined, but Bus Master Enable could not be cleared (command %#06x)\n",
			 after ? after : before);
	device_unlock(&pdev->dev);
	mutex_lock(&dev->state_lock);
	if (off)
		dev->gate_flags |= TSMH_GATE_F_BME_OFF;
	mutex_unlock(&dev->state_lock);
}

/*
 * An ATTESTED release names evidence: it must still be the committed set
 * (@r->gen), and the device must not have been reset since that evidence
 * was taken. *@ev_reset: the reset count the evidence was taken at; the
 * caller compares it again under @state_lock. Called with @gate_op_lock
 * and the device lock held: resets through the PCI core (function, slot,
 * bus) hold the device lock until their restore, which the reset probes
 * see, so a reset of this device either is over and seen (counted, or
 * pending in reset.c) or starts after the release. Only resets of this
 * device (or of a bridge above it), and those reset.c cannot attribute,
 * refuse it: another device's reset does not.
 */
static int gate_check_attested(struct tsmh_dev *dev, const struct gate_req *r, u64 *ev_reset,
			       struct netlink_ext_ack *extack)
{
	enum tsmh_reset_pend pend;
	u64 cur;

	lockdep_assert_held(&dev->gate_op_lock);
	device_lock_assert(&dev->pdev->dev);
	cur = tsmh_ev_generation(dev, ev_reset);
	if (r->gen != cur) {
		/* extack holds 80 characters: the device is in the request */
		TSMH_ERR(extack, "evidence changed since it was verified",
			 "now generation %llu", cur);
		return -ESTALE;
	}
	pend = tsmh_reset_pending(dev);
	if (pend) {
		TSMH_ERR(extack, "device reset since the evidence was taken", "%s",
			 pend == TSMH_RESET_PEND_DEV ? "reset being processed" :
			 "unattributed reset being processed");
		return -ESTALE;
	}
	return 0;
}

/*
 * Apply @r to @dev. Nothing changes unless the driver_override update
 * worked. Takes @gate_op_lock; the caller holds no tsmh lock.
 *
 * Override and state change together under the device lock (and
 * @state_lock), which probe holds too: a probe already running finishes
 * first and its BOUND notification sees the old state; one that starts
 * later finds the new override (pci_device_probe() matches it again under
 * the device lock). So no probe is ever taken for a bypass, and after a
 * hold or quarantine no driver is bound while the state says held. The
 * unbind (hold) and the probe (release) come after, outside the lock:
 * they take it themselves.
 */
static int gate_apply(struct tsmh_dev *dev, const struct gate_req *r,
		      struct netlink_ext_ack *extack)
{
	struct pci_dev *pdev = dev->pdev;
	bool hold = r->action != TSMH_GATE_ACT_RELEASE;
	bool attested = r->reason == TSMH_GATE_R_ATTESTED;
	u32 old_state, flags;
	bool was_held, dropped;
	u64 ev_reset = 0;
	int ret;

	mutex_lock(&dev->gate_op_lock);
	if (READ_ONCE(dev->gone)) {
		TSMH_ERR(extack, "device is being removed", "%s", dev->name);
		ret = -ENODEV;
		goto out;
	}
	if (r->cond && !r->cond(dev)) {
		ret = -ECANCELED;	/* no longer applies: nothing to do */
		goto out;
	}
	/* also keeps PCI-core resets out between the evidence check and the change */
	device_lock(&pdev->dev);
	if (attested) {
		ret = gate_check_attested(dev, r, &ev_reset, extack);
		if (ret)
			goto unlock;
	}
	/* a CONFIG_LOCKED (or, not host-native, RUN) TDI stays held */
	if (!hold) {
		ret = tsmh_tdi_gate_release_check(dev, extack);
		if (ret)
			goto unlock;
	}
	mutex_lock(&dev->state_lock);
	if (attested && dev->reset_count != ev_reset) {
		TSMH_ERR(extack, "device reset since the evidence was taken",
			 "at reset %llu, now %llu", ev_reset, dev->reset_count);
		ret = -ESTALE;
		goto unlock_state;
	}
	if (r->check_seq && dev->gate_seq != r->seq) {
		ret = -ECANCELED;	/* someone decided since: theirs stands */
		goto unlock_state;
	}
	old_state = dev->gate_state;
	was_held = old_state == TSMH_GATE_HELD;
	flags = dev->gate_flags;
	if (hold)
		ret = gate_ovr_hold_locked(dev, was_held, &flags);
	else
		ret = gate_ovr_release_locked(dev, was_held, &flags, &dropped);
	if (ret) {
		if (hold)
			TSMH_ERR(extack, "cannot set driver_override", "%s: %d", dev->name, ret);
		else
			TSMH_ERR(extack, "cannot clear driver_override", "%s: %d", dev->name, ret);
		goto unlock_state;
	}
	dev->gate_state = hold ? TSMH_GATE_HELD : TSMH_GATE_RELEASED;
	dev->gate_seq++;
	dev->gate_reason = r->reason;
	strscpy(dev->gate_msg, r->msg ? r->msg : "", sizeof(dev->gate_msg));
	if (!hold)
		flags &= ~TSMH_GATE_F_BME_OFF; /* the next driver's business */
	if (attested) {
		memcpy(dev->accept_digest, r->digest, r->digest_len);
		dev->accept_len = r->digest_len;
		dev->accept_gen = r->gen;
		dev->accept_time = ktime_get_real_ns();
		/* fresh evidence (checked above): the reset is dealt with */
		flags &= ~TSMH_GATE_F_REATTEST;
	}
	dev->gate_flags = flags;
unlock_state:
	mutex_unlock(&dev->state_lock);
unlock:
	device_unlock(&pdev->dev);
	if (ret)
		goto out;
	/* r->msg has no control characters (gate_msg_copy()); %pE for the rest */
	pci_info_ratelimited(pdev, "gate %s -> %s (%s)%s%*pE\n",
			     tsmh_gate_state_name(old_state),
			     tsmh_gate_state_name(hold ? TSMH_GATE_HELD : TSMH_GATE_RELEASED),
			     tsmh_gate_reason_name(r->reason), r->msg ? ": " : "",
			     r->msg ? (int)strlen(r->msg) : 0, r->msg ? r->msg : "");
	if (hold) {
		device_release_driver(&pdev->dev);
		/* after the unbind: the driver's remove may still have needed it */
		if (r->action == TSMH_GATE_ACT_QUARANTINE)
			gate_bme_off(dev);
	} else {
		ret = device_attach(&pdev->dev);
		if (ret < 0)
			pci_warn(pdev, "released, but probing drivers failed: %d\n", ret);
		ret = 0;
	}
	gate_event(dev);
out:
	mutex_unlock(&dev->gate_op_lock);
	return ret;
}

/* ---- device life cycle ---- */

static ssize_t gate_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct tsmh_dev *dev = container_of(a, struct tsmh_dev, gate_attr);
	u32 state, reason;

	mutex_lock(&dev->state_lock);
	state = dev->gate_state;
	reason = dev->gate_reason;
	mutex_unlock(&dev->state_lock);
	return sysfs_emit(buf, "%s %s\n", tsmh_gate_state_name(state),
			  tsmh_gate_reason_name(reason));
}

static ssize_t gate_store(struct kobject *kobj, struct kobj_attribute *a, const char *buf,
			  size_t count)
{
	struct tsmh_dev *dev = container_of(a, struct tsmh_dev, gate_attr);
	struct gate_req r = { .msg = "sysfs" };
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (sysfs_streq(buf, "release")) {
		r.action = TSMH_GATE_ACT_RELEASE;
		r.reason = TSMH_GATE_R_ADMIN;
	} else if (sysfs_streq(buf, "exempt")) {
		r.action = TSMH_GATE_ACT_RELEASE;
		r.reason = TSMH_GATE_R_EXEMPT;
	} else if (sysfs_streq(buf, "hold")) {
		r.action = TSMH_GATE_ACT_HOLD;
		r.reason = TSMH_GATE_R_ADMIN;
	} else {
		return -EINVAL;
	}
	if (!dev->gateable)
		return -EOPNOTSUPP;
	ret = gate_apply(dev, &r, NULL);
	if (!ret)
		gate_follow(dev, 0);
	return ret ? ret : count;
}

void tsmh_gate_add(struct tsmh_dev *dev, bool at_load)
{
	struct pci_dev *pdev = dev->pdev;
	bool own = dev->caps.tee_io || dev->caps.nr_doe;
	bool policy = hold_ids_names(pdev);
	u32 ovr_flags = 0, lstate;
	bool dropped = false;
	int ret;

	lstate = leader_state(pdev, dev->leader, sizeof(dev->leader));
	dev->gateable = is_endpoint(dev->caps.exp_type) &&
			(own || policy || lstate != TSMH_GATE_NONE);
	if (at_load) {
		device_lock(&pdev->dev);
		if (pdev->dev.driver)
			strscpy(dev->driver, pdev->dev.driver->name, sizeof(dev->driver));
		device_unlock(&pdev->dev);
	}

	if (dev->gateable && gate) {
		bool keep = at_load && dev->driver[0] && !gate_bound_hold;
		bool func0 = lstate == TSMH_GATE_HELD;
		/* no DOE, no TEE-IO, no policy: nothing to verify, nothing holds it */
		bool nothing = !own && !policy && !func0;

		if (nothing && at_load)
			/* our override from an earlier load goes (load_done probes) */
			ret = gate_ovr_release(dev, &dropped);
		else if (!keep && !nothing)
			ret = gate_ovr_hold(dev, &ovr_flags);
		else
			ret = 0;
		mutex_lock(&dev->state_lock);
		dev->gate_flags |= ovr_flags;
		if (policy)
			dev->gate_flags |= TSMH_GATE_F_POLICY;
		if (ret) {
			dev->gate_state = TSMH_GATE_RELEASED;
			dev->gate_reason = TSMH_GATE_R_NONE;
			snprintf(dev->gate_msg, sizeof(dev->gate_msg),
				 "driver_override could not be set (%d)", ret);
		} else if (nothing && !keep) {
			dev->gate_state = TSMH_GATE_RELEASED;
			dev->gate_reason = TSMH_GATE_R_NOT_CMA;
			snprintf(dev->gate_msg, sizeof(dev->gate_msg),
				 "neither DOE nor TEE-IO; %s %s not held", dev->leader,
				 pdev->is_virtfn ? "(PF)" : "(function 0)");
			dev->gate_reprobe = dropped;
		} else {
			dev->gate_state = keep ? TSMH_GATE_RELEASED : TSMH_GATE_HELD;
			if (keep || !func0)
				dev->gate_reason = at_load ? TSMH_GATE_R_PRESENT : TSMH_GATE_R_NEW;
			else
				dev->gate_reason = TSMH_GATE_R_FUNCTION0;
			if (!keep && func0)
				snprintf(dev->gate_msg, sizeof(dev->gate_msg), "%s %s is held",
					 pdev->is_virtfn ? "PF" : "function 0", dev->leader);
			else if (!keep && policy && !own)
				strscpy(dev->gate_msg,
					"neither DOE nor TEE-IO although hold_ids names it",
					sizeof(dev->gate_msg));
		}
		mutex_unlock(&dev->state_lock);
		if (ret)
			pci_err(pdev, "cannot hold the device: driver_override: %d\n", ret);
		else if (!keep && func0)
			pci_info(pdev, "held while %s %s is held (%s)\n",
				 pdev->is_virtfn ? "PF" : "function 0", dev->leader,
				 at_load ? "present at load" : "new");
		else if (!keep && policy && !own)
			pci_warn(pdev, "held: neither DOE nor TEE-IO although hold_ids names it (%04x:%04x)\n",
				 pdev->vendor, pdev->device);
		else if (!keep && !nothing)
			pci_info(pdev, "held (%s)\n", at_load ? "present at load" : "new");
	} else if (at_load && dev->gateable) {
		/* gate=off: our override from an earlier load goes (load_done probes) */
		ret = gate_ovr_release(dev, &dropped);
		if (ret)
			pci_err(pdev, "gate off, but our driver_override could not be dropped: %d\n",
				ret);
		else if (dropped)
			pci_info(pdev, "gate off: driver_override %s dropped\n",
				 TSMH_GATE_OVERRIDE);
		dev->gate_reprobe = !ret && dropped;
	}

	sysfs_attr_init(&dev->gate_attr.attr);
	dev->gate_attr.attr.name = "gate";
	dev->gate_attr.attr.mode = 0644;
	dev->gate_attr.show = gate_show;
	dev->gate_attr.store = gate_store;
	ret = tsmh_ev_sysfs_dir(dev);
	if (!ret)
		ret = sysfs_create_file(dev->ev_kobj, &dev->gate_attr.attr);
	if (ret)
		pci_warn(pdev, "sysfs tsmh/gate not created: %d\n", ret);
	else
		dev->gate_file = true;
}

/* After the walk at load, outside the rescan lock: unbind or probe. */
void tsmh_gate_load_done(void)
{
	struct tsmh_dev *dev;
	unsigned long idx = 0;
	unsigned int gen;
	bool unbind, probe;

	while ((dev = tsmh_dev_nth(idx++, &gen))) {
		mutex_lock(&dev->gate_op_lock);
		mutex_lock(&dev->state_lock);
		unbind = dev->gate_state == TSMH_GATE_HELD && dev->driver[0];
		probe = dev->gate_reprobe && !dev->driver[0];
		mutex_unlock(&dev->state_lock);
		if (unbind) {
			pci_info(dev->pdev, "gate_bound=hold: unbinding %s\n", dev->driver);
			device_release_driver(&dev->pdev->dev);
		} else if (probe && !READ_ONCE(dev->gone)) {
			if (device_attach(&dev->pdev->dev) < 0)
				pci_warn(dev->pdev, "probing drivers failed\n");
		}
		mutex_unlock(&dev->gate_op_lock);
		tsmh_dev_put(dev);
	}
	mutex_lock(&hold_ids_lock);
	hold_ids_live = true;
	idx = nr_hold_ids;
	mutex_unlock(&hold_ids_lock);
	pr_info("driver gate %s (gate_bound=%s, reset_hold=%d, %lu hold_ids)\n",
		gate ? "on" : "off", gate_bound_hold ? "hold" : "keep", READ_ONCE(reset_hold), idx);
}

enum { NOT_CMA_NO, NOT_CMA_RELEASE, NOT_CMA_POLICY };

/*
 * May the module release @dev as NOT_CMA? Only a device held for being
 * new/present, discovered, with neither CMA nor TEE-IO, whose discovery
 * did not fail (that proves nothing), that hold_ids does not name
 * (NOT_CMA_POLICY) and whose leader is not held. Called with
 * @gate_op_lock held, so no other gate change can come in between this
 * and the release.
 */
static int gate_not_cma(struct tsmh_dev *dev)
{
	bool policy = hold_ids_names(dev->pdev);
	bool lheld = leader_held(dev);
	bool ok;
	int i;

	lockdep_assert_held(&dev->gate_op_lock);
	mutex_lock(&dev->state_lock);
	ok = dev->gate_state == TSMH_GATE_HELD &&
	     (dev->gate_reason == TSMH_GATE_R_NEW || dev->gate_reason == TSMH_GATE_R_PRESENT) &&
	     (dev->flags & TSMH_DEV_F_DISCOVERED) &&
	     !(dev->flags & (TSMH_DEV_F_CMA | TSMH_DEV_F_SEC_CMA | TSMH_DEV_F_TEE_IO));
	for (i = 0; i < dev->nr_mb; i++)
		if (dev->mb[i].disc_err)
			ok = false;
	mutex_unlock(&dev->state_lock);
	if (!ok || lheld)
		return NOT_CMA_NO;
	return policy ? NOT_CMA_POLICY : NOT_CMA_RELEASE;
}

static bool gate_not_cma_ok(struct tsmh_dev *dev)
{
	return gate_not_cma(dev) == NOT_CMA_RELEASE;
}

/* DOE discovery is over: nothing to verify means nothing to hold, unless policy says so. */
void tsmh_gate_discovered(struct tsmh_dev *dev)
{
	struct gate_req r = { .action = TSMH_GATE_ACT_RELEASE, .reason = TSMH_GATE_R_NOT_CMA,
			      .msg = "neither CMA nor TEE-IO", .cond = gate_not_cma_ok };
	int what;

	mutex_lock(&dev->gate_op_lock);
	what = gate_not_cma(dev);
	if (what == NOT_CMA_POLICY) {
		mutex_lock(&dev->state_lock);
		strscpy(dev->gate_msg, "no CMA although hold_ids names it", sizeof(dev->gate_msg));
		mutex_unlock(&dev->state_lock);
	}
	mutex_unlock(&dev->gate_op_lock);
	if (what == NOT_CMA_POLICY) {
		pci_warn(dev->pdev, "stays held: no CMA although hold_ids names it (%04x:%04x)\n",
			 dev->pdev->vendor, dev->pdev->device);
		gate_event(dev);
	}
	/* the condition is checked again under gate_op_lock (r.cond) */
	if (what == NOT_CMA_RELEASE && !gate_apply(dev, &r, NULL))
		gate_follow(dev, 0);
}

static bool gate_is_released(struct tsmh_dev *dev)
{
	bool ret;

	mutex_lock(&dev->state_lock);
	ret = dev->gate_state == TSMH_GATE_RELEASED;
	mutex_unlock(&dev->state_lock);
	return ret;
}

/*
 * After a gate change of @l (no lock held): the other functions of its
 * card, and a PF's VFs, follow it. @l held (any reason): every one of
 * them that is released is held too (reason FUNC0), its driver unbound.
 * @l released: each one held with reason FUNC0 goes its own way: reason
 * NEW, then the NOT_CMA rule (released at once if it has nothing to
 * verify, else held for tsmd like any new device).
 */
static void gate_follow(struct tsmh_dev *l, int depth)
{
	struct gate_req r = { .action = TSMH_GATE_ACT_HOLD, .reason = TSMH_GATE_R_FUNCTION0,
			      .cond = gate_is_released };
	char msg[64];
	struct tsmh_dev *d;
	unsigned long idx = 0;
	unsigned int gen;
	bool held, moved;

	if (!l->gateable || depth > 1)
		return;
	mutex_lock(&l->state_lock);
	held = l->gate_state == TSMH_GATE_HELD;
	mutex_unlock(&l->state_lock);
	snprintf(msg, sizeof(msg), "%s %s is held", l->pdev->is_physfn ? "PF" : "function 0",
		 l->name);
	r.msg = msg;
	while ((d = tsmh_dev_nth(idx++, &gen))) {
		if (d == l || strcmp(d->leader, l->name) || !d->gateable) {
			tsmh_dev_put(d);
			continue;
		}
		if (held) {
			if (!gate_apply(d, &r, NULL))
				gate_follow(d, depth + 1);
			tsmh_dev_put(d);
			continue;
		}
		mutex_lock(&d->gate_op_lock);
		mutex_lock(&d->state_lock);
		moved = d->gate_state == TSMH_GATE_HELD && d->gate_reason == TSMH_GATE_R_FUNCTION0;
		if (moved) {
			d->gate_reason = TSMH_GATE_R_NEW;
			snprintf(d->gate_msg, sizeof(d->gate_msg), "%s %s released",
				 l->pdev->is_physfn ? "PF" : "function 0", l->name);
		}
		mutex_unlock(&d->state_lock);
		mutex_unlock(&d->gate_op_lock);
		if (moved) {
			pci_info(d->pdev, "%s %s released: this function goes its own way\n",
				 l->pdev->is_physfn ? "PF" : "function 0", l->name);
			gate_event(d);
			tsmh_gate_discovered(d);
		}
		tsmh_dev_put(d);
	}
}

/*
 * hold_ids changed at runtime (queued by hold_ids_set()). Devices
 * tsmh_core does not track yet are adopted as if present at load
 * (gate_bound decides about a bound driver). Tracked ones: the flag is
 * updated; one the module itself released as NOT_CMA is held again
 * (reason POLICY, its driver unbound: the kernel's own decision, which
 * the policy now forbids); one an administrator or the verifier released
 * stays as it is (logged): that is theirs to undo. Removing an ID
 * releases nothing.
 */
static void hold_ids_work_fn(struct work_struct *work)
{
	struct gate_req r = { .action = TSMH_GATE_ACT_HOLD, .reason = TSMH_GATE_R_POLICY,
			      .msg = "hold_ids names it" };
	struct pci_dev *pdev = NULL;
	struct tsmh_dev *dev;
	unsigned long idx = 0;
	unsigned int gen;
	u32 state, reason;
	bool policy, unbind;

	pci_lock_rescan_remove();
	for_each_pci_dev(pdev) {
		if (!gate || !pci_is_pcie(pdev) || !is_endpoint(pci_pcie_type(pdev)) ||
		    !hold_ids_names(pdev))
			continue;
		dev = tsmh_dev_find(pci_name(pdev));
		if (dev) {
			tsmh_dev_put(dev);
			continue;
		}
		pci_info(pdev, "hold_ids names it: tracked from now on\n");
		tsmh_adopt(pdev);
	}
	pci_unlock_rescan_remove();

	while ((dev = tsmh_dev_nth(idx++, &gen))) {
		policy = hold_ids_names(dev->pdev);
		mutex_lock(&dev->gate_op_lock);
		mutex_lock(&dev->state_lock);
		if (policy)
			dev->gate_flags |= TSMH_GATE_F_POLICY;
		else
			dev->gate_flags &= ~TSMH_GATE_F_POLICY;
		state = dev->gate_state;
		reason = dev->gate_reason;
		/* adopted just now with gate_bound=hold: unbind as load_done does */
		unbind = state == TSMH_GATE_HELD && reason == TSMH_GATE_R_PRESENT && dev->driver[0];
		mutex_unlock(&dev->state_lock);
		if (unbind && dev->gateable && !READ_ONCE(dev->gone)) {
			pci_info(dev->pdev, "gate_bound=hold: unbinding %s\n", dev->driver);
			device_release_driver(&dev->pdev->dev);
		}
		mutex_unlock(&dev->gate_op_lock);
		if (policy && dev->gateable && state == TSMH_GATE_RELEASED) {
			if (reason == TSMH_GATE_R_NOT_CMA) {
				r.cond = gate_is_released;
				if (!gate_apply(dev, &r, NULL))
					gate_follow(dev, 0);
			} else {
				pci_info_ratelimited(dev->pdev, "hold_ids names it, but it was released (%s): left as it is\n",
						     tsmh_gate_reason_name(reason));
			}
		}
		tsmh_dev_put(dev);
	}
}

void tsmh_gate_exit(void)
{
	mutex_lock(&hold_ids_lock);
	hold_ids_live = false;
	mutex_unlock(&hold_ids_lock);
	cancel_work_sync(&hold_ids_work);
}

void tsmh_gate_remove(struct tsmh_dev *dev, bool unload)
{
	if (dev->gate_file)
		sysfs_remove_file(dev->ev_kobj, &dev->gate_attr.attr);
	dev->gate_file = false;
	/* no lock: the device is off the list, the notifier cannot reach it */
	if (unload && dev->gate_state == TSMH_GATE_HELD)
		pci_info(dev->pdev, "stays held after unload (driver_override %s%s)\n",
			 TSMH_GATE_OVERRIDE,
			 dev->gate_flags & TSMH_GATE_F_OVERRIDE_KEPT ? ":<kept override>" : "");
}

/* Bus notifier: a driver bound. */
void tsmh_gate_bound(struct tsmh_dev *dev, const char *drv)
{
	char *ovr = NULL;
	bool bypass;

	device_lock_assert(&dev->pdev->dev);

	/*
	 * Holds change the override and the state under the device lock
	 * (gate_apply()): held here means the probe found an override that
	 * is not ours, i.e. someone rewrote it, or cleared it.
	 */
	mutex_lock(&dev->state_lock);
	strscpy(dev->driver, drv, sizeof(dev->driver));
	bypass = dev->gate_state == TSMH_GATE_HELD;
	if (bypass) {
		ovr = tsmh_driver_override_dup_locked(dev->pdev);
		if (IS_ERR(ovr))
			ovr = NULL;
		dev->gate_state = TSMH_GATE_RELEASED;
		dev->gate_seq++;
		dev->gate_reason = TSMH_GATE_R_BYPASS;
		dev->gate_flags &= ~GATE_F_OVR;
		dev->gate_flags |= TSMH_GATE_F_OVERRIDE_CHANGED;
		if (ovr)
			dev->gate_flags |= TSMH_GATE_F_OVERRIDE_KEPT;
		snprintf(dev->gate_msg, sizeof(dev->gate_msg), "driver %s bound while held", drv);
	}
	mutex_unlock(&dev->state_lock);
	/* a CONFIG_LOCKED TDI, or a RUN one bound behind the gate: ERROR */
	tsmh_tdi_driver_bound(dev, drv, bypass);
	if (!bypass)
		return;
	pci_warn(dev->pdev, "driver %s bound although the device was held (driver_override now \"%*pE\"): gate bypassed\n",
		 drv, ovr ? (int)strlen(ovr) : 0, ovr ? ovr : "");
	kfree(ovr);
	gate_event(dev);
}

void tsmh_gate_unbound(struct tsmh_dev *dev)
{
	mutex_lock(&dev->state_lock);
	dev->driver[0] = 0;
	mutex_unlock(&dev->state_lock);
	tsmh_tdi_driver_unbound(dev);
}

/* A reset was seen (reset.c, from its work item). */
void tsmh_gate_reset(struct tsmh_dev *dev, u32 kind)
{
	struct gate_req r = { .action = TSMH_GATE_ACT_HOLD, .reason = TSMH_GATE_R_RESET,
			      .msg = "reset: re-attestation needed" };
	bool hold;
	u64 count;
	int ret;

	mutex_lock(&dev->state_lock);
	count = ++dev->reset_count;
	dev->reset_kind = kind;
	dev->gate_flags |= TSMH_GATE_F_REATTEST;
	hold = dev->gateable && dev->gate_state != TSMH_GATE_HELD;
	/*
	 * The events below go out before the hold: a daemon reacting to
	 * them (quarantining the device, or re-attesting and releasing it)
	 * may change the gate first. Its decision is newer than this hold,
	 * which then does not apply (seen in CI: tsmd's quarantine after the
	 * 4th re-key in 10 minutes overwritten by "reset: re-attestation
	 * needed", the device left waiting for an attestation nobody ran).
	 */
	r.check_seq = true;
	r.seq = dev->gate_seq;
	mutex_unlock(&dev->state_lock);
	pci_info(dev->pdev, "reset seen (%s, count %llu): re-attestation needed\n",
		 tsmh_reset_kind_name(kind), count);
	tsmh_nl_event_reset(dev, kind, count);
	/* its TDI and its VFs': CONFIG_UNLOCKED (before the IDE's ide-lost) */
	tsmh_tdi_reset(dev, kind);
	/* its IDE streams: flagged reset, insecure event (the kernel keeps them) */
	tsmh_ide_dev_reset(dev, kind);
	if (!hold || !READ_ONCE(reset_hold))
		return;
	ret = gate_apply(dev, &r, NULL);
	if (!ret)
		gate_follow(dev, 0);
	else if (ret == -ECANCELED)
		pci_info(dev->pdev, "reset hold not applied: the gate changed since the reset\n");
}

/* ---- netlink ---- */

u64 tsmh_dev_reset_count(struct tsmh_dev *dev)
{
	u64 count;

	mutex_lock(&dev->state_lock);
	count = dev->reset_count;
	mutex_unlock(&dev->state_lock);
	return count;
}

int tsmh_gate_fill(struct sk_buff *skb, struct tsmh_dev *dev, bool priv)
{
	lockdep_assert_held(&dev->state_lock);
	if (nla_put_u32(skb, TSMH_A_GATE_STATE, dev->gate_state) ||
	    nla_put_u32(skb, TSMH_A_GATE_REASON, dev->gate_reason) ||
	    nla_put_u32(skb, TSMH_A_GATE_FLAGS, dev->gate_flags) ||
	    nla_put_u64_64bit(skb, TSMH_A_RESET_COUNT, dev->reset_count, TSMH_A_PAD))
		return -EMSGSIZE;
	if (dev->gate_msg[0] && nla_put_string(skb, TSMH_A_GATE_MSG, dev->gate_msg))
		return -EMSGSIZE;
	if (dev->reset_count && nla_put_u32(skb, TSMH_A_RESET_KIND, dev->reset_kind))
		return -EMSGSIZE;
	if (dev->driver[0] && nla_put_string(skb, TSMH_A_DRIVER, dev->driver))
		return -EMSGSIZE;
	if (dev->accept_len &&
	    ((priv && nla_put(skb, TSMH_A_ACCEPT_DIGEST, dev->accept_len, dev->accept_digest)) ||
	     nla_put_u64_64bit(skb, TSMH_A_ACCEPT_GENERATION, dev->accept_gen, TSMH_A_PAD) ||
	     nla_put_u64_64bit(skb, TSMH_A_ACCEPT_TIME, dev->accept_time, TSMH_A_PAD)))
		return -EMSGSIZE;
	return 0;
}

/* Which reasons each action takes; the first is the default. */
static int check_reason(struct genl_info *info, struct gate_req *r)
{
	struct nlattr *a = info->attrs[TSMH_A_GATE_REASON];
	u32 reason;

	switch (r->action) {
	case TSMH_GATE_ACT_HOLD:
		reason = a ? nla_get_u32(a) : TSMH_GATE_R_ADMIN;
		if (reason == TSMH_GATE_R_ADMIN)
			break;
		NL_SET_ERR_MSG_ATTR(info->extack, a, "hold takes reason admin only");
		return -EINVAL;
	case TSMH_GATE_ACT_QUARANTINE:
		reason = a ? nla_get_u32(a) : TSMH_GATE_R_QUARANTINE;
		if (reason == TSMH_GATE_R_QUARANTINE)
			break;
		NL_SET_ERR_MSG_ATTR(info->extack, a, "quarantine takes reason quarantine only");
		return -EINVAL;
	case TSMH_GATE_ACT_RELEASE:
		reason = a ? nla_get_u32(a) : TSMH_GATE_R_ADMIN;
		if (reason == TSMH_GATE_R_ADMIN || reason == TSMH_GATE_R_EXEMPT ||
		    reason == TSMH_GATE_R_ATTESTED)
			break;
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "release takes reason attested, exempt or admin only");
		return -EINVAL;
	default:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TSMH_A_GATE_ACTION],
				    "unknown gate action (hold, release or quarantine)");
		return -EINVAL;
	}
	r->reason = reason;
	return 0;
}

/*
 * The gate message goes into the kernel log and to every reader of
 * dev-get: control characters (C0, DEL) become '?', so no caller can
 * forge log lines or drive a terminal. Bytes above 0x7f stay (UTF-8);
 * the log line escapes those that are not printable (%pE: C1 controls).
 */
static void gate_msg_copy(char *dst, const struct nlattr *a)
{
	size_t i;

	nla_strscpy(dst, a, TSMH_GATE_MSG_MAX);
	for (i = 0; dst[i]; i++)
		if ((u8)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

int tsmh_nl_gate_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	char msgbuf[TSMH_GATE_MSG_MAX];
	struct nlattr *msg = info->attrs[TSMH_A_GATE_MSG];
	struct nlattr *dig = info->attrs[TSMH_A_ACCEPT_DIGEST];
	struct nlattr *gen = info->attrs[TSMH_A_ACCEPT_GENERATION];
	struct gate_req r = { 0 };
	struct tsmh_dev *dev;
	int ret;

	ret = tsmh_nl_need(info, TSMH_A_GATE_ACTION, "gate action (TSMH_A_GATE_ACTION) required");
	if (ret)
		return ret;
	r.action = nla_get_u32(info->attrs[TSMH_A_GATE_ACTION]);
	ret = check_reason(info, &r);
	if (ret)
		return ret;
	if (msg && nla_len(msg) > TSMH_GATE_MSG_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, msg, "gate message too long (127 bytes at most)");
		return -EINVAL;
	}
	if (msg) {
		gate_msg_copy(msgbuf, msg);
		r.msg = msgbuf;
	}
	if (r.reason == TSMH_GATE_R_ATTESTED) {
		if (!dig || !gen) {
			NL_SET_ERR_MSG(info->extack,
				       "release as attested needs TSMH_A_ACCEPT_DIGEST and TSMH_A_ACCEPT_GENERATION");
			return -EINVAL;
		}
		if (nla_len(dig) < 1 || nla_len(dig) > TSMH_ACCEPT_DIGEST_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, dig,
					    "accepted digest must be 1 to 64 bytes");
			return -EINVAL;
		}
		r.digest = nla_data(dig);
		r.digest_len = nla_len(dig);
		r.gen = nla_get_u64(gen);
	} else if (dig || gen) {
		NL_SET_ERR_MSG_ATTR(info->extack, dig ? dig : gen,
				    "accepted digest and generation go with release as attested only");
		return -EINVAL;
	}
	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	if (!dev->gateable) {
		TSMH_ERR(info->extack, "device not gated (a port, or nothing to attest)", "%s",
			 dev->name);
		ret = -EOPNOTSUPP;
	} else {
		ret = gate_apply(dev, &r, info->extack);
	}
	if (!ret) {
		gate_follow(dev, 0);
		ret = tsmh_nl_reply_dev(info, dev, TSMH_CMD_GATE_SET);
	}
	tsmh_dev_put(dev);
	return ret;
}
