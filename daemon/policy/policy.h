/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmd's policy file (default /etc/tsmd/tsmd.conf, JSON; man tsmd.conf(5)):
 * where the trust anchors and the allow-list are, the default requirement,
 * what to do with devices already bound at start, limits, and an ordered
 * list of rules matching devices by IDs, class, slot and CMA identity.
 *
 * Loading is strict: unknown keys, wrong types, bad hex and out-of-range
 * numbers are errors naming the file and the JSON path. No global state.
 */
#ifndef TSMD_POLICY_POLICY_H
#define TSMD_POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define TSMD_POLICY_PATH      "/etc/tsmd/tsmd.conf"
#define TSMD_ALLOWLIST_PATH   "/var/lib/tsmd/allow-list.json"
#define TSMD_POLICY_FILE_MAX  (1u << 20)
#define TSMD_POLICY_RULES_MAX 1024
#define TSMD_IDENTITY_MAX     255 /* the CMA SAN string and its glob */

/* Requirement levels, weakest first. */
enum tsmd_req {
	TSMD_REQ_EXEMPT, /* release without attesting */
	TSMD_REQ_DENY, /* never release */
	TSMD_REQ_CERTIFICATE, /* chain + CHALLENGE + identity allowed in the allow-list */
	TSMD_REQ_MEASUREMENTS, /* certificate + an accepted measurement set */
	TSMD_REQ_IDE, /* measurements, then connected with a SECURE IDE stream */
	TSMD_REQ_NR,
};

/* Where attestation results come from. */
enum tsmd_source {
	TSMD_SRC_HOST_CMA, /* tsmd's own SPDM requester over the DOE proxy */
	TSMD_SRC_FIRMWARE_TSM, /* a platform TSM (SEV-TIO, TDX Connect, CCA) */
	TSMD_SRC_NR,
};

/* How per-source results combine. */
enum tsmd_combine {
	TSMD_COMBINE_ALL, /* every listed source must pass */
	TSMD_COMBINE_ANY, /* one listed source passing is enough */
	TSMD_COMBINE_NAMED, /* the source in combine_source decides */
};

enum tsmd_present {
	TSMD_PRESENT_APPLY, /* "apply-policy": like a new device */
	TSMD_PRESENT_KEEP, /* "keep": leave bound; attest and report only */
	TSMD_PRESENT_ALLOW, /* "allow": leave bound, no attestation */
};

/* Which match keys a rule has. */
#define TSMD_M_VENDOR	(1u << 0)
#define TSMD_M_DEVICE	(1u << 1)
#define TSMD_M_CLASS	(1u << 2)
#define TSMD_M_SLOT	(1u << 3)
#define TSMD_M_IDENTITY (1u << 4)

struct tsmd_match {
	unsigned has; /* TSMD_M_* */
	uint16_t vendor, device;
	uint32_t class_val, class_mask; /* 24-bit class code; mask 0xf per fixed nibble */
	char *slot; /* fnmatch() glob over the PCI name */
	char *identity; /* fnmatch() glob over the leaf's CMA SAN identity */
};

struct tsmd_rule {
	int index; /* position in "rules", for messages */
	char *comment;
	struct tsmd_match match;
	enum tsmd_req req;
	unsigned sources; /* BIT(enum tsmd_source); default host-cma */
	enum tsmd_combine combine;
	enum tsmd_source combine_source; /* TSMD_COMBINE_NAMED */
};

struct tsmd_policy {
	char *trust_anchors; /* PEM file or directory */
	char *allow_list;
	struct tsmd_rule def; /* "default" as a rule with no match keys, index -1 */
	enum tsmd_present present;
	unsigned attest_timeout_ms; /* 100..600000, default 15000 */
	unsigned max_parallel; /* 1..256, default 8 */
	size_t nr_rules;
	struct tsmd_rule *rules;
};

/* What the daemon knows about a device before attesting it. */
struct tsmd_dev_facts {
	const char *name; /* PCI name "DDDD:BB:DD.F" */
	uint16_t vendor, device;
	uint32_t class_code; /* 24 bits: base, sub, prog-if (TSMH_A_DEV_CLASS >> 8) */
	int has_serial;
	uint64_t serial; /* PCIe Device Serial Number */
	uint32_t flags; /* TSMH_DEV_F_* (TEE-IO, CMA, ...) */
};

/*
 * Parse @len bytes of policy text; @file names the source in messages.
 * On error *@p is left empty (tsmd_policy_free() is still safe).
 */
int tsmd_policy_parse(const char *text, size_t len, const char *file, struct tsmd_policy *p,
		      char *why, size_t whylen);
/* Read and parse @path (NULL: TSMD_POLICY_PATH). A missing file is an error. */
int tsmd_policy_load(const char *path, struct tsmd_policy *p, char *why, size_t whylen);
void tsmd_policy_free(struct tsmd_policy *p);

/* Return values of tsmd_policy_match() */
#define TSMD_MATCH_DECIDED 0
#define TSMD_MATCH_ATTEST  1 /* a rule keyed on identity comes first: attest, then match again */

/*
 * Find the rule for @d. @identity: the leaf certificate's CMA SAN
 * identity once attested, NULL while unknown. Rules are tried in order;
 * the first whose every given key matches wins; none: the default.
 *
 * Before attestation (@identity NULL), a rule with an "identity" key
 * whose other keys match cannot be decided: the result is
 * TSMD_MATCH_ATTEST with *@rule pointing at it, and the daemon must
 * attest and call again with the identity. Otherwise TSMD_MATCH_DECIDED
 * and *@rule is the deciding rule (possibly &p->def): an exempt or deny
 * rule keyed on IDs, class or slot only decides without attesting.
 */
int tsmd_policy_match(const struct tsmd_policy *p, const struct tsmd_dev_facts *d,
		      const char *identity, const struct tsmd_rule **rule);

const char *tsmd_req_name(enum tsmd_req r);
const char *tsmd_source_name(enum tsmd_source s);
const char *tsmd_present_name(enum tsmd_present pr);
/* "rule 3" or "the default" (0-based rule indices print 1-based: rules[0] is "rule 1"). */
const char *tsmd_rule_name(const struct tsmd_rule *r, char *buf, size_t len);

#endif
