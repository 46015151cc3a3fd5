// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The device emulator's DOE dispatch, SPDM responder and fault menu. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "doe.h"
#include "emu.h"

static struct emu_dev_cfg cfg;
static struct emu_conn conn;
static uint8_t rsp[256];

static void setup_cfg(void)
{
	emu_cfg_defaults(&cfg);
	emu_conn_free(&conn);
}

static long ask(uint8_t type, const uint8_t *pl, size_t len)
{
	uint8_t obj[64] = { 0 };
	size_t dw = (len + 3) / 4 + 2;

	tsmh_put_le32(obj, tsmh_doe_hdr0(1, type));
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1((uint32_t)dw));
	memcpy(obj + 8, pl, len);
	return emu_respond(&cfg, &conn, obj, 4 * dw, rsp, sizeof(rsp));
}

static void test_discovery_walk(void **s)
{
	uint8_t idx[4] = { 0 };
	struct tsmh_doe_disc_ent e;
	int seen = 0;

	(void)s;
	setup_cfg();
	do {
		assert_int_equal(ask(0, idx, 4), 12);
		tsmh_doe_disc_parse(tsmh_get_le32(rsp + 8), &e);
		assert_int_equal(e.vid, 1);
		assert_int_equal(e.type, seen);
		idx[0] = e.next;
		seen++;
	} while (e.next && seen < 10);
	assert_int_equal(seen, 3);
	/* out-of-range index ends the list rather than looping */
	idx[0] = 9;
	assert_int_equal(ask(0, idx, 4), 12);
	tsmh_doe_disc_parse(tsmh_get_le32(rsp + 8), &e);
	assert_int_equal(e.next, 0);
}

static void test_get_version(void **s)
{
	(void)s;
	setup_cfg();
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
	assert_int_equal(tsmh_doe_hdr_len(tsmh_get_le32(rsp + 4)), 5);
	assert_memory_equal(rsp + 8, "\x10\x04\x00\x00\x00\x02\x00\x12\x00\x13\x00\x00", 12);
}

static void test_spdm_errors(void **s)
{
	(void)s;
	setup_cfg();
	/* GET_VERSION must be sent as 1.0 */
	ask(1, (const uint8_t *)"\x12\x84\x00\x00", 4);
	assert_memory_equal(rsp + 8, "\x10\x7f\x41\x00", 4);
	/* requests not implemented yet: UnsupportedRequest with the code */
	ask(1, (const uint8_t *)"\x12\x81\x00\x00", 4);
	assert_memory_equal(rsp + 8, "\x12\x7f\x07\x81", 4);
	/* GET_CAPABILITIES before GET_VERSION: UnexpectedRequest */
	ask(1, (const uint8_t *)"\x12\xe1\x00\x00", 4);
	assert_memory_equal(rsp + 8, "\x12\x7f\x04\x00", 4);
	/* an empty CMA object: InvalidRequest (shorter ones are DOE-padded) */
	ask(1, (const uint8_t *)"", 0);
	assert_memory_equal(rsp + 8, "\x10\x7f\x01\x00", 4);
}

/* Run VCA at @ver against the emulator; returns the ALGORITHMS decode result. */
static int vca(uint8_t ver, struct spdm_algs *offer, struct spdm_algs *sel)
{
	struct spdm_caps rc = { .ct_exponent = 10,
				.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL,
				.data_transfer_size = 4096,
				.max_msg_size = 4096 };
	uint8_t m[128], e;
	size_t n;

	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
	n = spdm_enc_capabilities(ver, SPDM_GET_CAPABILITIES, &rc, m);
	assert_true(ask(1, m, n) > 8);
	if (spdm_dec_capabilities(ver, SPDM_CAPABILITIES, rsp + 8, 24, &rc, &e))
		return -1;
	n = spdm_enc_negotiate_algorithms(ver, offer, m, sizeof(m));
	assert_true(n > 0);
	assert_true(ask(1, m, n) > 8);
	return spdm_dec_algorithms(ver, rsp + 8, sizeof(rsp) - 8, offer, sel, &e);
}

static void test_vca(void **s)
{
	struct spdm_algs offer = { .meas_spec = SPDM_MEAS_SPEC_DMTF,
				   .base_asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
				   .base_hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384,
				   .dhe = SPDM_DHE_SECP384R1,
				   .aead = SPDM_AEAD_AES_256_GCM,
				   .key_schedule = SPDM_KEY_SCHEDULE_SPDM },
			 sel;

	(void)s;
	setup_cfg();
	/* nothing that needs signing is served yet: nothing is selected */
	assert_int_equal(vca(SPDM_VERSION_12, &offer, &sel), 0);
	assert_int_equal(conn.state, EMU_CONN_NEGOTIATED);
	assert_int_equal(conn.ver, SPDM_VERSION_12);
	assert_int_equal(sel.base_asym, 0);
	assert_int_equal(sel.base_hash, 0);
	/* a device with keys that signs measurements picks the strongest offered */
	cfg.cap_flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG;
	cfg.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384;
	assert_int_equal(vca(SPDM_VERSION_13, &offer, &sel), 0);
	assert_int_equal(sel.base_asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(sel.base_hash, SPDM_HASH_SHA384);
	assert_int_equal(sel.meas_hash, SPDM_MEAS_HASH_SHA384);
	assert_int_equal(sel.meas_spec, SPDM_MEAS_SPEC_DMTF);
	/* ... and within an offer of P-256 only, P-256 */
	offer.base_asym = SPDM_ASYM_ECDSA_P256;
	offer.base_hash = SPDM_HASH_SHA256;
	assert_int_equal(vca(SPDM_VERSION_12, &offer, &sel), 0);
	assert_int_equal(sel.base_asym, SPDM_ASYM_ECDSA_P256);
	assert_int_equal(sel.meas_hash, SPDM_MEAS_HASH_SHA256);
}

/*
 * The emulator takes NEGOTIATE_ALGORITHMS with or without an AlgStruct
 * that offers nothing (our requester before and after issue 11 item 1;
 * DSP0274 lets a requester omit a type it does not support).
 */
static void test_vca_alg_structs(void **s)
{
	/* 1.2, ParamA 4, Length 48: DHE, AEAD, ReqBaseAsymAlg 0, KeySchedule */
	static const uint8_t with_zero[48] = {
		0x12, 0xe3, 0x04, 0x00, 0x30, 0x00, 0x01, 0x02, /* header, Length */
		0x90, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, /* asym, hash */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ..., ext counts */
		0x02, 0x20, 0x10, 0x00, 0x03, 0x20, 0x02, 0x00, /* DHE, AEAD */
		0x04, 0x20, 0x00, 0x00, 0x05, 0x20, 0x01, 0x00, /* ReqBaseAsymAlg 0, KS */
	};
	/* the same without it: ParamA 3, Length 44 */
	static const uint8_t without[44] = {
		0x12, 0xe3, 0x03, 0x00, 0x2c, 0x00, 0x01, 0x02, /* header, Length */
		0x90, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, /* asym, hash */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ..., ext counts */
		0x02, 0x20, 0x10, 0x00, 0x03, 0x20, 0x02, 0x00, /* DHE, AEAD */
		0x05, 0x20, 0x01, 0x00, /* KeySchedule */
	};
	const uint8_t *req[] = { with_zero, without };
	const size_t len[] = { sizeof(with_zero), sizeof(without) };
	struct spdm_caps rc = { .ct_exponent = 10,
				.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL,
				.data_transfer_size = 4096,
				.max_msg_size = 4096 };
	struct spdm_algs offer = { .meas_spec = SPDM_MEAS_SPEC_DMTF,
				   .base_asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
				   .base_hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384,
				   .dhe = SPDM_DHE_SECP384R1,
				   .aead = SPDM_AEAD_AES_256_GCM,
				   .key_schedule = SPDM_KEY_SCHEDULE_SPDM,
				   .other_params = SPDM_OPAQUE_FMT0 | SPDM_OPAQUE_FMT1 },
			 sel;
	uint8_t m[64], e;
	size_t n, i;

	(void)s;
	for (i = 0; i < 2; i++) {
		setup_cfg();
		cfg.cap_flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG;
		cfg.asym = SPDM_ASYM_ECDSA_P384;
		assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
		n = spdm_enc_capabilities(SPDM_VERSION_12, SPDM_GET_CAPABILITIES, &rc, m);
		assert_true(ask(1, m, n) > 8);
		assert_true(ask(1, req[i], len[i]) > 8);
		assert_int_equal(rsp[8 + 1], SPDM_ALGORITHMS);
		assert_int_equal(spdm_dec_algorithms(SPDM_VERSION_12, rsp + 8, sizeof(rsp) - 8,
						     &offer, &sel, &e),
				 0);
		assert_int_equal(conn.state, EMU_CONN_NEGOTIATED);
		assert_int_equal(sel.base_asym, SPDM_ASYM_ECDSA_P384);
		assert_int_equal(sel.req_asym, 0);
	}
}

static void test_vca_order_and_versions(void **s)
{
	struct spdm_caps rc = { .flags = 0, .data_transfer_size = 4096, .max_msg_size = 4096 };
	uint8_t m[64];
	size_t n;

	(void)s;
	setup_cfg();
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
	/* a version the device did not offer */
	n = spdm_enc_capabilities(SPDM_VERSION_11, SPDM_GET_CAPABILITIES, &rc, m);
	ask(1, m, n);
	assert_memory_equal(rsp + 8, "\x10\x7f\x41\x00", 4);
	/* 1.2 with a DataTransferSize below the minimum */
	rc.data_transfer_size = 16;
	n = spdm_enc_capabilities(SPDM_VERSION_12, SPDM_GET_CAPABILITIES, &rc, m);
	ask(1, m, n);
	assert_memory_equal(rsp + 8, "\x12\x7f\x01\x00", 4);
	/* NEGOTIATE_ALGORITHMS before GET_CAPABILITIES succeeded */
	n = spdm_enc_negotiate_algorithms(SPDM_VERSION_12, &(struct spdm_algs){ 0 }, m, sizeof(m));
	ask(1, m, n);
	assert_memory_equal(rsp + 8, "\x12\x7f\x04\x00", 4);
}

static void test_doe_level_errors(void **s)
{
	uint8_t obj[12];

	(void)s;
	setup_cfg();
	/* secured CMA without a session: a clear ERROR InvalidSession; unknown protocols refused */
	assert_int_equal(ask(2, (const uint8_t *)"\0\0\0\0", 4), 12);
	assert_memory_equal(rsp + 8, "\x12\x7f\x02\x00", 4);
	assert_int_equal(ask(9, (const uint8_t *)"\0\0\0\0", 4), -1);
	/* a malformed request object */
	tsmh_put_le32(obj, tsmh_doe_hdr0(1, 1));
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1(7));
	assert_int_equal(emu_respond(&cfg, &conn, obj, 12, rsp, sizeof(rsp)), -1);
	/* no room for the answer */
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1(3));
	memcpy(obj + 8, "\x10\x84\x00\x00", 4);
	assert_int_equal(emu_respond(&cfg, &conn, obj, 12, rsp, 12), -1);
}

static void test_faults(void **s)
{
	const char *bad;
	unsigned int f;

	(void)s;
	setup_cfg();
	assert_int_equal(emu_faults_parse("silent,bad-length", &f, &bad), 0);
	assert_int_equal(f, EMU_FAULT_SILENT | EMU_FAULT_BAD_LENGTH);
	assert_int_equal(emu_faults_parse("silent,bogus", &f, &bad), -1);
	assert_string_equal(bad, "bogus");
	cfg.faults = EMU_FAULT_SILENT;
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 0);
	cfg.faults = EMU_FAULT_DOE_ERROR;
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), -1);
	cfg.faults = EMU_FAULT_BAD_LENGTH;
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
	assert_int_equal(tsmh_doe_hdr_len(tsmh_get_le32(rsp + 4)), 6); /* lies */
	cfg.faults = EMU_FAULT_WRONG_PROT;
	ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4);
	assert_int_not_equal(tsmh_doe_hdr_type(tsmh_get_le32(rsp)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discovery_walk),
		cmocka_unit_test(test_get_version),
		cmocka_unit_test(test_spdm_errors),
		cmocka_unit_test(test_vca),
		cmocka_unit_test(test_vca_alg_structs),
		cmocka_unit_test(test_vca_order_and_versions),
		cmocka_unit_test(test_doe_level_errors),
		cmocka_unit_test(test_faults),
	};

	return cmocka_run_group_tests_name("emu", tests, NULL, NULL);
}
