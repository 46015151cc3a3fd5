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
#include <unistd.h>
#include <cmocka.h>
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

static void test_trust_errors(void **s)
{
	(void)s;
	assert_int_equal(
		verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, "/nonexistent/roots"),
		-ENOENT);
	assert_non_null(strstr(why, "/nonexistent/roots"));
	assert_int_equal(verify(P384(id).buf[EMU_H384], P384(id).len[EMU_H384], NULL, "/dev/null"),
			 -ENOENT);
	assert_non_null(strstr(why, "no certificates"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain),	cmocka_unit_test(test_unknown_root),
		cmocka_unit_test(test_digest_mismatch), cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_bad_san),		cmocka_unit_test(test_trust_errors),
	};

	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
