// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the requester's SPDM response decoders on arbitrary bytes. */
#include <stdint.h>
#include <string.h>
#include "requester.h"
#include "spdm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_ver v[SPDM_MAX_VERSIONS];
	struct spdm_algs offer, sel;
	struct spdm_caps c;
	uint8_t e, ver;
	int n;

	if (!size)
		return 0;
	ver = (uint8_t)(0x11 + (data[0] & 3)); /* 1.1 .. 1.4 */
	data++;
	size--;
	n = spdm_dec_version(data, size, v, SPDM_MAX_VERSIONS, &e);
	if (n > SPDM_MAX_VERSIONS)
		__builtin_trap();
	spdm_dec_capabilities(ver, SPDM_CAPABILITIES, data, size, &c, &e);
	spdm_default_offer(&offer);
	if (!spdm_dec_algorithms(ver, data, size, &offer, &sel, &e)) {
		/* anything accepted is a single offered choice */
		if (sel.base_asym & ~offer.base_asym || sel.base_hash & ~offer.base_hash)
			__builtin_trap();
	}
	spdm_dec_negotiate_algorithms(ver, data, size, &sel, &e);
	return 0;
}
