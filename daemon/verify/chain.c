// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "cert.h"
#include "chain.h"
#include "requester.h"
#include "sig.h"

static int add_pem_file(X509_STORE *st, const char *path, int *n)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		return -errno;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		X509_STORE_add_cert(st, x);
		X509_free(x);
		(*n)++;
	}
	fclose(f);
	return 0;
}

static X509_STORE *load_trust(const char *trust, char *why, size_t whylen, int *err)
{
	X509_STORE *st = X509_STORE_new();
	struct stat sb;
	int n = 0;

	*err = 0;
	if (!st) {
		*err = -ENOMEM;
		return NULL;
	}
	if (stat(trust, &sb)) {
		*err = spdm_why(why, whylen, -errno, "trust anchors %s: %s", trust,
				strerror(errno));
	} else if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(trust);
		struct dirent *e;
		char p[4096];

		while (d && (e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l < 5 || (strcmp(e->d_name + l - 4, ".pem") &&
				      strcmp(e->d_name + l - 4, ".crt")))
				continue;
			snprintf(p, sizeof(p), "%s/%s", trust, e->d_name);
			add_pem_file(st, p, &n);
		}
		if (d)
			closedir(d);
	} else {
		*err = add_pem_file(st, trust, &n);
		if (*err)
			spdm_why(why, whylen, *err, "trust anchors %s: %s", trust, strerror(-*err));
	}
	if (!*err && !n)
		*err = spdm_why(why, whylen, -ENOENT, "no certificates in %s", trust);
	ERR_clear_error();
	if (*err) {
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

/* The CMA identity: a SubjectAltName otherName with OID 2.23.147, UTF8String. */
static int cma_identity(X509 *leaf, char *out, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(TSMH_CMA_SAN_OID, 1);
	int i, found = 0;

	for (i = 0; gens && want && i < sk_GENERAL_NAME_num(gens) && !found; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		ASN1_OBJECT *oid;
		ASN1_TYPE *val;

		if (!GENERAL_NAME_get0_otherName(g, &oid, &val) || OBJ_cmp(oid, want) ||
		    val->type != V_ASN1_UTF8STRING)
			continue;
		snprintf(out, len, "%.*s", ASN1_STRING_length(val->value.utf8string),
			 (const char *)ASN1_STRING_get0_data(val->value.utf8string));
		found = 1;
	}
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(want);
	return found;
}

/* SHA-384 of the leaf's DER SubjectPublicKeyInfo. */
static int leaf_spki_hash(X509 *leaf, uint8_t out[48])
{
	unsigned char *der = NULL;
	unsigned int hl = 0;
	int n = i2d_PUBKEY(X509_get0_pubkey(leaf), &der);
	int ok = n > 0 && EVP_Digest(der, (size_t)n, out, &hl, EVP_sha384(), NULL) && hl == 48;

	OPENSSL_free(der);
	return ok ? 0 : -ENOMEM;
}

int tsmh_verify_chain(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		      const char *trust, struct tsmh_leaf_info *leaf, char *why, size_t whylen)
{
	const EVP_MD *md = tsmh_md(base_hash);
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *st = NULL;
	X509 *certs[SPDM_MAX_CHAIN_CERTS] = { 0 };
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hl;
	struct spdm_chain ch;
	int ret, i, bits;

	memset(leaf, 0, sizeof(*leaf));
	if (!md)
		return spdm_why(why, whylen, -EINVAL, "unsupported hash algorithm %#x", base_hash);
	ret = spdm_chain_parse(chain, len, (size_t)EVP_MD_get_size(md), &ch);
	if (ret)
		return spdm_why(why, whylen, ret, "malformed SPDM certificate chain (%s)",
				strerror(-ret));
	leaf->nr_certs = ch.nr;
	if (digest && (!EVP_Digest(chain, len, h, &hl, md, NULL) || memcmp(h, digest, hl)))
		return spdm_why(why, whylen, -EBADMSG,
				"chain does not match its digest from DIGESTS");
	if (!EVP_Digest(ch.cert[0], ch.cert_len[0], h, &hl, md, NULL) ||
	    memcmp(h, ch.root_hash, hl))
		return spdm_why(why, whylen, -EBADMSG,
				"RootHash does not match the first certificate");
	for (i = 0; i < ch.nr; i++) {
		const unsigned char *p = ch.cert[i];

		certs[i] = d2i_X509(NULL, &p, (long)ch.cert_len[i]);
		if (!certs[i] || p != ch.cert[i] + ch.cert_len[i]) {
			ret = spdm_why(why, whylen, -EBADMSG,
				       "certificate %d of %d is not valid X.509", i + 1, ch.nr);
			goto out;
		}
	}
	st = load_trust(trust, why, whylen, &ret);
	if (!st)
		goto out;
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (!untrusted || !ctx) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ch.nr - 1; i++)
		sk_X509_push(untrusted, certs[i]);
	X509_STORE_CTX_init(ctx, st, certs[ch.nr - 1], untrusted);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);

		ret = spdm_why(
			why, whylen, -EKEYREJECTED, "chain does not verify: %s (at depth %d)",
			X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	/* PCIe CMA / SPDM leaf rules */
	X509_check_purpose(certs[ch.nr - 1], -1, 0);
	if (X509_check_ca(certs[ch.nr - 1])) {
		ret = spdm_why(why, whylen, -EKEYREJECTED, "leaf certificate is a CA");
		goto out;
	}
	if ((X509_get_extension_flags(certs[ch.nr - 1]) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(certs[ch.nr - 1]) & KU_DIGITAL_SIGNATURE)) {
		ret = spdm_why(why, whylen, -EKEYREJECTED, "leaf key usage lacks digitalSignature");
		goto out;
	}
	if (!cma_identity(certs[ch.nr - 1], leaf->identity, sizeof(leaf->identity))) {
		ret = spdm_why(why, whylen, -EKEYREJECTED,
			       "leaf lacks the SPDM/CMA identity (SAN otherName %s)",
			       TSMH_CMA_SAN_OID);
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(certs[ch.nr - 1]), leaf->subject,
			  sizeof(leaf->subject));
	/* the device's stable identity: its leaf key, not the slot it sits in */
	if (leaf_spki_hash(certs[ch.nr - 1], leaf->spki_sha384)) {
		ret = spdm_why(why, whylen, -ENOMEM, "cannot hash the leaf public key");
		goto out;
	}
	bits = EVP_PKEY_get_bits(X509_get0_pubkey(certs[ch.nr - 1]));
	snprintf(leaf->key, sizeof(leaf->key), "%s %d",
		 EVP_PKEY_get_base_id(X509_get0_pubkey(certs[ch.nr - 1])) == EVP_PKEY_EC ? "EC"
											 : "RSA",
		 bits);
	ret = 0;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(st);
	for (i = 0; i < SPDM_MAX_CHAIN_CERTS; i++)
		X509_free(certs[i]);
	ERR_clear_error();
	return ret;
}
