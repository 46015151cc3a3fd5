// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * daemon/verify/chainrec.c: the verifier's record of chains that verified
 * (re-attestation) formats and parses back to itself; anything else is
 * refused as a whole, naming the line and what was expected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "chainrec.h"
#include "spdm.h"

static void rec_init(struct tsmh_chain_rec *r, uint8_t slot, uint32_t hash, uint8_t fill)
{
	memset(r, 0, sizeof(*r));
	r->slot = slot;
	r->hash = hash;
	memset(r->digest, fill, spdm_hash_len(hash));
	memset(r->anchor_sha256, fill ^ 0x5a, sizeof(r->anchor_sha256));
	r->not_before = -5;
	r->not_after = 2111970437;
}

static void test_roundtrip(void **st)
{
	struct tsmh_chain_rec r[3], back[TSMH_CHAIN_REC_MAX];
	char text[4 * TSMH_CHAIN_REC_LINE], why[128];
	size_t len;
	int n;

	(void)st;
	rec_init(&r[0], 0, SPDM_HASH_SHA384, 0x11);
	rec_init(&r[1], 3, SPDM_HASH_SHA256, 0xab);
	rec_init(&r[2], 7, SPDM_HASH_SHA512, 0xfe);
	len = tsmh_chain_rec_format(r, 3, text, sizeof(text));
	assert_true(len > 0 && len == strlen(text));
	assert_int_equal(tsmh_chain_rec_parse(text, len, back, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(r, back, sizeof(r));
	/* found by digest, whatever the slot */
	assert_ptr_equal(tsmh_chain_rec_find(back, n, SPDM_HASH_SHA256, r[1].digest), &back[1]);
	assert_null(tsmh_chain_rec_find(back, n, SPDM_HASH_SHA384, r[1].digest));
	/* no records: the header alone */
	len = tsmh_chain_rec_format(r, 0, text, sizeof(text));
	assert_string_equal(text, "tsmh-chain-verified 1\n");
	assert_int_equal(tsmh_chain_rec_parse(text, len, back, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	/* too small a buffer: nothing */
	assert_int_equal(tsmh_chain_rec_format(r, 3, text, 200), 0);
}

static void bad(const char *text, const char *want)
{
	struct tsmh_chain_rec back[TSMH_CHAIN_REC_MAX];
	char why[128] = "";
	int n = -1;

	assert_int_equal(tsmh_chain_rec_parse(text, strlen(text), back, &n, why, sizeof(why)),
			 -EBADMSG);
	if (!strstr(why, want))
		fail_msg("'%s': reason '%s', expected '%s'", text, why, want);
}

static void test_bad(void **st)
{
	struct tsmh_chain_rec r;
	char line[TSMH_CHAIN_REC_LINE * 2], text[TSMH_CHAIN_REC_LINE * 10];
	size_t len;
	int i;

	(void)st;
	rec_init(&r, 0, SPDM_HASH_SHA256, 0x22);
	len = tsmh_chain_rec_format(&r, 1, line, sizeof(line));
	assert_true(len > 0);
	bad("", "line 1");
	bad("tsmh-chain-verified 2\n", "line 1");
	bad("tsmh-chain-verified 1\nslot 8 sha256 00\n", "line 2: expected 'slot N'");
	bad("tsmh-chain-verified 1\nslot 01 sha256\n", "line 2: expected 'slot N'");
	bad("tsmh-chain-verified 1\nslot 0 md5 00\n", "line 2: expected a hash name");
	bad("tsmh-chain-verified 1\nslot 0 sha256 00\n", "line 2: expected the chain digest");
	/* uppercase hex, a digest one byte long, a trailing space, no newline */
	memcpy(text, line, len + 1);
	text[strlen("tsmh-chain-verified 1\nslot 0 sha256 ")] = 'A';
	bad(text, "line 2: expected the chain digest");
	memcpy(text, line, len + 1);
	text[len - 1] = ' ';
	strcat(text, "\n");
	bad(text, "line 2: expected the end of the line");
	memcpy(text, line, len + 1);
	text[len - 1] = 0;
	bad(text, "line 2: no newline");
	/* not-before after not-after, an overflowing number */
	snprintf(text, sizeof(text), "%.*snot-before 10 not-after 9\n",
		 (int)(strstr(line, "not-before") - line), line);
	bad(text, "not-before <= not-after");
	snprintf(text, sizeof(text), "%.*snot-before 0 not-after 9223372036854775808\n",
		 (int)(strstr(line, "not-before") - line), line);
	bad(text, "' not-after ' and seconds");
	/* two records of one slot; more than eight */
	snprintf(text, sizeof(text), "%s%s", line, line + strlen("tsmh-chain-verified 1\n"));
	bad(text, "line 3: a second record for slot 0");
	len = (size_t)snprintf(text, sizeof(text), "tsmh-chain-verified 1\n");
	for (i = 0; i < 9; i++) {
		r.slot = (uint8_t)(i & 7);
		tsmh_chain_rec_format(&r, 1, line, sizeof(line));
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s",
					line + strlen("tsmh-chain-verified 1\n"));
	}
	bad(text, "line 10: more than 8 records");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
