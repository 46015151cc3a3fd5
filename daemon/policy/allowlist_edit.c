// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Edits of an allow-list in memory: allow (with a measurement set),
 * deny, remove. Saving is the caller's (allowlist_file.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "allowlist_int.h"

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
	tsmd_al_set_free(s);
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

/*
 * The entry keyed on @id, appended (dated o->added) if new, turned to
 * @dec (an allow entry also takes @id's exact keys), with o->label and
 * o->comment. Sets *@changed; NULL when out of memory.
 */
static struct tsmd_al_entry *upsert(struct tsmd_allowlist *al, const struct tsmd_identity *id,
				    enum tsmd_al_decision dec, const struct tsmd_al_upsert *o,
				    int *changed)
{
	struct tsmd_al_entry *e = tsmd_allowlist_lookup(al, id);

	if (!e) {
		e = append_entry(al, id);
		if (!e)
			return NULL;
		*changed = 1;
		if (set_str(&e->added, o->added))
			return NULL;
	}
	if (e->decision != dec || (dec == TSMD_AL_ALLOW && !tsmd_identity_equal(&e->id, id))) {
		e->decision = dec;
		if (dec == TSMD_AL_ALLOW)
			e->id = *id;
		*changed = 1;
	}
	if (set_str(&e->label, o->label) || set_str(&e->comment, o->comment))
		return NULL;
	return e;
}

/* Append a copy of the set @b to @e: its index, or -errno with @why. */
static int add_set(struct tsmd_al_entry *e, const struct tsmd_meas_block *b, size_t nr,
		   const struct tsmd_al_upsert *o, char *why, size_t whylen)
{
	struct tsmd_al_set set, *sets;

	if (e->nr_sets >= TSMD_AL_SETS_MAX && !o->replace) {
		snprintf(why, whylen, "%d measurement sets accepted already: prune with replace",
			 TSMD_AL_SETS_MAX);
		return -ENOSPC;
	}
	if (copy_set(&set, b, nr, o->added))
		goto nomem;
	sets = realloc(e->sets, (e->nr_sets + 1) * sizeof(*sets));
	if (!sets) {
		tsmd_al_set_free(&set);
		goto nomem;
	}
	e->sets = sets;
	e->sets[e->nr_sets++] = set;
	return (int)e->nr_sets - 1;
nomem:
	snprintf(why, whylen, "out of memory");
	return -ENOMEM;
}

/* Drop every set of @e but set @k. */
static void keep_only(struct tsmd_al_entry *e, int k)
{
	size_t i;

	for (i = 0; i < e->nr_sets; i++)
		if ((int)i != k)
			tsmd_al_set_free(&e->sets[i]);
	e->sets[0] = e->sets[k];
	e->nr_sets = 1;
}

int tsmd_allowlist_allow(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			 const struct tsmd_meas_block *b, size_t nr, const struct tsmd_al_upsert *o,
			 char *why, size_t whylen)
{
	static const struct tsmd_al_upsert none;
	struct tsmd_al_entry *e;
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
	e = upsert(al, id, TSMD_AL_ALLOW, o, &changed);
	if (!e) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	if (!b) /* certificate only: no measurement set */
		return changed;
	k = tsmd_al_entry_find_set(e, b, nr);
	if (k < 0) {
		k = add_set(e, b, nr, o, why, whylen);
		if (k < 0)
			return k;
		changed = 1;
	}
	if (o->replace && e->nr_sets > 1) {
		keep_only(e, k);
		changed = 1;
	}
	return changed;
}

int tsmd_allowlist_deny(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			const struct tsmd_al_upsert *o, char *why, size_t whylen)
{
	static const struct tsmd_al_upsert none;
	int changed = 0;

	if (!o)
		o = &none;
	if (!id->has) {
		snprintf(why, whylen, "a deny entry needs at least one identity key");
		return -EINVAL;
	}
	if (!upsert(al, id, TSMD_AL_DENY, o, &changed)) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	return changed;
}

int tsmd_allowlist_remove(struct tsmd_allowlist *al, const struct tsmd_identity *id)
{
	struct tsmd_al_entry *e = tsmd_allowlist_lookup(al, id);
	size_t i;

	if (!e)
		return -ENOENT;
	i = (size_t)(e - al->e);
	tsmd_al_entry_free(e);
	memmove(&al->e[i], &al->e[i + 1], (al->nr - i - 1) * sizeof(*e));
	al->nr--;
	return 0;
}
