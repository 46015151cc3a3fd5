// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The layouts tsmh-emu reports from the sim's real BARs
 * (--tdisp-layout-file): a BARSPEC (tests/vm/lib.sh sim_tdi_layout)
 * parses into the BARs and MSI-X capability it says, bad ones are refused
 * naming the item; each pattern (simple, sparse, offset) laid onto the
 * sim's BARs (DSM, functions 1-2, VFs: docs/design.md "Sim BARs") and onto
 * generated ones passes lib's tsmh_tdisp_report_check() against the same
 * BARs, with the MMIO offset added, and has the shape its name promises;
 * the layout file matches interface IDs by domain byte, RID or function
 * number and names the file and line of what is wrong in it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "emu.h"
#include "tdisp.h"
#include "tdisp_req.h"
#include "sim_barspec.h"

static const char *const pats[] = { "simple", "sparse", "offset" };
static const char *const specs[] = { DSM_SPEC, FN1_SPEC, VF_SPEC };

static char why[512];

/* @n's ranges (plus @off) as a report, checked against @l with @off: 0 or -EINVAL */
static int check(const struct tsmh_tdisp_named *n, const struct tsmh_tdisp_layout *l, uint64_t off)
{
	static uint8_t buf[4096];
	struct tsmh_tdisp_range r[TSMH_TDISP_LAYOUT_MAX_RANGES + 1];
	struct tsmh_tdisp_report rep = { 0 };
	struct tsmh_tdisp_layout lo = *l;
	size_t len;
	uint32_t i, bad;

	assert_true(n->nr <= TSMH_TDISP_LAYOUT_MAX_RANGES + 1);
	for (i = 0; i < n->nr; i++) {
		r[i] = n->r[i];
		r[i].first_page += off;
	}
	len = tsmh_tdisp_report_build(&rep, r, n->nr, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(tsmh_tdisp_report_parse(buf, len, &rep, NULL), 0);
	lo.mmio_offset = off;
	why[0] = 0;
	return tsmh_tdisp_report_check(&rep, &lo, &bad, why, sizeof(why));
}

static void parse_ok(const char *s, struct tsmh_tdisp_layout *l)
{
	why[0] = 0;
	if (tsmh_tdisp_barspec_parse(s, l, why, sizeof(why)))
		fail_msg("'%s': %s", s, why);
}

static void test_barspec(void **st)
{
	struct tsmh_tdisp_layout l;

	(void)st;
	parse_ok(DSM_SPEC, &l);
	assert_true(l.bar[0].base == 0x900000000ULL && l.bar[0].size == 0x1000000 &&
		    l.bar[0].is64 && l.bar[0].prefetch);
	assert_true(l.bar[2].base == 0x40180000 && l.bar[2].size == 0x10000 && !l.bar[2].is64 &&
		    !l.bar[2].prefetch);
	assert_true(l.bar[4].is64 && !l.bar[4].prefetch && !l.bar[1].size && !l.bar[3].size &&
		    !l.bar[5].size);
	assert_true(l.msix && l.table_bir == 4 && l.table_off == 0 && l.table_entries == 32 &&
		    l.pba_bir == 4 && l.pba_off == 0x10000 && !l.mmio_offset);
	parse_ok("-", &l);
	assert_true(!l.msix && !l.bar[0].size);
	parse_ok("", &l);
	parse_ok("msix=0:0x800:2048:0:0x1000,bar0=0:0x2000:32:np", &l);
	assert_int_equal(l.table_entries, 2048);
}

static void test_barspec_bad(void **st)
{
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "bar6=0x1000:0x1000:32:np", "'bar6': BARs are bar0-bar5" },
		{ "bar0=0x1000:0x1000:32", "bar0: want BASE:SIZE:32|64:pref|np" },
		{ "bar0=0x1000:0x1000:32:np:x", "bar0: want BASE:SIZE" },
		{ "bar0=0x1000:0x3000:32:np", "bar0: size 0x3000 is not a power of two" },
		{ "bar0=0x1000:0x2000:32:np", "the base 0x1000 is aligned to" },
		{ "bar0=0:0:32:np", "size 0 is not a power of two" },
		{ "bar0=0x1000:0x1000:16:np", "bar0: width '16', want 32 or 64" },
		{ "bar0=0x1000:0x1000:32:wc", "bar0: 'wc', want pref or np" },
		{ "bar5=0x1000:0x1000:64:np", "bar5: a 64-bit BAR needs two BAR slots" },
		{ "bar0=0x100000000:0x1000:32:np", "bar0: a 32-bit BAR above 4 GiB" },
		{ "bar0=0x1000:0x1000:64:np,bar1=0x2000:0x1000:32:np",
		  "bar1: BAR slot 1 given twice" },
		{ "bar1=0x2000:0x1000:32:np,bar0=0x1000:0x1000:64:np",
		  "bar0: BAR slot 1 given twice" },
		{ "bar0=-1:0x1000:32:np", "bar0: want BASE" },
		{ "bar0=zz:0x1000:32:np", "bar0: want BASE" },
		{ "bar0", "'bar0': want barN=... or msix=..." },
		{ "rom=0:0x1000:32:np", "'rom': want barN=... or msix=..." },
		{ "msix=0:0:8:0", "msix: want TABLE_BIR:TABLE_OFF:ENTRIES:PBA_BIR:PBA_OFF" },
		{ "msix=6:0:8:0:0x1000", "msix: a BIR is 0-5" },
		{ "msix=0:0:0:0:0x1000", "msix: 0 entries, want 1-2048" },
		{ "msix=0:0:2049:0:0x1000", "msix: 2049 entries" },
		{ "msix=0:0x4:8:0:0x1000", "8-byte aligned" },
		{ "msix=0:0:8:0:0x1000,msix=0:0:8:0:0x1000", "msix given twice" },
	};
	struct tsmh_tdisp_layout l;
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (tsmh_tdisp_barspec_parse(bad[i].spec, &l, why, sizeof(why)) != -EINVAL ||
		    !strstr(why, bad[i].why))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, why, bad[i].why);
	}
}

static uint64_t pages_of(const struct tsmh_tdisp_named *n, uint16_t attrs)
{
	uint64_t p = 0;
	uint32_t i;

	for (i = 0; i < n->nr; i++)
		if (n->r[i].attrs == attrs)
			p += n->r[i].nr_pages;
	return p;
}

/* the range marked @attr: its index (exactly one), -1 if none */
static int marked(const struct tsmh_tdisp_named *n, uint16_t attr)
{
	int found = -1;
	uint32_t i;

	for (i = 0; i < n->nr; i++)
		if (n->r[i].attrs & attr) {
			assert_int_equal(found, -1);
			found = (int)i;
		}
	return found;
}

static int at_bar_base(const struct tsmh_tdisp_named *n, uint32_t i)
{
	int b;

	for (b = 0; b < TSMH_TDISP_NR_BARS; b++)
		if (n->l.bar[b].size && n->r[i].first_page == n->l.bar[b].base)
			return 1;
	return 0;
}

static void test_sim_bars(void **st)
{
	struct tsmh_tdisp_layout l;
	struct tsmh_tdisp_named n;
	size_t s, p;
	uint32_t i;
	int t;

	(void)st;
	for (s = 0; s < 3; s++) {
		parse_ok(specs[s], &l);
		for (p = 0; p < 3; p++) {
			assert_int_equal(tsmh_tdisp_layout_map(pats[p], &l, &n, why, sizeof(why)),
					 0);
			if (check(&n, &l, 0) || check(&n, &l, 0x10000000000ULL))
				fail_msg("%s on %s: %s", pats[p], specs[s], why);
			/* the MSI-X table and PBA: marked, one page each, in their BAR */
			t = marked(&n, TSMH_TDISP_RANGE_MSIX_TABLE);
			assert_true(t >= 0 && n.r[t].nr_pages == 1 &&
				    n.r[t].first_page == l.bar[l.table_bir].base + l.table_off &&
				    n.r[t].id == l.table_bir);
			t = marked(&n, TSMH_TDISP_RANGE_MSIX_PBA);
			assert_true(t >= 0 &&
				    n.r[t].first_page == l.bar[l.pba_bir].base + l.pba_off);
		}
	}
	/* simple on the DSM: every page of BAR0, BAR2 and BAR4 */
	parse_ok(DSM_SPEC, &l);
	assert_int_equal(tsmh_tdisp_layout_map("simple", &l, &n, why, sizeof(why)), 0);
	assert_int_equal(n.nr, 6); /* BAR0, BAR2, BAR4: table, 15 pages, PBA, 239 pages */
	assert_true(pages_of(&n, 0) + 2 == 4096 + 16 + 256);
	/* sparse: BAR0 (no MSI-X) left out, BAR2 updatable, BAR4 pages 1-2 non-TEE */
	assert_int_equal(tsmh_tdisp_layout_map("sparse", &l, &n, why, sizeof(why)), 0);
	for (i = 0; i < n.nr; i++)
		assert_int_not_equal(n.r[i].id, 0);
	t = marked(&n, TSMH_TDISP_RANGE_UPDATABLE);
	assert_true(t >= 0 && n.r[t].first_page == 0x40180000 && n.r[t].nr_pages == 16);
	t = marked(&n, TSMH_TDISP_RANGE_NON_TEE);
	assert_true(t >= 0 && n.r[t].first_page == 0x40001000 && n.r[t].nr_pages == 2);
	/* offset: no range but the MSI-X table starts at its BAR's base */
	for (p = 0; p < 3; p++) {
		parse_ok(specs[p], &l);
		assert_int_equal(tsmh_tdisp_layout_map("offset", &l, &n, why, sizeof(why)), 0);
		for (i = 0; i < n.nr; i++)
			assert_true(!at_bar_base(&n, i) ||
				    (n.r[i].attrs & TSMH_TDISP_RANGE_MSIX_TABLE));
		assert_true(pages_of(&n, TSMH_TDISP_RANGE_UPDATABLE) > 0);
		assert_true(pages_of(&n, TSMH_TDISP_RANGE_NON_TEE) > 0);
	}
	assert_int_equal(tsmh_tdisp_layout_map("nonesuch", &l, &n, why, sizeof(why)), -ENOENT);
}

/* an xorshift for generated BAR sets */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* generated BARs (sizes 2 KiB-8 MiB, MSI-X anywhere that fits): every pattern checks */
static void test_generated(void **st)
{
	unsigned int iter, b, mapped = 0, refused = 0;
	struct tsmh_tdisp_layout l;
	struct tsmh_tdisp_named n;
	uint64_t sz, next = 0x80000000ULL;
	size_t p;
	int ret;

	(void)st;
	for (iter = 0; iter < 3000; iter++) {
		memset(&l, 0, sizeof(l));
		for (b = 0; b < TSMH_TDISP_NR_BARS; b++) {
			if (rnd() % 3 == 0)
				continue;
			sz = 1ULL << (11 + rnd() % 13);
			next = (next + sz - 1) & ~(sz - 1);
			l.bar[b] = (struct tsmh_tdisp_bar){ next, sz, 0, (uint8_t)(rnd() & 1) };
			next += sz * (1 + rnd() % 2);
			if (b < 5 && rnd() % 2) {
				l.bar[b].is64 = 1;
				b++;
			}
		}
		if (next > 0xf0000000ULL)
			next = 0x80000000ULL;
		if (rnd() % 4) {
			l.msix = 1;
			l.table_bir = (uint8_t)(rnd() % 6);
			l.pba_bir = rnd() % 2 ? l.table_bir : (uint8_t)(rnd() % 6);
			l.table_entries = (uint16_t)(1 + rnd() % 2048);
			sz = l.bar[l.table_bir].size ? l.bar[l.table_bir].size : 0x1000;
			l.table_off = (uint32_t)(rnd() % sz) & ~7u;
			sz = l.bar[l.pba_bir].size ? l.bar[l.pba_bir].size : 0x1000;
			l.pba_off = (uint32_t)(rnd() % sz) & ~7u;
		}
		for (p = 0; p < 3; p++) {
			ret = tsmh_tdisp_layout_map(pats[p], &l, &n, why, sizeof(why));
			if (ret) {
				assert_int_equal(ret, -EINVAL);
				assert_true(strstr(why, "runs past the BAR") ||
					    strstr(why, "share some of their pages"));
				refused++;
				continue;
			}
			mapped++;
			assert_true(n.nr <= TSMH_TDISP_LAYOUT_MAX_RANGES);
			if (check(&n, &l, 0x200000000000ULL)) {
				for (b = 0; b < 6; b++)
					print_message("bar%u %#llx %#llx\n", b,
						      (unsigned long long)l.bar[b].base,
						      (unsigned long long)l.bar[b].size);
				print_message("msix %u %u:%#x %u:%#x\n", l.table_entries,
					      l.table_bir, l.table_off, l.pba_bir, l.pba_off);
				for (b = 0; b < n.nr; b++)
					print_message("r%u %#llx %u %#x %u\n", b,
						      (unsigned long long)n.r[b].first_page,
						      n.r[b].nr_pages, n.r[b].attrs, n.r[b].id);
				fail_msg("iteration %u, %s: %s", iter, pats[p], why);
			}
		}
	}
	/* both outcomes were exercised */
	assert_true(mapped > 3000 && refused > 100);
}

/* The layout file */

static char dir[64];

static const char *file_with(const char *text)
{
	static char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "%s/layout", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int lookup(const char *path, uint32_t fid, struct tsmh_tdisp_named *n)
{
	why[0] = 0;
	return emu_tdisp_file_lookup(path, fid, n, why, sizeof(why));
}

#define SEG(n) (TSMH_TDISP_FID_SEG_VALID | (n) << TSMH_TDISP_FID_SEG_SHIFT)

static void test_file(void **st)
{
	struct tsmh_tdisp_named n;
	const char *path;

	(void)st;
	path = file_with("# written by tdi_layout_file\n"
			 "\n"
			 "10001:03:00.0 simple " VF_SPEC "\n"
			 "10000:03:00.0 sparse " DSM_SPEC "   # the DSM\n"
			 "10000:03:00.1\toffset\t" FN1_SPEC "\n"
			 "04:00.3 simple " VF_SPEC "\n"
			 "5 simple -\n");
	/*
	 * the kernel's interface IDs: domain 0x10000's segment byte is 0 (no
	 * segment-valid bit), 0x10001's is 1
	 */
	assert_int_equal(lookup(path, 0x0300, &n), 0);
	assert_string_equal(n.name, "sparse");
	assert_true(n.l.bar[0].base == 0x900000000ULL && n.l.table_bir == 4);
	assert_int_equal(lookup(path, SEG(1u) | 0x0300, &n), 0);
	assert_true(n.l.bar[0].base == 0x900400000ULL); /* domain 10001's line */
	assert_int_equal(lookup(path, SEG(2u) | 0x0300, &n), 1);
	assert_non_null(strstr(why, "has no line for interface 0x1020300"));
	assert_int_equal(lookup(path, 0x0301, &n), 0);
	assert_string_equal(n.name, "offset");
	assert_int_equal(lookup(path, SEG(1u) | 0x0301, &n), 1);
	/* BUS:DEV.FN: any segment; a function number: any RID with those low bits */
	assert_int_equal(lookup(path, SEG(7u) | 0x0403, &n), 0);
	assert_true(n.l.bar[2].base == 0x40290000);
	assert_int_equal(lookup(path, 0x0405, &n), 0);
	assert_true(!n.nr && !n.l.msix);
	assert_int_equal(lookup(path, 0x0302, &n), 1);
	assert_non_null(strstr(why, "/layout has no line for interface 0x302"));
}

static void test_file_bad(void **st)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "0 simple\n", "line 1: want three fields: ADDR LAYOUT BARSPEC" },
		{ "0 simple - extra\n", "line 1: want three fields" },
		{ "# ok\n03:00.0 simple -\n8 simple -\n", "line 3: '8': want DOMAIN:BUS:DEV.FN" },
		{ "03:20.0 simple -\n", "'03:20.0': want DOMAIN:BUS:DEV.FN" },
		{ "0 fancy -\n", "line 1: layout 'fancy': want one of simple, sparse, offset" },
		{ "0 simple bar0=0x1000:0x3000:32:np\n", "line 1: BARSPEC: bar0: size 0x3000" },
		{ "0 simple bar0=0:0x1000:32:np,msix=0:0xff8:8:0:0x800\n",
		  "line 1: layout simple on these BARs: the MSI-X table (BAR 0 offset 0xff8) runs "
		  "past the BAR's 0x1000 bytes" },
		{ "0 simple bar0=0:0x4000:32:np,msix=0:0x800:512:0:0x1000\n",
		  "share some of their pages in BAR 0" },
	};
	struct tsmh_tdisp_named n;
	size_t i;

	(void)st;
	/* a bad line fails the file even when an earlier line matches */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lookup(file_with(bad[i].text), 0, &n) != -EINVAL || !strstr(why, bad[i].why) ||
		    !strstr(why, "/layout line "))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, why, bad[i].why);
	assert_int_equal(lookup("/nonexistent/layout", 0, &n), -ENOENT);
	assert_string_equal(why, "/nonexistent/layout: No such file or directory");
}

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/tsmh-test-layout.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[96];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_barspec),	 cmocka_unit_test(test_barspec_bad),
		cmocka_unit_test(test_sim_bars), cmocka_unit_test(test_generated),
		cmocka_unit_test(test_file),	 cmocka_unit_test(test_file_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
