// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl claim
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "doe_proxy.h"
#include "tsmctl.h"

const char usage_claim[] = "Usage: tsmctl claim DEV [--mailbox OFF]\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int cmd_claim(int argc, char **argv)
{
	static const struct option lo[] = { { "mailbox", required_argument, 0, 'm' },
					    { 0, 0, 0, 0 } };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *mbs = NULL, *dev;
	struct tsmh_nl nl;
	uint16_t off = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "m:", lo, NULL)) != -1) {
		if (c != 'm')
			goto usage;
		mbs = optarg;
	}
	if (optind + 1 != argc || (mbs && parse_u16(mbs, &off)))
		goto usage;
	dev = argv[optind];
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_doe_proxy_claim(&nl, dev, mbs ? off : -1);
	if (ret) {
		ret = report_nl_error(&nl, "claim", dev, ret);
		tsmh_nl_close(&nl);
		return ret;
	}
	/* The claim lives as long as this socket: hold it until signalled. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "tsmctl: %s: DOE mailbox claimed; release with Ctrl-C or SIGTERM\n", dev);
	while (!stop)
		pause();
	tsmh_nl_close(&nl); /* closing the socket releases the claim */
	return 0;
usage:
	fputs(usage_claim, stderr);
	return EXIT_USAGE;
}
