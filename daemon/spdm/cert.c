// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM GET_DIGESTS/DIGESTS and GET_CERTIFICATE/CERTIFICATE codecs
 * (DSP0274 10.6-10.7) and the certificate chain format: Length (2),
 * Reserved (2), RootHash (H), then DER certificates, root first, leaf
 * last, 65535 bytes at most. Pure byte handling: X.509 meaning and
 * signatures are checked elsewhere, with OpenSSL.
 */
#include <errno.h>
#include <string.h>
#include "cert.h"
#include "port.h"

static int popcount8(uint8_t v)
{
	int n = 0;

	for (; v; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

size_t spdm_enc_get_digests(uint8_t ver, uint8_t *out)
{
	out[0] = ver;
	out[1] = SPDM_GET_DIGESTS;
	out[2] = 0;
	out[3] = 0;
	return 4;
}

size_t spdm_enc_digests(uint8_t ver, uint8_t supported, uint8_t provisioned,
			const uint8_t (*digests)[SPDM_MAX_HASH], size_t hash_len, uint8_t *out,
			size_t cap)
{
	size_t n = 4;
	int slot;

	if (cap < 4 + (size_t)popcount8(provisioned) * hash_len || hash_len > SPDM_MAX_HASH)
		return 0;
	out[0] = ver;
	out[1] = SPDM_DIGESTS;
	out[2] = ver >= SPDM_VERSION_13 ? supported : 0;
	out[3] = provisioned;
	for (slot = 0; slot < SPDM_MAX_SLOTS; slot++) {
		if (!(provisioned & (1u << slot)))
			continue;
		memcpy(out + n, digests[slot], hash_len);
		n += hash_len;
	}
	return n;
}

int spdm_dec_digests(uint8_t ver, const uint8_t *m, size_t len, size_t hash_len,
		     struct spdm_digests *d, uint8_t *err)
{
	size_t n = 4;
	int ret = spdm_check_hdr(ver, SPDM_DIGESTS, m, len, err), slot;

	if (ret)
		return ret;
	if (!hash_len || hash_len > SPDM_MAX_HASH)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->provisioned = m[3];
	d->supported = ver >= SPDM_VERSION_13 ? m[2] : 0;
	if (ver >= SPDM_VERSION_13 && (d->provisioned & ~d->supported))
		return spdm_bad(
			-EPROTO,
			"ProvisionedSlotMask %#04x names slots SupportedSlotMask %#04x lacks",
			d->provisioned, d->supported);
	if (len < 4 + (size_t)popcount8(d->provisioned) * hash_len)
		return spdm_bad(-EBADMSG, "%zu bytes, %d digests of %zu bytes need %zu", len,
				popcount8(d->provisioned), hash_len,
				4 + (size_t)popcount8(d->provisioned) * hash_len);
	for (slot = 0; slot < SPDM_MAX_SLOTS; slot++) {
		if (!(d->provisioned & (1u << slot)))
			continue;
		memcpy(d->digest[slot], m + n, hash_len);
		n += hash_len;
	}
	return 0;
}

size_t spdm_enc_get_certificate(uint8_t ver, uint8_t slot, uint16_t off, uint16_t len, uint8_t *out)
{
	out[0] = ver;
	out[1] = SPDM_GET_CERTIFICATE;
	out[2] = slot & 0x0f;
	out[3] = 0;
	tsmh_put_le16(out + 4, off);
	tsmh_put_le16(out + 6, len);
	return 8;
}

int spdm_dec_get_certificate(uint8_t ver, const uint8_t *m, size_t len, uint8_t *slot,
			     uint16_t *off, uint16_t *want)
{
	uint8_t e;
	int ret = spdm_check_hdr(ver, SPDM_GET_CERTIFICATE, m, len, &e);

	if (ret)
		return ret;
	if (len < 8)
		return -EBADMSG;
	if (m[2] & 0xf0)
		return -EPROTO; /* reserved bits */
	*slot = m[2];
	*off = tsmh_get_le16(m + 4);
	*want = tsmh_get_le16(m + 6);
	return 0;
}

size_t spdm_enc_certificate(uint8_t ver, uint8_t slot, const uint8_t *portion, uint16_t plen,
			    uint16_t remainder, uint8_t *out, size_t cap)
{
	if (cap < 8 + (size_t)plen)
		return 0;
	out[0] = ver;
	out[1] = SPDM_CERTIFICATE;
	out[2] = slot & 0x0f;
	out[3] = 0;
	tsmh_put_le16(out + 4, plen);
	tsmh_put_le16(out + 6, remainder);
	memcpy(out + 8, portion, plen);
	return 8 + (size_t)plen;
}

int spdm_dec_certificate(uint8_t ver, const uint8_t *m, size_t len, uint8_t slot,
			 struct spdm_cert_portion *p, uint8_t *err)
{
	int ret = spdm_check_hdr(ver, SPDM_CERTIFICATE, m, len, err);

	if (ret)
		return ret;
	if (len < 8)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the 8-byte header", len);
	if ((m[2] & 0x0f) != slot)
		return spdm_bad(-EPROTO, "SlotID %u, asked for slot %u", m[2] & 0x0f, slot);
	p->len = tsmh_get_le16(m + 4);
	p->remainder = tsmh_get_le16(m + 6);
	p->data = m + 8;
	if (8 + (size_t)p->len > len)
		return spdm_bad(-EBADMSG, "PortionLength %u runs past the %zu-byte response",
				p->len, len);
	if (!p->len && p->remainder) /* no progress: a peer could loop us forever */
		return spdm_bad(-EPROTO, "PortionLength 0 with RemainderLength %u", p->remainder);
	return 0;
}

/* DER: tag 0x30 (SEQUENCE), definite length in short or long (<= 3 bytes) form. */
static int der_seq_len(const uint8_t *p, size_t avail, size_t *total)
{
	size_t len, hdr, i;
	uint8_t n;

	if (avail < 2 || p[0] != 0x30)
		return -EPROTO;
	if (!(p[1] & 0x80)) {
		len = p[1];
		hdr = 2;
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 3 || avail < 2 + (size_t)n)
			return -EPROTO; /* indefinite or absurd lengths */
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | p[2 + i];
		if (len < 128 || (n > 1 && p[2] == 0))
			return -EPROTO; /* not minimal: not DER */
		hdr = 2 + n;
	}
	if (hdr + len > avail)
		return -EBADMSG;
	*total = hdr + len;
	return 0;
}

int spdm_chain_parse(const uint8_t *c, size_t len, size_t hash_len, struct spdm_chain *ch)
{
	size_t off, one;
	int ret;

	memset(ch, 0, sizeof(*ch));
	if (len < 4 + hash_len || len > SPDM_MAX_CHAIN)
		return -EBADMSG;
	if (tsmh_get_le16(c) != len)
		return -EBADMSG; /* Length covers the whole chain */
	if (tsmh_get_le16(c + 2))
		return -EPROTO;
	ch->root_hash = c + 4;
	off = 4 + hash_len;
	if (off == len)
		return -EBADMSG; /* no certificate */
	while (off < len) {
		ret = der_seq_len(c + off, len - off, &one);
		if (ret)
			return ret;
		if (ch->nr >= SPDM_MAX_CHAIN_CERTS)
			return -E2BIG;
		ch->cert[ch->nr] = c + off;
		ch->cert_len[ch->nr] = one;
		ch->nr++;
		off += one;
	}
	return 0;
}
