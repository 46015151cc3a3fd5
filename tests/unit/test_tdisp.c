// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lib/tdisp.c: TDISP 1.0 messages at the byte offsets of libspdm's
 * pci_tdisp.h (hand-built bytes decoded, decoded messages re-encoded to
 * the same bytes); the report parsed and reassembled from portions (gap,
 * overlap, growing remainder, portion past the total refused with the
 * field named); the report checked against BARs and the MSI-X capability
 * (each refusal names the range); the TDI state table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tdisp.h"

static char whybuf[512];

static const char *say(const struct tsmh_idekm_why *w)
{
	tsmh_idekm_why_format(w, whybuf, sizeof(whybuf));
	return whybuf;
}

static void hdr(uint8_t *p, uint8_t code, uint32_t fid)
{
	memset(p, 0, 16);
	p[0] = 0x10;
	p[1] = code;
	tsmh_put_le32(p + 4, fid);
}

static void test_lock_bytes(void **st)
{
	struct tsmh_tdisp_msg m;
	struct tsmh_idekm_why w;
	uint8_t b[64], out[64];

	(void)st;
	hdr(b, 0x83, 0x01000108);
	tsmh_put_le16(b + 16, TSMH_TDISP_LOCK_NO_FW_UPDATE | TSMH_TDISP_LOCK_MSIX);
	b[18] = 5;
	b[19] = 0;
	tsmh_put_le32(b + 20, 0x00000000);
	tsmh_put_le32(b + 24, 0x00000001); /* offset 1 << 32 */
	tsmh_put_le32(b + 28, 0xfffff000);
	tsmh_put_le32(b + 32, 0);
	assert_int_equal(tsmh_tdisp_decode(b, 36, &m, &w), 0);
	assert_int_equal(m.code, TSMH_TDISP_LOCK);
	assert_int_equal(m.function_id, 0x01000108);
	assert_int_equal(m.lock_flags, 0x5);
	assert_int_equal(m.default_stream_id, 5);
	assert_true(m.mmio_reporting_offset == 0x100000000ULL);
	assert_true(m.bind_p2p_mask == 0xfffff000ULL);
	assert_int_equal(tsmh_tdisp_encode(&m, out, sizeof(out)), 36);
	assert_memory_equal(out, b, 36);
	/* a byte short: the length named with what LOCK takes */
	assert_int_equal(tsmh_tdisp_decode(b, 35, &m, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "LOCK_INTERFACE_REQUEST: length 0x23, expected 36 bytes"));
}

static void test_fixed_roundtrip(void **st)
{
	static const uint8_t codes[] = {
		0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
		0x8c, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0c
	};
	static const size_t lens[] = { 16, 20, 36, 20, 16, 48, 16, 17, 17, 32,
				       20, 44, 48, 17, 16, 16, 16, 16, 16, 16 };
	struct tsmh_tdisp_msg m, d;
	struct tsmh_idekm_why w;
	uint8_t nonce[32], out[64], out2[64];
	size_t i, n;

	(void)st;
	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < sizeof(codes); i++) {
		memset(&m, 0, sizeof(m));
		m.code = codes[i];
		m.function_id = 0x42;
		m.nonce = nonce;
		m.tsm_caps = 7;
		m.dsm_caps = 1;
		m.req_msgs[0] = 0xfe;
		m.lock_flags_supported = 0x1f;
		m.dev_addr_width = 52;
		m.num_req_this = 1;
		m.num_req_all = 2;
		m.offset = 10;
		m.length = 20;
		m.tdi_state = 2;
		m.p2p_stream_id = 3;
		m.range.first_page = 0x1000;
		m.range.nr_pages = 2;
		m.range.attrs = 8;
		m.range.id = 1;
		m.dsm_config = 1;
		n = tsmh_tdisp_encode(&m, out, sizeof(out));
		assert_int_equal(n, lens[i]);
		assert_int_equal(tsmh_tdisp_decode(out, n, &d, &w), 0);
		assert_int_equal(d.code, codes[i]);
		assert_int_equal(d.function_id, 0x42);
		assert_int_equal(tsmh_tdisp_encode(&d, out2, sizeof(out2)), n);
		assert_memory_equal(out, out2, n);
		/* one byte more is refused, naming the message */
		out[n] = 0;
		assert_int_equal(tsmh_tdisp_decode(out, n + 1, &d, &w),
				 n == 17 && codes[i] == 0x88 ? 0 : -EBADMSG);
	}
	/* the capabilities at libspdm's offsets */
	memset(&m, 0, sizeof(m));
	m.code = TSMH_TDISP_RSP_CAPABILITIES;
	m.lock_flags_supported = 0x1f;
	m.dev_addr_width = 52;
	m.num_req_all = 9;
	n = tsmh_tdisp_encode(&m, out, sizeof(out));
	assert_int_equal(tsmh_get_le16(out + 36), 0x1f);
	assert_int_equal(out[41], 52);
	assert_int_equal(out[43], 9);
}

static void test_variable(void **st)
{
	struct tsmh_tdisp_msg m, d;
	struct tsmh_idekm_why w;
	uint8_t b[64];
	static const uint8_t vers[] = { 0x10, 0x11 }, vid[] = { 0x01, 0x00 }, data[] = { 9, 8, 7 };
	size_t n;

	(void)st;
	memset(&m, 0, sizeof(m));
	m.code = TSMH_TDISP_RSP_VERSION;
	m.nr_versions = 2;
	m.versions = vers;
	n = tsmh_tdisp_encode(&m, b, sizeof(b));
	assert_int_equal(n, 19);
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), 0);
	assert_int_equal(d.nr_versions, 2);
	assert_int_equal(d.versions[1], 0x11);
	assert_int_equal(tsmh_tdisp_decode(b, n - 1, &d, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "TDISP_VERSION: length 0x12, expected 17 bytes plus one"));

	/* TDISP_ERROR without and with extended error data */
	memset(&m, 0, sizeof(m));
	m.code = TSMH_TDISP_ERROR;
	m.error_code = TSMH_TDISP_E_INVALID_NONCE;
	m.error_data = 0;
	n = tsmh_tdisp_encode(&m, b, sizeof(b));
	assert_int_equal(n, 24);
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), 0);
	assert_int_equal(d.error_code, 0x102);
	assert_false(d.has_ext);
	assert_string_equal(tsmh_tdisp_error_name(d.error_code), "INVALID_NONCE");
	m.has_ext = 1;
	m.registry_id = 0;
	m.vendor_id_len = 2;
	m.vendor_id = vid;
	m.data = data;
	m.data_len = 3;
	m.error_code = TSMH_TDISP_E_VENDOR_SPECIFIC;
	n = tsmh_tdisp_encode(&m, b, sizeof(b));
	assert_int_equal(n, 24 + 2 + 2 + 3);
	assert_int_equal(b[25], 2);
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), 0);
	assert_true(d.has_ext);
	assert_int_equal(d.data_len, 3);
	assert_int_equal(d.data[2], 7);
	b[25] = 9; /* vendor ID length past the end */
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "TDISP_ERROR: vendor ID length 0x9"));
	/* one byte of extended error data: no room for its vendor ID length */
	assert_int_equal(tsmh_tdisp_decode(b, 25, &d, &w), -EBADMSG);
	assert_non_null(
		strstr(say(&w), "TDISP_ERROR: length 0x19, expected room for the registry ID"));

	/* VDM request */
	m.code = TSMH_TDISP_VDM;
	m.registry_id = 1;
	n = tsmh_tdisp_encode(&m, b, sizeof(b));
	assert_int_equal(n, 16 + 2 + 2 + 3);
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), 0);
	assert_int_equal(d.registry_id, 1);
	assert_int_equal(d.vendor_id[0], 1);

	/* REPORT response: PORTION_LENGTH must be the bytes after the header */
	memset(&m, 0, sizeof(m));
	m.code = TSMH_TDISP_RSP_REPORT;
	m.portion_len = 3;
	m.remainder = 100;
	m.portion = data;
	n = tsmh_tdisp_encode(&m, b, sizeof(b));
	assert_int_equal(n, 23);
	assert_int_equal(tsmh_tdisp_decode(b, n, &d, &w), 0);
	assert_int_equal(d.remainder, 100);
	assert_int_equal(tsmh_tdisp_decode(b, n + 1, &d, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "DEVICE_INTERFACE_REPORT: PORTION_LENGTH 0x3"));

	/* STATE: a state above ERROR */
	hdr(b, 0x05, 0);
	b[16] = 4;
	assert_int_equal(tsmh_tdisp_decode(b, 17, &d, &w), -EPROTO);
	assert_non_null(strstr(say(&w), "TDI_STATE 0x4"));
	/* version 2.0 and unknown codes */
	hdr(b, 0x85, 0);
	b[0] = 0x20;
	assert_int_equal(tsmh_tdisp_decode(b, 16, &d, &w), -EPROTO);
	assert_non_null(strstr(say(&w), "GET_DEVICE_INTERFACE_STATE: TDISPVersion 0x20"));
	hdr(b, 0x8d, 0);
	assert_int_equal(tsmh_tdisp_decode(b, 16, &d, &w), -EPROTO);
	assert_non_null(strstr(say(&w), "message type 0x8d"));
	/* BIND_P2P with libspdm's 1.1 STREAM_CONFIG byte */
	hdr(b, 0x88, 0);
	b[16] = 4;
	b[17] = 1;
	assert_int_equal(tsmh_tdisp_decode(b, 18, &d, &w), 0);
	assert_true(d.has_stream_config);
	assert_int_equal(d.stream_config, 1);
	assert_int_equal(tsmh_tdisp_decode(b, 19, &d, &w), -EBADMSG);
	assert_string_equal(tsmh_tdisp_code_name(0x8c), "SET_TDISP_CONFIG_REQUEST (TDISP 1.1)");
}

/* a report with @n ranges and 3 bytes of device-specific info */
static size_t mkreport(uint8_t *out, size_t cap, const struct tsmh_tdisp_range *rg, uint32_t n)
{
	static const uint8_t dsi[] = { 0xd0, 0xd1, 0xd2 };
	struct tsmh_tdisp_report r = { .interface_info = TSMH_TDISP_INFO_NO_UPDATE_AFTER_LOCK |
							 TSMH_TDISP_INFO_DMA_NO_PASID,
				       .msix_ctl = 0x8007,
				       .lnr_ctl = 1,
				       .tph_ctl = 0x100,
				       .dsi = dsi,
				       .dsi_len = 3 };

	return tsmh_tdisp_report_build(&r, rg, n, out, cap);
}

static void test_report_parse(void **st)
{
	const struct tsmh_tdisp_range rg[2] = {
		{ 0x100000000ULL + 0xfe000000, 4, TSMH_TDISP_RANGE_UPDATABLE, 0 },
		{ 0x100000000ULL + 0xfe004000, 1, TSMH_TDISP_RANGE_MSIX_TABLE, 1 },
	};
	struct tsmh_tdisp_report r;
	struct tsmh_tdisp_range x;
	struct tsmh_idekm_why w;
	uint8_t b[256];
	size_t n;

	(void)st;
	n = mkreport(b, sizeof(b), rg, 2);
	assert_int_equal(n, 16 + 32 + 4 + 3);
	assert_int_equal(tsmh_tdisp_report_parse(b, n, &r, &w), 0);
	assert_int_equal(r.interface_info, 3);
	assert_int_equal(r.msix_ctl, 0x8007);
	assert_int_equal(r.lnr_ctl, 1);
	assert_int_equal(r.tph_ctl, 0x100);
	assert_int_equal(r.nr_ranges, 2);
	assert_int_equal(r.dsi_len, 3);
	assert_int_equal(r.dsi[2], 0xd2);
	tsmh_tdisp_report_range(&r, 1, &x);
	assert_true(x.first_page == 0x1fe004000ULL);
	assert_int_equal(x.nr_pages, 1);
	assert_int_equal(x.attrs, TSMH_TDISP_RANGE_MSIX_TABLE);
	assert_int_equal(x.id, 1);
	/* the range array is at @16, attributes at +12, range ID at +14 */
	assert_int_equal(tsmh_get_le16(b + 16 + 16 + 12), 1);
	assert_int_equal(tsmh_get_le16(b + 16 + 16 + 14), 1);
	/* more ranges than the bytes hold */
	tsmh_put_le32(b + 12, 3);
	assert_int_equal(tsmh_tdisp_report_parse(b, n, &r, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "MMIO_RANGE_COUNT 0x3"));
	tsmh_put_le32(b + 12, 2);
	/* device-specific info longer than the report */
	assert_int_equal(tsmh_tdisp_report_parse(b, n - 1, &r, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "DEVICE_SPECIFIC_INFO_LEN 0x3"));
	/* bytes left over */
	b[n] = 0;
	assert_int_equal(tsmh_tdisp_report_parse(b, n + 1, &r, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "bytes after DEVICE_SPECIFIC_INFO 0x1"));
}

static struct tsmh_tdisp_msg portion(const uint8_t *p, uint16_t len, uint16_t rem)
{
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_RSP_REPORT };

	m.portion = p;
	m.portion_len = len;
	m.remainder = rem;
	return m;
}

static void test_reassembly(void **st)
{
	uint8_t src[100], buf[100];
	struct tsmh_tdisp_asm a;
	struct tsmh_tdisp_msg m;
	struct tsmh_idekm_why w;
	int i;

	(void)st;
	for (i = 0; i < 100; i++)
		src[i] = (uint8_t)i;
	tsmh_tdisp_asm_init(&a, buf, sizeof(buf));
	m = portion(src, 40, 60);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 40, &m, &w), 0);
	m = portion(src + 40, 40, 20);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 40, 40, &m, &w), 0);
	m = portion(src + 80, 20, 0);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 80, 40, &m, &w), 1);
	assert_int_equal(a.have, 100);
	assert_memory_equal(buf, src, 100);

	/* a gap: asked past where the last portion ended */
	tsmh_tdisp_asm_init(&a, buf, sizeof(buf));
	m = portion(src, 40, 60);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 40, &m, &w), 0);
	m = portion(src + 50, 10, 40);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 50, 40, &m, &w), -EBADMSG);
	assert_non_null(strstr(
		say(&w), "OFFSET requested 0x32, expected where the last portion ended (a gap)"));
	assert_int_equal(tsmh_tdisp_asm_add(&a, 30, 40, &m, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "(an overlap)"));
	/* a remainder that grows */
	m = portion(src + 40, 10, 60);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 40, 40, &m, &w), -EBADMSG);
	assert_non_null(strstr(
		say(&w),
		"REMAINDER_LENGTH 0x3c, expected the announced length less what arrived (the remainder grew)"));
	/* a portion past the announced total */
	tsmh_tdisp_asm_init(&a, buf, sizeof(buf));
	m = portion(src, 40, 10);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 40, &m, &w), 0);
	m = portion(src + 40, 20, 0);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 40, 40, &m, &w), -EBADMSG);
	assert_non_null(strstr(
		say(&w),
		"end of portion 0x3c, expected within the length the first portion announced"));
	/* a portion longer than asked; no progress; a total beyond the buffer */
	tsmh_tdisp_asm_init(&a, buf, sizeof(buf));
	m = portion(src, 40, 10);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 30, &m, &w), -EBADMSG);
	assert_non_null(
		strstr(say(&w), "PORTION_LENGTH 0x28, expected no more than the LENGTH requested"));
	m = portion(src, 0, 10);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 30, &m, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "no progress"));
	tsmh_tdisp_asm_init(&a, buf, sizeof(buf));
	m = portion(src, 40, 61);
	assert_int_equal(tsmh_tdisp_asm_add(&a, 0, 40, &m, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "announced length 0x65"));
}

/* BAR0: 64-bit 64 KiB at 0xfe000000 (MSI-X table at 0x8000, PBA at 0x9000); BAR2: 32-bit 16 KiB at 0xfd000000 */
static void layout(struct tsmh_tdisp_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->bar[0] = (struct tsmh_tdisp_bar){ 0xfe000000, 0x10000, 1, 1 };
	l->bar[2] = (struct tsmh_tdisp_bar){ 0xfd000000, 0x4000, 0, 0 };
	l->msix = 1;
	l->table_bir = 0;
	l->table_off = 0x8000;
	l->table_entries = 8;
	l->pba_bir = 0;
	l->pba_off = 0x9000;
	l->mmio_offset = 0x100000000ULL;
}

static int check(struct tsmh_tdisp_range *rg, uint32_t n, uint32_t *bad, char *why)
{
	struct tsmh_tdisp_layout l;
	struct tsmh_tdisp_report r;
	uint8_t b[1024];
	size_t len = mkreport(b, sizeof(b), rg, n);

	layout(&l);
	assert_int_equal(tsmh_tdisp_report_parse(b, len, &r, NULL), 0);
	return tsmh_tdisp_report_check(&r, &l, bad, why, 512);
}

static void test_check(void **st)
{
	const uint64_t o = 0x100000000ULL;
	struct tsmh_tdisp_range good[] = {
		{ o + 0xfe000000, 8, 0, 0 },	     /* BAR0 0-0x7fff */
		{ o + 0xfe008000, 1, TSMH_TDISP_RANGE_MSIX_TABLE, 0 },
		{ o + 0xfe009000, 1, TSMH_TDISP_RANGE_MSIX_PBA, 0 },
		{ o + 0xfd001000, 2, TSMH_TDISP_RANGE_NON_TEE, 2 }, /* not at BAR2's base */
	}, rg[4];
	char why[512];
	uint32_t bad;

	(void)st;
	assert_int_equal(check(good, 4, &bad, why), 0);

	memcpy(rg, good, sizeof(rg));
	rg[3].first_page = o + 0xfd003000; /* 2 pages from the last page of BAR2 */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(
		why,
		"MMIO range 3 (range ID 2): pages 0xfd003000-0xfd004fff run past the end of BAR 2 (0xfd000000-0xfd003fff)"));

	memcpy(rg, good, sizeof(rg));
	rg[3].first_page = o + 0xfc000000;
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 3 (range ID 2): pages 0xfc000000-0xfc001fff (first page 0x1fc000000 less MMIO_REPORTING_OFFSET 0x100000000) are outside every BAR"));

	memcpy(rg, good, sizeof(rg));
	rg[3].first_page = 0xfd001000; /* the offset forgotten */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(why, "below the MMIO_REPORTING_OFFSET"));

	memcpy(rg, good, sizeof(rg));
	rg[3].first_page = o + 0xfe004000; /* inside range 0 */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(
		why,
		"MMIO range 3 (range ID 2, pages 0xfe004000-0xfe005fff) overlaps MMIO range 0 (range ID 0, pages 0xfe000000-0xfe007fff)"));

	memcpy(rg, good, sizeof(rg));
	rg[0].nr_pages = 9; /* runs into the table's page */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_int_equal(bad, 0);
	assert_non_null(strstr(
		why,
		"MMIO range 0 (range ID 0, pages 0xfe000000-0xfe008fff) covers the MSI-X table"));

	memcpy(rg, good, sizeof(rg));
	rg[1].first_page = o + 0xfe00a000; /* table range on the wrong page */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 1 (range ID 0) is marked MSI-X table at pages 0xfe00a000-0xfe00afff, but the MSI-X capability puts it on pages 0xfe008000-0xfe008fff (BAR 0 offset 0x8000)"));

	memcpy(rg, good, sizeof(rg));
	rg[1].attrs = 0; /* the table's page as an ordinary TEE range */
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"covers the MSI-X table (pages 0xfe008000-0xfe008fff) without the MSI-X table attribute"));

	memcpy(rg, good, sizeof(rg));
	rg[3].attrs = TSMH_TDISP_RANGE_MSIX_PBA;
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(
		why, "MMIO range 3 (range ID 2) is marked MSI-X PBA, as range 2 already is"));

	memcpy(rg, good, sizeof(rg));
	rg[2].nr_pages = 0;
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(why, "MMIO range 2 (range ID 0) has 0 pages"));

	memcpy(rg, good, sizeof(rg));
	rg[2].first_page += 0x800;
	assert_int_equal(check(rg, 4, &bad, why), -EINVAL);
	assert_non_null(strstr(why, "is not 4 KiB aligned"));
}

/*
 * The MSI-X table and PBA sharing a page (PCIe: they may co-reside in one
 * naturally aligned 4 KiB range, not overlapping): BAR0 as layout(), a
 * table of @entries at 0x8000 and the PBA at @pba_off.
 */
static int check_shared(struct tsmh_tdisp_range *rg, uint32_t n, uint16_t entries, uint32_t pba_off,
			char *why)
{
	struct tsmh_tdisp_layout l;
	struct tsmh_tdisp_report r;
	uint8_t b[1024];
	size_t len = mkreport(b, sizeof(b), rg, n);
	uint32_t bad;

	layout(&l);
	l.table_entries = entries;
	l.pba_off = pba_off;
	assert_int_equal(tsmh_tdisp_report_parse(b, len, &r, NULL), 0);
	why[0] = 0;
	return tsmh_tdisp_report_check(&r, &l, &bad, why, 512);
}

static void test_check_msix_shared(void **st)
{
	const uint64_t o = 0x100000000ULL;
	const uint16_t both = TSMH_TDISP_RANGE_MSIX_TABLE | TSMH_TDISP_RANGE_MSIX_PBA;
	struct tsmh_tdisp_range rg[3];
	char why[512];

	(void)st;
	/* 8 entries (128 bytes) and the PBA at 0x8800: one page, one range with both */
	rg[0] = (struct tsmh_tdisp_range){ o + 0xfe000000, 8, 0, 0 };
	rg[1] = (struct tsmh_tdisp_range){ o + 0xfe008000, 1, both, 0 };
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe009000, 7, 0, 0 };
	assert_int_equal(check_shared(rg, 3, 8, 0x8800, why), 0);

	/*
	 * 300 entries (4800 bytes, pages 0x8000-0x9fff) and the PBA at 0x9800
	 * (page 0x9000): the one range with both is the two pages together
	 */
	rg[1].nr_pages = 2;
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe00a000, 6, 0, 0 };
	if (check_shared(rg, 3, 300, 0x9800, why))
		fail_msg("table 0x8000-0x92bf, PBA 0x9800: %s", why);

	/* the table's range alone holding the PBA's page: refused */
	rg[1].attrs = TSMH_TDISP_RANGE_MSIX_TABLE;
	assert_int_equal(check_shared(rg, 3, 300, 0x9800, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 1 (range ID 0, pages 0xfe008000-0xfe009fff) is marked MSI-X table only, but the MSI-X PBA shares its pages 0xfe009000-0xfe009fff"));
	/* the PBA's own range, the table's after it: the PBA's has a table page */
	rg[1] = (struct tsmh_tdisp_range){ o + 0xfe009000, 1, TSMH_TDISP_RANGE_MSIX_PBA, 0 };
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe008000, 2, TSMH_TDISP_RANGE_MSIX_TABLE, 0 };
	assert_int_equal(check_shared(rg, 3, 300, 0x9800, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 1 (range ID 0, pages 0xfe009000-0xfe009fff) is marked MSI-X PBA only, but the MSI-X table shares its pages 0xfe008000-0xfe009fff"));

	/* both, but one page short of the two together, or one page more */
	rg[1] = (struct tsmh_tdisp_range){ o + 0xfe008000, 1, both, 0 };
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe00a000, 6, 0, 0 };
	assert_int_equal(check_shared(rg, 3, 300, 0x9800, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 1 (range ID 0) is marked MSI-X table and PBA at pages 0xfe008000-0xfe008fff, but the two are on pages 0xfe008000-0xfe009fff"));
	rg[1].nr_pages = 3;
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe00b000, 5, 0, 0 };
	assert_int_equal(check_shared(rg, 3, 300, 0x9800, why), -EINVAL);
	assert_non_null(strstr(why, "but the two are on pages 0xfe008000-0xfe009fff"));

	/* both where they share no page (PBA at 0x9000, table page 0x8000) */
	rg[1].nr_pages = 2;
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe00a000, 6, 0, 0 };
	assert_int_equal(check_shared(rg, 3, 8, 0x9000, why), -EINVAL);
	assert_non_null(strstr(
		why,
		"MMIO range 1 (range ID 0) is marked MSI-X table and PBA, but they share no page (table pages 0xfe008000-0xfe008fff, PBA pages 0xfe009000-0xfe009fff)"));

	/* the shared page as an ordinary TEE range, or a non-TEE one */
	rg[1] = (struct tsmh_tdisp_range){ o + 0xfe008000, 1, 0, 0 };
	rg[2] = (struct tsmh_tdisp_range){ o + 0xfe009000, 7, 0, 0 };
	assert_int_equal(check_shared(rg, 3, 8, 0x8800, why), -EINVAL);
	assert_non_null(strstr(why, "covers the MSI-X table"));
	rg[1].attrs = TSMH_TDISP_RANGE_NON_TEE;
	assert_int_equal(check_shared(rg, 3, 8, 0x8800, why), 0);
}

static void test_states(void **st)
{
	(void)st;
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_LOCK, TSMH_TDI_CONFIG_UNLOCKED));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_LOCK, TSMH_TDI_CONFIG_LOCKED));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_LOCK, TSMH_TDI_RUN));
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_START, TSMH_TDI_CONFIG_LOCKED));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_START, TSMH_TDI_RUN));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_GET_REPORT, TSMH_TDI_CONFIG_UNLOCKED));
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_GET_REPORT, TSMH_TDI_RUN));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_GET_REPORT, TSMH_TDI_ERROR));
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_STOP, TSMH_TDI_ERROR));
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_BIND_P2P, TSMH_TDI_RUN));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_SET_MMIO, TSMH_TDI_CONFIG_LOCKED));
	assert_true(tsmh_tdisp_legal(TSMH_TDISP_GET_STATE, TSMH_TDI_ERROR));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_RSP_STATE, TSMH_TDI_ERROR));
	assert_false(tsmh_tdisp_legal(TSMH_TDISP_GET_STATE, 4));
	assert_int_equal(tsmh_tdisp_next(TSMH_TDISP_LOCK, 0), TSMH_TDI_CONFIG_LOCKED);
	assert_int_equal(tsmh_tdisp_next(TSMH_TDISP_START, 1), TSMH_TDI_RUN);
	assert_int_equal(tsmh_tdisp_next(TSMH_TDISP_STOP, 3), TSMH_TDI_CONFIG_UNLOCKED);
	assert_int_equal(tsmh_tdisp_next(TSMH_TDISP_GET_REPORT, 2), TSMH_TDI_RUN);
	assert_int_equal(tsmh_tdisp_event(TSMH_TDI_RUN, TSMH_TDI_EV_FLR), TSMH_TDI_CONFIG_UNLOCKED);
	assert_int_equal(tsmh_tdisp_event(TSMH_TDI_RUN, TSMH_TDI_EV_CONFIG_CHANGE), TSMH_TDI_ERROR);
	assert_int_equal(tsmh_tdisp_event(TSMH_TDI_CONFIG_LOCKED, TSMH_TDI_EV_IDE_LOST),
			 TSMH_TDI_ERROR);
	assert_int_equal(tsmh_tdisp_event(TSMH_TDI_CONFIG_UNLOCKED, TSMH_TDI_EV_SESSION_LOST),
			 TSMH_TDI_CONFIG_UNLOCKED);
	assert_string_equal(tsmh_tdi_state_name(1), "CONFIG_LOCKED");
}

static void test_nonce(void **st)
{
	uint8_t a[32], b[32];
	int i;

	(void)st;
	for (i = 0; i < 32; i++)
		a[i] = b[i] = (uint8_t)(i * 7);
	assert_true(tsmh_tdisp_nonce_eq(a, b));
	b[31] ^= 1;
	assert_false(tsmh_tdisp_nonce_eq(a, b));
	b[31] ^= 1;
	b[0] ^= 0x80;
	assert_false(tsmh_tdisp_nonce_eq(a, b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_bytes),
		cmocka_unit_test(test_fixed_roundtrip),
		cmocka_unit_test(test_variable),
		cmocka_unit_test(test_report_parse),
		cmocka_unit_test(test_reassembly),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_msix_shared),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_nonce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
