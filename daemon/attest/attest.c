// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * One device attestation. See attest.h.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "attest.h"
#include "fileio.h"
#include "hex.h"
#include "sig.h"

/* ---- a chain cache in a directory ---- */

static void cache_name(uint32_t hash, const uint8_t *digest, const char *ext, char *out, size_t len)
{
	char hx[2 * SPDM_MAX_HASH + 1];

	tsmh_hex_format(digest, spdm_hash_len(hash), hx);
	snprintf(out, len, "%s.%s", hx, ext);
}

static int dir_lookup(void *ctx, uint32_t hash, const uint8_t *digest, uint8_t **chain, size_t *len)
{
	uint8_t *buf = malloc(SPDM_MAX_CHAIN), dg[SPDM_MAX_HASH];
	char name[2 * SPDM_MAX_HASH + 16];
	ssize_t n;
	int fd;

	if (!buf)
		return -ENOMEM;
	cache_name(hash, digest, "spdmchain", name, sizeof(name));
	/* only a regular file in the directory itself, not through a symlink */
	fd = openat((int)(intptr_t)ctx, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, SPDM_MAX_CHAIN);
	if (fd >= 0)
		close(fd);
	/* a cache entry is only as good as its hash: check it */
	if (n <= 0 || tsmh_hash(hash, buf, (size_t)n, dg) != spdm_hash_len(hash) ||
	    memcmp(dg, digest, spdm_hash_len(hash))) {
		free(buf);
		return -ENOENT;
	}
	*chain = buf;
	*len = (size_t)n;
	return 0;
}

static void dir_store(void *ctx, uint32_t hash, const uint8_t *digest, const uint8_t *chain,
		      size_t len, const struct tsmh_chain_rec *rec)
{
	char name[2 * SPDM_MAX_HASH + 16], text[2 * TSMH_CHAIN_REC_LINE];
	size_t n;

	cache_name(hash, digest, "spdmchain", name, sizeof(name));
	/*
	 * a cache: a failed store only means fetching the chain again; each
	 * store has its own temporary file, so workers may store at once
	 */
	if (tsmh_write_atomic_at((int)(intptr_t)ctx, name, chain, len, 0600, NULL))
		return;
	/* the record after the chain: a record never names a chain not there */
	n = rec ? tsmh_chain_rec_format(rec, 1, text, sizeof(text)) : 0;
	cache_name(hash, digest, "verified", name, sizeof(name));
	if (n)
		tsmh_write_atomic_at((int)(intptr_t)ctx, name, text, n, 0600, NULL);
}

static int dir_record(void *ctx, uint32_t hash, const uint8_t *digest, struct tsmh_chain_rec *rec)
{
	struct tsmh_chain_rec r[TSMH_CHAIN_REC_MAX];
	const struct tsmh_chain_rec *f;
	char name[2 * SPDM_MAX_HASH + 16], text[2 * TSMH_CHAIN_REC_LINE], why[128];
	ssize_t len;
	int fd, n;

	cache_name(hash, digest, "verified", name, sizeof(name));
	fd = openat((int)(intptr_t)ctx, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	len = fd < 0 ? -1 : read(fd, text, sizeof(text));
	if (fd >= 0)
		close(fd);
	/* unreadable, too long or malformed: no record, the chain is verified in full */
	if (len <= 0 || (size_t)len == sizeof(text) ||
	    tsmh_chain_rec_parse(text, (size_t)len, r, &n, why, sizeof(why)))
		return -ENOENT;
	f = tsmh_chain_rec_find(r, n, hash, digest);
	if (!f)
		return -ENOENT;
	*rec = *f;
	return 0;
}

void tsmh_chain_cache_dir(struct tsmh_chain_cache *c, int dfd)
{
	c->lookup = dir_lookup;
	c->store = dir_store;
	c->record = dir_record;
	c->ctx = (void *)(intptr_t)dfd;
}

/* ---- the attestation ---- */

static int fail(struct tsmh_attest *a, const char *step, int ret)
{
	a->step = step;
	return ret;
}

/* "slot N: " before @why */
static void why_slot(char *why, size_t whylen, int s)
{
	char pre[64];

	snprintf(pre, sizeof(pre), "slot %d: ", s);
	if (strlen(why) + strlen(pre) < whylen) {
		memmove(why + strlen(pre), why, strlen(why) + 1);
		memcpy(why, pre, strlen(pre));
	}
}

static void rec_of(struct tsmh_attest_slot *sl, int s, uint32_t h, const uint8_t *digest)
{
	sl->rec = (struct tsmh_chain_rec){ .slot = (uint8_t)s,
					   .hash = h,
					   .not_before = sl->leaf.not_before,
					   .not_after = sl->leaf.not_after };
	memcpy(sl->rec.digest, digest, spdm_hash_len(h));
	memcpy(sl->rec.anchor_sha256, sl->leaf.anchor_sha256, sizeof(sl->rec.anchor_sha256));
	sl->have_rec = 1;
}

/*
 * Re-attestation, a slot whose digest the cache has a record of: carried
 * over (not the attested slot), or re-checked. 1: done; 0: verify it in
 * full (the chain fetched or looked up as usual); -errno.
 */
static int reuse_slot(const struct tsmh_attest_opts *o, struct tsmh_attest *a, int s, char *why,
		      size_t whylen)
{
	const struct tsmh_chain_cache *c = o->cache;
	struct tsmh_attest_slot *sl = &a->slot[s];
	uint32_t h = a->ci.algs.base_hash;
	const uint8_t *dg = a->digests.digest[s];
	int ret;

	if (!c || !o->reattest || !c->record || c->record(c->ctx, h, dg, &sl->rec))
		return 0;
	/* the cache's copy can be kept where it is, or must be copied out */
	sl->kept = c->keep_generation && sl->rec.slot == s;
	sl->rec.slot = (uint8_t)s;
	if (s != o->slot && sl->kept) {
		a->keep_generation = c->keep_generation;
		goto carried;
	}
	if (c->lookup(c->ctx, h, dg, &sl->chain, &sl->len)) {
		/* a record without its chain: verify in full */
		sl->kept = 0;
		return 0;
	}
	sl->from_cache = 1;
	a->cached |= (uint8_t)(1u << s);
	if (sl->kept)
		a->keep_generation = c->keep_generation;
	if (s != o->slot)
		goto carried;
	ret = tsmh_recheck_chain(sl->chain, sl->len, h, dg, o->trust, &sl->rec, &sl->leaf, why,
				 whylen);
	if (!ret) {
		sl->have_rec = 1;
		return 1;
	}
	if (ret != -ESTALE)
		return ret;
	/* the record no longer applies: say why, and verify in full */
	snprintf(a->recheck_why, sizeof(a->recheck_why), "slot %d: %s", s, why);
	why[0] = 0;
	return -EAGAIN;
carried:
	sl->from_cache = 1;
	sl->carried = 1;
	sl->have_rec = 1;
	a->cached |= (uint8_t)(1u << s);
	a->carried |= (uint8_t)(1u << s);
	return 1;
}

static int get_chains(struct spdm_transport *t, const struct tsmh_attest_opts *o,
		      struct tsmh_attest *a, char *why, size_t whylen)
{
	uint32_t h = a->ci.algs.base_hash;
	int s, ret;

	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		struct tsmh_attest_slot *sl = &a->slot[s];
		int store = 1;

		if (!(a->digests.provisioned & (1u << s)))
			continue;
		ret = reuse_slot(o, a, s, why, whylen);
		if (ret < 0 && ret != -EAGAIN) {
			why_slot(why, whylen, s);
			return fail(a, "verify chain", ret);
		}
		if (ret == 1)
			continue;
		if (ret == -EAGAIN) {
			/* re-checked and stale: the chain is in hand, verify it; a new record */
		} else if (o->cache && !o->cache->lookup(o->cache->ctx, h, a->digests.digest[s],
							 &sl->chain, &sl->len)) {
			sl->from_cache = 1;
			a->cached |= (uint8_t)(1u << s);
			/* a record to write only if re-attestation looked for one */
			store = o->reattest && o->cache->record;
		} else {
			sl->kept = 0;
			sl->chain = malloc(SPDM_MAX_CHAIN);
			if (!sl->chain)
				return fail(a, "GET_CERTIFICATE", -ENOMEM);
			ret = spdm_get_chain(t, &a->ci, (uint8_t)s, sl->chain, SPDM_MAX_CHAIN,
					     &sl->len, why, whylen);
			if (ret)
				return fail(a, "GET_CERTIFICATE", ret);
			a->fetched |= (uint8_t)(1u << s);
		}
		ret = tsmh_verify_chain(sl->chain, sl->len, h, a->digests.digest[s], o->trust,
					&sl->leaf, why, whylen);
		if (ret) {
			why_slot(why, whylen, s);
			return fail(a, "verify chain", ret);
		}
		rec_of(sl, s, h, a->digests.digest[s]);
		if (o->cache && store)
			o->cache->store(o->cache->ctx, h, a->digests.digest[s], sl->chain, sl->len,
					&sl->rec);
	}
	return 0;
}

static int verify_sig(struct tsmh_attest *a, const char *step, const char *context,
		      const struct spdm_tx *tx, const uint8_t *sig, uint8_t slot, char *why,
		      size_t whylen)
{
	struct tsmh_attest_slot *sl = &a->slot[slot];
	EVP_PKEY *key =
		tsmh_chain_leaf_key(sl->chain, sl->len, spdm_hash_len(a->ci.algs.base_hash));
	char r[200];
	int ret;

	if (!key)
		return spdm_why(why, whylen, -EBADMSG, "%s: no public key in slot %u's leaf", step,
				slot);
	ret = tsmh_spdm_verify(key, a->ci.ver, a->ci.algs.base_asym, a->ci.algs.base_hash, context,
			       tx->buf, tx->len, sig, r, sizeof(r));
	EVP_PKEY_free(key);
	return ret ? spdm_why(why, whylen, ret, "%s: %s", step, r) : 0;
}

/* All measurement blocks, signed by @o->slot's key over a fresh nonce, verified. */
static int measure(struct spdm_transport *t, const struct tsmh_attest_opts *o,
		   struct tsmh_attest *a, char *why, size_t whylen)
{
	int ret = spdm_get_measurements(t, &a->ci, o->slot, 1, &a->meas, why, whylen);

	if (ret)
		return fail(a, "GET_MEASUREMENTS", ret);
	ret = verify_sig(a, "GET_MEASUREMENTS", SPDM_CTX_MEASUREMENTS, &a->meas.transcript,
			 a->meas.sig, o->slot, why, whylen);
	if (ret)
		return fail(a, "verify MEASUREMENTS", ret);
	a->meas_verified = 1;
	return 0;
}

int tsmh_attest_run(struct spdm_transport *t, const struct tsmh_attest_opts *o,
		    struct tsmh_attest *a, char *why, size_t whylen)
{
	uint8_t dg[SPDM_MAX_HASH], summary;
	size_t hl;
	int ret;

	memset(a, 0, sizeof(*a));
	ret = spdm_vca(t, &a->ci, why, whylen);
	if (ret)
		return fail(a, "VCA", ret);
	ret = spdm_get_digests(t, &a->ci, &a->digests, why, whylen);
	if (ret)
		return fail(a, "GET_DIGESTS", ret);
	if (!(a->digests.provisioned & (1u << o->slot)))
		return fail(a, "GET_DIGESTS",
			    spdm_why(why, whylen, -ENOENT,
				     "GET_DIGESTS: slot %u has no certificate chain (slots %#x)",
				     o->slot, a->digests.provisioned));
	ret = get_chains(t, o, a, why, whylen);
	if (ret)
		return ret;

	hl = spdm_hash_len(a->ci.algs.base_hash);
	/* a re-attestation is one of a chain known before (its digest unchanged) */
	if (o->reattest && a->slot[o->slot].from_cache && !o->no_measurements &&
	    (a->ci.caps.flags & SPDM_CAP_MEAS_SIG)) {
		a->reattested = 1; /* the mode, also when it fails */
		return measure(t, o, a, why, whylen);
	}
	summary = !o->no_measurements &&
				  (a->ci.caps.flags & (SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_NO_SIG))
			  ? SPDM_MEAS_SUMMARY_ALL
			  : SPDM_MEAS_SUMMARY_NONE;
	ret = spdm_challenge(t, &a->ci, o->slot, summary, &a->chal, why, whylen);
	if (ret)
		return fail(a, "CHALLENGE", ret);
	if (memcmp(a->chal.chain_hash, a->digests.digest[o->slot], hl))
		return fail(a, "CHALLENGE",
			    spdm_why(why, whylen, -EBADMSG,
				     "CHALLENGE: CertChainHash is not slot %u's digest", o->slot));
	ret = verify_sig(a, "CHALLENGE", SPDM_CTX_CHALLENGE_AUTH, &a->chal.transcript, a->chal.sig,
			 o->slot, why, whylen);
	if (ret)
		return fail(a, "verify CHALLENGE_AUTH", ret);
	a->chal_verified = 1;
	if (o->no_measurements || !(a->ci.caps.flags & SPDM_CAP_MEAS_SIG))
		return 0;

	ret = measure(t, o, a, why, whylen);
	if (ret)
		return ret;
	/* CHALLENGE_AUTH's summary covers the same blocks, fetched later */
	if (!tsmh_hash(a->ci.algs.base_hash, a->meas.record, a->meas.record_len, dg) ||
	    memcmp(dg, a->chal.summary, hl))
		return fail(a, "GET_MEASUREMENTS",
			    spdm_why(why, whylen, -EBADMSG,
				     "GET_MEASUREMENTS: blocks do not match CHALLENGE_AUTH's "
				     "measurement summary hash (changed in between?)"));
	a->summary_matched = 1;
	return 0;
}

void tsmh_attest_free(struct tsmh_attest *a)
{
	int s;

	for (s = 0; s < SPDM_MAX_SLOTS; s++)
		free(a->slot[s].chain);
	spdm_conn_free(&a->ci);
	spdm_challenge_free(&a->chal);
	spdm_meas_free(&a->meas);
	memset(a, 0, sizeof(*a));
}
