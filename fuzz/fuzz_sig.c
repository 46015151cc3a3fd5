// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: SPDM's ECDSA r||s (P1363) to DER for OpenSSL (daemon/crypto/
 * sig.c) on any bytes: the DER is never longer than the buffer, and it
 * parses back to the same r and s.
 */
#include <stdint.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include "sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t der[300], back[132];
	const uint8_t *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	size_t n, half;

	if (size > 132 || size % 2)
		return 0;
	n = tsmh_p1363_to_der(data, size, der, (data[0] & 1) ? 16 : sizeof(der));
	if (!n)
		return 0;
	if (n > sizeof(der))
		__builtin_trap();
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	if (!es || p != der + n)
		__builtin_trap();
	ECDSA_SIG_get0(es, &r, &s);
	half = size / 2;
	if (BN_bn2binpad(r, back, (int)half) != (int)half || memcmp(back, data, half) ||
	    BN_bn2binpad(s, back, (int)half) != (int)half || memcmp(back, data + half, half))
		__builtin_trap();
	ECDSA_SIG_free(es);
	return 0;
}
