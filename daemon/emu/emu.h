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
};

struct emu_dev_cfg {
	struct spdm_ver vers[SPDM_MAX_VERSIONS];
	int nr_vers;
	unsigned int faults;
};

/*
 * Answer one request data object (DOE header included).
 * Returns the response object length, 0 for "no answer" (silent), or -1
 * for "the mailbox reports Error".
 */
long emu_respond(const struct emu_dev_cfg *d, const uint8_t *req, size_t len, uint8_t *rsp,
		 size_t cap);
/* The SPDM responder: returns the response message length (> 0). */
size_t emu_spdm_respond(const struct emu_dev_cfg *d, const uint8_t *req, size_t len, uint8_t *rsp,
			size_t cap);
/* Parse "silent,doe-error,..."; 0 or -1 with *bad set to the bad word. */
int emu_faults_parse(const char *s, unsigned int *faults, const char **bad);

#endif
