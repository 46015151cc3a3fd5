/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Snapshot attested devices into an allow-list, like `usbguard
 * generate-policy`: one allow entry per device with its identity (leaf
 * SPKI SHA-384, CMA SAN, vendor/device IDs, DSN) and its current
 * measurement set, for the administrator to review before installing.
 */
#ifndef TSMD_POLICY_GENERATE_H
#define TSMD_POLICY_GENERATE_H

#include <stddef.h>
#include "allowlist.h"
#include "policy.h"
#include "verdict.h"

struct tsmd_gen_device {
	const struct tsmd_dev_facts *facts;
	const struct tsmd_attest_summary *sum;
};

/*
 * Fill @al (initialised by the caller, possibly non-empty) from @n
 * devices. Devices whose host-cma attestation did not succeed, or whose
 * measurements were not verified, are skipped and counted in *@skipped
 * (may be NULL) with the first reason in @why. Two devices with the same
 * leaf key are an error (-EEXIST): a shared device key is not an
 * identity. @now: the "added" timestamp (may be NULL). Returns the
 * number of entries added or -errno.
 */
int tsmd_allowlist_generate(struct tsmd_allowlist *al, const struct tsmd_gen_device *dev, size_t n,
			    const char *now, size_t *skipped, char *why, size_t whylen);

#endif
