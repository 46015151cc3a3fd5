// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM signatures with OpenSSL. See sig.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include "auth.h"
#include "cert.h"
#include "sig.h"

const EVP_MD *tsmh_md(uint32_t hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256: return EVP_sha256();
	case SPDM_HASH_SHA384: return EVP_sha384();
	case SPDM_HASH_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

static int is_ecdsa(uint32_t asym)
{
	return asym == SPDM_ASYM_ECDSA_P256 || asym == SPDM_ASYM_ECDSA_P384 ||
	       asym == SPDM_ASYM_ECDSA_P521;
}

static int is_pss(uint32_t asym)
{
	return asym == SPDM_ASYM_RSAPSS_2048 || asym == SPDM_ASYM_RSAPSS_3072 ||
	       asym == SPDM_ASYM_RSAPSS_4096;
}

size_t tsmh_hash(uint32_t hash, const void *data, size_t len, uint8_t *out)
{
	const EVP_MD *md = tsmh_md(hash);
	unsigned int n = 0;

	if (!md || !EVP_Digest(data, len, out, &n, md, NULL))
		return 0;
	return n;
}

size_t tsmh_spdm_signed_msg(uint8_t ver, uint32_t hash, const char *context, const uint8_t *tx,
			    size_t txlen, uint8_t *out)
{
	size_t n;

	if (ver < SPDM_VERSION_12 || spdm_signing_prefix(ver, context, out))
		return 0;
	n = tsmh_hash(hash, tx, txlen, out + SPDM_PREFIX_LEN);
	return n ? SPDM_PREFIX_LEN + n : 0;
}

/* Set up a DigestSign/Verify context for @asym (padding for RSA). */
static EVP_MD_CTX *md_ctx(EVP_PKEY *key, uint32_t asym, uint32_t hash, int sign)
{
	const EVP_MD *md = tsmh_md(hash);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (!ctx || !md)
		goto fail;
	ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, key)
		  : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key);
	if (ok != 1)
		goto fail;
	if (!is_ecdsa(asym)) {
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, is_pss(asym) ? RSA_PKCS1_PSS_PADDING
								    : RSA_PKCS1_PADDING) != 1)
			goto fail;
		if (is_pss(asym) &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
			goto fail;
	}
	return ctx;
fail:
	EVP_MD_CTX_free(ctx);
	return NULL;
}

/* The bytes the signature algorithm is applied to. */
static const uint8_t *to_sign(uint8_t ver, uint32_t hash, const char *context, const uint8_t *tx,
			      size_t txlen, uint8_t *buf, size_t *len)
{
	if (ver < SPDM_VERSION_12) {
		*len = txlen;
		return tx;
	}
	*len = tsmh_spdm_signed_msg(ver, hash, context, tx, txlen, buf);
	return *len ? buf : NULL;
}

int tsmh_spdm_sign(EVP_PKEY *key, uint8_t ver, uint32_t asym, uint32_t hash, const char *context,
		   const uint8_t *tx, size_t txlen, uint8_t *sig)
{
	uint8_t buf[TSMH_SIGNED_MSG_MAX], der[SPDM_MAX_SIG + 16];
	size_t slen = spdm_sig_len(asym), mlen, dlen = sizeof(der);
	const uint8_t *msg = to_sign(ver, hash, context, tx, txlen, buf, &mlen);
	EVP_MD_CTX *ctx;
	int ret = -1;

	if (!msg || !slen)
		return -1;
	ctx = md_ctx(key, asym, hash, 1);
	if (!ctx)
		return -1;
	if (EVP_DigestSign(ctx, der, &dlen, msg, mlen) != 1)
		goto out;
	if (is_ecdsa(asym)) {
		const uint8_t *p = der;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
		const BIGNUM *r, *s;

		if (!es)
			goto out;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, (int)slen / 2) < 0 ||
		    BN_bn2binpad(s, sig + slen / 2, (int)slen / 2) < 0) {
			ECDSA_SIG_free(es);
			goto out;
		}
		ECDSA_SIG_free(es);
	} else {
		if (dlen != slen)
			goto out;
		memcpy(sig, der, slen);
	}
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

size_t tsmh_p1363_to_der(const uint8_t *sig, size_t len, uint8_t *der, size_t cap)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)len / 2, NULL),
	       *s = BN_bin2bn(sig + len / 2, (int)len / 2, NULL);
	uint8_t *p = der;
	int n = 0;

	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return 0;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n > 0 && (size_t)n <= cap)
		n = i2d_ECDSA_SIG(es, &p);
	else
		n = 0;
	ECDSA_SIG_free(es);
	return n > 0 ? (size_t)n : 0;
}

int tsmh_spdm_verify(EVP_PKEY *key, uint8_t ver, uint32_t asym, uint32_t hash, const char *context,
		     const uint8_t *tx, size_t txlen, const uint8_t *sig, char *why, size_t whylen)
{
	uint8_t buf[TSMH_SIGNED_MSG_MAX], der[SPDM_MAX_SIG + 16];
	size_t slen = spdm_sig_len(asym), mlen, dlen;
	const uint8_t *msg = to_sign(ver, hash, context, tx, txlen, buf, &mlen);
	EVP_MD_CTX *ctx;
	int ok;

	if (!msg || !slen)
		return spdm_why(why, whylen, -EINVAL, "no signature algorithm negotiated");
	if (tsmh_key_fits_asym(key, asym))
		return spdm_why(why, whylen, -EBADMSG,
				"the leaf certificate's key is not %s, the negotiated algorithm",
				spdm_asym_name(asym));
	if (is_ecdsa(asym)) {
		dlen = tsmh_p1363_to_der(sig, slen, der, sizeof(der));
		if (!dlen)
			return spdm_why(why, whylen, -EBADMSG, "malformed ECDSA signature");
	} else {
		memcpy(der, sig, slen);
		dlen = slen;
	}
	ctx = md_ctx(key, asym, hash, 0);
	if (!ctx)
		return spdm_why(why, whylen, -EINVAL, "OpenSSL cannot set up %s with %s",
				spdm_asym_name(asym), spdm_hash_name(hash));
	ok = EVP_DigestVerify(ctx, der, dlen, msg, mlen);
	EVP_MD_CTX_free(ctx);
	if (ok != 1)
		return spdm_why(why, whylen, -EBADMSG,
				"%s signature does not verify with the leaf certificate's key",
				spdm_asym_name(asym));
	return 0;
}

EVP_PKEY *tsmh_chain_leaf_key(const uint8_t *chain, size_t len, size_t hash_len)
{
	struct spdm_chain ch;
	const uint8_t *p;
	EVP_PKEY *k;
	X509 *x;

	if (spdm_chain_parse(chain, len, hash_len, &ch) || ch.nr < 1)
		return NULL;
	p = ch.cert[ch.nr - 1];
	x = d2i_X509(NULL, &p, (long)ch.cert_len[ch.nr - 1]);
	if (!x)
		return NULL;
	k = X509_get_pubkey(x);
	X509_free(x);
	return k;
}

int tsmh_key_fits_asym(EVP_PKEY *key, uint32_t asym)
{
	char group[64] = "";
	size_t glen = 0;

	if (is_ecdsa(asym)) {
		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
		    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
						    sizeof(group), &glen))
			return -1;
		if (asym == SPDM_ASYM_ECDSA_P256)
			return strcmp(group, "prime256v1") ? -1 : 0;
		if (asym == SPDM_ASYM_ECDSA_P384)
			return strcmp(group, "secp384r1") ? -1 : 0;
		return strcmp(group, "secp521r1") ? -1 : 0;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return -1;
	return (size_t)EVP_PKEY_get_bits(key) == spdm_sig_len(asym) * 8 ? 0 : -1;
}
