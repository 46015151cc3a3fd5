// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the session decoders on arbitrary bytes: KEY_EXCHANGE_RSP,
 * FINISH_RSP and the other 4-byte ACKs, KEY_EXCHANGE and FINISH (the
 * responder's side), the secured-message opaque data, and the DSP0277
 * decoder with a fixed session (both AEADs). Byte 0 picks version, sizes
 * and AEAD.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "secured.h"
#include "session_msg.h"

static struct spdm_session sess[2];
static int ready;

static void setup(void)
{
	uint8_t dhe[48], th[48];
	int i;

	memset(dhe, 7, sizeof(dhe));
	memset(th, 9, sizeof(th));
	for (i = 0; i < 2; i++) {
		if (tsmh_ks_handshake(&sess[i].k, 0x12, SPDM_HASH_SHA384,
				      i ? SPDM_AEAD_CHACHA20_POLY : SPDM_AEAD_AES_256_GCM, dhe, 48,
				      th))
			__builtin_trap();
		sess[i].req_id = 0xfffe;
		sess[i].rsp_id = 0x0001;
	}
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_key_exchange_rsp r;
	struct spdm_key_exchange k;
	const uint8_t *v;
	uint8_t e, ver, p1, p2, fmt, app[4096];
	uint16_t vers[SPDM_SM_MAX_VERSIONS], sel;
	size_t dl, hl, sl, al;
	char why[256];
	int n, i;

	if (!ready)
		setup();
	if (!size)
		return 0;
	ver = (uint8_t)(0x12 + (data[0] & 1));
	dl = data[0] & 2 ? 96 : 64;
	hl = data[0] & 4 ? 48 : 32;
	sl = data[0] & 8 ? 96 : 64;
	i = (data[0] >> 4) & 1;
	fmt = data[0] & 0x20 ? SPDM_OPAQUE_FMT0 : SPDM_OPAQUE_FMT1; /* both table formats */
	data++;
	size--;
	if (!spdm_dec_key_exchange_rsp(ver, data, size, dl, hl, size && (data[0] & 1), sl, &r,
				       &e)) {
		if (r.verify + hl > data + size || r.signed_len + sl + hl > size ||
		    r.opaque + r.opaque_len > r.sig)
			__builtin_trap();
		spdm_opaque_parse_selection(fmt, r.opaque, r.opaque_len, &sel);
	}
	if (!spdm_dec_key_exchange(ver, data, size, dl, &k)) {
		if (k.len > size)
			__builtin_trap();
		n = spdm_opaque_parse_supported(fmt, k.opaque, k.opaque_len, vers,
						SPDM_SM_MAX_VERSIONS);
		if (n > SPDM_SM_MAX_VERSIONS)
			__builtin_trap();
	}
	spdm_dec_finish(ver, data, size, hl, &v);
	spdm_dec_hdr(ver, SPDM_FINISH_RSP, data, size, &p1, &p2, &e);
	spdm_dec_hdr(ver, SPDM_KEY_UPDATE_ACK, data, size, &p1, &p2, &e);
	n = spdm_opaque_parse_supported(fmt, data, size, vers, SPDM_SM_MAX_VERSIONS);
	if (n > SPDM_SM_MAX_VERSIONS)
		__builtin_trap();
	spdm_opaque_parse_selection(fmt, data, size, &sel);
	/* the secured-message decoder: state, sequence numbers as the input leaves them */
	sess[i].state = SPDM_SESS_ESTABLISHED;
	sess[i].k.rsp.seq = 0;
	if (!spdm_secured_open(&sess[i], 0, data, size, app, sizeof(app), &al, why, sizeof(why)) &&
	    al > size)
		__builtin_trap();
	return 0;
}
