/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * One device attestation, shared by tsmctl and tsmd: VCA, GET_DIGESTS,
 * every provisioned slot's chain (from the cache when its digest is
 * already known, else GET_CERTIFICATE) verified against the trust
 * anchors, CHALLENGE on one slot with its signature verified with that
 * slot's leaf key, and all measurement blocks signed with a fresh nonce,
 * verified likewise and checked against CHALLENGE_AUTH's measurement
 * summary hash. The first failure stops the run and names the step.
 */
#ifndef TSMH_ATTEST_ATTEST_H
#define TSMH_ATTEST_ATTEST_H

#include <stddef.h>
#include <stdint.h>
#include "chain.h"
#include "requester.h"

/* Chains by digest: a re-attestation that sees known digests skips GET_CERTIFICATE. */
struct tsmh_chain_cache {
	/* A chain whose @hash digest is @digest: 0 and a malloc'd copy, or -ENOENT. */
	int (*lookup)(void *ctx, uint32_t hash, const uint8_t *digest, uint8_t **chain,
		      size_t *len);
	/* Remember a chain that verified. */
	void (*store)(void *ctx, uint32_t hash, const uint8_t *digest, const uint8_t *chain,
		      size_t len);
	void *ctx;
};

/* A cache in directory @dir (files named by hex digest), created if missing. */
void tsmh_chain_cache_dir(struct tsmh_chain_cache *c, const char *dir);

struct tsmh_attest_opts {
	const char *trust; /* PEM file or directory of trust anchors */
	uint8_t slot; /* CHALLENGE and measurement signing slot */
	int no_measurements;
	const struct tsmh_chain_cache *cache; /* may be NULL */
};

struct tsmh_attest_slot {
	uint8_t *chain; /* SPDM chain format */
	size_t len;
	int from_cache;
	struct tsmh_leaf_info leaf;
};

struct tsmh_attest {
	struct spdm_conn_info ci;
	struct spdm_digests digests;
	struct tsmh_attest_slot slot[SPDM_MAX_SLOTS];
	uint8_t fetched, cached; /* slot masks */
	struct spdm_challenge_result chal;
	struct spdm_meas_result meas;
	int chal_verified, meas_verified, summary_matched;
	const char *step; /* the step that failed, NULL if none */
};

int tsmh_attest_run(struct spdm_transport *t, const struct tsmh_attest_opts *o,
		    struct tsmh_attest *a, char *why, size_t whylen);
void tsmh_attest_free(struct tsmh_attest *a);

#endif
