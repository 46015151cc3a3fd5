// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl gate DEV hold|release|quarantine [--reason R] [--msg TEXT]
 *                 [--digest HEX --generation N]
 *
 * The driver gate (uapi "Driver gate (ABI 3)"): the kernel decides and
 * explains; tsmctl only maps words to numbers and shows the new state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hex.h"
#include "tsmctl.h"

const char usage_gate[] =
	"Usage: tsmctl gate DEV hold|release|quarantine [--reason attested|exempt|admin]\n"
	"                [--msg TEXT] [--digest HEX --generation N]\n";

struct gate_reply {
	struct tsmh_devinfo d;
	int got;
	char err[128];
};

static int parse_reply(struct nl_msg *m, void *arg)
{
	struct gate_reply *r = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));

	if (tsmh_devinfo_parse(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &r->d, r->err))
		return -EBADMSG;
	r->got = 1;
	return 0;
}

static int word(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -1;
}

int cmd_gate(int argc, char **argv)
{
	static const struct option lo[] = { { "reason", required_argument, 0, 'r' },
					    { "msg", required_argument, 0, 'm' },
					    { "digest", required_argument, 0, 'd' },
					    { "generation", required_argument, 0, 'g' },
					    { 0, 0, 0, 0 } };
	static const char *const actions[] = {
		[TSMH_GATE_ACT_HOLD] = TSMH_NAME_GATE_ACT_HOLD,
		[TSMH_GATE_ACT_RELEASE] = TSMH_NAME_GATE_ACT_RELEASE,
		[TSMH_GATE_ACT_QUARANTINE] = TSMH_NAME_GATE_ACT_QUARANTINE,
	};
	static const char *const reasons[] = {
		[TSMH_GATE_R_ADMIN] = TSMH_NAME_GATE_R_ADMIN,
		[TSMH_GATE_R_ATTESTED] = TSMH_NAME_GATE_R_ATTESTED,
		[TSMH_GATE_R_EXEMPT] = TSMH_NAME_GATE_R_EXEMPT,
		[TSMH_GATE_R_QUARANTINE] = TSMH_NAME_GATE_R_QUARANTINE,
	};
	const char *dev, *msg = NULL, *hexs = NULL, *gens = NULL, *why;
	uint8_t digest[TSMH_ACCEPT_DIGEST_MAX];
	struct gate_reply r = { 0 };
	unsigned long long gen = 0;
	int action, reason = -1, c, ret;
	long dlen = 0;
	struct tsmh_nl nl;
	struct nl_msg *m;
	char buf[64], *end;

	while ((c = getopt_long(argc, argv, "r:m:d:g:", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = word(optarg, reasons, (int)(sizeof(reasons) / sizeof(reasons[0])));
			if (reason < 0) {
				fprintf(stderr,
					"tsmctl: gate: unknown reason '%s' (attested, exempt, admin, quarantine)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm': msg = optarg; break;
		case 'd': hexs = optarg; break;
		case 'g': gens = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 2 != argc)
		goto usage;
	dev = argv[optind];
	action = word(argv[optind + 1], actions, (int)(sizeof(actions) / sizeof(actions[0])));
	if (action < 0) {
		fprintf(stderr, "tsmctl: gate: unknown action '%s' (hold, release, quarantine)\n",
			argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (hexs) {
		dlen = tsmh_hex_parse(hexs, digest, sizeof(digest), &why);
		if (dlen < 0) {
			fprintf(stderr, "tsmctl: gate: --digest: %s\n", why);
			return EXIT_USAGE;
		}
	}
	if (gens) {
		errno = 0;
		gen = strtoull(gens, &end, 0);
		if (errno || *end || !*gens) {
			fprintf(stderr, "tsmctl: gate: --generation: not a number: '%s'\n", gens);
			return EXIT_USAGE;
		}
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	m = tsmh_nl_msg(&nl, TSMH_CMD_GATE_SET, 0);
	if (!m || nla_put_string(m, TSMH_A_DEV_NAME, dev) ||
	    nla_put_u32(m, TSMH_A_GATE_ACTION, (uint32_t)action) ||
	    (reason >= 0 && nla_put_u32(m, TSMH_A_GATE_REASON, (uint32_t)reason)) ||
	    (msg && nla_put_string(m, TSMH_A_GATE_MSG, msg)) ||
	    (hexs && nla_put(m, TSMH_A_ACCEPT_DIGEST, (int)dlen, digest)) ||
	    (gens && nla_put_u64(m, TSMH_A_ACCEPT_GENERATION, gen))) {
		nlmsg_free(m);
		tsmh_nl_close(&nl);
		fprintf(stderr, "tsmctl: gate %s: request too large\n", dev);
		return EXIT_OPERR;
	}
	ret = tsmh_nl_call(&nl, m, parse_reply, &r);
	if (ret == -EBADMSG && r.err[0])
		snprintf(nl.err, sizeof(nl.err), "malformed reply from the kernel: %s", r.err);
	if (ret) {
		ret = report_nl_error(&nl, "gate", dev, ret);
	} else if (!r.got) {
		fprintf(stderr, "tsmctl: gate %s: the kernel sent no state\n", dev);
		ret = EXIT_OPERR;
	} else if (opt_json) {
		json_print(devinfo_json(&r.d));
	} else {
		printf("%s: gate %s%s%s\n", r.d.name, gate_summary(&r.d, buf, sizeof(buf)),
		       r.d.gate_msg[0] ? ": " : "", r.d.gate_msg);
	}
	tsmh_nl_close(&nl);
	return ret;
usage:
	fputs(usage_gate, stderr);
	return EXIT_USAGE;
}
