// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl: command-line client of the tsm-host kernel modules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tsmctl.h"

int opt_json;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "info", cmd_info, "info                      kernel module ABI, DOE backend, limits" },
	{ "list", cmd_list,
	  "list [--spdm]             tracked devices (--spdm: ask each for its SPDM versions)" },
	{ "show", cmd_show, "show DEV [--spdm]         one device in detail" },
	{ "doe", cmd_doe,
	  "doe DEV --protocol P --hex HEX [--mailbox OFF]\n"
	  "                            raw DOE exchange (P: cma, sec-cma, discovery, VID:TYPE)" },
	{ "spdm-info", cmd_spdm_info,
	  "spdm-info DEV | --socket HOST:PORT\n"
	  "                            SPDM connection setup (VCA): version, capabilities, algorithms" },
	{ "certs", cmd_certs,
	  "certs DEV | --socket HOST:PORT --trust PEM [--out DIR]\n"
	  "                            fetch every provisioned certificate chain and verify it" },
	{ "attest", cmd_attest,
	  "attest DEV | --socket HOST:PORT --trust PEM [--slot N] [--no-measurements]\n"
	  "       [--cache DIR | --no-cache] [--export DIR] [--session] [--no-store]\n"
	  "                            authenticate: chains, CHALLENGE, signed measurements;\n"
	  "                            --session: then an SPDM secured session (KEY_EXCHANGE,\n"
	  "                            FINISH, HEARTBEAT, KEY_UPDATE, END_SESSION)" },
	{ "evidence", cmd_evidence,
	  "evidence DEV [--digest] [--object NAME [--out FILE]]\n"
	  "                            evidence the kernel holds for DEV; export one object raw" },
	{ "claim", cmd_claim,
	  "claim DEV [--mailbox OFF] hold SPDM ownership of a mailbox until interrupted" },
	{ "allow", cmd_allow,
	  "allow DEV [-p]            accept DEV as attested now (tsmd; -p: into the allow-list)\n"
	  "  allow DEV --replace       ... with its current measurements only (older sets retired)\n"
	  "  allow DEV --measurements FILE\n"
	  "                            pre-approve measurement sets (a firmware update) for DEV" },
	{ "deny", cmd_deny,
	  "deny DEV [-p]             refuse DEV (tsmd; -p: into the allow-list)" },
	{ "policy", cmd_policy,
	  "policy show|generate [-c CONFIG] [--trust PEM] [-o FILE] [DEV...]\n"
	  "                            show tsmd's policy; write an allow-list for present devices" },
	{ "gate", cmd_gate,
	  "gate DEV hold|release|quarantine [--reason attested|exempt|admin] [--msg TEXT]\n"
	  "       [--digest HEX --generation N]\n"
	  "                            driver gate: hold, release or quarantine a device" },
	{ "monitor", cmd_monitor,
	  "monitor [--count N] [--exec CMD]\n"
	  "                            print device, gate and reset events; run CMD for each" },
	{ "caps", cmd_caps,
	  "caps FILE                 decode a saved config space (sysfs \"config\", 256 or 4096 bytes)" },
};

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: tsmctl [-j] COMMAND [ARGS]\n"
	      "Control tsm-host: PCIe device security (DOE/SPDM, IDE, TDISP).\n\n"
	      "Options:\n"
	      "  -j, --json     JSON output\n"
	      "  -h, --help     this help\n"
	      "  -V, --version  version\n\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].help);
	fputs("\nDEV is a PCI name as in /sys/bus/pci/devices (e.g. 10000:03:00.0).\n"
	      "Commands that talk to devices or read evidence (doe, claim, spdm-info,\n"
	      "certs, attest, evidence, gate, list/show --spdm) need CAP_NET_ADMIN.\n"
	      "Exit status: 0 ok, 1 operation failed, 2 usage error.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+jhV", lo, NULL)) != -1) {
		switch (c) {
		case 'j': opt_json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("tsmctl %s (netlink ABI %d)\n", TSMH_VERSION, TSMH_ABI_VERSION);
			return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[optind], cmds[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0; /* full getopt reset: the command parses its own options */
			return cmds[i].fn(argc, argv);
		}
	}
	fprintf(stderr, "tsmctl: unknown command '%s' (see tsmctl --help)\n", argv[optind]);
	return EXIT_USAGE;
}

int nl_open_or_die(struct tsmh_nl *nl)
{
	int ret = tsmh_nl_open(nl);

	if (ret)
		fprintf(stderr, "tsmctl: %s\n", nl->err[0] ? nl->err : strerror(-ret));
	return ret;
}

int report_nl_error(struct tsmh_nl *nl, const char *what, const char *dev, int err)
{
	fprintf(stderr, "tsmctl: %s%s%s: %s", what, dev ? " " : "", dev ? dev : "", strerror(-err));
	if (nl->err[0])
		fprintf(stderr, " (%s)", nl->err);
	if (err == -EPERM)
		fprintf(stderr, " [needs CAP_NET_ADMIN]");
	fputc('\n', stderr);
	return EXIT_OPERR;
}

int write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	n = fwrite(p, 1, len, f);
	if (fclose(f) || n != len)
		return -EIO;
	return 0;
}

int parse_u16(const char *s, uint16_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || end == s || x > 0xffff)
		return -1;
	*v = (uint16_t)x;
	return 0;
}
