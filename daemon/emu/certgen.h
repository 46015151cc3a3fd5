/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef TSMH_EMU_CERTGEN_H
#define TSMH_EMU_CERTGEN_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "emu.h"

/*
 * The device's identity: one root CA and one intermediate CA (ECDSA P-384)
 * and, for every signing key kind in @asym and every slot, a leaf key and
 * certificate, each in SPDM chain format for SHA-256 and SHA-384.
 */
struct emu_identity {
	X509 *root;
	uint32_t asym; /* SPDM_ASYM_* with keys */
	int nr_slots;
	struct emu_chain chain[EMU_NR_KEYS][EMU_MAX_SLOTS];
};

/*
 * Make a fresh identity; @cma_identity is the "Vendor=...:Device=..."
 * string for each leaf's SAN (with @bad_san, under a wrong OID, for the
 * fault menu). @asym: SPDM_ASYM_ECDSA_P256/P384, RSASSA/RSAPSS_3072.
 * 0 or -1.
 */
int emu_identity_make(struct emu_identity *id, uint32_t asym, int nr_slots,
		      const char *cma_identity, int bad_san);
int emu_identity_export_root(const struct emu_identity *id, const char *path);
void emu_identity_free(struct emu_identity *id);

#endif
