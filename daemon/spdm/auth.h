/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM device authentication codecs: CHALLENGE/CHALLENGE_AUTH and
 * GET_MEASUREMENTS/MEASUREMENTS (DSP0274 10.8-10.11), DMTF measurement
 * blocks, RESPOND_IF_READY, the signing prefix of SPDM 1.2+ and the
 * transcript buffers both sides keep. Pure byte handling: signatures are
 * made and checked with OpenSSL elsewhere (daemon/crypto/sig.c).
 */
#ifndef TSMH_SPDM_AUTH_H
#define TSMH_SPDM_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include "spdm.h"

#define SPDM_CHALLENGE		    0x83
#define SPDM_CHALLENGE_AUTH	    0x03
#define SPDM_GET_MEASUREMENTS	    0xe0
#define SPDM_MEASUREMENTS	    0x60
#define SPDM_RESPOND_IF_READY	    0xff
#define SPDM_ERR_RESPONSE_TOO_LARGE 0x0d

#define SPDM_NONCE_LEN	     32
#define SPDM_REQ_CONTEXT_LEN 8 /* 1.3+ RequesterContext */
#define SPDM_PREFIX_LEN	     100 /* combined signing prefix, 1.2+ */
#define SPDM_MAX_SIG	     512 /* RSA-4096 */

#define SPDM_CTX_CHALLENGE_AUTH "responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS	"responder-measurements signing"

/* CHALLENGE Param2 / GET_MEASUREMENTS operations */
#define SPDM_MEAS_SUMMARY_NONE 0x00
#define SPDM_MEAS_SUMMARY_TCB  0x01
#define SPDM_MEAS_SUMMARY_ALL  0xff
#define SPDM_MEAS_OP_COUNT     0x00
#define SPDM_MEAS_OP_ALL       0xff
#define SPDM_MEAS_ATTR_SIG     0x01

/* DMTF measurement value types (bits 6:0) and the raw-bitstream bit */
#define SPDM_MEAS_TYPE_ROM	 0
#define SPDM_MEAS_TYPE_FIRMWARE	 1
#define SPDM_MEAS_TYPE_HW_CONFIG 2
#define SPDM_MEAS_TYPE_FW_CONFIG 3
#define SPDM_MEAS_TYPE_MANIFEST	 4
#define SPDM_MEAS_TYPE_MODE	 5
#define SPDM_MEAS_TYPE_VERSION	 6
#define SPDM_MEAS_TYPE_SVN	 7
#define SPDM_MEAS_TYPE_RAW	 0x80

/* A growable transcript (the bytes the signature covers), capped at @max. */
struct spdm_tx {
	uint8_t *buf;
	size_t len, cap, max;
	int overflow; /* an append did not fit: the transcript is unusable */
};

#define SPDM_TX_MAX (1u << 20)

int spdm_tx_append(struct spdm_tx *t, const void *data, size_t len);
void spdm_tx_reset(struct spdm_tx *t);
void spdm_tx_free(struct spdm_tx *t);

/* Bytes of an SPDM signature for @base_asym, 0 if unknown. */
size_t spdm_sig_len(uint32_t base_asym);
/*
 * The 1.2+ combined signing prefix: "dmtf-spdm-v1.N.*" four times, zero
 * padding, then @context, 100 bytes in all. Returns 0 or -EINVAL.
 */
int spdm_signing_prefix(uint8_t ver, const char *context, uint8_t out[SPDM_PREFIX_LEN]);

struct spdm_challenge_auth {
	uint8_t slot, slot_mask;
	const uint8_t *chain_hash, *nonce, *meas_summary; /* meas_summary NULL if not asked */
	const uint8_t *opaque;
	uint16_t opaque_len;
	const uint8_t *req_context; /* 1.3+ */
	const uint8_t *sig;
	size_t signed_len; /* bytes of the response before the signature */
};

/* @req_context (1.3+) may be NULL: zeros. Returns the request length. */
size_t spdm_enc_challenge(uint8_t ver, uint8_t slot, uint8_t summary, const uint8_t *nonce,
			  const uint8_t *req_context, uint8_t *out);
int spdm_dec_challenge(uint8_t ver, const uint8_t *m, size_t len, uint8_t *slot, uint8_t *summary,
		       const uint8_t **nonce, const uint8_t **req_context);
/*
 * CHALLENGE_AUTH without the signature (the caller signs the transcript
 * and appends it); returns the length or 0 if it does not fit in @cap.
 */
size_t spdm_enc_challenge_auth(uint8_t ver, const struct spdm_challenge_auth *a, size_t hash_len,
			       uint8_t *out, size_t cap);
/*
 * Checks framing for the negotiated hash and signature sizes: the
 * response must hold exactly its fields (trailing DOE padding allowed up
 * to 3 bytes). @summary: what was asked (decides whether the summary
 * hash is present). -EBADMSG, -EPROTO, -EREMOTEIO (*err).
 */
int spdm_dec_challenge_auth(uint8_t ver, const uint8_t *m, size_t len, uint8_t summary,
			    size_t hash_len, size_t sig_len, struct spdm_challenge_auth *a,
			    uint8_t *err);

struct spdm_get_meas {
	uint8_t attrs, op, slot;
	const uint8_t *nonce; /* present when signature requested */
	const uint8_t *req_context; /* 1.3+ */
};

size_t spdm_enc_get_measurements(uint8_t ver, const struct spdm_get_meas *g, uint8_t *out);
int spdm_dec_get_measurements(uint8_t ver, const uint8_t *m, size_t len, struct spdm_get_meas *g);

struct spdm_meas_rsp {
	uint8_t param1; /* TotalNumberOfMeasurementIndices for op 0 */
	uint8_t slot, content_changed;
	uint8_t nr_blocks;
	const uint8_t *record;
	uint32_t record_len;
	const uint8_t *nonce, *opaque, *req_context, *sig;
	uint16_t opaque_len;
	size_t signed_len; /* bytes before the signature (all of it if unsigned) */
};

/* MEASUREMENTS without a signature; 0 if it does not fit. */
size_t spdm_enc_measurements(uint8_t ver, const struct spdm_meas_rsp *r, uint8_t *out, size_t cap);
/* @sig_len: 0 when no signature was requested. */
int spdm_dec_measurements(uint8_t ver, const uint8_t *m, size_t len, size_t sig_len,
			  struct spdm_meas_rsp *r, uint8_t *err);

struct spdm_meas_block {
	uint8_t index, spec, type; /* type: DMTF value type incl. SPDM_MEAS_TYPE_RAW */
	const uint8_t *value;
	uint16_t value_len;
	const uint8_t *block; /* the whole block, for the summary hash */
	size_t block_len;
};

/* Append one DMTF block; returns bytes written or 0. */
size_t spdm_enc_meas_block(uint8_t index, uint8_t type, const uint8_t *value, uint16_t len,
			   uint8_t *out, size_t cap);
/*
 * Parse @nr blocks filling exactly @len bytes. Indices must be 1..0xfe,
 * ascending and unique; DMTF blocks' sizes must agree. Returns the number
 * parsed into @b (at most @max) or -EBADMSG / -EPROTO / -E2BIG.
 */
int spdm_meas_blocks_parse(const uint8_t *rec, size_t len, int nr, struct spdm_meas_block *b,
			   int max);

/*
 * The exact length of a message recorded in a transcript (VCA, digests,
 * certificates, CHALLENGE, GET_MEASUREMENTS requests and responses)
 * without DOE padding; @len for anything else or when the fields run past
 * @len.
 */
size_t spdm_msg_len(const uint8_t *m, size_t len, size_t hash_len);

/* ERROR ResponseNotReady extended data */
struct spdm_not_ready {
	uint8_t rdt_exponent, request_code, token, rdtm;
};

int spdm_dec_not_ready(const uint8_t *m, size_t len, struct spdm_not_ready *nr);
size_t spdm_enc_not_ready(uint8_t ver, const struct spdm_not_ready *nr, uint8_t *out);
size_t spdm_enc_respond_if_ready(uint8_t ver, uint8_t code, uint8_t token, uint8_t *out);

#endif
