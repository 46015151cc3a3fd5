/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmctl: the running tsmd, over D-Bus (bus.c): allow and deny, and
 * policy show's status line.
 */
#ifndef TSMCTL_BUS_H
#define TSMCTL_BUS_H

#include <systemd/sd-bus.h>

#define BUS_NAME  "org.tsmhost.tsmd1"
#define BUS_PATH  "/org/tsmhost/tsmd1"
#define BUS_IFACE "org.tsmhost.tsmd1.Manager"

/* tsmctl allow (@method "Allow") or deny ("Deny"): argc/argv as the command's */
int allow_deny(int argc, char **argv, const char *method);

#include <cjson/cJSON.h>
/*
 * tsmctl show: tsmd's session with @dev in @text and GetDevice's
 * "connection" in *@obj (the caller's); 0, or -ENOENT (tsmd keeps
 * nothing for it), -ENOSYS (no system bus).
 */
int tsmd_connection(const char *dev, char *text, size_t len, cJSON **obj);

#endif
