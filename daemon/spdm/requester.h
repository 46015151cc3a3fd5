/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM requester, transport-independent (shared by tsmctl and tsmd).
 * Implemented so far: VCA (GET_VERSION, GET_CAPABILITIES,
 * NEGOTIATE_ALGORITHMS) with version fallback 1.3 -> 1.2 -> 1.1.
 */
#ifndef TSMH_SPDM_REQUESTER_H
#define TSMH_SPDM_REQUESTER_H

#include <stddef.h>
#include <stdint.h>
#include "cert.h"
#include "spdm.h"

/* One SPDM request/response (no transport header). 0 or -errno. */
struct spdm_transport {
	int (*exchange)(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
			size_t cap, size_t *rsp_len);
	void *ctx;
	char err[256]; /* the transport's reason for its last failure */
};

struct spdm_conn_info {
	struct spdm_ver versions[SPDM_MAX_VERSIONS]; /* what the device offers */
	int nr_versions;
	uint8_t ver; /* negotiated, e.g. 0x12 */
	struct spdm_caps caps;
	struct spdm_algs offer, algs;
};

/* What tsm-host offers: ECDSA P-256/P-384, RSA-3072 (SSA, PSS), SHA-256/384, ... */
void spdm_default_offer(struct spdm_algs *a);
/*
 * Run VCA. On failure returns -errno and writes the step and the reason
 * into @why (e.g. "NEGOTIATE_ALGORITHMS: device answered ERROR InvalidRequest").
 */
int spdm_vca(struct spdm_transport *t, struct spdm_conn_info *ci, char *why, size_t whylen);

/* GET_DIGESTS; needs CERT_CAP and a negotiated hash. */
int spdm_get_digests(struct spdm_transport *t, const struct spdm_conn_info *ci,
		     struct spdm_digests *d, char *why, size_t whylen);
/*
 * The whole certificate chain of @slot, fetched in portions no larger than
 * both sides' transfer size, into @buf (@cap bytes, 65535 is always
 * enough). Every portion must agree on the chain's total size and make
 * progress; the result has not been parsed or verified.
 */
int spdm_get_chain(struct spdm_transport *t, const struct spdm_conn_info *ci, uint8_t slot,
		   uint8_t *buf, size_t cap, size_t *len, char *why, size_t whylen);

#endif
