// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM authentication codecs (see auth.h). Every decoder checks that the
 * response holds exactly the fields the negotiated sizes imply. The only
 * thing allowed after the last field is DOE padding: PCIe DOE carries whole
 * dwords, so a message whose length is not a multiple of 4 arrives with up
 * to 3 zero bytes to the dword boundary. Those are tolerated (libspdm
 * ignores any trailing bytes after the fields it computes; we are
 * stricter: zero, fewer than 4, and ending on a dword boundary), and every
 * "signed_len" excludes them. Anything else after a signature is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "cert.h"
#include "port.h"

#define SPDM_MAX_OPAQUE 1024 /* DSP0274 1.2+: OpaqueDataLength limit */

/* @m[@need..@len) may only be DOE padding: < 4 zero bytes up to a dword boundary. */
static int exact(const uint8_t *m, size_t len, size_t need)
{
	size_t i;

	if (len < need)
		return spdm_bad(-EBADMSG, "%zu bytes, the fields need %zu", len, need);
	if (len == need)
		return 0;
	if (len - need >= 4 || len % 4)
		return spdm_bad(-EPROTO,
				"%zu bytes after the last field (%zu in all), not DOE padding",
				len - need, len);
	for (i = need; i < len; i++)
		if (m[i])
			return spdm_bad(-EPROTO, "padding byte %zu is %#04x, not zero", i, m[i]);
	return 0;
}

/* 1.3+: RequesterContext (zeros if @ctx is NULL); returns its length. */
static size_t put_ctx(uint8_t ver, const uint8_t *ctx, uint8_t *out)
{
	if (ver < SPDM_VERSION_13)
		return 0;
	if (ctx)
		memcpy(out, ctx, SPDM_REQ_CONTEXT_LEN);
	else
		memset(out, 0, SPDM_REQ_CONTEXT_LEN);
	return SPDM_REQ_CONTEXT_LEN;
}

int spdm_tx_append(struct spdm_tx *t, const void *data, size_t len)
{
	size_t max = t->max ? t->max : SPDM_TX_MAX;

	if (t->overflow || len > max - t->len) {
		t->overflow = 1;
		return -E2BIG;
	}
	if (t->len + len > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		uint8_t *nb;

		while (cap < t->len + len)
			cap *= 2;
		nb = realloc(t->buf, cap);
		if (!nb) {
			t->overflow = 1;
			return -ENOMEM;
		}
		t->buf = nb;
		t->cap = cap;
	}
	if (len)
		memcpy(t->buf + t->len, data, len);
	t->len += len;
	return 0;
}

void spdm_tx_reset(struct spdm_tx *t)
{
	t->len = 0;
	t->overflow = 0;
}

void spdm_tx_free(struct spdm_tx *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

size_t spdm_sig_len(uint32_t base_asym)
{
	switch (base_asym) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSAPSS_2048: return 256;
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072: return 384;
	case SPDM_ASYM_RSASSA_4096:
	case SPDM_ASYM_RSAPSS_4096: return 512;
	case SPDM_ASYM_ECDSA_P256: return 64;
	case SPDM_ASYM_ECDSA_P384: return 96;
	case SPDM_ASYM_ECDSA_P521: return 132;
	default: return 0;
	}
}

int spdm_signing_prefix(uint8_t ver, const char *context, uint8_t out[SPDM_PREFIX_LEN])
{
	size_t clen = strlen(context);
	int i;

	/* 4 x 16-byte version strings, then the context right-aligned in 36 */
	if (ver < SPDM_VERSION_12 || clen > 36)
		return -EINVAL;
	memset(out, 0, SPDM_PREFIX_LEN);
	for (i = 0; i < 4; i++) {
		memcpy(out + 16 * i, "dmtf-spdm-v1.x.*", 16);
		out[16 * i + 13] = (uint8_t)('0' + (ver & 15));
	}
	memcpy(out + SPDM_PREFIX_LEN - clen, context, clen);
	return 0;
}

size_t spdm_enc_challenge(uint8_t ver, uint8_t slot, uint8_t summary, const uint8_t *nonce,
			  const uint8_t *req_context, uint8_t *out)
{
	size_t n = 4 + SPDM_NONCE_LEN;

	out[0] = ver;
	out[1] = SPDM_CHALLENGE;
	out[2] = slot;
	out[3] = summary;
	memcpy(out + 4, nonce, SPDM_NONCE_LEN);
	n += put_ctx(ver, req_context, out + n);
	return n;
}

int spdm_dec_challenge(uint8_t ver, const uint8_t *m, size_t len, uint8_t *slot, uint8_t *summary,
		       const uint8_t **nonce, const uint8_t **req_context)
{
	size_t need = 4 + SPDM_NONCE_LEN + (ver >= SPDM_VERSION_13 ? SPDM_REQ_CONTEXT_LEN : 0);

	if (len < need)
		return -EBADMSG;
	if (m[0] != ver || m[1] != SPDM_CHALLENGE)
		return -EPROTO;
	*slot = m[2];
	*summary = m[3];
	*nonce = m + 4;
	*req_context = ver >= SPDM_VERSION_13 ? m + 4 + SPDM_NONCE_LEN : NULL;
	return 0;
}

size_t spdm_enc_challenge_auth(uint8_t ver, const struct spdm_challenge_auth *a, size_t hash_len,
			       uint8_t *out, size_t cap)
{
	size_t n = 4;
	size_t need = 4 + hash_len + SPDM_NONCE_LEN + (a->meas_summary ? hash_len : 0) + 2 +
		      a->opaque_len + (ver >= SPDM_VERSION_13 ? SPDM_REQ_CONTEXT_LEN : 0);

	if (need > cap)
		return 0;
	out[0] = ver;
	out[1] = SPDM_CHALLENGE_AUTH;
	out[2] = a->slot & 15;
	out[3] = a->slot_mask;
	memcpy(out + n, a->chain_hash, hash_len);
	n += hash_len;
	memcpy(out + n, a->nonce, SPDM_NONCE_LEN);
	n += SPDM_NONCE_LEN;
	if (a->meas_summary) {
		memcpy(out + n, a->meas_summary, hash_len);
		n += hash_len;
	}
	tsmh_put_le16(out + n, a->opaque_len);
	n += 2;
	if (a->opaque_len)
		memcpy(out + n, a->opaque, a->opaque_len);
	n += a->opaque_len;
	n += put_ctx(ver, a->req_context, out + n);
	return n;
}

int spdm_dec_challenge_auth(uint8_t ver, const uint8_t *m, size_t len, uint8_t summary,
			    size_t hash_len, size_t sig_len, struct spdm_challenge_auth *a,
			    uint8_t *err)
{
	int ret = spdm_check_hdr(ver, SPDM_CHALLENGE_AUTH, m, len, err);
	size_t n = 4;

	if (ret)
		return ret;
	memset(a, 0, sizeof(*a));
	a->slot = m[2] & 15;
	a->slot_mask = m[3];
	if ((m[2] & 0x70) || (ver >= SPDM_VERSION_12 && (m[2] & 0x80)))
		return spdm_bad(-EPROTO, "Param1 %#04x has reserved bits set", m[2]);
	if (len < n + hash_len + SPDM_NONCE_LEN + (summary ? hash_len : 0) + 2)
		return spdm_bad(
			-EBADMSG,
			"%zu bytes, too short for CertChainHash, Nonce%s and OpaqueDataLength", len,
			summary ? ", MeasurementSummaryHash" : "");
	a->chain_hash = m + n;
	n += hash_len;
	a->nonce = m + n;
	n += SPDM_NONCE_LEN;
	if (summary) {
		a->meas_summary = m + n;
		n += hash_len;
	}
	a->opaque_len = tsmh_get_le16(m + n);
	n += 2;
	if (a->opaque_len > SPDM_MAX_OPAQUE)
		return spdm_bad(-EPROTO, "OpaqueDataLength %u, more than %d", a->opaque_len,
				SPDM_MAX_OPAQUE);
	if (len < n + a->opaque_len)
		return spdm_bad(-EBADMSG, "OpaqueDataLength %u runs past the %zu-byte response",
				a->opaque_len, len);
	a->opaque = m + n;
	n += a->opaque_len;
	if (ver >= SPDM_VERSION_13) {
		if (len < n + SPDM_REQ_CONTEXT_LEN)
			return spdm_bad(-EBADMSG,
					"%zu bytes, no room for the 8-byte RequesterContext", len);
		a->req_context = m + n;
		n += SPDM_REQ_CONTEXT_LEN;
	}
	a->signed_len = n;
	a->sig = m + n;
	return exact(m, len, n + sig_len);
}

size_t spdm_enc_get_measurements(uint8_t ver, const struct spdm_get_meas *g, uint8_t *out)
{
	size_t n = 4;

	out[0] = ver;
	out[1] = SPDM_GET_MEASUREMENTS;
	out[2] = g->attrs;
	out[3] = g->op;
	if (g->attrs & SPDM_MEAS_ATTR_SIG) {
		memcpy(out + n, g->nonce, SPDM_NONCE_LEN);
		n += SPDM_NONCE_LEN;
		out[n++] = g->slot & 15;
	}
	n += put_ctx(ver, g->req_context, out + n);
	return n;
}

int spdm_dec_get_measurements(uint8_t ver, const uint8_t *m, size_t len, struct spdm_get_meas *g)
{
	size_t n = 4;

	memset(g, 0, sizeof(*g));
	if (len < 4)
		return -EBADMSG;
	if (m[0] != ver || m[1] != SPDM_GET_MEASUREMENTS)
		return -EPROTO;
	g->attrs = m[2];
	g->op = m[3];
	if (g->attrs & SPDM_MEAS_ATTR_SIG) {
		if (len < n + SPDM_NONCE_LEN + 1)
			return -EBADMSG;
		g->nonce = m + n;
		n += SPDM_NONCE_LEN;
		g->slot = m[n++] & 15;
	}
	if (ver >= SPDM_VERSION_13) {
		if (len < n + SPDM_REQ_CONTEXT_LEN)
			return spdm_bad(-EBADMSG,
					"%zu bytes, no room for the 8-byte RequesterContext", len);
		g->req_context = m + n;
	}
	return 0;
}

size_t spdm_enc_measurements(uint8_t ver, const struct spdm_meas_rsp *r, uint8_t *out, size_t cap)
{
	size_t n = 8;
	size_t need = 8 + r->record_len + SPDM_NONCE_LEN + 2 + r->opaque_len +
		      (ver >= SPDM_VERSION_13 ? SPDM_REQ_CONTEXT_LEN : 0);

	if (need > cap || r->record_len > 0xffffff)
		return 0;
	out[0] = ver;
	out[1] = SPDM_MEASUREMENTS;
	out[2] = r->param1;
	out[3] = (uint8_t)((r->slot & 15) |
			   (ver >= SPDM_VERSION_12 ? (r->content_changed & 3) << 4 : 0));
	out[4] = r->nr_blocks;
	tsmh_put_le24(out + 5, r->record_len);
	if (r->record_len)
		memcpy(out + n, r->record, r->record_len);
	n += r->record_len;
	memcpy(out + n, r->nonce, SPDM_NONCE_LEN);
	n += SPDM_NONCE_LEN;
	tsmh_put_le16(out + n, r->opaque_len);
	n += 2;
	if (r->opaque_len)
		memcpy(out + n, r->opaque, r->opaque_len);
	n += r->opaque_len;
	n += put_ctx(ver, r->req_context, out + n);
	return n;
}

int spdm_dec_measurements(uint8_t ver, const uint8_t *m, size_t len, size_t sig_len,
			  struct spdm_meas_rsp *r, uint8_t *err)
{
	int ret = spdm_check_hdr(ver, SPDM_MEASUREMENTS, m, len, err);
	size_t n = 8;

	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	if (len < 8)
		return -EBADMSG;
	r->param1 = m[2];
	r->slot = m[3] & 15;
	r->content_changed = (m[3] >> 4) & 3;
	if (m[3] & 0xc0)
		return spdm_bad(-EPROTO, "Param2 %#04x has reserved bits set", m[3]);
	r->nr_blocks = m[4];
	r->record_len = tsmh_get_le24(m + 5);
	if (len - n < (size_t)r->record_len + SPDM_NONCE_LEN + 2)
		return spdm_bad(-EBADMSG,
				"MeasurementRecordLength %u runs past the %zu-byte response",
				r->record_len, len);
	r->record = m + n;
	n += r->record_len;
	r->nonce = m + n;
	n += SPDM_NONCE_LEN;
	r->opaque_len = tsmh_get_le16(m + n);
	n += 2;
	if (r->opaque_len > SPDM_MAX_OPAQUE)
		return spdm_bad(-EPROTO, "OpaqueDataLength %u, more than %d", r->opaque_len,
				SPDM_MAX_OPAQUE);
	if (len < n + r->opaque_len)
		return spdm_bad(-EBADMSG, "OpaqueDataLength %u runs past the %zu-byte response",
				r->opaque_len, len);
	r->opaque = m + n;
	n += r->opaque_len;
	if (ver >= SPDM_VERSION_13) {
		if (len < n + SPDM_REQ_CONTEXT_LEN)
			return spdm_bad(-EBADMSG,
					"%zu bytes, no room for the 8-byte RequesterContext", len);
		r->req_context = m + n;
		n += SPDM_REQ_CONTEXT_LEN;
	}
	r->signed_len = n;
	r->sig = sig_len ? m + n : NULL;
	return exact(m, len, n + sig_len);
}

size_t spdm_enc_meas_block(uint8_t index, uint8_t type, const uint8_t *value, uint16_t len,
			   uint8_t *out, size_t cap)
{
	size_t need = 4 + 3 + (size_t)len;

	if (need > cap || len > 0xffff - 3)
		return 0;
	out[0] = index;
	out[1] = SPDM_MEAS_SPEC_DMTF;
	tsmh_put_le16(out + 2, (uint16_t)(3 + len));
	out[4] = type;
	tsmh_put_le16(out + 5, len);
	memcpy(out + 7, value, len);
	return need;
}

int spdm_meas_blocks_parse(const uint8_t *rec, size_t len, int nr, struct spdm_meas_block *b,
			   int max)
{
	size_t off = 0;
	int i, last = 0;

	if (nr > max)
		return -E2BIG;
	for (i = 0; i < nr; i++) {
		uint16_t size;

		if (len - off < 4)
			return spdm_bad(-EBADMSG,
					"measurement block %d of %d: no room for its header", i + 1,
					nr);
		size = tsmh_get_le16(rec + off + 2);
		if (len - off - 4 < size)
			return spdm_bad(
				-EBADMSG,
				"measurement block %d: MeasurementSize %u runs past the record",
				rec[off], size);
		memset(&b[i], 0, sizeof(b[i]));
		b[i].index = rec[off];
		b[i].spec = rec[off + 1];
		b[i].block = rec + off;
		b[i].block_len = 4 + (size_t)size;
		if (b[i].index == 0 || b[i].index == 0xff || b[i].index <= last)
			return spdm_bad(
				-EPROTO,
				"measurement block index %u: not in 1..0xfe or not above the previous (%d)",
				b[i].index, last);
		last = b[i].index;
		if (b[i].spec == SPDM_MEAS_SPEC_DMTF) {
			if (size < 3 || tsmh_get_le16(rec + off + 5) != size - 3)
				return spdm_bad(
					-EPROTO,
					"measurement block %u: DMTF value size disagrees with MeasurementSize %u",
					b[i].index, size);
			b[i].type = rec[off + 4];
			b[i].value = rec + off + 7;
			b[i].value_len = (uint16_t)(size - 3);
		} else {
			b[i].value = rec + off + 4;
			b[i].value_len = size;
		}
		off += b[i].block_len;
	}
	return off == len
		       ? nr
		       : spdm_bad(-EPROTO, "%zu bytes after NumberOfBlocks %d blocks in the record",
				  len - off, nr);
}

int spdm_dec_not_ready(const uint8_t *m, size_t len, struct spdm_not_ready *nr)
{
	if (len < 8 || m[1] != SPDM_ERROR || m[2] != SPDM_ERR_RESPONSE_NOT_READY)
		return -EBADMSG;
	nr->rdt_exponent = m[4];
	nr->request_code = m[5];
	nr->token = m[6];
	nr->rdtm = m[7];
	return 0;
}

size_t spdm_enc_not_ready(uint8_t ver, const struct spdm_not_ready *nr, uint8_t *out)
{
	out[0] = ver;
	out[1] = SPDM_ERROR;
	out[2] = SPDM_ERR_RESPONSE_NOT_READY;
	out[3] = 0;
	out[4] = nr->rdt_exponent;
	out[5] = nr->request_code;
	out[6] = nr->token;
	out[7] = nr->rdtm;
	return 8;
}

size_t spdm_enc_respond_if_ready(uint8_t ver, uint8_t code, uint8_t token, uint8_t *out)
{
	return spdm_enc_hdr(ver, SPDM_RESPOND_IF_READY, code, token, out);
}

size_t spdm_msg_len(const uint8_t *m, size_t len, size_t hash_len)
{
	size_t n = len;
	uint8_t v;

	if (len < 4)
		return len;
	switch (m[1]) {
	case SPDM_VERSION: n = len >= 6 ? 6 + 2 * (size_t)m[5] : len; break;
	case SPDM_CAPABILITIES: n = m[0] >= SPDM_VERSION_12 ? 20 : 12; break;
	case SPDM_ALGORITHMS: n = len >= 6 ? tsmh_get_le16(m + 4) : len; break;
	case SPDM_DIGESTS:
		n = 4;
		for (v = m[3]; v; v &= (uint8_t)(v - 1))
			n += hash_len;
		break;
	case SPDM_CERTIFICATE: n = len >= 8 ? 8 + (size_t)tsmh_get_le16(m + 4) : len; break;
	case SPDM_GET_VERSION:
	case SPDM_GET_DIGESTS: n = 4; break;
	case SPDM_GET_CAPABILITIES:
		n = m[0] >= SPDM_VERSION_12 ? 20 : m[0] >= SPDM_VERSION_11 ? 12 : 4;
		break;
	case SPDM_NEGOTIATE_ALGORITHMS: n = len >= 6 ? tsmh_get_le16(m + 4) : len; break;
	case SPDM_GET_CERTIFICATE: n = 8; break;
	case SPDM_CHALLENGE:
		n = 4 + SPDM_NONCE_LEN + (m[0] >= SPDM_VERSION_13 ? SPDM_REQ_CONTEXT_LEN : 0);
		break;
	case SPDM_GET_MEASUREMENTS:
		n = 4 + (m[2] & SPDM_MEAS_ATTR_SIG ? SPDM_NONCE_LEN + 1 : 0) +
		    (m[0] >= SPDM_VERSION_13 ? SPDM_REQ_CONTEXT_LEN : 0);
		break;
	}
	return n <= len ? n : len;
}
