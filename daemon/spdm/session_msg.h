/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM session codecs (DSP0274 1.2/1.3, 10.12-10.17): KEY_EXCHANGE and
 * KEY_EXCHANGE_RSP, FINISH and FINISH_RSP (no mutual authentication),
 * HEARTBEAT, KEY_UPDATE, END_SESSION and their ACKs, the secured-message
 * version opaque data (the 1.2+ general opaque data table, DMTF registry,
 * DSP0277 SMDataID SupportedVersion/VersionSelection) and the key
 * schedule's BinConcat. Pure byte handling; the cryptography is in
 * daemon/crypto/keysched.c.
 */
#ifndef TSMH_SPDM_SESSION_MSG_H
#define TSMH_SPDM_SESSION_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "spdm.h"

#define SPDM_KEY_EXCHANGE	 0xe4
#define SPDM_KEY_EXCHANGE_RSP	 0x64
#define SPDM_FINISH		 0xe5
#define SPDM_FINISH_RSP		 0x65
#define SPDM_HEARTBEAT		 0xe8
#define SPDM_HEARTBEAT_ACK	 0x68
#define SPDM_KEY_UPDATE		 0xe9
#define SPDM_KEY_UPDATE_ACK	 0x69
#define SPDM_END_SESSION	 0xec
#define SPDM_END_SESSION_ACK	 0x6c
#define SPDM_ERR_INVALID_SESSION 0x02
#define SPDM_ERR_DECRYPT_ERROR	 0x06

#define SPDM_KEY_UPDATE_OP_UPDATE_KEY 1
#define SPDM_KEY_UPDATE_OP_UPDATE_ALL 2
#define SPDM_KEY_UPDATE_OP_VERIFY_NEW 3

#define SPDM_RANDOM_LEN 32
/* NEGOTIATE_ALGORITHMS OtherParamsSupport: OpaqueDataFmt1 (general opaque data table) */

#define SPDM_CTX_KEY_EXCHANGE_RSP "responder-key_exchange_rsp signing"

/* DSP0277 secured-message spec versions (spdm_version_number_t, 1.1 = 0x1100) */
#define SPDM_SM_VERSION_10 0x1000
#define SPDM_SM_VERSION_11 0x1100
#define SPDM_SM_VERSION_12 0x1200
/* The bit of DSP0277 version @v in a mask of versions: 1.N is bit N. */
#define SPDM_SM_BIT(v) (1u << (((v) >> 8) & 15))
/* opaque element SMDataID */
#define SPDM_SM_ID_VERSION_SELECTION 0
#define SPDM_SM_ID_SUPPORTED_VERSION 1
#define SPDM_SM_MAX_VERSIONS	     8

/*
 * "1.2,1.1" (any of 1.0, 1.1, 1.2, comma separated) into a mask of
 * SPDM_SM_BIT()s; 0 or -1 (an unknown or malformed version).
 */
int spdm_sm_parse_list(const char *s, unsigned int *mask);

/* Bytes of the DHE public key X||Y for @dhe (SPDM_DHE_*), 0 if unknown. */
size_t spdm_dhe_len(uint16_t dhe);

/*
 * BinConcat(Length, Version, Label, Context) = Length (u16 LE) ||
 * "spdm1.N " || Label (no NUL) || Context. Returns the length or 0.
 */
size_t spdm_bin_concat(uint8_t ver, uint16_t length, const char *label, const uint8_t *ctx,
		       size_t clen, uint8_t *out, size_t cap);

struct spdm_key_exchange {
	uint8_t summary; /* MeasurementSummaryHashType (Param1) */
	uint8_t slot; /* Param2 */
	uint8_t policy; /* SessionPolicy (1.2+) */
	uint16_t session_id; /* ReqSessionID */
	const uint8_t *random, *exchange, *opaque;
	uint16_t opaque_len;
	size_t len; /* decoded: the message's exact length */
};

size_t spdm_enc_key_exchange(uint8_t ver, const struct spdm_key_exchange *k, size_t dhe_len,
			     uint8_t *out, size_t cap);
/* -EBADMSG truncated, -EPROTO wrong header or opaque data too long. */
int spdm_dec_key_exchange(uint8_t ver, const uint8_t *m, size_t len, size_t dhe_len,
			  struct spdm_key_exchange *k);

struct spdm_key_exchange_rsp {
	uint8_t heartbeat; /* HeartbeatPeriod (Param1) */
	uint8_t mut_auth, req_slot;
	uint16_t session_id; /* RspSessionID */
	const uint8_t *random, *exchange, *summary, *opaque, *sig, *verify;
	uint16_t opaque_len;
	size_t signed_len; /* bytes before the signature */
};

/* KEY_EXCHANGE_RSP up to the signature (@summary NULL: none asked); 0 if it does not fit. */
size_t spdm_enc_key_exchange_rsp(uint8_t ver, const struct spdm_key_exchange_rsp *r, size_t dhe_len,
				 size_t hash_len, uint8_t *out, size_t cap);
/*
 * The whole response: fields, signature (@sig_len) and ResponderVerifyData
 * (@hash_len), DOE padding tolerated. @summary: a summary hash was asked.
 * -EBADMSG, -EPROTO, -EREMOTEIO (*@err).
 */
int spdm_dec_key_exchange_rsp(uint8_t ver, const uint8_t *m, size_t len, size_t dhe_len,
			      size_t hash_len, int summary, size_t sig_len,
			      struct spdm_key_exchange_rsp *r, uint8_t *err);

/* FINISH without signature: header and RequesterVerifyData (@verify NULL: header only). */
size_t spdm_enc_finish(uint8_t ver, const uint8_t *verify, size_t hash_len, uint8_t *out);
int spdm_dec_finish(uint8_t ver, const uint8_t *m, size_t len, size_t hash_len,
		    const uint8_t **verify);

/*
 * The 4-byte messages HEARTBEAT(_ACK), KEY_UPDATE(_ACK), END_SESSION(_ACK)
 * and FINISH_RSP are encoded with spdm_enc_hdr() (spdm.h).
 */
/* Exactly 4 bytes of @code; -EBADMSG, -EPROTO, -EREMOTEIO (*@err). */
int spdm_dec_hdr(uint8_t ver, uint8_t code, const uint8_t *m, size_t len, uint8_t *p1, uint8_t *p2,
		 uint8_t *err);

/*
 * Secured-message version negotiation in opaque data, in table format
 * @fmt (SPDM_OPAQUE_FMT0 or SPDM_OPAQUE_FMT1, as ALGORITHMS selected).
 */
/* Opaque data with one SupportedVersion element listing @vers; returns length or 0. */
size_t spdm_opaque_supported(uint8_t fmt, const uint16_t *vers, int n, uint8_t *out, size_t cap);
/* Opaque data with one VersionSelection element; returns length or 0. */
size_t spdm_opaque_selection(uint8_t fmt, uint16_t sel, uint8_t *out, size_t cap);
/*
 * Walk an opaque data table and return the secured-message versions of
 * its DMTF SupportedVersion element (count, up to @max) or -EBADMSG
 * (malformed table) / -ENOENT (no such element).
 */
int spdm_opaque_parse_supported(uint8_t fmt, const uint8_t *op, size_t len, uint16_t *vers,
				int max);
/* The VersionSelection element: 0, -EBADMSG or -ENOENT. */
int spdm_opaque_parse_selection(uint8_t fmt, const uint8_t *op, size_t len, uint16_t *sel);

#endif
