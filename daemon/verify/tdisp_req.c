// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The TDISP requester over an SPDM secured session, and the named MMIO
 * layouts of tsmh-emu (tdisp_req.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "spdm.h"
#include "tdisp_req.h"

void tsmh_tdisp_ext_format(const struct tsmh_tdisp_msg *r, char *buf, size_t len)
{
	size_t n;
	unsigned int i;

	n = (size_t)snprintf(buf, len, "registry %s, vendor ID ",
			     r->registry_id == 0   ? "PCI-SIG"
			     : r->registry_id == 1 ? "CXL"
						   : "unknown");
	if (r->vendor_id_len == 2) /* a PCI-SIG/CXL vendor ID: a little-endian u16 */
		n += (size_t)snprintf(buf + n, len - n, "%#06x",
				      r->vendor_id[0] | r->vendor_id[1] << 8);
	else
		for (i = 0; i < r->vendor_id_len && n + 3 < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%02x", r->vendor_id[i]);
	if (!r->vendor_id_len && n + 5 < len)
		n += (size_t)snprintf(buf + n, len - n, "none");
	if (n < len)
		snprintf(buf + n, len - n, ", %u byte%s of vendor data", r->data_len,
			 r->data_len == 1 ? "" : "s");
}

int tsmh_tdisp_xfer(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		    const struct tsmh_tdisp_msg *m, struct tsmh_tdisp_msg *r, uint8_t *rsp,
		    size_t cap, char *why, size_t whylen)
{
	uint8_t req[TSMH_VDM_HDR_LEN + 64];
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	size_t n, rlen;
	char b[256];
	uint8_t want = TSMH_TDISP_RSP_OF(m->code);
	int ret;

	memset(r, 0, sizeof(*r));
	n = tsmh_tdisp_encode(m, req + TSMH_VDM_HDR_LEN, sizeof(req) - TSMH_VDM_HDR_LEN);
	if (!n)
		return spdm_why(why, whylen, -EINVAL, "%s: cannot encode the request", step);
	tsmh_vdm_put_hdr(req, ss->ver, 0, TSMH_PCI_PROTOCOL_TDISP, n);
	ret = tsmh_session_xfer(t, ss, step, req, TSMH_VDM_HDR_LEN + n, rsp, cap, &rlen, why,
				whylen);
	if (ret)
		return ret;
	ret = tsmh_vdm_decode(rsp, rlen, 1, &v, &w);
	if (ret == -EREMOTEIO)
		return spdm_why(why, whylen, ret, "%s: device answered SPDM ERROR %s (%#x)", step,
				spdm_error_name((uint8_t)w.got), w.got);
	if (ret) {
		tsmh_idekm_why_format(&w, b, sizeof(b));
		return spdm_why(why, whylen, ret, "%s: %s", step, b);
	}
	if (v.protocol != TSMH_PCI_PROTOCOL_TDISP)
		return spdm_why(
			why, whylen, -EPROTO,
			"%s: VENDOR_DEFINED_RESPONSE protocol ID %#x, expected 0x01 (TDISP)", step,
			v.protocol);
	ret = tsmh_tdisp_decode(v.payload, v.len, r, &w);
	if (ret) {
		tsmh_idekm_why_format(&w, b, sizeof(b));
		return spdm_why(why, whylen, ret, "%s: %s", step, b);
	}
	if (r->version != TSMH_TDISP_VERSION_10)
		return spdm_why(why, whylen, -EPROTO,
				"%s: %s TDISPVersion %#x, expected 0x10 (TDISP 1.0)", step,
				tsmh_tdisp_code_name(r->code), r->version);
	if (r->function_id != m->function_id)
		return spdm_why(why, whylen, -EPROTO,
				"%s: %s names interface function ID %#x, expected %#x", step,
				tsmh_tdisp_code_name(r->code), r->function_id, m->function_id);
	if (r->code == TSMH_TDISP_ERROR) {
		if (!r->has_ext)
			return spdm_why(why, whylen, -EREMOTEIO,
					"%s: device answered TDISP_ERROR %s (%#x), error data %#x",
					step, tsmh_tdisp_error_name(r->error_code), r->error_code,
					r->error_data);
		tsmh_tdisp_ext_format(r, b, sizeof(b));
		return spdm_why(why, whylen, -EREMOTEIO,
				"%s: device answered TDISP_ERROR %s (%#x), error data %#x, "
				"extended error data: %s",
				step, tsmh_tdisp_error_name(r->error_code), r->error_code,
				r->error_data, b);
	}
	if (r->code != want)
		return spdm_why(why, whylen, -EPROTO, "%s: answered %s (%#x), expected %s (%#x)",
				step, tsmh_tdisp_code_name(r->code), r->code,
				tsmh_tdisp_code_name(want), want);
	return 0;
}

int tsmh_tdisp_get_report(struct spdm_transport *t, struct tsmh_session *ss, uint32_t fid,
			  uint8_t *buf, uint32_t cap, uint32_t *len, unsigned int *portions,
			  struct tsmh_tdisp_report *rep, char *why, size_t whylen)
{
	static uint8_t rsp[TSMH_TDISP_PORTION_ASK + 256];
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_GET_REPORT, .function_id = fid }, r;
	struct tsmh_idekm_why w;
	struct tsmh_tdisp_asm a;
	char step[80], b[256];
	int ret = 0;

	*len = 0;
	*portions = 0;
	tsmh_tdisp_asm_init(&a, buf, cap);
	while (ret == 0) {
		if (*portions >= 1024)
			return spdm_why(why, whylen, -EBADMSG,
					"GET_DEVICE_INTERFACE_REPORT: more than 1024 portions");
		m.offset = (uint16_t)a.have;
		m.length = TSMH_TDISP_PORTION_ASK;
		snprintf(step, sizeof(step), "GET_DEVICE_INTERFACE_REPORT offset %u", m.offset);
		ret = tsmh_tdisp_xfer(t, ss, step, &m, &r, rsp, sizeof(rsp), why, whylen);
		if (ret)
			return ret;
		++*portions;
		ret = tsmh_tdisp_asm_add(&a, m.offset, m.length, &r, &w);
		if (ret < 0) {
			tsmh_idekm_why_format(&w, b, sizeof(b));
			return spdm_why(why, whylen, ret, "%s (portion %u): %s", step, *portions,
					b);
		}
		if (!ret && a.have > 0xffff)
			return spdm_why(why, whylen, -EBADMSG,
					"%s: the report goes past the 16-bit OFFSET", step);
	}
	*len = a.have;
	ret = tsmh_tdisp_report_parse(buf, a.have, rep, &w);
	if (ret) {
		tsmh_idekm_why_format(&w, b, sizeof(b));
		return spdm_why(
			why, whylen, ret,
			"GET_DEVICE_INTERFACE_REPORT: the reassembled report (%u bytes): %s",
			a.have, b);
	}
	return 0;
}

/* Named layouts: BAR bases of function 0; each function's 16 MiB higher. */
static const struct tsmh_tdisp_named layouts[] = {
	{
		.name = "simple",
		.what = "BAR0 64-bit prefetchable 64 KiB, all TEE; MSI-X table and PBA on pages of their own in it",
		.l = { .bar = { [0] = { 0xf0000000, 0x10000, 1, 1 } },
		       .msix = 1,
		       .table_bir = 0,
		       .table_off = 0x8000,
		       .table_entries = 16,
		       .pba_bir = 0,
		       .pba_off = 0x9000 },
		.nr = 4,
		.r = { { 0xf0000000, 8, 0, 0 },
		       { 0xf0008000, 1, TSMH_TDISP_RANGE_MSIX_TABLE, 0 },
		       { 0xf0009000, 1, TSMH_TDISP_RANGE_MSIX_PBA, 0 },
		       { 0xf000a000, 6, 0, 0 } },
	},
	{
		.name = "sparse",
		.what = "BAR0 32-bit 16 KiB (not reported), BAR2 64-bit prefetchable 1 MiB above 4 GiB, BAR4 64-bit 64 KiB with a non-TEE page pair, the MSI-X table and PBA",
		.l = { .bar = { [0] = { 0xf0100000, 0x4000, 0, 0 },
				[2] = { 0x3f0000000ULL, 0x100000, 1, 1 },
				[4] = { 0xf0200000, 0x10000, 1, 0 } },
		       .msix = 1,
		       .table_bir = 4,
		       .table_off = 0x2000,
		       .table_entries = 32,
		       .pba_bir = 4,
		       .pba_off = 0x3000 },
		.nr = 5,
		.r = { { 0x3f0000000ULL, 256, TSMH_TDISP_RANGE_UPDATABLE, 2 },
		       { 0xf0200000, 2, TSMH_TDISP_RANGE_NON_TEE, 4 },
		       { 0xf0202000, 1, TSMH_TDISP_RANGE_MSIX_TABLE, 4 },
		       { 0xf0203000, 1, TSMH_TDISP_RANGE_MSIX_PBA, 4 },
		       { 0xf0204000, 12, 0, 4 } },
	},
	{
		.name = "offset",
		.what = "ranges whose first page is not their BAR's base: BAR0 64-bit 64 KiB from page 1, BAR2 32-bit 32 KiB with the MSI-X table and PBA from page 1",
		.l = { .bar = { [0] = { 0xf0400000, 0x10000, 1, 0 },
				[2] = { 0xf0500000, 0x8000, 0, 0 } },
		       .msix = 1,
		       .table_bir = 2,
		       .table_off = 0x1000,
		       .table_entries = 8,
		       .pba_bir = 2,
		       .pba_off = 0x2000 },
		.nr = 5,
		.r = { { 0xf0401000, 3, 0, 0 },
		       { 0xf0408000, 4, TSMH_TDISP_RANGE_UPDATABLE, 0 },
		       { 0xf0501000, 1, TSMH_TDISP_RANGE_MSIX_TABLE, 2 },
		       { 0xf0502000, 1, TSMH_TDISP_RANGE_MSIX_PBA, 2 },
		       { 0xf0504000, 2, TSMH_TDISP_RANGE_NON_TEE, 2 } },
	},
};

int tsmh_tdisp_layout_get(const char *name, unsigned int fn, struct tsmh_tdisp_named *out)
{
	uint64_t shift = (uint64_t)(fn & 7) << 24;
	size_t i;
	uint32_t j;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (strcmp(name, layouts[i].name))
			continue;
		*out = layouts[i];
		for (j = 0; j < TSMH_TDISP_NR_BARS; j++)
			if (out->l.bar[j].size)
				out->l.bar[j].base += shift;
		for (j = 0; j < out->nr; j++)
			out->r[j].first_page += shift;
		return 0;
	}
	return -ENOENT;
}

const char *tsmh_tdisp_layout_names(void)
{
	return "simple, sparse, offset";
}
