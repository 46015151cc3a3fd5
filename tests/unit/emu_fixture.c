// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The in-process emulator session fixture: see emu_fixture.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "certgen.h"
#include "emu_fixture.h"

static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01";
static struct emu_identity id;
char fixture_dir[64];
struct emu_dev_cfg cfg;
struct emu_conn conn;
struct tsmh_attest a;
struct tsmh_session ss;
char why[512];
char root_pem[128];

static int direct(struct spdm_transport *tr, const uint8_t *req, size_t len, uint8_t *rsp,
		  size_t cap, size_t *rsp_len)
{
	(void)tr;
	*rsp_len = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	return *rsp_len ? 0 : -EIO;
}

static int secured(struct spdm_transport *tr, const uint8_t *req, size_t len, uint8_t *rsp,
		   size_t cap, size_t *rsp_len)
{
	(void)tr;
	*rsp_len = emu_secured_respond(&cfg, &conn, req, len, rsp, cap);
	if (conn.silent) {
		conn.silent = 0;
		return -ETIMEDOUT; /* what the socket transport says */
	}
	return *rsp_len ? 0 : -EIO;
}

struct spdm_transport t = { .exchange = direct, .secured = secured };

int fixture_setup(const char *name)
{
	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/tsmh-test-%s.XXXXXX", name);
	if (!mkdtemp(fixture_dir))
		return -1;
	snprintf(root_pem, sizeof(root_pem), "%s/root.pem", fixture_dir);
	if (emu_identity_make(&id, SPDM_ASYM_ECDSA_P384, 1, cma, 0) ||
	    emu_identity_export_root(&id, root_pem))
		return -1;
	return 0;
}

int fixture_teardown(void)
{
	char cmd[128];

	tsmh_attest_free(&a);
	tsmh_session_free(&ss);
	emu_identity_free(&id);
	emu_conn_free(&conn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fixture_dir);
	return system(cmd);
}

void ready(unsigned int faults, int session)
{
	struct tsmh_attest_opts o = { .trust = root_pem, .slot = 0 };

	tsmh_attest_free(&a);
	tsmh_session_free(&ss);
	emu_conn_free(&conn);
	emu_cfg_defaults(&cfg);
	emu_cfg_use_chains(&cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])id.chain,
			   SPDM_ASYM_ECDSA_P384, 0x01);
	cfg.faults = faults;
	assert_int_equal(tsmh_attest_run(&t, &o, &a, why, sizeof(why)), 0);
	if (session)
		assert_int_equal(tsmh_session_start(&t, &a.ci, a.slot[0].chain, a.slot[0].len, 0,
						    SPDM_MEAS_SUMMARY_NONE, 0, &ss, why,
						    sizeof(why)),
				 0);
}
