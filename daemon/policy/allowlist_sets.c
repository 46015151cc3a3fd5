// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The measurement sets `tsmctl allow --measurements FILE` pre-approves:
 * an allow-list for one device, one set or an array of sets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "allowlist_int.h"

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

/* How many sets @j holds: one object or an array of 1..TSMD_AL_SETS_MAX; or -errno. */
static int count_sets(const struct tsmd_jctx *c, const cJSON *j)
{
	int nr;

	if (cJSON_IsObject(j))
		return 1;
	if (!cJSON_IsArray(j))
		return tsmd_jerr(
			c, NULL,
			"expected an allow-list, a measurement set {\"blocks\": [...]} or an array of them");
	nr = cJSON_GetArraySize(j);
	if (nr > TSMD_AL_SETS_MAX)
		return tsmd_jerr(c, NULL, "more than %d measurement sets", TSMD_AL_SETS_MAX);
	if (!nr)
		return tsmd_jerr(c, NULL, "no measurement sets");
	return nr;
}

int tsmd_al_sets_parse(const char *text, size_t len, const char *file, struct tsmd_al_entry *out,
		       char *why, size_t whylen)
{
	struct tsmd_jctx c = { file ? file : "(measurements)", why, whylen };
	cJSON *j = NULL;
	int ret, nr;

	memset(out, 0, sizeof(*out));
	ret = tsmd_jparse(&c, text, len, &j);
	if (ret)
		return ret;
	if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "devices")) {
		cJSON_Delete(j);
		return sets_from_allowlist(text, len, c.file, out, why, whylen);
	}
	nr = count_sets(&c, j);
	ret = nr < 0 ? nr : 0;
	if (!ret) {
		out->sets = calloc((size_t)nr + 1, sizeof(*out->sets));
		if (!out->sets)
			ret = -ENOMEM;
	}
	if (!ret && cJSON_IsObject(j)) {
		out->nr_sets = 1;
		ret = tsmd_al_parse_set(&c, "", j, &out->sets[0]);
	} else if (!ret) {
		ret = tsmd_al_parse_sets(&c, "", "", j, out);
	}
	if (ret) {
		tsmd_al_entry_free(out);
		return tsmd_jfail(&c, j, ret);
	}
	cJSON_Delete(j);
	return (int)out->nr_sets;
}
