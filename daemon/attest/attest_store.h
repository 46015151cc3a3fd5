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
};

/* 0 (an empty cache if the kernel holds nothing), or -errno with @why. */
int kernel_cache_load(struct kernel_cache *kc, struct tsmh_nl *nl, const char *dev, char *why,
		      size_t whylen);
void kernel_cache_free(struct kernel_cache *kc);
/* The cache over @ev, read by the caller (tests, fuzzers); @kc owns its objects. */
void kernel_cache_from(struct kernel_cache *kc, const struct tsmh_evidence *ev);

#endif
