// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * An SPDM secured session, requester side. See secsession.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "keysched.h"
#include "port.h"
#include "secsession.h"
#include "session_msg.h"
#include "sig.h"

#define MSG_MAX 4096

/* the DSP0277 versions we speak, most preferred first (see secured.h for what 1.2 changes) */
static const uint16_t sm_ours[] = { SPDM_SM_VERSION_12, SPDM_SM_VERSION_11, SPDM_SM_VERSION_10 };

void tsmh_session_free(struct tsmh_session *ss)
{
	spdm_tx_free(&ss->th);
	OPENSSL_cleanse(ss, sizeof(*ss));
}

static int th_hash(const struct tsmh_session *ss, uint8_t *out)
{
	return tsmh_hash(ss->hash, ss->th.buf, ss->th.len, out) ? 0 : -EINVAL;
}

/* seal, send as secured CMA, open; @update_rsp: the response comes under a new key */
static int xfer(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		const uint8_t *req, size_t len, uint8_t *rsp, size_t cap, size_t *rlen,
		int update_rsp, char *why, size_t whylen)
{
	uint8_t *wire = malloc(MSG_MAX + SPDM_SECURED_OVERHEAD + SPDM_SECURED_MAX_PAD), pad = 0;
	size_t wlen, n;
	char r[200];
	int ret;

	if (!wire)
		return spdm_why(why, whylen, -ENOMEM, "%s: out of memory", step);
	if (!t->secured) {
		ret = spdm_why(why, whylen, -EOPNOTSUPP, "%s: transport cannot carry secured CMA",
			       step);
		goto out;
	}
	if (RAND_bytes(&pad, 1) != 1) {
		ret = spdm_why(why, whylen, -EIO, "%s: no random padding", step);
		goto out;
	}
	ret = spdm_secured_seal(&ss->s, 1, req, len, pad % 16, wire,
				MSG_MAX + SPDM_SECURED_OVERHEAD + SPDM_SECURED_MAX_PAD, &wlen);
	if (ret) {
		ret = spdm_why(why, whylen, ret, "%s: cannot send in session %#010x: %s", step,
			       spdm_session_id(&ss->s),
			       ret == -ESHUTDOWN ? "the session has ended" : strerror(-ret));
		goto out;
	}
	t->err[0] = 0;
	ret = t->secured(t, wire, wlen, wire, MSG_MAX + SPDM_SECURED_OVERHEAD, &n);
	if (ret) {
		ret = spdm_why(why, whylen, ret, "%s: transport: %s%s%s", step, strerror(-ret),
			       t->err[0] ? ": " : "", t->err);
		goto out;
	}
	/* too short to be a secured message: an ERROR in the clear */
	if (n >= 4 && n < SPDM_SECURED_OVERHEAD && wire[1] == SPDM_ERROR) {
		ss->s.state = SPDM_SESS_ENDED;
		ret = spdm_why(why, whylen, -EREMOTEIO,
			       "%s: device answered ERROR %s (%#x) outside the session; session "
			       "ended",
			       step, spdm_error_name(wire[2]), wire[2]);
		goto out;
	}
	if (update_rsp && tsmh_ks_update(&ss->s.k, &ss->s.k.rsp)) {
		ret = spdm_why(why, whylen, -EINVAL, "%s: key update failed", step);
		goto out;
	}
	ret = spdm_secured_open(&ss->s, 0, wire, n, rsp, cap, rlen, r, sizeof(r));
	if (ret)
		ret = spdm_why(why, whylen, ret, "%s: %s", step, r);
out:
	free(wire);
	return ret;
}

int tsmh_session_xfer(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		      const uint8_t *req, size_t len, uint8_t *rsp, size_t cap, size_t *rlen,
		      char *why, size_t whylen)
{
	return xfer(t, ss, step, req, len, rsp, cap, rlen, 0, why, whylen);
}

static int can_session(struct spdm_transport *t, const struct spdm_conn_info *ci, char *why,
		       size_t whylen)
{
	const uint32_t need = SPDM_CAP_KEY_EX | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC;
	const char *st = "KEY_EXCHANGE";

	if (ci->ver < SPDM_VERSION_12)
		return spdm_why(why, whylen, -EOPNOTSUPP,
				"%s: sessions need SPDM 1.2 or later (negotiated %u.%u)", st,
				ci->ver >> 4, ci->ver & 15);
	if ((ci->caps.flags & need) != need)
		return spdm_why(why, whylen, -EOPNOTSUPP,
				"%s: device does not advertise KEY_EX_CAP with ENCRYPT_CAP and "
				"MAC_CAP",
				st);
	if (!spdm_dhe_len(ci->algs.dhe) || !ci->algs.aead ||
	    !(ci->algs.key_schedule & SPDM_KEY_SCHEDULE_SPDM) ||
	    !(ci->algs.other_params & (SPDM_OPAQUE_FMT0 | SPDM_OPAQUE_FMT1)))
		return spdm_why(why, whylen, -EPROTO,
				"%s: no DHE group, AEAD, key schedule or opaque data format was "
				"negotiated",
				st);
	if (!t->secured)
		return spdm_why(why, whylen, -EOPNOTSUPP, "%s: transport cannot carry secured CMA",
				st);
	return 0;
}

/* KEY_EXCHANGE / KEY_EXCHANGE_RSP, in the clear; handshake keys on success. */
static int key_exchange(struct spdm_transport *t, const struct spdm_conn_info *ci,
			const uint8_t *chain, size_t chain_len, struct tsmh_session *ss, char *why,
			size_t whylen)
{
	const char *st = "KEY_EXCHANGE";
	size_t dl = spdm_dhe_len(ss->dhe), hl = spdm_hash_len(ss->hash),
	       sl = spdm_sig_len(ss->asym), n, rlen, slen;
	uint8_t req[256], rsp[MSG_MAX], pub[TSMH_DHE_MAX], rnd[SPDM_RANDOM_LEN], opaque[32],
		ct[SPDM_MAX_HASH], dg[SPDM_MAX_HASH], mac[SPDM_MAX_HASH], secret[TSMH_DHE_MAX],
		code = 0, ids[2];
	struct spdm_key_exchange k = { .summary = ss->summary_type, .slot = ss->slot };
	uint8_t fmt =
		ci->algs.other_params & SPDM_OPAQUE_FMT1 ? SPDM_OPAQUE_FMT1 : SPDM_OPAQUE_FMT0;
	struct spdm_key_exchange_rsp r;
	EVP_PKEY *leaf = NULL, *eph = NULL;
	uint16_t sel, ours[SPDM_SM_MAX_VERSIONS];
	char vr[200];
	int ret, i, ok = 0, nr_ours = 0;

	if (!tsmh_hash(ss->hash, chain, chain_len, ct))
		return spdm_why(why, whylen, -EINVAL, "%s: cannot hash the chain", st);
	leaf = tsmh_chain_leaf_key(chain, chain_len, hl);
	if (!leaf)
		return spdm_why(why, whylen, -EBADMSG, "%s: slot %u chain has no usable leaf key",
				st, ss->slot);
	eph = tsmh_dhe_keygen(ss->dhe, pub);
	if (!eph || RAND_bytes(rnd, sizeof(rnd)) != 1 || RAND_bytes(ids, 2) != 1) {
		ret = spdm_why(why, whylen, -EIO, "%s: no ephemeral key or random data", st);
		goto out;
	}
	ss->s.req_id = (uint16_t)(tsmh_get_le16(ids) | 1);
	if (ss->s.req_id == 0xffff)
		ss->s.req_id = 0xfffd;
	k.session_id = ss->s.req_id;
	k.random = rnd;
	k.exchange = pub;
	k.opaque = opaque;
	for (i = 0; i < (int)(sizeof(sm_ours) / sizeof(sm_ours[0])); i++)
		if (!ss->sm_mask || ss->sm_mask & SPDM_SM_BIT(sm_ours[i]))
			ours[nr_ours++] = sm_ours[i];
	if (!nr_ours) {
		ret = spdm_why(why, whylen, -EINVAL,
			       "%s: none of the secured-message versions asked for is supported "
			       "(1.0, 1.1, 1.2)",
			       st);
		goto out;
	}
	k.opaque_len = (uint16_t)spdm_opaque_supported(fmt, ours, nr_ours, opaque, sizeof(opaque));
	n = spdm_enc_key_exchange(ss->ver, &k, dl, req, sizeof(req));
	/* Busy and ResponseNotReady handled as for every other request */
	ret = spdm_req_xfer(t, st, req, n, rsp, sizeof(rsp), &rlen, why, whylen);
	if (ret)
		goto out;
	ret = spdm_dec_key_exchange_rsp(ss->ver, rsp, rlen, dl, hl, !!ss->summary_type, sl, &r,
					&code);
	if (ret) {
		ret = spdm_why_decode(why, whylen, st, ret, code);
		goto out;
	}
	if (r.mut_auth) {
		ret = spdm_why(why, whylen, -EPROTO,
			       "%s: KEY_EXCHANGE_RSP MutAuthRequested 0x%02x, expected 0 (we "
			       "advertised no MUT_AUTH_CAP: mutual authentication not supported)",
			       st, r.mut_auth);
		goto out;
	}
	ret = spdm_opaque_parse_selection(fmt, r.opaque, r.opaque_len, &sel);
	if (ret) {
		ret = spdm_why_bad(why, whylen, -EPROTO,
				   "KEY_EXCHANGE: KEY_EXCHANGE_RSP OpaqueData");
		goto out;
	}
	for (i = 0; i < nr_ours; i++)
		ok |= (sel & 0xff00) == ours[i];
	if (!ok) {
		char list[8 * SPDM_SM_MAX_VERSIONS] = "";

		for (i = 0; i < nr_ours; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%u.%u",
				 i ? ", " : "", ours[i] >> 12, (ours[i] >> 8) & 15);
		ret = spdm_why(why, whylen, -EPROTO,
			       "%s: KEY_EXCHANGE_RSP secured-message VersionSelection %u.%u "
			       "(%#06x), expected one we offered (%s)",
			       st, sel >> 12, (sel >> 8) & 15, sel, list);
		goto out;
	}
	ss->s.sm_version = sel;
	ss->s.rsp_id = r.session_id;
	ss->s.heartbeat = r.heartbeat;
	if (r.summary)
		memcpy(ss->summary, r.summary, hl);
	/* TH: VCA || Hash(chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP up to the signature */
	if (spdm_tx_append(&ss->th, ci->vca.buf, ci->vca.len) || spdm_tx_append(&ss->th, ct, hl) ||
	    spdm_tx_append(&ss->th, req, n) || spdm_tx_append(&ss->th, rsp, r.signed_len)) {
		ret = spdm_why(why, whylen, -E2BIG, "%s: transcript too large", st);
		goto out;
	}
	ret = tsmh_spdm_verify(leaf, ss->ver, ss->asym, ss->hash, SPDM_CTX_KEY_EXCHANGE_RSP,
			       ss->th.buf, ss->th.len, r.sig, vr, sizeof(vr));
	if (ret) {
		ret = spdm_why(why, whylen, ret, "%s: KEY_EXCHANGE_RSP signature: %s", st, vr);
		goto out;
	}
	ret = tsmh_dhe_derive(eph, ss->dhe, r.exchange, secret, &slen);
	if (ret) {
		ret = spdm_why(why, whylen, -EPROTO,
			       "%s: the device's DHE public key is not a point on %s", st,
			       spdm_dhe_name(ss->dhe));
		goto out;
	}
	if (spdm_tx_append(&ss->th, r.sig, sl) || th_hash(ss, dg) ||
	    tsmh_ks_handshake(&ss->s.k, ss->ver, ss->hash, ss->aead, secret, slen, dg) ||
	    tsmh_hmac(ss->hash, ss->s.k.rsp_finished, hl, dg, hl, mac)) {
		ret = spdm_why(why, whylen, -EINVAL, "%s: key schedule failed", st);
		goto out;
	}
	if (CRYPTO_memcmp(mac, r.verify, hl)) {
		ret = spdm_why(why, whylen, -EBADMSG,
			       "%s: ResponderVerifyData does not match (different keys or TH1)",
			       st);
		goto out;
	}
	if (spdm_tx_append(&ss->th, r.verify, hl)) {
		ret = spdm_why(why, whylen, -E2BIG, "%s: transcript too large", st);
		goto out;
	}
	ss->th1_len = ss->th.len;
	ss->s.state = SPDM_SESS_HANDSHAKE;
	ret = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(leaf);
	EVP_PKEY_free(eph);
	return ret;
}

static int finish(struct spdm_transport *t, struct tsmh_session *ss, char *why, size_t whylen)
{
	const char *st = "FINISH";
	size_t hl = spdm_hash_len(ss->hash), n, rlen;
	uint8_t req[4 + SPDM_MAX_HASH], rsp[MSG_MAX], dg[SPDM_MAX_HASH], mac[SPDM_MAX_HASH],
		code = 0;
	int ret;

	spdm_enc_finish(ss->ver, NULL, hl, req);
	if (spdm_tx_append(&ss->th, req, 4) || th_hash(ss, dg) ||
	    tsmh_hmac(ss->hash, ss->s.k.req_finished, hl, dg, hl, mac))
		return spdm_why(why, whylen, -EINVAL, "%s: RequesterVerifyData", st);
	n = spdm_enc_finish(ss->ver, mac, hl, req);
	if (spdm_tx_append(&ss->th, mac, hl))
		return spdm_why(why, whylen, -E2BIG, "%s: transcript too large", st);
	ret = xfer(t, ss, st, req, n, rsp, sizeof(rsp), &rlen, 0, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_hdr(ss->ver, SPDM_FINISH_RSP, rsp, rlen, NULL, NULL, &code);
	if (ret)
		return spdm_why_decode(why, whylen, st, ret, code);
	if (spdm_tx_append(&ss->th, rsp, 4) || th_hash(ss, dg) || tsmh_ks_data(&ss->s.k, dg))
		return spdm_why(why, whylen, -EINVAL, "%s: data key derivation failed", st);
	ss->th2_len = ss->th.len;
	ss->s.state = SPDM_SESS_ESTABLISHED;
	return 0;
}

int tsmh_session_start(struct spdm_transport *t, const struct spdm_conn_info *ci,
		       const uint8_t *chain, size_t chain_len, uint8_t slot, uint8_t summary,
		       unsigned int sm_mask, struct tsmh_session *ss, char *why, size_t whylen)
{
	int ret;

	memset(ss, 0, sizeof(*ss));
	ss->sm_mask = sm_mask;
	ret = can_session(t, ci, why, whylen);
	if (ret)
		return ret;
	ss->ver = ci->ver;
	ss->slot = slot;
	ss->summary_type = summary;
	ss->hash = ci->algs.base_hash;
	ss->asym = ci->algs.base_asym;
	ss->dhe = ci->algs.dhe;
	ss->aead = ci->algs.aead;
	ss->rsp_caps = ci->caps.flags;
	ret = key_exchange(t, ci, chain, chain_len, ss, why, whylen);
	if (!ret)
		ret = finish(t, ss, why, whylen);
	if (ret)
		ss->s.state = SPDM_SESS_ENDED;
	return ret;
}

int tsmh_session_heartbeat(struct spdm_transport *t, struct tsmh_session *ss, char *why,
			   size_t whylen)
{
	uint8_t req[4], rsp[MSG_MAX], code = 0;
	size_t rlen;
	int ret;

	if (!(ss->rsp_caps & SPDM_CAP_HBEAT))
		return spdm_why(why, whylen, -EOPNOTSUPP,
				"HEARTBEAT: device does not advertise HBEAT_CAP");
	spdm_enc_hdr(ss->ver, SPDM_HEARTBEAT, 0, 0, req);
	ret = xfer(t, ss, "HEARTBEAT", req, 4, rsp, sizeof(rsp), &rlen, 0, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_hdr(ss->ver, SPDM_HEARTBEAT_ACK, rsp, rlen, NULL, NULL, &code);
	if (ret)
		return spdm_why_decode(why, whylen, "HEARTBEAT", ret, code);
	ss->heartbeats++;
	return 0;
}

/* One KEY_UPDATE operation and its ACK (same operation, same tag). */
static int key_update_op(struct spdm_transport *t, struct tsmh_session *ss, uint8_t op,
			 const char *st, char *why, size_t whylen)
{
	uint8_t req[4], rsp[MSG_MAX], code = 0, tag = 0, p1, p2;
	size_t rlen;
	int ret;

	if (RAND_bytes(&tag, 1) != 1)
		return spdm_why(why, whylen, -EIO, "%s: no random tag", st);
	spdm_enc_hdr(ss->ver, SPDM_KEY_UPDATE, op, tag, req);
	ret = xfer(t, ss, st, req, 4, rsp, sizeof(rsp), &rlen, op == SPDM_KEY_UPDATE_OP_UPDATE_ALL,
		   why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_hdr(ss->ver, SPDM_KEY_UPDATE_ACK, rsp, rlen, &p1, &p2, &code);
	if (ret)
		return spdm_why_decode(why, whylen, st, ret, code);
	if (p1 != op)
		return spdm_why(why, whylen, -EPROTO,
				"%s: KEY_UPDATE_ACK KeyOperation %u, expected the request's %u", st,
				p1, op);
	if (p2 != tag)
		return spdm_why(why, whylen, -EPROTO,
				"%s: KEY_UPDATE_ACK Tag 0x%02x does not echo the request's 0x%02x",
				st, p2, tag);
	return 0;
}

int tsmh_session_key_update(struct spdm_transport *t, struct tsmh_session *ss, int all, char *why,
			    size_t whylen)
{
	const char *st = all ? "KEY_UPDATE UpdateAllKeys" : "KEY_UPDATE UpdateKey";
	int ret;

	if (!(ss->rsp_caps & SPDM_CAP_KEY_UPD))
		return spdm_why(why, whylen, -EOPNOTSUPP,
				"%s: device does not advertise KEY_UPD_CAP", st);
	ret = key_update_op(t, ss,
			    all ? SPDM_KEY_UPDATE_OP_UPDATE_ALL : SPDM_KEY_UPDATE_OP_UPDATE_KEY, st,
			    why, whylen);
	if (ret)
		return ret;
	if (tsmh_ks_update(&ss->s.k, &ss->s.k.req))
		return spdm_why(why, whylen, -EINVAL, "%s: key update failed", st);
	ret = key_update_op(t, ss, SPDM_KEY_UPDATE_OP_VERIFY_NEW, "KEY_UPDATE VerifyNewKey", why,
			    whylen);
	if (!ret)
		ss->key_updates++;
	return ret;
}

int tsmh_session_end(struct spdm_transport *t, struct tsmh_session *ss, char *why, size_t whylen)
{
	uint8_t req[4], rsp[MSG_MAX], code = 0;
	size_t rlen;
	int ret;

	spdm_enc_hdr(ss->ver, SPDM_END_SESSION, 0, 0, req);
	ret = xfer(t, ss, "END_SESSION", req, 4, rsp, sizeof(rsp), &rlen, 0, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_hdr(ss->ver, SPDM_END_SESSION_ACK, rsp, rlen, NULL, NULL, &code);
	ss->s.state = SPDM_SESS_ENDED;
	tsmh_ks_clear(&ss->s.k);
	if (ret)
		return spdm_why_decode(why, whylen, "END_SESSION", ret, code);
	return 0;
}
