// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd: attestation summaries between the worker and the main loop.
 * See summary.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "attest.h"
#include "devinfo.h"
#include "hex.h"
#include "sig.h"
#include "summary.h"
#include "verdict.h"

void tsmd_summary_from_attest(struct tsmd_summary *s, const struct tsmh_attest *a, uint8_t slot,
			      int ret, const char *step, const char *why, uint64_t generation)
{
	const struct tsmh_attest_slot *sl;
	int i;

	memset(s, 0, sizeof(*s));
	s->ok = !ret;
	if (ret) {
		snprintf(s->step, sizeof(s->step), "%s", step ? step : "attest");
		snprintf(s->why, sizeof(s->why), "%s", why ? why : strerror(-ret));
		return;
	}
	s->slot = slot;
	sl = &a->slot[s->slot];
	memcpy(s->spki_sha384, sl->leaf.spki_sha384, sizeof(s->spki_sha384));
	snprintf(s->identity, sizeof(s->identity), "%s", sl->leaf.identity);
	snprintf(s->subject, sizeof(s->subject), "%s", sl->leaf.subject);
	s->meas_verified = a->meas_verified;
	s->reattested = a->reattested;
	for (i = 0; a->meas_verified && i < a->meas.nr_blocks && i < TSMD_MAX_BLOCKS; i++) {
		const struct spdm_meas_block *b = &a->meas.blocks[i];
		struct tsmd_block *o = &s->blocks[s->nr_blocks];

		o->index = b->index;
		o->type = b->type;
		/* a long raw block is kept as its SHA-384 (type keeps the raw bit) */
		if (b->value_len > TSMD_MAX_VALUE) {
			if (tsmh_hash(SPDM_HASH_SHA384, b->value, b->value_len, o->value) != 48)
				continue;
			o->len = 48;
		} else {
			memcpy(o->value, b->value, b->value_len);
			o->len = b->value_len;
		}
		s->nr_blocks++;
	}
	s->generation = generation;
}

char *tsmd_summary_encode(const struct tsmd_summary *s)
{
	cJSON *j = cJSON_CreateObject(), *arr, *o;
	char hx[2 * TSMD_MAX_VALUE + 1];
	char *out;
	int i;

	if (!j)
		return NULL;
	cJSON_AddBoolToObject(j, "ok", s->ok);
	cJSON_AddStringToObject(j, "step", s->step);
	cJSON_AddStringToObject(j, "why", s->why);
	tsmh_hex_format(s->spki_sha384, sizeof(s->spki_sha384), hx);
	cJSON_AddStringToObject(j, "spki_sha384", s->ok ? hx : "");
	cJSON_AddStringToObject(j, "identity", s->identity);
	cJSON_AddStringToObject(j, "subject", s->subject);
	cJSON_AddNumberToObject(j, "slot", s->slot);
	cJSON_AddBoolToObject(j, "meas_verified", s->meas_verified);
	cJSON_AddBoolToObject(j, "reattested", s->reattested);
	cJSON_AddNumberToObject(j, "generation", (double)s->generation);
	arr = cJSON_AddArrayToObject(j, "blocks");
	for (i = 0; arr && i < s->nr_blocks; i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "index", s->blocks[i].index);
		cJSON_AddNumberToObject(o, "type", s->blocks[i].type);
		tsmh_hex_format(s->blocks[i].value, s->blocks[i].len, hx);
		cJSON_AddStringToObject(o, "value", hx);
		cJSON_AddItemToArray(arr, o);
	}
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num(const cJSON *j, const char *key, double max, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max)
		return -1;
	*out = v->valuedouble;
	return 0;
}

int tsmd_summary_decode(const char *buf, size_t len, struct tsmd_summary *s, char *err,
			size_t errlen)
{
	cJSON *j = cJSON_ParseWithLength(buf, len), *arr, *o;
	const char *step, *why, *id, *subj, *spki, *herr;
	double d;
	int ret = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (!cJSON_IsObject(j)) {
		ret = bad(err, errlen, "worker result is not a JSON object");
		goto out;
	}
	step = str(j, "step");
	why = str(j, "why");
	id = str(j, "identity");
	subj = str(j, "subject");
	spki = str(j, "spki_sha384");
	if (!step || !why || !id || !subj || !spki) {
		ret = bad(err, errlen, "worker result lacks a string field");
		goto out;
	}
	s->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "ok"));
	s->meas_verified = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "meas_verified"));
	s->reattested = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "reattested"));
	snprintf(s->step, sizeof(s->step), "%s", step);
	snprintf(s->why, sizeof(s->why), "%s", why);
	snprintf(s->identity, sizeof(s->identity), "%s", id);
	snprintf(s->subject, sizeof(s->subject), "%s", subj);
	if (s->ok && tsmh_hex_parse(spki, s->spki_sha384, sizeof(s->spki_sha384), &herr) != 48) {
		ret = bad(err, errlen, "worker result: bad spki_sha384");
		goto out;
	}
	if (num(j, "slot", 7, &d)) {
		ret = bad(err, errlen, "worker result: bad slot");
		goto out;
	}
	s->slot = (uint8_t)d;
	if (num(j, "generation", 1e19, &d)) {
		ret = bad(err, errlen, "worker result: bad generation");
		goto out;
	}
	s->generation = (uint64_t)d;
	arr = cJSON_GetObjectItemCaseSensitive(j, "blocks");
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > TSMD_MAX_BLOCKS) {
		ret = bad(err, errlen, "worker result: bad blocks");
		goto out;
	}
	cJSON_ArrayForEach(o, arr)
	{
		struct tsmd_block *b = &s->blocks[s->nr_blocks];
		const char *v = str(o, "value");
		long n;

		if (num(o, "index", 255, &d)) {
			ret = bad(err, errlen, "worker result: bad block index");
			goto out;
		}
		b->index = (uint8_t)d;
		if (num(o, "type", 255, &d)) {
			ret = bad(err, errlen, "worker result: bad block type");
			goto out;
		}
		b->type = (uint8_t)d;
		n = v ? tsmh_hex_parse(v, b->value, sizeof(b->value), &herr) : -1;
		if (n < 0) {
			ret = bad(err, errlen, "worker result: bad block value");
			goto out;
		}
		b->len = (uint16_t)n;
		s->nr_blocks++;
	}
	ret = 0;
out:
	cJSON_Delete(j);
	return ret;
}

void tsmd_summary_view(const struct tsmd_summary *s, struct tsmd_meas_block *blocks,
		       struct tsmd_attest_summary *as)
{
	size_t n;
	int i;

	memset(as, 0, sizeof(*as));
	for (i = 0; i < TSMD_SRC_NR; i++)
		as->src[i].state = TSMD_SRC_UNAVAILABLE;
	as->src[TSMD_SRC_HOST_CMA].state = s->ok ? TSMD_SRC_OK : TSMD_SRC_FAILED;
	n = strnlen(s->why, sizeof(as->src[0].why) - 1);
	memcpy(as->src[TSMD_SRC_HOST_CMA].why, s->why, n);
	as->step = s->ok ? NULL : s->step;
	if (!s->ok)
		return;
	as->has_spki = 1;
	memcpy(as->spki_sha384, s->spki_sha384, sizeof(as->spki_sha384));
	as->identity = s->identity[0] ? s->identity : NULL;
	as->meas_verified = s->meas_verified;
	for (i = 0; i < s->nr_blocks; i++)
		blocks[i] = (struct tsmd_meas_block){ .index = s->blocks[i].index,
						      .type = s->blocks[i].type,
						      .len = s->blocks[i].len,
						      .value = s->blocks[i].value };
	as->blocks = blocks;
	as->nr_blocks = (size_t)s->nr_blocks;
}

void tsmd_facts_of(const struct tsmh_devinfo *info, struct tsmd_dev_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->name = info->name;
	f->vendor = info->vendor;
	f->device = info->device;
	f->class_code = info->class_rev >> 8;
	f->has_serial = info->has_serial;
	f->serial = info->serial;
	f->flags = info->flags;
}

void tsmd_now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
