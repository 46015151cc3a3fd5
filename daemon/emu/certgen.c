// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the device's identity. At start-up the emulator makes a fresh
 * root CA -> intermediate CA -> leaf chain (ECDSA P-384) with OpenSSL, the
 * leaf carrying the PCIe CMA identity in its Subject Alternative Name
 * (otherName 2.23.147, UTF8String "Vendor=...:Device=..."), and keeps it in
 * SPDM chain format for slot 0. No private key ever touches the disk; the
 * root certificate can be exported so a verifier can trust it.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "cert.h"
#include "certgen.h"

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-384");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		       int serial, int ca, const char *san)
{
	X509 *c = X509_new();
	X509_NAME *name;

	if (!c)
		return NULL;
	X509_set_version(c, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 3650L * 24 * 3600);
	X509_set_pubkey(c, key);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"tsm-host emulator", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	if (!add_ext(c, issuer ? issuer : c, NID_basic_constraints,
		     ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    !add_ext(c, issuer ? issuer : c, NID_key_usage,
		     ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
	    !add_ext(c, issuer ? issuer : c, NID_subject_key_identifier, "hash") ||
	    (issuer && !add_ext(c, issuer, NID_authority_key_identifier, "keyid:always")) ||
	    (san && !add_ext(c, issuer, NID_subject_alt_name, san)) ||
	    !X509_sign(c, issuer_key ? issuer_key : key, EVP_sha384())) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int append_der(X509 *c, uint8_t *buf, size_t cap, size_t *off)
{
	int n = i2d_X509(c, NULL);
	uint8_t *p = buf + *off;

	if (n <= 0 || *off + (size_t)n > cap)
		return -1;
	i2d_X509(c, &p);
	*off += (size_t)n;
	return 0;
}

int emu_identity_make(struct emu_identity *id, const char *cma_identity, int bad_san)
{
	EVP_PKEY *root_key = new_key(), *int_key = new_key();
	X509 *root = NULL, *inter = NULL, *leaf = NULL;
	char san[256];
	unsigned int hl;
	size_t off;
	int ret = -1;

	memset(id, 0, sizeof(*id));
	id->leaf_key = new_key();
	if (!root_key || !int_key || !id->leaf_key)
		goto out;
	snprintf(san, sizeof(san), "otherName:%s;UTF8:%s", bad_san ? "1.2.3.4" : "2.23.147",
		 cma_identity);
	root = make_cert("emulated device root CA", root_key, NULL, NULL, 1, 1, NULL);
	inter = root ? make_cert("emulated device intermediate CA", int_key, root, root_key, 2, 1,
				 NULL)
		     : NULL;
	leaf = inter ? make_cert("emulated TEE-IO endpoint", id->leaf_key, inter, int_key, 3, 0,
				 san)
		     : NULL;
	if (!leaf)
		goto out;
	/* SPDM chain: Length, Reserved, SHA-384(root DER), root, intermediate, leaf */
	off = 4 + 48;
	if (append_der(root, id->chain, sizeof(id->chain), &off) ||
	    append_der(inter, id->chain, sizeof(id->chain), &off) ||
	    append_der(leaf, id->chain, sizeof(id->chain), &off))
		goto out;
	id->chain[0] = off & 0xff;
	id->chain[1] = off >> 8;
	id->chain[2] = id->chain[3] = 0;
	if (!EVP_Digest(id->chain + 52, (size_t)i2d_X509(root, NULL), id->chain + 4, &hl,
			EVP_sha384(), NULL) ||
	    !EVP_Digest(id->chain, off, id->digest, &hl, EVP_sha384(), NULL))
		goto out;
	id->chain_len = off;
	id->root = root;
	root = NULL;
	ret = 0;
out:
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(int_key);
	if (ret) {
		EVP_PKEY_free(id->leaf_key);
		id->leaf_key = NULL;
	}
	return ret;
}

int emu_identity_export_root(const struct emu_identity *id, const char *path)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = PEM_write_X509(f, id->root);
	return fclose(f) == 0 && ok ? 0 : -1;
}

void emu_identity_free(struct emu_identity *id)
{
	X509_free(id->root);
	EVP_PKEY_free(id->leaf_key);
	memset(id, 0, sizeof(*id));
}
