/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * One device attestation, shared by tsmctl and tsmd: VCA, GET_DIGESTS,
 * every provisioned slot's chain (from the cache when its digest is
 * already known, else GET_CERTIFICATE) verified against the trust
 * anchors, CHALLENGE on one slot with its signature verified with that
 * slot's leaf key, and all measurement blocks signed with a fresh nonce,
 * verified likewise and checked against CHALLENGE_AUTH's measurement
 * summary hash. The first failure stops the run and names the step.
 *
 * Re-attestation (opts.reattest; tsmd after a reset, tsmctl attest
 * --reattest): the same VCA and GET_DIGESTS, then
 *  - the attested slot's chain, if the cache holds it (same digest) with
 *    the verifier's record of it (chainrec.h): re-checked, not verified
 *    again (tsmh_recheck_chain(): digest, anchor still trusted, time
 *    window, leaf rules); a record that no longer applies means a full
 *    verification of that chain;
 *  - the other slots' chains, if the cache holds them with a record:
 *    carried over, neither fetched nor verified (this attestation does not
 *    use them); a slot whose digest changed is fetched and verified;
 *  - no CHALLENGE when the device signs measurements: GET_MEASUREMENTS
 *    signed by the attested slot's key over a fresh requester nonce proves
 *    the same possession of the key and liveness (DSP0274 allows either;
 *    libspdm's requester likewise treats a verified measurement signature
 *    as authentication of the responder), and the signed blocks are what
 *    policy compares. A device that does not sign measurements gets the
 *    CHALLENGE of a full attestation.
 */
#ifndef TSMH_ATTEST_ATTEST_H
#define TSMH_ATTEST_ATTEST_H

#include <stddef.h>
#include <stdint.h>
#include "chain.h"
#include "chainrec.h"
#include "requester.h"

/* Chains by digest: a re-attestation that sees known digests skips GET_CERTIFICATE. */
struct tsmh_chain_cache {
	/* A chain whose @hash digest is @digest: 0 and a malloc'd copy, or -ENOENT. */
	int (*lookup)(void *ctx, uint32_t hash, const uint8_t *digest, uint8_t **chain,
		      size_t *len);
	/* Remember a chain that verified, and the verifier's record of it. */
	void (*store)(void *ctx, uint32_t hash, const uint8_t *digest, const uint8_t *chain,
		      size_t len, const struct tsmh_chain_rec *rec);
	/*
	 * The verifier's record of the chain whose @hash digest is @digest: 0,
	 * or -ENOENT. NULL: this cache keeps no records (no re-attestation).
	 */
	int (*record)(void *ctx, uint32_t hash, const uint8_t *digest, struct tsmh_chain_rec *rec);
	/*
	 * Non-zero: the cache is the kernel's evidence set of this generation,
	 * and a chain it holds in the slot the record names need not be
	 * copied out to be committed again (the commit keeps it: evidence.h).
	 */
	uint64_t keep_generation;
	void *ctx;
};

/*
 * A cache in the directory open as @dfd (files named by hex digest: the
 * chain DIGEST.spdmchain and the record DIGEST.verified; the caller checked
 * the directory: tsmh_outdir_open(), so only its owner can have written
 * them); entries are read without following symlinks and replaced
 * atomically.
 */
void tsmh_chain_cache_dir(struct tsmh_chain_cache *c, int dfd);

struct tsmh_attest_opts {
	const char *trust; /* PEM file or directory of trust anchors */
	uint8_t slot; /* CHALLENGE and measurement signing slot */
	int no_measurements;
	int reattest; /* see above */
	const struct tsmh_chain_cache *cache; /* may be NULL */
};

struct tsmh_attest_slot {
	uint8_t *chain; /* SPDM chain format */
	size_t len;
	int from_cache;
	int carried; /* re-attestation: from the cache with its record, not verified again */
	int kept; /* committed by keeping the cache's copy (keep_generation): chain may be NULL */
	struct tsmh_leaf_info leaf; /* empty if carried */
	struct tsmh_chain_rec rec; /* the verifier's record (have_rec) */
	int have_rec;
};

struct tsmh_attest {
	struct spdm_conn_info ci;
	struct spdm_digests digests;
	struct tsmh_attest_slot slot[SPDM_MAX_SLOTS];
	uint8_t fetched, cached, carried; /* slot masks */
	uint64_t keep_generation; /* the cache's, if any slot is kept */
	int reattested; /* re-attestation mode: identity by signed measurements, no CHALLENGE */
	char recheck_why[256]; /* why the attested slot's record did not apply, "" */
	struct spdm_challenge_result chal;
	struct spdm_meas_result meas;
	int chal_verified, meas_verified, summary_matched;
	const char *step; /* the step that failed, NULL if none */
};

int tsmh_attest_run(struct spdm_transport *t, const struct tsmh_attest_opts *o,
		    struct tsmh_attest *a, char *why, size_t whylen);
void tsmh_attest_free(struct tsmh_attest *a);

#endif
