// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM session codecs. See session.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "auth.h"
#include "port.h"
#include "session_msg.h"

#define MAX_OPAQUE 1024

size_t spdm_dhe_len(uint16_t dhe)
{
	switch (dhe) {
	case SPDM_DHE_SECP256R1: return 64;
	case SPDM_DHE_SECP384R1: return 96;
	default: return 0;
	}
}

int spdm_sm_parse_list(const char *s, unsigned int *mask)
{
	unsigned int m = 0, min;
	int n;

	for (;;) {
		if (sscanf(s, "1.%u%n", &min, &n) != 1 || min > 2 || n != 3)
			return -1;
		m |= 1u << min;
		s += n;
		if (!*s)
			break;
		if (*s++ != ',')
			return -1;
	}
	*mask = m;
	return 0;
}

size_t spdm_bin_concat(uint8_t ver, uint16_t length, const char *label, const uint8_t *ctx,
		       size_t clen, uint8_t *out, size_t cap)
{
	size_t ll = strlen(label), n = 2 + 8 + ll + clen;

	if (n > cap)
		return 0;
	tsmh_put_le16(out, length);
	memcpy(out + 2, "spdm1.x ", 8);
	out[2 + 6] = (uint8_t)('0' + (ver & 15));
	memcpy(out + 10, label, ll);
	if (clen)
		memcpy(out + 10 + ll, ctx, clen);
	return n;
}

size_t spdm_enc_key_exchange(uint8_t ver, const struct spdm_key_exchange *k, size_t dhe_len,
			     uint8_t *out, size_t cap)
{
	size_t n = 8 + SPDM_RANDOM_LEN + dhe_len + 2 + k->opaque_len;

	if (n > cap)
		return 0;
	out[0] = ver;
	out[1] = SPDM_KEY_EXCHANGE;
	out[2] = k->summary;
	out[3] = k->slot;
	tsmh_put_le16(out + 4, k->session_id);
	out[6] = ver >= SPDM_VERSION_12 ? k->policy : 0;
	out[7] = 0;
	memcpy(out + 8, k->random, SPDM_RANDOM_LEN);
	memcpy(out + 8 + SPDM_RANDOM_LEN, k->exchange, dhe_len);
	tsmh_put_le16(out + 8 + SPDM_RANDOM_LEN + dhe_len, k->opaque_len);
	if (k->opaque_len)
		memcpy(out + 10 + SPDM_RANDOM_LEN + dhe_len, k->opaque, k->opaque_len);
	return n;
}

int spdm_dec_key_exchange(uint8_t ver, const uint8_t *m, size_t len, size_t dhe_len,
			  struct spdm_key_exchange *k)
{
	size_t n = 8 + SPDM_RANDOM_LEN + dhe_len;

	memset(k, 0, sizeof(*k));
	spdm_bad_clear();
	if (len < 4)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the 4-byte header", len);
	if (m[1] != SPDM_KEY_EXCHANGE)
		return spdm_bad(-EPROTO, "RequestResponseCode %#04x, expected %#04x", m[1],
				SPDM_KEY_EXCHANGE);
	if (m[0] != ver)
		return spdm_bad(-EPROTO, "SPDMVersion %u.%u, expected the negotiated %u.%u",
				m[0] >> 4, m[0] & 15, ver >> 4, ver & 15);
	if (len < n + 2)
		return spdm_bad(-EBADMSG,
				"%zu bytes, the fields up to OpaqueDataLength need %zu (%zu-byte "
				"ExchangeData)",
				len, n + 2, dhe_len);
	k->summary = m[2];
	k->slot = m[3];
	k->session_id = tsmh_get_le16(m + 4);
	k->policy = m[6];
	k->random = m + 8;
	k->exchange = m + 8 + SPDM_RANDOM_LEN;
	k->opaque_len = tsmh_get_le16(m + n);
	n += 2;
	if (k->opaque_len > MAX_OPAQUE)
		return spdm_bad(-EPROTO, "OpaqueDataLength %u, more than %d", k->opaque_len,
				MAX_OPAQUE);
	if (len < n + k->opaque_len)
		return spdm_bad(-EBADMSG, "OpaqueDataLength %u runs past the %zu-byte request",
				k->opaque_len, len);
	k->opaque = m + n;
	k->len = n + k->opaque_len;
	return 0;
}

size_t spdm_enc_key_exchange_rsp(uint8_t ver, const struct spdm_key_exchange_rsp *r, size_t dhe_len,
				 size_t hash_len, uint8_t *out, size_t cap)
{
	size_t n = 8 + SPDM_RANDOM_LEN + dhe_len + (r->summary ? hash_len : 0) + 2 + r->opaque_len;
	uint8_t *p = out + 8;

	if (n > cap)
		return 0;
	out[0] = ver;
	out[1] = SPDM_KEY_EXCHANGE_RSP;
	out[2] = r->heartbeat;
	out[3] = 0;
	tsmh_put_le16(out + 4, r->session_id);
	out[6] = r->mut_auth;
	out[7] = r->req_slot;
	memcpy(p, r->random, SPDM_RANDOM_LEN);
	p += SPDM_RANDOM_LEN;
	memcpy(p, r->exchange, dhe_len);
	p += dhe_len;
	if (r->summary) {
		memcpy(p, r->summary, hash_len);
		p += hash_len;
	}
	tsmh_put_le16(p, r->opaque_len);
	p += 2;
	if (r->opaque_len)
		memcpy(p, r->opaque, r->opaque_len);
	return n;
}

int spdm_dec_key_exchange_rsp(uint8_t ver, const uint8_t *m, size_t len, size_t dhe_len,
			      size_t hash_len, int summary, size_t sig_len,
			      struct spdm_key_exchange_rsp *r, uint8_t *err)
{
	int ret = spdm_check_hdr(ver, SPDM_KEY_EXCHANGE_RSP, m, len, err);
	size_t n = 8 + SPDM_RANDOM_LEN + dhe_len + (summary ? hash_len : 0), need;

	memset(r, 0, sizeof(*r));
	if (ret)
		return ret;
	if (len < n + 2)
		return spdm_bad(-EBADMSG,
				"%zu bytes, the fields up to OpaqueDataLength need %zu (%zu-byte "
				"ExchangeData, %zu-byte MeasurementSummaryHash)",
				len, n + 2, dhe_len, summary ? hash_len : 0);
	r->heartbeat = m[2];
	r->session_id = tsmh_get_le16(m + 4);
	r->mut_auth = m[6];
	r->req_slot = m[7];
	r->random = m + 8;
	r->exchange = m + 8 + SPDM_RANDOM_LEN;
	r->summary = summary ? m + 8 + SPDM_RANDOM_LEN + dhe_len : NULL;
	r->opaque_len = tsmh_get_le16(m + n);
	n += 2;
	if (r->opaque_len > MAX_OPAQUE)
		return spdm_bad(-EPROTO, "OpaqueDataLength %u, more than %d", r->opaque_len,
				MAX_OPAQUE);
	r->opaque = m + n;
	n += r->opaque_len;
	r->signed_len = n;
	need = n + sig_len + hash_len;
	if (len < need)
		return spdm_bad(-EBADMSG,
				"%zu bytes, OpaqueDataLength %u with a %zu-byte Signature and "
				"%zu-byte ResponderVerifyData need %zu",
				len, r->opaque_len, sig_len, hash_len, need);
	r->sig = m + n;
	r->verify = m + n + sig_len;
	return len - need < 4 ? 0
			      : spdm_bad(-EPROTO,
					 "%zu bytes after ResponderVerifyData (at most 3 of DOE "
					 "padding)",
					 len - need);
}

size_t spdm_enc_finish(uint8_t ver, const uint8_t *verify, size_t hash_len, uint8_t *out)
{
	out[0] = ver;
	out[1] = SPDM_FINISH;
	out[2] = 0; /* no signature: no mutual authentication */
	out[3] = 0;
	if (!verify)
		return 4;
	memcpy(out + 4, verify, hash_len);
	return 4 + hash_len;
}

int spdm_dec_finish(uint8_t ver, const uint8_t *m, size_t len, size_t hash_len,
		    const uint8_t **verify)
{
	spdm_bad_clear();
	if (len < 4)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the 4-byte header", len);
	if (m[1] != SPDM_FINISH)
		return spdm_bad(-EPROTO, "RequestResponseCode %#04x, expected %#04x", m[1],
				SPDM_FINISH);
	if (m[0] != ver)
		return spdm_bad(-EPROTO, "SPDMVersion %u.%u, expected the negotiated %u.%u",
				m[0] >> 4, m[0] & 15, ver >> 4, ver & 15);
	if (m[2] & 1) /* a signature we never asked for */
		return spdm_bad(-EPROTO,
				"Param1 %#04x has bit 0 (signature present) set, expected clear "
				"(no mutual authentication was requested)",
				m[2]);
	if (len != 4 + hash_len)
		return spdm_bad(-EBADMSG,
				"%zu bytes, expected %zu (header and %zu-byte RequesterVerifyData)",
				len, 4 + hash_len, hash_len);
	*verify = m + 4;
	return 0;
}

int spdm_dec_hdr(uint8_t ver, uint8_t code, const uint8_t *m, size_t len, uint8_t *p1, uint8_t *p2,
		 uint8_t *err)
{
	int ret = spdm_check_hdr(ver, code, m, len, err);

	if (ret)
		return ret;
	if (len != 4)
		return spdm_bad(-EPROTO, "%zu bytes, expected exactly 4 (the header alone)", len);
	if (p1)
		*p1 = m[2];
	if (p2)
		*p2 = m[3];
	return 0;
}

/*
 * ---- secured-message version opaque data ----
 * Two table formats (DSP0274 1.2 ALGORITHMS OtherParamsSelection):
 *  - format 1, the general opaque data table: TotalElements, 3 reserved;
 *  - format 0, DSP0277's own table (and what SPDM 1.1 used): SpecID "DMTF"
 *    (0x444D5446, little-endian), OpaqueVersion 1, TotalElements, 2
 *    reserved.
 * The elements that follow are the same: ID 0 (DMTF), VendorLen 0,
 * OpaqueElementDataLen, the secured-message data, padded to 4 bytes.
 */
#define OPAQUE_SPEC_ID_DMTF 0x444D5446u

static size_t opaque_hdr_len(uint8_t fmt)
{
	return fmt == SPDM_OPAQUE_FMT0 ? 8 : 4;
}

/* table header + element header (id, vendor_len, data_len) + SM data, padded to 4 */
static size_t opaque_one(uint8_t fmt, const uint8_t *sm, size_t smlen, uint8_t *out, size_t cap)
{
	size_t h = opaque_hdr_len(fmt), n = (h + 4 + smlen + 3) & ~(size_t)3;

	if (n > cap)
		return 0;
	memset(out, 0, n);
	if (fmt == SPDM_OPAQUE_FMT0) {
		tsmh_put_le32(out, OPAQUE_SPEC_ID_DMTF);
		out[4] = 1; /* OpaqueVersion */
		out[5] = 1; /* TotalElements */
	} else {
		out[0] = 1; /* TotalElements */
	}
	out[h] = 0; /* ID: DMTF */
	out[h + 1] = 0; /* VendorLen */
	tsmh_put_le16(out + h + 2, (uint16_t)smlen);
	memcpy(out + h + 4, sm, smlen);
	return n;
}

size_t spdm_opaque_supported(uint8_t fmt, const uint16_t *vers, int n, uint8_t *out, size_t cap)
{
	uint8_t sm[3 + 2 * SPDM_SM_MAX_VERSIONS];
	int i;

	if (n < 1 || n > SPDM_SM_MAX_VERSIONS)
		return 0;
	sm[0] = 1; /* SMDataVersion */
	sm[1] = SPDM_SM_ID_SUPPORTED_VERSION;
	sm[2] = (uint8_t)n;
	for (i = 0; i < n; i++)
		tsmh_put_le16(sm + 3 + 2 * i, vers[i]);
	return opaque_one(fmt, sm, 3 + 2 * (size_t)n, out, cap);
}

size_t spdm_opaque_selection(uint8_t fmt, uint16_t sel, uint8_t *out, size_t cap)
{
	uint8_t sm[4] = { 1, SPDM_SM_ID_VERSION_SELECTION };

	tsmh_put_le16(sm + 2, sel);
	return opaque_one(fmt, sm, 4, out, cap);
}

static const char *sm_id_name(uint8_t id)
{
	return id == SPDM_SM_ID_VERSION_SELECTION ? "VersionSelection" : "SupportedVersion";
}

/*
 * The data of the DMTF element whose SMDataID is @id. Failures say which
 * field of the table or element was wrong (spdm_bad()).
 */
static int find_sm(uint8_t fmt, const uint8_t *op, size_t len, uint8_t id, const uint8_t **data,
		   size_t *dlen)
{
	size_t off = opaque_hdr_len(fmt), el;
	int i, total, found = 0, bad_ver = -1;

	spdm_bad_clear();
	if (len < off)
		return spdm_bad(-EBADMSG,
				"opaque data of %zu bytes, shorter than the %zu-byte format %d "
				"table header",
				len, off, fmt == SPDM_OPAQUE_FMT0 ? 0 : 1);
	if (fmt == SPDM_OPAQUE_FMT0) {
		if (tsmh_get_le32(op) != OPAQUE_SPEC_ID_DMTF)
			return spdm_bad(-EBADMSG,
					"opaque data format 0: SpecID %#010x, expected %#010x "
					"(\"DMTF\")",
					tsmh_get_le32(op), OPAQUE_SPEC_ID_DMTF);
		if (op[4] != 1)
			return spdm_bad(-EBADMSG,
					"opaque data format 0: OpaqueVersion %u, expected 1",
					op[4]);
		if (op[6] || op[7])
			return spdm_bad(-EBADMSG,
					"opaque data format 0: reserved bytes 0x%02x 0x%02x after "
					"TotalElements, expected 0",
					op[6], op[7]);
		total = op[5];
	} else {
		total = op[0];
		if (op[1] || op[2] || op[3])
			return spdm_bad(-EBADMSG,
					"opaque data format 1: reserved bytes 0x%02x 0x%02x 0x%02x "
					"after TotalElements, expected 0",
					op[1], op[2], op[3]);
	}
	for (i = 0; i < total; i++) {
		uint8_t rid, vlen;
		uint16_t l;

		if (len - off < 2 || len - off < 4 + (size_t)op[off + 1])
			return spdm_bad(-EBADMSG,
					"opaque element %d of TotalElements %d: its header runs "
					"past the %zu bytes of opaque data",
					i + 1, total, len);
		rid = op[off];
		vlen = op[off + 1];
		l = tsmh_get_le16(op + off + 2 + vlen);
		el = 4 + (size_t)vlen + l;
		if (len - off < el)
			return spdm_bad(-EBADMSG,
					"opaque element %d of TotalElements %d: "
					"OpaqueElementDataLen %u runs past the %zu bytes of opaque "
					"data",
					i + 1, total, l, len);
		if (rid == 0 && !vlen && l >= 2 && op[off + 5] == id && !found) {
			if (op[off + 4] == 1) {
				*data = op + off + 4;
				*dlen = l;
				found = 1;
			} else {
				bad_ver = op[off + 4];
			}
		}
		el = (el + 3) & ~(size_t)3;
		if (el > len - off)
			el = len - off; /* the last element may come unpadded */
		off += el;
	}
	if (off != len)
		return spdm_bad(-EBADMSG,
				"%zu bytes of opaque data after TotalElements %d elements",
				len - off, total);
	if (found)
		return 0;
	if (bad_ver >= 0)
		return spdm_bad(-ENOENT,
				"secured-message %s element with SMDataVersion %d, expected 1",
				sm_id_name(id), bad_ver);
	return spdm_bad(-ENOENT,
			"no DMTF secured-message %s element (SMDataID %u) among TotalElements %d",
			sm_id_name(id), id, total);
}

int spdm_opaque_parse_supported(uint8_t fmt, const uint8_t *op, size_t len, uint16_t *vers, int max)
{
	const uint8_t *d;
	size_t dl;
	int ret = find_sm(fmt, op, len, SPDM_SM_ID_SUPPORTED_VERSION, &d, &dl), i, n;

	if (ret)
		return ret;
	if (dl < 3 || !d[2])
		return spdm_bad(-EBADMSG,
				"SupportedVersion element: VersionCount %u in %zu bytes, expected "
				"at least 1",
				dl < 3 ? 0 : d[2], dl);
	if (dl != 3 + 2 * (size_t)d[2])
		return spdm_bad(-EBADMSG,
				"SupportedVersion element: %zu bytes, VersionCount %u needs %zu",
				dl, d[2], 3 + 2 * (size_t)d[2]);
	n = d[2] < max ? d[2] : max;
	for (i = 0; i < n; i++)
		vers[i] = tsmh_get_le16(d + 3 + 2 * i);
	return n;
}

int spdm_opaque_parse_selection(uint8_t fmt, const uint8_t *op, size_t len, uint16_t *sel)
{
	const uint8_t *d;
	size_t dl;
	int ret = find_sm(fmt, op, len, SPDM_SM_ID_VERSION_SELECTION, &d, &dl);

	if (ret)
		return ret;
	if (dl != 4)
		return spdm_bad(-EBADMSG, "VersionSelection element: %zu bytes, expected 4", dl);
	*sel = tsmh_get_le16(d + 2);
	return 0;
}
