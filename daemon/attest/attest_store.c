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
 * length the asymmetric algorithm gives; not after a re-attestation, which
 * sends none), measurements (the signed MEASUREMENTS response),
 * meas-transcript (the transcript its signature covers) and verified (the
 * verifier's record of every chain that verified: chainrec.h). Metadata:
 * provenance spdm, taken with no TDI locked.
 *
 * The kernel's chains and records are what re-attestation trusts (attest.h):
 * only CAP_SYS_ADMIN can commit evidence, the authority that also installs
 * the trust anchors and releases the driver gate; a record is re-checked
 * against the current anchors and time before it is used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attest_store.h"
#include "sig.h"

int attest_store(struct tsmh_nl *nl, const char *dev, const struct tsmh_attest *a,
		 uint64_t *generation, char *why, size_t whylen)
{
	struct tsmh_evidence ev = { 0 };
	uint8_t *chal = malloc(a->chal.transcript.len + a->chal.sig_len + 1);
	struct tsmh_chain_rec recs[TSMH_CHAIN_REC_MAX];
	char text[(TSMH_CHAIN_REC_MAX + 1) * TSMH_CHAIN_REC_LINE];
	int s, n = 0, ret;

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
		if (a->slot[s].chain && a->slot[s].have_rec)
			recs[n++] = a->slot[s].rec;
	}
	ev.obj[TSMH_EV_VERIFIED].data = (uint8_t *)text;
	ev.obj[TSMH_EV_VERIFIED].len = n ? tsmh_chain_rec_format(recs, n, text, sizeof(text)) : 0;
	ev.obj[TSMH_EV_VCA].data = a->ci.vca.buf;
	ev.obj[TSMH_EV_VCA].len = a->ci.vca.len;
	memcpy(chal, a->chal.transcript.buf, a->chal.transcript.len);
	memcpy(chal + a->chal.transcript.len, a->chal.sig, a->chal.sig_len);
	ev.obj[TSMH_EV_CHALLENGE].data = chal;
	ev.obj[TSMH_EV_CHALLENGE].len =
		a->chal_verified ? a->chal.transcript.len + a->chal.sig_len : 0;
	if (a->meas_verified) {
		ev.obj[TSMH_EV_MEASUREMENTS].data = a->meas.rsp;
		ev.obj[TSMH_EV_MEASUREMENTS].len = a->meas.rsp_len;
		ev.obj[TSMH_EV_MEAS_TRANSCRIPT].data = a->meas.transcript.buf;
		ev.obj[TSMH_EV_MEAS_TRANSCRIPT].len = a->meas.transcript.len;
	}
	ret = tsmh_evidence_put(nl, dev, &ev, generation, why, whylen);
	if (ret == -EINVAL && ev.obj[TSMH_EV_VERIFIED].len) {
		/*
		 * a tsmh_core older than ABI 4 (loaded before an upgrade) does not
		 * know the record: commit without it; the next re-attestation then
		 * verifies the chains in full
		 */
		ev.obj[TSMH_EV_VERIFIED].len = 0;
		ret = tsmh_evidence_put(nl, dev, &ev, generation, why, whylen);
	}
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
			 size_t len, const struct tsmh_chain_rec *rec)
{
	/* the whole set is committed after the attestation */
	(void)ctx, (void)hash, (void)digest, (void)chain, (void)len, (void)rec;
}

static int kernel_record(void *ctx, uint32_t hash, const uint8_t *digest,
			 struct tsmh_chain_rec *rec)
{
	struct kernel_cache *kc = ctx;
	const struct tsmh_chain_rec *f;
	const uint8_t *p = kc->ev.obj[TSMH_EV_VERIFIED].data;
	char why[128];

	/* parsed once; a malformed record is no record (chains verified in full) */
	if (!kc->recs_parsed) {
		kc->recs_parsed = 1;
		if (!p || tsmh_chain_rec_parse((const char *)p, kc->ev.obj[TSMH_EV_VERIFIED].len,
					       kc->recs, &kc->nr_recs, why, sizeof(why)))
			kc->nr_recs = 0;
	}
	f = tsmh_chain_rec_find(kc->recs, kc->nr_recs, hash, digest);
	if (!f)
		return -ENOENT;
	*rec = *f;
	return 0;
}

int kernel_cache_load(struct kernel_cache *kc, struct tsmh_nl *nl, const char *dev, char *why,
		      size_t whylen)
{
	struct tsmh_evidence_get_opts o = { .type_mask = 0xffu << TSMH_EV_CERT0 |
							 1u << TSMH_EV_VERIFIED };
	int ret;

	memset(kc, 0, sizeof(*kc));
	kc->cache = (struct tsmh_chain_cache){
		.lookup = kernel_lookup, .store = kernel_store, .record = kernel_record, .ctx = kc
	};
	ret = tsmh_evidence_get(nl, dev, &o, &kc->ev, why, whylen);
	if (ret == -ENOENT) /* nothing held yet: an empty cache */
		ret = 0;
	return ret;
}

void kernel_cache_free(struct kernel_cache *kc)
{
	tsmh_evidence_free(&kc->ev);
}
