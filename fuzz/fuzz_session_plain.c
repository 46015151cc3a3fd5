// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the secured-session layer *after* the AEAD, with the keys
 * known (fuzz_session.c stops at the tag): the input is the plaintext a
 * responder sends, sealed with valid keys and opened by the requester's
 * session, then handed to every in-session response decoder the
 * requester uses. Invariants: what is sealed opens to exactly the same
 * bytes; decoders never read past them. Byte 0 picks AEAD, direction and
 * random padding length.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "secured.h"
#include "session_msg.h"

static struct spdm_session base[2];
static int ready;

static void setup(void)
{
	uint8_t dhe[48], th[48];
	int i;

	memset(dhe, 5, sizeof(dhe));
	memset(th, 3, sizeof(th));
	for (i = 0; i < 2; i++) {
		if (tsmh_ks_handshake(&base[i].k, 0x12, SPDM_HASH_SHA384,
				      i ? SPDM_AEAD_CHACHA20_POLY : SPDM_AEAD_AES_256_GCM, dhe, 48,
				      th))
			__builtin_trap();
		base[i].req_id = 0xfffe;
		base[i].rsp_id = 0x0001;
		base[i].state = SPDM_SESS_ESTABLISHED;
	}
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t wire[4096 + SPDM_SECURED_OVERHEAD + SPDM_SECURED_MAX_PAD], app[4096];
	struct spdm_session tx, rx;
	const uint8_t *v;
	size_t wlen, al, pad;
	uint8_t e, p1, p2, ver;
	char why[256];
	int i, dir;

	if (!ready)
		setup();
	if (size < 1 || size > 4096)
		return 0;
	i = data[0] & 1;
	dir = (data[0] >> 1) & 1;
	pad = (data[0] >> 2) % (SPDM_SECURED_MAX_PAD + 1);
	ver = data[0] & 0x80 ? 0x13 : 0x12;
	data++;
	size--;
	tx = base[i];
	rx = base[i];
	if (spdm_secured_seal(&tx, dir, data, size, pad, wire, sizeof(wire), &wlen))
		return 0; /* too long for a secured message */
	if (spdm_secured_open(&rx, dir, wire, wlen, app, sizeof(app), &al, why, sizeof(why)))
		__builtin_trap(); /* what we sealed must open */
	if (al != size || memcmp(app, data, size))
		__builtin_trap();
	/* a replay of the same message is refused */
	if (!spdm_secured_open(&rx, dir, wire, wlen, app, sizeof(app), &al, why, sizeof(why)))
		__builtin_trap();
	/* the plaintext through the requester's in-session decoders */
	spdm_dec_hdr(ver, SPDM_HEARTBEAT_ACK, data, size, &p1, &p2, &e);
	spdm_dec_hdr(ver, SPDM_KEY_UPDATE_ACK, data, size, &p1, &p2, &e);
	spdm_dec_hdr(ver, SPDM_END_SESSION_ACK, data, size, &p1, &p2, &e);
	if (!spdm_dec_finish(ver, data, size, 48, &v) && v && v + 48 > data + size)
		__builtin_trap();
	return 0;
}
