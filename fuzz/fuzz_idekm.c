// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the VENDOR_DEFINED wrapping and the IDE_KM decoder (lib/idekm.c).
 * The input is tried as a VENDOR_DEFINED request and response and, when it
 * carries IDE_KM, its message is decoded; also the whole input as a bare
 * IDE_KM message. Whatever decodes re-encodes to the same bytes (reserved
 * bytes aside), and every refusal says which field and what was expected.
 * Then the emulator's IDE_KM responder is driven with the input cut into
 * a sequence of requests (a length byte before each, in one fresh
 * connection): every answer is an SPDM ERROR or a VENDOR_DEFINED_RESPONSE
 * whose IDE_KM object decodes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "emu.h"
#include "idekm.h"

static void check_why(int ret, const struct tsmh_idekm_why *w)
{
	char b[256];

	if (ret && (!w->field || !w->want || !tsmh_idekm_why_format(w, b, sizeof(b))))
		__builtin_trap();
}

static void one(const uint8_t *p, size_t len)
{
	struct tsmh_idekm_msg m;
	struct tsmh_idekm_why w = { 0 };
	struct tsmh_ide_cap_copy c;
	static uint8_t out[TSMH_IDEKM_HDR_LEN + 4 * 65536];
	size_t n;
	int ret = tsmh_idekm_decode(p, len, &m, &w);

	check_why(ret, &w);
	if (ret)
		return;
	if (m.object_id == TSMH_IDEKM_QUERY_RESP &&
	    (tsmh_ide_cap_copy_check(m.cap, m.cap_len, &c, &w) || c.nr_sel > TSMH_IDEKM_MAX_SEL ||
	     c.nr_link > TSMH_IDEKM_MAX_LINK))
		__builtin_trap();
	n = tsmh_idekm_encode(&m, out, sizeof(out));
	if (n != len || out[0] != p[0])
		__builtin_trap();
	/* the fields the decoder returned are where the encoder put them */
	if (len >= 7 && memcmp(out + 3, p + 3, len - 3) && m.object_id != TSMH_IDEKM_QUERY &&
	    m.object_id != TSMH_IDEKM_K_SET_GO && m.object_id != TSMH_IDEKM_K_SET_STOP &&
	    m.object_id != TSMH_IDEKM_K_GOSTOP_ACK && m.object_id != TSMH_IDEKM_KEY_PROG)
		__builtin_trap();
	if (m.object_id == TSMH_IDEKM_KEY_PROG && memcmp(out + 7, p + 7, 40))
		__builtin_trap();
}

static void responder(const uint8_t *data, size_t size)
{
	static struct emu_dev_cfg d;
	struct emu_conn c;
	struct tsmh_idekm_msg m;
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	uint8_t rsp[512];
	size_t n, len;

	memset(&c, 0, sizeof(c));
	c.ver = 0x12;
	d.faults = size ? (data[0] & 0x80 ? EMU_FAULT_IDEKM_WRONG_PORT : 0) : 0;
	while (size) {
		len = data[0] & 0x7f;
		data++;
		size--;
		if (len > size)
			len = size;
		n = emu_vdm_respond(&d, &c, data, len, rsp, sizeof(rsp));
		if (n < 4 || n > sizeof(rsp))
			__builtin_trap();
		/* protocol 1 requests reach the TDISP responder (fuzz_tdisp) */
		if (rsp[1] != 0x7f && (tsmh_vdm_decode(rsp, n, 1, &v, &w) ||
				       (v.protocol != TSMH_PCI_PROTOCOL_TDISP &&
					tsmh_idekm_decode(v.payload, v.len, &m, &w))))
			__builtin_trap();
		data += len;
		size -= len;
	}
	emu_idekm_free(&c);
	emu_tdisp_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_idekm_why w = { 0 };
	struct tsmh_vdm v;
	int r, ret;

	for (r = 0; r < 2; r++) {
		ret = tsmh_vdm_decode(data, size, r, &v, &w);
		check_why(ret, &w);
		if (ret)
			continue;
		if (v.payload + v.len > data + size)
			__builtin_trap();
		if (v.protocol == TSMH_PCI_PROTOCOL_IDE_KM)
			one(v.payload, v.len);
	}
	one(data, size);
	responder(data, size);
	return 0;
}
