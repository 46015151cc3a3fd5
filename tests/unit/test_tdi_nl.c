// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tdi-get / tdi-begin / tdi-end replies decoded (daemon/common/tdi_nl.c):
 * messages built with libnl as the kernel would send them, decoded with
 * the generated policies, then what a broken or hostile reply may carry:
 * a TDI without its name or state, a state, op or stream ID out of range,
 * report-len without nr-ranges, more ranges than the report's bytes hold,
 * a name too long, a reply without its tdi nest, a begin reply without a
 * ticket. A dump and a begin go through libnl's receive loop
 * (tsmh_nl_replay()), with the kernel's extack on a refusal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>
#include "tdi_nl.h"

#define FAMILY 0x20

static struct nl_msg *reply(uint8_t cmd, const char *name)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 0, FAMILY, 0, 0, cmd, TSMH_GENL_VERSION));
	if (name)
		assert_int_equal(nla_put_string(m, TSMH_A_DEV_NAME, name), 0);
	return m;
}

/* what to leave out of, or break in, a tdi nest */
enum { OK, NO_DEV, NO_STATE, BAD_STATE, BAD_OP, BAD_STREAM, LEN_ONLY, SHORT_REPORT, LONG_NAME };

static void put_tdi(struct nl_msg *m, const char *dev, uint32_t state, int fault)
{
	struct nlattr *t = nla_nest_start(m, TSMH_A_TDI);
	char longname[64];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	if (fault != NO_DEV)
		nla_put_string(m, TSMH_TDI_A_DEV, fault == LONG_NAME ? longname : dev);
	nla_put_string(m, TSMH_TDI_A_DSM, "0000:03:00.0");
	nla_put_u32(m, TSMH_TDI_A_INTERFACE_ID, 0x301);
	if (fault != NO_STATE)
		nla_put_u32(m, TSMH_TDI_A_STATE, fault == BAD_STATE ? 4 : state);
	nla_put_u32(m, TSMH_TDI_A_FLAGS, TSMH_TDI_F_REPORT_CHECKED | TSMH_TDI_F_NONCE);
	if (fault == BAD_OP)
		nla_put_u32(m, TSMH_TDI_A_OP, __TSMH_TDI_OP_NR);
	nla_put_u32(m, TSMH_TDI_A_LOCK_FLAGS, TSMH_TDI_LOCK_F_LOCK_MSIX);
	nla_put_u32(m, TSMH_TDI_A_STREAM_ID, fault == BAD_STREAM ? 256 : 3);
	nla_put_u64(m, TSMH_TDI_A_MMIO_OFFSET, 0x10000);
	nla_put_u32(m, TSMH_TDI_A_REPORT_LEN, fault == SHORT_REPORT ? 32 : 64);
	if (fault != LEN_ONLY)
		nla_put_u32(m, TSMH_TDI_A_NR_RANGES, 3);
	nla_put_u64(m, TSMH_TDI_A_REPORT_GEN, 7);
	nla_put_string(m, TSMH_TDI_A_MSG, "report checked: 3 ranges");
	nla_put_u64(m, TSMH_TDI_A_SINCE, 1234567890123ULL);
	nla_nest_end(m, t);
}

static int parse(int fault, struct tsmh_tdinl_tdi *t, char *why)
{
	struct nl_msg *m = reply(TSMH_CMD_TDI_GET, "0000:03:00.1");
	int ret;

	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_CONFIG_LOCKED, fault);
	ret = tsmh_tdinl_parse_msg(m, t, NULL, NULL, why, 200);
	nlmsg_free(m);
	return ret;
}

static void test_decode(void **st)
{
	struct tsmh_tdinl_tdi t;
	char why[200] = "";
	char f[64];

	(void)st;
	assert_int_equal(parse(OK, &t, why), 0);
	assert_string_equal(t.dev, "0000:03:00.1");
	assert_string_equal(t.dsm, "0000:03:00.0");
	assert_int_equal(t.interface_id, 0x301);
	assert_int_equal(t.state, TSMH_TDI_STATE_CONFIG_LOCKED);
	assert_string_equal(tsmh_tdinl_state_name(t.state), "CONFIG_LOCKED");
	assert_string_equal(tsmh_tdinl_flags_str(t.flags, f, sizeof(f)), "report-checked,nonce");
	assert_string_equal(tsmh_tdinl_lock_flags_str(t.lock_flags, f, sizeof(f)), "lock-msix");
	assert_int_equal(t.stream_id, 3);
	assert_int_equal(t.mmio_offset, 0x10000);
	assert_int_equal(t.report_len, 64);
	assert_int_equal(t.nr_ranges, 3);
	assert_int_equal(t.report_gen, 7);
	assert_string_equal(t.msg, "report checked: 3 ranges");
	assert_true(t.has & TSMH_TDINL_H_REPORT);
	assert_true(t.has & TSMH_TDINL_H_STREAM);
	/* no op in flight, no TVM: absent, not zero */
	assert_false(t.has & TSMH_TDINL_H_OP);
	assert_false(t.has & TSMH_TDINL_H_TVM);
}

static void test_refused(void **st)
{
	static const struct {
		int fault;
		const char *why;
	} c[] = {
		{ NO_DEV, "tdi nest without its dev" },
		{ NO_STATE, "tdi 0000:03:00.1 without its state" },
		{ BAD_STATE, "tdi 0000:03:00.1: state 4 unknown" },
		{ BAD_OP, "tdi 0000:03:00.1: op 5 unknown" },
		{ BAD_STREAM, "tdi 0000:03:00.1: stream-id 256, 0-255 expected" },
		{ LEN_ONLY, "tdi 0000:03:00.1: report-len without nr-ranges" },
		{ SHORT_REPORT, "tdi 0000:03:00.1: 3 ranges in a report of 32 bytes" },
		{ LONG_NAME, "tdi dev: 63 characters, at most 31 expected" },
	};
	struct tsmh_tdinl_tdi t;
	char why[200];
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why[0] = 0;
		assert_int_equal(parse(c[i].fault, &t, why), -EPROTO);
		assert_string_equal(why, c[i].why);
	}
}

static void test_msg(void **st)
{
	struct nl_msg *m = reply(TSMH_CMD_EVT_TDI, "0000:03:00.1");
	struct tsmh_tdinl_tdi t;
	uint64_t ticket;
	char why[200];
	int cause;

	(void)st;
	/* no tdi nest: refused, not an empty TDI */
	assert_int_equal(tsmh_tdinl_parse_msg(m, &t, &ticket, &cause, why, sizeof(why)), -EPROTO);
	assert_string_equal(why, "tdi reply without its tdi nest");
	nla_put_u32(m, TSMH_A_TDI_CAUSE, TSMH_TDI_CAUSE_CONFIG_WRITE);
	nla_put_u64(m, TSMH_A_TDI_TICKET, 0xfeedULL);
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_ERROR, OK);
	assert_int_equal(tsmh_tdinl_parse_msg(m, &t, &ticket, &cause, why, sizeof(why)), 0);
	assert_int_equal(cause, TSMH_TDI_CAUSE_CONFIG_WRITE);
	assert_string_equal(tsmh_tdinl_cause_name((uint32_t)cause), "config-write");
	assert_int_equal(ticket, 0xfeed);
	assert_int_equal(t.state, TSMH_TDI_STATE_ERROR);
	nlmsg_free(m);
	m = reply(TSMH_CMD_EVT_TDI, "0000:03:00.1");
	nla_put_u32(m, TSMH_A_TDI_CAUSE, __TSMH_TDI_CAUSE_NR);
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_ERROR, OK);
	assert_int_equal(tsmh_tdinl_parse_msg(m, &t, NULL, &cause, why, sizeof(why)), -EPROTO);
	assert_string_equal(why, "evt-tdi 0000:03:00.1: cause 12 unknown");
	nlmsg_free(m);
	assert_string_equal(tsmh_tdinl_op_name(TSMH_TDI_OP_STATE), "state");
	assert_string_equal(tsmh_tdinl_op_name(99), "unknown");
	assert_string_equal(tsmh_tdinl_cause_name(TSMH_TDI_CAUSE_REQUESTER_GONE), "requester-gone");
}

static uint8_t buf[16384];
static size_t len;

static void add(struct nl_msg *m, uint32_t seq, uint16_t flags)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	h->nlmsg_seq = seq;
	h->nlmsg_flags = flags;
	memcpy(buf + len, h, h->nlmsg_len);
	len += NLMSG_ALIGN(h->nlmsg_len);
	nlmsg_free(m);
}

static void add_done(uint32_t seq)
{
	struct nlmsghdr done = { .nlmsg_len = NLMSG_HDRLEN + 4,
				 .nlmsg_type = NLMSG_DONE,
				 .nlmsg_flags = NLM_F_MULTI,
				 .nlmsg_seq = seq };
	int zero = 0;

	memcpy(buf + len, &done, NLMSG_HDRLEN);
	memcpy(buf + len + NLMSG_HDRLEN, &zero, 4);
	len += NLMSG_HDRLEN + 4;
}

/* NLMSG_ERROR @code (0: the ACK), with @msg as extack */
static void add_ack(uint32_t seq, int code, const char *msg)
{
	struct nlmsghdr h = { .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = seq };
	struct nlmsgerr e = { .error = code };
	struct nlattr a = { .nla_type = NLMSGERR_ATTR_MSG };
	size_t at = len, n = msg ? strlen(msg) + 1 : 0;

	e.msg.nlmsg_len = NLMSG_HDRLEN;
	e.msg.nlmsg_seq = seq;
	h.nlmsg_flags = msg ? NLM_F_ACK_TLVS | NLM_F_CAPPED : NLM_F_CAPPED;
	len += NLMSG_HDRLEN;
	memcpy(buf + len, &e, sizeof(e));
	len += NLMSG_ALIGN(sizeof(e));
	if (msg) {
		a.nla_len = (uint16_t)(NLA_HDRLEN + n);
		memcpy(buf + len, &a, NLA_HDRLEN);
		memcpy(buf + len + NLA_HDRLEN, msg, n);
		len += NLA_ALIGN(NLA_HDRLEN + n);
	}
	h.nlmsg_len = (uint32_t)(len - at);
	memcpy(buf + at, &h, NLMSG_HDRLEN);
}

static void test_dump(void **st)
{
	struct tsmh_tdinl_list l = { 0 };
	struct tsmh_nl nl = { .family = FAMILY };
	const struct tsmh_tdinl_tdi *t;
	struct nl_msg *m;
	uint32_t seq;

	(void)st;
	nl.sk = nl_socket_alloc();
	assert_non_null(nl.sk);
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	m = reply(TSMH_CMD_TDI_GET, "0000:03:00.0");
	put_tdi(m, "0000:03:00.0", TSMH_TDI_STATE_CONFIG_UNLOCKED, OK);
	add(m, seq, NLM_F_MULTI);
	m = reply(TSMH_CMD_TDI_GET, "0000:03:00.1");
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_RUN, OK);
	add(m, seq, NLM_F_MULTI);
	add_done(seq);
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_get(&nl, NULL, &l), 0);
	assert_int_equal(l.n, 2);
	t = tsmh_tdinl_find(&l, "0000:03:00.1");
	assert_non_null(t);
	assert_int_equal(t->state, TSMH_TDI_STATE_RUN);
	assert_null(tsmh_tdinl_find(&l, "0000:03:00.2"));
	tsmh_tdinl_list_free(&l);
	assert_int_equal(l.n, 0);

	/* one broken TDI in a dump fails the call, naming it */
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	m = reply(TSMH_CMD_TDI_GET, "0000:03:00.1");
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_RUN, BAD_STATE);
	add(m, seq, NLM_F_MULTI);
	add_done(seq);
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_get(&nl, NULL, &l), -EPROTO);
	assert_string_equal(nl.err, "tdi-get: tdi 0000:03:00.1: state 4 unknown");
	tsmh_tdinl_list_free(&l);
	nl_socket_free(nl.sk);
}

static void test_begin(void **st)
{
	static const uint8_t nonce[TSMH_TDI_NONCE_LEN] = { 1, 2, 3 };
	struct tsmh_tdinl_begin b = { .op = TSMH_TDI_OP_START, .stream_id = -1, .nonce = nonce };
	struct tsmh_nl nl = { .family = FAMILY };
	struct tsmh_tdinl_tdi t;
	struct nl_msg *m;
	uint64_t ticket;
	uint32_t seq;

	(void)st;
	nl.sk = nl_socket_alloc();
	assert_non_null(nl.sk);

	/* a ticket and the TDI */
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	m = reply(TSMH_CMD_TDI_BEGIN, "0000:03:00.1");
	nla_put_u64(m, TSMH_A_TDI_TICKET, 0x1234abcdULL);
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_CONFIG_LOCKED, OK);
	add(m, seq, 0);
	add_ack(seq, 0, NULL);
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_begin(&nl, "0000:03:00.1", &b, &ticket, &t), 0);
	assert_int_equal(ticket, 0x1234abcd);
	assert_string_equal(t.dev, "0000:03:00.1");

	/* a reply without a ticket is not one to end later */
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	m = reply(TSMH_CMD_TDI_BEGIN, "0000:03:00.1");
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_CONFIG_LOCKED, OK);
	add(m, seq, 0);
	add_ack(seq, 0, NULL);
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_begin(&nl, "0000:03:00.1", &b, &ticket, &t), -EPROTO);
	assert_string_equal(nl.err, "the tdi-begin reply carries no ticket");

	/* the kernel's refusal: -errno and its reason */
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	add_ack(seq, -EPERM,
		"0000:03:00.1: start: host may not start a TDI in CoCo mode "
		"(tsmh_core.tdisp_host_native=0)");
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_begin(&nl, "0000:03:00.1", &b, &ticket, &t), -EPERM);
	assert_non_null(strstr(nl.err, "tdisp_host_native=0"));
	assert_int_equal(ticket, 0);
	nl_socket_free(nl.sk);
}

/* tdi-end with a report of the largest size the requester reassembles: the message holds it */
static void test_end_big(void **st)
{
	static uint8_t report[16384];
	struct tsmh_tdinl_end e = { .ticket = 9,
				    .error_code = -1,
				    .dev_state = TSMH_TDI_STATE_CONFIG_LOCKED,
				    .report = report,
				    .report_len = sizeof(report) };
	struct tsmh_nl nl = { .family = FAMILY };
	struct tsmh_tdinl_tdi t;
	struct nl_msg *m;
	uint32_t seq;

	(void)st;
	nl.sk = nl_socket_alloc();
	assert_non_null(nl.sk);
	seq = nl_socket_use_seq(nl.sk);
	len = 0;
	m = reply(TSMH_CMD_TDI_END, "0000:03:00.1");
	put_tdi(m, "0000:03:00.1", TSMH_TDI_STATE_CONFIG_LOCKED, OK);
	add(m, seq, 0);
	add_ack(seq, 0, NULL);
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_tdi_end(&nl, "0000:03:00.1", &e, &t), 0);
	assert_int_equal(t.nr_ranges, 3);
	nl_socket_free(nl.sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_msg),    cmocka_unit_test(test_dump),
		cmocka_unit_test(test_begin),  cmocka_unit_test(test_end_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
