// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The allow-list as JSON text, in the shape allowlist_parse.c reads back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "allowlist_int.h"
#include "hex.h"

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

static void identity_json(cJSON *id, const struct tsmd_identity *ident)
{
	if (ident->has & TSMD_ID_SPKI)
		cJSON_AddItemToObject(id, "spki_sha384",
				      hexstr(ident->spki_sha384, TSMD_SPKI_HASH_LEN));
	if (ident->has & TSMD_ID_SAN)
		cJSON_AddStringToObject(id, "san", ident->san);
	if (ident->has & TSMD_ID_VENDOR)
		add_hexnum(id, "vendor", ident->vendor, 4);
	if (ident->has & TSMD_ID_DEVICE)
		add_hexnum(id, "device", ident->device, 4);
	if (ident->has & TSMD_ID_SERIAL)
		add_hexnum(id, "serial", ident->serial, 16);
}

/* One {"added": ..., "blocks": [...]} appended to @ms: 0 or -ENOMEM. */
static int set_json(cJSON *ms, const struct tsmd_al_set *set)
{
	cJSON *s = cJSON_CreateObject(), *bs, *b;
	char t[24];
	size_t k;

	if (!s || !cJSON_AddItemToArray(ms, s))
		return -ENOMEM;
	if (set->added)
		cJSON_AddStringToObject(s, "added", set->added);
	bs = cJSON_AddArrayToObject(s, "blocks");
	if (!bs)
		return -ENOMEM;
	for (k = 0; k < set->nr; k++) {
		b = cJSON_CreateObject();
		if (!b || !cJSON_AddItemToArray(bs, b))
			return -ENOMEM;
		cJSON_AddNumberToObject(b, "index", set->blocks[k].index);
		cJSON_AddStringToObject(b, "type", tsmd_meas_type_name(set->blocks[k].type, t));
		cJSON_AddItemToObject(b, "value", hexstr(set->blocks[k].value, set->blocks[k].len));
	}
	return 0;
}

static cJSON *entry_json(const struct tsmd_al_entry *en)
{
	cJSON *o = cJSON_CreateObject(), *id, *ms;
	size_t i;

	if (!o)
		return NULL;
	if (en->label)
		cJSON_AddStringToObject(o, "label", en->label);
	cJSON_AddStringToObject(o, "decision", tsmd_al_decision_names[en->decision]);
	id = cJSON_AddObjectToObject(o, "identity");
	if (!id)
		goto err;
	identity_json(id, &en->id);
	if (en->nr_sets) {
		ms = cJSON_AddArrayToObject(o, "measurements");
		if (!ms)
			goto err;
		for (i = 0; i < en->nr_sets; i++)
			if (set_json(ms, &en->sets[i]))
				goto err;
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
