/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM requester, transport-independent (shared by tsmctl and tsmd).
 * VCA (GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS) with version
 * fallback 1.3 -> 1.2 -> 1.1, GET_DIGESTS, chunked GET_CERTIFICATE,
 * CHALLENGE and GET_MEASUREMENTS. Every exchange answers ERROR Busy with a
 * bounded retry and ResponseNotReady with RESPOND_IF_READY after the time
 * the device asked for (at most 1 s per wait, 8 waits). The transcripts
 * the signatures cover are kept exactly as exchanged, without DOE padding.
 */
#ifndef TSMH_SPDM_REQUESTER_H
#define TSMH_SPDM_REQUESTER_H

#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "cert.h"
#include "spdm.h"

/*
 * One SPDM request/response (no transport header). 0 or -errno.
 * @exchange carries CMA (DOE type 1); @secured, when the transport has it,
 * carries DSP0277 secured messages as secured CMA (DOE type 2).
 */
struct spdm_transport {
	int (*exchange)(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			size_t cap, size_t *rsp_len);
	int (*secured)(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		       size_t cap, size_t *rsp_len);
	void *ctx;
	char err[256]; /* the transport's reason for its last failure */
};

struct spdm_conn_info {
	struct spdm_ver versions[SPDM_MAX_VERSIONS]; /* what the device offers */
	int nr_versions;
	uint8_t ver; /* negotiated, e.g. 0x12 */
	struct spdm_caps caps;
	struct spdm_algs offer, algs;
	struct spdm_tx vca; /* A: the VCA messages */
	struct spdm_tx b; /* digests and certificates since the last CHALLENGE */
};

void spdm_conn_free(struct spdm_conn_info *ci);

/* CHALLENGE/CHALLENGE_AUTH: what a verifier (or a third party) needs. */
struct spdm_challenge_result {
	uint8_t slot, slot_mask, summary_type;
	uint8_t req_nonce[SPDM_NONCE_LEN], rsp_nonce[SPDM_NONCE_LEN];
	uint8_t chain_hash[SPDM_MAX_HASH], summary[SPDM_MAX_HASH];
	struct spdm_tx transcript; /* VCA || B || C without the signature */
	uint8_t sig[SPDM_MAX_SIG];
	size_t sig_len;
};

#define SPDM_MAX_BLOCKS 255

/* Signed (or not) measurements. */
struct spdm_meas_result {
	uint8_t slot, signed_;
	uint8_t req_nonce[SPDM_NONCE_LEN];
	uint8_t *rsp; /* the last MEASUREMENTS response (the signed one) */
	size_t rsp_len;
	uint8_t *record; /* every block received, concatenated */
	size_t record_len;
	int nr_blocks;
	struct spdm_meas_block blocks[SPDM_MAX_BLOCKS]; /* point into record */
	struct spdm_tx transcript; /* L: [VCA ||] the GET_MEASUREMENTS exchanges */
	const uint8_t *sig; /* into rsp */
	size_t sig_len;
	int per_index; /* the device needed one request per block */
};

void spdm_challenge_free(struct spdm_challenge_result *r);
void spdm_meas_free(struct spdm_meas_result *r);

/* What tsm-host offers: ECDSA P-256/P-384, RSA-3072 (SSA, PSS), SHA-256/384, ... */
void spdm_default_offer(struct spdm_algs *a);
/*
 * Run VCA. @ci must be zeroed before its first use (it may be reused:
 * its transcript buffers are kept; spdm_conn_free() releases them).
 * On failure returns -errno and writes the step and the reason
 * into @why (e.g. "NEGOTIATE_ALGORITHMS: device answered ERROR InvalidRequest").
 */
int spdm_vca(struct spdm_transport *t, struct spdm_conn_info *ci, char *why, size_t whylen);

/* GET_DIGESTS; needs CERT_CAP and a negotiated hash. */
int spdm_get_digests(struct spdm_transport *t, struct spdm_conn_info *ci, struct spdm_digests *d,
		     char *why, size_t whylen);
/*
 * The whole certificate chain of @slot, fetched in portions no larger than
 * both sides' transfer size, into @buf (@cap bytes, 65535 is always
 * enough). Every portion must agree on the chain's total size and make
 * progress; the result has not been parsed or verified.
 */
int spdm_get_chain(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot, uint8_t *buf,
		   size_t cap, size_t *len, char *why, size_t whylen);

/*
 * One request/response in the clear, as every step here does it: ERROR
 * Busy retried (3 times, 10/20/40 ms apart), ERROR ResponseNotReady
 * followed by RESPOND_IF_READY after the time the device asked for (8
 * times at most); any other ERROR is left in @rsp for the caller's
 * decoder. 0, or -errno with @why naming @step.
 */
int spdm_req_xfer(struct spdm_transport *t, const char *step, const uint8_t *req, size_t len,
		  uint8_t *rsp, size_t cap, size_t *rlen, char *why, size_t whylen);

/*
 * CHALLENGE @slot with a fresh nonce, asking for the measurement summary
 * hash @summary (SPDM_MEAS_SUMMARY_*; NONE unless MEAS_CAP). Framing and
 * sizes are checked here; the signature is verified by the caller
 * (daemon/crypto/sig.c) with the slot's leaf key.
 */
int spdm_challenge(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot,
		   uint8_t summary, struct spdm_challenge_result *r, char *why, size_t whylen);
/*
 * All measurement blocks, signed with @slot's key when @sign, with a fresh
 * nonce: one GET_MEASUREMENTS for all blocks, or, if the device answers
 * ResponseTooLarge, the count and then one request per index with only
 * the last signed.
 */
int spdm_get_measurements(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot,
			  int sign, struct spdm_meas_result *r, char *why, size_t whylen);

#endif
