// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The verifier's record of chains that verified. See chainrec.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chainrec.h"
#include "hex.h"
#include "spdm.h"

#define HEADER "tsmh-chain-verified 1\n"

static const struct {
	uint32_t bit;
	const char *name;
} hashes[] = {
	{ SPDM_HASH_SHA256, "sha256" },
	{ SPDM_HASH_SHA384, "sha384" },
	{ SPDM_HASH_SHA512, "sha512" },
};

static const char *hash_word(uint32_t bit)
{
	size_t i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].bit == bit)
			return hashes[i].name;
	return NULL;
}

size_t tsmh_chain_rec_format(const struct tsmh_chain_rec *r, int n, char *out, size_t len)
{
	char dg[2 * SPDM_MAX_HASH + 1], an[2 * 32 + 1];
	size_t o = 0;
	int i, w;

	w = snprintf(out, len, "%s", HEADER);
	if (w < 0 || (size_t)w >= len)
		return 0;
	o = (size_t)w;
	for (i = 0; i < n; i++) {
		const char *h = hash_word(r[i].hash);

		if (!h || r[i].slot >= SPDM_MAX_SLOTS)
			return 0;
		tsmh_hex_format(r[i].digest, spdm_hash_len(r[i].hash), dg);
		tsmh_hex_format(r[i].anchor_sha256, sizeof(r[i].anchor_sha256), an);
		w = snprintf(out + o, len - o,
			     "slot %u %s %s anchor-sha256 %s not-before %" PRId64
			     " not-after %" PRId64 "\n",
			     r[i].slot, h, dg, an, r[i].not_before, r[i].not_after);
		if (w < 0 || (size_t)w >= len - o)
			return 0;
		o += (size_t)w;
	}
	return o;
}

/* One hex field of exactly @n bytes at *@p, then a space or the end. */
static int hex_field(const char **p, const char *end, uint8_t *out, size_t n)
{
	size_t i;

	if ((size_t)(end - *p) < 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = tsmh_hex_digit((*p)[2 * i]), lo = tsmh_hex_digit((*p)[2 * i + 1]);

		/* lowercase only: one spelling per record */
		if (hi < 0 || lo < 0 || ((*p)[2 * i] >= 'A' && (*p)[2 * i] <= 'F') ||
		    ((*p)[2 * i + 1] >= 'A' && (*p)[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*p += 2 * n;
	return 0;
}

/* The literal @w at *@p. */
static int word(const char **p, const char *end, const char *w)
{
	size_t l = strlen(w);

	if ((size_t)(end - *p) < l || memcmp(*p, w, l))
		return -1;
	*p += l;
	return 0;
}

/* A decimal integer, optionally negative, no leading zeros, fits int64. */
static int num(const char **p, const char *end, int64_t *v)
{
	const char *s = *p;
	int neg = 0;
	uint64_t u = 0, lim;

	if (s < end && *s == '-')
		neg = 1, s++;
	if (s >= end || *s < '0' || *s > '9' ||
	    (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9'))
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (u > (lim - (uint64_t)(*s - '0')) / 10)
			return -1;
		u = u * 10 + (uint64_t)(*s - '0');
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	*p = s;
	return 0;
}

static int parse_line(const char *p, const char *end, struct tsmh_chain_rec *r, const char **what)
{
	int64_t v;
	size_t i;

	memset(r, 0, sizeof(*r));
	*what = "'slot N'";
	if (word(&p, end, "slot ") || num(&p, end, &v) || v < 0 || v >= SPDM_MAX_SLOTS ||
	    word(&p, end, " "))
		return -1;
	r->slot = (uint8_t)v;
	*what = "a hash name (sha256, sha384, sha512)";
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (!word(&p, end, hashes[i].name)) {
			r->hash = hashes[i].bit;
			break;
		}
	if (!r->hash || word(&p, end, " "))
		return -1;
	*what = "the chain digest in lowercase hex of the hash's length";
	if (hex_field(&p, end, r->digest, spdm_hash_len(r->hash)))
		return -1;
	*what = "' anchor-sha256 ' and 64 lowercase hex digits";
	if (word(&p, end, " anchor-sha256 ") ||
	    hex_field(&p, end, r->anchor_sha256, sizeof(r->anchor_sha256)))
		return -1;
	*what = "' not-before ' and seconds";
	if (word(&p, end, " not-before ") || num(&p, end, &r->not_before))
		return -1;
	*what = "' not-after ' and seconds";
	if (word(&p, end, " not-after ") || num(&p, end, &r->not_after))
		return -1;
	*what = "the end of the line";
	if (p != end)
		return -1;
	*what = "not-before <= not-after";
	return r->not_before <= r->not_after ? 0 : -1;
}

int tsmh_chain_rec_parse(const char *buf, size_t len, struct tsmh_chain_rec *r, int *n, char *why,
			 size_t whylen)
{
	const char *p = buf, *end = buf + len;
	int line = 1;

	*n = 0;
	if (len < strlen(HEADER) || memcmp(buf, HEADER, strlen(HEADER))) {
		snprintf(why, whylen, "line 1: not 'tsmh-chain-verified 1'");
		return -EBADMSG;
	}
	p += strlen(HEADER);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *what;
		int i;

		line++;
		if (!nl) {
			snprintf(why, whylen, "line %d: no newline at its end", line);
			return -EBADMSG;
		}
		if (*n == TSMH_CHAIN_REC_MAX) {
			snprintf(why, whylen, "line %d: more than %d records", line,
				 TSMH_CHAIN_REC_MAX);
			return -EBADMSG;
		}
		if (parse_line(p, nl, &r[*n], &what)) {
			snprintf(why, whylen, "line %d: expected %s", line, what);
			return -EBADMSG;
		}
		for (i = 0; i < *n; i++)
			if (r[i].slot == r[*n].slot) {
				snprintf(why, whylen, "line %d: a second record for slot %u", line,
					 r[i].slot);
				return -EBADMSG;
			}
		(*n)++;
		p = nl + 1;
	}
	return 0;
}

const struct tsmh_chain_rec *tsmh_chain_rec_find(const struct tsmh_chain_rec *r, int n,
						 uint32_t hash, const uint8_t *digest)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].hash == hash && !memcmp(r[i].digest, digest, spdm_hash_len(hash)))
			return &r[i];
	return NULL;
}
