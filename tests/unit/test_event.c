// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The one event decoder (daemon/common/event.c) of tsmctl monitor and
 * tsmd: events built with libnl as the kernel builds them, the required
 * attributes of each, and the generated libnl policies it relies on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include "event.h"
#include "nl_policy.h"

static struct nl_msg *m;
static struct tsmh_event ev;
static char err[128];

static int teardown(void **s)
{
	(void)s;
	nlmsg_free(m);
	m = NULL;
	return 0;
}

static void start(uint8_t cmd)
{
	m = nlmsg_alloc();
	assert_non_null(m);
	assert_non_null(genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, 1));
	memset(err, 0, sizeof(err));
}

static void put_dev(const char *name)
{
	nla_put_string(m, TSMH_A_DEV_NAME, name);
	nla_put_u16(m, TSMH_A_DEV_VENDOR, 0x1b36);
	nla_put_u16(m, TSMH_A_DEV_DEVICE, 0x1e10);
	nla_put_u32(m, TSMH_A_DEV_FLAGS, TSMH_DEV_F_TEE_IO | TSMH_DEV_F_DOE);
}

/* a message on the events group too short for a genl header: refused, nothing read past it */
static void test_no_genl_header(void **s)
{
	(void)s;
	m = nlmsg_alloc();
	assert_non_null(m);
	assert_non_null(nlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0));
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "genl header"));
}

static void test_dev_add(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_DEV_ADD);
	put_dev("10000:03:00.0");
	nla_put_u32(m, TSMH_A_GATE_STATE, TSMH_GATE_HELD);
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_int_equal(ev.cmd, TSMH_CMD_EVT_DEV_ADD);
	assert_string_equal(ev.what, "add");
	assert_string_equal(ev.dev, "10000:03:00.0");
	assert_int_equal(ev.info.vendor, 0x1b36);
	assert_int_equal(ev.info.has_gate, 1);
	assert_int_equal(ev.info.gate_state, TSMH_GATE_HELD);
}

static void test_dev_del_identity_only(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_DEV_DEL);
	put_dev("10000:03:00.1");
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_string_equal(ev.what, "remove");
	assert_string_equal(ev.dev, "10000:03:00.1");
	assert_int_equal(ev.info.device, 0x1e10);
	assert_int_equal(ev.info.has_gate, 0);
}

static void test_gate(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_GATE);
	put_dev("10000:03:00.0");
	nla_put_u32(m, TSMH_A_GATE_STATE, TSMH_GATE_RELEASED);
	nla_put_u32(m, TSMH_A_GATE_REASON, TSMH_GATE_R_ATTESTED);
	nla_put_string(m, TSMH_A_GATE_MSG, "measurements accepted");
	nla_put_string(m, TSMH_A_DRIVER, "nvme");
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_string_equal(ev.what, "gate");
	assert_int_equal(ev.info.gate_reason, TSMH_GATE_R_ATTESTED);
	assert_string_equal(ev.info.gate_msg, "measurements accepted");
	assert_string_equal(ev.info.driver, "nvme");
}

static void test_device_event_without_name(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_GATE);
	nla_put_u32(m, TSMH_A_GATE_STATE, TSMH_GATE_HELD);
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_int_equal(ev.cmd, TSMH_CMD_EVT_GATE);
	assert_non_null(strstr(err, "without a name"));
}

static void test_name_longer_than_the_spec(void **s)
{
	(void)s;
	/* max-len 31 in docs/netlink/tsmh.yaml: 31 characters pass, 32 do not */
	start(TSMH_CMD_EVT_RESET);
	nla_put_string(m, TSMH_A_DEV_NAME, "0123456789012345678901234567890");
	nla_put_u32(m, TSMH_A_RESET_KIND, TSMH_RESET_FLR);
	nla_put_u64(m, TSMH_A_RESET_COUNT, 1);
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_int_equal(strlen(ev.dev), 31);
	nlmsg_free(m);
	start(TSMH_CMD_EVT_RESET);
	nla_put_string(m, TSMH_A_DEV_NAME, "01234567890123456789012345678901");
	nla_put_u32(m, TSMH_A_RESET_KIND, TSMH_RESET_FLR);
	nla_put_u64(m, TSMH_A_RESET_COUNT, 1);
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "malformed attributes"));
}

static void test_evidence(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_EVIDENCE);
	nla_put_string(m, TSMH_A_DEV_NAME, "10000:03:00.0");
	nla_put_u64(m, TSMH_A_EV_GENERATION, 7);
	nla_put_u32(m, TSMH_A_EV_PROVENANCE, TSMH_EV_PROV_SPDM);
	nla_put_u32(m, TSMH_A_EV_PRESENT, 0x201);
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_string_equal(ev.what, "evidence");
	assert_string_equal(ev.dev, "10000:03:00.0");
	assert_int_equal(ev.generation, 7);
	assert_int_equal(ev.has_provenance, 1);
	assert_int_equal(ev.provenance, TSMH_EV_PROV_SPDM);
	assert_int_equal(ev.present, 0x201);
}

static void test_evidence_optional_provenance(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_EVIDENCE);
	nla_put_string(m, TSMH_A_DEV_NAME, "x");
	nla_put_u64(m, TSMH_A_EV_GENERATION, 1);
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_int_equal(ev.has_provenance, 0);
}

static void test_evidence_without_generation(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_EVIDENCE);
	nla_put_string(m, TSMH_A_DEV_NAME, "x");
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "generation"));
}

static void test_evidence_generation_wrong_width(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_EVIDENCE);
	nla_put_string(m, TSMH_A_DEV_NAME, "x");
	nla_put_u32(m, TSMH_A_EV_GENERATION, 1); /* u64 in the spec */
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
}

static void test_reset(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_RESET);
	nla_put_string(m, TSMH_A_DEV_NAME, "10000:03:00.0");
	nla_put_u32(m, TSMH_A_RESET_KIND, TSMH_RESET_BUS);
	nla_put_u64(m, TSMH_A_RESET_COUNT, 3);
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_string_equal(ev.what, "reset");
	assert_int_equal(ev.reset_kind, TSMH_RESET_BUS);
	assert_int_equal(ev.reset_count, 3);
}

static void test_reset_without_kind_is_still_a_reset(void **s)
{
	(void)s;
	/* tsmd must re-attest, not drop it: kind unknown, count 0 */
	start(TSMH_CMD_EVT_RESET);
	nla_put_string(m, TSMH_A_DEV_NAME, "10000:03:00.0");
	assert_int_equal(tsmh_event_decode(m, &ev, err), 0);
	assert_int_equal(ev.reset_kind, TSMH_RESET_UNKNOWN);
	assert_int_equal(ev.reset_count, 0);
}

static void test_reset_without_name(void **s)
{
	(void)s;
	start(TSMH_CMD_EVT_RESET);
	nla_put_u32(m, TSMH_A_RESET_KIND, TSMH_RESET_FLR);
	nla_put_u64(m, TSMH_A_RESET_COUNT, 1);
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "reset event without a device name"));
}

static void test_empty_name(void **s)
{
	(void)s;
	/* found by fuzz_event: every event needs a device name that is not "" */
	start(TSMH_CMD_EVT_RESET);
	nla_put_string(m, TSMH_A_DEV_NAME, "");
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "empty device name"));
	nlmsg_free(m);
	start(TSMH_CMD_EVT_DEV_ADD);
	nla_put_string(m, TSMH_A_DEV_NAME, "");
	assert_int_equal(tsmh_event_decode(m, &ev, err), -EBADMSG);
	assert_non_null(strstr(err, "empty name"));
}

static void test_unknown_command_skipped(void **s)
{
	(void)s;
	start(TSMH_CMD_MAX + 1);
	nla_put_string(m, TSMH_A_DEV_NAME, "x");
	assert_int_equal(tsmh_event_decode(m, &ev, err), 1);
	nlmsg_free(m);
	start(TSMH_CMD_DEV_GET); /* a reply, not an event */
	assert_int_equal(tsmh_event_decode(m, &ev, err), 1);
}

static void test_generated_policies(void **s)
{
	(void)s;
	/* string max-len N -> libnl maxlen N + 1 (the NUL); binary as is */
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_DEV_NAME].type, NLA_STRING);
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_DEV_NAME].maxlen, 32);
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_EV_DATA].type, NLA_UNSPEC);
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_EV_DATA].maxlen, TSMH_EV_CHUNK_MAX);
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_RESET_COUNT].type, NLA_U64);
	assert_int_equal(tsmh_nl_tsmh_policy[TSMH_A_DEV_MAILBOX].type, NLA_NESTED);
	/* s32: libnl checks sizes only */
	assert_int_equal(tsmh_nl_mailbox_policy[TSMH_MB_A_DISCOVERY_ERR].type, NLA_U32);
	assert_int_equal(tsmh_nl_protocol_policy[TSMH_PROT_A_TYPE].type, NLA_U8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_dev_add, teardown),
		cmocka_unit_test_teardown(test_dev_del_identity_only, teardown),
		cmocka_unit_test_teardown(test_gate, teardown),
		cmocka_unit_test_teardown(test_device_event_without_name, teardown),
		cmocka_unit_test_teardown(test_name_longer_than_the_spec, teardown),
		cmocka_unit_test_teardown(test_evidence, teardown),
		cmocka_unit_test_teardown(test_evidence_optional_provenance, teardown),
		cmocka_unit_test_teardown(test_evidence_without_generation, teardown),
		cmocka_unit_test_teardown(test_evidence_generation_wrong_width, teardown),
		cmocka_unit_test_teardown(test_reset, teardown),
		cmocka_unit_test_teardown(test_reset_without_kind_is_still_a_reset, teardown),
		cmocka_unit_test_teardown(test_reset_without_name, teardown),
		cmocka_unit_test_teardown(test_empty_name, teardown),
		cmocka_unit_test_teardown(test_unknown_command_skipped, teardown),
		cmocka_unit_test(test_generated_policies),
		cmocka_unit_test_teardown(test_no_genl_header, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
