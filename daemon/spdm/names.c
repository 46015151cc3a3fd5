// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Printable names for SPDM algorithm bits and capability flags.
 */
#include <stdio.h>
#include "spdm.h"

size_t spdm_hash_len(uint32_t base_hash)
{
	switch (base_hash) {
	case SPDM_HASH_SHA256: return 32;
	case SPDM_HASH_SHA384: return 48;
	case SPDM_HASH_SHA512: return 64;
	default: return 0;
	}
}

const char *spdm_asym_name(uint32_t bit)
{
	switch (bit) {
	case 0: return "none";
	case SPDM_ASYM_RSASSA_2048: return "RSASSA-2048";
	case SPDM_ASYM_RSAPSS_2048: return "RSAPSS-2048";
	case SPDM_ASYM_RSASSA_3072: return "RSASSA-3072";
	case SPDM_ASYM_RSAPSS_3072: return "RSAPSS-3072";
	case SPDM_ASYM_ECDSA_P256: return "ECDSA-P256";
	case SPDM_ASYM_RSASSA_4096: return "RSASSA-4096";
	case SPDM_ASYM_RSAPSS_4096: return "RSAPSS-4096";
	case SPDM_ASYM_ECDSA_P384: return "ECDSA-P384";
	case SPDM_ASYM_ECDSA_P521: return "ECDSA-P521";
	default: return "unknown";
	}
}

const char *spdm_hash_name(uint32_t bit)
{
	switch (bit) {
	case 0: return "none";
	case SPDM_HASH_SHA256: return "SHA-256";
	case SPDM_HASH_SHA384: return "SHA-384";
	case SPDM_HASH_SHA512: return "SHA-512";
	default: return "unknown";
	}
}

const char *spdm_dhe_name(uint16_t bit)
{
	switch (bit) {
	case 0: return "none";
	case SPDM_DHE_SECP256R1: return "secp256r1";
	case SPDM_DHE_SECP384R1: return "secp384r1";
	default: return "unknown";
	}
}

const char *spdm_aead_name(uint16_t bit)
{
	switch (bit) {
	case 0: return "none";
	case SPDM_AEAD_AES_128_GCM: return "AES-128-GCM";
	case SPDM_AEAD_AES_256_GCM: return "AES-256-GCM";
	case SPDM_AEAD_CHACHA20_POLY: return "ChaCha20-Poly1305";
	default: return "unknown";
	}
}

void spdm_caps_str(uint32_t flags, char *out, size_t len)
{
	static const char *const names[] = {
		"CACHE",      "CERT",	    "CHAL",	  "MEAS_NO_SIG",
		"MEAS_SIG",   "MEAS_FRESH", "ENCRYPT",	  "MAC",
		"MUT_AUTH",   "KEY_EX",	    "PSK",	  "PSK_CTX",
		"ENCAP",      "HBEAT",	    "KEY_UPD",	  "HANDSHAKE_IN_THE_CLEAR",
		"PUB_KEY_ID", "CHUNK",	    "ALIAS_CERT",
	};
	size_t n = 0, i;

	out[0] = 0;
	for (i = 0; i < 32; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (i < sizeof(names) / sizeof(names[0]))
			n += (size_t)snprintf(out + n, len > n ? len - n : 0, "%s%s", n ? "," : "",
					      names[i]);
		else
			n += (size_t)snprintf(out + n, len > n ? len - n : 0, "%sbit%zu",
					      n ? "," : "", i);
	}
	if (!n)
		snprintf(out, len, "none");
}
