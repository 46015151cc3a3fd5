// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The TDISP requester over an SPDM secured session, and the named MMIO
 * layouts of tsmh-emu (tdisp_req.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
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
	/* START_INTERFACE carries the nonce: no copy outlives the exchange */
	OPENSSL_cleanse(req, sizeof(req));
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

/* BARSPEC (tsmh_tdisp_barspec_parse) */

static int spec_num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* "a:b:c" of @s into at most @max fields of @f (cut in @buf): the count */
static int spec_fields(char *buf, char **f, int max)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (n == max)
			return max + 1;
		f[n++] = tok;
	}
	return n;
}

static int spec_bar(struct tsmh_tdisp_layout *l, uint8_t *taken, unsigned int n, char *val,
		    char *why, size_t whylen)
{
	char *f[5];
	uint64_t base, size;
	int nf = spec_fields(val, f, 4), is64;

	if (nf != 4 || spec_num(f[0], &base) || spec_num(f[1], &size))
		return spdm_why(why, whylen, -EINVAL, "bar%u: want BASE:SIZE:32|64:pref|np", n);
	if (!size || (size & (size - 1)) || (base & (size - 1)) || base + size < base)
		return spdm_why(why, whylen, -EINVAL,
				"bar%u: size %#llx is not a power of two the base %#llx is "
				"aligned to",
				n, (unsigned long long)size, (unsigned long long)base);
	if (strcmp(f[2], "32") && strcmp(f[2], "64"))
		return spdm_why(why, whylen, -EINVAL, "bar%u: width '%s', want 32 or 64", n, f[2]);
	if (strcmp(f[3], "pref") && strcmp(f[3], "np"))
		return spdm_why(why, whylen, -EINVAL, "bar%u: '%s', want pref or np", n, f[3]);
	is64 = !strcmp(f[2], "64");
	if (is64 && n == TSMH_TDISP_NR_BARS - 1)
		return spdm_why(why, whylen, -EINVAL, "bar5: a 64-bit BAR needs two BAR slots");
	if (!is64 && base + size - 1 > 0xffffffffULL)
		return spdm_why(why, whylen, -EINVAL, "bar%u: a 32-bit BAR above 4 GiB", n);
	if (taken[n] || (is64 && taken[n + 1]))
		return spdm_why(why, whylen, -EINVAL, "bar%u: BAR slot %u given twice", n,
				taken[n] ? n : n + 1);
	taken[n] = 1;
	if (is64)
		taken[n + 1] = 1;
	l->bar[n] = (struct tsmh_tdisp_bar){ base, size, (uint8_t)is64, !strcmp(f[3], "pref") };
	return 0;
}

static int spec_msix(struct tsmh_tdisp_layout *l, char *val, char *why, size_t whylen)
{
	char *f[6];
	uint64_t v[5];
	int i, nf = spec_fields(val, f, 5);

	for (i = 0; i < nf && i < 5; i++)
		if (spec_num(f[i], &v[i]))
			break;
	if (nf != 5 || i != 5)
		return spdm_why(why, whylen, -EINVAL,
				"msix: want TABLE_BIR:TABLE_OFF:ENTRIES:PBA_BIR:PBA_OFF");
	if (v[0] >= TSMH_TDISP_NR_BARS || v[3] >= TSMH_TDISP_NR_BARS)
		return spdm_why(why, whylen, -EINVAL, "msix: a BIR is 0-5");
	if (!v[2] || v[2] > 2048)
		return spdm_why(why, whylen, -EINVAL, "msix: %llu entries, want 1-2048",
				(unsigned long long)v[2]);
	if (v[1] > 0xffffffffULL || v[4] > 0xffffffffULL || (v[1] & 7) || (v[4] & 7))
		return spdm_why(why, whylen, -EINVAL,
				"msix: offsets are 32-bit and 8-byte aligned (the BIR bits clear)");
	l->msix = 1;
	l->table_bir = (uint8_t)v[0];
	l->table_off = (uint32_t)v[1];
	l->table_entries = (uint16_t)v[2];
	l->pba_bir = (uint8_t)v[3];
	l->pba_off = (uint32_t)v[4];
	return 0;
}

int tsmh_tdisp_barspec_parse(const char *s, struct tsmh_tdisp_layout *l, char *why, size_t whylen)
{
	char buf[512], *save = NULL, *item, *val, *end;
	uint8_t taken[TSMH_TDISP_NR_BARS] = { 0 };
	unsigned long n;
	int ret;

	memset(l, 0, sizeof(*l));
	if (!strcmp(s, "-") || !*s)
		return 0;
	if (strlen(s) >= sizeof(buf))
		return spdm_why(why, whylen, -EINVAL, "longer than %zu characters",
				sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", s);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		val = strchr(item, '=');
		if (!val)
			return spdm_why(why, whylen, -EINVAL, "'%s': want barN=... or msix=...",
					item);
		*val++ = 0;
		if (!strcmp(item, "msix")) {
			if (l->msix)
				return spdm_why(why, whylen, -EINVAL, "msix given twice");
			ret = spec_msix(l, val, why, whylen);
		} else if (!strncmp(item, "bar", 3) && item[3] >= '0' && item[3] <= '9') {
			n = strtoul(item + 3, &end, 10);
			if (*end || n >= TSMH_TDISP_NR_BARS)
				return spdm_why(why, whylen, -EINVAL, "'%s': BARs are bar0-bar5",
						item);
			ret = spec_bar(l, taken, (unsigned int)n, val, why, whylen);
		} else {
			return spdm_why(why, whylen, -EINVAL, "'%s': want barN=... or msix=...",
					item);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Patterns on given BARs (tsmh_tdisp_layout_map) */

enum { PAT_SIMPLE, PAT_SPARSE, PAT_OFFSET };

struct map_ctx {
	int pat;
	struct tsmh_tdisp_named *out;
	int updatable_done; /* sparse: the UPDATABLE range given */
	char *why;
	size_t whylen;
};

static int map_add(struct map_ctx *c, const struct tsmh_tdisp_bar *b, unsigned int bar,
		   uint64_t first, uint64_t end, uint16_t attrs)
{
	struct tsmh_tdisp_named *o = c->out;

	if (first >= end)
		return 0;
	if (o->nr >= TSMH_TDISP_LAYOUT_MAX_RANGES)
		return spdm_why(c->why, c->whylen, -EINVAL, "more than %d MMIO ranges",
				TSMH_TDISP_LAYOUT_MAX_RANGES);
	if (end - first > 0xffffffffULL)
		return spdm_why(c->why, c->whylen, -EINVAL,
				"BAR %u: a range of more than 2^32 pages", bar);
	o->r[o->nr++] = (struct tsmh_tdisp_range){ b->base + first * TSMH_TDISP_PAGE,
						   (uint32_t)(end - first), attrs, (uint16_t)bar };
	return 0;
}

/* the pages [s, e) of BAR @bar that hold no MSI-X structure, as the pattern says */
static int map_stretch(struct map_ctx *c, const struct tsmh_tdisp_bar *b, unsigned int bar,
		       int has_msix, int *first_stretch, uint64_t s, uint64_t e)
{
	uint64_t k, h;
	int ret;

	if (c->pat == PAT_OFFSET && s == 0)
		s = 1;
	if (s >= e)
		return 0;
	switch (c->pat) {
	case PAT_SPARSE:
		if (has_msix) {
			k = *first_stretch ? (e - s < 2 ? e - s : 2) : 0;
			*first_stretch = 0;
			ret = map_add(c, b, bar, s, s + k, TSMH_TDISP_RANGE_NON_TEE);
			return ret ? ret : map_add(c, b, bar, s + k, e, 0);
		}
		k = !c->updatable_done;
		c->updatable_done = 1;
		return map_add(c, b, bar, s, e, k ? TSMH_TDISP_RANGE_UPDATABLE : 0);
	case PAT_OFFSET:
		if (e - s < 4)
			return map_add(c, b, bar, s, e, has_msix ? TSMH_TDISP_RANGE_NON_TEE : 0);
		h = (e - s) / 2;
		ret = map_add(c, b, bar, s, s + h, 0);
		return ret ? ret
			   : map_add(c, b, bar, s + h + 1, e,
				     has_msix ? TSMH_TDISP_RANGE_NON_TEE
					      : TSMH_TDISP_RANGE_UPDATABLE);
	default: return map_add(c, b, bar, s, e, 0);
	}
}

struct map_span {
	uint64_t s, e; /* pages of the BAR */
	uint16_t attrs;
};

/* the MSI-X structures in BAR @bar: their page spans in address order; the count or -EINVAL */
static int map_spans(struct map_ctx *c, const struct tsmh_tdisp_layout *l, unsigned int bar,
		     struct map_span *sp)
{
	static const char *const what[] = { "MSI-X table", "MSI-X PBA" };
	const struct tsmh_tdisp_bar *b = &l->bar[bar];
	uint64_t off, len;
	int n = 0, k;

	for (k = 0; l->msix && k < 2; k++) {
		if ((k ? l->pba_bir : l->table_bir) != bar)
			continue;
		off = k ? l->pba_off : l->table_off;
		len = k ? ((uint64_t)l->table_entries + 63) / 64 * 8
			: (uint64_t)l->table_entries * 16;
		sp[n].s = off / TSMH_TDISP_PAGE;
		sp[n].e = (off + len + TSMH_TDISP_PAGE - 1) / TSMH_TDISP_PAGE;
		sp[n].attrs = k ? TSMH_TDISP_RANGE_MSIX_PBA : TSMH_TDISP_RANGE_MSIX_TABLE;
		if (off + len > b->size)
			return spdm_why(
				c->why, c->whylen, -EINVAL,
				"the %s (BAR %u offset %#llx) runs past the BAR's %#llx bytes",
				what[k], bar, (unsigned long long)off, (unsigned long long)b->size);
		n++;
	}
	if (n == 2 && sp[0].s < sp[1].e && sp[1].s < sp[0].e) {
		if (sp[0].s != sp[1].s || sp[0].e != sp[1].e)
			return spdm_why(c->why, c->whylen, -EINVAL,
					"the MSI-X table and PBA share some of their pages in BAR "
					"%u: no report can mark both exactly",
					bar);
		sp[0].attrs |= sp[1].attrs; /* the same pages: one range, both marks */
		n = 1;
	}
	if (n == 2 && sp[1].s < sp[0].s) {
		struct map_span t = sp[0];

		sp[0] = sp[1];
		sp[1] = t;
	}
	return n;
}

/* BAR @bar holds a page of the MSI-X table or PBA */
static int bar_has_msix(const struct tsmh_tdisp_layout *l, unsigned int bar)
{
	return l->msix && (l->table_bir == bar || l->pba_bir == bar);
}

int tsmh_tdisp_layout_map(const char *name, const struct tsmh_tdisp_layout *bars,
			  struct tsmh_tdisp_named *out, char *why, size_t whylen)
{
	static const char *const pats[] = { "simple", "sparse", "offset" };
	struct map_ctx c = { .out = out, .why = why, .whylen = whylen };
	struct map_span sp[2];
	unsigned int i, skip = TSMH_TDISP_NR_BARS, reportable = 0;
	uint64_t cur;
	int n, j, first, ret;

	for (c.pat = 0; c.pat < 3 && strcmp(name, pats[c.pat]); c.pat++)
		;
	if (c.pat == 3)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->name = pats[c.pat];
	out->what = "laid onto the given BARs";
	out->l = *bars;
	out->l.mmio_offset = 0;
	for (i = 0; i < TSMH_TDISP_NR_BARS; i++) {
		if (!bars->bar[i].size)
			continue;
		n = map_spans(&c, bars, i, sp); /* checks even a BAR too small to report */
		if (n < 0)
			return n;
		if (bars->bar[i].size < TSMH_TDISP_PAGE)
			continue;
		reportable++;
		if (skip == TSMH_TDISP_NR_BARS && !bar_has_msix(bars, i))
			skip = i;
	}
	if (c.pat != PAT_SPARSE || reportable < 2)
		skip = TSMH_TDISP_NR_BARS;
	for (i = 0; i < TSMH_TDISP_NR_BARS; i++) {
		const struct tsmh_tdisp_bar *b = &bars->bar[i];

		if (b->size < TSMH_TDISP_PAGE || i == skip)
			continue;
		n = map_spans(&c, bars, i, sp);
		if (n < 0)
			return n;
		first = 1;
		cur = 0;
		for (j = 0; j < n; j++) {
			ret = map_stretch(&c, b, i, n > 0, &first, cur, sp[j].s);
			if (!ret)
				ret = map_add(&c, b, i, sp[j].s, sp[j].e, sp[j].attrs);
			if (ret)
				return ret;
			cur = sp[j].e;
		}
		ret = map_stretch(&c, b, i, n > 0, &first, cur, b->size / TSMH_TDISP_PAGE);
		if (ret)
			return ret;
	}
	return 0;
}
