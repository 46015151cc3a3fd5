// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the verifier's chain record parser (daemon/verify/chainrec.c),
 * which reads what the kernel's evidence object "verified" or a cache
 * directory holds. Whatever parses formats back to the same bytes; a
 * refusal always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "chainrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_chain_rec r[TSMH_CHAIN_REC_MAX];
	char why[128] = "", *out;
	size_t n2, cap = (TSMH_CHAIN_REC_MAX + 1) * TSMH_CHAIN_REC_LINE;
	int n;

	if (tsmh_chain_rec_parse((const char *)data, size, r, &n, why, sizeof(why))) {
		if (!why[0])
			__builtin_trap();
		return 0;
	}
	if (n < 0 || n > TSMH_CHAIN_REC_MAX)
		__builtin_trap();
	out = malloc(cap);
	if (!out)
		return 0;
	n2 = tsmh_chain_rec_format(r, n, out, cap);
	/* one spelling per record set: the input itself */
	if (n2 != size || memcmp(out, data, size))
		__builtin_trap();
	free(out);
	return 0;
}
