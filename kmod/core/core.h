/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tsmh_core: object model shared by the core module's files.
 *
 * Lock order (the one place it is written down; outermost first: a lock
 * may be taken while holding only locks above it on its own branch):
 *
 *   pci_lock_rescan_remove()     the PCI core's; the bus notifier's ADD and
 *   |                            DEL run under it (DEL drains the device's
 *   |                            mailboxes: xfer_lock), and so do load's
 *   |                            walk and unload's drain (main.c)
 *   dev->gate_op_lock            gate changes (gate.c); held across
 *   |                            driver_override updates, device_attach()
 *   |                            and device_release_driver()
 *   +- device_lock(&pdev->dev)   the driver core's; probe, remove and the
 *      |                         bus notifier's BOUND/UNBOUND run under it,
 *      |                         and so do resets through the PCI core
 *      |                         (gate.c changes driver_override and the
 *      |                         gate state under it, so a hold or release
 *      |                         is serialised with probe; it also checks an
 *      |                         attested release and clears Bus Master
 *      |                         Enable under it)
 *      +- tsmh_devs_lock         the device list (main.c)
 *         +- mb->xfer_lock       one DOE exchange; may sleep up to the DOE
 *         |  |                   timeout
 *         |  +- dev->state_lock  flags, mailbox and gate state; short
 *         |                      sections only
 *         +- dev->ev_lock        the evidence of one device (evidence.c)
 *
 * - IDE (ide.h): tsmh_ide_bridge.lock is taken with at most the rescan
 *   lock (hot-removal, unload, add) held and no other tsmh_core lock; the
 *   IDE code looks devices up (tsmh_devs_lock) before taking it and drops
 *   device references after releasing it. tsmh_ide_list_lock is a leaf.
 * - dev->ev_lock is never held together with dev->state_lock or with a
 *   mailbox xfer_lock (they are on different branches).
 * - Nothing takes the device lock while holding tsmh_devs_lock,
 *   xfer_lock, state_lock or ev_lock, and the bus notifier (device lock
 *   held) never takes gate_op_lock.
 * - tsmh_set_driver_override()/tsmh_driver_override_is() (compat.h) may
 *   take the device lock (6.1): call them with at most gate_op_lock held.
 *   Their _locked variants run with the device lock held (asserted) and
 *   take nothing but the leaf driver_override spinlock (6.12 and later),
 *   so they may be called under state_lock too (gate_apply(), the BOUND
 *   notifier); they allocate (GFP_KERNEL, or GFP_ATOMIC under the leaf).
 * - dev->reset_count is read under state_lock by evidence.c before it
 *   takes ev_lock, never inside it.
 * - Leaves, with nothing nested inside: tsmh_ev_tfm_lock (evidence.c),
 *   hold_ids_lock (gate.c; the hold_ids parameter's set callback takes it
 *   under the module's kernel_param_lock and only queues work),
 *   ring_lock (reset.c, a spinlock taken in kretprobe handlers and by
 *   tsmh_reset_pending()), the driver core's driver_override spinlock
 *   (6.12 and later).
 * - tsmh_reset_pending(dev) is per device: it answers for @dev (a reset
 *   of it or of a bridge above it in flight, in reset.c's ring or in the
 *   batch its work is counting; or one no device can be named for) and
 *   needs @dev's device lock (asserted): no PCI-core reset of @dev runs
 *   while it is held, and one that ran before stays visible to the check
 *   (in flight, ring, batch) until @dev's reset_count moved. It walks
 *   @dev's upstream bridges under ring_lock without a lock of theirs (a
 *   device holds its parents).
 * - sysfs: the evidence files' readers take no lock (they read an
 *   immutable set their view holds a reference to), so ev_lock may be
 *   held while those files are removed; the gate file's show takes
 *   state_lock and its store gate_op_lock, so it is removed with neither
 *   held.
 * - The generic netlink family has parallel_ops: no genl_mutex above any
 *   of these; handlers take only the locks above. genl_rcv() still holds
 *   the global cb_lock (read) across every handler, and a family
 *   registration anywhere takes it for write: no handler may sleep for a
 *   device. DOE exchanges therefore run in tsmh_wq work items, which take
 *   xfer_lock and answer the request themselves (netlink.c, struct
 *   doe_xchg); handlers take xfer_lock never.
 * - Unload (tsmh_core_exit()) mirrors load: with the rescan lock held it
 *   unregisters the bus notifier, marks every device @gone and then drains
 *   each mailbox (xfer_lock, @kmb cleared), exactly as a hot-removal's DEL
 *   notification does under the remover's rescan lock. So no device can be
 *   removed between the notifier going away and the drain. The drain waits
 *   for the one exchange in flight on each mailbox (queued ones see @gone
 *   and stop): at most one DOE timeout per mailbox (config backend: less,
 *   its poll stops on @gone), the same wait a hot-removal has.
 *
 * tsmh_sim has its own locks (struct tsmh_sim in kmod/sim/sim.h) and
 * shares none with tsmh_core.
 */
#ifndef TSMH_CORE_H
#define TSMH_CORE_H

#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/tsmh.h>

#include "doe.h"
#include "pcicap.h"

#define TSMH_MAX_PROTS	16

struct tsmh_dev;
struct tsmh_ev_set;
struct tsmh_ev_view;
struct tsmh_ide_kport;
struct tsmh_tdi;

/*
 * struct tsmh_mb - one DOE mailbox of a tracked device
 * @dev, @off: constant.
 * @xfer_lock: serialises exchanges on the mailbox (held across the whole
 *	request/response, which may sleep for up to the DOE timeout); see
 *	"Lock order" at the top of this file.
 * @kmb: the PCI core's mailbox (kernel backend): set by discovery and
 *	cleared on removal and at unload, both under @xfer_lock.
 * Fields below are protected by @dev->state_lock (short critical sections,
 * so readers such as a dump never wait behind an exchange):
 * @prots, @nr_prots, @disc_err: DOE discovery result.
 * @owner, @owner_sk, @owner_portid, @owner_name: the SPDM owner
 *	(arbitration). A host claim belongs to the netlink socket itself
 *	(@owner_sk, referenced with sock_hold() while the claim lasts), not
 *	to its port id, which a new socket may take over before the old
 *	one's release notification has run; @owner_portid is for display.
 * @nr_queued: exchanges admitted and not finished (netlink.c).
 * @nr_xfer: completed exchanges.
 */
struct tsmh_mb {
	struct tsmh_dev *dev;
	u16 off;
	struct mutex xfer_lock;	/* see above */
	void *kmb;
	struct tsmh_doe_disc_ent prots[TSMH_MAX_PROTS];
	u8 nr_prots;
	int disc_err;
	enum tsmh_owner owner;
	struct sock *owner_sk;
	u32 owner_portid;
	char owner_name[16];
	u8 nr_queued;
	u64 nr_xfer;
};

/*
 * struct tsmh_dev - a PCI function tracked by tsm-host (it has a DOE
 * mailbox, an IDE capability, or TEE-IO Supported)
 * Locks: see "Lock order" at the top of this file.
 * @node: in tsmh_devs, under tsmh_devs_lock.
 * @ref: lifetime; the list holds one reference, each user one more.
 * @pdev: referenced for the lifetime of @ref.
 * @name, @caps, @serial, @has_serial, @nr_mb: constant after add.
 * @gone: set once when the device is removed or the module unloads
 *	(before the mailboxes are drained); read locklessly (READ_ONCE) by
 *	pollers and queued exchanges, which then give up with -ENODEV.
 * @announced: the "added" event went out (so "removed" may follow);
 *	WRITE_ONCE/READ_ONCE, no lock.
 * @state_lock: protects @flags and the state fields of each @mb.
 * @disc_work: DOE discovery, run off the PCI enumeration path.
 * @ev_lock: protects the evidence fields below (evidence.c).
 * @ev: the committed evidence set, or NULL.
 * @ev_stages: staging sets (struct tsmh_ev_stage), one per writer socket.
 * @ev_kobj, @ev_view: the sysfs "tsmh" directory and the files in it.
 * @ev_dead: the device is being removed; no new staging or commit.
 *
 * Driver gate and resets (gate.c, reset.c):
 * @gate_op_lock: serialises gate changes of this device (GATE_SET, the
 *	sysfs gate file, discovery's NOT_CMA release, reset_hold, the
 *	unbind/probe after load, hold_ids writes, its leader's changes).
 *	Never two devices' at once: a leader's change is followed by its
 *	other functions' after its own lock is dropped (gate_follow()).
 * @gateable: an endpoint (not a port) with TEE-IO or a DOE mailbox, named
 *	by hold_ids, or whose leader is gateable; constant after add.
 * Protected by @state_lock:
 * @gate_state, @gate_reason, @gate_flags, @gate_msg: enum tsmh_gate_state,
 *	enum tsmh_gate_reason, TSMH_GATE_F_*, free text for humans.
 * @gate_seq: bumped by every change of the four above (gate_apply(), a
 *	bypass); a reset's hold applies only if none happened since the
 *	reset was seen (tsmh_gate_reset()).
 * @accept_digest, @accept_len, @accept_gen, @accept_time: the last
 *	ATTESTED release (@accept_len 0: none).
 * @reset_count, @reset_kind: resets seen, enum tsmh_reset_kind of the last.
 *	Evidence records @reset_count as it was when its writer started
 *	(evidence.c); an ATTESTED release needs the two to be equal (the
 *	comparison and the clearing of TSMH_GATE_F_REATTEST happen in one
 *	@state_lock section, with the device lock held: see gate_apply()).
 * @driver: name of the bound driver ("" if none), kept by the notifier.
 * @gate_attr, @gate_file: the sysfs "tsmh/gate" file; set up at add,
 *	removed at remove (no lock: neither runs concurrently with itself).
 * @gate_reprobe: set at load (before the walk's load_done reads it).
 * @leader: the function whose gate this one follows (function 0 of a
 *	multi-function device, a VF's PF; "" for none), name as @name;
 *	constant after add.
 * @ide: the IDE port (ide.h), or NULL; set once at add (WRITE_ONCE), freed
 *	with the device (tsmh_ide_dev_free()).
 * @tdi: the TDI (tdi.h; its own lock), or NULL; set once at add
 *	(WRITE_ONCE), freed with the device (tsmh_tdi_free()).
 */
struct tsmh_dev {
	struct list_head node;
	struct kref ref;
	struct pci_dev *pdev;
	char name[32];
	struct tsmh_caps caps;
	u64 serial;
	bool has_serial;
	bool gone;
	bool announced;
	struct mutex state_lock; /* see above */
	u32 flags;
	u8 nr_mb;
	struct tsmh_mb mb[TSMH_MAX_DOE];
	struct work_struct disc_work;
	struct mutex ev_lock;	/* see above */
	struct tsmh_ev_set *ev;
	struct list_head ev_stages;
	struct kobject *ev_kobj;
	struct tsmh_ev_view *ev_view;
	bool ev_dead;
	struct mutex gate_op_lock; /* see above */
	bool gateable;
	u32 gate_state;
	u32 gate_reason;
	u32 gate_flags;
	char gate_msg[TSMH_GATE_MSG_MAX];
	u64 gate_seq;
	u8 accept_digest[TSMH_ACCEPT_DIGEST_MAX];
	u8 accept_len;
	u64 accept_gen;
	u64 accept_time;
	u64 reset_count;
	u32 reset_kind;
	char driver[32];
	struct kobj_attribute gate_attr;
	bool gate_file;
	bool gate_reprobe;	/* our stale override cleared at load (gate=off) */
	char leader[32];
	struct tsmh_ide_kport *ide;
	struct tsmh_tdi *tdi;
};

/* @sk holds a host claim on @mb; state_lock held */
static inline bool tsmh_mb_owned_by(struct tsmh_mb *mb, const struct sock *sk)
{
	lockdep_assert_held(&mb->dev->state_lock);
	return mb->owner == TSMH_OWNER_HOST && mb->owner_sk == sk;
}

/* main.c */
struct tsmh_dev *tsmh_dev_find(const char *name);	/* +1 ref or NULL */
void tsmh_adopt(struct pci_dev *pdev);	/* track it as at load; rescan lock held */
void tsmh_dev_put(struct tsmh_dev *dev);
/* Iterate: the idx'th device (+1 ref) or NULL; *gen: the list generation. */
struct tsmh_dev *tsmh_dev_nth(unsigned long idx, unsigned int *gen);
void tsmh_release_owner(struct net *net, u32 portid);
extern struct workqueue_struct *tsmh_wq;

/* doe.c: backend-independent exchange on one mailbox; xfer_lock held */
int tsmh_doe_xfer(struct tsmh_mb *mb, u16 vid, u8 type, const void *req,
		  size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len);
int tsmh_doe_backend_init(struct tsmh_mb *mb);
enum tsmh_doe_backend tsmh_doe_backend(void);
bool tsmh_mb_supports(struct tsmh_mb *mb, u16 vid, u8 type);	/* state_lock held */
/* config-space backend: -EBUSY, driver in @drv, while a DOE-driving driver is bound */
int tsmh_doe_driver_conflict(struct tsmh_mb *mb, char *drv, size_t len);

/* evidence.c */
void tsmh_ev_dev_init(struct tsmh_dev *dev);
void tsmh_ev_dev_remove(struct tsmh_dev *dev);	/* drop everything, remove sysfs */
void tsmh_ev_release_portid(struct tsmh_dev *dev, struct net *net, u32 portid);
u64 tsmh_ev_staged_bytes(void);
void tsmh_ev_exit(void);
int tsmh_nl_evidence_put_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_evidence_commit_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_evidence_abort_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_evidence_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
/* committed generation, 0 if none; *reset: the reset count it was taken at */
u64 tsmh_ev_generation(struct tsmh_dev *dev, u64 *reset);
/* A non-discovery DOE exchange by this socket: its evidence dates from now. */
int tsmh_ev_attest_begin(struct tsmh_dev *dev, struct genl_info *info);
int tsmh_ev_sysfs_dir(struct tsmh_dev *dev);	/* create the "tsmh" directory */
/*
 * The kernel's own object (tdi.c: the checked TDISP report): a new set
 * with @type replaced, the current set's other objects kept, provenance
 * as given, @locked unless the kept objects' set said otherwise (then
 * unknown); generation bumped, evt-evidence sent. *@gen.
 */
int tsmh_ev_kernel_put(struct tsmh_dev *dev, u32 type, u32 prov, u32 locked, const void *data,
		       u32 len, u64 *gen);
/*
 * Withdraw it again: if generation @gen is still current, a new set
 * without @type, with the metadata of the set it was added to.
 */
int tsmh_ev_kernel_drop(struct tsmh_dev *dev, u32 type, u64 gen);

/* gate.c */
bool tsmh_gate_wants(struct pci_dev *pdev);	/* track it although it has no DOE/IDE/TEE-IO */
void tsmh_gate_add_failed(struct pci_dev *pdev, const char *step, int err);
void tsmh_gate_exit(void);	/* first thing at unload: no hold_ids work after it */
void tsmh_gate_add(struct tsmh_dev *dev, bool at_load);
void tsmh_gate_load_done(void);
void tsmh_gate_discovered(struct tsmh_dev *dev);
void tsmh_gate_remove(struct tsmh_dev *dev, bool unload);
void tsmh_gate_bound(struct tsmh_dev *dev, const char *drv);
void tsmh_gate_unbound(struct tsmh_dev *dev);
void tsmh_gate_reset(struct tsmh_dev *dev, u32 kind);
/* function 0 of @pdev's device or a VF's PF (+1 ref); NULL for function 0 */
struct pci_dev *tsmh_leader_pdev(struct pci_dev *pdev);
/* state_lock held; @priv: the accepted digest too (CAP_SYS_ADMIN requesters) */
int tsmh_gate_fill(struct sk_buff *skb, struct tsmh_dev *dev, bool priv);
u64 tsmh_dev_reset_count(struct tsmh_dev *dev);	/* takes state_lock */
u32 tsmh_gate_mode(void);
int tsmh_nl_gate_set_doit(struct sk_buff *skb, struct genl_info *info);

/* ide.c: IDE streams (ABI 5) */
/* stream @id of the endpoint @ep: 1 both ends SECURE, 0 not, -ENOENT none */
int tsmh_ide_stream_secure(struct tsmh_dev *ep, u32 id);
/* stream @id of the endpoint @ep: its RID association range; 0 or -ENOENT */
int tsmh_ide_stream_rids(struct tsmh_dev *ep, u32 id, u32 *base, u32 *limit);
/*
 * tdi.c, no tsmh_core lock held. watch: a TDI is locked with the
 * endpoint @ep's stream @id: the offsets of its control registers at
 * both ends and of the root port's RID association go to
 * tsmh_tdi_cfg_watch(). cfg_check: after a config write to one of
 * those, a stream no longer enabled with its ID at both ends, not
 * SECURE at both ends, or whose root port no longer associates the
 * DSM's RID is flagged TSMH_IDE_S_F_CFG_WRITE (until enabled again) and
 * sends evt-ide INSECURE, which moves the TDIs locked with it to ERROR
 * ide-lost. Address association registers are not watched.
 */
void tsmh_ide_stream_watch(struct tsmh_dev *ep, u32 id);
void tsmh_ide_stream_cfg_check(struct tsmh_dev *ep, u32 id);
int tsmh_nl_ide_get_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_ide_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int tsmh_nl_ide_stream_new_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_ide_key_prog_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_ide_kset_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_ide_stream_enable_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_ide_stream_del_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_tsm_done_doit(struct sk_buff *skb, struct genl_info *info);

/* tdi.c: TDISP TDIs (ABI 6) */
int tsmh_nl_tdi_get_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_tdi_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int tsmh_nl_tdi_begin_doit(struct sk_buff *skb, struct genl_info *info);
int tsmh_nl_tdi_end_doit(struct sk_buff *skb, struct genl_info *info);

/* tsm.c: 7.2 link TSM (sysfs tsm/connect -> tsmd); stubs elsewhere */
void tsmh_tsm_init(void);	/* after the device walk at load */
void tsmh_tsm_exit(void);	/* first thing at unload */
/*
 * streams of @pdev created after @since torn down by the kernel (failed
 * connect: since its request; disconnect: 0, all); how many
 */
int tsmh_ide_release_dev(struct pci_dev *pdev, u64 since);
/* the last IDE stream sequence number given, for tsmh_ide_release_dev() */
u64 tsmh_ide_seq_now(void);
/* ide_pci.c: the 7.2 stream backend for a new bridge (NULL: none, use our own) */
struct tsmh_ide_ops;
const struct tsmh_ide_ops *tsmh_ide_pci_pick(struct pci_dev *pdev);
/* the size of @pdev's host bridge pool: the core's (7.2), else 256 */
unsigned int tsmh_ide_pci_pool(struct pci_dev *pdev);

/* reset.c */
void tsmh_reset_init(void);
void tsmh_reset_exit(void);
u32 tsmh_reset_sources(void);
/* A reset of @dev under way or not yet counted; @dev's device lock held. */
enum tsmh_reset_pend {
	TSMH_RESET_PEND_NONE,
	TSMH_RESET_PEND_DEV,	/* of @dev or of a bridge above it */
	TSMH_RESET_PEND_ANY,	/* one reset.c cannot name a device for */
};

enum tsmh_reset_pend tsmh_reset_pending(struct tsmh_dev *dev);

/* netlink.c */
/* A required attribute: the extack names it and carries @msg. */
#define tsmh_nl_need(info, attr, msg) ({					\
	struct genl_info *__ni = (info);				\
	int __ret = 0;							\
	if (GENL_REQ_ATTR_CHECK(__ni, attr)) {			\
		NL_SET_ERR_MSG(__ni->extack, msg);			\
		__ret = -EINVAL;					\
	}								\
	__ret;								\
})

/*
 * Privileges beyond GENL_ADMIN_PERM (docs/design.md, "Privileges"): the
 * generated wrappers in nl_gen.h call tsmh_nl_perm() before the handler.
 * Both the opener of the socket and the sender must hold the capability
 * in the initial user namespace (netlink_capable(), as GENL_ADMIN_PERM).
 */
enum tsmh_nl_perm {
	TSMH_NL_PERM_SYS_ADMIN,		/* CAP_SYS_ADMIN */
	TSMH_NL_PERM_NET_OR_SYS_ADMIN,	/* CAP_NET_ADMIN or CAP_SYS_ADMIN (reads) */
};

int tsmh_nl_perm(const struct sk_buff *skb, struct netlink_ext_ack *extack,
		 enum tsmh_nl_perm perm);
int tsmh_nl_init(void);
void tsmh_nl_exit(void);
void tsmh_nl_event_dev(struct tsmh_dev *dev, u8 cmd);
void tsmh_nl_event_evidence(struct tsmh_dev *dev, u64 gen, u32 prov, u32 present);
void tsmh_nl_event_reset(struct tsmh_dev *dev, u32 kind, u64 count);
int tsmh_nl_event_tsm_req(const char *name, u32 op, u64 cookie, u32 tdi_op);
void tsmh_nl_multicast(struct sk_buff *skb);
int tsmh_nl_reply_dev(struct genl_info *info, struct tsmh_dev *dev, u8 cmd);
struct tsmh_dev *tsmh_nl_req_dev(struct genl_info *info, u32 allowed_flags, int *err);
extern struct genl_family tsmh_family;

#endif
