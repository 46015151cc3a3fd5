// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE commands of the tsmh netlink family (ide_nl.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ide_nl.h"
#include "nl_policy.h"

/* a reply that does not decode: the reason into @why, -EPROTO */
#define bad(why, whylen, ...) (snprintf(why, whylen, __VA_ARGS__), -EPROTO)

/*
 * u32 attributes into the fields of a stream (TSMH_IDES_A_*) or a port
 * (TSMH_IDEP_A_*): attribute type, which struct, field offset
 */
enum { STREAM, PORT };
#define S(attr, field)                                                            \
	{                                                                         \
		attr, STREAM, (uint16_t)offsetof(struct tsmh_idenl_stream, field) \
	}
#define P(attr, field)                                                        \
	{                                                                     \
		attr, PORT, (uint16_t)offsetof(struct tsmh_idenl_port, field) \
	}
static const struct {
	uint16_t attr, kind, off;
} u32_fields[] = {
	S(TSMH_IDES_A_TYPE, type),
	S(TSMH_IDES_A_TC, tc),
	S(TSMH_IDES_A_RP_BLOCK, rp_block),
	S(TSMH_IDES_A_EP_BLOCK, ep_block),
	S(TSMH_IDES_A_KEYS, keys),
	S(TSMH_IDES_A_RP_FAIL, rp_fail),
	S(TSMH_IDES_A_EP_FAIL, ep_fail),
	S(TSMH_IDES_A_FLAGS, flags),
	S(TSMH_IDES_A_KEY_SET, key_set),
	S(TSMH_IDES_A_RP_STATE, rp_state),
	S(TSMH_IDES_A_EP_STATE, ep_state),
	P(TSMH_IDEP_A_ROLE, role),
	P(TSMH_IDEP_A_CAP, cap),
	P(TSMH_IDEP_A_NR_SEL, nr_sel),
	P(TSMH_IDEP_A_SEL_USED, sel_used),
	P(TSMH_IDEP_A_NR_LINK, nr_link),
	P(TSMH_IDEP_A_LINK_USED, link_used),
	P(TSMH_IDEP_A_HB_STREAMS, hb_streams),
	P(TSMH_IDEP_A_HB_USED, hb_used),
	P(TSMH_IDEP_A_KEY_BACKEND, key_backend),
};
#undef S
#undef P

static void get_u32s(struct nlattr **tb, unsigned int kind, void *obj)
{
	size_t i;

	for (i = 0; i < sizeof(u32_fields) / sizeof(u32_fields[0]); i++)
		if (u32_fields[i].kind == kind && tb[u32_fields[i].attr])
			*(uint32_t *)((char *)obj + u32_fields[i].off) =
				nla_get_u32(tb[u32_fields[i].attr]);
}

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

static int parse_addr(struct nlattr *nest, struct tsmh_idenl_addr *a, char *why, size_t whylen)
{
	struct nlattr *tb[TSMH_IDEA_A_MAX + 1];

	if (nla_parse_nested(tb, TSMH_IDEA_A_MAX, nest,
			     (struct nla_policy *)tsmh_nl_ide_addr_policy))
		return bad(why, whylen, "ide-addr nest does not parse");
	if (!tb[TSMH_IDEA_A_BASE] || !tb[TSMH_IDEA_A_LIMIT])
		return bad(why, whylen, "ide-addr without %s",
			   tb[TSMH_IDEA_A_BASE] ? "limit" : "base");
	a->base = nla_get_u64(tb[TSMH_IDEA_A_BASE]);
	a->limit = nla_get_u64(tb[TSMH_IDEA_A_LIMIT]);
	if (a->base > a->limit)
		return bad(why, whylen, "ide-addr base %#llx above its limit %#llx",
			   (unsigned long long)a->base, (unsigned long long)a->limit);
	return 0;
}

int tsmh_idenl_parse_stream(struct nlattr *nest, struct tsmh_idenl_stream *s, char *why,
			    size_t whylen)
{
	struct nlattr *tb[TSMH_IDES_A_MAX + 1], *a;
	int rem, ret;

	memset(s, 0, sizeof(*s));
	if (nla_parse_nested(tb, TSMH_IDES_A_MAX, nest,
			     (struct nla_policy *)tsmh_nl_ide_stream_policy))
		return bad(why, whylen, "ide-stream nest does not parse");
	if (!tb[TSMH_IDES_A_ID])
		return bad(why, whylen, "ide-stream without its id");
	s->id = nla_get_u32(tb[TSMH_IDES_A_ID]);
	if (s->id > 254)
		return bad(why, whylen, "ide-stream id %u, 0-254 expected", s->id);
	get_u32s(tb, STREAM, s);
	if (s->type >= __TSMH_IDE_TYPE_NR)
		return bad(why, whylen, "ide-stream %u: type %u unknown", s->id, s->type);
	if (s->tc > 7)
		return bad(why, whylen, "ide-stream %u: tc %u, 0-7 expected", s->id, s->tc);
	if (tb[TSMH_IDES_A_KEY_SET]) {
		if (s->key_set > 1)
			return bad(why, whylen, "ide-stream %u: key-set %u, 0 or 1 expected", s->id,
				   s->key_set);
		s->has |= TSMH_IDENL_S_KEY_SET;
	}
	if (tb[TSMH_IDES_A_RP_STATE])
		s->has |= TSMH_IDENL_S_RP_STATE;
	if (tb[TSMH_IDES_A_EP_STATE])
		s->has |= TSMH_IDENL_S_EP_STATE;
	if (tb[TSMH_IDES_A_RID_BASE] && tb[TSMH_IDES_A_RID_LIMIT]) {
		s->rid_base = nla_get_u32(tb[TSMH_IDES_A_RID_BASE]);
		s->rid_limit = nla_get_u32(tb[TSMH_IDES_A_RID_LIMIT]);
		s->has |= TSMH_IDENL_S_RID;
	}
	if (tb[TSMH_IDES_A_CREATED])
		s->created = nla_get_u64(tb[TSMH_IDES_A_CREATED]);
	if (tb[TSMH_IDES_A_RP_NAME] && get_str(tb[TSMH_IDES_A_RP_NAME], s->rp, sizeof(s->rp),
					       "ide-stream rp-name", why, whylen))
		return -EPROTO;
	if (tb[TSMH_IDES_A_EP_NAME] && get_str(tb[TSMH_IDES_A_EP_NAME], s->ep, sizeof(s->ep),
					       "ide-stream ep-name", why, whylen))
		return -EPROTO;
	/* multi-attr: every TSMH_IDES_A_ADDR in order (nla_parse kept the last) */
	nla_for_each_nested(a, nest, rem)
	{
		if (nla_type(a) != TSMH_IDES_A_ADDR)
			continue;
		if (s->nr_addr == TSMH_IDENL_ADDR_MAX) {
			s->addr_dropped++;
			continue;
		}
		ret = parse_addr(a, &s->addr[s->nr_addr], why, whylen);
		if (ret)
			return ret;
		s->nr_addr++;
	}
	return 0;
}

int tsmh_idenl_parse_port(struct nl_msg *m, struct tsmh_idenl_port *p, char *why, size_t whylen)
{
	struct nlattr *tb[TSMH_A_MAX + 1], *pt[TSMH_IDEP_A_MAX + 1], *a;
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct tsmh_idenl_stream *ns;
	int rem, ret;

	memset(p, 0, sizeof(*p));
	if (genlmsg_parse(nlh, 0, tb, TSMH_A_MAX, (struct nla_policy *)tsmh_nl_tsmh_policy))
		return bad(why, whylen, "ide-get reply does not parse");
	if (!tb[TSMH_A_DEV_NAME])
		return bad(why, whylen, "ide-get reply without dev-name");
	if (get_str(tb[TSMH_A_DEV_NAME], p->name, sizeof(p->name), "dev-name", why, whylen))
		return -EPROTO;
	if (tb[TSMH_A_IDE_PORT]) {
		if (nla_parse_nested(pt, TSMH_IDEP_A_MAX, tb[TSMH_A_IDE_PORT],
				     (struct nla_policy *)tsmh_nl_ide_port_policy))
			return bad(why, whylen, "%s: ide-port nest does not parse", p->name);
		get_u32s(pt, PORT, p);
		if (pt[TSMH_IDEP_A_OFFSET])
			p->offset = nla_get_u16(pt[TSMH_IDEP_A_OFFSET]);
		if (p->role >= __TSMH_IDE_ROLE_NR)
			return bad(why, whylen, "%s: ide-port role %u unknown", p->name, p->role);
		if (p->sel_used > p->nr_sel || p->link_used > p->nr_link)
			return bad(why, whylen,
				   "%s: ide-port uses %u of %u selective and %u of %u link "
				   "blocks",
				   p->name, p->sel_used, p->nr_sel, p->link_used, p->nr_link);
		if (pt[TSMH_IDEP_A_HB_NAME]) {
			if (get_str(pt[TSMH_IDEP_A_HB_NAME], p->hb_name, sizeof(p->hb_name),
				    "ide-port hb-name", why, whylen))
				return -EPROTO;
			p->has_hb = 1;
		}
		if (pt[TSMH_IDEP_A_PLATFORM] &&
		    get_str(pt[TSMH_IDEP_A_PLATFORM], p->platform, sizeof(p->platform),
			    "ide-port platform", why, whylen))
			return -EPROTO;
		if (pt[TSMH_IDEP_A_UPSTREAM] &&
		    get_str(pt[TSMH_IDEP_A_UPSTREAM], p->upstream, sizeof(p->upstream),
			    "ide-port upstream", why, whylen))
			return -EPROTO;
	}
	if (tb[TSMH_A_DEV_IDE_CAP])
		p->cap = nla_get_u32(tb[TSMH_A_DEV_IDE_CAP]);
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem)
	{
		if (nla_type(a) != TSMH_A_IDE_STREAM)
			continue;
		if (p->nr_streams >= 512) {
			ret = bad(why, whylen, "%s: more than 512 streams in one reply", p->name);
			goto fail;
		}
		ns = realloc(p->streams, (p->nr_streams + 1) * sizeof(*ns));
		if (!ns) {
			snprintf(why, whylen, "out of memory");
			ret = -ENOMEM;
			goto fail;
		}
		p->streams = ns;
		ret = tsmh_idenl_parse_stream(a, &ns[p->nr_streams], why, whylen);
		if (ret)
			goto fail;
		p->nr_streams++;
	}
	return 0;
fail:
	free(p->streams);
	p->streams = NULL;
	p->nr_streams = 0;
	return ret;
}

struct get_ctx {
	struct tsmh_nl *nl;
	struct tsmh_idenl_ports *out;
};

static int on_port(struct nl_msg *m, void *arg)
{
	struct get_ctx *g = arg;
	struct tsmh_idenl_ports *ps = g->out;
	struct tsmh_idenl_port *np;
	char why[200];
	int ret;

	if (ps->n == ps->cap) {
		unsigned int cap = ps->cap ? 2 * ps->cap : 8;

		np = realloc(ps->p, cap * sizeof(*np));
		if (!np) {
			snprintf(g->nl->err, sizeof(g->nl->err), "out of memory");
			return -ENOMEM;
		}
		ps->p = np;
		ps->cap = cap;
	}
	ret = tsmh_idenl_parse_port(m, &ps->p[ps->n], why, sizeof(why));
	if (ret) {
		snprintf(g->nl->err, sizeof(g->nl->err), "ide-get: %s", why);
		return ret;
	}
	ps->n++;
	return 0;
}

int tsmh_ide_get(struct tsmh_nl *nl, const char *dev, struct tsmh_idenl_ports *out)
{
	struct nl_msg *m = tsmh_nl_msg(nl, TSMH_CMD_IDE_GET, !dev);
	struct get_ctx g = { .nl = nl, .out = out };

	if (!m)
		return -ENOMEM;
	if (dev && nla_put_string(m, TSMH_A_DEV_NAME, dev)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return tsmh_nl_call(nl, m, on_port, &g);
}

void tsmh_idenl_ports_free(struct tsmh_idenl_ports *ps)
{
	unsigned int i;

	for (i = 0; i < ps->n; i++)
		free(ps->p[i].streams);
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

const struct tsmh_idenl_port *tsmh_idenl_port_find(const struct tsmh_idenl_ports *ps,
						   const char *name)
{
	unsigned int i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

const struct tsmh_idenl_stream *tsmh_idenl_stream_find(const struct tsmh_idenl_ports *ps,
						       const char *ep, int id)
{
	unsigned int i, k;

	for (i = 0; i < ps->n; i++)
		for (k = 0; k < ps->p[i].nr_streams; k++) {
			const struct tsmh_idenl_stream *s = &ps->p[i].streams[k];

			if (!strcmp(s->ep, ep) && (id < 0 || s->id == (uint32_t)id))
				return s;
		}
	return NULL;
}

/* a reply carrying one ide-stream: into the caller's struct */
struct one_ctx {
	struct tsmh_nl *nl;
	struct tsmh_idenl_stream *s;
	int got;
};

static int on_stream(struct nl_msg *m, void *arg)
{
	struct one_ctx *o = arg;
	struct nlattr *a;
	char why[200];
	int rem, ret;

	if (!o->s)
		return 0;
	nlmsg_for_each_attr(a, nlmsg_hdr(m), GENL_HDRLEN, rem)
	{
		if (nla_type(a) != TSMH_A_IDE_STREAM)
			continue;
		ret = tsmh_idenl_parse_stream(a, o->s, why, sizeof(why));
		if (ret) {
			snprintf(o->nl->err, sizeof(o->nl->err), "reply: %s", why);
			return ret;
		}
		o->got = 1;
		return 0;
	}
	return 0;
}

static int stream_call(struct tsmh_nl *nl, struct nl_msg *m, struct tsmh_idenl_stream *s)
{
	struct one_ctx o = { .nl = nl, .s = s };
	int ret;

	if (s)
		memset(s, 0, sizeof(*s));
	ret = tsmh_nl_call(nl, m, on_stream, &o);
	if (!ret && s && !o.got) {
		snprintf(nl->err, sizeof(nl->err), "the reply carries no ide-stream");
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

int tsmh_ide_stream_new(struct tsmh_nl *nl, const char *dev, uint32_t type, uint32_t tc,
			struct tsmh_idenl_stream *s)
{
	struct nl_msg *m = dev_msg(nl, TSMH_CMD_IDE_STREAM_NEW, dev);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_IDE_STREAM_TYPE, type) || nla_put_u32(m, TSMH_A_IDE_TC, tc)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return stream_call(nl, m, s);
}

/* wipe the whole message buffer (a key was in it), then free it */
static void free_wiped(struct nl_msg *m)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	nlmsg_free(m);
}

int tsmh_ide_key_prog(struct tsmh_nl *nl, const char *dev, uint32_t id, uint32_t set, uint32_t dir,
		      uint32_t sub, const uint8_t *key, const uint8_t *ifv)
{
	struct nl_msg *m = dev_msg(nl, TSMH_CMD_IDE_KEY_PROG, dev);
	int ret;

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id) || nla_put_u32(m, TSMH_A_IDE_KEY_SET, set) ||
	    nla_put_u32(m, TSMH_A_IDE_DIR, dir) || nla_put_u32(m, TSMH_A_IDE_SUB, sub) ||
	    nla_put(m, TSMH_A_IDE_KEY, TSMH_IDE_KEY_LEN, key) ||
	    nla_put(m, TSMH_A_IDE_IFV, TSMH_IDE_IFV_LEN, ifv)) {
		free_wiped(m);
		return -EMSGSIZE;
	}
	/*
	 * tsmh_nl_call() frees the message it sent: send it ourselves through
	 * a clone-free path by taking a reference, so the buffer is still
	 * ours to wipe afterwards.
	 */
	nlmsg_get(m);
	ret = tsmh_nl_call(nl, m, NULL, NULL);
	free_wiped(m);
	return ret;
}

int tsmh_ide_kset(struct tsmh_nl *nl, const char *dev, uint32_t id, uint32_t set, uint32_t op,
		  struct tsmh_idenl_stream *s)
{
	struct nl_msg *m = dev_msg(nl, TSMH_CMD_IDE_KSET, dev);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id) || nla_put_u32(m, TSMH_A_IDE_KEY_SET, set) ||
	    nla_put_u32(m, TSMH_A_IDE_KSET_OP, op)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return stream_call(nl, m, s);
}

/* a command naming the device and the stream only (enable, del) */
static int id_cmd(struct tsmh_nl *nl, uint8_t cmd, const char *dev, uint32_t id,
		  struct tsmh_idenl_stream *s)
{
	struct nl_msg *m = dev_msg(nl, cmd, dev);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return stream_call(nl, m, s);
}

int tsmh_ide_stream_enable(struct tsmh_nl *nl, const char *dev, uint32_t id,
			   struct tsmh_idenl_stream *s)
{
	return id_cmd(nl, TSMH_CMD_IDE_STREAM_ENABLE, dev, id, s);
}

int tsmh_ide_stream_del(struct tsmh_nl *nl, const char *dev, uint32_t id)
{
	return id_cmd(nl, TSMH_CMD_IDE_STREAM_DEL, dev, id, NULL);
}

int tsmh_idenl_secure(const struct tsmh_idenl_stream *s)
{
	/*
	 * a stream flagged reset, or whose control an end had written since
	 * enable (the kernel's own verdict until the next enable), is not
	 * secure, whatever its registers read now
	 */
	if (s->flags & (TSMH_IDE_S_F_RESET | TSMH_IDE_S_F_CFG_WRITE))
		return 0;
	if (s->flags & TSMH_IDE_S_F_SECURE)
		return 1;
	return (s->has & TSMH_IDENL_S_RP_STATE) && (s->has & TSMH_IDENL_S_EP_STATE) &&
	       s->rp_state == 2 && s->ep_state == 2;
}

const char *tsmh_idenl_type_name(uint32_t type)
{
	return type == TSMH_IDE_TYPE_SELECTIVE ? "selective"
	       : type == TSMH_IDE_TYPE_LINK    ? "link"
					       : "unknown";
}

const char *tsmh_idenl_role_name(uint32_t role)
{
	return role == TSMH_IDE_ROLE_ROOT_PORT	? "root port"
	       : role == TSMH_IDE_ROLE_ENDPOINT ? "endpoint"
						: "other";
}
