// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM session cryptography with OpenSSL. See keysched.h.
 */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include "keysched.h"
#include "session_msg.h"
#include "spdm.h"

static const char *md_name(uint32_t hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256: return "SHA256";
	case SPDM_HASH_SHA384: return "SHA384";
	case SPDM_HASH_SHA512: return "SHA512";
	default: return NULL;
	}
}

static int hkdf(uint32_t hash, int mode, const uint8_t *key, size_t klen, const uint8_t *salt,
		size_t slen, const uint8_t *info, size_t ilen, uint8_t *out, size_t olen)
{
	const char *md = md_name(hash);
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	OSSL_PARAM p[6], *q = p;
	int ok;

	if (!md || !klen)
		return -EINVAL;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	if (!ctx)
		return -EINVAL;
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, klen);
	if (salt)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, slen);
	if (info)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, ilen);
	*q = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, out, olen, p);
	EVP_KDF_CTX_free(ctx);
	return ok == 1 ? 0 : -EINVAL;
}

int tsmh_hkdf_extract(uint32_t hash, const uint8_t *salt, size_t slen, const uint8_t *ikm,
		      size_t ilen, uint8_t *prk)
{
	size_t hl = spdm_hash_len(hash);

	return hl ? hkdf(hash, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ilen, salt, slen, NULL, 0, prk,
			 hl)
		  : -EINVAL;
}

int tsmh_hkdf_expand(uint32_t hash, const uint8_t *prk, size_t plen, const uint8_t *info,
		     size_t ilen, uint8_t *out, size_t olen)
{
	return hkdf(hash, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, plen, NULL, 0, info, ilen, out, olen);
}

int tsmh_hmac(uint32_t hash, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	      uint8_t *out)
{
	const char *md = md_name(hash);
	size_t n = 0;

	if (!md || !EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, klen, data, dlen, out,
			      TSMH_KS_MAX_HASH, &n))
		return -EINVAL;
	return n == spdm_hash_len(hash) ? 0 : -EINVAL;
}

/* HKDF-Expand(@secret, BinConcat(@len, @label, @ctx), @len) */
static int expand_label(const struct tsmh_keys *k, const uint8_t *secret, const char *label,
			const uint8_t *ctx, size_t clen, uint8_t *out, size_t len)
{
	uint8_t info[128];
	size_t n = spdm_bin_concat(k->ver, (uint16_t)len, label, ctx, clen, info, sizeof(info));

	if (!n)
		return -EINVAL;
	return tsmh_hkdf_expand(k->hash, secret, k->hl, info, n, out, len);
}

static int traffic(const struct tsmh_keys *k, struct tsmh_dir_keys *d)
{
	d->seq = 0;
	if (expand_label(k, d->secret, "key", NULL, 0, d->key, TSMH_AEAD_KEY_LEN) ||
	    expand_label(k, d->secret, "iv", NULL, 0, d->iv, TSMH_AEAD_IV_LEN))
		return -EINVAL;
	return 0;
}

int tsmh_ks_handshake(struct tsmh_keys *k, uint8_t ver, uint32_t hash, uint16_t aead,
		      const uint8_t *dhe, size_t dlen, const uint8_t *th1_hash)
{
	uint8_t zero[TSMH_KS_MAX_HASH] = { 0 };

	memset(k, 0, sizeof(*k));
	k->ver = ver;
	k->hash = hash;
	k->aead = aead;
	k->hl = spdm_hash_len(hash);
	if (!k->hl || (aead != SPDM_AEAD_AES_256_GCM && aead != SPDM_AEAD_CHACHA20_POLY))
		return -EINVAL;
	if (tsmh_hkdf_extract(hash, zero, k->hl, dhe, dlen, k->handshake_secret) ||
	    expand_label(k, k->handshake_secret, "req hs data", th1_hash, k->hl, k->req.secret,
			 k->hl) ||
	    expand_label(k, k->handshake_secret, "rsp hs data", th1_hash, k->hl, k->rsp.secret,
			 k->hl) ||
	    expand_label(k, k->req.secret, "finished", NULL, 0, k->req_finished, k->hl) ||
	    expand_label(k, k->rsp.secret, "finished", NULL, 0, k->rsp_finished, k->hl) ||
	    traffic(k, &k->req) || traffic(k, &k->rsp))
		return -EINVAL;
	return 0;
}

int tsmh_ks_data(struct tsmh_keys *k, const uint8_t *th2_hash)
{
	uint8_t zero[TSMH_KS_MAX_HASH] = { 0 }, salt1[TSMH_KS_MAX_HASH], master[TSMH_KS_MAX_HASH];
	int ret = -EINVAL;

	if (!expand_label(k, k->handshake_secret, "derived", NULL, 0, salt1, k->hl) &&
	    !tsmh_hkdf_extract(k->hash, salt1, k->hl, zero, k->hl, master) &&
	    !expand_label(k, master, "req app data", th2_hash, k->hl, k->req.secret, k->hl) &&
	    !expand_label(k, master, "rsp app data", th2_hash, k->hl, k->rsp.secret, k->hl) &&
	    !traffic(k, &k->req) && !traffic(k, &k->rsp))
		ret = 0;
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(salt1, sizeof(salt1));
	return ret;
}

int tsmh_ks_update(struct tsmh_keys *k, struct tsmh_dir_keys *d)
{
	uint8_t next[TSMH_KS_MAX_HASH];

	if (expand_label(k, d->secret, "traffic upd", NULL, 0, next, k->hl))
		return -EINVAL;
	memcpy(d->secret, next, k->hl);
	OPENSSL_cleanse(next, sizeof(next));
	return traffic(k, d);
}

void tsmh_ks_clear(struct tsmh_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

static const EVP_CIPHER *cipher_of(uint16_t aead)
{
	switch (aead) {
	case SPDM_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
	case SPDM_AEAD_CHACHA20_POLY: return EVP_chacha20_poly1305();
	default: return NULL;
	}
}

static int aead(int enc, uint16_t alg, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		size_t alen, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	const EVP_CIPHER *c = cipher_of(alg);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok = 0;

	if (!c || !ctx || len > INT32_MAX || alen > INT32_MAX)
		goto out;
	if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TSMH_AEAD_IV_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
		goto out;
	if (alen && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)alen) != 1)
		goto out;
	if (len && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		goto out;
	if (!enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TSMH_AEAD_TAG_LEN, (void *)tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TSMH_AEAD_TAG_LEN, tag) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : enc || !c ? -EINVAL : -EBADMSG;
}

int tsmh_aead_seal(uint16_t alg, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		   size_t alen, const uint8_t *pt, size_t plen, uint8_t *ct, uint8_t *tag)
{
	return aead(1, alg, key, iv, aad, alen, pt, plen, ct, tag);
}

int tsmh_aead_open(uint16_t alg, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		   size_t alen, const uint8_t *ct, size_t clen, const uint8_t *tag, uint8_t *pt)
{
	return aead(0, alg, key, iv, aad, alen, ct, clen, pt, (uint8_t *)tag);
}

static const char *group_of(uint16_t dhe)
{
	return dhe == SPDM_DHE_SECP256R1 ? "P-256" : dhe == SPDM_DHE_SECP384R1 ? "P-384" : NULL;
}

EVP_PKEY *tsmh_dhe_keygen(uint16_t dhe, uint8_t *pub)
{
	const char *g = group_of(dhe);
	uint8_t enc[1 + TSMH_DHE_MAX];
	size_t n = 0, dl = spdm_dhe_len(dhe);
	EVP_PKEY *k;

	if (!g)
		return NULL;
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g);
	if (!k)
		return NULL;
	if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc,
					     sizeof(enc), &n) ||
	    n != 1 + dl || enc[0] != 4) {
		EVP_PKEY_free(k);
		return NULL;
	}
	memcpy(pub, enc + 1, dl);
	return k;
}

int tsmh_dhe_derive(EVP_PKEY *mine, uint16_t dhe, const uint8_t *peer, uint8_t *secret,
		    size_t *slen)
{
	uint8_t enc[1 + TSMH_DHE_MAX];
	size_t dl = spdm_dhe_len(dhe), n = TSMH_DHE_MAX;
	EVP_PKEY *p = EVP_PKEY_new();
	EVP_PKEY_CTX *ctx = NULL;
	int ret = -EINVAL;

	if (!p || !dl || !mine)
		goto out;
	enc[0] = 4; /* uncompressed point */
	memcpy(enc + 1, peer, dl);
	/* set1_encoded_public_key checks the point is on the curve */
	if (EVP_PKEY_copy_parameters(p, mine) != 1 ||
	    EVP_PKEY_set1_encoded_public_key(p, enc, 1 + dl) != 1)
		goto out;
	ctx = EVP_PKEY_CTX_new(mine, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, p) != 1 ||
	    EVP_PKEY_derive(ctx, secret, &n) != 1)
		goto out;
	*slen = n;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(p);
	return ret;
}
