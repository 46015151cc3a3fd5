// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * TDISP in-process: the requester (verify/tdisp_req.c) inside a real SPDM
 * session against the emulator's responder (emu/tdisp_resp.c): LOCK gives
 * a nonce and a report that reassembles from its portions and fits the
 * layout's BARs; a wrong nonce is INVALID_NONCE and leaves the TDI
 * CONFIG_LOCKED; requests out of state are INVALID_INTERFACE_STATE;
 * SET_MMIO_ATTRIBUTE, BIND_P2P_STREAM and SET_TDISP_CONFIG are answered as
 * documented; the end of the session moves a locked TDI to ERROR, from
 * which STOP unlocks it; in the clear TDISP gets ERROR SessionRequired.
 * With --tdisp-layout-file, every pattern's report for the sim's real
 * BARs (the DSM, function 1, a VF) passes tsmh_tdisp_report_check()
 * against the same BARs, the file is read again at every LOCK, an
 * interface without a line is INVALID_INTERFACE, a missing file or bad
 * line UNSPECIFIED; the faults fail the check (overlap, beyond-bar) or
 * the protocol (report-long, state-lie, any-nonce, error) as they say.
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
#include "tdisp.h"
#include "tdisp_req.h"
#include "sim_barspec.h"

static int group_setup(void **s)
{
	(void)s;
	return fixture_setup("tdisp");
}

static int group_teardown(void **s)
{
	(void)s;
	return fixture_teardown();
}

static uint8_t rsp[2048];
static struct tsmh_tdisp_msg r;

static int xfer(uint8_t code, uint32_t fid, struct tsmh_tdisp_msg *m)
{
	m->code = code;
	m->function_id = fid;
	why[0] = 0;
	return tsmh_tdisp_xfer(&t, &ss, tsmh_tdisp_code_name(code), m, &r, rsp, sizeof(rsp), why,
			       sizeof(why));
}

static uint8_t state(uint32_t fid)
{
	struct tsmh_tdisp_msg m = { 0 };

	assert_int_equal(xfer(TSMH_TDISP_GET_STATE, fid, &m), 0);
	return r.tdi_state;
}

static void test_flow(void **s)
{
	static uint8_t buf[TSMH_TDISP_REPORT_MAX];
	struct tsmh_tdisp_msg m = { 0 };
	struct tsmh_tdisp_report rep;
	struct tsmh_tdisp_named l;
	struct tsmh_tdisp_range x;
	uint8_t nonce[32];
	unsigned int portions;
	uint32_t len, bad;
	char b[256];

	(void)s;
	ready(0, 1);
	cfg.tdisp_layout = "sparse";
	assert_int_equal(state(1), TSMH_TDI_CONFIG_UNLOCKED);
	/* the report before LOCK: not legal in CONFIG_UNLOCKED */
	m.length = 100;
	assert_int_equal(xfer(TSMH_TDISP_GET_REPORT, 1, &m), -EREMOTEIO);
	assert_non_null(strstr(why, "TDISP_ERROR INVALID_INTERFACE_STATE (0x4)"));
	m = (struct tsmh_tdisp_msg){ .lock_flags = TSMH_TDISP_LOCK_MSIX,
				     .mmio_reporting_offset = 0x40000000 };
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 1, &m), 0);
	memcpy(nonce, r.nonce, 32);
	assert_int_equal(state(1), TSMH_TDI_CONFIG_LOCKED);
	assert_int_equal(state(0), TSMH_TDI_CONFIG_UNLOCKED); /* TDIs are separate */
	assert_int_equal(tsmh_tdisp_get_report(&t, &ss, 1, buf, sizeof(buf), &len, &portions, &rep,
					       why, sizeof(why)),
			 0);
	assert_int_equal(portions, (len + 63) / 64);
	assert_true(portions >= 2);
	assert_int_equal(rep.nr_ranges, 5);
	tsmh_tdisp_report_range(&rep, 0, &x);
	assert_true(x.first_page == 0x3f0000000ULL + (1ULL << 24) + 0x40000000);
	assert_int_equal(rep.msix_ctl & 0x7ff, 31);
	assert_int_equal(tsmh_tdisp_layout_get("sparse", 1, &l), 0);
	l.l.mmio_offset = 0x40000000;
	assert_int_equal(tsmh_tdisp_report_check(&rep, &l.l, &bad, b, sizeof(b)), 0);
	/* LOCK again: not from CONFIG_LOCKED */
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 1, &m), -EREMOTEIO);
	assert_non_null(strstr(why, "INVALID_INTERFACE_STATE"));
	/* a wrong nonce: refused, still locked */
	m = (struct tsmh_tdisp_msg){ .nonce = nonce };
	nonce[31] ^= 1;
	assert_int_equal(xfer(TSMH_TDISP_START, 1, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_NONCE);
	assert_int_equal(state(1), TSMH_TDI_CONFIG_LOCKED);
	nonce[31] ^= 1;
	assert_int_equal(xfer(TSMH_TDISP_START, 1, &m), 0);
	assert_int_equal(state(1), TSMH_TDI_RUN);
	/* the nonce is single-use: START again is out of state */
	assert_int_equal(xfer(TSMH_TDISP_START, 1, &m), -EREMOTEIO);
	assert_non_null(strstr(why, "INVALID_INTERFACE_STATE"));
	/* SET_MMIO_ATTRIBUTE: range 0 is updatable, range 4 is not */
	tsmh_tdisp_report_range(&rep, 0, &m.range);
	assert_int_equal(xfer(TSMH_TDISP_SET_MMIO, 1, &m), 0);
	tsmh_tdisp_report_range(&rep, 4, &m.range);
	assert_int_equal(xfer(TSMH_TDISP_SET_MMIO, 1, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_REQUEST);
	/* BIND_P2P without the LOCK's BIND_P2P flag; SET_TDISP_CONFIG (1.1) */
	m.p2p_stream_id = 1;
	assert_int_equal(xfer(TSMH_TDISP_BIND_P2P, 1, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_REQUEST);
	assert_int_equal(xfer(TSMH_TDISP_SET_CONFIG, 1, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_UNSUPPORTED_REQUEST);
	assert_int_equal(xfer(TSMH_TDISP_STOP, 1, &m), 0);
	assert_int_equal(state(1), TSMH_TDI_CONFIG_UNLOCKED);
	/* no TDI 3 */
	assert_int_equal(xfer(TSMH_TDISP_GET_VERSION, 3, &m), -EREMOTEIO);
	assert_non_null(strstr(
		why, "GET_TDISP_VERSION: device answered TDISP_ERROR INVALID_INTERFACE (0x101)"));
}

static void test_session_end(void **s)
{
	struct tsmh_tdisp_msg m = { 0 };

	(void)s;
	ready(0, 1);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0, &m), 0);
	assert_int_equal(tsmh_session_end(&t, &ss, why, sizeof(why)), 0);
	tsmh_session_free(&ss);
	assert_int_equal(emu_tdisp_state(&conn, 0), TSMH_TDI_ERROR);
	assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[0].chain, a.slot[0].len, 0,
					    SPDM_MEAS_SUMMARY_NONE, 0, &ss, why, sizeof(why)),
			 0);
	assert_int_equal(state(0), TSMH_TDI_ERROR);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0, &m), -EREMOTEIO);
	assert_int_equal(xfer(TSMH_TDISP_STOP, 0, &m), 0);
	assert_int_equal(state(0), TSMH_TDI_CONFIG_UNLOCKED);
	/* a reset forgets every TDI */
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0, &m), 0);
	emu_conn_reset(&conn, 1);
	assert_int_equal(emu_tdisp_state(&conn, 0), TSMH_TDI_CONFIG_UNLOCKED);
}

static void test_need_ide(void **s)
{
	struct tsmh_tdisp_msg m = { .default_stream_id = 2 };

	(void)s;
	ready(0, 1);
	cfg.tdisp_need_ide = 1;
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_DEVICE_CONFIG);
	assert_int_equal(state(0), TSMH_TDI_CONFIG_UNLOCKED);
}

static void test_in_the_clear(void **s)
{
	uint8_t req[64], out[64];
	size_t n;

	(void)s;
	ready(0, 0);
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_GET_VERSION };

	n = tsmh_tdisp_encode(&m, req + TSMH_VDM_HDR_LEN, sizeof(req) - TSMH_VDM_HDR_LEN);
	tsmh_vdm_put_hdr(req, a.ci.ver, 0, TSMH_PCI_PROTOCOL_TDISP, n);
	n = emu_spdm_respond(&cfg, &conn, req, TSMH_VDM_HDR_LEN + n, out, sizeof(out));
	assert_true(n >= 4);
	assert_int_equal(out[1], 0x7f);
	assert_int_equal(out[2], 0x0b); /* SessionRequired */
	assert_null(conn.tdisp);
}

static const struct {
	uint32_t fid; /* the kernel's interface ID of 10000:03:00.N: segment 0 */
	const char *spec;
} tdis[] = { { 0x0300, DSM_SPEC }, { 0x0301, FN1_SPEC }, { 0x0303, VF_SPEC } };
static const char *const pats[] = { "simple", "sparse", "offset" };
static char layout_path[96];

static void layout_file(const char *pat, const char *dsm_spec)
{
	FILE *f;

	snprintf(layout_path, sizeof(layout_path), "%s/layout", fixture_dir);
	f = fopen(layout_path, "w");
	assert_non_null(f);
	fprintf(f, "# DEV LAYOUT BARSPEC\n10000:03:00.0 %s %s\n10000:03:00.1 %s %s\n", pat,
		dsm_spec, pat, FN1_SPEC);
	fprintf(f, "10000:03:00.3 %s %s # a VF\n", pat, VF_SPEC);
	fclose(f);
	cfg.tdisp_layout_file = layout_path;
}

/*
 * LOCK TDI @i with MMIO offset @off, its whole report checked against the
 * BARSPEC @spec: tsmh_tdisp_report_check()'s result (@b says why), or
 * -EBADMSG when the report did not reassemble
 */
static int lock_and_check(unsigned int i, const char *spec, uint64_t off, char *b, size_t blen)
{
	static uint8_t buf[TSMH_TDISP_REPORT_MAX];
	struct tsmh_tdisp_msg m = { .lock_flags = TSMH_TDISP_LOCK_MSIX,
				    .mmio_reporting_offset = off };
	struct tsmh_tdisp_report rep;
	struct tsmh_tdisp_layout l;
	unsigned int portions;
	uint32_t len, bad;

	assert_int_equal(xfer(TSMH_TDISP_LOCK, tdis[i].fid, &m), 0);
	assert_int_equal(state(tdis[i].fid), TSMH_TDI_CONFIG_LOCKED);
	if (tsmh_tdisp_get_report(&t, &ss, tdis[i].fid, buf, sizeof(buf), &len, &portions, &rep, b,
				  blen))
		return -EBADMSG;
	assert_int_equal(tsmh_tdisp_barspec_parse(spec, &l, why, sizeof(why)), 0);
	l.mmio_offset = off;
	return tsmh_tdisp_report_check(&rep, &l, &bad, b, blen);
}

static void stop(uint32_t fid)
{
	struct tsmh_tdisp_msg m = { 0 };

	assert_int_equal(xfer(TSMH_TDISP_STOP, fid, &m), 0);
}

static void test_layout_file(void **s)
{
	struct tsmh_tdisp_msg m = { 0 };
	char b[512];
	unsigned int i, p;

	(void)s;
	ready(0, 1);
	/* every pattern on the DSM, function 1 and a VF: the report fits their BARs */
	for (p = 0; p < 3; p++) {
		layout_file(pats[p], DSM_SPEC);
		for (i = 0; i < 3; i++) {
			if (lock_and_check(i, tdis[i].spec, 0x10000000000ULL, b, sizeof(b)))
				fail_msg("%s, TDI %#x: %s", pats[p], tdis[i].fid, b);
			stop(tdis[i].fid);
		}
	}
	/* no line for 03:00.2 (nor for 03:00.0 in segment 1): INVALID_INTERFACE */
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x0302, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_INTERFACE);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x01010300, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_INVALID_INTERFACE);
	assert_int_equal(state(0x0302), TSMH_TDI_CONFIG_UNLOCKED);
	/* the file is read again at LOCK: BAR0 moved, the report follows */
	layout_file("simple", "bar0=0x980000000:0x1000000:64:pref,bar4=0x40000000:0x100000:64:np,"
			      "msix=4:0x0:32:4:0x10000");
	assert_int_not_equal(lock_and_check(0, DSM_SPEC, 0, b, sizeof(b)), 0);
	assert_non_null(strstr(b, "MMIO range 0 (range ID 0): pages 0x980000000-0x980ffffff"));
	stop(0x0300);
	layout_file("simple", DSM_SPEC);
	assert_int_equal(lock_and_check(0, DSM_SPEC, 0, b, sizeof(b)), 0);
	stop(0x0300);
	/* no file, a bad line: UNSPECIFIED, the TDI stays CONFIG_UNLOCKED */
	unlink(layout_path);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x0300, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_UNSPECIFIED);
	assert_int_equal(state(0x0300), TSMH_TDI_CONFIG_UNLOCKED);
	layout_file("simple", "bar0=0x1000:0x3000:32:np");
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x0301, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_UNSPECIFIED);
	assert_int_equal(state(0x0301), TSMH_TDI_CONFIG_UNLOCKED);
}

/* the report faults on the real BARs: each fails the check as it says */
static void test_layout_file_faults(void **s)
{
	static const struct {
		unsigned int fault;
		const char *why;
	} f[] = {
		{ EMU_FAULT_TDISP_OVERLAP, ") overlaps MMIO range 0 (range ID " },
		{ EMU_FAULT_TDISP_BEYOND_BAR, "run past the end of BAR " },
	};
	struct tsmh_tdisp_msg m = { 0 };
	uint8_t nonce[32] = { 0 };
	unsigned int i, p, k;
	char b[512];

	(void)s;
	for (k = 0; k < 2; k++) {
		ready(f[k].fault, 1);
		for (p = 0; p < 3; p++) {
			layout_file(pats[p], DSM_SPEC);
			for (i = 0; i < 3; i++) {
				if (lock_and_check(i, tdis[i].spec, 0x40000000, b, sizeof(b)) !=
					    -EINVAL ||
				    !strstr(b, f[k].why))
					fail_msg("%s, TDI %#x: '%s', want '%s'", pats[p],
						 tdis[i].fid, b, f[k].why);
				stop(tdis[i].fid);
			}
		}
	}
	/* a report longer than announced does not reassemble */
	ready(EMU_FAULT_TDISP_REPORT_LONG, 1);
	layout_file("sparse", DSM_SPEC);
	assert_int_equal(lock_and_check(0, DSM_SPEC, 0, b, sizeof(b)), -EBADMSG);
	assert_non_null(strstr(b, "a report longer than announced"));
	/* the protocol faults work with the file too */
	ready(EMU_FAULT_TDISP_STATE_LIE | EMU_FAULT_TDISP_ANY_NONCE, 1);
	layout_file("offset", DSM_SPEC);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x0303, &m), 0);
	assert_int_equal(state(0x0303), TSMH_TDI_RUN); /* the lie */
	m.nonce = nonce;
	assert_int_equal(xfer(TSMH_TDISP_START, 0x0303, &m), 0); /* any nonce */
	ready(EMU_FAULT_TDISP_ERROR, 1);
	layout_file("simple", DSM_SPEC);
	assert_int_equal(xfer(TSMH_TDISP_LOCK, 0x0300, &m), -EREMOTEIO);
	assert_int_equal(r.error_code, TSMH_TDISP_E_VENDOR_SPECIFIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow),	    cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_need_ide),    cmocka_unit_test(test_in_the_clear),
		cmocka_unit_test(test_layout_file), cmocka_unit_test(test_layout_file_faults),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
