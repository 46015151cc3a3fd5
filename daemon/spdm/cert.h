/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM digests, certificate retrieval and the certificate chain format.
 */
#ifndef TSMH_SPDM_CERT_H
#define TSMH_SPDM_CERT_H

#include <stddef.h>
#include <stdint.h>
#include "spdm.h"

#define SPDM_GET_DIGESTS     0x81
#define SPDM_DIGESTS	     0x01
#define SPDM_GET_CERTIFICATE 0x82
#define SPDM_CERTIFICATE     0x02

#define SPDM_MAX_SLOTS	     8
#define SPDM_MAX_HASH	     64
#define SPDM_MAX_CHAIN	     65535 /* the 16-bit Length field */
#define SPDM_MAX_CHAIN_CERTS 16

struct spdm_digests {
	uint8_t supported; /* 1.3+: SupportedSlotMask */
	uint8_t provisioned; /* slots with a chain */
	uint8_t digest[SPDM_MAX_SLOTS][SPDM_MAX_HASH];
};

struct spdm_cert_portion {
	const uint8_t *data;
	uint16_t len, remainder;
};

/* A parsed chain; pointers into the caller's buffer. */
struct spdm_chain {
	const uint8_t *root_hash;
	int nr; /* certificates, root first */
	const uint8_t *cert[SPDM_MAX_CHAIN_CERTS];
	size_t cert_len[SPDM_MAX_CHAIN_CERTS];
};

size_t spdm_enc_get_digests(uint8_t ver, uint8_t *out);
size_t spdm_enc_digests(uint8_t ver, uint8_t supported, uint8_t provisioned,
			const uint8_t (*digests)[SPDM_MAX_HASH], size_t hash_len, uint8_t *out,
			size_t cap);
/* -EBADMSG truncated, -EPROTO rules broken, -EREMOTEIO SPDM ERROR (*err). */
int spdm_dec_digests(uint8_t ver, const uint8_t *m, size_t len, size_t hash_len,
		     struct spdm_digests *d, uint8_t *err);

size_t spdm_enc_get_certificate(uint8_t ver, uint8_t slot, uint16_t off, uint16_t len,
				uint8_t *out);
int spdm_dec_get_certificate(uint8_t ver, const uint8_t *m, size_t len, uint8_t *slot,
			     uint16_t *off, uint16_t *want);
size_t spdm_enc_certificate(uint8_t ver, uint8_t slot, const uint8_t *portion, uint16_t plen,
			    uint16_t remainder, uint8_t *out, size_t cap);
/* Checks the slot, that the portion fits, and that a non-final answer makes progress. */
int spdm_dec_certificate(uint8_t ver, const uint8_t *m, size_t len, uint8_t slot,
			 struct spdm_cert_portion *p, uint8_t *err);

/*
 * Split a chain into its certificates (DER framing only). -EBADMSG:
 * Length disagrees or runs short; -EPROTO: not DER SEQUENCEs, reserved
 * field set; -E2BIG: more than SPDM_MAX_CHAIN_CERTS certificates.
 */
int spdm_chain_parse(const uint8_t *chain, size_t len, size_t hash_len, struct spdm_chain *ch);

#endif
