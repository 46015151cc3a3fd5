// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Parsing and validating the allow-list JSON (tsmd.conf(5)): every error
 * names the file and the JSON path.
 */
#include <errno.h>
#include <stdint.h>
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

/*
 * USBGuard #588: two entries for one identity make upserts ambiguous.
 * tsmd_al_same_key() is the rule; checking every pair was quadratic (the
 * 65,536 entries allowed took ~15 s inside tsmd's event loop), so the
 * entries seen so far are indexed in an open-addressing table, one lookup
 * per entry, with the same answer: the first earlier entry with the same
 * key. Three kinds of slot, one per way two identities can share a key:
 *  - UNIQ_ID: no SPKI: exactly the same identity (tsmd_identity_equal);
 *  - UNIQ_SPKI: an SPKI: the first entry with it, and the first with it
 *    and no serial number (a serial-less entry clashes with every other
 *    entry of its SPKI);
 *  - UNIQ_SERIAL: an SPKI and a serial number: the first with both.
 */
enum uniq_kind { UNIQ_FREE, UNIQ_ID, UNIQ_SPKI, UNIQ_SERIAL };

struct uniq_slot {
	uint8_t kind;
	size_t first; /* first entry with this key */
	size_t first_noserial; /* UNIQ_SPKI: first without a serial, or SIZE_MAX */
};

struct uniq {
	struct uniq_slot *s;
	size_t mask;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static uint64_t uniq_hash(enum uniq_kind k, const struct tsmd_identity *id)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, &k, sizeof(k));

	if (k != UNIQ_ID) {
		h = fnv(h, id->spki_sha384, TSMD_SPKI_HASH_LEN);
		return k == UNIQ_SERIAL ? fnv(h, &id->serial, sizeof(id->serial)) : h;
	}
	h = fnv(h, &id->has, sizeof(id->has));
	if (id->has & TSMD_ID_SAN)
		h = fnv(h, id->san, strlen(id->san));
	if (id->has & TSMD_ID_VENDOR)
		h = fnv(h, &id->vendor, sizeof(id->vendor));
	if (id->has & TSMD_ID_DEVICE)
		h = fnv(h, &id->device, sizeof(id->device));
	if (id->has & TSMD_ID_SERIAL)
		h = fnv(h, &id->serial, sizeof(id->serial));
	return h;
}

static int uniq_same(enum uniq_kind k, const struct tsmd_identity *a, const struct tsmd_identity *b)
{
	if (k == UNIQ_ID)
		return tsmd_identity_equal(a, b);
	if (memcmp(a->spki_sha384, b->spki_sha384, TSMD_SPKI_HASH_LEN))
		return 0;
	return k == UNIQ_SPKI || a->serial == b->serial;
}

/* The slot for @id's key of kind @k: the one holding it, or the free one to fill. */
static struct uniq_slot *uniq_slot(struct uniq *u, const struct tsmd_allowlist *al,
				   enum uniq_kind k, const struct tsmd_identity *id)
{
	size_t i = (size_t)uniq_hash(k, id) & u->mask;

	while (u->s[i].kind != UNIQ_FREE &&
	       (u->s[i].kind != k || !uniq_same(k, &al->e[u->s[i].first].id, id)))
		i = (i + 1) & u->mask;
	return &u->s[i];
}

static int uniq_init(struct uniq *u, size_t nr)
{
	size_t n = 16;

	while (n < 4 * nr) /* at most two slots per entry: load factor <= 1/2 */
		n *= 2;
	u->s = calloc(n, sizeof(*u->s));
	u->mask = n - 1;
	return u->s ? 0 : -ENOMEM;
}

/* Claim the free slot @sl for entry @i (the table is dropped after any error). */
static void uniq_fill(struct uniq_slot *sl, enum uniq_kind k, size_t i)
{
	if (sl->kind)
		return;
	sl->kind = (uint8_t)k;
	sl->first = i;
	sl->first_noserial = SIZE_MAX;
}

static int check_unique(const struct tsmd_jctx *c, const struct tsmd_allowlist *al, size_t i,
			struct uniq *u)
{
	const struct tsmd_identity *id = &al->e[i].id;
	char p[TSMD_JPATH_MAX];
	struct uniq_slot *sl;
	size_t k = SIZE_MAX;

	if (!(id->has & TSMD_ID_SPKI)) {
		sl = uniq_slot(u, al, UNIQ_ID, id);
		if (sl->kind)
			k = sl->first;
		uniq_fill(sl, UNIQ_ID, i);
	} else {
		/* filled before the next lookup, which must not land on it as free */
		sl = uniq_slot(u, al, UNIQ_SPKI, id);
		if (sl->kind)
			k = id->has & TSMD_ID_SERIAL ? sl->first_noserial : sl->first;
		uniq_fill(sl, UNIQ_SPKI, i);
		if (!(id->has & TSMD_ID_SERIAL) && sl->first_noserial == SIZE_MAX)
			sl->first_noserial = i;
		if (id->has & TSMD_ID_SERIAL) {
			sl = uniq_slot(u, al, UNIQ_SERIAL, id);
			if (sl->kind && sl->first < k)
				k = sl->first;
			uniq_fill(sl, UNIQ_SERIAL, i);
		}
	}
	if (k == SIZE_MAX)
		return 0;
	tsmd_jpath(p, "devices[%zu].identity", i);
	return tsmd_jerr(c, p, "duplicate of devices[%zu]'s identity", k);
}

static int parse_devices(const struct tsmd_jctx *c, const cJSON *j, struct tsmd_allowlist *al)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "devices"), *e;
	char p[TSMD_JPATH_MAX];
	struct uniq u;
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
	if (uniq_init(&u, (size_t)nr))
		return -ENOMEM;
	ret = 0;
	cJSON_ArrayForEach(e, a)
	{
		tsmd_jpath(p, "devices[%d]", i);
		al->nr = (size_t)i + 1;
		ret = parse_entry(c, p, e, &al->e[i]);
		if (!ret)
			ret = check_unique(c, al, (size_t)i, &u);
		if (ret)
			break;
		i++;
	}
	free(u.s);
	return ret;
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
