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
static uint8_t last_req[8192];
static size_t last_req_len;

static int direct(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		  size_t cap, size_t *rsp_len)
{
	(void)t;
	*rsp_len = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	return *rsp_len ? 0 : -EIO;
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
	if (*rsp_len && flip_rsp) {
		rsp[*rsp_len - 1] ^= 0x80;
		flip_rsp = 0;
	}
	return *rsp_len ? 0 : -EIO;
}

static struct spdm_transport t = { .exchange = direct, .secured = secured };
static struct tsmh_attest a;
static struct tsmh_session ss;
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
	why[0] = 0;
	assert_int_equal(tsmh_attest_run(&t, &o, &a, why, sizeof(why)), 0);
}

static int start(uint8_t slot)
{
	return tsmh_session_start(&t, &a.ci, a.slot[slot].chain, a.slot[slot].len, slot,
				  SPDM_MEAS_SUMMARY_ALL, &ss, why, sizeof(why));
}

static void full_session(void)
{
	size_t hl = spdm_hash_len(a.ci.algs.base_hash);

	assert_int_equal(start(0), 0);
	assert_int_equal(ss.s.state, SPDM_SESS_ESTABLISHED);
	assert_int_equal(emu_session_state(&conn), SPDM_SESS_ESTABLISHED);
	assert_int_equal(ss.s.sm_version, SPDM_SM_VERSION_11);
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
					    SPDM_MEAS_SUMMARY_NONE, &ss, why, sizeof(why)),
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
					    SPDM_MEAS_SUMMARY_ALL, &ss, why, sizeof(why)),
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
