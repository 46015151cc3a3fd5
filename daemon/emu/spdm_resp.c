// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the SPDM responder. Implemented so far: GET_VERSION,
 * GET_CAPABILITIES and NEGOTIATE_ALGORITHMS (DSP0274 10.3-10.5) with the
 * connection state they require. Every other request gets
 * ERROR(UnsupportedRequest) and is not advertised in CAPABILITIES.
 */
#include <errno.h>
#include <string.h>
#include "cert.h"
#include "emu.h"

void emu_cfg_defaults(struct emu_dev_cfg *d)
{
	memset(d, 0, sizeof(*d));
	spdm_ver_parse("1.2", &d->vers[0]);
	spdm_ver_parse("1.3", &d->vers[1]);
	d->nr_vers = 2;
	/*
	 * Only what the responder implements is advertised: certificates,
	 * challenge, measurements and sessions are not served yet.
	 */
	d->cap_flags = 0;
	d->asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_RSASSA_3072 |
		  SPDM_ASYM_RSAPSS_3072;
	d->hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384;
}

static int offered(const struct emu_dev_cfg *d, uint8_t ver)
{
	int i;

	for (i = 0; i < d->nr_vers; i++)
		if ((d->vers[i].major << 4 | d->vers[i].minor) == ver)
			return 1;
	return 0;
}

/* Highest-preference bit of @pref (in order) present in @mask. */
static uint32_t pick(uint32_t mask, const uint32_t *pref, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (mask & pref[i])
			return pref[i];
	return 0;
}

static void select_algs(const struct emu_dev_cfg *d, const struct spdm_algs *o, struct spdm_algs *s)
{
	static const uint32_t asym_pref[] = { SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P256,
					      SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_3072 };
	static const uint32_t hash_pref[] = { SPDM_HASH_SHA384, SPDM_HASH_SHA256 };
	uint32_t f = d->cap_flags;
	int sign = !!(f & (SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_KEY_EX));
	int hash = sign || (f & (SPDM_CAP_CERT | SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG));

	memset(s, 0, sizeof(*s));
	/* DSP0274: a selection is 0 when no supported request needs it */
	if (sign)
		s->base_asym = pick(o->base_asym & d->asym, asym_pref, 4);
	if (hash)
		s->base_hash = pick(o->base_hash & d->hash, hash_pref, 2);
	if (f & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)) {
		s->meas_spec = o->meas_spec & SPDM_MEAS_SPEC_DMTF;
		s->meas_hash = s->base_hash == SPDM_HASH_SHA384 ? SPDM_MEAS_HASH_SHA384
								: SPDM_MEAS_HASH_SHA256;
	}
}

static size_t err(uint8_t ver, uint8_t code, uint8_t data, uint8_t *rsp)
{
	return spdm_enc_error(ver, code, data, rsp);
}

/* Slot 0 holds the chain; its digest is SHA-384, the hash we select. */
static size_t digests(const struct emu_dev_cfg *d, struct emu_conn *c, uint8_t *rsp, size_t cap)
{
	uint8_t dg[SPDM_MAX_SLOTS][SPDM_MAX_HASH] = { { 0 } };
	size_t n;

	if (c->sel.base_hash != SPDM_HASH_SHA384)
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	memcpy(dg[0], d->chain_digest, 48);
	n = spdm_enc_digests(c->ver, 0x01, 0x01, (const uint8_t(*)[SPDM_MAX_HASH])dg, 48, rsp, cap);
	return n ? n : err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
}

static size_t certificate(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			  size_t len, uint8_t *rsp, size_t cap)
{
	uint16_t off, want, plen;
	uint8_t slot;
	size_t n, max = EMU_DATA_TRANSFER_SIZE - 8;

	if (spdm_dec_get_certificate(c->ver, req, len, &slot, &off, &want) || slot != 0 ||
	    off > d->chain_len)
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	plen = (uint16_t)(d->chain_len - off);
	if (plen > want)
		plen = want;
	if (plen > max)
		plen = (uint16_t)max;
	n = spdm_enc_certificate(c->ver, 0, d->chain + off, plen,
				 (uint16_t)(d->chain_len - off - plen), rsp, cap);
	return n ? n : err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
}

size_t emu_spdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap)
{
	struct spdm_caps rc;
	struct spdm_algs offer;
	uint8_t ec, ver;
	size_t n;

	if (cap < 4)
		return 0;
	if (len < 4)
		return err(SPDM_VERSION_10, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	ver = req[0];
	switch (req[1]) {
	case SPDM_GET_VERSION:
		if (ver != SPDM_VERSION_10)
			return err(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
		/* GET_VERSION resets the connection (DSP0274 10.3) */
		memset(c, 0, sizeof(*c));
		n = spdm_enc_version(d->vers, d->nr_vers, rsp, cap);
		if (!n)
			return err(SPDM_VERSION_10, SPDM_ERR_UNSPECIFIED, 0, rsp);
		c->state = EMU_CONN_VERSION;
		return n;
	case SPDM_GET_CAPABILITIES:
		if (!offered(d, ver))
			return err(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
		if (c->state != EMU_CONN_VERSION)
			return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
		if (spdm_dec_capabilities(ver, SPDM_GET_CAPABILITIES, req, len, &c->req_caps, &ec))
			return err(ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
		c->ver = ver;
		c->state = EMU_CONN_CAPS;
		rc = (struct spdm_caps){ .ct_exponent = 12,
					 .flags = d->cap_flags,
					 .data_transfer_size = EMU_DATA_TRANSFER_SIZE,
					 .max_msg_size = EMU_DATA_TRANSFER_SIZE };
		return spdm_enc_capabilities(ver, SPDM_CAPABILITIES, &rc, rsp);
	case SPDM_NEGOTIATE_ALGORITHMS:
		if (c->state == EMU_CONN_NONE || c->state == EMU_CONN_VERSION ||
		    c->state == EMU_CONN_NEGOTIATED)
			return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
		if (ver != c->ver)
			return err(c->ver, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
		if (spdm_dec_negotiate_algorithms(ver, req, len, &offer, &ec))
			return err(ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
		select_algs(d, &offer, &c->sel);
		n = spdm_enc_algorithms(ver, &c->sel, rsp, cap);
		if (!n)
			return err(ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
		c->state = EMU_CONN_NEGOTIATED;
		return n;
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
		if (!d->chain || !(d->cap_flags & SPDM_CAP_CERT))
			return err(ver, SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
		if (c->state != EMU_CONN_NEGOTIATED)
			return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
		if (ver != c->ver)
			return err(c->ver, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
		return req[1] == SPDM_GET_DIGESTS ? digests(d, c, rsp, cap)
						  : certificate(d, c, req, len, rsp, cap);
	default: return err(ver, SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
	}
}
