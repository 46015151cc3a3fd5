// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: the device emulator's responder on arbitrary request objects. */
#include <stdint.h>
#include <string.h>
#include "certgen.h"
#include "doe.h"
#include "emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[4096];
	static struct emu_conn conn; /* state carries over: sequences matter */
	static struct emu_identity id; /* keys for CHALLENGE and measurements */
	struct emu_dev_cfg cfg;
	long n;

	if (!id.root && emu_identity_make(&id, SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384, 2,
					  "Vendor=1b36:Device=1e10", 0))
		__builtin_trap();
	emu_cfg_defaults(&cfg);
	emu_cfg_use_chains(&cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])id.chain, id.asym, 3);
	if (size && (data[0] & 0x80))
		cfg.faults = ((unsigned int)data[0] << 4 | (data[0] & 0x0f)) & ~EMU_FAULT_SILENT &
			     ~EMU_FAULT_UNPLUG;
	n = emu_respond(&cfg, &conn, data, size, rsp, sizeof(rsp));
	if (n > (long)sizeof(rsp))
		__builtin_trap();
	if (n > 0 && !cfg.faults) {
		uint16_t vid;
		uint8_t type;

		/* every answer is a well-formed data object */
		if (tsmh_doe_obj_check(rsp, (uint32_t)n, &vid, &type))
			__builtin_trap();
	}
	return 0;
}
