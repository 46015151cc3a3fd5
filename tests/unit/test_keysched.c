// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The session key schedule: BinConcat byte for byte, the HKDF wrappers
 * against RFC 5869 test case 1, HMAC against RFC 4231 test case 2, and the
 * schedule's own properties (directions differ, a key update changes the
 * key and restarts the sequence number, ECDHE agrees and refuses a point
 * that is not on the curve).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "keysched.h"
#include "session_msg.h"

static void unhex(const char *s, uint8_t *out, size_t len)
{
	size_t i;
	unsigned int v;

	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void test_bin_concat_layout(void **s)
{
	uint8_t out[128], th[48];
	static const uint8_t want[] = { 0x30, 0x00, 's', 'p', 'd', 'm', '1', '.', '2', ' ', 'r',
					'e',  'q',  ' ', 'h', 's', ' ', 'd', 'a', 't', 'a' };
	size_t n;

	(void)s;
	memset(th, 0xa5, sizeof(th));
	n = spdm_bin_concat(0x12, 48, "req hs data", th, 48, out, sizeof(out));
	assert_int_equal(n, sizeof(want) + 48);
	assert_memory_equal(out, want, sizeof(want));
	assert_memory_equal(out + sizeof(want), th, 48);
	/* no context; 1.3 label; the length is little-endian */
	n = spdm_bin_concat(0x13, 12, "iv", NULL, 0, out, sizeof(out));
	assert_int_equal(n, 12);
	assert_memory_equal(out, "\x0c\x00spdm1.3 iv", 12);
	n = spdm_bin_concat(0x12, 0x120, "traffic upd", NULL, 0, out, sizeof(out));
	assert_memory_equal(out, "\x20\x01spdm1.2 traffic upd", n);
	assert_int_equal(spdm_bin_concat(0x12, 32, "derived", NULL, 0, out, 16), 0);
}

static void test_hkdf_rfc5869_case1(void **s)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], want_prk[32], want_okm[42];
	size_t i;

	(void)s;
	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", want_prk, 32);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
	      want_okm, 42);
	assert_int_equal(
		tsmh_hkdf_extract(SPDM_HASH_SHA256, salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	assert_memory_equal(prk, want_prk, 32);
	assert_int_equal(tsmh_hkdf_expand(SPDM_HASH_SHA256, prk, 32, info, sizeof(info), okm, 42),
			 0);
	assert_memory_equal(okm, want_okm, 42);
	assert_int_equal(tsmh_hkdf_extract(0, salt, sizeof(salt), ikm, sizeof(ikm), prk), -EINVAL);
}

static void test_hmac_rfc4231_case2(void **s)
{
	uint8_t mac[64], want[32];

	(void)s;
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want, 32);
	assert_int_equal(tsmh_hmac(SPDM_HASH_SHA256, (const uint8_t *)"Jefe", 4,
				   (const uint8_t *)"what do ya want for nothing?", 28, mac),
			 0);
	assert_memory_equal(mac, want, 32);
}

static void test_schedule(void **s)
{
	uint8_t dhe[48], th1[48], th2[48], old[TSMH_AEAD_KEY_LEN];
	struct tsmh_keys k, k2;

	(void)s;
	memset(dhe, 1, sizeof(dhe));
	memset(th1, 2, sizeof(th1));
	memset(th2, 3, sizeof(th2));
	assert_int_equal(
		tsmh_ks_handshake(&k, 0x12, SPDM_HASH_SHA384, SPDM_AEAD_AES_256_GCM, dhe, 48, th1),
		0);
	assert_int_equal(k.hl, 48);
	assert_memory_not_equal(k.req.key, k.rsp.key, TSMH_AEAD_KEY_LEN);
	assert_memory_not_equal(k.req_finished, k.rsp_finished, 48);
	/* the version is part of every label */
	assert_int_equal(
		tsmh_ks_handshake(&k2, 0x13, SPDM_HASH_SHA384, SPDM_AEAD_AES_256_GCM, dhe, 48, th1),
		0);
	assert_memory_not_equal(k.req.key, k2.req.key, TSMH_AEAD_KEY_LEN);
	memcpy(old, k.req.key, sizeof(old));
	assert_int_equal(tsmh_ks_data(&k, th2), 0);
	assert_memory_not_equal(old, k.req.key, sizeof(old));
	k.req.seq = 7;
	memcpy(old, k.req.key, sizeof(old));
	memcpy(&k2, &k, sizeof(k));
	assert_int_equal(tsmh_ks_update(&k, &k.req), 0);
	assert_memory_not_equal(old, k.req.key, sizeof(old));
	assert_memory_equal(k2.rsp.key, k.rsp.key, TSMH_AEAD_KEY_LEN); /* one direction only */
	assert_int_equal(k.req.seq, 0);
	assert_int_equal(tsmh_ks_handshake(&k, 0x12, SPDM_HASH_SHA256, 0x80, dhe, 32, th1),
			 -EINVAL);
	tsmh_ks_clear(&k);
}

static void test_ecdhe(void **s)
{
	static const uint16_t groups[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };
	uint8_t pa[TSMH_DHE_MAX], pb[TSMH_DHE_MAX], sa[TSMH_DHE_MAX], sb[TSMH_DHE_MAX];
	size_t la, lb;
	int i;

	(void)s;
	for (i = 0; i < 2; i++) {
		EVP_PKEY *a = tsmh_dhe_keygen(groups[i], pa), *b = tsmh_dhe_keygen(groups[i], pb);

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(tsmh_dhe_derive(a, groups[i], pb, sa, &la), 0);
		assert_int_equal(tsmh_dhe_derive(b, groups[i], pa, sb, &lb), 0);
		assert_int_equal(la, spdm_dhe_len(groups[i]) / 2); /* the X coordinate */
		assert_int_equal(la, lb);
		assert_memory_equal(sa, sb, la);
		pb[5] ^= 1; /* off the curve */
		assert_int_equal(tsmh_dhe_derive(a, groups[i], pb, sa, &la), -EINVAL);
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bin_concat_layout),
		cmocka_unit_test(test_hkdf_rfc5869_case1),
		cmocka_unit_test(test_hmac_rfc4231_case2),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_ecdhe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
