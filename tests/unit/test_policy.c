// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd policy file: strict parsing (every error names the file and the
 * JSON path), defaults, rule order, the two-phase match (identity rules
 * make the daemon attest first) and the class/slot/identity wildcards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include "policy.h"

static char why[512];

static int parse(const char *text, struct tsmd_policy *p)
{
	return tsmd_policy_parse(text, strlen(text), "t.conf", p, why, sizeof(why));
}

static const char full[] =
	"{\n"
	"  \"trust_anchors\": \"/etc/tsmd/trust.d\",\n"
	"  \"allow_list\": \"/tmp/al.json\",\n"
	"  \"default\": \"certificate\",\n"
	"  \"present_devices\": \"keep\",\n"
	"  \"attest_timeout_ms\": 2000, \"max_parallel\": 3,\n"
	"  \"rules\": [\n"
	"    { \"comment\": \"boot NVMe\", \"match\": { \"slot\": \"0000:01:00.0\" }, \"require\": \"exempt\" },\n"
	"    { \"match\": { \"vendor\": \"1b36\", \"device\": \"1E10\", \"identity\": \"Vendor=1b36:Device=1e10*\" },\n"
	"      \"require\": \"measurements\", \"sources\": [\"host-cma\", \"firmware-tsm\"], \"combine\": \"any\" },\n"
	"    { \"match\": { \"vendor\": \"1b36\" }, \"require\": \"deny\" },\n"
	"    { \"match\": { \"class\": \"0108xx\" }, \"require\": \"ide\", \"sources\": [\"firmware-tsm\", \"host-cma\"], \"combine\": \"firmware-tsm\" }\n"
	"  ]\n"
	"}\n";

static void full_file_parses(void **s)
{
	struct tsmd_policy p;

	(void)s;
	assert_int_equal(parse(full, &p), 0);
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
	assert_int_equal(parse("{\"trust_anchors\": \"/a.pem\"}", &p), 0);
	assert_string_equal(p.allow_list, TSMD_ALLOWLIST_PATH);
	assert_int_equal(p.def.req, TSMD_REQ_MEASUREMENTS);
	assert_int_equal(p.present, TSMD_PRESENT_APPLY);
	assert_int_equal(p.attest_timeout_ms, 15000);
	assert_int_equal(p.max_parallel, 8);
	assert_int_equal(p.nr_rules, 0);
	tsmd_policy_free(&p);
}

static const struct {
	const char *text, *want;
} bad[] = {
	{ "{}", "t.conf: trust_anchors: required key missing" },
	{ "[]", "t.conf: expected an object" },
	{ "{\"trust_anchors\": \"/a\", \"bogus\": 1}", "t.conf: unknown key \"bogus\"" },
	{ "{\"trust_anchors\": \"/a\", \"trust_anchors\": \"/b\"}",
	  "duplicate key \"trust_anchors\"" },
	{ "{\"trust_anchors\": \"a.pem\"}", "t.conf: trust_anchors: must be an absolute path" },
	{ "{\"trust_anchors\": 5}", "t.conf: trust_anchors: expected a string" },
	{ "{\"trust_anchors\": \"/a\", \"allow_list\": \"\"}", "t.conf: allow_list: empty string" },
	{ "{\"trust_anchors\": \"/a\",\n \"default\": \"maybe\"}",
	  "t.conf: default: \"maybe\" is not one of: exempt, deny, certificate, measurements, ide" },
	{ "{\"trust_anchors\": \"/a\", \"present_devices\": \"all\"}",
	  "t.conf: present_devices: \"all\" is not one of" },
	{ "{\"trust_anchors\": \"/a\", \"attest_timeout_ms\": 0}",
	  "t.conf: attest_timeout_ms: out of range (100..600000)" },
	{ "{\"trust_anchors\": \"/a\", \"max_parallel\": 1.5}",
	  "t.conf: max_parallel: expected an integer" },
	{ "{\"trust_anchors\": \"/a\", \"max_parallel\": \"8\"}",
	  "t.conf: max_parallel: expected a number" },
	{ "{\"trust_anchors\": \"/a\", \"max_parallel\": 257}",
	  "t.conf: max_parallel: out of range" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": {}}", "t.conf: rules: expected an array" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\"}, {\"match\": {\"vendor\": \"1b3\"}, \"require\": \"deny\"}]}",
	  "t.conf: rules[1].match.vendor: expected exactly 4 hex digits, got \"1b3\"" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"vendor\": \"1b3g\"}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match.vendor: \"1b3g\" is not hex" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"device\": 4660}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match.device: expected a string" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"class\": \"01g8xx\"}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match.class: 'g' is neither hex nor 'x'" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"class\": \"0108\"}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match.class: expected 6 hex digits" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"serial\": \"00\"}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match: unknown key \"serial\"" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {}, \"require\": \"deny\"}]}",
	  "t.conf: rules[0].match: empty match" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"match\": {\"vendor\": \"1b36\"}}]}",
	  "t.conf: rules[0].require: required key missing" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\", \"sources\": []}]}",
	  "t.conf: rules[0].sources: empty" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\", \"sources\": [\"host-cma\", \"host-cma\"]}]}",
	  "t.conf: rules[0].sources[1]: \"host-cma\" listed twice" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\", \"sources\": [\"tpm\"]}]}",
	  "t.conf: rules[0].sources[0]: \"tpm\" is not one of: host-cma, firmware-tsm" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\", \"combine\": \"firmware-tsm\"}]}",
	  "t.conf: rules[0].combine: \"firmware-tsm\" is not in sources" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [{\"require\": \"deny\", \"combine\": \"most\"}]}",
	  "t.conf: rules[0].combine: \"most\" is not one of" },
	{ "{\"trust_anchors\": \"/a\", \"rules\": [5]}", "t.conf: rules[0]: expected an object" },
	{ "{\"trust_anchors\": \"/a\",\n  \"rules\": [\n    {\"require\": \"deny\",}\n  ]\n}",
	  "t.conf: JSON syntax error at line 3" },
	{ "{\"trust_anchors\": \"/a\"} x", "t.conf: trailing data after the JSON value" },
	{ "", "t.conf: JSON syntax error at line 1, column 1" },
};

static void errors_name_file_and_path(void **s)
{
	struct tsmd_policy p;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (parse(bad[i].text, &p) != -EINVAL || !strstr(why, bad[i].want)) {
			print_error("case %zu: got \"%s\", want \"%s\"\n", i, why, bad[i].want);
			fail();
		}
		/* nothing half-built is left behind */
		assert_null(p.rules);
		assert_null(p.trust_anchors);
		tsmd_policy_free(&p);
	}
}

static void load_missing_and_present_file(void **s)
{
	char path[] = "/tmp/tsmd-policy-XXXXXX";
	struct tsmd_policy p;
	int fd;

	(void)s;
	assert_int_equal(tsmd_policy_load("/nonexistent/tsmd.conf", &p, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/nonexistent/tsmd.conf: No such file"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, full, strlen(full)), (ssize_t)strlen(full));
	close(fd);
	assert_int_equal(tsmd_policy_load(path, &p, why, sizeof(why)), 0);
	assert_int_equal(p.nr_rules, 4);
	tsmd_policy_free(&p);
	/* a broken file names itself */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{\"x\":1}", 7), 7);
	close(fd);
	assert_int_equal(tsmd_policy_load(path, &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, path));
	unlink(path);
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
	assert_int_equal(parse(full, &p), 0);
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
	assert_int_equal(parse(full, &p), 0);
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
	static const char text[] =
		"{\"trust_anchors\": \"/a\", \"default\": \"deny\", \"rules\": ["
		"{\"match\": {\"class\": \"02xxxx\"}, \"require\": \"certificate\"},"
		"{\"match\": {\"slot\": \"0000:0[3-4]:*\"}, \"require\": \"exempt\"},"
		"{\"match\": {\"identity\": \"*Device=abcd*\"}, \"require\": \"measurements\"}]}";
	struct tsmd_dev_facts d = qemu;
	const struct tsmd_rule *r;
	struct tsmd_policy p;

	(void)s;
	assert_int_equal(parse(text, &p), 0);
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file_parses),
		cmocka_unit_test(defaults),
		cmocka_unit_test(errors_name_file_and_path),
		cmocka_unit_test(load_missing_and_present_file),
		cmocka_unit_test(first_matching_rule_wins),
		cmocka_unit_test(two_phase_match),
		cmocka_unit_test(wildcards_and_default),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
