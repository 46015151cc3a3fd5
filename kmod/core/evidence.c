// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: kernel-held device evidence.
 *
 * Whoever attested a device (today the userspace SPDM requester) hands the
 * evidence to the kernel, which keeps the latest set per tracked device so
 * that it survives daemon restarts, and shows it read-only over netlink
 * (EVIDENCE_GET) and sysfs. The kernel does not parse or judge evidence;
 * it checks sizes and framing of the upload, digests each object with
 * SHA-384 at commit and numbers each committed set (generation).
 *
 * Upload: chunks go into a staging set owned by (device, netlink socket);
 * COMMIT moves the staging set's buffers into a new struct tsmh_ev_set and
 * swaps it in. A committed set is immutable: readers (dumps, sysfs) only
 * hold a reference, never a lock, while they copy out of it.
 *
 * Freshness: a staging set starts with the writer's first non-discovery
 * DOE exchange with the device (its attestation) or, for evidence that
 * did not come through our mailbox (firmware TSMs, tests), its first
 * chunk; it records the device's reset count then, and the committed set
 * keeps it. A release as attested is refused (gate.c) when the device
 * was reset since: what was measured is not what runs now.
 *
 * Locking: dev->ev_lock protects dev->ev, dev->ev_stages (and each
 * staging set in it), dev->ev_kobj, the sysfs view and dev->ev_dead; its
 * place in the lock order is in core.h. Digests are computed outside it
 * (16 MiB under TCG takes a while).
 */
#include <crypto/hash.h>
#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include "core.h"
#include "ev_rules.h"

#define TSMH_EV_DIGEST_LEN	48	/* SHA-384 */
/* All staging sets of all writers together (admin-only, but bounded). */
#define TSMH_EV_STAGED_ALL_MAX	(256ULL << 20)

struct tsmh_ev_obj {
	void *data;	/* kvmalloc'd, @len bytes; NULL if absent */
	u32 len;
	u8 digest[TSMH_EV_DIGEST_LEN];
};

/*
 * struct tsmh_ev_set - one committed evidence set. Immutable once
 * published in dev->ev: readers take a reference and copy out unlocked.
 */
struct tsmh_ev_set {
	struct kref ref;
	u64 gen;
	u64 reset_count;	/* the device's, when the writer started */
	u64 time_ns;
	u32 prov;
	u32 locked;
	u32 spdm_version;
	u32 hash_algo;
	u32 asym_algo;
	u32 slot_mask;
	u32 present;	/* BIT(type) of the objects held */
	/*
	 * A set the kernel made (tsmh_ev_kernel_put()): BIT(type) of its
	 * own object, and the provenance/locked of the set it was derived
	 * from, restored when the kernel withdraws the object.
	 */
	u32 kernel_types;
	u32 base_prov;
	u32 base_locked;
	struct tsmh_ev_obj obj[TSMH_EV_NR];
};

/*
 * struct tsmh_ev_stage - a writer's staging set, in dev->ev_stages (ev_lock).
 * Created by the writer's first non-discovery DOE exchange or first chunk
 * (it may hold no object yet); consumed by commit, dropped by abort or when
 * the socket closes.
 */
struct tsmh_ev_stage {
	struct list_head node;
	struct net *net;	/* compared only, never dereferenced */
	u32 portid;
	u64 reset_count;	/* the device's, when the stage was created */
	struct tsmh_ev_stage_obj st[TSMH_EV_NR];
	void *data[TSMH_EV_NR];	/* st[t].total bytes each */
};

/*
 * struct tsmh_ev_view - the sysfs files of one committed set, dev->ev_view
 * (created and removed under ev_lock). The view
 * holds a reference to @set; its callbacks read @set only, so they need no
 * lock, and sysfs removal (which waits for running callbacks) happens
 * before the view is freed.
 */
struct tsmh_ev_view {
	struct tsmh_ev_set *set;
	struct kobj_attribute gen;
	struct kobj_attribute prov;
	struct kobj_attribute locked;
	struct kobj_attribute reset;
	struct bin_attribute bin[TSMH_EV_NR];
	u32 made_bins;
	u32 made_text;
};

static atomic64_t tsmh_ev_gen = ATOMIC64_INIT(0);
static atomic64_t tsmh_ev_staged = ATOMIC64_INIT(0);
static DEFINE_MUTEX(tsmh_ev_tfm_lock);	/* protects tsmh_ev_tfm (allocation) */
static struct crypto_shash *tsmh_ev_tfm;

static const struct tsmh_ev_stage_obj tsmh_ev_none[TSMH_EV_NR];

u64 tsmh_ev_staged_bytes(void)
{
	return atomic64_read(&tsmh_ev_staged);
}

static __maybe_unused const char *type_str(u32 type)
{
	return tsmh_ev_type_name(type) ?: "?";
}

/* ---- sets and staging ---- */

static void ev_set_release(struct kref *ref)
{
	struct tsmh_ev_set *set = container_of(ref, struct tsmh_ev_set, ref);
	int t;

	for (t = 0; t < TSMH_EV_NR; t++)
		kvfree(set->obj[t].data);
	kfree(set);
}

static void ev_set_put(struct tsmh_ev_set *set)
{
	if (set)
		kref_put(&set->ref, ev_set_release);
}

/* The device's current set (+1 ref), or NULL. */
static struct tsmh_ev_set *ev_current(struct tsmh_dev *dev)
{
	struct tsmh_ev_set *set;

	mutex_lock(&dev->ev_lock);
	set = dev->ev;
	if (set)
		kref_get(&set->ref);
	mutex_unlock(&dev->ev_lock);
	return set;
}

static void stage_drop_obj(struct tsmh_ev_stage *s, u32 t)
{
	if (s->data[t]) {
		kvfree(s->data[t]);
		atomic64_sub(s->st[t].total, &tsmh_ev_staged);
	}
	s->data[t] = NULL;
	s->st[t].total = 0;
	s->st[t].filled = 0;
}

static void stage_free(struct tsmh_ev_stage *s)
{
	u32 t;

	for (t = 0; t < TSMH_EV_NR; t++)
		stage_drop_obj(s, t);
	kfree(s);
}

static bool stage_has_data(const struct tsmh_ev_stage *s)
{
	u32 t;

	for (t = 0; t < TSMH_EV_NR; t++)
		if (s->data[t])
			return true;
	return false;
}

static struct tsmh_ev_stage *stage_find(struct tsmh_dev *dev, struct net *net, u32 portid)
{
	struct tsmh_ev_stage *s;

	lockdep_assert_held(&dev->ev_lock);
	list_for_each_entry(s, &dev->ev_stages, node)
		if (s->portid == portid && s->net == net)
			return s;
	return NULL;
}

void tsmh_ev_release_portid(struct tsmh_dev *dev, struct net *net, u32 portid)
{
	struct tsmh_ev_stage *s;
	bool had_data = false;

	mutex_lock(&dev->ev_lock);
	s = stage_find(dev, net, portid);
	if (s) {
		list_del(&s->node);
		had_data = stage_has_data(s);
		stage_free(s);
	}
	mutex_unlock(&dev->ev_lock);
	if (had_data)
		pci_info_ratelimited(dev->pdev,
				     "uncommitted evidence discarded (writer socket closed)\n");
}

/*
 * The writer's staging set, created (from *@fresh, which becomes NULL) if
 * it has none, recording @reset as the device's reset count at its start.
 */
static struct tsmh_ev_stage *stage_get(struct tsmh_dev *dev, struct genl_info *info,
				       struct tsmh_ev_stage **fresh, u64 reset)
{
	struct tsmh_ev_stage *s;

	lockdep_assert_held(&dev->ev_lock);
	s = stage_find(dev, genl_info_net(info), info->snd_portid);
	if (s)
		return s;
	s = *fresh;
	*fresh = NULL;
	s->net = genl_info_net(info);
	s->portid = info->snd_portid;
	s->reset_count = reset;
	list_add_tail(&s->node, &dev->ev_stages);
	return s;
}

/* SPDM GET_VERSION (DSP0274): the requester (re)starts its connection. */
#define SPDM_GET_VERSION	0x84

static bool is_get_version(struct genl_info *info)
{
	const struct nlattr *rq = info->attrs[TSMH_A_DOE_REQUEST];
	const struct nlattr *vid = info->attrs[TSMH_A_DOE_VENDOR];
	const struct nlattr *type = info->attrs[TSMH_A_DOE_TYPE];

	return rq && vid && type && nla_len(rq) >= 2 &&
	       nla_get_u16(vid) == TSMH_DOE_VID_PCISIG && nla_get_u8(type) == TSMH_DOE_PROT_CMA &&
	       ((const u8 *)nla_data(rq))[1] == SPDM_GET_VERSION;
}

/*
 * Called before every non-discovery exchange (netlink.c): the writer's
 * stage starts here unless it exists; a GET_VERSION (a new SPDM
 * connection, the start of an attestation) restarts an empty one, so a
 * long-lived socket's next attestation dates from its own start.
 */
int tsmh_ev_attest_begin(struct tsmh_dev *dev, struct genl_info *info)
{
	struct tsmh_ev_stage *fresh, *s;
	u64 reset;
	int ret = 0;

	/* read first: state_lock is never taken inside ev_lock */
	reset = tsmh_dev_reset_count(dev);
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	mutex_lock(&dev->ev_lock);
	if (dev->ev_dead) {
		NL_SET_ERR_MSG(info->extack, "device is being removed");
		ret = -ENODEV;
	} else {
		s = stage_get(dev, info, &fresh, reset);
		if (fresh && is_get_version(info) && !stage_has_data(s))
			s->reset_count = reset; /* an existing one: it starts again */
	}
	mutex_unlock(&dev->ev_lock);
	kfree(fresh);
	return ret;
}

/* ---- sysfs view: /sys/bus/pci/devices/X/tsmh/ ---- */

static ssize_t ev_gen_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct tsmh_ev_view *v = container_of(a, struct tsmh_ev_view, gen);

	return sysfs_emit(buf, "%llu\n", v->set->gen);
}

static ssize_t ev_prov_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct tsmh_ev_view *v = container_of(a, struct tsmh_ev_view, prov);

	return sysfs_emit(buf, "%s\n", tsmh_ev_prov_name(v->set->prov));
}

static ssize_t ev_locked_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct tsmh_ev_view *v = container_of(a, struct tsmh_ev_view, locked);

	return sysfs_emit(buf, "%s\n", tsmh_ev_locked_name(v->set->locked));
}

static ssize_t ev_reset_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct tsmh_ev_view *v = container_of(a, struct tsmh_ev_view, reset);

	return sysfs_emit(buf, "%llu\n", v->set->reset_count);
}

static ssize_t ev_bin_read(struct file *file, struct kobject *kobj,
			   TSMH_BIN_ATTR_CONST struct bin_attribute *a, char *buf, loff_t off,
			   size_t count)
{
	const struct tsmh_ev_view *v = a->private;
	const struct tsmh_ev_obj *o = &v->set->obj[a - v->bin];

	if (off < 0 || off >= o->len)
		return 0;
	count = min_t(size_t, count, o->len - off);
	memcpy(buf, o->data + off, count);
	return count;
}

static void ev_view_remove(struct tsmh_dev *dev)
{
	struct tsmh_ev_view *v = dev->ev_view;
	u32 t;

	lockdep_assert_held(&dev->ev_lock);
	if (!v)
		return;
	for (t = 0; t < TSMH_EV_NR; t++)
		if (v->made_bins & BIT(t))
			sysfs_remove_bin_file(dev->ev_kobj, &v->bin[t]);
	if (v->made_text & BIT(0))
		sysfs_remove_file(dev->ev_kobj, &v->gen.attr);
	if (v->made_text & BIT(1))
		sysfs_remove_file(dev->ev_kobj, &v->prov.attr);
	if (v->made_text & BIT(2))
		sysfs_remove_file(dev->ev_kobj, &v->locked.attr);
	if (v->made_text & BIT(3))
		sysfs_remove_file(dev->ev_kobj, &v->reset.attr);
	ev_set_put(v->set);
	kfree(v);
	dev->ev_view = NULL;
}

static void ev_text_attr(struct kobj_attribute *a, const char *name,
			 ssize_t (*show)(struct kobject *, struct kobj_attribute *, char *))
{
	sysfs_attr_init(&a->attr);
	a->attr.name = name;
	a->attr.mode = 0444;
	a->show = show;
}

/* No view present. On failure nothing is left behind. */
static int ev_view_add(struct tsmh_dev *dev, struct tsmh_ev_set *set)
{
	struct tsmh_ev_view *v;
	struct kobj_attribute *text[4];
	int i, ret = 0;
	u32 t;

	lockdep_assert_held(&dev->ev_lock);
	if (!dev->ev_kobj) {
		dev->ev_kobj = kobject_create_and_add("tsmh", &dev->pdev->dev.kobj);
		if (!dev->ev_kobj)
			return -ENOMEM;
	}
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	kref_get(&set->ref);
	v->set = set;
	dev->ev_view = v;
	ev_text_attr(&v->gen, "generation", ev_gen_show);
	ev_text_attr(&v->prov, "provenance", ev_prov_show);
	ev_text_attr(&v->locked, "locked", ev_locked_show);
	ev_text_attr(&v->reset, "reset_count", ev_reset_show);
	text[0] = &v->gen;
	text[1] = &v->prov;
	text[2] = &v->locked;
	text[3] = &v->reset;
	for (i = 0; i < ARRAY_SIZE(text); i++) {
		ret = sysfs_create_file(dev->ev_kobj, &text[i]->attr);
		if (ret)
			goto fail;
		v->made_text |= BIT(i);
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		struct bin_attribute *b = &v->bin[t];

		if (!(set->present & BIT(t)))
			continue;
		sysfs_bin_attr_init(b);
		b->attr.name = tsmh_ev_type_name(t);
		b->attr.mode = 0400;
		b->size = set->obj[t].len;
		b->private = v;
		b->read = ev_bin_read;
		ret = sysfs_create_bin_file(dev->ev_kobj, b);
		if (ret)
			goto fail;
		v->made_bins |= BIT(t);
	}
	return 0;
fail:
	ev_view_remove(dev);
	return ret;
}

static void ev_sysfs_teardown(struct tsmh_dev *dev)
{
	lockdep_assert_held(&dev->ev_lock);
	ev_view_remove(dev);
	kobject_put(dev->ev_kobj);
	dev->ev_kobj = NULL;
}

u64 tsmh_ev_generation(struct tsmh_dev *dev, u64 *reset)
{
	u64 gen;

	mutex_lock(&dev->ev_lock);
	gen = dev->ev ? dev->ev->gen : 0;
	*reset = dev->ev ? dev->ev->reset_count : 0;
	mutex_unlock(&dev->ev_lock);
	return gen;
}

/*
 * The "tsmh" directory exists from add on (the gate file lives there);
 * the evidence files come and go with commits.
 */
int tsmh_ev_sysfs_dir(struct tsmh_dev *dev)
{
	int ret = 0;

	mutex_lock(&dev->ev_lock);
	if (!dev->ev_kobj) {
		dev->ev_kobj = kobject_create_and_add("tsmh", &dev->pdev->dev.kobj);
		if (!dev->ev_kobj)
			ret = -ENOMEM;
	}
	mutex_unlock(&dev->ev_lock);
	return ret;
}

void tsmh_ev_dev_init(struct tsmh_dev *dev)
{
	mutex_init(&dev->ev_lock);
	INIT_LIST_HEAD(&dev->ev_stages);
}

void tsmh_ev_dev_remove(struct tsmh_dev *dev)
{
	struct tsmh_ev_stage *s, *tmp;
	struct tsmh_ev_set *old;

	mutex_lock(&dev->ev_lock);
	dev->ev_dead = true;
	list_for_each_entry_safe(s, tmp, &dev->ev_stages, node) {
		list_del(&s->node);
		stage_free(s);
	}
	ev_sysfs_teardown(dev);
	old = dev->ev;
	dev->ev = NULL;
	mutex_unlock(&dev->ev_lock);
	ev_set_put(old);
}

void tsmh_ev_exit(void)
{
	if (tsmh_ev_tfm)
		crypto_free_shash(tsmh_ev_tfm);
	tsmh_ev_tfm = NULL;
}

/* ---- digests ---- */

static struct crypto_shash *ev_tfm(void)
{
	struct crypto_shash *tfm;

	mutex_lock(&tsmh_ev_tfm_lock);
	if (!tsmh_ev_tfm) {
		/* may load the sha512 module (crypto-sha384 alias) */
		tfm = crypto_alloc_shash("sha384", 0, 0);
		if (!IS_ERR(tfm) && crypto_shash_digestsize(tfm) == TSMH_EV_DIGEST_LEN)
			tsmh_ev_tfm = tfm;
		else if (!IS_ERR(tfm))
			crypto_free_shash(tfm);
	}
	tfm = tsmh_ev_tfm;
	mutex_unlock(&tsmh_ev_tfm_lock);
	return tfm;
}

/* In 64 KiB steps, yielding in between: objects reach 16 MiB. */
static int ev_digest(struct crypto_shash *tfm, const u8 *p, u32 len, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u32 n;
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	while (!ret && len) {
		n = min_t(u32, len, SZ_64K);
		ret = crypto_shash_update(desc, p, n);
		p += n;
		len -= n;
		cond_resched();
	}
	if (!ret)
		ret = crypto_shash_final(desc, out);
	return ret;
}

/* ---- netlink: upload ---- */

static u32 attr_u32(struct genl_info *info, int attr)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : 0;
}

/* One EVIDENCE_PUT chunk. */
struct ev_chunk {
	u32 type, off, total, len;
	const void *data;
};

/* Put phase 1: the chunk's attributes. */
static int ev_put_parse(struct genl_info *info, struct ev_chunk *c)
{
	int ret;

	ret = tsmh_nl_need(info, TSMH_A_EV_TYPE, "evidence type (TSMH_A_EV_TYPE) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_EV_OFFSET,
				   "chunk offset (TSMH_A_EV_OFFSET) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_EV_TOTAL, "object size (TSMH_A_EV_TOTAL) required");
	if (!ret)
		ret = tsmh_nl_need(info, TSMH_A_EV_DATA, "chunk data (TSMH_A_EV_DATA) required");
	if (ret)
		return ret;
	c->type = nla_get_u32(info->attrs[TSMH_A_EV_TYPE]);
	c->off = nla_get_u32(info->attrs[TSMH_A_EV_OFFSET]);
	c->total = nla_get_u32(info->attrs[TSMH_A_EV_TOTAL]);
	c->len = nla_len(info->attrs[TSMH_A_EV_DATA]);
	c->data = nla_data(info->attrs[TSMH_A_EV_DATA]);
	if (c->type >= TSMH_EV_NR) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TSMH_A_EV_TYPE],
				    "unknown evidence type");
		return -EINVAL;
	}
	return 0;
}

/* Put phase 2: may the chunk go into staging set @s (NULL: none yet)? */
static int ev_put_check(struct genl_info *info, struct tsmh_ev_stage *s,
			const struct ev_chunk *c, bool *start)
{
	const char *why;
	int ret;

	ret = tsmh_ev_chunk_check(s ? s->st : tsmh_ev_none, c->type, c->off, c->total, c->len,
				  start, &why);
	if (!ret)
		return 0;
	/* details kept short: extack holds 80 characters */
	if (s && s->st[c->type].total && ret == -EINVAL)
		TSMH_ERR_STR(info->extack, why, "%s at %u, have %u", type_str(c->type), c->off,
			     s->st[c->type].filled);
	else
		TSMH_ERR_STR(info->extack, why, "%s, %u bytes", type_str(c->type), c->total);
	return ret;
}

/*
 * Put phase 3, for a chunk that (re)starts its object: account and
 * allocate the object's buffer, and give the writer a staging set (the
 * preallocated *@fresh, which then becomes NULL) if it has none yet.
 */
static int ev_put_start(struct genl_info *info, struct tsmh_dev *dev, struct tsmh_ev_stage **sp,
			struct tsmh_ev_stage **fresh, const struct ev_chunk *c, u64 reset)
{
	struct tsmh_ev_stage *s;
	void *buf;

	lockdep_assert_held(&dev->ev_lock);
	if (atomic64_add_return(c->total, &tsmh_ev_staged) > TSMH_EV_STAGED_ALL_MAX) {
		atomic64_sub(c->total, &tsmh_ev_staged);
		NL_SET_ERR_MSG(info->extack, "evidence staging full (all writers)");
		return -ENOSPC;
	}
	buf = kvmalloc(c->total, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		atomic64_sub(c->total, &tsmh_ev_staged);
		TSMH_ERR(info->extack, "out of memory for evidence object", "%s, %u bytes",
			 type_str(c->type), c->total);
		return -ENOMEM;
	}
	s = stage_get(dev, info, fresh, reset);
	*sp = s;
	stage_drop_obj(s, c->type);
	s->data[c->type] = buf;
	return 0;
}

int tsmh_nl_evidence_put_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ev_stage *s, *fresh;
	struct ev_chunk c;
	struct tsmh_dev *dev;
	bool start;
	u64 reset;
	int ret;

	ret = ev_put_parse(info, &c);
	if (ret)
		return ret;
	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	/* a first chunk starts the stage (no exchange through us): from now */
	reset = tsmh_dev_reset_count(dev);
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh) {
		ret = -ENOMEM;
		goto put_dev;
	}

	mutex_lock(&dev->ev_lock);
	if (dev->ev_dead) {
		NL_SET_ERR_MSG(info->extack, "device is being removed");
		ret = -ENODEV;
		goto unlock;
	}
	s = stage_find(dev, genl_info_net(info), info->snd_portid);
	ret = ev_put_check(info, s, &c, &start);
	if (ret)
		goto unlock;
	if (start) {
		ret = ev_put_start(info, dev, &s, &fresh, &c, reset);
		if (ret)
			goto unlock;
	}
	memcpy(s->data[c.type] + c.off, c.data, c.len);
	tsmh_ev_chunk_apply(s->st, c.type, c.off, c.total, c.len);
unlock:
	mutex_unlock(&dev->ev_lock);
	kfree(fresh);
put_dev:
	tsmh_dev_put(dev);
	return ret;
}

int tsmh_nl_evidence_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ev_stage *s;
	struct tsmh_dev *dev;
	bool had_data = false;
	int ret;
	u32 t;

	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	mutex_lock(&dev->ev_lock);
	s = stage_find(dev, genl_info_net(info), info->snd_portid);
	if (s) {
		/*
		 * The objects go; the stage stays, empty, with its start: the
		 * upload that may follow (tsmh_evidence_put() aborts first) is
		 * of what this attestation measured.
		 */
		had_data = stage_has_data(s);
		for (t = 0; t < TSMH_EV_NR; t++)
			stage_drop_obj(s, t);
	}
	if (!had_data) {
		NL_SET_ERR_MSG(info->extack, "no evidence staged by this socket");
		ret = -ENOENT;
	}
	mutex_unlock(&dev->ev_lock);
	tsmh_dev_put(dev);
	return ret;
}

/* Move the staged buffers into @set; frees @s. */
static void stage_to_set(struct tsmh_ev_stage *s, struct tsmh_ev_set *set)
{
	u32 t;

	set->reset_count = s->reset_count;
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!s->data[t])
			continue;
		set->obj[t].data = s->data[t];
		set->obj[t].len = s->st[t].total;
		set->present |= BIT(t);
		atomic64_sub(s->st[t].total, &tsmh_ev_staged);
		s->data[t] = NULL;
	}
	kfree(s);
}

/* Commit phase 1: the set's metadata from the request, range-checked. */
static int ev_commit_meta(struct genl_info *info, struct tsmh_dev *dev, struct tsmh_ev_set *set)
{
	const char *why;
	int ret;

	set->prov = attr_u32(info, TSMH_A_EV_PROVENANCE);
	set->locked = attr_u32(info, TSMH_A_EV_LOCKED);
	set->spdm_version = attr_u32(info, TSMH_A_EV_SPDM_VERSION);
	set->hash_algo = attr_u32(info, TSMH_A_EV_HASH_ALGO);
	set->asym_algo = attr_u32(info, TSMH_A_EV_ASYM_ALGO);
	set->slot_mask = attr_u32(info, TSMH_A_EV_SLOT_MASK);
	ret = tsmh_ev_meta_check(set->prov, set->locked, set->spdm_version, set->slot_mask, &why);
	if (ret) {
		TSMH_ERR_STR(info->extack, why, "%s", dev->name);
		return ret;
	}
	/* only the kernel records a report it checked (tdi.c): no forgery */
	if (set->prov == TSMH_EV_PROV_TDISP_REPORT) {
		TSMH_ERR(info->extack, "provenance tdisp-report is the kernel's own", "%s",
			 dev->name);
		return -EPERM;
	}
	return 0;
}

/*
 * Commit phase 2a (dev->ev_lock held): copy the objects the request's
 * TSMH_A_EV_KEEP_MASK names from the device's current set into @set, after
 * checking that the current set is the generation the writer read
 * (TSMH_A_EV_KEEP_GENERATION), holds them all, and that the writer did
 * not stage them too. On error @set may hold some copies (freed with it).
 */
static int ev_commit_keep(struct genl_info *info, struct tsmh_dev *dev,
			  const struct tsmh_ev_stage *s, struct tsmh_ev_set *set)
{
	const struct tsmh_ev_set *cur = dev->ev;
	u32 keep = attr_u32(info, TSMH_A_EV_KEEP_MASK), t;
	u64 gen, total = 0;

	lockdep_assert_held(&dev->ev_lock);
	if (!keep)
		return 0;
	if (keep & ~TSMH_EV_TYPE_MASK_ALL) {
		NL_SET_ERR_MSG(info->extack, "unknown evidence type in the keep mask");
		return -EINVAL;
	}
	if (!info->attrs[TSMH_A_EV_KEEP_GENERATION]) {
		NL_SET_ERR_MSG(info->extack, "keep mask without the generation it refers to");
		return -EINVAL;
	}
	gen = nla_get_u64(info->attrs[TSMH_A_EV_KEEP_GENERATION]);
	if (!cur || cur->gen != gen) {
		TSMH_ERR(info->extack, "evidence replaced since the generation to keep from",
			 "%llu, now %llu", gen, cur ? cur->gen : 0);
		return -ESTALE;
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		total += s->st[t].total;
		if (!(keep & BIT(t)))
			continue;
		if (s->st[t].total) {
			TSMH_ERR(info->extack, "evidence object both staged and kept", "%s",
				 type_str(t));
			return -EINVAL;
		}
		if (!(cur->present & BIT(t))) {
			TSMH_ERR(info->extack, "no such object to keep", "%s in generation %llu",
				 type_str(t), gen);
			return -ENOENT;
		}
		total += cur->obj[t].len;
	}
	if (total > TSMH_EV_SET_MAX) {
		NL_SET_ERR_MSG(info->extack, "evidence set larger than 64 MiB");
		return -EFBIG;
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!(keep & BIT(t)))
			continue;
		set->obj[t].data = kvmalloc(cur->obj[t].len, GFP_KERNEL_ACCOUNT);
		if (!set->obj[t].data)
			return -ENOMEM;
		memcpy(set->obj[t].data, cur->obj[t].data, cur->obj[t].len);
		set->obj[t].len = cur->obj[t].len;
		set->present |= BIT(t);
	}
	return 0;
}

/*
 * Commit phase 2: take the writer's complete staging set off the device
 * and move its buffers into @set. Once this succeeds the staging set is
 * consumed, whatever happens next.
 */
static int ev_commit_take(struct genl_info *info, struct tsmh_dev *dev, struct tsmh_ev_set *set)
{
	struct tsmh_ev_stage *s;
	const char *why;
	u32 bad;
	int ret;

	mutex_lock(&dev->ev_lock);
	if (dev->ev_dead) {
		mutex_unlock(&dev->ev_lock);
		NL_SET_ERR_MSG(info->extack, "device is being removed");
		return -ENODEV;
	}
	s = stage_find(dev, genl_info_net(info), info->snd_portid);
	ret = tsmh_ev_commit_check(s ? s->st : tsmh_ev_none, &bad, &why);
	if (ret) {
		if (ret == -EINVAL)
			TSMH_ERR_STR(info->extack, why, "%s: %u of %u bytes", type_str(bad),
				     s->st[bad].filled, s->st[bad].total);
		else
			TSMH_ERR_STR(info->extack, why, "%s", dev->name);
		mutex_unlock(&dev->ev_lock);
		return ret;
	}
	ret = ev_commit_keep(info, dev, s, set);
	if (ret) {
		mutex_unlock(&dev->ev_lock);
		return ret;
	}
	list_del(&s->node);
	mutex_unlock(&dev->ev_lock);
	stage_to_set(s, set);
	return 0;
}

/* Commit phase 3: digest every object, outside ev_lock; *bytes: their total. */
static int ev_commit_digest(struct genl_info *info, struct crypto_shash *tfm,
			    struct tsmh_ev_set *set, size_t *bytes)
{
	u32 t;
	int ret;

	*bytes = 0;
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!(set->present & BIT(t)))
			continue;
		*bytes += set->obj[t].len;
		ret = ev_digest(tfm, set->obj[t].data, set->obj[t].len, set->obj[t].digest);
		if (ret) {
			TSMH_ERR(info->extack, "digest failed", "%s: %d", type_str(t), ret);
			return ret;
		}
	}
	return 0;
}

/*
 * Commit phase 4: number the set and make it the device's current one,
 * with its sysfs files; then log and announce it. On success the device
 * owns the set (*setp becomes NULL: a concurrent commit may replace and
 * free it) and *gen is its generation.
 */
static int ev_commit_publish(struct genl_info *info, struct tsmh_dev *dev,
			     struct tsmh_ev_set **setp, size_t bytes, u64 *gen)
{
	struct tsmh_ev_set *set = *setp, *old;
	u32 prov, present;
	int ret;

	mutex_lock(&dev->ev_lock);
	if (dev->ev_dead) {
		mutex_unlock(&dev->ev_lock);
		NL_SET_ERR_MSG(info->extack, "device was removed during the commit");
		return -ENODEV;
	}
	set->gen = atomic64_inc_return(&tsmh_ev_gen);
	set->time_ns = ktime_get_real_ns();
	*gen = set->gen;
	prov = set->prov;
	present = set->present;
	old = dev->ev;
	dev->ev = set;
	ev_view_remove(dev);
	ret = ev_view_add(dev, set);
	if (ret) /* netlink holds the set; ev_view_add left no partial files */
		pci_err(dev->pdev, "evidence sysfs files not created (%d)\n", ret);
	*setp = NULL;
	mutex_unlock(&dev->ev_lock);
	ev_set_put(old);
	/* ratelimited, and comm (the caller's to choose) escaped */
	pci_info_ratelimited(dev->pdev,
			     "evidence generation %llu committed (%s, %u objects, %zu bytes) by %*pE\n",
			     *gen, tsmh_ev_prov_name(prov), hweight32(present), bytes,
			     (int)strnlen(current->comm, sizeof(current->comm)), current->comm);
	tsmh_nl_event_evidence(dev, *gen, prov, present);
	return 0;
}

/*
 * Copies of @cur's objects but @skip (digests kept) and its SPDM metadata
 * and reset count into @set; ev_lock held. 0 or -ENOMEM.
 */
static int ev_copy_from(struct tsmh_ev_set *set, const struct tsmh_ev_set *cur, u32 skip)
{
	u32 t;

	set->spdm_version = cur->spdm_version;
	set->hash_algo = cur->hash_algo;
	set->asym_algo = cur->asym_algo;
	set->slot_mask = cur->slot_mask;
	set->reset_count = cur->reset_count;
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (t == skip || !(cur->present & BIT(t)))
			continue;
		set->obj[t].data = kvmalloc(cur->obj[t].len, GFP_KERNEL_ACCOUNT);
		if (!set->obj[t].data)
			return -ENOMEM;
		memcpy(set->obj[t].data, cur->obj[t].data, cur->obj[t].len);
		memcpy(set->obj[t].digest, cur->obj[t].digest, TSMH_EV_DIGEST_LEN);
		set->obj[t].len = cur->obj[t].len;
		set->present |= BIT(t);
	}
	return 0;
}

/* make @set the device's current one (ev_lock held); *@gen: its number */
static void ev_kernel_publish(struct tsmh_dev *dev, struct tsmh_ev_set *set, u64 *gen)
{
	int ret;

	lockdep_assert_held(&dev->ev_lock);
	set->gen = atomic64_inc_return(&tsmh_ev_gen);
	set->time_ns = ktime_get_real_ns();
	*gen = set->gen;
	dev->ev = set;
	ev_view_remove(dev);
	ret = ev_view_add(dev, set);
	if (ret)
		pci_err(dev->pdev, "evidence sysfs files not created (%d)\n", ret);
}

/*
 * The kernel's own object (tdi.c: a TDISP report it checked): a new set
 * holding @data as @type and copies of the current set's other objects
 * (digests kept), its SPDM metadata and reset count (a set taken before
 * a reset stays that old), with @prov; published as a commit is.
 * @locked is @data's: the set says it only if the objects kept from the
 * current set said the same, else UNKNOWN (objects taken before a lock
 * are not relabelled "locked"). The caller may hold its TDI's lock
 * (tdi.h: ev_lock nests inside).
 */
int tsmh_ev_kernel_put(struct tsmh_dev *dev, u32 type, u32 prov, u32 locked, const void *data,
		       u32 len, u64 *gen)
{
	u64 reset = tsmh_dev_reset_count(dev);
	struct tsmh_ev_set *set, *cur, *old = NULL;
	struct crypto_shash *tfm;
	u32 present;
	int ret;

	if (type >= TSMH_EV_NR || !len || len > TSMH_EV_OBJ_MAX)
		return -EINVAL;
	tfm = ev_tfm();
	if (!tfm)
		return -ENOPKG;
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	kref_init(&set->ref);
	ret = -ENOMEM;
	set->obj[type].data = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!set->obj[type].data)
		goto out;
	memcpy(set->obj[type].data, data, len);
	set->obj[type].len = len;
	ret = ev_digest(tfm, data, len, set->obj[type].digest);
	if (ret)
		goto out;
	mutex_lock(&dev->ev_lock);
	if (dev->ev_dead) {
		ret = -ENODEV;
		goto unlock;
	}
	cur = dev->ev;
	set->reset_count = reset;
	set->base_prov = TSMH_EV_PROV_UNSPEC;
	set->base_locked = TSMH_EV_LOCKED_UNKNOWN;
	if (cur) {
		ret = ev_copy_from(set, cur, type);
		if (ret)
			goto unlock;
		/* replacing its own earlier report: the base stays that one's */
		set->base_prov = cur->kernel_types & BIT(type) ? cur->base_prov : cur->prov;
		set->base_locked = cur->kernel_types & BIT(type) ? cur->base_locked : cur->locked;
	}
	set->locked = set->present && cur->locked != locked ? TSMH_EV_LOCKED_UNKNOWN : locked;
	set->present |= BIT(type);
	set->kernel_types = BIT(type);
	set->prov = prov;
	present = set->present;
	old = dev->ev;
	ev_kernel_publish(dev, set, gen);
	set = NULL;
	ret = 0;
unlock:
	mutex_unlock(&dev->ev_lock);
	if (!ret) {
		ev_set_put(old);
		pci_info_ratelimited(dev->pdev,
				     "evidence generation %llu: %s recorded by the kernel (%s)\n",
				     *gen, type_str(type), tsmh_ev_prov_name(prov));
		tsmh_nl_event_evidence(dev, *gen, prov, present);
	}
out:
	ev_set_put(set);
	return ret;
}

/*
 * The kernel withdraws its object @type recorded as generation @gen (a
 * TDI left CONFIG_LOCKED/RUN: its report is no longer current). Only if
 * that set is still the current one (a commit since replaced it: the
 * writer chose what it holds): a new set with its other objects, the
 * provenance and locked of the set it was derived from. 0 (also when
 * there was nothing to do), -ENOMEM.
 */
int tsmh_ev_kernel_drop(struct tsmh_dev *dev, u32 type, u64 gen)
{
	struct tsmh_ev_set *set, *cur, *old = NULL;
	u32 prov = 0, present = 0;
	u64 ngen = 0;
	int ret;

	if (type >= TSMH_EV_NR)
		return -EINVAL;
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	kref_init(&set->ref);
	mutex_lock(&dev->ev_lock);
	cur = dev->ev;
	ret = 0;
	if (dev->ev_dead || !cur || cur->gen != gen || !(cur->kernel_types & BIT(type)))
		goto unlock;
	ret = ev_copy_from(set, cur, type);
	if (ret)
		goto unlock;
	set->prov = cur->base_prov;
	set->locked = cur->base_locked;
	prov = set->prov;
	present = set->present;
	old = cur;
	ev_kernel_publish(dev, set, &ngen);
	set = NULL;
unlock:
	mutex_unlock(&dev->ev_lock);
	if (old) {
		ev_set_put(old);
		pci_info_ratelimited(dev->pdev,
				     "evidence generation %llu: %s of generation %llu withdrawn by the kernel\n",
				     ngen, type_str(type), gen);
		tsmh_nl_event_evidence(dev, ngen, prov, present);
	}
	ev_set_put(set);
	return ret;
}

/* Commit phase 5: the reply; consumes @msg. */
static int ev_commit_reply(struct genl_info *info, struct tsmh_dev *dev, struct sk_buff *msg,
			   u64 gen)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &tsmh_family, 0, TSMH_CMD_EVIDENCE_COMMIT);
	if (!hdr ||
	    nla_put_string(msg, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u64_64bit(msg, TSMH_A_EV_GENERATION, gen, TSMH_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int tsmh_nl_evidence_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tsmh_ev_set *set;
	struct crypto_shash *tfm;
	struct tsmh_dev *dev;
	struct sk_buff *msg;
	size_t bytes;
	u64 gen;
	int ret;

	ret = tsmh_nl_need(info, TSMH_A_EV_PROVENANCE,
			   "evidence provenance (TSMH_A_EV_PROVENANCE) required");
	if (ret)
		return ret;
	dev = tsmh_nl_req_dev(info, 0, &ret);
	if (!dev)
		return ret;
	/* reply allocated first: once published, a commit never fails for memory */
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!set || !msg) {
		ret = -ENOMEM;
		goto free_set_msg;
	}
	kref_init(&set->ref);
	ret = ev_commit_meta(info, dev, set);
	if (ret)
		goto free_set_msg;
	tfm = ev_tfm();
	if (!tfm) {
		NL_SET_ERR_MSG(info->extack, "kernel has no sha384 (load sha512_generic)");
		ret = -ENOPKG;
		goto free_set_msg;
	}
	ret = ev_commit_take(info, dev, set);
	if (ret)
		goto free_set_msg;
	ret = ev_commit_digest(info, tfm, set, &bytes);
	if (ret)
		goto free_set_msg;
	ret = ev_commit_publish(info, dev, &set, bytes, &gen);
	if (ret)
		goto free_set_msg;
	ret = ev_commit_reply(info, dev, msg, gen);
	msg = NULL;
free_set_msg:
	nlmsg_free(msg);
	ev_set_put(set);
	tsmh_dev_put(dev);
	return ret;
}

/* ---- netlink: read (dump) ---- */

enum { EV_PH_META, EV_PH_OBJS, EV_PH_DONE };

/*
 * cb->args: [0] phase, [1] type, [2] offset in the object, [3]/[4] the
 * generation being read (low/high 32 bits).
 */
static u64 dump_gen(struct netlink_callback *cb)
{
	return (u64)(u32)cb->args[4] << 32 | (u32)cb->args[3];
}

static void *ev_msg_start(struct sk_buff *skb, struct netlink_callback *cb,
			  struct tsmh_dev *dev, const struct tsmh_ev_set *set)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &tsmh_family,
			  NLM_F_MULTI, TSMH_CMD_EVIDENCE_GET);
	if (!hdr)
		return NULL;
	if (nla_put_string(skb, TSMH_A_DEV_NAME, dev->name) ||
	    nla_put_u64_64bit(skb, TSMH_A_EV_GENERATION, set->gen, TSMH_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

static int ev_put_meta(struct sk_buff *skb, struct netlink_callback *cb, struct tsmh_dev *dev,
		       const struct tsmh_ev_set *set)
{
	void *hdr = ev_msg_start(skb, cb, dev, set);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TSMH_A_EV_PROVENANCE, set->prov) ||
	    nla_put_u32(skb, TSMH_A_EV_LOCKED, set->locked) ||
	    nla_put_u32(skb, TSMH_A_EV_SPDM_VERSION, set->spdm_version) ||
	    nla_put_u32(skb, TSMH_A_EV_HASH_ALGO, set->hash_algo) ||
	    nla_put_u32(skb, TSMH_A_EV_ASYM_ALGO, set->asym_algo) ||
	    nla_put_u32(skb, TSMH_A_EV_SLOT_MASK, set->slot_mask) ||
	    nla_put_u64_64bit(skb, TSMH_A_EV_TIME, set->time_ns, TSMH_A_PAD) ||
	    nla_put_u64_64bit(skb, TSMH_A_RESET_COUNT, set->reset_count, TSMH_A_PAD) ||
	    nla_put_u32(skb, TSMH_A_EV_PRESENT, set->present) ||
	    nla_put_u32(skb, TSMH_A_EV_DIGEST_ALGO, TSMH_EV_DIGEST_SHA384)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int ev_put_digest(struct sk_buff *skb, struct netlink_callback *cb, struct tsmh_dev *dev,
			 const struct tsmh_ev_set *set, u32 t)
{
	void *hdr = ev_msg_start(skb, cb, dev, set);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TSMH_A_EV_TYPE, t) ||
	    nla_put_u32(skb, TSMH_A_EV_TOTAL, set->obj[t].len) ||
	    nla_put(skb, TSMH_A_EV_DIGEST, TSMH_EV_DIGEST_LEN, set->obj[t].digest) ||
	    nla_put_u32(skb, TSMH_A_EV_DIGEST_ALGO, TSMH_EV_DIGEST_SHA384)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* One chunk of object @t from @off, as large as the skb allows: bytes or -EMSGSIZE. */
static int ev_put_chunk(struct sk_buff *skb, struct netlink_callback *cb, struct tsmh_dev *dev,
			const struct tsmh_ev_set *set, u32 t, u32 off)
{
	const struct tsmh_ev_obj *o = &set->obj[t];
	bool first = !skb->len;
	u32 left = o->len - off, n;
	int room;
	void *hdr;

	hdr = ev_msg_start(skb, cb, dev, set);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TSMH_A_EV_TYPE, t) ||
	    nla_put_u32(skb, TSMH_A_EV_OFFSET, off) ||
	    nla_put_u32(skb, TSMH_A_EV_TOTAL, o->len))
		goto cancel;
	room = skb_tailroom(skb) - NLA_HDRLEN;
	if (room < 4)
		goto cancel;
	n = min_t(u32, left, room & ~3);
	/* a sliver at the end of a full skb: start the next one instead */
	if (n < left && n < SZ_1K && !first)
		goto cancel;
	if (nla_put(skb, TSMH_A_EV_DATA, n, o->data + off))
		goto cancel;
	genlmsg_end(skb, hdr);
	return n;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Dump phase 1: the request (checked on every call of the dump). */
static int ev_dump_parse(struct netlink_callback *cb, struct nlattr **attrs, u32 *flags,
			 u32 *mask)
{
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);

	if (ghdr->reserved) {
		NL_SET_ERR_MSG(cb->extack, "reserved genetlink header field must be 0");
		return -EINVAL;
	}
	*flags = attrs[TSMH_A_FLAGS] ? nla_get_u32(attrs[TSMH_A_FLAGS]) : 0;
	if (*flags & ~TSMH_EV_GET_F_ALL) {
		NL_SET_ERR_MSG(cb->extack, "unknown flag bits set");
		return -EINVAL;
	}
	*mask = attrs[TSMH_A_EV_TYPE_MASK] ? nla_get_u32(attrs[TSMH_A_EV_TYPE_MASK]) :
					     TSMH_EV_TYPE_MASK_ALL;
	if (*mask & ~TSMH_EV_TYPE_MASK_ALL) {
		NL_SET_ERR_MSG(cb->extack, "unknown evidence type in type mask");
		return -EINVAL;
	}
	if (!attrs[TSMH_A_DEV_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "device name (TSMH_A_DEV_NAME) required");
		return -EINVAL;
	}
	return 0;
}

/*
 * Dump phase 2: the device (*@devp, +1 ref, or NULL) and its current set
 * (+1 ref); NULL with *@err and the extack set if there is none.
 */
static struct tsmh_ev_set *ev_dump_set(struct netlink_callback *cb, const struct nlattr *name,
				       struct tsmh_dev **devp, int *err)
{
	struct tsmh_dev *dev = tsmh_dev_find(nla_data(name));
	struct tsmh_ev_set *set = dev ? ev_current(dev) : NULL;

	*devp = dev;
	if (set)
		return set;
	if (cb->args[0] != EV_PH_META) {
		NL_SET_ERR_MSG(cb->extack, "device removed during read");
		*err = -ENODEV;
	} else if (!dev) {
		TSMH_ERR(cb->extack, "no such device tracked by tsmh", "%.31s",
			 (char *)nla_data(name));
		*err = -ENODEV;
	} else {
		TSMH_ERR(cb->extack, "no evidence held for this device", "%s", dev->name);
		*err = -ENOENT;
	}
	return NULL;
}

/*
 * Dump phase 3: the metadata message on the first call (which fixes the
 * generation being read); later calls check the set is still that one.
 */
static int ev_dump_meta(struct sk_buff *skb, struct netlink_callback *cb, struct tsmh_dev *dev,
			const struct tsmh_ev_set *set)
{
	int ret;

	if (cb->args[0] == EV_PH_META) {
		ret = ev_put_meta(skb, cb, dev, set);
		if (ret)
			return ret;
		cb->args[3] = lower_32_bits(set->gen);
		cb->args[4] = upper_32_bits(set->gen);
		cb->args[0] = EV_PH_OBJS;
		cb->args[1] = 0;
		cb->args[2] = 0;
	} else if (set->gen != dump_gen(cb)) {
		TSMH_ERR(cb->extack, "evidence updated during read", "%llu -> %llu",
			 dump_gen(cb), set->gen);
		return -EAGAIN;
	}
	return 0;
}

/* Dump phase 4: objects (or their digests) from where the last call stopped. */
static void ev_dump_objs(struct sk_buff *skb, struct netlink_callback *cb, struct tsmh_dev *dev,
			 const struct tsmh_ev_set *set, u32 flags, u32 mask)
{
	int ret;
	u32 t;

	while (cb->args[1] < TSMH_EV_NR) {
		t = cb->args[1];
		if (!(set->present & mask & BIT(t))) {
			cb->args[1]++;
			cb->args[2] = 0;
			continue;
		}
		if (flags & TSMH_EV_GET_F_DIGEST) {
			if (ev_put_digest(skb, cb, dev, set, t))
				break;
			cb->args[1]++;
			continue;
		}
		ret = ev_put_chunk(skb, cb, dev, set, t, cb->args[2]);
		if (ret < 0)
			break;
		cb->args[2] += ret;
		if (cb->args[2] >= set->obj[t].len) {
			cb->args[1]++;
			cb->args[2] = 0;
		}
	}
}

int tsmh_nl_evidence_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = tsmh_dump_attrs(cb);
	struct tsmh_ev_set *set;
	struct tsmh_dev *dev;
	u32 flags, mask;
	int ret;

	if (cb->args[0] == EV_PH_DONE)
		return 0;
	ret = ev_dump_parse(cb, attrs, &flags, &mask);
	if (ret)
		return ret;
	set = ev_dump_set(cb, attrs[TSMH_A_DEV_NAME], &dev, &ret);
	if (!set)
		goto put_dev;
	ret = ev_dump_meta(skb, cb, dev, set);
	if (ret)
		goto put_set;
	ev_dump_objs(skb, cb, dev, set, flags, mask);
	if (cb->args[1] >= TSMH_EV_NR)
		cb->args[0] = EV_PH_DONE;
	/* a full skb ends this round; the next call continues */
	ret = skb->len;
	if (!ret && cb->args[0] != EV_PH_DONE)
		ret = -EMSGSIZE; /* nothing fits an empty skb: never end silently */
put_set:
	ev_set_put(set);
put_dev:
	if (dev)
		tsmh_dev_put(dev);
	return ret;
}
