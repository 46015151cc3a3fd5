// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Evidence store: the upload rules the kernel enforces (lib/ev_rules.c, the
 * same source the module runs) and the client's reassembly of an
 * EVIDENCE_GET dump (daemon/common/evidence.c), fed with messages built the
 * way the kernel builds them, and with broken ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netlink/msg.h>
#include "ev_rules.h"
#include "evidence.h"

#define MIB (1024u * 1024u)

static struct tsmh_ev_stage_obj st[TSMH_EV_NR];
static const char *why;
static bool start;

static int chunk(uint32_t type, uint32_t off, uint32_t total, uint32_t len)
{
	int ret = tsmh_ev_chunk_check(st, type, off, total, len, &start, &why);

	if (!ret)
		tsmh_ev_chunk_apply(st, type, off, total, len);
	return ret;
}

static int reset(void **s)
{
	(void)s;
	memset(st, 0, sizeof(st));
	why = NULL;
	return 0;
}

static void contiguous_chunks_make_a_complete_object(void **s)
{
	uint32_t bad = 99;

	(void)s;
	assert_int_equal(chunk(TSMH_EV_CERT0, 0, 100, 60), 0);
	assert_true(start);
	assert_int_equal(tsmh_ev_commit_check(st, &bad, &why), -EINVAL);
	assert_int_equal(bad, TSMH_EV_CERT0);
	assert_string_equal(why, "evidence object incomplete");
	assert_int_equal(chunk(TSMH_EV_CERT0, 60, 100, 40), 0);
	assert_false(start);
	assert_int_equal(tsmh_ev_commit_check(st, &bad, &why), 0);
}

static void gaps_overlaps_and_overruns_are_refused(void **s)
{
	(void)s;
	assert_int_equal(chunk(TSMH_EV_VCA, 0, 1000, 100), 0);
	assert_int_equal(chunk(TSMH_EV_VCA, 200, 1000, 100), -EINVAL);
	assert_string_equal(why, "chunks not contiguous");
	assert_int_equal(chunk(TSMH_EV_VCA, 50, 1000, 100), -EINVAL);
	assert_int_equal(chunk(TSMH_EV_VCA, 100, 1000, 901), -EINVAL);
	assert_string_equal(why, "chunk runs past the object's end");
	assert_int_equal(chunk(TSMH_EV_VCA, 100, 2000, 100), -EINVAL);
	assert_string_equal(why, "object's total changed mid-upload");
	/* nothing of the refused chunks was recorded */
	assert_int_equal(st[TSMH_EV_VCA].filled, 100);
	/* a chunk that does not start an object it never started */
	assert_int_equal(chunk(TSMH_EV_REPORT, 10, 100, 10), -EINVAL);
	assert_string_equal(why, "object not started at offset 0");
	/* offset + len overflowing 32 bits is "past the end", not a wrap */
	assert_int_equal(chunk(TSMH_EV_REPORT, 0xfffffff0u, 100, 0x20), -EINVAL);
}

static void size_limits(void **s)
{
	(void)s;
	assert_int_equal(chunk(TSMH_EV_CERT1, 0, 16 * MIB + 1, 1), -EFBIG);
	assert_string_equal(why, "evidence object larger than 16 MiB");
	assert_int_equal(chunk(TSMH_EV_CERT0, 0, 16 * MIB, 65528), 0);
	assert_int_equal(chunk(TSMH_EV_CERT1, 0, 16 * MIB, 1), 0);
	assert_int_equal(chunk(TSMH_EV_CERT2, 0, 16 * MIB, 1), 0);
	assert_int_equal(chunk(TSMH_EV_CERT3, 0, 16 * MIB, 1), 0); /* 64 MiB exactly */
	assert_int_equal(chunk(TSMH_EV_CERT4, 0, 1, 1), -ENOSPC);
	assert_string_equal(why, "staged set would exceed 64 MiB");
	/* restarting an object does not count its old size twice */
	assert_int_equal(chunk(TSMH_EV_CERT3, 0, 16 * MIB, 7), 0);
	assert_true(start);
	assert_int_equal(st[TSMH_EV_CERT3].filled, 7);
	assert_int_equal(chunk(TSMH_EV_CERT3, 0, 16 * MIB + 1, 7), -EFBIG);
}

static void empty_and_unknown_are_refused(void **s)
{
	uint32_t bad;

	(void)s;
	assert_int_equal(chunk(TSMH_EV_NR, 0, 10, 10), -EINVAL);
	assert_string_equal(why, "unknown evidence type");
	assert_int_equal(chunk(TSMH_EV_VCA, 0, 0, 0), -EINVAL);
	assert_int_equal(chunk(TSMH_EV_VCA, 0, 10, 0), -EINVAL);
	assert_int_equal(tsmh_ev_commit_check(st, &bad, &why), -ENODATA);
}

static void metadata_ranges(void **s)
{
	(void)s;
	assert_int_equal(
		tsmh_ev_meta_check(TSMH_EV_PROV_SPDM, TSMH_EV_LOCKED_LOCKED, 0x13, 0xff, &why), 0);
	assert_int_equal(tsmh_ev_meta_check(TSMH_EV_PROV_UNSPEC, 0, 0, 0, &why), -EINVAL);
	assert_int_equal(tsmh_ev_meta_check(__TSMH_EV_PROV_NR, 0, 0, 0, &why), -EINVAL);
	assert_int_equal(tsmh_ev_meta_check(1, __TSMH_EV_LOCKED_NR, 0, 0, &why), -EINVAL);
	assert_int_equal(tsmh_ev_meta_check(1, 0, 0x100, 0, &why), -EINVAL);
	assert_int_equal(tsmh_ev_meta_check(1, 0, 0, 0x100, &why), -EINVAL);
}

static void names_round_trip(void **s)
{
	uint32_t t;

	(void)s;
	for (t = 0; t < TSMH_EV_NR; t++)
		assert_int_equal(tsmh_ev_type_parse(tsmh_ev_type_name(t)), (int)t);
	assert_string_equal(tsmh_ev_type_name(TSMH_EV_MEAS_TRANSCRIPT), "meas-transcript");
	assert_null(tsmh_ev_type_name(TSMH_EV_NR));
	assert_int_equal(tsmh_ev_type_parse("cert8"), -EINVAL);
	assert_int_equal(tsmh_ev_prov_parse("tdisp-report"), TSMH_EV_PROV_TDISP_REPORT);
	assert_int_equal(tsmh_ev_prov_parse("unspecified"), -EINVAL);
	assert_int_equal(tsmh_ev_locked_parse("locked"), TSMH_EV_LOCKED_LOCKED);
}

/* ---- reassembly of a dump ---- */

static struct tsmh_ev_asm a;
static struct tsmh_evidence ev;
static char err[256];

static int feed(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int ret = tsmh_ev_asm_msg(&a, nlmsg_attrdata(h, 0), nlmsg_attrlen(h, 0), err, sizeof(err));

	nlmsg_free(m);
	return ret;
}

static struct nl_msg *msg(uint64_t gen)
{
	struct nl_msg *m = nlmsg_alloc_size(70000);

	assert_non_null(m);
	nla_put_string(m, TSMH_A_DEV_NAME, "10000:03:00.0");
	nla_put_u64(m, TSMH_A_EV_GENERATION, gen);
	return m;
}

static int meta(uint64_t gen, uint32_t present)
{
	struct nl_msg *m = msg(gen);

	nla_put_u32(m, TSMH_A_EV_PROVENANCE, TSMH_EV_PROV_SPDM);
	nla_put_u32(m, TSMH_A_EV_LOCKED, TSMH_EV_LOCKED_UNLOCKED);
	nla_put_u32(m, TSMH_A_EV_SPDM_VERSION, 0x12);
	nla_put_u32(m, TSMH_A_EV_SLOT_MASK, 1);
	nla_put_u64(m, TSMH_A_EV_TIME, 1234);
	nla_put_u32(m, TSMH_A_EV_PRESENT, present);
	nla_put_u32(m, TSMH_A_EV_DIGEST_ALGO, TSMH_EV_DIGEST_SHA384);
	return feed(m);
}

static int data(uint64_t gen, uint32_t type, uint32_t off, uint32_t total, const void *p,
		uint32_t len)
{
	struct nl_msg *m = msg(gen);

	nla_put_u32(m, TSMH_A_EV_TYPE, type);
	nla_put_u32(m, TSMH_A_EV_OFFSET, off);
	nla_put_u32(m, TSMH_A_EV_TOTAL, total);
	nla_put(m, TSMH_A_EV_DATA, (int)len, p);
	return feed(m);
}

static int asm_setup(void **s)
{
	(void)s;
	tsmh_ev_asm_init(&a, &ev, 0, 0);
	err[0] = 0;
	return 0;
}

static int asm_teardown(void **s)
{
	(void)s;
	tsmh_evidence_free(&ev);
	return 0;
}

static void dump_reassembles_objects_and_metadata(void **s)
{
	static const char c0[] = "0123456789", m0[] = "measure";

	(void)s;
	assert_int_equal(meta(7, 1u << TSMH_EV_CERT0 | 1u << TSMH_EV_MEASUREMENTS), 0);
	assert_int_equal(data(7, TSMH_EV_CERT0, 0, 10, c0, 4), 0);
	assert_int_equal(data(7, TSMH_EV_CERT0, 4, 10, c0 + 4, 6), 0);
	assert_int_equal(data(7, TSMH_EV_MEASUREMENTS, 0, 7, m0, 7), 0);
	assert_int_equal(tsmh_ev_asm_finish(&a, err, sizeof(err)), 0);
	assert_int_equal(ev.generation, 7);
	assert_int_equal(ev.provenance, TSMH_EV_PROV_SPDM);
	assert_int_equal(ev.locked, TSMH_EV_LOCKED_UNLOCKED);
	assert_int_equal(ev.spdm_version, 0x12);
	assert_int_equal(ev.time_ns, 1234);
	assert_int_equal(ev.obj[TSMH_EV_CERT0].len, 10);
	assert_memory_equal(ev.obj[TSMH_EV_CERT0].data, c0, 10);
	assert_memory_equal(ev.obj[TSMH_EV_MEASUREMENTS].data, m0, 7);
	assert_null(ev.obj[TSMH_EV_VCA].data);
}

static void truncated_dump_is_an_error(void **s)
{
	static const char c0[] = "0123456789";

	(void)s;
	assert_int_equal(meta(7, 1u << TSMH_EV_CERT0 | 1u << TSMH_EV_VCA), 0);
	assert_int_equal(data(7, TSMH_EV_CERT0, 0, 10, c0, 10), 0);
	assert_int_equal(tsmh_ev_asm_finish(&a, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "vca"));
}

static void out_of_order_and_unannounced_chunks_are_refused(void **s)
{
	static const char c0[] = "0123456789";

	(void)s;
	assert_int_equal(data(7, TSMH_EV_CERT0, 0, 10, c0, 4), -EBADMSG); /* before metadata */
	assert_int_equal(meta(7, 1u << TSMH_EV_CERT0), 0);
	assert_int_equal(meta(7, 1u << TSMH_EV_CERT0), -EBADMSG); /* twice */
	assert_int_equal(data(7, TSMH_EV_VCA, 0, 10, c0, 4), -EBADMSG); /* not in present */
	assert_int_equal(data(7, TSMH_EV_CERT0, 4, 10, c0, 4), -EBADMSG); /* gap */
	assert_int_equal(data(7, TSMH_EV_CERT0, 0, 10, c0, 4), 0);
	assert_int_equal(data(7, TSMH_EV_CERT0, 4, 10, c0, 7), -EBADMSG); /* past total */
	assert_int_equal(data(7, TSMH_EV_CERT0, 4, 11, c0, 4), -EBADMSG); /* size changed */
	assert_int_equal(data(8, TSMH_EV_CERT0, 4, 10, c0, 4), -EAGAIN); /* new generation */
	assert_int_equal(data(7, 200, 0, 10, c0, 4), 0); /* newer type: skipped */
}

static void digest_only_read(void **s)
{
	uint8_t d[48];
	struct nl_msg *m;

	(void)s;
	memset(d, 0xab, sizeof(d));
	tsmh_ev_asm_init(&a, &ev, 1u << TSMH_EV_REPORT, TSMH_EV_GET_F_DIGEST);
	assert_int_equal(meta(3, 1u << TSMH_EV_REPORT | 1u << TSMH_EV_CERT0), 0);
	m = msg(3);
	nla_put_u32(m, TSMH_A_EV_TYPE, TSMH_EV_REPORT);
	nla_put_u32(m, TSMH_A_EV_TOTAL, 4096);
	nla_put(m, TSMH_A_EV_DIGEST, sizeof(d), d);
	nla_put_u32(m, TSMH_A_EV_DIGEST_ALGO, TSMH_EV_DIGEST_SHA384);
	assert_int_equal(feed(m), 0);
	/* only the masked object is expected */
	assert_int_equal(tsmh_ev_asm_finish(&a, err, sizeof(err)), 0);
	assert_int_equal(ev.obj[TSMH_EV_REPORT].len, 4096);
	assert_null(ev.obj[TSMH_EV_REPORT].data);
	assert_int_equal(ev.obj[TSMH_EV_REPORT].digest_len, 48);
	assert_memory_equal(ev.obj[TSMH_EV_REPORT].digest, d, 48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(contiguous_chunks_make_a_complete_object, reset),
		cmocka_unit_test_setup(gaps_overlaps_and_overruns_are_refused, reset),
		cmocka_unit_test_setup(size_limits, reset),
		cmocka_unit_test_setup(empty_and_unknown_are_refused, reset),
		cmocka_unit_test(metadata_ranges),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test_setup_teardown(dump_reassembles_objects_and_metadata, asm_setup,
						asm_teardown),
		cmocka_unit_test_setup_teardown(truncated_dump_is_an_error, asm_setup,
						asm_teardown),
		cmocka_unit_test_setup_teardown(out_of_order_and_unannounced_chunks_are_refused,
						asm_setup, asm_teardown),
		cmocka_unit_test_setup_teardown(digest_only_read, asm_setup, asm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
