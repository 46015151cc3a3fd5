/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The tsmh_core parameter hold_ids (docs/design.md, "Hold policy"):
 * "VVVV:DDDD[,VVVV:DDDD...]", vendor and device as exactly 4 hex digits
 * (either case), DDDD may be "*" (every device of the vendor). The empty
 * string names nothing. One trailing newline is allowed (sysfs writes);
 * nothing else: no spaces, no empty entries, no "0x", at most
 * TSMH_HOLD_IDS_MAX entries. Pure logic, shared by the core module and
 * the unit tests.
 */
#ifndef TSMH_LIB_HOLD_IDS_H
#define TSMH_LIB_HOLD_IDS_H

#include "port.h"

#define TSMH_HOLD_IDS_MAX	32
/* longest formatted list: "vvvv:dddd," per entry, NUL for the last comma */
#define TSMH_HOLD_IDS_STR_MAX	(TSMH_HOLD_IDS_MAX * 10)

struct tsmh_hold_id {
	u16 vendor;
	u16 device;
	bool any_device;	/* "VVVV:*" */
};

/*
 * tsmh_hold_ids_parse - parse @s into @ids (room for @max entries)
 * Returns the number of entries (0 for ""), -EINVAL on a syntax error or
 * -E2BIG for more than @max entries; *@why then says what is wrong
 * (static text). @ids may be partly written on failure: parse into a
 * scratch copy and install it only on success.
 */
int tsmh_hold_ids_parse(const char *s, struct tsmh_hold_id *ids, unsigned int max,
			const char **why);
bool tsmh_hold_ids_match(const struct tsmh_hold_id *ids, unsigned int n, u16 vendor,
			 u16 device);
/* "vvvv:dddd,..." (lower case, no newline) into @buf; returns its length */
size_t tsmh_hold_ids_format(const struct tsmh_hold_id *ids, unsigned int n, char *buf,
			    size_t len);

#endif
