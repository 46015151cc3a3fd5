// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd's IDE connections (issue 12): the policy requirement "ide", the
 * SPDM session kept with HEARTBEAT, re-keying after a reset, and the 7.2
 * hand-off (evt-tsm-req -> tsm-done): tsm/connect, tsm/disconnect, and
 * (issue 13) bind, unbind and the guest's START of a TDI of a connected
 * DSM, run by the DSM's keeper in its session (tsm_tdi_req()).
 *
 * The session keeper. A connected device has one child process (forked
 * like the attestation workers, dying with tsmd) that holds the DOE
 * mailbox claim, the netlink socket and the SPDM session
 * (daemon/attest/connect.h). The loop sends it one operation at a time on
 * a SOCK_SEQPACKET pair and reads one answer per operation, so the
 * session is only ever used from that child and never concurrently:
 * HEARTBEAT is an operation the loop's timer asks for at the negotiated
 * period, like refresh, disconnect and the 7.2 requests. An operation
 * that outlives attest_timeout_ms kills the child (the session is lost,
 * the kernel keeps the stream). An attestation of the device needs the
 * mailbox: the keeper is stopped first (tsmd_pump()).
 *
 * Keys never reach this process: they are made and wiped inside the
 * child's connect/refresh (connect.h), and the answers carry only IDs,
 * states, the heartbeat period, step names and reasons.
 *
 * Restarts: the child dies with tsmd, the stream stays in the kernel. A
 * new tsmd finds it with ide-get and releases (or keeps released) a device
 * whose stream reads SECURE without a session; a session is opened again
 * only when an operation needs one (refresh, disconnect: tsmh_conn_resume()
 * inside them).
 *
 * Loops: a re-key is only started by something outside tsmd (a reset or an
 * insecure event of a stream this tsmd relies on), never by our own
 * stream changes (evt-ide new/keyed/enabled/deleted are ignored, insecure
 * is left to a connect or disconnect that runs, and looked at again after
 * any other operation: lost unless the stream reads SECURE then), and at most
 * REKEY_MAX re-keys per REKEY_WINDOW_S per device: beyond that the device
 * is held with the count in its message.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "attest_store.h"
#include "connect.h"
#include "doe_proxy.h"
#include "ide_nl.h"
#include "summary.h"
#include "tdi.h"
#include "tsmd.h"
#include "verdict.h"

#define REKEY_MAX      3
#define REKEY_WINDOW_S 600

static const char *const op_names[__CONN_OP_NR] = {
	[CONN_OP_NONE] = "none",
	[CONN_OP_CONNECT] = "connect",
	[CONN_OP_HEARTBEAT] = "heartbeat",
	[CONN_OP_REFRESH] = "refresh",
	[CONN_OP_DISCONNECT] = "disconnect",
	[CONN_OP_RESUME] = "resume",
	[CONN_OP_TDI_LOCK] = "tdi lock",
	[CONN_OP_TDI_START] = "tdi start",
	[CONN_OP_TDI_STOP] = "tdi stop",
	[CONN_OP_TDI_STATE] = "tdi state",
};

static int is_tdi_op(enum tsmd_conn_op op)
{
	return op >= CONN_OP_TDI_LOCK && op <= CONN_OP_TDI_STATE;
}

/*
 * A TDI operation in flight or queued, whoever asked (tsmd's own undo of
 * a late bind has no requester): c->tdi and its options are its until it
 * ends.
 */
static int tdi_op_busy(const struct tsmd_conn *c)
{
	return is_tdi_op(c->op) || is_tdi_op(c->next_op);
}

const char *tsmd_conn_op_name(enum tsmd_conn_op op)
{
	return op < __CONN_OP_NR ? op_names[op] : "?";
}

/* loop -> child */
struct conn_req {
	uint32_t op;
	/* TDI operations: the TDI and the LOCK's options */
	uint32_t lock_flags;
	int32_t stream_id; /* -1: none */
	uint32_t pad;
	uint64_t mmio_offset;
	/* START: the guest request's tsm-cookie, LOCK: the bind's; 0: the host's */
	uint64_t tsm_cookie;
	char tdi[32];
};

/* child -> loop: one per request */
struct conn_rsp {
	uint32_t op;
	int32_t status; /* 0 or -errno */
	int32_t session_up;
	int32_t reopened; /* heartbeat: failed, and a new session was opened */
	int32_t have_stream;
	int32_t secure; /* the stream reads SECURE at both ends */
	uint32_t stream_id;
	uint32_t hb_period;
	int32_t have_digest; /* connect: the accepted digest of its attestation */
	uint8_t digest[TSMD_ACCEPT_DIGEST_LEN];
	char rp[32];
	char err[640]; /* "DEV: STEP: reason" */
	/* TDI operations: the kernel's state of the TDI afterwards, the answer */
	int32_t tdi_state; /* -1: unknown */
	char msg[320];
	/* the TDIs whose LOCK nonce the keeper keeps after the op ("": none) */
	int32_t have_kept;
	char kept[TSMD_TDIS_MAX][32];
};

/* ---- the child ---- */

struct keeper {
	const char *dev;
	struct tsmh_nl nl;
	struct proxy_ctx pc;
	struct spdm_transport t;
	struct kernel_cache kc;
	struct tsmh_conn c;
	int ready; /* nl open, mailbox claimed, c initialised */
	/*
	 * TDIs locked in this session, each with its LOCK nonce (wiped at
	 * START, STOP, and whenever the session may have changed).
	 */
	struct tsmh_tdi *tdi[TSMD_TDIS_MAX];
};

/* Forget the TDIs locked in the session: their nonces are wiped. */
static void keeper_tdis_forget(struct keeper *k, const char *only)
{
	unsigned int i;

	for (i = 0; i < TSMD_TDIS_MAX; i++) {
		if (!k->tdi[i] || (only && strcmp(k->tdi[i]->dev, only)))
			continue;
		tsmh_tdi_free(k->tdi[i]);
		free(k->tdi[i]);
		k->tdi[i] = NULL;
	}
}

static struct tsmh_tdi **keeper_tdi_slot(struct keeper *k, const char *dev)
{
	struct tsmh_tdi **free_slot = NULL;
	unsigned int i;

	for (i = 0; i < TSMD_TDIS_MAX; i++) {
		if (k->tdi[i] && !strcmp(k->tdi[i]->dev, dev))
			return &k->tdi[i];
		if (!k->tdi[i] && !free_slot)
			free_slot = &k->tdi[i];
	}
	return free_slot;
}

/*
 * A TDI operation in the keeper's session (opened first if there is
 * none). LOCK keeps its nonce for a later START in this session only.
 */
static int keeper_tdi(struct keeper *k, const struct conn_req *q, struct tsmh_conn_result *res,
		      struct conn_rsp *r)
{
	struct tsmh_tdi_opts o = { .dev = q->tdi,
				   .lock_flags = q->lock_flags,
				   .stream_id = q->stream_id,
				   .mmio_offset = q->mmio_offset,
				   .keep_nonce = 1,
				   .tsm_cookie = q->op == CONN_OP_TDI_LOCK ? q->tsm_cookie : 0 };
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *f;
	struct tsmh_tdinl_tdi kt;
	struct tsmh_tdi **slot, *td;
	char tdi[32];
	int ret;

	snprintf(tdi, sizeof(tdi), "%.31s", q->tdi);
	o.dev = tdi;
	r->tdi_state = -1;
	ret = tsmh_tdi_get(&k->nl, tdi, &l);
	f = ret ? NULL : tsmh_tdinl_find(&l, tdi);
	if (f)
		kt = *f;
	tsmh_tdinl_list_free(&l);
	if (!f) {
		snprintf(r->err, sizeof(r->err), "%s: tdi-get: %s", tdi,
			 ret && k->nl.err[0] ? k->nl.err : "not a TDI the kernel tracks");
		return ret ? ret : -ENOENT;
	}
	if (strcmp(kt.dsm, k->dev)) {
		snprintf(r->err, sizeof(r->err), "%s: its DSM is %s, not %s", tdi, kt.dsm, k->dev);
		return -EINVAL;
	}
	slot = keeper_tdi_slot(k, tdi);
	if (q->op == CONN_OP_TDI_START && !q->tsm_cookie && (kt.flags & TSMH_TDI_F_BOUND)) {
		/* the kernel would refuse it and the nonce would be gone for the TVM */
		snprintf(r->err, sizeof(r->err),
			 "%s: START_INTERFACE: bound to a TVM: only its guest request starts it "
			 "(the LOCK nonce stays kept for that)",
			 tdi);
		r->tdi_state = (int32_t)kt.state;
		return -EPERM;
	}
	if (q->op == CONN_OP_TDI_START) {
		if (!slot || !*slot) {
			snprintf(r->err, sizeof(r->err),
				 "%s: START_INTERFACE: no LOCK of it in tsmd's session (the nonce "
				 "lives only there): lock it through tsmd first",
				 tdi);
			r->tdi_state = (int32_t)kt.state;
			return -ENOKEY;
		}
		td = *slot;
		ret = tsmh_tdi_start(td, q->tsm_cookie, res);
	} else if (q->op == CONN_OP_TDI_LOCK) {
		if (!slot) {
			snprintf(r->err, sizeof(r->err), "%s: tsmd keeps at most %d TDIs locked",
				 tdi, TSMD_TDIS_MAX);
			return -ENOSPC;
		}
		/* its lock in this session stands: a second LOCK would lose its nonce */
		if (*slot &&
		    (kt.state == TSMH_TDI_STATE_CONFIG_LOCKED || kt.state == TSMH_TDI_STATE_RUN)) {
			snprintf(r->err, sizeof(r->err),
				 "%s: already %s in tsmd's session: stop it first", tdi,
				 tsmh_tdinl_state_name(kt.state));
			r->tdi_state = (int32_t)kt.state;
			return -EBUSY;
		}
		keeper_tdis_forget(k, tdi);
		td = calloc(1, sizeof(*td));
		if (!td)
			return -ENOMEM;
		*slot = td;
		tsmh_tdi_attach(td, &k->c, &o, &kt);
		ret = tsmh_tdi_lock(td, res);
	} else {
		td = calloc(1, sizeof(*td));
		if (!td)
			return -ENOMEM;
		tsmh_tdi_attach(td, &k->c, &o, &kt);
		ret = q->op == CONN_OP_TDI_STOP ? tsmh_tdi_stop(td, res) : tsmh_tdi_state(td, res);
	}
	r->tdi_state = (int32_t)td->k.state;
	if (ret) {
		snprintf(r->err, sizeof(r->err), "%s: %.400s (kernel: %s%s%.120s)", tdi,
			 res->err[0] ? res->err : strerror(-ret),
			 tsmh_tdinl_state_name(td->k.state), td->k.msg[0] ? ", " : "", td->k.msg);
		if (td->stopped)
			snprintf(r->err + strlen(r->err), sizeof(r->err) - strlen(r->err), "; %s",
				 td->stop_ok ? "STOP_INTERFACE sent: not left locked"
					     : "undoing with STOP_INTERFACE failed too");
	} else if (q->op == CONN_OP_TDI_LOCK) {
		snprintf(r->msg, sizeof(r->msg),
			 "%s %s: report checked by the kernel (%u bytes, %u ranges); the START "
			 "nonce is kept in tsmd's session",
			 tdi, tsmh_tdinl_state_name(td->k.state), td->report_len,
			 td->rep.nr_ranges);
	} else if (q->op == CONN_OP_TDI_STATE) {
		snprintf(r->msg, sizeof(r->msg), "%s: device %s, kernel %s: they agree", tdi,
			 tsmh_tdi_state_name((uint8_t)td->dev_state),
			 tsmh_tdinl_state_name(td->k.state));
	} else {
		snprintf(r->msg, sizeof(r->msg), "%s %s", tdi, tsmh_tdinl_state_name(td->k.state));
	}
	/*
	 * The nonce is single use: gone once START was sent (not when the
	 * kernel refused it before anything was sent: the lock stands, e.g.
	 * for a TVM's START after a host's refused one); a failed LOCK kept
	 * none; STOP ends the lock. STATE leaves it alone.
	 */
	if ((q->op == CONN_OP_TDI_LOCK && ret) || q->op == CONN_OP_TDI_STOP ||
	    (q->op == CONN_OP_TDI_START && !td->start_refused))
		keeper_tdis_forget(k, tdi);
	if (q->op == CONN_OP_TDI_STOP || q->op == CONN_OP_TDI_STATE) {
		tsmh_tdi_free(td);
		free(td);
	}
	return ret;
}

static int keeper_open(struct keeper *k, const char *trust, char *err, size_t errlen)
{
	struct tsmh_connect_opts o = { 0 };
	char why[512] = "";
	int ret;

	ret = tsmh_nl_open(&k->nl);
	if (ret) {
		snprintf(err, errlen, "%s: netlink: %s", k->dev,
			 k->nl.err[0] ? k->nl.err : strerror(-ret));
		return ret;
	}
	ret = tsmh_doe_proxy_claim(&k->nl, k->dev, -1);
	if (ret) {
		snprintf(err, errlen, "%s: claim: cannot claim the DOE mailbox: %s", k->dev,
			 k->nl.err[0] ? k->nl.err : strerror(-ret));
		tsmh_nl_close(&k->nl);
		return ret;
	}
	k->pc = (struct proxy_ctx){ .nl = &k->nl, .dev = k->dev };
	spdm_transport_proxy(&k->t, &k->pc);
	o.dev = k->dev;
	o.attest.trust = trust;
	o.attest.slot = 0;
	/* the device was attested just before (its evidence is the kernel's) */
	o.attest.reattest = 1;
	if (!kernel_cache_load(&k->kc, &k->nl, k->dev, 1, why, sizeof(why)))
		o.attest.cache = &k->kc.cache;
	o.ide = TSMH_CONN_IDE_SELECTIVE;
	o.tc = 0;
	/* the worker's evidence is what the release names: do not replace it */
	o.no_store = 1;
	tsmh_conn_init(&k->c, &k->t, &k->nl, &o);
	k->ready = 1;
	return 0;
}

/* The accepted digest of the attestation connect ran (as decide.c computes it). */
static void keeper_digest(struct keeper *k, struct conn_rsp *r)
{
	static struct tsmd_summary s;
	struct tsmd_meas_block blocks[TSMD_MAX_BLOCKS];
	struct tsmd_attest_summary as;

	if (!k->c.have_attest)
		return;
	tsmd_summary_from_attest(&s, &k->c.a, 0, 0, NULL, "", 0);
	tsmd_summary_view(&s, blocks, &as);
	if (s.ok && !tsmd_accept_digest(as.spki_sha384, as.blocks, as.nr_blocks, r->digest))
		r->have_digest = 1;
}

/* The stream the kernel holds for the device now, into @r. */
static void keeper_stream(struct keeper *k, struct conn_rsp *r)
{
	struct tsmh_idenl_ports ps = { 0 };
	const struct tsmh_idenl_stream *st;

	if (!tsmh_ide_get(&k->nl, k->dev, &ps)) {
		st = tsmh_idenl_stream_find(&ps, k->dev, -1);
		if (st) {
			r->have_stream = 1;
			r->stream_id = st->id;
			r->secure = tsmh_idenl_secure(st);
			snprintf(r->rp, sizeof(r->rp), "%s", st->rp);
		}
	}
	tsmh_idenl_ports_free(&ps);
}

/* connect = a fresh stream: the device's old one (insecure after a reset) goes first */
static int keeper_connect(struct keeper *k, struct tsmh_conn_result *res, struct conn_rsp *r)
{
	struct conn_rsp old = { 0 };
	int ret;

	keeper_stream(k, &old);
	if (old.have_stream) {
		ret = tsmh_ide_stream_del(&k->nl, k->dev, old.stream_id);
		if (ret && ret != -ENOENT) {
			snprintf(r->err, sizeof(r->err),
				 "%s: ide-stream-del: cannot delete its old stream %u: %s", k->dev,
				 old.stream_id, k->nl.err[0] ? k->nl.err : strerror(-ret));
			return ret;
		}
	}
	k->c.have_stream = 0;
	ret = tsmh_connect(&k->c, res);
	keeper_digest(k, r);
	return ret;
}

/* The TDIs whose LOCK nonce the keeper keeps, into @r (names only). */
static void keeper_kept(struct keeper *k, struct conn_rsp *r)
{
	unsigned int i, n = 0;

	r->have_kept = 1;
	for (i = 0; i < TSMD_TDIS_MAX; i++)
		if (k->tdi[i] && k->tdi[i]->have_nonce)
			snprintf(r->kept[n++], sizeof(r->kept[0]), "%.31s", k->tdi[i]->dev);
}

static void keeper_run(struct keeper *k, const char *trust, const struct conn_req *q,
		       struct conn_rsp *r)
{
	static struct tsmh_conn_result res;
	uint32_t op = q->op;
	char why[512] = "";
	int ret;

	memset(&res, 0, sizeof(res));
	r->op = op;
	if (!k->ready && (ret = keeper_open(k, trust, r->err, sizeof(r->err)))) {
		r->status = ret;
		return;
	}
	/* a session other than the one the TDIs were locked in: their nonces go */
	if (!is_tdi_op(op) && op != CONN_OP_HEARTBEAT && op != CONN_OP_REFRESH)
		keeper_tdis_forget(k, NULL);
	switch (op) {
	case CONN_OP_CONNECT: ret = keeper_connect(k, &res, r); break;
	case CONN_OP_HEARTBEAT:
		ret = tsmh_conn_heartbeat(&k->c, why, sizeof(why));
		if (ret) {
			/* the session is gone or broken: a new one, same stream */
			snprintf(r->err, sizeof(r->err), "%s: HEARTBEAT: %s", k->dev, why);
			tsmh_conn_end_session(&k->c, NULL);
			keeper_tdis_forget(k, NULL);
			if (!tsmh_conn_resume(&k->c, &res))
				r->reopened = 1;
			else
				snprintf(r->err + strlen(r->err), sizeof(r->err) - strlen(r->err),
					 "; opening a new session failed: %.200s", res.err);
			r->status = ret;
			goto out;
		}
		break;
	case CONN_OP_REFRESH: ret = tsmh_ide_refresh(&k->c, &res); break;
	case CONN_OP_DISCONNECT: ret = tsmh_disconnect(&k->c, &res); break;
	case CONN_OP_RESUME: ret = tsmh_conn_resume(&k->c, &res); break;
	case CONN_OP_TDI_LOCK:
	case CONN_OP_TDI_START:
	case CONN_OP_TDI_STOP:
	case CONN_OP_TDI_STATE: ret = keeper_tdi(k, q, &res, r); break;
	default: ret = -EINVAL; break;
	}
	r->status = ret;
	if (ret && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", res.err[0] ? res.err : strerror(-ret));
out:
	r->session_up = k->c.in_session;
	r->hb_period = k->c.heartbeat_s;
	keeper_stream(k, r);
	keeper_kept(k, r);
}

static void __attribute__((noreturn)) keeper_main(const char *dev, const char *trust, int fd)
{
	static struct keeper k;
	struct conn_req q;
	struct conn_rsp r;
	ssize_t n;

	k.dev = dev;
	for (;;) {
		n = recv(fd, &q, sizeof(q), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(q))
			break; /* tsmd closed its end: end the session, keep the stream */
		memset(&r, 0, sizeof(r));
		keeper_run(&k, trust, &q, &r);
		if (send(fd, &r, sizeof(r), MSG_NOSIGNAL) != (ssize_t)sizeof(r))
			break;
	}
	if (k.ready) {
		keeper_tdis_forget(&k, NULL);
		tsmh_conn_end_session(&k.c, NULL);
		tsmh_conn_free(&k.c);
		kernel_cache_free(&k.kc);
		tsmh_nl_close(&k.nl);
	}
	_exit(0);
}

/* ---- the loop's side ---- */

static void conn_done(struct tsmd_dev *v, const struct conn_rsp *r);
static void ide_pend_check(struct tsmd_dev *v, enum tsmd_conn_op op);
static void unbind_kick(struct tsmd_dev *v);
static int ext_answer(struct tsmd_dev *v, enum tsmd_conn_op op, int status, const char *msg);
static void stop_keeper(struct tsmd_dev *v, int status, const char *why);

static void set_state(struct tsmd_dev *v, const char *state)
{
	tsmd_scopy(v->conn.state, sizeof(v->conn.state), state);
}

/*
 * The LOCK nonce of TDI @tdi is gone with the session (@why) before a
 * START used it: a TVM bound to it can never START it (design.md "TDISP
 * in tsmd"). Said once per TDI.
 */
static void nonce_gone(struct tsmd_dev *v, const char *tdi, const char *why)
{
	tsmd_log(LOG_WARNING, tdi, "session",
		 "LOCK nonce gone with the session (%s, DSM %s): a TVM bound to it must unbind "
		 "and bind again",
		 why, v->name);
}

/*
 * The keeper's answer lists the nonces it keeps now: one kept before that
 * this op did not use (START) or end (STOP, a new LOCK of its TDI) was
 * lost with the session (a failed HEARTBEAT's new session, a resume).
 */
static void kept_update(struct tsmd_dev *v, enum tsmd_conn_op op, const struct conn_rsp *r)
{
	struct tsmd_conn *c = &v->conn;
	unsigned int i, j;

	for (i = 0; i < TSMD_TDIS_MAX; i++) {
		if (!c->kept[i][0])
			continue;
		for (j = 0;
		     j < TSMD_TDIS_MAX && strncmp(c->kept[i], r->kept[j], sizeof(r->kept[j])); j++)
			;
		if (j < TSMD_TDIS_MAX ||
		    (is_tdi_op(op) && op != CONN_OP_TDI_STATE && !strcmp(c->kept[i], c->tdi)))
			continue;
		nonce_gone(v, c->kept[i], tsmd_conn_op_name(op));
	}
	for (i = 0; i < TSMD_TDIS_MAX; i++)
		tsmd_scopy(c->kept[i], sizeof(c->kept[i]), r->kept[i]);
}

/* The keeper is gone (exited, killed, stopped): forget its sources. */
static void keeper_gone(struct tsmd_dev *v)
{
	struct tsmd_conn *c = &v->conn;
	unsigned int i;

	for (i = 0; i < TSMD_TDIS_MAX; i++) {
		if (c->kept[i][0])
			nonce_gone(v, c->kept[i], "its session keeper stopped");
		c->kept[i][0] = 0;
	}

	c->io = sd_event_source_disable_unref(c->io);
	c->child = sd_event_source_unref(c->child);
	c->op_timer = sd_event_source_disable_unref(c->op_timer);
	c->hb_timer = sd_event_source_disable_unref(c->hb_timer);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->pid = 0;
	c->session_up = 0;
	if (c->next_op != CONN_OP_NONE && c->next_op != CONN_OP_HEARTBEAT)
		ext_answer(v, c->next_op, -EINTR, "the session keeper stopped before it ran");
	c->next_op = CONN_OP_NONE;
}

/* An operation in flight ends without an answer (@why): as a failure. */
static void fail_op(struct tsmd_dev *v, int status, const char *why)
{
	struct conn_rsp r = { 0 };

	if (v->conn.op == CONN_OP_NONE)
		return;
	r.op = v->conn.op;
	r.status = status;
	r.tdi_state = -1; /* a TDI op's outcome is unknown: its listing stays */
	snprintf(r.err, sizeof(r.err), "%s: %s: %s", v->name, tsmd_conn_op_name(v->conn.op), why);
	conn_done(v, &r);
}

static int on_keeper_exit(sd_event_source *s, const siginfo_t *si, void *arg)
{
	struct tsmd_dev *v = arg;
	char why[128];

	(void)s;
	snprintf(why, sizeof(why), "session keeper %s %d",
		 si->si_code == CLD_EXITED ? "exited with status" : "killed by signal",
		 si->si_status);
	keeper_gone(v);
	if (v->conn.op != CONN_OP_NONE)
		fail_op(v, -EPIPE, why);
	else
		tsmd_log(LOG_INFO, v->name, "session", "%s; session closed, the stream stays", why);
	tsmd_bus_changed(v->d, v);
	unbind_kick(v);
	return 0;
}

static int on_keeper_io(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct tsmd_dev *v = arg;
	struct conn_rsp r;
	ssize_t n;

	(void)s, (void)revents;
	n = recv(fd, &r, sizeof(r), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != (ssize_t)sizeof(r) || r.op != v->conn.op) {
		/* EOF or nonsense: the exit handler finishes; stop reading */
		v->conn.io = sd_event_source_disable_unref(v->conn.io);
		if (n != 0 && v->conn.pid)
			kill(v->conn.pid, SIGKILL);
		return 0;
	}
	r.err[sizeof(r.err) - 1] = 0;
	r.rp[sizeof(r.rp) - 1] = 0;
	r.msg[sizeof(r.msg) - 1] = 0;
	for (n = 0; n < TSMD_TDIS_MAX; n++)
		r.kept[n][sizeof(r.kept[n]) - 1] = 0;
	conn_done(v, &r);
	return 0;
}

static int on_op_timeout(sd_event_source *s, uint64_t usec, void *arg)
{
	struct tsmd_dev *v = arg;

	(void)s, (void)usec;
	tsmd_log(LOG_ERR, v->name, "session",
		 "%s did not finish within %d ms: session keeper killed",
		 tsmd_conn_op_name(v->conn.op), v->d->cfg.timeout_ms);
	stop_keeper(v, -ETIMEDOUT, "timed out");
	unbind_kick(v);
	return 0;
}

static int keeper_start(struct tsmd_dev *v)
{
	struct tsmd *d = v->d;
	int sp[2], ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		return -errno;
	pid = tsmd_fork_child(sp);
	if (pid < 0)
		return pid;
	if (pid == 0)
		keeper_main(v->name, d->cfg.trust, 3);
	v->conn.pid = pid;
	v->conn.fd = sp[0];
	ret = sd_event_add_io(d->ev, &v->conn.io, v->conn.fd, EPOLLIN, on_keeper_io, v);
	if (ret >= 0)
		ret = sd_event_add_child(d->ev, &v->conn.child, pid, WEXITED, on_keeper_exit, v);
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		keeper_gone(v);
		return ret;
	}
	return 0;
}

/* Send @op to the keeper (started if needed). 0 or -errno. */
static int send_op(struct tsmd_dev *v, enum tsmd_conn_op op)
{
	struct tsmd_conn *c = &v->conn;
	struct conn_req q = { .op = op };
	int ret;

	if (is_tdi_op(op)) {
		tsmd_scopy(q.tdi, sizeof(q.tdi), c->tdi);
		q.lock_flags = c->tdi_lock_flags;
		q.stream_id = c->tdi_stream;
		q.mmio_offset = c->tdi_mmio_offset;
		q.tsm_cookie =
			op == CONN_OP_TDI_START || op == CONN_OP_TDI_LOCK ? c->tdi_cookie : 0;
	}
	if (c->op != CONN_OP_NONE) {
		/* one queued op: a HEARTBEAT gives way, anything else is never overwritten */
		if (op == CONN_OP_HEARTBEAT) {
			if (c->next_op == CONN_OP_NONE)
				c->next_op = op;
			return 0;
		}
		if (c->next_op != CONN_OP_NONE && c->next_op != CONN_OP_HEARTBEAT)
			return -EBUSY;
		c->next_op = op;
		return 0;
	}
	if (!c->pid) {
		ret = keeper_start(v);
		if (ret)
			return ret;
	}
	if (send(c->fd, &q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q)) {
		ret = -errno;
		tsmd_conn_stop(v, "cannot talk to it");
		return ret;
	}
	c->op = op;
	if (op == CONN_OP_CONNECT || op == CONN_OP_DISCONNECT)
		c->ide_pend = 0; /* a new stream or none: the old one's event is moot */
	ret = sd_event_add_time_relative(v->d->ev, &c->op_timer, CLOCK_MONOTONIC,
					 (uint64_t)v->d->cfg.timeout_ms * 1000u, 1000,
					 on_op_timeout, v);
	if (ret < 0)
		tsmd_log(LOG_WARNING, v->name, "session", "no timeout for %s: %s",
			 tsmd_conn_op_name(op), strerror(-ret));
	if (op != CONN_OP_HEARTBEAT)
		tsmd_log(LOG_DEBUG, v->name, "session", "%s started", tsmd_conn_op_name(op));
	return 0;
}

static int on_heartbeat(sd_event_source *s, uint64_t usec, void *arg)
{
	struct tsmd_dev *v = arg;

	(void)s, (void)usec;
	v->conn.hb_timer = sd_event_source_disable_unref(v->conn.hb_timer);
	if (!v->conn.pid || !v->conn.session_up)
		return 0;
	if (v->conn.op != CONN_OP_NONE) {
		/* the session just carried a message: that counts; look again later */
		if (v->conn.next_op == CONN_OP_NONE)
			v->conn.next_op = CONN_OP_HEARTBEAT;
		return 0;
	}
	send_op(v, CONN_OP_HEARTBEAT);
	return 0;
}

static void arm_heartbeat(struct tsmd_dev *v)
{
	struct tsmd_conn *c = &v->conn;

	c->hb_timer = sd_event_source_disable_unref(c->hb_timer);
	if (!c->pid || !c->session_up || !c->hb_period)
		return;
	/*
	 * DSP0274: the responder may end a session that saw no message for
	 * twice HeartbeatPeriod; one HEARTBEAT per period keeps it.
	 */
	sd_event_add_time_relative(v->d->ev, &c->hb_timer, CLOCK_MONOTONIC,
				   (uint64_t)c->hb_period * 1000000u, 100000, on_heartbeat, v);
}

static uint64_t now_rt_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *tsm_op_str(uint32_t op)
{
	static const char *const names[] = {
		[TSMH_TSM_OP_CONNECT] = "connect",     [TSMH_TSM_OP_DISCONNECT] = "disconnect",
		[TSMH_TSM_OP_BIND] = "bind",	       [TSMH_TSM_OP_UNBIND] = "unbind",
		[TSMH_TSM_OP_GUEST_REQ] = "guest-req",
	};

	return op < sizeof(names) / sizeof(names[0]) && names[op] ? names[op] : "?";
}

/*
 * Answer the requests from outside waiting for @op (CONN_OP_NONE: all of
 * them): a 7.2 tsm request (tsm-done) and a D-Bus call. -ENOENT if the
 * kernel no longer waited for a tsm/connect or bind answer (it gave up
 * and undid its part), else 0.
 */
static int ext_answer(struct tsmd_dev *v, enum tsmd_conn_op op, int status, const char *msg)
{
	struct tsmd_conn *c = &v->conn;
	enum tsmd_conn_op top = c->tsm_cop;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int ret, late = 0;

	if (c->tsm_pending && (op == CONN_OP_NONE || op == top)) {
		c->tsm_pending = 0;
		ret = tsmd_kernel_tsm_done(v->d, c->tsm_dev, c->tsm_cookie, status, msg);
		tsmd_log(ret ? LOG_WARNING : LOG_INFO, c->tsm_dev, "tsm",
			 "tsm/%s answered %d (%s)%s%s", tsm_op_str(c->tsm_op), status, msg,
			 ret ? "; the kernel did not take the answer: " : "",
			 ret ? (v->d->nl.err[0] ? v->d->nl.err : strerror(-ret)) : "");
		late = ret == -ENOENT && (top == CONN_OP_CONNECT || top == CONN_OP_TDI_LOCK ||
					  top == CONN_OP_TDI_START);
	}
	if (c->bus_call && (op == CONN_OP_NONE || op == c->bus_op)) {
		if (status) {
			sd_bus_error_setf(&err, "org.tsmhost.tsmd1.Error.Refused", "%s", msg);
			sd_bus_reply_method_error(c->bus_call, &err);
			sd_bus_error_free(&err);
		} else {
			sd_bus_reply_method_return(c->bus_call, "s", msg);
		}
		c->bus_call = sd_bus_message_unref(c->bus_call);
	}
	return late ? -ENOENT : 0;
}

/* No stream of @v may be left after a failed connect: check, delete, say. */
static void no_stream_left(struct tsmd_dev *v)
{
	struct tsmh_idenl_stream st;
	int ret;

	if (tsmd_conn_stream(v, &st) != 1)
		return;
	ret = tsmh_ide_stream_del(&v->d->nl, v->name, st.id);
	tsmd_log(ret ? LOG_ERR : LOG_WARNING, v->name, "connect",
		 "stream %u was left after the failure: %s%s", st.id,
		 ret ? "cannot delete it: " : "deleted",
		 ret ? (v->d->nl.err[0] ? v->d->nl.err : strerror(-ret)) : "");
}

/*
 * The kernel gave up on the tsm/connect this connect answers (design.md
 * "7.2: link TSM": the daemon undoes a late answer): the stream deleted,
 * the session ended. A release of tsmd's own waiting for the stream keeps
 * it (the caller checks).
 */
static void late_connect_undo(struct tsmd_dev *v)
{
	struct tsmd_conn *c = &v->conn;

	tsmd_log(LOG_WARNING, v->name, "tsm",
		 "tsm/connect gave up before the answer: undoing the connect (stream %u)",
		 c->stream_id);
	c->connected = 0;
	tsmd_conn_stop(v, "tsm/connect answered too late");
	no_stream_left(v);
	c->have_stream = 0;
	set_state(v, "disconnected");
	if (v->info.gate_state == TSMH_GATE_RELEASED && tsmd_dev_needs_ide(v))
		tsmd_dev_hold(v, tsmd_vcode_name(TSMD_V_HOLD_IDE_FAILED),
			      "its tsm/connect was undone (answered too late); its policy rule "
			      "requires IDE");
}

static void connect_failed(struct tsmd_dev *v, int status, const char *err)
{
	struct tsmd_conn *c = &v->conn;
	char text[700];

	c->connected = 0;
	tsmd_conn_stop(v, NULL);
	no_stream_left(v);
	c->have_stream = 0;
	ext_answer(v, CONN_OP_CONNECT, status, err);
	if (status == -EINTR) {
		/* stopped by tsmd itself (a reset, an attestation): a new decision follows */
		set_state(v, "interrupted");
		c->pend_release = 0;
		tsmd_log(LOG_INFO, v->name, "connect", "IDE connect interrupted: %s", err);
		return;
	}
	set_state(v, "failed");
	tsmd_scopy(c->err, sizeof(c->err), err);
	tsmd_log(LOG_ERR, v->name, "connect", "IDE connect failed: %s", err);
	if (c->pend_release) {
		c->pend_release = 0;
		snprintf(text, sizeof(text), "IDE connect failed: %s", err);
		tsmd_dev_hold(v, tsmd_vcode_name(TSMD_V_HOLD_IDE_FAILED), text);
	}
}

static void connect_done(struct tsmd_dev *v, const struct conn_rsp *r)
{
	struct tsmd_conn *c = &v->conn;
	struct tsmh_idenl_stream st;
	char text[640];
	int found;

	if (r->status) {
		connect_failed(v, r->status, r->err);
		return;
	}
	/* the kernel's word, not the keeper's: the stream reads SECURE now */
	found = tsmd_conn_stream(v, &st);
	c->have_stream = found == 1;
	if (found == 1) {
		c->stream_id = st.id;
		tsmd_scopy(c->rp, sizeof(c->rp), st.rp);
	}
	c->hb_period = r->hb_period;
	c->hb_last_us = tsmd_now_us();
	c->hb_last_rt_us = now_rt_us();
	if (found != 1 || !tsmh_idenl_secure(&st)) {
		snprintf(text, sizeof(text), "%s: state: %s after connect", v->name,
			 found == 1 ? "the stream does not read SECURE" : "no stream");
		connect_failed(v, -EIO, text);
		return;
	}
	if (c->pend_release && c->pend_dlen == TSMD_ACCEPT_DIGEST_LEN &&
	    (!r->have_digest || memcmp(r->digest, c->pend_digest, c->pend_dlen))) {
		/* what connect authenticated is not what was just verified */
		snprintf(
			text, sizeof(text),
			"%s: attestation: the measurements seen while connecting differ from those verified",
			v->name);
		connect_failed(v, -EACCES, text);
		return;
	}
	c->connected = 1;
	c->rekey = 0;
	c->rekey_tried = 0;
	set_state(v, "up");
	c->err[0] = 0;
	tsmd_log(LOG_NOTICE, v->name, "connect",
		 "connected: IDE stream %u SECURE with %s, session up (heartbeat %s%u s)",
		 c->stream_id, c->rp, c->hb_period ? "every " : "none, period ", c->hb_period);
	arm_heartbeat(v);
	snprintf(text, sizeof(text), "connected: IDE stream %u SECURE", c->stream_id);
	if (ext_answer(v, CONN_OP_CONNECT, 0, text) == -ENOENT && !c->pend_release) {
		/* tsm/connect gave up waiting: nobody asked for this stream any more */
		late_connect_undo(v);
		return;
	}
	if (c->pend_release) {
		c->pend_release = 0;
		snprintf(text, sizeof(text), "IDE stream %u SECURE; %s", c->stream_id,
			 c->pend_text);
		tsmd_dev_release(v, c->pend_reason, c->pend_dlen ? c->pend_digest : NULL,
				 c->pend_dlen, c->pend_action, text);
	}
}

static void tdi_done(struct tsmd_dev *v, enum tsmd_conn_op op, const struct conn_rsp *r)
{
	struct tsmd_conn *c = &v->conn;
	int tsm = c->tsm_pending && c->tsm_cop == op;
	const char *action = tsm ? tsm_op_str(c->tsm_op) : tsmd_conn_op_name(op);

	if (r->status) {
		tsmd_log(LOG_ERR, c->tdi, action, "%s", r->err);
		tsmd_scopy(c->err, sizeof(c->err), r->err);
	} else {
		tsmd_log(LOG_NOTICE, c->tdi, action, "%s (in the session with %s)", r->msg,
			 v->name);
	}
	/* listed while the kernel has it locked or running after our lock */
	if (r->tdi_state == TSMH_TDI_STATE_CONFIG_LOCKED || r->tdi_state == TSMH_TDI_STATE_RUN) {
		if (op == CONN_OP_TDI_LOCK || op == CONN_OP_TDI_START)
			tsmd_tdis_note(c, c->tdi, 1);
	} else if (r->tdi_state >= 0) {
		tsmd_tdis_note(c, c->tdi, 0);
	}
	c->tdi_cookie = 0;
	if (ext_answer(v, op, r->status, r->status ? r->err : r->msg) == -ENOENT && tsm &&
	    !r->status) {
		/*
		 * The kernel gave up (tsm_timeout) before the answer: on a bind
		 * it asked for the unbind while the LOCK ran (queued: busy), on
		 * a guest START it told the TVM the START failed. Nobody will
		 * have this lock or this RUN, so tsmd undoes it (STOP).
		 */
		tsmd_log(LOG_WARNING, c->tdi, action,
			 "tsm/%s gave up before the answer: stopping the TDI again", action);
		if (send_op(v, CONN_OP_TDI_STOP))
			tsmd_log(LOG_ERR, c->tdi, action,
				 "cannot stop it: stop it with tsmctl tdi stop %s", c->tdi);
	}
}

static void conn_done(struct tsmd_dev *v, const struct conn_rsp *r)
{
	struct tsmd_conn *c = &v->conn;
	enum tsmd_conn_op op = c->op, next;

	c->op = CONN_OP_NONE;
	c->op_timer = sd_event_source_disable_unref(c->op_timer);
	c->session_up = c->pid && r->session_up;
	if (r->hb_period)
		c->hb_period = r->hb_period;
	if (r->have_kept)
		kept_update(v, op, r);
	switch (op) {
	case CONN_OP_CONNECT: connect_done(v, r); break;
	case CONN_OP_TDI_LOCK:
	case CONN_OP_TDI_START:
	case CONN_OP_TDI_STOP:
	case CONN_OP_TDI_STATE: tdi_done(v, op, r); break;
	case CONN_OP_HEARTBEAT:
		if (!r->status) {
			c->heartbeats++;
			c->hb_last_us = tsmd_now_us();
			c->hb_last_rt_us = now_rt_us();
			tsmd_log(LOG_DEBUG, v->name, "session", "HEARTBEAT acknowledged");
		} else if (r->reopened) {
			c->reopens++;
			c->hb_last_us = tsmd_now_us();
			c->hb_last_rt_us = now_rt_us();
			tsmd_log(LOG_WARNING, v->name, "session", "%s; a new session was opened",
				 r->err);
		} else if (r->status == -EINTR) {
			tsmd_log(LOG_DEBUG, v->name, "session", "%s", r->err);
		} else {
			tsmd_log(LOG_ERR, v->name, "session", "%s; session down, the stream stays",
				 r->err);
			tsmd_scopy(c->err, sizeof(c->err), r->err);
		}
		break;
	case CONN_OP_REFRESH:
	case CONN_OP_RESUME:
		if (r->status) {
			tsmd_scopy(c->err, sizeof(c->err), r->err);
			tsmd_log(LOG_ERR, v->name, tsmd_conn_op_name(op), "%s", r->err);
			ext_answer(v, op, r->status, r->err);
		} else {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s done: stream %u %s",
				 op == CONN_OP_REFRESH ? "key refresh" : "new session",
				 r->stream_id, r->secure ? "SECURE" : "not SECURE");
			tsmd_log(LOG_NOTICE, v->name, tsmd_conn_op_name(op), "%s", msg);
			c->hb_last_us = tsmd_now_us();
			c->hb_last_rt_us = now_rt_us();
			ext_answer(v, op, 0, msg);
		}
		break;
	case CONN_OP_DISCONNECT:
		if (r->status) {
			struct tsmh_idenl_stream gone;

			tsmd_scopy(c->err, sizeof(c->err), r->err);
			tsmd_log(LOG_ERR, v->name, "disconnect", "%s", r->err);
			/* its stream deleted all the same: tsmd's doing, not a loss */
			if (tsmd_conn_stream(v, &gone) == 0) {
				c->connected = 0;
				c->have_stream = 0;
			}
		} else {
			tsmd_log(LOG_NOTICE, v->name, "disconnect", "disconnected: stream deleted");
			c->connected = 0;
			c->have_stream = 0;
			set_state(v, "disconnected");
		}
		ext_answer(v, CONN_OP_DISCONNECT, r->status,
			   r->status ? r->err : "disconnected: stream deleted, session ended");
		tsmd_conn_stop(v, NULL);
		/* the policy wants IDE for it: without a stream it is not released */
		if (!r->status && v->info.gate_state == TSMH_GATE_RELEASED &&
		    tsmd_dev_needs_ide(v)) {
			c->pend_release = 0;
			tsmd_dev_hold(
				v, tsmd_vcode_name(TSMD_V_HOLD_IDE_FAILED),
				"disconnected by an administrator; its policy rule requires IDE");
		}
		break;
	default: break;
	}
	if (op == CONN_OP_HEARTBEAT || op == CONN_OP_REFRESH || op == CONN_OP_RESUME ||
	    is_tdi_op(op))
		arm_heartbeat(v);
	tsmd_bus_changed(v->d, v);
	/* an insecure event that came while it ran: its turn now */
	if (c->ide_pend && c->op == CONN_OP_NONE && c->pid)
		ide_pend_check(v, op);
	next = c->next_op;
	c->next_op = CONN_OP_NONE;
	/* a queued request that cannot be sent is answered, never left waiting */
	if (next != CONN_OP_NONE && next != CONN_OP_HEARTBEAT) {
		int ret = c->pid ? send_op(v, next) : -EPIPE;

		if (ret) {
			char why[160];

			snprintf(why, sizeof(why), "%s: session keeper: %s not started: %s",
				 v->name, tsmd_conn_op_name(next), strerror(-ret));
			tsmd_log(LOG_ERR, v->name, "session", "%s", why);
			ext_answer(v, next, ret, why);
			c->tdi_cookie = 0;
		}
	} else if (next != CONN_OP_NONE && c->pid) {
		send_op(v, next);
	}
	unbind_kick(v);
}

void tsmd_conn_stop(struct tsmd_dev *v, const char *why)
{
	stop_keeper(v, -EINTR, why);
}

static void stop_keeper(struct tsmd_dev *v, int status, const char *why)
{
	struct tsmd_conn *c = &v->conn;
	pid_t pid = c->pid;

	if (!pid)
		return;
	/* reap it here: its exit event goes with the source */
	c->child = sd_event_source_unref(c->child);
	if (why) {
		kill(pid, SIGKILL);
	} else {
		/* polite: EOF makes it send END_SESSION; killed if it takes long */
		int i;

		close(c->fd);
		c->fd = -1;
		for (i = 0; i < 200 && waitpid(pid, NULL, WNOHANG) == 0; i++)
			usleep(10000);
		if (i == 200)
			kill(pid, SIGKILL);
		else
			pid = 0;
	}
	if (pid)
		waitpid(pid, NULL, 0);
	keeper_gone(v);
	if (why)
		tsmd_log(LOG_INFO, v->name, "session", "session keeper stopped (%s)", why);
	/* no queued unbind from in here: the caller goes on (a re-key, a connect) */
	c->in_stop = 1;
	fail_op(v, status, why ? why : "session keeper stopped");
	c->in_stop = 0;
}

int tsmd_conn_stream(struct tsmd_dev *v, struct tsmh_idenl_stream *st)
{
	struct tsmh_idenl_ports ps = { 0 };
	const struct tsmh_idenl_stream *s;
	int ret;

	ret = tsmh_ide_get(&v->d->nl, v->name, &ps);
	if (!ret) {
		s = tsmh_idenl_stream_find(&ps, v->name, -1);
		ret = s != NULL;
		if (s)
			*st = *s;
	}
	tsmh_idenl_ports_free(&ps);
	return ret;
}

void tsmd_conn_release(struct tsmd_dev *v, uint32_t reason, const uint8_t *digest, size_t dlen,
		       const char *action, const char *text)
{
	struct tsmd_conn *c = &v->conn;
	struct tsmh_idenl_stream st;
	char full[640];
	int found, ret;

	found = tsmd_conn_stream(v, &st);
	if (found == 1 && tsmh_idenl_secure(&st) && !(st.flags & TSMH_IDE_S_F_RESET) && !c->rekey) {
		/* connected before (this tsmd, or one before it): the kernel kept the stream */
		c->have_stream = 1;
		c->stream_id = st.id;
		tsmd_scopy(c->rp, sizeof(c->rp), st.rp);
		if (!c->connected)
			set_state(v, c->pid ? "up" : "stream");
		snprintf(full, sizeof(full), "IDE stream %u SECURE; %s", st.id, text);
		tsmd_dev_release(v, reason, digest, dlen, action, full);
		return;
	}
	if (found < 0 && found != -ENODEV)
		tsmd_log(LOG_WARNING, v->name, "connect", "ide-get: %s; connecting",
			 v->d->nl.err[0] ? v->d->nl.err : strerror(-found));
	c->pend_release = 1;
	c->pend_reason = reason;
	c->pend_dlen = digest && dlen <= sizeof(c->pend_digest) ? dlen : 0;
	if (c->pend_dlen)
		memcpy(c->pend_digest, digest, c->pend_dlen);
	tsmd_scopy(c->pend_action, sizeof(c->pend_action), action);
	tsmd_scopy(c->pend_text, sizeof(c->pend_text), text);
	if (c->op == CONN_OP_CONNECT)
		return; /* its answer releases */
	if (c->rekey) {
		c->rekey_tried = 1; /* a loss from now on is a new one (conn_lost) */
		c->rekeys++;
	}
	set_state(v, "connecting");
	tsmd_set_verdict(v, "connect", "%s; connecting with IDE%s", text,
			 found == 1 ? " (its stream is insecure: new stream, new keys)" : "");
	tsmd_log(LOG_INFO, v->name, "connect", "%s", v->verdict);
	tsmd_bus_changed(v->d, v);
	/* a fresh keeper: a session from before a reset is dead anyway */
	if (c->op != CONN_OP_NONE || c->pid)
		tsmd_conn_stop(v, "new connect");
	ret = send_op(v, CONN_OP_CONNECT);
	if (ret) {
		struct conn_rsp r = { .op = CONN_OP_CONNECT, .status = ret };

		snprintf(r.err, sizeof(r.err), "%s: session keeper: cannot start it: %s", v->name,
			 strerror(-ret));
		c->op = CONN_OP_CONNECT;
		conn_done(v, &r);
	}
}

/*
 * Count one re-key of @v in the window: 1 if allowed, 0 if over REKEY_MAX
 * (the device is held instead).
 */
static int rekey_count(struct tsmd_dev *v, const char *what)
{
	struct tsmd_conn *c = &v->conn;
	uint64_t now = tsmd_now_us();
	char msg[256];

	if (now - c->rekey_window_us > (uint64_t)REKEY_WINDOW_S * 1000000u) {
		c->rekey_window_us = now;
		c->rekeys_in_window = 0;
	}
	if (++c->rekeys_in_window <= REKEY_MAX)
		return 1;
	snprintf(msg, sizeof(msg),
		 "IDE stream went insecure %u times in %d s (last: %s): not re-keyed again",
		 c->rekeys_in_window, REKEY_WINDOW_S, what);
	c->pend_release = 0;
	tsmd_dev_hold(v, tsmd_vcode_name(TSMD_V_HOLD_IDE_FAILED), msg);
	return 0;
}

/*
 * The stream of @v is lost (reset, insecure): the session is dead with it.
 * Re-key on the next decision; at most REKEY_MAX per window. 1 if the
 * caller should ask for an attestation, 0 if held instead.
 */
static int conn_lost(struct tsmd_dev *v, const char *what)
{
	struct tsmd_conn *c = &v->conn;

	if (c->rekey) {
		if (!c->rekey_tried)
			return 0; /* the same loss (a reset and its insecure event) */
		/* lost again while being re-keyed: counted, no reset/re-key loop */
		c->rekey_tried = 0;
		tsmd_log(LOG_WARNING, v->name, "connect",
			 "IDE stream lost again during its re-key: %s", what);
		return rekey_count(v, what);
	}
	tsmd_log(LOG_WARNING, v->name, "connect",
		 "IDE stream %u lost: %s; re-attesting and re-keying", c->stream_id, what);
	tsmd_conn_stop(v, what);
	c->rekey = 1;
	c->connected = 0;
	set_state(v, "lost");
	c->rekey_tried = 0;
	return rekey_count(v, what);
}

void tsmd_conn_reset(struct tsmd *d, const char *name)
{
	struct tsmd_dev *v;
	char what[96];

	for (v = d->devs; v; v = v->next) {
		int self = !strcmp(v->name, name);

		if (!(v->conn.connected || v->conn.pid || v->conn.op != CONN_OP_NONE))
			continue;
		if (!self && !(v->conn.have_stream && !strcmp(v->conn.rp, name)))
			continue;
		snprintf(what, sizeof(what), "%s reset", self ? "device" : name);
		/* the endpoint's own reset event asks for the attestation (device.c) */
		if (conn_lost(v, what) && !self)
			tsmd_dev_request(v, "its root port was reset");
	}
}

/* Stream @id (-1: unnamed) of @v went insecure (@when): lost, re-keyed. */
static void ide_insecure(struct tsmd_dev *v, int64_t id, const char *when)
{
	char what[128];

	if (v->conn.have_stream && id >= 0 && (uint32_t)id != v->conn.stream_id)
		return; /* not the stream we rely on */
	if (v->info.gate_state != TSMH_GATE_RELEASED && !v->conn.connected)
		return; /* nothing released on it */
	snprintf(what, sizeof(what), "stream %u reported insecure%s", id >= 0 ? (uint32_t)id : 0,
		 when);
	if (conn_lost(v, what))
		tsmd_dev_request(v, "its IDE stream went insecure");
	tsmd_pump(v->d);
}

/*
 * The insecure event that came during @op (not a connect's): unless the
 * stream reads SECURE again now (the kernel's word: a control write keeps
 * it insecure until the next enable), the stream is lost.
 */
static void ide_pend_check(struct tsmd_dev *v, enum tsmd_conn_op op)
{
	struct tsmd_conn *c = &v->conn;
	struct tsmh_idenl_stream cur;
	char when[64];

	c->ide_pend = 0;
	if (tsmd_conn_stream(v, &cur) == 1 && tsmh_idenl_secure(&cur) &&
	    (c->ide_pend_id < 0 || cur.id == (uint32_t)c->ide_pend_id)) {
		tsmd_log(LOG_DEBUG, v->name, "connect",
			 "stream %u insecure during %s: reads SECURE again after it", cur.id,
			 tsmd_conn_op_name(op));
		return;
	}
	snprintf(when, sizeof(when), " during %s", tsmd_conn_op_name(op));
	ide_insecure(v, c->ide_pend_id, when);
}

void tsmd_conn_ide_event(struct tsmd *d, const char *dev, uint32_t event,
			 const struct tsmh_idenl_stream *st)
{
	const char *ep = st && st->ep[0] ? st->ep : dev;
	struct tsmd_dev *v = tsmd_dev_get(d, ep, 0);
	struct tsmh_idenl_stream cur;
	char what[96];

	if (!v)
		return;
	if (event == TSMH_IDE_EVT_DELETED) {
		/*
		 * The stream tsmd relies on, deleted while tsmd did nothing to it
		 * (its own deletes forget the stream first): as lost.
		 */
		if (v->conn.op != CONN_OP_NONE || !v->conn.have_stream || !st ||
		    st->id != v->conn.stream_id)
			return;
		if (v->info.gate_state != TSMH_GATE_RELEASED && !v->conn.connected)
			return;
		/*
		 * Events come late: a connect of tsmd's deletes the old stream and
		 * may get the same ID back. A stream there under that ID is the
		 * new one: the deleted one was older.
		 */
		if (tsmd_conn_stream(v, &cur) == 1 && cur.id == st->id)
			return;
		snprintf(what, sizeof(what), "stream %u deleted (not by tsmd)", st->id);
		if (conn_lost(v, what))
			tsmd_dev_request(v, "its IDE stream was deleted");
		tsmd_pump(d);
		return;
	}
	if (event != TSMH_IDE_EVT_INSECURE)
		return; /* new, keyed, enabled: ours or an admin's, nothing to do */
	if (v->conn.op == CONN_OP_CONNECT || v->conn.op == CONN_OP_DISCONNECT) {
		/* a new stream (connect checks it reads SECURE) or none */
		tsmd_log(LOG_DEBUG, v->name, "connect",
			 "stream %u insecure during %s: its result decides", st ? st->id : 0,
			 tsmd_conn_op_name(v->conn.op));
		return;
	}
	if (v->conn.op != CONN_OP_NONE) {
		/*
		 * a HEARTBEAT, refresh, resume or TDI op does not re-key: the
		 * event is looked at again when it ends (ide_pend_check()), not
		 * dropped (a control write during a HEARTBEAT left a released
		 * device on an insecure stream)
		 */
		v->conn.ide_pend = 1;
		v->conn.ide_pend_id = st ? (int64_t)st->id : -1;
		tsmd_log(LOG_DEBUG, v->name, "connect",
			 "stream %u insecure during %s: looked at when it ends", st ? st->id : 0,
			 tsmd_conn_op_name(v->conn.op));
		return;
	}
	ide_insecure(v, st ? (int64_t)st->id : -1, "");
}

/* A tsm request refused before anything was done: logged, answered. */
static void tsm_refuse(struct tsmd *d, const char *dev, uint64_t cookie, int status,
		       const char *msg)
{
	int ret = tsmd_kernel_tsm_done(d, dev, cookie, status, msg);

	tsmd_log(status == -EBUSY ? LOG_WARNING : LOG_ERR, dev, "tsm", "%s%s%s", msg,
		 ret ? "; the kernel did not take the answer: " : "",
		 ret ? (d->nl.err[0] ? d->nl.err : strerror(-ret)) : "");
}

/* A request of the keeper, a tsm request, a D-Bus call in flight: busy. */
static int dsm_busy(const struct tsmd_dev *v)
{
	const struct tsmd_conn *c = &v->conn;

	return v->phase != PH_IDLE || c->op == CONN_OP_CONNECT || c->bus_call || c->tsm_pending ||
	       tdi_op_busy(c);
}

/*
 * A bind's default stream: the connection's stream, which must read
 * SECURE when there is one or the policy requires IDE (design.md "TDISP
 * in tsmd"). 0 with *@sid (-1: none), or -ENOLINK with @msg.
 */
static int bind_stream(struct tsmd_dev *v, const char *tdi, int32_t *sid, char *msg, size_t len)
{
	struct tsmh_idenl_stream st;
	int found = tsmd_conn_stream(v, &st);

	*sid = -1;
	if (found == 1 && tsmh_idenl_secure(&st)) {
		*sid = (int32_t)st.id;
		return 0;
	}
	if (found == 1) {
		snprintf(msg, len,
			 "%s: tsm/bind: IDE stream %u of %s not SECURE (flags %#x, states %u/%u): "
			 "no lock for a TVM",
			 tdi, st.id, v->name, st.flags, st.rp_state, st.ep_state);
		return -ENOLINK;
	}
	if (v->conn.have_stream || tsmd_dev_needs_ide(v)) {
		snprintf(msg, len,
			 "%s: tsm/bind: its DSM %s has no IDE stream (%s): not locked "
			 "for a TVM without it",
			 tdi, v->name,
			 v->conn.have_stream ? "its stream is gone" : "its policy requires IDE");
		return -ENOLINK;
	}
	return 0;
}

/*
 * bind, unbind, guest-req of TDI @tdi: its DSM's keeper does them in its
 * session, as TdiLock, TdiStop, TdiStart do (design.md "7.2: bind,
 * unbind, guest requests"): bind = LOCK (no flags; the connection's
 * stream as the default stream, refused when it does not read SECURE,
 * with the bind's cookie: the kernel's leave for the VFIO driver) +
 * REPORT, the START nonce kept in the keeper; unbind = STOP (the nonce
 * wiped), queued while the DSM is busy; guest-req START = START with that
 * nonce and the request's cookie (tsm-cookie: the kernel's leave for a
 * START in CoCo mode). Answered with tsm-done when the keeper is done;
 * the kernel checks the TDI itself. tsmd does not touch the gate.
 */
static void tsm_tdi_req(struct tsmd *d, const char *tdi, uint32_t op, int64_t tdi_op,
			uint64_t cookie)
{
	const char *name = tsm_op_str(op);
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *t;
	enum tsmd_conn_op cop;
	uint32_t state = 0;
	struct tsmd_dev *v;
	struct tsmd_conn *c;
	char dsm[32] = "", msg[256];
	int32_t sid = -1;
	int ret;

	if (op == TSMH_TSM_OP_GUEST_REQ && tdi_op != TSMH_TDI_OP_START) {
		snprintf(msg, sizeof(msg), "%s: tsm/guest-req: tdi-op %lld: tsmd does only START",
			 tdi, (long long)tdi_op);
		tsm_refuse(d, tdi, cookie, -EOPNOTSUPP, msg);
		return;
	}
	ret = tsmh_tdi_get(&d->nl, tdi, &l);
	t = ret ? NULL : tsmh_tdinl_find(&l, tdi);
	if (t) {
		tsmd_scopy(dsm, sizeof(dsm), t->dsm[0] ? t->dsm : t->dev);
		state = t->state;
	} else {
		snprintf(msg, sizeof(msg), "%s: tsm/%s: tdi-get: %.200s", tdi, name,
			 ret && d->nl.err[0] ? d->nl.err : "not a TDI the kernel tracks");
	}
	tsmh_tdinl_list_free(&l);
	if (!t) {
		tsm_refuse(d, tdi, cookie, ret ? ret : -ENXIO, msg);
		return;
	}
	if (op == TSMH_TSM_OP_UNBIND && state == TSMH_TDI_STATE_CONFIG_UNLOCKED) {
		/* nothing locked (a reset, a failed bind): nothing to stop, busy or not */
		snprintf(msg, sizeof(msg), "%s is CONFIG_UNLOCKED: nothing to stop", tdi);
		ret = tsmd_kernel_tsm_done(d, tdi, cookie, 0, msg);
		tsmd_log(LOG_INFO, tdi, "tsm", "tsm/unbind answered 0 (%s)%s", msg,
			 ret ? "; the kernel did not take the answer" : "");
		return;
	}
	v = tsmd_dev_get(d, dsm, 0);
	if (!v || !(v->info.flags & TSMH_DEV_F_DISCOVERED)) {
		snprintf(msg, sizeof(msg), "%s: tsm/%s: tsmd does not know its DSM %s (yet)", tdi,
			 name, dsm);
		tsm_refuse(d, tdi, cookie, -ENODEV, msg);
		return;
	}
	c = &v->conn;
	if (op == TSMH_TSM_OP_UNBIND && (dsm_busy(v) || c->unbind_pend)) {
		/*
		 * the kernel does not ask again and its TVM is gone: the STOP
		 * waits for the DSM (unbind_kick()), within the kernel's wait;
		 * one at a time per DSM
		 */
		if (c->unbind_pend) {
			snprintf(
				msg, sizeof(msg),
				"%s: tsm/unbind: its DSM %s is busy and has an unbind of %s queued; "
				"try again",
				tdi, dsm, c->unbind_tdi);
			tsm_refuse(d, tdi, cookie, -EBUSY, msg);
			return;
		}
		c->unbind_pend = 1;
		c->unbind_cookie = cookie;
		tsmd_scopy(c->unbind_tdi, sizeof(c->unbind_tdi), tdi);
		tsmd_log(LOG_INFO, tdi, name, "tsm/unbind: its DSM %s is busy (%s): STOP queued",
			 dsm,
			 v->phase != PH_IDLE ? "attestation in progress" : "a request in progress");
		return;
	}
	if (dsm_busy(v) || c->unbind_pend) {
		snprintf(msg, sizeof(msg), "%s: tsm/%s: its DSM %s is busy (%s); try again", tdi,
			 name, dsm,
			 v->phase != PH_IDLE	    ? "attestation in progress"
			 : c->op == CONN_OP_CONNECT ? "connect in progress"
			 : c->unbind_pend	    ? "an unbind is queued"
						    : "another request in progress");
		tsm_refuse(d, tdi, cookie, -EBUSY, msg);
		return;
	}
	if (op != TSMH_TSM_OP_UNBIND && !c->pid) {
		/* the keeper holds the session a LOCK and its nonce live in */
		snprintf(msg, sizeof(msg),
			 "%s: tsm/%s: tsmd holds no SPDM session with its DSM %s (connect "
			 "it through tsmd first)",
			 tdi, name, dsm);
		tsm_refuse(d, tdi, cookie, -ENOTCONN, msg);
		return;
	}
	if (op == TSMH_TSM_OP_BIND && bind_stream(v, tdi, &sid, msg, sizeof(msg))) {
		tsm_refuse(d, tdi, cookie, -ENOLINK, msg);
		return;
	}
	cop = op == TSMH_TSM_OP_BIND	 ? CONN_OP_TDI_LOCK
	      : op == TSMH_TSM_OP_UNBIND ? CONN_OP_TDI_STOP
					 : CONN_OP_TDI_START;
	tsmd_scopy(c->tdi, sizeof(c->tdi), tdi);
	c->tdi_lock_flags = 0;
	c->tdi_stream = sid;
	c->tdi_mmio_offset = 0;
	/* LOCK and START carry the request's cookie: the kernel ties them to it */
	c->tdi_cookie = op != TSMH_TSM_OP_UNBIND ? cookie : 0;
	c->tsm_pending = 1;
	c->tsm_cookie = cookie;
	c->tsm_op = op;
	c->tsm_cop = cop;
	tsmd_scopy(c->tsm_dev, sizeof(c->tsm_dev), tdi);
	ret = send_op(v, cop);
	if (ret) {
		snprintf(msg, sizeof(msg), "%s: tsm/%s: session keeper of %s: cannot start it: %s",
			 tdi, name, dsm, strerror(-ret));
		ext_answer(v, CONN_OP_NONE, ret, msg);
		c->tdi_cookie = 0;
		return;
	}
	tsmd_log(LOG_INFO, tdi, name, "tsm/%s: %s in the session with %s%s", name,
		 tsmd_conn_op_name(cop), dsm, sid >= 0 ? ", IDE stream required" : "");
}

/* A queued unbind of @v's TDI: sent (or answered) once @v is idle. */
static void unbind_kick(struct tsmd_dev *v)
{
	struct tsmd_conn *c = &v->conn;
	char tdi[32];

	if (!c->unbind_pend || c->in_stop || dsm_busy(v) || v->d->stopping)
		return;
	c->unbind_pend = 0;
	tsmd_scopy(tdi, sizeof(tdi), c->unbind_tdi);
	tsmd_log(LOG_INFO, tdi, "unbind", "tsm/unbind: its DSM %s is idle: the queued STOP goes",
		 v->name);
	/* the TDI's state again (a reset may have unlocked it meanwhile) */
	tsm_tdi_req(v->d, tdi, TSMH_TSM_OP_UNBIND, 0, c->unbind_cookie);
}

void tsmd_conn_idle(struct tsmd_dev *v)
{
	unbind_kick(v);
}

void tsmd_conn_tsm_req(struct tsmd *d, const char *dev, uint32_t op, int64_t tdi_op,
		       uint64_t cookie)
{
	struct tsmd_dev *v;
	char msg[160];
	int ret;

	tsmd_log(LOG_INFO, dev, "tsm", "tsm/%s requested (cookie %llu)", tsm_op_str(op),
		 (unsigned long long)cookie);
	if (op == TSMH_TSM_OP_BIND || op == TSMH_TSM_OP_UNBIND || op == TSMH_TSM_OP_GUEST_REQ) {
		tsm_tdi_req(d, dev, op, tdi_op, cookie);
		return;
	}
	v = tsmd_dev_get(d, dev, 0);
	if (!v || !(v->info.flags & TSMH_DEV_F_DISCOVERED)) {
		snprintf(msg, sizeof(msg), "%s: tsmd does not know the device (yet)", dev);
		tsmd_kernel_tsm_done(d, dev, cookie, -ENODEV, msg);
		return;
	}
	if (op != TSMH_TSM_OP_CONNECT && op != TSMH_TSM_OP_DISCONNECT) {
		snprintf(msg, sizeof(msg), "%s: tsm operation %u unknown to tsmd", dev, op);
		tsmd_kernel_tsm_done(d, dev, cookie, -EOPNOTSUPP, msg);
		return;
	}
	if (v->conn.tsm_pending || v->conn.bus_call || v->phase != PH_IDLE ||
	    v->conn.op == CONN_OP_CONNECT) {
		snprintf(msg, sizeof(msg), "%s: busy (%s); try again", dev,
			 v->conn.tsm_pending   ? "another tsm request"
			 : v->conn.bus_call    ? "a D-Bus request"
			 : v->phase != PH_IDLE ? "attestation in progress"
					       : "connect in progress");
		tsmd_kernel_tsm_done(d, dev, cookie, -EBUSY, msg);
		return;
	}
	v->conn.tsm_pending = 1;
	v->conn.tsm_cookie = cookie;
	v->conn.tsm_op = op;
	v->conn.tsm_cop = op == TSMH_TSM_OP_CONNECT ? CONN_OP_CONNECT : CONN_OP_DISCONNECT;
	tsmd_scopy(v->conn.tsm_dev, sizeof(v->conn.tsm_dev), dev);
	if (op == TSMH_TSM_OP_CONNECT) {
		struct tsmh_idenl_stream st;

		if (tsmd_conn_stream(v, &st) == 1 && tsmh_idenl_secure(&st)) {
			snprintf(msg, sizeof(msg), "already connected: IDE stream %u SECURE",
				 st.id);
			ext_answer(v, CONN_OP_CONNECT, 0, msg);
			return;
		}
		set_state(v, "connecting");
		if (v->conn.pid)
			tsmd_conn_stop(v, "new connect");
		ret = send_op(v, CONN_OP_CONNECT);
	} else {
		ret = send_op(v, CONN_OP_DISCONNECT);
	}
	if (ret) {
		snprintf(msg, sizeof(msg), "%s: session keeper: cannot start it: %s", dev,
			 strerror(-ret));
		ext_answer(v, CONN_OP_NONE, ret, msg);
	}
}

int tsmd_conn_bus(struct tsmd_dev *v, enum tsmd_conn_op op, sd_bus_message *m, char *why,
		  size_t whylen)
{
	struct tsmh_idenl_stream st;
	int ret;

	if (op != CONN_OP_CONNECT && op != CONN_OP_REFRESH && op != CONN_OP_DISCONNECT) {
		snprintf(why, whylen, "%s: %s cannot be asked for", v->name, tsmd_conn_op_name(op));
		return -EINVAL;
	}
	if (v->phase != PH_IDLE || v->conn.op == CONN_OP_CONNECT || v->conn.bus_call ||
	    v->conn.tsm_pending) {
		snprintf(why, whylen, "%s: busy (%s); try again", v->name,
			 v->phase != PH_IDLE		 ? "attestation in progress"
			 : v->conn.op == CONN_OP_CONNECT ? "connect in progress"
							 : "another request in progress");
		return -EBUSY;
	}
	if (op == CONN_OP_CONNECT) {
		if (tsmd_conn_stream(v, &st) == 1 && tsmh_idenl_secure(&st)) {
			snprintf(why, whylen, "%s: already connected: IDE stream %u SECURE",
				 v->name, st.id);
			return 1;
		}
		set_state(v, "connecting");
		if (v->conn.pid)
			tsmd_conn_stop(v, "new connect");
	}
	ret = send_op(v, op);
	if (ret) {
		snprintf(why, whylen, "%s: session keeper: cannot start it: %s", v->name,
			 strerror(-ret));
		return ret;
	}
	v->conn.bus_call = sd_bus_message_ref(m);
	v->conn.bus_op = op;
	tsmd_log(LOG_INFO, v->name, tsmd_conn_op_name(op), "%s asked over D-Bus",
		 tsmd_conn_op_name(op));
	return 0;
}

int tsmd_conn_tdi_bus(struct tsmd_dev *v, enum tsmd_conn_op op, const char *tdi,
		      uint32_t lock_flags, int32_t stream, uint64_t mmio_offset, sd_bus_message *m,
		      char *why, size_t whylen)
{
	struct tsmd_conn *c = &v->conn;
	struct tsmh_idenl_stream st;
	int ret;

	if (!is_tdi_op(op)) {
		snprintf(why, whylen, "%s: %s cannot be asked for", tdi, tsmd_conn_op_name(op));
		return -EINVAL;
	}
	if (v->phase != PH_IDLE || c->op == CONN_OP_CONNECT || c->bus_call || c->tsm_pending ||
	    tdi_op_busy(c)) {
		snprintf(why, whylen, "%s: its DSM %s is busy (%s); try again", tdi, v->name,
			 v->phase != PH_IDLE	    ? "attestation in progress"
			 : c->op == CONN_OP_CONNECT ? "connect in progress"
						    : "another request in progress");
		return -EBUSY;
	}
	if (op == CONN_OP_TDI_START && !c->pid) {
		snprintf(why, whylen,
			 "%s: START_INTERFACE: tsmd holds no session with %s, so no LOCK nonce "
			 "(a lock ends with its session): lock it through tsmd first",
			 tdi, v->name);
		return -ENOKEY;
	}
	if (stream == -2)
		/* the connection's stream, when it has one that reads SECURE */
		stream = tsmd_conn_stream(v, &st) == 1 && tsmh_idenl_secure(&st) ? (int32_t)st.id
										 : -1;
	tsmd_scopy(c->tdi, sizeof(c->tdi), tdi);
	c->tdi_lock_flags = lock_flags;
	c->tdi_stream = stream;
	c->tdi_mmio_offset = mmio_offset;
	c->tdi_cookie = 0;
	ret = send_op(v, op);
	if (ret) {
		snprintf(why, whylen, "%s: session keeper of %s: cannot start it: %s", tdi, v->name,
			 strerror(-ret));
		return ret;
	}
	c->bus_call = sd_bus_message_ref(m);
	c->bus_op = op;
	tsmd_log(LOG_INFO, tdi, tsmd_conn_op_name(op), "asked over D-Bus (DSM %s%s)", v->name,
		 op == CONN_OP_TDI_LOCK && stream >= 0 ? ", IDE stream required" : "");
	return 0;
}
