/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmctl: the target of an SPDM conversation: a device, through the kernel's DOE
 * proxy (holding the mailbox claim until closed) or with an emulator over
 * the spdm-emu socket protocol.
 */
#ifndef TSMCTL_TARGET_H
#define TSMCTL_TARGET_H

#include "doe_proxy.h"
#include "emu_sock.h"
#include "requester.h"
#include "sock_transport.h"

struct tsmctl_target {
	struct spdm_transport t;
	struct proxy_ctx pc;
	struct sock_ctx sc;
	struct tsmh_nl nl;
	int use_nl;
	const char *who;
};

/*
 * The operand after the options: DEV, or none with --socket (@sock); *@dev
 * is the device (NULL with @sock). 0, or -1 for a usage error.
 */
int target_operand(const char *sock, int argc, char **argv, const char **dev);
/*
 * @sock "HOST:PORT" or NULL for @dev; returns 0 or an exit code (message
 * printed). With @sock, connecting and each SPDM message (request out,
 * response in) must be done within @timeout_ms (0: SOCK_TIMEOUT_MS).
 */
int target_open(struct tsmctl_target *s, const char *sock, const char *dev, int timeout_ms);
/* --timeout SEC (a positive number, fractions allowed) into *@ms: 0, or EXIT_USAGE (said). */
int target_timeout_opt(const char *arg, int *ms);
/* a number option: 0 and *@v in @lo..@hi, or EXIT_USAGE after "CMD: --OPT wants LO-HI" */
int num_opt(const char *cmd, const char *opt, const char *arg, long lo, long hi, long *v);
void target_close(struct tsmctl_target *s);

#endif
