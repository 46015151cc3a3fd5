// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl deny: tsmd refuses a device (bus.c asks it over D-Bus).
 */
#include "bus.h"
#include "tsmctl.h"

const char usage_deny[] = "Usage: tsmctl deny DEV [-p|--permanent]\n";

int cmd_deny(int argc, char **argv)
{
	return allow_deny(argc, argv, "Deny");
}
