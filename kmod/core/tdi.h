/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tsmh_core: TDISP TDIs (ABI 6, docs/design.md "TDISP (kernel)").
 *
 * Objects: one struct tsmh_tdi per tracked endpoint function or VF whose
 * DSM (function 0 of its device, or a VF's PF) has TEE-IO Supported,
 * reached from its struct tsmh_dev (@dev->tdi, set once at add, freed
 * with the tsmh_dev) and listed in tdi.c's tsmh_tdis.
 *
 * Lock order (see also core.h "Lock order"):
 *
 *   device_lock(&pdev->dev)        gate.c's release check runs under it
 *   +- tsmh_ide_bridge.lock        ide-stream-del's check and the IDE
 *      |                           events (stream insecure / deleted)
 *      +- tsmh_tdi_list_lock       the list of TDIs (tdi.c)
 *         +- tdi->lock             one TDI's state, below
 *            +- dev->state_lock    any device's (gate state, DSM claim)
 *            +- dev->ev_lock       the TDI's evidence (report recorded)
 *
 * Nothing takes an IDE bridge lock, tsmh_devs_lock, gate_op_lock or a
 * device lock while holding tsmh_tdi_list_lock or a tdi->lock. Events are
 * multicast with tdi->lock held (nothing inside).
 */
#ifndef TSMH_CORE_TDI_H
#define TSMH_CORE_TDI_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <uapi/linux/tsmh.h>

struct device_driver;
struct tsmh_dev;
struct pci_dev;

/*
 * struct tsmh_tdi - one TDI
 * Constant after add: @dev (the TDI's device; not referenced, the TDI
 *	lives inside it), @dsm (name), @interface_id.
 * @node: in tsmh_tdis, under tsmh_tdi_list_lock.
 * @lock: protects everything below.
 * @state: enum tsmh_tdi_state; @flags: TSMH_TDI_F_* but PENDING (derived
 *	from @op_pending); @since, @msg: the last change and why.
 * @lock_flags, @stream_id, @has_stream, @mmio_offset: as locked.
 * @nonce: the START_INTERFACE nonce of the LOCK response (TSMH_TDI_F_NONCE
 *	set while held); wiped on START, STOP, reset, ERROR and at removal.
 * @report_len, @nr_ranges, @report_gen: the recorded report.
 * @cmd_seen: PCI_COMMAND Memory Space / Bus Master Enable bits seen set
 *	while CONFIG_LOCKED or RUN (one of them cleared: ERROR config-write).
 * @bars, @sriov_pos, @vf_mse: as at the LOCK, the BAR registers (a VF:
 *	its PF's VF BARs at @sriov_pos) and a VF's VF Memory Space Enable
 *	(a change: ERROR config-write).
 * Pending operation (@op_pending): @op, @ticket, @sk (held with
 *	sock_hold() while pending), @portid, @deadline (jiffies),
 *	@lk_flags/@lk_stream/@lk_has_stream/@lk_offset (a LOCK's request),
 *	@op_ide_lost (the LOCK's stream went insecure meanwhile).
 * @stale_ticket: the ticket of an operation a reset cancelled (its end
 *	gets ESTALE).
 * @ide_seq: counts IDE events (stream insecure/deleted) of the DSM, so a
 *	LOCK's SECURE check made outside @lock can tell it is void.
 * @removed: the device is going; nothing changes any more.
 * @timeout: abandons an operation pending past tdisp_timeout_ms.
 * 7.2 TSM core (tsm.c; TSMH_TDI_F_BOUND in @flags while bound):
 * @tvm: an ID of the TVM it is bound to (a keyed hash of its struct kvm,
 *	never the pointer), 0 if none.
 * @guest_cookie: the evt-tsm-req cookie of a TVM's STATE_CHANGE request
 *	in flight (0: none): a tdi-begin START carrying it is the guest's
 *	START, allowed in CoCo mode; single use.
 * @op_guest: the START in flight was begun with @guest_cookie.
 * @bind_lock: the lock in place is the one its bind made (set by
 *	bind_done, cleared when the state leaves CONFIG_LOCKED/RUN and at
 *	unbind): a TVM may START only that lock, never one the host made
 *	after a reset of a bound TDI.
 * @drv_seq: counts the driver binds to @dev seen (tsmh_tdi_driver_bound()).
 * The bind hand-off in flight (tsm.c tsm_bind() asking tsmd), set by
 * tsmh_tdi_bind_check(), cleared by tsmh_tdi_bind_done()/_bind_abort():
 * @bind_pending; @bind_drv (compared, never dereferenced; NULL: none),
 * @bind_drv_name and @bind_drv_seq: the driver bound to @dev when
 * pci_tsm_bind() was called and @drv_seq then; @bind_cookie: the
 * evt-tsm-req cookie of that bind request (armed by tsmh_tdi_bind_arm()
 * from tsm.c's tsm_ask(), 0: none or used). Only a LOCK begun meanwhile
 * carrying @bind_cookie (single use; @lk_bind) is the bind's LOCK and
 * accepts that driver if the gate released it by a decision (tdi.c
 * gate_bind_refusal(), lock_gate_ok()); any other LOCK keeps the host rule.
 */
struct tsmh_tdi {
	struct list_head node;
	struct tsmh_dev *dev;
	char dsm[32];
	u32 interface_id;
	struct mutex lock;	/* see above */
	u8 state;
	u32 flags;
	u64 since;
	char msg[TSMH_GATE_MSG_MAX];
	u32 lock_flags;
	u32 stream_id;
	bool has_stream;
	u64 mmio_offset;
	u8 nonce[TSMH_TDI_NONCE_LEN];
	u32 report_len;
	u32 nr_ranges;
	u64 report_gen;
	u16 cmd_seen;
	u32 bars[6];
	u16 sriov_pos;
	bool vf_mse;
	bool op_pending;
	u8 op;
	u64 ticket;
	struct sock *sk;
	u32 portid;
	unsigned long deadline;
	u32 lk_flags;
	u32 lk_stream;
	bool lk_has_stream;
	u64 lk_offset;
	bool op_ide_lost;
	u64 stale_ticket;
	u32 ide_seq;
	bool removed;
	struct delayed_work timeout;
	u64 tvm;
	u64 guest_cookie;
	bool op_guest;
	bool bind_lock;
	u32 drv_seq;
	bool bind_pending;
	const struct device_driver *bind_drv;
	char bind_drv_name[32];
	u32 bind_drv_seq;
	u64 bind_cookie;
	bool lk_bind;
};

/* core hooks */
bool tsmh_tdi_wants(struct pci_dev *pdev);	/* an endpoint whose DSM has TEE-IO */
void tsmh_tdi_add(struct tsmh_dev *dev);	/* after it is listed */
void tsmh_tdi_remove(struct tsmh_dev *dev);	/* evt-tdi removed; no change after */
void tsmh_tdi_free(struct tsmh_dev *dev);	/* at the tsmh_dev's release */
void tsmh_tdi_release(struct net *net, u32 portid);	/* a netlink socket closed */
/* @sk released a claim on a mailbox of @dsm (netlink.c; no lock held) */
void tsmh_tdi_claim_released(struct tsmh_dev *dsm, struct sock *sk);
void tsmh_tdi_reset(struct tsmh_dev *dev, u32 kind);	/* a reset of @dev was seen */
void tsmh_tdi_init(void);	/* config-write probes */
/* ide.c: config writes to offset @off of any device are to be re-checked */
void tsmh_tdi_cfg_watch(int off);
void tsmh_tdi_exit(void);
/*
 * gate.c, device lock held: may @dev be released? 0, or -EBUSY with the
 * extack (which may be NULL) naming the TDI and its state.
 */
int tsmh_tdi_gate_release_check(struct tsmh_dev *dev, struct netlink_ext_ack *extack);
/*
 * gate.c, device lock held: driver @drv bound to @dev (@bypass: while the
 * gate held it). A CONFIG_LOCKED TDI, or a RUN one with @bypass, -> ERROR.
 */
void tsmh_tdi_driver_bound(struct tsmh_dev *dev, const char *drv, bool bypass);
/* gate.c, device lock held: the driver of @dev unbound (logged if bound to a TVM) */
void tsmh_tdi_driver_unbound(struct tsmh_dev *dev);
/*
 * ide.c, the stream's bridge lock held: the stream @id of the endpoint
 * @ep went insecure or was deleted; may it be deleted (0, or -EBUSY)?
 */
void tsmh_tdi_ide_lost(struct tsmh_dev *ep, u32 id, bool deleted);
int tsmh_tdi_stream_del_check(struct tsmh_dev *ep, u32 id, struct netlink_ext_ack *extack);

/*
 * 7.2 TSM core (tsm.c), each taking the TDI's lock: bind_check before the
 * daemon is asked (CONFIG_UNLOCKED, unbound, idle; records the bound
 * driver and starts the hand-off), bind_arm with the request's cookie
 * (the one LOCK that is the bind's), bind_done after its success
 * (CONFIG_LOCKED with a checked report, the driver of bind_check still
 * bound and none bound since: BOUND to @tvm) and bind_abort
 * after a failure end the hand-off, unbound at
 * unbind; guest_arm/disarm around a TVM's START request; info: the tdi
 * nest's attributes into @buf (their length, or -errno). 0 or -errno, the
 * reason logged.
 */
int tsmh_tdi_bind_check(struct pci_dev *pdev);
int tsmh_tdi_bind_arm(struct pci_dev *pdev, u64 cookie);
int tsmh_tdi_bind_done(struct pci_dev *pdev, u64 tvm);
void tsmh_tdi_bind_abort(struct pci_dev *pdev);
void tsmh_tdi_unbound(struct pci_dev *pdev);
int tsmh_tdi_guest_arm(struct pci_dev *pdev, u64 cookie);
int tsmh_tdi_guest_disarm(struct pci_dev *pdev);
ssize_t tsmh_tdi_info(struct pci_dev *pdev, void *buf, size_t len);

#endif
