// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ide-get replies decoded (daemon/common/ide_nl.c): messages built with
 * libnl as the kernel would send them (a root port with its pool, key
 * backend and streams, an endpoint), decoded with the generated policies,
 * then what a broken or hostile reply may carry: a stream without its ID,
 * ID 255, key set 2, more blocks in use than exist, an address window
 * upside down, too many address blocks, a name too long. A whole dump goes
 * through libnl's receive loop (tsmh_nl_replay()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>
#include "ide_nl.h"

#define FAMILY 0x20

static struct nl_msg *reply(const char *name)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(
		genlmsg_put(m, 0, 0, FAMILY, 0, NLM_F_MULTI, TSMH_CMD_IDE_GET, TSMH_GENL_VERSION));
	if (name)
		assert_int_equal(nla_put_string(m, TSMH_A_DEV_NAME, name), 0);
	return m;
}

static void put_rp(struct nl_msg *m, uint32_t nr_sel, uint32_t sel_used)
{
	struct nlattr *p = nla_nest_start(m, TSMH_A_IDE_PORT);

	nla_put_u32(m, TSMH_IDEP_A_ROLE, TSMH_IDE_ROLE_ROOT_PORT);
	nla_put_u16(m, TSMH_IDEP_A_OFFSET, 0x100);
	nla_put_u32(m, TSMH_IDEP_A_CAP, 0x00070043);
	nla_put_u32(m, TSMH_IDEP_A_NR_SEL, nr_sel);
	nla_put_u32(m, TSMH_IDEP_A_SEL_USED, sel_used);
	nla_put_u32(m, TSMH_IDEP_A_NR_LINK, 1);
	nla_put_u32(m, TSMH_IDEP_A_LINK_USED, 0);
	nla_put_string(m, TSMH_IDEP_A_HB_NAME, "pci0000:00");
	nla_put_u32(m, TSMH_IDEP_A_HB_STREAMS, 256);
	nla_put_u32(m, TSMH_IDEP_A_HB_USED, 2);
	nla_put_u32(m, TSMH_IDEP_A_KEY_BACKEND, TSMH_IDE_KB_SIM);
	nla_nest_end(m, p);
	nla_put_u32(m, TSMH_A_DEV_IDE_CAP, 0x00070043);
}

static void put_addr(struct nl_msg *m, uint64_t base, uint64_t limit)
{
	struct nlattr *a = nla_nest_start(m, TSMH_IDES_A_ADDR);

	nla_put_u64(m, TSMH_IDEA_A_BASE, base);
	nla_put_u64(m, TSMH_IDEA_A_LIMIT, limit);
	nla_nest_end(m, a);
}

/* a stream; @id < 0 leaves the ID out, @key_set < 0 the key set */
static void put_stream(struct nl_msg *m, int id, const char *ep, int key_set, uint32_t state,
		       unsigned int nr_addr)
{
	struct nlattr *s = nla_nest_start(m, TSMH_A_IDE_STREAM);
	unsigned int i;

	if (id >= 0)
		nla_put_u32(m, TSMH_IDES_A_ID, (uint32_t)id);
	nla_put_u32(m, TSMH_IDES_A_TYPE, TSMH_IDE_TYPE_SELECTIVE);
	nla_put_u32(m, TSMH_IDES_A_TC, 3);
	nla_put_string(m, TSMH_IDES_A_RP_NAME, "0000:00:01.0");
	nla_put_u32(m, TSMH_IDES_A_RP_BLOCK, 1);
	nla_put_string(m, TSMH_IDES_A_EP_NAME, ep);
	nla_put_u32(m, TSMH_IDES_A_EP_BLOCK, 0);
	nla_put_u32(m, TSMH_IDES_A_RID_BASE, 0x0300);
	nla_put_u32(m, TSMH_IDES_A_RID_LIMIT, 0x0307);
	for (i = 0; i < nr_addr; i++)
		put_addr(m, 0x100000000ull * (i + 1), 0x100000000ull * (i + 1) + 0xfffff);
	if (key_set >= 0)
		nla_put_u32(m, TSMH_IDES_A_KEY_SET, (uint32_t)key_set);
	nla_put_u32(m, TSMH_IDES_A_KEYS, 0x3f);
	nla_put_u32(m, TSMH_IDES_A_RP_STATE, state);
	nla_put_u32(m, TSMH_IDES_A_EP_STATE, state);
	nla_put_u32(m, TSMH_IDES_A_FLAGS,
		    TSMH_IDE_S_F_ENABLED | (state == 2 ? TSMH_IDE_S_F_SECURE : 0));
	nla_put_u64(m, TSMH_IDES_A_CREATED, 1234567890123ull);
	nla_nest_end(m, s);
}

static int parse(struct nl_msg *m, struct tsmh_idenl_port *p, char *why)
{
	int ret;

	why[0] = 0;
	ret = tsmh_idenl_parse_port(m, p, why, 200);
	nlmsg_free(m);
	return ret;
}

static void test_root_port(void **st)
{
	struct nl_msg *m = reply("0000:00:01.0");
	struct tsmh_idenl_port p;
	const struct tsmh_idenl_stream *s;
	char why[200];

	(void)st;
	put_rp(m, 8, 2);
	put_stream(m, 4, "0000:03:00.0", 1, 2, 2);
	put_stream(m, 9, "0000:04:00.0", -1, 0, 0);
	assert_int_equal(parse(m, &p, why), 0);
	assert_string_equal(p.name, "0000:00:01.0");
	assert_int_equal(p.role, TSMH_IDE_ROLE_ROOT_PORT);
	assert_int_equal(p.offset, 0x100);
	assert_int_equal(p.cap, 0x00070043);
	assert_int_equal(p.nr_sel, 8);
	assert_int_equal(p.sel_used, 2);
	assert_int_equal(p.nr_link, 1);
	assert_true(p.has_hb);
	assert_string_equal(p.hb_name, "pci0000:00");
	assert_int_equal(p.hb_streams, 256);
	assert_int_equal(p.hb_used, 2);
	assert_int_equal(p.key_backend, TSMH_IDE_KB_SIM);
	assert_int_equal(p.nr_streams, 2);
	s = &p.streams[0];
	assert_int_equal(s->id, 4);
	assert_int_equal(s->tc, 3);
	assert_string_equal(s->ep, "0000:03:00.0");
	assert_string_equal(s->rp, "0000:00:01.0");
	assert_int_equal(s->rp_block, 1);
	assert_int_equal(s->rid_base, 0x0300);
	assert_int_equal(s->rid_limit, 0x0307);
	assert_int_equal(s->nr_addr, 2);
	assert_true(s->addr[1].base == 0x200000000ull);
	assert_true(s->addr[1].limit == 0x2000fffffull);
	assert_true(s->has & TSMH_IDENL_S_KEY_SET);
	assert_int_equal(s->key_set, 1);
	assert_int_equal(s->keys, 0x3f);
	assert_true(s->created == 1234567890123ull);
	assert_true(tsmh_idenl_secure(s));
	/* the second: no key set in use, INSECURE */
	s = &p.streams[1];
	assert_int_equal(s->id, 9);
	assert_false(s->has & TSMH_IDENL_S_KEY_SET);
	assert_int_equal(s->nr_addr, 0);
	assert_false(tsmh_idenl_secure(s));
	free(p.streams);
}

/* each broken reply is refused with the field named, and nothing leaks */
static void test_refused(void **st)
{
	struct tsmh_idenl_port p;
	struct nl_msg *m;
	char why[200];

	(void)st;
	m = reply("0000:00:01.0");
	put_stream(m, -1, "0000:03:00.0", 0, 2, 0);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "without its id"));
	assert_null(p.streams);

	m = reply("0000:00:01.0");
	put_stream(m, 255, "0000:03:00.0", 0, 2, 0);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "id 255"));

	m = reply("0000:00:01.0");
	put_stream(m, 1, "0000:03:00.0", 0, 2, 0);
	put_stream(m, 2, "0000:03:00.0", 2, 2, 0);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "key-set 2"));
	assert_null(p.streams);

	m = reply("0000:00:01.0");
	put_rp(m, 2, 3);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "uses 3 of 2 selective"));

	m = reply(NULL);
	put_rp(m, 2, 0);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "without dev-name"));

	/* dev-name's policy refuses a long one; a stream's endpoint name is ours to check */
	m = reply("0000:00:01.0-and-a-name-far-too-long-for-a-pci-device");
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "does not parse"));
	m = reply("0000:00:01.0");
	put_stream(m, 1, "0000:03:00.0-and-a-name-far-too-long", 0, 2, 0);
	assert_int_equal(parse(m, &p, why), -EPROTO);
	assert_non_null(strstr(why, "ep-name: 36 characters, at most 31"));

	{
		struct nlattr *s;

		m = reply("0000:00:01.0");
		s = nla_nest_start(m, TSMH_A_IDE_STREAM);
		nla_put_u32(m, TSMH_IDES_A_ID, 1);
		put_addr(m, 0x200000, 0x1fffff);
		nla_nest_end(m, s);
		assert_int_equal(parse(m, &p, why), -EPROTO);
		assert_non_null(strstr(why, "above its limit"));
	}
}

/* more address blocks than we keep: the first TSMH_IDENL_ADDR_MAX, the rest counted */
static void test_many_addr(void **st)
{
	struct nl_msg *m = reply("0000:00:01.0");
	struct tsmh_idenl_port p;
	char why[200];

	(void)st;
	put_stream(m, 1, "0000:03:00.0", 0, 2, TSMH_IDENL_ADDR_MAX + 3);
	assert_int_equal(parse(m, &p, why), 0);
	assert_int_equal(p.streams[0].nr_addr, TSMH_IDENL_ADDR_MAX);
	assert_int_equal(p.streams[0].addr_dropped, 3);
	assert_true(p.streams[0].addr[0].base == 0x100000000ull);
	free(p.streams);
}

/* SECURE: the kernel's flag; without it both states 2; never with reset or a control write */
static void test_secure(void **st)
{
	struct tsmh_idenl_stream s = { 0 };

	(void)st;
	assert_false(tsmh_idenl_secure(&s));
	s.has = TSMH_IDENL_S_RP_STATE | TSMH_IDENL_S_EP_STATE;
	s.rp_state = 2;
	assert_false(tsmh_idenl_secure(&s));
	s.ep_state = 2;
	assert_true(tsmh_idenl_secure(&s));
	s.flags = TSMH_IDE_S_F_RESET;
	assert_false(tsmh_idenl_secure(&s));
	/* an end's control written since enable: insecure until the next enable */
	s.flags = TSMH_IDE_S_F_CFG_WRITE;
	assert_false(tsmh_idenl_secure(&s));
	s.flags = TSMH_IDE_S_F_CFG_WRITE | TSMH_IDE_S_F_SECURE;
	assert_false(tsmh_idenl_secure(&s));
	s.flags = TSMH_IDE_S_F_SECURE;
	s.rp_state = 0;
	assert_true(tsmh_idenl_secure(&s));
	/* the kernel's SECURE flag with a reset seen: not secure */
	s.flags = TSMH_IDE_S_F_SECURE | TSMH_IDE_S_F_RESET;
	assert_false(tsmh_idenl_secure(&s));
	s.rp_state = 2;
	assert_false(tsmh_idenl_secure(&s));
}

/* a whole dump through libnl: two ports and NLMSG_DONE */
static void test_dump(void **st)
{
	static uint8_t buf[8192];
	struct tsmh_idenl_ports ps = { 0 };
	const struct tsmh_idenl_stream *s;
	struct nl_msg *m[2];
	struct nlmsghdr done = { .nlmsg_len = NLMSG_HDRLEN + 4, .nlmsg_type = NLMSG_DONE };
	struct tsmh_nl nl = { .family = FAMILY };
	size_t len = 0;
	uint32_t seq;
	int i, zero = 0;
	struct nlattr *pt;

	(void)st;
	nl.sk = nl_socket_alloc();
	assert_non_null(nl.sk);
	seq = nl_socket_use_seq(nl.sk);
	m[0] = reply("0000:00:01.0");
	put_rp(m[0], 8, 1);
	put_stream(m[0], 0, "0000:03:00.0", 0, 2, 1);
	m[1] = reply("0000:03:00.0");
	pt = nla_nest_start(m[1], TSMH_A_IDE_PORT);
	nla_put_u32(m[1], TSMH_IDEP_A_ROLE, TSMH_IDE_ROLE_ENDPOINT);
	nla_put_u32(m[1], TSMH_IDEP_A_NR_SEL, 2);
	nla_put_u32(m[1], TSMH_IDEP_A_SEL_USED, 1);
	nla_put_string(m[1], TSMH_IDEP_A_UPSTREAM, "0000:00:01.0");
	nla_nest_end(m[1], pt);
	put_stream(m[1], 0, "0000:03:00.0", 0, 2, 1);
	for (i = 0; i < 2; i++) {
		struct nlmsghdr *h = nlmsg_hdr(m[i]);

		h->nlmsg_seq = seq;
		memcpy(buf + len, h, h->nlmsg_len);
		len += NLMSG_ALIGN(h->nlmsg_len);
		nlmsg_free(m[i]);
	}
	done.nlmsg_seq = seq;
	done.nlmsg_flags = NLM_F_MULTI;
	memcpy(buf + len, &done, NLMSG_HDRLEN);
	memcpy(buf + len + NLMSG_HDRLEN, &zero, 4);
	len += NLMSG_HDRLEN + 4;
	assert_int_equal(tsmh_nl_replay(buf, len), 0);
	assert_int_equal(tsmh_ide_get(&nl, NULL, &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_non_null(tsmh_idenl_port_find(&ps, "0000:03:00.0"));
	assert_string_equal(tsmh_idenl_port_find(&ps, "0000:03:00.0")->upstream, "0000:00:01.0");
	assert_null(tsmh_idenl_port_find(&ps, "0000:04:00.0"));
	s = tsmh_idenl_stream_find(&ps, "0000:03:00.0", -1);
	assert_non_null(s);
	assert_int_equal(s->id, 0);
	assert_null(tsmh_idenl_stream_find(&ps, "0000:03:00.0", 5));
	assert_null(tsmh_idenl_stream_find(&ps, "0000:04:00.0", -1));
	tsmh_idenl_ports_free(&ps);
	assert_int_equal(ps.n, 0);
	nl_socket_free(nl.sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_port), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_many_addr), cmocka_unit_test(test_secure),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
