// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE_KM messages and their SPDM VENDOR_DEFINED wrapping (lib/idekm.h).
 */
#include "idekm.h"
#include "pcicap.h"
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

size_t tsmh_idekm_why_format(const struct tsmh_idekm_why *w, char *buf, size_t len)
{
	int n;

	if (!len)
		return 0;
	n = snprintf(buf, len, "%s: %s %#x, expected %s", w->msg ? w->msg : "IDE_KM",
		     w->field ? w->field : "message", w->got, w->want ? w->want : "?");
	return n < 0 ? 0 : ((size_t)n < len ? (size_t)n : len - 1);
}

size_t tsmh_vdm_put_hdr(u8 *out, u8 ver, int response, u8 protocol, size_t plen)
{
	if (plen + 1 > 0xffff)
		return 0;
	out[0] = ver;
	out[1] = response ? TSMH_SPDM_VENDOR_DEFINED_RESPONSE : TSMH_SPDM_VENDOR_DEFINED_REQUEST;
	out[2] = 0;
	out[3] = 0;
	tsmh_put_le16(out + 4, TSMH_SPDM_REGISTRY_PCISIG);
	out[6] = 2;
	tsmh_put_le16(out + 7, TSMH_PCISIG_VENDOR_ID);
	tsmh_put_le16(out + 9, (u16)(plen + 1));
	out[11] = protocol;
	return TSMH_VDM_HDR_LEN;
}

int tsmh_vdm_decode(const u8 *m, size_t len, int response, struct tsmh_vdm *v,
		    struct tsmh_idekm_why *w)
{
	const char *msg = response ? "VENDOR_DEFINED_RESPONSE" : "VENDOR_DEFINED_REQUEST";
	u8 code = response ? TSMH_SPDM_VENDOR_DEFINED_RESPONSE : TSMH_SPDM_VENDOR_DEFINED_REQUEST;
	size_t hdr = 11, plen;

	memset(v, 0, sizeof(*v));
	if (len < 4)
		return why(w, -EBADMSG, msg, "length", (u32)len, "at least 4 bytes (SPDM header)");
	if (response && m[1] == 0x7f)
		return why(w, -EREMOTEIO, msg, "SPDM ERROR code", m[2], "VENDOR_DEFINED_RESPONSE");
	if (m[1] != code)
		return why(w, -EPROTO, msg, "request/response code", m[1],
			   response ? "0x7e (VENDOR_DEFINED_RESPONSE)"
				    : "0xfe (VENDOR_DEFINED_REQUEST)");
	v->version = m[0];
	/* DSP0274 1.4: Param1 bit 0 selects the large form; reserved before */
	v->large = m[0] >= 0x14 && (m[2] & TSMH_SPDM_VDM_LARGE);
	if (v->large)
		hdr = 15;
	if (len < 9)
		return why(w, -EBADMSG, msg, "length", (u32)len, "a StandardID, Len and VendorID");
	if (tsmh_get_le16(m + 4) != TSMH_SPDM_REGISTRY_PCISIG)
		return why(w, -EPROTO, msg, "StandardID", tsmh_get_le16(m + 4), "3 (PCI-SIG)");
	if (m[6] != 2)
		return why(w, -EPROTO, msg, "vendor ID length", m[6], "2 (PCI-SIG)");
	if (tsmh_get_le16(m + 7) != TSMH_PCISIG_VENDOR_ID)
		return why(w, -EPROTO, msg, "VendorID", tsmh_get_le16(m + 7), "0x0001 (PCI-SIG)");
	if (len < hdr)
		return why(w, -EBADMSG, msg, "length", (u32)len,
			   v->large ? "at least 15 bytes (large form header)"
				    : "at least 11 bytes (header)");
	plen = v->large ? tsmh_get_le32(m + 11) : tsmh_get_le16(m + 9);
	if (!plen)
		return why(w, -EBADMSG, msg, "payload length", 0,
			   "at least 1 (the PCI-SIG protocol ID)");
	if (plen > len - hdr)
		return why(w, -EBADMSG, msg, "payload length", (u32)plen,
			   "no more than the bytes that arrived after the header");
	if (len - hdr - plen > 3)
		return why(w, -EBADMSG, msg, "trailing bytes", (u32)(len - hdr - plen),
			   "the payload length (up to 3 bytes of padding)");
	v->protocol = m[hdr];
	v->payload = m + hdr + 1;
	v->len = (u32)plen - 1;
	return 0;
}

static u32 le32_at(const u8 *p, size_t dw)
{
	return tsmh_get_le32(p + 4 * dw);
}

int tsmh_ide_cap_copy_check(const u8 *p, size_t len, struct tsmh_ide_cap_copy *c,
			    struct tsmh_idekm_why *w)
{
	static const char msg[] = "QUERY_RESP IDE capability copy";
	struct tsmh_ide_cap_copy tmp;
	size_t dw = len / 4, at;
	unsigned int i;

	if (!c)
		c = &tmp;
	memset(c, 0, sizeof(*c));
	if (len % 4)
		return why(w, -EBADMSG, msg, "length", (u32)len, "a multiple of 4 (DWORDs)");
	if (dw < 2)
		return why(w, -EBADMSG, msg, "DWORDs", (u32)dw,
			   "at least 2 (IDE Capability and Control registers)");
	c->cap = le32_at(p, 0);
	c->ctl = le32_at(p, 1);
	c->nr_link = (u8)tsmh_ide_nr_link_tcs(c->cap);
	c->nr_sel = (u16)tsmh_ide_nr_sel_streams(c->cap);
	at = 2 + (size_t)c->nr_link * TSMH_IDE_LINK_BLOCK_DW;
	if (at > dw)
		return why(w, -EBADMSG, msg, "DWORDs", (u32)dw,
			   "room for the link IDE register blocks its capability announces");
	for (i = 0; i < c->nr_sel; i++) {
		u32 n;

		if (at >= dw)
			return why(w, -EBADMSG, msg, "selective IDE stream blocks present",
				   i, "as many as the IDE capability register announces");
		n = le32_at(p, at) & TSMH_IDE_SEL_CAP_ASSOC_MASK;
		c->assoc[i] = (u8)n;
		at += TSMH_IDE_SEL_BLOCK_DW(n);
		if (at > dw)
			return why(w, -EBADMSG, msg, "DWORDs", (u32)dw,
				   "room for every address association block the selective blocks announce");
	}
	if (at != dw)
		return why(w, -EBADMSG, msg, "DWORDs", (u32)dw,
			   "exactly the blocks its capability registers announce");
	return 0;
}

static const char *const obj_names[] = {
	"QUERY", "QUERY_RESP", "KEY_PROG", "KP_ACK", "K_SET_GO", "K_SET_STOP", "K_GOSTOP_ACK",
};

const char *tsmh_idekm_obj_name(u8 id)
{
	return id < ARRAY_SIZE(obj_names) ? obj_names[id] : "unknown";
}

size_t tsmh_idekm_encode(const struct tsmh_idekm_msg *m, u8 *out, size_t cap)
{
	size_t len;

	switch (m->object_id) {
	case TSMH_IDEKM_QUERY:
		len = TSMH_IDEKM_QUERY_LEN;
		break;
	case TSMH_IDEKM_QUERY_RESP:
		if (tsmh_ide_cap_copy_check(m->cap, m->cap_len, NULL, NULL))
			return 0;
		len = TSMH_IDEKM_HDR_LEN + m->cap_len;
		break;
	case TSMH_IDEKM_KEY_PROG:
		len = TSMH_IDEKM_KEY_PROG_LEN;
		break;
	case TSMH_IDEKM_KP_ACK:
	case TSMH_IDEKM_K_SET_GO:
	case TSMH_IDEKM_K_SET_STOP:
	case TSMH_IDEKM_K_GOSTOP_ACK:
		len = TSMH_IDEKM_HDR_LEN;
		break;
	default:
		return 0;
	}
	if (len > cap)
		return 0;
	memset(out, 0, len < TSMH_IDEKM_HDR_LEN ? len : TSMH_IDEKM_HDR_LEN);
	out[0] = m->object_id;
	if (m->object_id == TSMH_IDEKM_QUERY) {
		out[2] = m->port_index;
		return len;
	}
	if (m->object_id == TSMH_IDEKM_QUERY_RESP) {
		out[2] = m->port_index;
		out[3] = m->dev_func;
		out[4] = m->bus;
		out[5] = m->segment;
		out[6] = m->max_port_index;
		memcpy(out + TSMH_IDEKM_HDR_LEN, m->cap, m->cap_len);
		return len;
	}
	out[3] = m->stream_id;
	if (m->object_id == TSMH_IDEKM_KP_ACK)
		out[4] = m->status;
	out[5] = m->key_sub_stream;
	out[6] = m->port_index;
	if (m->object_id == TSMH_IDEKM_KEY_PROG) {
		memcpy(out + 7, m->key, TSMH_IDEKM_KEY_LEN);
		memcpy(out + 7 + TSMH_IDEKM_KEY_LEN, m->ifv, TSMH_IDEKM_IFV_LEN);
	}
	return len;
}

int tsmh_idekm_decode(const u8 *p, size_t len, struct tsmh_idekm_msg *m,
		      struct tsmh_idekm_why *w)
{
	static const char *const want_len[] = {
		"3 bytes", "7 bytes and the capability copy", "47 bytes (7 + key 32 + IFV 8)",
		"7 bytes", "7 bytes", "7 bytes", "7 bytes",
	};
	const char *name;
	size_t need;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!len)
		return why(w, -EBADMSG, "IDE_KM", "length", 0, "at least the object ID");
	m->object_id = p[0];
	if (p[0] >= ARRAY_SIZE(obj_names))
		return why(w, -EPROTO, "IDE_KM", "object ID", p[0],
			   "0x00-0x06 (QUERY ... K_GOSTOP_ACK)");
	name = obj_names[p[0]];
	switch (p[0]) {
	case TSMH_IDEKM_QUERY:
		need = TSMH_IDEKM_QUERY_LEN;
		break;
	case TSMH_IDEKM_KEY_PROG:
		need = TSMH_IDEKM_KEY_PROG_LEN;
		break;
	default:
		need = TSMH_IDEKM_HDR_LEN;
		break;
	}
	if (len < TSMH_IDEKM_HDR_LEN && len < need)
		return why(w, -EBADMSG, name, "length", (u32)len, want_len[p[0]]);
	if (p[0] == TSMH_IDEKM_QUERY || p[0] == TSMH_IDEKM_QUERY_RESP)
		m->port_index = p[2];
	if (p[0] == TSMH_IDEKM_QUERY)
		return len == need ? 0 : why(w, -EBADMSG, name, "length", (u32)len, want_len[0]);
	if (p[0] == TSMH_IDEKM_QUERY_RESP) {
		m->dev_func = p[3];
		m->bus = p[4];
		m->segment = p[5];
		m->max_port_index = p[6];
		m->cap = p + TSMH_IDEKM_HDR_LEN;
		m->cap_len = (u32)(len - TSMH_IDEKM_HDR_LEN);
		ret = tsmh_ide_cap_copy_check(m->cap, m->cap_len, NULL, w);
		if (ret) {
			m->cap = NULL;
			m->cap_len = 0;
		}
		return ret;
	}
	m->stream_id = p[3];
	if (p[0] == TSMH_IDEKM_KP_ACK)
		m->status = p[4];
	m->key_sub_stream = p[5];
	m->port_index = p[6];
	if (len != need)
		return why(w, -EBADMSG, name, "length", (u32)len, want_len[p[0]]);
	if (p[0] == TSMH_IDEKM_KEY_PROG) {
		m->key = p + 7;
		m->ifv = p + 7 + TSMH_IDEKM_KEY_LEN;
	}
	return 0;
}

const char *tsmh_idekm_status_name(u8 status)
{
	static const char *const names[] = {
		"success", "incorrect length", "unsupported port index", "unsupported value",
		"unspecified failure",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "unknown";
}

const char *tsmh_idekm_sub_name(unsigned int sub)
{
	static const char *const names[] = { "PR", "NPR", "CPL" };

	return sub < ARRAY_SIZE(names) ? names[sub] : "unknown";
}

char *tsmh_idekm_kss_format(u8 kss, char *buf, size_t len)
{
	unsigned int sub = tsmh_idekm_kss_sub(kss);

	if (sub < TSMH_IDEKM_NR_SUB)
		snprintf(buf, len, "K%u %s %s", kss & TSMH_IDEKM_KSS_SET,
			 kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX", tsmh_idekm_sub_name(sub));
	else
		snprintf(buf, len, "K%u %s sub-stream %u", kss & TSMH_IDEKM_KSS_SET,
			 kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX", sub);
	return buf;
}
