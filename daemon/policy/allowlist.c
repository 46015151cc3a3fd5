// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The allow-list's data model: lifetime of lists, entries and sets, the
 * identity comparisons and the lookups that decide for a device. JSON
 * parsing, formatting, the file and the edits are in allowlist_*.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "allowlist_int.h"

const char *const tsmd_al_decision_names[] = { "allow", "deny", NULL };

void tsmd_allowlist_init(struct tsmd_allowlist *al)
{
	memset(al, 0, sizeof(*al));
}

void tsmd_al_set_free(struct tsmd_al_set *s)
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
		tsmd_al_set_free(&e->sets[i]);
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

/*
 * Keyed on the same thing: the same SPKI, or exactly the same keys.
 * One entry per device: the leaf key names it, and where two devices share
 * a key (SPDM's model-wide GenericCert, or an emulator) their serial
 * numbers tell them apart.
 */
int tsmd_al_same_key(const struct tsmd_identity *a, const struct tsmd_identity *b)
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

void tsmd_al_entry_free(struct tsmd_al_entry *e)
{
	if (e)
		entry_free(e);
}

/* ---- lookups ---- */

static int sets_equal(const struct tsmd_al_set *a, const struct tsmd_meas_block *b, size_t nr)
{
	struct tsmd_meas_diff d;

	return !tsmd_meas_compare(a->blocks, a->nr, b, nr, &d);
}

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
		if (tsmd_al_same_key(&al->e[i].id, id))
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
