// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * idenl: the kernel's IDE stream commands (ABI 5) from the shell, for
 * tests/vm/t_idestream.sh (the connect flow by hand, one command a step).
 *
 *   idenl get DEV                    the port and its streams, one line each
 *   idenl dump                       every IDE port
 *   idenl new DEV [TC]               ide-stream-new: "ID RPBLOCK EPBLOCK"
 *   idenl keys DEV ID KEYFILE [corrupt]  one ide-key-prog per line of a
 *                                    `tsmctl ide km --key-file` file
 *                                    (directions swapped: the endpoint's RX
 *                                    is the root port's TX), then ide-kset
 *                                    GO for the file's key set
 *   idenl kset DEV ID SET go|stop
 *   idenl enable DEV ID              ide-stream-enable: the stream line
 *   idenl del DEV ID
 *   idenl keylen DEV ID KEYLEN IFVLEN  ide-key-prog with those lengths
 *   idenl events                     evt-ide lines until killed
 *
 * A stream line: "stream ID rp=NAME/BLOCK ep=NAME/BLOCK rp_state=S
 * ep_state=S rp_fail=F ep_fail=F flags=0xF keys=0xK set=N". A port line:
 * "port NAME role=R sel=USED/NR hb=NAME used=U/N kb=K platform=P".
 * Errors: "error ERRNO: extack message" on stdout, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nl.h"

static struct tsmh_nl nl;

static int fail(int ret)
{
	printf("error %d: %s\n", ret, nl.err);
	fflush(stdout);
	return 1;
}

static struct nl_msg *req(uint8_t cmd, const char *dev, int dump)
{
	struct nl_msg *m = tsmh_nl_msg(&nl, cmd, dump);

	if (!m)
		exit(2);
	if (dev)
		nla_put_string(m, TSMH_A_DEV_NAME, dev);
	return m;
}

static void print_stream(const char *prefix, struct nlattr *n)
{
	struct nlattr *a[TSMH_IDES_A_MAX + 1];

	if (nla_parse_nested(a, TSMH_IDES_A_MAX, n, NULL))
		return;
#define U(x) (a[x] ? nla_get_u32(a[x]) : 0)
	printf("%sstream %u rp=%s/%u ep=%s/%u rp_state=%u ep_state=%u rp_fail=%u ep_fail=%u "
	       "flags=0x%x keys=0x%x set=%d rid=0x%x-0x%x\n",
	       prefix, U(TSMH_IDES_A_ID),
	       a[TSMH_IDES_A_RP_NAME] ? nla_get_string(a[TSMH_IDES_A_RP_NAME]) : "?",
	       U(TSMH_IDES_A_RP_BLOCK),
	       a[TSMH_IDES_A_EP_NAME] ? nla_get_string(a[TSMH_IDES_A_EP_NAME]) : "?",
	       U(TSMH_IDES_A_EP_BLOCK), U(TSMH_IDES_A_RP_STATE), U(TSMH_IDES_A_EP_STATE),
	       U(TSMH_IDES_A_RP_FAIL), U(TSMH_IDES_A_EP_FAIL), U(TSMH_IDES_A_FLAGS),
	       U(TSMH_IDES_A_KEYS), a[TSMH_IDES_A_KEY_SET] ? (int)U(TSMH_IDES_A_KEY_SET) : -1,
	       U(TSMH_IDES_A_RID_BASE), U(TSMH_IDES_A_RID_LIMIT));
#undef U
}

static void print_port(const char *dev, struct nlattr *n)
{
	struct nlattr *a[TSMH_IDEP_A_MAX + 1];

	if (nla_parse_nested(a, TSMH_IDEP_A_MAX, n, NULL))
		return;
#define U(x) (a[x] ? nla_get_u32(a[x]) : 0)
	printf("port %s role=%u sel=%u/%u hb=%s used=%u/%u kb=%d platform=%s upstream=%s\n", dev,
	       U(TSMH_IDEP_A_ROLE), U(TSMH_IDEP_A_SEL_USED), U(TSMH_IDEP_A_NR_SEL),
	       a[TSMH_IDEP_A_HB_NAME] ? nla_get_string(a[TSMH_IDEP_A_HB_NAME]) : "?",
	       U(TSMH_IDEP_A_HB_USED), U(TSMH_IDEP_A_HB_STREAMS),
	       a[TSMH_IDEP_A_KEY_BACKEND] ? (int)U(TSMH_IDEP_A_KEY_BACKEND) : -1,
	       a[TSMH_IDEP_A_PLATFORM] ? nla_get_string(a[TSMH_IDEP_A_PLATFORM]) : "-",
	       a[TSMH_IDEP_A_UPSTREAM] ? nla_get_string(a[TSMH_IDEP_A_UPSTREAM]) : "-");
#undef U
}

/* every reply or event: the port, then each stream */
static int print_msg(struct nl_msg *m, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	struct genlmsghdr *g = nlmsg_data(h);
	const char *dev = "?";
	struct nlattr *a;
	int rem;

	(void)arg;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) if (nla_type(a) == TSMH_A_DEV_NAME) dev = nla_get_string(a);
	if (g->cmd == TSMH_CMD_EVT_IDE) {
		nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
				  rem) if (nla_type(a) == TSMH_A_IDE_EVENT)
			printf("evt %u %s ", nla_get_u32(a), dev);
	}
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
	{
		if (nla_type(a) == TSMH_A_IDE_PORT)
			print_port(dev, a);
		else if (nla_type(a) == TSMH_A_IDE_STREAM)
			print_stream("", a);
	}
	fflush(stdout);
	return 0;
}

static int hexbytes(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

static int key_prog(const char *dev, unsigned int id, unsigned int set, unsigned int dir,
		    unsigned int sub, const uint8_t *key, size_t klen, const uint8_t *ifv,
		    size_t ilen)
{
	struct nl_msg *m = req(TSMH_CMD_IDE_KEY_PROG, dev, 0);

	nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id);
	nla_put_u32(m, TSMH_A_IDE_KEY_SET, set);
	nla_put_u32(m, TSMH_A_IDE_DIR, dir);
	nla_put_u32(m, TSMH_A_IDE_SUB, sub);
	nla_put(m, TSMH_A_IDE_KEY, (int)klen, key);
	nla_put(m, TSMH_A_IDE_IFV, (int)ilen, ifv);
	/* tsmh_nl_call frees the message; libnl's buffer is not wiped (test keys) */
	return tsmh_nl_call(&nl, m, NULL, NULL);
}

static int kset(const char *dev, unsigned int id, unsigned int set, unsigned int op)
{
	struct nl_msg *m = req(TSMH_CMD_IDE_KSET, dev, 0);

	nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id);
	nla_put_u32(m, TSMH_A_IDE_KEY_SET, set);
	nla_put_u32(m, TSMH_A_IDE_KSET_OP, op);
	return tsmh_nl_call(&nl, m, NULL, NULL);
}

static int keys(const char *dev, unsigned int id, const char *path, int corrupt)
{
	static const char *const subs[] = { "PR", "NPR", "CPL" };
	char dir[8], sname[8], khex[80], ihex[40], line[256];
	unsigned int sid, set = 0, sub, n = 0;
	uint8_t key[32], ifv[8];
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		printf("error %d: %s: %s\n", -errno, path, strerror(errno));
		return 1;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %7s %7s %79s %39s", &sid, &set, dir, sname, khex, ihex) !=
		    6)
			continue;
		for (sub = 0; sub < 3 && strcmp(sname, subs[sub]); sub++)
			;
		if (sub == 3 || hexbytes(khex, key, 32) || hexbytes(ihex, ifv, 8)) {
			printf("error -22: %s: bad line\n", path);
			ret = -EINVAL;
			break;
		}
		if (corrupt && n == 0)
			key[0] ^= 1;
		/* the device's RX key is the root port's TX key */
		ret = key_prog(dev, id, set, strcmp(dir, "RX") ? TSMH_IDE_DIR_RX : TSMH_IDE_DIR_TX,
			       sub, key, sizeof(key), ifv, sizeof(ifv));
		n++;
	}
	fclose(f);
	memset(key, 0, sizeof(key));
	memset(line, 0, sizeof(line));
	memset(khex, 0, sizeof(khex));
	if (ret)
		return ret == -EINVAL && !nl.err[0] ? 1 : fail(ret);
	if (n != 6) {
		printf("error -22: %s: %u keys, not 6\n", path, n);
		return 1;
	}
	ret = kset(dev, id, set, TSMH_IDE_KSET_GO);
	return ret ? fail(ret) : 0;
}

int main(int argc, char **argv)
{
	struct nl_msg *m;
	const char *dev;
	unsigned int id = 0;
	int ret;

	if (argc < 2) {
		fputs("usage: idenl get|new|keys|kset|enable|del|keylen|events ...\n", stderr);
		return 2;
	}
	if (tsmh_nl_open(&nl)) {
		printf("error: %s\n", nl.err);
		return 1;
	}
	if (!strcmp(argv[1], "events")) {
		ret = tsmh_nl_subscribe(&nl);
		if (ret)
			return fail(ret);
		/* every tsmh event goes to the group (a removal sends many) */
		nl_socket_set_buffer_size(nl.sk, 1 << 20, 0);
		printf("listening\n");
		fflush(stdout);
		for (;;) {
			ret = tsmh_nl_recv_events(&nl, print_msg, NULL);
			if (ret == -ENOBUFS) {
				printf("overflow: events lost\n");
				fflush(stdout);
			} else if (ret && ret != -EAGAIN && ret != -EINTR) {
				return fail(ret);
			}
		}
	}
	if (!strcmp(argv[1], "dump")) {
		ret = tsmh_nl_call(&nl, req(TSMH_CMD_IDE_GET, NULL, 1), print_msg, NULL);
		return ret ? fail(ret) : 0;
	}
	if (argc < 3)
		return 2;
	dev = argv[2];
	if (argc > 3)
		id = (unsigned int)strtoul(argv[3], NULL, 0);
	if (!strcmp(argv[1], "get") && argc == 3) {
		ret = tsmh_nl_call(&nl, req(TSMH_CMD_IDE_GET, dev, 0), print_msg, NULL);
	} else if (!strcmp(argv[1], "new") && (argc == 3 || argc == 4)) {
		m = req(TSMH_CMD_IDE_STREAM_NEW, dev, 0);
		if (argc == 4)
			nla_put_u32(m, TSMH_A_IDE_TC, id);
		ret = tsmh_nl_call(&nl, m, print_msg, NULL);
	} else if (!strcmp(argv[1], "keys") && (argc == 5 || argc == 6)) {
		return keys(dev, id, argv[4], argc == 6 && !strcmp(argv[5], "corrupt"));
	} else if (!strcmp(argv[1], "kset") && argc == 6) {
		ret = kset(dev, id, (unsigned int)strtoul(argv[4], NULL, 0),
			   strcmp(argv[5], "go") ? TSMH_IDE_KSET_STOP : TSMH_IDE_KSET_GO);
	} else if (!strcmp(argv[1], "enable") && argc == 4) {
		m = req(TSMH_CMD_IDE_STREAM_ENABLE, dev, 0);
		nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id);
		ret = tsmh_nl_call(&nl, m, print_msg, NULL);
	} else if (!strcmp(argv[1], "del") && argc == 4) {
		m = req(TSMH_CMD_IDE_STREAM_DEL, dev, 0);
		nla_put_u32(m, TSMH_A_IDE_STREAM_ID, id);
		ret = tsmh_nl_call(&nl, m, NULL, NULL);
	} else if (!strcmp(argv[1], "keylen") && argc == 6) {
		static const uint8_t zero[64];
		size_t kl = strtoul(argv[4], NULL, 0), il = strtoul(argv[5], NULL, 0);

		if (kl > sizeof(zero) || il > sizeof(zero))
			return 2;
		ret = key_prog(dev, id, 0, TSMH_IDE_DIR_TX, TSMH_IDE_SUB_PR, zero, kl, zero, il);
	} else {
		fputs("idenl: bad arguments\n", stderr);
		return 2;
	}
	return ret ? fail(ret) : 0;
}
