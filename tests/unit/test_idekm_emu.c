// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE_KM in-process: the requester (verify/idekm_req.c) inside a real SPDM
 * session against the emulator's responder (emu/idekm_resp.c). What a
 * user of tsmctl ide km or connect relies on: QUERY returns the endpoint's
 * capability copy; six KEY_PROGs and six K_SET_GOs make key set 0 active
 * with exactly the keys sent; K_SET_STOP and a reset wipe them, the end
 * of the session and a new SPDM connection do not (the device's IDE
 * engine keeps them); every KP_ACK status a device gives for a bad request (short,
 * wrong port, bad sub-stream) and every fault (kp-ack-error,
 * idekm-wrong-port, idekm-silent) reaches the caller as a clear error; in
 * the clear IDE_KM gets ERROR SessionRequired.
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
#include "certgen.h"
#include "emu.h"
#include "emu_fixture.h"
#include "idekm.h"
#include "idekm_req.h"
#include "pcicap.h"

static int group_setup(void **s)
{
	(void)s;
	return fixture_setup("idekm");
}

static int group_teardown(void **s)
{
	(void)s;
	return fixture_teardown();
}

static uint8_t kss_of(int i)
{
	return tsmh_idekm_kss(0, i >= 3, (unsigned int)(i % 3));
}

static void fill(uint8_t *key, uint8_t *ifv, int i)
{
	memset(key, 0x40 + i, TSMH_IDEKM_KEY_LEN);
	memset(ifv, 0x80 + i, TSMH_IDEKM_IFV_LEN);
}

static void test_query(void **s)
{
	struct tsmh_idekm_port q;

	(void)s;
	ready(0, 1);
	assert_int_equal(tsmh_idekm_query(&t, &ss, 0, &q, why, sizeof(why)), 0);
	assert_int_equal(q.max_port_index, 0);
	assert_true(q.cap.cap & TSMH_IDE_CAP_IDE_KM);
	assert_true(q.cap.cap & TSMH_IDE_CAP_SELECTIVE);
	assert_true(q.cap.cap & TSMH_IDE_CAP_LINK);
	assert_int_equal(q.cap.nr_link, 1);
	assert_int_equal(q.cap.nr_sel, 2);
	assert_int_equal(q.cap.assoc[0], 1);
	assert_int_equal(q.cap.assoc[1], 1);
	/* a port the endpoint does not have: no QUERY_RESP, an SPDM ERROR */
	assert_int_equal(tsmh_idekm_query(&t, &ss, 1, &q, why, sizeof(why)), -EREMOTEIO);
	assert_non_null(strstr(why, "QUERY port 1: device answered ERROR"));
}

static void test_keying(void **s)
{
	uint8_t key[32], ifv[8], st;
	const uint8_t *k, *v;
	int i;

	(void)s;
	ready(0, 1);
	for (i = 0; i < 6; i++) {
		fill(key, ifv, i);
		assert_int_equal(tsmh_idekm_key_prog(&t, &ss, 0, 5, kss_of(i), key, ifv, &st, why,
						     sizeof(why)),
				 0);
		assert_int_equal(st, 0);
	}
	/* the device holds exactly what was sent, per direction and sub-stream */
	for (i = 0; i < 6; i++) {
		fill(key, ifv, i);
		assert_int_equal(emu_idekm_key(&conn, 5, kss_of(i), &k, &v), 0);
		assert_memory_equal(k, key, 32);
		assert_memory_equal(v, ifv, 8);
	}
	assert_int_equal(emu_idekm_key(&conn, 5, tsmh_idekm_kss(1, 0, 0), &k, &v), -1);
	/* GO of five: not active yet; the sixth makes key set 0 active */
	for (i = 0; i < 5; i++)
		assert_int_equal(tsmh_idekm_k_set(&t, &ss, 1, 0, 5, kss_of(i), why, sizeof(why)),
				 0);
	assert_int_equal(emu_idekm_active_set(&conn, 5), -1);
	assert_int_equal(tsmh_idekm_k_set(&t, &ss, 1, 0, 5, kss_of(5), why, sizeof(why)), 0);
	assert_int_equal(emu_idekm_active_set(&conn, 5), 0);
	/* GO for a set never programmed: acknowledged (no status to say otherwise), nothing starts */
	assert_int_equal(
		tsmh_idekm_k_set(&t, &ss, 1, 0, 5, tsmh_idekm_kss(1, 0, 0), why, sizeof(why)), 0);
	assert_int_equal(emu_idekm_active_set(&conn, 5), 0);
	/* STOP wipes that key and the set is no longer active */
	assert_int_equal(tsmh_idekm_k_set(&t, &ss, 0, 0, 5, kss_of(0), why, sizeof(why)), 0);
	assert_int_equal(emu_idekm_key(&conn, 5, kss_of(0), &k, &v), -1);
	assert_int_equal(emu_idekm_active_set(&conn, 5), -1);
	assert_int_equal(emu_idekm_key(&conn, 5, kss_of(1), &k, &v), 0);
	/*
	 * the keys are the device's: END_SESSION and a new SPDM connection
	 * (GET_VERSION) keep them, as an IDE engine does (tsmctl connect ends
	 * its session with the stream SECURE); a reset wipes them
	 */
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(emu_idekm_key(&conn, 5, kss_of(1), &k, &v), 0);
	emu_conn_reset(&conn, 0);
	assert_int_equal(emu_idekm_key(&conn, 5, kss_of(1), &k, &v), 0);
	fill(key, ifv, 1);
	assert_memory_equal(k, key, 32);
	emu_conn_reset(&conn, 1);
	assert_int_equal(emu_idekm_key(&conn, 5, kss_of(1), &k, &v), -1);
	assert_null(conn.ide);
}

static void test_kp_ack_statuses(void **s)
{
	uint8_t key[32] = { 0 }, ifv[8] = { 0 }, st, req[64], rsp[256];
	size_t rlen;
	int i;

	(void)s;
	ready(0, 1);
	assert_int_equal(
		tsmh_idekm_key_prog(&t, &ss, 1, 0, kss_of(0), key, ifv, &st, why, sizeof(why)),
		-EREMOTEIO);
	assert_int_equal(st, TSMH_IDEKM_ST_UNSUPPORTED_PORT);
	assert_string_equal(why,
			    "KEY_PROG stream 0 K0 RX PR: KP_ACK status 2 (unsupported port index)");
	assert_int_equal(tsmh_idekm_key_prog(&t, &ss, 0, 0, 0x30, key, ifv, &st, why, sizeof(why)),
			 -EREMOTEIO);
	assert_int_equal(st, TSMH_IDEKM_ST_UNSUPPORTED_VALUE);
	assert_non_null(strstr(why, "K0 RX sub-stream 3: KP_ACK status 3 (unsupported value)"));
	/* a KEY_PROG cut short: KP_ACK INCORRECT_LENGTH, nothing stored */
	tsmh_vdm_put_hdr(req, ss.ver, 0, TSMH_PCI_PROTOCOL_IDE_KM, 20);
	memset(req + 12, 0, 20);
	req[12] = TSMH_IDEKM_KEY_PROG;
	assert_int_equal(tsmh_session_xfer(&t, &ss, "KEY_PROG", req, 32, rsp, sizeof(rsp), &rlen,
					   why, sizeof(why)),
			 0);
	assert_int_equal(rsp[1], TSMH_SPDM_VENDOR_DEFINED_RESPONSE);
	assert_int_equal(rsp[12], TSMH_IDEKM_KP_ACK);
	assert_int_equal(rsp[12 + 4], TSMH_IDEKM_ST_INCORRECT_LENGTH);
	assert_null(conn.ide);
	/* a fourth stream ID while three (link + 2 selective) are in use: no register block */
	for (i = 0; i < 4; i++) {
		int r = tsmh_idekm_key_prog(&t, &ss, 0, (uint8_t)(10 + i), kss_of(0), key, ifv, &st,
					    why, sizeof(why));

		assert_int_equal(r, i < 3 ? 0 : -EREMOTEIO);
	}
	assert_int_equal(st, TSMH_IDEKM_ST_UNSUPPORTED_VALUE);
}

static void test_faults(void **s)
{
	uint8_t key[32] = { 1 }, ifv[8] = { 2 }, st;
	struct tsmh_idekm_port q;

	(void)s;
	ready(EMU_FAULT_KP_ACK_ERROR, 1);
	assert_int_equal(
		tsmh_idekm_key_prog(&t, &ss, 0, 0, kss_of(4), key, ifv, &st, why, sizeof(why)),
		-EREMOTEIO);
	assert_string_equal(why,
			    "KEY_PROG stream 0 K0 TX NPR: KP_ACK status 4 (unspecified failure)");
	assert_null(conn.ide);

	ready(EMU_FAULT_IDEKM_WRONG_PORT, 1);
	assert_int_equal(tsmh_idekm_query(&t, &ss, 0, &q, why, sizeof(why)), -EPROTO);
	assert_string_equal(why, "QUERY port 0: QUERY_RESP names port index 1, expected 0");
	assert_int_equal(tsmh_idekm_k_set(&t, &ss, 1, 0, 0, kss_of(0), why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "K_GOSTOP_ACK names port index 1, expected 0"));

	/* no answer: the caller times out, and END_SESSION still works after it */
	ready(EMU_FAULT_IDEKM_SILENT, 1);
	assert_int_equal(tsmh_idekm_query(&t, &ss, 0, &q, why, sizeof(why)), -ETIMEDOUT);
	assert_non_null(strstr(why, "QUERY port 0: transport"));
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
	assert_int_equal(emu_session_state(&conn), SPDM_SESS_ENDED);

	/* never-secure: accepted at the protocol level, flagged for the sim */
	ready(EMU_FAULT_NEVER_SECURE, 1);
	assert_int_equal(
		tsmh_idekm_key_prog(&t, &ss, 0, 0, kss_of(0), key, ifv, &st, why, sizeof(why)), 0);
	assert_true(emu_idekm_never_secure(&cfg));
	cfg.faults = 0;
	assert_false(emu_idekm_never_secure(&cfg));
}

/* IDE_KM in the clear: SessionRequired; another vendor's request: UnsupportedRequest */
static void test_in_the_clear(void **s)
{
	uint8_t req[16], rsp[64];
	size_t n;

	(void)s;
	ready(0, 0);
	tsmh_vdm_put_hdr(req, a.ci.ver, 0, TSMH_PCI_PROTOCOL_IDE_KM, 3);
	req[12] = TSMH_IDEKM_QUERY;
	req[13] = req[14] = 0;
	n = emu_spdm_respond(&cfg, &conn, req, 15, rsp, sizeof(rsp));
	assert_true(n >= 4);
	assert_int_equal(rsp[1], 0x7f);
	assert_int_equal(rsp[2], 0x0b); /* SessionRequired */
	tsmh_put_le16(req + 7, 0x1e98); /* CXL */
	n = emu_spdm_respond(&cfg, &conn, req, 15, rsp, sizeof(rsp));
	assert_int_equal(rsp[2], 0x07);
	assert_null(conn.ide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),		cmocka_unit_test(test_keying),
		cmocka_unit_test(test_kp_ack_statuses), cmocka_unit_test(test_faults),
		cmocka_unit_test(test_in_the_clear),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
