// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Measurement blocks: type names, order, comparison. See meas.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hex.h"
#include "meas.h"

static const char *const type_names[] = {
	"rom", "firmware", "hw-config", "fw-config", "manifest", "mode", "version", "svn",
};

#define NR_NAMES (sizeof(type_names) / sizeof(type_names[0]))

const char *tsmd_meas_type_name(uint8_t type, char *buf)
{
	const char *raw = type & TSMD_MEAS_RAW ? "raw:" : "";
	uint8_t t = type & 0x7f;

	if (t < NR_NAMES)
		snprintf(buf, 24, "%s%s", raw, type_names[t]);
	else
		snprintf(buf, 24, "%stype-%u", raw, t);
	return buf;
}

int tsmd_meas_type_parse(const char *s, uint8_t *type)
{
	uint8_t raw = 0;
	size_t i;

	if (!strncmp(s, "raw:", 4)) {
		raw = TSMD_MEAS_RAW;
		s += 4;
	}
	for (i = 0; i < NR_NAMES; i++) {
		if (!strcmp(s, type_names[i])) {
			*type = raw | (uint8_t)i;
			return 0;
		}
	}
	if (!strncmp(s, "type-", 5) && s[5]) {
		unsigned v = 0;

		for (s += 5; *s; s++) {
			if (*s < '0' || *s > '9' || v > 127)
				return -EINVAL;
			v = v * 10 + (unsigned)(*s - '0');
		}
		if (v > 127)
			return -EINVAL;
		*type = raw | (uint8_t)v;
		return 0;
	}
	return -EINVAL;
}

void tsmd_meas_sort(struct tsmd_meas_block *b, size_t nr)
{
	size_t i, j;

	/* insertion sort: stable, and sets are small (<= 254 blocks) */
	for (i = 1; i < nr; i++) {
		struct tsmd_meas_block x = b[i];

		for (j = i; j > 0 && b[j - 1].index > x.index; j--)
			b[j] = b[j - 1];
		b[j] = x;
	}
}

const struct tsmd_meas_block *tsmd_meas_find(const struct tsmd_meas_block *b, size_t nr,
					     uint8_t idx)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (b[i].index == idx)
			return &b[i];
	return NULL;
}

static int block_eq(const struct tsmd_meas_block *x, const struct tsmd_meas_block *y)
{
	return x->type == y->type && x->len == y->len &&
	       (!x->len || !memcmp(x->value, y->value, x->len));
}

static void mark(struct tsmd_meas_diff *d, uint8_t idx)
{
	if (!tsmd_meas_diff_has(d, idx)) {
		d->bits[idx / 8] |= (uint8_t)(1u << (idx % 8));
		d->nr++;
	}
}

int tsmd_meas_compare(const struct tsmd_meas_block *a, size_t na, const struct tsmd_meas_block *b,
		      size_t nb, struct tsmd_meas_diff *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < na; i++) {
		const struct tsmd_meas_block *o = tsmd_meas_find(b, nb, a[i].index);

		if (!o || !block_eq(&a[i], o))
			mark(d, a[i].index);
	}
	for (i = 0; i < nb; i++)
		if (!tsmd_meas_find(a, na, b[i].index))
			mark(d, b[i].index);
	return d->nr;
}

static void short_hex(const struct tsmd_meas_block *b, char *out)
{
	size_t n = b->len < 4 ? b->len : 4;

	tsmh_hex_format(b->value, n, out);
	if (b->len > 4)
		strcpy(out + 2 * n, "\u2026");
	if (!b->len)
		strcpy(out, "(empty)");
}

void tsmd_meas_describe(const struct tsmd_meas_block *a, size_t na, const struct tsmd_meas_block *b,
			size_t nb, char *out, size_t outlen)
{
	struct tsmd_meas_diff d;
	size_t used = 0;
	int idx;

	out[0] = 0;
	if (!tsmd_meas_compare(a, na, b, nb, &d)) {
		snprintf(out, outlen, "measurements unchanged");
		return;
	}
	for (idx = 0; idx < 256 && used < outlen; idx++) {
		const struct tsmd_meas_block *x, *y;
		char t[24], h1[16], h2[16];
		const char *sep = used ? "; " : "";

		if (!tsmd_meas_diff_has(&d, (uint8_t)idx))
			continue;
		x = tsmd_meas_find(a, na, (uint8_t)idx);
		y = tsmd_meas_find(b, nb, (uint8_t)idx);
		if (x && y) {
			short_hex(x, h1);
			short_hex(y, h2);
			if (x->type != y->type) {
				char t2[24];

				used += (size_t)snprintf(
					out + used, outlen - used,
					"%smeasurement %d type changed: accepted %s, now %s", sep,
					idx, tsmd_meas_type_name(x->type, t),
					tsmd_meas_type_name(y->type, t2));
			} else {
				used += (size_t)snprintf(
					out + used, outlen - used,
					"%smeasurement %d (%s) changed: accepted %s, now %s", sep,
					idx, tsmd_meas_type_name(y->type, t), h1, h2);
			}
		} else if (y) {
			used += (size_t)snprintf(out + used, outlen - used,
						 "%smeasurement %d (%s) added", sep, idx,
						 tsmd_meas_type_name(y->type, t));
		} else {
			used += (size_t)snprintf(out + used, outlen - used,
						 "%smeasurement %d (%s) missing", sep, idx,
						 tsmd_meas_type_name(x->type, t));
		}
	}
}
