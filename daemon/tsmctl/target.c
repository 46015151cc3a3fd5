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

int target_timeout_opt(const char *arg, int *ms)
{
	char *end;
	double sec = strtod(arg, &end);

	if (end == arg || *end || !(sec >= 0.001 && sec <= 3600)) {
		fprintf(stderr, "tsmctl: --timeout wants seconds (0.001-3600), not '%s'\n", arg);
		return EXIT_USAGE;
	}
	*ms = (int)(sec * 1000 + 0.5);
	return 0;
}

int num_opt(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *v)
{
	char *end;

	*v = strtol(arg, &end, 0);
	if (*end || end == arg || *v < lo || *v > hi) {
		fprintf(stderr, "tsmctl: %s: --%s wants %ld-%ld, not '%s'\n", cmd, opt, lo, hi,
			arg);
		return EXIT_USAGE;
	}
	return 0;
}

int target_open(struct tsmctl_target *s, const char *sock, const char *dev, int timeout_ms)
{
	int ret;

	if (!timeout_ms)
		timeout_ms = SOCK_TIMEOUT_MS;

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
		s->sc.fd = emu_sock_connect_by(host, (uint16_t)port, emu_sock_deadline(timeout_ms));
		free(host);
		if (s->sc.fd == -ETIMEDOUT) {
			fprintf(stderr, "tsmctl: connect %s: no connection within %d ms\n", sock,
				timeout_ms);
			return EXIT_OPERR;
		}
		if (s->sc.fd < 0) {
			fprintf(stderr, "tsmctl: connect %s: %s\n", sock,
				s->sc.fd == -ENXIO && emu_sock_resolve_error()[0]
					? emu_sock_resolve_error()
					: strerror(-s->sc.fd));
			return EXIT_OPERR;
		}
		s->sc.timeout_ms = timeout_ms;
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
