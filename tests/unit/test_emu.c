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
#include "requester.h"
#include "session_msg.h"

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

/* GET_VERSION, then GET_CAPABILITIES at @ver with @rc and Param1 @p1: the answer's code. */
static uint8_t caps_at(uint8_t ver, const struct spdm_caps *rc, uint8_t p1)
{
	uint8_t m[64];
	size_t n;

	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4) > 8, 1);
	n = spdm_enc_capabilities(ver, SPDM_GET_CAPABILITIES, rc, m);
	m[2] = p1;
	assert_true(ask(1, m, n) > 8);
	assert_int_equal(rsp[8], rsp[9] == SPDM_ERROR && rsp[10] == SPDM_ERR_VERSION_MISMATCH
					 ? SPDM_VERSION_10
					 : ver);
	return rsp[9] == SPDM_ERROR ? rsp[10] : 0;
}

static void all_versions(void)
{
	setup_cfg();
	spdm_ver_parse("1.1", &cfg.vers[0]);
	spdm_ver_parse("1.2", &cfg.vers[1]);
	spdm_ver_parse("1.3", &cfg.vers[2]);
	cfg.nr_vers = 3;
}

/*
 * DSP0274's rules on a Requester's GET_CAPABILITIES (issue 11 item 3):
 * each illegal combination gets ERROR(InvalidRequest), its legal
 * neighbour CAPABILITIES.
 */
static void test_requester_caps_rules(void **s)
{
#define SES	     (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX)
#define PSK1	     (1u << 10)
#define EP_INFO(v)   ((uint32_t)(v) << 22)
#define MULTI_KEY(v) ((uint32_t)(v) << 26)
	static const struct {
		uint8_t ver, p1;
		uint32_t flags, dts, max;
		uint8_t want; /* 0: CAPABILITIES */
	} t[] = {
		/* our requester's flags */
		{ 0x13, 0, SPDM_CAP_CERT | SPDM_CAP_CHAL | SES | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD,
		  4096, 4096, 0 },
		{ 0x12, 0, 0, 4096, 4096, 0 },
		/* KEY_EX or PSK need ENCRYPT or MAC */
		{ 0x12, 0, SPDM_CAP_KEY_EX, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_KEY_EX | SPDM_CAP_MAC, 4096, 4096, 0 },
		{ 0x11, 0, SPDM_CAP_KEY_EX, 0, 0, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, PSK1, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, PSK1 | SPDM_CAP_ENCRYPT, 4096, 4096, 0 },
		/* PSK_CAP 2 and 3 are reserved for a Requester */
		{ 0x12, 0, (2u << 10) | SPDM_CAP_MAC, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, (3u << 10) | SPDM_CAP_MAC, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		/* session flags without KEY_EX or PSK */
		{ 0x12, 0, SPDM_CAP_ENCRYPT, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_MAC, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_HBEAT, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, SPDM_CAP_KEY_UPD, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x11, 0, SPDM_CAP_HANDSHAKE_IC, 0, 0, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, 1u << 25 /* EVENT */, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, (1u << 25) | SPDM_CAP_KEY_EX | SPDM_CAP_MAC, 4096, 4096, 0 },
		/* HANDSHAKE_IN_THE_CLEAR needs KEY_EX (PSK is not enough) */
		{ 0x12, 0, SPDM_CAP_HANDSHAKE_IC | PSK1 | SPDM_CAP_MAC, 4096, 4096,
		  SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_HANDSHAKE_IC | SES, 4096, 4096, 0 },
		/* certificates / public keys */
		{ 0x12, 0, SPDM_CAP_CERT | SPDM_CAP_PUB_KEY_ID | SPDM_CAP_CHAL, 4096, 4096,
		  SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_CERT, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, SPDM_CAP_PUB_KEY_ID, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_PUB_KEY_ID | SPDM_CAP_CHAL, 4096, 4096, 0 },
		{ 0x12, 0, SPDM_CAP_CHAL, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_MUT_AUTH | SES, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_MUT_AUTH | SPDM_CAP_CERT | SPDM_CAP_CHAL, 4096, 4096, 0 },
		{ 0x13, 0, EP_INFO(2), 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, EP_INFO(1), 4096, 4096, 0 },
		/* 1.1: mutual authentication only through encapsulated requests */
		{ 0x11, 0, SPDM_CAP_MUT_AUTH | SPDM_CAP_CERT | SPDM_CAP_CHAL, 0, 0,
		  SPDM_ERR_INVALID_REQUEST },
		{ 0x11, 0, SPDM_CAP_MUT_AUTH | SPDM_CAP_ENCAP | SPDM_CAP_CERT | SPDM_CAP_CHAL, 0, 0,
		  0 },
		/* 1.3 reserved values and MULTI_KEY with PUB_KEY_ID */
		{ 0x13, 0, EP_INFO(3), 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, MULTI_KEY(3) | SPDM_CAP_CERT | SPDM_CAP_CHAL, 4096, 4096,
		  SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, MULTI_KEY(1) | SPDM_CAP_PUB_KEY_ID | SPDM_CAP_CHAL, 4096, 4096,
		  SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 0, MULTI_KEY(1) | SPDM_CAP_CERT | SPDM_CAP_CHAL, 4096, 4096, 0 },
		/* sizes: DataTransferSize >= 42, <= MaxSPDMmsgSize, equal without CHUNK_CAP */
		{ 0x12, 0, 0, 41, 41, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, 0, 42, 42, 0 },
		{ 0x13, 0, 0, 4096, 2048, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, 0, 4096, 8192, SPDM_ERR_INVALID_REQUEST },
		{ 0x12, 0, SPDM_CAP_CHUNK, 4096, 8192, 0 },
		/* 1.3 Param1 bit 0 (algorithms in CAPABILITIES) needs CHUNK_CAP */
		{ 0x13, 1, 0, 4096, 4096, SPDM_ERR_INVALID_REQUEST },
		{ 0x13, 1, SPDM_CAP_CHUNK, 4096, 4096, 0 },
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spdm_caps rc = { .ct_exponent = 10,
					.flags = t[i].flags,
					.data_transfer_size = t[i].dts,
					.max_msg_size = t[i].max };

		all_versions();
		print_message("case %zu: %#x flags %#x\n", i, t[i].ver, t[i].flags);
		assert_int_equal(caps_at(t[i].ver, &rc, t[i].p1), t[i].want);
		assert_int_equal(conn.state, t[i].want ? EMU_CONN_VERSION : EMU_CONN_CAPS);
	}
#undef SES
#undef PSK1
#undef EP_INFO
#undef MULTI_KEY
}

/* Issue 11 item 2: no session capabilities at 1.1, all of them at 1.2 and 1.3. */
static void test_caps_by_version(void **s)
{
	const uint32_t ses = SPDM_CAP_KEY_EX | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HBEAT |
			     SPDM_CAP_KEY_UPD;
	struct spdm_caps rc = { .flags = SPDM_CAP_CERT | SPDM_CAP_CHAL,
				.data_transfer_size = 4096,
				.max_msg_size = 4096 },
			 got;
	uint8_t ver, e;

	(void)s;
	for (ver = SPDM_VERSION_11; ver <= SPDM_VERSION_13; ver++) {
		all_versions();
		cfg.cap_flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | ses;
		assert_int_equal(caps_at(ver, &rc, 0), 0);
		assert_int_equal(spdm_dec_capabilities(ver, SPDM_CAPABILITIES, rsp + 8,
						       sizeof(rsp) - 8, &got, &e),
				 0);
		assert_int_equal(got.flags & ses, ver == SPDM_VERSION_11 ? 0 : ses);
		assert_int_equal(got.flags & SPDM_CAP_CHAL, SPDM_CAP_CHAL);
	}
}

/*
 * Per request: the header version against the negotiated one
 * (VersionMismatch), out of order (UnexpectedRequest), not served
 * (UnsupportedRequest with the code), and ResponseTooLarge above the
 * Requester's DataTransferSize.
 */
static void test_request_errors(void **s)
{
	static const struct emu_chain none[EMU_NR_KEYS][EMU_MAX_SLOTS];
	static const uint8_t reqs[][4] = {
		{ 0, SPDM_GET_DIGESTS, 0, 0 },	    { 0, SPDM_GET_CERTIFICATE, 0, 0 },
		{ 0, SPDM_CHALLENGE, 0, 0 },	    { 0, SPDM_GET_MEASUREMENTS, 0, 0 },
		{ 0, SPDM_KEY_EXCHANGE, 0, 0 },	    { 0, SPDM_NEGOTIATE_ALGORITHMS, 0, 0 },
		{ 0, SPDM_RESPOND_IF_READY, 0, 0 }, { 0, SPDM_FINISH, 0, 0 },
		{ 0, SPDM_GET_CAPABILITIES, 0, 0 },
	};
	struct spdm_caps rc = { .flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_KEY_EX |
					 SPDM_CAP_MAC,
				.data_transfer_size = 4096,
				.max_msg_size = 4096 };
	struct spdm_algs offer, sel;
	uint8_t req[4];
	size_t i;
	long big;

	(void)s;
	spdm_default_offer(&offer);
	setup_cfg();
	cfg.chains = none;
	cfg.cap_flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_KEY_EX |
			SPDM_CAP_ENCRYPT | SPDM_CAP_MAC;
	cfg.asym = SPDM_ASYM_ECDSA_P384;
	cfg.slot_mask = 3;
	/* before VCA: out of sequence */
	for (i = 0; i < 5; i++) {
		memcpy(req, reqs[i], 4);
		req[0] = SPDM_VERSION_12;
		ask(1, req, 4);
		assert_int_equal(rsp[9], SPDM_ERROR);
		assert_int_equal(rsp[10], SPDM_ERR_UNEXPECTED_REQUEST);
	}
	assert_int_equal(vca(SPDM_VERSION_12, &offer, &sel), 0);
	/* after VCA, at another version: VersionMismatch in the negotiated version's header */
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		memcpy(req, reqs[i], 4);
		req[0] = SPDM_VERSION_13;
		ask(1, req, 4);
		print_message("request %#x\n", req[1]);
		assert_int_equal(rsp[9], SPDM_ERROR);
		assert_int_equal(rsp[10], reqs[i][1] == SPDM_GET_CAPABILITIES ||
							  reqs[i][1] == SPDM_NEGOTIATE_ALGORITHMS
						  ? SPDM_ERR_UNEXPECTED_REQUEST
						  : SPDM_ERR_VERSION_MISMATCH);
	}
	/* a request that is not served: UnsupportedRequest, ErrorData the code */
	ask(1, (const uint8_t *)"\x12\xe6\x00\x00", 4); /* PSK_EXCHANGE */
	assert_memory_equal(rsp + 8, "\x12\x7f\x07\xe6", 4);
	/* GET_MEASUREMENTS: no MEAS_CAP advertised, so unsupported */
	cfg.cap_flags &= ~SPDM_CAP_MEAS_SIG;
	ask(1, (const uint8_t *)"\x12\xe0\x00\x00", 4);
	assert_memory_equal(rsp + 8, "\x12\x7f\x07\xe0", 4);
	/* a requester without KEY_EX_CAP: KEY_EXCHANGE unsupported (libspdm checks both sides) */
	rc.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL;
	assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
	{
		uint8_t m[64];
		size_t n = spdm_enc_capabilities(SPDM_VERSION_12, SPDM_GET_CAPABILITIES, &rc, m);

		assert_true(ask(1, m, n) > 8);
		n = spdm_enc_negotiate_algorithms(SPDM_VERSION_12, &offer, m, sizeof(m));
		assert_true(ask(1, m, n) > 8);
	}
	ask(1, (const uint8_t *)"\x12\xe4\x00\x00", 4);
	assert_memory_equal(rsp + 8, "\x12\x7f\x07\xe4", 4);
	/* GET_DIGESTS fits 4096 ... */
	big = ask(1, (const uint8_t *)"\x12\x81\x00\x00", 4);
	assert_int_equal(rsp[9], SPDM_DIGESTS);
	/*
	 * ... and a Requester taking 42 bytes gets ResponseTooLarge (with the
	 * size) for ALGORITHMS (four AlgStructs: 52 bytes), one taking 64 for
	 * DIGESTS (two SHA-384 digests)
	 */
	for (i = 0; i < 2; i++) {
		uint8_t m[64];
		size_t n;

		rc.data_transfer_size = rc.max_msg_size = i ? 64 : 42;
		assert_int_equal(ask(1, (const uint8_t *)"\x10\x84\x00\x00", 4), 20);
		n = spdm_enc_capabilities(SPDM_VERSION_12, SPDM_GET_CAPABILITIES, &rc, m);
		assert_true(ask(1, m, n) > 8);
		n = spdm_enc_negotiate_algorithms(SPDM_VERSION_12, &offer, m, sizeof(m));
		assert_true(ask(1, m, n) > 8);
		assert_int_equal(rsp[9], i ? SPDM_ALGORITHMS : SPDM_ERROR);
	}
	ask(1, (const uint8_t *)"\x12\x81\x00\x00", 4);
	assert_int_equal(rsp[9], SPDM_ERROR);
	assert_int_equal(rsp[10], SPDM_ERR_RESPONSE_TOO_LARGE);
	assert_int_equal(tsmh_get_le32(rsp + 12), big - 8);
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
		cmocka_unit_test(test_requester_caps_rules),
		cmocka_unit_test(test_caps_by_version),
		cmocka_unit_test(test_request_errors),
	};

	return cmocka_run_group_tests_name("emu", tests, NULL, NULL);
}
