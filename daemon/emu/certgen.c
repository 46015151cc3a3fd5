// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the device's identity. At start-up the emulator makes a fresh
 * root CA -> intermediate CA (ECDSA P-384) and, per signing algorithm and
 * provisioned slot, a leaf key (P-256, P-384 or RSA-3072) and certificate
 * with OpenSSL, each leaf carrying the PCIe CMA identity in its Subject
 * Alternative Name (otherName 2.23.147, UTF8String "Vendor=...:Device=...").
 * Chains are kept in SPDM chain format for SHA-256 and SHA-384 RootHash.
 * No private key ever touches the disk; the root certificate can be
 * exported so a verifier can trust it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "cert.h"
#include "certgen.h"
#include "port.h"

static EVP_PKEY *new_key(int kind)
{
	switch (kind) {
	case EMU_KEY_P256: return EVP_EC_gen("P-256");
	case EMU_KEY_RSA3072: return EVP_RSA_gen(3072);
	default: return EVP_EC_gen("P-384");
	}
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

/* SPDM chain: Length, Reserved, Hash(root DER), root, intermediate, leaf */
static int build_chain(struct emu_chain *ch, int h, X509 *root, X509 *inter, X509 *leaf)
{
	const EVP_MD *md = h == EMU_H256 ? EVP_sha256() : EVP_sha384();
	size_t hl = (size_t)EVP_MD_get_size(md), off = 4 + hl;
	uint8_t *buf = malloc(SPDM_MAX_CHAIN);
	unsigned int n;

	if (!buf)
		return -1;
	if (append_der(root, buf, SPDM_MAX_CHAIN, &off) ||
	    append_der(inter, buf, SPDM_MAX_CHAIN, &off) ||
	    append_der(leaf, buf, SPDM_MAX_CHAIN, &off) ||
	    !EVP_Digest(buf + 4 + hl, (size_t)i2d_X509(root, NULL), buf + 4, &n, md, NULL)) {
		free(buf);
		return -1;
	}
	tsmh_put_le16(buf, (uint16_t)off);
	buf[2] = buf[3] = 0;
	if (!EVP_Digest(buf, off, ch->digest[h], &n, md, NULL)) {
		free(buf);
		return -1;
	}
	ch->buf[h] = buf;
	ch->len[h] = off;
	return 0;
}

static int kind_of(uint32_t asym)
{
	if (asym & SPDM_ASYM_ECDSA_P256)
		return EMU_KEY_P256;
	if (asym & SPDM_ASYM_ECDSA_P384)
		return EMU_KEY_P384;
	return EMU_KEY_RSA3072;
}

int emu_identity_make(struct emu_identity *id, uint32_t asym, int nr_slots,
		      const char *cma_identity, int bad_san)
{
	static const uint32_t kinds[EMU_NR_KEYS] = {
		[EMU_KEY_P256] = SPDM_ASYM_ECDSA_P256,
		[EMU_KEY_P384] = SPDM_ASYM_ECDSA_P384,
		[EMU_KEY_RSA3072] = SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072,
	};
	EVP_PKEY *root_key = new_key(EMU_KEY_P384), *int_key = new_key(EMU_KEY_P384);
	X509 *root = NULL, *inter = NULL;
	char san[256], cn[64];
	int ret = -1, k, s, h;

	memset(id, 0, sizeof(*id));
	if (!root_key || !int_key || nr_slots < 1 || nr_slots > EMU_MAX_SLOTS)
		goto out;
	snprintf(san, sizeof(san), "otherName:%s;UTF8:%s", bad_san ? "1.2.3.4" : "2.23.147",
		 cma_identity);
	root = make_cert("emulated device root CA", root_key, NULL, NULL, 1, 1, NULL);
	inter = root ? make_cert("emulated device intermediate CA", int_key, root, root_key, 2, 1,
				 NULL)
		     : NULL;
	if (!inter)
		goto out;
	id->nr_slots = nr_slots;
	for (k = 0; k < EMU_NR_KEYS; k++) {
		if (!(asym & kinds[k]))
			continue;
		for (s = 0; s < nr_slots; s++) {
			struct emu_chain *ch = &id->chain[k][s];
			EVP_PKEY *key = new_key(kind_of(kinds[k]));
			X509 *leaf;

			if (!key)
				goto out;
			ch->key = key;
			snprintf(cn, sizeof(cn), "emulated TEE-IO endpoint slot %d", s);
			leaf = make_cert(cn, key, inter, int_key, 16 * (k + 1) + s, 0, san);
			if (!leaf)
				goto out;
			for (h = 0; h < EMU_NR_HASH; h++)
				if (build_chain(ch, h, root, inter, leaf)) {
					X509_free(leaf);
					goto out;
				}
			X509_free(leaf);
		}
		id->asym |= asym & kinds[k];
	}
	id->root = root;
	root = NULL;
	ret = 0;
out:
	X509_free(root);
	X509_free(inter);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(int_key);
	if (ret)
		emu_identity_free(id);
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
	int k, s, h;

	X509_free(id->root);
	for (k = 0; k < EMU_NR_KEYS; k++)
		for (s = 0; s < EMU_MAX_SLOTS; s++) {
			EVP_PKEY_free(id->chain[k][s].key);
			for (h = 0; h < EMU_NR_HASH; h++)
				free((void *)id->chain[k][s].buf[h]);
		}
	memset(id, 0, sizeof(*id));
}
