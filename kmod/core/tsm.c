// SPDX-License-Identifier: GPL-2.0-only
/*
 * 7.2 link TSM (issue 12): on kernels with the PCI TSM core (pci-tsm.h,
 * CONFIG_PCI_TSM, tsm_register() taking PCI ops) the module registers
 * as a "link" TSM, so that
 *
 *	echo tsmN > /sys/bus/pci/devices/DEV/tsm/connect
 *
 * runs the same connect flow as "tsmctl connect DEV". The kernel does no
 * protocol work itself: like net/handshake asking tlshd, the connect op
 * multicasts TSMH_CMD_EVT_TSM_REQ (device, op, random cookie) on the
 * events group and waits for the daemon's TSMH_CMD_TSM_DONE carrying that
 * cookie; tsmd runs SPDM through the DOE proxy and the IDE stream through
 * the netlink IDE commands, then answers. The sysfs write returns the
 * daemon's status. See docs/design.md "7.2: link TSM".
 *
 * Elsewhere (6.1, 6.12, or a 7.x kernel built without CONFIG_PCI_TSM)
 * this file only says so at load and refuses TSM_DONE.
 */
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include "core.h"
#include "tdi.h"

#ifdef TSMH_TSM_LINK
#include <linux/pci-tsm.h>
#include <linux/tsm.h>

static unsigned int tsm_timeout = 60;
module_param(tsm_timeout, uint, 0644);
MODULE_PARM_DESC(tsm_timeout,
		 "seconds a TSM core request (tsm/connect, disconnect, bind, unbind, guest request) waits for tsmd's answer (default 60, 1-3600)");

/*
 * One request to the daemon, on the requester's stack.
 * @node: in tsm_reqs under tsm_req_lock while pending; list_del_init()
 *	by whoever ends it (the answer or the requester giving up), so
 *	list_empty() under the lock tells the requester it was answered.
 * @cookie, @dev, @op: constant while pending.
 * @status, @msg: the answer, written under tsm_req_lock before @done.
 */
struct tsm_req {
	struct list_head node;
	u64 cookie;
	char dev[32];
	u32 op;
	struct completion done;
	int status;
	char msg[TSMH_GATE_MSG_MAX];
};

/* tsm_req_lock: a leaf mutex; protects tsm_reqs and each pending tsm_req */
static DEFINE_MUTEX(tsm_req_lock);
static LIST_HEAD(tsm_reqs);

/*
 * Our struct pci_tsm contexts: the DSM's (function 0, wrapping struct
 * pci_tsm_pf0) and its subfunctions' (only @pf0.base_tsm used).
 * @node: in tsm_ctxs under tsm_ctx_lock, from probe until remove, so
 *	tsmh_tsm_is_ours() can tell our pdev->tsm from a platform TSM's
 *	without dereferencing it.
 */
struct tsm_ctx {
	struct pci_tsm_pf0 pf0;
	bool is_pf0;
	struct list_head node;
};

/* tsm_ctx_lock: a leaf spinlock (taken under a device's state_lock) */
static DEFINE_SPINLOCK(tsm_ctx_lock);
static LIST_HEAD(tsm_ctxs);

static struct tsm_dev *tsmh_tsm_dev;
/* set before tsm_unregister(): disconnects then ask nobody */
static bool tsm_unloading;

static const char *const tsm_op_name[] = {
	[TSMH_TSM_OP_CONNECT] = "connect",
	[TSMH_TSM_OP_DISCONNECT] = "disconnect",
	[TSMH_TSM_OP_BIND] = "bind",
	[TSMH_TSM_OP_UNBIND] = "unbind",
	[TSMH_TSM_OP_GUEST_REQ] = "guest-req",
};

bool tsmh_tsm_is_ours(const void *tsm)
{
	struct tsm_ctx *ctx;
	bool ours = false;

	spin_lock(&tsm_ctx_lock);
	list_for_each_entry(ctx, &tsm_ctxs, node) {
		if (&ctx->pf0.base_tsm == tsm) {
			ours = true;
			break;
		}
	}
	spin_unlock(&tsm_ctx_lock);
	return ours;
}

/*
 * How a request waits for the answer: TSM_WAIT_INTR for a user's sysfs
 * write (tsm/connect: any signal gives up); TSM_WAIT_KILLABLE for the
 * TSM core's bind and guest requests (a VMM's threads take handled
 * signals all the time; the core's own pci_tsm_bind() takes its locks
 * uninterruptibly, so only a fatal signal ends these); TSM_WAIT_UNINTR
 * for what must reach the daemon (disconnect, unbind, a bind's undo).
 */
enum tsm_wait { TSM_WAIT_INTR, TSM_WAIT_KILLABLE, TSM_WAIT_UNINTR };

/*
 * The wait is cut into slices: a task that wakes up now and then is not
 * reported by the hung-task detector (it counts context switches), even
 * with tsm_timeout above hung_task_timeout_secs.
 */
#define TSM_WAIT_SLICE (10 * HZ)

static long tsm_wait_done(struct completion *done, enum tsm_wait how, unsigned long tmo)
{
	unsigned long deadline = jiffies + tmo;
	long left;

	for (;;) {
		long slice = (long)(deadline - jiffies);

		if (slice <= 0)
			return 0;
		slice = min_t(long, slice, TSM_WAIT_SLICE);
		if (how == TSM_WAIT_INTR)
			left = wait_for_completion_interruptible_timeout(done, slice);
		else if (how == TSM_WAIT_KILLABLE)
			left = wait_for_completion_killable_timeout(done, slice);
		else
			left = wait_for_completion_timeout(done, slice);
		if (left)	/* done (> 0) or a signal (< 0) */
			return left;
	}
}

/*
 * Ask the daemon and wait (@how). Returns its status, or -ENOTCONN
 * (nobody listens on the events group), -ETIMEDOUT, -ERESTARTSYS (a
 * signal; TSM_WAIT_INTR, or a fatal one with TSM_WAIT_KILLABLE),
 * -ENOMEM. A late answer finds no request: TSM_DONE then fails with
 * ENOENT and the daemon undoes what it did.
 */
static int tsm_ask(struct pci_dev *pdev, u32 op, u32 tdi_op, enum tsm_wait how)
{
	unsigned long tmo = (unsigned long)clamp(READ_ONCE(tsm_timeout), 1U, 3600U) * HZ;
	struct tsm_req req = { .op = op };
	long left;
	int ret;

	strscpy(req.dev, pci_name(pdev), sizeof(req.dev));
	init_completion(&req.done);
	mutex_lock(&tsm_req_lock);
	do {
		struct tsm_req *r;

		req.cookie = get_random_u64();
		list_for_each_entry(r, &tsm_reqs, node)
			if (r->cookie == req.cookie)
				req.cookie = 0;
	} while (!req.cookie);
	list_add_tail(&req.node, &tsm_reqs);
	mutex_unlock(&tsm_req_lock);

	if (op == TSMH_TSM_OP_GUEST_REQ) {
		/* the one START this request allows, before tsmd hears of it */
		ret = tsmh_tdi_guest_arm(pdev, req.cookie);
		if (ret)
			goto give_up;
	} else if (op == TSMH_TSM_OP_BIND) {
		/* the one LOCK that is this bind's (tsmd sends it the cookie) */
		ret = tsmh_tdi_bind_arm(pdev, req.cookie);
		if (ret)
			goto give_up;
	}
	ret = tsmh_nl_event_tsm_req(req.dev, op, req.cookie, tdi_op);
	if (ret == -ESRCH) {
		pci_err(pdev, "tsm %s: no tsmd listening on the \"%s\" netlink events (start tsmd); nothing done\n",
			tsm_op_name[op], TSMH_GENL_NAME);
		ret = -ENOTCONN;
		goto give_up;
	}
	if (ret && ret != -ENOBUFS) {	/* -ENOBUFS: some listener lost it, not all */
		pci_err(pdev, "tsm %s: request to tsmd not sent (%d); nothing done\n",
			tsm_op_name[op], ret);
		goto give_up;
	}

	left = tsm_wait_done(&req.done, how, tmo);

	mutex_lock(&tsm_req_lock);
	if (list_empty(&req.node)) {	/* answered, maybe just now */
		mutex_unlock(&tsm_req_lock);
		if (req.status)
			pci_err(pdev, "tsm %s: tsmd failed it (%d): %s\n", tsm_op_name[op],
				req.status, req.msg[0] ? req.msg : "no reason given");
		else
			pci_info(pdev, "tsm %s: done by tsmd%s%s\n", tsm_op_name[op],
				 req.msg[0] ? ": " : "", req.msg);
		return req.status;
	}
	list_del_init(&req.node);
	mutex_unlock(&tsm_req_lock);
	if (left < 0) {
		pci_err(pdev, "tsm %s: interrupted while waiting for tsmd (cookie %016llx); a late answer is refused\n",
			tsm_op_name[op], req.cookie);
		return left;
	}
	pci_err(pdev, "tsm %s: tsmd did not answer within %u s (tsm_timeout; cookie %016llx); a late answer is refused\n",
		tsm_op_name[op], (unsigned int)(tmo / HZ), req.cookie);
	return -ETIMEDOUT;

give_up:
	mutex_lock(&tsm_req_lock);
	list_del_init(&req.node);
	mutex_unlock(&tsm_req_lock);
	return ret;
}

int tsmh_nl_tsm_done_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tsm_req *r, *found = NULL;
	const char *dev;
	u64 cookie;
	int status;

	if (tsmh_nl_need(info, TSMH_A_DEV_NAME, "device name required") ||
	    tsmh_nl_need(info, TSMH_A_TSM_COOKIE, "cookie of the request required") ||
	    tsmh_nl_need(info, TSMH_A_TSM_STATUS, "status required"))
		return -EINVAL;
	if (tb[TSMH_A_FLAGS] && nla_get_u32(tb[TSMH_A_FLAGS])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TSMH_A_FLAGS], "unknown flags");
		return -EINVAL;
	}
	dev = nla_data(tb[TSMH_A_DEV_NAME]);
	cookie = nla_get_u64(tb[TSMH_A_TSM_COOKIE]);
	status = nla_get_s32(tb[TSMH_A_TSM_STATUS]);
	if (status > 0 || status < -MAX_ERRNO) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TSMH_A_TSM_STATUS],
				    "status must be 0 or a negative errno");
		return -EINVAL;
	}

	mutex_lock(&tsm_req_lock);
	list_for_each_entry(r, &tsm_reqs, node) {
		if (r->cookie == cookie) {
			found = r;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&tsm_req_lock);
		/*
		 * 79 characters at most (a longer name is cut): the daemon
		 * knows to undo (design.md)
		 */
		TSMH_ERR(info->extack, "no such tsm request (late or answered)",
			 "%.22s %016llx", dev, cookie);
		return -ENOENT;
	}
	if (strcmp(found->dev, dev)) {
		mutex_unlock(&tsm_req_lock);
		TSMH_ERR(info->extack, "the tsm request with this cookie is for another device",
			 "%.20s", dev);
		return -EINVAL;
	}
	found->status = status;
	if (tb[TSMH_A_GATE_MSG])
		nla_strscpy(found->msg, tb[TSMH_A_GATE_MSG], sizeof(found->msg));
	list_del_init(&found->node);
	complete(&found->done);	/* the requester frees it only after taking the lock */
	mutex_unlock(&tsm_req_lock);
	return 0;
}

/*
 * Whatever the daemon did or did not do, a failed connect leaves none of
 * the streams of @pdev made since its request (@since) behind, and every
 * disconnect (@since 0) none at all. Streams that existed before a
 * connect are not its to undo.
 */
static void tsm_undo(struct pci_dev *pdev, u64 since, const char *why)
{
	int n = tsmh_ide_release_dev(pdev, since);

	if (n > 0)
		pci_warn(pdev, "tsm: %d IDE stream(s) left after %s torn down by the kernel\n",
			 n, why);
}

static struct pci_tsm *tsm_probe(struct tsm_dev *tsm_dev, struct pci_dev *pdev)
{
	struct tsmh_dev *dev = tsmh_dev_find(pci_name(pdev));
	struct tsm_ctx *ctx;
	int ret;

	/* only what the daemon can reach: devices we track */
	if (!dev) {
		pci_info(pdev, "tsm: not tracked by tsmh_core (no DOE mailbox, IDE or TEE-IO): not ours to connect\n");
		return NULL;
	}
	tsmh_dev_put(dev);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;
	ctx->is_pf0 = is_pci_tsm_pf0(pdev);
	if (ctx->is_pf0)
		ret = pci_tsm_pf0_constructor(pdev, &ctx->pf0, tsm_dev);
	else
		ret = pci_tsm_link_constructor(pdev, &ctx->pf0.base_tsm, tsm_dev);
	if (ret) {
		if (ctx->is_pf0)
			pci_tsm_pf0_destructor(&ctx->pf0);
		pci_info(pdev, "tsm: no link context (%d)\n", ret);
		kfree(ctx);
		return NULL;
	}
	spin_lock(&tsm_ctx_lock);
	list_add(&ctx->node, &tsm_ctxs);
	spin_unlock(&tsm_ctx_lock);
	return &ctx->pf0.base_tsm;
}

static void tsm_remove(struct pci_tsm *tsm)
{
	struct tsm_ctx *ctx = container_of(tsm, struct tsm_ctx, pf0.base_tsm);

	spin_lock(&tsm_ctx_lock);
	list_del(&ctx->node);
	spin_unlock(&tsm_ctx_lock);
	if (ctx->is_pf0)
		pci_tsm_pf0_destructor(&ctx->pf0);
	kfree(ctx);
}

/* pci_tsm_rwsem (write) and the DSM lock held by the PCI core */
static int tsm_connect(struct pci_dev *pdev)
{
	u64 since = tsmh_ide_seq_now();
	int ret = tsm_ask(pdev, TSMH_TSM_OP_CONNECT, U32_MAX, TSM_WAIT_INTR);

	/*
	 * -ENOTCONN: nobody was asked; -EBUSY, -ENODEV: the daemon refused
	 * before doing anything (busy with the device, not its device).
	 */
	if (ret && ret != -ENOTCONN && ret != -EBUSY && ret != -ENODEV)
		tsm_undo(pdev, since, "the failed connect");
	return ret;
}

static void tsm_disconnect(struct pci_dev *pdev)
{
	/* uninterruptible: also runs at device removal and TSM unregistration */
	if (READ_ONCE(tsm_unloading))
		pci_info(pdev, "tsm disconnect: module unloading, tsmd not asked (its session ends with it)\n");
	else
		tsm_ask(pdev, TSMH_TSM_OP_DISCONNECT, U32_MAX, TSM_WAIT_UNINTR);
	tsm_undo(pdev, 0, "disconnect");
}

/*
 * TDISP for a TVM (issue 13; docs/design.md "7.2: bind, unbind, guest
 * requests"). The PCI core calls these under pci_tsm_rwsem (read) and the
 * DSM's lock. The kernel's TDI rules (tdi.c) apply to whatever tsmd then
 * does through tdi-begin/end; the kernel checks the outcome itself.
 */

/* the TVM's ID in the tdi nest: a keyed hash of its struct kvm */
static siphash_key_t tvm_key;

static u64 tvm_id(const struct kvm *kvm)
{
	return siphash_1u64((u64)(uintptr_t)kvm, &tvm_key) | 1;
}

/*
 * bind: tsmd LOCKs the TDI and gets its report checked; the kernel then
 * needs CONFIG_LOCKED with a checked report. A failure after tsmd was
 * asked asks it to STOP again (unbind), so no TDI stays locked for a TVM
 * that never got it. A bound TDI holds a reference on this module until
 * its unbind: unloading would leave it locked or running for a TVM with
 * nobody to stop it (rmmod says "in use" instead). From bind_check to
 * bind_done/abort the hand-off is in flight: a LOCK then carrying this
 * request's cookie (tsm_ask() arms it) accepts the driver bound now (the
 * caller's vfio-pci; tdi.c lock_gate_ok()), which must still be bound at
 * bind_done.
 */
static struct pci_tdi *tsm_bind(struct pci_dev *pdev, struct kvm *kvm, u32 tdi_id)
{
	struct pci_tdi *tdi;
	bool undo;
	int ret;

	ret = tsmh_tdi_bind_check(pdev);
	if (ret)
		return ERR_PTR(ret);
	if (!try_module_get(THIS_MODULE)) {	/* unloading */
		tsmh_tdi_bind_abort(pdev);
		return ERR_PTR(-ENODEV);
	}
	tdi = kzalloc(sizeof(*tdi), GFP_KERNEL);
	if (!tdi) {
		tsmh_tdi_bind_abort(pdev);
		module_put(THIS_MODULE);
		return ERR_PTR(-ENOMEM);
	}
	ret = tsm_ask(pdev, TSMH_TSM_OP_BIND, U32_MAX, TSM_WAIT_KILLABLE);
	/* tsmd's -ENOTCONN/-EBUSY: it did nothing; bind_done's: it locked */
	undo = ret != -ENOTCONN && ret != -EBUSY && ret != -ENODEV;
	if (!ret) {
		ret = tsmh_tdi_bind_done(pdev, tvm_id(kvm));
		undo = ret != -ENODEV;
	} else {
		tsmh_tdi_bind_abort(pdev);
	}
	if (ret) {
		if (undo && !READ_ONCE(tsm_unloading))
			tsm_ask(pdev, TSMH_TSM_OP_UNBIND, U32_MAX, TSM_WAIT_UNINTR);
		kfree(tdi);
		module_put(THIS_MODULE);
		return ERR_PTR(ret);
	}
	pci_tsm_tdi_constructor(pdev, tdi, kvm, tdi_id);
	return tdi;
}

/* unbind: tsmd STOPs the TDI; the binding ends whatever it answers */
static void tsm_unbind(struct pci_tdi *tdi)
{
	struct pci_dev *pdev = tdi->pdev;

	if (READ_ONCE(tsm_unloading))
		pci_info(pdev, "tsm unbind: module unloading, tsmd not asked\n");
	else
		tsm_ask(pdev, TSMH_TSM_OP_UNBIND, U32_MAX, TSM_WAIT_UNINTR);
	tsmh_tdi_unbound(pdev);
	kfree(tdi);
	module_put(THIS_MODULE);	/* bind's */
}

/*
 * A TVM's request. INFO: the kernel's TDI record (the tdi nest's
 * attributes, TSMH_TDI_A_*, as tdi-get shows them) in @req_out.
 * STATE_CHANGE: @req_in a u32, the state wanted; TSMH_TDI_STATE_RUN (from
 * CONFIG_LOCKED; the TVM's START) is the one supported: tsmd STARTs it
 * with the request's cookie, which is what lets a START through in CoCo
 * mode. @req_out (if 4 bytes or more) gets the state after it. Returns
 * what @req_out was not filled with (the PCI core's "residue"), or
 * -errno; the DEBUG scopes are not ours (-EOPNOTSUPP).
 */
static ssize_t tsm_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
			     sockptr_t req_in, size_t in_len, sockptr_t req_out,
			     size_t out_len, u64 *tsm_code)
{
	struct pci_dev *pdev = tdi->pdev;
	u32 want, st;
	ssize_t n;
	void *buf;
	int ret;

	if (tsm_code)
		*tsm_code = 0;
	if (scope == PCI_TSM_REQ_INFO) {
		buf = kzalloc(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		n = tsmh_tdi_info(pdev, buf, NLMSG_GOODSIZE);
		if (n >= 0 && (size_t)n > out_len)
			n = -ENOSPC;
		if (n >= 0 && copy_to_sockptr(req_out, buf, n))
			n = -EFAULT;
		kfree(buf);
		return n < 0 ? n : (ssize_t)(out_len - n);
	}
	if (scope != PCI_TSM_REQ_STATE_CHANGE)
		return -EOPNOTSUPP;
	if (in_len != sizeof(want) || copy_from_sockptr(&want, req_in, sizeof(want)))
		return -EINVAL;
	if (want != TSMH_TDI_STATE_RUN) {
		pci_info(pdev, "tsm guest request: state %u asked; only RUN (START) is supported\n",
			 want);
		return -EOPNOTSUPP;
	}
	/*
	 * tsm_ask() arms the cookie; the core's DSM lock keeps guest requests
	 * of the DSM's TDIs one at a time, so disarming here never drops
	 * another request's cookie.
	 */
	ret = tsm_ask(pdev, TSMH_TSM_OP_GUEST_REQ, TSMH_TDI_OP_START, TSM_WAIT_KILLABLE);
	n = tsmh_tdi_guest_disarm(pdev);
	if (ret)
		return ret;
	if (n != TSMH_TDI_STATE_RUN) {
		pci_err(pdev, "tsm guest request START: tsmd answered success but the TDI is not RUN\n");
		return n < 0 ? n : -EPROTO;
	}
	if (out_len < sizeof(st))
		return out_len;
	st = n;
	if (copy_to_sockptr(req_out, &st, sizeof(st)))
		return -EFAULT;
	return out_len - sizeof(st);
}

static struct pci_tsm_ops tsmh_pci_tsm_ops = {
	.probe = tsm_probe,
	.remove = tsm_remove,
	.connect = tsm_connect,
	.disconnect = tsm_disconnect,
	.bind = tsm_bind,
	.unbind = tsm_unbind,
	.guest_req = tsm_guest_req,
};

void tsmh_tsm_init(void)
{
	struct tsm_dev *t;

	get_random_bytes(&tvm_key, sizeof(tvm_key));
	t = tsm_register(NULL, &tsmh_pci_tsm_ops);

	if (IS_ERR(t)) {
		pr_warn("not registered as a link TSM (%ld): sysfs tsm/connect unavailable, tsmctl connect still works\n",
			PTR_ERR(t));
		return;
	}
	tsmh_tsm_dev = t;
	pr_info("registered link TSM %s: echo %s > /sys/bus/pci/devices/DEV/tsm/connect asks tsmd\n",
		dev_name(&t->dev), dev_name(&t->dev));
}

void tsmh_tsm_exit(void)
{
	if (!tsmh_tsm_dev)
		return;
	WRITE_ONCE(tsm_unloading, true);
	/* disconnects every device connected through us (the PCI core) */
	tsm_unregister(tsmh_tsm_dev);
	tsmh_tsm_dev = NULL;
}

#else /* !TSMH_TSM_LINK */

bool tsmh_tsm_is_ours(const void *tsm)
{
	return false;
}

void tsmh_tsm_init(void)
{
	pr_info("no in-kernel TSM core (pci-tsm.h with CONFIG_PCI_TSM): no sysfs tsm/connect; tsmctl connect works through netlink\n");
}

void tsmh_tsm_exit(void)
{
}

int tsmh_nl_tsm_done_doit(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack,
		       "no in-kernel TSM core on this kernel: nothing asks for tsm-done");
	return -EOPNOTSUPP;
}

#endif
