// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: TDISP TDIs (ABI 6, docs/design.md "TDISP (kernel)").
 *
 * The kernel owns each TDI's state. TDISP messages travel inside the
 * requester's SPDM session, which the kernel cannot read: a requester
 * asks TDI_BEGIN before it sends a request (the rules below are checked
 * first; nothing is to be sent if they fail) and reports the outcome with
 * TDI_END. The kernel checks what it can itself (preconditions, the
 * transitions lib/tdisp.c allows, the report against the TDI's real
 * BARs, the START nonce, resets, config writes, driver binding) and fails
 * closed to ERROR on any doubt. Objects and lock order: tdi.h.
 *
 * Interface ID (TDISP FUNCTION_ID): RID | segment << 16 | bit 24 when
 * the segment byte is not zero. The segment is the low byte of the PCI
 * domain number, as ide.c writes it into the RID associations
 * (ep_rids()); a domain above 255 keeps only that byte there too.
 */
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include "core.h"
#include "tdi.h"
#include "tdisp.h"
#include "pcicap.h"

static_assert((int)TSMH_TDI_CONFIG_UNLOCKED == (int)TSMH_TDI_STATE_CONFIG_UNLOCKED);
static_assert((int)TSMH_TDI_CONFIG_LOCKED == (int)TSMH_TDI_STATE_CONFIG_LOCKED);
static_assert((int)TSMH_TDI_RUN == (int)TSMH_TDI_STATE_RUN);
static_assert((int)TSMH_TDI_ERROR == (int)TSMH_TDI_STATE_ERROR);
static_assert((int)TSMH_TDI_NR_STATES == (int)__TSMH_TDI_STATE_NR);
static_assert(TSMH_TDISP_NONCE_LEN == TSMH_TDI_NONCE_LEN);
static_assert(TSMH_TDISP_LOCK_FLAGS_10 == (TSMH_TDI_LOCK_F_NO_FW_UPDATE |
					   TSMH_TDI_LOCK_F_CACHE_LINE_128 |
					   TSMH_TDI_LOCK_F_LOCK_MSIX | TSMH_TDI_LOCK_F_BIND_P2P |
					   TSMH_TDI_LOCK_F_ALL_REQUEST_REDIRECT));

static bool tdisp_host_native;
module_param(tdisp_host_native, bool, 0644);
MODULE_PARM_DESC(tdisp_host_native,
		 "let a host requester START a TDI (test mode: the host, not a TVM, uses it; default off)");

static unsigned int tdisp_timeout_ms = 30000;
module_param(tdisp_timeout_ms, uint, 0644);
MODULE_PARM_DESC(tdisp_timeout_ms,
		 "a TDI operation pending longer than this (ms) is abandoned (default 30000)");

static LIST_HEAD(tsmh_tdis);		/* of tsmh_tdi.node */
static DEFINE_MUTEX(tsmh_tdi_list_lock);	/* protects tsmh_tdis */

#define CMD_BITS (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)

static const char *const op_names[__TSMH_TDI_OP_NR] = {
	[TSMH_TDI_OP_LOCK] = "LOCK", [TSMH_TDI_OP_REPORT] = "REPORT",
	[TSMH_TDI_OP_START] = "START", [TSMH_TDI_OP_STOP] = "STOP",
	[TSMH_TDI_OP_STATE] = "STATE",
};

static const u8 op_codes[__TSMH_TDI_OP_NR] = {
	[TSMH_TDI_OP_LOCK] = TSMH_TDISP_LOCK, [TSMH_TDI_OP_REPORT] = TSMH_TDISP_GET_REPORT,
	[TSMH_TDI_OP_START] = TSMH_TDISP_START, [TSMH_TDI_OP_STOP] = TSMH_TDISP_STOP,
	[TSMH_TDI_OP_STATE] = TSMH_TDISP_GET_STATE,
};

static const char *const cause_names[__TSMH_TDI_CAUSE_NR] = {
	"lock", "report", "start", "stop", "flr", "config-write", "mismatch",
	"report-invalid", "requester-gone", "ide-lost", "failed", "removed",
};

static const char *sname(u8 state)
{
	return tsmh_tdi_state_name(state);
}

/* ---- DSM, interface ID ---- */

/* @pdev's DSM (+1 ref): itself for function 0, else its leader (gate.c) */
static struct pci_dev *dsm_pdev(struct pci_dev *pdev)
{
	struct pci_dev *lp = tsmh_leader_pdev(pdev);

	return lp ? lp : pci_dev_get(pdev);
}

static bool is_endpoint(struct pci_dev *pdev)
{
	u8 type = pci_pcie_type(pdev);

	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END ||
	       type == PCI_EXP_TYPE_RC_END;
}

bool tsmh_tdi_wants(struct pci_dev *pdev)
{
	struct pci_dev *d;
	u32 cap = 0;

	if (!pci_is_pcie(pdev) || !is_endpoint(pdev))
		return false;
	d = dsm_pdev(pdev);
	if (!d)
		return false;
	if (pci_is_pcie(d) && pcie_capability_read_dword(d, PCI_EXP_DEVCAP, &cap))
		cap = 0;
	pci_dev_put(d);
	return cap != 0xffffffff && (cap & TSMH_EXP_DEVCAP_TEE);
}

static u32 interface_id(struct pci_dev *pdev)
{
	u32 seg = pci_domain_nr(pdev->bus) & 0xff;
	u32 id = pci_dev_id(pdev) | seg << TSMH_TDISP_FID_SEG_SHIFT;

	if (seg)
		id |= TSMH_TDISP_FID_SEG_VALID;
	return id;
}

/* ---- netlink attributes and events ---- */

/* the tdi nest; tdi->lock held. Never the nonce, never report bytes. */
static int put_tdi(struct sk_buff *skb, struct tsmh_tdi *tdi)
{
	bool locked = tdi->state == TSMH_TDI_CONFIG_LOCKED || tdi->state == TSMH_TDI_RUN;
	u32 flags = tdi->flags | (tdi->op_pending ? TSMH_TDI_F_PENDING : 0);
	struct nlattr *n;

	lockdep_assert_held(&tdi->lock);
	n = nla_nest_start(skb, TSMH_A_TDI);
	if (!n)
		return -EMSGSIZE;
	if (nla_put_string(skb, TSMH_TDI_A_DEV, tdi->dev->name) ||
	    nla_put_string(skb, TSMH_TDI_A_DSM, tdi->dsm) ||
	    nla_put_u32(skb, TSMH_TDI_A_INTERFACE_ID, tdi->interface_id) ||
	    nla_put_u32(skb, TSMH_TDI_A_STATE, tdi->state) ||
	    nla_put_u32(skb, TSMH_TDI_A_FLAGS, flags) ||
	    (tdi->op_pending && nla_put_u32(skb, TSMH_TDI_A_OP, tdi->op)))
		goto err;
	if (locked &&
	    (nla_put_u32(skb, TSMH_TDI_A_LOCK_FLAGS, tdi->lock_flags) ||
	     (tdi->has_stream && nla_put_u32(skb, TSMH_TDI_A_STREAM_ID, tdi->stream_id)) ||
	     nla_put_u64_64bit(skb, TSMH_TDI_A_MMIO_OFFSET, tdi->mmio_offset, TSMH_TDI_A_UNSPEC)))
		goto err;
	if ((tdi->flags & TSMH_TDI_F_REPORT_CHECKED) &&
	    (nla_put_u32(skb, TSMH_TDI_A_REPORT_LEN, tdi->report_len) ||
	     nla_put_u32(skb, TSMH_TDI_A_NR_RANGES, tdi->nr_ranges) ||
	     nla_put_u64_64bit(skb, TSMH_TDI_A_REPORT_GEN, tdi->report_gen, TSMH_TDI_A_UNSPEC)))
		goto err;
	if ((tdi->tvm && nla_put_u64_64bit(skb, TSMH_TDI_A_TVM, tdi->tvm, TSMH_TDI_A_UNSPEC)) ||
	    (tdi->msg[0] && nla_put_string(skb, TSMH_TDI_A_MSG, tdi->msg)) ||
	    nla_put_u64_64bit(skb, TSMH_TDI_A_SINCE, tdi->since, TSMH_TDI_A_UNSPEC))
		goto err;
	nla_nest_end(skb, n);
	return 0;
err:
	nla_nest_cancel(skb, n);
	return -EMSGSIZE;
}

/* evt-tdi; tdi->lock held */
static void tdi_event(struct tsmh_tdi *tdi, u32 cause)
{
	struct sk_buff *skb;
	void *hdr;

	lockdep_assert_held(&tdi->lock);
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tsmh_family, 0, TSMH_CMD_EVT_TDI);
	if (!hdr || nla_put_string(skb, TSMH_A_DEV_NAME, tdi->dev->name) ||
	    nla_put_u32(skb, TSMH_A_TDI_CAUSE, cause) || put_tdi(skb, tdi)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	tsmh_nl_multicast(skb);
}

/* ---- state changes (tdi->lock held) ---- */

static void nonce_wipe(struct tsmh_tdi *tdi)
{
	memzero_explicit(tdi->nonce, sizeof(tdi->nonce));
	tdi->flags &= ~TSMH_TDI_F_NONCE;
}

static void pending_clear(struct tsmh_tdi *tdi)
{
	lockdep_assert_held(&tdi->lock);
	if (tdi->sk)
		sock_put(tdi->sk);
	tdi->sk = NULL;
	tdi->op_pending = false;
	tdi->op_ide_lost = false;
	tdi->ticket = 0;
}

/*
 * Move @tdi to @state for @cause with the message @fmt; flags follow the
 * state: out of CONFIG_LOCKED/RUN the nonce, report and host-started
 * flags go, and the recorded report is withdrawn from the evidence (if
 * the set holding it is still current). Logs (pci_warn for ERROR) and
 * sends evt-tdi.
 */
static __printf(4, 5) void tdi_set(struct tsmh_tdi *tdi, u8 state, u32 cause,
				   const char *fmt, ...)
{
	struct pci_dev *pdev = tdi->dev->pdev;
	u8 old = tdi->state;
	va_list ap;

	lockdep_assert_held(&tdi->lock);
	va_start(ap, fmt);
	vsnprintf(tdi->msg, sizeof(tdi->msg), fmt, ap);
	va_end(ap);
	tdi->state = state;
	tdi->since = ktime_get_real_ns();
	if (state != TSMH_TDI_CONFIG_LOCKED && state != TSMH_TDI_RUN) {
		nonce_wipe(tdi);
		/* the report no longer describes a locked TDI: withdrawn */
		if ((tdi->flags & TSMH_TDI_F_REPORT_CHECKED) &&
		    tsmh_ev_kernel_drop(tdi->dev, TSMH_EV_REPORT, tdi->report_gen))
			pci_err(pdev, "TDI report of evidence generation %llu not withdrawn\n",
				tdi->report_gen);
		tdi->flags &= ~(TSMH_TDI_F_REPORT_CHECKED | TSMH_TDI_F_HOST_STARTED);
		tdi->cmd_seen = 0;
		tdi->bind_lock = false;
	}
	if (state == TSMH_TDI_ERROR)
		pci_warn(pdev, "TDI %s -> ERROR (%s): %s\n", sname(old), cause_names[cause],
			 tdi->msg);
	else
		pci_info_ratelimited(pdev, "TDI %s -> %s (%s): %s\n", sname(old), sname(state),
				     cause_names[cause], tdi->msg);
	tdi_event(tdi, cause);
}

/*
 * Config offsets whose writes the probes pass on (cfg_entry()): set for a
 * VF's PF's SR-IOV Control and VF BARs when the VF is locked (never
 * cleared: a stale bit only costs a re-read). PCI_COMMAND and the BARs
 * are always watched.
 */
static DECLARE_BITMAP(cfg_watched, PCI_CFG_SPACE_EXP_SIZE);

void tsmh_tdi_cfg_watch(int off)
{
	if (off >= 0 && off < PCI_CFG_SPACE_EXP_SIZE)
		set_bit(off & ~3, cfg_watched);
}

/*
 * What a locked TDI's config must keep, recorded at the LOCK: its BAR
 * registers (a VF: its PF's VF BAR registers) and, for a VF, the PF's
 * VF Memory Space Enable. tdi->lock held.
 */
static void cfg_snapshot(struct tsmh_tdi *tdi)
{
	struct pci_dev *pdev = tdi->dev->pdev, *d = pdev;
	int i, base = PCI_BASE_ADDRESS_0;
	u16 ctl = 0;

	lockdep_assert_held(&tdi->lock);
	tdi->sriov_pos = 0;
	tdi->vf_mse = false;
	if (pdev->is_virtfn) {
		d = pci_physfn(pdev);
		tdi->sriov_pos = pci_find_ext_capability(d, PCI_EXT_CAP_ID_SRIOV);
		if (!tdi->sriov_pos)
			return;
		base = tdi->sriov_pos + PCI_SRIOV_BAR;
		set_bit(tdi->sriov_pos + PCI_SRIOV_CTRL, cfg_watched);
		if (!pci_read_config_word(d, tdi->sriov_pos + PCI_SRIOV_CTRL, &ctl))
			tdi->vf_mse = !!(ctl & PCI_SRIOV_CTRL_MSE);
	}
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		set_bit(base + 4 * i, cfg_watched);
		if (pci_read_config_dword(d, base + 4 * i, &tdi->bars[i]))
			tdi->bars[i] = 0;
	}
}

/* BARs or a VF's VF MSE changed since the LOCK? ERROR config-write */
static void cfg_check(struct tsmh_tdi *tdi)
{
	struct pci_dev *pdev = tdi->dev->pdev, *d = pdev;
	int i, base = PCI_BASE_ADDRESS_0;
	u16 ctl;
	u32 v;

	lockdep_assert_held(&tdi->lock);
	if (pdev->is_virtfn) {
		if (!tdi->sriov_pos)
			return;
		d = pci_physfn(pdev);
		base = tdi->sriov_pos + PCI_SRIOV_BAR;
		if (tdi->vf_mse &&
		    !pci_read_config_word(d, tdi->sriov_pos + PCI_SRIOV_CTRL, &ctl) &&
		    ctl != 0xffff && !(ctl & PCI_SRIOV_CTRL_MSE)) {
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_CONFIG_WRITE,
				"VF Memory Space Enable (PF SR-IOV Control) cleared while %s",
				sname(tdi->state));
			return;
		}
	}
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (pci_read_config_dword(d, base + 4 * i, &v) || v == tdi->bars[i])
			continue;
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_CONFIG_WRITE,
			"%sBAR %d written (%#x -> %#x) while %s", pdev->is_virtfn ? "VF " : "", i,
			tdi->bars[i], v, sname(tdi->state));
		return;
	}
}

/*
 * Memory Space or Bus Master Enable cleared while CONFIG_LOCKED or RUN
 * (a bit seen set since the LOCK now reads clear), a BAR register (a VF:
 * its PF's VF BAR) changed since the LOCK, or a VF's VF MSE cleared in
 * its PF's SR-IOV Control: ERROR config-write. Re-read at every
 * tdi-get/begin/end and after each probed write.
 */
static void cmd_check(struct tsmh_tdi *tdi)
{
	u16 cmd, lost;

	lockdep_assert_held(&tdi->lock);
	if (tdi->removed || (tdi->state != TSMH_TDI_CONFIG_LOCKED && tdi->state != TSMH_TDI_RUN))
		return;
	if (pci_read_config_word(tdi->dev->pdev, PCI_COMMAND, &cmd) || cmd == 0xffff)
		return;
	lost = tdi->cmd_seen & ~cmd & CMD_BITS;
	if (!lost) {
		tdi->cmd_seen |= cmd & CMD_BITS;
		cfg_check(tdi);
		return;
	}
	tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_CONFIG_WRITE, "%s%s%s cleared while %s",
		lost & PCI_COMMAND_MEMORY ? "Memory Space Enable" : "",
		lost == CMD_BITS ? " and " : "",
		lost & PCI_COMMAND_MASTER ? "Bus Master Enable" : "", sname(tdi->state));
}

/* abandon the pending operation (socket closed, timeout); tdi->lock held */
static void tdi_abandon(struct tsmh_tdi *tdi, const char *why)
{
	u8 op = tdi->op;

	lockdep_assert_held(&tdi->lock);
	pending_clear(tdi);
	if (op == TSMH_TDI_OP_REPORT || op == TSMH_TDI_OP_STATE) {
		pci_info_ratelimited(tdi->dev->pdev, "TDI %s abandoned (%s): state unchanged\n",
				     op_names[op], why);
		return;
	}
	tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_REQUESTER_GONE,
		"state unknown after abandoned %s: %s", op_names[op], why);
}

static void tdi_timeout_fn(struct work_struct *work)
{
	struct tsmh_tdi *tdi = container_of(to_delayed_work(work), struct tsmh_tdi, timeout);

	mutex_lock(&tdi->lock);
	if (tdi->op_pending && !tdi->removed && time_after_eq(jiffies, tdi->deadline))
		tdi_abandon(tdi, "requester timed out");
	mutex_unlock(&tdi->lock);
}

/* ---- life cycle ---- */

void tsmh_tdi_add(struct tsmh_dev *dev)
{
	struct pci_dev *d;
	struct tsmh_tdi *tdi;

	if (!tsmh_tdi_wants(dev->pdev))
		return;
	tdi = kzalloc(sizeof(*tdi), GFP_KERNEL);
	if (!tdi) {
		pci_err(dev->pdev, "TDI not tracked: out of memory\n");
		return;
	}
	tdi->dev = dev;
	d = dsm_pdev(dev->pdev);
	strscpy(tdi->dsm, pci_name(d), sizeof(tdi->dsm));
	pci_dev_put(d);
	tdi->interface_id = interface_id(dev->pdev);
	mutex_init(&tdi->lock);
	tdi->state = TSMH_TDI_CONFIG_UNLOCKED;
	tdi->since = ktime_get_real_ns();
	INIT_DELAYED_WORK(&tdi->timeout, tdi_timeout_fn);
	WRITE_ONCE(dev->tdi, tdi);
	mutex_lock(&tsmh_tdi_list_lock);
	list_add_tail(&tdi->node, &tsmh_tdis);
	mutex_unlock(&tsmh_tdi_list_lock);
}

void tsmh_tdi_remove(struct tsmh_dev *dev)
{
	struct tsmh_tdi *tdi = READ_ONCE(dev->tdi);

	if (!tdi)
		return;
	mutex_lock(&tsmh_tdi_list_lock);
	list_del_init(&tdi->node);
	mutex_unlock(&tsmh_tdi_list_lock);
	mutex_lock(&tdi->lock);
	if (tdi->op_pending)
		tdi->stale_ticket = tdi->ticket;
	pending_clear(tdi);
	nonce_wipe(tdi);
	tdi->flags &= ~(TSMH_TDI_F_REPORT_CHECKED | TSMH_TDI_F_HOST_STARTED);
	tdi->removed = true;
	snprintf(tdi->msg, sizeof(tdi->msg), "removed");
	tdi_event(tdi, TSMH_TDI_CAUSE_REMOVED);
	mutex_unlock(&tdi->lock);
	cancel_delayed_work_sync(&tdi->timeout);
}

void tsmh_tdi_free(struct tsmh_dev *dev)
{
	struct tsmh_tdi *tdi = dev->tdi;

	if (!tdi)
		return;
	cancel_delayed_work_sync(&tdi->timeout);
	if (tdi->sk)
		sock_put(tdi->sk);
	mutex_destroy(&tdi->lock);
	kfree_sensitive(tdi);
}

/* the socket of a pending operation closed (NETLINK_URELEASE) */
void tsmh_tdi_release(struct net *net, u32 portid)
{
	struct tsmh_tdi *tdi;
	struct sock *sk;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		mutex_lock(&tdi->lock);
		sk = tdi->sk;
		if (tdi->op_pending && sk && tdi->portid == portid && net_eq(sock_net(sk), net) &&
		    sock_flag(sk, SOCK_DEAD))
			tdi_abandon(tdi, "requester's socket closed");
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
}

/*
 * A reset of @dev (@kind: enum tsmh_reset_kind): its own TDI and, @dev
 * being a PF, its VFs' (a PF's FLR clears VF Enable) go to CONFIG_UNLOCKED
 * (lib tsmh_tdisp_event(FLR)); a pending operation is cancelled (its end
 * gets ESTALE). FLR is per function: function 0's does not reach the
 * other functions' TDIs. A bridge reset reaches every tracked device
 * below it (reset.c), so each TDI there too. A reset of unknown kind
 * (reset.c: a full ring or a missed probe, reported for every tracked
 * device whether reset or not) may never have happened: a TDI that is
 * CONFIG_LOCKED or RUN, or has a LOCK/START/STOP pending, goes to ERROR
 * (only STOP, which the device confirms, leads out), never to
 * CONFIG_UNLOCKED.
 */
void tsmh_tdi_reset(struct tsmh_dev *dev, u32 kind)
{
	struct pci_dev *pdev;
	struct tsmh_tdi *tdi;
	bool cancel, doubt;
	u8 next;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		pdev = tdi->dev->pdev;
		if (tdi->dev != dev && !(pdev->is_virtfn && pci_physfn(pdev) == dev->pdev))
			continue;
		mutex_lock(&tdi->lock);
		next = tsmh_tdisp_event(tdi->state, TSMH_TDI_EV_FLR);
		doubt = kind == TSMH_RESET_UNKNOWN &&
			(tdi->state == TSMH_TDI_CONFIG_LOCKED || tdi->state == TSMH_TDI_RUN ||
			 (tdi->op_pending && tdi->op != TSMH_TDI_OP_REPORT &&
			  tdi->op != TSMH_TDI_OP_STATE));
		if (kind == TSMH_RESET_UNKNOWN && tdi->state == TSMH_TDI_ERROR)
			next = TSMH_TDI_ERROR;
		cancel = tdi->op_pending;
		if (cancel) {
			tdi->stale_ticket = tdi->ticket;
			pending_clear(tdi);
		}
		if (doubt)
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_FLR,
				"reset of unknown kind (maybe none): state unknown%s",
				cancel ? ", operation cancelled" : "");
		else if (cancel || next != tdi->state || (tdi->flags & ~TSMH_TDI_F_BOUND))
			tdi_set(tdi, next, TSMH_TDI_CAUSE_FLR, "reset of %s%s", dev->name,
				cancel ? ": operation cancelled" : "");
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
}

static bool dsm_claimed_by(const char *dsm, const struct sock *sk);

/*
 * netlink.c: @sk released its claim on a mailbox of @dsm (no lock held).
 * Unless it still holds another of the DSM's, its pending operations on
 * the DSM's TDIs are abandoned: it is no longer the session owner.
 */
void tsmh_tdi_claim_released(struct tsmh_dev *dsm, struct sock *sk)
{
	struct tsmh_tdi *tdi;

	if (dsm_claimed_by(dsm->name, sk))
		return;
	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		if (strcmp(tdi->dsm, dsm->name))
			continue;
		mutex_lock(&tdi->lock);
		if (tdi->op_pending && tdi->sk == sk && !tdi->removed)
			tdi_abandon(tdi, "requester released the DSM's mailbox");
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
}

/* ---- gate and IDE hooks ---- */

int tsmh_tdi_gate_release_check(struct tsmh_dev *dev, struct netlink_ext_ack *extack)
{
	struct tsmh_tdi *tdi = READ_ONCE(dev->tdi);
	int ret = 0;

	if (!tdi)
		return 0;
	device_lock_assert(&dev->pdev->dev);
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (tdi->flags & TSMH_TDI_F_BOUND) {
		/* assigned to a TVM, whatever its state: no host driver */
		TSMH_ERRF(extack, "TDI is bound to a TVM: unbind it first",
			  "%s: TDI is bound to a TVM (%s): unbind it first",
			  dev->name, sname(tdi->state));
		ret = -EBUSY;
	} else if (tdi->state == TSMH_TDI_CONFIG_LOCKED ||
		   (tdi->state == TSMH_TDI_RUN && !READ_ONCE(tdisp_host_native))) {
		TSMH_ERRF(extack, "TDI is CONFIG_LOCKED or RUN: stop it first",
			  "%s: TDI is %s: stop it first",
			  dev->name, sname(tdi->state));
		ret = -EBUSY;
	} else if (tdi->op_pending && tdi->op == TSMH_TDI_OP_LOCK) {
		TSMH_ERR(extack, "TDI LOCK in progress", "%s", dev->name);
		ret = -EBUSY;
	}
	mutex_unlock(&tdi->lock);
	return ret;
}

void tsmh_tdi_driver_bound(struct tsmh_dev *dev, const char *drv, bool bypass)
{
	struct tsmh_tdi *tdi = READ_ONCE(dev->tdi);
	bool tvm;

	if (!tdi)
		return;
	device_lock_assert(&dev->pdev->dev);
	mutex_lock(&tdi->lock);
	tdi->drv_seq++;
	/*
	 * A TDI bound to a TVM had its driver (VFIO's) unbound first: the
	 * next driver is the host's, RUN or not (design.md "7.2: bind").
	 */
	tvm = tdi->flags & TSMH_TDI_F_BOUND;
	if (!tdi->removed &&
	    (tdi->state == TSMH_TDI_CONFIG_LOCKED ||
	     (tdi->state == TSMH_TDI_RUN && (bypass || tvm))))
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_CONFIG_WRITE,
			"driver %s bound while %s%s", drv, sname(tdi->state),
			bypass ? " (gate bypassed)" : tvm ? " for a TVM" : "");
	mutex_unlock(&tdi->lock);
}

/*
 * The driver of a TDI bound to a TVM went (vfio-pci unbound). Nothing
 * changes here: upstream's rule (Jason Gunthorpe, design.md) is that host
 * VFIO leaves RUN when the vdevice or the KVM is destroyed or the device
 * closed, i.e. pci_tsm_unbind() comes before the driver goes; vfio-pci's
 * close then clears Bus Master Enable, which the config-write watch turns
 * into ERROR if the TDI was still locked. Only logged: a caller that let
 * its driver go first left the TDI behind.
 */
void tsmh_tdi_driver_unbound(struct tsmh_dev *dev)
{
	struct tsmh_tdi *tdi = READ_ONCE(dev->tdi);

	device_lock_assert(&dev->pdev->dev);
	if (!tdi)
		return;
	mutex_lock(&tdi->lock);
	if (!tdi->removed && (tdi->flags & TSMH_TDI_F_BOUND))
		pci_warn(dev->pdev, "TDI %s: driver unbound while bound to TVM %016llx (tsm unbind should come first)\n",
			 sname(tdi->state), tdi->tvm);
	mutex_unlock(&tdi->lock);
}

void tsmh_tdi_ide_lost(struct tsmh_dev *ep, u32 id, bool deleted)
{
	struct tsmh_tdi *tdi;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		if (strcmp(tdi->dsm, ep->name))
			continue;
		mutex_lock(&tdi->lock);
		tdi->ide_seq++;
		if (tdi->op_pending && tdi->op == TSMH_TDI_OP_LOCK && tdi->lk_has_stream &&
		    tdi->lk_stream == id)
			tdi->op_ide_lost = true;
		if (tdi->has_stream && tdi->stream_id == id && !tdi->removed &&
		    tsmh_tdisp_event(tdi->state, TSMH_TDI_EV_IDE_LOST) != tdi->state)
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_IDE_LOST,
				"IDE stream %u of %s %s while %s", id, ep->name,
				deleted ? "deleted" : "insecure", sname(tdi->state));
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
}

int tsmh_tdi_stream_del_check(struct tsmh_dev *ep, u32 id, struct netlink_ext_ack *extack)
{
	struct tsmh_tdi *tdi;
	int ret = 0;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		if (strcmp(tdi->dsm, ep->name))
			continue;
		mutex_lock(&tdi->lock);
		if (tdi->has_stream && tdi->stream_id == id &&
		    (tdi->state == TSMH_TDI_CONFIG_LOCKED || tdi->state == TSMH_TDI_RUN)) {
			TSMH_ERR(extack, "stream in use: stop the TDI first", "%s is %s",
				 tdi->dev->name, sname(tdi->state));
			ret = -EBUSY;
		}
		mutex_unlock(&tdi->lock);
		if (ret)
			break;
	}
	mutex_unlock(&tsmh_tdi_list_lock);
	return ret;
}

/* ---- config writes: kretprobes on the exported write paths ---- */

/*
 * A write to PCI_COMMAND, a BAR register or a watched offset (cfg_watched:
 * a locked VF's PF's SR-IOV Control and VF BARs) through one of these
 * queues cfg_work, which re-checks every CONFIG_LOCKED or RUN TDI (the
 * handlers run in atomic context and only filter by offset). The bus
 * variants take (bus, devfn, where, val), the pci_write_* and
 * pci_user_write_* ones (the latter: sysfs config writes, setpci)
 * (dev, where, val).
 */
struct cfg_probe {
	struct kretprobe rp;
	u8 where_arg;
	bool armed;
};

static struct cfg_probe cfg_probes[] = {
	{ .rp.kp.symbol_name = "pci_bus_write_config_byte", .where_arg = 2 },
	{ .rp.kp.symbol_name = "pci_bus_write_config_word", .where_arg = 2 },
	{ .rp.kp.symbol_name = "pci_bus_write_config_dword", .where_arg = 2 },
	{ .rp.kp.symbol_name = "pci_write_config_byte", .where_arg = 1 },
	{ .rp.kp.symbol_name = "pci_write_config_word", .where_arg = 1 },
	{ .rp.kp.symbol_name = "pci_write_config_dword", .where_arg = 1 },
	{ .rp.kp.symbol_name = "pci_user_write_config_byte", .where_arg = 1 },
	{ .rp.kp.symbol_name = "pci_user_write_config_word", .where_arg = 1 },
	{ .rp.kp.symbol_name = "pci_user_write_config_dword", .where_arg = 1 },
};

static void cfg_work_fn(struct work_struct *work);
static DECLARE_WORK(cfg_work, cfg_work_fn);

static int cfg_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cfg_probe *p = container_of(get_kretprobe(ri), struct cfg_probe, rp);
	int where = (int)regs_get_kernel_argument(regs, p->where_arg);

	/* 1: no return handler for this call */
	if (where == PCI_COMMAND ||
	    (where >= PCI_BASE_ADDRESS_0 && where < PCI_BASE_ADDRESS_0 + 4 * PCI_STD_NUM_BARS))
		return 0;
	return !(where >= 0 && where < PCI_CFG_SPACE_EXP_SIZE &&
		 test_bit(where & ~3, cfg_watched));
}

static int cfg_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	queue_work(tsmh_wq, &cfg_work);
	return 0;
}

struct cfg_stream {
	char dsm[32];
	u32 id;
};

/* @tdi is locked with an IDE stream: its DSM and stream ID in @v; tdi->lock held */
static bool cfg_stream_of(struct tsmh_tdi *tdi, struct cfg_stream *v)
{
	lockdep_assert_held(&tdi->lock);
	if (tdi->removed || !tdi->has_stream ||
	    (tdi->state != TSMH_TDI_CONFIG_LOCKED && tdi->state != TSMH_TDI_RUN))
		return false;
	strscpy(v->dsm, tdi->dsm, sizeof(v->dsm));
	v->id = tdi->stream_id;
	return true;
}

/* the @nth TDI locked with a stream (its stream in @v), walking the list */
static bool cfg_stream_nth(int nth, struct cfg_stream *v)
{
	struct tsmh_tdi *tdi;
	bool found = false;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		mutex_lock(&tdi->lock);
		found = cfg_stream_of(tdi, v) && nth-- == 0;
		mutex_unlock(&tdi->lock);
		if (found)
			break;
	}
	mutex_unlock(&tsmh_tdi_list_lock);
	return found;
}

static void cfg_stream_check(const struct cfg_stream *v)
{
	struct tsmh_dev *d = tsmh_dev_find(v->dsm);

	if (!d)
		return;
	tsmh_ide_stream_cfg_check(d, v->id);
	tsmh_dev_put(d);
}

/*
 * The IDE streams CONFIG_LOCKED or RUN TDIs were locked with: re-read
 * by ide.c (a bridge lock: taken with no tdi lock held), which moves
 * those TDIs to ERROR ide-lost when a config write disabled the stream,
 * changed its ID or left it not SECURE at either end, or narrowed the
 * root port's RID association. With no memory for the list, one stream
 * at a time (the list walked again for each; one added or removed
 * meanwhile may be skipped or read twice).
 */
static void cfg_ide_check(void)
{
	struct cfg_stream one, *v;
	struct tsmh_tdi *tdi;
	int i, n = 0, max = 0;

	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node)
		max++;
	v = kmalloc_array(max ?: 1, sizeof(*v), GFP_KERNEL);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		if (!v)
			break;
		mutex_lock(&tdi->lock);
		if (cfg_stream_of(tdi, &v[n]))
			n++;
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
	if (!v) {
		for (i = 0; cfg_stream_nth(i, &one); i++)
			cfg_stream_check(&one);
		return;
	}
	for (i = 0; i < n; i++)
		cfg_stream_check(&v[i]);
	kfree(v);
}

static void cfg_work_fn(struct work_struct *work)
{
	struct tsmh_tdi *tdi;

	cfg_ide_check();
	mutex_lock(&tsmh_tdi_list_lock);
	list_for_each_entry(tdi, &tsmh_tdis, node) {
		mutex_lock(&tdi->lock);
		cmd_check(tdi);
		mutex_unlock(&tdi->lock);
	}
	mutex_unlock(&tsmh_tdi_list_lock);
}

void tsmh_tdi_init(void)
{
	int i, ret, n = 0;

	for (i = 0; i < ARRAY_SIZE(cfg_probes); i++) {
		struct cfg_probe *p = &cfg_probes[i];

		p->rp.entry_handler = cfg_entry;
		p->rp.handler = cfg_ret;
		p->rp.maxactive = 16;
		ret = register_kretprobe(&p->rp);
		if (ret) {
			pr_info("config-write probe on %s not armed (%d)\n", p->rp.kp.symbol_name,
				ret);
			continue;
		}
		p->armed = true;
		n++;
	}
	pr_info("%d config-write probes armed (TDI Memory Space/Bus Master Enable)\n", n);
}

void tsmh_tdi_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cfg_probes); i++) {
		if (cfg_probes[i].armed)
			unregister_kretprobe(&cfg_probes[i].rp);
		cfg_probes[i].armed = false;
	}
	cancel_work_sync(&cfg_work);
}

/* ---- netlink: tdi-get ---- */

static int fill_tdi(struct sk_buff *skb, struct tsmh_tdi *tdi, u32 portid, u32 seq, int flags,
		    u8 cmd, u64 ticket)
{
	void *hdr;

	lockdep_assert_held(&tdi->lock);
	hdr = genlmsg_put(skb, portid, seq, &tsmh_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, TSMH_A_DEV_NAME, tdi->dev->name) ||
	    (ticket && nla_put_u64_64bit(skb, TSMH_A_TDI_TICKET, ticket, TSMH_A_PAD)) ||
	    put_tdi(skb, tdi)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int reply_tdi(struct genl_info *info, struct tsmh_tdi *tdi, u8 cmd, u64 ticket)
{
	struct sk_buff *msg;
	int ret;

	lockdep_assert_held(&tdi->lock);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = fill_tdi(msg, tdi, info->snd_portid, info->snd_seq, 0, cmd, ticket);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* the TDI @info names (+1 ref on its device in *@devp), or NULL with *@err */
static struct tsmh_tdi *req_tdi(struct genl_info *info, struct tsmh_dev **devp, int *err)
{
	struct tsmh_dev *dev = tsmh_nl_req_dev(info, 0, err);
	struct tsmh_tdi *tdi;

	*devp = dev;
	if (!dev)
		return NULL;
	tdi = READ_ONCE(dev->tdi);
	if (!tdi) {
		TSMH_ERR(info->extack, "not a TDI (its DSM has no TEE-IO)", "%s", dev->name);
		*err = -EOPNOTSUPP;
		tsmh_dev_put(dev);
		*devp = NULL;
	}
	return tdi;
}

int tsmh_nl_tdi_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi;
	int ret;

	tdi = req_tdi(info, &dev, &ret);
	if (!tdi)
		return ret;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	ret = reply_tdi(info, tdi, TSMH_CMD_TDI_GET, 0);
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

int tsmh_nl_tdi_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long idx = cb->args[0];
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi;
	unsigned int gen;
	int ret = 0;

	for (; (dev = tsmh_dev_nth(idx, &gen)); idx++) {
		tdi = READ_ONCE(dev->tdi);
		if (tdi) {
			mutex_lock(&tdi->lock);
			cmd_check(tdi);
			ret = fill_tdi(skb, tdi, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				       NLM_F_MULTI, TSMH_CMD_TDI_GET, 0);
			mutex_unlock(&tdi->lock);
		}
		tsmh_dev_put(dev);
		if (ret)
			break;
	}
	cb->args[0] = idx;
	return ret && skb->len ? skb->len : (ret ? ret : skb->len);
}

/* ---- netlink: tdi-begin ---- */

/* does @sk hold a host claim on a mailbox of the DSM @dsm? */
static bool dsm_claimed_by(const char *dsm, const struct sock *sk)
{
	struct tsmh_dev *d = tsmh_dev_find(dsm);
	bool owned = false;
	int i;

	if (!d)
		return false;
	mutex_lock(&d->state_lock);
	for (i = 0; i < d->nr_mb && !owned; i++)
		owned = tsmh_mb_owned_by(&d->mb[i], sk);
	mutex_unlock(&d->state_lock);
	tsmh_dev_put(d);
	return owned;
}

/*
 * The DSM's stream @id reads SECURE (1), not (0), or there is no such
 * stream or DSM (-ENOENT, -ENODEV)? No tdi lock held (a bridge lock).
 */
static int stream_secure(struct tsmh_tdi *tdi, u32 id)
{
	struct tsmh_dev *d = tsmh_dev_find(tdi->dsm);
	int ret;

	if (!d)
		return -ENODEV;
	ret = tsmh_ide_stream_secure(d, id);
	tsmh_dev_put(d);
	return ret;
}

/* config writes to the DSM's stream @id's control registers re-checked */
static void stream_watch(struct tsmh_tdi *tdi, u32 id)
{
	struct tsmh_dev *d = tsmh_dev_find(tdi->dsm);

	if (!d)
		return;
	tsmh_ide_stream_watch(d, id);
	tsmh_dev_put(d);
}

/* ide.c re-reads the DSM's stream @id (its TDIs: ERROR ide-lost if disabled) */
static void stream_cfg_check(struct tsmh_tdi *tdi, u32 id)
{
	struct tsmh_dev *d = tsmh_dev_find(tdi->dsm);

	if (!d)
		return;
	tsmh_ide_stream_cfg_check(d, id);
	tsmh_dev_put(d);
}

/*
 * The TDI's requests go in the stream only if its RID is in the stream's
 * RID association (the root port's: the device's functions and VFs,
 * ide.c ep_rids()). No tdi lock held.
 */
static int stream_covers(struct genl_info *info, struct tsmh_tdi *tdi, u32 id)
{
	struct pci_dev *pdev = tdi->dev->pdev;
	u32 rid = (u32)(pci_domain_nr(pdev->bus) & 0xff) << 16 | pci_dev_id(pdev);
	struct tsmh_dev *d = tsmh_dev_find(tdi->dsm);
	u32 base, limit;
	int ret;

	if (!d)
		return -ENODEV;
	ret = tsmh_ide_stream_rids(d, id, &base, &limit);
	tsmh_dev_put(d);
	if (ret)
		return ret;
	if (rid < base || rid > limit) {
		TSMH_ERR(info->extack, "LOCK: TDI outside the stream's RID association",
			 "%s stream %u RIDs %05x-%05x", tdi->dev->name, id, base, limit);
		return -EPERM;
	}
	return 0;
}

/* the requested default stream of the DSM reads SECURE? (no tdi lock held) */
static int stream_check(struct genl_info *info, struct tsmh_tdi *tdi, u32 id)
{
	int ret = stream_secure(tdi, id);

	if (ret == -ENODEV) {
		TSMH_ERR(info->extack, "DSM not tracked", "%s", tdi->dsm);
		return -ENODEV;
	}
	if (ret < 0) {
		TSMH_ERR(info->extack, "LOCK: no such IDE stream of the DSM", "%s stream %u",
			 tdi->dsm, id);
		return -ENOENT;
	}
	if (!ret) {
		TSMH_ERR(info->extack, "LOCK: IDE stream is not SECURE", "%s stream %u",
			 tdi->dsm, id);
		return -EPERM;
	}
	return stream_covers(info, tdi, id);
}

/*
 * May the driver bound to a function stay for its TVM bind (the VFIO
 * case; tsmh_tdi_bind_check() and lock_gate_ok())? Only if the gate
 * released the function by a decision: an administrator's (ADMIN:
 * tsmctl gate DEV release) or the verifier's (ATTESTED). EXEMPT is
 * accepted too: it is an administrator's decision as well, written down
 * ahead of time (a udev rule, "exempt" written to the gate file) that
 * the function may get a driver without attestation; the DSM is still
 * attested by tsmd for the bind and the TVM checks the report. Refused:
 * no gate (gate=0, or a function it does not manage), a holding gate (a
 * driver there came behind it), BYPASS (bound behind a held gate:
 * driver_override rewritten), PRESENT (bound before tsmh_core loaded,
 * e.g. vfio-pci.ids=, kept with gate_bound_hold=keep: nobody decided),
 * NONE (the hold failed), NOT_CMA. NULL if it may stay, else why not.
 */
static const char *gate_bind_refusal(u32 gate, u32 reason)
{
	if (gate == TSMH_GATE_NONE)
		return "while the gate is off/does not manage it";
	if (gate != TSMH_GATE_RELEASED)
		return "while the gate holds it";
	switch (reason) {
	case TSMH_GATE_R_ADMIN:
	case TSMH_GATE_R_ATTESTED:
	case TSMH_GATE_R_EXEMPT:
		return NULL;
	case TSMH_GATE_R_BYPASS:
		return "behind the gate (bypass)";
	case TSMH_GATE_R_PRESENT:
		return "before tsmh_core loaded, never released";
	default:
		return "without a release by the gate";
	}
}

/*
 * May @tdi be locked as far as drivers and the gate go? 0 or -EBUSY
 * (extack). tdi->lock held.
 *
 * A host-initiated LOCK: no driver bound and the gate holding the TDI.
 *
 * A LOCK of the 7.2 bind hand-off (@bind: begun while tsm_bind() waits
 * for tsmd, and at its end still so): its caller is a VFIO/IOMMUFD
 * that has its driver bound for the whole binding. Upstream
 * pci_tsm_bind() (drivers/pci/tsm.c) asserts nothing about the driver
 * or the device lock (it takes pci_tsm_rwsem and the DSM's lock) and
 * says "Caller is responsible for constraining the bind lifetime to the
 * registered state of the device. For example, pci_tsm_bind() /
 * pci_tsm_unbind() limited to the VFIO driver bound state of the
 * device." So the driver bound when pci_tsm_bind() was called is
 * accepted, if it is still that driver (the same struct device_driver,
 * no bind since: @drv_seq) and the gate released it by a decision
 * (gate_bind_refusal()). A LOCK is the bind's only when it carries the
 * bind request's tsm-cookie (lock_check()); any other LOCK, also one
 * begun while a bind is in flight, keeps the host rule. A bind without a
 * driver bound at the call keeps the host rule too.
 */
static int lock_gate_ok(struct genl_info *info, struct tsmh_tdi *tdi, bool bind)
{
	struct tsmh_dev *dev = tdi->dev;
	const struct device_driver *drv;
	u32 gate, reason;
	const char *why;
	bool bound;

	lockdep_assert_held(&tdi->lock);
	mutex_lock(&dev->state_lock);
	gate = dev->gateable ? dev->gate_state : TSMH_GATE_NONE;
	reason = dev->gate_reason;
	bound = dev->driver[0];
	mutex_unlock(&dev->state_lock);
	drv = READ_ONCE(dev->pdev->dev.driver);
	if (bind && tdi->bind_drv) {
		if (drv != tdi->bind_drv || tdi->drv_seq != tdi->bind_drv_seq) {
			TSMH_ERR(info->extack, "LOCK: driver changed since tsm bind",
				 "%s (was %.20s)", dev->name, tdi->bind_drv_name);
			return -EBUSY;
		}
		why = gate_bind_refusal(gate, reason);
		if (why) {
			TSMH_ERR(info->extack, "LOCK: bound driver", "%s: %s", dev->name, why);
			return -EBUSY;
		}
		return 0;
	}
	if (bound || drv) {
		TSMH_ERR(info->extack, "LOCK: a driver is bound to the TDI", "%s", dev->name);
		return -EBUSY;
	}
	if (gate != TSMH_GATE_HELD) {
		TSMH_ERR(info->extack, "LOCK: the gate does not hold the TDI", "%s", dev->name);
		return -EBUSY;
	}
	return 0;
}

/* LOCK's preconditions beyond the state; tdi->lock held */
static int lock_check(struct genl_info *info, struct tsmh_tdi *tdi)
{
	struct nlattr *a;
	u32 flags = 0;
	u64 off = 0;
	bool bind;
	int ret;

	lockdep_assert_held(&tdi->lock);
	if (info->attrs[TSMH_A_TDI_LOCK_FLAGS])
		flags = nla_get_u32(info->attrs[TSMH_A_TDI_LOCK_FLAGS]);
	if (info->attrs[TSMH_A_TDI_MMIO_OFFSET])
		off = nla_get_u64(info->attrs[TSMH_A_TDI_MMIO_OFFSET]);
	if (flags & ~TSMH_TDISP_LOCK_FLAGS_10) {
		TSMH_ERR(info->extack, "LOCK: flags beyond TDISP 1.0", "%s %#x", tdi->dev->name,
			 flags);
		return -EINVAL;
	}
	if (off & (TSMH_TDISP_PAGE - 1)) {
		TSMH_ERR(info->extack, "LOCK: MMIO offset not 4 KiB aligned", "%s %#llx",
			 tdi->dev->name, off);
		return -EINVAL;
	}
	/* the bind's LOCK: the one carrying its request's cookie, once */
	a = info->attrs[TSMH_A_TSM_COOKIE];
	bind = a && tdi->bind_pending && tdi->bind_cookie &&
	       nla_get_u64(a) == tdi->bind_cookie;
	if (a && !bind) {
		TSMH_ERR(info->extack, "LOCK: tsm-cookie is no pending bind", "%s", tdi->dev->name);
		return -EPERM;
	}
	if (bind)
		tdi->bind_cookie = 0;
	ret = lock_gate_ok(info, tdi, bind);
	if (ret)
		return ret;
	tdi->lk_bind = bind;
	tdi->lk_flags = flags;
	tdi->lk_offset = off;
	tdi->lk_has_stream = !!info->attrs[TSMH_A_TDI_STREAM_ID];
	tdi->lk_stream = tdi->lk_has_stream ? nla_get_u32(info->attrs[TSMH_A_TDI_STREAM_ID]) : 0;
	return 0;
}

static bool guest_start_ok(struct genl_info *info, struct tsmh_tdi *tdi);

/* START's preconditions beyond the state; tdi->lock held; @nonce: the request's */
static int start_check(struct genl_info *info, struct tsmh_tdi *tdi, const u8 *nonce)
{
	bool guest;

	lockdep_assert_held(&tdi->lock);
	if (!(tdi->flags & TSMH_TDI_F_REPORT_CHECKED)) {
		TSMH_ERR(info->extack, "START: no checked report since the LOCK", "%s",
			 tdi->dev->name);
		return -EINVAL;
	}
	guest = guest_start_ok(info, tdi);
	if (!guest && info->attrs[TSMH_A_TSM_COOKIE]) {
		TSMH_ERR(info->extack, "START: tsm-cookie is no pending guest request", "%s",
			 tdi->dev->name);
		return -EPERM;
	}
	if (!guest && !READ_ONCE(tdisp_host_native)) {
		NL_SET_ERR_MSG(info->extack,
			       "host may not start a TDI in CoCo mode (tsmh_core.tdisp_host_native=0)");
		return -EPERM;
	}
	/* host-native mode is for TDIs of the host, not one a TVM holds */
	if (!guest && (tdi->flags & TSMH_TDI_F_BOUND)) {
		TSMH_ERR(info->extack, "START: TDI is bound to a TVM: only the TVM starts it",
			 "%s", tdi->dev->name);
		return -EPERM;
	}
	if (!nonce) {
		TSMH_ERR(info->extack, "START: tdi-nonce (32 bytes) required", "%s",
			 tdi->dev->name);
		return -EINVAL;
	}
	if (!(tdi->flags & TSMH_TDI_F_NONCE) || !tsmh_tdisp_nonce_eq(nonce, tdi->nonce)) {
		TSMH_ERR(info->extack, "START: nonce is not the LOCK response's", "%s",
			 tdi->dev->name);
		return -EPERM;
	}
	return 0;
}

static int state_ok(struct genl_info *info, struct tsmh_tdi *tdi, u8 op)
{
	bool ok;

	switch (op) {
	case TSMH_TDI_OP_LOCK:
		/*
		 * a bound TDI that a reset unlocked is the TVM's: it unbinds
		 * and binds again (bind locks it); the host may not lock it
		 * with parameters of its own for the TVM to START
		 */
		if (tdi->flags & TSMH_TDI_F_BOUND) {
			TSMH_ERR(info->extack, "LOCK: TDI is bound to a TVM: it binds again",
				 "%s", tdi->dev->name);
			return -EBUSY;
		}
		ok = tdi->state == TSMH_TDI_CONFIG_UNLOCKED;
		break;
	case TSMH_TDI_OP_REPORT:
		ok = tdi->state == TSMH_TDI_CONFIG_LOCKED || tdi->state == TSMH_TDI_RUN;
		break;
	case TSMH_TDI_OP_START:
		ok = tdi->state == TSMH_TDI_CONFIG_LOCKED;
		break;
	default:
		ok = true;
	}
	if (!ok)
		TSMH_ERR(info->extack, "not allowed in this state", "%s %s in %s", tdi->dev->name,
			 op_names[op], sname(tdi->state));
	return ok ? 0 : -EINVAL;
}

/* the tdi-nonce attribute: copied into @out and wiped in the skb; 1, 0 or -EINVAL */
static int take_nonce(struct genl_info *info, u8 *out)
{
	struct nlattr *a = info->attrs[TSMH_A_TDI_NONCE];

	if (!a)
		return 0;
	if (nla_len(a) != TSMH_TDI_NONCE_LEN) {
		memzero_explicit(nla_data(a), nla_len(a));
		TSMH_ERR(info->extack, "tdi-nonce must be 32 bytes", "%d bytes", nla_len(a));
		return -EINVAL;
	}
	memcpy(out, nla_data(a), TSMH_TDI_NONCE_LEN);
	memzero_explicit(nla_data(a), TSMH_TDI_NONCE_LEN);
	return 1;
}

int tsmh_nl_tdi_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	u8 nonce[TSMH_TDI_NONCE_LEN];
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi;
	int ret, has_nonce;
	u32 seq = 0;
	u64 ticket;
	u8 op;

	has_nonce = take_nonce(info, nonce);
	tdi = req_tdi(info, &dev, &ret);
	if (!tdi)
		goto wipe;
	ret = has_nonce < 0 ? has_nonce :
	      tsmh_nl_need(info, TSMH_A_TDI_OP, "tdi-op (TSMH_A_TDI_OP) required");
	if (ret)
		goto put;
	op = nla_get_u32(info->attrs[TSMH_A_TDI_OP]) < __TSMH_TDI_OP_NR ?
	     nla_get_u32(info->attrs[TSMH_A_TDI_OP]) : __TSMH_TDI_OP_NR;
	if (op == __TSMH_TDI_OP_NR) {
		TSMH_ERR(info->extack, "unknown tdi-op", "%u",
			 nla_get_u32(info->attrs[TSMH_A_TDI_OP]));
		ret = -EINVAL;
		goto put;
	}
	if (!dsm_claimed_by(tdi->dsm, sk)) {
		/* the TDI is in the request: 79 characters hold a 16-character DSM */
		TSMH_ERR(info->extack, "DSM's mailbox is not claimed by this socket", "DSM %s",
			 tdi->dsm);
		ret = -EPERM;
		goto put;
	}
	if (op == TSMH_TDI_OP_LOCK && info->attrs[TSMH_A_TDI_STREAM_ID]) {
		/* read SECURE outside tdi->lock: an IDE event meanwhile voids it */
		mutex_lock(&tdi->lock);
		seq = tdi->ide_seq;
		mutex_unlock(&tdi->lock);
		ret = stream_check(info, tdi, nla_get_u32(info->attrs[TSMH_A_TDI_STREAM_ID]));
		if (ret)
			goto put;
	}
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (tdi->removed) {
		TSMH_ERR(info->extack, "device is being removed", "%s", dev->name);
		ret = -ENODEV;
	} else if (tdi->op_pending) {
		TSMH_ERR(info->extack, "another operation is in flight", "%s %s", dev->name,
			 op_names[tdi->op]);
		ret = -EBUSY;
	} else if (op == TSMH_TDI_OP_LOCK && info->attrs[TSMH_A_TDI_STREAM_ID] &&
		   seq != tdi->ide_seq) {
		TSMH_ERR(info->extack, "LOCK: IDE stream changed during the check: retry",
			 "%s", dev->name);
		ret = -EAGAIN;
	} else {
		ret = state_ok(info, tdi, op);
	}
	if (!ret && op == TSMH_TDI_OP_LOCK)
		ret = lock_check(info, tdi);
	if (!ret && op == TSMH_TDI_OP_START)
		ret = start_check(info, tdi, has_nonce > 0 ? nonce : NULL);
	if (ret)
		goto unlock;
	do {
		ticket = get_random_u64();
	} while (!ticket || ticket == tdi->stale_ticket);
	sock_hold(sk);
	tdi->sk = sk;
	tdi->portid = info->snd_portid;
	tdi->op = op;
	tdi->ticket = ticket;
	tdi->op_pending = true;
	tdi->op_ide_lost = false;
	tdi->deadline = jiffies + msecs_to_jiffies(READ_ONCE(tdisp_timeout_ms));
	mod_delayed_work(tsmh_wq, &tdi->timeout, msecs_to_jiffies(READ_ONCE(tdisp_timeout_ms)));
	ret = reply_tdi(info, tdi, TSMH_CMD_TDI_BEGIN, ticket);
	if (ret) {
		/* the requester never learns the ticket: nothing was sent */
		pending_clear(tdi);
	}
unlock:
	mutex_unlock(&tdi->lock);
put:
	tsmh_dev_put(dev);
wipe:
	memzero_explicit(nonce, sizeof(nonce));
	return ret;
}

/* ---- netlink: tdi-end ---- */

/*
 * The TDI's BARs in bus addresses, its MSI-X table and PBA from config
 * space, and the MMIO offset it was locked with, for the report check.
 */
static void tdi_layout(struct tsmh_tdi *tdi, struct tsmh_tdisp_layout *l)
{
	struct pci_dev *pdev = tdi->dev->pdev;
	struct pci_bus_region reg;
	u32 table, pba;
	u16 ctl;
	int i, pos;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < PCI_STD_NUM_BARS && i < TSMH_TDISP_NR_BARS; i++) {
		struct resource *r = &pdev->resource[i];

		if (resource_type(r) != IORESOURCE_MEM || !resource_size(r) ||
		    (r->flags & IORESOURCE_UNSET) || !r->start)
			continue;
		pcibios_resource_to_bus(pdev->bus, &reg, r);
		l->bar[i].base = reg.start;
		l->bar[i].size = resource_size(r);
		l->bar[i].is64 = !!(r->flags & IORESOURCE_MEM_64);
		l->bar[i].prefetch = !!(r->flags & IORESOURCE_PREFETCH);
	}
	pos = pci_find_capability(pdev, PCI_CAP_ID_MSIX);
	if (pos && !pci_read_config_word(pdev, pos + PCI_MSIX_FLAGS, &ctl) &&
	    !pci_read_config_dword(pdev, pos + PCI_MSIX_TABLE, &table) &&
	    !pci_read_config_dword(pdev, pos + PCI_MSIX_PBA, &pba)) {
		l->msix = 1;
		l->table_bir = table & PCI_MSIX_TABLE_BIR;
		l->table_off = table & PCI_MSIX_TABLE_OFFSET;
		l->pba_bir = pba & PCI_MSIX_PBA_BIR;
		l->pba_off = pba & PCI_MSIX_PBA_OFFSET;
		l->table_entries = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1;
	}
	l->mmio_offset = tdi->mmio_offset;
}

/*
 * REPORT ok: parse and check the report against the real BARs, record it
 * as evidence object "report". 0; -EINVAL (ERROR report-invalid or
 * failed, done here, extack set) or another -errno (nothing changed).
 */
static int end_report(struct genl_info *info, struct tsmh_tdi *tdi)
{
	struct nlattr *a = info->attrs[TSMH_A_TDI_REPORT];
	struct tsmh_tdisp_report r;
	struct tsmh_tdisp_layout l;
	struct tsmh_idekm_why w = { 0 };
	char why[128];
	u32 bad = 0;
	u64 gen;
	int ret;

	lockdep_assert_held(&tdi->lock);
	if (!a) {
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_FAILED,
			"REPORT ok without the report: state unknown");
		NL_SET_ERR_MSG(info->extack, "tdi-report required after a REPORT");
		return -EINVAL;
	}
	ret = tsmh_tdisp_report_parse(nla_data(a), nla_len(a), &r, &w);
	if (ret) {
		snprintf(why, sizeof(why), "report malformed: %s%s%s", w.msg ? w.msg : "?",
			 w.field ? " " : "", w.field ? w.field : "");
	} else {
		tdi_layout(tdi, &l);
		ret = tsmh_tdisp_report_check(&r, &l, &bad, why, sizeof(why));
	}
	if (ret) {
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_REPORT_INVALID, "%s", why);
		/* the whole sentence is in tdi msg; the extack holds 79 characters */
		TSMH_ERR(info->extack, "report invalid", "%.63s", why);
		return -EINVAL;
	}
	ret = tsmh_ev_kernel_put(tdi->dev, TSMH_EV_REPORT, TSMH_EV_PROV_TDISP_REPORT,
				 TSMH_EV_LOCKED_LOCKED, nla_data(a), nla_len(a), &gen);
	if (ret) {
		TSMH_ERR(info->extack, "report not recorded as evidence", "%s: %d",
			 tdi->dev->name, ret);
		return ret;
	}
	tdi->flags |= TSMH_TDI_F_REPORT_CHECKED;
	tdi->report_len = nla_len(a);
	tdi->nr_ranges = r.nr_ranges;
	tdi->report_gen = gen;
	tdi_set(tdi, tdi->state, TSMH_TDI_CAUSE_REPORT,
		"report checked: %u MMIO ranges, %u bytes, evidence generation %llu",
		r.nr_ranges, nla_len(a), gen);
	return 0;
}

/* a successful operation; tdi->lock held, pending already cleared */
static int end_ok(struct genl_info *info, struct tsmh_tdi *tdi, u8 op, bool ide_lost,
		  const u8 *nonce)
{
	u8 expect = tsmh_tdisp_next(op_codes[op], tdi->state), dst;
	struct pci_dev *pdev = tdi->dev->pdev;
	u16 cmd = 0;
	int ret;

	lockdep_assert_held(&tdi->lock);
	if (!info->attrs[TSMH_A_TDI_DEV_STATE]) {
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_FAILED,
			"%s without the device's state: state unknown", op_names[op]);
		TSMH_ERR(info->extack, "tdi-dev-state required", "%s: TDI now ERROR",
			 tdi->dev->name);
		return -EINVAL;
	}
	dst = min_t(u32, nla_get_u32(info->attrs[TSMH_A_TDI_DEV_STATE]), 0xff);
	if (dst != expect) {
		pci_warn(pdev, "TDI %s: device reports %s, kernel expects %s\n", op_names[op],
			 sname(dst), sname(expect));
		tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_MISMATCH,
			"after %s device reports %s, kernel expects %s", op_names[op], sname(dst),
			sname(expect));
		TSMH_ERRF(info->extack, "device state differs from the kernel's",
			  "device reports %s, kernel expects %s", sname(dst), sname(expect));
		return -EPROTO;
	}
	switch (op) {
	case TSMH_TDI_OP_LOCK:
		if (ide_lost) {
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_IDE_LOST,
				"IDE stream %u went insecure during the LOCK", tdi->lk_stream);
			NL_SET_ERR_MSG(info->extack, "IDE stream went insecure during the LOCK");
			return -EPROTO;
		}
		/*
		 * a driver bound behind the gate meanwhile (driver_override),
		 * or the bind's driver swapped, or its hand-off over
		 */
		ret = lock_gate_ok(info, tdi, tdi->lk_bind && tdi->bind_pending);
		if (ret) {
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_CONFIG_WRITE,
				"driver bound or gate released during the LOCK");
			return ret;
		}
		if (!nonce) {
			tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_FAILED,
				"LOCK without the response's nonce");
			NL_SET_ERR_MSG(info->extack, "tdi-nonce (32 bytes) required after a LOCK");
			return -EINVAL;
		}
		tdi->lock_flags = tdi->lk_flags;
		tdi->stream_id = tdi->lk_stream;
		tdi->has_stream = tdi->lk_has_stream;
		tdi->mmio_offset = tdi->lk_offset;
		memcpy(tdi->nonce, nonce, TSMH_TDI_NONCE_LEN);
		tdi->flags |= TSMH_TDI_F_NONCE;
		tdi->flags &= ~(TSMH_TDI_F_REPORT_CHECKED | TSMH_TDI_F_HOST_STARTED);
		if (!pci_read_config_word(pdev, PCI_COMMAND, &cmd) && cmd != 0xffff)
			tdi->cmd_seen = cmd & CMD_BITS;
		cfg_snapshot(tdi);
		if (tdi->has_stream)
			tdi_set(tdi, TSMH_TDI_CONFIG_LOCKED, TSMH_TDI_CAUSE_LOCK,
				"locked (flags %#x, IDE stream %u, MMIO offset %#llx)",
				tdi->lock_flags, tdi->stream_id, tdi->mmio_offset);
		else
			tdi_set(tdi, TSMH_TDI_CONFIG_LOCKED, TSMH_TDI_CAUSE_LOCK,
				"locked (flags %#x, no IDE stream, MMIO offset %#llx)",
				tdi->lock_flags, tdi->mmio_offset);
		return 0;
	case TSMH_TDI_OP_REPORT:
		return end_report(info, tdi);
	case TSMH_TDI_OP_START:
		nonce_wipe(tdi);
		if (tdi->op_guest) {
			tdi_set(tdi, TSMH_TDI_RUN, TSMH_TDI_CAUSE_START,
				"started for its TVM (guest request)");
			return 0;
		}
		tdi->flags |= TSMH_TDI_F_HOST_STARTED;
		pci_info(pdev, "TDI started by a host requester: host-native test mode, not CoCo\n");
		tdi_set(tdi, TSMH_TDI_RUN, TSMH_TDI_CAUSE_START, "started (host-native)");
		return 0;
	case TSMH_TDI_OP_STOP:
		tdi_set(tdi, TSMH_TDI_CONFIG_UNLOCKED, TSMH_TDI_CAUSE_STOP, "stopped");
		return 0;
	}
	return 0;	/* STATE: as the kernel has it */
}

/* a failed operation; tdi->lock held, pending already cleared */
static void end_failed(struct genl_info *info, struct tsmh_tdi *tdi, u8 op, int status)
{
	struct nlattr *e = info->attrs[TSMH_A_TDI_ERROR];
	struct nlattr *s = info->attrs[TSMH_A_TDI_DEV_STATE];
	struct nlattr *m = info->attrs[TSMH_A_TDI_MSG];
	char why[TSMH_GATE_MSG_MAX];
	size_t i;

	lockdep_assert_held(&tdi->lock);
	/* the requester's text, printable ASCII only (it reaches the log) */
	strscpy(why, m ? (const char *)nla_data(m) : "", sizeof(why));
	for (i = 0; why[i]; i++)
		if (why[i] < 0x20 || why[i] > 0x7e)
			why[i] = '?';
	if (e && (!s || nla_get_u32(s) == tdi->state)) {
		scnprintf(tdi->msg, sizeof(tdi->msg), "%s failed: TDISP_ERROR %s (%d)%s%.80s",
			  op_names[op], tsmh_tdisp_error_name(nla_get_u32(e)), status,
			  why[0] ? ": " : "", why);
		pci_info_ratelimited(tdi->dev->pdev, "TDI %s failed: TDISP_ERROR %s, state %s kept\n",
				     op_names[op], tsmh_tdisp_error_name(nla_get_u32(e)),
				     sname(tdi->state));
		return;
	}
	tdi_set(tdi, TSMH_TDI_ERROR, TSMH_TDI_CAUSE_FAILED,
		"state unknown after failed %s (%d)%s%.80s", op_names[op], status,
		why[0] ? ": " : "", why);
}

int tsmh_nl_tdi_end_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	u8 nonce[TSMH_TDI_NONCE_LEN];
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi;
	int ret, has_nonce, status;
	bool ide_lost, lk, insecure, recheck = false;
	u32 stream;
	u64 ticket;
	u8 op;

	has_nonce = take_nonce(info, nonce);
	tdi = req_tdi(info, &dev, &ret);
	if (!tdi)
		goto wipe;
	ret = has_nonce < 0 ? has_nonce :
	      tsmh_nl_need(info, TSMH_A_TDI_TICKET, "tdi-ticket (TSMH_A_TDI_TICKET) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_TDI_STATUS,
				   "tdi-status (TSMH_A_TDI_STATUS) required");
	if (!ret && info->attrs[TSMH_A_TDI_MSG] &&
	    nla_len(info->attrs[TSMH_A_TDI_MSG]) > TSMH_GATE_MSG_MAX) {
		NL_SET_ERR_MSG(info->extack, "tdi-msg longer than 127 bytes");
		ret = -EINVAL;
	}
	if (ret)
		goto put;
	ticket = nla_get_u64(info->attrs[TSMH_A_TDI_TICKET]);
	status = (int)nla_get_u32(info->attrs[TSMH_A_TDI_STATUS]);
	/* the session owner still: a released claim abandoned the operation */
	if (!dsm_claimed_by(tdi->dsm, sk)) {
		TSMH_ERR(info->extack, "DSM's mailbox is not claimed by this socket", "DSM %s",
			 tdi->dsm);
		ret = -EPERM;
		goto put;
	}
	/* a LOCK's stream must read SECURE now (outside tdi->lock: a bridge lock) */
	mutex_lock(&tdi->lock);
	lk = tdi->op_pending && tdi->ticket == ticket && tdi->op == TSMH_TDI_OP_LOCK &&
	     tdi->lk_has_stream;
	stream = tdi->lk_stream;
	mutex_unlock(&tdi->lock);
	/* watched first: a write after the read below is seen at once */
	if (lk)
		stream_watch(tdi, stream);
	insecure = lk && stream_secure(tdi, stream) <= 0;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (ticket && ticket == tdi->stale_ticket) {
		TSMH_ERR(info->extack, "operation cancelled by a reset", "%s", dev->name);
		ret = -ESTALE;
		goto unlock;
	}
	if (!tdi->op_pending || tdi->ticket != ticket) {
		TSMH_ERR(info->extack, "no such operation pending", "%s", dev->name);
		ret = -ENOENT;
		goto unlock;
	}
	if (tdi->sk != sk) {
		TSMH_ERR(info->extack, "operation begun by another socket", "%s", dev->name);
		ret = -EPERM;
		goto unlock;
	}
	op = tdi->op;
	ide_lost = tdi->op_ide_lost || insecure;
	pending_clear(tdi);
	cancel_delayed_work(&tdi->timeout);
	if (tdi->state == TSMH_TDI_ERROR && op != TSMH_TDI_OP_STOP && op != TSMH_TDI_OP_STATE) {
		/* a config write or IDE loss while it was in flight decided it */
		TSMH_ERR(info->extack, "TDI went to ERROR during the operation", "%s", dev->name);
		ret = -ESTALE;
		goto unlock;
	}
	if (status == 0) {
		ret = end_ok(info, tdi, op, ide_lost, has_nonce > 0 ? nonce : NULL);
	} else {
		end_failed(info, tdi, op, status);
		ret = 0;
	}
	if (!ret)
		ret = reply_tdi(info, tdi, TSMH_CMD_TDI_END, 0);
	recheck = lk && !ret && tdi->state == TSMH_TDI_CONFIG_LOCKED && tdi->has_stream;
unlock:
	mutex_unlock(&tdi->lock);
	/* the stream disabled between the read above and the LOCK: seen now */
	if (recheck)
		stream_cfg_check(tdi, stream);
put:
	tsmh_dev_put(dev);
wipe:
	memzero_explicit(nonce, sizeof(nonce));
	return ret;
}

/* ---- 7.2 TSM core: bind, unbind, guest requests (tsm.c) ---- */

/*
 * A tdi-begin START carrying the tsm-cookie of the TVM's request in flight
 * (armed by tsmh_tdi_guest_arm(), which only the TSM core's guest_req
 * reaches): the guest's START, allowed in CoCo mode. The cookie is used up
 * here, whatever the rest of the checks say. tdi->lock held.
 */
static bool guest_start_ok(struct genl_info *info, struct tsmh_tdi *tdi)
{
	struct nlattr *a = info->attrs[TSMH_A_TSM_COOKIE];
	bool ok;

	lockdep_assert_held(&tdi->lock);
	ok = a && tdi->guest_cookie && (tdi->flags & TSMH_TDI_F_BOUND) &&
	     nla_get_u64(a) == tdi->guest_cookie;
	if (ok)
		tdi->guest_cookie = 0;
	tdi->op_guest = ok;
	return ok;
}

/* @pdev's TDI (+1 ref on its device in *@devp), or NULL */
static struct tsmh_tdi *pdev_tdi(struct pci_dev *pdev, struct tsmh_dev **devp)
{
	struct tsmh_dev *dev = tsmh_dev_find(pci_name(pdev));
	struct tsmh_tdi *tdi = dev ? READ_ONCE(dev->tdi) : NULL;

	if (dev && !tdi) {
		tsmh_dev_put(dev);
		dev = NULL;
	}
	*devp = dev;
	return tdi;
}

/*
 * Also starts the bind hand-off: the driver bound now (a VFIO caller's
 * vfio-pci) is recorded for lock_gate_ok(). A driver bound behind the
 * gate is refused before tsmd is asked.
 */
int tsmh_tdi_bind_check(struct pci_dev *pdev)
{
	const struct device_driver *drv = READ_ONCE(pdev->dev.driver);
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	const char *why;
	u32 gate, reason;
	int ret = 0;

	if (!tdi) {
		pci_info(pdev, "tsm bind: not a TDI of ours (its DSM has no TEE-IO)\n");
		return -ENXIO;
	}
	mutex_lock(&dev->state_lock);
	gate = dev->gateable ? dev->gate_state : TSMH_GATE_NONE;
	reason = dev->gate_reason;
	mutex_unlock(&dev->state_lock);
	why = drv ? gate_bind_refusal(gate, reason) : NULL;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (tdi->removed)
		ret = -ENODEV;
	else if (tdi->op_pending || tdi->bind_pending || (tdi->flags & TSMH_TDI_F_BOUND) ||
		 tdi->state != TSMH_TDI_CONFIG_UNLOCKED)
		ret = -EBUSY;
	if (ret) {
		pci_info(pdev, "tsm bind: TDI %s%s%s%s: not bound (needs CONFIG_UNLOCKED, idle)\n",
			 sname(tdi->state),
			 tdi->op_pending || tdi->bind_pending ? ", an operation in flight" : "",
			 tdi->flags & TSMH_TDI_F_BOUND ? ", bound" : "",
			 tdi->removed ? ", being removed" : "");
	} else if (why) {
		pci_info(pdev, "tsm bind: driver %s bound %s: not bound (to let it stay: tsmctl gate %s release)\n",
			 drv->name, why, pci_name(pdev));
		ret = -EPERM;
	} else {
		tdi->bind_pending = true;
		tdi->bind_drv = drv;
		strscpy(tdi->bind_drv_name, drv ? drv->name : "", sizeof(tdi->bind_drv_name));
		tdi->bind_drv_seq = tdi->drv_seq;
		tdi->bind_cookie = 0;
	}
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

/*
 * The bind request's cookie, before tsmd hears of it (tsm.c tsm_ask()):
 * the LOCK carrying it is the bind's. Cannot fail after bind_check()
 * unless the TDI is going.
 */
int tsmh_tdi_bind_arm(struct pci_dev *pdev, u64 cookie)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	int ret = 0;

	if (!tdi)
		return -ENODEV;
	mutex_lock(&tdi->lock);
	if (tdi->removed || !tdi->bind_pending || tdi->bind_cookie) {
		pci_err(pdev, "tsm bind: no hand-off to arm (%s)\n",
			tdi->removed ? "being removed" : tdi->bind_pending ? "armed" : "none");
		ret = -ENODEV;	/* nothing asked: tsm_bind() asks no UNBIND */
	} else {
		tdi->bind_cookie = cookie;
	}
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

/* the bind hand-off is over; tdi->lock held */
static void bind_end(struct tsmh_tdi *tdi)
{
	lockdep_assert_held(&tdi->lock);
	tdi->bind_pending = false;
	tdi->bind_drv = NULL;
	tdi->bind_drv_name[0] = 0;
	tdi->bind_cookie = 0;
}

/*
 * The driver is checked at the LOCK's begin and end; REPORT comes after.
 * A driver bound meanwhile moved a CONFIG_LOCKED TDI to ERROR
 * (tsmh_tdi_driver_bound()); one unbound is caught here: the binding is
 * limited to the driver bound at pci_tsm_bind(), so it must still be
 * that one, with no bind since (-EBUSY; tsm_bind() then asks UNBIND).
 */
int tsmh_tdi_bind_done(struct pci_dev *pdev, u64 tvm)
{
	const struct device_driver *drv = READ_ONCE(pdev->dev.driver);
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	int ret = 0;

	if (!tdi)
		return -ENODEV;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (!tdi->removed && (drv != tdi->bind_drv || tdi->drv_seq != tdi->bind_drv_seq)) {
		pci_err(pdev, "tsm bind: driver changed since tsm bind (was %.20s, now %.20s): not bound\n",
			tdi->bind_drv_name[0] ? tdi->bind_drv_name : "none",
			drv ? drv->name : "none");
		bind_end(tdi);
		mutex_unlock(&tdi->lock);
		tsmh_dev_put(dev);
		return -EBUSY;
	}
	bind_end(tdi);
	if (tdi->removed || tdi->state != TSMH_TDI_CONFIG_LOCKED ||
	    !(tdi->flags & TSMH_TDI_F_REPORT_CHECKED)) {
		pci_err(pdev, "tsm bind: tsmd answered success but the TDI is %s%s: not bound\n",
			sname(tdi->state),
			tdi->flags & TSMH_TDI_F_REPORT_CHECKED ? "" : " without a checked report");
		ret = -EPROTO;
	} else {
		tdi->flags |= TSMH_TDI_F_BOUND;
		tdi->bind_lock = true;
		tdi->tvm = tvm;
		tdi_set(tdi, tdi->state, TSMH_TDI_CAUSE_LOCK, "bound to TVM %016llx", tvm);
	}
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

void tsmh_tdi_bind_abort(struct pci_dev *pdev)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);

	if (!tdi)
		return;
	mutex_lock(&tdi->lock);
	bind_end(tdi);
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
}

void tsmh_tdi_unbound(struct pci_dev *pdev)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);

	if (!tdi)
		return;
	mutex_lock(&tdi->lock);
	if (tdi->flags & TSMH_TDI_F_BOUND) {
		tdi->flags &= ~TSMH_TDI_F_BOUND;
		tdi->guest_cookie = 0;
		tdi->bind_lock = false;
		if (tdi->state == TSMH_TDI_CONFIG_LOCKED || tdi->state == TSMH_TDI_RUN)
			pci_warn(pdev, "tsm unbind: TDI still %s without its TVM: stop it (tsmctl tdi stop)\n",
				 sname(tdi->state));
		tdi_set(tdi, tdi->state, TSMH_TDI_CAUSE_STOP, "unbound from TVM %016llx (%s)",
			tdi->tvm, sname(tdi->state));
		tdi->tvm = 0;
	}
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
}

/*
 * A TVM's START needs the lock its bind made (@bind_lock). No path is
 * known to break that (state_ok() refuses every LOCK of a BOUND TDI, so
 * a bound CONFIG_LOCKED TDI always holds its bind's lock): defence in
 * depth, logged as an error if it ever happens.
 */
int tsmh_tdi_guest_arm(struct pci_dev *pdev, u64 cookie)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	int ret = 0;

	if (!tdi)
		return -ENXIO;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	if (tdi->removed || !(tdi->flags & TSMH_TDI_F_BOUND) || tdi->op_pending ||
	    tdi->guest_cookie || tdi->state != TSMH_TDI_CONFIG_LOCKED ||
	    !(tdi->flags & TSMH_TDI_F_REPORT_CHECKED) || !tdi->bind_lock) {
		pci_info(pdev, "tsm guest request START: TDI %s, flags %#x%s%s: refused\n",
			 sname(tdi->state), tdi->flags,
			 tdi->op_pending || tdi->guest_cookie ? ", busy" : "",
			 (tdi->flags & TSMH_TDI_F_BOUND) && !tdi->bind_lock ?
			 ", not the lock its bind made" : "");
		if ((tdi->flags & TSMH_TDI_F_BOUND) && !tdi->bind_lock &&
		    tdi->state == TSMH_TDI_CONFIG_LOCKED)
			pci_err(pdev, "tsm guest request START: bound TDI CONFIG_LOCKED by another lock than its bind's (should not happen)\n");
		ret = tdi->op_pending || tdi->guest_cookie ? -EBUSY : -EINVAL;
	} else {
		tdi->guest_cookie = cookie;
	}
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

/* the TDI's state after the request (or -errno); the cookie is dropped */
int tsmh_tdi_guest_disarm(struct pci_dev *pdev)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	int ret;

	if (!tdi)
		return -ENODEV;
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	tdi->guest_cookie = 0;
	ret = tdi->state;
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	return ret;
}

ssize_t tsmh_tdi_info(struct pci_dev *pdev, void *buf, size_t len)
{
	struct tsmh_dev *dev;
	struct tsmh_tdi *tdi = pdev_tdi(pdev, &dev);
	struct sk_buff *skb;
	struct nlattr *n;
	ssize_t ret;

	if (!tdi)
		return -ENXIO;
	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb) {
		tsmh_dev_put(dev);
		return -ENOMEM;
	}
	mutex_lock(&tdi->lock);
	cmd_check(tdi);
	ret = put_tdi(skb, tdi);
	mutex_unlock(&tdi->lock);
	tsmh_dev_put(dev);
	if (!ret) {
		n = (struct nlattr *)skb->data;
		ret = nla_len(n);
		if ((size_t)ret > len)
			ret = -ENOSPC;
		else
			memcpy(buf, nla_data(n), ret);
	}
	kfree_skb(skb);
	return ret;
}
