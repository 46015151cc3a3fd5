// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Whole SPDM sessions in-process against the emulator's responder: an
 * attestation (VCA, chains), then KEY_EXCHANGE, FINISH, HEARTBEAT,
 * KEY_UPDATE (UpdateKey, UpdateAllKeys, each verified), END_SESSION, for
 * both DHE groups, both AEADs and SPDM 1.2 and 1.3; and what must fail:
 * a bad KEY_EXCHANGE_RSP signature, SPDM 1.1, messages tampered with in
 * either direction, a replayed request, anything after END_SESSION.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "attest.h"
#include "certgen.h"
#include "emu.h"
#include "secsession.h"
#include "session_msg.h"

static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01";
static struct emu_identity id;
static struct emu_dev_cfg cfg;
static struct emu_conn conn;
static char dir[64], root_pem[128];
/* what the transport does to secured messages */
static int flip_req, flip_rsp, replay_next;
/*
 * A responder that breaks the rules: @mangle_clear rewrites the next
 * response in the clear with code @mangle_code; @mangle_secured the
 * plaintext of the next secured response whose code is @mangle_code
 * (opened and sealed again with the requester's own keys, so only the
 * SPDM message is wrong). Each returns the new length.
 */
static size_t (*mangle_clear)(uint8_t *m, size_t len);
static size_t (*mangle_secured)(uint8_t *m, size_t len);
static uint8_t mangle_code;
static struct tsmh_session ss;
static uint8_t last_req[8192];
static size_t last_req_len;

static int direct(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		  size_t cap, size_t *rsp_len)
{
	(void)t;
	*rsp_len = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	if (mangle_clear && *rsp_len >= 4 && rsp[1] == mangle_code) {
		*rsp_len = mangle_clear(rsp, *rsp_len);
		mangle_clear = NULL;
	}
	return *rsp_len ? 0 : -EIO;
}

/* Open the responder's secured message with our keys, mangle its SPDM message, seal it again. */
static void mangle_secured_rsp(uint8_t *rsp, size_t *rsp_len, size_t cap)
{
	struct spdm_session k = ss.s;
	uint8_t app[4096];
	size_t al, n;
	char w[256];

	if (spdm_secured_open(&k, 0, rsp, *rsp_len, app, sizeof(app) - 16, &al, w, sizeof(w)) ||
	    al < 2 || app[1] != mangle_code)
		return;
	al = mangle_secured(app, al);
	k = ss.s;
	assert_int_equal(spdm_secured_seal(&k, 0, app, al, 0, rsp, cap, &n), 0);
	*rsp_len = n;
	mangle_secured = NULL;
}

static int secured(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		   size_t cap, size_t *rsp_len)
{
	uint8_t buf[8192];

	(void)t;
	assert_true(len <= sizeof(buf));
	memcpy(buf, req, len);
	if (replay_next) {
		/* an attacker sends the previous request again instead */
		memcpy(buf, last_req, last_req_len);
		len = last_req_len;
		replay_next = 0;
	} else {
		memcpy(last_req, req, len);
		last_req_len = len;
	}
	if (flip_req) {
		buf[len - 5] ^= 0x01;
		flip_req = 0;
	}
	*rsp_len = emu_secured_respond(&cfg, &conn, buf, len, rsp, cap);
	if (*rsp_len && mangle_secured)
		mangle_secured_rsp(rsp, rsp_len, cap);
	if (*rsp_len && flip_rsp) {
		rsp[*rsp_len - 1] ^= 0x80;
		flip_rsp = 0;
	}
	return *rsp_len ? 0 : -EIO;
}

static struct spdm_transport t = { .exchange = direct, .secured = secured };
static struct tsmh_attest a;
static char why[512];

static int group_setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/tsmh-test-session.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(root_pem, sizeof(root_pem), "%s/root.pem", dir);
	if (emu_identity_make(&id,
			      SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_RSAPSS_3072,
			      2, cma, 0) ||
	    emu_identity_export_root(&id, root_pem))
		return -1;
	return 0;
}

static int group_teardown(void **s)
{
	char cmd[128];

	(void)s;
	tsmh_attest_free(&a);
	tsmh_session_free(&ss);
	emu_identity_free(&id);
	emu_conn_free(&conn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Attest a device (@asym, version @ver, session algorithms @dhe/@aead). */
static void attested(uint32_t asym, const char *ver, uint16_t dhe, uint16_t aead,
		     unsigned int faults)
{
	struct tsmh_attest_opts o = { .trust = root_pem, .slot = 0 };

	tsmh_attest_free(&a);
	tsmh_session_free(&ss);
	emu_conn_free(&conn);
	emu_cfg_defaults(&cfg);
	emu_cfg_use_chains(&cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])id.chain, asym, 0x03);
	cfg.nr_vers = 1;
	spdm_ver_parse(ver, &cfg.vers[0]);
	cfg.dhe = dhe;
	cfg.aead = aead;
	cfg.faults = faults;
	flip_req = flip_rsp = replay_next = 0;
	mangle_clear = mangle_secured = NULL;
	why[0] = 0;
	assert_int_equal(tsmh_attest_run(&t, &o, &a, why, sizeof(why)), 0);
}

static int start(uint8_t slot)
{
	return tsmh_session_start(&t, &a.ci, a.slot[slot].chain, a.slot[slot].len, slot,
				  SPDM_MEAS_SUMMARY_ALL, 0, &ss, why, sizeof(why));
}

/* KEY_EXCHANGE+FINISH offering the secured-message versions of @mask, @sm selected. */
static void exercise(unsigned int mask, uint16_t sm)
{
	size_t hl = spdm_hash_len(a.ci.algs.base_hash);

	assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[0].chain, a.slot[0].len, 0,
					    SPDM_MEAS_SUMMARY_ALL, mask, &ss, why, sizeof(why)),
			 0);
	assert_int_equal(ss.s.state, SPDM_SESS_ESTABLISHED);
	assert_int_equal(emu_session_state(&conn), SPDM_SESS_ESTABLISHED);
	assert_int_equal(ss.s.sm_version, sm);
	assert_true(ss.s.heartbeat > 0);
	/* the summary in KEY_EXCHANGE_RSP is the one CHALLENGE_AUTH signed */
	assert_memory_equal(ss.summary, a.chal.summary, hl);
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(tsmh_session_key_update(&t, &ss, 0, why, sizeof(why)), 0);
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(tsmh_session_key_update(&t, &ss, 1, why, sizeof(why)), 0);
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(ss.heartbeats, 3);
	assert_int_equal(ss.key_updates, 2);
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(ss.s.state, SPDM_SESS_ENDED);
}

/* Both sides speak every secured-message version: 1.2, the newest, is selected. */
static void full_session(void)
{
	exercise(0, SPDM_SM_VERSION_12);
}

static void test_every_group_aead_version(void **s)
{
	static const uint16_t dhes[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };
	static const uint16_t aeads[] = { SPDM_AEAD_AES_256_GCM, SPDM_AEAD_CHACHA20_POLY };
	static const char *const vers[] = { "1.2", "1.3" };
	int v, d, e;

	(void)s;
	for (v = 0; v < 2; v++)
		for (d = 0; d < 2; d++)
			for (e = 0; e < 2; e++) {
				attested(SPDM_ASYM_ECDSA_P384, vers[v], dhes[d], aeads[e], 0);
				assert_int_equal(a.ci.algs.dhe, dhes[d]);
				assert_int_equal(a.ci.algs.aead, aeads[e]);
				full_session();
			}
}

static void test_rsa_and_p256_slot1(void **s)
{
	(void)s;
	attested(SPDM_ASYM_RSAPSS_3072, "1.2", SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1,
		 SPDM_AEAD_AES_256_GCM, 0);
	full_session();
	attested(SPDM_ASYM_ECDSA_P256, "1.3", SPDM_DHE_SECP256R1, SPDM_AEAD_CHACHA20_POLY, 0);
	assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[1].chain, a.slot[1].len, 1,
					    SPDM_MEAS_SUMMARY_NONE, 0, &ss, why, sizeof(why)),
			 0);
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
}

static void test_bad_signature(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.2", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	cfg.faults = EMU_FAULT_WRONG_SIG;
	assert_int_equal(start(0), -EBADMSG);
	assert_non_null(strstr(why, "KEY_EXCHANGE_RSP signature"));
	assert_int_not_equal(ss.s.state, SPDM_SESS_ESTABLISHED);
}

static void test_wrong_chain_refused(void **s)
{
	(void)s;
	/* slot 1's chain for a KEY_EXCHANGE on slot 0: Hash(chain) and the key differ */
	attested(SPDM_ASYM_ECDSA_P384, "1.2", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[1].chain, a.slot[1].len, 0,
					    SPDM_MEAS_SUMMARY_ALL, 0, &ss, why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "signature"));
}

static void test_spdm11_refused(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.1", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(start(0), -EOPNOTSUPP);
	assert_non_null(strstr(why, "need SPDM 1.2"));
}

static void test_tampered_request(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P256, "1.3", SPDM_DHE_SECP256R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(start(0), 0);
	flip_req = 1;
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), -EREMOTEIO);
	assert_non_null(strstr(why, "DecryptError"));
	/* both sides consider the session over */
	assert_int_equal(ss.s.state, SPDM_SESS_ENDED);
	assert_int_equal(emu_session_state(&conn), SPDM_SESS_ENDED);
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), -ESHUTDOWN);
}

static void test_tampered_response(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P256, "1.2", SPDM_DHE_SECP256R1, SPDM_AEAD_CHACHA20_POLY, 0);
	assert_int_equal(start(0), 0);
	flip_rsp = 1;
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "MAC does not verify"));
}

static void test_tampered_finish(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P256, "1.2", SPDM_DHE_SECP256R1, SPDM_AEAD_AES_256_GCM, 0);
	flip_req = 1; /* the first secured message is FINISH */
	assert_int_equal(start(0), -EREMOTEIO);
	assert_non_null(strstr(why, "FINISH"));
}

static void test_replayed_request(void **s)
{
	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.3", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(start(0), 0);
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), 0);
	replay_next = 1; /* the responder sees the last HEARTBEAT again */
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), -EREMOTEIO);
	assert_non_null(strstr(why, "DecryptError"));
}

static void test_after_end_session(void **s)
{
	struct spdm_session old;
	uint8_t req[4] = { 0x12, SPDM_HEARTBEAT, 0, 0 }, rsp[256];
	size_t rlen;

	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.2", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(start(0), 0);
	old = ss.s; /* keys a requester (or attacker) might still hold */
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
	/* our side refuses to send */
	assert_int_equal(tsmh_session_heartbeat(&t, &ss, why, sizeof(why)), -ESHUTDOWN);
	assert_non_null(strstr(why, "ended"));
	/* the device refuses what still arrives under the old keys */
	ss.s = old;
	ss.s.k.req.seq++; /* END_SESSION used one */
	ss.s.k.rsp.seq++;
	assert_int_equal(tsmh_session_xfer(&t, &ss, "HEARTBEAT", req, 4, rsp, sizeof(rsp), &rlen,
					   why, sizeof(why)),
			 -EREMOTEIO);
	assert_non_null(strstr(why, "InvalidSession"));
}

static void test_measurements_inside_session(void **s)
{
	uint8_t req[64], rsp[4096];
	size_t rlen, n;
	struct spdm_get_meas g = { .op = SPDM_MEAS_OP_COUNT };

	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.3", SPDM_DHE_SECP384R1, SPDM_AEAD_CHACHA20_POLY, 0);
	assert_int_equal(start(0), 0);
	n = spdm_enc_get_measurements(a.ci.ver, &g, req);
	assert_int_equal(tsmh_session_xfer(&t, &ss, "GET_MEASUREMENTS", req, n, rsp, sizeof(rsp),
					   &rlen, why, sizeof(why)),
			 0);
	assert_int_equal(rsp[1], SPDM_MEASUREMENTS);
	assert_int_equal(rsp[2], 5);
	/* KEY_EXCHANGE inside a session is not allowed */
	req[0] = a.ci.ver;
	req[1] = SPDM_KEY_EXCHANGE;
	assert_int_equal(tsmh_session_xfer(&t, &ss, "KEY_EXCHANGE", req, 4, rsp, sizeof(rsp), &rlen,
					   why, sizeof(why)),
			 0);
	assert_int_equal(rsp[1], SPDM_ERROR);
	assert_int_equal(rsp[2], SPDM_ERR_UNEXPECTED_REQUEST);
}

/* The ERROR (code, data) the emulator gives @req (@len bytes) in the clear. */
static void clear_error(const uint8_t *req, size_t len, uint8_t code, uint8_t data)
{
	uint8_t rsp[256];
	size_t n = emu_spdm_respond(&cfg, &conn, req, len, rsp, sizeof(rsp));

	assert_true(n >= 4);
	assert_int_equal(rsp[1], SPDM_ERROR);
	assert_int_equal(rsp[2], code);
	assert_int_equal(rsp[3], data);
}

/*
 * Session messages in the clear: SessionRequired (0x0B, DSP0274 1.2+)
 * once VCA is done, VersionMismatch with another header version; at 1.1
 * the session capabilities are not advertised, so UnsupportedRequest.
 */
static void test_session_required(void **s)
{
	static const uint8_t codes[] = { SPDM_FINISH, SPDM_HEARTBEAT, SPDM_KEY_UPDATE,
					 SPDM_END_SESSION };
	uint8_t req[4];
	size_t i;

	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.2", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	for (i = 0; i < sizeof(codes); i++) {
		req[0] = a.ci.ver;
		req[1] = codes[i];
		req[2] = codes[i] == SPDM_KEY_UPDATE ? SPDM_KEY_UPDATE_OP_UPDATE_KEY : 0;
		req[3] = 0;
		clear_error(req, 4, SPDM_ERR_SESSION_REQUIRED, 0);
		req[0] = SPDM_VERSION_13;
		clear_error(req, 4, SPDM_ERR_VERSION_MISMATCH, 0);
	}
	/* the same once a session is up: still not in the clear */
	assert_int_equal(start(0), 0);
	req[0] = a.ci.ver;
	req[1] = SPDM_HEARTBEAT;
	clear_error(req, 4, SPDM_ERR_SESSION_REQUIRED, 0);
	attested(SPDM_ASYM_ECDSA_P384, "1.1", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(a.ci.caps.flags & (SPDM_CAP_KEY_EX | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC |
					    SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD),
			 0);
	for (i = 0; i < sizeof(codes); i++) {
		req[0] = a.ci.ver;
		req[1] = codes[i];
		clear_error(req, 4, SPDM_ERR_UNSUPPORTED_REQUEST, codes[i]);
	}
	req[1] = SPDM_KEY_EXCHANGE;
	clear_error(req, 4, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_KEY_EXCHANGE);
}

/* Inside a session: a request at another SPDM version gets VersionMismatch. */
static void test_session_version_mismatch(void **s)
{
	static const uint8_t codes[] = { SPDM_HEARTBEAT, SPDM_GET_DIGESTS, SPDM_END_SESSION };
	uint8_t req[5], rsp[256];
	size_t rlen, i;

	(void)s;
	attested(SPDM_ASYM_ECDSA_P384, "1.3", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
	assert_int_equal(start(0), 0);
	for (i = 0; i < sizeof(codes); i++) {
		req[0] = SPDM_VERSION_12;
		req[1] = codes[i];
		req[2] = req[3] = 0;
		assert_int_equal(tsmh_session_xfer(&t, &ss, "request", req, 4, rsp, sizeof(rsp),
						   &rlen, why, sizeof(why)),
				 0);
		assert_int_equal(rsp[1], SPDM_ERROR);
		assert_int_equal(rsp[2], SPDM_ERR_VERSION_MISMATCH);
	}
	/* the session is still up: END_SESSION longer than its header, then right */
	req[0] = SPDM_VERSION_13;
	req[4] = 0;
	assert_int_equal(tsmh_session_xfer(&t, &ss, "END_SESSION", req, 5, rsp, sizeof(rsp), &rlen,
					   why, sizeof(why)),
			 0);
	assert_int_equal(rsp[1], SPDM_ERROR);
	assert_int_equal(rsp[2], SPDM_ERR_INVALID_REQUEST);
	assert_int_equal(tsmh_session_xfer(&t, &ss, "END_SESSION", req, 4, rsp, sizeof(rsp), &rlen,
					   why, sizeof(why)),
			 0);
	assert_int_equal(rsp[1], SPDM_END_SESSION_ACK);
}

/*
 * Secured-message versions both ways: a requester offering fewer (a stack
 * that only does 1.1, or 1.0) and a responder selecting from fewer; the
 * highest common one is selected and the whole session runs on it; none
 * in common: the responder refuses KEY_EXCHANGE.
 */
static void test_sm_versions(void **s)
{
	static const struct {
		unsigned int req, rsp;
		uint16_t sel;
	} cases[] = {
		{ 0, 0, SPDM_SM_VERSION_12 },
		{ 1u << 1, 0, SPDM_SM_VERSION_11 },
		{ 1u << 0, 0, SPDM_SM_VERSION_10 },
		{ (1u << 1) | (1u << 0), 0, SPDM_SM_VERSION_11 },
		{ 0, 1u << 2, SPDM_SM_VERSION_12 },
		{ 0, 1u << 1, SPDM_SM_VERSION_11 },
		{ 0, 1u << 0, SPDM_SM_VERSION_10 },
		{ (1u << 2) | (1u << 0), (1u << 1) | (1u << 0), SPDM_SM_VERSION_10 },
		{ 1u << 2, 1u << 1, 0 },
		{ 1u << 1, 1u << 2, 0 },
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		attested(SPDM_ASYM_ECDSA_P384, i % 2 ? "1.2" : "1.3", SPDM_DHE_SECP384R1,
			 i % 3 ? SPDM_AEAD_AES_256_GCM : SPDM_AEAD_CHACHA20_POLY, 0);
		cfg.sm_mask = cases[i].rsp;
		if (cases[i].sel) {
			exercise(cases[i].req, cases[i].sel);
			continue;
		}
		assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[0].chain, a.slot[0].len, 0,
						    SPDM_MEAS_SUMMARY_ALL, cases[i].req, &ss, why,
						    sizeof(why)),
				 -EREMOTEIO);
		assert_non_null(strstr(why, "KEY_EXCHANGE: device answered ERROR InvalidRequest"));
	}
}

/* Where the field sits in this session's KEY_EXCHANGE_RSP */
static size_t dhe_len(void)
{
	return spdm_dhe_len(a.ci.algs.dhe);
}

static size_t opaque_off(void)
{
	return 8 + 32 + dhe_len() + spdm_hash_len(a.ci.algs.base_hash) + 2;
}

static size_t ke_mut_auth(uint8_t *m, size_t len)
{
	m[6] = 0x03;
	return len;
}

static size_t ke_version(uint8_t *m, size_t len)
{
	m[0] = SPDM_VERSION_13;
	return len;
}

static size_t ke_selection_13(uint8_t *m, size_t len)
{
	/* format 1 table header 4, element header 4, SMDataVersion, SMDataID, version */
	m[opaque_off() + 10] = 0x00;
	m[opaque_off() + 11] = 0x13;
	return len;
}

static size_t ke_opaque_reserved(uint8_t *m, size_t len)
{
	m[opaque_off() + 2] = 0x01;
	return len;
}

static size_t ke_opaque_no_selection(uint8_t *m, size_t len)
{
	m[opaque_off() + 9] = SPDM_SM_ID_SUPPORTED_VERSION;
	return len;
}

static size_t ke_opaque_len_huge(uint8_t *m, size_t len)
{
	m[opaque_off() - 2] = 0xd0;
	m[opaque_off() - 1] = 0x07; /* 2000 */
	return len;
}

static size_t ke_truncated(uint8_t *m, size_t len)
{
	(void)m;
	return len - 10;
}

static size_t ke_trailing(uint8_t *m, size_t len)
{
	memset(m + len, 0, 5);
	return len + 5;
}

/* KEY_EXCHANGE_RSP breaking a rule: the field, its value and what was expected. */
static void test_key_exchange_rsp_reasons(void **s)
{
	static const struct {
		size_t (*fn)(uint8_t *, size_t);
		int ret;
		const char *want;
	} cases[] = {
		{ ke_mut_auth, -EPROTO,
		  "KEY_EXCHANGE: KEY_EXCHANGE_RSP MutAuthRequested 0x03, expected 0 (we advertised "
		  "no MUT_AUTH_CAP" },
		{ ke_version, -EPROTO,
		  "KEY_EXCHANGE: response breaks DSP0274: SPDMVersion 1.3, expected the negotiated "
		  "1.2" },
		{ ke_selection_13, -EPROTO,
		  "KEY_EXCHANGE: KEY_EXCHANGE_RSP secured-message VersionSelection 1.3 (0x1300), "
		  "expected one we offered (1.2, 1.1, 1.0)" },
		{ ke_opaque_reserved, -EPROTO,
		  "KEY_EXCHANGE_RSP OpaqueData: opaque data format 1: reserved bytes 0x00 0x01 0x00 "
		  "after TotalElements, expected 0" },
		{ ke_opaque_no_selection, -EPROTO,
		  "KEY_EXCHANGE_RSP OpaqueData: no DMTF secured-message VersionSelection element "
		  "(SMDataID 0) among TotalElements 1" },
		{ ke_opaque_len_huge, -EPROTO,
		  "KEY_EXCHANGE: response breaks DSP0274: OpaqueDataLength 2000, more than 1024" },
		{ ke_truncated, -EBADMSG, "KEY_EXCHANGE: response breaks DSP0274: " },
		{ ke_truncated, -EBADMSG, "-byte Signature and " },
		{ ke_truncated, -EBADMSG, "-byte ResponderVerifyData need " },
		{ ke_trailing, -EPROTO,
		  "KEY_EXCHANGE: response breaks DSP0274: 5 bytes after ResponderVerifyData (at most "
		  "3 of DOE padding)" },
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		attested(SPDM_ASYM_ECDSA_P384, "1.2", SPDM_DHE_SECP384R1, SPDM_AEAD_AES_256_GCM, 0);
		mangle_clear = cases[i].fn;
		mangle_code = SPDM_KEY_EXCHANGE_RSP;
		assert_int_equal(start(0), cases[i].ret);
		if (!strstr(why, cases[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].want);
		assert_int_not_equal(ss.s.state, SPDM_SESS_ESTABLISHED);
	}
}

static size_t ack_code_69(uint8_t *m, size_t len)
{
	m[1] = SPDM_KEY_UPDATE_ACK;
	return len;
}

static size_t ack_longer(uint8_t *m, size_t len)
{
	m[len] = 0;
	return len + 1;
}

static size_t ack_version(uint8_t *m, size_t len)
{
	m[0] = SPDM_VERSION_12;
	return len;
}

static size_t ack_tag(uint8_t *m, size_t len)
{
	m[3] ^= 0x5a;
	return len;
}

static size_t ack_op(uint8_t *m, size_t len)
{
	m[2] = SPDM_KEY_UPDATE_OP_UPDATE_ALL;
	return len;
}

static size_t ack_error(uint8_t *m, size_t len)
{
	(void)len;
	m[1] = SPDM_ERROR;
	m[2] = SPDM_ERR_INVALID_REQUEST;
	m[3] = 0;
	return 4;
}

enum { DO_FINISH, DO_HEARTBEAT, DO_KEY_UPDATE, DO_END };

/* The ACKs inside the session breaking a rule: which field, which value, what was expected. */
static void test_session_ack_reasons(void **s)
{
	static const struct {
		int step;
		uint8_t code;
		size_t (*fn)(uint8_t *, size_t);
		int ret;
		const char *want;
	} cases[] = {
		{ DO_FINISH, SPDM_FINISH_RSP, ack_longer, -EPROTO,
		  "FINISH: response breaks DSP0274: 5 bytes, expected exactly 4 (the header alone)" },
		{ DO_FINISH, SPDM_FINISH_RSP, ack_error, -EREMOTEIO,
		  "FINISH: device answered ERROR InvalidRequest (0x1)" },
		{ DO_HEARTBEAT, SPDM_HEARTBEAT_ACK, ack_code_69, -EPROTO,
		  "HEARTBEAT: response breaks DSP0274: RequestResponseCode 0x69, expected 0x68" },
		{ DO_HEARTBEAT, SPDM_HEARTBEAT_ACK, ack_longer, -EPROTO,
		  "HEARTBEAT: response breaks DSP0274: 5 bytes, expected exactly 4" },
		{ DO_KEY_UPDATE, SPDM_KEY_UPDATE_ACK, ack_tag, -EPROTO,
		  "KEY_UPDATE UpdateKey: KEY_UPDATE_ACK Tag 0x" },
		{ DO_KEY_UPDATE, SPDM_KEY_UPDATE_ACK, ack_op, -EPROTO,
		  "KEY_UPDATE UpdateKey: KEY_UPDATE_ACK KeyOperation 2, expected the request's 1" },
		{ DO_KEY_UPDATE, SPDM_KEY_UPDATE_ACK, ack_version, -EPROTO,
		  "KEY_UPDATE UpdateKey: response breaks DSP0274: SPDMVersion 1.2, expected the "
		  "negotiated 1.3" },
		{ DO_END, SPDM_END_SESSION_ACK, ack_version, -EPROTO,
		  "END_SESSION: response breaks DSP0274: SPDMVersion 1.2, expected the negotiated "
		  "1.3" },
		{ DO_END, SPDM_END_SESSION_ACK, ack_error, -EREMOTEIO,
		  "END_SESSION: device answered ERROR InvalidRequest" },
	};
	size_t i;
	int ret;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		attested(SPDM_ASYM_ECDSA_P256, "1.3", SPDM_DHE_SECP256R1, SPDM_AEAD_CHACHA20_POLY,
			 0);
		mangle_code = cases[i].code;
		if (cases[i].step == DO_FINISH)
			mangle_secured = cases[i].fn;
		ret = start(0);
		if (cases[i].step != DO_FINISH) {
			assert_int_equal(ret, 0);
			mangle_secured = cases[i].fn;
			if (cases[i].step == DO_HEARTBEAT)
				ret = tsmh_session_heartbeat(&t, &ss, why, sizeof(why));
			else if (cases[i].step == DO_KEY_UPDATE)
				ret = tsmh_session_key_update(&t, &ss, 0, why, sizeof(why));
			else
				ret = tsmh_session_end(&t, &ss, why, sizeof(why));
		}
		assert_null(mangle_secured); /* the response was really rewritten */
		assert_int_equal(ret, cases[i].ret);
		if (!strstr(why, cases[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].want);
	}
	/* the tag case: both tags named, and they differ by what was flipped */
	{
		unsigned int got, sent;
		const char *p;

		attested(SPDM_ASYM_ECDSA_P256, "1.3", SPDM_DHE_SECP256R1, SPDM_AEAD_CHACHA20_POLY,
			 0);
		assert_int_equal(start(0), 0);
		mangle_code = SPDM_KEY_UPDATE_ACK;
		mangle_secured = ack_tag;
		assert_int_equal(tsmh_session_key_update(&t, &ss, 0, why, sizeof(why)), -EPROTO);
		p = strstr(why, "Tag 0x");
		assert_non_null(p);
		assert_int_equal(
			sscanf(p, "Tag 0x%x does not echo the request's 0x%x", &got, &sent), 2);
		assert_int_equal(got ^ sent, 0x5a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_group_aead_version),
		cmocka_unit_test(test_rsa_and_p256_slot1),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_wrong_chain_refused),
		cmocka_unit_test(test_spdm11_refused),
		cmocka_unit_test(test_tampered_request),
		cmocka_unit_test(test_tampered_response),
		cmocka_unit_test(test_tampered_finish),
		cmocka_unit_test(test_replayed_request),
		cmocka_unit_test(test_after_end_session),
		cmocka_unit_test(test_measurements_inside_session),
		cmocka_unit_test(test_session_required),
		cmocka_unit_test(test_session_version_mismatch),
		cmocka_unit_test(test_sm_versions),
		cmocka_unit_test(test_key_exchange_rsp_reasons),
		cmocka_unit_test(test_session_ack_reasons),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
