/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * TDISP through the kernel's TDI state machine (issue 13), shared by
 * tsmctl and, later, tsmd: every TDISP request that can move a TDI is
 * bracketed by tdi-begin (the kernel's rules; nothing is sent if it
 * refuses) and tdi-end (the outcome: status, the device's TDISP_ERROR,
 * the device's state read with GET_DEVICE_INTERFACE_STATE right after,
 * the LOCK nonce, the report), so the kernel checks the device's state
 * against its own and the report against the TDI's real BARs.
 *
 * The session is the DSM's (function 0, or the VF's PF): the caller opens
 * the DOE proxy conversation on the DSM's mailbox with the same netlink
 * socket @nl (the kernel accepts tdi-begin only from the socket holding
 * the DSM's host claim), and the flows here open the SPDM session in it
 * (connect.h tsmh_conn_open: VCA, chains, KEY_EXCHANGE/FINISH with the
 * trust anchors; no evidence committed) and leave it up: the caller ends
 * it (tsmh_conn_end_session(&td->c, r)).
 *
 * lock: GET_TDISP_VERSION (1.0), GET_TDISP_CAPABILITIES (the flags asked
 * for supported), LOCK, REPORT (every portion; the kernel checks it) and,
 * with @start, START with the LOCK response's nonce, each followed by
 * GET_DEVICE_INTERFACE_STATE. Once the device has accepted LOCK, any later
 * failure sends STOP (begin STOP, STOP_INTERFACE, state, end) so the TDI
 * is not left LOCKED with a report nobody checked; so does a START the
 * kernel refuses (CoCo mode): the lock lives only as long as the session
 * (TDISP moves a locked TDI to ERROR when its session ends), and the
 * caller ends it. A caller that keeps the TDI locked keeps the session:
 * tsmh_tdi_heartbeat() while it holds, tsmh_tdi_stop() to release.
 *
 * The START nonce lives only in struct tsmh_tdi (wiped once START is sent, and by
 * tsmh_tdi_free()) and in the netlink buffers tdi_nl.c wipes: a separate
 * "start" in another process cannot have it, so START is only ever sent
 * within the session of its LOCK (tsmctl tdi lock --start, or tsmd's
 * session keeper: lock with keep_nonce, later tsmh_tdi_start()).
 */
#ifndef TSMH_ATTEST_TDI_H
#define TSMH_ATTEST_TDI_H

#include <stddef.h>
#include <stdint.h>
#include "connect.h"
#include "tdi_nl.h"
#include "tdisp_req.h"

struct tsmh_tdi_opts {
	const char *dev; /* the TDI */
	struct tsmh_attest_opts attest; /* trust, slot, cache */
	uint32_t lock_flags; /* TSMH_TDI_LOCK_F_* */
	int stream_id; /* LOCK's default stream: -1 none (sent as 0, no IDE asked of the kernel) */
	uint64_t mmio_offset;
	int start; /* lock: START_INTERFACE in the same session */
	int keep_nonce; /* lock without start: keep the nonce for tsmh_tdi_start() */
	/*
	 * LOCK: the cookie of the 7.2 bind request (evt-tsm-req bind) this
	 * LOCK carries out, sent with tdi-begin (tsm-cookie): only that LOCK
	 * gets the kernel's bind exception (the VFIO driver bound); 0: a host
	 * LOCK (the host rule: no driver, gate holding)
	 */
	uint64_t tsm_cookie;
};

struct tsmh_tdi {
	struct tsmh_conn c; /* the SPDM session with the DSM (tsmh_tdi_init) */
	struct tsmh_conn *cx; /* the session used: &c, or the caller's (tsmh_tdi_attach) */
	struct tsmh_nl *nl;
	struct tsmh_tdi_opts o;
	char dev[TSMH_TDINL_NAME_LEN];
	uint32_t fid; /* TDISP INTERFACE_ID: the kernel's interface-id */
	struct tsmh_tdinl_tdi k; /* the kernel's view after the last tdi-* reply */
	int have_k;
	int dev_state; /* the device's last GET_DEVICE_INTERFACE_STATE, -1 */
	uint16_t flags_supported; /* GET_TDISP_CAPABILITIES */
	int have_caps;
	uint8_t nonce[TSMH_TDISP_NONCE_LEN];
	int have_nonce;
	uint8_t *report; /* malloc'd, TSMH_TDISP_REPORT_MAX */
	uint32_t report_len;
	unsigned int portions;
	struct tsmh_tdisp_report rep; /* points into @report */
	int have_report; /* read from the device (whether the kernel took it: report_ok) */
	int report_ok; /* the kernel checked and recorded it */
	int locked_here; /* the device accepted LOCK in this session */
	int started; /* START accepted and recorded */
	int stopped; /* STOP sent to undo a failure (stop_ok: it worked) */
	int stop_ok;
	int start_refused; /* the kernel refused START (nothing sent) */
	uint64_t tsm_cookie; /* the START in flight: its guest request's cookie, 0 */
};

/* @k: the TDI as tdi-get answered (its interface-id is the TDISP INTERFACE_ID) */
void tsmh_tdi_init(struct tsmh_tdi *td, struct spdm_transport *t, struct tsmh_nl *nl,
		   const struct tsmh_tdi_opts *o, const struct tsmh_tdinl_tdi *k);
/*
 * As tsmh_tdi_init(), on the caller's connection @c (its transport and
 * netlink socket; tsmd's session keeper): a session already up is used
 * as it is, one that is not is opened by the flows; tsmh_tdi_free() leaves
 * @c alone (the caller ends and frees it).
 */
void tsmh_tdi_attach(struct tsmh_tdi *td, struct tsmh_conn *c, const struct tsmh_tdi_opts *o,
		     const struct tsmh_tdinl_tdi *k);
/* Each: 0 or -errno; @r holds the steps and, on failure, err ("STEP: reason"). */
int tsmh_tdi_lock(struct tsmh_tdi *td, struct tsmh_conn_result *r);
/*
 * START_INTERFACE with the nonce a lock with keep_nonce kept, in the same
 * session (-ENOKEY without one); single use. A refusal or failure leaves
 * the TDI as the kernel then has it (start_refused: nothing sent); no STOP.
 * @tsm_cookie: the cookie of the 7.2 guest request (evt-tsm-req guest-req)
 * this START carries out, sent with tdi-begin (tsm-cookie): the kernel's
 * leave for a START in CoCo mode; 0 for a host START.
 */
int tsmh_tdi_start(struct tsmh_tdi *td, uint64_t tsm_cookie, struct tsmh_conn_result *r);
int tsmh_tdi_stop(struct tsmh_tdi *td, struct tsmh_conn_result *r);
/* GET_DEVICE_INTERFACE_STATE bracketed by op state: the kernel compares */
int tsmh_tdi_state(struct tsmh_tdi *td, struct tsmh_conn_result *r);
/* HEARTBEAT in the session (a step): 0, -ENOTCONN without a session, or -errno */
int tsmh_tdi_heartbeat(struct tsmh_tdi *td, struct tsmh_conn_result *r);
/* Wipe the nonce, free the report and the session state (no I/O). */
void tsmh_tdi_free(struct tsmh_tdi *td);

#endif
