/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM signatures with OpenSSL (userspace only): hashing with the
 * negotiated algorithm, the message an SPDM signature covers, signing (the
 * device emulator) and verification (the requester) for ECDSA P-256/P-384
 * (SPDM carries r||s, "P1363"; OpenSSL wants DER) and RSA-3072 RSASSA /
 * RSASSA-PSS (salt length = hash length).
 *
 * What is signed (DSP0274 15): for 1.2+ the message is the 100-byte
 * combined prefix followed by Hash(transcript), and the signature is the
 * algorithm's usual hash-then-sign over that message; for 1.1 it is over
 * the transcript itself.
 */
#ifndef TSMH_CRYPTO_SIG_H
#define TSMH_CRYPTO_SIG_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#define TSMH_SIGNED_MSG_MAX (100 + 64)

/* OpenSSL's digest for SPDM_HASH_* @hash, NULL if unknown. */
const EVP_MD *tsmh_md(uint32_t hash);
/* Digest with SPDM_HASH_* @hash; returns the digest length or 0. */
size_t tsmh_hash(uint32_t hash, const void *data, size_t len, uint8_t *out);
/*
 * The message that is signed for 1.2+ (prefix || Hash(@tx)) into @out
 * (TSMH_SIGNED_MSG_MAX bytes); returns its length, or 0 for 1.1, where
 * the transcript itself is signed.
 */
size_t tsmh_spdm_signed_msg(uint8_t ver, uint32_t hash, const char *context, const uint8_t *tx,
			    size_t txlen, uint8_t *out);
/* Sign @tx as a responder would; @sig gets spdm_sig_len(@asym) bytes. 0 or -1. */
int tsmh_spdm_sign(EVP_PKEY *key, uint8_t ver, uint32_t asym, uint32_t hash, const char *context,
		   const uint8_t *tx, size_t txlen, uint8_t *sig);
/* 0 if @sig verifies, else -EBADMSG (or -EINVAL) with @why saying why. */
int tsmh_spdm_verify(EVP_PKEY *key, uint8_t ver, uint32_t asym, uint32_t hash, const char *context,
		     const uint8_t *tx, size_t txlen, const uint8_t *sig, char *why, size_t whylen);
/* The public key of the chain's leaf certificate (SPDM chain format). */
EVP_PKEY *tsmh_chain_leaf_key(const uint8_t *chain, size_t len, size_t hash_len);
/* 0 if @key is of the kind @asym (SPDM_ASYM_*) names, else -1. */
int tsmh_key_fits_asym(EVP_PKEY *key, uint32_t asym);
/* ECDSA r||s -> DER (what `openssl dgst -verify` reads); returns DER length or 0. */
size_t tsmh_p1363_to_der(const uint8_t *sig, size_t len, uint8_t *der, size_t cap);

#endif
