// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl: the DEV | --socket HOST:PORT target of spdm-info, certs and attest. See target.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "target.h"
#include "tsmctl.h"

int target_operand(const char *sock, int argc, char **argv, const char **dev)
{
	if (sock ? optind != argc : optind + 1 != argc)
		return -1;
	*dev = sock ? NULL : argv[optind];
	return 0;
}

int target_open(struct tsmctl_target *s, const char *sock, const char *dev)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->sc.fd = -1;
	if (sock) {
		char *host = strdup(sock), *colon = strrchr(host, ':');
		long port = colon ? strtol(colon + 1, NULL, 10) : 0;

		if (!colon || port <= 0 || port > 65535) {
			free(host);
			fprintf(stderr, "tsmctl: --socket wants HOST:PORT, not '%s'\n", sock);
			return EXIT_USAGE;
		}
		*colon = 0;
		s->sc.fd = emu_sock_connect(host, (uint16_t)port);
		free(host);
		if (s->sc.fd < 0) {
			fprintf(stderr, "tsmctl: connect %s: %s\n", sock, strerror(-s->sc.fd));
			return EXIT_OPERR;
		}
		spdm_transport_socket(&s->t, &s->sc);
		s->who = sock;
		return 0;
	}
	if (nl_open_or_die(&s->nl))
		return EXIT_OPERR;
	s->use_nl = 1;
	/* nobody may interleave with our conversation: hold the mailbox */
	ret = tsmh_doe_proxy_claim(&s->nl, dev, -1);
	if (ret) {
		ret = report_nl_error(&s->nl, "claim", dev, ret);
		tsmh_nl_close(&s->nl);
		return ret;
	}
	s->pc = (struct proxy_ctx){ .nl = &s->nl, .dev = dev };
	spdm_transport_proxy(&s->t, &s->pc);
	s->who = dev;
	return 0;
}

void target_close(struct tsmctl_target *s)
{
	if (s->use_nl)
		tsmh_nl_close(&s->nl); /* releases the claim */
	if (s->sc.fd >= 0)
		spdm_transport_socket_close(&s->sc); /* SHUTDOWN, its answer, close */
}
