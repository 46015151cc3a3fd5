// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * TDI commands of the tsmh netlink family (tdi_nl.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "nl_policy.h"
#include "tdi_nl.h"

/* a reply that does not decode: the reason into @why, -EPROTO */
#define bad(why, whylen, ...) (snprintf(why, whylen, __VA_ARGS__), -EPROTO)

#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* u32 attributes of the nest into fields, and the presence bit they set */
static const struct {
	uint16_t attr, off;
	uint32_t has;
} u32_fields[] = {
	{ TSMH_TDI_A_INTERFACE_ID, offsetof(struct tsmh_tdinl_tdi, interface_id), 0 },
	{ TSMH_TDI_A_FLAGS, offsetof(struct tsmh_tdinl_tdi, flags), 0 },
	{ TSMH_TDI_A_OP, offsetof(struct tsmh_tdinl_tdi, op), TSMH_TDINL_H_OP },
	{ TSMH_TDI_A_LOCK_FLAGS, offsetof(struct tsmh_tdinl_tdi, lock_flags),
	  TSMH_TDINL_H_LOCK_FLAGS },
	{ TSMH_TDI_A_STREAM_ID, offsetof(struct tsmh_tdinl_tdi, stream_id), TSMH_TDINL_H_STREAM },
	{ TSMH_TDI_A_REPORT_LEN, offsetof(struct tsmh_tdinl_tdi, report_len), TSMH_TDINL_H_REPORT },
	{ TSMH_TDI_A_NR_RANGES, offsetof(struct tsmh_tdinl_tdi, nr_ranges), TSMH_TDINL_H_REPORT },
};

static const struct {
	uint16_t attr, off;
	uint32_t has;
} u64_fields[] = {
	{ TSMH_TDI_A_MMIO_OFFSET, offsetof(struct tsmh_tdinl_tdi, mmio_offset), TSMH_TDINL_H_MMIO },
	{ TSMH_TDI_A_REPORT_GEN, offsetof(struct tsmh_tdinl_tdi, report_gen),
	  TSMH_TDINL_H_REPORT_GEN },
	{ TSMH_TDI_A_TVM, offsetof(struct tsmh_tdinl_tdi, tvm), TSMH_TDINL_H_TVM },
	{ TSMH_TDI_A_SINCE, offsetof(struct tsmh_tdinl_tdi, since), TSMH_TDINL_H_SINCE },
};

/* a string attribute into @dst, which must hold all of it */
static int get_str(struct nlattr *a, char *dst, size_t cap, const char *what, char *why,
		   size_t whylen)
{
	size_t n = strnlen(nla_data(a), (size_t)nla_len(a));

	if (n >= cap)
		return bad(why, whylen, "%s: %zu characters, at most %zu expected", what, n,
			   cap - 1);
	memcpy(dst, nla_data(a), n);
	dst[n] = 0;
	return 0;
}

int tsmh_tdinl_parse(struct nlattr *nest, struct tsmh_tdinl_tdi *t, char *why, size_t whylen)
{
	struct nlattr *tb[TSMH_TDI_A_MAX + 1];
	size_t i;

	memset(t, 0, sizeof(*t));
	if (nla_parse_nested(tb, TSMH_TDI_A_MAX, nest, (struct nla_policy *)tsmh_nl_tdi_policy))
		return bad(why, whylen, "tdi nest does not parse");
	if (!tb[TSMH_TDI_A_DEV])
		return bad(why, whylen, "tdi nest without its dev");
	if (get_str(tb[TSMH_TDI_A_DEV], t->dev, sizeof(t->dev), "tdi dev", why, whylen))
		return -EPROTO;
	if (!tb[TSMH_TDI_A_STATE])
		return bad(why, whylen, "tdi %s without its state", t->dev);
	t->state = nla_get_u32(tb[TSMH_TDI_A_STATE]);
	if (t->state >= __TSMH_TDI_STATE_NR)
		return bad(why, whylen, "tdi %s: state %u unknown", t->dev, t->state);
	if (tb[TSMH_TDI_A_DSM] &&
	    get_str(tb[TSMH_TDI_A_DSM], t->dsm, sizeof(t->dsm), "tdi dsm", why, whylen))
		return -EPROTO;
	for (i = 0; i < NR(u32_fields); i++)
		if (tb[u32_fields[i].attr]) {
			*(uint32_t *)((char *)t + u32_fields[i].off) =
				nla_get_u32(tb[u32_fields[i].attr]);
			t->has |= u32_fields[i].has;
		}
	for (i = 0; i < NR(u64_fields); i++)
		if (tb[u64_fields[i].attr]) {
			*(uint64_t *)((char *)t + u64_fields[i].off) =
				nla_get_u64(tb[u64_fields[i].attr]);
			t->has |= u64_fields[i].has;
		}
	if ((t->has & TSMH_TDINL_H_OP) && t->op >= __TSMH_TDI_OP_NR)
		return bad(why, whylen, "tdi %s: op %u unknown", t->dev, t->op);
	if ((t->has & TSMH_TDINL_H_STREAM) && t->stream_id > 255)
		return bad(why, whylen, "tdi %s: stream-id %u, 0-255 expected", t->dev,
			   t->stream_id);
	if ((t->has & TSMH_TDINL_H_REPORT) &&
	    (!tb[TSMH_TDI_A_REPORT_LEN] || !tb[TSMH_TDI_A_NR_RANGES]))
		return bad(why, whylen, "tdi %s: %s without %s", t->dev,
			   tb[TSMH_TDI_A_REPORT_LEN] ? "report-len" : "nr-ranges",
			   tb[TSMH_TDI_A_REPORT_LEN] ? "nr-ranges" : "report-len");
	/* a report has a 16-byte header and 16 bytes per range */
	if ((t->has & TSMH_TDINL_H_REPORT) && t->report_len &&
	    (uint64_t)t->nr_ranges * 16 + 16 > t->report_len)
		return bad(why, whylen, "tdi %s: %u ranges in a report of %u bytes", t->dev,
			   t->nr_ranges, t->report_len);
	/* a long message is cut, not refused: it is the kernel's reason */
	if (tb[TSMH_TDI_A_MSG]) {
		struct nlattr *a = tb[TSMH_TDI_A_MSG];

		snprintf(t->msg, sizeof(t->msg), "%.*s", (int)strnlen(nla_data(a), nla_len(a)),
			 (const char *)nla_data(a));
	}
	return 0;
}

int tsmh_tdinl_parse_msg(struct nl_msg *m, struct tsmh_tdinl_tdi *t, uint64_t *ticket, int *cause,
			 char *why, size_t whylen)
{
	struct nlattr *tb[TSMH_A_MAX + 1];

	if (ticket)
		*ticket = 0;
	if (cause)
		*cause = -1;
	memset(t, 0, sizeof(*t));
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX,
			  (struct nla_policy *)tsmh_nl_tsmh_policy))
		return bad(why, whylen, "tdi reply does not parse");
	if (!tb[TSMH_A_TDI])
		return bad(why, whylen, "tdi reply without its tdi nest");
	if (tsmh_tdinl_parse(tb[TSMH_A_TDI], t, why, whylen))
		return -EPROTO;
	if (ticket && tb[TSMH_A_TDI_TICKET])
		*ticket = nla_get_u64(tb[TSMH_A_TDI_TICKET]);
	if (cause && tb[TSMH_A_TDI_CAUSE]) {
		uint32_t c = nla_get_u32(tb[TSMH_A_TDI_CAUSE]);

		if (c >= __TSMH_TDI_CAUSE_NR)
			return bad(why, whylen, "evt-tdi %s: cause %u unknown", t->dev, c);
		*cause = (int)c;
	}
	return 0;
}

struct get_ctx {
	struct tsmh_nl *nl;
	struct tsmh_tdinl_list *out;
};

static int on_tdi(struct nl_msg *m, void *arg)
{
	struct get_ctx *g = arg;
	struct tsmh_tdinl_list *l = g->out;
	struct tsmh_tdinl_tdi *nt;
	char why[200];
	int ret;

	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 16;

		if (cap > 65536) {
			snprintf(g->nl->err, sizeof(g->nl->err), "tdi-get: more than 65536 TDIs");
			return -EPROTO;
		}
		nt = realloc(l->t, cap * sizeof(*nt));
		if (!nt) {
			snprintf(g->nl->err, sizeof(g->nl->err), "out of memory");
			return -ENOMEM;
		}
		l->t = nt;
		l->cap = cap;
	}
	ret = tsmh_tdinl_parse_msg(m, &l->t[l->n], NULL, NULL, why, sizeof(why));
	if (ret) {
		snprintf(g->nl->err, sizeof(g->nl->err), "tdi-get: %s", why);
		return ret;
	}
	l->n++;
	return 0;
}

int tsmh_tdi_get(struct tsmh_nl *nl, const char *dev, struct tsmh_tdinl_list *out)
{
	struct nl_msg *m = tsmh_nl_msg(nl, TSMH_CMD_TDI_GET, !dev);
	struct get_ctx g = { .nl = nl, .out = out };

	if (!m)
		return -ENOMEM;
	if (dev && nla_put_string(m, TSMH_A_DEV_NAME, dev)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(nl, m, on_tdi, &g);
}

void tsmh_tdinl_list_free(struct tsmh_tdinl_list *l)
{
	free(l->t);
	memset(l, 0, sizeof(*l));
}

const struct tsmh_tdinl_tdi *tsmh_tdinl_find(const struct tsmh_tdinl_list *l, const char *dev)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->t[i].dev, dev))
			return &l->t[i];
	return NULL;
}

/* a reply carrying one tdi nest (and a ticket): into the caller's */
struct one_ctx {
	struct tsmh_nl *nl;
	struct tsmh_tdinl_tdi *t;
	uint64_t *ticket;
	int got;
};

static int on_one(struct nl_msg *m, void *arg)
{
	struct one_ctx *o = arg;
	struct tsmh_tdinl_tdi scratch;
	char why[200];
	int ret;

	ret = tsmh_tdinl_parse_msg(m, o->t ? o->t : &scratch, o->ticket, NULL, why, sizeof(why));
	if (ret) {
		snprintf(o->nl->err, sizeof(o->nl->err), "reply: %s", why);
		return ret;
	}
	o->got = 1;
	return 0;
}

/* wipe the whole message buffer (a nonce may be in it), then free it */
static void free_wiped(struct nl_msg *m)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	nlmsg_free(m);
}

/* send @m, keeping a reference so that the buffer is ours to wipe afterwards */
static int call_wiped(struct tsmh_nl *nl, struct nl_msg *m, struct one_ctx *o, const char *what)
{
	int ret;

	nlmsg_get(m);
	ret = tsmh_nl_call(nl, m, on_one, o);
	free_wiped(m);
	if (!ret && !o->got) {
		snprintf(nl->err, sizeof(nl->err), "the %s reply carries no tdi", what);
		return -EPROTO;
	}
	if (!ret && o->ticket && !*o->ticket) {
		snprintf(nl->err, sizeof(nl->err), "the %s reply carries no ticket", what);
		return -EPROTO;
	}
	return ret;
}

static struct nl_msg *dev_msg(struct tsmh_nl *nl, uint8_t cmd, const char *dev)
{
	struct nl_msg *m = tsmh_nl_msg(nl, cmd, 0);

	if (m && nla_put_string(m, TSMH_A_DEV_NAME, dev)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

int tsmh_tdi_begin(struct tsmh_nl *nl, const char *dev, const struct tsmh_tdinl_begin *b,
		   uint64_t *ticket, struct tsmh_tdinl_tdi *t)
{
	struct nl_msg *m = dev_msg(nl, TSMH_CMD_TDI_BEGIN, dev);
	struct one_ctx o = { .nl = nl, .t = t, .ticket = ticket };
	int bad_put;

	*ticket = 0;
	if (!m)
		return -ENOMEM;
	bad_put = nla_put_u32(m, TSMH_A_TDI_OP, b->op);
	if (b->op == TSMH_TDI_OP_LOCK) {
		bad_put = bad_put || nla_put_u32(m, TSMH_A_TDI_LOCK_FLAGS, b->lock_flags) ||
			  nla_put_u64(m, TSMH_A_TDI_MMIO_OFFSET, b->mmio_offset);
		if (b->stream_id >= 0)
			bad_put = bad_put ||
				  nla_put_u32(m, TSMH_A_TDI_STREAM_ID, (uint32_t)b->stream_id);
		if (b->has_p2p_mask)
			bad_put = bad_put || nla_put_u64(m, TSMH_A_TDI_P2P_MASK, b->p2p_mask);
	}
	if (b->nonce)
		bad_put = bad_put || nla_put(m, TSMH_A_TDI_NONCE, TSMH_TDI_NONCE_LEN, b->nonce);
	if (b->tsm_cookie)
		bad_put = bad_put || nla_put_u64(m, TSMH_A_TSM_COOKIE, b->tsm_cookie);
	if (bad_put) {
		free_wiped(m);
		return -EMSGSIZE;
	}
	return call_wiped(nl, m, &o, "tdi-begin");
}

int tsmh_tdi_end(struct tsmh_nl *nl, const char *dev, const struct tsmh_tdinl_end *e,
		 struct tsmh_tdinl_tdi *t)
{
	struct nl_msg *m;
	struct one_ctx o = { .nl = nl, .t = t };
	int bad_put;

	/* a report as large as the kernel accepts does not fit the default page */
	m = nlmsg_alloc_size(e->report_len + 4096 > 16384 ? e->report_len + 4096 : 16384);
	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0, TSMH_CMD_TDI_END,
			 TSMH_GENL_VERSION)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	bad_put = nla_put_string(m, TSMH_A_DEV_NAME, dev) ||
		  nla_put_u64(m, TSMH_A_TDI_TICKET, e->ticket) ||
		  nla_put_s32(m, TSMH_A_TDI_STATUS, e->status);
	if (e->error_code >= 0)
		bad_put = bad_put || nla_put_u32(m, TSMH_A_TDI_ERROR, (uint32_t)e->error_code);
	if (e->dev_state >= 0)
		bad_put = bad_put || nla_put_u32(m, TSMH_A_TDI_DEV_STATE, (uint32_t)e->dev_state);
	if (e->nonce)
		bad_put = bad_put || nla_put(m, TSMH_A_TDI_NONCE, TSMH_TDI_NONCE_LEN, e->nonce);
	if (e->report)
		bad_put = bad_put || nla_put(m, TSMH_A_TDI_REPORT, (int)e->report_len, e->report);
	if (e->msg && e->msg[0]) {
		/* the kernel refuses a longer one (EINVAL): cut it, it is for humans */
		char msg[TSMH_GATE_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		bad_put = bad_put || nla_put_string(m, TSMH_A_TDI_MSG, msg);
	}
	if (bad_put) {
		free_wiped(m);
		return -EMSGSIZE;
	}
	return call_wiped(nl, m, &o, "tdi-end");
}

static const char *const state_names[] = { "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN", "ERROR" };
static const char *const op_names[] = { "lock", "report", "start", "stop", "state" };
static const char *const cause_names[] = {
	"lock",	    "report",	      "start",		"stop",	    "flr",    "config-write",
	"mismatch", "report-invalid", "requester-gone", "ide-lost", "failed", "removed",
};
static const char *const flag_names[] = { "report-checked", "nonce", "host-started", "bound",
					  "pending" };
static const char *const lock_flag_names[] = { "no-fw-update", "cache-line-128", "lock-msix",
					       "bind-p2p", "all-request-redirect" };

_Static_assert(NR(state_names) == __TSMH_TDI_STATE_NR, "a name per tdi state");
_Static_assert(NR(op_names) == __TSMH_TDI_OP_NR, "a name per tdi op");
_Static_assert(NR(cause_names) == __TSMH_TDI_CAUSE_NR, "a name per tdi cause");

const char *tsmh_tdinl_state_name(uint32_t state)
{
	return state < NR(state_names) ? state_names[state] : "unknown";
}

const char *tsmh_tdinl_op_name(uint32_t op)
{
	return op < NR(op_names) ? op_names[op] : "unknown";
}

const char *tsmh_tdinl_cause_name(uint32_t cause)
{
	return cause < NR(cause_names) ? cause_names[cause] : "unknown";
}

static const char *bits_str(uint32_t v, const char *const *names, size_t nr, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = 0;
	for (i = 0; i < 32; i++) {
		if (!(v & (1U << i)))
			continue;
		if (i < nr)
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s",
					       at ? "," : "", names[i]);
		else
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%sbit%zu",
					       at ? "," : "", i);
		if (at >= len)
			break;
	}
	return buf;
}

const char *tsmh_tdinl_flags_str(uint32_t flags, char *buf, size_t len)
{
	return bits_str(flags, flag_names, NR(flag_names), buf, len);
}

const char *tsmh_tdinl_lock_flags_str(uint32_t flags, char *buf, size_t len)
{
	return bits_str(flags, lock_flag_names, NR(lock_flag_names), buf, len);
}
