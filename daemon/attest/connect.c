// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Connect, refresh, disconnect (connect.h): the endpoint's side over IDE_KM
 * in an SPDM session (verify/idekm_req.h), the root port's and the
 * stream's through the kernel (common/ide_nl.h).
 *
 * Keys: one 32-byte key and one 8-byte IFV on the stack per key, from
 * RAND_bytes, handed to KEY_PROG (whose request copy idekm_req.c wipes)
 * and to ide-key-prog (whose message buffer ide_nl.c wipes), then wiped
 * here. They never reach a step's text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "attest_store.h"
#include "connect.h"
#include "ide_cap.h"
#include "idekm_req.h"
#include "spdm.h"

#define PORT	0 /* IDE_KM port index: the endpoint's own (upstream) port */
#define NR_KEYS 6

void tsmh_conn_init(struct tsmh_conn *c, struct spdm_transport *t, struct tsmh_nl *nl,
		    const struct tsmh_connect_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->nl = nl;
	c->o = *o;
	snprintf(c->dev, sizeof(c->dev), "%s", o->dev ? o->dev : "");
	c->o.dev = c->dev;
}

/* ---- step records ---- */

static struct tsmh_conn_step scratch; /* steps past TSMH_CONN_STEPS_MAX */

struct tsmh_conn_step *tsmh_conn_step_begin(struct tsmh_conn_result *r, const char *fmt, ...)
{
	struct tsmh_conn_step *st = r->n < TSMH_CONN_STEPS_MAX ? &r->step[r->n] : &scratch;
	va_list ap;

	memset(st, 0, sizeof(*st));
	va_start(ap, fmt);
	vsnprintf(st->name, sizeof(st->name), fmt, ap);
	va_end(ap);
	st->kp_status = -1;
	st->stream_id = -1;
	st->kss = -1;
	return st;
}

/*
 * End @st with @ret (@st->why set by the caller on failure). @fatal: the
 * first fatal failure becomes the result's. Returns @ret.
 */
int tsmh_conn_step_end(struct tsmh_conn_result *r, struct tsmh_conn_step *st, int ret, int fatal)
{
	size_t n = strlen(st->name);

	st->ret = ret;
	if (ret && !st->why[0])
		snprintf(st->why, sizeof(st->why), "%s", strerror(-ret));
	if (st == &scratch)
		r->dropped++;
	else
		r->n++;
	if (ret && fatal && !r->ret) {
		r->ret = ret;
		/* the reasons from idekm_req.c and attest.c mostly start with the step */
		if (!strncmp(st->why, st->name, n) && st->why[n] == ':')
			snprintf(r->err, sizeof(r->err), "%s", st->why);
		else
			snprintf(r->err, sizeof(r->err), "%s: %s", st->name, st->why);
		r->failed_step = st == &scratch ? NULL : st->name;
	}
	if (ret && !fatal && !r->unwind_err[0])
		snprintf(r->unwind_err, sizeof(r->unwind_err), "%s: %.440s", st->name, st->why);
	if (r->on_step)
		r->on_step(st, r->arg);
	return ret;
}

/* a kernel step's failure text: the extack, else strerror */
static void nl_why(struct tsmh_conn *c, struct tsmh_conn_step *st, int ret)
{
	if (c->nl && c->nl->err[0])
		snprintf(st->why, sizeof(st->why), "%s", c->nl->err);
	else
		snprintf(st->why, sizeof(st->why), "%s", strerror(-ret));
}

/* a failure outside any step (bad arguments) */
static int fail(struct tsmh_conn_result *r, const char *name, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct tsmh_conn_result *r, const char *name, int ret, const char *fmt, ...)
{
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "%s", name);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	return tsmh_conn_step_end(r, st, ret, 1);
}

/* ---- the endpoint's side ---- */

int tsmh_conn_open(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	const struct tsmh_attest_opts *ao = &c->o.attest;
	struct tsmh_conn_step *st;
	uint8_t slot = ao->slot;
	int ret;

	if (c->in_session)
		return 0;
	if (c->have_attest) {
		tsmh_attest_free(&c->a);
		c->have_attest = 0;
	}
	st = tsmh_conn_step_begin(r, "authentication");
	ret = tsmh_attest_run(c->t, ao, &c->a, st->why, sizeof(st->why));
	c->have_attest = 1;
	if (tsmh_conn_step_end(r, st, ret, 1))
		return ret;
	if (c->nl && c->dev[0] && !c->o.no_store) {
		st = tsmh_conn_step_begin(r, "store evidence");
		ret = attest_store(c->nl, c->dev, &c->a, &r->generation, st->why, sizeof(st->why));
		if (tsmh_conn_step_end(r, st, ret, 1))
			return ret;
	}
	st = tsmh_conn_step_begin(r, "KEY_EXCHANGE+FINISH");
	if (!c->a.slot[slot].chain)
		ret = spdm_why(st->why, sizeof(st->why), -EINVAL,
			       "slot %u's chain is not in memory (attested from a kept copy)",
			       slot);
	else
		ret = tsmh_session_start(
			c->t, &c->a.ci, c->a.slot[slot].chain, c->a.slot[slot].len, slot,
			c->a.meas_verified ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE,
			c->o.sm_mask, &c->ss, st->why, sizeof(st->why));
	if (ret) {
		tsmh_session_free(&c->ss); /* not established: nothing to end */
		return tsmh_conn_step_end(r, st, ret, 1);
	}
	c->in_session = 1;
	c->heartbeat_s = c->ss.s.heartbeat;
	return tsmh_conn_step_end(r, st, 0, 1);
}

int tsmh_conn_query(struct tsmh_conn *c, struct tsmh_conn_result *r, struct tsmh_idekm_port *q)
{
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "QUERY port %u", PORT);

	return tsmh_conn_step_end(
		r, st, tsmh_idekm_query(c->t, &c->ss, PORT, q, st->why, sizeof(st->why)), 1);
}

static uint8_t kss_of(uint8_t set, int i)
{
	return tsmh_idekm_kss(set, i >= 3, (unsigned int)(i % 3));
}

int tsmh_conn_keys(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set,
		   int rp)
{
	uint8_t key[TSMH_IDEKM_KEY_LEN], ifv[TSMH_IDEKM_IFV_LEN], status;
	struct tsmh_conn_step *st, *rst;
	char k[32];
	int i, ret = 0, rret;

	c->ep_progd = 0;
	for (i = 0; i < NR_KEYS && !ret; i++) {
		uint8_t kss = kss_of(set, i);
		/* the root port receives what the endpoint sends, and sends what it receives */
		uint32_t rdir = (kss & TSMH_IDEKM_KSS_TX) ? TSMH_IDE_DIR_RX : TSMH_IDE_DIR_TX;

		tsmh_idekm_kss_format(kss, k, sizeof(k));
		st = tsmh_conn_step_begin(r, "KEY_PROG stream %u %s", sid, k);
		st->stream_id = sid;
		st->kss = kss;
		status = 0xff;
		if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(ifv, sizeof(ifv)) != 1)
			ret = spdm_why(st->why, sizeof(st->why), -EIO,
				       "%s: no random key (OpenSSL RAND_bytes)", st->name);
		else if (c->on_key && c->on_key(c->key_arg, sid, kss, key, ifv))
			ret = spdm_why(st->why, sizeof(st->why), -EIO,
				       "%s: cannot write the key file", st->name);
		else
			ret = tsmh_idekm_key_prog(c->t, &c->ss, PORT, sid, kss, key, ifv, &status,
						  st->why, sizeof(st->why));
		if (status != 0xff)
			st->kp_status = status;
		if (!ret)
			c->ep_progd |= 1u << i;
		if (!ret && rp) {
			rret = tsmh_ide_key_prog(c->nl, c->dev, sid, set, rdir,
						 tsmh_idekm_kss_sub(kss), key, ifv);
			OPENSSL_cleanse(key, sizeof(key));
			OPENSSL_cleanse(ifv, sizeof(ifv));
			tsmh_conn_step_end(r, st, 0, 1);
			rst = tsmh_conn_step_begin(r,
						   "ide-key-prog stream %u K%u %s %s (root port)",
						   sid, set, rdir == TSMH_IDE_DIR_TX ? "TX" : "RX",
						   tsmh_idekm_sub_name(tsmh_idekm_kss_sub(kss)));
			rst->stream_id = sid;
			rst->root_port = 1;
			if (rret)
				nl_why(c, rst, rret);
			ret = tsmh_conn_step_end(r, rst, rret, 1);
			continue;
		}
		OPENSSL_cleanse(key, sizeof(key));
		OPENSSL_cleanse(ifv, sizeof(ifv));
		tsmh_conn_step_end(r, st, ret, 1);
	}
	return ret;
}

/*
 * K_SET_GO / K_SET_STOP of the six at the endpoint (@ep) and ide-kset at
 * the root port (@rp). @fatal 0: best effort (unwinding), every one tried.
 */
static int kset_keys(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set,
		     int go, unsigned int ep, int rp, int fatal)
{
	struct tsmh_conn_step *st;
	int i, ret, first = 0;
	char k[32];

	for (i = 0; i < NR_KEYS; i++) {
		uint8_t kss = kss_of(set, i);

		if (!(ep & (1u << i)))
			continue;

		st = tsmh_conn_step_begin(r, "%s stream %u %s", go ? "K_SET_GO" : "K_SET_STOP", sid,
					  tsmh_idekm_kss_format(kss, k, sizeof(k)));
		st->stream_id = sid;
		st->kss = kss;
		ret = tsmh_idekm_k_set(c->t, &c->ss, go, PORT, sid, kss, st->why, sizeof(st->why));
		tsmh_conn_step_end(r, st, ret, fatal);
		if (ret && !first)
			first = ret;
		if (ret && (fatal || ret == -ETIMEDOUT))
			return ret; /* a silent device would time out six times */
	}
	if (rp) {
		st = tsmh_conn_step_begin(r, "ide-kset %s stream %u K%u (root port)",
					  go ? "GO" : "STOP", sid, set);
		st->stream_id = sid;
		st->root_port = 1;
		ret = tsmh_ide_kset(c->nl, c->dev, sid, set,
				    go ? TSMH_IDE_KSET_GO : TSMH_IDE_KSET_STOP, NULL);
		if (ret)
			nl_why(c, st, ret);
		tsmh_conn_step_end(r, st, ret, fatal);
		if (ret && !first)
			first = ret;
	}
	return first;
}

/* the endpoint's keys in kset_keys()'s @ep: its three RX, its three TX */
#define EP_RX  0x07u
#define EP_TX  0x38u
#define EP_ALL (EP_RX | EP_TX)

static int kset(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set, int go,
		int ep, int rp, int fatal)
{
	return kset_keys(c, r, sid, set, go, ep ? EP_ALL : 0, rp, fatal);
}

int tsmh_conn_kset(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set,
		   int go, int rp)
{
	return kset(c, r, sid, set, go, 1, rp, 1);
}

/* ---- the kernel's side ---- */

/* ide-get of the device into @ps; a step */
static int ide_get(struct tsmh_conn *c, struct tsmh_conn_result *r, const char *name,
		   struct tsmh_idenl_ports *ps)
{
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "%s", name);
	int ret;

	memset(ps, 0, sizeof(*ps));
	ret = tsmh_ide_get(c->nl, c->dev, ps);
	if (ret)
		nl_why(c, st, ret);
	return tsmh_conn_step_end(r, st, ret, 1);
}

static void keep_stream(struct tsmh_conn_result *r, const struct tsmh_idenl_stream *s)
{
	r->stream = *s;
	r->have_stream = 1;
}

static const char *state_name(const struct tsmh_idenl_stream *s, int rp, char *buf, size_t len)
{
	uint32_t has = rp ? TSMH_IDENL_S_RP_STATE : TSMH_IDENL_S_EP_STATE;
	uint32_t v = rp ? s->rp_state : s->ep_state;
	const char *f = (rp ? s->rp_fail : s->ep_fail) ? ", IDE_FAIL" : "";

	if (!(s->has & has))
		snprintf(buf, len, "unknown%s", f);
	else if (v == TSMH_IDE_STATE_SECURE || v == TSMH_IDE_STATE_INSECURE)
		snprintf(buf, len, "%s%s", v ? "SECURE" : "INSECURE", f);
	else
		snprintf(buf, len, "state %u%s", v, f);
	return buf;
}

/* "root port SECURE, endpoint INSECURE, IDE_FAIL" */
static void states(const struct tsmh_idenl_stream *s, char *buf, size_t len)
{
	char a[40], b[40];

	snprintf(buf, len, "root port %s, endpoint %s%s", state_name(s, 1, a, sizeof(a)),
		 state_name(s, 0, b, sizeof(b)),
		 s->flags & TSMH_IDE_S_F_RESET ? " (an end was reset)" : "");
}

/* the stream of @c->dev in the kernel (ide-get): 0, -ENOENT (said), -errno */
static int find_stream(struct tsmh_conn *c, struct tsmh_conn_result *r, const char *name,
		       struct tsmh_idenl_stream *out)
{
	struct tsmh_idenl_ports ps;
	const struct tsmh_idenl_stream *s;
	int ret = ide_get(c, r, name, &ps);

	if (ret) {
		tsmh_idenl_ports_free(&ps);
		return ret;
	}
	s = tsmh_idenl_stream_find(&ps, c->dev, c->have_stream ? (int)c->stream_id : -1);
	if (!s) {
		tsmh_idenl_ports_free(&ps);
		if (c->have_stream)
			return fail(r, name, -ENOENT, "the kernel holds no stream %u for %s",
				    c->stream_id, c->dev);
		return fail(r, name, -ENOENT, "the kernel holds no IDE stream for %s", c->dev);
	}
	*out = *s;
	tsmh_idenl_ports_free(&ps);
	c->have_stream = 1;
	c->stream_id = out->id;
	c->stream_type = out->type;
	if (out->has & TSMH_IDENL_S_KEY_SET)
		c->key_set = out->key_set;
	keep_stream(r, out);
	return 0;
}

/* QUERY's capability copy against the kernel's view of the endpoint */
static int check_query(struct tsmh_conn *c, struct tsmh_conn_result *r,
		       const struct tsmh_idekm_port *q, const struct tsmh_idenl_port *p)
{
	const char *name = "IDE capability check";

	if (!q->cap_ok)
		return fail(r, name, -EPROTO,
			    "the device's IDE_KM QUERY_RESP capability copy is unusable (%s)",
			    q->cap_why);
	if (q->cap.cap != p->cap)
		return fail(r, name, -EPROTO,
			    "IDE_KM QUERY_RESP says IDE Capability %#010x, the endpoint's "
			    "register reads %#010x",
			    q->cap.cap, p->cap);
	if (!(q->cap.cap & TSMH_IDE_CAP_IDE_KM))
		return fail(r, name, -EOPNOTSUPP, "the endpoint does not support IDE_KM");
	if (c->o.ide == TSMH_CONN_IDE_SELECTIVE && !(q->cap.cap & TSMH_IDE_CAP_SELECTIVE))
		return fail(r, name, -EOPNOTSUPP, "the endpoint has no selective IDE streams");
	if (c->o.ide == TSMH_CONN_IDE_LINK && !(q->cap.cap & TSMH_IDE_CAP_LINK))
		return fail(r, name, -EOPNOTSUPP, "the endpoint has no link IDE");
	return tsmh_conn_step_end(r, tsmh_conn_step_begin(r, "%s", name), 0, 1);
}

/*
 * The endpoint @p's root port, added to @ps: refused at once when the
 * host cannot program its keys (the kernel would refuse ide-stream-new
 * the same way, after the attestation)
 */
static int check_root_port(struct tsmh_conn *c, struct tsmh_conn_result *r,
			   const struct tsmh_idenl_port *p, struct tsmh_idenl_ports *ps)
{
	char rp[TSMH_IDENL_NAME_LEN];
	const struct tsmh_idenl_port *q;
	int ret;

	if (!p->upstream[0])
		return 0; /* the kernel says which at ide-stream-new */
	snprintf(rp, sizeof(rp), "%s", p->upstream); /* @p moves when @ps grows */
	ret = tsmh_ide_get(c->nl, rp, ps);
	q = ret ? NULL : tsmh_idenl_port_find(ps, rp);
	if (!q) {
		struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "ide-get %s", rp);

		if (ret)
			nl_why(c, st, ret);
		else
			snprintf(st->why, sizeof(st->why), "no reply for the root port");
		return tsmh_conn_step_end(r, st, ret ? ret : -EPROTO, 1);
	}
	if (q->role == TSMH_IDE_ROLE_ROOT_PORT && q->key_backend == TSMH_IDE_KB_NONE)
		return fail(r, "root-port keys", -EOPNOTSUPP,
			    "root-port IDE keys on %s are owned by the platform TSM; use a TSM "
			    "backend",
			    q->platform[0] ? q->platform : "this platform");
	return 0;
}

/* ide-stream-del of @c's stream; @fatal 0 when unwinding */
static int stream_del(struct tsmh_conn *c, struct tsmh_conn_result *r, int fatal)
{
	struct tsmh_conn_step *st =
		tsmh_conn_step_begin(r, "ide-stream-del stream %u", c->stream_id);
	int ret;

	st->stream_id = (int)c->stream_id;
	st->root_port = 1;
	ret = tsmh_ide_stream_del(c->nl, c->dev, c->stream_id);
	if (ret)
		nl_why(c, st, ret);
	else
		c->have_stream = 0;
	return tsmh_conn_step_end(r, st, ret, fatal);
}

int tsmh_conn_end_session(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	struct tsmh_conn_step *st;
	char why[512] = "";
	int ret = 0;

	if (!c->in_session)
		return 0;
	if (c->ss.s.state == SPDM_SESS_ESTABLISHED) {
		ret = tsmh_session_end(c->t, &c->ss, why, sizeof(why));
		if (r) {
			st = tsmh_conn_step_begin(r, "%s",
						  r->ret ? "END_SESSION (after the failure)"
							 : "END_SESSION");
			snprintf(st->why, sizeof(st->why), "%s", why);
			tsmh_conn_step_end(r, st, ret, !r->ret);
		}
	}
	tsmh_session_free(&c->ss);
	c->in_session = 0;
	return ret;
}

/* a transport that stopped answering: no more IDE_KM in this session */
static int ep_gone(int ret)
{
	return ret == -ETIMEDOUT || ret == -EIO || ret == -ENODEV || ret == -ECONNRESET;
}

int tsmh_connect(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	struct tsmh_idenl_ports ps = { 0 };
	const struct tsmh_idenl_port *p;
	struct tsmh_idekm_port q;
	struct tsmh_idenl_stream s;
	struct tsmh_conn_step *st;
	int ret, ep_go = 0, rp_go = 0, ep_ok = 1;
	uint8_t sid = 0;
	char buf[160];

	if (c->o.ide != TSMH_CONN_IDE_NONE) {
		if (!c->nl || !c->dev[0])
			return fail(r, "ide-get", -EINVAL,
				    "an IDE stream needs a device through the kernel");
		if (c->o.tc > 7)
			return fail(r, "ide-get", -EINVAL, "traffic class %u, 0-7 expected",
				    c->o.tc);
		/* before the attestation: refuse a device without IDE at once */
		ret = ide_get(c, r, "ide-get", &ps);
		if (ret)
			goto out;
		p = tsmh_idenl_port_find(&ps, c->dev);
		if (!p || p->role != TSMH_IDE_ROLE_ENDPOINT) {
			ret = fail(r, "ide-get", -EOPNOTSUPP, "%s is not an IDE endpoint%s%s",
				   c->dev, p ? ": its role is " : " the kernel knows",
				   p ? tsmh_idenl_role_name(p->role) : "");
			goto out;
		}
		ret = check_root_port(c, r, p, &ps);
		if (ret)
			goto out;
	}
	ret = tsmh_conn_open(c, r);
	if (ret || c->o.ide == TSMH_CONN_IDE_NONE)
		goto out;

	ret = tsmh_conn_query(c, r, &q);
	if (ret) {
		ep_ok = !ep_gone(ret);
		goto unwind;
	}
	ret = check_query(c, r, &q, tsmh_idenl_port_find(&ps, c->dev));
	if (ret)
		goto unwind;

	st = tsmh_conn_step_begin(r, "ide-stream-new");
	st->root_port = 1;
	ret = tsmh_ide_stream_new(c->nl, c->dev,
				  c->o.ide == TSMH_CONN_IDE_LINK ? TSMH_IDE_TYPE_LINK
								 : TSMH_IDE_TYPE_SELECTIVE,
				  c->o.tc, &s);
	if (ret)
		nl_why(c, st, ret);
	else
		snprintf(st->name, sizeof(st->name), "ide-stream-new: stream %u", s.id);
	if (tsmh_conn_step_end(r, st, ret, 1))
		goto unwind;
	c->have_stream = 1;
	c->stream_id = s.id;
	c->stream_type = s.type;
	c->key_set = 0;
	keep_stream(r, &s);
	sid = (uint8_t)s.id;

	ret = tsmh_conn_keys(c, r, sid, 0, 1);
	if (ret) {
		ep_ok = !ep_gone(ret);
		goto unwind;
	}
	ep_go = 1; /* from the first GO on, a STOP may be owed */
	ret = kset(c, r, sid, 0, 1, 1, 0, 1);
	if (ret) {
		ep_ok = !ep_gone(ret);
		goto unwind;
	}
	rp_go = 1;
	ret = kset(c, r, sid, 0, 1, 0, 1, 1);
	if (ret)
		goto unwind;

	st = tsmh_conn_step_begin(r, "ide-stream-enable stream %u", sid);
	st->stream_id = sid;
	st->root_port = 1;
	ret = tsmh_ide_stream_enable(c->nl, c->dev, sid, &s);
	if (ret)
		nl_why(c, st, ret);
	if (tsmh_conn_step_end(r, st, ret, 1))
		goto unwind;
	keep_stream(r, &s);

	st = tsmh_conn_step_begin(r, "state");
	states(&s, buf, sizeof(buf));
	if (!tsmh_idenl_secure(&s)) {
		snprintf(st->why, sizeof(st->why), "stream %u is not SECURE after enable: %s", sid,
			 buf);
		ret = tsmh_conn_step_end(r, st, -EIO, 1);
		goto unwind;
	}
	snprintf(st->name, sizeof(st->name), "state: SECURE");
	tsmh_conn_step_end(r, st, 0, 1);
	goto out;

unwind:
	/* nothing half-configured: the keys stopped, the stream freed, the session ended */
	if (ep_go && ep_ok && c->in_session)
		kset(c, r, sid, 0, 0, 1, 0, 0);
	else if (!ep_go && ep_ok && c->in_session && c->ep_progd)
		/* a KEY_PROG failed part way: stop (and so wipe) the keys it did program */
		kset_keys(c, r, sid, 0, 0, c->ep_progd, 0, 0);
	if (rp_go)
		kset(c, r, sid, 0, 0, 0, 1, 0);
	if (c->have_stream)
		stream_del(c, r, 0);
	r->unwound = 1;
	tsmh_conn_end_session(c, r);
out:
	tsmh_idenl_ports_free(&ps);
	return r->ret;
}

int tsmh_conn_resume(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	struct tsmh_idenl_stream s;
	int ret;

	if (!c->nl)
		return fail(r, "ide-get", -EINVAL, "no netlink socket");
	ret = find_stream(c, r, "ide-get", &s);
	if (ret)
		return ret;
	return tsmh_conn_open(c, r);
}

int tsmh_ide_refresh(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	struct tsmh_idenl_stream s;
	uint8_t sid, old, nset;
	char buf[160];
	int ret;
	struct tsmh_conn_step *st;

	if (!c->nl)
		return fail(r, "ide-get", -EINVAL, "no netlink socket");
	ret = find_stream(c, r, "ide-get (before)", &s);
	if (ret)
		return ret;
	sid = (uint8_t)s.id;
	if (!(s.has & TSMH_IDENL_S_KEY_SET))
		return fail(r, "ide-get (before)", -ENOKEY,
			    "stream %u has no key set in use at the root port: connect again", sid);
	st = tsmh_conn_step_begin(r, "state before");
	states(&s, buf, sizeof(buf));
	snprintf(st->name, sizeof(st->name), "state before: %s",
		 tsmh_idenl_secure(&s) ? "SECURE" : "not SECURE");
	tsmh_conn_step_end(r, st, 0, 1);
	old = (uint8_t)s.key_set;
	nset = old ^ 1;
	if (!c->in_session) {
		ret = tsmh_conn_open(c, r);
		if (ret)
			return ret;
	}
	ret = tsmh_conn_keys(c, r, sid, nset, 1);
	if (ret)
		goto failed;
	/*
	 * The receivers switch first: the endpoint's RX keys and the root
	 * port's set (it receives with its RX keys of @nset from its GO on),
	 * then the endpoint's TX keys; until then the endpoint still sends
	 * with @old, which both receivers keep.
	 */
	ret = kset_keys(c, r, sid, nset, 1, EP_RX, 1, 1);
	if (ret)
		goto failed;
	c->key_set = nset; /* the root port sends with it now */
	ret = kset_keys(c, r, sid, nset, 1, EP_TX, 0, 1);
	if (ret)
		goto failed;
	c->key_set = nset;
	ret = kset(c, r, sid, old, 0, 1, 1, 1);
	if (ret)
		goto failed;
	ret = find_stream(c, r, "ide-get (after)", &s);
	if (ret)
		return ret;
	st = tsmh_conn_step_begin(r, "state after");
	states(&s, buf, sizeof(buf));
	if (!tsmh_idenl_secure(&s)) {
		snprintf(st->why, sizeof(st->why), "stream %u is not SECURE after the refresh: %s",
			 sid, buf);
		return tsmh_conn_step_end(r, st, -EIO, 1);
	}
	if (!(s.has & TSMH_IDENL_S_KEY_SET) || s.key_set != nset) {
		snprintf(st->why, sizeof(st->why),
			 "stream %u: the root port's key set in use is not %u after the refresh",
			 sid, nset);
		return tsmh_conn_step_end(r, st, -EIO, 1);
	}
	snprintf(st->name, sizeof(st->name), "state after: SECURE, key set %u", nset);
	return tsmh_conn_step_end(r, st, 0, 1);
failed:
	/*
	 * Nothing is unwound: until both GOs, the old set carries the
	 * stream at both ends; the new set's keys are replaced at the next
	 * refresh. Say where it stands.
	 */
	snprintf(r->unwind_err, sizeof(r->unwind_err),
		 "the stream stays allocated; key set %u is in use at the root port", c->key_set);
	return ret;
}

int tsmh_disconnect(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	struct tsmh_idenl_stream s;
	int ret, no_store = c->o.no_store;

	if (!c->nl)
		return fail(r, "ide-get", -EINVAL, "no netlink socket");
	ret = find_stream(c, r, "ide-get", &s);
	if (ret) {
		tsmh_conn_end_session(c, r);
		return ret;
	}
	if (!c->in_session) {
		/* best effort: the device may have been reset or be gone */
		struct tsmh_conn_result tmp = { .on_step = r->on_step, .arg = r->arg };
		unsigned int i;

		c->o.no_store = 1; /* nothing to attest for: only a session */
		ret = tsmh_conn_open(c, &tmp);
		c->o.no_store = no_store;
		for (i = 0; i < tmp.n && r->n < TSMH_CONN_STEPS_MAX; i++)
			r->step[r->n++] = tmp.step[i];
		if (ret)
			snprintf(r->unwind_err, sizeof(r->unwind_err),
				 "no session with the endpoint (%.400s): its keys were not stopped",
				 tmp.err);
	}
	if (c->in_session && (s.has & TSMH_IDENL_S_KEY_SET))
		ret = kset(c, r, (uint8_t)s.id, (uint8_t)s.key_set, 0, 1, 0, 0);
	ret = stream_del(c, r, 1);
	if (!ret)
		r->have_stream = 0;
	tsmh_conn_end_session(c, r);
	return r->ret;
}

int tsmh_conn_heartbeat(struct tsmh_conn *c, char *why, size_t whylen)
{
	if (!c->in_session)
		return spdm_why(why, whylen, -ENOTCONN, "HEARTBEAT: no session with %s", c->dev);
	return tsmh_session_heartbeat(c->t, &c->ss, why, whylen);
}

void tsmh_conn_free(struct tsmh_conn *c)
{
	if (c->in_session)
		tsmh_session_free(&c->ss);
	c->in_session = 0;
	if (c->have_attest)
		tsmh_attest_free(&c->a);
	c->have_attest = 0;
}
