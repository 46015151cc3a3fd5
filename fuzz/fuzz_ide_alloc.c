// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: random alloc/free sequences on one host bridge (2 root ports,
 * 4 endpoints, a switch downstream/upstream port pair; block counts, pool
 * size and ID scope from the input). After every step the allocator's own
 * consistency check must pass, and each outcome must match a shadow model
 * kept here: an allocation for "any" succeeds exactly when the pool, both
 * ports and the ID space have room; a free succeeds exactly for a live
 * stream; a refusal always says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ide_alloc.h"

#define NR_PORTS 8
#define NR_SLOTS 48

static struct tsmh_ide_hb hb;
static struct tsmh_ide_port ports[NR_PORTS];
static struct tsmh_ide_port *pp[NR_PORTS];
static struct tsmh_ide_stream st[NR_SLOTS];
static bool live[NR_SLOTS];

static unsigned int used_by(const struct tsmh_ide_port *p, u8 type)
{
	unsigned int i, n = 0;

	for (i = 0; i < NR_SLOTS; i++)
		if (live[i] && st[i].type == type && (st[i].up == p || st[i].down == p))
			n++;
	return n;
}

static unsigned int nr_live(u8 type)
{
	unsigned int i, n = 0;

	for (i = 0; i < NR_SLOTS; i++)
		if (live[i] && (!type || st[i].type == type))
			n++;
	return n;
}

static bool pair_ids_full(const struct tsmh_ide_port *a, const struct tsmh_ide_port *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < NR_SLOTS; i++)
		if (live[i] &&
		    ((st[i].up == a && st[i].down == b) || (st[i].up == b && st[i].down == a)))
			n++;
	return n >= TSMH_IDE_NR_IDS - 1;
}

static bool link_tc_taken(const struct tsmh_ide_port *a, const struct tsmh_ide_port *b, u8 tc)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (live[i] && st[i].type == TSMH_IDE_STREAM_LINK && st[i].up == a &&
		    st[i].down == b && st[i].tc == tc)
			return true;
	return false;
}

static void checked(int ret, bool expect_ok, const char *msg, size_t len)
{
	char m[256];

	if ((ret == 0) != expect_ok)
		__builtin_trap();
	if (strnlen(msg, len) == len || (ret && !msg[0]) || (!ret && msg[0]))
		__builtin_trap();
	if (tsmh_ide_check(&hb, pp, NR_PORTS, m, sizeof(m))) {
		fprintf(stderr, "inconsistent: %s\n", m);
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 kind[NR_PORTS] = {
		TSMH_IDE_PORT_ROOT,	 TSMH_IDE_PORT_ROOT,	  TSMH_IDE_PORT_ENDPOINT,
		TSMH_IDE_PORT_ENDPOINT,	 TSMH_IDE_PORT_ENDPOINT,  TSMH_IDE_PORT_ENDPOINT,
		TSMH_IDE_PORT_SWITCH_DS, TSMH_IDE_PORT_SWITCH_US,
	};
	char msg[200];
	size_t i, pos;
	unsigned int p;

	if (size < 2 + NR_PORTS)
		return 0;
	/* the pool: 0..15 or the full 256; the scope */
	tsmh_ide_hb_init(&hb, "pci0000:00", data[0] & 0x80 ? 256 : data[0] & 0xf,
			 data[1] & 1 ? TSMH_IDE_ID_PER_PAIR : TSMH_IDE_ID_PER_HB);
	for (p = 0; p < NR_PORTS; p++) {
		char name[16];

		snprintf(name, sizeof(name), "0000:%02x:00.0", p);
		pp[p] = &ports[p];
		/* 0..7 selective blocks (or 256), 0..3 link blocks */
		if (tsmh_ide_port_init(&ports[p], &hb, name, kind[p],
				       data[2 + p] & 0x40 ? 256 : data[2 + p] & 7,
				       (data[2 + p] >> 3) & 3))
			__builtin_trap();
	}
	memset(live, 0, sizeof(live));
	memset(st, 0, sizeof(st));
	for (pos = 2 + NR_PORTS; pos + 3 <= size; pos += 3) {
		u8 op = data[pos], a = data[pos + 1], b = data[pos + 2];
		unsigned int slot = a % NR_SLOTS;
		struct tsmh_ide_req req = TSMH_IDE_REQ_ANY;
		struct tsmh_ide_port *up, *down;
		int ret;
		bool ok;

		switch (op % 5) {
		case 0: /* a selective stream, any ID and blocks */
		case 1: /* the same with a wanted ID or blocks (outcome not modelled) */
			up = &ports[b & 1];
			down = &ports[2 + ((b >> 1) & 3)];
			if (op % 5 == 1) {
				if (b & 0x10)
					req.stream_id = (op >> 3) % 256;
				if (b & 0x20)
					req.up_block = (op >> 3) & 7;
				if (b & 0x40)
					req.down_block = (op >> 5) & 7;
			}
			ret = tsmh_ide_alloc_sel(&st[slot], up, down, &req, msg, sizeof(msg));
			if (op % 5 == 0)
				ok = !live[slot] && nr_live(TSMH_IDE_STREAM_SEL) < hb.nr_streams &&
				     used_by(up, TSMH_IDE_STREAM_SEL) < up->nr_sel &&
				     used_by(down, TSMH_IDE_STREAM_SEL) < down->nr_sel &&
				     (hb.scope == TSMH_IDE_ID_PER_HB
					      ? nr_live(0) < TSMH_IDE_NR_IDS - 1
					      : !pair_ids_full(up, down));
			else
				ok = ret == 0;
			if (live[slot] && ret != -EINVAL)
				__builtin_trap(); /* live storage is never reused */
			checked(ret, ok, msg, sizeof(msg));
			if (!ret) {
				live[slot] = true;
				if (req.stream_id >= 0 && st[slot].stream_id != req.stream_id)
					__builtin_trap();
			}
			break;
		case 2: { /* a link stream: a root port or the switch DS, below it */
			u8 tc = (b >> 4) & 7;

			up = b & 1 ? &ports[6] : &ports[b & 2 ? 1 : 0];
			down = b & 1 ? &ports[7] : &ports[2 + ((b >> 2) & 3)];
			req.tc = tc;
			ret = tsmh_ide_alloc_link(&st[slot], up, down, &req, msg, sizeof(msg));
			ok = !live[slot] && !link_tc_taken(up, down, tc) &&
			     used_by(up, TSMH_IDE_STREAM_LINK) < up->nr_link &&
			     used_by(down, TSMH_IDE_STREAM_LINK) < down->nr_link &&
			     (hb.scope == TSMH_IDE_ID_PER_HB ? nr_live(0) < TSMH_IDE_NR_IDS - 1
							     : !pair_ids_full(up, down));
			checked(ret, ok, msg, sizeof(msg));
			if (!ret)
				live[slot] = true;
			break;
		}
		case 3: /* free a storage slot, live or not */
			ret = tsmh_ide_free(&hb, &st[slot], msg, sizeof(msg));
			checked(ret, live[slot], msg, sizeof(msg));
			if (!ret)
				live[slot] = false;
			break;
		default: /* a lookup: every live stream is found where it sits */
			for (i = 0; i < NR_SLOTS; i++) {
				if (!live[i])
					continue;
				if (tsmh_ide_find_block(st[i].up, st[i].type, st[i].up_block) !=
					    &st[i] ||
				    tsmh_ide_find_block(st[i].down, st[i].type, st[i].down_block) !=
					    &st[i] ||
				    !tsmh_ide_find_id(st[i].up, st[i].stream_id))
					__builtin_trap();
			}
			ret = tsmh_ide_port_fini(&ports[a % NR_PORTS], msg, sizeof(msg));
			ok = !used_by(&ports[a % NR_PORTS], TSMH_IDE_STREAM_SEL) &&
			     !used_by(&ports[a % NR_PORTS], TSMH_IDE_STREAM_LINK);
			if ((ret == 0) != ok)
				__builtin_trap();
			if (!ret) /* put it back as it was, for the next steps */
				if (tsmh_ide_port_init(&ports[a % NR_PORTS], &hb, "0000:ff:00.0",
						       kind[a % NR_PORTS], b & 7, (b >> 3) & 3))
					__builtin_trap();
			checked(0, true, "", 1);
			break;
		}
	}
	/* free everything: all capacity comes back */
	for (i = 0; i < NR_SLOTS; i++)
		if (live[i])
			checked(tsmh_ide_free(&hb, &st[i], msg, sizeof(msg)), true, msg,
				sizeof(msg));
	if (hb.nr_used || hb.streams)
		__builtin_trap();
	for (p = 0; p < NR_PORTS; p++)
		if (ports[p].nr_sel_used || ports[p].nr_link_used)
			__builtin_trap();
	return 0;
}
