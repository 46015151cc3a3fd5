// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * TDISP 1.0 messages, the device interface report and the TDI state
 * machine (lib/tdisp.h).
 */
#include "tdisp.h"
#ifndef __KERNEL__
#include <stdio.h>
#endif

static int why(struct tsmh_idekm_why *w, int err, const char *msg, const char *field, u32 got,
	       const char *want)
{
	if (w) {
		w->msg = msg;
		w->field = field;
		w->got = got;
		w->want = want;
	}
	return err;
}

static u64 get_le64(const u8 *p)
{
	return (u64)tsmh_get_le32(p) | (u64)tsmh_get_le32(p + 4) << 32;
}

static void put_le64(u8 *p, u64 v)
{
	tsmh_put_le32(p, (u32)v);
	tsmh_put_le32(p + 4, (u32)(v >> 32));
}

static const char *const rsp_names[] = {
	"?", "TDISP_VERSION", "TDISP_CAPABILITIES", "LOCK_INTERFACE_RESPONSE",
	"DEVICE_INTERFACE_REPORT", "DEVICE_INTERFACE_STATE", "START_INTERFACE_RESPONSE",
	"STOP_INTERFACE_RESPONSE", "BIND_P2P_STREAM_RESPONSE", "UNBIND_P2P_STREAM_RESPONSE",
	"SET_MMIO_ATTRIBUTE_RESPONSE", "VDM_RESPONSE", "SET_TDISP_CONFIG_RESPONSE (TDISP 1.1)",
};

static const char *const req_names[] = {
	"?", "GET_TDISP_VERSION", "GET_TDISP_CAPABILITIES", "LOCK_INTERFACE_REQUEST",
	"GET_DEVICE_INTERFACE_REPORT", "GET_DEVICE_INTERFACE_STATE", "START_INTERFACE_REQUEST",
	"STOP_INTERFACE_REQUEST", "BIND_P2P_STREAM_REQUEST", "UNBIND_P2P_STREAM_REQUEST",
	"SET_MMIO_ATTRIBUTE_REQUEST", "VDM_REQUEST", "SET_TDISP_CONFIG_REQUEST (TDISP 1.1)",
};

static int known(u8 code)
{
	u8 low = code & 0x7f;

	if (code == TSMH_TDISP_ERROR)
		return 1;
	return low >= 1 && low <= 0x0c;
}

const char *tsmh_tdisp_code_name(u8 code)
{
	if (code == TSMH_TDISP_ERROR)
		return "TDISP_ERROR";
	if (!known(code))
		return "unknown";
	return code & 0x80 ? req_names[code & 0x7f] : rsp_names[code];
}

const char *tsmh_tdisp_error_name(u32 code)
{
	switch (code) {
	case TSMH_TDISP_E_INVALID_REQUEST: return "INVALID_REQUEST";
	case TSMH_TDISP_E_BUSY: return "BUSY";
	case TSMH_TDISP_E_INVALID_INTERFACE_STATE: return "INVALID_INTERFACE_STATE";
	case TSMH_TDISP_E_UNSPECIFIED: return "UNSPECIFIED";
	case TSMH_TDISP_E_UNSUPPORTED_REQUEST: return "UNSUPPORTED_REQUEST";
	case TSMH_TDISP_E_VERSION_MISMATCH: return "VERSION_MISMATCH";
	case TSMH_TDISP_E_VENDOR_SPECIFIC: return "VENDOR_SPECIFIC_ERROR";
	case TSMH_TDISP_E_INVALID_INTERFACE: return "INVALID_INTERFACE";
	case TSMH_TDISP_E_INVALID_NONCE: return "INVALID_NONCE";
	case TSMH_TDISP_E_INSUFFICIENT_ENTROPY: return "INSUFFICIENT_ENTROPY";
	case TSMH_TDISP_E_INVALID_DEVICE_CONFIG: return "INVALID_DEVICE_CONFIGURATION";
	default: return "unknown";
	}
}

const char *tsmh_tdi_state_name(u8 state)
{
	static const char *const names[] = { "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN", "ERROR" };

	return state < ARRAY_SIZE(names) ? names[state] : "unknown";
}

/* every byte looked at whatever the first difference (no early exit) */
int tsmh_tdisp_nonce_eq(const u8 *a, const u8 *b)
{
	u8 d = 0;
	unsigned int i;

	for (i = 0; i < TSMH_TDISP_NONCE_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static void put_range(u8 *p, const struct tsmh_tdisp_range *r)
{
	put_le64(p, r->first_page);
	tsmh_put_le32(p + 8, r->nr_pages);
	tsmh_put_le16(p + 12, r->attrs);
	tsmh_put_le16(p + 14, r->id);
}

static void get_range(const u8 *p, struct tsmh_tdisp_range *r)
{
	r->first_page = get_le64(p);
	r->nr_pages = tsmh_get_le32(p + 8);
	r->attrs = tsmh_get_le16(p + 12);
	r->id = tsmh_get_le16(p + 14);
}

/* VDM and extended error data: registry, vendor ID length, vendor ID, data */
static size_t vendor_len(const struct tsmh_tdisp_msg *m)
{
	return 2 + (size_t)m->vendor_id_len + m->data_len;
}

static void put_vendor(u8 *p, const struct tsmh_tdisp_msg *m)
{
	p[0] = m->registry_id;
	p[1] = m->vendor_id_len;
	if (m->vendor_id_len)
		memcpy(p + 2, m->vendor_id, m->vendor_id_len);
	if (m->data_len)
		memcpy(p + 2 + m->vendor_id_len, m->data, m->data_len);
}

size_t tsmh_tdisp_encode(const struct tsmh_tdisp_msg *m, u8 *out, size_t cap)
{
	size_t len = TSMH_TDISP_HDR_LEN;

	switch (m->code) {
	case TSMH_TDISP_GET_VERSION:
	case TSMH_TDISP_GET_STATE:
	case TSMH_TDISP_STOP:
	case TSMH_TDISP_RSP_START:
	case TSMH_TDISP_RSP_STOP:
	case TSMH_TDISP_RSP_BIND_P2P:
	case TSMH_TDISP_RSP_UNBIND_P2P:
	case TSMH_TDISP_RSP_SET_MMIO:
	case TSMH_TDISP_RSP_SET_CONFIG:
		break;
	case TSMH_TDISP_RSP_VERSION:
		len += 1 + (size_t)m->nr_versions;
		break;
	case TSMH_TDISP_GET_CAPABILITIES:
	case TSMH_TDISP_GET_REPORT:
	case TSMH_TDISP_SET_CONFIG:
		len += 4;
		break;
	case TSMH_TDISP_RSP_CAPABILITIES:
		len += 28;
		break;
	case TSMH_TDISP_LOCK:
		len += 20;
		break;
	case TSMH_TDISP_RSP_LOCK:
	case TSMH_TDISP_START:
		len += TSMH_TDISP_NONCE_LEN;
		break;
	case TSMH_TDISP_RSP_REPORT:
		len += 4 + (size_t)m->portion_len;
		break;
	case TSMH_TDISP_RSP_STATE:
	case TSMH_TDISP_BIND_P2P:
	case TSMH_TDISP_UNBIND_P2P:
		len += 1;
		break;
	case TSMH_TDISP_SET_MMIO:
		len += TSMH_TDISP_RANGE_LEN;
		break;
	case TSMH_TDISP_VDM:
	case TSMH_TDISP_RSP_VDM:
		len += vendor_len(m);
		break;
	case TSMH_TDISP_ERROR:
		len += 8 + (m->has_ext ? vendor_len(m) : 0);
		break;
	default:
		return 0;
	}
	if (len > cap)
		return 0;
	memset(out, 0, len);
	out[0] = m->version ? m->version : TSMH_TDISP_VERSION_10;
	out[1] = m->code;
	tsmh_put_le32(out + 4, m->function_id);
	switch (m->code) {
	case TSMH_TDISP_RSP_VERSION:
		out[16] = m->nr_versions;
		if (m->nr_versions)
			memcpy(out + 17, m->versions, m->nr_versions);
		break;
	case TSMH_TDISP_GET_CAPABILITIES:
		tsmh_put_le32(out + 16, m->tsm_caps);
		break;
	case TSMH_TDISP_RSP_CAPABILITIES:
		tsmh_put_le32(out + 16, m->dsm_caps);
		memcpy(out + 20, m->req_msgs, 16);
		tsmh_put_le16(out + 36, m->lock_flags_supported);
		out[41] = m->dev_addr_width;
		out[42] = m->num_req_this;
		out[43] = m->num_req_all;
		break;
	case TSMH_TDISP_LOCK:
		tsmh_put_le16(out + 16, m->lock_flags);
		out[18] = m->default_stream_id;
		put_le64(out + 20, m->mmio_reporting_offset);
		put_le64(out + 28, m->bind_p2p_mask);
		break;
	case TSMH_TDISP_RSP_LOCK:
	case TSMH_TDISP_START:
		memcpy(out + 16, m->nonce, TSMH_TDISP_NONCE_LEN);
		break;
	case TSMH_TDISP_GET_REPORT:
		tsmh_put_le16(out + 16, m->offset);
		tsmh_put_le16(out + 18, m->length);
		break;
	case TSMH_TDISP_RSP_REPORT:
		tsmh_put_le16(out + 16, m->portion_len);
		tsmh_put_le16(out + 18, m->remainder);
		if (m->portion_len)
			memcpy(out + 20, m->portion, m->portion_len);
		break;
	case TSMH_TDISP_RSP_STATE:
		out[16] = m->tdi_state;
		break;
	case TSMH_TDISP_BIND_P2P:
	case TSMH_TDISP_UNBIND_P2P:
		out[16] = m->p2p_stream_id;
		break;
	case TSMH_TDISP_SET_MMIO:
		put_range(out + 16, &m->range);
		break;
	case TSMH_TDISP_SET_CONFIG:
		tsmh_put_le32(out + 16, m->dsm_config);
		break;
	case TSMH_TDISP_VDM:
	case TSMH_TDISP_RSP_VDM:
		put_vendor(out + 16, m);
		break;
	case TSMH_TDISP_ERROR:
		tsmh_put_le32(out + 16, m->error_code);
		tsmh_put_le32(out + 20, m->error_data);
		if (m->has_ext)
			put_vendor(out + 24, m);
		break;
	}
	return len;
}

/* registry ID, vendor ID length, vendor ID and data at @p (@len bytes, @at into the message) */
static int get_vendor(const u8 *p, size_t at, size_t len, struct tsmh_tdisp_msg *m,
		      const char *name, struct tsmh_idekm_why *w)
{
	if (len < 2)
		return why(w, -EBADMSG, name, "length", (u32)(len + at),
			   "room for the registry ID and vendor ID length");
	m->registry_id = p[0];
	m->vendor_id_len = p[1];
	if ((size_t)2 + p[1] > len)
		return why(w, -EBADMSG, name, "vendor ID length", p[1],
			   "no more than the bytes that follow it");
	m->vendor_id = p + 2;
	m->data = p + 2 + p[1];
	m->data_len = (u32)(len - 2 - p[1]);
	return 0;
}

int tsmh_tdisp_decode(const u8 *p, size_t len, struct tsmh_tdisp_msg *m,
		      struct tsmh_idekm_why *w)
{
	const char *name;
	size_t need = TSMH_TDISP_HDR_LEN;
	const char *want = "16 bytes (the header only)";

	memset(m, 0, sizeof(*m));
	if (len < 2)
		return why(w, -EBADMSG, "TDISP", "length", (u32)len,
			   "at least 16 bytes (the TDISP header)");
	m->version = p[0];
	m->code = p[1];
	if (!known(p[1]))
		return why(w, -EPROTO, "TDISP", "message type", p[1],
			   "0x81-0x8c (a request), 0x01-0x0c or 0x7f (a response)");
	name = tsmh_tdisp_code_name(p[1]);
	if ((p[0] & 0xf0) != 0x10)
		return why(w, -EPROTO, name, "TDISPVersion", p[0], "major version 1 (0x1X)");
	if (len < TSMH_TDISP_HDR_LEN)
		return why(w, -EBADMSG, name, "length", (u32)len,
			   "at least 16 bytes (the TDISP header)");
	m->function_id = tsmh_get_le32(p + 4);
	switch (p[1]) {
	case TSMH_TDISP_GET_VERSION:
	case TSMH_TDISP_GET_STATE:
	case TSMH_TDISP_STOP:
	case TSMH_TDISP_RSP_START:
	case TSMH_TDISP_RSP_STOP:
	case TSMH_TDISP_RSP_BIND_P2P:
	case TSMH_TDISP_RSP_UNBIND_P2P:
	case TSMH_TDISP_RSP_SET_MMIO:
	case TSMH_TDISP_RSP_SET_CONFIG:
		break;
	case TSMH_TDISP_RSP_VERSION:
		if (len < 17)
			return why(w, -EBADMSG, name, "length", (u32)len,
				   "at least 17 bytes (header and VERSION_NUM_COUNT)");
		m->nr_versions = p[16];
		m->versions = p + 17;
		need = 17 + (size_t)p[16];
		want = "17 bytes plus one per version entry (VERSION_NUM_COUNT)";
		break;
	case TSMH_TDISP_GET_CAPABILITIES:
		need = 20;
		want = "20 bytes (header and TSM_CAPS)";
		if (len == need)
			m->tsm_caps = tsmh_get_le32(p + 16);
		break;
	case TSMH_TDISP_RSP_CAPABILITIES:
		need = 44;
		want = "44 bytes";
		if (len != need)
			break;
		m->dsm_caps = tsmh_get_le32(p + 16);
		memcpy(m->req_msgs, p + 20, 16);
		m->lock_flags_supported = tsmh_get_le16(p + 36);
		m->dev_addr_width = p[41];
		m->num_req_this = p[42];
		m->num_req_all = p[43];
		break;
	case TSMH_TDISP_LOCK:
		need = 36;
		want = "36 bytes (header, flags, stream ID, MMIO_REPORTING_OFFSET, P2P mask)";
		if (len != need)
			break;
		m->lock_flags = tsmh_get_le16(p + 16);
		m->default_stream_id = p[18];
		m->mmio_reporting_offset = get_le64(p + 20);
		m->bind_p2p_mask = get_le64(p + 28);
		break;
	case TSMH_TDISP_RSP_LOCK:
	case TSMH_TDISP_START:
		need = 48;
		want = "48 bytes (header and the 32-byte START_INTERFACE_NONCE)";
		if (len == need)
			m->nonce = p + 16;
		break;
	case TSMH_TDISP_GET_REPORT:
		need = 20;
		want = "20 bytes (header, OFFSET, LENGTH)";
		if (len != need)
			break;
		m->offset = tsmh_get_le16(p + 16);
		m->length = tsmh_get_le16(p + 18);
		break;
	case TSMH_TDISP_RSP_REPORT:
		if (len < 20)
			return why(w, -EBADMSG, name, "length", (u32)len,
				   "at least 20 bytes (header, PORTION_LENGTH, REMAINDER_LENGTH)");
		m->portion_len = tsmh_get_le16(p + 16);
		m->remainder = tsmh_get_le16(p + 18);
		m->portion = p + 20;
		need = 20 + (size_t)m->portion_len;
		if (len != need)
			return why(w, -EBADMSG, name, "PORTION_LENGTH", m->portion_len,
				   "the bytes after the 20-byte header");
		break;
	case TSMH_TDISP_RSP_STATE:
		need = 17;
		want = "17 bytes (header and TDI_STATE)";
		if (len != need)
			break;
		m->tdi_state = p[16];
		if (p[16] >= TSMH_TDI_NR_STATES)
			return why(w, -EPROTO, name, "TDI_STATE", p[16],
				   "0-3 (CONFIG_UNLOCKED, CONFIG_LOCKED, RUN, ERROR)");
		break;
	case TSMH_TDISP_BIND_P2P:
		/* 17 (TDISP 1.0) or 18 with libspdm's 1.1 STREAM_CONFIG: see tdisp.h */
		need = len == 18 ? 18 : 17;
		want = "17 bytes (header, P2P_STREAM_ID), 18 with TDISP 1.1's STREAM_CONFIG";
		if (len != need)
			break;
		m->p2p_stream_id = p[16];
		if (len == 18) {
			m->has_stream_config = 1;
			m->stream_config = p[17];
		}
		break;
	case TSMH_TDISP_UNBIND_P2P:
		need = 17;
		want = "17 bytes (header, P2P_STREAM_ID)";
		if (len == need)
			m->p2p_stream_id = p[16];
		break;
	case TSMH_TDISP_SET_MMIO:
		need = 32;
		want = "32 bytes (header and one MMIO range)";
		if (len == need)
			get_range(p + 16, &m->range);
		break;
	case TSMH_TDISP_SET_CONFIG:
		need = 20;
		want = "20 bytes (header and DSM_CONFIG)";
		if (len == need)
			m->dsm_config = tsmh_get_le32(p + 16);
		break;
	case TSMH_TDISP_VDM:
	case TSMH_TDISP_RSP_VDM:
		return get_vendor(p + 16, 16, len - 16, m, name, w);
	case TSMH_TDISP_ERROR:
		if (len < 24)
			return why(w, -EBADMSG, name, "length", (u32)len,
				   "at least 24 bytes (header, ERROR_CODE, ERROR_DATA)");
		m->error_code = tsmh_get_le32(p + 16);
		m->error_data = tsmh_get_le32(p + 20);
		if (len == 24)
			return 0;
		m->has_ext = 1;
		return get_vendor(p + 24, 24, len - 24, m, name, w);
	}
	if (len != need)
		return why(w, -EBADMSG, name, "length", (u32)len, want);
	return 0;
}

/* The report */

int tsmh_tdisp_report_parse(const u8 *p, size_t len, struct tsmh_tdisp_report *r,
			    struct tsmh_idekm_why *w)
{
	static const char msg[] = "device interface report";
	size_t at;

	memset(r, 0, sizeof(*r));
	if (len < TSMH_TDISP_REPORT_HDR)
		return why(w, -EBADMSG, msg, "length", (u32)len,
			   "at least 16 bytes (INTERFACE_INFO through MMIO_RANGE_COUNT)");
	r->interface_info = tsmh_get_le16(p);
	r->msix_ctl = tsmh_get_le16(p + 4);
	r->lnr_ctl = tsmh_get_le16(p + 6);
	r->tph_ctl = tsmh_get_le32(p + 8);
	r->nr_ranges = tsmh_get_le32(p + 12);
	if (r->nr_ranges > (len - TSMH_TDISP_REPORT_HDR) / TSMH_TDISP_RANGE_LEN ||
	    TSMH_TDISP_REPORT_HDR + (size_t)r->nr_ranges * TSMH_TDISP_RANGE_LEN + 4 > len) {
		u32 n = r->nr_ranges;

		r->nr_ranges = 0;
		return why(w, -EBADMSG, msg, "MMIO_RANGE_COUNT", n,
			   "no more ranges (16 bytes each) than the report's length holds, with DEVICE_SPECIFIC_INFO_LEN after them");
	}
	r->ranges = p + TSMH_TDISP_REPORT_HDR;
	at = TSMH_TDISP_REPORT_HDR + (size_t)r->nr_ranges * TSMH_TDISP_RANGE_LEN;
	r->dsi_len = tsmh_get_le32(p + at);
	at += 4;
	if (r->dsi_len > len - at)
		return why(w, -EBADMSG, msg, "DEVICE_SPECIFIC_INFO_LEN", r->dsi_len,
			   "no more than the bytes left in the report (a report longer than announced)");
	if (r->dsi_len != len - at)
		return why(w, -EBADMSG, msg, "bytes after DEVICE_SPECIFIC_INFO",
			   (u32)(len - at - r->dsi_len),
			   "0 (the report ends with its device-specific information)");
	r->dsi = p + at;
	return 0;
}

void tsmh_tdisp_report_range(const struct tsmh_tdisp_report *r, u32 i,
			     struct tsmh_tdisp_range *out)
{
	get_range(r->ranges + (size_t)i * TSMH_TDISP_RANGE_LEN, out);
}

size_t tsmh_tdisp_report_build(const struct tsmh_tdisp_report *r,
			       const struct tsmh_tdisp_range *ranges, u32 nr, u8 *out,
			       size_t cap)
{
	size_t len = TSMH_TDISP_REPORT_HDR + (size_t)nr * TSMH_TDISP_RANGE_LEN + 4 + r->dsi_len;
	u32 i;

	if (nr > (cap / TSMH_TDISP_RANGE_LEN) || len > cap)
		return 0;
	memset(out, 0, TSMH_TDISP_REPORT_HDR);
	tsmh_put_le16(out, r->interface_info);
	tsmh_put_le16(out + 4, r->msix_ctl);
	tsmh_put_le16(out + 6, r->lnr_ctl);
	tsmh_put_le32(out + 8, r->tph_ctl);
	tsmh_put_le32(out + 12, nr);
	for (i = 0; i < nr; i++)
		put_range(out + TSMH_TDISP_REPORT_HDR + (size_t)i * TSMH_TDISP_RANGE_LEN,
			  &ranges[i]);
	tsmh_put_le32(out + len - 4 - r->dsi_len, r->dsi_len);
	if (r->dsi_len)
		memcpy(out + len - r->dsi_len, r->dsi, r->dsi_len);
	return len;
}

/* Reassembly */

void tsmh_tdisp_asm_init(struct tsmh_tdisp_asm *a, u8 *buf, u32 cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

int tsmh_tdisp_asm_add(struct tsmh_tdisp_asm *a, u16 offset, u16 asked,
		       const struct tsmh_tdisp_msg *m, struct tsmh_idekm_why *w)
{
	static const char msg[] = "DEVICE_INTERFACE_REPORT";
	u32 end;

	if (m->portion_len > asked)
		return why(w, -EBADMSG, msg, "PORTION_LENGTH", m->portion_len,
			   "no more than the LENGTH requested");
	if (offset != a->have)
		return why(w, -EBADMSG, msg, "OFFSET requested", offset,
			   offset > a->have ? "where the last portion ended (a gap)"
					    : "where the last portion ended (an overlap)");
	end = (u32)offset + m->portion_len;
	if (!a->started) {
		a->total = end + m->remainder;
		a->started = 1;
		if (a->total > a->cap)
			return why(w, -EBADMSG, msg, "announced length", a->total,
				   "no more than the report buffer holds");
	} else {
		if (end > a->total)
			return why(w, -EBADMSG, msg, "end of portion", end,
				   "within the length the first portion announced (a report longer than announced)");
		if (end + m->remainder > a->total)
			return why(w, -EBADMSG, msg, "REMAINDER_LENGTH", m->remainder,
				   "the announced length less what arrived (the remainder grew)");
		if (end + m->remainder < a->total)
			return why(w, -EBADMSG, msg, "REMAINDER_LENGTH", m->remainder,
				   "the announced length less what arrived (the remainder shrank by more than the portion)");
	}
	if (!m->portion_len && m->remainder)
		return why(w, -EBADMSG, msg, "PORTION_LENGTH", 0,
			   "at least 1 while REMAINDER_LENGTH is not 0 (no progress)");
	if (m->portion_len)
		memcpy(a->buf + offset, m->portion, m->portion_len);
	a->have = end;
	return m->remainder ? 0 : 1;
}

/* Validation against the BARs */

#define PAGE_MASK_4K (TSMH_TDISP_PAGE - 1)

static u64 rdown(u64 v)
{
	return v & ~PAGE_MASK_4K;
}

static u64 rup(u64 v)
{
	return (v + PAGE_MASK_4K) & ~PAGE_MASK_4K;
}

/* the BAR holding [a, a + n) entirely: its index, or -1; *@touch: one it starts in */
static int bar_of(const struct tsmh_tdisp_layout *l, u64 a, u64 n, int *touch)
{
	int i;

	*touch = -1;
	for (i = 0; i < TSMH_TDISP_NR_BARS; i++) {
		const struct tsmh_tdisp_bar *b = &l->bar[i];

		if (!b->size || a < b->base || a - b->base >= b->size)
			continue;
		*touch = i;
		if (n <= b->size - (a - b->base))
			return i;
	}
	return -1;
}

/* MSI-X structure @which (0 table, 1 PBA): its page span, 0 if it is not in a BAR */
static int msix_span(const struct tsmh_tdisp_layout *l, int which, u64 *start, u64 *end)
{
	u8 bir = which ? l->pba_bir : l->table_bir;
	u64 off = which ? l->pba_off : l->table_off;
	u64 size = which ? ((u64)l->table_entries + 63) / 64 * 8 : (u64)l->table_entries * 16;

	if (bir >= TSMH_TDISP_NR_BARS || !l->bar[bir].size)
		return 0;
	*start = rdown(l->bar[bir].base + off);
	*end = rup(l->bar[bir].base + off + size);
	return 1;
}

/*
 * Range @i (@x, @n bytes at BAR address @a) is marked MSI-X table and PBA
 * both: legal only where the two share a page (PCIe lets them co-reside in
 * one naturally aligned 4 KiB range, not overlapping), since report ranges
 * may not overlap and the shared page is then both; the range must be
 * exactly the pages of the two together. 0, or -EINVAL with @why.
 */
static int msix_shared_check(const struct tsmh_tdisp_layout *l, u32 i,
			     const struct tsmh_tdisp_range *x, u64 a, u64 n, char *why,
			     size_t whylen)
{
	u64 ts = 0, te = 0, ps = 0, pe = 0;
	int tin = msix_span(l, 0, &ts, &te), pin = msix_span(l, 1, &ps, &pe);

	if (!tin || !pin || !(ts < pe && ps < te)) {
		snprintf(why, whylen,
			 "MMIO range %u (range ID %u) is marked MSI-X table and PBA, but they share no page (table pages %#llx-%#llx, PBA pages %#llx-%#llx)",
			 i, x->id, (unsigned long long)(tin ? ts : 0),
			 (unsigned long long)(tin ? te - 1 : 0), (unsigned long long)(pin ? ps : 0),
			 (unsigned long long)(pin ? pe - 1 : 0));
		return -EINVAL;
	}
	if (ps < ts)
		ts = ps;
	if (pe > te)
		te = pe;
	if (a != ts || a + n != te) {
		snprintf(why, whylen,
			 "MMIO range %u (range ID %u) is marked MSI-X table and PBA at pages %#llx-%#llx, but the two are on pages %#llx-%#llx",
			 i, x->id, (unsigned long long)a, (unsigned long long)(a + n - 1),
			 (unsigned long long)ts, (unsigned long long)(te - 1));
		return -EINVAL;
	}
	return 0;
}

int tsmh_tdisp_report_check(const struct tsmh_tdisp_report *r, const struct tsmh_tdisp_layout *l,
			    u32 *bad, char *why, size_t whylen)
{
	static const char *const what[] = { "MSI-X table", "MSI-X PBA" };
	static const u16 attr[] = { TSMH_TDISP_RANGE_MSIX_TABLE, TSMH_TDISP_RANGE_MSIX_PBA };
	struct tsmh_tdisp_range x, y;
	int seen[2] = { -1, -1 }, k, bi, touch;
	u64 a, n, s, e;
	u32 i, j;

	if (bad)
		*bad = 0;
	if (r->nr_ranges > TSMH_TDISP_MAX_CHECK_RANGES) {
		snprintf(why, whylen, "the report has %u MMIO ranges, more than the %u we check",
			 r->nr_ranges, TSMH_TDISP_MAX_CHECK_RANGES);
		return -EINVAL;
	}
	for (i = 0; i < r->nr_ranges; i++) {
		tsmh_tdisp_report_range(r, i, &x);
		if (bad)
			*bad = i;
		if (!x.nr_pages) {
			snprintf(why, whylen, "MMIO range %u (range ID %u) has 0 pages", i, x.id);
			return -EINVAL;
		}
		if (x.first_page & PAGE_MASK_4K) {
			snprintf(why, whylen,
				 "MMIO range %u (range ID %u): first page %#llx is not 4 KiB aligned",
				 i, x.id, (unsigned long long)x.first_page);
			return -EINVAL;
		}
		if (x.first_page < l->mmio_offset) {
			snprintf(why, whylen,
				 "MMIO range %u (range ID %u): first page %#llx is below the MMIO_REPORTING_OFFSET %#llx",
				 i, x.id, (unsigned long long)x.first_page,
				 (unsigned long long)l->mmio_offset);
			return -EINVAL;
		}
		a = x.first_page - l->mmio_offset;
		n = (u64)x.nr_pages * TSMH_TDISP_PAGE;
		bi = bar_of(l, a, n, &touch);
		if (bi < 0) {
			if (touch >= 0)
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u): pages %#llx-%#llx run past the end of BAR %d (%#llx-%#llx)",
					 i, x.id, (unsigned long long)a,
					 (unsigned long long)(a + n - 1), touch,
					 (unsigned long long)l->bar[touch].base,
					 (unsigned long long)(l->bar[touch].base +
							      l->bar[touch].size - 1));
			else
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u): pages %#llx-%#llx (first page %#llx less MMIO_REPORTING_OFFSET %#llx) are outside every BAR",
					 i, x.id, (unsigned long long)a,
					 (unsigned long long)(a + n - 1),
					 (unsigned long long)x.first_page,
					 (unsigned long long)l->mmio_offset);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			u64 b, m;

			tsmh_tdisp_report_range(r, j, &y);
			b = y.first_page - l->mmio_offset;
			m = (u64)y.nr_pages * TSMH_TDISP_PAGE;
			if (a < b + m && b < a + n) {
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u, pages %#llx-%#llx) overlaps MMIO range %u (range ID %u, pages %#llx-%#llx)",
					 i, x.id, (unsigned long long)a,
					 (unsigned long long)(a + n - 1), j, y.id,
					 (unsigned long long)b, (unsigned long long)(b + m - 1));
				return -EINVAL;
			}
		}
		for (k = 0; k < 2; k++) {
			int in = l->msix && msix_span(l, k, &s, &e);

			if (!(x.attrs & attr[k])) {
				/* a range marked with the other one only: checked below */
				if (in && !(x.attrs & (TSMH_TDISP_RANGE_NON_TEE | attr[!k])) &&
				    a < e && s < a + n) {
					snprintf(why, whylen,
						 "MMIO range %u (range ID %u, pages %#llx-%#llx) covers the %s (pages %#llx-%#llx) without the %s attribute",
						 i, x.id, (unsigned long long)a,
						 (unsigned long long)(a + n - 1), what[k],
						 (unsigned long long)s, (unsigned long long)(e - 1),
						 what[k]);
					return -EINVAL;
				}
				continue;
			}
			if (!l->msix) {
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u) is marked %s, but the function has no MSI-X capability",
					 i, x.id, what[k]);
				return -EINVAL;
			}
			if (seen[k] >= 0) {
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u) is marked %s, as range %d already is",
					 i, x.id, what[k], seen[k]);
				return -EINVAL;
			}
			seen[k] = (int)i;
			if (x.attrs & attr[!k]) {
				/* both: the table and PBA sharing a page, checked once */
				if (k == 0 && msix_shared_check(l, i, &x, a, n, why, whylen))
					return -EINVAL;
				continue;
			}
			if (!in || a != s || a + n != e) {
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u) is marked %s at pages %#llx-%#llx, but the MSI-X capability puts it on pages %#llx-%#llx (BAR %u offset %#x)",
					 i, x.id, what[k], (unsigned long long)a,
					 (unsigned long long)(a + n - 1),
					 (unsigned long long)(in ? s : 0),
					 (unsigned long long)(in ? e - 1 : 0),
					 k ? l->pba_bir : l->table_bir,
					 k ? l->pba_off : l->table_off);
				return -EINVAL;
			}
			/* the other one on a page of this range: that page is both */
			if (msix_span(l, !k, &s, &e) && a < e && s < a + n) {
				snprintf(why, whylen,
					 "MMIO range %u (range ID %u, pages %#llx-%#llx) is marked %s only, but the %s shares its pages %#llx-%#llx: one range marked with both is due",
					 i, x.id, (unsigned long long)a,
					 (unsigned long long)(a + n - 1), what[k], what[!k],
					 (unsigned long long)s, (unsigned long long)(e - 1));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The state machine */

static u8 state_mask(u8 code)
{
	const u8 all = 0x0f, locked_run = BIT(TSMH_TDI_CONFIG_LOCKED) | BIT(TSMH_TDI_RUN);

	switch (code) {
	case TSMH_TDISP_GET_VERSION:
	case TSMH_TDISP_GET_CAPABILITIES:
	case TSMH_TDISP_GET_STATE:
	case TSMH_TDISP_VDM:
	case TSMH_TDISP_STOP:
		return all;
	case TSMH_TDISP_LOCK:
	case TSMH_TDISP_SET_CONFIG:
		return BIT(TSMH_TDI_CONFIG_UNLOCKED);
	case TSMH_TDISP_GET_REPORT:
		return locked_run;
	case TSMH_TDISP_START:
		return BIT(TSMH_TDI_CONFIG_LOCKED);
	case TSMH_TDISP_BIND_P2P:
	case TSMH_TDISP_UNBIND_P2P:
	case TSMH_TDISP_SET_MMIO:
		return BIT(TSMH_TDI_RUN);
	default:
		return 0;
	}
}

int tsmh_tdisp_legal(u8 code, u8 state)
{
	return state < TSMH_TDI_NR_STATES && (state_mask(code) & BIT(state));
}

u8 tsmh_tdisp_next(u8 code, u8 state)
{
	switch (code) {
	case TSMH_TDISP_LOCK:
		return TSMH_TDI_CONFIG_LOCKED;
	case TSMH_TDISP_START:
		return TSMH_TDI_RUN;
	case TSMH_TDISP_STOP:
		return TSMH_TDI_CONFIG_UNLOCKED;
	default:
		return state;
	}
}

u8 tsmh_tdisp_event(u8 state, enum tsmh_tdi_event ev)
{
	if (ev == TSMH_TDI_EV_FLR)
		return TSMH_TDI_CONFIG_UNLOCKED;
	if (state == TSMH_TDI_CONFIG_LOCKED || state == TSMH_TDI_RUN)
		return TSMH_TDI_ERROR;
	return state;
}
