/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmh-emu: the device emulator. It answers DOE data objects for emulated
 * TEE-IO endpoints, reaching it either through the sim module's character
 * device (/dev/tsmh_sim) or over the DMTF spdm-emu socket protocol.
 */
#ifndef TSMH_EMU_H
#define TSMH_EMU_H

#include <stddef.h>
#include <stdint.h>
#include "spdm.h"

/* Fault menu (selectable per run; more arrive with full SPDM). */
enum {
	EMU_FAULT_SILENT = 1u << 0, /* never answer (host times out) */
	EMU_FAULT_DOE_ERROR = 1u << 1, /* set the DOE Error bit instead */
	EMU_FAULT_BAD_LENGTH = 1u << 2, /* DOE length field disagrees with data */
	EMU_FAULT_WRONG_PROT = 1u << 3, /* answer with another protocol's header */
	EMU_FAULT_UNPLUG = 1u << 4, /* drop off the bus on a CMA request (sim only) */
	EMU_FAULT_BAD_SAN = 1u << 5, /* leaf identity under the wrong SAN OID */
	EMU_FAULT_UNKNOWN_ROOT = 1u << 6, /* export a root that did not sign the chain */
};

struct emu_dev_cfg {
	struct spdm_ver vers[SPDM_MAX_VERSIONS];
	int nr_vers;
	unsigned int faults;
	uint32_t cap_flags; /* CAPABILITIES flags advertised */
	uint32_t asym, hash; /* algorithms the device could sign/hash with */
	/* slot 0 certificate chain (SPDM format, SHA-384) or NULL */
	const uint8_t *chain;
	size_t chain_len;
	const uint8_t *chain_digest; /* 48 bytes */
};

#define EMU_DATA_TRANSFER_SIZE 4096

/* SPDM connection state of one device (one per slot / socket client). */
enum emu_conn_state { EMU_CONN_NONE, EMU_CONN_VERSION, EMU_CONN_CAPS, EMU_CONN_NEGOTIATED };

struct emu_conn {
	enum emu_conn_state state;
	uint8_t ver; /* negotiated (0 before GET_CAPABILITIES) */
	struct spdm_caps req_caps;
	struct spdm_algs sel;
};

/*
 * Answer one request data object (DOE header included).
 * Returns the response object length, 0 for "no answer" (silent), or -1
 * for "the mailbox reports Error".
 */
long emu_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req, size_t len,
		 uint8_t *rsp, size_t cap);
/* The SPDM responder: returns the response message length (> 0). */
size_t emu_spdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap);
/* The defaults: SPDM 1.2 and 1.3, ECDSA P-256/P-384 and RSA-3072, SHA-256/384. */
void emu_cfg_defaults(struct emu_dev_cfg *d);
/* Parse "silent,doe-error,..."; 0 or -1 with *bad set to the bad word. */
int emu_faults_parse(const char *s, unsigned int *faults, const char **bad);

#endif
