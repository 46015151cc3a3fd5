// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the SPDM responder. Implemented: GET_VERSION,
 * GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS, GET_CERTIFICATE,
 * CHALLENGE, GET_MEASUREMENTS and RESPOND_IF_READY (DSP0274 10.3-10.11)
 * with the connection state and transcripts they require: VCA, then
 * M = digests/certificates + CHALLENGE/CHALLENGE_AUTH (signed over
 * VCA || M), and L = the GET_MEASUREMENTS exchanges since the last
 * signed one (signed over VCA || L from 1.2, L alone in 1.1). Every other
 * request gets ERROR(UnsupportedRequest) and is not advertised.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>
#include "cert.h"
#include "emu.h"
#include "idekm.h"
#include "port.h"
#include "session_msg.h"
#include "sig.h"

void emu_cfg_defaults(struct emu_dev_cfg *d)
{
	memset(d, 0, sizeof(*d));
	spdm_ver_parse("1.2", &d->vers[0]);
	spdm_ver_parse("1.3", &d->vers[1]);
	d->nr_vers = 2;
	/* no chains yet: nothing to sign with, so nothing but VCA advertised */
	d->cap_flags = 0;
	d->asym = 0;
	d->hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384;
	d->dhe = SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1;
	d->aead = SPDM_AEAD_AES_256_GCM | SPDM_AEAD_CHACHA20_POLY;
	d->fw_version = "1.0.0";
}

void emu_cfg_use_chains(struct emu_dev_cfg *d, const struct emu_chain (*chains)[EMU_MAX_SLOTS],
			uint32_t asym, uint8_t mask)
{
	d->chains = chains;
	d->asym = asym;
	d->slot_mask = mask;
	d->cap_flags |= SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG;
	/* with a key to sign KEY_EXCHANGE_RSP: sessions (session_resp.c) */
	d->cap_flags |= SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT |
			SPDM_CAP_KEY_UPD;
}

uint32_t emu_caps(const struct emu_dev_cfg *d, uint8_t ver)
{
	uint32_t f = d->cap_flags;

	/*
	 * DSP0274 1.1 defines sessions, but KEY_EXCHANGE is served from 1.2
	 * only (session_resp.c: opaque data format 1, the 1.2 key schedule
	 * labels): advertising them at 1.1 would promise what gets
	 * UnsupportedRequest. GET_VERSION has settled the version by the time
	 * GET_CAPABILITIES is answered, so the flags can depend on it.
	 */
	if (ver && ver < SPDM_VERSION_12)
		f &= ~(SPDM_CAP_KEY_EX | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HBEAT |
		       SPDM_CAP_KEY_UPD);
	if (d->faults & EMU_FAULT_NO_HBEAT)
		f &= ~SPDM_CAP_HBEAT;
	if (d->faults & EMU_FAULT_NO_KEY_UPD)
		f &= ~SPDM_CAP_KEY_UPD;
	return f;
}

void emu_conn_reset(struct emu_conn *c, int reset)
{
	struct spdm_tx vca = c->vca, m = c->m, l = c->l;
	unsigned int resets = c->resets + !!reset, ide_gen = c->ide_gen;
	struct emu_idekm *ide;

	spdm_tx_reset(&vca);
	spdm_tx_reset(&m);
	spdm_tx_reset(&l);
	emu_session_free(c);
	if (reset)
		emu_idekm_free(c); /* a reset wipes the device's IDE keys */
	ide = c->ide; /* a new SPDM connection does not */
	memset(c, 0, sizeof(*c));
	c->vca = vca;
	c->m = m;
	c->l = l;
	c->resets = resets;
	c->ide = ide;
	c->ide_gen = ide_gen;
}

void emu_conn_free(struct emu_conn *c)
{
	spdm_tx_free(&c->vca);
	spdm_tx_free(&c->m);
	spdm_tx_free(&c->l);
	emu_session_free(c);
	emu_idekm_free(c);
	memset(c, 0, sizeof(*c));
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

static void select_algs(uint8_t ver, const struct emu_dev_cfg *d, const struct spdm_algs *o,
			struct spdm_algs *s)
{
	static const uint32_t dhe_pref[] = { SPDM_DHE_SECP384R1, SPDM_DHE_SECP256R1 };
	static const uint32_t aead_pref[] = { SPDM_AEAD_AES_256_GCM, SPDM_AEAD_CHACHA20_POLY };
	static const uint32_t asym_pref[] = { SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P256,
					      SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_3072 };
	static const uint32_t hash_pref[] = { SPDM_HASH_SHA384, SPDM_HASH_SHA256 };
	uint32_t f = emu_caps(d, ver);
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
	/* sessions: a DHE group, an AEAD, the SPDM key schedule, opaque format 1 */
	if (f & SPDM_CAP_KEY_EX) {
		s->dhe = (uint16_t)pick(o->dhe & d->dhe, dhe_pref, 2);
		s->aead = (uint16_t)pick(o->aead & d->aead, aead_pref, 2);
		s->key_schedule = o->key_schedule & SPDM_KEY_SCHEDULE_SPDM;
	}
	/*
	 * Opaque data format: 1 (the general table) when offered, else 0
	 * (DSP0277's); with the opaque-fmt0 fault, 0 whenever offered.
	 */
	if (ver >= SPDM_VERSION_12) {
		uint8_t fmts = o->other_params & (SPDM_OPAQUE_FMT0 | SPDM_OPAQUE_FMT1);

		if (d->faults & EMU_FAULT_OPAQUE_FMT0)
			fmts &= SPDM_OPAQUE_FMT0;
		s->other_params = fmts & SPDM_OPAQUE_FMT1 ? SPDM_OPAQUE_FMT1 : fmts;
	}
}

static size_t err(uint8_t ver, uint8_t code, uint8_t data, uint8_t *rsp)
{
	return spdm_enc_error(ver, code, data, rsp);
}

/*
 * DSP0274 1.2+: a response larger than the Requester's DataTransferSize
 * (we do not chunk) is replaced by ERROR(ResponseTooLarge), whose extended
 * data is the response's size (libspdm does this for every response it
 * builds). 0 when @n bytes fit, else the ERROR's length in @rsp.
 */
static size_t too_large(const struct emu_conn *c, size_t n, uint8_t *rsp)
{
	uint32_t dts = c->req_caps.data_transfer_size;

	if (c->ver < SPDM_VERSION_12 || c->state < EMU_CONN_CAPS || !dts || n <= dts)
		return 0;
	spdm_enc_error(c->ver, SPDM_ERR_RESPONSE_TOO_LARGE, 0, rsp);
	tsmh_put_le32(rsp + 4, (uint32_t)n);
	return 8;
}

static int hidx(const struct emu_conn *c)
{
	return c->sel.base_hash == SPDM_HASH_SHA256 ? EMU_H256 : EMU_H384;
}

static int kind(uint32_t asym)
{
	if (asym == SPDM_ASYM_ECDSA_P256)
		return EMU_KEY_P256;
	if (asym == SPDM_ASYM_ECDSA_P384)
		return EMU_KEY_P384;
	return EMU_KEY_RSA3072;
}

/* The chain of @slot for the negotiated algorithm, or NULL. */
const struct emu_chain *emu_chain_of(const struct emu_dev_cfg *d, const struct emu_conn *c,
				     uint8_t slot)
{
	if (!d->chains || slot >= EMU_MAX_SLOTS || !(d->slot_mask & (1u << slot)) ||
	    !c->sel.base_asym)
		return NULL;
	return &d->chains[kind(c->sel.base_asym)][slot];
}

static size_t digests(const struct emu_dev_cfg *d, struct emu_conn *c, uint8_t *rsp, size_t cap)
{
	uint8_t dg[SPDM_MAX_SLOTS][SPDM_MAX_HASH] = { { 0 } };
	size_t n, hl = spdm_hash_len(c->sel.base_hash);
	uint8_t s;

	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const struct emu_chain *ch = emu_chain_of(d, c, s);

		if (ch)
			memcpy(dg[s], ch->digest[hidx(c)], hl);
	}
	n = spdm_enc_digests(c->ver, d->slot_mask, d->slot_mask,
			     (const uint8_t(*)[SPDM_MAX_HASH])dg, hl, rsp, cap);
	return n ? n : err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
}

static size_t certificate(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			  size_t len, uint8_t *rsp, size_t cap)
{
	const struct emu_chain *ch;
	uint16_t off, want, plen;
	uint8_t slot;
	size_t n, max = EMU_DATA_TRANSFER_SIZE - 8, clen;

	/* a portion (8-byte header) never exceeds the Requester's DataTransferSize */
	if (c->ver >= SPDM_VERSION_12 && c->req_caps.data_transfer_size &&
	    c->req_caps.data_transfer_size - 8 < max)
		max = c->req_caps.data_transfer_size - 8;

	if (spdm_dec_get_certificate(c->ver, req, len, &slot, &off, &want))
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	ch = emu_chain_of(d, c, slot);
	if (!ch || off > ch->len[hidx(c)])
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	clen = ch->len[hidx(c)];
	plen = (uint16_t)(clen - off);
	if (plen > want)
		plen = want;
	if (plen > max)
		plen = (uint16_t)max;
	n = spdm_enc_certificate(c->ver, slot, ch->buf[hidx(c)] + off, plen,
				 (uint16_t)(clen - off - plen), rsp, cap);
	return n ? n : err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
}

/*
 * The device's measurement blocks (DMTF format) with the negotiated
 * measurement hash: 1 boot ROM, 2 firmware (changes with --fw-version and,
 * with the meas-change fault, at every reset), 3 hardware configuration
 * (raw), 4 firmware configuration, 5 firmware version (raw). @only: one
 * index or 0 for all. Returns the record length (0: no such block).
 */
#define EMU_NR_MEAS 5
static size_t meas_record(const struct emu_dev_cfg *d, const struct emu_conn *c, uint8_t only,
			  uint8_t *out, size_t cap, uint8_t *nr)
{
	uint32_t mh =
		c->sel.meas_hash == SPDM_MEAS_HASH_SHA256 ? SPDM_HASH_SHA256 : SPDM_HASH_SHA384;
	static const uint8_t hw[] = { 0x36, 0x1b, 0x10, 0x1e, 0x01, 0x00, 0x00, 0x00 };
	char text[128];
	uint8_t dg[64], i;
	size_t n = 0, k, hl;

	*nr = 0;
	for (i = 1; i <= EMU_NR_MEAS; i++) {
		const uint8_t *v = dg;
		uint8_t type;
		size_t vl;

		if (only && only != i)
			continue;
		switch (i) {
		case 1:
			type = SPDM_MEAS_TYPE_ROM;
			snprintf(text, sizeof(text), "tsmh-emu boot ROM 1");
			break;
		case 2:
			type = SPDM_MEAS_TYPE_FIRMWARE;
			snprintf(text, sizeof(text), "tsmh-emu firmware %s#%u", d->fw_version,
				 d->faults & EMU_FAULT_MEAS_CHANGE ? c->resets : 0);
			break;
		case 3: type = SPDM_MEAS_TYPE_HW_CONFIG | SPDM_MEAS_TYPE_RAW; break;
		case 4:
			type = SPDM_MEAS_TYPE_FW_CONFIG;
			snprintf(text, sizeof(text), "tsmh-emu default configuration");
			break;
		default: type = SPDM_MEAS_TYPE_VERSION | SPDM_MEAS_TYPE_RAW; break;
		}
		if (i == 3) {
			v = hw;
			vl = sizeof(hw);
		} else if (i == 5) {
			v = (const uint8_t *)d->fw_version;
			vl = strlen(d->fw_version);
		} else {
			hl = tsmh_hash(mh, text, strlen(text), dg);
			if (!hl)
				return 0;
			vl = hl;
		}
		k = spdm_enc_meas_block(i, type, v, (uint16_t)vl, out + n, cap - n);
		if (!k)
			return 0;
		n += k;
		(*nr)++;
	}
	return n;
}

/* Sign @a || @b (the transcript) and append the signature at @rsp + @n. */
static size_t sign_append(const struct emu_dev_cfg *d, struct emu_conn *c, const char *context,
			  const struct emu_chain *ch, const struct spdm_tx *a,
			  const struct spdm_tx *b, uint8_t *rsp, size_t n, size_t cap)
{
	size_t sl = spdm_sig_len(c->sel.base_asym);
	struct spdm_tx tx = { 0 };
	int ret;

	if (n + sl > cap)
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	if ((a && spdm_tx_append(&tx, a->buf, a->len)) || spdm_tx_append(&tx, b->buf, b->len)) {
		spdm_tx_free(&tx);
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	}
	ret = tsmh_spdm_sign(ch->key, c->ver, c->sel.base_asym, c->sel.base_hash, context, tx.buf,
			     tx.len, rsp + n);
	spdm_tx_free(&tx);
	if (ret)
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	if (d->faults & EMU_FAULT_WRONG_SIG)
		rsp[n + sl / 3] ^= 0x40;
	return n + sl;
}

int emu_meas_summary(const struct emu_dev_cfg *d, const struct emu_conn *c, uint8_t type,
		     uint8_t *out)
{
	uint8_t rec[1024], nr;
	size_t rl;

	/* TCB: the blocks a reset cannot change (ROM, firmware) */
	if (type == SPDM_MEAS_SUMMARY_TCB) {
		rl = meas_record(d, c, 1, rec, sizeof(rec), &nr);
		rl += meas_record(d, c, 2, rec + rl, sizeof(rec) - rl, &nr);
	} else {
		rl = meas_record(d, c, 0, rec, sizeof(rec), &nr);
	}
	return rl && tsmh_hash(c->sel.base_hash, rec, rl, out) ? 0 : -1;
}

static size_t challenge(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap)
{
	uint8_t slot, summary, nonce[SPDM_NONCE_LEN], sum[64];
	const uint8_t *rn, *rctx;
	struct spdm_challenge_auth a = { 0 };
	const struct emu_chain *ch;
	size_t n;

	if (spdm_dec_challenge(c->ver, req, len, &slot, &summary, &rn, &rctx))
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	ch = emu_chain_of(d, c, slot);
	if (!ch || (summary != SPDM_MEAS_SUMMARY_NONE && summary != SPDM_MEAS_SUMMARY_TCB &&
		    summary != SPDM_MEAS_SUMMARY_ALL))
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	a.slot = slot;
	a.slot_mask = d->slot_mask;
	a.chain_hash = ch->digest[hidx(c)];
	a.nonce = nonce;
	a.req_context = rctx;
	if (summary) {
		if (emu_meas_summary(d, c, summary, sum))
			return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
		a.meas_summary = sum;
	}
	n = spdm_enc_challenge_auth(c->ver, &a, spdm_hash_len(c->sel.base_hash), rsp, cap);
	if (!n || spdm_tx_append(&c->m, req, spdm_msg_len(req, len, 0)) ||
	    spdm_tx_append(&c->m, rsp, n))
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	n = sign_append(d, c, SPDM_CTX_CHALLENGE_AUTH, ch, &c->vca, &c->m, rsp, n, cap);
	spdm_tx_reset(&c->m);
	return n;
}

static size_t measurements(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap)
{
	uint8_t nonce[SPDM_NONCE_LEN], rec[1024], nr = 0;
	struct spdm_meas_rsp r = { 0 };
	const struct emu_chain *ch = NULL;
	struct spdm_get_meas g;
	size_t n, rl = 0;

	if (spdm_dec_get_measurements(c->ver, req, len, &g))
		return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	if (g.attrs & SPDM_MEAS_ATTR_SIG) {
		ch = emu_chain_of(d, c, g.slot);
		if (!ch)
			return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	}
	if (g.op == SPDM_MEAS_OP_COUNT) {
		r.param1 = EMU_NR_MEAS;
	} else {
		rl = meas_record(d, c, g.op == SPDM_MEAS_OP_ALL ? 0 : g.op, rec, sizeof(rec), &nr);
		if (!rl)
			return err(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	}
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	r.slot = ch ? g.slot : 0;
	r.nr_blocks = nr;
	r.record = rec;
	r.record_len = (uint32_t)rl;
	r.nonce = nonce;
	r.req_context = g.req_context;
	n = spdm_enc_measurements(c->ver, &r, rsp, cap);
	/* too large: said before L grows, so the per-index retry signs a clean L */
	if (n && too_large(c, n + (ch ? spdm_sig_len(c->sel.base_asym) : 0), rsp))
		return too_large(c, n + (ch ? spdm_sig_len(c->sel.base_asym) : 0), rsp);
	if (!n || spdm_tx_append(&c->l, req, spdm_msg_len(req, len, 0)) ||
	    spdm_tx_append(&c->l, rsp, n))
		return err(c->ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	if (!ch)
		return n;
	n = sign_append(d, c, SPDM_CTX_MEASUREMENTS, ch, c->ver >= SPDM_VERSION_12 ? &c->vca : NULL,
			&c->l, rsp, n, cap);
	spdm_tx_reset(&c->l);
	return n;
}

/* The busy and not-ready faults hit every other signed-request attempt. */
static size_t maybe_fault(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			  size_t len, uint8_t *rsp)
{
	if (!(d->faults & (EMU_FAULT_BUSY | EMU_FAULT_NOT_READY)) || c->faulted++ % 2)
		return 0;
	if (d->faults & EMU_FAULT_BUSY)
		return err(c->ver, SPDM_ERR_BUSY, 0, rsp);
	if (len > sizeof(c->deferred))
		return 0;
	memcpy(c->deferred, req, len);
	c->deferred_len = len;
	c->token++;
	return spdm_enc_not_ready(
		c->ver,
		&(struct spdm_not_ready){
			.rdt_exponent = 10, .request_code = req[1], .token = c->token, .rdtm = 2 },
		rsp);
}

static size_t auth_request(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap)
{
	size_t n;

	if (req[1] == SPDM_CHALLENGE) {
		n = challenge(d, c, req, len, rsp, cap);
	} else {
		spdm_tx_reset(&c->m); /* M covers digests/certificates + CHALLENGE only */
		n = measurements(d, c, req, len, rsp, cap);
	}
	if ((d->faults & EMU_FAULT_TRUNCATED) && n > 16 && rsp[1] != SPDM_ERROR)
		n -= 7;
	return n;
}

static size_t get_version(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			  uint8_t *rsp, size_t cap)
{
	size_t n;

	if (req[0] != SPDM_VERSION_10)
		return err(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
	/* GET_VERSION resets the connection (DSP0274 10.3) */
	emu_conn_reset(c, 0);
	n = spdm_enc_version(d->vers, d->nr_vers, rsp, cap);
	if (!n || spdm_tx_append(&c->vca, req, 4) || spdm_tx_append(&c->vca, rsp, n))
		return err(SPDM_VERSION_10, SPDM_ERR_UNSPECIFIED, 0, rsp);
	c->state = EMU_CONN_VERSION;
	return n;
}

static size_t get_capabilities(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			       size_t len, uint8_t *rsp)
{
	uint8_t ec, ver = req[0];
	struct spdm_caps rc;
	size_t n;

	/*
	 * libspdm's order (libspdm_rsp_capabilities.c): out of sequence
	 * (UnexpectedRequest), a version not offered (VersionMismatch), then
	 * the length and the fields: DSP0274's rules on the Requester's flags
	 * and sizes (req_caps.c) give InvalidRequest.
	 */
	if (c->state != EMU_CONN_VERSION)
		return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
	if (!offered(d, ver))
		return err(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
	if (spdm_dec_capabilities(ver, SPDM_GET_CAPABILITIES, req, len, &c->req_caps, &ec) ||
	    emu_req_caps_check(ver, req[2], &c->req_caps)) {
		memset(&c->req_caps, 0, sizeof(c->req_caps));
		return err(ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	}
	c->ver = ver;
	c->state = EMU_CONN_CAPS;
	rc = (struct spdm_caps){ .ct_exponent = 12,
				 .flags = emu_caps(d, ver),
				 .data_transfer_size = EMU_DATA_TRANSFER_SIZE,
				 .max_msg_size = EMU_DATA_TRANSFER_SIZE };
	n = spdm_enc_capabilities(ver, SPDM_CAPABILITIES, &rc, rsp);
	if (spdm_tx_append(&c->vca, req, spdm_msg_len(req, len, 0)) ||
	    spdm_tx_append(&c->vca, rsp, n))
		return err(ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	return n;
}

static size_t negotiate_algorithms(const struct emu_dev_cfg *d, struct emu_conn *c,
				   const uint8_t *req, size_t len, uint8_t *rsp, size_t cap)
{
	uint8_t ec, ver = req[0];
	struct spdm_algs offer;
	size_t n;

	if (c->state == EMU_CONN_NONE || c->state == EMU_CONN_VERSION ||
	    c->state == EMU_CONN_NEGOTIATED)
		return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
	if (ver != c->ver)
		return err(c->ver, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
	if (spdm_dec_negotiate_algorithms(ver, req, len, &offer, &ec))
		return err(ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	select_algs(ver, d, &offer, &c->sel);
	n = spdm_enc_algorithms(ver, &c->sel, rsp, cap);
	if (!n || spdm_tx_append(&c->vca, req, spdm_msg_len(req, len, 0)) ||
	    spdm_tx_append(&c->vca, rsp, n))
		return err(ver, SPDM_ERR_UNSPECIFIED, 0, rsp);
	c->state = EMU_CONN_NEGOTIATED;
	return n;
}

/* The device serves requests needing @flag at @ver (0: at some version). */
static int serves(const struct emu_dev_cfg *d, uint8_t ver, uint32_t flag)
{
	return d->chains && (emu_caps(d, ver) & flag);
}

size_t emu_check_request(const struct emu_dev_cfg *d, const struct emu_conn *c, const uint8_t *req,
			 uint32_t rsp_flag, uint32_t req_flag, uint8_t *rsp)
{
	uint8_t ver = req[0];

	if (c->state != EMU_CONN_NEGOTIATED) {
		if (!serves(d, 0, rsp_flag))
			return err(ver, SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
		return err(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
	}
	if (ver != c->ver)
		return err(c->ver, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
	if (!serves(d, c->ver, rsp_flag) || (req_flag && !(c->req_caps.flags & req_flag)))
		return err(ver, SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
	return 0;
}

/* GET_DIGESTS, GET_CERTIFICATE: answered and added to transcript M. */
static size_t cert_request(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap)
{
	size_t n = emu_check_request(d, c, req, SPDM_CAP_CERT, 0, rsp);

	if (n)
		return n;
	spdm_tx_reset(&c->l);
	n = req[1] == SPDM_GET_DIGESTS ? digests(d, c, rsp, cap)
				       : certificate(d, c, req, len, rsp, cap);
	if (rsp[1] != SPDM_ERROR && (spdm_tx_append(&c->m, req, spdm_msg_len(req, len, 0)) ||
				     spdm_tx_append(&c->m, rsp, n)))
		return err(req[0], SPDM_ERR_UNSPECIFIED, 0, rsp);
	return n;
}

/* CHALLENGE, GET_MEASUREMENTS: signed, so subject to the busy and not-ready faults. */
static size_t signed_request(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			     size_t len, uint8_t *rsp, size_t cap)
{
	uint32_t flag = req[1] == SPDM_CHALLENGE ? SPDM_CAP_CHAL : SPDM_CAP_MEAS_SIG;
	size_t n = emu_check_request(d, c, req, flag, 0, rsp);

	if (n)
		return n;
	n = maybe_fault(d, c, req, len, rsp);
	return n ? n : auth_request(d, c, req, len, rsp, cap);
}

static size_t respond_if_ready(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			       uint8_t *rsp, size_t cap)
{
	size_t n;

	if (c->state == EMU_CONN_NEGOTIATED && req[0] != c->ver)
		return err(c->ver, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
	if (c->state != EMU_CONN_NEGOTIATED || !c->deferred_len || req[2] != c->deferred[1] ||
	    req[3] != c->token)
		return err(req[0], SPDM_ERR_UNEXPECTED_REQUEST, 0, rsp);
	n = c->deferred[1] == SPDM_KEY_EXCHANGE
		    ? emu_key_exchange(d, c, c->deferred, c->deferred_len, rsp, cap)
		    : auth_request(d, c, c->deferred, c->deferred_len, rsp, cap);
	c->deferred_len = 0;
	return n;
}

/*
 * FINISH, HEARTBEAT, KEY_UPDATE and END_SESSION are session messages: in
 * the clear (we do not offer HANDSHAKE_IN_THE_CLEAR_CAP) they get
 * ERROR(SessionRequired), an error code DSP0274 defines from 1.2, where
 * our sessions start too (at 1.1 the capabilities are not advertised, so
 * UnsupportedRequest comes first). libspdm answers them the same way
 * (libspdm_rsp_heartbeat.c, _key_update.c, _end_session.c, _finish.c).
 */
static size_t session_only(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   uint8_t *rsp)
{
	uint32_t flag = req[1] == SPDM_HEARTBEAT    ? SPDM_CAP_HBEAT
			: req[1] == SPDM_KEY_UPDATE ? SPDM_CAP_KEY_UPD
						    : SPDM_CAP_KEY_EX;
	size_t n = emu_check_request(d, c, req, flag, flag, rsp);

	return n ? n : err(c->ver, SPDM_ERR_SESSION_REQUIRED, 0, rsp);
}

/*
 * VENDOR_DEFINED_REQUEST in the clear: the PCI-SIG protocols we serve
 * (IDE_KM) need a secured session (PCIe 6.x sec 6.33.3), so ERROR
 * SessionRequired, as for FINISH and END_SESSION above (a device without
 * KEY_EX_CAP cannot serve them at all: UnsupportedRequest); any other
 * vendor-defined request: UnsupportedRequest.
 */
static size_t vendor_defined(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			     size_t len, uint8_t *rsp)
{
	struct tsmh_vdm v;
	size_t n = emu_check_request(d, c, req, SPDM_CAP_KEY_EX, 0, rsp);

	if (n)
		return n;
	if (tsmh_vdm_decode(req, len, 0, &v, NULL) || v.protocol != TSMH_PCI_PROTOCOL_IDE_KM)
		return err(req[0], SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
	emu_note("IDE_KM outside a session: ERROR SessionRequired\n");
	return err(c->ver, SPDM_ERR_SESSION_REQUIRED, 0, rsp);
}

static size_t dispatch(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
		       size_t len, uint8_t *rsp, size_t cap)
{
	size_t n;

	switch (req[1]) {
	case SPDM_GET_VERSION: return get_version(d, c, req, rsp, cap);
	case SPDM_GET_CAPABILITIES: return get_capabilities(d, c, req, len, rsp);
	case SPDM_NEGOTIATE_ALGORITHMS: return negotiate_algorithms(d, c, req, len, rsp, cap);
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE: return cert_request(d, c, req, len, rsp, cap);
	case SPDM_CHALLENGE:
	case SPDM_GET_MEASUREMENTS: return signed_request(d, c, req, len, rsp, cap);
	case SPDM_KEY_EXCHANGE: /* signed too: busy and not-ready faults */
		n = emu_check_request(d, c, req, SPDM_CAP_KEY_EX, SPDM_CAP_KEY_EX, rsp);
		if (!n)
			n = maybe_fault(d, c, req, len, rsp);
		return n ? n : emu_key_exchange(d, c, req, len, rsp, cap);
	case SPDM_FINISH:
	case SPDM_HEARTBEAT:
	case SPDM_KEY_UPDATE:
	case SPDM_END_SESSION: return session_only(d, c, req, rsp);
	case SPDM_RESPOND_IF_READY: return respond_if_ready(d, c, req, rsp, cap);
	case TSMH_SPDM_VENDOR_DEFINED_REQUEST: return vendor_defined(d, c, req, len, rsp);
	default: return err(req[0], SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
	}
}

/*
 * Errors, in the order libspdm's responder checks them: a request too
 * short for a header: InvalidRequest; GET_VERSION not at 1.0 and any
 * other request not at the negotiated version: VersionMismatch; a
 * request the device does not serve at that version: UnsupportedRequest
 * (ErrorData: the request code); out of sequence: UnexpectedRequest; bad
 * fields or lengths: InvalidRequest; a response above the Requester's
 * DataTransferSize: ResponseTooLarge (1.2+).
 */
size_t emu_spdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap)
{
	size_t n, e;

	if (cap < 8)
		return 0;
	if (len < 4)
		return err(SPDM_VERSION_10, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	n = dispatch(d, c, req, len, rsp, cap);
	e = rsp[1] == SPDM_ERROR ? 0 : too_large(c, n, rsp);
	return e ? e : n;
}
