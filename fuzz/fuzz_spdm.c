// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the requester's SPDM response decoders on arbitrary bytes. */
#include <stdint.h>
#include <string.h>
#include "auth.h"
#include "cert.h"
#include "requester.h"
#include "spdm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_ver v[SPDM_MAX_VERSIONS];
	struct spdm_algs offer, sel;
	struct spdm_caps c;
	uint8_t e, ver, sizes;
	int n;

	if (!size)
		return 0;
	ver = (uint8_t)(0x11 + (data[0] & 3)); /* 1.1 .. 1.4 */
	sizes = data[0];
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
	{
		static struct spdm_meas_block b[SPDM_MAX_BLOCKS];
		struct spdm_challenge_auth a;
		struct spdm_meas_rsp m;
		struct spdm_not_ready nr;
		size_t hl = (sizes & 4) ? 48 : 32, sl = (sizes & 8) ? 96 : 64, k;
		int i;

		/* decoders report fields inside the message and a signature that fits */
		if (!spdm_dec_challenge_auth(ver, data, size, 0xff, hl, sl, &a, &e) &&
		    (a.signed_len + sl > size || a.opaque + a.opaque_len > data + size))
			__builtin_trap();
		if (!spdm_dec_measurements(ver, data, size, sl, &m, &e)) {
			if (m.signed_len + sl > size || m.record + m.record_len > data + size)
				__builtin_trap();
			n = spdm_meas_blocks_parse(m.record, m.record_len, m.nr_blocks, b,
						   SPDM_MAX_BLOCKS);
			for (i = 0, k = 0; i < n; i++) {
				if (b[i].value + b[i].value_len > m.record + m.record_len)
					__builtin_trap();
				k += b[i].block_len;
			}
			if (n > 0 && k != m.record_len)
				__builtin_trap();
		}
		spdm_dec_not_ready(data, size, &nr);
		if (spdm_msg_len(data, size, hl) > size)
			__builtin_trap();
	}
	return 0;
}
