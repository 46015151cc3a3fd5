// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd's worker summaries (daemon/attest/summary.c): what the attestation
 * worker writes survives the pipe exactly, and anything else a worker
 * could write (truncated, hostile, wrong types) is refused, so the main
 * loop never decides on half a result. Refused inputs: each NAME.json in
 * tests/data/summary/bad, with the error in the NAME.expect beside it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "summary.h"
#include "testdata.h"

static void sample(struct tsmd_summary *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->ok = 1;
	for (i = 0; i < 48; i++)
		s->spki_sha384[i] = (uint8_t)(i * 7);
	strcpy(s->identity, "Vendor=1b36:Device=1e10:CC=120000");
	strcpy(s->subject, "/CN=leaf");
	s->slot = 3;
	s->meas_verified = 1;
	s->generation = 123456789012ull;
	s->nr_blocks = 3;
	s->blocks[0] = (struct tsmd_block){ .index = 1, .type = 0, .len = 48 };
	memset(s->blocks[0].value, 0xab, 48);
	s->blocks[1] = (struct tsmd_block){ .index = 2, .type = 1, .len = 48 };
	memset(s->blocks[1].value, 0xcd, 48);
	s->blocks[2] = (struct tsmd_block){ .index = 5, .type = 0x84, .len = 5 };
	memcpy(s->blocks[2].value, "1.0.0", 5);
}

static void round_trip(void **st)
{
	struct tsmd_summary a, b;
	char err[128], *j;

	(void)st;
	sample(&a);
	j = tsmd_summary_encode(&a);
	assert_non_null(j);
	assert_int_equal(tsmd_summary_decode(j, strlen(j), &b, err, sizeof(err)), 0);
	assert_int_equal(b.ok, 1);
	assert_memory_equal(b.spki_sha384, a.spki_sha384, 48);
	assert_string_equal(b.identity, a.identity);
	assert_int_equal(b.slot, 3);
	assert_true(b.generation == a.generation);
	assert_int_equal(b.nr_blocks, 3);
	assert_int_equal(b.blocks[2].type, 0x84);
	assert_int_equal(b.blocks[2].len, 5);
	assert_memory_equal(b.blocks[1].value, a.blocks[1].value, 48);
	free(j);
}

static void failure_carries_step(void **st)
{
	struct tsmd_summary a = { 0 }, b;
	char err[128], *j;

	(void)st;
	strcpy(a.step, "CHALLENGE");
	strcpy(a.why, "ECDSA-P384 signature does not verify");
	j = tsmd_summary_encode(&a);
	assert_non_null(j);
	assert_int_equal(tsmd_summary_decode(j, strlen(j), &b, err, sizeof(err)), 0);
	assert_int_equal(b.ok, 0);
	assert_string_equal(b.step, "CHALLENGE");
	assert_string_equal(b.why, a.why);
	free(j);
}

static void bad_file_refused(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_summary s;
	char err[128] = "";
	int ret;

	ret = tsmd_summary_decode(f->text, f->len, &s, err, sizeof(err));
	if (ret != -EINVAL || !strstr(err, f->expect))
		fail_msg("%s: got %d \"%s\", want -EINVAL \"%s\"", f->path, ret, err, f->expect);
}

/* value longer than a block may be (the other refusals: tests/data/summary/bad) */
static void oversized_value_refused(void **st)
{
	struct tsmd_summary s;
	char err[128], big[2 * (TSMD_MAX_VALUE + 1) + 256];
	int i;

	(void)st;
	strcpy(big,
	       "{\"ok\":false,\"step\":\"\",\"why\":\"\",\"spki_sha384\":\"\",\"identity\":\"\","
	       "\"subject\":\"\",\"slot\":0,\"generation\":1,\"blocks\":[{\"index\":1,"
	       "\"type\":0,\"value\":\"");
	for (i = 0; i < TSMD_MAX_VALUE + 1; i++)
		strcat(big, "00");
	strcat(big, "\"}]}");
	assert_int_equal(tsmd_summary_decode(big, strlen(big), &s, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(failure_carries_step),
		cmocka_unit_test(oversized_value_refused),
	};
	struct tsmh_td_tests t = { 0 };

	tsmh_td_add(&t, tests, sizeof(tests) / sizeof(tests[0]));
	tsmh_td_add_dir(&t, "summary", "bad", bad_file_refused);
	return tsmh_td_run(&t, "summary", NULL, NULL);
}
