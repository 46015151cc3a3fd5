/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef TSMH_ATTEST_STORE_H
#define TSMH_ATTEST_STORE_H

#include <linux/tsmh.h>
#include "attest.h"
#include "evidence.h"

/* Commit @a's evidence for @dev to the kernel; 0 or -errno with @why. */
int attest_store(struct tsmh_nl *nl, const char *dev, const struct tsmh_attest *a,
		 uint64_t *generation, char *why, size_t whylen);

/* The chains the kernel holds for a device, as a tsmh_chain_cache. */
struct kernel_cache {
	struct tsmh_chain_cache cache;
	struct tsmh_evidence ev;
	struct tsmh_chain_rec recs[TSMH_CHAIN_REC_MAX]; /* object "verified", parsed */
	int nr_recs, recs_parsed;
	uint8_t dg[SPDM_MAX_SLOTS][SPDM_MAX_HASH]; /* certN's digest in dg_hash[N], if set */
	uint32_t dg_hash[SPDM_MAX_SLOTS];
	struct tsmh_nl *nl; /* lazy: read objects when asked for */
	const char *dev;
	uint32_t have; /* BIT(type) read (or asked for) so far */
};

/*
 * 0 (an empty cache if the kernel holds nothing), or -errno with @why.
 * @lazy (re-attestation): only the record (object "verified") is read now,
 * a chain when it is looked up, and the cache keeps chains where they are
 * (keep_generation) instead of having them uploaded again; @nl and @dev
 * must stay valid while the cache is used.
 */
int kernel_cache_load(struct kernel_cache *kc, struct tsmh_nl *nl, const char *dev, int lazy,
		      char *why, size_t whylen);
void kernel_cache_free(struct kernel_cache *kc);
/* The cache over @ev, read by the caller (tests, fuzzers); @kc owns its objects. */
void kernel_cache_from(struct kernel_cache *kc, const struct tsmh_evidence *ev);

#endif
