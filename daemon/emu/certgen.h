/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef TSMH_EMU_CERTGEN_H
#define TSMH_EMU_CERTGEN_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

struct emu_identity {
	uint8_t chain[8192]; /* SPDM chain format, slot 0 */
	size_t chain_len;
	uint8_t digest[48]; /* SHA-384 of the chain */
	X509 *root;
	EVP_PKEY *leaf_key;
};

/*
 * A fresh root -> intermediate -> leaf chain; @cma_identity is the
 * "Vendor=...:Device=..." string for the leaf's SAN (with @bad_san, under a
 * wrong OID, for the fault menu). 0 or -1.
 */
int emu_identity_make(struct emu_identity *id, const char *cma_identity, int bad_san);
int emu_identity_export_root(const struct emu_identity *id, const char *path);
void emu_identity_free(struct emu_identity *id);

#endif
