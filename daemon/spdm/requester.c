// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM requester: VCA. See requester.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "requester.h"

/*
 * Our DataTransferSize and MaxSPDMmsgSize: 4608 bytes (0x1200), the
 * default of libspdm and spdm-emu, so a whole certificate chain of the
 * usual size comes in one GET_CERTIFICATE.
 */
#define MSG_MAX 4608

static const uint8_t our_versions[] = { SPDM_VERSION_13, SPDM_VERSION_12, SPDM_VERSION_11 };

void spdm_default_offer(struct spdm_algs *a)
{
	memset(a, 0, sizeof(*a));
	a->meas_spec = SPDM_MEAS_SPEC_DMTF;
	a->base_asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_RSASSA_3072 |
		       SPDM_ASYM_RSAPSS_3072;
	a->base_hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384;
	a->dhe = SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1;
	a->aead = SPDM_AEAD_AES_256_GCM | SPDM_AEAD_CHACHA20_POLY;
	a->key_schedule = SPDM_KEY_SCHEDULE_SPDM;
	/*
	 * Both opaque data formats (1.2+): 1, the general table, and 0,
	 * DSP0277's; the responder picks one, and the session's version
	 * negotiation is encoded in that one (libspdm does the same).
	 */
	a->other_params = SPDM_OPAQUE_FMT0 | SPDM_OPAQUE_FMT1;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

#define MAX_BUSY_RETRIES 3
#define MAX_NOT_READY	 8

/*
 * One exchange (requester.h). ERROR Busy is retried (after 10, 20, 40 ms); ERROR
 * ResponseNotReady is followed, after the time the device asked for, by
 * RESPOND_IF_READY until the real response arrives.
 */
int spdm_req_xfer(struct spdm_transport *t, const char *step, const uint8_t *req, size_t len,
		  uint8_t *rsp, size_t cap, size_t *rlen, char *why, size_t whylen)
{
	uint8_t again[4];
	const uint8_t *q = req;
	size_t qlen = len;
	int ret, busy = 0, waits = 0;
	uint64_t us;

	for (;;) {
		struct spdm_not_ready nr;

		t->err[0] = 0;
		ret = t->exchange(t, q, qlen, rsp, cap, rlen);
		if (ret)
			return spdm_why(why, whylen, ret, "%s: transport: %s%s%s", step,
					strerror(-ret), t->err[0] ? ": " : "", t->err);
		if (*rlen < 4 || rsp[1] != SPDM_ERROR)
			return 0;
		if (rsp[2] == SPDM_ERR_BUSY && busy < MAX_BUSY_RETRIES) {
			sleep_us(10000u << busy++);
			q = req; /* a Busy RESPOND_IF_READY restarts the request */
			qlen = len;
			continue;
		}
		if (rsp[2] != SPDM_ERR_RESPONSE_NOT_READY || req[1] == SPDM_GET_VERSION)
			return 0; /* the caller's decoder reports the ERROR */
		if (spdm_dec_not_ready(rsp, *rlen, &nr) || nr.request_code != req[1])
			return spdm_why(why, whylen, -EPROTO,
					"%s: malformed ResponseNotReady (for request %#x)", step,
					*rlen >= 6 ? rsp[5] : 0);
		if (++waits > MAX_NOT_READY)
			return spdm_why(why, whylen, -ETIMEDOUT,
					"%s: device still not ready after %d RESPOND_IF_READY",
					step, MAX_NOT_READY);
		/* RDT = 2^RDTExponent us; wait RDT * RDTM, capped at 1 s */
		us = nr.rdt_exponent > 20
			     ? 1000000
			     : ((uint64_t)1 << nr.rdt_exponent) * (nr.rdtm ? nr.rdtm : 1);
		sleep_us(us > 1000000 ? 1000000 : us);
		qlen = spdm_enc_respond_if_ready(req[0], nr.request_code, nr.token, again);
		q = again;
	}
}

static int xfer(struct spdm_transport *t, const char *step, const uint8_t *req, size_t len,
		uint8_t *rsp, size_t *rlen, char *why, size_t whylen)
{
	return spdm_req_xfer(t, step, req, len, rsp, MSG_MAX, rlen, why, whylen);
}

/* Append a request and its response, both exactly, to @tx. */
static int record(struct spdm_tx *tx, const uint8_t *req, size_t len, const uint8_t *rsp,
		  size_t rlen, size_t hash_len, const char *step, char *why, size_t whylen)
{
	if (spdm_tx_append(tx, req, spdm_msg_len(req, len, hash_len)) ||
	    spdm_tx_append(tx, rsp, spdm_msg_len(rsp, rlen, hash_len)))
		return spdm_why(why, whylen, -E2BIG, "%s: transcript exceeds %u bytes", step,
				SPDM_TX_MAX);
	return 0;
}

void spdm_conn_free(struct spdm_conn_info *ci)
{
	spdm_tx_free(&ci->vca);
	spdm_tx_free(&ci->b);
}

int spdm_vca(struct spdm_transport *t, struct spdm_conn_info *ci, char *why, size_t whylen)
{
	uint8_t req[256], rsp[MSG_MAX], code = 0;
	struct spdm_caps mine = { .ct_exponent = 0,
				  .flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT |
					   SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT |
					   SPDM_CAP_KEY_UPD,
				  .data_transfer_size = MSG_MAX,
				  .max_msg_size = MSG_MAX };
	struct spdm_tx vca = ci->vca, b = ci->b;
	size_t n, rlen;
	int ret, i, k;

	memset(ci, 0, sizeof(*ci));
	spdm_tx_reset(&vca);
	spdm_tx_reset(&b);
	ci->vca = vca;
	ci->b = b;
	n = spdm_enc_get_version(req);
	ret = xfer(t, "GET_VERSION", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_version(rsp, rlen, ci->versions, SPDM_MAX_VERSIONS, &code);
	if (ret < 0)
		return spdm_why_decode(why, whylen, "GET_VERSION", ret, code);
	ci->nr_versions = ret;
	ret = record(&ci->vca, req, n, rsp, rlen, 0, "GET_VERSION", why, whylen);
	if (ret)
		return ret;
	for (k = 0; k < (int)sizeof(our_versions) && !ci->ver; k++)
		for (i = 0; i < ci->nr_versions; i++)
			if ((ci->versions[i].major << 4 | ci->versions[i].minor) == our_versions[k])
				ci->ver = our_versions[k];
	if (!ci->ver)
		return spdm_why(
			why, whylen, -EPROTONOSUPPORT,
			"GET_VERSION: no common SPDM version (device offers %u.%u%s; we speak 1.1-1.3)",
			ci->versions[0].major, ci->versions[0].minor,
			ci->nr_versions > 1 ? ", ..." : "");

	n = spdm_enc_capabilities(ci->ver, SPDM_GET_CAPABILITIES, &mine, req);
	ret = xfer(t, "GET_CAPABILITIES", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_capabilities(ci->ver, SPDM_CAPABILITIES, rsp, rlen, &ci->caps, &code);
	if (ret)
		return spdm_why_decode(why, whylen, "GET_CAPABILITIES", ret, code);
	ret = record(&ci->vca, req, n, rsp, rlen, 0, "GET_CAPABILITIES", why, whylen);
	if (ret)
		return ret;

	spdm_default_offer(&ci->offer);
	n = spdm_enc_negotiate_algorithms(ci->ver, &ci->offer, req, sizeof(req));
	ret = xfer(t, "NEGOTIATE_ALGORITHMS", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_algorithms(ci->ver, rsp, rlen, &ci->offer, &ci->algs, &code);
	if (ret)
		return spdm_why_decode(why, whylen, "NEGOTIATE_ALGORITHMS", ret, code);
	return record(&ci->vca, req, n, rsp, rlen, 0, "NEGOTIATE_ALGORITHMS", why, whylen);
}

static int need_certs(const struct spdm_conn_info *ci, const char *step, char *why, size_t len)
{
	if (!(ci->caps.flags & SPDM_CAP_CERT))
		return spdm_why(why, len, -EOPNOTSUPP, "%s: device does not advertise CERT_CAP",
				step);
	if (!spdm_hash_len(ci->algs.base_hash))
		return spdm_why(why, len, -EPROTO, "%s: no hash algorithm was negotiated", step);
	return 0;
}

int spdm_get_digests(struct spdm_transport *t, struct spdm_conn_info *ci, struct spdm_digests *d,
		     char *why, size_t whylen)
{
	uint8_t req[4], rsp[MSG_MAX], code = 0;
	size_t rlen;
	int ret;

	ret = need_certs(ci, "GET_DIGESTS", why, whylen);
	if (ret)
		return ret;
	ret = xfer(t, "GET_DIGESTS", req, spdm_enc_get_digests(ci->ver, req), rsp, &rlen, why,
		   whylen);
	if (ret)
		return ret;
	ret = spdm_dec_digests(ci->ver, rsp, rlen, spdm_hash_len(ci->algs.base_hash), d, &code);
	if (ret)
		return spdm_why_decode(why, whylen, "GET_DIGESTS", ret, code);
	return record(&ci->b, req, 4, rsp, rlen, spdm_hash_len(ci->algs.base_hash), "GET_DIGESTS",
		      why, whylen);
}

int spdm_get_chain(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot, uint8_t *buf,
		   size_t cap, size_t *len, char *why, size_t whylen)
{
	uint8_t req[8], rsp[MSG_MAX], code = 0;
	struct spdm_cert_portion p;
	size_t chunk, total = 0, off = 0, rlen;
	int ret;

	*len = 0;
	ret = need_certs(ci, "GET_CERTIFICATE", why, whylen);
	if (ret)
		return ret;
	/*
	 * 1.2+: as much as both sides' DataTransferSize leaves after the
	 * 8-byte CERTIFICATE header (ours is MSG_MAX). 1.0/1.1 negotiate no
	 * size: 1024 bytes, what libspdm asks for there too.
	 */
	chunk = 1024;
	if (ci->ver >= SPDM_VERSION_12) {
		chunk = MSG_MAX - 8;
		if (ci->caps.data_transfer_size - 8 < chunk)
			chunk = ci->caps.data_transfer_size - 8;
	}
	do {
		size_t want = total ? total - off : chunk;

		if (want > chunk)
			want = chunk;
		ret = xfer(
			t, "GET_CERTIFICATE", req,
			spdm_enc_get_certificate(ci->ver, slot, (uint16_t)off, (uint16_t)want, req),
			rsp, &rlen, why, whylen);
		if (ret)
			return ret;
		ret = spdm_dec_certificate(ci->ver, rsp, rlen, slot, &p, &code);
		if (ret)
			return spdm_why_decode(why, whylen, "GET_CERTIFICATE", ret, code);
		ret = record(&ci->b, req, 8, rsp, rlen, 0, "GET_CERTIFICATE", why, whylen);
		if (ret)
			return ret;
		if (p.len > want)
			return spdm_why(why, whylen, -EPROTO,
					"GET_CERTIFICATE: %u bytes returned for %zu requested",
					p.len, want);
		if (!total) {
			total = (size_t)p.len + p.remainder;
			if (total > SPDM_MAX_CHAIN || total > cap)
				return spdm_why(
					why, whylen, -EFBIG,
					"GET_CERTIFICATE: chain of %zu bytes exceeds %zu", total,
					cap < SPDM_MAX_CHAIN ? cap : (size_t)SPDM_MAX_CHAIN);
		} else if (off + p.len + p.remainder != total) {
			return spdm_why(
				why, whylen, -EPROTO,
				"GET_CERTIFICATE: chain size changed from %zu to %zu mid-transfer",
				total, off + p.len + p.remainder);
		}
		memcpy(buf + off, p.data, p.len);
		off += p.len;
	} while (off < total);
	*len = total;
	return 0;
}

void spdm_challenge_free(struct spdm_challenge_result *r)
{
	spdm_tx_free(&r->transcript);
}

void spdm_meas_free(struct spdm_meas_result *r)
{
	spdm_tx_free(&r->transcript);
	free(r->rsp);
	free(r->record);
	memset(r, 0, sizeof(*r));
}

static int nonce(uint8_t *buf, const char *step, char *why, size_t whylen)
{
	if (getrandom(buf, SPDM_NONCE_LEN, 0) != SPDM_NONCE_LEN)
		return spdm_why(why, whylen, -EIO, "%s: no random nonce: %s", step,
				strerror(errno));
	return 0;
}

static int need_signing(const struct spdm_conn_info *ci, uint32_t cap, const char *step, char *why,
			size_t len)
{
	if (!(ci->caps.flags & cap))
		return spdm_why(why, len, -EOPNOTSUPP, "%s: device does not advertise %s", step,
				cap == SPDM_CAP_CHAL ? "CHAL_CAP" : "MEAS_CAP with signatures");
	if (!spdm_sig_len(ci->algs.base_asym) || !spdm_hash_len(ci->algs.base_hash))
		return spdm_why(why, len, -EPROTO,
				"%s: no signature and hash algorithm were negotiated", step);
	return 0;
}

int spdm_challenge(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot,
		   uint8_t summary, struct spdm_challenge_result *r, char *why, size_t whylen)
{
	uint8_t req[64], rsp[MSG_MAX], code = 0;
	size_t hl = spdm_hash_len(ci->algs.base_hash), sl = spdm_sig_len(ci->algs.base_asym), n,
	       rlen;
	struct spdm_challenge_auth a;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = need_signing(ci, SPDM_CAP_CHAL, "CHALLENGE", why, whylen);
	if (!ret)
		ret = nonce(r->req_nonce, "CHALLENGE", why, whylen);
	if (ret)
		return ret;
	r->slot = slot;
	r->summary_type = summary;
	n = spdm_enc_challenge(ci->ver, slot, summary, r->req_nonce, NULL, req);
	ret = xfer(t, "CHALLENGE", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_challenge_auth(ci->ver, rsp, rlen, summary, hl, sl, &a, &code);
	if (ret)
		return spdm_why_decode(why, whylen, "CHALLENGE", ret, code);
	if (a.slot != slot || !(a.slot_mask & (1u << slot)))
		return spdm_why(why, whylen, -EPROTO,
				"CHALLENGE: answered for slot %u (slot mask %#x), not slot %u",
				a.slot, a.slot_mask, slot);
	r->slot_mask = a.slot_mask;
	memcpy(r->rsp_nonce, a.nonce, SPDM_NONCE_LEN);
	memcpy(r->chain_hash, a.chain_hash, hl);
	if (a.meas_summary)
		memcpy(r->summary, a.meas_summary, hl);
	memcpy(r->sig, a.sig, sl);
	r->sig_len = sl;
	/* M1 = VCA || B || CHALLENGE || CHALLENGE_AUTH without the signature */
	if (spdm_tx_append(&r->transcript, ci->vca.buf, ci->vca.len) ||
	    spdm_tx_append(&r->transcript, ci->b.buf, ci->b.len) ||
	    spdm_tx_append(&r->transcript, req, n) ||
	    spdm_tx_append(&r->transcript, rsp, a.signed_len))
		return spdm_why(why, whylen, -E2BIG, "CHALLENGE: transcript too large");
	spdm_tx_reset(&ci->b);
	return 0;
}

/* One GET_MEASUREMENTS; on success the response is decoded into @m. */
static int meas_one(struct spdm_transport *t, struct spdm_conn_info *ci, struct spdm_get_meas *g,
		    struct spdm_tx *l, uint8_t *rsp, size_t *rlen, struct spdm_meas_rsp *m,
		    uint8_t *code, char *why, size_t whylen)
{
	size_t sl = g->attrs & SPDM_MEAS_ATTR_SIG ? spdm_sig_len(ci->algs.base_asym) : 0, n;
	uint8_t req[64];
	int ret;

	n = spdm_enc_get_measurements(ci->ver, g, req);
	ret = xfer(t, "GET_MEASUREMENTS", req, n, rsp, rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_measurements(ci->ver, rsp, *rlen, sl, m, code);
	if (ret)
		return ret == -EREMOTEIO
			       ? ret
			       : spdm_why_decode(why, whylen, "GET_MEASUREMENTS", ret, *code);
	if (spdm_tx_append(l, req, n) || spdm_tx_append(l, rsp, m->signed_len))
		return spdm_why(why, whylen, -E2BIG, "GET_MEASUREMENTS: transcript too large");
	return 0;
}

static int add_blocks(struct spdm_meas_result *r, const struct spdm_meas_rsp *m, char *why,
		      size_t whylen)
{
	uint8_t *nb = realloc(r->record, r->record_len + m->record_len + 1);
	int i, n, base = r->nr_blocks;

	if (!nb)
		return spdm_why(why, whylen, -ENOMEM, "GET_MEASUREMENTS: out of memory");
	r->record = nb;
	memcpy(r->record + r->record_len, m->record, m->record_len);
	r->record_len += m->record_len;
	if (base + m->nr_blocks > SPDM_MAX_BLOCKS)
		return spdm_why(why, whylen, -E2BIG, "GET_MEASUREMENTS: more than %d blocks",
				SPDM_MAX_BLOCKS);
	/* re-parse everything: realloc may have moved the earlier blocks */
	n = spdm_meas_blocks_parse(r->record, r->record_len, base + m->nr_blocks, r->blocks,
				   SPDM_MAX_BLOCKS);
	if (n < 0)
		return spdm_why(why, whylen, -EPROTO,
				"GET_MEASUREMENTS: malformed measurement record (%s)",
				n == -EBADMSG ? "blocks run past the record"
					      : "bad index order, size or trailing bytes");
	r->nr_blocks = n;
	for (i = 0; i < n; i++)
		if (r->blocks[i].spec != SPDM_MEAS_SPEC_DMTF)
			return spdm_why(why, whylen, -EPROTO,
					"GET_MEASUREMENTS: block %u is not in DMTF format",
					r->blocks[i].index);
	return 0;
}

static int keep_rsp(struct spdm_meas_result *r, const struct spdm_meas_rsp *m, const uint8_t *rsp,
		    size_t rlen, size_t sl)
{
	free(r->rsp);
	r->rsp = malloc(rlen);
	if (!r->rsp)
		return -ENOMEM;
	memcpy(r->rsp, rsp, m->signed_len + sl);
	r->rsp_len = m->signed_len + sl;
	r->sig = sl ? r->rsp + m->signed_len : NULL;
	r->sig_len = sl;
	return 0;
}

int spdm_get_measurements(struct spdm_transport *t, struct spdm_conn_info *ci, uint8_t slot,
			  int sign, struct spdm_meas_result *r, char *why, size_t whylen)
{
	uint8_t rsp[MSG_MAX], code = 0;
	struct spdm_get_meas g = { .slot = slot };
	size_t sl = sign ? spdm_sig_len(ci->algs.base_asym) : 0, rlen;
	struct spdm_meas_rsp m;
	int ret, count, i;

	memset(r, 0, sizeof(*r));
	if (sign)
		ret = need_signing(ci, SPDM_CAP_MEAS_SIG, "GET_MEASUREMENTS", why, whylen);
	else
		ret = ci->caps.flags & (SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_NO_SIG)
			      ? 0
			      : spdm_why(why, whylen, -EOPNOTSUPP,
					 "GET_MEASUREMENTS: device does not advertise MEAS_CAP");
	if (!ret && sign)
		ret = nonce(r->req_nonce, "GET_MEASUREMENTS", why, whylen);
	if (ret)
		return ret;
	r->slot = slot;
	r->signed_ = !!sign;
	spdm_tx_reset(&ci->b);
	/* 1.2+: L = VCA || the exchanges; 1.1: the exchanges alone */
	if (ci->ver >= SPDM_VERSION_12 && spdm_tx_append(&r->transcript, ci->vca.buf, ci->vca.len))
		return spdm_why(why, whylen, -ENOMEM, "GET_MEASUREMENTS: out of memory");

	g.attrs = sign ? SPDM_MEAS_ATTR_SIG : 0;
	g.op = SPDM_MEAS_OP_ALL;
	g.nonce = r->req_nonce;
	ret = meas_one(t, ci, &g, &r->transcript, rsp, &rlen, &m, &code, why, whylen);
	if (ret == -EREMOTEIO && code == SPDM_ERR_RESPONSE_TOO_LARGE) {
		/* one block at a time, the last one signed */
		r->per_index = 1;
		g.attrs = 0;
		g.op = SPDM_MEAS_OP_COUNT;
		ret = meas_one(t, ci, &g, &r->transcript, rsp, &rlen, &m, &code, why, whylen);
		if (ret)
			goto fail;
		count = m.param1;
		if (!count)
			return spdm_why(why, whylen, -EPROTO,
					"GET_MEASUREMENTS: device reports no measurement blocks");
		for (i = 1; i <= count; i++) {
			g.op = (uint8_t)i;
			g.attrs = i == count && sign ? SPDM_MEAS_ATTR_SIG : 0;
			ret = meas_one(t, ci, &g, &r->transcript, rsp, &rlen, &m, &code, why,
				       whylen);
			if (!ret && m.nr_blocks != 1)
				ret = spdm_why(why, whylen, -EPROTO,
					       "GET_MEASUREMENTS: %u blocks for index %d",
					       m.nr_blocks, i);
			if (!ret)
				ret = add_blocks(r, &m, why, whylen);
			if (ret)
				goto fail;
		}
	} else if (ret) {
		goto fail;
	} else {
		ret = add_blocks(r, &m, why, whylen);
		if (ret)
			return ret;
	}
	if (sign && m.slot != slot)
		return spdm_why(why, whylen, -EPROTO,
				"GET_MEASUREMENTS: signed for slot %u, not slot %u", m.slot, slot);
	if (keep_rsp(r, &m, rsp, rlen, sl))
		return spdm_why(why, whylen, -ENOMEM, "GET_MEASUREMENTS: out of memory");
	return 0;
fail:
	return ret == -EREMOTEIO ? spdm_why_decode(why, whylen, "GET_MEASUREMENTS", ret, code)
				 : ret;
}
