// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_btest: a VM-test-only module (never packaged) playing the in-kernel
 * caller of the 7.2 TSM core's TDI operations (VFIO/IOMMUFD for a TVM, of
 * which no in-tree user exists yet), for tests/vm/t_tsmbind.sh:
 *
 *   echo DEV [TVM] > /sys/module/tsmh_btest/parameters/bind
 *	pci_tsm_bind(DEV, kvm, tdi_id = DEV's RID); TVM 1 (default) or 2
 *	picks one of two stand-in struct kvm pointers (never dereferenced
 *	by the core or tsmh_core: they only tell TVMs apart)
 *   .../unbind     pci_tsm_unbind(DEV)
 *   .../info       pci_tsm_guest_req(DEV, PCI_TSM_REQ_INFO): the answer's
 *	netlink attributes as "TYPE=VALUE" (u32 decimal, u64 16 hex digits,
 *	strings quoted) in .../last
 *   .../run        pci_tsm_guest_req(DEV, PCI_TSM_REQ_STATE_CHANGE, u32 2
 *	(TSMH_TDI_STATE_RUN)): the TVM's START
 *   .../debug      pci_tsm_guest_req(DEV, PCI_TSM_REQ_DEBUG_READ)
 *
 * A write fails with the call's error; .../last reads "OP DEV RET [...]"
 * of the last call, which is also logged.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/netlink.h>
#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/sockptr.h>

enum btest_op { BT_BIND, BT_UNBIND, BT_INFO, BT_RUN, BT_DEBUG };

static const char *const bt_names[] = { "bind", "unbind", "info", "run", "debug" };
static u64 fake_kvm[2];	/* two TVMs' stand-ins, compared by address only */
static char last[1024];
static DEFINE_MUTEX(bt_lock);	/* protects last */

/* the attributes of an INFO answer, appended to @out */
static void bt_attrs(const void *p, int len, char *out, size_t cap)
{
	const struct nlattr *a;
	size_t o = strlen(out);
	int rem;

	nla_for_each_attr(a, p, len, rem) {
		int l = nla_len(a);

		if (l == 4)
			o += scnprintf(out + o, cap - o, " %u=%u", nla_type(a), nla_get_u32(a));
		else if (l == 8)
			o += scnprintf(out + o, cap - o, " %u=%016llx", nla_type(a),
				       (unsigned long long)nla_get_u64(a));
		else
			o += scnprintf(out + o, cap - o, " %u=\"%.*s\"", nla_type(a),
				       (int)strnlen(nla_data(a), l), (const char *)nla_data(a));
	}
}

static int bt_call(struct pci_dev *pdev, enum btest_op op, unsigned int tvm, char *out,
		   size_t cap)
{
	struct kvm *kvm = (struct kvm *)&fake_kvm[tvm == 2];
	u32 want = 2;	/* TSMH_TDI_STATE_RUN */
	u64 code = 0;
	ssize_t n;
	void *buf;

	switch (op) {
	case BT_BIND:
		return pci_tsm_bind(pdev, kvm, pci_dev_id(pdev));
	case BT_UNBIND:
		pci_tsm_unbind(pdev);
		return 0;
	case BT_INFO:
		buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		n = pci_tsm_guest_req(pdev, PCI_TSM_REQ_INFO, KERNEL_SOCKPTR(NULL), 0,
				      KERNEL_SOCKPTR(buf), PAGE_SIZE, &code);
		if (n >= 0 && n <= PAGE_SIZE)
			bt_attrs(buf, PAGE_SIZE - n, out, cap);
		kfree(buf);
		return n < 0 ? n : 0;
	case BT_RUN:
		n = pci_tsm_guest_req(pdev, PCI_TSM_REQ_STATE_CHANGE, KERNEL_SOCKPTR(&want),
				      sizeof(want), KERNEL_SOCKPTR(&want), sizeof(want), &code);
		if (n >= 0)
			scnprintf(out + strlen(out), cap - strlen(out), " state=%u", want);
		return n < 0 ? n : 0;
	case BT_DEBUG:
		n = pci_tsm_guest_req(pdev, PCI_TSM_REQ_DEBUG_READ, KERNEL_SOCKPTR(NULL), 0,
				      KERNEL_SOCKPTR(NULL), 0, &code);
		return n < 0 ? n : 0;
	}
	return -EINVAL;
}

static int bt_set(const char *val, const struct kernel_param *kp)
{
	enum btest_op op = (enum btest_op)(uintptr_t)kp->arg;
	unsigned int dom, bus, dev, fn, tvm = 1;
	struct pci_dev *pdev;
	char *out;
	int ret;

	if (sscanf(val, "%x:%x:%x.%x %u", &dom, &bus, &dev, &fn, &tvm) < 4 || tvm < 1 || tvm > 2)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(dev, fn));
	if (!pdev)
		return -ENODEV;
	out = kzalloc(sizeof(last), GFP_KERNEL);
	if (!out) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	ret = bt_call(pdev, op, tvm, out, sizeof(last));
	pci_info(pdev, "tsmh_btest: %s (TVM %u): %d%s\n", bt_names[op], tvm, ret, out);
	mutex_lock(&bt_lock);
	scnprintf(last, sizeof(last), "%s %s %d%s", bt_names[op], pci_name(pdev), ret, out);
	mutex_unlock(&bt_lock);
	kfree(out);
	pci_dev_put(pdev);
	return ret;
}

static int bt_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&bt_lock);
	n = sysfs_emit(buf, "%s\n", last);
	mutex_unlock(&bt_lock);
	return n;
}

static const struct kernel_param_ops bt_ops = { .set = bt_set };
static const struct kernel_param_ops bt_last_ops = { .get = bt_get };

#define BT_PARAM(name, op) \
	module_param_cb(name, &bt_ops, (void *)(uintptr_t)(op), 0200)
BT_PARAM(bind, BT_BIND);
BT_PARAM(unbind, BT_UNBIND);
BT_PARAM(info, BT_INFO);
BT_PARAM(run, BT_RUN);
BT_PARAM(debug, BT_DEBUG);
module_param_cb(last, &bt_last_ops, NULL, 0444);

MODULE_DESCRIPTION("tsm-host VM test: pci_tsm_bind/unbind/guest_req as a TVM's VMM would call them");
MODULE_LICENSE("GPL");
