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
		if ((a->slot[s].chain || a->slot[s].kept) && a->slot[s].have_rec)
			recs[n++] = a->slot[s].rec;
		/* a chain the kernel holds in this very slot stays there */
		if (a->slot[s].kept) {
			ev.obj[TSMH_EV_CERT0 + s].len = 0;
			ev.keep_mask |= 1u << (TSMH_EV_CERT0 + s);
			ev.keep_generation = a->keep_generation;
		}
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
	if (ret == -EINVAL && ev.obj[TSMH_EV_VERIFIED].len && !ev.keep_mask) {
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
	size_t hl = spdm_hash_len(hash);
	int s;

	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const uint8_t *p = kc->ev.obj[TSMH_EV_CERT0 + s].data;
		size_t n = kc->ev.obj[TSMH_EV_CERT0 + s].len;

		if (!p || !n)
			continue;
		/* each object hashed once per attestation, not once per slot looked up */
		if (kc->dg_hash[s] != hash) {
			if (tsmh_hash(hash, p, n, kc->dg[s]) != hl)
				continue;
			kc->dg_hash[s] = hash;
		}
		if (memcmp(kc->dg[s], digest, hl))
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

/* Lazy mode: read the certificate objects @mask names into kc->ev, if still the same set. */
static int kernel_read_certs(struct kernel_cache *kc, uint32_t mask)
{
	struct tsmh_evidence_get_opts o = { 0 };
	struct tsmh_evidence ev;
	char why[256];
	int t;

	mask &= kc->ev.present & ~kc->have;
	if (!mask)
		return 0;
	o.type_mask = mask;
	if (tsmh_evidence_get(kc->nl, kc->dev, &o, &ev, why, sizeof(why)))
		return -ENOENT;
	/* another set meanwhile: its chains are not the ones the record describes */
	if (ev.generation != kc->ev.generation) {
		tsmh_evidence_free(&ev);
		kc->cache.keep_generation = 0;
		return -ENOENT;
	}
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!(mask & (1u << t)))
			continue;
		kc->ev.obj[t].data = ev.obj[t].data;
		kc->ev.obj[t].len = ev.obj[t].len;
		ev.obj[t].data = NULL;
	}
	kc->have |= mask;
	tsmh_evidence_free(&ev);
	return 0;
}

static int kernel_lookup_lazy(void *ctx, uint32_t hash, const uint8_t *digest, uint8_t **chain,
			      size_t *len)
{
	struct kernel_cache *kc = ctx;
	struct tsmh_chain_rec rec;

	/* the record says which object holds the chain: read that one only */
	if (!kernel_record(kc, hash, digest, &rec))
		kernel_read_certs(kc, 1u << (TSMH_EV_CERT0 + rec.slot));
	if (!kernel_lookup(kc, hash, digest, chain, len))
		return 0;
	kernel_read_certs(kc, 0xffu << TSMH_EV_CERT0);
	return kernel_lookup(kc, hash, digest, chain, len);
}

int kernel_cache_load(struct kernel_cache *kc, struct tsmh_nl *nl, const char *dev, int lazy,
		      char *why, size_t whylen)
{
	struct tsmh_evidence_get_opts o = { .type_mask = 1u << TSMH_EV_VERIFIED };
	int ret;

	memset(kc, 0, sizeof(*kc));
	kc->cache = (struct tsmh_chain_cache){
		.lookup = lazy ? kernel_lookup_lazy : kernel_lookup,
		.store = kernel_store,
		.record = kernel_record,
		.ctx = kc,
	};
	kc->nl = nl;
	kc->dev = dev;
	if (!lazy)
		o.type_mask |= 0xffu << TSMH_EV_CERT0;
	ret = tsmh_evidence_get(nl, dev, &o, &kc->ev, why, whylen);
	if (ret == -ENOENT) /* nothing held yet: an empty cache */
		return 0;
	if (!ret && lazy && kc->ev.generation)
		kc->cache.keep_generation = kc->ev.generation;
	kc->have = o.type_mask;
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
	kc->cache = (struct tsmh_chain_cache){
		.lookup = kernel_lookup, .store = kernel_store, .record = kernel_record, .ctx = kc
	};
	kc->ev = *ev;
}
