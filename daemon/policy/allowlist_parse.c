// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Parsing and validating the allow-list JSON (tsmd.conf(5)): every error
 * names the file and the JSON path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "allowlist_int.h"

static int parse_identity(const struct tsmd_jctx *c, const char *path, const cJSON *o,
			  struct tsmd_identity *id)
{
	static const char *const keys[] = {
		"spki_sha384", "san", "vendor", "device", "serial", NULL
	};
	char p[TSMD_JPATH_MAX];
	const char *s;
	int got;
	size_t n;
	int ret;

	memset(id, 0, sizeof(*id));
	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jstr(c, path, o, "spki_sha384", 0, 2 * TSMD_SPKI_HASH_LEN, &s);
	if (!ret && s) {
		tsmd_jpath(p, "%s.spki_sha384", path);
		ret = tsmd_jhexbytes(c, p, s, id->spki_sha384, TSMD_SPKI_HASH_LEN, &n);
		if (!ret && n != TSMD_SPKI_HASH_LEN)
			ret = tsmd_jerr(c, p, "expected %d hex digits (SHA-384)",
					2 * TSMD_SPKI_HASH_LEN);
		id->has |= TSMD_ID_SPKI;
	}
	if (ret)
		return ret;
	ret = tsmd_jstr(c, path, o, "san", 0, sizeof(id->san) - 1, &s);
	if (!ret && s) {
		strcpy(id->san, s);
		id->has |= TSMD_ID_SAN;
	}
	if (ret)
		return ret;
	ret = tsmd_jhex16(c, path, o, "vendor", &id->vendor, &id->has, TSMD_ID_VENDOR);
	if (!ret)
		ret = tsmd_jhex16(c, path, o, "device", &id->device, &id->has, TSMD_ID_DEVICE);
	if (ret)
		return ret;
	ret = tsmd_jhexkey(c, path, o, "serial", 16, &id->serial, &got);
	if (got)
		id->has |= TSMD_ID_SERIAL;
	if (ret)
		return ret;
	if (!id->has)
		return tsmd_jerr(c, path, "empty identity");
	return 0;
}

static int parse_block(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		       struct tsmd_meas_block *b)
{
	static const char *const keys[] = { "index", "type", "value", NULL };
	char p[TSMD_JPATH_MAX];
	const char *s;
	uint8_t *buf;
	long idx = -1;
	size_t n;
	int ret;

	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jint(c, path, o, "index", 1, 254, &idx);
	if (ret)
		return ret;
	if (idx < 0) {
		tsmd_jpath(p, "%s.index", path);
		return tsmd_jerr(c, p, "required key missing");
	}
	b->index = (uint8_t)idx;
	ret = tsmd_jstr(c, path, o, "type", 1, 23, &s);
	if (ret)
		return ret;
	if (tsmd_meas_type_parse(s, &b->type)) {
		tsmd_jpath(p, "%s.type", path);
		return tsmd_jerr(
			c, p,
			"\"%.40s\" is not a measurement type (rom, firmware, hw-config, fw-config, manifest, mode, version, svn, type-N; raw: prefix for raw bit streams)",
			s);
	}
	/* an empty value is legal (zero-length DMTF value) but must be written as "" */
	s = NULL;
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");

		tsmd_jpath(p, "%s.value", path);
		if (!v)
			return tsmd_jerr(c, p, "required key missing");
		if (!cJSON_IsString(v) || !v->valuestring)
			return tsmd_jerr(c, p, "expected a hex string");
		s = v->valuestring;
	}
	if (strlen(s) > 2 * (size_t)TSMD_MEAS_VALUE_MAX)
		return tsmd_jerr(c, p, "longer than %d bytes", TSMD_MEAS_VALUE_MAX);
	buf = malloc(strlen(s) / 2 + 1);
	if (!buf)
		return -ENOMEM;
	ret = tsmd_jhexbytes(c, p, s, buf, strlen(s) / 2, &n);
	if (ret) {
		free(buf);
		return ret;
	}
	b->value = buf;
	b->len = (uint16_t)n;
	return 0;
}

int tsmd_al_parse_set(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		      struct tsmd_al_set *set)
{
	static const char *const keys[] = { "added", "blocks", NULL };
	char p[TSMD_JPATH_MAX];
	const cJSON *a, *e;
	int ret, i = 0, nr;

	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jstrdup(c, path, o, "added", 64, &set->added);
	if (ret)
		return ret;
	a = cJSON_GetObjectItemCaseSensitive(o, "blocks");
	tsmd_jpath(p, "%s.blocks", path);
	if (!a)
		return tsmd_jerr(c, p, "required key missing");
	if (!cJSON_IsArray(a))
		return tsmd_jerr(c, p, "expected an array");
	nr = cJSON_GetArraySize(a);
	if (nr > TSMD_AL_BLOCKS_MAX)
		return tsmd_jerr(c, p, "more than %d blocks", TSMD_AL_BLOCKS_MAX);
	set->blocks = calloc((size_t)nr + 1, sizeof(*set->blocks));
	if (!set->blocks)
		return -ENOMEM;
	cJSON_ArrayForEach(e, a)
	{
		tsmd_jpath(p, "%s.blocks[%d]", path, i);
		ret = parse_block(c, p, e, &set->blocks[i]);
		if (ret)
			return ret;
		set->nr = (size_t)++i;
		if (tsmd_meas_find(set->blocks, set->nr - 1, set->blocks[i - 1].index))
			return tsmd_jerr(c, p, "index %u appears twice in this set",
					 set->blocks[i - 1].index);
	}
	tsmd_meas_sort(set->blocks, set->nr);
	return 0;
}

int tsmd_al_parse_sets(const struct tsmd_jctx *c, const char *path, const char *name,
		       const cJSON *a, struct tsmd_al_entry *en)
{
	char p[TSMD_JPATH_MAX];
	const cJSON *e;
	int ret, k, i = 0;

	cJSON_ArrayForEach(e, a)
	{
		tsmd_jpath(p, "%s[%d]", path, i);
		en->nr_sets = (size_t)i + 1;
		ret = tsmd_al_parse_set(c, p, e, &en->sets[i]);
		if (ret)
			return ret;
		k = tsmd_al_entry_find_set(en, en->sets[i].blocks, en->sets[i].nr);
		if (k >= 0 && k < i)
			return tsmd_jerr(c, p, "same measurement set as %s[%d]", name, k);
		i++;
	}
	return 0;
}

/* An entry's accepted measurement sets, none repeated. */
static int parse_entry_sets(const struct tsmd_jctx *c, const char *path, const cJSON *a,
			    struct tsmd_al_entry *en)
{
	char p[TSMD_JPATH_MAX];
	int nr;

	tsmd_jpath(p, "%s.measurements", path);
	if (!cJSON_IsArray(a))
		return tsmd_jerr(c, p, "expected an array");
	nr = cJSON_GetArraySize(a);
	if (nr > TSMD_AL_SETS_MAX)
		return tsmd_jerr(c, p, "more than %d measurement sets", TSMD_AL_SETS_MAX);
	en->sets = calloc((size_t)nr + 1, sizeof(*en->sets));
	if (!en->sets)
		return -ENOMEM;
	return tsmd_al_parse_sets(c, p, "measurements", a, en);
}

/* The decision and the identity it applies to (an allow entry needs the leaf key). */
static int parse_decision(const struct tsmd_jctx *c, const char *path, const cJSON *o,
			  struct tsmd_al_entry *en)
{
	char p[TSMD_JPATH_MAX];
	const cJSON *a;
	const char *s;
	int ret, v;

	ret = tsmd_jstr(c, path, o, "decision", 1, 16, &s);
	if (ret)
		return ret;
	tsmd_jpath(p, "%s.decision", path);
	ret = tsmd_jenum(c, p, s, tsmd_al_decision_names, &v);
	if (ret)
		return ret;
	en->decision = (enum tsmd_al_decision)v;
	a = cJSON_GetObjectItemCaseSensitive(o, "identity");
	tsmd_jpath(p, "%s.identity", path);
	if (!a)
		return tsmd_jerr(c, p, "required key missing");
	ret = parse_identity(c, p, a, &en->id);
	if (ret)
		return ret;
	if (en->decision == TSMD_AL_ALLOW && !(en->id.has & TSMD_ID_SPKI))
		return tsmd_jerr(c, p, "an allow entry needs spki_sha384");
	return 0;
}

static int parse_entry(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		       struct tsmd_al_entry *en)
{
	static const char *const keys[] = { "label", "decision", "identity", "measurements",
					    "added", "comment",	 NULL };
	const cJSON *a;
	int ret;

	ret = tsmd_jkeys(c, path, o, keys);
	if (!ret)
		ret = tsmd_jstrdup(c, path, o, "label", 128, &en->label);
	if (!ret)
		ret = tsmd_jstrdup(c, path, o, "added", 64, &en->added);
	if (!ret)
		ret = tsmd_jstrdup(c, path, o, "comment", 1024, &en->comment);
	if (!ret)
		ret = parse_decision(c, path, o, en);
	if (ret)
		return ret;
	a = cJSON_GetObjectItemCaseSensitive(o, "measurements");
	return a ? parse_entry_sets(c, path, a, en) : 0;
}

/* The top level other than the devices: known keys, version 1, comment. */
static int parse_header(const struct tsmd_jctx *c, const cJSON *j)
{
	static const char *const keys[] = { "version", "comment", "devices", NULL };
	const char *s;
	long ver = -1;
	int ret;

	ret = tsmd_jkeys(c, "", j, keys);
	if (!ret)
		ret = tsmd_jint(c, "", j, "version", 0, 1000000, &ver);
	if (!ret && ver != TSMD_AL_VERSION)
		ret = tsmd_jerr(
			c, "version",
			ver < 0 ? "required key missing" : "unsupported version %ld (want 1)", ver);
	if (!ret)
		ret = tsmd_jstr(c, "", j, "comment", 0, 4096, &s);
	return ret;
}

/* USBGuard #588: two entries for one identity make upserts ambiguous */
static int check_unique(const struct tsmd_jctx *c, const struct tsmd_allowlist *al, size_t i)
{
	char p[TSMD_JPATH_MAX];
	size_t k;

	for (k = 0; k < i; k++) {
		if (tsmd_al_same_key(&al->e[k].id, &al->e[i].id)) {
			tsmd_jpath(p, "devices[%zu].identity", i);
			return tsmd_jerr(c, p, "duplicate of devices[%zu]'s identity", k);
		}
	}
	return 0;
}

static int parse_devices(const struct tsmd_jctx *c, const cJSON *j, struct tsmd_allowlist *al)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "devices"), *e;
	char p[TSMD_JPATH_MAX];
	int ret, nr, i = 0;

	if (!a)
		return tsmd_jerr(c, "devices", "required key missing");
	if (!cJSON_IsArray(a))
		return tsmd_jerr(c, "devices", "expected an array");
	nr = cJSON_GetArraySize(a);
	if (nr > TSMD_AL_ENTRIES_MAX)
		return tsmd_jerr(c, "devices", "more than %d entries", TSMD_AL_ENTRIES_MAX);
	al->e = calloc((size_t)nr + 1, sizeof(*al->e));
	if (!al->e)
		return -ENOMEM;
	al->cap = (size_t)nr + 1;
	cJSON_ArrayForEach(e, a)
	{
		tsmd_jpath(p, "devices[%d]", i);
		al->nr = (size_t)i + 1;
		ret = parse_entry(c, p, e, &al->e[i]);
		if (!ret)
			ret = check_unique(c, al, (size_t)i);
		if (ret)
			return ret;
		i++;
	}
	return 0;
}

int tsmd_allowlist_parse(const char *text, size_t len, const char *file, struct tsmd_allowlist *al,
			 char *why, size_t whylen)
{
	struct tsmd_jctx c = { file ? file : "(allow-list)", why, whylen };
	cJSON *j = NULL;
	int ret;

	tsmd_allowlist_init(al);
	ret = tsmd_jparse(&c, text, len, &j);
	if (ret)
		return ret;
	ret = parse_header(&c, j);
	if (!ret)
		ret = parse_devices(&c, j, al);
	if (ret) {
		tsmd_allowlist_free(al);
		return tsmd_jfail(&c, j, ret);
	}
	cJSON_Delete(j);
	return 0;
}
