// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM GET_CAPABILITIES / CAPABILITIES and NEGOTIATE_ALGORITHMS /
 * ALGORITHMS codecs (DSP0274 1.1-1.3, 10.4-10.5), for both the requester
 * and the emulator's responder. Every decoder checks lengths against the
 * message and the rules a peer must follow (one selected algorithm, a
 * length field that matches, known table types) and says which failed.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "port.h"
#include "spdm.h"

static int err_or(const uint8_t *m, size_t len, uint8_t code, uint8_t *err)
{
	spdm_bad_clear();
	if (len < 4)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the 4-byte header", len);
	if (m[1] == SPDM_ERROR) {
		*err = m[2];
		return -EREMOTEIO;
	}
	return m[1] == code
		       ? 0
		       : spdm_bad(-EPROTO, "RequestResponseCode %#04x, expected %#04x", m[1], code);
}

static int ver_is(const uint8_t *m, uint8_t ver)
{
	return m[0] == ver ? 0
			   : spdm_bad(-EPROTO, "SPDMVersion %u.%u, expected the negotiated %u.%u",
				      m[0] >> 4, m[0] & 15, ver >> 4, ver & 15);
}

/* ---- GET_CAPABILITIES / CAPABILITIES ---- */

static size_t caps_len(uint8_t ver)
{
	if (ver >= SPDM_VERSION_12)
		return 20;
	return ver >= SPDM_VERSION_11 ? 12 : 4;
}

size_t spdm_enc_capabilities(uint8_t ver, uint8_t code, const struct spdm_caps *c, uint8_t *out)
{
	size_t n = caps_len(ver);

	memset(out, 0, n);
	out[0] = ver;
	out[1] = code;
	if (n >= 12) {
		out[5] = c->ct_exponent;
		tsmh_put_le32(out + 8, c->flags);
	}
	if (n >= 20) {
		tsmh_put_le32(out + 12, c->data_transfer_size);
		tsmh_put_le32(out + 16, c->max_msg_size);
	}
	return n;
}

int spdm_dec_capabilities(uint8_t ver, uint8_t code, const uint8_t *m, size_t len,
			  struct spdm_caps *c, uint8_t *err)
{
	int ret = err_or(m, len, code, err);

	if (ret)
		return ret;
	if (m[0] != ver)
		return ver_is(m, ver);
	if (len < caps_len(ver))
		return spdm_bad(-EBADMSG, "%zu bytes, CAPABILITIES %u.%u has %zu", len, ver >> 4,
				ver & 15, caps_len(ver));
	memset(c, 0, sizeof(*c));
	if (ver >= SPDM_VERSION_11) {
		c->ct_exponent = m[5];
		c->flags = tsmh_get_le32(m + 8);
	}
	if (ver >= SPDM_VERSION_12) {
		c->data_transfer_size = tsmh_get_le32(m + 12);
		c->max_msg_size = tsmh_get_le32(m + 16);
		/* 1.2: DataTransferSize >= 42, MaxSPDMmsgSize >= DataTransferSize */
		if (c->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE)
			return spdm_bad(-EPROTO, "DataTransferSize %u, below the minimum %d",
					c->data_transfer_size, SPDM_MIN_DATA_TRANSFER_SIZE);
		if (c->max_msg_size < c->data_transfer_size)
			return spdm_bad(-EPROTO, "MaxSPDMmsgSize %u, below DataTransferSize %u",
					c->max_msg_size, c->data_transfer_size);
	}
	return 0;
}

/* ---- NEGOTIATE_ALGORITHMS / ALGORITHMS ---- */

#define ALG_FIXED     32 /* request header incl. reserved, before ext/structs */
#define ALG_RSP_FIXED 36
#define STRUCT_LEN    4 /* type, count (2 fixed bytes, 0 ext), supported u16 */

static const uint8_t struct_types[] = {
	SPDM_ALG_TYPE_DHE,
	SPDM_ALG_TYPE_AEAD,
	SPDM_ALG_TYPE_REQ_ASYM,
	SPDM_ALG_TYPE_KEY_SCHEDULE,
};

static uint16_t *struct_field(struct spdm_algs *a, uint8_t type)
{
	switch (type) {
	case SPDM_ALG_TYPE_DHE: return &a->dhe;
	case SPDM_ALG_TYPE_AEAD: return &a->aead;
	case SPDM_ALG_TYPE_REQ_ASYM: return &a->req_asym;
	case SPDM_ALG_TYPE_KEY_SCHEDULE: return &a->key_schedule;
	default: return NULL;
	}
}

/*
 * The AlgStructs (1.1+). A request leaves out every type it offers nothing
 * of: DSP0274 lets a requester omit an AlgStruct type it does not support,
 * and libspdm's responder refuses one with no algorithm bit set with
 * InvalidRequest (so do other stacks that check AlgSupported); libspdm's
 * requester omits them too. The response carries all four, with zero for
 * "none selected", as libspdm's responder does.
 */
static size_t put_structs(uint8_t ver, bool omit_empty, struct spdm_algs *a, uint8_t *p,
			  uint8_t *count)
{
	size_t i, n = 0;

	*count = 0;
	if (ver < SPDM_VERSION_11)
		return 0;
	for (i = 0; i < sizeof(struct_types); i++) {
		if (omit_empty && !*struct_field(a, struct_types[i]))
			continue;
		p[n] = struct_types[i];
		p[n + 1] = 2 << 4; /* two fixed bytes, no extended algorithms */
		tsmh_put_le16(p + n + 2, *struct_field(a, struct_types[i]));
		n += STRUCT_LEN;
		(*count)++;
	}
	return n;
}

/*
 * Shared encoder: the request (@code NEGOTIATE_ALGORITHMS) and the
 * response (ALGORITHMS) differ only in the fixed part, where the response
 * carries MeasurementHashAlgo ahead of the asymmetric and hash fields.
 */
static size_t enc_algs(uint8_t ver, uint8_t code, const struct spdm_algs *in, uint8_t *out,
		       size_t cap)
{
	size_t fixed = code == SPDM_ALGORITHMS ? ALG_RSP_FIXED : ALG_FIXED;
	size_t off = code == SPDM_ALGORITHMS ? 12 : 8, n;
	struct spdm_algs a = *in;
	uint8_t count;

	if (cap < fixed + STRUCT_LEN * sizeof(struct_types))
		return 0;
	memset(out, 0, fixed);
	out[0] = ver;
	out[1] = code;
	out[6] = a.meas_spec;
	out[7] = ver >= SPDM_VERSION_12 ? a.other_params : 0;
	if (code == SPDM_ALGORITHMS)
		tsmh_put_le32(out + 8, a.meas_hash);
	tsmh_put_le32(out + off, a.base_asym);
	tsmh_put_le32(out + off + 4, a.base_hash);
	n = fixed + put_structs(ver, code == SPDM_NEGOTIATE_ALGORITHMS, &a, out + fixed, &count);
	out[2] = count;
	tsmh_put_le16(out + 4, (uint16_t)n);
	return n;
}

size_t spdm_enc_negotiate_algorithms(uint8_t ver, const struct spdm_algs *offer, uint8_t *out,
				     size_t cap)
{
	return enc_algs(ver, SPDM_NEGOTIATE_ALGORITHMS, offer, out, cap);
}

size_t spdm_enc_algorithms(uint8_t ver, const struct spdm_algs *sel, uint8_t *out, size_t cap)
{
	return enc_algs(ver, SPDM_ALGORITHMS, sel, out, cap);
}

/* Shared parser for both directions; @fixed is the fixed part's size. */
static int dec_algs(uint8_t ver, uint8_t code, const uint8_t *m, size_t len, size_t fixed,
		    struct spdm_algs *a, uint8_t *err)
{
	size_t msglen, off, i;
	uint8_t ext_asym, ext_hash;
	int ret = err_or(m, len, code, err);

	if (ret)
		return ret;
	if (m[0] != ver)
		return ver_is(m, ver);
	if (len < fixed)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the %zu fixed ones", len, fixed);
	msglen = tsmh_get_le16(m + 4);
	/* the Length field covers the message; DOE padding may follow it */
	if (msglen < fixed || msglen > len)
		return spdm_bad(-EBADMSG, "Length %zu, outside %zu..%zu (the bytes received)",
				msglen, fixed, len);
	memset(a, 0, sizeof(*a));
	a->meas_spec = m[6];
	a->other_params = m[7];
	if (code == SPDM_ALGORITHMS) {
		a->meas_hash = tsmh_get_le32(m + 8);
		a->base_asym = tsmh_get_le32(m + 12);
		a->base_hash = tsmh_get_le32(m + 16);
		ext_asym = m[32];
		ext_hash = m[33];
	} else {
		a->base_asym = tsmh_get_le32(m + 8);
		a->base_hash = tsmh_get_le32(m + 12);
		ext_asym = m[28];
		ext_hash = m[29];
	}
	off = fixed + 4 * (size_t)(ext_asym + ext_hash);
	if (off > msglen)
		return -EBADMSG;
	for (i = 0; i < m[2]; i++) {
		uint8_t fixed_bytes, ext;
		uint16_t *f;

		if (off + 2 > msglen)
			return -EBADMSG;
		fixed_bytes = m[off + 1] >> 4;
		ext = m[off + 1] & 15;
		if (fixed_bytes != 2) /* every defined table has two fixed bytes */
			return spdm_bad(-EPROTO, "AlgStruct type %u: FixedAlgCount %u, expected 2",
					m[off], fixed_bytes);
		if (off + 4 + 4 * (size_t)ext > msglen)
			return -EBADMSG;
		f = struct_field(a, m[off]);
		if (!f)
			return spdm_bad(-EPROTO, "AlgStruct of unknown or repeated type %u",
					m[off]);
		*f = tsmh_get_le16(m + off + 2);
		off += 4 + 4 * (size_t)ext;
	}
	if (off != msglen) /* trailing bytes inside Length */
		return spdm_bad(-EBADMSG, "%zu bytes inside Length after the last AlgStruct",
				msglen - off);
	return 0;
}

int spdm_dec_negotiate_algorithms(uint8_t ver, const uint8_t *m, size_t len, struct spdm_algs *a,
				  uint8_t *err)
{
	return dec_algs(ver, SPDM_NEGOTIATE_ALGORITHMS, m, len, ALG_FIXED, a, err);
}

static int one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

int spdm_dec_algorithms(uint8_t ver, const uint8_t *m, size_t len, const struct spdm_algs *offer,
			struct spdm_algs *sel, uint8_t *err)
{
	int ret = dec_algs(ver, SPDM_ALGORITHMS, m, len, ALG_RSP_FIXED, sel, err);

	if (ret)
		return ret;
		/* a responder selects exactly one of what was offered (or none) */
#define ONE_OF(field, name)                                                                    \
	do {                                                                                   \
		if (sel->field && (!one_bit(sel->field) || !(sel->field & offer->field)))      \
			return spdm_bad(-EPROTO, "%s %#x selected, expected one of %#x", name, \
					(unsigned int)sel->field, (unsigned int)offer->field); \
	} while (0)
	ONE_OF(base_asym, "BaseAsymSel");
	ONE_OF(base_hash, "BaseHashSel");
	ONE_OF(dhe, "DHE");
	ONE_OF(aead, "AEAD");
	ONE_OF(req_asym, "ReqBaseAsymAlg");
	ONE_OF(key_schedule, "KeySchedule");
#undef ONE_OF
	if (sel->meas_hash && !one_bit(sel->meas_hash))
		return spdm_bad(-EPROTO, "MeasurementHashAlgo %#x: more than one", sel->meas_hash);
	if (sel->meas_spec && !one_bit(sel->meas_spec))
		return spdm_bad(-EPROTO, "MeasurementSpecificationSel %#x: more than one",
				sel->meas_spec);
	/* OtherParamsSelection: at most one opaque data format, one we offered */
	if ((sel->other_params & 0x0f) && (!one_bit(sel->other_params & 0x0f) ||
					   !(sel->other_params & offer->other_params & 0x0f)))
		return spdm_bad(-EPROTO, "OpaqueDataFmt %#x selected, expected one of %#x",
				sel->other_params & 0x0f, offer->other_params & 0x0f);
	return 0;
}
