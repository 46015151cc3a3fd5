// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the evidence staging rules (lib/ev_rules.c) the kernel applies
 * to chunks from netlink: any sequence of (type, offset, total, length)
 * chunks, then a commit check. Invariants: an accepted chunk never lets an
 * object's fill pass its total or the total pass TSMH_EV_OBJ_MAX, and a
 * commit is accepted only when every started object is complete.
 */
#include <stdint.h>
#include <string.h>
#include "ev_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_ev_stage_obj objs[TSMH_EV_NR];
	const char *why;
	size_t i;
	u32 bad, t;

	memset(objs, 0, sizeof(objs));
	for (i = 0; i + 13 <= size; i += 13) {
		u32 type = data[i], off, total, len;
		bool start = false;

		memcpy(&off, data + i + 1, 4);
		memcpy(&total, data + i + 5, 4);
		memcpy(&len, data + i + 9, 4);
		if (tsmh_ev_chunk_check(objs, type, off, total, len, &start, &why))
			continue;
		if (type >= TSMH_EV_NR)
			__builtin_trap();
		if (start)
			objs[type].filled = 0, objs[type].total = 0;
		tsmh_ev_chunk_apply(objs, type, off, total, len);
		if (objs[type].filled > objs[type].total || objs[type].total > TSMH_EV_OBJ_MAX)
			__builtin_trap();
	}
	if (!tsmh_ev_commit_check(objs, &bad, &why))
		for (t = 0; t < TSMH_EV_NR; t++)
			if (objs[t].filled != objs[t].total)
				__builtin_trap();
	for (i = 0; i + 1 <= size && i < 4; i++)
		tsmh_ev_meta_check(data[i], data[i] >> 2, data[i], data[i], &why);
	return 0;
}
