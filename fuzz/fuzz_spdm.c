// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the requester's SPDM response decoders on arbitrary bytes. */
#include <stdint.h>
#include <string.h>
#include "cert.h"
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
	{
		struct spdm_digests d;
		struct spdm_cert_portion p;
		struct spdm_chain ch;
		int i;

		spdm_dec_digests(ver, data, size, 48, &d, &e);
		if (!spdm_dec_certificate(ver, data, size, 0, &p, &e) &&
		    (p.data + p.len > data + size || (!p.len && p.remainder)))
			__builtin_trap();
		if (!spdm_chain_parse(data, size, 32, &ch)) {
			size_t sum = 4 + 32;

			for (i = 0; i < ch.nr; i++)
				sum += ch.cert_len[i];
			if (sum != size) /* the certificates tile the chain exactly */
				__builtin_trap();
		}
	}
	return 0;
}
