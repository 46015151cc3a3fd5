// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lib/names.c: every value of each uapi enum up to its count has a name,
 * no two values of one enum share a name, and out-of-range values get the
 * "unknown" fallback (never NULL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "names.h"

static void check_table(const char *what, const char *(*name)(uint32_t), uint32_t nr,
			int unknown_allowed_at)
{
	uint32_t i, j;

	for (i = 0; i < nr; i++) {
		const char *n = name(i);

		if (!n || !*n)
			fail_msg("%s %u has no name", what, i);
		if (!strcmp(n, TSMH_NAME_UNKNOWN) && (int)i != unknown_allowed_at)
			fail_msg("%s %u has no name (falls back to \"%s\")", what, i, n);
		for (j = 0; j < i; j++)
			if (!strcmp(n, name(j)))
				fail_msg("%s %u and %u share the name \"%s\"", what, j, i, n);
	}
	assert_string_equal(name(nr), TSMH_NAME_UNKNOWN);
	assert_string_equal(name(0xffffffffu), TSMH_NAME_UNKNOWN);
}

static void test_gate_state(void **s)
{
	(void)s;
	check_table("gate state", tsmh_gate_state_name, __TSMH_GATE_STATE_NR, -1);
	assert_string_equal(tsmh_gate_state_name(TSMH_GATE_HELD), "held");
}

static void test_gate_reason(void **s)
{
	(void)s;
	check_table("gate reason", tsmh_gate_reason_name, __TSMH_GATE_R_NR, -1);
	assert_string_equal(tsmh_gate_reason_name(TSMH_GATE_R_NOT_CMA), "not-cma");
}

static void test_gate_action(void **s)
{
	(void)s;
	check_table("gate action", tsmh_gate_action_name, __TSMH_GATE_ACT_NR, -1);
	assert_string_equal(tsmh_gate_action_name(TSMH_GATE_ACT_QUARANTINE), "quarantine");
}

static void test_reset_kind(void **s)
{
	(void)s;
	/* value 0 is the kind the kernel could not tell: its name is "unknown" */
	check_table("reset kind", tsmh_reset_kind_name, __TSMH_RESET_NR, TSMH_RESET_UNKNOWN);
	/* the words of tsmctl's documented output, also in the kernel log */
	assert_string_equal(tsmh_reset_kind_name(TSMH_RESET_FLR), "flr");
	assert_string_equal(tsmh_reset_kind_name(TSMH_RESET_BUS), "bus");
	assert_string_equal(tsmh_reset_kind_name(TSMH_RESET_RECOVERY), "recovery");
}

static void test_doe_backend(void **s)
{
	(void)s;
	check_table("DOE backend", tsmh_doe_backend_name, __TSMH_DOE_BACKEND_NR, -1);
	assert_string_equal(tsmh_doe_backend_name(TSMH_DOE_BACKEND_CFG), "cfg");
}

static const char *pcisig_prot(uint32_t type)
{
	return type > 0xff ? TSMH_NAME_UNKNOWN : tsmh_doe_prot_name(TSMH_DOE_VID_PCISIG, type);
}

static void test_doe_prot(void **s)
{
	(void)s;
	check_table("PCI-SIG DOE protocol", pcisig_prot, TSMH_DOE_PCISIG_PROT_NR, -1);
	assert_true(tsmh_doe_prot_known(TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_CMA));
	assert_false(tsmh_doe_prot_known(TSMH_DOE_VID_PCISIG, TSMH_DOE_PCISIG_PROT_NR));
	/* another vendor's type 1 is not CMA */
	assert_false(tsmh_doe_prot_known(0x1b36, TSMH_DOE_PROT_CMA));
	assert_string_equal(tsmh_doe_prot_name(0x1b36, TSMH_DOE_PROT_CMA), TSMH_NAME_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_state),  cmocka_unit_test(test_gate_reason),
		cmocka_unit_test(test_gate_action), cmocka_unit_test(test_reset_kind),
		cmocka_unit_test(test_doe_backend), cmocka_unit_test(test_doe_prot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
