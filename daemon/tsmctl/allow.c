// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl allow: tsmd accepts a device (bus.c asks it over D-Bus).
 */
#include "bus.h"
#include "tsmctl.h"

const char usage_allow[] =
	"Usage: tsmctl allow DEV [-p|--permanent]\n"
	"       tsmctl allow DEV --replace\n"
	"       tsmctl allow DEV --measurements FILE\n"
	"  accept DEV as its last attestation found it (tsmd; -p: into the allow-list);\n"
	"  --replace: with its current measurements only (older sets retired);\n"
	"  --measurements: pre-approve measurement sets (a firmware update) for DEV\n";

int cmd_allow(int argc, char **argv)
{
	return allow_deny(argc, argv, "Allow");
}
