// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Netlink attribute handling on the client side: device replies built
 * with libnl as the kernel builds them, and malformed ones that must be
 * rejected with a reason rather than half-parsed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <netlink/msg.h>
#include "devinfo.h"

static struct nl_msg *m;
static struct tsmh_devinfo d;
static char err[128];

static int setup(void **s)
{
	(void)s;
	m = nlmsg_alloc();
	memset(err, 0, sizeof(err));
	return m ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	nlmsg_free(m);
	return 0;
}

static int parse(void)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	return tsmh_devinfo_parse(nlmsg_attrdata(h, 0), nlmsg_attrlen(h, 0), &d, err);
}

static void put_mb(uint16_t off, int nprots, uint32_t owner, const char *name)
{
	struct nlattr *mb = nla_nest_start(m, TSMH_A_DEV_MAILBOX), *p;
	int i;

	nla_put_u16(m, TSMH_MB_A_OFFSET, off);
	nla_put_u32(m, TSMH_MB_A_OWNER, owner);
	if (name)
		nla_put_string(m, TSMH_MB_A_OWNER_NAME, name);
	nla_put_u64(m, TSMH_MB_A_EXCHANGES, 42);
	for (i = 0; i < nprots; i++) {
		p = nla_nest_start(m, TSMH_MB_A_PROTOCOL);
		nla_put_u16(m, TSMH_PROT_A_VENDOR, 1);
		nla_put_u8(m, TSMH_PROT_A_TYPE, (uint8_t)i);
		nla_nest_end(m, p);
	}
	nla_nest_end(m, mb);
}

static void put_dev(const char *name)
{
	nla_put_string(m, TSMH_A_DEV_NAME, name);
	nla_put_u16(m, TSMH_A_DEV_VENDOR, 0x1b36);
	nla_put_u16(m, TSMH_A_DEV_DEVICE, 0x1e10);
	nla_put_u32(m, TSMH_A_DEV_CLASS, 0x12000001);
	nla_put_u8(m, TSMH_A_DEV_PCIE_TYPE, 0);
	nla_put_u32(m, TSMH_A_DEV_FLAGS, TSMH_DEV_F_TEE_IO | TSMH_DEV_F_DOE | TSMH_DEV_F_CMA);
	nla_put_u16(m, TSMH_A_DEV_IDE_OFFSET, 0x118);
	nla_put_u32(m, TSMH_A_DEV_IDE_CAP, 0x01010043);
	nla_put_u64(m, TSMH_A_DEV_SERIAL, 0x54534d4800000001ULL);
}

static void test_full_device(void **s)
{
	(void)s;
	put_dev("10000:03:00.0");
	put_mb(0x100, 3, TSMH_OWNER_HOST, "tsmd");
	assert_int_equal(parse(), 0);
	assert_string_equal(d.name, "10000:03:00.0");
	assert_int_equal(d.vendor, 0x1b36);
	assert_int_equal(d.class_rev, 0x12000001);
	assert_int_equal(d.ide_off, 0x118);
	assert_true(d.has_serial);
	assert_int_equal(d.nr_mb, 1);
	assert_int_equal(d.mb[0].off, 0x100);
	assert_int_equal(d.mb[0].nr_prots, 3);
	assert_int_equal(d.mb[0].prots[2].type, 2);
	assert_int_equal(d.mb[0].owner, TSMH_OWNER_HOST);
	assert_string_equal(d.mb[0].owner_name, "tsmd");
	assert_int_equal(d.mb[0].exchanges, 42);
}

static void test_missing_name(void **s)
{
	(void)s;
	nla_put_u16(m, TSMH_A_DEV_VENDOR, 0x1b36);
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "without a name"));
}

static void test_empty_name(void **s)
{
	(void)s;
	nla_put_string(m, TSMH_A_DEV_NAME, "");
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "empty name"));
}

static void test_wrong_width(void **s)
{
	(void)s;
	nla_put_string(m, TSMH_A_DEV_NAME, "x");
	nla_put_u8(m, TSMH_A_DEV_FLAGS, 1); /* u32 expected */
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "malformed"));
}

static void test_mailbox_without_offset(void **s)
{
	struct nlattr *mb;

	(void)s;
	put_dev("x");
	mb = nla_nest_start(m, TSMH_A_DEV_MAILBOX);
	nla_put_u32(m, TSMH_MB_A_OWNER, 0);
	nla_nest_end(m, mb);
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "without an offset"));
}

static void test_too_many_protocols(void **s)
{
	(void)s;
	put_dev("x");
	put_mb(0x100, DEVINFO_MAX_PROTS + 1, 0, NULL);
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "more than"));
}

static void test_too_many_mailboxes(void **s)
{
	int i;

	(void)s;
	put_dev("x");
	for (i = 0; i < DEVINFO_MAX_MB + 1; i++)
		put_mb((uint16_t)(0x100 + 0x18 * i), 1, 0, NULL);
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "mailboxes"));
}

static void test_protocol_missing_type(void **s)
{
	struct nlattr *mb, *p;

	(void)s;
	put_dev("x");
	mb = nla_nest_start(m, TSMH_A_DEV_MAILBOX);
	nla_put_u16(m, TSMH_MB_A_OFFSET, 0x100);
	p = nla_nest_start(m, TSMH_MB_A_PROTOCOL);
	nla_put_u16(m, TSMH_PROT_A_VENDOR, 1);
	nla_nest_end(m, p);
	nla_nest_end(m, mb);
	assert_int_equal(parse(), -EINVAL);
	assert_non_null(strstr(err, "malformed protocol"));
}

static void test_unknown_attrs_ignored(void **s)
{
	(void)s;
	/* a newer kernel may add attributes: old clients skip them */
	put_dev("x");
	nla_put_u32(m, TSMH_A_MAX + 5, 7);
	assert_int_equal(parse(), 0);
}

static void test_name_truncated_safely(void **s)
{
	char longname[64];

	(void)s;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[63] = 0;
	nla_put_string(m, TSMH_A_DEV_NAME, longname); /* policy maxlen 32 */
	assert_int_equal(parse(), -EINVAL);
}

static void test_prot_names(void **s)
{
	char b[16];

	(void)s;
	assert_string_equal(tsmh_prot_name(1, 1, b), "cma");
	assert_string_equal(tsmh_prot_name(1, 2, b), "sec-cma");
	assert_string_equal(tsmh_prot_name(1, 0, b), "discovery");
	assert_string_equal(tsmh_prot_name(0x1e98, 3, b), "1e98:03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_without_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_protocols, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_mailboxes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_missing_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attrs_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_truncated_safely, setup, teardown),
		cmocka_unit_test(test_prot_names),
	};

	return cmocka_run_group_tests_name("devinfo", tests, NULL, NULL);
}
