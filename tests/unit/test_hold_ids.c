// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lib/hold_ids.c: the tsmh_core hold_ids parameter is parsed strictly
 * (anything malformed is refused as a whole), matched exactly, and
 * formatted back to what parses to the same list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hold_ids.h"

static int parse(const char *s, struct tsmh_hold_id *ids)
{
	const char *why;
	int n = tsmh_hold_ids_parse(s, ids, TSMH_HOLD_IDS_MAX, &why);

	if (n < 0 && !why)
		fail_msg("\"%s\" refused without a reason", s);
	return n;
}

static void test_good(void **st)
{
	struct tsmh_hold_id ids[TSMH_HOLD_IDS_MAX];
	char buf[TSMH_HOLD_IDS_STR_MAX];

	(void)st;
	assert_int_equal(parse("", ids), 0);
	assert_int_equal(parse("\n", ids), 0);
	assert_int_equal(parse("1b36:1e10", ids), 1);
	assert_int_equal(ids[0].vendor, 0x1b36);
	assert_int_equal(ids[0].device, 0x1e10);
	assert_false(ids[0].any_device);
	assert_int_equal(parse("1B36:1E10,8086:*\n", ids), 2);
	assert_true(ids[1].any_device);
	assert_true(tsmh_hold_ids_match(ids, 2, 0x1b36, 0x1e10));
	assert_false(tsmh_hold_ids_match(ids, 2, 0x1b36, 0x1e11));
	assert_true(tsmh_hold_ids_match(ids, 2, 0x8086, 0x1234));
	assert_false(tsmh_hold_ids_match(ids, 2, 0x8087, 0x1e10));
	assert_false(tsmh_hold_ids_match(ids, 0, 0x1b36, 0x1e10));
	tsmh_hold_ids_format(ids, 2, buf, sizeof(buf));
	assert_string_equal(buf, "1b36:1e10,8086:*");
	assert_int_equal(parse("ffff:ffff,0000:0000", ids), 2);
	tsmh_hold_ids_format(ids, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_bad(void **st)
{
	static const char *const bad[] = {
		"1b36",
		"1b36:",
		"1b36:1e1",
		"1b36:1e100",
		"1b36:1e10,",
		",1b36:1e10",
		"1b36:1e10,,8086:1234",
		" 1b36:1e10",
		"1b36:1e10 ",
		"1b36 :1e10",
		"0x1b36:0x1e10",
		"1b3g:1e10",
		"1b36:1e1g",
		"*:1e10",
		"1b36:**",
		"1b36:*1",
		"1b36-1e10",
		"1b36:1e10\n\n",
		"1b36:1e10;8086:1234",
		"1b36:1e10\n8086:1234",
		"\n1b36:1e10",
		"1b36:1e10\r",
		"12345:1e10",
	};
	struct tsmh_hold_id ids[TSMH_HOLD_IDS_MAX];
	const char *why;
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], ids) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(tsmh_hold_ids_parse(NULL, ids, TSMH_HOLD_IDS_MAX, &why), -EINVAL);
	assert_non_null(why);
}

static void test_limits(void **st)
{
	struct tsmh_hold_id ids[TSMH_HOLD_IDS_MAX], back[TSMH_HOLD_IDS_MAX];
	char s[TSMH_HOLD_IDS_STR_MAX + 16], buf[TSMH_HOLD_IDS_STR_MAX];
	size_t pos = 0;
	int i;

	(void)st;
	for (i = 0; i < TSMH_HOLD_IDS_MAX; i++)
		pos += (size_t)snprintf(s + pos, sizeof(s) - pos, "%s%04x:%04x", i ? "," : "",
					0x1000 + i, 0xabcd);
	assert_int_equal(parse(s, ids), TSMH_HOLD_IDS_MAX);
	/* the longest list fits the buffer and parses back to itself */
	assert_int_equal(tsmh_hold_ids_format(ids, TSMH_HOLD_IDS_MAX, buf, sizeof(buf)), pos);
	assert_string_equal(buf, s);
	assert_int_equal(parse(buf, back), TSMH_HOLD_IDS_MAX);
	assert_memory_equal(ids, back, sizeof(ids));
	snprintf(s + pos, sizeof(s) - pos, ",1234:5678");
	assert_int_equal(parse(s, ids), -E2BIG);
	/* a small buffer: whole entries only, always terminated */
	assert_int_equal(tsmh_hold_ids_format(back, 2, buf, 12), 9);
	assert_string_equal(buf, "1000:abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
