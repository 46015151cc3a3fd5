// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * IDE stream allocator: unique stream IDs, register blocks at both ends,
 * the host bridge's pool shared by its root ports, reuse after free,
 * exhaustion naming the port and its holders, nothing changed by a
 * refused request, frees of what is not allocated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ide_alloc.h"

static struct tsmh_ide_hb hb;
static struct tsmh_ide_port rp1, rp2, ep1, ep2, ep3, ep4;
static struct tsmh_ide_port *all[] = { &rp1, &rp2, &ep1, &ep2, &ep3, &ep4 };
static char msg[512];

/* one host bridge, two root ports, two endpoints below each */
static void topo(unsigned int pool, enum tsmh_ide_id_scope scope, unsigned int rp_sel,
		 unsigned int ep_sel)
{
	tsmh_ide_hb_init(&hb, "pci0000:00", pool, scope);
	assert_int_equal(
		tsmh_ide_port_init(&rp1, &hb, "0000:00:01.0", TSMH_IDE_PORT_ROOT, rp_sel, 1), 0);
	assert_int_equal(
		tsmh_ide_port_init(&rp2, &hb, "0000:00:02.0", TSMH_IDE_PORT_ROOT, rp_sel, 1), 0);
	assert_int_equal(
		tsmh_ide_port_init(&ep1, &hb, "0000:01:00.0", TSMH_IDE_PORT_ENDPOINT, ep_sel, 1),
		0);
	assert_int_equal(
		tsmh_ide_port_init(&ep2, &hb, "0000:01:00.1", TSMH_IDE_PORT_ENDPOINT, ep_sel, 1),
		0);
	assert_int_equal(
		tsmh_ide_port_init(&ep3, &hb, "0000:02:00.0", TSMH_IDE_PORT_ENDPOINT, ep_sel, 1),
		0);
	assert_int_equal(
		tsmh_ide_port_init(&ep4, &hb, "0000:02:00.1", TSMH_IDE_PORT_ENDPOINT, ep_sel, 1),
		0);
}

static void consistent(void)
{
	char m[256];

	if (tsmh_ide_check(&hb, all, 6, m, sizeof(m)))
		fail_msg("allocator state inconsistent: %s", m);
}

static int sel(struct tsmh_ide_stream *s, struct tsmh_ide_port *rp, struct tsmh_ide_port *ep)
{
	int ret = tsmh_ide_alloc_sel(s, rp, ep, NULL, msg, sizeof(msg));

	consistent();
	return ret;
}

static void test_unique(void **st)
{
	struct tsmh_ide_stream s[4];
	int i, j;

	(void)st;
	topo(256, TSMH_IDE_ID_PER_HB, 4, 2);
	/* two endpoints behind one root port, two streams each */
	assert_int_equal(sel(&s[0], &rp1, &ep1), 0);
	assert_string_equal(msg, "");
	assert_int_equal(sel(&s[1], &rp1, &ep2), 0);
	assert_int_equal(sel(&s[2], &rp1, &ep1), 0);
	assert_int_equal(sel(&s[3], &rp1, &ep2), 0);
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++) {
			assert_int_not_equal(s[i].stream_id, s[j].stream_id);
			assert_int_not_equal(s[i].up_block, s[j].up_block);
			assert_int_not_equal(s[i].pool_slot, s[j].pool_slot);
			if (s[i].down == s[j].down)
				assert_int_not_equal(s[i].down_block, s[j].down_block);
		}
	for (i = 0; i < 4; i++) {
		assert_true(s[i].stream_id != TSMH_IDE_RESERVED_ID);
		assert_true(s[i].up_block < 4 && s[i].down_block < 2);
		assert_ptr_equal(tsmh_ide_find_block(&rp1, TSMH_IDE_STREAM_SEL, s[i].up_block),
				 &s[i]);
		assert_ptr_equal(tsmh_ide_find_id(s[i].down, s[i].stream_id), &s[i]);
	}
	assert_int_equal(tsmh_ide_sel_free(&rp1), 0);
	assert_int_equal(tsmh_ide_sel_free(&ep1), 0);
	assert_int_equal(tsmh_ide_pool_free(&hb), 252);
	/* the other root port's blocks are untouched */
	assert_int_equal(tsmh_ide_sel_free(&rp2), 4);
}

static void test_reuse(void **st)
{
	struct tsmh_ide_stream a, b, c;
	u8 id;
	u16 rb, eb;

	(void)st;
	topo(2, TSMH_IDE_ID_PER_HB, 2, 1);
	assert_int_equal(sel(&a, &rp1, &ep1), 0);
	assert_int_equal(sel(&b, &rp1, &ep2), 0);
	id = a.stream_id;
	rb = a.up_block;
	eb = a.down_block;
	assert_int_equal(tsmh_ide_free(&hb, &a, msg, sizeof(msg)), 0);
	consistent();
	assert_int_equal(tsmh_ide_sel_free(&rp1), 1);
	assert_int_equal(tsmh_ide_pool_free(&hb), 1);
	assert_null(tsmh_ide_find_id(&ep1, id));
	/* what was freed is handed out again */
	assert_int_equal(sel(&c, &rp1, &ep1), 0);
	assert_int_equal(c.stream_id, id);
	assert_int_equal(c.up_block, rb);
	assert_int_equal(c.down_block, eb);
	/* everything back: all capacity is free again */
	assert_int_equal(tsmh_ide_free(&hb, &b, msg, sizeof(msg)), 0);
	assert_int_equal(tsmh_ide_free(&hb, &c, msg, sizeof(msg)), 0);
	consistent();
	assert_int_equal(tsmh_ide_pool_free(&hb), 2);
	assert_int_equal(tsmh_ide_sel_free(&rp1), 2);
	assert_null(tsmh_ide_next(&hb, NULL));
}

static void test_exhaustion(void **st)
{
	struct tsmh_ide_stream a, b, c;
	struct tsmh_ide_hb before;
	struct tsmh_ide_port rp_before, ep_before;

	(void)st;
	topo(256, TSMH_IDE_ID_PER_HB, 2, 1);
	assert_int_equal(sel(&a, &rp1, &ep1), 0);
	assert_int_equal(sel(&b, &rp1, &ep2), 0);
	memcpy(&before, &hb, sizeof(hb));
	memcpy(&rp_before, &rp1, sizeof(rp1));
	memcpy(&ep_before, &ep3, sizeof(ep3));
	/* a third endpoint behind rp1 (the allocator knows no topology: ep3) */
	assert_int_equal(sel(&c, &rp1, &ep3), -EBUSY);
	assert_string_equal(msg,
			    "root port 0000:00:01.0: all 2 selective IDE register blocks in use "
			    "(streams 0 by 0000:01:00.0, 1 by 0000:01:00.1)");
	/* nothing was taken by the refused request */
	assert_memory_equal(&before, &hb, sizeof(hb));
	assert_memory_equal(&rp_before, &rp1, sizeof(rp1));
	assert_memory_equal(&ep_before, &ep3, sizeof(ep3));
	assert_int_equal(tsmh_ide_sel_free(&ep3), 1);
	/* the endpoint side: one block, in use */
	assert_int_equal(sel(&c, &rp2, &ep1), -EBUSY);
	assert_string_equal(msg,
			    "endpoint 0000:01:00.0: all 1 selective IDE register blocks in use "
			    "(stream 0 with root port 0000:00:01.0)");
	/* a message buffer too small is cut with "..." */
	assert_int_equal(tsmh_ide_alloc_sel(&c, &rp1, &ep3, NULL, msg, 24), -EBUSY);
	assert_int_equal(strlen(msg), 23);
	assert_string_equal(msg + 20, "...");
	/* the holders, for a listing */
	assert_true(tsmh_ide_holders(&rp1, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "streams 0 by 0000:01:00.0, 1 by 0000:01:00.1");
}

static void test_shared_pool(void **st)
{
	struct tsmh_ide_stream s[4];

	(void)st;
	topo(3, TSMH_IDE_ID_PER_HB, 4, 2);
	assert_int_equal(sel(&s[0], &rp1, &ep1), 0);
	assert_int_equal(sel(&s[1], &rp1, &ep2), 0);
	assert_int_equal(sel(&s[2], &rp2, &ep3), 0);
	/* stream IDs are unique across both root ports of the host bridge */
	assert_int_equal(s[2].stream_id, 2);
	assert_int_equal(tsmh_ide_pool_free(&hb), 0);
	/* rp2 has free blocks, ep4 too, but the pool is empty */
	assert_int_equal(sel(&s[3], &rp2, &ep4), -EBUSY);
	assert_string_equal(msg, "host bridge pci0000:00: all 3 IDE streams of its pool in use "
				 "(streams 0 by 0000:01:00.0 via 0000:00:01.0, 1 by 0000:01:00.1 "
				 "via 0000:00:01.0, 2 by 0000:02:00.0 via 0000:00:02.0)");
	assert_int_equal(tsmh_ide_sel_free(&rp2), 3);
	/* a stream freed under rp1 lets rp2 have one */
	assert_int_equal(tsmh_ide_free(&hb, &s[0], msg, sizeof(msg)), 0);
	assert_int_equal(sel(&s[3], &rp2, &ep4), 0);
	assert_int_equal(s[3].stream_id, 0);
	/* the pool cannot be resized under allocated streams */
	assert_int_equal(tsmh_ide_hb_set_nr_streams(&hb, 8), -EBUSY);
}

static void test_bad_free(void **st)
{
	struct tsmh_ide_stream a, never, junk;

	(void)st;
	topo(4, TSMH_IDE_ID_PER_HB, 2, 1);
	memset(&never, 0, sizeof(never));
	assert_int_equal(tsmh_ide_free(&hb, &never, msg, sizeof(msg)), -ENOENT);
	assert_string_equal(msg,
			    "host bridge pci0000:00: freeing an IDE stream that is not allocated");
	memset(&junk, 0xa5, sizeof(junk));
	assert_int_equal(tsmh_ide_free(&hb, &junk, msg, sizeof(msg)), -ENOENT);
	assert_int_equal(tsmh_ide_free(&hb, NULL, msg, sizeof(msg)), -ENOENT);
	assert_int_equal(sel(&a, &rp1, &ep1), 0);
	assert_int_equal(tsmh_ide_free(&hb, &a, msg, sizeof(msg)), 0);
	/* a double free */
	assert_int_equal(tsmh_ide_free(&hb, &a, msg, sizeof(msg)), -ENOENT);
	consistent();
	assert_int_equal(tsmh_ide_pool_free(&hb), 4);
	/* allocating into storage that holds a live stream */
	assert_int_equal(sel(&a, &rp1, &ep1), 0);
	assert_int_equal(sel(&a, &rp1, &ep2), -EINVAL);
	assert_non_null(strstr(msg, "already allocated"));
}

static void test_requests(void **st)
{
	struct tsmh_ide_req r = TSMH_IDE_REQ_ANY;
	struct tsmh_ide_stream a, b;

	(void)st;
	topo(8, TSMH_IDE_ID_PER_HB, 4, 2);
	/* claim what firmware left active: ID 7 in rp block 3 and ep block 1 */
	r.stream_id = 7;
	r.up_block = 3;
	r.down_block = 1;
	assert_int_equal(tsmh_ide_alloc_sel(&a, &rp1, &ep1, &r, msg, sizeof(msg)), 0);
	assert_int_equal(a.stream_id, 7);
	assert_int_equal(a.up_block, 3);
	assert_int_equal(a.down_block, 1);
	consistent();
	/* the same ID elsewhere in the host bridge */
	r.up_block = r.down_block = -1;
	assert_int_equal(tsmh_ide_alloc_sel(&b, &rp2, &ep3, &r, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg,
			    "host bridge pci0000:00: stream ID 7 in use (by 0000:01:00.0, root "
			    "port 0000:00:01.0)");
	/* a block in use */
	r.stream_id = -1;
	r.up_block = 3;
	assert_int_equal(tsmh_ide_alloc_sel(&b, &rp1, &ep2, &r, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg, "root port 0000:00:01.0: selective IDE register block 3 in use "
				 "(stream 7 by 0000:01:00.0)");
	/* a block the port does not have, the reserved ID */
	r.up_block = 4;
	assert_int_equal(tsmh_ide_alloc_sel(&b, &rp1, &ep2, &r, msg, sizeof(msg)), -EINVAL);
	r.up_block = -1;
	r.stream_id = TSMH_IDE_RESERVED_ID;
	assert_int_equal(tsmh_ide_alloc_sel(&b, &rp1, &ep2, &r, msg, sizeof(msg)), -EINVAL);
	consistent();
	/* wrong kinds, ports of another host bridge, no blocks, no pool */
	assert_int_equal(tsmh_ide_alloc_sel(&b, &ep1, &rp1, NULL, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "joins a root port and an endpoint"));
	{
		struct tsmh_ide_hb other;
		struct tsmh_ide_port orp, oep;

		tsmh_ide_hb_init(&other, "pci0000:80", 0, TSMH_IDE_ID_PER_HB);
		assert_int_equal(
			tsmh_ide_port_init(&orp, &other, "0000:80:01.0", TSMH_IDE_PORT_ROOT, 1, 0),
			0);
		assert_int_equal(tsmh_ide_port_init(&oep, &other, "0000:81:00.0",
						    TSMH_IDE_PORT_ENDPOINT, 0, 0),
				 0);
		assert_int_equal(tsmh_ide_alloc_sel(&b, &orp, &ep1, NULL, msg, sizeof(msg)),
				 -EINVAL);
		assert_int_equal(tsmh_ide_alloc_sel(&b, &orp, &oep, NULL, msg, sizeof(msg)),
				 -EOPNOTSUPP);
		assert_string_equal(msg,
				    "host bridge pci0000:80 has no IDE stream pool (0 streams)");
		assert_int_equal(tsmh_ide_hb_set_nr_streams(&other, 1000), 0);
		assert_int_equal(other.nr_streams, TSMH_IDE_POOL_MAX);
		assert_int_equal(tsmh_ide_alloc_sel(&b, &orp, &oep, NULL, msg, sizeof(msg)),
				 -EOPNOTSUPP);
		assert_string_equal(msg,
				    "endpoint 0000:81:00.0 has no selective IDE stream register "
				    "blocks");
	}
	{
		struct tsmh_ide_port big;

		/* more blocks than the capability can describe */
		assert_int_equal(tsmh_ide_port_init(&big, &hb, "x", TSMH_IDE_PORT_ROOT, 257, 0),
				 -EINVAL);
		assert_int_equal(tsmh_ide_port_init(&big, &hb, "x", TSMH_IDE_PORT_ROOT, 1, 9),
				 -EINVAL);
	}
}

static void test_pair_scope(void **st)
{
	struct tsmh_ide_req r = TSMH_IDE_REQ_ANY;
	struct tsmh_ide_stream a, b, c, d;

	(void)st;
	topo(8, TSMH_IDE_ID_PER_PAIR, 4, 2);
	/* the spec's rule only: IDs repeat between different partner pairs */
	assert_int_equal(sel(&a, &rp1, &ep1), 0);
	assert_int_equal(sel(&b, &rp1, &ep2), 0);
	assert_int_equal(a.stream_id, 0);
	assert_int_equal(b.stream_id, 0);
	/* but not between the same two ports */
	assert_int_equal(sel(&c, &rp1, &ep1), 0);
	assert_int_equal(c.stream_id, 1);
	r.stream_id = 1;
	assert_int_equal(tsmh_ide_alloc_sel(&d, &rp1, &ep2, &r, msg, sizeof(msg)), 0);
	consistent();
	assert_int_equal(tsmh_ide_free(&hb, &c, msg, sizeof(msg)), 0);
	r.stream_id = 0;
	assert_int_equal(tsmh_ide_alloc_sel(&c, &rp1, &ep1, &r, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg, "root port 0000:00:01.0: stream ID 0 in use with endpoint "
				 "0000:01:00.0 (by 0000:01:00.0, root port 0000:00:01.0)");
}

static void test_link(void **st)
{
	struct tsmh_ide_req r = TSMH_IDE_REQ_ANY;
	struct tsmh_ide_stream s, l0, l1;

	(void)st;
	topo(1, TSMH_IDE_ID_PER_HB, 2, 2);
	assert_int_equal(sel(&s, &rp1, &ep1), 0);
	/* a link stream takes no pool slot (the pool of 1 is used up) */
	assert_int_equal(tsmh_ide_alloc_link(&l0, &rp1, &ep1, NULL, msg, sizeof(msg)), 0);
	consistent();
	assert_int_equal(l0.pool_slot, -1);
	assert_int_equal(l0.tc, 0);
	assert_int_not_equal(l0.stream_id, s.stream_id);
	assert_int_equal(tsmh_ide_link_free(&rp1), 0);
	/* one link stream per TC: TC0 again is refused, TC1 has no block left */
	assert_int_equal(tsmh_ide_alloc_link(&l1, &rp1, &ep1, NULL, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg,
			    "root port 0000:00:01.0: a link IDE stream for TC0 with 0000:01:00.0 "
			    "exists (stream ID 1)");
	r.tc = 1;
	assert_int_equal(tsmh_ide_alloc_link(&l1, &rp1, &ep1, &r, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg, "root port 0000:00:01.0: all 1 link IDE register blocks in use "
				 "(stream 1 (link, TC0) by 0000:01:00.0)");
	/* a link joins a port and the device below it, not two endpoints */
	assert_int_equal(tsmh_ide_alloc_link(&l1, &ep2, &ep1, &r, msg, sizeof(msg)), -EINVAL);
	/* the port cannot go while streams use it */
	assert_int_equal(tsmh_ide_port_fini(&rp1, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg,
			    "root port 0000:00:01.0: IDE streams still allocated (streams 0 by "
			    "0000:01:00.0, 1 (link, TC0) by 0000:01:00.0)");
	assert_int_equal(tsmh_ide_free(&hb, &l0, msg, sizeof(msg)), 0);
	assert_int_equal(tsmh_ide_free(&hb, &s, msg, sizeof(msg)), 0);
	consistent();
	assert_int_equal(tsmh_ide_port_fini(&rp1, msg, sizeof(msg)), 0);
	assert_int_equal(hb.nr_ports, 5);
}

static struct tsmh_ide_stream many[TSMH_IDE_NR_IDS + 1];

static void test_id_space(void **st)
{
	int i;

	(void)st;
	/* 255 usable IDs (255 is reserved), pool and blocks for 256 */
	topo(256, TSMH_IDE_ID_PER_HB, 256, 256);
	for (i = 0; i < TSMH_IDE_NR_IDS - 1; i++) {
		assert_int_equal(tsmh_ide_alloc_sel(&many[i], &rp1, &ep1, NULL, msg, sizeof(msg)),
				 0);
		assert_int_equal(many[i].stream_id, i);
	}
	consistent();
	assert_int_equal(tsmh_ide_alloc_sel(&many[i], &rp2, &ep2, NULL, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg, "host bridge pci0000:00: all 255 stream IDs in use");
	/* per partner pair, another pair still has all of them */
	topo(256, TSMH_IDE_ID_PER_PAIR, 256, 256);
	for (i = 0; i < TSMH_IDE_NR_IDS - 1; i++)
		assert_int_equal(tsmh_ide_alloc_sel(&many[i], &rp1, &ep1, NULL, msg, sizeof(msg)),
				 0);
	assert_int_equal(tsmh_ide_alloc_sel(&many[i], &rp1, &ep1, NULL, msg, sizeof(msg)), -EBUSY);
	assert_string_equal(msg, "root port 0000:00:01.0: all 255 stream IDs in use with endpoint "
				 "0000:01:00.0");
	assert_int_equal(tsmh_ide_alloc_sel(&many[i], &rp1, &ep2, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(many[i].stream_id, 0);
	consistent();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique),	   cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_exhaustion), cmocka_unit_test(test_shared_pool),
		cmocka_unit_test(test_bad_free),   cmocka_unit_test(test_requests),
		cmocka_unit_test(test_pair_scope), cmocka_unit_test(test_link),
		cmocka_unit_test(test_id_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
