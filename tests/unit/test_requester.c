// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The SPDM requester's VCA against the emulator's responder in-process
 * (a transport that calls it directly), plus the VCA codecs on their own:
 * version fallback, no common version, hostile ALGORITHMS responses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "emu.h"
#include "requester.h"

static struct emu_dev_cfg cfg;
static struct emu_conn conn;
static int tamper; /* 1: corrupt the next ALGORITHMS response */

static int direct(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		  size_t cap, size_t *rsp_len)
{
	(void)t;
	*rsp_len = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	if (tamper && rsp[1] == SPDM_ALGORITHMS)
		rsp[12] |= 0x03; /* two asymmetric algorithms "selected" */
	return *rsp_len ? 0 : -EIO;
}

static struct spdm_transport t = { .exchange = direct };
static struct spdm_conn_info ci;
static char why[256];

static void reset(const char *versions)
{
	char buf[32], *tok, *save = NULL;

	emu_cfg_defaults(&cfg);
	cfg.nr_vers = 0;
	snprintf(buf, sizeof(buf), "%s", versions);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		spdm_ver_parse(tok, &cfg.vers[cfg.nr_vers++]);
	emu_conn_free(&conn);
	tamper = 0;
	why[0] = 0;
}

static void test_vca_13(void **s)
{
	(void)s;
	reset("1.2,1.3");
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), 0);
	assert_int_equal(ci.ver, SPDM_VERSION_13);
	assert_int_equal(ci.nr_versions, 2);
	assert_int_equal(ci.caps.data_transfer_size, EMU_DATA_TRANSFER_SIZE);
	assert_int_equal(conn.state, EMU_CONN_NEGOTIATED);
}

static void test_vca_signing_device(void **s)
{
	(void)s;
	reset("1.2");
	cfg.cap_flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG;
	cfg.asym = SPDM_ASYM_RSAPSS_3072;
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), 0);
	assert_int_equal(ci.ver, SPDM_VERSION_12);
	assert_int_equal(ci.algs.base_asym, SPDM_ASYM_RSAPSS_3072);
	assert_int_equal(ci.algs.base_hash, SPDM_HASH_SHA384);
	assert_string_equal(spdm_asym_name(ci.algs.base_asym), "RSAPSS-3072");
}

static void test_fallback_11(void **s)
{
	(void)s;
	reset("1.0,1.1");
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), 0);
	assert_int_equal(ci.ver, SPDM_VERSION_11);
	assert_int_equal(ci.caps.data_transfer_size, 0); /* no such field in 1.1 */
}

static void test_no_common_version(void **s)
{
	(void)s;
	reset("1.0");
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), -EPROTONOSUPPORT);
	assert_non_null(strstr(why, "no common SPDM version"));
}

static void test_bad_selection_refused(void **s)
{
	(void)s;
	reset("1.2");
	cfg.cap_flags = SPDM_CAP_CHAL;
	tamper = 1;
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "NEGOTIATE_ALGORITHMS"));
	/* the field, the value and what was expected (issue 11 item 13) */
	assert_non_null(strstr(why, "BaseAsymSel 0x"));
	assert_non_null(strstr(why, "selected, expected one of 0x"));
}

static void test_device_error_named(void **s)
{
	(void)s;
	reset("1.2");
	cfg.nr_vers = 0; /* VERSION with no entries: a broken device */
	assert_int_equal(spdm_vca(&t, &ci, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "GET_VERSION"));
}

static void test_algorithms_decoder(void **s)
{
	struct spdm_algs offer, sel;
	uint8_t m[128], e;
	size_t n;

	(void)s;
	spdm_default_offer(&offer);
	sel = (struct spdm_algs){ .base_asym = SPDM_ASYM_ECDSA_P256,
				  .base_hash = SPDM_HASH_SHA256,
				  .dhe = SPDM_DHE_SECP256R1,
				  .aead = SPDM_AEAD_AES_256_GCM,
				  .key_schedule = SPDM_KEY_SCHEDULE_SPDM };
	n = spdm_enc_algorithms(SPDM_VERSION_12, &sel, m, sizeof(m));
	assert_int_equal(n, 36 + 16);
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), 0);
	assert_int_equal(sel.dhe, SPDM_DHE_SECP256R1);
	/* DOE padding after Length is fine */
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n + 3, &offer, &sel, &e), 0);
	/* Length larger than the message */
	m[4] = (uint8_t)(n + 4);
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), -EBADMSG);
	m[4] = (uint8_t)n;
	/* an unknown structure table type */
	m[36] = 9;
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), -EPROTO);
	m[36] = SPDM_ALG_TYPE_DHE;
	/* extended algorithm counts running past Length */
	m[32] = 200;
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), -EBADMSG);
	m[32] = 0;
	/* more structure tables claimed than present */
	m[2] = 9;
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), -EBADMSG);
	m[2] = 4;
	/* something that was not offered */
	m[12] = (uint8_t)SPDM_ASYM_ECDSA_P521;
	m[13] = (uint8_t)(SPDM_ASYM_ECDSA_P521 >> 8);
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, m, n, &offer, &sel, &e), -EPROTO);
	/* a version other than the negotiated one */
	assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_13, m, n, &offer, &sel, &e), -EPROTO);
}

/*
 * Our NEGOTIATE_ALGORITHMS byte for byte (issue 11 item 1): the ReqBaseAsymAlg
 * AlgStruct we offer nothing in (04 20 00 00) is left out, ParamA counts
 * the three that remain and Length covers them; libspdm's responder
 * answers an AlgStruct without algorithms with InvalidRequest.
 */
static void test_negotiate_algorithms_bytes(void **s)
{
	static const uint8_t want12[] = {
		/* ParamA 3, Length 44, MeasurementSpec DMTF, OtherParams opaque formats 0|1 */
		0x12, 0xe3, 0x03, 0x00, 0x2c, 0x00, 0x01, 0x03,
		0x9c, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, /* asym P256|P384|RSA3072, hash */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* no extended algorithms */
		0x02, 0x20, 0x18, 0x00, /* DHE secp256r1|secp384r1 */
		0x03, 0x20, 0x06, 0x00, /* AEAD AES-256-GCM|ChaCha20 */
		0x05, 0x20, 0x01, 0x00, /* KeySchedule SPDM */
	};
	struct spdm_algs offer, got;
	uint8_t m[128], e;
	size_t n;

	(void)s;
	spdm_default_offer(&offer);
	n = spdm_enc_negotiate_algorithms(SPDM_VERSION_12, &offer, m, sizeof(m));
	assert_int_equal(n, sizeof(want12));
	assert_memory_equal(m, want12, sizeof(want12));
	/* 1.1: same structs, no OtherParamsSupport */
	n = spdm_enc_negotiate_algorithms(SPDM_VERSION_11, &offer, m, sizeof(m));
	assert_int_equal(n, sizeof(want12));
	assert_int_equal(m[0], 0x11);
	assert_int_equal(m[7], 0);
	assert_memory_equal(m + 8, want12 + 8, sizeof(want12) - 8);
	/* it decodes back, REQ_ASYM none */
	assert_int_equal(spdm_dec_negotiate_algorithms(SPDM_VERSION_11, m, n, &got, &e), 0);
	assert_int_equal(got.dhe, offer.dhe);
	assert_int_equal(got.key_schedule, offer.key_schedule);
	assert_int_equal(got.req_asym, 0);
	/* nothing offered in any AlgStruct: none sent, ParamA 0, Length 32 */
	offer.dhe = offer.aead = offer.key_schedule = 0;
	n = spdm_enc_negotiate_algorithms(SPDM_VERSION_13, &offer, m, sizeof(m));
	assert_int_equal(n, 32);
	assert_int_equal(m[2], 0);
	assert_int_equal(m[4], 32);
	/* one offered in ReqBaseAsymAlg is sent */
	offer.req_asym = SPDM_ASYM_ECDSA_P384;
	n = spdm_enc_negotiate_algorithms(SPDM_VERSION_13, &offer, m, sizeof(m));
	assert_int_equal(n, 36);
	assert_int_equal(m[2], 1);
	assert_memory_equal(m + 32, "\x04\x20\x80\x00", 4);
}

static void test_capabilities_codec(void **s)
{
	struct spdm_caps c = { .ct_exponent = 7,
			       .flags = 0x1234,
			       .data_transfer_size = 100,
			       .max_msg_size = 200 },
			 d;
	uint8_t m[32], e;

	(void)s;
	assert_int_equal(spdm_enc_capabilities(SPDM_VERSION_10, SPDM_GET_CAPABILITIES, &c, m), 4);
	assert_int_equal(spdm_enc_capabilities(SPDM_VERSION_11, SPDM_CAPABILITIES, &c, m), 12);
	assert_int_equal(spdm_enc_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, &c, m), 20);
	assert_int_equal(spdm_dec_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, m, 20, &d, &e),
			 0);
	assert_int_equal(d.flags, 0x1234);
	assert_int_equal(d.max_msg_size, 200);
	assert_int_equal(spdm_dec_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, m, 19, &d, &e),
			 -EBADMSG);
	c.max_msg_size = 50; /* below DataTransferSize */
	spdm_enc_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, &c, m);
	assert_int_equal(spdm_dec_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, m, 20, &d, &e),
			 -EPROTO);
	m[1] = SPDM_ERROR;
	m[2] = SPDM_ERR_BUSY;
	assert_int_equal(spdm_dec_capabilities(SPDM_VERSION_12, SPDM_CAPABILITIES, m, 20, &d, &e),
			 -EREMOTEIO);
	assert_int_equal(e, SPDM_ERR_BUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vca_13),
		cmocka_unit_test(test_vca_signing_device),
		cmocka_unit_test(test_fallback_11),
		cmocka_unit_test(test_no_common_version),
		cmocka_unit_test(test_bad_selection_refused),
		cmocka_unit_test(test_device_error_named),
		cmocka_unit_test(test_algorithms_decoder),
		cmocka_unit_test(test_negotiate_algorithms_bytes),
		cmocka_unit_test(test_capabilities_codec),
	};

	return cmocka_run_group_tests_name("requester", tests, NULL, NULL);
}
