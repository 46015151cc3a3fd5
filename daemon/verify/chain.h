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

#endif
