// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd policy file: strict parsing (every error names the file and the
 * JSON path), defaults, rule order, the two-phase match (identity rules
 * make the daemon attest first) and the class/slot/identity wildcards.
 * The inputs are files (tests/data/README): each NAME.json in
 * tests/data/policy/good must parse, each in tests/data/policy/bad must be
 * refused with the error in the NAME.expect beside it (parsed under the
 * name "t.conf").
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "policy.h"
#include "testdata.h"

static char why[512];

/* tests/data/policy/good/NAME, parsed as "t.conf" */
static void parse_good(const char *name, struct tsmd_policy *p)
{
	char rel[128], *text;
	size_t len;
	int ret;

	snprintf(rel, sizeof(rel), "policy/good/%s", name);
	text = tsmh_td_read(rel, &len);
	why[0] = 0;
	ret = tsmd_policy_parse(text, len, "t.conf", p, why, sizeof(why));
	free(text);
	if (ret)
		fail_msg("%s: %s", rel, why);
}

static void good_file_parses(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_policy p;

	why[0] = 0;
	if (tsmd_policy_parse(f->text, f->len, "t.conf", &p, why, sizeof(why)))
		fail_msg("%s: refused: %s", f->path, why);
	assert_non_null(p.trust_anchors);
	tsmd_policy_free(&p);
}

/* every error names the file and the JSON path */
static void bad_file_refused(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_policy p;
	int ret;

	why[0] = 0;
	ret = tsmd_policy_parse(f->text, f->len, "t.conf", &p, why, sizeof(why));
	if (!ret)
		tsmd_policy_free(&p);
	if (ret != -EINVAL || !strstr(why, f->expect))
		fail_msg("%s: got %d \"%s\", want -EINVAL \"%s\"", f->path, ret, why, f->expect);
	/* nothing half-built is left behind */
	assert_null(p.rules);
	assert_null(p.trust_anchors);
	tsmd_policy_free(&p);
}

static void full_file_parses(void **s)
{
	struct tsmd_policy p;

	(void)s;
	parse_good("full.json", &p);
	assert_string_equal(p.trust_anchors, "/etc/tsmd/trust.d");
	assert_string_equal(p.allow_list, "/tmp/al.json");
	assert_int_equal(p.def.req, TSMD_REQ_CERTIFICATE);
	assert_int_equal(p.def.index, -1);
	assert_int_equal(p.present, TSMD_PRESENT_KEEP);
	assert_int_equal(p.attest_timeout_ms, 2000);
	assert_int_equal(p.max_parallel, 3);
	assert_int_equal(p.nr_rules, 4);
	assert_string_equal(p.rules[0].comment, "boot NVMe");
	assert_int_equal(p.rules[0].req, TSMD_REQ_EXEMPT);
	assert_int_equal(p.rules[0].match.has, TSMD_M_SLOT);
	assert_int_equal(p.rules[1].match.has, TSMD_M_VENDOR | TSMD_M_DEVICE | TSMD_M_IDENTITY);
	assert_int_equal(p.rules[1].match.device, 0x1e10);
	assert_int_equal(p.rules[1].sources, 3);
	assert_int_equal(p.rules[1].combine, TSMD_COMBINE_ANY);
	assert_int_equal(p.rules[2].sources, 1u << TSMD_SRC_HOST_CMA);
	assert_int_equal(p.rules[2].combine, TSMD_COMBINE_ALL);
	assert_int_equal(p.rules[3].combine, TSMD_COMBINE_NAMED);
	assert_int_equal(p.rules[3].combine_source, TSMD_SRC_FIRMWARE_TSM);
	assert_int_equal(p.rules[3].match.class_val, 0x010800);
	assert_int_equal(p.rules[3].match.class_mask, 0xffff00);
	tsmd_policy_free(&p);
}

static void defaults(void **s)
{
	struct tsmd_policy p;

	(void)s;
	parse_good("defaults.json", &p);
	assert_string_equal(p.allow_list, TSMD_ALLOWLIST_PATH);
	assert_int_equal(p.def.req, TSMD_REQ_MEASUREMENTS);
	assert_int_equal(p.present, TSMD_PRESENT_APPLY);
	assert_int_equal(p.attest_timeout_ms, 15000);
	assert_int_equal(p.max_parallel, 8);
	assert_int_equal(p.nr_rules, 0);
	tsmd_policy_free(&p);
}

static void load_missing_and_present_file(void **s)
{
	struct tsmd_policy p;
	const char *path;

	(void)s;
	assert_int_equal(tsmd_policy_load("/nonexistent/tsmd.conf", &p, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/nonexistent/tsmd.conf: No such file"));
	path = tsmh_td_path("policy/good/full.json");
	assert_int_equal(tsmd_policy_load(path, &p, why, sizeof(why)), 0);
	assert_int_equal(p.nr_rules, 4);
	tsmd_policy_free(&p);
	/* a broken file names itself */
	path = tsmh_td_path("policy/bad/unknown-key.json");
	assert_int_equal(tsmd_policy_load(path, &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, path));
	/* a directory says so (it said "Invalid argument") */
	assert_int_equal(tsmd_policy_load("/tmp", &p, why, sizeof(why)), -EISDIR);
	assert_non_null(strstr(why, "/tmp: is a directory"));
	/* a FIFO in the config's place: refused at once, not waited on (tsmd hung) */
	{
		char fifo[64] = "/tmp/tsmh-test-fifo-XXXXXX";

		close(mkstemp(fifo));
		unlink(fifo);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_int_equal(tsmd_policy_load(fifo, &p, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "not a regular file"));
		unlink(fifo);
	}
}

static const struct tsmd_dev_facts nvme = {
	.name = "0000:01:00.0", .vendor = 0x8086, .device = 0x0a54, .class_code = 0x010802
};
static const struct tsmd_dev_facts qemu = {
	.name = "0000:03:00.0", .vendor = 0x1b36, .device = 0x1e10, .class_code = 0x010802
};
static const struct tsmd_dev_facts qemu2 = {
	.name = "0000:04:00.0", .vendor = 0x1b36, .device = 0x0010, .class_code = 0x020000
};
static const struct tsmd_dev_facts other = {
	.name = "0000:05:00.0", .vendor = 0x15b3, .device = 0x1021, .class_code = 0x010801
};

static void first_matching_rule_wins(void **s)
{
	const struct tsmd_rule *r;
	struct tsmd_policy p;

	(void)s;
	parse_good("full.json", &p);
	/* rule 1 (slot) decides before any identity rule: no attestation */
	assert_int_equal(tsmd_policy_match(&p, &nvme, NULL, &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[0]);
	/* 1b36:0010 skips rule 2 (device differs) and hits the vendor-only deny */
	assert_int_equal(tsmd_policy_match(&p, &qemu2, NULL, &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[2]);
	assert_int_equal(r->req, TSMD_REQ_DENY);
	/* class 010801 matches 0108xx (rule 4) */
	assert_int_equal(tsmd_policy_match(&p, &other, NULL, &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[3]);
	tsmd_policy_free(&p);
}

static void two_phase_match(void **s)
{
	const struct tsmd_rule *r;
	struct tsmd_policy p;

	(void)s;
	parse_good("full.json", &p);
	/* rule 2 needs the identity: attest first, even though rule 3 would deny */
	assert_int_equal(tsmd_policy_match(&p, &qemu, NULL, &r), TSMD_MATCH_ATTEST);
	assert_ptr_equal(r, &p.rules[1]);
	/* after attestation: the identity glob decides */
	assert_int_equal(tsmd_policy_match(&p, &qemu, "Vendor=1b36:Device=1e10:SSVID=1b36", &r),
			 TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[1]);
	/* a different identity falls through to the vendor deny */
	assert_int_equal(tsmd_policy_match(&p, &qemu, "Vendor=1b36:Device=1e11", &r),
			 TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[2]);
	/* no SAN in the leaf ("") does not match a non-trivial glob */
	assert_int_equal(tsmd_policy_match(&p, &qemu, "", &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[2]);
	tsmd_policy_free(&p);
}

static void wildcards_and_default(void **s)
{
	struct tsmd_dev_facts d = qemu;
	const struct tsmd_rule *r;
	struct tsmd_policy p;

	(void)s;
	parse_good("wildcards.json", &p);
	/* class 020000 matches 02xxxx */
	assert_int_equal(tsmd_policy_match(&p, &qemu2, NULL, &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[0]);
	/* 010802 does not; the slot glob does */
	assert_int_equal(tsmd_policy_match(&p, &qemu, NULL, &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[1]);
	/* slot 05 misses the glob; the identity rule (no other keys) needs attestation */
	assert_int_equal(tsmd_policy_match(&p, &other, NULL, &r), TSMD_MATCH_ATTEST);
	assert_ptr_equal(r, &p.rules[2]);
	assert_int_equal(tsmd_policy_match(&p, &other, "Vendor=15b3:Device=abcd", &r),
			 TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.rules[2]);
	/* nothing matches: the default */
	assert_int_equal(tsmd_policy_match(&p, &other, "Vendor=15b3:Device=1021", &r),
			 TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.def);
	assert_int_equal(r->req, TSMD_REQ_DENY);
	/* the class mask really compares the fixed nibbles */
	d.class_code = 0x030000;
	d.name = "0000:09:00.0";
	assert_int_equal(tsmd_policy_match(&p, &d, "x", &r), TSMD_MATCH_DECIDED);
	assert_ptr_equal(r, &p.def);
	tsmd_policy_free(&p);
}

static void names(void **s)
{
	struct tsmd_rule r = { .index = 0 };
	char b[32];

	(void)s;
	assert_string_equal(tsmd_rule_name(&r, b, sizeof(b)), "rule 1");
	r.index = -1;
	assert_string_equal(tsmd_rule_name(&r, b, sizeof(b)), "the default");
	assert_string_equal(tsmd_req_name(TSMD_REQ_IDE), "ide");
	assert_string_equal(tsmd_source_name(TSMD_SRC_FIRMWARE_TSM), "firmware-tsm");
	assert_string_equal(tsmd_present_name(TSMD_PRESENT_KEEP), "keep");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file_parses),
		cmocka_unit_test(defaults),
		cmocka_unit_test(load_missing_and_present_file),
		cmocka_unit_test(first_matching_rule_wins),
		cmocka_unit_test(two_phase_match),
		cmocka_unit_test(wildcards_and_default),
		cmocka_unit_test(names),
	};
	struct tsmh_td_tests t = { 0 };

	tsmh_td_add(&t, tests, sizeof(tests) / sizeof(tests[0]));
	tsmh_td_add_dir(&t, "policy", "good", good_file_parses);
	tsmh_td_add_dir(&t, "policy", "bad", bad_file_refused);
	return tsmh_td_run(&t, "policy", NULL, NULL);
}
