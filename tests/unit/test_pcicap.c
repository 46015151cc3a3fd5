// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Capability walk: well-formed spaces and every malformed chain we know
 * of (loops, pointers into the header, ID-0 entries with a next pointer,
 * truncated config space, absent device).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pcicap.h"

static uint8_t cfg[4096];

static int rd(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	*v = tsmh_get_le32(cfg + off);
	return 0;
}

static void put16(int off, uint16_t v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

static void put32(int off, uint32_t v)
{
	tsmh_put_le32(cfg + off, v);
}

static uint32_t ext(uint16_t id, uint16_t next)
{
	return id | 1u << 16 | (uint32_t)next << 20;
}

/* A TEE-IO endpoint: PM at 0x40 -> PCIe at 0x50; DOE 0x100 -> IDE 0x150 -> DSN 0x200 */
static void good_ep(void)
{
	memset(cfg, 0, sizeof(cfg));
	put32(0x00, 0x1e101b36);
	put32(0x08, 0x12000001);
	put16(0x06, 0x0010);
	cfg[0x34] = 0x40;
	put16(0x40, 0x5001); /* PM, next 0x50 */
	put16(0x50, 0x0010); /* PCIe, next 0 */
	put16(0x52, 0x0002); /* v2, endpoint */
	put32(0x54, TSMH_EXP_DEVCAP_TEE | TSMH_EXP_DEVCAP_FLR);
	put32(0x100, ext(TSMH_EXT_CAP_ID_DOE, 0x150));
	put32(0x150, ext(TSMH_EXT_CAP_ID_IDE, 0x200));
	put32(0x154,
	      TSMH_IDE_CAP_SELECTIVE | TSMH_IDE_CAP_LINK | (3u << TSMH_IDE_CAP_SEL_NUM_SHIFT));
	put32(0x200, ext(0x03, 0));
}

static struct tsmh_caps c;

static int walk(uint32_t size)
{
	struct tsmh_cfg_reader r = { .read32 = rd, .size = size };

	return tsmh_caps_walk(&r, &c);
}

static void test_good_endpoint(void **s)
{
	(void)s;
	good_ep();
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.vendor, 0x1b36);
	assert_int_equal(c.device, 0x1e10);
	assert_int_equal(c.class_rev >> 8, 0x120000);
	assert_int_equal(c.exp_off, 0x50);
	assert_int_equal(c.exp_type, 0);
	assert_true(c.tee_io);
	assert_int_equal(c.nr_doe, 1);
	assert_int_equal(c.doe_off[0], 0x100);
	assert_int_equal(c.ide_off, 0x150);
	assert_int_equal(tsmh_ide_nr_sel_streams(c.ide_cap), 4);
	assert_int_equal(tsmh_ide_nr_link_tcs(c.ide_cap), 1);
	assert_int_equal(c.nr_caps, 5);
	assert_int_equal(c.anomalies, 0);
}

static void test_legacy_256_hides_ext(void **s)
{
	(void)s;
	good_ep();
	assert_int_equal(walk(256), 0);
	assert_true(c.tee_io);
	assert_int_equal(c.nr_doe, 0);
	assert_int_equal(c.ide_off, 0);
	assert_int_equal(c.anomalies, 0);
}

static void test_absent_device(void **s)
{
	(void)s;
	memset(cfg, 0xff, sizeof(cfg));
	assert_int_equal(walk(4096), -ENODEV);
	memset(cfg, 0, sizeof(cfg));
	assert_int_equal(walk(4096), -ENODEV);
}

static void test_bad_size(void **s)
{
	(void)s;
	good_ep();
	assert_int_equal(walk(100), -EINVAL);
	assert_int_equal(walk(4097), -EINVAL);
}

static void test_std_loop(void **s)
{
	(void)s;
	good_ep();
	put16(0x50, 0x4010); /* PCIe -> back to PM */
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_STD_LOOP);
	assert_int_equal(c.anomaly_at, 0x40);
	assert_int_equal(c.exp_off, 0x50); /* what was found is kept */
	assert_non_null(tsmh_caps_anomaly_str(c.anomalies));
}

static void test_std_self_loop(void **s)
{
	(void)s;
	good_ep();
	put16(0x40, 0x4001); /* PM -> itself */
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_STD_LOOP);
	assert_int_equal(c.exp_off, 0); /* never reached */
	assert_int_equal(c.nr_doe, 0); /* so no ext walk */
}

static void test_std_pointer_into_header(void **s)
{
	(void)s;
	good_ep();
	cfg[0x34] = 0x10;
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_STD_PTR);
	assert_int_equal(c.nr_caps, 0);
}

static void test_std_pcie_cap_at_end(void **s)
{
	(void)s;
	good_ep();
	cfg[0x34] = 0xfc; /* PCIe cap whose DEVCAP would be past 256 */
	put16(0xfc, 0x0010);
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_STD_PTR);
	assert_false(c.tee_io);
}

static void test_ext_loop(void **s)
{
	(void)s;
	good_ep();
	put32(0x200, ext(0x03, 0x100)); /* DSN -> DOE again */
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_EXT_LOOP);
	assert_int_equal(c.nr_doe, 1); /* the DOE is not counted twice */
	assert_int_equal(c.anomaly_at, 0x100);
}

static void test_ext_pointer_into_legacy(void **s)
{
	(void)s;
	good_ep();
	put32(0x150, ext(TSMH_EXT_CAP_ID_IDE, 0x080));
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_EXT_PTR);
	assert_int_equal(c.ide_off, 0x150);
}

static void test_ext_null_id_with_next(void **s)
{
	(void)s;
	good_ep();
	put32(0x100, ext(0, 0x150)); /* ID 0 but a next pointer */
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_EXT_NULLID);
	assert_int_equal(c.nr_doe, 0);
	assert_int_equal(c.ide_off, 0x150); /* the walk went on */
}

static void test_ext_points_past_end(void **s)
{
	(void)s;
	good_ep();
	put32(0x200, ext(0x03, 0xffc)); /* last dword: header fits */
	put32(0xffc, ext(0x0b, 0));
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.anomalies, 0);
	assert_int_equal(c.nr_caps, 6);
}

static void test_ext_ide_truncated(void **s)
{
	(void)s;
	good_ep();
	put32(0x200, ext(0x03, 0xffc));
	put32(0xffc, ext(TSMH_EXT_CAP_ID_IDE, 0)); /* 2nd IDE: ignored */
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.ide_off, 0x150);
	good_ep();
	put32(0x100, ext(TSMH_EXT_CAP_ID_IDE, 0)); /* fine at 0x100 */
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.ide_off, 0x100);
}

static void test_ext_misaligned(void **s)
{
	(void)s;
	good_ep();
	/* the low two bits of the next field are reserved: flagged, masked */
	put32(0x100, TSMH_EXT_CAP_ID_DOE | 1u << 16 | (0x151u << 20));
	assert_int_equal(walk(4096), 0);
	assert_true(c.anomalies & TSMH_CAPS_A_EXT_PTR);
	assert_int_equal(c.ide_off, 0x150);
}

static void test_many_doe(void **s)
{
	int i;

	(void)s;
	good_ep();
	for (i = 0; i < TSMH_MAX_DOE + 2; i++)
		put32(0x100 + 8 * i,
		      ext(TSMH_EXT_CAP_ID_DOE, i == TSMH_MAX_DOE + 1 ? 0 : 0x108 + 8 * i));
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.nr_doe, TSMH_MAX_DOE);
	assert_true(c.anomalies & TSMH_CAPS_A_TOO_MANY_DOE);
}

static void test_long_chain_bounded(void **s)
{
	int i;

	(void)s;
	good_ep();
	/* 960 distinct entries: more than we record, but no loop */
	for (i = 0; i < 960; i++)
		put32(0x100 + 4 * i, ext(0x0b, i == 959 ? 0 : 0x104 + 4 * i));
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.nr_caps, TSMH_MAX_CAPS);
	assert_true(c.anomalies & TSMH_CAPS_A_TOO_MANY);
	assert_false(c.anomalies & TSMH_CAPS_A_EXT_LOOP);
}

static void test_no_cap_list(void **s)
{
	(void)s;
	good_ep();
	put16(0x06, 0); /* Status: no capabilities list */
	assert_int_equal(walk(4096), 0);
	assert_int_equal(c.nr_caps, 0);
	assert_int_equal(c.exp_off, 0);
}

static int err_rd(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	if (off >= 0x100)
		return -EIO;
	*v = tsmh_get_le32(cfg + off);
	return 0;
}

static void test_reader_error(void **s)
{
	struct tsmh_cfg_reader r = { .read32 = err_rd, .size = 4096 };

	(void)s;
	good_ep();
	assert_int_equal(tsmh_caps_walk(&r, &c), -EIO);
}

static void test_cap_names_assigned(void **s)
{
	unsigned int id;

	(void)s;
	/* the GPU case from issue 11: Power Budgeting printed as "Unknown" */
	assert_string_equal(tsmh_cap_name(0x04, 1), "Power Budgeting");
	assert_string_equal(tsmh_cap_name(0x14, 0), "Enhanced Allocation");
	/* every assigned ID has a name: 0x01-0x15 standard, 0x01-0x36 extended */
	for (id = 0x01; id <= 0x15; id++)
		assert_string_not_equal(tsmh_cap_name(id, 0), "Unknown");
	for (id = 0x01; id <= 0x36; id++)
		assert_string_not_equal(tsmh_cap_name(id, 1), "Unknown");
	/* and nothing past the table, nor ID 0, is invented */
	assert_string_equal(tsmh_cap_name(0x00, 1), "Unknown");
	assert_string_equal(tsmh_cap_name(0x16, 0), "Unknown");
	assert_string_equal(tsmh_cap_name(0x37, 1), "Unknown");
	assert_string_equal(tsmh_cap_name(0xffff, 1), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_endpoint),
		cmocka_unit_test(test_legacy_256_hides_ext),
		cmocka_unit_test(test_absent_device),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_std_loop),
		cmocka_unit_test(test_std_self_loop),
		cmocka_unit_test(test_std_pointer_into_header),
		cmocka_unit_test(test_std_pcie_cap_at_end),
		cmocka_unit_test(test_ext_loop),
		cmocka_unit_test(test_ext_pointer_into_legacy),
		cmocka_unit_test(test_ext_null_id_with_next),
		cmocka_unit_test(test_ext_points_past_end),
		cmocka_unit_test(test_ext_ide_truncated),
		cmocka_unit_test(test_ext_misaligned),
		cmocka_unit_test(test_many_doe),
		cmocka_unit_test(test_long_chain_bounded),
		cmocka_unit_test(test_no_cap_list),
		cmocka_unit_test(test_reader_error),
		cmocka_unit_test(test_cap_names_assigned),
	};

	return cmocka_run_group_tests_name("pcicap", tests, NULL, NULL);
}
