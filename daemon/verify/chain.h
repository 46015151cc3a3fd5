/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Certificate chain verification with OpenSSL (userspace only; the kernel
 * never parses X.509 for policy): SPDM chain framing, RootHash, the chain
 * digest from DIGESTS, path validation to the configured trust anchors,
 * and the PCIe CMA leaf rules (not a CA, digitalSignature, the CMA identity
 * in a SubjectAltName otherName of OID 2.23.147).
 */
#ifndef TSMH_VERIFY_CHAIN_H
#define TSMH_VERIFY_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#define TSMH_CMA_SAN_OID "2.23.147"

struct tsmh_leaf_info {
	char subject[256];
	char identity[256]; /* the CMA SAN string, e.g. "Vendor=1b36:Device=1e10:..." */
	char key[32]; /* e.g. "EC P-384" */
	char anchor[320]; /* the trust anchor that verified: subject (file, sha256 prefix) */
	uint8_t spki_sha384[48]; /* SHA-384 of the leaf's DER SubjectPublicKeyInfo */
	int nr_certs;
	/* what a tsmh_chain_rec (chainrec.h) records of a chain that verified */
	uint8_t anchor_sha256[32]; /* SHA-256 of the anchor's DER */
	int64_t not_before, not_after; /* every certificate of the path valid in between */
	int rechecked; /* tsmh_recheck_chain(): signatures taken from the record */
};

/*
 * @trust: a PEM file, or a directory whose *.pem / *.crt files are trust
 * anchors (every one is tried: two roots may share a subject name; the one
 * that verified is described in @leaf->anchor). @digest (may be NULL): the slot's digest from DIGESTS, checked
 * against the hash of the whole chain. @base_hash: SPDM_HASH_*.
 * Returns 0, or -errno with @why naming the check that failed.
 */
int tsmh_verify_chain(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		      const char *trust, struct tsmh_leaf_info *leaf, char *why, size_t whylen);

struct tsmh_chain_rec;

/*
 * Re-attestation: a chain this verifier verified before, by its record
 * @rec. Re-checked here: the chain's digest (@digest, from a fresh
 * DIGESTS) and framing, that the anchor @rec names is still one of the
 * anchors in @trust (by the SHA-256 of its DER), that now is inside the
 * window in which every certificate of the path is valid, and the leaf
 * rules (key type and size, not a CA, digitalSignature, the CMA identity).
 * Taken from the record: that the path's signatures verified, which they
 * cannot stop doing while the bytes, the anchor and the time window are
 * unchanged. @leaf as tsmh_verify_chain() fills it, rechecked set.
 * Returns 0; -ESTALE with @why if the record no longer applies (anchor no
 * longer trusted, outside the window): verify the chain in full instead;
 * or another -errno with @why (the chain itself is bad).
 */
int tsmh_recheck_chain(const uint8_t *chain, size_t len, uint32_t base_hash, const uint8_t *digest,
		       const char *trust, const struct tsmh_chain_rec *rec,
		       struct tsmh_leaf_info *leaf, char *why, size_t whylen);

#endif
