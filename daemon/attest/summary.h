/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What one attestation established about a device, as the attestation
 * worker hands it to the tsmd main loop: a JSON object on a pipe. Only
 * verified facts are in it (identity from a chain that verified, blocks
 * from a signature that verified); a failure carries the step and reason.
 */
#ifndef TSMD_SUMMARY_H
#define TSMD_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#define TSMD_MAX_BLOCKS 64
#define TSMD_MAX_VALUE	256

struct tsmd_block {
	uint8_t index;
	uint8_t type; /* DMTFSpecMeasurementValueType, bit 7: raw */
	uint16_t len;
	uint8_t value[TSMD_MAX_VALUE];
};

struct tsmd_summary {
	int ok; /* every requested check passed */
	char step[64]; /* failed step, "" if ok */
	char why[512]; /* failure reason, "" if ok */
	uint8_t spki_sha384[48]; /* leaf key of the attested slot */
	char identity[256]; /* the leaf's CMA SAN identity */
	char subject[256];
	uint8_t slot;
	int meas_verified;
	int reattested; /* a re-attestation (attest.h): no CHALLENGE, known chain re-checked */
	int nr_blocks;
	struct tsmd_block blocks[TSMD_MAX_BLOCKS];
	uint64_t generation; /* kernel evidence generation committed, 0: none */
};

struct tsmh_attest;

/* Fill @s from a finished attestation on @slot (ret 0 or -errno, @why). */
void tsmd_summary_from_attest(struct tsmd_summary *s, const struct tsmh_attest *a, uint8_t slot,
			      int ret, const char *step, const char *why, uint64_t generation);
/* A malloc'd JSON text of @s, or NULL. */
char *tsmd_summary_encode(const struct tsmd_summary *s);
/* Parse @len bytes; 0, or -EINVAL with @err saying what was wrong. */
int tsmd_summary_decode(const char *buf, size_t len, struct tsmd_summary *s, char *err,
			size_t errlen);

/* The policy library's view of @s and of @info (daemon/policy/verdict.h). */
struct tsmd_attest_summary;
struct tsmd_meas_block;
struct tsmd_dev_facts;
struct tsmh_devinfo;
/* @blocks: room for TSMD_MAX_BLOCKS; @as points into @s and @blocks. */
void tsmd_summary_view(const struct tsmd_summary *s, struct tsmd_meas_block *blocks,
		       struct tsmd_attest_summary *as);
/* @f->name points into @info. */
void tsmd_facts_of(const struct tsmh_devinfo *info, struct tsmd_dev_facts *f);
/* Now as RFC 3339 UTC ("2026-11-23T10:00:00Z"), the allow-list's "added". */
void tsmd_now_rfc3339(char *buf, size_t len);

#endif
