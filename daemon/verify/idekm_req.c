// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The IDE_KM requester over an SPDM secured session (idekm_req.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "idekm_req.h"
#include "spdm.h"

#define IDEKM_RSP_MAX 4096

/*
 * Send the IDE_KM message @m (step name @step) and decode the answer into
 * @r, expecting object @want with the request's port index (and, for
 * everything but QUERY_RESP, its stream ID and key_sub_stream).
 */
static int exchange(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		    const struct tsmh_idekm_msg *m, uint8_t want, struct tsmh_idekm_msg *r,
		    uint8_t *rsp, char *cap_why, size_t cap_whylen, char *why, size_t whylen)
{
	uint8_t req[TSMH_VDM_HDR_LEN + TSMH_IDEKM_KEY_PROG_LEN];
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	size_t n, rlen;
	char b[200];
	int ret;

	n = tsmh_idekm_encode(m, req + TSMH_VDM_HDR_LEN, sizeof(req) - TSMH_VDM_HDR_LEN);
	if (!n)
		return spdm_why(why, whylen, -EINVAL, "%s: cannot encode the request", step);
	tsmh_vdm_put_hdr(req, ss->ver, 0, TSMH_PCI_PROTOCOL_IDE_KM, n);
	ret = tsmh_session_xfer(t, ss, step, req, TSMH_VDM_HDR_LEN + n, rsp, IDEKM_RSP_MAX, &rlen,
				why, whylen);
	OPENSSL_cleanse(req, sizeof(req)); /* KEY_PROG: the key and IFV */
	if (ret)
		return ret;
	ret = tsmh_vdm_decode(rsp, rlen, 1, &v, &w);
	if (ret == -EREMOTEIO)
		return spdm_why(why, whylen, ret, "%s: device answered ERROR %s (%#x)", step,
				spdm_error_name((uint8_t)w.got), w.got);
	if (ret) {
		tsmh_idekm_why_format(&w, b, sizeof(b));
		return spdm_why(why, whylen, ret, "%s: %s", step, b);
	}
	if (v.version != ss->ver)
		return spdm_why(why, whylen, -EPROTO,
				"%s: VENDOR_DEFINED_RESPONSE version %#x, expected %#x (the "
				"session's)",
				step, v.version, ss->ver);
	if (v.protocol != TSMH_PCI_PROTOCOL_IDE_KM)
		return spdm_why(
			why, whylen, -EPROTO,
			"%s: VENDOR_DEFINED_RESPONSE protocol ID %#x, expected 0x00 (IDE_KM)", step,
			v.protocol);
	ret = tsmh_idekm_decode(v.payload, v.len, r, &w);
	/*
	 * A QUERY_RESP whose header arrived but whose capability copy does
	 * not add up: the caller decides (@cap_why says why; keying does
	 * not depend on it)
	 */
	if (ret == -EBADMSG && cap_why && r->object_id == TSMH_IDEKM_QUERY_RESP &&
	    v.len >= TSMH_IDEKM_HDR_LEN) {
		tsmh_idekm_why_format(&w, cap_why, cap_whylen);
		ret = 0;
	}
	if (ret) {
		tsmh_idekm_why_format(&w, b, sizeof(b));
		return spdm_why(why, whylen, ret, "%s: %s", step, b);
	}
	if (r->object_id != want)
		return spdm_why(why, whylen, -EPROTO, "%s: answered %s (%#x), expected %s (%#x)",
				step, tsmh_idekm_obj_name(r->object_id), r->object_id,
				tsmh_idekm_obj_name(want), want);
	if (r->port_index != m->port_index)
		return spdm_why(why, whylen, -EPROTO, "%s: %s names port index %u, expected %u",
				step, tsmh_idekm_obj_name(want), r->port_index, m->port_index);
	if (want == TSMH_IDEKM_QUERY_RESP)
		return 0;
	if (r->stream_id != m->stream_id)
		return spdm_why(why, whylen, -EPROTO, "%s: %s names stream ID %u, expected %u",
				step, tsmh_idekm_obj_name(want), r->stream_id, m->stream_id);
	if (r->key_sub_stream != m->key_sub_stream)
		return spdm_why(why, whylen, -EPROTO,
				"%s: %s names key_sub_stream %#04x, expected %#04x", step,
				tsmh_idekm_obj_name(want), r->key_sub_stream, m->key_sub_stream);
	return 0;
}

int tsmh_idekm_query(struct spdm_transport *t, struct tsmh_session *ss, uint8_t port,
		     struct tsmh_idekm_port *q, char *why, size_t whylen)
{
	struct tsmh_idekm_msg m = { .object_id = TSMH_IDEKM_QUERY, .port_index = port }, r;
	uint8_t rsp[IDEKM_RSP_MAX];
	char step[32];
	int ret;

	snprintf(step, sizeof(step), "QUERY port %u", port);
	memset(q, 0, sizeof(*q));
	ret = exchange(t, ss, step, &m, TSMH_IDEKM_QUERY_RESP, &r, rsp, q->cap_why,
		       sizeof(q->cap_why), why, whylen);
	if (ret)
		return ret;
	q->port_index = r.port_index;
	q->dev_func = r.dev_func;
	q->bus = r.bus;
	q->segment = r.segment;
	q->max_port_index = r.max_port_index;
	if (q->cap_why[0])
		return 0;
	q->cap_ok = 1;
	/* decoded, so the copy is consistent; walked again for its figures */
	return tsmh_ide_cap_copy_check(r.cap, r.cap_len, &q->cap, NULL);
}

static void step_name(char *step, size_t len, const char *what, uint8_t stream_id, uint8_t kss)
{
	char k[32];

	snprintf(step, len, "%s stream %u %s", what, stream_id,
		 tsmh_idekm_kss_format(kss, k, sizeof(k)));
}

int tsmh_idekm_key_prog(struct spdm_transport *t, struct tsmh_session *ss, uint8_t port,
			uint8_t stream_id, uint8_t kss, const uint8_t *key, const uint8_t *ifv,
			uint8_t *status, char *why, size_t whylen)
{
	struct tsmh_idekm_msg m = { .object_id = TSMH_IDEKM_KEY_PROG,
				    .port_index = port,
				    .stream_id = stream_id,
				    .key_sub_stream = kss,
				    .key = key,
				    .ifv = ifv },
			      r;
	uint8_t rsp[IDEKM_RSP_MAX];
	char step[48];
	int ret;

	*status = 0xff;
	step_name(step, sizeof(step), "KEY_PROG", stream_id, kss);
	ret = exchange(t, ss, step, &m, TSMH_IDEKM_KP_ACK, &r, rsp, NULL, 0, why, whylen);
	if (ret)
		return ret;
	*status = r.status;
	if (r.status != TSMH_IDEKM_ST_SUCCESS)
		return spdm_why(why, whylen, -EREMOTEIO, "%s: KP_ACK status %u (%s)", step,
				r.status, tsmh_idekm_status_name(r.status));
	return 0;
}

int tsmh_idekm_k_set(struct spdm_transport *t, struct tsmh_session *ss, int go, uint8_t port,
		     uint8_t stream_id, uint8_t kss, char *why, size_t whylen)
{
	struct tsmh_idekm_msg m = { .object_id = go ? TSMH_IDEKM_K_SET_GO : TSMH_IDEKM_K_SET_STOP,
				    .port_index = port,
				    .stream_id = stream_id,
				    .key_sub_stream = kss },
			      r;
	uint8_t rsp[IDEKM_RSP_MAX];
	char step[48];

	step_name(step, sizeof(step), go ? "K_SET_GO" : "K_SET_STOP", stream_id, kss);
	return exchange(t, ss, step, &m, TSMH_IDEKM_K_GOSTOP_ACK, &r, rsp, NULL, 0, why, whylen);
}
