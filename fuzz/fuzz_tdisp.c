// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the TDISP codec, the report and the emulator's TDISP
 * responder (lib/tdisp.c, daemon/emu/tdisp_resp.c).
 *  - The input as a VENDOR_DEFINED request and response (their TDISP
 *    message decoded) and as a bare TDISP message: whatever decodes
 *    re-encodes to the same bytes, reserved bytes aside; every refusal
 *    names a field and what was expected.
 *  - The input as a report: one that parses rebuilds to the same bytes;
 *    checked against BARs and an MSI-X capability taken from the input,
 *    a report the check accepts really has every range inside one BAR
 *    and no two ranges overlapping (verified here independently), and a
 *    refusal names a range that exists.
 *  - The input cut into DEVICE_INTERFACE_REPORT portions for the
 *    reassembler: it never writes past its buffer, never completes with
 *    fewer bytes than announced, and what it holds is what was sent.
 *  - The input cut into requests for the responder (one connection,
 *    faults and layout from the first byte): every answer is an SPDM
 *    ERROR or a TDISP response that decodes, names the request's
 *    interface ID and is the request's response or TDISP_ERROR; the TDI
 *    states stay within the four.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "emu.h"
#include "tdisp.h"

static void check_why(int ret, const struct tsmh_idekm_why *w)
{
	char b[256];

	if (ret && (!w->field || !w->want || !tsmh_idekm_why_format(w, b, sizeof(b))))
		__builtin_trap();
}

static void one(const uint8_t *p, size_t len)
{
	static uint8_t out[70000], want[70000];
	struct tsmh_tdisp_msg m;
	struct tsmh_idekm_why w = { 0 };
	size_t n, exp;
	int ret = tsmh_tdisp_decode(p, len, &m, &w);

	check_why(ret, &w);
	if (ret)
		return;
	n = tsmh_tdisp_encode(&m, out, sizeof(out));
	exp = len - (m.has_stream_config ? 1 : 0); /* 1.1's STREAM_CONFIG is not encoded */
	if (n != exp)
		__builtin_trap();
	memcpy(want, p, exp);
	memset(want + 2, 0, 2);
	memset(want + 8, 0, 8);
	if (m.code == TSMH_TDISP_LOCK)
		want[19] = 0;
	if (m.code == TSMH_TDISP_RSP_CAPABILITIES)
		memset(want + 38, 0, 3);
	if (memcmp(out, want, n))
		__builtin_trap();
}

static int inside(const struct tsmh_tdisp_layout *l, uint64_t a, uint64_t n)
{
	int i;

	for (i = 0; i < TSMH_TDISP_NR_BARS; i++)
		if (l->bar[i].size && a >= l->bar[i].base && a - l->bar[i].base < l->bar[i].size &&
		    n <= l->bar[i].size - (a - l->bar[i].base))
			return 1;
	return 0;
}

static void report(const uint8_t *p, size_t len)
{
	static uint8_t out[70000];
	struct tsmh_tdisp_range x, y, rg[64];
	struct tsmh_tdisp_layout l;
	struct tsmh_tdisp_report r;
	struct tsmh_idekm_why w = { 0 };
	char why[512];
	uint32_t i, j, bad = 0xffffffff;
	size_t n;
	int ret = tsmh_tdisp_report_parse(p, len, &r, &w);

	check_why(ret, &w);
	if (ret)
		return;
	if (r.nr_ranges <= 64) {
		for (i = 0; i < r.nr_ranges; i++)
			tsmh_tdisp_report_range(&r, i, &rg[i]);
		n = tsmh_tdisp_report_build(&r, rg, r.nr_ranges, out, sizeof(out));
		if (n != len || memcmp(out, p, 2) || memcmp(out + 4, p + 4, len - 4))
			__builtin_trap();
	}
	/* BARs and MSI-X from the input's device-specific info, when long enough */
	memset(&l, 0, sizeof(l));
	if (r.dsi_len >= 6 * 5 + 8) {
		const uint8_t *d = r.dsi;

		for (i = 0; i < TSMH_TDISP_NR_BARS; i++) {
			l.bar[i].base = (uint64_t)tsmh_get_le24(d + 5 * i) << 12;
			l.bar[i].size = (uint64_t)(d[5 * i + 3] | d[5 * i + 4] << 8) << 12;
		}
		d += 30;
		l.msix = d[0] & 1;
		l.table_bir = d[0] >> 1 & 7;
		l.pba_bir = d[0] >> 4 & 7;
		l.table_off = (uint32_t)d[1] << 12 | (uint32_t)d[2] << 4;
		l.pba_off = (uint32_t)d[3] << 12 | (uint32_t)d[4] << 3;
		l.table_entries = (uint16_t)(1 + (d[5] | (d[6] & 7) << 8));
		l.mmio_offset = (uint64_t)d[7] << 32;
	}
	why[0] = 0;
	ret = tsmh_tdisp_report_check(&r, &l, &bad, why, sizeof(why));
	if (ret) {
		if (ret != -EINVAL || !why[0] ||
		    (r.nr_ranges <= TSMH_TDISP_MAX_CHECK_RANGES && bad >= r.nr_ranges))
			__builtin_trap();
		return;
	}
	for (i = 0; i < r.nr_ranges; i++) {
		tsmh_tdisp_report_range(&r, i, &x);
		if (!x.nr_pages || x.first_page < l.mmio_offset ||
		    !inside(&l, x.first_page - l.mmio_offset, (uint64_t)x.nr_pages << 12))
			__builtin_trap();
		for (j = 0; j < i; j++) {
			tsmh_tdisp_report_range(&r, j, &y);
			if (x.first_page < y.first_page + ((uint64_t)y.nr_pages << 12) &&
			    y.first_page < x.first_page + ((uint64_t)x.nr_pages << 12))
				__builtin_trap();
		}
	}
}

/* portions: [u8 asked-len][u16 offset-delta][u8 portion-len][u16 remainder] */
static void reassemble(const uint8_t *p, size_t len)
{
	static uint8_t buf[300], sent[300], src[512];
	struct tsmh_tdisp_asm a;
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_RSP_REPORT };
	struct tsmh_idekm_why w = { 0 };
	uint16_t off;
	int ret = 0;

	tsmh_tdisp_asm_init(&a, buf, 256);
	memset(sent, 0, sizeof(sent));
	for (off = 0; off < sizeof(src); off++)
		src[off] = (uint8_t)(off * 7 + len);
	while (len >= 6 && ret == 0) {
		off = (uint16_t)(a.have + (int8_t)p[1] * (p[2] & 1));
		m.portion_len = p[3];
		m.remainder = (uint16_t)(p[4] | p[5] << 8);
		m.portion = src + p[4];
		ret = tsmh_tdisp_asm_add(&a, off, p[0], &m, &w);
		check_why(ret < 0, &w);
		if (ret >= 0) {
			if (off + m.portion_len > 256 || a.have > a.total || a.total > 256)
				__builtin_trap();
			memcpy(sent + off, m.portion, m.portion_len);
		}
		p += 6;
		len -= 6;
	}
	if (ret == 1 && (a.have != a.total || memcmp(buf, sent, a.have)))
		__builtin_trap();
}

static void responder(const uint8_t *data, size_t size)
{
	static const char *const layouts[] = { "simple", "sparse", "offset", "nonesuch" };
	static struct emu_dev_cfg d;
	struct emu_conn c;
	struct tsmh_tdisp_msg q, r;
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	uint8_t rsp[512];
	size_t n, len;
	unsigned int i;

	if (!size)
		return;
	memset(&c, 0, sizeof(c));
	c.ver = 0x12;
	d.faults = (unsigned int)(data[0] & 0x3f) << 21;
	d.tdisp_layout = layouts[data[0] >> 6];
	d.tdisp_need_ide = 0;
	data++;
	size--;
	while (size) {
		len = data[0] & 0x7f;
		data++;
		size--;
		if (len > size)
			len = size;
		n = emu_tdisp_respond(&d, &c, data, len, rsp, sizeof(rsp));
		if (n < 4 || n > sizeof(rsp))
			__builtin_trap();
		if (rsp[1] != 0x7f) {
			if (tsmh_vdm_decode(rsp, n, 1, &v, &w) ||
			    v.protocol != TSMH_PCI_PROTOCOL_TDISP ||
			    tsmh_tdisp_decode(v.payload, v.len, &r, &w))
				__builtin_trap();
			if (!tsmh_tdisp_decode(data, len, &q, &w) &&
			    (r.function_id != q.function_id ||
			     (r.code != TSMH_TDISP_ERROR && r.code != TSMH_TDISP_RSP_OF(q.code))))
				__builtin_trap();
		}
		for (i = 0; i < 3; i++)
			if (emu_tdisp_state(&c, i) >= TSMH_TDI_NR_STATES)
				__builtin_trap();
		if (len == 1 && data[0] == 0xee) /* the session ends mid-way */
			emu_tdisp_session_end(&c);
		data += len;
		size -= len;
	}
	emu_tdisp_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_idekm_why w = { 0 };
	struct tsmh_vdm v;
	int r, ret;

	for (r = 0; r < 2; r++) {
		ret = tsmh_vdm_decode(data, size, r, &v, &w);
		check_why(ret, &w);
		if (!ret && v.protocol == TSMH_PCI_PROTOCOL_TDISP)
			one(v.payload, v.len);
	}
	one(data, size);
	report(data, size);
	reassemble(data, size);
	responder(data, size);
	return 0;
}
