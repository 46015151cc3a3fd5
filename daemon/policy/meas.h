/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Measurement blocks as policy sees them (index, DMTF value type, value)
 * and the comparisons on sets of them: type names for the JSON files,
 * canonical order, "equal set" and "which indices differ".
 */
#ifndef TSMD_POLICY_MEAS_H
#define TSMD_POLICY_MEAS_H

#include <stddef.h>
#include <stdint.h>

#define TSMD_MEAS_VALUE_MAX 65535
#define TSMD_MEAS_RAW	    0x80 /* DMTF "raw bit stream" bit of the value type */

struct tsmd_meas_block {
	uint8_t index; /* SPDM measurement index 1..0xfe */
	uint8_t type; /* DMTFSpecMeasurementValueType incl. TSMD_MEAS_RAW */
	uint16_t len;
	const uint8_t *value;
};

/* Indices named as a bitmap, e.g. the ones that changed. */
struct tsmd_meas_diff {
	uint8_t bits[32];
	int nr;
};

/*
 * The JSON name of a type: "rom", "firmware", "hw-config", "fw-config",
 * "manifest", "mode", "version", "svn" or "type-N" (N decimal, 0..127),
 * with "raw:" in front when TSMD_MEAS_RAW is set. @buf: >= 24 bytes.
 */
const char *tsmd_meas_type_name(uint8_t type, char *buf);
/* The inverse; 0 or -EINVAL. */
int tsmd_meas_type_parse(const char *s, uint8_t *type);

/* Sort @b by index (stable for equal indices). */
void tsmd_meas_sort(struct tsmd_meas_block *b, size_t nr);
/* Find index @idx in @b, NULL if absent. */
const struct tsmd_meas_block *tsmd_meas_find(const struct tsmd_meas_block *b, size_t nr,
					     uint8_t idx);
/*
 * Which indices differ between @a and @b (present in one only, or with a
 * different type or value). Returns the number of differing indices.
 */
int tsmd_meas_compare(const struct tsmd_meas_block *a, size_t na, const struct tsmd_meas_block *b,
		      size_t nb, struct tsmd_meas_diff *d);
static inline int tsmd_meas_diff_has(const struct tsmd_meas_diff *d, uint8_t idx)
{
	return d->bits[idx / 8] >> (idx % 8) & 1;
}
/*
 * One line naming the differences, e.g. "measurement 2 (firmware)
 * changed: accepted 1a2b3c4d…, now 9f8e7d6c…; measurement 3 added".
 * @a is the accepted (old) set, @b the current one.
 */
void tsmd_meas_describe(const struct tsmd_meas_block *a, size_t na, const struct tsmd_meas_block *b,
			size_t nb, char *out, size_t outlen);

#endif
