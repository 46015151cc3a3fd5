// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM requester: VCA. See requester.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "requester.h"

#define MSG_MAX 4096

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
}

/* Explain a decoder's failure. */
static int bad(char *why, size_t len, const char *step, int ret, uint8_t code)
{
	if (ret == -EREMOTEIO)
		return spdm_why(why, len, ret, "%s: device answered ERROR %s (%#x)", step,
				spdm_error_name(code), code);
	if (ret == -EBADMSG)
		return spdm_why(why, len, ret, "%s: truncated or inconsistent response", step);
	return spdm_why(why, len, ret,
			"%s: response breaks DSP0274 (wrong code, version or selection)", step);
}

static int xfer(struct spdm_transport *t, const char *step, const uint8_t *req, size_t len,
		uint8_t *rsp, size_t *rlen, char *why, size_t whylen)
{
	int ret;

	t->err[0] = 0;
	ret = t->exchange(t, req, len, rsp, MSG_MAX, rlen);

	if (ret)
		return spdm_why(why, whylen, ret, "%s: transport: %s%s%s", step, strerror(-ret),
				t->err[0] ? ": " : "", t->err);
	return 0;
}

int spdm_vca(struct spdm_transport *t, struct spdm_conn_info *ci, char *why, size_t whylen)
{
	uint8_t req[256], rsp[MSG_MAX], code = 0;
	struct spdm_caps mine = { .ct_exponent = 0,
				  .flags = SPDM_CAP_CERT | SPDM_CAP_CHAL,
				  .data_transfer_size = MSG_MAX,
				  .max_msg_size = MSG_MAX };
	size_t n, rlen;
	int ret, i, k;

	memset(ci, 0, sizeof(*ci));
	n = spdm_enc_get_version(req);
	ret = xfer(t, "GET_VERSION", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_version(rsp, rlen, ci->versions, SPDM_MAX_VERSIONS, &code);
	if (ret < 0)
		return bad(why, whylen, "GET_VERSION", ret, code);
	ci->nr_versions = ret;
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
		return bad(why, whylen, "GET_CAPABILITIES", ret, code);

	spdm_default_offer(&ci->offer);
	n = spdm_enc_negotiate_algorithms(ci->ver, &ci->offer, req, sizeof(req));
	ret = xfer(t, "NEGOTIATE_ALGORITHMS", req, n, rsp, &rlen, why, whylen);
	if (ret)
		return ret;
	ret = spdm_dec_algorithms(ci->ver, rsp, rlen, &ci->offer, &ci->algs, &code);
	if (ret)
		return bad(why, whylen, "NEGOTIATE_ALGORITHMS", ret, code);
	return 0;
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

int spdm_get_digests(struct spdm_transport *t, const struct spdm_conn_info *ci,
		     struct spdm_digests *d, char *why, size_t whylen)
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
		return bad(why, whylen, "GET_DIGESTS", ret, code);
	return 0;
}

int spdm_get_chain(struct spdm_transport *t, const struct spdm_conn_info *ci, uint8_t slot,
		   uint8_t *buf, size_t cap, size_t *len, char *why, size_t whylen)
{
	uint8_t req[8], rsp[MSG_MAX], code = 0;
	struct spdm_cert_portion p;
	size_t chunk, total = 0, off = 0, rlen;
	int ret;

	*len = 0;
	ret = need_certs(ci, "GET_CERTIFICATE", why, whylen);
	if (ret)
		return ret;
	/* 1.2+: both sides' DataTransferSize minus the CERTIFICATE header */
	chunk = 1024;
	if (ci->ver >= SPDM_VERSION_12 && ci->caps.data_transfer_size - 8 < chunk)
		chunk = ci->caps.data_transfer_size - 8;
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
			return bad(why, whylen, "GET_CERTIFICATE", ret, code);
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
