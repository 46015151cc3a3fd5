/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * An attested device in a real SPDM session, in-process: the requester
 * (daemon/attest, daemon/spdm) against the emulator's responder through a
 * direct transport (no socket). Shared by the unit tests that drive a
 * protocol inside the session (test_idekm_emu, test_tdisp_emu).
 */
#ifndef TSMH_TESTS_EMU_FIXTURE_H
#define TSMH_TESTS_EMU_FIXTURE_H

#include "attest.h"
#include "emu.h"
#include "secsession.h"

/* the emulated device: its configuration (faults) and connection state */
extern struct emu_dev_cfg cfg;
extern struct emu_conn conn;
/* the transport to it, the attestation and the session ready() made */
extern struct spdm_transport t;
extern struct tsmh_attest a;
extern struct tsmh_session ss;
/* the requester's last error text; the trust anchor's PEM file */
extern char why[512];
extern char root_pem[128];
/* the group's temporary directory (removed at teardown) */
extern char fixture_dir[64];

/* cmocka group setup: the device identity and a temporary directory
 * /tmp/tsmh-test-@name.XXXXXX holding its root certificate */
int fixture_setup(const char *name);
/* cmocka group teardown: frees everything and removes the directory */
int fixture_teardown(void);
/* a fresh device with @faults, attested, and (@session) in an
 * established session; asserts on every step */
void ready(unsigned int faults, int session);

#endif
