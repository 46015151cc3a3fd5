// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: tsmd's policy file parser and the matcher on what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tsmd_dev_facts d = {
		.name = "0000:03:00.0", .vendor = 0x1b36, .device = 0x1e10, .class_code = 0x010802
	};
	const struct tsmd_rule *r;
	struct tsmd_policy p;
	char why[256];

	if (size > 65536)
		return 0;
	if (tsmd_policy_parse((const char *)data, size, "fuzz", &p, why, sizeof(why))) {
		/* a refusal always says why and leaves nothing behind */
		if (!why[0] || p.rules || p.trust_anchors)
			__builtin_trap();
		return 0;
	}
	if (!p.trust_anchors || p.trust_anchors[0] != '/' || !p.allow_list)
		__builtin_trap();
	if (tsmd_policy_match(&p, &d, NULL, &r) == TSMD_MATCH_ATTEST &&
	    !(r->match.has & TSMD_M_IDENTITY))
		__builtin_trap();
	tsmd_policy_match(&p, &d, "Vendor=1b36:Device=1e10", &r);
	if (!r || r->req >= TSMD_REQ_NR)
		__builtin_trap();
	tsmd_policy_free(&p);
	return 0;
}
