// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the worker summary codec (daemon/attest/summary.c), the JSON a
 * tsmd worker hands its parent: decoded from hostile bytes it must either
 * fail with a reason or give a summary that encodes and decodes again to
 * the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmd_summary *s = calloc(1, sizeof(*s)), *s2 = calloc(1, sizeof(*s2));
	char err[256], *t1 = NULL, *t2 = NULL;

	if (!s || !s2 || size > 1 << 20)
		goto out;
	if (tsmd_summary_decode((const char *)data, size, s, err, sizeof(err))) {
		if (!err[0])
			__builtin_trap(); /* a refusal says why */
		goto out;
	}
	t1 = tsmd_summary_encode(s);
	if (!t1)
		goto out;
	if (tsmd_summary_decode(t1, strlen(t1), s2, err, sizeof(err)))
		__builtin_trap(); /* what we write we read back */
	t2 = tsmd_summary_encode(s2);
	if (t2 && strcmp(t1, t2))
		__builtin_trap();
out:
	free(t1);
	free(t2);
	free(s);
	free(s2);
	return 0;
}
