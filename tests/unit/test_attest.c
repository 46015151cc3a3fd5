// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Whole attestations (daemon/attest/attest.c) against the emulator's
 * responder in-process, with a fresh OpenSSL identity: every signing
 * algorithm and SPDM version, several slots, the digest-keyed chain
 * cache, and the fault menu entries that concern authentication.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "attest.h"
#include "certgen.h"
#include "emu.h"
#include "sig.h"

static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01";
static struct emu_identity id, other;
static struct emu_dev_cfg cfg;
static struct emu_conn conn;
static char dir[64], root_pem[128], other_pem[128], cache[128];
static unsigned int exchanges;

static int direct(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		  size_t cap, size_t *rsp_len)
{
	(void)t;
	exchanges++;
	*rsp_len = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	return *rsp_len ? 0 : -EIO;
}

static struct spdm_transport t = { .exchange = direct };
static struct tsmh_attest a;
static char why[512];

static int group_setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/tsmh-test-attest.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(root_pem, sizeof(root_pem), "%s/root.pem", dir);
	snprintf(other_pem, sizeof(other_pem), "%s/other.pem", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	if (emu_identity_make(&id,
			      SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_RSASSA_3072 |
				      SPDM_ASYM_RSAPSS_3072,
			      2, cma, 0) ||
	    emu_identity_make(&other, SPDM_ASYM_ECDSA_P384, 1, cma, 0) ||
	    emu_identity_export_root(&id, root_pem) || emu_identity_export_root(&other, other_pem))
		return -1;
	return 0;
}

static int group_teardown(void **s)
{
	char cmd[128];

	(void)s;
	emu_identity_free(&id);
	emu_identity_free(&other);
	emu_conn_free(&conn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A device with @asym keys, offering @vers, with @faults. */
static void device(uint32_t asym, const char *vers, unsigned int faults)
{
	char buf[32], *tok, *save = NULL;

	tsmh_attest_free(&a);
	emu_conn_free(&conn);
	emu_cfg_defaults(&cfg);
	emu_cfg_use_chains(&cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])id.chain, asym, 0x03);
	cfg.faults = faults;
	cfg.nr_vers = 0;
	snprintf(buf, sizeof(buf), "%s", vers);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		spdm_ver_parse(tok, &cfg.vers[cfg.nr_vers++]);
	why[0] = 0;
}

static int attest(uint8_t slot, const char *trust, int use_cache)
{
	struct tsmh_chain_cache c;
	struct tsmh_attest_opts o = { .trust = trust, .slot = slot };
	int dfd = -1, ret;

	if (use_cache) {
		mkdir(cache, 0700);
		dfd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(dfd >= 0);
		tsmh_chain_cache_dir(&c, dfd);
		o.cache = &c;
	}
	tsmh_attest_free(&a);
	ret = tsmh_attest_run(&t, &o, &a, why, sizeof(why));
	if (dfd >= 0)
		close(dfd);
	return ret;
}

static void assert_full(void)
{
	assert_true(a.chal_verified);
	assert_true(a.meas_verified);
	assert_true(a.summary_matched);
	assert_int_equal(a.meas.nr_blocks, 5);
	assert_null(a.step);
}

static void test_every_algorithm(void **s)
{
	static const uint32_t algs[] = { SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384,
					 SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSAPSS_3072 };
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		device(algs[i], "1.2,1.3", 0);
		assert_int_equal(attest(0, root_pem, 0), 0);
		assert_int_equal(a.ci.algs.base_asym, algs[i]);
		assert_full();
		assert_string_equal(a.slot[0].leaf.identity, cma);
	}
}

static void test_every_version(void **s)
{
	static const char *const vers[] = { "1.1", "1.2", "1.3" };
	static const uint8_t want[] = { SPDM_VERSION_11, SPDM_VERSION_12, SPDM_VERSION_13 };
	size_t i;

	(void)s;
	for (i = 0; i < 3; i++) {
		device(SPDM_ASYM_ECDSA_P384, vers[i], 0);
		assert_int_equal(attest(0, root_pem, 0), 0);
		assert_int_equal(a.ci.ver, want[i]);
		assert_full();
	}
}

static void test_slots(void **s)
{
	(void)s;
	device(SPDM_ASYM_ECDSA_P256, "1.2", 0);
	assert_int_equal(attest(1, root_pem, 0), 0);
	assert_full();
	assert_int_equal(a.fetched, 0x03); /* every provisioned slot, verified */
	assert_int_equal(a.chal.slot, 1);
	assert_int_equal(a.meas.slot, 1);
	assert_int_not_equal(attest(2, root_pem, 0), 0);
	assert_string_equal(a.step, "GET_DIGESTS");
	assert_non_null(strstr(why, "slot 2 has no certificate chain"));
}

static void test_cache_skips_certificates(void **s)
{
	unsigned int full, cached;

	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.3", 0);
	exchanges = 0;
	assert_int_equal(attest(0, root_pem, 1), 0);
	full = exchanges;
	assert_int_equal(a.fetched, 0x03);
	assert_int_equal(a.cached, 0);
	exchanges = 0;
	assert_int_equal(attest(0, root_pem, 1), 0);
	cached = exchanges;
	assert_full();
	assert_int_equal(a.fetched, 0);
	assert_int_equal(a.cached, 0x03);
	assert_true(a.slot[0].from_cache);
	assert_true(cached < full);
	/* a different algorithm means different digests: fetched again */
	device(SPDM_ASYM_ECDSA_P256, "1.3", 0);
	assert_int_equal(attest(0, root_pem, 1), 0);
	assert_int_equal(a.fetched, 0x03);
}

static void test_unknown_root(void **s)
{
	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.2", 0);
	assert_int_equal(attest(0, other_pem, 0), -EKEYREJECTED);
	assert_string_equal(a.step, "verify chain");
	assert_non_null(strstr(why, "slot 0"));
	assert_false(a.chal_verified);
}

static void test_wrong_signature(void **s)
{
	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.2,1.3", EMU_FAULT_WRONG_SIG);
	assert_int_equal(attest(0, root_pem, 0), -EBADMSG);
	assert_string_equal(a.step, "verify CHALLENGE_AUTH");
	assert_non_null(strstr(why, "does not verify"));
	device(SPDM_ASYM_RSAPSS_3072, "1.2", EMU_FAULT_WRONG_SIG);
	assert_int_equal(attest(0, root_pem, 0), -EBADMSG);
}

static void test_truncated(void **s)
{
	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.3", EMU_FAULT_TRUNCATED);
	assert_int_equal(attest(0, root_pem, 0), -EBADMSG);
	assert_string_equal(a.step, "CHALLENGE");
	assert_non_null(strstr(why, "breaks DSP0274: "));
	assert_non_null(strstr(why, " bytes, the fields need "));
}

static void test_busy_and_not_ready_are_waited_out(void **s)
{
	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.3", EMU_FAULT_BUSY);
	assert_int_equal(attest(0, root_pem, 0), 0);
	assert_full();
	assert_true(conn.faulted >= 2);
	device(SPDM_ASYM_ECDSA_P256, "1.2", EMU_FAULT_NOT_READY);
	assert_int_equal(attest(0, root_pem, 0), 0);
	assert_full();
	assert_true(conn.faulted >= 2);
}

static void firmware(uint8_t *v, size_t *len)
{
	assert_int_equal(a.meas.blocks[1].index, 2);
	*len = a.meas.blocks[1].value_len;
	memcpy(v, a.meas.blocks[1].value, *len);
}

static void test_measurements_after_reset(void **s)
{
	uint8_t before[64], after[64];
	size_t bl, al;

	(void)s;
	/* a healthy device measures the same after a reset */
	device(SPDM_ASYM_ECDSA_P384, "1.2", 0);
	assert_int_equal(attest(0, root_pem, 0), 0);
	firmware(before, &bl);
	emu_conn_reset(&conn, 1);
	assert_int_equal(attest(0, root_pem, 0), 0);
	firmware(after, &al);
	assert_memory_equal(before, after, bl);
	/* meas-change: the firmware block differs, still validly signed */
	device(SPDM_ASYM_ECDSA_P384, "1.2", EMU_FAULT_MEAS_CHANGE);
	assert_int_equal(attest(0, root_pem, 0), 0);
	firmware(before, &bl);
	emu_conn_reset(&conn, 1);
	assert_int_equal(attest(0, root_pem, 0), 0);
	assert_full();
	firmware(after, &al);
	assert_int_equal(al, bl);
	assert_memory_not_equal(before, after, bl);
}

static void test_transcript_tamper_detected(void **s)
{
	EVP_PKEY *key;
	char r[200];

	(void)s;
	device(SPDM_ASYM_ECDSA_P384, "1.3", 0);
	assert_int_equal(attest(0, root_pem, 0), 0);
	key = tsmh_chain_leaf_key(a.slot[0].chain, a.slot[0].len, 48);
	assert_non_null(key);
	assert_int_equal(tsmh_spdm_verify(key, a.ci.ver, a.ci.algs.base_asym, a.ci.algs.base_hash,
					  SPDM_CTX_CHALLENGE_AUTH, a.chal.transcript.buf,
					  a.chal.transcript.len, a.chal.sig, r, sizeof(r)),
			 0);
	/* the wrong context string, a changed byte of the VCA, another version */
	assert_int_not_equal(tsmh_spdm_verify(key, a.ci.ver, a.ci.algs.base_asym,
					      a.ci.algs.base_hash, SPDM_CTX_MEASUREMENTS,
					      a.chal.transcript.buf, a.chal.transcript.len,
					      a.chal.sig, r, sizeof(r)),
			     0);
	a.chal.transcript.buf[10] ^= 1;
	assert_int_not_equal(tsmh_spdm_verify(key, a.ci.ver, a.ci.algs.base_asym,
					      a.ci.algs.base_hash, SPDM_CTX_CHALLENGE_AUTH,
					      a.chal.transcript.buf, a.chal.transcript.len,
					      a.chal.sig, r, sizeof(r)),
			     0);
	a.chal.transcript.buf[10] ^= 1;
	assert_int_not_equal(tsmh_spdm_verify(key, SPDM_VERSION_12, a.ci.algs.base_asym,
					      a.ci.algs.base_hash, SPDM_CTX_CHALLENGE_AUTH,
					      a.chal.transcript.buf, a.chal.transcript.len,
					      a.chal.sig, r, sizeof(r)),
			     0);
	/* a key of the wrong kind is refused before any signature check */
	assert_int_equal(tsmh_spdm_verify(key, a.ci.ver, SPDM_ASYM_ECDSA_P256, a.ci.algs.base_hash,
					  SPDM_CTX_CHALLENGE_AUTH, a.chal.transcript.buf,
					  a.chal.transcript.len, a.chal.sig, r, sizeof(r)),
			 -EBADMSG);
	assert_non_null(strstr(r, "not ECDSA-P256"));
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_algorithm),
		cmocka_unit_test(test_every_version),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_cache_skips_certificates),
		cmocka_unit_test(test_unknown_root),
		cmocka_unit_test(test_wrong_signature),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_busy_and_not_ready_are_waited_out),
		cmocka_unit_test(test_measurements_after_reset),
		cmocka_unit_test(test_transcript_tamper_detected),
	};
	int ret = cmocka_run_group_tests(tests, group_setup, group_teardown);

	tsmh_attest_free(&a);
	return ret;
}
