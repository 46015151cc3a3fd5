// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the allow-list parser. Whatever it accepts must format and
 * parse back to the same text (the file tsmd writes is the file it reads).
 * The same bytes also go to the pre-approval parser (tsmctl allow
 * --measurements): an error says why and leaves nothing allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmd_allowlist al, back;
	char why[256], *t1, *t2;

	if (size > 65536)
		return 0;
	{
		struct tsmd_al_entry e;
		int n = tsmd_al_sets_parse((const char *)data, size, "fuzz", &e, why, sizeof(why));

		if (n < 0 && (!why[0] || e.sets || e.nr_sets))
			__builtin_trap();
		if (n >= 0 && (n < 1 || (size_t)n != e.nr_sets || !e.sets))
			__builtin_trap();
		tsmd_al_entry_free(&e);
	}
	if (tsmd_allowlist_parse((const char *)data, size, "fuzz", &al, why, sizeof(why))) {
		if (!why[0] || al.nr || al.e)
			__builtin_trap();
		return 0;
	}
	t1 = tsmd_allowlist_format(&al);
	if (!t1)
		__builtin_trap();
	if (tsmd_allowlist_parse(t1, strlen(t1), "fuzz", &back, why, sizeof(why)))
		__builtin_trap();
	t2 = tsmd_allowlist_format(&back);
	if (!t2 || strcmp(t1, t2) || back.nr != al.nr)
		__builtin_trap();
	free(t1);
	free(t2);
	tsmd_allowlist_free(&back);
	tsmd_allowlist_free(&al);
	return 0;
}
