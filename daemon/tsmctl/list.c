// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl list
 */
#include <stdio.h>
#include <stdlib.h>
#include "tsmctl.h"

const char usage_list[] = "Usage: tsmctl list [--spdm]\n";

int cmd_list(int argc, char **argv)
{
	struct dev_list l = { 0 };
	struct tsmh_nl nl;
	int spdm = 0, ret;

	if (spdm_opt(argc, argv, &spdm, NULL, 0)) {
		fputs(usage_list, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = get_devices(&nl, NULL, &l);
	if (ret)
		ret = report_nl_error(&nl, "list", NULL, ret);
	else
		ret = list_or_show(&l, &nl, spdm, 0);
	free(l.d);
	tsmh_nl_close(&nl);
	return ret;
}
