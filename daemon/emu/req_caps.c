// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the rules DSP0274 (1.1-1.3, "GET_CAPABILITIES request" and the
 * Requester's flag table) puts on a Requester's GET_CAPABILITIES. A
 * request that breaks one is answered ERROR(InvalidRequest), as DMTF's
 * libspdm responder does (libspdm_rsp_capabilities.c); the rules and their
 * version ranges follow that table, checked in our own words here.
 */
#include <stddef.h>
#include "emu.h"

/* 1.3 fields beyond the SPDM_CAP_* list of spdm.h */
#define CAP_EP_INFO(f)	 (((f) >> 22) & 3u)
#define CAP_EVENT	 (1u << 25)
#define CAP_MULTI_KEY(f) (((f) >> 26) & 3u)
#define CAP_PSK(f)	 (((f) >> 10) & 3u)

/* The flag rules; NULL when @f is a legal Requester flag set at @ver. */
static const char *flag_rule(uint8_t ver, uint32_t f)
{
	int kex = !!(f & SPDM_CAP_KEY_EX), psk = CAP_PSK(f) != 0;
	int cert = !!(f & SPDM_CAP_CERT), pub = !!(f & SPDM_CAP_PUB_KEY_ID);

	if (ver < SPDM_VERSION_11)
		return NULL; /* 1.0 requests carry no flags */
	/* a Requester's PSK_CAP is 0 or 1: 2 (with context) is the Responder's, 3 reserved */
	if (CAP_PSK(f) > 1)
		return "PSK_CAP 2 or 3 (reserved for a Requester)";
	if ((kex || psk) && !(f & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC)))
		return "KEY_EX_CAP or PSK_CAP without ENCRYPT_CAP or MAC_CAP";
	if (!kex && !psk &&
	    (f & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HANDSHAKE_IC | SPDM_CAP_HBEAT |
		  SPDM_CAP_KEY_UPD)))
		return "ENCRYPT, MAC, HANDSHAKE_IN_THE_CLEAR, HBEAT or KEY_UPD_CAP without KEY_EX_CAP or PSK_CAP";
	if (!kex && !psk && ver >= SPDM_VERSION_13 && (f & CAP_EVENT))
		return "EVENT_CAP without KEY_EX_CAP or PSK_CAP";
	if (!kex && (f & SPDM_CAP_HANDSHAKE_IC))
		return "HANDSHAKE_IN_THE_CLEAR_CAP without KEY_EX_CAP";
	if (cert && pub)
		return "both CERT_CAP and PUB_KEY_ID_CAP";
	/*
	 * A certificate or public key must be usable: CHAL_CAP or KEY_EX_CAP.
	 * libspdm refuses it even with 1.3's EP_INFO_CAP (signed), so do we.
	 */
	if ((cert || pub) && !(f & (SPDM_CAP_CHAL | SPDM_CAP_KEY_EX)))
		return "CERT_CAP or PUB_KEY_ID_CAP without CHAL_CAP or KEY_EX_CAP";
	if (!cert && !pub && (f & (SPDM_CAP_CHAL | SPDM_CAP_MUT_AUTH)))
		return "CHAL_CAP or MUT_AUTH_CAP without CERT_CAP or PUB_KEY_ID_CAP";
	if (!cert && !pub && ver >= SPDM_VERSION_13 && CAP_EP_INFO(f) == 2)
		return "EP_INFO_CAP with signature without CERT_CAP or PUB_KEY_ID_CAP";
	/*
	 * mutual authentication happens in CHALLENGE (basic) or in a
	 * KEY_EXCHANGE session; the two rules above already imply it, kept
	 * as DSP0274 (and libspdm) state it
	 */
	if ((f & SPDM_CAP_MUT_AUTH) && !(f & (SPDM_CAP_CHAL | SPDM_CAP_KEY_EX)))
		return "MUT_AUTH_CAP without CHAL_CAP or KEY_EX_CAP";
	/* 1.1 does mutual authentication through encapsulated requests only */
	if (ver == SPDM_VERSION_11 && (f & SPDM_CAP_MUT_AUTH) && !(f & SPDM_CAP_ENCAP))
		return "MUT_AUTH_CAP without ENCAP_CAP (SPDM 1.1)";
	if (ver >= SPDM_VERSION_13 && (CAP_EP_INFO(f) == 3 || CAP_MULTI_KEY(f) == 3))
		return "EP_INFO_CAP or MULTI_KEY_CAP 3 (reserved)";
	if (ver >= SPDM_VERSION_13 && CAP_MULTI_KEY(f) && pub)
		return "MULTI_KEY_CAP with PUB_KEY_ID_CAP";
	return NULL;
}

const char *emu_req_caps_check(uint8_t ver, uint8_t param1, const struct spdm_caps *rc)
{
	const char *why = flag_rule(ver, rc->flags);

	if (why)
		return why;
	if (ver >= SPDM_VERSION_12) {
		/* spdm_dec_capabilities() already holds DTS >= 42 and MaxSPDMmsgSize >= DTS */
		if (rc->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE)
			return "DataTransferSize below 42";
		if (rc->max_msg_size < rc->data_transfer_size)
			return "MaxSPDMmsgSize below DataTransferSize";
		/* without chunking every message must fit one transfer */
		if (!(rc->flags & SPDM_CAP_CHUNK) && rc->data_transfer_size != rc->max_msg_size)
			return "DataTransferSize differs from MaxSPDMmsgSize without CHUNK_CAP";
	}
	/* 1.3 Param1 bit 0: the algorithms in CAPABILITIES, which need chunking */
	if (ver >= SPDM_VERSION_13 && (param1 & 1) && !(rc->flags & SPDM_CAP_CHUNK))
		return "Param1 bit 0 (supported algorithms) without CHUNK_CAP";
	return NULL;
}
