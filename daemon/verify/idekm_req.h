/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The IDE_KM requester (PCIe 6.x sec 6.33.3): QUERY, KEY_PROG, K_SET_GO
 * and K_SET_STOP sent as SPDM VENDOR_DEFINED_REQUEST (PCI-SIG, protocol
 * IDE_KM) inside an established secured session (secsession.h), each
 * answer decoded with lib/idekm.c and checked against the request: the
 * right object, the same port index, stream ID and key_sub_stream, a
 * KP_ACK status of SUCCESS. Every failure says which message, which field
 * had which value and what was expected; keys are never part of a
 * message text. Shared by tsmctl ide km and, later, connect/refresh.
 */
#ifndef TSMH_VERIFY_IDEKM_REQ_H
#define TSMH_VERIFY_IDEKM_REQ_H

#include <stddef.h>
#include <stdint.h>
#include "idekm.h"
#include "secsession.h"

struct tsmh_idekm_port {
	uint8_t port_index, dev_func, bus, segment, max_port_index;
	int cap_ok; /* the capability copy adds up; @cap is valid */
	char cap_why[200]; /* if not: which field had which value, what was expected */
	struct tsmh_ide_cap_copy cap;
};

/*
 * QUERY @port; the decoded QUERY_RESP in @q. 0 or -errno with @why. A
 * QUERY_RESP whose capability copy is not exactly the blocks its own
 * registers announce is still 0, with cap_ok 0 and cap_why saying what is
 * wrong (DMTF spdm-emu's sample responder sends a zero-filled placeholder
 * copy): keying does not depend on it, allocating register blocks does,
 * so a caller that needs the capability must check cap_ok.
 */
int tsmh_idekm_query(struct spdm_transport *t, struct tsmh_session *ss, uint8_t port,
		     struct tsmh_idekm_port *q, char *why, size_t whylen);
/*
 * KEY_PROG @key (32 bytes) and @ifv (8 bytes) for @stream_id, key set,
 * direction and sub-stream @kss at @port. 0; -EREMOTEIO for a KP_ACK with
 * a non-zero status (*@status: it); other -errno for transport, session
 * or decoding failures. The request's copy of the key is wiped.
 */
int tsmh_idekm_key_prog(struct spdm_transport *t, struct tsmh_session *ss, uint8_t port,
			uint8_t stream_id, uint8_t kss, const uint8_t *key, const uint8_t *ifv,
			uint8_t *status, char *why, size_t whylen);
/* K_SET_GO (@go 1) or K_SET_STOP for @stream_id/@kss at @port, K_GOSTOP_ACK checked. */
int tsmh_idekm_k_set(struct spdm_transport *t, struct tsmh_session *ss, int go, uint8_t port,
		     uint8_t stream_id, uint8_t kss, char *why, size_t whylen);

#endif
