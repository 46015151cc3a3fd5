// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Certificate chain verification (OpenSSL) against chains the emulator's
 * generator makes, and every way one can be wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "certgen.h"
#include "chain.h"
#include "spdm.h"

/* slot 0 of the P-384 key, SHA-384 framing */
#define P384(i) ((i).chain[EMU_KEY_P384][0])

static struct emu_identity id, other;
static char root_pem[64] = "/tmp/tsmh-test-root-XXXXXX",
	    other_pem[64] = "/tmp/tsmh-test-other-XXXXXX";
static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01:SSVID=1b36:SSID=1e10";
static struct tsmh_leaf_info leaf;
static char why[256];
static uint8_t buf[8192];

static int setup(void **s)
{
	(void)s;
	close(mkstemp(root_pem));
	close(mkstemp(other_pem));
	if (emu_identity_make(&id, SPDM_ASYM_ECDSA_P384, 1, cma, 0) ||
	    emu_identity_make(&other, SPDM_ASYM_ECDSA_P384, 1, cma, 0) ||
	    emu_identity_export_root(&id, root_pem) || emu_identity_export_root(&other, other_pem))
		return -1;
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	unlink(root_pem);
	unlink(other_pem);
	emu_identity_free(&id);
	emu_identity_free(&other);
	return 0;
}

static int verify(const uint8_t *c, size_t len, const uint8_t *digest, const char *trust)
{
	return tsmh_verify_chain(c, len, SPDM_HASH_SHA384, digest, trust, &leaf, why, sizeof(why));
}

static void test_good_chain(void **s)
{
	(void)s;
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384],
				P384(id).digest[EMU_H384], root_pem),
			 0);
	assert_int_equal(leaf.nr_certs, 3);
	assert_string_equal(leaf.identity, cma);
	assert_string_equal(leaf.key, "EC 384");
	assert_non_null(strstr(leaf.subject, "emulated TEE-IO endpoint"));
}

static void test_unknown_root(void **s)
{
	(void)s;
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384],
				P384(id).digest[EMU_H384], other_pem),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "does not verify"));
}

static void test_digest_mismatch(void **s)
{
	(void)s;
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384],
				P384(other).digest[EMU_H384], root_pem),
			 -EBADMSG);
	assert_non_null(strstr(why, "digest"));
}

static void test_tampered(void **s)
{
	(void)s;
	/* RootHash altered */
	memcpy(buf, P384(id).buf[EMU_H384], P384(id).len[EMU_H384]);
	buf[10] ^= 1;
	assert_int_equal(verify(buf, P384(id).len[EMU_H384], NULL, root_pem), -EBADMSG);
	assert_non_null(strstr(why, "RootHash"));
	/* a byte inside the leaf's signed part: parses, but the signature fails */
	memcpy(buf, P384(id).buf[EMU_H384], P384(id).len[EMU_H384]);
	buf[P384(id).len[EMU_H384] - 120] ^= 1;
	assert_int_not_equal(verify(buf, P384(id).len[EMU_H384], NULL, root_pem), 0);
	/* truncated */
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384] - 1, NULL, root_pem),
			 -EBADMSG);
}

static void test_bad_san(void **s)
{
	struct emu_identity bad;
	char pem[64] = "/tmp/tsmh-test-bad-XXXXXX";

	(void)s;
	close(mkstemp(pem));
	assert_int_equal(emu_identity_make(&bad, SPDM_ASYM_ECDSA_P384, 1, cma, 1), 0);
	assert_int_equal(emu_identity_export_root(&bad, pem), 0);
	assert_int_equal(verify(P384(bad).buf[EMU_H384], P384(bad).len[EMU_H384],
				P384(bad).digest[EMU_H384], pem),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "2.23.147"));
	emu_identity_free(&bad);
	unlink(pem);
}

static void write_pem(const char *path, X509 *a, X509 *b);

static void test_trust_errors(void **s)
{
	(void)s;
	assert_int_equal(
		verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, "/nonexistent/roots"),
		-ENOENT);
	assert_non_null(strstr(why, "/nonexistent/roots"));
	/* a device, and a FIFO in a trust directory: refused at once, never read */
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, "/dev/null"),
			 -EINVAL);
	assert_non_null(strstr(why, "not a regular file"));
	{
		char d[64] = "/tmp/tsmh-test-trustdir-XXXXXX", fifo[96], empty[96];
		FILE *f;

		assert_non_null(mkdtemp(d));
		snprintf(fifo, sizeof(fifo), "%s/a.pem", d);
		snprintf(empty, sizeof(empty), "%s/b.pem", d);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, d),
				 -EINVAL);
		assert_non_null(strstr(why, "a.pem: not a regular file"));
		unlink(fifo);
		f = fopen(empty, "w");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, d),
				 -ENOENT);
		assert_non_null(strstr(why, "no certificates"));
		unlink(empty);
		rmdir(d);
	}
	{
		/*
		 * a CERTIFICATE block that does not decode is an error naming
		 * the file, not the end of it: the real root after it used to
		 * be dropped silently ("no certificates")
		 */
		char pem[64] = "/tmp/tsmh-test-badblock-XXXXXX", line[128];
		FILE *f, *r;

		close(mkstemp(pem));
		f = fopen(pem, "w");
		r = fopen(root_pem, "r");
		assert_non_null(f);
		assert_non_null(r);
		fputs("-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n", f);
		while (fgets(line, sizeof(line), r))
			fputs(line, f);
		fclose(r);
		fclose(f);
		assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, pem),
				 -EBADMSG);
		assert_non_null(strstr(why, strrchr(pem, '/') + 1));
		assert_non_null(strstr(why, "does not decode"));
		/* after the root: still refused, not a smaller trust set */
		write_pem(pem, id.root, NULL);
		f = fopen(pem, "a");
		assert_non_null(f);
		fputs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", f);
		fclose(f);
		assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, pem),
				 -EBADMSG);
		/* text around the blocks is no error */
		write_pem(pem, id.root, NULL);
		f = fopen(pem, "a");
		assert_non_null(f);
		fputs("# the emulator's root\n", f);
		fclose(f);
		assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, pem),
				 0);
		unlink(pem);
	}
}

/* ---- hand-made chains for the rules the emulator's PKI never breaks ---- */

struct mk {
	const char *cn;
	EVP_PKEY *key;
	X509 *issuer;
	EVP_PKEY *issuer_key;
	const char *bc, *ku; /* basicConstraints, keyUsage values */
	int kid; /* subject/authority key identifiers */
	int san; /* the CMA identity */
	const char *raw; /* instead: this identity, @raw_len bytes, @raw_n times */
	int raw_len, raw_n;
};

static void add_raw_san(X509 *c, const char *raw, int len, int n)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int i;

	for (i = 0; i < n; i++) {
		ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
		ASN1_TYPE *t = ASN1_TYPE_new();
		GENERAL_NAME *g = GENERAL_NAME_new();

		assert_true(u && t && g && ASN1_STRING_set(u, raw, len));
		ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
		assert_true(GENERAL_NAME_set0_othername(g, OBJ_txt2obj("2.23.147", 1), t));
		sk_GENERAL_NAME_push(gens, g);
	}
	assert_true(X509_add1_ext_i2d(c, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT));
	GENERAL_NAMES_free(gens);
}

static int ext(X509 *c, X509 *iss, int nid, const char *v)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, iss, c, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, v);
	ok = e && X509_add_ext(c, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

static X509 *mk_cert(const struct mk *m)
{
	static int serial = 100;
	char san[160];
	X509 *c = X509_new();
	X509 *iss;

	assert_non_null(c);
	X509_set_version(c, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600);
	X509_set_pubkey(c, m->key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_ASC,
				   (const unsigned char *)m->cn, -1, -1, 0);
	iss = m->issuer ? m->issuer : c;
	X509_set_issuer_name(c, X509_get_subject_name(iss));
	snprintf(san, sizeof(san), "otherName:2.23.147;UTF8:%s", cma);
	assert_true(ext(c, iss, NID_basic_constraints, m->bc));
	assert_true(ext(c, iss, NID_key_usage, m->ku));
	if (m->kid) {
		assert_true(ext(c, iss, NID_subject_key_identifier, "hash"));
		if (m->issuer)
			assert_true(ext(c, iss, NID_authority_key_identifier, "keyid:always"));
	}
	if (m->san)
		assert_true(ext(c, iss, NID_subject_alt_name, san));
	if (m->raw)
		add_raw_san(c, m->raw, m->raw_len, m->raw_n);
	assert_true(X509_sign(c, m->issuer_key ? m->issuer_key : m->key, EVP_sha384()) > 0);
	return c;
}

/* SPDM framing (SHA-384): Length, Reserved, Hash(root), root, inter, leaf */
static size_t mk_chain(X509 *root, X509 *inter, X509 *leaf_cert, uint8_t *out)
{
	X509 *all[3] = { root, inter, leaf_cert };
	size_t off = 4 + 48;
	unsigned int n;
	int i;

	for (i = 0; i < 3; i++) {
		uint8_t *p = out + off;

		off += (size_t)i2d_X509(all[i], &p);
	}
	assert_true(EVP_Digest(out + 52, (size_t)i2d_X509(root, NULL), out + 4, &n, EVP_sha384(),
			       NULL));
	out[0] = off & 0xff;
	out[1] = off >> 8;
	out[2] = out[3] = 0;
	return off;
}

static void write_pem(const char *path, X509 *a, X509 *b)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(PEM_write_X509(f, a));
	if (b)
		assert_true(PEM_write_X509(f, b));
	fclose(f);
}

#define CA_BC "critical,CA:TRUE"
#define CA_KU "critical,keyCertSign,cRLSign"
#define EE_BC "critical,CA:FALSE"
#define EE_KU "critical,digitalSignature"

/*
 * Two roots with one subject name and no key identifiers (as in real
 * vendor PKIs and sample PKIs): a lookup by name picks the wrong one.
 * Every anchor is tried; the one that verified is named.
 */
static void test_same_name_roots(void **s)
{
	char pem[64] = "/tmp/tsmh-test-twins-XXXXXX";
	EVP_PKEY *ka = EVP_EC_gen("P-384"), *kb = EVP_EC_gen("P-384");
	EVP_PKEY *ki = EVP_EC_gen("P-384"), *kl = EVP_EC_gen("P-384");
	X509 *ra, *rb, *in, *lf;
	size_t len;

	(void)s;
	close(mkstemp(pem));
	ra = mk_cert(&(struct mk){ .cn = "Sample Root", .key = ka, .bc = CA_BC, .ku = CA_KU });
	rb = mk_cert(&(struct mk){ .cn = "Sample Root", .key = kb, .bc = CA_BC, .ku = CA_KU });
	in = mk_cert(&(struct mk){ .cn = "Sample Inter",
				   .key = ki,
				   .issuer = rb,
				   .issuer_key = kb,
				   .bc = CA_BC,
				   .ku = CA_KU });
	lf = mk_cert(&(struct mk){ .cn = "Sample Leaf",
				   .key = kl,
				   .issuer = in,
				   .issuer_key = ki,
				   .bc = EE_BC,
				   .ku = EE_KU,
				   .san = 1 });
	len = mk_chain(rb, in, lf, buf);
	write_pem(pem, ra, rb); /* the wrong twin first */
	assert_int_equal(verify(buf, len, NULL, pem), 0);
	assert_non_null(strstr(leaf.anchor, "Sample Root"));
	assert_non_null(strstr(leaf.anchor, strrchr(pem, '/') + 1));
	/* only the wrong twin: refused, and the reason says so */
	write_pem(pem, ra, NULL);
	assert_int_equal(verify(buf, len, NULL, pem), -EKEYREJECTED);
	assert_non_null(strstr(why, "any of 1 trust anchor"));
	unlink(pem);
	X509_free(ra), X509_free(rb), X509_free(in), X509_free(lf);
	EVP_PKEY_free(ka), EVP_PKEY_free(kb), EVP_PKEY_free(ki), EVP_PKEY_free(kl);
}

static int verify_made_san(EVP_PKEY *ki, EVP_PKEY *kl, const char *leaf_bc, const char *leaf_ku,
			   const char *raw, int raw_len, int raw_n);

/* One chain root -> inter -> leaf with the given keys and leaf extensions. */
static int verify_made(EVP_PKEY *ki, EVP_PKEY *kl, const char *leaf_bc, const char *leaf_ku)
{
	return verify_made_san(ki, kl, leaf_bc, leaf_ku, NULL, 0, 0);
}

static int verify_made_san(EVP_PKEY *ki, EVP_PKEY *kl, const char *leaf_bc, const char *leaf_ku,
			   const char *raw, int raw_len, int raw_n)
{
	char pem[64] = "/tmp/tsmh-test-made-XXXXXX";
	EVP_PKEY *kr = EVP_EC_gen("P-384");
	X509 *r, *in, *lf;
	int ret;

	close(mkstemp(pem));
	r = mk_cert(
		&(struct mk){ .cn = "Made Root", .key = kr, .bc = CA_BC, .ku = CA_KU, .kid = 1 });
	in = mk_cert(&(struct mk){ .cn = "Made Inter",
				   .key = ki,
				   .issuer = r,
				   .issuer_key = kr,
				   .bc = CA_BC,
				   .ku = CA_KU,
				   .kid = 1 });
	lf = mk_cert(&(struct mk){ .cn = "Made Leaf",
				   .key = kl,
				   .issuer = in,
				   .issuer_key = ki,
				   .bc = leaf_bc,
				   .ku = leaf_ku,
				   .kid = 1,
				   .san = !raw,
				   .raw = raw,
				   .raw_len = raw_len,
				   .raw_n = raw_n });
	write_pem(pem, r, NULL);
	ret = verify(buf, mk_chain(r, in, lf, buf), NULL, pem);
	unlink(pem);
	X509_free(r), X509_free(in), X509_free(lf);
	EVP_PKEY_free(kr);
	return ret;
}

static void test_leaf_rules(void **s)
{
	EVP_PKEY *p384 = EVP_EC_gen("P-384"), *p256 = EVP_EC_gen("P-256");
	EVP_PKEY *k1 = EVP_EC_gen("secp256k1"), *rsa1k = EVP_RSA_gen(1024);

	(void)s;
	/* the good case first, so the failures below are the rule, not the builder */
	assert_int_equal(verify_made(p384, p256, EE_BC, EE_KU), 0);
	/* CA:TRUE leaf whose keyUsage lacks keyCertSign (X509_check_ca() says no CA) */
	assert_int_equal(verify_made(p384, p256, "critical,CA:TRUE", EE_KU), -EKEYREJECTED);
	assert_non_null(strstr(why, "leaf certificate is a CA"));
	/* a curve SPDM does not sign with */
	assert_int_equal(verify_made(p384, k1, EE_BC, EE_KU), -EKEYREJECTED);
	assert_non_null(strstr(why, "secp256k1"));
	/* a 1024-bit RSA intermediate */
	assert_int_equal(verify_made(rsa1k, p256, EE_BC, EE_KU), -EKEYREJECTED);
	assert_non_null(strstr(why, "depth 1"));
	EVP_PKEY_free(p384), EVP_PKEY_free(p256), EVP_PKEY_free(k1), EVP_PKEY_free(rsa1k);
}

/* The CMA identity is printed and matched: exactly one, and plain text. */
static void test_identity_string(void **s)
{
	static const char nul[] = "Vendor=1b36:Device=1e10\0:Device=dead";
	static const char esc[] = "Vendor=1b36:\x1b[2J:Device=1e10";
	static const char c1[] = "Vendor=1b36:\xc2\x9b"
				 "2J";
	static const char latin1[] = "Vendor=1b36:Caf\xe9";
	static const char utf8[] = "Vendor=1b36:Caf\xc3\xa9";
	EVP_PKEY *ki = EVP_EC_gen("P-384"), *kl = EVP_EC_gen("P-256");

	(void)s;
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, utf8, (int)strlen(utf8), 1), 0);
	assert_string_equal(leaf.identity, utf8);
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, nul, (int)sizeof(nul) - 1, 1),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "embedded NUL"));
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, esc, (int)strlen(esc), 1),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "control character"));
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, c1, (int)strlen(c1), 1),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "control character"));
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, latin1, (int)strlen(latin1), 1),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "not UTF-8"));
	assert_int_equal(verify_made_san(ki, kl, EE_BC, EE_KU, utf8, (int)strlen(utf8), 2),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "two CMA identities"));
	EVP_PKEY_free(ki), EVP_PKEY_free(kl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain),	cmocka_unit_test(test_unknown_root),
		cmocka_unit_test(test_digest_mismatch), cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_bad_san),		cmocka_unit_test(test_trust_errors),
		cmocka_unit_test(test_same_name_roots), cmocka_unit_test(test_leaf_rules),
		cmocka_unit_test(test_identity_string),
	};

	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
