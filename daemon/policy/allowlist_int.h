/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the allowlist*.c files share and nothing else uses: the decision
 * names, freeing a set, the "keyed on the same identity" test and the
 * parsers of measurement sets.
 */
#ifndef TSMD_POLICY_ALLOWLIST_INT_H
#define TSMD_POLICY_ALLOWLIST_INT_H

#include "allowlist.h"
#include "jutil.h"

/* Indexed by enum tsmd_al_decision, NULL-terminated. */
extern const char *const tsmd_al_decision_names[];

void tsmd_al_set_free(struct tsmd_al_set *s);
/*
 * Keyed on the same thing: the same SPKI (and serial, if both give one),
 * or exactly the same keys.
 */
int tsmd_al_same_key(const struct tsmd_identity *a, const struct tsmd_identity *b);
/* One {"added": ..., "blocks": [...]} object at @path into @set (sorted by index). */
int tsmd_al_parse_set(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		      struct tsmd_al_set *set);

/*
 * The array @a of sets at @path (named @name in messages) into the
 * allocated en->sets, none repeated.
 */
int tsmd_al_parse_sets(const struct tsmd_jctx *c, const char *path, const char *name,
		       const cJSON *a, struct tsmd_al_entry *en);

#endif
