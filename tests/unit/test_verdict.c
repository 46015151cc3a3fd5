// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Verdicts: every requirement level, unknown and denied devices, changed
 * and multiple accepted measurement sets, source combination with the
 * (absent) firmware TSM, the two-phase decision, the accepted digest's
 * documented encoding, summary diffs and generate-policy round trips.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "generate.h"
#include "verdict.h"
#include "testdata.h"

static char why[512];

static const struct tsmd_dev_facts dev = { .name = "0000:03:00.0",
					   .vendor = 0x1b36,
					   .device = 0x1e10,
					   .class_code = 0x010802,
					   .has_serial = 1,
					   .serial = 0x1122334455667788ull };

static const uint8_t rom[] = { 0x00, 0x11 };
static const uint8_t fw_old[] = { 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f };
static const uint8_t fw_new[] = { 0x9f, 0x8e, 0x7d, 0x6c, 0x5b, 0x4a };
static const uint8_t cfg[] = { 0x42 };

static const struct tsmd_meas_block set_old[] = {
	{ 1, 0x80, sizeof(rom), rom },
	{ 2, 1, sizeof(fw_old), fw_old },
	{ 3, 3, 1, cfg },
};
static const struct tsmd_meas_block set_new[] = {
	{ 3, 3, 1, cfg },
	{ 2, 1, sizeof(fw_new), fw_new },
	{ 1, 0x80, sizeof(rom), rom },
};

static void summary(struct tsmd_attest_summary *s, uint8_t key, const struct tsmd_meas_block *b,
		    size_t nr)
{
	memset(s, 0, sizeof(*s));
	s->src[TSMD_SRC_HOST_CMA].state = TSMD_SRC_OK;
	s->src[TSMD_SRC_FIRMWARE_TSM].state = TSMD_SRC_UNAVAILABLE;
	s->has_spki = 1;
	memset(s->spki_sha384, key, sizeof(s->spki_sha384));
	s->identity = "Vendor=1b36:Device=1e10:SSVID=1b36:SSID=0000";
	s->meas_verified = 1;
	s->blocks = b;
	s->nr_blocks = nr;
}

static void identity_of(struct tsmd_identity *id, uint8_t key)
{
	struct tsmd_attest_summary s;

	summary(&s, key, NULL, 0);
	tsmd_device_identity(&dev, &s, id);
}

/* an allow-list with device key 0xaa accepted with set_old */
static void allowlist(struct tsmd_allowlist *al)
{
	struct tsmd_al_upsert o = { .label = "nic" };
	struct tsmd_identity id;

	tsmd_allowlist_init(al);
	identity_of(&id, 0xaa);
	assert_int_equal(tsmd_allowlist_allow(al, &id, set_old, 3, &o, why, sizeof(why)), 1);
}

static void rule_of(struct tsmd_rule *r, enum tsmd_req req)
{
	memset(r, 0, sizeof(*r));
	r->req = req;
	r->sources = 1u << TSMD_SRC_HOST_CMA;
}

static void exempt_and_deny_rules(void **st)
{
	struct tsmd_allowlist al;
	struct tsmd_identity id = { 0 };
	struct tsmd_verdict v;
	struct tsmd_rule r;

	(void)st;
	allowlist(&al);
	rule_of(&r, TSMD_REQ_EXEMPT);
	tsmd_verdict(&r, &al, &dev, NULL, &v);
	assert_true(v.release);
	assert_int_equal(v.code, TSMD_V_RELEASE_EXEMPT);
	assert_int_equal(v.digest_len, 0);
	assert_string_equal(v.reason, "exempt by rule 1 (not attested)");
	rule_of(&r, TSMD_REQ_DENY);
	r.index = 2;
	tsmd_verdict(&r, &al, &dev, NULL, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_DENY_RULE);
	assert_string_equal(v.reason, "denied by rule 3");
	/* an ID/serial deny entry holds even an exempt device */
	id.has = TSMD_ID_VENDOR | TSMD_ID_SERIAL;
	id.vendor = 0x1b36;
	id.serial = dev.serial;
	assert_int_equal(tsmd_allowlist_deny(&al, &id,
					     &(struct tsmd_al_upsert){ .label = "recall" }, why,
					     sizeof(why)),
			 1);
	rule_of(&r, TSMD_REQ_EXEMPT);
	tsmd_verdict(&r, &al, &dev, NULL, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_DENY_ENTRY);
	assert_string_equal(v.reason, "denied by allow-list entry \"recall\"");
	tsmd_verdict(NULL, &al, &dev, NULL, &v);
	assert_false(v.release);
	tsmd_allowlist_free(&al);
}

static void certificate_level(void **st)
{
	struct tsmd_attest_summary s;
	struct tsmd_allowlist al;
	struct tsmd_verdict v;
	struct tsmd_rule r;

	(void)st;
	allowlist(&al);
	rule_of(&r, TSMD_REQ_CERTIFICATE);
	/* not attested: held */
	tsmd_verdict(&r, &al, &dev, NULL, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_NOT_ATTESTED);
	/* known key; certificate does not look at measurements */
	summary(&s, 0xaa, set_new, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.code, TSMD_V_RELEASE_ATTESTED);
	assert_int_equal(v.digest_len, TSMD_ACCEPT_DIGEST_LEN);
	assert_string_equal(v.reason, "certificate verified by rule 1 (allow-list entry \"nic\")");
	/* unknown key */
	summary(&s, 0xbb, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_UNKNOWN);
	assert_int_equal(v.digest_len, 0);
	assert_string_equal(v.reason,
			    "unknown device: not in the allow-list (tsmctl allow 0000:03:00.0)");
	/* empty allow-list: the same */
	tsmd_verdict(&r, NULL, &dev, &s, &v);
	assert_int_equal(v.code, TSMD_V_HOLD_UNKNOWN);
	/* attestation failed */
	summary(&s, 0xaa, set_old, 3);
	s.src[TSMD_SRC_HOST_CMA].state = TSMD_SRC_FAILED;
	s.step = "CHALLENGE";
	strcpy(s.src[TSMD_SRC_HOST_CMA].why, "signature does not verify");
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_ATTEST_FAILED);
	assert_string_equal(v.reason, "attestation failed at CHALLENGE: signature does not verify");
	/* "ok" without a key is not ok */
	summary(&s, 0xaa, set_old, 3);
	s.has_spki = 0;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	tsmd_allowlist_free(&al);
}

static void measurements_level(void **st)
{
	struct tsmd_attest_summary s;
	struct tsmd_allowlist al;
	struct tsmd_identity id;
	struct tsmd_verdict v;
	struct tsmd_rule r;
	uint8_t d_old[48];

	(void)st;
	allowlist(&al);
	rule_of(&r, TSMD_REQ_MEASUREMENTS);
	summary(&s, 0xaa, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.set, 0);
	assert_int_equal(v.digest_len, 48);
	memcpy(d_old, v.digest, 48);
	assert_string_equal(
		v.reason,
		"measurements verified by rule 1 (allow-list entry \"nic\", measurement set 0)");
	/* new firmware: held, naming exactly index 2 */
	summary(&s, 0xaa, set_new, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_MEAS_CHANGED);
	assert_string_equal(
		v.reason,
		"measurement 2 (firmware) changed: accepted 1a2b3c4d\u2026, now 9f8e7d6c\u2026");
	assert_int_equal(v.changed.nr, 1);
	assert_true(tsmd_meas_diff_has(&v.changed, 2));
	assert_false(tsmd_meas_diff_has(&v.changed, 1));
	/* unsigned measurements are not enough */
	summary(&s, 0xaa, set_old, 3);
	s.meas_verified = 0;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_int_equal(v.code, TSMD_V_HOLD_MEAS_UNVERIFIED);
	/* the admin accepts the update: both versions release, different digests */
	identity_of(&id, 0xaa);
	assert_int_equal(tsmd_allowlist_allow(&al, &id, set_new, 3, NULL, why, sizeof(why)), 1);
	summary(&s, 0xaa, set_new, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.set, 1);
	assert_memory_not_equal(v.digest, d_old, 48);
	summary(&s, 0xaa, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.set, 0);
	assert_memory_equal(v.digest, d_old, 48);
	/* a block missing is a change too */
	summary(&s, 0xaa, set_old, 2);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_non_null(strstr(v.reason, "measurement 3 (fw-config) missing"));
	/* an entry without sets */
	identity_of(&id, 0xcc);
	assert_int_equal(tsmd_allowlist_allow(&al, &id, NULL, 0, NULL, why, sizeof(why)), 1);
	assert_int_equal(al.e[al.nr - 1].nr_sets, 0);
	summary(&s, 0xcc, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_MEAS_NONE_ACCEPTED);
	assert_string_equal(
		v.reason,
		"allow-list entry (spki cccccccc\u2026 san \"Vendor=1b36:Device=1e10:SSVID=1b36:SSID=0000\" 1b36:1e10 serial 1122334455667788) has no accepted measurements (tsmctl allow 0000:03:00.0)");
	/* but certificate is enough for it */
	r.req = TSMD_REQ_CERTIFICATE;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	tsmd_allowlist_free(&al);
}

static void deny_entry_and_ide(void **st)
{
	uint8_t dg[TSMD_ACCEPT_DIGEST_LEN];
	struct tsmd_attest_summary s;
	struct tsmd_allowlist al;
	struct tsmd_identity id;
	struct tsmd_verdict v;
	struct tsmd_rule r;

	(void)st;
	allowlist(&al);
	/*
	 * IDE: the measurements pass -> a release that needs the stream
	 * first (the daemon connects), with the digest a measurements rule
	 * would accept; a measurements rule needs no IDE
	 */
	rule_of(&r, TSMD_REQ_MEASUREMENTS);
	summary(&s, 0xaa, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_false(v.need_ide);
	memcpy(dg, v.digest, sizeof(dg));
	rule_of(&r, TSMD_REQ_IDE);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_true(v.need_ide);
	assert_int_equal(v.code, TSMD_V_RELEASE_ATTESTED);
	assert_int_equal(v.digest_len, TSMD_ACCEPT_DIGEST_LEN);
	assert_memory_equal(v.digest, dg, sizeof(dg));
	assert_non_null(strstr(v.reason, "measurements verified by rule 1"));
	/* ... and what holds a measurements rule holds it, with that reason, no IDE asked */
	summary(&s, 0xaa, set_new, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_false(v.need_ide);
	assert_int_equal(v.code, TSMD_V_HOLD_MEAS_CHANGED);
	summary(&s, 0xaa, set_old, 3);
	/* deny by key */
	identity_of(&id, 0xaa);
	assert_int_equal(tsmd_allowlist_deny(&al, &id, NULL, why, sizeof(why)), 1);
	rule_of(&r, TSMD_REQ_CERTIFICATE);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_DENY_ENTRY);
	assert_string_equal(v.reason, "denied by allow-list entry \"nic\"");
	tsmd_allowlist_free(&al);
}

static void combine_sources(void **st)
{
	struct tsmd_attest_summary s;
	struct tsmd_allowlist al;
	struct tsmd_verdict v;
	struct tsmd_rule r;

	(void)st;
	allowlist(&al);
	summary(&s, 0xaa, set_old, 3);
	rule_of(&r, TSMD_REQ_MEASUREMENTS);
	r.sources = 3;
	/* all: the firmware TSM does not exist here */
	r.combine = TSMD_COMBINE_ALL;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_SOURCE_UNAVAILABLE);
	assert_string_equal(v.reason, "firmware-tsm: not available on this host");
	/* any: host-cma is enough */
	r.combine = TSMD_COMBINE_ANY;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.digest_len, 48);
	/* any, host-cma failing too: both reasons */
	summary(&s, 0xbb, set_old, 3);
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_UNKNOWN);
	assert_string_equal(
		v.reason,
		"host-cma: unknown device: not in the allow-list (tsmctl allow 0000:03:00.0); firmware-tsm: not available on this host");
	/* named firmware-tsm: host-cma's pass does not count */
	summary(&s, 0xaa, set_old, 3);
	r.combine = TSMD_COMBINE_NAMED;
	r.combine_source = TSMD_SRC_FIRMWARE_TSM;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_SOURCE_UNAVAILABLE);
	/* named host-cma: the missing firmware TSM does not matter */
	r.combine_source = TSMD_SRC_HOST_CMA;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	/* a (future) firmware TSM that verified, host-cma failing, "any" */
	summary(&s, 0xbb, set_old, 3);
	s.src[TSMD_SRC_FIRMWARE_TSM].state = TSMD_SRC_OK;
	r.combine = TSMD_COMBINE_ANY;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_true(v.release);
	assert_int_equal(v.digest_len, 0);
	/* ... and one that failed, under "all" */
	summary(&s, 0xaa, set_old, 3);
	s.src[TSMD_SRC_FIRMWARE_TSM].state = TSMD_SRC_FAILED;
	strcpy(s.src[TSMD_SRC_FIRMWARE_TSM].why, "TDX module: bad report");
	r.combine = TSMD_COMBINE_ALL;
	tsmd_verdict(&r, &al, &dev, &s, &v);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_SOURCE_FAILED);
	assert_string_equal(v.reason, "firmware-tsm: TDX module: bad report");
	/* the generic combiner on its own */
	{
		struct tsmd_src_result res[TSMD_SRC_NR] = { { TSMD_SRC_OK, "" },
							    { TSMD_SRC_UNAVAILABLE, "" } };
		enum tsmd_vcode code;
		char w[200];

		r.combine = TSMD_COMBINE_ALL;
		assert_int_equal(tsmd_combine_sources(&r, res, &code, w, sizeof(w)), -EACCES);
		r.combine = TSMD_COMBINE_ANY;
		assert_int_equal(tsmd_combine_sources(&r, res, &code, w, sizeof(w)), 0);
		r.sources = 0; /* nothing listed: never passes */
		assert_int_equal(tsmd_combine_sources(&r, res, &code, w, sizeof(w)), -EACCES);
	}
	tsmd_allowlist_free(&al);
}

/* the policy: tests/data/policy/good/two-phase.json */
static void two_phase_decide(void **st)
{
	struct tsmd_dev_facts intel = dev;
	struct tsmd_attest_summary s;
	struct tsmd_allowlist al;
	struct tsmd_policy p;
	struct tsmd_verdict v;
	size_t len;
	char *text = tsmh_td_read("policy/good/two-phase.json", &len);

	(void)st;
	assert_int_equal(tsmd_policy_parse(text, len, "t", &p, why, sizeof(why)), 0);
	free(text);
	allowlist(&al);
	/* before attestation: the identity rule comes first */
	assert_int_equal(tsmd_decide(&p, &al, &dev, NULL, &v), TSMD_MATCH_ATTEST);
	assert_false(v.release);
	assert_ptr_equal(v.rule, &p.rules[0]);
	/* exempt by IDs: decided at once */
	intel.vendor = 0x8086;
	assert_int_equal(tsmd_decide(&p, &al, &intel, NULL, &v), TSMD_MATCH_DECIDED);
	assert_true(v.release);
	/* attested, identity matches rule 1 (certificate): measurements ignored */
	summary(&s, 0xaa, set_new, 3);
	assert_int_equal(tsmd_decide(&p, &al, &dev, &s, &v), TSMD_MATCH_DECIDED);
	assert_true(v.release);
	assert_ptr_equal(v.rule, &p.rules[0]);
	/* other identity: falls to the vendor deny */
	s.identity = "Vendor=1b36:Device=0001:";
	assert_int_equal(tsmd_decide(&p, &al, &dev, &s, &v), TSMD_MATCH_DECIDED);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_DENY_RULE);
	/* attestation failed: the identity rule cannot be evaluated -> hold */
	summary(&s, 0xaa, set_old, 3);
	s.src[TSMD_SRC_HOST_CMA].state = TSMD_SRC_FAILED;
	s.step = "GET_CERTIFICATE";
	strcpy(s.src[TSMD_SRC_HOST_CMA].why, "chain does not verify");
	assert_int_equal(tsmd_decide(&p, &al, &dev, &s, &v), TSMD_MATCH_DECIDED);
	assert_false(v.release);
	assert_int_equal(v.code, TSMD_V_HOLD_NO_IDENTITY);
	assert_string_equal(
		v.reason,
		"rule 1 matches on the device identity, but attestation failed at GET_CERTIFICATE: chain does not verify");
	tsmd_allowlist_free(&al);
	tsmd_policy_free(&p);
}

/* Recompute the digest from the documented encoding, independently. */
static void accepted_digest_encoding(void **st)
{
	uint8_t spki[48], got[48], want[48], buf[256];
	size_t n = 0, i;
	unsigned int len;

	(void)st;
	memset(spki, 0x5a, sizeof(spki));
	memcpy(buf, "tsmd-accept-v1", 14);
	n = 14;
	memcpy(buf + n, spki, 48);
	n += 48;
	buf[n++] = 0;
	buf[n++] = 3;
	for (i = 0; i < 3; i++) {
		buf[n++] = set_old[i].index;
		buf[n++] = set_old[i].type;
		buf[n++] = 0;
		buf[n++] = (uint8_t)set_old[i].len;
		memcpy(buf + n, set_old[i].value, set_old[i].len);
		n += set_old[i].len;
	}
	assert_int_equal(EVP_Digest(buf, n, want, &len, EVP_sha384(), NULL), 1);
	/* set_new's order is reversed: sorting makes it irrelevant */
	assert_int_equal(tsmd_accept_digest(spki, set_old, 3, got), 0);
	assert_memory_equal(got, want, 48);
	{
		struct tsmd_meas_block rev[3] = { set_old[2], set_old[0], set_old[1] };

		assert_int_equal(tsmd_accept_digest(spki, rev, 3, got), 0);
		assert_memory_equal(got, want, 48);
		/* the type is covered */
		rev[1].type = 0;
		assert_int_equal(tsmd_accept_digest(spki, rev, 3, got), 0);
		assert_memory_not_equal(got, want, 48);
		/* a repeated index is refused */
		rev[1] = rev[0];
		assert_int_equal(tsmd_accept_digest(spki, rev, 3, got), -EINVAL);
	}
	spki[0] ^= 1;
	assert_int_equal(tsmd_accept_digest(spki, set_old, 3, got), 0);
	assert_memory_not_equal(got, want, 48);
}

static void summary_diff_names_indices(void **st)
{
	struct tsmd_attest_summary a, b;
	struct tsmd_meas_diff d;
	char msg[256];

	(void)st;
	summary(&a, 0xaa, set_old, 3);
	summary(&b, 0xaa, set_new, 3);
	assert_int_equal(tsmd_summary_diff(&a, &a, &d, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "identical");
	assert_int_equal(tsmd_summary_diff(&a, &b, &d, msg, sizeof(msg)), 1);
	assert_true(tsmd_meas_diff_has(&d, 2));
	assert_string_equal(
		msg,
		"measurement 2 (firmware) changed: accepted 1a2b3c4d\u2026, now 9f8e7d6c\u2026");
	b.nr_blocks = 1; /* set_new[0] is index 3 */
	b.spki_sha384[0] = 0;
	assert_int_equal(tsmd_summary_diff(&a, &b, &d, msg, sizeof(msg)), 3);
	assert_true(tsmd_meas_diff_has(&d, 1) && tsmd_meas_diff_has(&d, 2));
	assert_false(tsmd_meas_diff_has(&d, 3));
	assert_string_equal(
		msg,
		"leaf key changed; measurement 1 (raw:rom) missing; measurement 2 (firmware) missing");
}

static void generated_list_round_trips(void **st)
{
	struct tsmd_dev_facts f[3] = { dev, dev, dev };
	struct tsmd_attest_summary s[3];
	struct tsmd_gen_device g[3];
	struct tsmd_allowlist al, back;
	struct tsmd_verdict v;
	struct tsmd_rule r;
	size_t skipped = 9, i;
	char *text;

	(void)st;
	f[1].name = "0000:04:00.0";
	f[1].has_serial = 0;
	f[2].name = "0000:05:00.0";
	summary(&s[0], 0xa0, set_old, 3);
	summary(&s[1], 0xa1, set_new, 3);
	summary(&s[2], 0xa2, set_new, 3);
	s[2].src[TSMD_SRC_HOST_CMA].state = TSMD_SRC_FAILED;
	for (i = 0; i < 3; i++) {
		g[i].facts = &f[i];
		g[i].sum = &s[i];
	}
	tsmd_allowlist_init(&al);
	assert_int_equal(tsmd_allowlist_generate(&al, g, 3, "2026-11-23T10:00:00Z", &skipped, why,
						 sizeof(why)),
			 2);
	assert_int_equal(skipped, 1);
	assert_string_equal(why, "0000:05:00.0 skipped: not attested");
	text = tsmd_allowlist_format(&al);
	assert_non_null(text);
	assert_int_equal(tsmd_allowlist_parse(text, strlen(text), "gen", &back, why, sizeof(why)),
			 0);
	free(text);
	assert_int_equal(back.nr, 2);
	assert_string_equal(back.e[0].label, "0000:03:00.0 1b36:1e10");
	assert_false(back.e[1].id.has & TSMD_ID_SERIAL);
	/* the re-read list accepts exactly the attested devices */
	rule_of(&r, TSMD_REQ_MEASUREMENTS);
	for (i = 0; i < 2; i++) {
		tsmd_verdict(&r, &back, &f[i], &s[i], &v);
		assert_true(v.release);
	}
	s[2].src[TSMD_SRC_HOST_CMA].state = TSMD_SRC_OK;
	tsmd_verdict(&r, &back, &f[2], &s[2], &v);
	assert_false(v.release);
	/* swapped measurement sets do not pass */
	summary(&s[0], 0xa0, set_new, 3);
	tsmd_verdict(&r, &back, &f[0], &s[0], &v);
	assert_false(v.release);
	/* two devices sharing a key: refused */
	tsmd_allowlist_free(&al);
	tsmd_allowlist_init(&al);
	summary(&s[1], 0xa0, set_new, 3);
	f[1] = dev;
	assert_int_equal(tsmd_allowlist_generate(&al, g, 2, NULL, NULL, why, sizeof(why)), -EEXIST);
	assert_non_null(strstr(why, "another device has the same identity"));
	tsmd_allowlist_free(&al);
	tsmd_allowlist_free(&back);
}

static void code_names(void **st)
{
	(void)st;
	assert_string_equal(tsmd_vcode_name(TSMD_V_HOLD_MEAS_CHANGED), "hold-measurements-changed");
	assert_string_equal(tsmd_vcode_name(TSMD_V_NR), "?");
	for (int i = 0; i < TSMD_V_NR; i++)
		assert_non_null(tsmd_vcode_name((enum tsmd_vcode)i));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exempt_and_deny_rules),
		cmocka_unit_test(certificate_level),
		cmocka_unit_test(measurements_level),
		cmocka_unit_test(deny_entry_and_ide),
		cmocka_unit_test(combine_sources),
		cmocka_unit_test(two_phase_decide),
		cmocka_unit_test(accepted_digest_encoding),
		cmocka_unit_test(summary_diff_names_indices),
		cmocka_unit_test(generated_list_round_trips),
		cmocka_unit_test(code_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
