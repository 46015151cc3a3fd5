// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: reassembly of an EVIDENCE_GET dump as a (hostile) kernel
 * might send it. Input: a mask/flags byte, then messages, each a 16-bit
 * little-endian length followed by that many bytes of attributes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_evidence ev;
	struct tsmh_ev_asm a;
	char why[256];
	size_t n, t;
	void *copy;

	if (size < 1 || size > 1 << 20)
		return 0;
	tsmh_ev_asm_init(&a, &ev, data[0] & 0x7f ? 1u << (data[0] % TSMH_EV_NR) : 0,
			 data[0] & 0x80 ? TSMH_EV_GET_F_DIGEST : 0);
	data++;
	size--;
	while (size >= 2) {
		n = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		copy = malloc(n ? n : 1);
		memcpy(copy, data, n);
		if (tsmh_ev_asm_msg(&a, copy, (int)n, why, sizeof(why))) {
			free(copy);
			break;
		}
		free(copy);
		data += n;
		size -= n;
	}
	if (!tsmh_ev_asm_finish(&a, why, sizeof(why))) {
		for (t = 0; t < TSMH_EV_NR; t++)
			if (a.got[t] != ev.obj[t].len && (ev.present & a.mask & (1u << t)))
				__builtin_trap();
	}
	tsmh_evidence_free(&ev);
	return 0;
}
