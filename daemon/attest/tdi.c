// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * TDISP flows through the kernel's TDI state machine (tdi.h): the device's
 * side over TDISP in the DSM's SPDM session (verify/tdisp_req.h), the
 * kernel's through tdi-begin / tdi-end (common/tdi_nl.h).
 *
 * What goes to tdi-end is what happened, never a guess: the status of the
 * exchange, the TDISP_ERROR code only when the device answered one, the
 * device's state only when GET_DEVICE_INTERFACE_STATE answered it. The
 * kernel turns anything it cannot trust into ERROR (fail closed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "spdm.h"
#include "tdi.h"

_Static_assert(TSMH_TDISP_NONCE_LEN == TSMH_TDI_NONCE_LEN, "one nonce length");
_Static_assert(TSMH_TDISP_LOCK_FLAGS_10 == 0x1f && TSMH_TDI_LOCK_F_ALL_REQUEST_REDIRECT == 0x10,
	       "the kernel's lock flags are the LOCK request's, bit for bit");

void tsmh_tdi_init(struct tsmh_tdi *td, struct spdm_transport *t, struct tsmh_nl *nl,
		   const struct tsmh_tdi_opts *o, const struct tsmh_tdinl_tdi *k)
{
	struct tsmh_connect_opts co = { .dev = k->dsm[0] ? k->dsm : o->dev,
					.attest = o->attest,
					.ide = TSMH_CONN_IDE_NONE,
					/* the evidence was committed when the DSM was attested */
					.no_store = 1 };

	tsmh_tdi_attach(td, &td->c, o, k);
	tsmh_conn_init(&td->c, t, nl, &co);
	td->nl = nl;
}

void tsmh_tdi_attach(struct tsmh_tdi *td, struct tsmh_conn *c, const struct tsmh_tdi_opts *o,
		     const struct tsmh_tdinl_tdi *k)
{
	memset(td, 0, sizeof(*td));
	td->cx = c;
	td->nl = c->nl;
	td->o = *o;
	snprintf(td->dev, sizeof(td->dev), "%s", o->dev);
	td->o.dev = td->dev;
	td->fid = k->interface_id;
	td->k = *k;
	td->have_k = 1;
	td->dev_state = -1;
}

void tsmh_tdi_free(struct tsmh_tdi *td)
{
	OPENSSL_cleanse(td->nonce, sizeof(td->nonce));
	td->have_nonce = 0;
	free(td->report);
	td->report = NULL;
	td->have_report = 0;
	if (td->cx == &td->c)
		tsmh_conn_free(&td->c);
}

static const char *const op_msg[] = { "LOCK_INTERFACE", "GET_DEVICE_INTERFACE_REPORT",
				      "START_INTERFACE", "STOP_INTERFACE",
				      "GET_DEVICE_INTERFACE_STATE" };

/* ---- the device's side ---- */

/* GET_DEVICE_INTERFACE_STATE into td->dev_state */
static int dev_state(struct tsmh_tdi *td, struct tsmh_conn_result *r, int fatal)
{
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_GET_STATE, .function_id = td->fid }, a;
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "GET_DEVICE_INTERFACE_STATE");
	uint8_t rsp[256];
	int ret;

	td->dev_state = -1;
	ret = tsmh_tdisp_xfer(td->cx->t, &td->cx->ss, st->name, &m, &a, rsp, sizeof(rsp), st->why,
			      sizeof(st->why));
	if (!ret) {
		td->dev_state = a.tdi_state;
		snprintf(st->name, sizeof(st->name), "GET_DEVICE_INTERFACE_STATE: %s",
			 tsmh_tdi_state_name(a.tdi_state));
	}
	return tsmh_conn_step_end(r, st, ret, fatal);
}

/*
 * The exchange of @op (STATE: none, the state query is the exchange).
 * *@tdisp_err: the device's TDISP_ERROR code, -1 if it answered none.
 */
static int exchange(struct tsmh_tdi *td, struct tsmh_conn_step *st, uint32_t op, int64_t *tdisp_err)
{
	struct tsmh_tdisp_msg m = { .function_id = td->fid }, a = { 0 };
	uint8_t rsp[512];
	int ret, derr;

	*tdisp_err = -1;
	switch (op) {
	case TSMH_TDI_OP_REPORT:
		if (!td->report) {
			td->report = malloc(TSMH_TDISP_REPORT_MAX);
			if (!td->report)
				return spdm_why(st->why, sizeof(st->why), -ENOMEM, "out of memory");
		}
		td->have_report = 0;
		ret = tsmh_tdisp_get_report(td->cx->t, &td->cx->ss, td->fid, td->report,
					    TSMH_TDISP_REPORT_MAX, &td->report_len, &td->portions,
					    &td->rep, st->why, sizeof(st->why));
		td->have_report = !ret;
		return ret;
	case TSMH_TDI_OP_LOCK:
		m.code = TSMH_TDISP_LOCK;
		m.lock_flags = (uint16_t)td->o.lock_flags;
		m.default_stream_id = td->o.stream_id < 0 ? 0 : (uint8_t)td->o.stream_id;
		m.mmio_reporting_offset = td->o.mmio_offset;
		break;
	case TSMH_TDI_OP_START:
		m.code = TSMH_TDISP_START;
		m.nonce = td->nonce;
		break;
	case TSMH_TDI_OP_STOP: m.code = TSMH_TDISP_STOP; break;
	default: return 0;
	}
	ret = tsmh_tdisp_xfer(td->cx->t, &td->cx->ss, st->name, &m, &a, rsp, sizeof(rsp), st->why,
			      sizeof(st->why));
	/* a well-formed TDISP_ERROR of this interface (not one that failed the checks) */
	derr = ret == -EREMOTEIO && a.code == TSMH_TDISP_ERROR;
	if (derr)
		*tdisp_err = a.error_code;
	if (!ret && op == TSMH_TDI_OP_LOCK) {
		memcpy(td->nonce, a.nonce, sizeof(td->nonce));
		td->have_nonce = 1;
		td->locked_here = 1;
	} else if (ret && op == TSMH_TDI_OP_LOCK && !derr) {
		/*
		 * No answer, or one that does not decode: the device may have
		 * locked the TDI. Undo with STOP as if it had (STOP is legal in
		 * every state), so it is not left CONFIG_LOCKED until the
		 * session ends.
		 */
		td->locked_here = 1;
	}
	if (op == TSMH_TDI_OP_START) {
		/* single use, whatever the answer */
		OPENSSL_cleanse(td->nonce, sizeof(td->nonce));
		td->have_nonce = 0;
	}
	OPENSSL_cleanse(rsp, sizeof(rsp));
	return ret;
}

/* ---- one operation bracketed by the kernel ---- */

/* the kernel's reason, else strerror */
static void nl_why(struct tsmh_tdi *td, struct tsmh_conn_step *st, int ret)
{
	snprintf(st->why, sizeof(st->why), "%s", td->nl->err[0] ? td->nl->err : strerror(-ret));
}

/*
 * A refused tdi-end: the kernel's record of why (the TDI's msg, which
 * names both states of a mismatch or the range of an invalid report)
 * added to the step's reason when the extack did not say it.
 */
static void kernel_msg(struct tsmh_tdi *td, struct tsmh_conn_step *st)
{
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *k;
	char err[sizeof(td->nl->err)];
	size_t n;

	memcpy(err, td->nl->err, sizeof(err));
	if (!tsmh_tdi_get(td->nl, td->dev, &l) && (k = tsmh_tdinl_find(&l, td->dev))) {
		td->k = *k;
		n = strlen(st->why);
		if (k->msg[0] && !strstr(st->why, k->msg) && n < sizeof(st->why))
			snprintf(st->why + n, sizeof(st->why) - n, " (kernel: %s, %s)",
				 tsmh_tdinl_state_name(k->state), k->msg);
	}
	tsmh_tdinl_list_free(&l);
	memcpy(td->nl->err, err, sizeof(err));
}

/*
 * tdi-begin @op, the exchange, GET_DEVICE_INTERFACE_STATE, tdi-end with
 * what happened. *@refused: the kernel refused the begin (nothing sent).
 * The steps are @fatal or recorded only (an unwind).
 */
static int do_op(struct tsmh_tdi *td, struct tsmh_conn_result *r, uint32_t op, int fatal,
		 int *refused)
{
	struct tsmh_tdinl_begin b = { .op = op, .stream_id = -1 };
	struct tsmh_tdinl_end e = { .error_code = -1, .dev_state = -1 };
	struct tsmh_conn_step *st;
	int ret, xret = 0, sret = 0;
	int64_t terr = -1;
	char msg[200] = "";

	if (refused)
		*refused = 0;
	td->dev_state = -1; /* only what the device answers in this operation goes to tdi-end */
	if (op == TSMH_TDI_OP_LOCK) {
		b.lock_flags = td->o.lock_flags;
		b.stream_id = td->o.stream_id;
		b.mmio_offset = td->o.mmio_offset;
		b.tsm_cookie = td->o.tsm_cookie;
	}
	if (op == TSMH_TDI_OP_START) {
		b.nonce = td->nonce;
		b.tsm_cookie = td->tsm_cookie;
	}
	st = tsmh_conn_step_begin(r, "tdi-begin %s", tsmh_tdinl_op_name(op));
	td->nl->err[0] = 0;
	ret = tsmh_tdi_begin(td->nl, td->dev, &b, &e.ticket, &td->k);
	if (ret) {
		if (refused)
			*refused = 1;
		/*
		 * a START the kernel refused was not sent: the device never saw
		 * the nonce, the lock stands and its nonce stays (single use is
		 * about what reaches the device)
		 */
		nl_why(td, st, ret);
		return tsmh_conn_step_end(r, st, ret, fatal);
	}
	tsmh_conn_step_end(r, st, 0, fatal);

	if (op != TSMH_TDI_OP_STATE) {
		st = tsmh_conn_step_begin(r, "%s", op_msg[op]);
		xret = exchange(td, st, op, &terr);
		if (!xret && op == TSMH_TDI_OP_REPORT)
			snprintf(st->name, sizeof(st->name),
				 "GET_DEVICE_INTERFACE_REPORT: %u bytes, %u ranges", td->report_len,
				 td->rep.nr_ranges);
		if (xret)
			snprintf(msg, sizeof(msg), "%.199s", st->why);
		tsmh_conn_step_end(r, st, xret, fatal);
	}
	/* the device's state: after a TDISP_ERROR too, so the kernel can keep its own */
	if (!xret || terr >= 0) {
		sret = dev_state(td, r, fatal && !xret);
		if (sret && !xret)
			snprintf(msg, sizeof(msg), "%s state unknown: %.150s", op_msg[op],
				 r->step[r->n ? r->n - 1 : 0].why);
	}
	e.status = xret ? xret : sret;
	e.error_code = terr;
	e.dev_state = td->dev_state;
	e.msg = msg;
	if (!e.status && op == TSMH_TDI_OP_LOCK)
		e.nonce = td->nonce;
	if (!e.status && op == TSMH_TDI_OP_REPORT) {
		e.report = td->report;
		e.report_len = td->report_len;
	}
	st = tsmh_conn_step_begin(r, "tdi-end %s", tsmh_tdinl_op_name(op));
	td->nl->err[0] = 0;
	ret = tsmh_tdi_end(td->nl, td->dev, &e, &td->k);
	if (ret) {
		nl_why(td, st, ret);
		kernel_msg(td, st);
	}
	/* a failed exchange is the failure; the kernel's refusal of its outcome follows */
	tsmh_conn_step_end(r, st, ret, fatal && !e.status);
	if (op == TSMH_TDI_OP_REPORT)
		td->report_ok = !ret && !e.status;
	if (op == TSMH_TDI_OP_START)
		td->started = !ret && !e.status;
	return e.status ? e.status : ret;
}

/* STOP after a failure: recorded, not the result (the failure is) */
static void undo(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	if (td->cx->ss.s.state != SPDM_SESS_ESTABLISHED)
		return;
	td->stopped = 1;
	td->stop_ok = !do_op(td, r, TSMH_TDI_OP_STOP, 0, NULL);
	r->unwound = td->stop_ok;
}

/* VERSION 1.0 offered, the LOCK flags supported */
static int version_caps(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_GET_VERSION, .function_id = td->fid }, a;
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "GET_TDISP_VERSION");
	uint8_t rsp[512];
	unsigned int i;
	int ret, has10 = 0;

	ret = tsmh_tdisp_xfer(td->cx->t, &td->cx->ss, st->name, &m, &a, rsp, sizeof(rsp), st->why,
			      sizeof(st->why));
	for (i = 0; !ret && i < a.nr_versions; i++)
		has10 |= a.versions[i] == TSMH_TDISP_VERSION_10;
	if (!ret && !has10)
		ret = spdm_why(st->why, sizeof(st->why), -EPROTO,
			       "GET_TDISP_VERSION: TDISP 1.0 not among the %u version(s) offered",
			       a.nr_versions);
	if (tsmh_conn_step_end(r, st, ret, 1))
		return ret;
	st = tsmh_conn_step_begin(r, "GET_TDISP_CAPABILITIES");
	m.code = TSMH_TDISP_GET_CAPABILITIES;
	ret = tsmh_tdisp_xfer(td->cx->t, &td->cx->ss, st->name, &m, &a, rsp, sizeof(rsp), st->why,
			      sizeof(st->why));
	if (!ret) {
		td->flags_supported = a.lock_flags_supported;
		td->have_caps = 1;
		if (td->o.lock_flags & ~(uint32_t)a.lock_flags_supported)
			ret = spdm_why(st->why, sizeof(st->why), -EOPNOTSUPP,
				       "GET_TDISP_CAPABILITIES: LOCK flags %#x asked for, the "
				       "device supports %#x",
				       td->o.lock_flags, a.lock_flags_supported);
	}
	return tsmh_conn_step_end(r, st, ret, 1);
}

int tsmh_tdi_lock(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	int ret, refused;

	ret = tsmh_conn_open(td->cx, r);
	if (ret)
		return ret;
	ret = version_caps(td, r);
	if (ret)
		return ret;
	ret = do_op(td, r, TSMH_TDI_OP_LOCK, 1, NULL);
	if (ret) {
		if (td->locked_here)
			undo(td, r);
		return ret;
	}
	ret = do_op(td, r, TSMH_TDI_OP_REPORT, 1, NULL);
	if (ret) {
		undo(td, r);
		return ret;
	}
	if (!td->o.start) {
		if (td->o.keep_nonce)
			return 0; /* for tsmh_tdi_start() in this session */
		OPENSSL_cleanse(td->nonce, sizeof(td->nonce));
		td->have_nonce = 0;
		return 0;
	}
	ret = do_op(td, r, TSMH_TDI_OP_START, 1, &refused);
	if (ret) {
		/* refused (nothing sent) or failed: the lock would end with the session anyway */
		td->start_refused = refused;
		undo(td, r);
	}
	return ret;
}

int tsmh_tdi_start(struct tsmh_tdi *td, uint64_t tsm_cookie, struct tsmh_conn_result *r)
{
	struct tsmh_conn_step *st;
	int ret, refused;

	if (!td->have_nonce || !td->cx->in_session) {
		st = tsmh_conn_step_begin(r, "START_INTERFACE");
		snprintf(st->why, sizeof(st->why),
			 "no LOCK nonce: START is sent only in the session that locked the TDI");
		return tsmh_conn_step_end(r, st, -ENOKEY, 1);
	}
	td->tsm_cookie = tsm_cookie;
	ret = do_op(td, r, TSMH_TDI_OP_START, 1, &refused);
	td->tsm_cookie = 0;
	td->start_refused = ret && refused;
	return ret;
}

int tsmh_tdi_stop(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	int ret = tsmh_conn_open(td->cx, r);

	return ret ? ret : do_op(td, r, TSMH_TDI_OP_STOP, 1, NULL);
}

int tsmh_tdi_state(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	int ret = tsmh_conn_open(td->cx, r);

	return ret ? ret : do_op(td, r, TSMH_TDI_OP_STATE, 1, NULL);
}

int tsmh_tdi_heartbeat(struct tsmh_tdi *td, struct tsmh_conn_result *r)
{
	struct tsmh_conn_step *st = tsmh_conn_step_begin(r, "HEARTBEAT");

	return tsmh_conn_step_end(r, st, tsmh_conn_heartbeat(td->cx, st->why, sizeof(st->why)), 1);
}
