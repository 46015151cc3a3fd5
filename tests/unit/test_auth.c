// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The authentication codecs on their own: the 1.2+ signing prefix byte
 * for byte, CHALLENGE_AUTH and MEASUREMENTS framing per version (1.3's
 * RequesterContext), truncation and over-length, DMTF measurement blocks,
 * ResponseNotReady, exact transcript lengths, and the transcript cap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "auth.h"
#include "cert.h"

static void test_signing_prefix(void **s)
{
	uint8_t p[SPDM_PREFIX_LEN];

	(void)s;
	assert_int_equal(spdm_signing_prefix(SPDM_VERSION_12, SPDM_CTX_CHALLENGE_AUTH, p), 0);
	assert_memory_equal(p, "dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*",
			    64);
	/* "responder-challenge_auth signing" is 32 bytes: 4 zero bytes pad it to 36 */
	assert_memory_equal(p + 64, "\0\0\0\0", 4);
	assert_memory_equal(p + 68, SPDM_CTX_CHALLENGE_AUTH, 32);
	assert_int_equal(spdm_signing_prefix(SPDM_VERSION_13, SPDM_CTX_MEASUREMENTS, p), 0);
	assert_int_equal(p[13], '3');
	assert_memory_equal(p + 100 - 30, SPDM_CTX_MEASUREMENTS, 30);
	assert_int_equal(p[69], 0);
	/* 1.1 has no prefix; a context longer than 36 bytes cannot fit */
	assert_int_equal(spdm_signing_prefix(SPDM_VERSION_11, SPDM_CTX_MEASUREMENTS, p), -EINVAL);
	assert_int_equal(
		spdm_signing_prefix(SPDM_VERSION_12, "0123456789012345678901234567890123456", p),
		-EINVAL);
}

static size_t make_auth(uint8_t ver, uint8_t *buf, int summary, size_t sl)
{
	static const uint8_t h[48] = { 1 }, n[32] = { 2 };
	struct spdm_challenge_auth a = { .slot = 1,
					 .slot_mask = 3,
					 .chain_hash = h,
					 .nonce = n,
					 .meas_summary = summary ? h : NULL,
					 .opaque = (const uint8_t *)"op",
					 .opaque_len = 2 };
	size_t len = spdm_enc_challenge_auth(ver, &a, 48, buf, 1024);

	memset(buf + len, 0x5a, sl);
	return len + sl;
}

static void test_challenge_auth(void **s)
{
	struct spdm_challenge_auth a;
	uint8_t buf[1024], e = 0;
	size_t len;

	(void)s;
	len = make_auth(SPDM_VERSION_12, buf, 1, 96);
	assert_int_equal(len, 4 + 48 + 32 + 48 + 2 + 2 + 96);
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len, 0xff, 48, 96, &a, &e),
			 0);
	assert_int_equal(a.slot, 1);
	assert_int_equal(a.slot_mask, 3);
	assert_int_equal(a.opaque_len, 2);
	assert_int_equal(a.signed_len, len - 96);
	assert_ptr_equal(a.sig, buf + len - 96);
	assert_null(a.req_context);
	/* a dword-aligned message: nothing may follow the signature (issue 11) */
	memset(buf + len, 0, 4);
	assert_int_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len + 3, 0xff, 48, 96, &a, &e),
		-EPROTO);
	assert_int_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len + 4, 0xff, 48, 96, &a, &e),
		-EPROTO);
	/* a 95-byte "signature" ends the message off a dword boundary: DOE pads it */
	assert_int_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len - 1, 0xff, 48, 95, &a, &e), 0);
	buf[len - 1] = 0;
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len, 0xff, 48, 95, &a, &e),
			 0);
	assert_int_equal(a.signed_len, len - 96);
	/* padding must be zero and must stop at the boundary */
	buf[len - 1] = 0x5a;
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len, 0xff, 48, 95, &a, &e),
			 -EPROTO);
	buf[len - 1] = 0;
	assert_int_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len + 3, 0xff, 48, 95, &a, &e),
		-EPROTO);
	/* one byte short, or the summary hash missing */
	assert_int_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len - 1, 0xff, 48, 96, &a, &e),
		-EBADMSG);
	len = make_auth(SPDM_VERSION_12, buf, 0, 96);
	assert_int_not_equal(
		spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len, 0xff, 48, 96, &a, &e), 0);
	/* 1.3: RequesterContext before the signature */
	len = make_auth(SPDM_VERSION_13, buf, 0, 64);
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_13, buf, len, 0, 48, 64, &a, &e), 0);
	assert_non_null(a.req_context);
	assert_int_equal(a.signed_len, 4 + 48 + 32 + 2 + 2 + 8);
	/* OpaqueDataLength over the 1024 limit; reserved attribute bits */
	buf[4 + 48 + 32] = 0x01;
	buf[4 + 48 + 32 + 1] = 0x04;
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_13, buf, len, 0, 48, 64, &a, &e),
			 -EPROTO);
	len = make_auth(SPDM_VERSION_12, buf, 0, 64);
	buf[2] |= 0x80;
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_12, buf, len, 0, 48, 64, &a, &e),
			 -EPROTO);
	/* an ERROR is reported as such */
	assert_int_equal(spdm_dec_challenge_auth(SPDM_VERSION_12,
						 (const uint8_t *)"\x12\x7f\x03\x00", 4, 0, 48, 64,
						 &a, &e),
			 -EREMOTEIO);
	assert_int_equal(e, SPDM_ERR_BUSY);
}

static void test_challenge_request(void **s)
{
	uint8_t buf[64], n[32] = { 7 }, slot, sum;
	const uint8_t *pn, *ctx;

	(void)s;
	assert_int_equal(spdm_enc_challenge(SPDM_VERSION_12, 2, 0xff, n, NULL, buf), 36);
	assert_int_equal(spdm_enc_challenge(SPDM_VERSION_13, 2, 0xff, n, NULL, buf), 44);
	assert_int_equal(spdm_dec_challenge(SPDM_VERSION_13, buf, 44, &slot, &sum, &pn, &ctx), 0);
	assert_int_equal(slot, 2);
	assert_int_equal(sum, 0xff);
	assert_int_equal(pn[0], 7);
	assert_non_null(ctx);
	assert_int_equal(spdm_dec_challenge(SPDM_VERSION_13, buf, 43, &slot, &sum, &pn, &ctx),
			 -EBADMSG);
	assert_int_equal(spdm_msg_len(buf, 48, 48), 44);
}

static void test_measurements(void **s)
{
	uint8_t rec[256], buf[1024], n[32] = { 3 }, e = 0, dg[48] = { 9 };
	struct spdm_meas_block b[8];
	struct spdm_meas_rsp r = { 0 }, d;
	size_t rl = 0, len;

	(void)s;
	rl += spdm_enc_meas_block(1, SPDM_MEAS_TYPE_ROM, dg, 48, rec + rl, sizeof(rec) - rl);
	rl += spdm_enc_meas_block(3, SPDM_MEAS_TYPE_HW_CONFIG | SPDM_MEAS_TYPE_RAW,
				  (const uint8_t *)"abcd", 4, rec + rl, sizeof(rec) - rl);
	assert_int_equal(rl, 7 + 48 + 7 + 4);
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 2, b, 8), 2);
	assert_int_equal(b[1].index, 3);
	assert_int_equal(b[1].type, SPDM_MEAS_TYPE_HW_CONFIG | SPDM_MEAS_TYPE_RAW);
	assert_int_equal(b[1].value_len, 4);
	assert_int_equal(b[0].block_len, 55);
	/* fewer blocks than bytes, more blocks than bytes, out of order */
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 1, b, 8), -EPROTO);
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 3, b, 8), -EBADMSG);
	rec[55] = 1;
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 2, b, 8), -EPROTO);
	rec[55] = 3;
	/* the DMTF value size must agree with the block size */
	rec[5] = 47;
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 2, b, 8), -EPROTO);
	rec[5] = 48;
	assert_int_equal(spdm_meas_blocks_parse(rec, rl, 9, b, 8), -E2BIG);

	r.nr_blocks = 2;
	r.record = rec;
	r.record_len = (uint32_t)rl;
	r.nonce = n;
	r.slot = 1;
	len = spdm_enc_measurements(SPDM_VERSION_13, &r, buf, sizeof(buf));
	assert_int_equal(len, 8 + rl + 32 + 2 + 8);
	memset(buf + len, 0xee, 96);
	assert_int_equal(spdm_dec_measurements(SPDM_VERSION_13, buf, len + 96, 96, &d, &e), 0);
	assert_int_equal(d.nr_blocks, 2);
	assert_int_equal(d.record_len, rl);
	assert_int_equal(d.slot, 1);
	assert_int_equal(d.signed_len, len);
	/* unsigned: nothing may follow but padding */
	assert_int_equal(spdm_dec_measurements(SPDM_VERSION_13, buf, len, 0, &d, &e), 0);
	assert_null(d.sig);
	assert_int_equal(spdm_dec_measurements(SPDM_VERSION_13, buf, len + 96, 0, &d, &e), -EPROTO);
	/* a record length running past the message */
	buf[7] = 0x10;
	assert_int_equal(spdm_dec_measurements(SPDM_VERSION_13, buf, len + 96, 96, &d, &e),
			 -EBADMSG);
}

static void test_get_measurements(void **s)
{
	uint8_t buf[64], n[32] = { 1 };
	struct spdm_get_meas g = { .attrs = SPDM_MEAS_ATTR_SIG, .op = 0xff, .slot = 2, .nonce = n },
			     d;

	(void)s;
	assert_int_equal(spdm_enc_get_measurements(SPDM_VERSION_12, &g, buf), 37);
	assert_int_equal(spdm_msg_len(buf, 40, 0), 37); /* DOE pads it to 40 */
	assert_int_equal(spdm_dec_get_measurements(SPDM_VERSION_12, buf, 37, &d), 0);
	assert_int_equal(d.slot, 2);
	assert_int_equal(spdm_enc_get_measurements(SPDM_VERSION_13, &g, buf), 45);
	assert_int_equal(spdm_dec_get_measurements(SPDM_VERSION_13, buf, 44, &d), -EBADMSG);
	g.attrs = 0;
	assert_int_equal(spdm_enc_get_measurements(SPDM_VERSION_13, &g, buf), 12);
	assert_int_equal(spdm_enc_get_measurements(SPDM_VERSION_11, &g, buf), 4);
}

static void test_not_ready(void **s)
{
	struct spdm_not_ready nr = { .rdt_exponent = 10,
				     .request_code = 0x83,
				     .token = 5,
				     .rdtm = 2 },
			      d;
	uint8_t buf[8];

	(void)s;
	assert_int_equal(spdm_enc_not_ready(SPDM_VERSION_12, &nr, buf), 8);
	assert_int_equal(spdm_dec_not_ready(buf, 8, &d), 0);
	assert_int_equal(d.token, 5);
	assert_int_equal(d.request_code, 0x83);
	assert_int_equal(spdm_dec_not_ready(buf, 7, &d), -EBADMSG);
	assert_int_equal(spdm_enc_respond_if_ready(SPDM_VERSION_12, 0x83, 5, buf), 4);
	assert_memory_equal(buf, "\x12\xff\x83\x05", 4);
}

static void test_msg_len(void **s)
{
	static const uint8_t version[] = { 0x10, 0x04, 0, 0, 0, 2, 0, 0x12, 0, 0x13, 0, 0 };
	static const uint8_t digests[4 + 96 + 2] = { 0x12, 0x01, 0, 0x03 };
	static const uint8_t cert[12] = { 0x12, 0x02, 0, 0, 3, 0, 0, 0, 'a', 'b', 'c', 0 };

	(void)s;
	assert_int_equal(spdm_msg_len(version, sizeof(version), 0), 10);
	assert_int_equal(spdm_msg_len(digests, sizeof(digests), 48), 100);
	assert_int_equal(spdm_msg_len(cert, sizeof(cert), 0), 11);
	/* fields running past the buffer: the buffer's length */
	assert_int_equal(spdm_msg_len(cert, 9, 0), 9);
}

static void test_transcript_cap(void **s)
{
	struct spdm_tx t = { .max = 100 };
	uint8_t b[64] = { 0 };

	(void)s;
	assert_int_equal(spdm_tx_append(&t, b, 64), 0);
	assert_int_equal(spdm_tx_append(&t, b, 64), -E2BIG);
	assert_true(t.overflow);
	/* once overflowed, nothing more is accepted until reset */
	assert_int_equal(spdm_tx_append(&t, b, 1), -E2BIG);
	spdm_tx_reset(&t);
	assert_int_equal(spdm_tx_append(&t, b, 64), 0);
	assert_int_equal(t.len, 64);
	spdm_tx_free(&t);
}

static void test_sig_len(void **s)
{
	(void)s;
	assert_int_equal(spdm_sig_len(SPDM_ASYM_ECDSA_P256), 64);
	assert_int_equal(spdm_sig_len(SPDM_ASYM_ECDSA_P384), 96);
	assert_int_equal(spdm_sig_len(SPDM_ASYM_RSAPSS_3072), 384);
	assert_int_equal(spdm_sig_len(SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signing_prefix),	  cmocka_unit_test(test_challenge_auth),
		cmocka_unit_test(test_challenge_request), cmocka_unit_test(test_measurements),
		cmocka_unit_test(test_get_measurements),  cmocka_unit_test(test_not_ready),
		cmocka_unit_test(test_msg_len),		  cmocka_unit_test(test_transcript_cap),
		cmocka_unit_test(test_sig_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
