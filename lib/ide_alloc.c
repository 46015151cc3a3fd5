// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE stream allocator (lib/ide_alloc.h). The caller holds its lock.
 */
#include "ide_alloc.h"
#ifdef __KERNEL__
#include <linux/stdarg.h>
#else
#include <stdarg.h>
#include <stdio.h>
#endif

/* more is a corrupted list: the pool holds 256, link blocks 8 per port */
#define WALK_MAX	4096

static bool bit_test(const u32 *m, unsigned int b)
{
	return (m[b / 32] >> (b % 32)) & 1;
}

static void bit_set(u32 *m, unsigned int b)
{
	m[b / 32] |= 1u << (b % 32);
}

static void bit_clr(u32 *m, unsigned int b)
{
	m[b / 32] &= ~(1u << (b % 32));
}

static int first_zero(const u32 *m, unsigned int n)
{
	unsigned int b;

	for (b = 0; b < n; b++)
		if (!bit_test(m, b))
			return (int)b;
	return -1;
}

/* messages: appended to, truncated with "..." */
struct mbuf {
	char *p;
	size_t len, pos;
};

static __printf(2, 3) void put(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->len || b->pos >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->pos += (size_t)n;
	if (b->pos >= b->len && b->len >= 4)
		memcpy(b->p + b->len - 4, "...", 4);
}

static void mbuf_init(struct mbuf *b, char *p, size_t len)
{
	b->p = p;
	b->len = p ? len : 0;
	b->pos = 0;
	if (b->len)
		p[0] = 0;
}

static void set_name(char *dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= TSMH_IDE_NAME_MAX)
		n = TSMH_IDE_NAME_MAX - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

const char *tsmh_ide_port_kind_name(u8 kind)
{
	switch (kind) {
	case TSMH_IDE_PORT_ROOT:
		return "root port";
	case TSMH_IDE_PORT_ENDPOINT:
		return "endpoint";
	case TSMH_IDE_PORT_SWITCH_DS:
		return "switch downstream port";
	case TSMH_IDE_PORT_SWITCH_US:
		return "switch upstream port";
	default:
		return "port";
	}
}

void tsmh_ide_hb_init(struct tsmh_ide_hb *hb, const char *name, unsigned int nr_streams,
		      enum tsmh_ide_id_scope scope)
{
	memset(hb, 0, sizeof(*hb));
	set_name(hb->name, name);
	hb->nr_streams = nr_streams > TSMH_IDE_POOL_MAX ? TSMH_IDE_POOL_MAX : (u16)nr_streams;
	hb->scope = scope == TSMH_IDE_ID_PER_PAIR ? TSMH_IDE_ID_PER_PAIR : TSMH_IDE_ID_PER_HB;
	bit_set(hb->ids, TSMH_IDE_RESERVED_ID);
}

int tsmh_ide_hb_set_nr_streams(struct tsmh_ide_hb *hb, unsigned int nr_streams)
{
	if (hb->nr_used)
		return -EBUSY;
	hb->nr_streams = nr_streams > TSMH_IDE_POOL_MAX ? TSMH_IDE_POOL_MAX : (u16)nr_streams;
	return 0;
}

int tsmh_ide_port_init(struct tsmh_ide_port *p, struct tsmh_ide_hb *hb, const char *name,
		       enum tsmh_ide_port_kind kind, unsigned int nr_sel, unsigned int nr_link)
{
	if (!hb || kind < TSMH_IDE_PORT_ROOT || kind > TSMH_IDE_PORT_SWITCH_US ||
	    nr_sel > TSMH_IDE_MAX_SEL || nr_link > TSMH_IDE_MAX_LINK)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	set_name(p->name, name);
	p->hb = hb;
	p->kind = kind;
	p->nr_sel = (u16)nr_sel;
	p->nr_link = (u8)nr_link;
	hb->nr_ports++;
	return 0;
}

static void put_one(const struct tsmh_ide_port *p, const struct tsmh_ide_stream *s,
		    unsigned int n, struct mbuf *b)
{
	put(b, "%s%u", n ? ", " : "", s->stream_id);
	if (s->type == TSMH_IDE_STREAM_LINK)
		put(b, " (link, TC%u)", s->tc);
	if (s->up == p)
		put(b, " by %s", s->down->name);
	else
		put(b, " with %s %s", tsmh_ide_port_kind_name(s->up->kind), s->up->name);
}

/*
 * "1 by 0000:01:00.0, 2 by ..." for the streams of @type (0: any) using
 * @p, in register block order
 */
static unsigned int holders(const struct tsmh_ide_port *p, u8 type, struct mbuf *b)
{
	const struct tsmh_ide_stream *s;
	unsigned int n = 0, blk;

	if (!p->hb)
		return 0;
	if (type != TSMH_IDE_STREAM_LINK)
		for (blk = 0; blk < p->nr_sel; blk++) {
			s = tsmh_ide_find_block(p, TSMH_IDE_STREAM_SEL, blk);
			if (s)
				put_one(p, s, n++, b);
		}
	if (type != TSMH_IDE_STREAM_SEL)
		for (blk = 0; blk < p->nr_link; blk++) {
			s = tsmh_ide_find_block(p, TSMH_IDE_STREAM_LINK, blk);
			if (s)
				put_one(p, s, n++, b);
		}
	return n;
}

static unsigned int count_holders(const struct tsmh_ide_port *p, u8 type)
{
	struct mbuf none = { NULL, 0, 0 };

	return holders(p, type, &none);
}

/* "(streams 1 by X, 2 by Y)" */
static void put_holders(const struct tsmh_ide_port *p, u8 type, struct mbuf *b)
{
	unsigned int n = count_holders(p, type);

	if (!n)
		return;
	put(b, " (stream%s ", n == 1 ? "" : "s");
	holders(p, type, b);
	put(b, ")");
}

size_t tsmh_ide_holders(const struct tsmh_ide_port *p, char *buf, size_t len)
{
	struct mbuf b;
	unsigned int n = count_holders(p, 0);

	mbuf_init(&b, buf, len);
	if (n) {
		put(&b, "stream%s ", n == 1 ? "" : "s");
		holders(p, 0, &b);
	}
	return b.pos < b.len ? b.pos : (b.len ? b.len - 1 : 0);
}

int tsmh_ide_port_fini(struct tsmh_ide_port *p, char *msg, size_t len)
{
	struct mbuf b;

	mbuf_init(&b, msg, len);
	if (p->nr_sel_used || p->nr_link_used || count_holders(p, 0)) {
		put(&b, "%s %s: IDE streams still allocated", tsmh_ide_port_kind_name(p->kind),
		    p->name);
		put_holders(p, 0, &b);
		return -EBUSY;
	}
	if (p->hb && p->hb->nr_ports)
		p->hb->nr_ports--;
	memset(p, 0, sizeof(*p));
	return 0;
}

static bool on_list(const struct tsmh_ide_hb *hb, const struct tsmh_ide_stream *s)
{
	const struct tsmh_ide_stream *t;
	unsigned int walk = 0;

	for (t = hb->streams; t && walk < WALK_MAX; t = t->next, walk++)
		if (t == s)
			return true;
	return false;
}

static bool same_pair(const struct tsmh_ide_stream *s, const struct tsmh_ide_port *a,
		      const struct tsmh_ide_port *b)
{
	return (s->up == a && s->down == b) || (s->up == b && s->down == a);
}

/* the IDs that a new stream between @up and @down may not use */
static void ids_taken(const struct tsmh_ide_hb *hb, const struct tsmh_ide_port *up,
		      const struct tsmh_ide_port *down, u32 *ids)
{
	const struct tsmh_ide_stream *s;
	unsigned int walk = 0;

	if (hb->scope == TSMH_IDE_ID_PER_HB) {
		memcpy(ids, hb->ids, sizeof(hb->ids));
		return;
	}
	memset(ids, 0, TSMH_IDE_NR_IDS / 8);
	bit_set(ids, TSMH_IDE_RESERVED_ID);
	for (s = hb->streams; s && walk < WALK_MAX; s = s->next, walk++)
		if (same_pair(s, up, down))
			bit_set(ids, s->stream_id);
}

static const struct tsmh_ide_stream *id_holder(const struct tsmh_ide_hb *hb,
					       const struct tsmh_ide_port *up,
					       const struct tsmh_ide_port *down, unsigned int id)
{
	const struct tsmh_ide_stream *s;
	unsigned int walk = 0;

	for (s = hb->streams; s && walk < WALK_MAX; s = s->next, walk++)
		if (s->stream_id == id &&
		    (hb->scope == TSMH_IDE_ID_PER_HB || same_pair(s, up, down)))
			return s;
	return NULL;
}

/* pick the stream ID: 0 or -EBUSY with the message */
static int pick_id(const struct tsmh_ide_hb *hb, const struct tsmh_ide_port *up,
		   const struct tsmh_ide_port *down, int want, u8 *id, struct mbuf *b)
{
	const struct tsmh_ide_stream *h;
	u32 ids[TSMH_IDE_NR_IDS / 32];
	int got;

	ids_taken(hb, up, down, ids);
	if (want >= 0) {
		if (!bit_test(ids, (unsigned int)want)) {
			*id = (u8)want;
			return 0;
		}
		h = id_holder(hb, up, down, (unsigned int)want);
		if (hb->scope == TSMH_IDE_ID_PER_HB)
			put(b, "host bridge %s: stream ID %d in use", hb->name, want);
		else
			put(b, "%s %s: stream ID %d in use with %s %s",
			    tsmh_ide_port_kind_name(up->kind), up->name, want,
			    tsmh_ide_port_kind_name(down->kind), down->name);
		if (h)
			put(b, " (by %s, %s %s)", h->down->name,
			    tsmh_ide_port_kind_name(h->up->kind), h->up->name);
		return -EBUSY;
	}
	got = first_zero(ids, TSMH_IDE_NR_IDS);
	if (got < 0) {
		if (hb->scope == TSMH_IDE_ID_PER_HB)
			put(b, "host bridge %s: all %d stream IDs in use", hb->name,
			    TSMH_IDE_NR_IDS - 1);
		else
			put(b, "%s %s: all %d stream IDs in use with %s %s",
			    tsmh_ide_port_kind_name(up->kind), up->name, TSMH_IDE_NR_IDS - 1,
			    tsmh_ide_port_kind_name(down->kind), down->name);
		return -EBUSY;
	}
	*id = (u8)got;
	return 0;
}

/*
 * pick a register block of @type at @p: the one asked for (@want >= 0) or
 * the lowest free; 0 or an error with the message
 */
static int pick_block(const struct tsmh_ide_port *p, u8 type, int want, u16 *blk,
		      struct mbuf *b)
{
	bool sel = type == TSMH_IDE_STREAM_SEL;
	const char *what = sel ? "selective" : "link";
	unsigned int nr = sel ? p->nr_sel : p->nr_link;
	u32 link = p->link;
	const u32 *map = sel ? p->sel : &link;
	const struct tsmh_ide_stream *h;
	int got;

	if (!nr) {
		put(b, "%s %s has no %s IDE stream register blocks",
		    tsmh_ide_port_kind_name(p->kind), p->name, what);
		return -EOPNOTSUPP;
	}
	if (want >= 0) {
		if ((unsigned int)want >= nr) {
			put(b, "%s %s: %s IDE register block %d asked for, it has %u",
			    tsmh_ide_port_kind_name(p->kind), p->name, what, want, nr);
			return -EINVAL;
		}
		if (bit_test(map, (unsigned int)want)) {
			put(b, "%s %s: %s IDE register block %d in use",
			    tsmh_ide_port_kind_name(p->kind), p->name, what, want);
			h = tsmh_ide_find_block(p, type, (unsigned int)want);
			if (h)
				put(b, " (stream %u by %s)", h->stream_id,
				    h->up == p ? h->down->name : h->up->name);
			return -EBUSY;
		}
		*blk = (u16)want;
		return 0;
	}
	got = first_zero(map, nr);
	if (got < 0) {
		put(b, "%s %s: all %u %s IDE register blocks in use",
		    tsmh_ide_port_kind_name(p->kind), p->name, nr, what);
		put_holders(p, type, b);
		return -EBUSY;
	}
	*blk = (u16)got;
	return 0;
}

static const struct tsmh_ide_stream *slot_holder(const struct tsmh_ide_hb *hb, int slot)
{
	const struct tsmh_ide_stream *s;
	unsigned int walk = 0;

	for (s = hb->streams; s && walk < WALK_MAX; s = s->next, walk++)
		if (s->pool_slot == slot)
			return s;
	return NULL;
}

/* " (streams 1 by EP via RP, ...)" in pool slot order */
static void pool_holders(const struct tsmh_ide_hb *hb, struct mbuf *b)
{
	const struct tsmh_ide_stream *s;
	unsigned int n = 0;
	const char *first = hb->nr_used > 1 ? " (streams " : " (stream ";
	int slot;

	for (slot = 0; slot < hb->nr_streams; slot++) {
		s = slot_holder(hb, slot);
		if (!s)
			continue;
		put(b, "%s%u by %s via %s", n ? ", " : first, s->stream_id, s->down->name,
		    s->up->name);
		n++;
	}
	if (n)
		put(b, ")");
}

static int check_stream_slot(const struct tsmh_ide_hb *hb, struct tsmh_ide_stream *s,
			     struct mbuf *b)
{
	if (!s) {
		put(b, "host bridge %s: no storage for the stream", hb->name);
		return -EINVAL;
	}
	if (on_list(hb, s)) {
		put(b, "host bridge %s: this stream (ID %u) is already allocated", hb->name,
		    s->stream_id);
		return -EINVAL;
	}
	return 0;
}

/*
 * The register block at each end and the stream ID of a new @type stream
 * between @up and @down (those @req asks for, or the lowest free); 0 or an
 * error with the message. Nothing is taken yet.
 */
static int pick_all(const struct tsmh_ide_hb *hb, const struct tsmh_ide_port *up,
		    const struct tsmh_ide_port *down, u8 type, const struct tsmh_ide_req *req,
		    u16 *ub, u16 *db, u8 *id, struct mbuf *b)
{
	int ret = pick_block(up, type, req->up_block, ub, b);

	if (!ret)
		ret = pick_block(down, type, req->down_block, db, b);
	if (!ret)
		ret = pick_id(hb, up, down, req->stream_id, id, b);
	return ret;
}

/* Fill @s as a @type stream and put it on @hb's list, its ID taken (per-host-bridge IDs). */
static void stream_add(struct tsmh_ide_hb *hb, struct tsmh_ide_stream *s, struct tsmh_ide_port *up,
		       struct tsmh_ide_port *down, u8 type, u8 id, u16 ub, u16 db)
{
	memset(s, 0, sizeof(*s));
	s->hb = hb;
	s->up = up;
	s->down = down;
	s->type = type;
	s->stream_id = id;
	s->up_block = ub;
	s->down_block = db;
	if (hb->scope == TSMH_IDE_ID_PER_HB)
		bit_set(hb->ids, id);
	s->next = hb->streams;
	hb->streams = s;
}

static bool id_ok(int v, int max)
{
	return v >= -1 && v <= max;
}

int tsmh_ide_alloc_sel(struct tsmh_ide_stream *s, struct tsmh_ide_port *rp,
		       struct tsmh_ide_port *ep, const struct tsmh_ide_req *req, char *msg,
		       size_t len)
{
	static const struct tsmh_ide_req any = TSMH_IDE_REQ_ANY;
	struct tsmh_ide_hb *hb;
	struct mbuf b;
	u16 rb = 0, eb = 0;
	u8 id = 0;
	int slot, ret;

	mbuf_init(&b, msg, len);
	if (!req)
		req = &any;
	if (!rp || !ep || !rp->hb || rp->hb != ep->hb) {
		put(&b,
		    "selective IDE stream: the root port and the endpoint must be on one host bridge");
		return -EINVAL;
	}
	hb = rp->hb;
	if (rp->kind != TSMH_IDE_PORT_ROOT || ep->kind != TSMH_IDE_PORT_ENDPOINT) {
		put(&b,
		    "selective IDE stream between %s %s and %s %s: it joins a root port and an endpoint",
		    tsmh_ide_port_kind_name(rp->kind), rp->name,
		    tsmh_ide_port_kind_name(ep->kind), ep->name);
		return -EINVAL;
	}
	if (!id_ok(req->stream_id, TSMH_IDE_RESERVED_ID - 1) ||
	    !id_ok(req->up_block, TSMH_IDE_MAX_SEL - 1) ||
	    !id_ok(req->down_block, TSMH_IDE_MAX_SEL - 1)) {
		put(&b, "%s: stream ID %d (0..%d) or register block %d/%d (0..%d) out of range",
		    ep->name, req->stream_id, TSMH_IDE_RESERVED_ID - 1, req->up_block,
		    req->down_block, TSMH_IDE_MAX_SEL - 1);
		return -EINVAL;
	}
	ret = check_stream_slot(hb, s, &b);
	if (ret)
		return ret;
	if (!hb->nr_streams) {
		put(&b, "host bridge %s has no IDE stream pool (0 streams)", hb->name);
		return -EOPNOTSUPP;
	}
	slot = first_zero(hb->pool, hb->nr_streams);
	if (slot < 0) {
		put(&b, "host bridge %s: all %u IDE streams of its pool in use", hb->name,
		    hb->nr_streams);
		pool_holders(hb, &b);
		return -EBUSY;
	}
	ret = pick_all(hb, rp, ep, TSMH_IDE_STREAM_SEL, req, &rb, &eb, &id, &b);
	if (ret)
		return ret;

	stream_add(hb, s, rp, ep, TSMH_IDE_STREAM_SEL, id, rb, eb);
	s->pool_slot = slot;
	bit_set(hb->pool, (unsigned int)slot);
	hb->nr_used++;
	bit_set(rp->sel, rb);
	rp->nr_sel_used++;
	bit_set(ep->sel, eb);
	ep->nr_sel_used++;
	return 0;
}

static bool link_up_kind(u8 k)
{
	return k == TSMH_IDE_PORT_ROOT || k == TSMH_IDE_PORT_SWITCH_DS;
}

static bool link_down_kind(u8 k)
{
	return k == TSMH_IDE_PORT_ENDPOINT || k == TSMH_IDE_PORT_SWITCH_US;
}

int tsmh_ide_alloc_link(struct tsmh_ide_stream *s, struct tsmh_ide_port *up,
			struct tsmh_ide_port *down, const struct tsmh_ide_req *req, char *msg,
			size_t len)
{
	static const struct tsmh_ide_req any = TSMH_IDE_REQ_ANY;
	const struct tsmh_ide_stream *t;
	struct tsmh_ide_hb *hb;
	unsigned int walk = 0;
	struct mbuf b;
	u16 ub = 0, db = 0;
	u8 id = 0, tc;
	int ret;

	mbuf_init(&b, msg, len);
	if (!req)
		req = &any;
	if (!up || !down || !up->hb || up->hb != down->hb) {
		put(&b, "link IDE stream: both ports must be on one host bridge");
		return -EINVAL;
	}
	hb = up->hb;
	if (!link_up_kind(up->kind) || !link_down_kind(down->kind)) {
		put(&b,
		    "link IDE stream between %s %s and %s %s: it joins a root or switch downstream port and the device below it",
		    tsmh_ide_port_kind_name(up->kind), up->name,
		    tsmh_ide_port_kind_name(down->kind), down->name);
		return -EINVAL;
	}
	if (!id_ok(req->stream_id, TSMH_IDE_RESERVED_ID - 1) ||
	    !id_ok(req->up_block, TSMH_IDE_MAX_LINK - 1) ||
	    !id_ok(req->down_block, TSMH_IDE_MAX_LINK - 1) || !id_ok(req->tc, 7)) {
		put(&b,
		    "%s: stream ID %d (0..%d), link register block %d/%d (0..%d) or TC %d (0..7) out of range",
		    down->name, req->stream_id, TSMH_IDE_RESERVED_ID - 1, req->up_block,
		    req->down_block, TSMH_IDE_MAX_LINK - 1, req->tc);
		return -EINVAL;
	}
	tc = req->tc < 0 ? 0 : (u8)req->tc;
	ret = check_stream_slot(hb, s, &b);
	if (ret)
		return ret;
	for (t = hb->streams; t && walk < WALK_MAX; t = t->next, walk++) {
		if (t->type == TSMH_IDE_STREAM_LINK && t->tc == tc && same_pair(t, up, down)) {
			put(&b, "%s %s: a link IDE stream for TC%u with %s exists (stream ID %u)",
			    tsmh_ide_port_kind_name(up->kind), up->name, tc, down->name,
			    t->stream_id);
			return -EBUSY;
		}
	}
	ret = pick_all(hb, up, down, TSMH_IDE_STREAM_LINK, req, &ub, &db, &id, &b);
	if (ret)
		return ret;

	stream_add(hb, s, up, down, TSMH_IDE_STREAM_LINK, id, ub, db);
	s->tc = tc;
	s->pool_slot = -1;
	up->link |= (u8)(1u << ub);
	up->nr_link_used++;
	down->link |= (u8)(1u << db);
	down->nr_link_used++;
	return 0;
}

int tsmh_ide_free(struct tsmh_ide_hb *hb, struct tsmh_ide_stream *s, char *msg, size_t len)
{
	struct tsmh_ide_stream **pp;
	unsigned int walk = 0;
	struct mbuf b;

	mbuf_init(&b, msg, len);
	for (pp = &hb->streams; *pp && walk < WALK_MAX; pp = &(*pp)->next, walk++)
		if (*pp == s)
			break;
	if (!s || *pp != s) {
		put(&b, "host bridge %s: freeing an IDE stream that is not allocated", hb->name);
		return -ENOENT;
	}
	*pp = s->next;
	if (hb->scope == TSMH_IDE_ID_PER_HB && s->stream_id != TSMH_IDE_RESERVED_ID)
		bit_clr(hb->ids, s->stream_id);
	if (s->type == TSMH_IDE_STREAM_SEL) {
		bit_clr(hb->pool, (unsigned int)s->pool_slot);
		hb->nr_used--;
		bit_clr(s->up->sel, s->up_block);
		s->up->nr_sel_used--;
		bit_clr(s->down->sel, s->down_block);
		s->down->nr_sel_used--;
	} else {
		s->up->link &= (u8)~(1u << s->up_block);
		s->up->nr_link_used--;
		s->down->link &= (u8)~(1u << s->down_block);
		s->down->nr_link_used--;
	}
	memset(s, 0, sizeof(*s));
	s->pool_slot = -1;
	return 0;
}

struct tsmh_ide_stream *tsmh_ide_find_block(const struct tsmh_ide_port *p,
					    enum tsmh_ide_stream_kind type, unsigned int block)
{
	struct tsmh_ide_stream *s;
	unsigned int walk = 0;

	if (!p->hb)
		return NULL;
	for (s = p->hb->streams; s && walk < WALK_MAX; s = s->next, walk++) {
		if (s->type != type)
			continue;
		if ((s->up == p && s->up_block == block) ||
		    (s->down == p && s->down_block == block))
			return s;
	}
	return NULL;
}

struct tsmh_ide_stream *tsmh_ide_find_id(const struct tsmh_ide_port *p, unsigned int stream_id)
{
	struct tsmh_ide_stream *s;
	unsigned int walk = 0;

	if (!p->hb)
		return NULL;
	for (s = p->hb->streams; s && walk < WALK_MAX; s = s->next, walk++)
		if ((s->up == p || s->down == p) && s->stream_id == stream_id)
			return s;
	return NULL;
}

struct tsmh_ide_stream *tsmh_ide_next(const struct tsmh_ide_hb *hb,
				      const struct tsmh_ide_stream *s)
{
	return s ? s->next : hb->streams;
}

static int port_index(struct tsmh_ide_port *const *ports, unsigned int n,
		      const struct tsmh_ide_port *p)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] == p)
			return (int)i;
	return -1;
}

static unsigned int popcount(const u32 *m, unsigned int words)
{
	unsigned int i, b, n = 0;

	for (i = 0; i < words; i++)
		for (b = 0; b < 32; b++)
			n += (m[i] >> b) & 1;
	return n;
}

static int check_stream(const struct tsmh_ide_hb *hb, const struct tsmh_ide_stream *s,
			struct tsmh_ide_port *const *ports, unsigned int nr_ports, struct mbuf *b)
{
	if (s->hb != hb || port_index(ports, nr_ports, s->up) < 0 ||
	    port_index(ports, nr_ports, s->down) < 0) {
		put(b, "stream %u: host bridge or port not the host bridge's", s->stream_id);
		return -EUCLEAN;
	}
	if (s->stream_id == TSMH_IDE_RESERVED_ID) {
		put(b, "stream %u: the reserved stream ID is in use", s->stream_id);
		return -EUCLEAN;
	}
	if (s->type == TSMH_IDE_STREAM_SEL) {
		if (s->up->kind != TSMH_IDE_PORT_ROOT || s->down->kind != TSMH_IDE_PORT_ENDPOINT ||
		    s->up_block >= s->up->nr_sel || s->down_block >= s->down->nr_sel ||
		    s->pool_slot < 0 || s->pool_slot >= hb->nr_streams ||
		    !bit_test(hb->pool, (unsigned int)s->pool_slot)) {
			put(b, "selective stream %u: ports, blocks or pool slot inconsistent",
			    s->stream_id);
			return -EUCLEAN;
		}
	} else if (s->type == TSMH_IDE_STREAM_LINK) {
		if (!link_up_kind(s->up->kind) || !link_down_kind(s->down->kind) ||
		    s->up_block >= s->up->nr_link || s->down_block >= s->down->nr_link ||
		    s->pool_slot != -1 || s->tc > 7) {
			put(b, "link stream %u: ports, blocks or TC inconsistent", s->stream_id);
			return -EUCLEAN;
		}
	} else {
		put(b, "stream %u: type %u", s->stream_id, s->type);
		return -EUCLEAN;
	}
	return 0;
}

int tsmh_ide_check(const struct tsmh_ide_hb *hb, struct tsmh_ide_port *const *ports,
		   unsigned int nr_ports, char *msg, size_t len)
{
	const struct tsmh_ide_stream *s, *t;
	u32 pool[TSMH_IDE_POOL_MAX / 32] = { 0 };
	u32 ids[TSMH_IDE_NR_IDS / 32] = { 0 };
	unsigned int walk = 0, i, used = 0;
	struct mbuf b;
	int ret;

	mbuf_init(&b, msg, len);
	bit_set(ids, TSMH_IDE_RESERVED_ID);
	if (nr_ports != hb->nr_ports) {
		put(&b, "host bridge %s: %u ports given, %u initialised", hb->name, nr_ports,
		    hb->nr_ports);
		return -EUCLEAN;
	}
	for (s = hb->streams; s; s = s->next) {
		if (++walk > WALK_MAX) {
			put(&b, "host bridge %s: stream list loops", hb->name);
			return -EUCLEAN;
		}
		ret = check_stream(hb, s, ports, nr_ports, &b);
		if (ret)
			return ret;
		if (s->type == TSMH_IDE_STREAM_SEL) {
			if (bit_test(pool, (unsigned int)s->pool_slot)) {
				put(&b, "pool slot %d held twice", s->pool_slot);
				return -EUCLEAN;
			}
			bit_set(pool, (unsigned int)s->pool_slot);
			used++;
		}
		if (hb->scope == TSMH_IDE_ID_PER_HB) {
			if (bit_test(ids, s->stream_id)) {
				put(&b, "stream ID %u used twice in host bridge %s", s->stream_id,
				    hb->name);
				return -EUCLEAN;
			}
			bit_set(ids, s->stream_id);
		}
		for (t = s->next, i = 0; t && i < WALK_MAX; t = t->next, i++) {
			if (same_pair(t, s->up, s->down) && t->stream_id == s->stream_id) {
				put(&b, "stream ID %u used twice between %s and %s", s->stream_id,
				    s->up->name, s->down->name);
				return -EUCLEAN;
			}
			if (s->type == TSMH_IDE_STREAM_LINK && t->type == s->type &&
			    same_pair(t, s->up, s->down) && t->tc == s->tc) {
				put(&b, "two link streams for TC%u between %s and %s", s->tc,
				    s->up->name, s->down->name);
				return -EUCLEAN;
			}
		}
	}
	if (memcmp(pool, hb->pool, sizeof(pool)) || used != hb->nr_used ||
	    hb->nr_used > hb->nr_streams) {
		put(&b,
		    "host bridge %s: pool bitmap/count (%u used) does not match its streams (%u)",
		    hb->name, hb->nr_used, used);
		return -EUCLEAN;
	}
	if (memcmp(ids, hb->ids, sizeof(ids))) {
		put(&b, "host bridge %s: stream ID bitmap does not match its streams", hb->name);
		return -EUCLEAN;
	}
	for (i = 0; i < nr_ports; i++) {
		const struct tsmh_ide_port *p = ports[i];
		u32 sel[TSMH_IDE_MAX_SEL / 32] = { 0 };
		u32 link = 0;

		if (p->hb != hb) {
			put(&b, "port %s: not on host bridge %s", p->name, hb->name);
			return -EUCLEAN;
		}
		for (s = hb->streams; s; s = s->next) {
			u16 blk;

			if (s->up != p && s->down != p)
				continue;
			blk = s->up == p ? s->up_block : s->down_block;
			if (s->type == TSMH_IDE_STREAM_SEL) {
				if (bit_test(sel, blk)) {
					put(&b, "%s: selective block %u held twice", p->name, blk);
					return -EUCLEAN;
				}
				bit_set(sel, blk);
			} else {
				if (link & (1u << blk)) {
					put(&b, "%s: link block %u held twice", p->name, blk);
					return -EUCLEAN;
				}
				link |= 1u << blk;
			}
		}
		if (memcmp(sel, p->sel, sizeof(sel)) || link != p->link ||
		    popcount(sel, ARRAY_SIZE(sel)) != p->nr_sel_used ||
		    popcount(&link, 1) != p->nr_link_used || p->nr_sel_used > p->nr_sel ||
		    p->nr_link_used > p->nr_link) {
			put(&b, "%s: block bitmaps/counts do not match its streams", p->name);
			return -EUCLEAN;
		}
	}
	return 0;
}
