// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the hold_ids parser; whatever parses formats back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hold_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_hold_id ids[TSMH_HOLD_IDS_MAX], back[TSMH_HOLD_IDS_MAX];
	char s[512], buf[TSMH_HOLD_IDS_STR_MAX];
	const char *why;
	int n, m;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	memset(ids, 0, sizeof(ids));
	memset(back, 0, sizeof(back));
	n = tsmh_hold_ids_parse(s, ids, TSMH_HOLD_IDS_MAX, &why);
	if (n < 0) {
		if (!why)
			__builtin_trap();
		return 0;
	}
	if (n > TSMH_HOLD_IDS_MAX)
		__builtin_trap();
	tsmh_hold_ids_format(ids, (unsigned int)n, buf, sizeof(buf));
	m = tsmh_hold_ids_parse(buf, back, TSMH_HOLD_IDS_MAX, &why);
	if (m != n || memcmp(ids, back, sizeof(ids)))
		__builtin_trap();
	return 0;
}
