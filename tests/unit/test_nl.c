// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The netlink receive side (daemon/common/nl.c) on replies as the kernel
 * sends them, and as a broken one could: NLMSG_ERROR with extended-ACK
 * TLVs (capped, or after the whole echoed request), error codes that are
 * not an -errno, an echoed request whose length does not fit the message,
 * and a dump ending in NLMSG_DONE with an error. No socket:
 * tsmh_nl_replay() hands the bytes to libnl's receive loop.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>
#include "nl.h"

static struct tsmh_nl nl;
static uint8_t buf[512];
static size_t len;
static uint32_t seq;

static int setup(void **s)
{
	(void)s;
	memset(&nl, 0, sizeof(nl));
	nl.family = 0x20;
	nl.sk = nl_socket_alloc();
	assert_non_null(nl.sk);
	seq = nl_socket_use_seq(nl.sk); /* what a new socket expects first */
	len = 0;
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	nl_socket_free(nl.sk);
	return 0;
}

static void put(const void *p, size_t n)
{
	memcpy(buf + len, p, n);
	len += NLMSG_ALIGN(n);
}

static void put_attr(uint16_t type, const void *p, uint16_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };

	memcpy(buf + len, &a, sizeof(a));
	memcpy(buf + len + NLA_HDRLEN, p, n);
	len += NLA_ALIGN(NLA_HDRLEN + n);
}

/* NLMSG_ERROR with @code echoing a request of @echo_len bytes (@capped: its header only) */
static struct nlmsghdr *put_error(int code, uint16_t flags, uint32_t echo_len, int capped)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr e = { .error = code };

	len = 0;
	memset(buf, 0, sizeof(buf));
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = flags | (capped ? NLM_F_CAPPED : 0);
	h->nlmsg_seq = seq;
	len = NLMSG_HDRLEN;
	e.msg.nlmsg_len = echo_len;
	e.msg.nlmsg_type = 0x20;
	put(&e, sizeof(e));
	if (!capped && echo_len > NLMSG_HDRLEN && echo_len < 64)
		len += NLMSG_ALIGN(echo_len - NLMSG_HDRLEN); /* the request's payload */
	return h;
}

static int call(struct nlmsghdr *h)
{
	h->nlmsg_len = (uint32_t)len;
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	return tsmh_nl_call(&nl, tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 0), NULL, NULL);
}

static void test_extack_capped(void **s)
{
	struct nlmsghdr *h = put_error(-EBUSY, NLM_F_ACK_TLVS, 20, 1);

	(void)s;
	put_attr(NLMSGERR_ATTR_MSG, "device busy: claimed by pid 7\n", 31);
	assert_int_equal(call(h), -EBUSY);
	assert_string_equal(nl.err, "device busy: claimed by pid 7");
}

static void test_extack_after_whole_request(void **s)
{
	uint32_t miss = 3;
	struct nlmsghdr *h = put_error(-EINVAL, NLM_F_ACK_TLVS, 28, 0);

	(void)s;
	put_attr(NLMSGERR_ATTR_MSG, "missing attribute", 18);
	put_attr(NLMSGERR_ATTR_MISS_TYPE, &miss, 4);
	assert_int_equal(call(h), -EINVAL);
	assert_string_equal(nl.err, "missing attribute");
	assert_int_equal(nl.err_attr_miss, 3);
}

/* an echoed request shorter than a header, or longer than the message: no TLVs, no crash */
static void test_echoed_length_does_not_fit(void **s)
{
	static const uint32_t bad[] = { 0, 8, 4096, 0xfffffff0u };
	unsigned int i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nlmsghdr *h = put_error(-EINVAL, NLM_F_ACK_TLVS, bad[i], 0);

		put_attr(NLMSGERR_ATTR_MSG, "bad", 4);
		put_attr(NLMSGERR_ATTR_MSG, "bad", 4);
		assert_int_equal(call(h), -EINVAL);
		assert_string_equal(nl.err, "");
		seq++; /* an error ends a call: the next one has the next number */
	}
}

/* a code that is not -1..-4095 is no errno a caller could print: -EPROTO, saying what came */
static void test_error_code_not_an_errno(void **s)
{
	static const int codes[] = { 5, INT_MIN, -4096 };
	unsigned int i;

	(void)s;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct nlmsghdr *h = put_error(codes[i], 0, 20, 1);
		char want[32];

		assert_int_equal(call(h), -EPROTO);
		snprintf(want, sizeof(want), "code %d", codes[i]);
		assert_non_null(strstr(nl.err, want));
		seq++;
	}
}

static void test_ack(void **s)
{
	struct nlmsghdr *h = put_error(0, 0, 20, 1);

	(void)s;
	assert_int_equal(call(h), 0);
	assert_string_equal(nl.err, "");
}

static void test_dump_done_with_error(void **s)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int code = -ENODEV;

	(void)s;
	memset(buf, 0, sizeof(buf));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	h->nlmsg_seq = seq;
	len = NLMSG_HDRLEN;
	put(&code, sizeof(code));
	put_attr(NLMSGERR_ATTR_MSG, "no such device\n", 16);
	assert_int_equal(call(h), -ENODEV);
	assert_string_equal(nl.err, "no such device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_extack_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extack_after_whole_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echoed_length_does_not_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_code_not_an_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_done_with_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
