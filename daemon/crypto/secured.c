// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * DSP0277 secured messages for the PCI DOE binding. See secured.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "port.h"
#include "secured.h"
#include "spdm.h"

static void iv_for(const struct tsmh_dir_keys *d, uint64_t seq, uint8_t *iv)
{
	int i;

	memcpy(iv, d->iv, TSMH_AEAD_IV_LEN);
	for (i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(seq >> (8 * i));
}

static int live(const struct spdm_session *s)
{
	return s->state == SPDM_SESS_HANDSHAKE || s->state == SPDM_SESS_ESTABLISHED;
}

int spdm_secured_seal(struct spdm_session *s, int request, const uint8_t *app, size_t len,
		      size_t pad, uint8_t *out, size_t cap, size_t *olen)
{
	struct tsmh_dir_keys *d = request ? &s->k.req : &s->k.rsp;
	size_t plen = 2 + len + pad, total = SPDM_SECURED_HDR + plen + TSMH_AEAD_TAG_LEN;
	uint8_t iv[TSMH_AEAD_IV_LEN], *pt;
	uint32_t sid = spdm_session_id(s);
	int ret;

	if (!live(s))
		return -ESHUTDOWN;
	if (pad > SPDM_SECURED_MAX_PAD || len > 0xffff || plen + TSMH_AEAD_TAG_LEN > 0xffff ||
	    total > cap)
		return -EMSGSIZE;
	if (d->seq == UINT64_MAX)
		return -EOVERFLOW;
	pt = malloc(plen);
	if (!pt)
		return -ENOMEM;
	tsmh_put_le16(pt, (uint16_t)len);
	memcpy(pt + 2, app, len);
	if (pad && RAND_bytes(pt + 2 + len, (int)pad) != 1) {
		OPENSSL_clear_free(pt, plen); /* plaintext: may hold IDE keys */
		return -EIO;
	}
	tsmh_put_le16(out, sid & 0xffff);
	tsmh_put_le16(out + 2, sid >> 16);
	tsmh_put_le16(out + 4, (uint16_t)(plen + TSMH_AEAD_TAG_LEN));
	iv_for(d, d->seq, iv);
	ret = tsmh_aead_seal(s->k.aead, d->key, iv, out, SPDM_SECURED_HDR, pt, plen,
			     out + SPDM_SECURED_HDR, out + SPDM_SECURED_HDR + plen);
	OPENSSL_clear_free(pt, plen);
	if (ret)
		return ret;
	d->seq++;
	*olen = total;
	return 0;
}

int spdm_secured_open(struct spdm_session *s, int request, const uint8_t *in, size_t len,
		      uint8_t *app, size_t cap, size_t *alen, char *why, size_t whylen)
{
	struct tsmh_dir_keys *d = request ? &s->k.req : &s->k.rsp;
	uint8_t iv[TSMH_AEAD_IV_LEN], *pt;
	size_t l, clen;
	uint16_t al;
	uint64_t back;
	int ret;

	if (!live(s))
		return spdm_why(why, whylen, -ESHUTDOWN, "secured message: session %#010x %s",
				spdm_session_id(s),
				s->state == SPDM_SESS_ENDED ? "has ended" : "is not established");
	if (len < SPDM_SECURED_HDR)
		return spdm_why(
			why, whylen, -EPROTO,
			"secured message: %zu bytes, shorter than the %d-byte SessionID and "
			"Length header",
			len, SPDM_SECURED_HDR);
	if (tsmh_get_le16(in) != s->req_id || tsmh_get_le16(in + 2) != s->rsp_id)
		return spdm_why(why, whylen, -ENOENT,
				"secured message: session ID %04x:%04x is not ours (%04x:%04x)",
				tsmh_get_le16(in), tsmh_get_le16(in + 2), s->req_id, s->rsp_id);
	l = tsmh_get_le16(in + 4);
	if (l < 2 + TSMH_AEAD_TAG_LEN)
		return spdm_why(why, whylen, -EPROTO,
				"secured message: Length %zu, less than the %d bytes of "
				"ApplicationDataLength and MAC",
				l, 2 + TSMH_AEAD_TAG_LEN);
	if (l > len - SPDM_SECURED_HDR)
		return spdm_why(why, whylen, -EPROTO,
				"secured message: Length %zu runs past the %zu bytes after the "
				"header",
				l, len - SPDM_SECURED_HDR);
	if (len - SPDM_SECURED_HDR - l >= 4)
		return spdm_why(
			why, whylen, -EPROTO,
			"secured message: Length %zu leaves %zu bytes after the MAC (at most "
			"3 of DOE padding)",
			l, len - SPDM_SECURED_HDR - l);
	clen = l - TSMH_AEAD_TAG_LEN;
	pt = malloc(clen);
	if (!pt)
		return -ENOMEM;
	iv_for(d, d->seq, iv);
	ret = tsmh_aead_open(s->k.aead, d->key, iv, in, SPDM_SECURED_HDR, in + SPDM_SECURED_HDR,
			     clen, in + SPDM_SECURED_HDR + clen, pt);
	if (ret == -EBADMSG) {
		/* an earlier message of this key again? */
		for (back = 1; back <= SPDM_SECURED_REPLAY && back <= d->seq; back++) {
			iv_for(d, d->seq - back, iv);
			if (!tsmh_aead_open(s->k.aead, d->key, iv, in, SPDM_SECURED_HDR,
					    in + SPDM_SECURED_HDR, clen,
					    in + SPDM_SECURED_HDR + clen, pt)) {
				OPENSSL_clear_free(pt, clen);
				return spdm_why(
					why, whylen, -EALREADY,
					"secured message: replay of sequence number %llu (expected %llu)",
					(unsigned long long)(d->seq - back),
					(unsigned long long)d->seq);
			}
		}
		OPENSSL_clear_free(pt, clen);
		return spdm_why(why, whylen, -EBADMSG,
				"secured message: MAC does not verify (sequence number %llu)",
				(unsigned long long)d->seq);
	}
	if (ret) {
		OPENSSL_clear_free(pt, clen);
		return spdm_why(why, whylen, ret, "secured message: AEAD %s failed: %s",
				spdm_aead_name(s->k.aead), strerror(-ret));
	}
	al = tsmh_get_le16(pt);
	if ((size_t)al + 2 > clen) {
		OPENSSL_clear_free(pt, clen);
		return spdm_why(why, whylen, -EPROTO,
				"secured message: ApplicationDataLength %u exceeds the %zu "
				"decrypted bytes",
				al, clen - 2);
	}
	if (al > cap) {
		OPENSSL_clear_free(pt, clen);
		return spdm_why(why, whylen, -EMSGSIZE,
				"secured message: ApplicationDataLength %u, more than the %zu-byte "
				"buffer",
				al, cap);
	}
	memcpy(app, pt + 2, al);
	OPENSSL_clear_free(pt, clen);
	d->seq++;
	*alen = al;
	return 0;
}
