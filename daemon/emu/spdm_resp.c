// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the SPDM responder. GET_VERSION is answered per DSP0274
 * 10.3; every other request gets ERROR(UnsupportedRequest) until the full
 * responder lands (issue: SPDM/CMA authentication end to end).
 */
#include "emu.h"

size_t emu_spdm_respond(const struct emu_dev_cfg *d, const uint8_t *req, size_t len, uint8_t *rsp,
			size_t cap)
{
	size_t n;

	if (cap < 4)
		return 0;
	if (len < 4)
		return spdm_enc_error(SPDM_VERSION_10, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	if (req[1] == SPDM_GET_VERSION) {
		if (req[0] != SPDM_VERSION_10)
			return spdm_enc_error(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, rsp);
		n = spdm_enc_version(d->vers, d->nr_vers, rsp, cap);
		return n ? n : spdm_enc_error(SPDM_VERSION_10, SPDM_ERR_UNSPECIFIED, 0, rsp);
	}
	return spdm_enc_error(req[0], SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
}
