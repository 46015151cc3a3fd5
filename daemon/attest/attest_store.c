// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Attestation and the kernel's evidence store (tsmctl attest, tsmd): after
 * an attestation through the DOE proxy the evidence is committed to
 * tsmh_core (so a
 * daemon restart loses nothing), and the chains the kernel already holds
 * serve as the digest-keyed cache of the next attestation.
 *
 * Objects written: certN (every slot's chain), vca (the VCA transcript),
 * challenge (the CHALLENGE transcript followed by the signature, whose
 * length the asymmetric algorithm gives), measurements (the signed
 * MEASUREMENTS response) and meas-transcript (the transcript its signature
 * covers). Metadata: provenance spdm, taken with no TDI locked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "attest_store.h"
#include "sig.h"

int attest_store(struct tsmh_nl *nl, const char *dev, const struct tsmh_attest *a,
		 uint64_t *generation, char *why, size_t whylen)
{
	struct tsmh_evidence ev = { 0 };
	uint8_t *chal = malloc(a->chal.transcript.len + a->chal.sig_len + 1);
	int s, ret;

	if (!chal)
		return spdm_why(why, whylen, -ENOMEM, "out of memory");
	ev.provenance = TSMH_EV_PROV_SPDM;
	ev.locked = TSMH_EV_LOCKED_UNLOCKED;
	ev.spdm_version = a->ci.ver;
	ev.hash_algo = a->ci.algs.base_hash;
	ev.asym_algo = a->ci.algs.base_asym;
	ev.slot_mask = a->digests.provisioned;
	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		ev.obj[TSMH_EV_CERT0 + s].data = a->slot[s].chain;
		ev.obj[TSMH_EV_CERT0 + s].len = a->slot[s].chain ? a->slot[s].len : 0;
	}
	ev.obj[TSMH_EV_VCA].data = a->ci.vca.buf;
	ev.obj[TSMH_EV_VCA].len = a->ci.vca.len;
	memcpy(chal, a->chal.transcript.buf, a->chal.transcript.len);
	memcpy(chal + a->chal.transcript.len, a->chal.sig, a->chal.sig_len);
	ev.obj[TSMH_EV_CHALLENGE].data = chal;
	ev.obj[TSMH_EV_CHALLENGE].len = a->chal.transcript.len + a->chal.sig_len;
	if (a->meas_verified) {
		ev.obj[TSMH_EV_MEASUREMENTS].data = a->meas.rsp;
		ev.obj[TSMH_EV_MEASUREMENTS].len = a->meas.rsp_len;
		ev.obj[TSMH_EV_MEAS_TRANSCRIPT].data = a->meas.transcript.buf;
		ev.obj[TSMH_EV_MEAS_TRANSCRIPT].len = a->meas.transcript.len;
	}
	ret = tsmh_evidence_put(nl, dev, &ev, generation, why, whylen);
	free(chal);
	return ret;
}

/* ---- the kernel's chains as the attestation cache ---- */

static int kernel_lookup(void *ctx, uint32_t hash, const uint8_t *digest, uint8_t **chain,
			 size_t *len)
{
	struct kernel_cache *kc = ctx;
	uint8_t dg[SPDM_MAX_HASH];
	int s;

	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const uint8_t *p = kc->ev.obj[TSMH_EV_CERT0 + s].data;
		size_t n = kc->ev.obj[TSMH_EV_CERT0 + s].len;

		if (!p || !n || tsmh_hash(hash, p, n, dg) != spdm_hash_len(hash) ||
		    memcmp(dg, digest, spdm_hash_len(hash)))
			continue;
		*chain = malloc(n);
		if (!*chain)
			return -ENOMEM;
		memcpy(*chain, p, n);
		*len = n;
		return 0;
	}
	return -ENOENT;
}

static void kernel_store(void *ctx, uint32_t hash, const uint8_t *digest, const uint8_t *chain,
			 size_t len)
{
	/* the whole set is committed after the attestation */
	(void)ctx, (void)hash, (void)digest, (void)chain, (void)len;
}

int kernel_cache_load(struct kernel_cache *kc, struct tsmh_nl *nl, const char *dev, char *why,
		      size_t whylen)
{
	struct tsmh_evidence_get_opts o = { .type_mask = 0xffu << TSMH_EV_CERT0 };
	int ret;

	memset(kc, 0, sizeof(*kc));
	kc->cache = (struct tsmh_chain_cache){ .lookup = kernel_lookup,
					       .store = kernel_store,
					       .ctx = kc };
	ret = tsmh_evidence_get(nl, dev, &o, &kc->ev, why, whylen);
	if (ret == -ENOENT) /* nothing held yet: an empty cache */
		ret = 0;
	return ret;
}

void kernel_cache_free(struct kernel_cache *kc)
{
	tsmh_evidence_free(&kc->ev);
}

/*
 * The same cache over an evidence set the caller read itself (tests and
 * fuzzers: no netlink); @ev's objects become @kc's, freed with it.
 */
void kernel_cache_from(struct kernel_cache *kc, const struct tsmh_evidence *ev)
{
	memset(kc, 0, sizeof(*kc));
	kc->cache = (struct tsmh_chain_cache){ .lookup = kernel_lookup,
					       .store = kernel_store,
					       .ctx = kc };
	kc->ev = *ev;
}
