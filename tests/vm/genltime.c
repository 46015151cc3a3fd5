// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * genltime: how long an operation unrelated to tsmh takes, in ms (t_genlstall).
 *   genltime resolve FAMILY   a generic netlink CTRL_GETFAMILY of FAMILY
 *   genltime run CMD [ARG...] run CMD (e.g. insmod of a module that
 *                             registers a genl family), its exit status
 * Prints "MS" on stdout; exits non-zero if the operation failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long long t0;
	int ret = 0;

	if (argc >= 3 && !strcmp(argv[1], "resolve")) {
		struct nl_sock *sk = nl_socket_alloc();

		if (!sk || genl_connect(sk)) {
			fprintf(stderr, "genltime: no generic netlink socket\n");
			return 2;
		}
		t0 = now_ms();
		ret = genl_ctrl_resolve(sk, argv[2]);
		printf("%lld\n", now_ms() - t0);
		nl_socket_free(sk);
		if (ret < 0) {
			fprintf(stderr, "genltime: family %s: %s\n", argv[2], nl_geterror(ret));
			return 1;
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		pid_t pid;
		int st;

		t0 = now_ms();
		pid = fork();
		if (pid < 0)
			return 2;
		if (!pid) {
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			return 2;
		printf("%lld\n", now_ms() - t0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	fprintf(stderr, "usage: genltime resolve FAMILY | run CMD [ARG...]\n");
	return 2;
}
