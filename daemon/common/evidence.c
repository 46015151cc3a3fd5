// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Kernel-held device evidence, client side: upload (chunks + commit) and
 * read (dump, retried when the set changes underneath).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "ev_rules.h"
#include "nl_policy.h"

#define GET_ATTEMPTS 5

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* "strerror (kernel's reason)" */
static void say_nl(char *why, size_t whylen, struct tsmh_nl *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void say_nl(char *why, size_t whylen, struct tsmh_nl *nl, int err, const char *fmt, ...)
{
	char head[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	say(why, whylen, "%s: %s%s%s%s", head, strerror(-err), nl->err[0] ? " (" : "", nl->err,
	    nl->err[0] ? ")" : "");
}

static struct nl_msg *ev_msg(struct tsmh_nl *nl, uint8_t cmd, const char *dev, size_t extra)
{
	struct nl_msg *m = nlmsg_alloc_size(extra + 4096);

	if (!m)
		return NULL;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0, cmd, TSMH_GENL_VERSION) ||
	    nla_put_string(m, TSMH_A_DEV_NAME, dev)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

int tsmh_evidence_put_chunk(struct tsmh_nl *nl, const char *dev, uint32_t type, uint32_t off,
			    uint32_t total, const void *data, size_t len)
{
	struct nl_msg *m;

	if (len > TSMH_EV_CHUNK_MAX)
		return -EMSGSIZE;
	m = ev_msg(nl, TSMH_CMD_EVIDENCE_PUT, dev, len);
	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_EV_TYPE, type) || nla_put_u32(m, TSMH_A_EV_OFFSET, off) ||
	    nla_put_u32(m, TSMH_A_EV_TOTAL, total) || nla_put(m, TSMH_A_EV_DATA, (int)len, data)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(nl, m, NULL, NULL);
}

static int parse_commit(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[TSMH_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, tsmh_nl_tsmh_policy) ||
	    !tb[TSMH_A_EV_GENERATION])
		return -EBADMSG;
	*(uint64_t *)arg = nla_get_u64(tb[TSMH_A_EV_GENERATION]);
	return 0;
}

int tsmh_evidence_commit(struct tsmh_nl *nl, const char *dev, const struct tsmh_evidence *meta,
			 uint64_t *generation)
{
	struct nl_msg *m = ev_msg(nl, TSMH_CMD_EVIDENCE_COMMIT, dev, 0);
	uint64_t gen = 0;
	int ret;

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_EV_PROVENANCE, meta->provenance) ||
	    nla_put_u32(m, TSMH_A_EV_LOCKED, meta->locked) ||
	    nla_put_u32(m, TSMH_A_EV_SPDM_VERSION, meta->spdm_version) ||
	    nla_put_u32(m, TSMH_A_EV_HASH_ALGO, meta->hash_algo) ||
	    nla_put_u32(m, TSMH_A_EV_ASYM_ALGO, meta->asym_algo) ||
	    nla_put_u32(m, TSMH_A_EV_SLOT_MASK, meta->slot_mask) ||
	    (meta->keep_mask &&
	     (nla_put_u32(m, TSMH_A_EV_KEEP_MASK, meta->keep_mask) ||
	      nla_put_u64(m, TSMH_A_EV_KEEP_GENERATION, meta->keep_generation)))) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	ret = tsmh_nl_call(nl, m, parse_commit, &gen);
	if (!ret && generation)
		*generation = gen;
	return ret;
}

int tsmh_evidence_abort(struct tsmh_nl *nl, const char *dev)
{
	struct nl_msg *m = ev_msg(nl, TSMH_CMD_EVIDENCE_ABORT, dev, 0);

	return m ? tsmh_nl_call(nl, m, NULL, NULL) : -ENOMEM;
}

int tsmh_evidence_put(struct tsmh_nl *nl, const char *dev, const struct tsmh_evidence *ev,
		      uint64_t *generation, char *why, size_t whylen)
{
	size_t off, n;
	uint32_t t;
	int ret;

	/* a leftover from an earlier failed attempt on this socket must not ride along */
	ret = tsmh_evidence_abort(nl, dev);
	if (ret && ret != -ENOENT) {
		say_nl(why, whylen, nl, ret, "%s: evidence upload", dev);
		return ret;
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!ev->obj[t].len)
			continue;
		if (ev->obj[t].len > UINT32_MAX) {
			say(why, whylen, "%s: %s: %zu bytes: evidence object larger than 16 MiB",
			    dev, tsmh_ev_type_name(t), ev->obj[t].len);
			ret = -EFBIG;
			goto fail;
		}
		for (off = 0; off < ev->obj[t].len; off += n) {
			n = ev->obj[t].len - off;
			if (n > TSMH_EV_CHUNK_MAX)
				n = TSMH_EV_CHUNK_MAX;
			ret = tsmh_evidence_put_chunk(nl, dev, t, (uint32_t)off,
						      (uint32_t)ev->obj[t].len,
						      ev->obj[t].data + off, n);
			if (ret) {
				say_nl(why, whylen, nl, ret, "%s: uploading %s at offset %zu", dev,
				       tsmh_ev_type_name(t), off);
				goto fail;
			}
		}
	}
	ret = tsmh_evidence_commit(nl, dev, ev, generation);
	if (ret) {
		say_nl(why, whylen, nl, ret, "%s: evidence commit", dev);
		goto fail;
	}
	return 0;
fail:
	tsmh_evidence_abort(nl, dev); /* best effort; the socket's close does it too */
	return ret;
}

/* ---- reading ---- */

void tsmh_evidence_free(struct tsmh_evidence *ev)
{
	uint32_t t;

	for (t = 0; t < TSMH_EV_NR; t++) {
		free(ev->obj[t].data);
		ev->obj[t].data = NULL;
	}
}

void tsmh_ev_asm_init(struct tsmh_ev_asm *a, struct tsmh_evidence *ev, uint32_t mask,
		      uint32_t flags)
{
	memset(a, 0, sizeof(*a));
	memset(ev, 0, sizeof(*ev));
	a->ev = ev;
	a->mask = mask ? mask : TSMH_EV_TYPE_MASK_ALL;
	a->flags = flags;
}

int tsmh_ev_asm_msg(struct tsmh_ev_asm *a, struct nlattr *attrs, int len, char *why, size_t whylen)
{
	struct tsmh_evidence *ev = a->ev;
	struct nlattr *tb[TSMH_A_MAX + 1];
	uint32_t type, off, total;
	uint64_t gen;
	size_t n;

	if (nla_parse(tb, TSMH_A_MAX, attrs, len, tsmh_nl_tsmh_policy) ||
	    !tb[TSMH_A_EV_GENERATION]) {
		say(why, whylen, "malformed evidence message (no generation)");
		return -EBADMSG;
	}
	gen = nla_get_u64(tb[TSMH_A_EV_GENERATION]);
	if (!tb[TSMH_A_EV_TYPE]) { /* the metadata message comes first, once */
		if (a->have_meta) {
			say(why, whylen, "malformed evidence read: metadata twice");
			return -EBADMSG;
		}
		a->have_meta = 1;
		ev->generation = gen;
#define GET32(f, attr)                                 \
	do {                                           \
		if (tb[attr])                          \
			ev->f = nla_get_u32(tb[attr]); \
	} while (0)
		GET32(provenance, TSMH_A_EV_PROVENANCE);
		GET32(locked, TSMH_A_EV_LOCKED);
		GET32(spdm_version, TSMH_A_EV_SPDM_VERSION);
		GET32(hash_algo, TSMH_A_EV_HASH_ALGO);
		GET32(asym_algo, TSMH_A_EV_ASYM_ALGO);
		GET32(slot_mask, TSMH_A_EV_SLOT_MASK);
		GET32(present, TSMH_A_EV_PRESENT);
		GET32(digest_algo, TSMH_A_EV_DIGEST_ALGO);
#undef GET32
		if (tb[TSMH_A_EV_TIME])
			ev->time_ns = nla_get_u64(tb[TSMH_A_EV_TIME]);
		if (tb[TSMH_A_RESET_COUNT]) {
			ev->reset_count = nla_get_u64(tb[TSMH_A_RESET_COUNT]);
			ev->have_reset_count = 1;
		}
		return 0;
	}
	if (!a->have_meta) {
		say(why, whylen, "malformed evidence read: object before metadata");
		return -EBADMSG;
	}
	if (gen != ev->generation) {
		say(why, whylen, "evidence updated during read");
		return -EAGAIN;
	}
	type = nla_get_u32(tb[TSMH_A_EV_TYPE]);
	if (type >= TSMH_EV_NR)
		return 0; /* an object type newer than us: skip it */
	if (!tb[TSMH_A_EV_TOTAL]) {
		say(why, whylen, "malformed evidence message (%s: no size)",
		    tsmh_ev_type_name(type));
		return -EBADMSG;
	}
	total = nla_get_u32(tb[TSMH_A_EV_TOTAL]);
	if (!total || total > TSMH_EV_OBJ_MAX || !(ev->present & (1U << type))) {
		say(why, whylen, "malformed evidence message (%s: %u bytes, not announced)",
		    tsmh_ev_type_name(type), total);
		return -EBADMSG;
	}
	if (a->seen[type] && ev->obj[type].len != total) {
		say(why, whylen, "malformed evidence read (%s: size changed)",
		    tsmh_ev_type_name(type));
		return -EBADMSG;
	}
	a->seen[type] = 1;
	ev->obj[type].len = total;
	if (tb[TSMH_A_EV_DIGEST]) {
		n = (size_t)nla_len(tb[TSMH_A_EV_DIGEST]);
		if (!n || n > TSMH_EV_DIGEST_MAX || ev->obj[type].digest_len) {
			say(why, whylen, "malformed evidence digest (%s)", tsmh_ev_type_name(type));
			return -EBADMSG;
		}
		memcpy(ev->obj[type].digest, nla_data(tb[TSMH_A_EV_DIGEST]), n);
		ev->obj[type].digest_len = n;
		if (tb[TSMH_A_EV_DIGEST_ALGO])
			ev->digest_algo = nla_get_u32(tb[TSMH_A_EV_DIGEST_ALGO]);
		a->got[type] = total;
		return 0;
	}
	if (!tb[TSMH_A_EV_OFFSET] || !tb[TSMH_A_EV_DATA]) {
		say(why, whylen, "malformed evidence chunk (%s)", tsmh_ev_type_name(type));
		return -EBADMSG;
	}
	off = nla_get_u32(tb[TSMH_A_EV_OFFSET]);
	n = (size_t)nla_len(tb[TSMH_A_EV_DATA]);
	if (off != a->got[type] || !n || n > total - off) {
		say(why, whylen, "evidence chunks out of order (%s at %u, have %zu of %u)",
		    tsmh_ev_type_name(type), off, a->got[type], total);
		return -EBADMSG;
	}
	if (!ev->obj[type].data) {
		ev->obj[type].data = malloc(total);
		if (!ev->obj[type].data) {
			say(why, whylen, "out of memory for %s (%u bytes)", tsmh_ev_type_name(type),
			    total);
			return -ENOMEM;
		}
	}
	memcpy(ev->obj[type].data + off, nla_data(tb[TSMH_A_EV_DATA]), n);
	a->got[type] += n;
	a->bytes += n;
	return 0;
}

int tsmh_ev_asm_finish(struct tsmh_ev_asm *a, char *why, size_t whylen)
{
	uint32_t t;

	if (!a->have_meta) {
		say(why, whylen, "evidence read ended without metadata");
		return -EBADMSG;
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!(a->ev->present & a->mask & (1U << t)))
			continue;
		if (!a->seen[t] || a->got[t] != a->ev->obj[t].len) {
			say(why, whylen, "evidence read ended early (%s: %zu of %zu bytes)",
			    tsmh_ev_type_name(t), a->got[t], a->ev->obj[t].len);
			return -EBADMSG;
		}
	}
	return 0;
}

struct get_ctx {
	struct tsmh_ev_asm a;
	const struct tsmh_evidence_get_opts *o;
	unsigned int attempt;
	char why[200];
};

static int on_get_msg(struct nl_msg *m, void *arg)
{
	struct get_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	int ret;

	ret = tsmh_ev_asm_msg(&c->a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			      genlmsg_attrlen(nlmsg_data(nlh), 0), c->why, sizeof(c->why));
	if (!ret && c->o && c->o->progress)
		ret = c->o->progress(c->o->arg, c->attempt, c->a.bytes);
	return ret;
}

int tsmh_evidence_get(struct tsmh_nl *nl, const char *dev,
		      const struct tsmh_evidence_get_opts *opts, struct tsmh_evidence *out,
		      char *why, size_t whylen)
{
	unsigned int tries = opts && opts->attempts ? opts->attempts : GET_ATTEMPTS;
	uint32_t mask = opts ? opts->type_mask : 0, flags = opts ? opts->flags : 0;
	struct get_ctx c = { .o = opts };
	struct nl_msg *m;
	int ret = -EAGAIN;

	for (c.attempt = 1; c.attempt <= tries; c.attempt++) {
		tsmh_ev_asm_init(&c.a, out, mask, flags);
		c.why[0] = 0;
		m = tsmh_nl_msg(nl, TSMH_CMD_EVIDENCE_GET, 1);
		if (!m || nla_put_string(m, TSMH_A_DEV_NAME, dev) ||
		    (mask && nla_put_u32(m, TSMH_A_EV_TYPE_MASK, mask)) ||
		    (flags && nla_put_u32(m, TSMH_A_FLAGS, flags))) {
			nlmsg_free(m);
			say(why, whylen, "%s: evidence read: out of memory", dev);
			return -ENOMEM;
		}
		ret = tsmh_nl_call(nl, m, on_get_msg, &c);
		if (!ret)
			ret = tsmh_ev_asm_finish(&c.a, c.why, sizeof(c.why));
		if (!ret)
			return 0;
		tsmh_evidence_free(out);
		if (ret != -EAGAIN)
			break;
	}
	if (ret == -EAGAIN)
		say(why, whylen, "%s: evidence kept changing during the read (%u attempts; %s)",
		    dev, tries, nl->err[0] ? nl->err : c.why);
	else if (c.why[0])
		say(why, whylen, "%s: evidence read: %s", dev, c.why);
	else
		say_nl(why, whylen, nl, ret, "%s: evidence read", dev);
	return ret;
}
