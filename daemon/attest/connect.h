/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Connect, refresh and disconnect (issue 12), shared by tsmctl and tsmd.
 *
 * connect: attestation (attest.h: VCA, chains, CHALLENGE, signed
 * measurements) and its evidence committed to the kernel (attest_store.h),
 * KEY_EXCHANGE/FINISH (secsession.h), IDE_KM QUERY of port 0 with its
 * capability copy checked against the kernel's ide-get of the endpoint,
 * ide-stream-new, then for each of the six keys (PR/NPR/CPL x RX/TX) a
 * fresh random key and IFV: KEY_PROG at the endpoint and ide-key-prog at
 * the root port with the direction swapped (the root port's TX is the
 * endpoint's RX), K_SET_GO at the endpoint (six) and ide-kset GO at the
 * root port, ide-stream-enable, both ends SECURE. Any failure unwinds
 * (K_SET_STOP where GO was sent, ide-stream-del, END_SESSION) and the
 * result's err names the step and the reason (the caller adds the device,
 * as tsmctl's "tsmctl: connect DEV: ..." does). IDE "none":
 * attestation and session only.
 *
 * refresh: six new keys into the other key set at both ends, K_SET_GO
 * both for it, K_SET_STOP of the old set at both ends; the stream stays
 * SECURE (read before and after). disconnect: K_SET_STOP at the endpoint
 * (best effort: it may have been reset), ide-stream-del, END_SESSION.
 * Both need a session: without one (c->in_session 0) they authenticate
 * and open one first, with the options given to tsmh_conn_init().
 *
 * The caller owns the transport (a DOE proxy conversation holding the
 * mailbox claim, or a socket) and the netlink socket; both must stay valid
 * while the connection is used. Keys live in stack buffers wiped right
 * after the two programming calls; they are never in a result.
 */
#ifndef TSMH_ATTEST_CONNECT_H
#define TSMH_ATTEST_CONNECT_H

#include <stddef.h>
#include <stdint.h>
#include "attest.h"
#include "ide_nl.h"
#include "secsession.h"

enum tsmh_conn_ide {
	TSMH_CONN_IDE_SELECTIVE,
	TSMH_CONN_IDE_LINK,
	TSMH_CONN_IDE_NONE,
};

struct tsmh_connect_opts {
	const char *dev; /* the endpoint, "DDDD:BB:DD.F" */
	struct tsmh_attest_opts attest; /* trust, slot, cache, reattest as attest uses them */
	enum tsmh_conn_ide ide;
	uint8_t tc; /* traffic class 0-7 */
	int no_store; /* do not commit the evidence (tsmctl attest --no-store) */
	unsigned int sm_mask; /* secured-message versions offered, 0: all */
};

/* one step's result, for printing (text or -j) */
struct tsmh_conn_step {
	char name[64]; /* "KEY_PROG stream 3 set 0 RX PR", "ide-stream-enable" */
	int ret; /* 0 or -errno */
	char why[512]; /* the reason if ret */
	int kp_status; /* KEY_PROG: the KP_ACK status, -1 if none */
	int stream_id; /* IDE_KM and ide-* steps: the stream, else -1 */
	int kss; /* IDE_KM key steps: key_sub_stream (set, direction, sub), else -1 */
	int root_port; /* the step ran at the root port (kernel), not the endpoint */
};

#define TSMH_CONN_STEPS_MAX 64

/* about 40 KiB: allocate it (calloc), do not put it on a worker's stack */
struct tsmh_conn_result {
	struct tsmh_conn_step step[TSMH_CONN_STEPS_MAX];
	unsigned int n; /* steps recorded (further ones counted in dropped) */
	unsigned int dropped;
	int ret; /* 0 or the first failure's -errno */
	char err[640]; /* "STEP: reason", if ret */
	const char *failed_step; /* its step's name (in step[]), NULL if none */
	uint64_t generation; /* evidence committed, 0 if none */
	struct tsmh_idenl_stream stream; /* after the operation, if have_stream */
	int have_stream;
	int unwound; /* a failure was unwound (nothing left allocated) */
	char unwind_err[512]; /* an unwind step that failed too, "" */
	/* optional: called as each step ends (live output); may be NULL */
	void (*on_step)(const struct tsmh_conn_step *s, void *arg);
	void *arg;
};

struct tsmh_conn {
	struct spdm_transport *t;
	struct tsmh_nl *nl;
	char dev[TSMH_IDENL_NAME_LEN];
	struct tsmh_connect_opts o; /* dev points at @dev */
	struct tsmh_attest a; /* the last attestation (have_attest) */
	int have_attest;
	struct tsmh_session ss; /* the secured session (in_session) */
	int in_session;
	int have_stream; /* the kernel holds stream @stream_id for @dev */
	uint32_t stream_id, stream_type;
	uint32_t key_set; /* the set in use at both ends */
	/* endpoint keys (bit i: kss i, RX PR..CPL then TX) the last tsmh_conn_keys() programmed */
	unsigned int ep_progd;
	uint32_t heartbeat_s; /* the negotiated heartbeat period (0: none) */
	/*
	 * Test/bring-up aid (tsmctl ide km --key-file): each endpoint key is
	 * handed here right before its KEY_PROG; non-zero fails the step.
	 */
	int (*on_key)(void *arg, uint8_t stream_id, uint8_t kss, const uint8_t *key,
		      const uint8_t *ifv);
	void *key_arg;
};

/* Bind @c to a transport, a netlink socket and options; no I/O. */
void tsmh_conn_init(struct tsmh_conn *c, struct spdm_transport *t, struct tsmh_nl *nl,
		    const struct tsmh_connect_opts *o);
/* The whole connect. 0 or -errno; @r holds each step and, on failure, err. */
int tsmh_connect(struct tsmh_conn *c, struct tsmh_conn_result *r);
/*
 * Authenticate and open a session for an existing stream (the kernel's
 * ide-get finds it: have_stream, stream_id, key_set), as refresh and
 * disconnect do when the caller holds no session.
 */
int tsmh_conn_resume(struct tsmh_conn *c, struct tsmh_conn_result *r);
int tsmh_ide_refresh(struct tsmh_conn *c, struct tsmh_conn_result *r);
int tsmh_disconnect(struct tsmh_conn *c, struct tsmh_conn_result *r);
/* HEARTBEAT in the session: 0 or -errno with @why (-ENOTCONN: no session). */
int tsmh_conn_heartbeat(struct tsmh_conn *c, char *why, size_t whylen);
/* END_SESSION if a session is up (recorded in @r, may be NULL); the stream stays. */
int tsmh_conn_end_session(struct tsmh_conn *c, struct tsmh_conn_result *r);
/*
 * The building blocks, also used by tsmctl ide km (protocol only: @c->nl
 * may be NULL, no root port). Each records its steps in @r and returns 0
 * or -errno (r->err set).
 *
 * tsmh_conn_open: attestation, its evidence committed (unless no_store or
 * no netlink socket), KEY_EXCHANGE/FINISH. tsmh_conn_query: IDE_KM QUERY
 * of port 0. tsmh_conn_keys: the six keys of @set for stream @sid, fresh
 * at each call: KEY_PROG at the endpoint and, with @rp, ide-key-prog at
 * the root port. tsmh_conn_kset: K_SET_GO (@go) or K_SET_STOP of the six
 * at the endpoint and, with @rp, ide-kset at the root port (GO: the
 * endpoint first; STOP: the root port first).
 */
int tsmh_conn_open(struct tsmh_conn *c, struct tsmh_conn_result *r);
struct tsmh_idekm_port;
int tsmh_conn_query(struct tsmh_conn *c, struct tsmh_conn_result *r, struct tsmh_idekm_port *q);
int tsmh_conn_keys(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set,
		   int rp);
int tsmh_conn_kset(struct tsmh_conn *c, struct tsmh_conn_result *r, uint8_t sid, uint8_t set,
		   int go, int rp);
/* Free what @c holds (no I/O: a session still up is only forgotten). */
void tsmh_conn_free(struct tsmh_conn *c);

/*
 * Step records for flows built on a connection (connect.c, tdi.c): begin
 * a step named by @fmt in @r (steps past TSMH_CONN_STEPS_MAX go to a
 * scratch record and are counted in r->dropped); end it with @ret
 * (st->why set by the caller on failure): the first failure of a @fatal
 * step becomes the result's (r->ret, r->err "STEP: why", failed_step), a
 * non-fatal one the unwind error; r->on_step is called. Returns @ret.
 */
struct tsmh_conn_step *tsmh_conn_step_begin(struct tsmh_conn_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tsmh_conn_step_end(struct tsmh_conn_result *r, struct tsmh_conn_step *st, int ret, int fatal);

#endif
