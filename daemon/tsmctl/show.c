// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl show
 */
#include <stdio.h>
#include <stdlib.h>
#include "tsmctl.h"

const char usage_show[] = "Usage: tsmctl show DEV [--spdm]\n";

int cmd_show(int argc, char **argv)
{
	struct dev_list l = { 0 };
	const char *dev = NULL;
	struct tsmh_nl nl;
	int spdm = 0, ret;

	if (spdm_opt(argc, argv, &spdm, &dev, 1)) {
		fputs(usage_show, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = get_devices(&nl, dev, &l);
	if (ret)
		ret = report_nl_error(&nl, "show", dev, ret);
	else
		ret = list_or_show(&l, &nl, spdm, 1);
	free(l.d);
	tsmh_nl_close(&nl);
	return ret;
}
