// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl: command-line client of the tsm-host kernel modules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fileio.h"
#include "safepath.h"
#include "tsmctl.h"

int opt_json;

/* tsmctl --help lists them in this order */
static const struct tsmctl_cmd cmds[] = {
	{ "info", cmd_info, "kernel module ABI, DOE backend, limits", usage_info },
	{ "list", cmd_list, "tracked devices (--spdm: ask each for its SPDM versions)",
	  usage_list },
	{ "show", cmd_show, "one device in detail", usage_show },
	{ "doe", cmd_doe, "raw DOE exchange (P: cma, sec-cma, discovery, VID:TYPE)", usage_doe },
	{ "spdm-info", cmd_spdm_info,
	  "SPDM connection setup (VCA): version, capabilities, algorithms", usage_spdm_info },
	{ "certs", cmd_certs, "fetch every provisioned certificate chain and verify it",
	  usage_certs },
	{ "attest", cmd_attest, "authenticate (chains, CHALLENGE, signed measurements; --session)",
	  usage_attest },
	{ "evidence", cmd_evidence, "evidence the kernel holds for DEV; export one object raw",
	  usage_evidence },
	{ "claim", cmd_claim, "hold SPDM ownership of a mailbox until interrupted", usage_claim },
	{ "allow", cmd_allow, "accept DEV as attested now (tsmd; -p: into the allow-list)",
	  usage_allow },
	{ "deny", cmd_deny, "refuse DEV (tsmd; -p: into the allow-list)", usage_deny },
	{ "policy", cmd_policy, "show tsmd's policy; write an allow-list for present devices",
	  usage_policy },
	{ "gate", cmd_gate, "driver gate: hold, release or quarantine a device", usage_gate },
	{ "monitor", cmd_monitor, "print device, gate and reset events; run COMMAND for each",
	  usage_monitor },
	{ "caps", cmd_caps, "decode a saved config space (sysfs \"config\", 256 or 4096 bytes)",
	  usage_caps },
	{ "connect", cmd_connect,
	  "authenticate, open a session, set up a SECURE IDE stream to the root port",
	  usage_connect },
	{ "disconnect", cmd_disconnect, "stop the keys, free the IDE stream, end the session",
	  usage_disconnect },
	{ "ide", cmd_ide, "IDE: list ports and streams, refresh keys, km (IDE_KM protocol only)",
	  usage_ide },
	{ "tdisp", cmd_tdisp, "TDISP lock, report, start, stop over an SPDM session, protocol only",
	  usage_tdisp },
	{ "tdi", cmd_tdi,
	  "TDIs through the kernel's state machine: list, lock, report, start, stop, state",
	  usage_tdi },
};

#define SUMMARY_COL 28

/* @c's synopsis lines (its usage without "Usage: tsmctl "), then its summary */
static void list_cmd(FILE *f, const struct tsmctl_cmd *c)
{
	static const char form[] = "Usage: tsmctl ", other[] = "       tsmctl ";
	const char *p = c->usage, *eol;
	int lines = 0, w = 0;

	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (!strncmp(p, form, strlen(form)) || !strncmp(p, other, strlen(other))) {
			w = (int)(eol - p - strlen(form));
			fprintf(f, "%s  %.*s", lines++ ? "\n" : "", w, p + strlen(form));
		} else if (!strncmp(p, "       ", 7)) {
			w = SUMMARY_COL; /* the summary goes on a line of its own */
			fprintf(f, "\n%.*s", (int)(eol - p), p);
		} else {
			break;
		}
	}
	if (lines == 1 && w <= SUMMARY_COL - 3)
		fprintf(f, "%*s%s\n", SUMMARY_COL - 2 - w, "", c->summary);
	else
		fprintf(f, "\n%*s%s\n", SUMMARY_COL, "", c->summary);
}

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
		list_cmd(f, &cmds[i]);
	fputs("\nDEV is a PCI name as in /sys/bus/pci/devices (e.g. 10000:03:00.0).\n"
	      "Commands that change a device or talk to it (gate, claim, doe other than\n"
	      "discovery, spdm-info, certs, attest, list/show --spdm) need\n"
	      "CAP_SYS_ADMIN; reading evidence and DOE discovery need CAP_NET_ADMIN or\n"
	      "CAP_SYS_ADMIN. Without CAP_SYS_ADMIN, list and show leave out the Device\n"
	      "Serial Number and the accepted digest.\n"
	      "Exit status: 0 ok, 1 operation failed, 2 usage error.\n"
	      "tsmctl COMMAND --help: that command's usage.\n",
	      f);
}

/* tsmctl COMMAND ... --help ...: -h or --help before any "--" */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
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
			if (wants_help(argc, argv)) {
				fputs(cmds[i].usage, stdout);
				return 0;
			}
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
	/* tsmh_core names the capability in its extack; say it if it did not */
	if (err == -EPERM && !strstr(nl->err, "CAP_"))
		fprintf(stderr, " [needs CAP_SYS_ADMIN]");
	fputc('\n', stderr);
	return EXIT_OPERR;
}

int write_file(int dfd, const char *name, const void *p, size_t len)
{
	struct tsmh_fileio_err err;
	int ret = tsmh_write_atomic_at(dfd, name, p, len, 0644, &err);

	if (!ret && err.unsynced)
		fprintf(stderr, "tsmctl: warning: %s written, but %s failed (%s)\n", name, err.step,
			strerror(-err.unsynced));
	return ret;
}

int out_dir_open(const char *opt, const char *dir)
{
	char why[1024];
	int fd = tsmh_outdir_open(dir, 1, why, sizeof(why));

	if (fd < 0)
		fprintf(stderr, "tsmctl: %s %s: refused: %s\n", opt, dir, why);
	return fd;
}

int trust_check(const char *cmd, const char *trust)
{
	char why[1024];

	if (tsmh_trust_secure(trust, geteuid(), TSMH_SAFE_STICKY_PARENTS, why, sizeof(why)) !=
	    -EPERM)
		return 0;
	fprintf(stderr, "tsmctl: %s: --trust refused: %s\n", cmd, why);
	return EXIT_OPERR;
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
