// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * capexec: run a command as another user with exactly the capabilities
 * given, as a daemon with "CapabilityBoundingSet=" or a container with
 * "--cap-add" would run: for the guest tests of who may do what.
 *
 * Usage: capexec UID CAP[,CAP...] COMMAND [ARG...]
 *   CAP: net_admin, sys_admin, or "none". The process runs with
 *   uid = gid = UID, no supplementary groups, and the capabilities in its
 *   permitted, effective, inheritable and ambient sets (ambient: they
 *   survive the exec of COMMAND, a file without file capabilities).
 *   UID 0 stays root (a root container with "--cap-drop ALL --cap-add"):
 *   SECBIT_NOROOT keeps the exec from handing it every capability.
 * Must be started as root. Exit 126 if a step fails (the step named).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>

static int die(const char *what)
{
	fprintf(stderr, "capexec: %s: %s\n", what, strerror(errno));
	return 126;
}

static int cap_of(const char *name)
{
	if (!strcmp(name, "net_admin"))
		return CAP_NET_ADMIN;
	if (!strcmp(name, "sys_admin"))
		return CAP_SYS_ADMIN;
	return -1;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int caps[8], n = 0, i;
	char *list, *tok, *save = NULL;
	char *end;
	long uid;

	if (argc < 4) {
		fprintf(stderr, "usage: capexec UID CAP[,CAP...]|none COMMAND [ARG...]\n");
		return 2;
	}
	uid = strtol(argv[1], &end, 10);
	if (*end || uid < 0) {
		fprintf(stderr, "capexec: bad uid '%s'\n", argv[1]);
		return 2;
	}
	list = strdup(argv[2]);
	for (tok = strtok_r(list, ",", &save); tok && strcmp(tok, "none");
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == 8 || (caps[n] = cap_of(tok)) < 0) {
			fprintf(stderr, "capexec: unknown capability '%s'\n", tok);
			return 2;
		}
		n++;
	}
	if (setgroups(0, NULL))
		return die("setgroups");
	if (!uid) {
		/* root, but the exec must not give it every capability back */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0))
			return die("PR_SET_SECUREBITS");
	} else {
		/* keep the permitted set across setuid; the ambient set is raised after */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
			return die("PR_SET_KEEPCAPS");
		if (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid))
			return die("setresgid");
		if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid))
			return die("setresuid");
	}
	memset(d, 0, sizeof(d));
	for (i = 0; i < n; i++) {
		d[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		d[caps[i] / 32].effective |= 1u << (caps[i] % 32);
		d[caps[i] / 32].inheritable |= 1u << (caps[i] % 32);
	}
	if (syscall(SYS_capset, &h, d))
		return die("capset");
	for (i = 0; i < n; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0))
			return die("PR_CAP_AMBIENT_RAISE");
	execvp(argv[3], argv + 3);
	return die(argv[3]);
}
