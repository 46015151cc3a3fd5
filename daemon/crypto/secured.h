/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * DSP0277 secured messages as the PCI-SIG secured-CMA binding (DOE type 2)
 * carries them:
 *
 *   SessionID (4: ReqSessionID LE || RspSessionID LE)
 *   [SequenceNumber: 0 bytes for PCI DOE]
 *   Length (2, LE: the bytes that follow, ciphertext + MAC)
 *   AEAD ciphertext of { ApplicationDataLength (2, LE), SPDM message, random padding }
 *   MAC (16)
 *
 * AAD = SessionID || Length; IV = the direction's base IV with the 64-bit
 * sequence number XORed, little-endian, into bytes 0..7. The sequence
 * number is not on the wire but still counts each message per direction
 * (from 0 for every new key), so a replayed or reordered message fails its
 * MAC; the decoder then tells a replay (an earlier sequence number of the
 * current key verifies) from forgery. Encrypt-and-MAC sessions only.
 *
 * Secured-message versions 1.0, 1.1 and 1.2 (negotiated in the KEY_EXCHANGE
 * opaque data, session.sm_version) are framed and keyed alike. What 1.2
 * changed for an endpoint: DSP0277 1.0 left the byte order of the sequence
 * number in the IV unstated and 1.1 left it ill-defined; 1.2 makes it
 * little-endian, unconditionally. So 1.2 is the little-endian rule we apply
 * to every version (what DMTF's libspdm does by default for 1.0/1.1 and
 * always for 1.2: doc/crypto_endianness.md "Endianness of AEAD IV";
 * library/spdm_common_lib/libspdm_com_context_data_session.c,
 * libspdm_session_info_init(): "277 1.2 explicitly specifies a
 * little-endian sequence number"; issue DMTF/libspdm#2735). The opaque
 * data elements are the same (libspdm selects 1.2 as VersionSelection
 * 0x1200 in the same element), and the PCI DOE binding carries no
 * sequence number on the wire in any version (libspdm's PCI DOE transport
 * uses the negotiated DSP0277 version as is, 0 sequence-number bytes).
 */
#ifndef TSMH_CRYPTO_SECURED_H
#define TSMH_CRYPTO_SECURED_H

#include <stddef.h>
#include <stdint.h>
#include "keysched.h"

#define SPDM_SECURED_HDR      6
#define SPDM_SECURED_OVERHEAD (SPDM_SECURED_HDR + 2 + TSMH_AEAD_TAG_LEN)
#define SPDM_SECURED_REPLAY   16 /* earlier sequence numbers checked to name a replay */
#define SPDM_SECURED_MAX_PAD  32

enum spdm_sess_state {
	SPDM_SESS_NONE,
	SPDM_SESS_HANDSHAKE, /* KEY_EXCHANGE done: handshake keys */
	SPDM_SESS_ESTABLISHED, /* FINISH done: data keys */
	SPDM_SESS_ENDED, /* END_SESSION: nothing more in or out */
};

struct spdm_session {
	uint16_t req_id, rsp_id;
	enum spdm_sess_state state;
	uint16_t sm_version; /* DSP0277 version selected in the opaque data */
	uint8_t heartbeat; /* HeartbeatPeriod */
	struct tsmh_keys k;
};

/* The 32-bit SessionID as it goes on the wire (little-endian u32). */
static inline uint32_t spdm_session_id(const struct spdm_session *s)
{
	return (uint32_t)s->req_id | (uint32_t)s->rsp_id << 16;
}

/*
 * Encrypt @app (an SPDM message) for the request (@request) or response
 * direction with @pad random padding bytes (<= SPDM_SECURED_MAX_PAD).
 * 0; -ESHUTDOWN (session ended or not started), -EMSGSIZE, -EOVERFLOW
 * (sequence numbers exhausted), -EINVAL.
 */
int spdm_secured_seal(struct spdm_session *s, int request, const uint8_t *app, size_t len,
		      size_t pad, uint8_t *out, size_t cap, size_t *olen);
/*
 * Decrypt a secured message of @len bytes (trailing DOE padding < 4 bytes
 * allowed) into @app. 0 or: -ESHUTDOWN session ended/not started,
 * -ENOENT another session's ID, -EPROTO Length or ApplicationDataLength
 * inconsistent/truncated, -EALREADY replay of an earlier message,
 * -EBADMSG MAC does not verify, -EMSGSIZE @cap too small; @why says which.
 */
int spdm_secured_open(struct spdm_session *s, int request, const uint8_t *in, size_t len,
		      uint8_t *app, size_t cap, size_t *alen, char *why, size_t whylen);

#endif
