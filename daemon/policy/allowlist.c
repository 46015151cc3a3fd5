// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "allowlist.h"
#include "fileio.h"
#include "hex.h"
#include "jutil.h"

static const char *const decision_names[] = { "allow", "deny", NULL };

void tsmd_allowlist_init(struct tsmd_allowlist *al)
{
	memset(al, 0, sizeof(*al));
}

static void set_free(struct tsmd_al_set *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free((void *)s->blocks[i].value);
	free(s->blocks);
	free(s->added);
	memset(s, 0, sizeof(*s));
}

static void entry_free(struct tsmd_al_entry *e)
{
	size_t i;

	for (i = 0; i < e->nr_sets; i++)
		set_free(&e->sets[i]);
	free(e->sets);
	free(e->label);
	free(e->added);
	free(e->comment);
	memset(e, 0, sizeof(*e));
}

void tsmd_allowlist_free(struct tsmd_allowlist *al)
{
	size_t i;

	if (!al)
		return;
	for (i = 0; i < al->nr; i++)
		entry_free(&al->e[i]);
	free(al->e);
	memset(al, 0, sizeof(*al));
}

int tsmd_identity_matches(const struct tsmd_identity *en, const struct tsmd_identity *dev)
{
	if (!en->has || (en->has & ~dev->has))
		return 0;
	if ((en->has & TSMD_ID_SPKI) &&
	    memcmp(en->spki_sha384, dev->spki_sha384, TSMD_SPKI_HASH_LEN))
		return 0;
	if ((en->has & TSMD_ID_SAN) && strcmp(en->san, dev->san))
		return 0;
	if ((en->has & TSMD_ID_VENDOR) && en->vendor != dev->vendor)
		return 0;
	if ((en->has & TSMD_ID_DEVICE) && en->device != dev->device)
		return 0;
	if ((en->has & TSMD_ID_SERIAL) && en->serial != dev->serial)
		return 0;
	return 1;
}

int tsmd_identity_equal(const struct tsmd_identity *a, const struct tsmd_identity *b)
{
	return a->has == b->has && tsmd_identity_matches(a, b);
}

/* Keyed on the same thing: the same SPKI, or exactly the same keys. */
/*
 * One entry per device: the leaf key names it, and where two devices share
 * a key (SPDM's model-wide GenericCert, or an emulator) their serial
 * numbers tell them apart.
 */
static int same_key(const struct tsmd_identity *a, const struct tsmd_identity *b)
{
	if ((a->has & TSMD_ID_SPKI) && (b->has & TSMD_ID_SPKI)) {
		if (memcmp(a->spki_sha384, b->spki_sha384, TSMD_SPKI_HASH_LEN))
			return 0;
		if ((a->has & TSMD_ID_SERIAL) && (b->has & TSMD_ID_SERIAL))
			return a->serial == b->serial;
		return 1;
	}
	return tsmd_identity_equal(a, b);
}

const char *tsmd_identity_str(const struct tsmd_identity *id, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	if (id->has & TSMD_ID_SPKI)
		used += (size_t)snprintf(buf, len, "spki %02x%02x%02x%02x\u2026",
					 id->spki_sha384[0], id->spki_sha384[1], id->spki_sha384[2],
					 id->spki_sha384[3]);
	if ((id->has & TSMD_ID_SAN) && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%ssan \"%s\"", used ? " " : "",
					 id->san);
	if ((id->has & (TSMD_ID_VENDOR | TSMD_ID_DEVICE)) && used < len) {
		char v[8] = "*", d[8] = "*";

		if (id->has & TSMD_ID_VENDOR)
			snprintf(v, sizeof(v), "%04x", id->vendor);
		if (id->has & TSMD_ID_DEVICE)
			snprintf(d, sizeof(d), "%04x", id->device);
		used += (size_t)snprintf(buf + used, len - used, "%s%s:%s", used ? " " : "", v, d);
	}
	if ((id->has & TSMD_ID_SERIAL) && used < len)
		snprintf(buf + used, len - used, "%sserial %016llx", used ? " " : "",
			 (unsigned long long)id->serial);
	return buf;
}

/* ---- parsing ---- */

static int parse_identity(const struct tsmd_jctx *c, const char *path, const cJSON *o,
			  struct tsmd_identity *id)
{
	static const char *const keys[] = {
		"spki_sha384", "san", "vendor", "device", "serial", NULL
	};
	char p[TSMD_JPATH_MAX];
	const char *s;
	uint64_t v;
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
	ret = tsmd_jhexkey(c, path, o, "vendor", 4, &v, &got);
	if (ret)
		return ret;
	if (got) {
		id->vendor = (uint16_t)v;
		id->has |= TSMD_ID_VENDOR;
	}
	ret = tsmd_jhexkey(c, path, o, "device", 4, &v, &got);
	if (ret)
		return ret;
	if (got) {
		id->device = (uint16_t)v;
		id->has |= TSMD_ID_DEVICE;
	}
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

static int sets_equal(const struct tsmd_al_set *a, const struct tsmd_meas_block *b, size_t nr)
{
	struct tsmd_meas_diff d;

	return !tsmd_meas_compare(a->blocks, a->nr, b, nr, &d);
}

static int parse_set(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		     struct tsmd_al_set *set)
{
	static const char *const keys[] = { "added", "blocks", NULL };
	char p[TSMD_JPATH_MAX];
	const cJSON *a, *e;
	const char *s;
	int ret, i = 0, nr;

	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jstr(c, path, o, "added", 0, 64, &s);
	if (ret)
		return ret;
	if (s && !(set->added = strdup(s)))
		return -ENOMEM;
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

static int parse_entry(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		       struct tsmd_al_entry *en)
{
	static const char *const keys[] = { "label", "decision", "identity", "measurements",
					    "added", "comment",	 NULL };
	char p[TSMD_JPATH_MAX];
	const cJSON *a, *e;
	const char *s;
	int ret, v, i = 0, nr;

	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jstr(c, path, o, "label", 0, 128, &s);
	if (!ret && s && !(en->label = strdup(s)))
		ret = -ENOMEM;
	if (!ret)
		ret = tsmd_jstr(c, path, o, "added", 0, 64, &s);
	if (!ret && s && !(en->added = strdup(s)))
		ret = -ENOMEM;
	if (!ret)
		ret = tsmd_jstr(c, path, o, "comment", 0, 1024, &s);
	if (!ret && s && !(en->comment = strdup(s)))
		ret = -ENOMEM;
	if (!ret)
		ret = tsmd_jstr(c, path, o, "decision", 1, 16, &s);
	if (ret)
		return ret;
	tsmd_jpath(p, "%s.decision", path);
	ret = tsmd_jenum(c, p, s, decision_names, &v);
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
	a = cJSON_GetObjectItemCaseSensitive(o, "measurements");
	if (!a)
		return 0;
	tsmd_jpath(p, "%s.measurements", path);
	if (!cJSON_IsArray(a))
		return tsmd_jerr(c, p, "expected an array");
	nr = cJSON_GetArraySize(a);
	if (nr > TSMD_AL_SETS_MAX)
		return tsmd_jerr(c, p, "more than %d measurement sets", TSMD_AL_SETS_MAX);
	en->sets = calloc((size_t)nr + 1, sizeof(*en->sets));
	if (!en->sets)
		return -ENOMEM;
	cJSON_ArrayForEach(e, a)
	{
		int k;

		tsmd_jpath(p, "%s.measurements[%d]", path, i);
		en->nr_sets = (size_t)i + 1;
		ret = parse_set(c, p, e, &en->sets[i]);
		if (ret)
			return ret;
		k = tsmd_al_entry_find_set(en, en->sets[i].blocks, en->sets[i].nr);
		if (k >= 0 && k < i)
			return tsmd_jerr(c, p, "same measurement set as measurements[%d]", k);
		i++;
	}
	return 0;
}

int tsmd_allowlist_parse(const char *text, size_t len, const char *file, struct tsmd_allowlist *al,
			 char *why, size_t whylen)
{
	static const char *const keys[] = { "version", "comment", "devices", NULL };
	struct tsmd_jctx c = { file ? file : "(allow-list)", why, whylen };
	char p[TSMD_JPATH_MAX];
	const cJSON *a, *e;
	cJSON *j = NULL;
	const char *s;
	long ver = -1;
	int ret, nr, i = 0;
	size_t k;

	tsmd_allowlist_init(al);
	if (why && whylen)
		why[0] = 0;
	ret = tsmd_jparse(&c, text, len, &j);
	if (ret)
		return ret;
	ret = tsmd_jkeys(&c, "", j, keys);
	if (!ret)
		ret = tsmd_jint(&c, "", j, "version", 0, 1000000, &ver);
	if (!ret && ver != TSMD_AL_VERSION)
		ret = tsmd_jerr(
			&c, "version",
			ver < 0 ? "required key missing" : "unsupported version %ld (want 1)", ver);
	if (!ret)
		ret = tsmd_jstr(&c, "", j, "comment", 0, 4096, &s);
	if (ret)
		goto err;
	a = cJSON_GetObjectItemCaseSensitive(j, "devices");
	if (!a) {
		ret = tsmd_jerr(&c, "devices", "required key missing");
		goto err;
	}
	if (!cJSON_IsArray(a)) {
		ret = tsmd_jerr(&c, "devices", "expected an array");
		goto err;
	}
	nr = cJSON_GetArraySize(a);
	if (nr > TSMD_AL_ENTRIES_MAX) {
		ret = tsmd_jerr(&c, "devices", "more than %d entries", TSMD_AL_ENTRIES_MAX);
		goto err;
	}
	al->e = calloc((size_t)nr + 1, sizeof(*al->e));
	if (!al->e) {
		ret = -ENOMEM;
		goto err;
	}
	al->cap = (size_t)nr + 1;
	cJSON_ArrayForEach(e, a)
	{
		tsmd_jpath(p, "devices[%d]", i);
		al->nr = (size_t)i + 1;
		ret = parse_entry(&c, p, e, &al->e[i]);
		if (ret)
			goto err;
		/* USBGuard #588: two entries for one identity make upserts ambiguous */
		for (k = 0; k < (size_t)i; k++) {
			if (same_key(&al->e[k].id, &al->e[i].id)) {
				tsmd_jpath(p, "devices[%d].identity", i);
				ret = tsmd_jerr(&c, p, "duplicate of devices[%zu]'s identity", k);
				goto err;
			}
		}
		i++;
	}
	cJSON_Delete(j);
	return 0;
err:
	if (ret == -ENOMEM)
		tsmd_jerr(&c, NULL, "out of memory");
	cJSON_Delete(j);
	tsmd_allowlist_free(al);
	return ret;
}

void tsmd_al_entry_free(struct tsmd_al_entry *e)
{
	if (e)
		entry_free(e);
}

/* The one allow entry with measurement sets of an allow-list document. */
static int sets_from_allowlist(const char *text, size_t len, const char *file,
			       struct tsmd_al_entry *out, char *why, size_t whylen)
{
	struct tsmd_allowlist al;
	size_t i, n = 0, k = 0;
	int ret;

	ret = tsmd_allowlist_parse(text, len, file, &al, why, whylen);
	if (ret)
		return ret;
	for (i = 0; i < al.nr; i++) {
		if (al.e[i].decision == TSMD_AL_ALLOW && al.e[i].nr_sets) {
			n++;
			k = i;
		}
	}
	if (n != 1) {
		if (n)
			snprintf(
				why, whylen,
				"%s: %zu allow entries with measurements; which one is meant? (write the file for one device: tsmctl policy generate DEV)",
				file, n);
		else
			snprintf(why, whylen, "%s: no allow entry with measurement sets", file);
		tsmd_allowlist_free(&al);
		return -EINVAL;
	}
	*out = al.e[k];
	memset(&al.e[k], 0, sizeof(al.e[k]));
	tsmd_allowlist_free(&al);
	return (int)out->nr_sets;
}

int tsmd_al_sets_parse(const char *text, size_t len, const char *file, struct tsmd_al_entry *out,
		       char *why, size_t whylen)
{
	struct tsmd_jctx c = { file ? file : "(measurements)", why, whylen };
	char p[TSMD_JPATH_MAX];
	const cJSON *e;
	cJSON *j = NULL;
	int ret, nr, i = 0;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = 0;
	ret = tsmd_jparse(&c, text, len, &j);
	if (ret)
		return ret;
	if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "devices")) {
		cJSON_Delete(j);
		return sets_from_allowlist(text, len, c.file, out, why, whylen);
	}
	if (cJSON_IsObject(j)) {
		nr = 1;
	} else if (cJSON_IsArray(j)) {
		nr = cJSON_GetArraySize(j);
		if (nr > TSMD_AL_SETS_MAX) {
			ret = tsmd_jerr(&c, NULL, "more than %d measurement sets",
					TSMD_AL_SETS_MAX);
			goto err;
		}
	} else {
		ret = tsmd_jerr(
			&c, NULL,
			"expected an allow-list, a measurement set {\"blocks\": [...]} or an array of them");
		goto err;
	}
	if (!nr) {
		ret = tsmd_jerr(&c, NULL, "no measurement sets");
		goto err;
	}
	out->sets = calloc((size_t)nr + 1, sizeof(*out->sets));
	if (!out->sets) {
		ret = -ENOMEM;
		goto err;
	}
	if (cJSON_IsObject(j)) {
		out->nr_sets = 1;
		ret = parse_set(&c, "", j, &out->sets[0]);
		if (ret)
			goto err;
	} else {
		cJSON_ArrayForEach(e, j)
		{
			int k;

			tsmd_jpath(p, "[%d]", i);
			out->nr_sets = (size_t)i + 1;
			ret = parse_set(&c, p, e, &out->sets[i]);
			if (ret)
				goto err;
			k = tsmd_al_entry_find_set(out, out->sets[i].blocks, out->sets[i].nr);
			if (k >= 0 && k < i) {
				ret = tsmd_jerr(&c, p, "same measurement set as [%d]", k);
				goto err;
			}
			i++;
		}
	}
	cJSON_Delete(j);
	return (int)out->nr_sets;
err:
	if (ret == -ENOMEM)
		tsmd_jerr(&c, NULL, "out of memory");
	cJSON_Delete(j);
	entry_free(out);
	return ret;
}

int tsmd_allowlist_load(const char *path, struct tsmd_allowlist *al, char *why, size_t whylen)
{
	char *buf;
	size_t len;
	int ret;

	tsmd_allowlist_init(al);
	ret = tsmd_read_file(path, TSMD_AL_FILE_MAX, &buf, &len);
	if (ret == -ENOENT) {
		snprintf(al->note, sizeof(al->note),
			 "%.100s: not found, starting with an empty allow-list", path);
		return 0;
	}
	if (ret) {
		snprintf(why, whylen, "%s: %s", path,
			 ret == -EFBIG ? "larger than 16 MiB" : strerror(-ret));
		return ret;
	}
	ret = tsmd_allowlist_parse(buf, len, path, al, why, whylen);
	free(buf);
	return ret;
}

/* ---- formatting and saving ---- */

static cJSON *hexstr(const uint8_t *b, size_t n)
{
	char *s = malloc(2 * n + 1);
	cJSON *j;

	if (!s)
		return NULL;
	tsmh_hex_format(b, n, s);
	j = cJSON_CreateString(s);
	free(s);
	return j;
}

static int add_hexnum(cJSON *o, const char *key, uint64_t v, int digits)
{
	char s[20];

	snprintf(s, sizeof(s), "%0*llx", digits, (unsigned long long)v);
	return cJSON_AddStringToObject(o, key, s) ? 0 : -ENOMEM;
}

static cJSON *entry_json(const struct tsmd_al_entry *en)
{
	cJSON *o = cJSON_CreateObject(), *id, *ms, *s, *bs, *b;
	size_t i, k;
	char t[24];

	if (!o)
		return NULL;
	if (en->label)
		cJSON_AddStringToObject(o, "label", en->label);
	cJSON_AddStringToObject(o, "decision", decision_names[en->decision]);
	id = cJSON_AddObjectToObject(o, "identity");
	if (!id)
		goto err;
	if (en->id.has & TSMD_ID_SPKI)
		cJSON_AddItemToObject(id, "spki_sha384",
				      hexstr(en->id.spki_sha384, TSMD_SPKI_HASH_LEN));
	if (en->id.has & TSMD_ID_SAN)
		cJSON_AddStringToObject(id, "san", en->id.san);
	if (en->id.has & TSMD_ID_VENDOR)
		add_hexnum(id, "vendor", en->id.vendor, 4);
	if (en->id.has & TSMD_ID_DEVICE)
		add_hexnum(id, "device", en->id.device, 4);
	if (en->id.has & TSMD_ID_SERIAL)
		add_hexnum(id, "serial", en->id.serial, 16);
	if (en->nr_sets) {
		ms = cJSON_AddArrayToObject(o, "measurements");
		if (!ms)
			goto err;
		for (i = 0; i < en->nr_sets; i++) {
			const struct tsmd_al_set *set = &en->sets[i];

			s = cJSON_CreateObject();
			if (!s || !cJSON_AddItemToArray(ms, s))
				goto err;
			if (set->added)
				cJSON_AddStringToObject(s, "added", set->added);
			bs = cJSON_AddArrayToObject(s, "blocks");
			if (!bs)
				goto err;
			for (k = 0; k < set->nr; k++) {
				b = cJSON_CreateObject();
				if (!b || !cJSON_AddItemToArray(bs, b))
					goto err;
				cJSON_AddNumberToObject(b, "index", set->blocks[k].index);
				cJSON_AddStringToObject(
					b, "type", tsmd_meas_type_name(set->blocks[k].type, t));
				cJSON_AddItemToObject(
					b, "value",
					hexstr(set->blocks[k].value, set->blocks[k].len));
			}
		}
	}
	if (en->added)
		cJSON_AddStringToObject(o, "added", en->added);
	if (en->comment)
		cJSON_AddStringToObject(o, "comment", en->comment);
	return o;
err:
	cJSON_Delete(o);
	return NULL;
}

char *tsmd_allowlist_format(const struct tsmd_allowlist *al)
{
	cJSON *j = cJSON_CreateObject(), *devs;
	char *text = NULL, *out;
	size_t i, n;

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "version", TSMD_AL_VERSION);
	devs = cJSON_AddArrayToObject(j, "devices");
	if (!devs)
		goto out;
	for (i = 0; i < al->nr; i++) {
		cJSON *e = entry_json(&al->e[i]);

		if (!e || !cJSON_AddItemToArray(devs, e)) {
			cJSON_Delete(e);
			goto out;
		}
	}
	text = cJSON_Print(j);
out:
	cJSON_Delete(j);
	if (!text)
		return NULL;
	n = strlen(text);
	out = realloc(text, n + 2);
	if (!out) {
		free(text);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = 0;
	return out;
}

int tsmd_allowlist_save(const struct tsmd_allowlist *al, const char *path, char *why, size_t whylen)
{
	struct tsmh_fileio_err err = { .step = "format" };
	char *text;
	int ret;

	text = tsmd_allowlist_format(al);
	if (!text) {
		snprintf(err.where, sizeof(err.where), "%s", path);
		ret = -ENOMEM;
	} else {
		ret = tsmh_write_atomic(path, ".tmp", text, strlen(text), 0600, &err);
	}
	if (ret)
		snprintf(why, whylen, "%s: save failed (%s %s): %s", path, err.step, err.where,
			 strerror(-ret));
	free(text);
	return ret;
}

/* ---- lookups and edits ---- */

const struct tsmd_al_entry *tsmd_allowlist_find(const struct tsmd_allowlist *al,
						const struct tsmd_identity *dev)
{
	const struct tsmd_al_entry *allow = NULL;
	size_t i;

	for (i = 0; i < al->nr; i++) {
		if (!tsmd_identity_matches(&al->e[i].id, dev))
			continue;
		if (al->e[i].decision == TSMD_AL_DENY)
			return &al->e[i];
		if (!allow)
			allow = &al->e[i];
	}
	return allow;
}

struct tsmd_al_entry *tsmd_allowlist_lookup(const struct tsmd_allowlist *al,
					    const struct tsmd_identity *id)
{
	size_t i;

	for (i = 0; i < al->nr; i++)
		if (same_key(&al->e[i].id, id))
			return &al->e[i];
	return NULL;
}

int tsmd_al_entry_find_set(const struct tsmd_al_entry *e, const struct tsmd_meas_block *b,
			   size_t nr)
{
	size_t i;

	for (i = 0; i < e->nr_sets; i++)
		if (sets_equal(&e->sets[i], b, nr))
			return (int)i;
	return -1;
}

int tsmd_allowlist_foreach(const struct tsmd_allowlist *al,
			   int (*fn)(const struct tsmd_al_entry *e, void *ctx), void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < al->nr; i++) {
		ret = fn(&al->e[i], ctx);
		if (ret)
			return ret;
	}
	return 0;
}

static int set_str(char **dst, const char *src)
{
	char *n;

	if (!src)
		return 0;
	n = strdup(src);
	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static struct tsmd_al_entry *append_entry(struct tsmd_allowlist *al, const struct tsmd_identity *id)
{
	struct tsmd_al_entry *e;

	if (al->nr >= TSMD_AL_ENTRIES_MAX)
		return NULL;
	if (al->nr == al->cap) {
		size_t cap = al->cap ? 2 * al->cap : 8;

		e = realloc(al->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		al->e = e;
		al->cap = cap;
	}
	e = &al->e[al->nr++];
	memset(e, 0, sizeof(*e));
	e->id = *id;
	return e;
}

static int copy_set(struct tsmd_al_set *s, const struct tsmd_meas_block *b, size_t nr,
		    const char *added)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->blocks = calloc(nr + 1, sizeof(*s->blocks));
	if (!s->blocks || set_str(&s->added, added))
		goto err;
	for (i = 0; i < nr; i++) {
		uint8_t *v = malloc(b[i].len ? b[i].len : 1);

		if (!v)
			goto err;
		if (b[i].len)
			memcpy(v, b[i].value, b[i].len);
		s->blocks[i] = b[i];
		s->blocks[i].value = v;
		s->nr = i + 1;
	}
	tsmd_meas_sort(s->blocks, s->nr);
	return 0;
err:
	set_free(s);
	return -ENOMEM;
}

static int check_blocks(const struct tsmd_meas_block *b, size_t nr, char *why, size_t whylen)
{
	size_t i;

	if (nr > TSMD_AL_BLOCKS_MAX) {
		snprintf(why, whylen, "more than %d measurement blocks", TSMD_AL_BLOCKS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < nr; i++) {
		if (!b[i].index || b[i].index > 254 || (b[i].len && !b[i].value) ||
		    tsmd_meas_find(b, i, b[i].index)) {
			snprintf(why, whylen,
				 "measurement block %zu (index %u) is invalid or repeated", i,
				 b[i].index);
			return -EINVAL;
		}
	}
	return 0;
}

int tsmd_allowlist_allow(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			 const struct tsmd_meas_block *b, size_t nr, const struct tsmd_al_upsert *o,
			 char *why, size_t whylen)
{
	static const struct tsmd_al_upsert none;
	struct tsmd_al_entry *e;
	struct tsmd_al_set set, *sets;
	int changed = 0, ret, k;

	if (!o)
		o = &none;
	if (!(id->has & TSMD_ID_SPKI)) {
		snprintf(why, whylen, "allowing a device needs its leaf key (spki_sha384)");
		return -EINVAL;
	}
	ret = check_blocks(b, nr, why, whylen);
	if (ret)
		return ret;
	e = tsmd_allowlist_lookup(al, id);
	if (!e) {
		e = append_entry(al, id);
		if (!e)
			goto nomem;
		changed = 1;
		if (set_str(&e->added, o->added))
			goto nomem;
	}
	if (e->decision != TSMD_AL_ALLOW || !tsmd_identity_equal(&e->id, id)) {
		e->decision = TSMD_AL_ALLOW;
		e->id = *id;
		changed = 1;
	}
	if (set_str(&e->label, o->label) || set_str(&e->comment, o->comment))
		goto nomem;
	if (!b) /* certificate only: no measurement set */
		return changed;
	k = tsmd_al_entry_find_set(e, b, nr);
	if (k < 0) {
		if (e->nr_sets >= TSMD_AL_SETS_MAX && !o->replace) {
			snprintf(why, whylen,
				 "%d measurement sets accepted already: prune with replace",
				 TSMD_AL_SETS_MAX);
			return -ENOSPC;
		}
		if (copy_set(&set, b, nr, o->added))
			goto nomem;
		sets = realloc(e->sets, (e->nr_sets + 1) * sizeof(*sets));
		if (!sets) {
			set_free(&set);
			goto nomem;
		}
		e->sets = sets;
		e->sets[e->nr_sets++] = set;
		k = (int)e->nr_sets - 1;
		changed = 1;
	}
	if (o->replace && e->nr_sets > 1) {
		size_t i;

		for (i = 0; i < e->nr_sets; i++)
			if ((int)i != k)
				set_free(&e->sets[i]);
		e->sets[0] = e->sets[k];
		e->nr_sets = 1;
		changed = 1;
	}
	return changed;
nomem:
	snprintf(why, whylen, "out of memory");
	return -ENOMEM;
}

int tsmd_allowlist_deny(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			const struct tsmd_al_upsert *o, char *why, size_t whylen)
{
	static const struct tsmd_al_upsert none;
	struct tsmd_al_entry *e;
	int changed = 0;

	if (!o)
		o = &none;
	if (!id->has) {
		snprintf(why, whylen, "a deny entry needs at least one identity key");
		return -EINVAL;
	}
	e = tsmd_allowlist_lookup(al, id);
	if (!e) {
		e = append_entry(al, id);
		if (!e || set_str(&e->added, o->added))
			goto nomem;
		changed = 1;
	}
	if (e->decision != TSMD_AL_DENY) {
		e->decision = TSMD_AL_DENY;
		changed = 1;
	}
	if (set_str(&e->label, o->label) || set_str(&e->comment, o->comment))
		goto nomem;
	return changed;
nomem:
	snprintf(why, whylen, "out of memory");
	return -ENOMEM;
}

int tsmd_allowlist_remove(struct tsmd_allowlist *al, const struct tsmd_identity *id)
{
	struct tsmd_al_entry *e = tsmd_allowlist_lookup(al, id);
	size_t i;

	if (!e)
		return -ENOENT;
	i = (size_t)(e - al->e);
	entry_free(e);
	memmove(&al->e[i], &al->e[i + 1], (al->nr - i - 1) * sizeof(*e));
	al->nr--;
	return 0;
}
