// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* SPDM GET_VERSION/VERSION/ERROR codecs and the hex helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "hex.h"
#include "spdm.h"

static void test_get_version(void **s)
{
	uint8_t b[4];

	(void)s;
	assert_int_equal(spdm_enc_get_version(b), 4);
	assert_memory_equal(b, "\x10\x84\x00\x00", 4);
}

static void test_version_round_trip(void **s)
{
	struct spdm_ver in[3] = { { 1, 1, 0, 0 }, { 1, 2, 3, 0 }, { 1, 3, 0, 1 } }, out[3];
	uint8_t b[64], code;

	(void)s;
	assert_int_equal(spdm_enc_version(in, 3, b, sizeof(b)), 12);
	assert_memory_equal(b, "\x10\x04\x00\x00\x00\x03\x00\x11\x30\x12\x01\x13", 12);
	assert_int_equal(spdm_dec_version(b, 12, out, 3, &code), 3);
	assert_int_equal(out[1].minor, 2);
	assert_int_equal(out[1].update, 3);
	assert_int_equal(out[2].alpha, 1);
	/* DOE padding after the message is fine */
	memset(b + 12, 0, 4);
	assert_int_equal(spdm_dec_version(b, 16, out, 3, &code), 3);
	/* more entries than the caller keeps */
	assert_int_equal(spdm_dec_version(b, 12, out, 2, &code), 2);
	/* not enough room to encode */
	assert_int_equal(spdm_enc_version(in, 3, b, 11), 0);
}

static void test_version_malformed(void **s)
{
	struct spdm_ver v[4];
	uint8_t code = 0;

	(void)s;
	assert_int_equal(spdm_dec_version((const uint8_t *)"\x10\x04", 2, v, 4, &code), -EBADMSG);
	/* entry count runs past the end */
	assert_int_equal(spdm_dec_version((const uint8_t *)"\x10\x04\x00\x00\x00\x05\x00\x12", 8, v,
					  4, &code),
			 -EBADMSG);
	/* zero entries */
	assert_int_equal(
		spdm_dec_version((const uint8_t *)"\x10\x04\x00\x00\x00\x00", 6, v, 4, &code),
		-EPROTO);
	/* wrong response code / version */
	assert_int_equal(spdm_dec_version((const uint8_t *)"\x10\x05\x00\x00\x00\x01\x00\x12", 8, v,
					  4, &code),
			 -EPROTO);
	assert_int_equal(spdm_dec_version((const uint8_t *)"\x12\x04\x00\x00\x00\x01\x00\x12", 8, v,
					  4, &code),
			 -EPROTO);
	/* an SPDM ERROR is reported with its code */
	assert_int_equal(spdm_dec_version((const uint8_t *)"\x10\x7f\x41\x00", 4, v, 4, &code),
			 -EREMOTEIO);
	assert_int_equal(code, SPDM_ERR_VERSION_MISMATCH);
	assert_string_equal(spdm_error_name(code), "VersionMismatch");
}

static void test_ver_parse(void **s)
{
	struct spdm_ver v;

	(void)s;
	assert_int_equal(spdm_ver_parse("1.2", &v), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 2);
	assert_int_equal(spdm_ver_parse("1.2x", &v), -1);
	assert_int_equal(spdm_ver_parse("16.0", &v), -1);
	assert_int_equal(spdm_ver_parse("", &v), -1);
}

static void test_hex(void **s)
{
	uint8_t b[8];
	char out[17];
	const char *err = NULL;

	(void)s;
	assert_int_equal(tsmh_hex_parse("0x1084 00:00", b, sizeof(b), &err), 4);
	assert_memory_equal(b, "\x10\x84\x00\x00", 4);
	tsmh_hex_format(b, 4, out);
	assert_string_equal(out, "10840000");
	assert_int_equal(tsmh_hex_parse("123", b, sizeof(b), &err), -1);
	assert_string_equal(err, "odd number of hex digits");
	assert_int_equal(tsmh_hex_parse("zz", b, sizeof(b), &err), -1);
	assert_int_equal(tsmh_hex_parse("1 23", b, sizeof(b), &err), -1);
	assert_int_equal(tsmh_hex_parse("000000000000000000", b, sizeof(b), &err), -1);
	assert_string_equal(err, "too many bytes");
	assert_int_equal(tsmh_hex_parse("", b, sizeof(b), &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_version),
		cmocka_unit_test(test_version_round_trip),
		cmocka_unit_test(test_version_malformed),
		cmocka_unit_test(test_ver_parse),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("spdm", tests, NULL, NULL);
}
