/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The verifier's record of a certificate chain that verified: which slot,
 * the chain's digest, the SHA-256 of the DER of the trust anchor it
 * verified against, and the window in which every certificate on the path
 * (the anchor included) is valid. Re-attestation (attest.h) uses it to
 * skip the chain's signatures, re-checking what may have changed since:
 * the anchor still trusted, the time still inside the window.
 *
 * Text, one line per record, after a header line (so that an
 * administrator can read it in the kernel's evidence, object "verified"):
 *   tsmh-chain-verified 1
 *   slot 0 sha384 <digest hex> anchor-sha256 <hex> not-before <s> not-after <s>
 * Times are seconds since the epoch (UTC). The parser is strict: any other
 * text is an error, never a partial record set.
 */
#ifndef TSMH_VERIFY_CHAINREC_H
#define TSMH_VERIFY_CHAINREC_H

#include <stddef.h>
#include <stdint.h>
#include "cert.h"

#define TSMH_CHAIN_REC_MAX  8 /* one per slot */
#define TSMH_CHAIN_REC_LINE 256 /* longest line, newline and NUL included */

struct tsmh_chain_rec {
	uint8_t slot;
	uint32_t hash; /* SPDM_HASH_* the digest is in */
	uint8_t digest[SPDM_MAX_HASH];
	uint8_t anchor_sha256[32];
	int64_t not_before, not_after;
};

/* The header line followed by @n records, NUL-terminated; bytes written (no NUL), 0 if too small. */
size_t tsmh_chain_rec_format(const struct tsmh_chain_rec *r, int n, char *out, size_t len);
/*
 * Parse @len bytes into @r (room for TSMH_CHAIN_REC_MAX); *@n records.
 * 0, or -EBADMSG with @why naming the line and what is wrong.
 */
int tsmh_chain_rec_parse(const char *buf, size_t len, struct tsmh_chain_rec *r, int *n, char *why,
			 size_t whylen);
/*
 * The record in @r[0..n-1] of the chain whose digest is @digest (in
 * @hash), or NULL. The slot does not matter: it is the chain that verified.
 */
const struct tsmh_chain_rec *tsmh_chain_rec_find(const struct tsmh_chain_rec *r, int n,
						 uint32_t hash, const uint8_t *digest);

#endif
