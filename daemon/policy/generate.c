// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* An allow-list from attested devices, for review. See generate.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "generate.h"

int tsmd_allowlist_generate(struct tsmd_allowlist *al, const struct tsmd_gen_device *dev, size_t n,
			    const char *now, size_t *skipped, char *why, size_t whylen)
{
	size_t i, skip = 0;
	int added = 0, ret;

	if (why && whylen)
		why[0] = 0;
	for (i = 0; i < n; i++) {
		const struct tsmd_dev_facts *f = dev[i].facts;
		const struct tsmd_attest_summary *s = dev[i].sum;
		struct tsmd_al_upsert o = { 0 };
		struct tsmd_identity id;
		char label[160], idbuf[160];
		const char *name = f && f->name ? f->name : "?";

		if (!f || !s || s->src[TSMD_SRC_HOST_CMA].state != TSMD_SRC_OK || !s->has_spki ||
		    !s->meas_verified) {
			if (!skip++ && why && whylen)
				snprintf(why, whylen, "%s skipped: %s", name,
					 !s || s->src[TSMD_SRC_HOST_CMA].state != TSMD_SRC_OK
						 ? "not attested"
					 : !s->has_spki ? "no leaf key"
							: "measurements not verified");
			continue;
		}
		tsmd_device_identity(f, s, &id);
		if (tsmd_allowlist_lookup(al, &id)) {
			snprintf(why, whylen, "%s: another device has the same identity (%s)", name,
				 tsmd_identity_str(&id, idbuf, sizeof(idbuf)));
			return -EEXIST;
		}
		snprintf(label, sizeof(label), "%s %04x:%04x", name, f->vendor, f->device);
		o.label = label;
		o.added = now;
		o.comment = "generated from the devices present; review before use";
		ret = tsmd_allowlist_allow(al, &id, s->blocks, s->nr_blocks, &o, why, whylen);
		if (ret < 0)
			return ret;
		added++;
	}
	if (skipped)
		*skipped = skip;
	return added;
}
