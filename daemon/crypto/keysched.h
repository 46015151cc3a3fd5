/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM session cryptography with OpenSSL (userspace only): the DSP0274
 * key schedule (HKDF-Extract/Expand with the negotiated hash over
 * BinConcat info strings), HMAC for the Finished verify data, ephemeral
 * ECDHE (secp256r1/secp384r1, public keys as raw X||Y) and the AEAD
 * ciphers of DSP0277 (AES-256-GCM, ChaCha20-Poly1305; 12-byte IV, 16-byte
 * tag).
 *
 * Key schedule (DSP0274 1.2 "Key schedule"; H = hash length):
 *   HandshakeSecret = HKDF-Extract(salt = 0^H, IKM = DHE secret)
 *   {req,rsp}HandshakeSecret = HKDF-Expand(HandshakeSecret,
 *         BinConcat(H, "req hs data" / "rsp hs data", Hash(TH1)), H)
 *   Salt1 = HKDF-Expand(HandshakeSecret, BinConcat(H, "derived"), H)
 *   MasterSecret = HKDF-Extract(salt = Salt1, IKM = 0^H)
 *   {req,rsp}DataSecret = HKDF-Expand(MasterSecret,
 *         BinConcat(H, "req app data" / "rsp app data", Hash(TH2)), H)
 *   finished_key = HKDF-Expand(xHandshakeSecret, BinConcat(H, "finished"), H)
 *   key = HKDF-Expand(secret, BinConcat(keylen, "key"), keylen)
 *   iv  = HKDF-Expand(secret, BinConcat(12, "iv"), 12)
 *   update: secret' = HKDF-Expand(secret, BinConcat(H, "traffic upd"), H)
 * Every new key starts again at sequence number 0.
 */
#ifndef TSMH_CRYPTO_KEYSCHED_H
#define TSMH_CRYPTO_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#define TSMH_KS_MAX_HASH  64
#define TSMH_AEAD_KEY_LEN 32 /* both AEADs we speak */
#define TSMH_AEAD_IV_LEN  12
#define TSMH_AEAD_TAG_LEN 16
#define TSMH_DHE_MAX	  96 /* secp384r1 X||Y */

/* HKDF-Extract: @prk gets the hash length of @hash (SPDM_HASH_*). 0 or -EINVAL. */
int tsmh_hkdf_extract(uint32_t hash, const uint8_t *salt, size_t slen, const uint8_t *ikm,
		      size_t ilen, uint8_t *prk);
/* HKDF-Expand of @olen bytes. 0 or -EINVAL. */
int tsmh_hkdf_expand(uint32_t hash, const uint8_t *prk, size_t plen, const uint8_t *info,
		     size_t ilen, uint8_t *out, size_t olen);
/* HMAC with @hash; @out gets the hash length. 0 or -EINVAL. */
int tsmh_hmac(uint32_t hash, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	      uint8_t *out);

/* One direction's traffic keys. */
struct tsmh_dir_keys {
	uint8_t secret[TSMH_KS_MAX_HASH];
	uint8_t key[TSMH_AEAD_KEY_LEN];
	uint8_t iv[TSMH_AEAD_IV_LEN];
	uint64_t seq; /* next sequence number */
};

struct tsmh_keys {
	uint8_t ver; /* SPDM version: the BinConcat label */
	uint32_t hash; /* SPDM_HASH_* */
	uint16_t aead; /* SPDM_AEAD_* */
	size_t hl;
	uint8_t handshake_secret[TSMH_KS_MAX_HASH];
	uint8_t req_finished[TSMH_KS_MAX_HASH], rsp_finished[TSMH_KS_MAX_HASH];
	struct tsmh_dir_keys req, rsp; /* handshake keys, then data keys */
};

/* Handshake secrets, finished keys and handshake traffic keys from the DHE secret and Hash(TH1). */
int tsmh_ks_handshake(struct tsmh_keys *k, uint8_t ver, uint32_t hash, uint16_t aead,
		      const uint8_t *dhe, size_t dlen, const uint8_t *th1_hash);
/* Data (application) traffic keys from Hash(TH2); replaces the handshake keys. */
int tsmh_ks_data(struct tsmh_keys *k, const uint8_t *th2_hash);
/* KEY_UPDATE for one direction ("traffic upd"), sequence number back to 0. */
int tsmh_ks_update(struct tsmh_keys *k, struct tsmh_dir_keys *d);
/* Wipe. */
void tsmh_ks_clear(struct tsmh_keys *k);

/* AEAD with @aead (SPDM_AEAD_*): @ct gets @plen bytes, @tag 16. 0 or -EINVAL. */
int tsmh_aead_seal(uint16_t aead, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		   size_t alen, const uint8_t *pt, size_t plen, uint8_t *ct, uint8_t *tag);
/* 0, or -EBADMSG when the tag does not verify. */
int tsmh_aead_open(uint16_t aead, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		   size_t alen, const uint8_t *ct, size_t clen, const uint8_t *tag, uint8_t *pt);

/* A fresh ephemeral key for @dhe (SPDM_DHE_*); its X||Y into @pub (spdm_dhe_len bytes). */
EVP_PKEY *tsmh_dhe_keygen(uint16_t dhe, uint8_t *pub);
/* The shared secret (X coordinate) with the peer's X||Y; *@slen set. 0 or -EINVAL (bad point). */
int tsmh_dhe_derive(EVP_PKEY *mine, uint16_t dhe, const uint8_t *peer, uint8_t *secret,
		    size_t *slen);

#endif
