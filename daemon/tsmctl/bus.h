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

/*
 * Whether tsmd's session keeper holds @dev's SPDM session now (GetDevice's
 * connection.session "up"): 1, or 0 (no tsmd, no session of its).
 */
int tsmd_holds_session(const char *dev);
/* Whether tsmd runs and keeps a connection record of @dev (GetDevice "connection"). */
int tsmd_knows(const char *dev);
/*
 * tsmd's Refresh or Disconnect (@method) of @dev, run by its session
 * keeper: 0 with tsmd's answer in @out, or -errno with the reason in @out.
 */
int tsmd_conn_call(const char *method, const char *dev, char *out, size_t len);
/*
 * tsmd's @method(s @dev, ...) -> s, run by a session keeper: @append (may
 * be NULL) adds the arguments after @dev. 0 with tsmd's answer in @out, or
 * -errno with the reason in @out.
 */
int tsmd_call(const char *method, const char *dev,
	      int (*append)(sd_bus_message *m, const void *arg), const void *arg, char *out,
	      size_t len);

#endif
