// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the SPDM session responder. KEY_EXCHANGE arrives in the clear
 * (CMA, DOE type 1); everything after it travels as DSP0277 secured
 * messages over secured CMA (DOE type 2): FINISH with the handshake keys,
 * then HEARTBEAT, KEY_UPDATE, END_SESSION and any other request the
 * responder serves, with the data keys. One session per connection; a new
 * KEY_EXCHANGE replaces it. A secured message that cannot be opened (wrong
 * session, bad MAC, replay, after END_SESSION) is answered with a clear
 * ERROR (InvalidSession or DecryptError), a DecryptError ends the session.
 *
 * TH = VCA || Hash(slot's chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP
 * (signature over TH up to the signature; TH1 = TH incl. signature;
 * ResponderVerifyData = HMAC(rsp finished_key, Hash(TH1))) || FINISH
 * (RequesterVerifyData = HMAC(req finished_key, Hash(TH up to FINISH's
 * header))) || FINISH_RSP = TH2.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "emu.h"
#include "idekm.h"
#include "keysched.h"
#include "port.h"
#include "secured.h"
#include "session_msg.h"
#include "sig.h"

#define HEARTBEAT_PERIOD 30 /* seconds */

struct emu_session {
	struct spdm_session s;
	struct spdm_tx th;
};

/* most preferred first; 1.2 differs from 1.1 only in what secured.h says */
static const uint16_t sm_ours[] = { SPDM_SM_VERSION_12, SPDM_SM_VERSION_11, SPDM_SM_VERSION_10 };

void emu_session_free(struct emu_conn *c)
{
	/* not the IDE_KM keys: the device keeps them (emu.h) */
	if (!c->sess)
		return;
	if (c->sess->s.state != SPDM_SESS_ENDED)
		emu_note(
			"session %#010x dropped (new KEY_EXCHANGE, reset or the connection's end)\n",
			spdm_session_id(&c->sess->s));
	spdm_tx_free(&c->sess->th);
	OPENSSL_cleanse(&c->sess->s, sizeof(c->sess->s));
	free(c->sess);
	c->sess = NULL;
}

int emu_session_state(const struct emu_conn *c)
{
	return c->sess ? (int)c->sess->s.state : 0;
}

static size_t eerr(uint8_t ver, uint8_t code, uint8_t *rsp)
{
	return spdm_enc_error(ver, code, 0, rsp);
}

static int th_hash(const struct emu_conn *c, uint8_t *out)
{
	const struct spdm_tx *t = &c->sess->th;

	return tsmh_hash(c->sel.base_hash, t->buf, t->len, out) ? 0 : -1;
}

/* The secured-message version to use: the highest of ours (@mask) the requester lists. */
static int pick_sm(uint8_t fmt, unsigned int mask, const struct spdm_key_exchange *k, uint16_t *sel)
{
	uint16_t vers[SPDM_SM_MAX_VERSIONS];
	int n = spdm_opaque_parse_supported(fmt, k->opaque, k->opaque_len, vers,
					    SPDM_SM_MAX_VERSIONS),
	    i, j;

	for (j = 0; j < (int)(sizeof(sm_ours) / sizeof(sm_ours[0])); j++)
		for (i = 0; i < n && (!mask || mask & SPDM_SM_BIT(sm_ours[j])); i++)
			if ((vers[i] & 0xff00) == sm_ours[j]) {
				*sel = sm_ours[j];
				return 0;
			}
	return -1;
}

/* The request and our state allow a session: 0 with @k, @ch and @sel set, else the ERROR's length. */
static size_t check_key_exchange(const struct emu_dev_cfg *d, struct emu_conn *c,
				 const uint8_t *req, size_t len, struct spdm_key_exchange *k,
				 const struct emu_chain **ch, uint16_t *sel, uint8_t *rsp)
{
	size_t dl = spdm_dhe_len(c->sel.dhe);

	if (c->ver < SPDM_VERSION_12 || !dl || !c->sel.aead || !c->sel.key_schedule ||
	    !(c->sel.other_params & (SPDM_OPAQUE_FMT0 | SPDM_OPAQUE_FMT1)))
		return eerr(c->ver, SPDM_ERR_UNSUPPORTED_REQUEST, rsp);
	if (spdm_dec_key_exchange(c->ver, req, len, dl, k))
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, rsp);
	*ch = emu_chain_of(d, c, k->slot);
	if (!*ch ||
	    (k->summary != SPDM_MEAS_SUMMARY_NONE && k->summary != SPDM_MEAS_SUMMARY_TCB &&
	     k->summary != SPDM_MEAS_SUMMARY_ALL) ||
	    (k->summary && !(emu_caps(d, c->ver) & SPDM_CAP_MEAS_SIG)) ||
	    pick_sm(c->sel.other_params & SPDM_OPAQUE_FMT1 ? SPDM_OPAQUE_FMT1 : SPDM_OPAQUE_FMT0,
		    d->sm_mask, k, sel))
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, rsp);
	return 0;
}

/*
 * After the @n bytes of KEY_EXCHANGE_RSP in @rsp: TH so far, the
 * signature, the handshake keys from @secret and ResponderVerifyData.
 * 0 or -1.
 */
static int sign_rsp(const struct emu_dev_cfg *d, struct emu_conn *c, const struct emu_chain *ch,
		    const uint8_t *req, size_t req_len, uint8_t *rsp, size_t n,
		    const uint8_t *secret, size_t slen)
{
	size_t hl = spdm_hash_len(c->sel.base_hash), sl = spdm_sig_len(c->sel.base_asym);
	struct emu_session *es = c->sess;
	uint8_t dg[64];

	/* TH: VCA || Hash(chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP so far */
	if (spdm_tx_append(&es->th, c->vca.buf, c->vca.len) ||
	    spdm_tx_append(&es->th,
			   ch->digest[c->sel.base_hash == SPDM_HASH_SHA256 ? EMU_H256 : EMU_H384],
			   hl) ||
	    spdm_tx_append(&es->th, req, req_len) || spdm_tx_append(&es->th, rsp, n))
		return -1;
	if (tsmh_spdm_sign(ch->key, c->ver, c->sel.base_asym, c->sel.base_hash,
			   SPDM_CTX_KEY_EXCHANGE_RSP, es->th.buf, es->th.len, rsp + n))
		return -1;
	if (d->faults & EMU_FAULT_WRONG_SIG)
		rsp[n + sl / 3] ^= 0x40;
	if (spdm_tx_append(&es->th, rsp + n, sl) || th_hash(c, dg) ||
	    tsmh_ks_handshake(&es->s.k, c->ver, c->sel.base_hash, c->sel.aead, secret, slen, dg) ||
	    tsmh_hmac(c->sel.base_hash, es->s.k.rsp_finished, hl, dg, hl, rsp + n + sl) ||
	    spdm_tx_append(&es->th, rsp + n + sl, hl))
		return -1;
	return 0;
}

size_t emu_key_exchange(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap)
{
	size_t dl = spdm_dhe_len(c->sel.dhe), hl = spdm_hash_len(c->sel.base_hash),
	       sl = spdm_sig_len(c->sel.base_asym), n, slen;
	uint8_t pub[TSMH_DHE_MAX], rnd[SPDM_RANDOM_LEN], sum[64], opaque[16], secret[TSMH_DHE_MAX],
		ids[2];
	struct spdm_key_exchange_rsp r = { 0 };
	struct spdm_key_exchange k;
	const struct emu_chain *ch = NULL;
	struct emu_session *es;
	EVP_PKEY *eph;
	uint16_t sel = 0;
	int ret;

	n = check_key_exchange(d, c, req, len, &k, &ch, &sel, rsp);
	if (n)
		return n;
	emu_session_free(c);
	es = calloc(1, sizeof(*es));
	if (!es)
		return eerr(c->ver, SPDM_ERR_UNSPECIFIED, rsp);
	c->sess = es;
	es->s.req_id = k.session_id;
	es->s.sm_version = sel;
	es->s.heartbeat = emu_caps(d, c->ver) & SPDM_CAP_HBEAT ? HEARTBEAT_PERIOD : 0;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || RAND_bytes(ids, 2) != 1)
		goto fail;
	es->s.rsp_id = (uint16_t)(tsmh_get_le16(ids) | 1);
	eph = tsmh_dhe_keygen(c->sel.dhe, pub);
	if (!eph)
		goto fail;
	ret = tsmh_dhe_derive(eph, c->sel.dhe, k.exchange, secret, &slen);
	EVP_PKEY_free(eph);
	if (ret) {
		emu_session_free(c);
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, rsp); /* not a point on the curve */
	}
	r.heartbeat = es->s.heartbeat;
	r.session_id = es->s.rsp_id;
	r.random = rnd;
	r.exchange = pub;
	if (k.summary) {
		if (emu_meas_summary(d, c, k.summary, sum))
			goto fail;
		r.summary = sum;
	}
	r.opaque = opaque;
	r.opaque_len = (uint16_t)spdm_opaque_selection(
		c->sel.other_params & SPDM_OPAQUE_FMT1 ? SPDM_OPAQUE_FMT1 : SPDM_OPAQUE_FMT0, sel,
		opaque, sizeof(opaque));
	n = spdm_enc_key_exchange_rsp(c->ver, &r, dl, hl, rsp, cap);
	if (!n || n + sl + hl > cap || sign_rsp(d, c, ch, req, k.len, rsp, n, secret, slen))
		goto fail;
	OPENSSL_cleanse(secret, sizeof(secret));
	es->s.state = SPDM_SESS_HANDSHAKE;
	return n + sl + hl;
fail:
	OPENSSL_cleanse(secret, sizeof(secret));
	emu_session_free(c);
	return eerr(c->ver, SPDM_ERR_UNSPECIFIED, rsp);
}

/* FINISH in the handshake phase: the response to seal; *@established 1 (data keys next) or -1 (end). */
static size_t finish(struct emu_conn *c, const uint8_t *m, size_t len, uint8_t *out,
		     int *established)
{
	struct emu_session *es = c->sess;
	size_t hl = spdm_hash_len(c->sel.base_hash);
	uint8_t dg[64], mac[64];
	const uint8_t *verify;

	if (spdm_dec_finish(c->ver, m, len, hl, &verify))
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
	if (spdm_tx_append(&es->th, m, 4) || th_hash(c, dg) ||
	    tsmh_hmac(c->sel.base_hash, es->s.k.req_finished, hl, dg, hl, mac))
		return eerr(c->ver, SPDM_ERR_UNSPECIFIED, out);
	if (CRYPTO_memcmp(mac, verify, hl)) {
		*established = -1; /* the session ends after this ERROR goes out */
		return eerr(c->ver, SPDM_ERR_DECRYPT_ERROR, out);
	}
	spdm_enc_hdr(c->ver, SPDM_FINISH_RSP, 0, 0, out);
	if (spdm_tx_append(&es->th, verify, hl) || spdm_tx_append(&es->th, out, 4))
		return eerr(c->ver, SPDM_ERR_UNSPECIFIED, out);
	*established = 1;
	return 4;
}

static size_t key_update(struct emu_conn *c, const uint8_t *m, size_t len, uint8_t *out,
			 int *update_rsp)
{
	struct emu_session *es = c->sess;

	if (len != 4)
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
	switch (m[2]) {
	case SPDM_KEY_UPDATE_OP_UPDATE_ALL:
		*update_rsp = 1; /* the ACK already goes out with the new key */
		/* fall through */
	case SPDM_KEY_UPDATE_OP_UPDATE_KEY:
		if (tsmh_ks_update(&es->s.k, &es->s.k.req))
			return eerr(c->ver, SPDM_ERR_UNSPECIFIED, out);
		break;
	case SPDM_KEY_UPDATE_OP_VERIFY_NEW: break; /* it arrived under the new key: verified */
	default: return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
	}
	return spdm_enc_hdr(c->ver, SPDM_KEY_UPDATE_ACK, m[2], m[3], out);
}

/* What answering one request does to the session once the answer is sealed. */
struct after {
	int established; /* 1: data keys next; -1: the session ends */
	int update_rsp; /* KEY_UPDATE UPDATE_ALL: our key too */
	int end; /* END_SESSION */
};

/* The answer (in @out) to the decrypted request @app. */
static size_t session_request(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *app,
			      size_t alen, uint8_t *out, size_t cap, struct after *a)
{
	size_t n;

	if (alen < 4)
		return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
	/* a header version other than the session's: VersionMismatch, as in the clear */
	if (app[0] != c->ver)
		return eerr(c->ver, SPDM_ERR_VERSION_MISMATCH, out);
	if (c->sess->s.state == SPDM_SESS_HANDSHAKE)
		return app[1] == SPDM_FINISH ? finish(c, app, alen, out, &a->established)
					     : eerr(c->ver, SPDM_ERR_UNEXPECTED_REQUEST, out);
	switch (app[1]) {
	case SPDM_HEARTBEAT:
		/*
		 * DSP0274: a request for a capability not advertised (by us or,
		 * as libspdm checks, by the Requester): UnsupportedRequest
		 */
		n = emu_check_request(d, c, app, SPDM_CAP_HBEAT, SPDM_CAP_HBEAT, out);
		if (n)
			return n;
		if (d->faults & EMU_FAULT_HBEAT_ERROR)
			return eerr(c->ver, SPDM_ERR_UNSPECIFIED, out);
		return alen == 4 ? spdm_enc_hdr(c->ver, SPDM_HEARTBEAT_ACK, 0, 0, out)
				 : eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
	case SPDM_KEY_UPDATE:
		n = emu_check_request(d, c, app, SPDM_CAP_KEY_UPD, SPDM_CAP_KEY_UPD, out);
		if (n)
			return n;
		return key_update(c, app, alen, out, &a->update_rsp);
	case SPDM_END_SESSION:
		if (alen != 4) /* header only (libspdm_rsp_end_session.c: exact size) */
			return eerr(c->ver, SPDM_ERR_INVALID_REQUEST, out);
		a->end = 1;
		return spdm_enc_hdr(c->ver, SPDM_END_SESSION_ACK, 0, 0, out);
	case SPDM_GET_VERSION:
	case SPDM_KEY_EXCHANGE:
	case SPDM_FINISH: return eerr(c->ver, SPDM_ERR_UNEXPECTED_REQUEST, out);
	case TSMH_SPDM_VENDOR_DEFINED_REQUEST: /* IDE_KM (idekm_resp.c) */
		return emu_vdm_respond(d, c, app, alen, out, cap);
	default: return emu_spdm_respond(d, c, app, alen, out, cap);
	}
}

/* The session ends (@how for the log); the device keeps its IDE keys (emu.h). */
static void session_end(struct emu_conn *c, const char *how)
{
	struct emu_session *es = c->sess;

	if (es->s.state != SPDM_SESS_ENDED)
		emu_note("session %#010x ended (%s)\n", spdm_session_id(&es->s), how);
	es->s.state = SPDM_SESS_ENDED;
}

/* The session's next state once the answer went out sealed. */
static void session_next(struct emu_conn *c, const struct after *a)
{
	struct emu_session *es = c->sess;

	if (a->established < 0)
		session_end(c, "FINISH did not verify");
	if (a->established > 0) {
		uint8_t dg[64];

		if (th_hash(c, dg) || tsmh_ks_data(&es->s.k, dg)) {
			session_end(c, "no data keys");
		} else {
			es->s.state = SPDM_SESS_ESTABLISHED;
			emu_note("session %#010x established\n", spdm_session_id(&es->s));
		}
	}
	if (a->end)
		session_end(c, "END_SESSION");
}

size_t emu_secured_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap)
{
	struct emu_session *es = c->sess;
	uint8_t app[EMU_DATA_TRANSFER_SIZE], out[EMU_DATA_TRANSFER_SIZE], pad = 0;
	struct after a = { 0 };
	size_t alen, n, olen;
	char why[160];
	int ret;

	if (cap < 8)
		return 0;
	if (!es)
		return eerr(c->ver ? c->ver : SPDM_VERSION_12, SPDM_ERR_INVALID_SESSION, rsp);
	ret = spdm_secured_open(&es->s, 1, req, len, app, sizeof(app), &alen, why, sizeof(why));
	if (ret == -ENOENT || ret == -ESHUTDOWN)
		return eerr(c->ver, SPDM_ERR_INVALID_SESSION, rsp);
	if (ret) {
		/* DSP0277: a message that does not decrypt ends the session */
		session_end(c, "a message did not decrypt");
		return eerr(c->ver, SPDM_ERR_DECRYPT_ERROR, rsp);
	}
	n = session_request(d, c, app, alen, out, sizeof(out), &a);
	OPENSSL_cleanse(app, alen); /* a KEY_PROG's key and IFV */
	if (c->silent)
		return 0;
	if (a.update_rsp && tsmh_ks_update(&es->s.k, &es->s.k.rsp))
		return 0;
	if (RAND_bytes(&pad, 1) != 1)
		return 0;
	/* sealed with the handshake keys while still handshaking (FINISH_RSP too) */
	if (spdm_secured_seal(&es->s, 0, out, n, pad % 16, rsp, cap, &olen))
		return 0;
	session_next(c, &a);
	return olen;
}
