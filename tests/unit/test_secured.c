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

/* @ret of a decoder, explained as the requester would: must contain @want. */
static void says(int ret, const char *want)
{
	char w[256];

	assert_int_not_equal(ret, 0);
	spdm_why_decode(w, sizeof(w), "STEP", ret, 0);
	if (!strstr(w, want))
		fail_msg("'%s' does not say '%s'", w, want);
}

static void opaque_says(int ret, const char *want)
{
	char w[256];

	assert_true(ret < 0);
	spdm_why_bad(w, sizeof(w), ret, "OpaqueData");
	if (!strstr(w, want))
		fail_msg("'%s' does not say '%s'", w, want);
}

/* Framing failures of a secured message: which field, which value, what was expected. */
static void test_framing_reasons(void **s)
{
	uint8_t wire[256], copy[256], app[64];
	size_t n, al;

	(void)s;
	pair(SPDM_AEAD_AES_256_GCM);
	assert_int_equal(spdm_secured_seal(&req_side, 1, hb, 4, 0, wire, sizeof(wire), &n), 0);
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, wire, 5, app, sizeof(app), &al, why, sizeof(why)),
		-EPROTO);
	assert_non_null(strstr(why, "5 bytes, shorter than the 6-byte SessionID and Length"));
	memcpy(copy, wire, n);
	copy[4] = 17; /* Length below ApplicationDataLength + MAC */
	copy[5] = 0;
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, copy, n, app, sizeof(app), &al, why, sizeof(why)),
		-EPROTO);
	assert_non_null(strstr(why, "Length 17, less than the 18 bytes of ApplicationDataLength"));
	assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n - 1, app, sizeof(app), &al, why,
					   sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "Length 22 runs past the 21 bytes after the header"));
	memset(wire + n, 0, 4);
	assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n + 4, app, sizeof(app), &al, why,
					   sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "Length 22 leaves 4 bytes after the MAC (at most 3"));
	assert_int_equal(spdm_secured_open(&rsp_side, 1, wire, n, app, 3, &al, why, sizeof(why)),
			 -EMSGSIZE);
	assert_non_null(strstr(why, "ApplicationDataLength 4, more than the 3-byte buffer"));
	memcpy(copy, wire, n);
	copy[0] ^= 1;
	assert_int_equal(
		spdm_secured_open(&rsp_side, 1, copy, n, app, sizeof(app), &al, why, sizeof(why)),
		-ENOENT);
	assert_non_null(strstr(why, "session ID ffff:1234 is not ours (fffe:1234)"));
}

/* The session codecs' reasons, several malformed inputs each. */
static void test_decoder_reasons(void **s)
{
	uint8_t rnd[32], pub[64], op[16], m[512], code;
	struct spdm_key_exchange k = { .summary = 0, .slot = 0, .session_id = 0xfffe }, kd;
	struct spdm_key_exchange_rsp r = { .heartbeat = 30, .session_id = 0x4321 }, rd;
	const uint8_t *v;
	size_t n;

	(void)s;
	memset(rnd, 1, sizeof(rnd));
	memset(pub, 2, sizeof(pub));
	k.random = rnd;
	k.exchange = pub;
	k.opaque = op;
	k.opaque_len = 16;
	memset(op, 0, sizeof(op));
	/* KEY_EXCHANGE (what the responder decodes) */
	n = spdm_enc_key_exchange(0x12, &k, 64, m, sizeof(m));
	says(spdm_dec_key_exchange(0x12, m, 3, 64, &kd), "3 bytes, shorter than the 4-byte header");
	says(spdm_dec_key_exchange(0x13, m, n, 64, &kd),
	     "SPDMVersion 1.2, expected the negotiated 1.3");
	says(spdm_dec_key_exchange(0x12, m, 100, 64, &kd),
	     "100 bytes, the fields up to OpaqueDataLength need 106 (64-byte ExchangeData)");
	says(spdm_dec_key_exchange(0x12, m, n - 1, 64, &kd),
	     "OpaqueDataLength 16 runs past the 121-byte request");
	m[104] = 0x01;
	m[105] = 0x08; /* 2049 */
	says(spdm_dec_key_exchange(0x12, m, n, 64, &kd), "OpaqueDataLength 2049, more than 1024");
	m[1] = SPDM_FINISH;
	says(spdm_dec_key_exchange(0x12, m, n, 64, &kd), "RequestResponseCode 0xe5, expected 0xe4");
	/* KEY_EXCHANGE_RSP without a summary hash: fields, 64-byte signature, 32-byte verify data */
	r.random = rnd;
	r.exchange = pub;
	r.opaque = op;
	r.opaque_len = 12;
	n = spdm_enc_key_exchange_rsp(0x12, &r, 64, 32, m, sizeof(m));
	memset(m + n, 0, 96 + 8);
	assert_int_equal(spdm_dec_key_exchange_rsp(0x12, m, n + 96, 64, 32, 0, 64, &rd, &code), 0);
	says(spdm_dec_key_exchange_rsp(0x12, m, n + 96, 64, 32, 1, 64, &rd, &code),
	     "OpaqueDataLength "); /* a summary hash asked for shifts every field */
	says(spdm_dec_key_exchange_rsp(0x12, m, 60, 64, 32, 0, 64, &rd, &code),
	     "60 bytes, the fields up to OpaqueDataLength need 106 (64-byte ExchangeData, 0-byte "
	     "MeasurementSummaryHash)");
	says(spdm_dec_key_exchange_rsp(0x12, m, n + 95, 64, 32, 0, 64, &rd, &code),
	     "213 bytes, OpaqueDataLength 12 with a 64-byte Signature and 32-byte "
	     "ResponderVerifyData need 214");
	says(spdm_dec_key_exchange_rsp(0x12, m, n + 100, 64, 32, 0, 64, &rd, &code),
	     "4 bytes after ResponderVerifyData (at most 3 of DOE padding)");
	says(spdm_dec_key_exchange_rsp(0x12, m, 2, 64, 32, 0, 64, &rd, &code),
	     "2 bytes, shorter than the 4-byte header");
	m[1] = SPDM_FINISH_RSP;
	says(spdm_dec_key_exchange_rsp(0x12, m, n + 96, 64, 32, 0, 64, &rd, &code),
	     "RequestResponseCode 0x65, expected 0x64");
	/* FINISH (what the responder decodes) */
	spdm_enc_finish(0x12, rnd, 32, m);
	says(spdm_dec_finish(0x12, m, 35, 32, &v),
	     "35 bytes, expected 36 (header and 32-byte RequesterVerifyData)");
	says(spdm_dec_finish(0x13, m, 36, 32, &v), "SPDMVersion 1.2, expected the negotiated 1.3");
	m[2] = 0x01;
	says(spdm_dec_finish(0x12, m, 36, 32, &v),
	     "Param1 0x01 has bit 0 (signature present) set, expected clear");
	/* the 4-byte ACKs */
	spdm_enc_hdr(0x13, SPDM_END_SESSION_ACK, 0, 0, m);
	says(spdm_dec_hdr(0x13, SPDM_END_SESSION_ACK, m, 8, NULL, NULL, &code),
	     "8 bytes, expected exactly 4 (the header alone)");
	says(spdm_dec_hdr(0x13, SPDM_HEARTBEAT_ACK, m, 4, NULL, NULL, &code),
	     "RequestResponseCode 0x6c, expected 0x68");
	says(spdm_dec_hdr(0x12, SPDM_END_SESSION_ACK, m, 4, NULL, NULL, &code),
	     "SPDMVersion 1.3, expected the negotiated 1.2");
	m[1] = SPDM_ERROR;
	m[2] = SPDM_ERR_DECRYPT_ERROR;
	{
		char w[128];

		assert_int_equal(spdm_dec_hdr(0x13, SPDM_END_SESSION_ACK, m, 4, NULL, NULL, &code),
				 -EREMOTEIO);
		spdm_why_decode(w, sizeof(w), "END_SESSION", -EREMOTEIO, code);
		assert_string_equal(w, "END_SESSION: device answered ERROR DecryptError (0x6)");
	}
}

/* Malformed opaque data: which field of the table or element, its value, what was expected. */
static void test_opaque_reasons(void **s)
{
	static const uint16_t vers[] = { SPDM_SM_VERSION_12, SPDM_SM_VERSION_11 };
	uint8_t sup[32], sel[32], x[32];
	size_t ns, nl;
	uint16_t got[8], v;

	(void)s;
	ns = spdm_opaque_supported(SPDM_OPAQUE_FMT1, vers, 2, sup, sizeof(sup));
	nl = spdm_opaque_selection(SPDM_OPAQUE_FMT1, SPDM_SM_VERSION_12, sel, sizeof(sel));
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, sel, 3, &v),
		    "opaque data of 3 bytes, shorter than the 4-byte format 1 table header");
	memcpy(x, sel, nl);
	x[3] = 0x80;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, x, nl, &v),
		    "reserved bytes 0x00 0x00 0x80 after TotalElements, expected 0");
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, sel, nl - 1, &v),
		    "opaque element 1 of TotalElements 1: OpaqueElementDataLen 4 runs past the 11 "
		    "bytes");
	memcpy(x, sel, nl);
	x[0] = 2;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, x, nl, &v),
		    "opaque element 2 of TotalElements 2: its header runs past the 12 bytes");
	memcpy(x, sel, nl);
	memset(x + nl, 0, 4);
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, x, nl + 4, &v),
		    "4 bytes of opaque data after TotalElements 1 elements");
	memcpy(x, sel, nl);
	x[8] = 2; /* SMDataVersion */
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, x, nl, &v),
		    "VersionSelection element with SMDataVersion 2, expected 1");
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, sup, ns, &v),
		    "no DMTF secured-message VersionSelection element (SMDataID 0)");
	memcpy(x, sel, nl);
	x[6] = 5; /* OpaqueElementDataLen */
	x[nl] = 0;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT1, x, nl + 1, &v),
		    "VersionSelection element: 5 bytes, expected 4");
	memcpy(x, sup, ns);
	x[10] = 3; /* VersionCount 3 in an element with 2 */
	opaque_says(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT1, x, ns, got, 8),
		    "SupportedVersion element: 7 bytes, VersionCount 3 needs 9");
	x[10] = 0;
	opaque_says(spdm_opaque_parse_supported(SPDM_OPAQUE_FMT1, x, ns, got, 8),
		    "VersionCount 0 in 7 bytes, expected at least 1");
	/* format 0 header fields */
	nl = spdm_opaque_selection(SPDM_OPAQUE_FMT0, SPDM_SM_VERSION_12, sel, sizeof(sel));
	memcpy(x, sel, nl);
	x[0] ^= 1;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, x, nl, &v),
		    "opaque data format 0: SpecID 0x444d5447, expected 0x444d5446 (\"DMTF\")");
	memcpy(x, sel, nl);
	x[4] = 2;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, x, nl, &v),
		    "opaque data format 0: OpaqueVersion 2, expected 1");
	memcpy(x, sel, nl);
	x[7] = 9;
	opaque_says(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, x, nl, &v),
		    "reserved bytes 0x00 0x09 after TotalElements, expected 0");
	assert_int_equal(spdm_opaque_parse_selection(SPDM_OPAQUE_FMT0, sel, nl, &v), 0);
	assert_int_equal(v, SPDM_SM_VERSION_12);
}

static void test_sm_list(void **s)
{
	unsigned int m = 99;

	(void)s;
	assert_int_equal(spdm_sm_parse_list("1.2,1.0", &m), 0);
	assert_int_equal(m, SPDM_SM_BIT(SPDM_SM_VERSION_12) | SPDM_SM_BIT(SPDM_SM_VERSION_10));
	assert_int_equal(spdm_sm_parse_list("1.1", &m), 0);
	assert_int_equal(m, SPDM_SM_BIT(SPDM_SM_VERSION_11));
	assert_int_equal(spdm_sm_parse_list("1.3", &m), -1);
	assert_int_equal(spdm_sm_parse_list("1.1,", &m), -1);
	assert_int_equal(spdm_sm_parse_list("", &m), -1);
	assert_int_equal(spdm_sm_parse_list("1.10", &m), -1);
	assert_int_equal(spdm_sm_parse_list("2.0", &m), -1);
	assert_int_equal(m, SPDM_SM_BIT(SPDM_SM_VERSION_11)); /* untouched on failure */
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
		cmocka_unit_test(test_framing_reasons),
		cmocka_unit_test(test_decoder_reasons),
		cmocka_unit_test(test_opaque_reasons),
		cmocka_unit_test(test_sm_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
