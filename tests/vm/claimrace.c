// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * claimrace: a DOE claim belongs to its socket, not to its port id
 * (t_claimsock). Thread A, forever: a socket bound to port P claims the
 * mailbox of DEV and closes. Thread B, forever: a socket bound to the same
 * port P (whenever A's is not) asks to release the mailbox, which it never
 * claimed. The kernel frees the port id before it tells tsmh that A's
 * socket closed, so a B that binds in between used to be taken for the
 * owner. Every success of B is a failure of the kernel.
 * Usage: claimrace DEV SECONDS
 * Prints "claims N releases-by-stranger M"; exits 1 if M > 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include "nl.h"

#define PORT 0x7a5c0001u

static const char *dev;
static int family;
static volatile int stop;
static long claims, stolen, a_fail;

static int open_port(struct tsmh_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	nl_socket_set_local_port(nl->sk, PORT);
	if (genl_connect(nl->sk)) { /* the port is in use */
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -EADDRINUSE;
	}
	nl->family = family;
	return 0;
}

static int doe_cmd(struct tsmh_nl *nl, uint8_t cmd)
{
	struct nl_msg *m = tsmh_nl_msg(nl, cmd, 0);

	if (!m)
		return -ENOMEM;
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	return tsmh_nl_call(nl, m, NULL, NULL);
}

static void *owner(void *arg)
{
	struct tsmh_nl nl;

	(void)arg;
	while (!stop) {
		if (open_port(&nl))
			continue;
		if (!doe_cmd(&nl, TSMH_CMD_DOE_CLAIM))
			claims++;
		else
			a_fail++;
		tsmh_nl_close(&nl);
	}
	return NULL;
}

static void *stranger(void *arg)
{
	struct tsmh_nl nl;

	(void)arg;
	while (!stop) {
		if (open_port(&nl))
			continue;
		if (!doe_cmd(&nl, TSMH_CMD_DOE_RELEASE)) {
			stolen++;
			fprintf(stderr,
				"claimrace: a socket that never claimed released the claim\n");
		}
		tsmh_nl_close(&nl);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct tsmh_nl nl;
	pthread_t a, b;

	if (argc != 3) {
		fprintf(stderr, "usage: claimrace DEV SECONDS\n");
		return 2;
	}
	dev = argv[1];
	if (tsmh_nl_open(&nl)) {
		fprintf(stderr, "claimrace: %s\n", nl.err);
		return 2;
	}
	family = nl.family;
	tsmh_nl_close(&nl);
	pthread_create(&a, NULL, owner, NULL);
	pthread_create(&b, NULL, stranger, NULL);
	sleep((unsigned int)atoi(argv[2]));
	stop = 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("claims %ld releases-by-stranger %ld (claims refused %ld)\n", claims, stolen,
	       a_fail);
	return stolen ? 1 : 0;
}
