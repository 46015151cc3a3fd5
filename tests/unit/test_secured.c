// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * DSP0277 secured messages (PCI DOE binding) and the session message
 * codecs: the wire layout (SessionID, no sequence number, Length, the IV
 * derivation pinned against a direct AEAD call), round trips for both
 * AEADs, and each rejection: tampering, another session's ID, Length and
 * ApplicationDataLength that do not add up, replay, after END_SESSION. The
 * opaque data is checked byte for byte against the libspdm layout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "auth.h"
#include "secured.h"
#include "session_msg.h"

static struct spdm_session req_side, rsp_side;
static char why[256];

static void pair(uint16_t aead)
{
	uint8_t dhe[32], th[32];

	memset(dhe, 0x11, sizeof(dhe));
	memset(th, 0x22, sizeof(th));
	memset(&req_side, 0, sizeof(req_side));
	req_side.req_id = 0xfffe;
	req_side.rsp_id = 0x1234;
	assert_int_equal(tsmh_ks_handshake(&req_side.k, 0x12, SPDM_HASH_SHA256, aead, dhe, 32, th),
			 0);
	req_side.state = SPDM_SESS_ESTABLISHED;
	rsp_side = req_side;
}

static const uint8_t hb[4] = { 0x12, SPDM_HEARTBEAT, 0, 0 };

static void test_layout_and_iv(void **s)
{
	uint8_t wire[128], ct[32], tag[16], iv[12], pt[6];
	size_t n;

	(void)s;
	pair(SPDM_AEAD_AES_256_GCM);
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 0, wire, sizeof(wire), &n), 0);
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 0, wire, sizeof(wire), &n), 0);
	/* SessionID = ReqSessionID LE || RspSessionID LE; then Length; no sequence number */
	assert_int_equal(n, 6 + 2 + 4 + 16);
	assert_memory_equal(wire, "\xfe\xff\x34\x12\x16\x00", 6);
	/* the second message used sequence number 1: IV byte 0 XOR 1 */
	memcpy(iv, req_side.k.req.iv, 12);
	iv[0] ^= 1;
	pt[0] = 4;
	pt[1] = 0;
	memcpy(pt + 2, hb, 4);
	assert_int_equal(tsmh_aead_seal(SPDM_AEAD_AES_256_GCM, req_side.k.req.key, iv, wire, 6, pt,
					6, ct, tag),
			 0);
	assert_memory_equal(wire + 6, ct, 6);
	assert_memory_equal(wire + 12, tag, 16);
}

static void round_trip(uint16_t aead)
{
	uint8_t wire[256], app[64];
	size_t n, al;
	int i;

	pair(aead);
	for (i = 0; i < 5; i++) {
		assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, (size_t)i * 7, wire,
						   sizeof(wire), &n),
				 0);
		n += i % 4 ? 4 - i % 4 : 0; /* DOE dword padding after the MAC */
		assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al,
						   why, sizeof(why)),
				 0);
		assert_int_equal(al, 4);
		assert_memory_equal(app, hb, 4);
	}
	/* the other direction has its own keys */
	assert_int_equal(spdm_secured_seal(&rsp_side, 0, hb, 4, 0, wire, sizeof(wire), &n), 0);
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		-EBADMSG);
	assert_int_equal(
		spdm_secured_open(&req_side, 0, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		0);
}

static void test_round_trip(void **s)
{
	(void)s;
	round_trip(SPDM_AEAD_AES_256_GCM);
	round_trip(SPDM_AEAD_CHACHA20_POLY);
}

static void test_rejections(void **s)
{
	uint8_t wire[256], copy[256], app[64];
	size_t n, al, i;

	(void)s;
	pair(SPDM_AEAD_CHACHA20_POLY);
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 3, wire, sizeof(wire), &n), 0);
	/* every single-bit flip after the session ID is caught */
	for (i = 4; i < n; i++) {
		memcpy(copy, wire, n);
		copy[i] ^= 0x10;
		assert_int_not_equal(spdm_secured_open(&rsp_side, 1, copy, n, app, sizeof(app), &al,
						       why, sizeof(why)),
				     0);
	}
	memcpy(copy, wire, n);
	copy[10] ^= 1;
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, copy, n, app, sizeof(app), &al, why, sizeof(why)),
		-EBADMSG);
	assert_non_null(strstr(why, "MAC does not verify"));
	memcpy(copy, wire, n);
	copy[2] ^= 1; /* RspSessionID */
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, copy, n, app, sizeof(app), &al, why, sizeof(why)),
		-ENOENT);
	assert_non_null(strstr(why, "not ours"));
	/* truncation and Length mismatches */
	for (i = 0; i < n; i += 5)
		assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, i, app, sizeof(app), &al,
						   why, sizeof(why)),
				 -EPROTO);
	assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n + 4, app, sizeof(app), &al, why,
					   sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "Length"));
	/* the real thing still opens (failures did not advance the sequence) */
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		0);
	/* replay */
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		-EALREADY);
	assert_non_null(strstr(why, "replay of sequence number 0"));
	/* too small a buffer */
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 0, wire, sizeof(wire), &n), 0);
	assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n, app, 2, &al, why, sizeof(why)),
			 -EMSGSIZE);
	/* ended */
	rsp_side.state = SPDM_SESS_ENDED;
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		-ESHUTDOWN);
	assert_non_null(strstr(why, "has ended"));
	req_side.state = SPDM_SESS_ENDED;
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 0, wire, sizeof(wire), &n),
			 -ESHUTDOWN);
}

static void test_app_length_inconsistent(void **s)
{
	uint8_t wire[256], app[64], pt[8], iv[12];
	size_t n, al;

	(void)s;
	pair(SPDM_AEAD_AES_256_GCM);
	/* a correctly MACed message whose ApplicationDataLength overruns the plaintext */
	memcpy(wire, "\xfe\xff\x34\x12\x18\x00", 6);
	pt[0] = 0x40;
	pt[1] = 0;
	memcpy(pt + 2, hb, 4);
	pt[6] = pt[7] = 0;
	memcpy(iv, req_side.k.req.iv, 12);
	assert_int_equal(tsmh_aead_seal(SPDM_AEAD_AES_256_GCM, req_side.k.req.key, iv, wire, 6, pt,
					8, wire + 6, wire + 14),
			 0);
	n = 6 + 8 + 16;
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, n, app, sizeof(app), &al, why, sizeof(why)),
		-EPROTO);
	assert_non_null(strstr(why, "ApplicationDataLength"));
}

static void test_opaque_layout(void **s)
{
	static const uint16_t vers[] = { SPDM_SM_VERSION_11, SPDM_SM_VERSION_10 };
	/* TotalElements, 3 reserved | ID DMTF, VendorLen 0, OpaqueElementDataLen 7 |
	 * SMDataVersion 1, SMDataID 1, count 2, 0x1100, 0x1000 | pad to 4 */
	static const uint8_t sup[] = { 1, 0, 0, 0, 0, 0, 7, 0, 1, 1, 2, 0x00, 0x11, 0x00, 0x10, 0 };
	static const uint8_t sel[] = { 1, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0x00, 0x11 };
	uint8_t out[32];
	uint16_t got[8], v;

	(void)s;
	assert_int_equal(spdm_opaque_supported(SPDM_OPAQUE_FMT1, vers, 2, out, sizeof(out)),
			 sizeof(sup));
	assert_memory_equal(out, sup, sizeof(sup));
	/* 13 -> 16 */
	assert_int_equal(spdm_opaque_supported(SPDM_OPAQUE_FMT1, vers, 1, out, sizeof(out)), 16);
	assert_int_equal(
		spdm_opaque_selection(SPDM_OPAQUE_FMT1, SPDM_SM_VERSION_11, out, sizeof(out)),
		sizeof(sel));
	assert_memory_equal(out, sel, sizeof(sel));
	assert_int_equal(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT1, sup, sizeof(sup), got, 8),
			 2);
	assert_int_equal(got[0], 0x1100);
	assert_int_equal(got[1], 0x1000);
	assert_int_equal(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, sel, sizeof(sel), &v), 0);
	assert_int_equal(v, 0x1100);
	assert_int_equal(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, sup, sizeof(sup), &v),
			 -ENOENT);
	assert_int_equal(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT1, sup, 9, got, 8), -EBADMSG);
	memcpy(out, sup, sizeof(sup));
	out[0] = 2; /* claims a second element that is not there */
	assert_int_equal(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT1, out, sizeof(sup), got, 8),
			 -EBADMSG);
}

/* Format 0, DSP0277's table: SpecID "DMTF", OpaqueVersion 1, TotalElements, 2 reserved. */
static void test_opaque_layout_fmt0(void **s)
{
	static const uint16_t vers[] = { SPDM_SM_VERSION_11, SPDM_SM_VERSION_10 };
	static const uint8_t sup[] = { 0x46, 0x54, 0x4d, 0x44, 1, 1, 0,	   0, 0,    0,
				       7,    0,	   1,	 1,    2, 0, 0x11, 0, 0x10, 0 };
	static const uint8_t sel[] = {
		0x46, 0x54, 0x4d, 0x44, 1, 1, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0x11
	};
	uint8_t out[32];
	uint16_t got[8], v;

	(void)s;
	assert_int_equal(spdm_opaque_supported(SPDM_OPAQUE_FMT0, vers, 2, out, sizeof(out)),
			 sizeof(sup));
	assert_memory_equal(out, sup, sizeof(sup));
	assert_int_equal(
		spdm_opaque_selection(SPDM_OPAQUE_FMT0, SPDM_SM_VERSION_11, out, sizeof(out)),
		sizeof(sel));
	assert_memory_equal(out, sel, sizeof(sel));
	assert_int_equal(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT0, sup, sizeof(sup), got, 8),
			 2);
	assert_int_equal(got[1], 0x1000);
	assert_int_equal(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, sel, sizeof(sel), &v), 0);
	assert_int_equal(v, 0x1100);
	/* a format-1 table read as format 0, and a wrong SpecID: malformed */
	assert_int_equal(
		spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, sel + 4, sizeof(sel) - 4, &v),
		-EBADMSG);
	memcpy(out, sel, sizeof(sel));
	out[0] ^= 1;
	assert_int_equal(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, out, sizeof(sel), &v),
			 -EBADMSG);
}

static void test_key_exchange_codecs(void **s)
{
	uint8_t rnd[32], pub[96], op[16], m[512], sum[48], sig[96], vd[48], code;
	struct spdm_key_exchange k = { .summary = 0xff, .slot = 1, .session_id = 0xfffe }, kd;
	struct spdm_key_exchange_rsp r = { .heartbeat = 30, .session_id = 0x4321 }, rd;
	size_t n;

	(void)s;
	memset(rnd, 1, sizeof(rnd));
	memset(pub, 2, sizeof(pub));
	memset(sum, 3, sizeof(sum));
	k.random = rnd;
	k.exchange = pub;
	k.opaque = op;
	k.opaque_len = 16;
	memset(op, 0, sizeof(op));
	n = spdm_enc_key_exchange(0x12, &k, 96, m, sizeof(m));
	assert_int_equal(n, 8 + 32 + 96 + 2 + 16);
	assert_memory_equal(m, "\x12\xe4\xff\x01\xfe\xff\x00\x00", 8);
	assert_int_equal(spdm_dec_key_exchange(0x12, m, n + 3, 96, &kd), 0);
	assert_int_equal(kd.len, n);
	assert_int_equal(kd.session_id, 0xfffe);
	assert_int_equal(spdm_dec_key_exchange(0x12, m, n - 1, 96, &kd), -EBADMSG);

	r.random = rnd;
	r.exchange = pub;
	r.summary = sum;
	r.opaque = op;
	r.opaque_len = 12;
	n = spdm_enc_key_exchange_rsp(0x13, &r, 96, 48, m, sizeof(m));
	assert_int_equal(n, 8 + 32 + 96 + 48 + 2 + 12);
	memset(sig, 4, sizeof(sig));
	memset(vd, 5, sizeof(vd));
	memcpy(m + n, sig, 96);
	memcpy(m + n + 96, vd, 48);
	assert_int_equal(spdm_dec_key_exchange_rsp(0x13, m, n + 144, 96, 48, 1, 96, &rd, &code), 0);
	assert_int_equal(rd.signed_len, n);
	assert_int_equal(rd.heartbeat, 30);
	assert_int_equal(rd.session_id, 0x4321);
	assert_memory_equal(rd.summary, sum, 48);
	assert_memory_equal(rd.verify, vd, 48);
	assert_int_equal(spdm_dec_key_exchange_rsp(0x13, m, n + 143, 96, 48, 1, 96, &rd, &code),
			 -EBADMSG);
	assert_int_equal(spdm_dec_key_exchange_rsp(0x13, m, n + 148, 96, 48, 1, 96, &rd, &code),
			 -EPROTO);
	assert_int_equal(spdm_dec_key_exchange_rsp(0x12, m, n + 144, 96, 48, 1, 96, &rd, &code),
			 -EPROTO);
	m[1] = SPDM_ERROR;
	m[2] = SPDM_ERR_INVALID_REQUEST;
	assert_int_equal(spdm_dec_key_exchange_rsp(0x13, m, 4, 96, 48, 1, 96, &rd, &code),
			 -EREMOTEIO);
	assert_int_equal(code, SPDM_ERR_INVALID_REQUEST);
	/* FINISH and the 4-byte messages */
	n = spdm_enc_finish(0x12, vd, 32, m);
	assert_int_equal(n, 36);
	assert_memory_equal(m, "\x12\xe5\x00\x00", 4);
	{
		const uint8_t *v;

		assert_int_equal(spdm_dec_finish(0x12, m, 36, 32, &v), 0);
		assert_int_equal(spdm_dec_finish(0x12, m, 35, 32, &v), -EBADMSG);
		m[2] = 1;
		assert_int_equal(spdm_dec_finish(0x12, m, 36, 32, &v), -EPROTO);
	}
	spdm_enc_hdr(0x12, SPDM_KEY_UPDATE_ACK, 2, 0x77, m);
	{
		uint8_t p1, p2;

		assert_int_equal(spdm_dec_hdr(0x12, SPDM_KEY_UPDATE_ACK, m, 4, &p1, &p2, &code), 0);
		assert_int_equal(p1, 2);
		assert_int_equal(p2, 0x77);
		assert_int_equal(spdm_dec_hdr(0x12, SPDM_HEARTBEAT_ACK, m, 4, &p1, &p2, &code),
				 -EPROTO);
		assert_int_equal(spdm_dec_hdr(0x12, SPDM_KEY_UPDATE_ACK, m, 5, &p1, &p2, &code),
				 -EPROTO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_iv),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_app_length_inconsistent),
		cmocka_unit_test(test_opaque_layout),
		cmocka_unit_test(test_opaque_layout_fmt0),
		cmocka_unit_test(test_key_exchange_codecs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
