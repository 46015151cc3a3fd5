/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Kernel-held device evidence, client side (tsmctl, tsmd, tsmctl attest):
 * hand a whole evidence set to tsmh_core and read it back. The ABI is in
 * include/uapi/linux/tsmh.h ("Evidence"); the rules the kernel enforces on
 * uploads are in lib/ev_rules.h.
 *
 * Errors: -errno, with a one-line reason naming the device in @why (the
 * kernel's extended ACK message included when there is one).
 */
#ifndef TSMH_EVIDENCE_H
#define TSMH_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include "nl.h"

struct tsmh_evidence {
	/* metadata: set by the writer (put), filled by get */
	uint32_t provenance; /* enum tsmh_ev_provenance; put needs one */
	uint32_t locked; /* enum tsmh_ev_locked */
	uint32_t spdm_version; /* SPDMVersion byte, e.g. 0x12 */
	uint32_t hash_algo; /* SPDM BaseHashAlgo bit */
	uint32_t asym_algo; /* SPDM BaseAsymAlgo bit */
	uint32_t slot_mask; /* SPDM slot mask (bits 0-7) */
	/*
	 * put only: BIT(type) of objects the kernel copies from the device's
	 * current set, which must be generation keep_generation (ABI 4;
	 * -ESTALE if it was replaced); such objects have len 0 here
	 */
	uint32_t keep_mask;
	uint64_t keep_generation;
	/* filled by get (ignored by put) */
	uint64_t generation;
	uint64_t time_ns; /* commit time, ns since the epoch */
	uint32_t present; /* BIT(type) of every object the kernel holds */
	uint64_t reset_count; /* the device's reset count when it was taken */
	int have_reset_count; /* the kernel said (it does from ABI 3 on) */
	uint32_t digest_algo; /* enum tsmh_ev_digest */
	struct {
		/*
		 * put: the caller's bytes (len 0: no such object).
		 * get: malloc'd by the library (free with tsmh_evidence_free());
		 * NULL after a digest-only read, len is still the size.
		 */
		uint8_t *data;
		size_t len;
		uint8_t digest[TSMH_EV_DIGEST_MAX]; /* get with TSMH_EV_GET_F_DIGEST */
		size_t digest_len;
	} obj[TSMH_EV_NR];
};

/*
 * Upload every object with len > 0, then commit them with the metadata as
 * the device's new evidence set. Discards anything this socket had staged
 * for the device before, and on failure discards what it uploaded, so the
 * device keeps its previous set. *generation (may be NULL): the committed
 * set's generation. Returns 0 or -errno.
 */
int tsmh_evidence_put(struct tsmh_nl *nl, const char *dev, const struct tsmh_evidence *ev,
		      uint64_t *generation, char *why, size_t whylen);

struct tsmh_evidence_get_opts {
	uint32_t type_mask; /* BIT(type) to read; 0: all */
	uint32_t flags; /* TSMH_EV_GET_F_* */
	unsigned int attempts; /* reads started before giving up on -EAGAIN; 0: 5 */
	/* Called for every message; non-zero aborts the read with that value. */
	int (*progress)(void *arg, unsigned int attempt, uint64_t bytes);
	void *arg;
};

/*
 * Read the device's evidence set into @out (zeroed first). If the set is
 * replaced during the read, the read starts again (up to opts->attempts
 * times) and fails with -EAGAIN if it keeps changing. -ENOENT: the device
 * holds no evidence. @opts may be NULL.
 */
int tsmh_evidence_get(struct tsmh_nl *nl, const char *dev,
		      const struct tsmh_evidence_get_opts *opts, struct tsmh_evidence *out,
		      char *why, size_t whylen);
void tsmh_evidence_free(struct tsmh_evidence *ev);

/* Building blocks of put, for tools and tests. */
int tsmh_evidence_put_chunk(struct tsmh_nl *nl, const char *dev, uint32_t type, uint32_t off,
			    uint32_t total, const void *data, size_t len);
int tsmh_evidence_commit(struct tsmh_nl *nl, const char *dev, const struct tsmh_evidence *meta,
			 uint64_t *generation);
int tsmh_evidence_abort(struct tsmh_nl *nl, const char *dev);

/*
 * Reassembly of EVIDENCE_GET messages into a struct tsmh_evidence (the
 * parser get uses; separate so it can be tested and fuzzed on its own).
 */
struct tsmh_ev_asm {
	struct tsmh_evidence *ev;
	uint32_t mask;
	uint32_t flags;
	int have_meta;
	uint64_t bytes;
	size_t got[TSMH_EV_NR]; /* bytes received per object */
	uint8_t seen[TSMH_EV_NR];
};

void tsmh_ev_asm_init(struct tsmh_ev_asm *a, struct tsmh_evidence *ev, uint32_t mask,
		      uint32_t flags);
/* One message's attributes. 0, or -EBADMSG/-ENOMEM with @why set. */
int tsmh_ev_asm_msg(struct tsmh_ev_asm *a, struct nlattr *attrs, int len, char *why, size_t whylen);
/* After the last message: every expected object complete? */
int tsmh_ev_asm_finish(struct tsmh_ev_asm *a, char *why, size_t whylen);

#endif
