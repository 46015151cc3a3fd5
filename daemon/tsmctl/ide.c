// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl ide VERB: IDE commands. Each verb is cmd_ide_VERB in its own file
 * (ide_km.c: the protocol-only IDE_KM run; ide_list.c; connect.c: refresh,
 * with connect and disconnect); the table below dispatches, and
 * usage_ide holds every verb's synopsis.
 */
#include <stdio.h>
#include <string.h>
#include "tsmctl.h"

const char usage_ide[] =
	"Usage: tsmctl ide list [-j]\n"
	"       tsmctl ide refresh DEV [--trust PEM-FILE-OR-DIR] [--slot N] [--timeout SEC]\n"
	"       tsmctl ide km {DEV | --socket HOST:PORT} --trust PEM-FILE-OR-DIR [--slot N]\n"
	"       [--stream-id N] [--key-set 0|1] [--timeout SEC] [--keep] [--key-file FILE]\n"
	"  list: every IDE root port and endpoint: capability, register blocks and\n"
	"  host-bridge stream IDs in use and free, each stream (ID, blocks, RIDs,\n"
	"  addresses, key set, state at each end); open to every user.\n"
	"  refresh: a new SPDM session, six new keys into the other key set at both\n"
	"  ends, K_SET_GO, the old set stopped; the stream stays SECURE. When tsmd\n"
	"  keeps DEV's session, tsmd's session keeper does it (D-Bus; no --trust).\n"
	"  km: protocol only, no IDE registers: authenticate, open an SPDM session,\n"
	"  IDE_KM QUERY, KEY_PROG of all six keys of key set 0|1 (fresh random keys,\n"
	"  never shown), K_SET_GO, K_SET_STOP, END_SESSION; each step's result.\n"
	"  DEV goes through the kernel's DOE proxy. --keep: no K_SET_STOP (the keys\n"
	"  stay in use). --key-file: test/bring-up aid: also write the six keys and\n"
	"  IFVs to FILE (created, mode 0600, never overwritten) to program the other\n"
	"  end by hand; the file holds live keys: delete it after use\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "km", cmd_ide_km },
	{ "list", cmd_ide_list },
	{ "refresh", cmd_ide_refresh },
};

int cmd_ide(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		goto usage;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tsmctl: ide: unknown verb '%s'\n", argv[1]);
usage:
	fputs(usage_ide, stderr);
	return EXIT_USAGE;
}
