/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * An SPDM secured session from the requester's side, shared by tsmctl and
 * tsmd: KEY_EXCHANGE in the clear (signature verified with the slot's leaf
 * key, ResponderVerifyData checked), FINISH inside the session with the
 * handshake keys, then HEARTBEAT, KEY_UPDATE and END_SESSION with the data
 * keys, each as a DSP0277 secured message over secured CMA (DOE type 2).
 * SPDM 1.2+ only (the secured-message version travels in the general
 * opaque data table); no mutual authentication, no handshake in the clear.
 */
#ifndef TSMH_VERIFY_SECSESSION_H
#define TSMH_VERIFY_SECSESSION_H

#include <stddef.h>
#include <stdint.h>
#include "requester.h"
#include "secured.h"

struct tsmh_session {
	struct spdm_session s;
	uint8_t ver, slot, summary_type;
	uint32_t hash, asym;
	uint16_t dhe, aead;
	uint8_t summary[SPDM_MAX_HASH]; /* MeasurementSummaryHash, if asked */
	struct spdm_tx th; /* VCA || Hash(chain) || KEY_EXCHANGE ... FINISH_RSP */
	size_t th1_len, th2_len;
	uint32_t rsp_caps; /* the responder's CAPABILITIES flags (SPDM_CAP_*) */
	unsigned int heartbeats, key_updates;
	unsigned int sm_mask; /* DSP0277 versions offered (SPDM_SM_BIT), 0: all we support */
};

/*
 * KEY_EXCHANGE with @slot's key (@chain: that slot's verified chain) and
 * FINISH. @summary: SPDM_MEAS_SUMMARY_* wanted in KEY_EXCHANGE_RSP.
 * @sm_mask: the secured-message (DSP0277) versions to offer, SPDM_SM_BIT()s;
 * 0 offers every one we support, 1.2 first, then 1.1 and 1.0.
 * On failure -errno and @why names the step, the field and its value.
 */
int tsmh_session_start(struct spdm_transport *t, const struct spdm_conn_info *ci,
		       const uint8_t *chain, size_t chain_len, uint8_t slot, uint8_t summary,
		       unsigned int sm_mask, struct tsmh_session *ss, char *why, size_t whylen);
/* One request and its response inside the session (both plain SPDM). */
int tsmh_session_xfer(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		      const uint8_t *req, size_t len, uint8_t *rsp, size_t cap, size_t *rlen,
		      char *why, size_t whylen);
/*
 * HEARTBEAT needs HBEAT_CAP and KEY_UPDATE needs KEY_UPD_CAP on both sides
 * (DSP0274 1.2+ "Capabilities"); we always advertise both, so the
 * responder's flags decide. Neither is sent to a responder that did not
 * advertise it: -EOPNOTSUPP and @why say which flag is missing.
 */
int tsmh_session_heartbeat(struct spdm_transport *t, struct tsmh_session *ss, char *why,
			   size_t whylen);
/* UpdateKey (@all 0) or UpdateAllKeys, then VerifyNewKey under the new key. */
int tsmh_session_key_update(struct spdm_transport *t, struct tsmh_session *ss, int all, char *why,
			    size_t whylen);
int tsmh_session_end(struct spdm_transport *t, struct tsmh_session *ss, char *why, size_t whylen);
void tsmh_session_free(struct tsmh_session *ss);

#endif
