// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the IDE commands' reply side (common/ide_nl.c) on whatever a
 * (hostile or broken) kernel could answer: ide-get dumps and replies with
 * ports, nested streams and address blocks, and the one-stream replies of
 * ide-stream-new / ide-kset / ide-stream-enable. No socket:
 * tsmh_nl_replay() hands the bytes to libnl's receive loop.
 *
 * Input: a mode byte, then the bytes of one read (messages whose
 * nlmsg_seq is 0 get the number the call expects). Modes: 0 ide-get dump,
 * 1 ide-get of one port, 2 ide-stream-new, 3 ide-stream-enable.
 *
 * Invariants: 0 or -errno; on success every decoded name is a string
 * within its buffer, no port uses more blocks than it has, every stream ID
 * is 0-254, its key set 0 or 1 when present, at most TSMH_IDENL_ADDR_MAX
 * address blocks kept, each with base <= limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include "ide_nl.h"
#include "nl_replay.h"

static void check_str(const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap)
		__builtin_trap();
}

static void check_stream(const struct tsmh_idenl_stream *s)
{
	unsigned int i;

	check_str(s->rp, sizeof(s->rp));
	check_str(s->ep, sizeof(s->ep));
	if (s->id > 254 || s->nr_addr > TSMH_IDENL_ADDR_MAX || s->tc > 7 ||
	    ((s->has & TSMH_IDENL_S_KEY_SET) && s->key_set > 1))
		__builtin_trap();
	for (i = 0; i < s->nr_addr; i++)
		if (s->addr[i].base > s->addr[i].limit)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_nl nl;
	struct tsmh_idenl_ports ps = { 0 };
	struct tsmh_idenl_stream s;
	unsigned int i, k;
	int mode, ret;

	if (size < 1 || size > 1 << 16)
		return 0;
	mode = data[0] & 3;
	fuzz_nl_replay(&nl, data + 1, size - 1);
	switch (mode) {
	case 0:
	case 1: ret = tsmh_ide_get(&nl, mode ? "0000:03:00.0" : NULL, &ps); break;
	case 2: ret = tsmh_ide_stream_new(&nl, "0000:03:00.0", 0, 0, &s); break;
	default: ret = tsmh_ide_stream_enable(&nl, "0000:03:00.0", 1, &s); break;
	}
	if (ret > 0 || ret < -4095)
		__builtin_trap(); /* 0 or -errno */
	for (i = 0; !ret && i < ps.n; i++) {
		const struct tsmh_idenl_port *p = &ps.p[i];

		check_str(p->name, sizeof(p->name));
		check_str(p->hb_name, sizeof(p->hb_name));
		check_str(p->platform, sizeof(p->platform));
		check_str(p->upstream, sizeof(p->upstream));
		if (p->sel_used > p->nr_sel || p->link_used > p->nr_link ||
		    p->role >= __TSMH_IDE_ROLE_NR)
			__builtin_trap();
		for (k = 0; k < p->nr_streams; k++)
			check_stream(&p->streams[k]);
	}
	if (!ret && mode >= 2)
		check_stream(&s);
	tsmh_idenl_ports_free(&ps);
	check_str(nl.err, sizeof(nl.err));
	nl_socket_free(nl.sk);
	return 0;
}
