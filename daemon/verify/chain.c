// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "cert.h"
#include "chain.h"
#include "chainrec.h"
#include "requester.h"
#include "sig.h"

/*
 * Trust anchors are kept as a list, not looked up by name: real vendor PKIs
 * (and the well-known sample PKIs) reuse subject names across roots, and a
 * name lookup picks one of them. Each anchor is tried on its own (see
 * try_anchor()), so the one whose key verifies wins and is reported.
 */
struct anchor {
	X509 *x;
	char file[256];
};

struct anchors {
	struct anchor *a;
	int n, cap;
};

static void anchors_free(struct anchors *as)
{
	int i;

	for (i = 0; i < as->n; i++)
		X509_free(as->a[i].x);
	free(as->a);
	memset(as, 0, sizeof(*as));
}

/* A regular file only: a FIFO in the trust directory must not hang us. */
static FILE *open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), e;
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	else
		e = 0;
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

static int add_pem_file(struct anchors *as, const char *path)
{
	FILE *f = open_regular(path);
	const char *base = strrchr(path, '/');
	unsigned long e;
	X509 *x;

	if (!f)
		return -errno;
	ERR_clear_error();
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		if (as->n == as->cap) {
			int cap = as->cap ? as->cap * 2 : 8;
			struct anchor *na = realloc(as->a, (size_t)cap * sizeof(*na));

			if (!na) {
				X509_free(x);
				fclose(f);
				return -ENOMEM;
			}
			as->a = na;
			as->cap = cap;
		}
		as->a[as->n].x = x;
		snprintf(as->a[as->n].file, sizeof(as->a[as->n].file), "%s",
			 base ? base + 1 : path);
		as->n++;
	}
	fclose(f);
	/* the end is "no start line": anything else is a block that is no certificate */
	e = ERR_peek_last_error();
	if (e && (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE))
		return -EBADMSG;
	return 0;
}

static const char *trust_err(int err)
{
	return err == -EINVAL	 ? "not a regular file"
	       : err == -EBADMSG ? "a CERTIFICATE block that does not decode (bad base64 or DER)"
				 : strerror(-err);
}

/*
 * @fn on every anchor file of @trust: the file itself, or each *.pem and
 * *.crt of the directory. An anchor that cannot be read is an error, not
 * a smaller trust set.
 */
static int for_each_trust_file(const char *trust, int (*fn)(void *arg, const char *path), void *arg,
			       char *why, size_t whylen)
{
	struct stat sb;
	int err = 0;

	if (stat(trust, &sb))
		return spdm_why(why, whylen, -errno, "trust anchors %s: %s", trust,
				strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(trust);
		struct dirent *e;
		char p[4096];

		while (!err && d && (e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l < 5 || (strcmp(e->d_name + l - 4, ".pem") &&
				      strcmp(e->d_name + l - 4, ".crt")))
				continue;
			snprintf(p, sizeof(p), "%s/%s", trust, e->d_name);
			err = fn(arg, p);
			if (err)
				spdm_why(why, whylen, err, "trust anchor %s: %s", p,
					 trust_err(err));
		}
		if (d)
			closedir(d);
	} else {
		err = fn(arg, trust);
		if (err)
			spdm_why(why, whylen, err, "trust anchors %s: %s", trust, trust_err(err));
	}
	return err;
}

static int add_pem_cb(void *arg, const char *path)
{
	return add_pem_file(arg, path);
}

static int load_trust(const char *trust, struct anchors *as, char *why, size_t whylen)
{
	int err;

	memset(as, 0, sizeof(*as));
	err = for_each_trust_file(trust, add_pem_cb, as, why, whylen);
	if (!err && !as->n)
		err = spdm_why(why, whylen, -ENOENT, "no certificates in %s", trust);
	ERR_clear_error();
	if (err)
		anchors_free(as);
	return err;
}

/*
 * The keys SPDM signs with (DSP0274 BaseAsymAlgo): RSA of 2048 bits or
 * more, ECDSA on P-256, P-384 or P-521, EdDSA 25519/448. Anything else in
 * a device's chain (a 1024-bit RSA intermediate, a brainpool or secp256k1
 * key) is refused, whatever OpenSSL's default security level would allow.
 */
static int key_allowed(EVP_PKEY *k, char *desc, size_t dlen)
{
	char group[64] = "";
	size_t glen = 0;
	int bits = EVP_PKEY_get_bits(k);

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS: snprintf(desc, dlen, "RSA %d", bits); return bits >= 2048;
	case EVP_PKEY_EC:
		EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					       &glen);
		snprintf(desc, dlen, "EC %s", group[0] ? group : "(explicit parameters)");
		return !strcmp(group, "prime256v1") || !strcmp(group, "secp384r1") ||
		       !strcmp(group, "secp521r1");
	case EVP_PKEY_ED25519: snprintf(desc, dlen, "Ed25519"); return 1;
	case EVP_PKEY_ED448: snprintf(desc, dlen, "Ed448"); return 1;
	default: snprintf(desc, dlen, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(k))); return 0;
	}
}

/*
 * Which root verified: its subject, file and the first 8 bytes of the
 * SHA-256 of its DER in hex; the whole SHA-256 in @sha256.
 */
static void anchor_describe(X509 *x, const char *file, char *out, size_t len, uint8_t sha256[32])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	char subj[160];
	int i, o;

	X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
	if (!X509_digest(x, tsmh_md(SPDM_HASH_SHA256), md, &ml) || ml != 32)
		ml = 0;
	memcpy(sha256, md, ml == 32 ? 32 : 0);
	o = snprintf(out, len, "%s (%s, sha256 ", subj, file);
	for (i = 0; i < 8 && ml >= 8 && o > 0 && (size_t)o < len; i++)
		o += snprintf(out + o, len - (size_t)o, "%02x", md[i]);
	if (o > 0 && (size_t)o < len)
		snprintf(out + o, len - (size_t)o, "...)");
}

/* Path validation with @an as the only trust anchor: 1, or 0 with the error and its depth. */
static int try_anchor(const struct anchor *an, X509 *leaf, STACK_OF(X509) * untrusted, int *err,
		      int *depth)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	*err = X509_V_ERR_OUT_OF_MEM;
	*depth = 0;
	if (st && ctx && X509_STORE_add_cert(st, an->x) &&
	    X509_STORE_CTX_init(ctx, st, leaf, untrusted)) {
		/* 112-bit security: no RSA under 2048 bits, no SHA-1 signatures */
		X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 2);
		ok = X509_verify_cert(ctx) == 1;
		*err = X509_STORE_CTX_get_error(ctx);
		*depth = X509_STORE_CTX_get_error_depth(ctx);
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

/*
 * The identity string is printed, logged and matched against policy: it
 * must be exactly what the certificate says. Refused: an embedded NUL
 * (it would cut the string short), control characters (C0, DEL, and C1,
 * U+0080..U+009F: terminal escapes) and bytes that are not UTF-8.
 */
static const char *identity_bad(const unsigned char *p, int n)
{
	int i = 0, k, more;

	while (i < n) {
		unsigned char c = p[i];

		if (!c)
			return "an embedded NUL byte";
		if (c < 0x20 || c == 0x7f)
			return "a control character";
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3;
		else
			return "bytes that are not UTF-8";
		if (i + more > n - 1)
			return "bytes that are not UTF-8";
		for (k = 1; k <= more; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return "bytes that are not UTF-8";
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0) ||
		    (c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90))
			return "bytes that are not UTF-8";
		if (c == 0xc2 && p[i + 1] < 0xa0)
			return "a control character";
		i += more + 1;
	}
	return NULL;
}

/*
 * The CMA identity: a SubjectAltName otherName with OID 2.23.147,
 * UTF8String. 1 with @out set, 0 if there is none, -1 with @why if it is
 * not usable: two of them (which one would policy match?), or a string
 * identity_bad() refuses.
 */
static int cma_identity(X509 *leaf, char *out, size_t len, char *why, size_t whylen)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(TSMH_CMA_SAN_OID, 1);
	int i, found = 0;

	for (i = 0; gens && want && i < sk_GENERAL_NAME_num(gens) && found >= 0; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		const char *bad;
		ASN1_OBJECT *oid;
		ASN1_TYPE *val;
		int n;

		if (!GENERAL_NAME_get0_otherName(g, &oid, &val) || OBJ_cmp(oid, want))
			continue;
		if (val->type != V_ASN1_UTF8STRING) {
			spdm_why(why, whylen, -EKEYREJECTED,
				 "leaf's CMA identity (SAN otherName %s) is not a UTF8String",
				 TSMH_CMA_SAN_OID);
			found = -1;
			break;
		}
		if (found) {
			spdm_why(why, whylen, -EKEYREJECTED,
				 "leaf has two CMA identities (SAN otherName %s): which one is the "
				 "device?",
				 TSMH_CMA_SAN_OID);
			found = -1;
			break;
		}
		d = ASN1_STRING_get0_data(val->value.utf8string);
		n = ASN1_STRING_length(val->value.utf8string);
		bad = identity_bad(d, n);
		if (bad || (size_t)n >= len) {
			spdm_why(why, whylen, -EKEYREJECTED,
				 "leaf's CMA identity (SAN otherName %s) %s%s", TSMH_CMA_SAN_OID,
				 bad ? "contains " : "is longer than ", bad ? bad : "255 bytes");
			found = -1;
			break;
		}
		memcpy(out, d, (size_t)n);
		out[n] = 0;
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
	int ok = n > 0 && EVP_Digest(der, (size_t)n, out, &hl, tsmh_md(SPDM_HASH_SHA384), NULL) &&
		 hl == 48;

	OPENSSL_free(der);
	return ok ? 0 : -ENOMEM;
}

/* PCIe CMA / SPDM leaf rules; the leaf's identity, subject, key hash and description into @leaf. */
static int leaf_rules(X509 *x, struct tsmh_leaf_info *leaf, char *why, size_t whylen)
{
	int i, bits;

	X509_check_purpose(x, -1, 0);
	/*
	 * X509_check_ca() answers "not a CA" for CA:TRUE when keyUsage lacks
	 * keyCertSign: basicConstraints itself must not say CA (DSP0274 leaf
	 * rules; PCIe CMA: the leaf is an end entity).
	 */
	if ((X509_get_extension_flags(x) & EXFLAG_CA) || X509_check_ca(x))
		return spdm_why(why, whylen, -EKEYREJECTED,
				"leaf certificate is a CA (basicConstraints CA:TRUE)");
	if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE))
		return spdm_why(why, whylen, -EKEYREJECTED,
				"leaf key usage lacks digitalSignature");
	i = cma_identity(x, leaf->identity, sizeof(leaf->identity), why, whylen);
	if (i <= 0) {
		if (!i)
			spdm_why(why, whylen, -EKEYREJECTED,
				 "leaf lacks the SPDM/CMA identity (SAN otherName %s)",
				 TSMH_CMA_SAN_OID);
		return -EKEYREJECTED;
	}
	X509_NAME_oneline(X509_get_subject_name(x), leaf->subject, sizeof(leaf->subject));
	/* the device's stable identity: its leaf key, not the slot it sits in */
	if (leaf_spki_hash(x, leaf->spki_sha384))
		return spdm_why(why, whylen, -ENOMEM, "cannot hash the leaf public key");
	bits = EVP_PKEY_get_bits(X509_get0_pubkey(x));
	snprintf(leaf->key, sizeof(leaf->key), "%s %d",
		 EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_EC ? "EC" : "RSA", bits);
	return 0;
}

static int asn1_seconds(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* The window in which every certificate of the path (@certs and @anchor) is valid. */
static int path_window(X509 **certs, int n, X509 *anchor, struct tsmh_leaf_info *leaf)
{
	int64_t nb, na;
	int i;

	leaf->not_before = INT64_MIN;
	leaf->not_after = INT64_MAX;
	for (i = 0; i <= n; i++) {
		X509 *x = i < n ? certs[i] : anchor;

		if (asn1_seconds(X509_get0_notBefore(x), &nb) ||
		    asn1_seconds(X509_get0_notAfter(x), &na))
			return -1;
		if (nb > leaf->not_before)
			leaf->not_before = nb;
		if (na < leaf->not_after)
			leaf->not_after = na;
	}
	return 0;
}

/*
 * The SPDM chain framing of @chain into @ch, and (if @digest) its hash
 * against the slot's digest from DIGESTS; @leaf zeroed, nr_certs set.
 */
static int chain_open(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		      struct spdm_chain *ch, struct tsmh_leaf_info *leaf, char *why, size_t whylen)
{
	const EVP_MD *md = tsmh_md(base_hash);
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hl;
	int ret;

	memset(leaf, 0, sizeof(*leaf));
	if (!md)
		return spdm_why(why, whylen, -EINVAL, "unsupported hash algorithm %#x", base_hash);
	ret = spdm_chain_parse(chain, len, (size_t)EVP_MD_get_size(md), ch);
	if (ret)
		return spdm_why(why, whylen, ret, "malformed SPDM certificate chain (%s)",
				strerror(-ret));
	leaf->nr_certs = ch->nr;
	if (digest && (!EVP_Digest(chain, len, h, &hl, md, NULL) || memcmp(h, digest, hl)))
		return spdm_why(why, whylen, -EBADMSG,
				"chain does not match its digest from DIGESTS");
	return 0;
}

int tsmh_verify_chain(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		      const char *trust, struct tsmh_leaf_info *leaf, char *why, size_t whylen)
{
	const EVP_MD *md = tsmh_md(base_hash);
	STACK_OF(X509) *untrusted = NULL;
	struct anchors as = { 0 };
	int verified = 0, pass, e = 0, depth = 0, first_err = -1, first_depth = 0;
	X509 *certs[SPDM_MAX_CHAIN_CERTS] = { 0 };
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hl;
	struct spdm_chain ch;
	int ret, i;

	ret = chain_open(chain, len, base_hash, digest, &ch, leaf, why, whylen);
	if (ret)
		return ret;
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
	ret = load_trust(trust, &as, why, whylen);
	if (ret)
		goto out;
	untrusted = sk_X509_new_null();
	if (!untrusted) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ch.nr - 1; i++)
		sk_X509_push(untrusted, certs[i]);
	/*
	 * Every anchor is a candidate, those that can have issued the
	 * chain's first certificate (same key identifier and name, or the
	 * very same certificate) first; the first that verifies wins. The
	 * error reported is the one of the first plausible candidate.
	 */
	for (pass = 0; pass < 2 && !verified; pass++) {
		for (i = 0; i < as.n && !verified; i++) {
			int plausible = !X509_cmp(as.a[i].x, certs[0]) ||
					X509_check_issued(as.a[i].x, certs[0]) == X509_V_OK;

			if (plausible != !pass)
				continue;
			verified = try_anchor(&as.a[i], certs[ch.nr - 1], untrusted, &e, &depth)
					   ? i + 1
					   : 0;
			if (verified)
				anchor_describe(as.a[i].x, as.a[i].file, leaf->anchor,
						sizeof(leaf->anchor), leaf->anchor_sha256);
			else if (first_err < 0)
				first_err = e, first_depth = depth;
		}
	}
	if (!verified) {
		ret = spdm_why(
			why, whylen, -EKEYREJECTED,
			"chain does not verify against any of %d trust anchor%s: %s (at depth %d)",
			as.n, as.n == 1 ? "" : "s", X509_verify_cert_error_string(first_err),
			first_depth);
		goto out;
	}
	for (i = 0; i < ch.nr; i++) {
		char desc[80];

		if (!key_allowed(X509_get0_pubkey(certs[i]), desc, sizeof(desc))) {
			ret = spdm_why(
				why, whylen, -EKEYREJECTED,
				"certificate %d of %d has a %s key: SPDM allows RSA >= 2048 bits, "
				"EC P-256/P-384/P-521 and Ed25519/Ed448",
				i + 1, ch.nr, desc);
			goto out;
		}
	}
	ret = leaf_rules(certs[ch.nr - 1], leaf, why, whylen);
	if (ret)
		goto out;
	if (path_window(certs, ch.nr, as.a[verified - 1].x, leaf)) {
		ret = spdm_why(why, whylen, -EBADMSG, "cannot read the certificates' validity");
		goto out;
	}
	ret = 0;
out:
	sk_X509_free(untrusted);
	anchors_free(&as);
	for (i = 0; i < SPDM_MAX_CHAIN_CERTS; i++)
		X509_free(certs[i]);
	ERR_clear_error();
	return ret;
}

/* ---- re-attestation: a chain verified before, by its record ---- */

int tsmh_recheck_chain(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		       const char *trust, const struct tsmh_chain_rec *rec,
		       struct tsmh_leaf_info *leaf, char *why, size_t whylen)
{
	struct anchors as = { 0 };
	const struct anchor *an = NULL;
	X509 *x = NULL;
	struct spdm_chain ch;
	const unsigned char *p;
	char desc[80], ts[2][32];
	time_t now = time(NULL);
	int ret, i;

	ret = chain_open(chain, len, base_hash, digest, &ch, leaf, why, whylen);
	if (ret)
		return ret;
	if (rec->hash != base_hash || memcmp(rec->digest, digest, spdm_hash_len(base_hash)))
		return spdm_why(why, whylen, -ESTALE, "the record is of another chain");
	if ((int64_t)now < rec->not_before || (int64_t)now > rec->not_after) {
		for (i = 0; i < 2; i++) {
			time_t t = (time_t)(i ? rec->not_after : rec->not_before);
			struct tm tm;

			if (!gmtime_r(&t, &tm) ||
			    !strftime(ts[i], sizeof(ts[i]), "%Y-%m-%dT%H:%M:%SZ", &tm))
				snprintf(ts[i], sizeof(ts[i]), "?");
		}
		return spdm_why(why, whylen, -ESTALE,
				"now is outside the time its certificates are valid (%s to %s)",
				ts[0], ts[1]);
	}
	/*
	 * the trust anchors read as a full verification reads them (a file
	 * it would refuse is refused here too), then found by the SHA-256 of
	 * their DER: parsing, no signature
	 */
	ret = load_trust(trust, &as, why, whylen);
	if (ret)
		return ret;
	for (i = 0; i < as.n && !an; i++) {
		uint8_t d[EVP_MAX_MD_SIZE];
		unsigned int dl = 0;

		if (X509_digest(as.a[i].x, tsmh_md(SPDM_HASH_SHA256), d, &dl) && dl == 32 &&
		    !memcmp(d, rec->anchor_sha256, 32))
			an = &as.a[i];
	}
	if (!an) {
		ret = spdm_why(why, whylen, -ESTALE,
			       "the anchor it verified against (sha256 %02x%02x%02x%02x...) is no "
			       "longer in %s",
			       rec->anchor_sha256[0], rec->anchor_sha256[1], rec->anchor_sha256[2],
			       rec->anchor_sha256[3], trust);
		goto out;
	}
	p = ch.cert[ch.nr - 1];
	x = d2i_X509(NULL, &p, (long)ch.cert_len[ch.nr - 1]);
	if (!x || p != ch.cert[ch.nr - 1] + ch.cert_len[ch.nr - 1]) {
		ret = spdm_why(why, whylen, -EBADMSG, "the leaf certificate is not valid X.509");
		goto out;
	}
	if (!key_allowed(X509_get0_pubkey(x), desc, sizeof(desc))) {
		ret = spdm_why(why, whylen, -EKEYREJECTED,
			       "the leaf has a %s key: SPDM allows RSA >= 2048 bits, EC "
			       "P-256/P-384/P-521 and Ed25519/Ed448",
			       desc);
		goto out;
	}
	ret = leaf_rules(x, leaf, why, whylen);
	if (ret)
		goto out;
	anchor_describe(an->x, an->file, leaf->anchor, sizeof(leaf->anchor), leaf->anchor_sha256);
	leaf->not_before = rec->not_before;
	leaf->not_after = rec->not_after;
	leaf->rechecked = 1;
out:
	X509_free(x);
	anchors_free(&as);
	ERR_clear_error();
	return ret;
}
