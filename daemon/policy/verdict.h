/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The release decision for one device: policy rule + allow-list + device
 * facts + what attestation found -> RELEASE or HOLD, a machine code, a
 * reason for humans, and on RELEASE after attestation the accepted
 * digest the daemon stores in the kernel (TSMH_A_ACCEPT_DIGEST) to
 * recognise "identical after reset" without the allow-list.
 *
 * Accepted digest (version 1), SHA-384 over:
 *   "tsmd-accept-v1" (14 bytes, no NUL)
 *   spki_sha384 (48 bytes)
 *   count of blocks (u16, big-endian)
 *   per block, in ascending index order:
 *     index (u8) | type (u8, DMTF value type incl. raw bit) |
 *     length (u16, big-endian) | value (length bytes)
 * A certificate-only release uses the blocks measured (possibly none).
 */
#ifndef TSMD_POLICY_VERDICT_H
#define TSMD_POLICY_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include "allowlist.h"
#include "meas.h"
#include "policy.h"

#define TSMD_ACCEPT_DIGEST_LEN 48
#define TSMD_ACCEPT_TAG	       "tsmd-accept-v1"
#define TSMD_REASON_MAX	       320

/* One source's outcome, as the daemon (or a firmware TSM backend) reports it. */
enum tsmd_src_state {
	TSMD_SRC_UNAVAILABLE, /* not on this host (no such backend) */
	TSMD_SRC_NOT_RUN, /* available but not attempted */
	TSMD_SRC_FAILED, /* attempted and failed: why says which step */
	TSMD_SRC_OK, /* verified */
};

struct tsmd_src_result {
	enum tsmd_src_state state;
	char why[TSMD_REASON_MAX];
};

/*
 * What attestation produced. For host-cma, src[TSMD_SRC_HOST_CMA] says
 * whether the SPDM run succeeded (chain verified to a trust anchor and
 * CHALLENGE signature verified); the evidence fields below are its
 * output. Firmware sources only report their state for now.
 */
struct tsmd_attest_summary {
	struct tsmd_src_result src[TSMD_SRC_NR];
	const char *step; /* failed step of host-cma, e.g. "CHALLENGE" */
	int has_spki;
	uint8_t spki_sha384[TSMD_SPKI_HASH_LEN];
	const char *identity; /* CMA SAN string, NULL if the leaf has none */
	int meas_verified; /* measurements signed, signature verified, summary matched */
	size_t nr_blocks;
	const struct tsmd_meas_block *blocks;
};

enum tsmd_vcode {
	TSMD_V_RELEASE_EXEMPT, /* released by an exempt rule, not attested */
	TSMD_V_RELEASE_ATTESTED, /* verified and accepted */
	TSMD_V_HOLD_DENY_RULE, /* require: deny */
	TSMD_V_HOLD_DENY_ENTRY, /* a deny entry in the allow-list matches */
	TSMD_V_HOLD_UNKNOWN, /* attested, but not in the allow-list */
	TSMD_V_HOLD_ATTEST_FAILED, /* host-cma attestation failed */
	TSMD_V_HOLD_NOT_ATTESTED, /* attestation needed but not run */
	TSMD_V_HOLD_NO_IDENTITY, /* a rule needs the identity, attestation gave none */
	TSMD_V_HOLD_MEAS_UNVERIFIED, /* measurements missing or not signed/verified */
	TSMD_V_HOLD_MEAS_NONE_ACCEPTED, /* the entry has no measurement set */
	TSMD_V_HOLD_MEAS_CHANGED, /* matches no accepted set */
	TSMD_V_HOLD_IDE_FAILED, /* require: ide, and the IDE connect failed (the daemon says why) */
	TSMD_V_HOLD_SOURCE_UNAVAILABLE, /* a required source does not exist here */
	TSMD_V_HOLD_SOURCE_FAILED, /* a required (non host-cma) source failed */
	TSMD_V_NR,
};

struct tsmd_verdict {
	int release; /* 1: RELEASE, 0: HOLD */
	enum tsmd_vcode code;
	char reason[TSMD_REASON_MAX];
	const struct tsmd_rule *rule; /* the rule that decided (may be &policy->def) */
	const struct tsmd_al_entry *entry; /* allow-list entry used, NULL if none */
	int set; /* index of the accepted measurement set, -1 if none */
	size_t digest_len; /* TSMD_ACCEPT_DIGEST_LEN on attested RELEASE, else 0 */
	uint8_t digest[TSMD_ACCEPT_DIGEST_LEN];
	struct tsmd_meas_diff changed; /* on MEAS_CHANGED: vs the closest accepted set */
	/*
	 * require: ide. On RELEASE: the measurements passed, and the device
	 * may be released only once it is connected with an IDE stream that
	 * reads SECURE (the daemon connects first; a caller that cannot
	 * connect must hold it with TSMD_V_HOLD_IDE_FAILED).
	 */
	int need_ide;
};

/* "release-exempt", "hold-unknown", ... (stable, for logs and events) */
const char *tsmd_vcode_name(enum tsmd_vcode c);

/*
 * Decide for @d under @rule (from tsmd_policy_match(), possibly
 * &policy->def). @s may be NULL when not attested (only exempt and deny
 * then decide; anything else holds). Never releases on missing data.
 */
void tsmd_verdict(const struct tsmd_rule *rule, const struct tsmd_allowlist *al,
		  const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
		  struct tsmd_verdict *v);

/*
 * Both phases: match with the summary's identity (@s NULL: before
 * attestation). Returns TSMD_MATCH_ATTEST (with *@v holding) when the
 * daemon must attest first; else TSMD_MATCH_DECIDED and the verdict. A
 * rule keyed on identity that cannot be evaluated after attestation
 * (attestation failed) holds the device.
 */
int tsmd_decide(const struct tsmd_policy *p, const struct tsmd_allowlist *al,
		const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
		struct tsmd_verdict *v);

/*
 * How the listed sources of @rule combine over @res: 0 if satisfied, else
 * -EACCES with @why naming the source(s) at fault and *@code set.
 */
int tsmd_combine_sources(const struct tsmd_rule *rule, const struct tsmd_src_result *res,
			 enum tsmd_vcode *code, char *why, size_t whylen);

/* The accepted digest (see above) into @out (48 bytes); 0 or -EINVAL/-ENOMEM. */
int tsmd_accept_digest(const uint8_t spki_sha384[TSMD_SPKI_HASH_LEN],
		       const struct tsmd_meas_block *b, size_t nr, uint8_t *out);

/*
 * Compare a previous summary (@old, e.g. the accepted one) with a new one:
 * the measurement indices that changed into @d, and a line naming them
 * (and a key change) into @msg. Returns the number of changed indices,
 * plus 1 if the leaf key changed.
 */
int tsmd_summary_diff(const struct tsmd_attest_summary *old, const struct tsmd_attest_summary *cur,
		      struct tsmd_meas_diff *d, char *msg, size_t msglen);

/* The device's identity as the allow-list sees it (SPKI, SAN, IDs, DSN). */
void tsmd_device_identity(const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
			  struct tsmd_identity *id);

#endif
