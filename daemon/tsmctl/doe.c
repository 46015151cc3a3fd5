// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl doe: raw DOE exchanges through the kernel proxy.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doe.h"
#include "doe_proxy.h"
#include "hex.h"
#include "tsmctl.h"

const char usage_doe[] = "Usage: tsmctl doe DEV --protocol P --hex HEX [--mailbox OFF]\n";

static int parse_protocol(const char *s, uint16_t *vid, uint8_t *type)
{
	unsigned int v, t;
	char tail;

	*vid = TSMH_DOE_VID_PCISIG;
	if (!strcmp(s, "cma") || !strcmp(s, "spdm")) {
		*type = TSMH_DOE_PROT_CMA;
	} else if (!strcmp(s, "sec-cma") || !strcmp(s, "secured-spdm")) {
		*type = TSMH_DOE_PROT_SEC_CMA;
	} else if (!strcmp(s, "discovery")) {
		*type = TSMH_DOE_PROT_DISCOVERY;
	} else if (sscanf(s, "%x:%x%c", &v, &t, &tail) == 2 && v <= 0xffff && t <= 0xff) {
		*vid = (uint16_t)v;
		*type = (uint8_t)t;
	} else {
		return -1;
	}
	return 0;
}

int cmd_doe(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "protocol", required_argument, 0, 'p' },
		{ "hex", required_argument, 0, 'x' },
		{ "mailbox", required_argument, 0, 'm' },
		{ 0, 0, 0, 0 },
	};
	const char *prot = NULL, *hex = NULL, *dev, *err;
	uint8_t *req = NULL, *rbuf = NULL;
	size_t rlen = 0;
	struct tsmh_nl nl;
	uint16_t vid, mb = 0, mb_used = 0;
	uint8_t type;
	int c, ret, have_mb = 0;
	long n;

	while ((c = getopt_long(argc, argv, "p:x:m:", lo, NULL)) != -1) {
		switch (c) {
		case 'p': prot = optarg; break;
		case 'x': hex = optarg; break;
		case 'm':
			if (parse_u16(optarg, &mb)) {
				fprintf(stderr, "tsmctl: doe: bad mailbox offset '%s'\n", optarg);
				return EXIT_USAGE;
			}
			have_mb = 1;
			break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || !prot || !hex)
		goto usage;
	dev = argv[optind];
	if (parse_protocol(prot, &vid, &type)) {
		fprintf(stderr,
			"tsmctl: doe: unknown protocol '%s' (cma, sec-cma, discovery or VID:TYPE in hex)\n",
			prot);
		return EXIT_USAGE;
	}
	req = malloc(TSMH_DOE_PAYLOAD_MAX);
	if (!req)
		return EXIT_OPERR;
	n = tsmh_hex_parse(hex, req, TSMH_DOE_PAYLOAD_MAX, &err);
	if (n < 0) {
		fprintf(stderr, "tsmctl: doe: --hex: %s (limit %d bytes)\n", err,
			TSMH_DOE_PAYLOAD_MAX);
		free(req);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl)) {
		free(req);
		return EXIT_OPERR;
	}
	ret = tsmh_doe_proxy_xfer(&nl, dev, have_mb ? mb : -1, vid, type, req, (size_t)n, &rbuf,
				  &rlen, &mb_used);
	free(req);
	if (ret) {
		ret = report_nl_error(&nl, "doe", dev, ret);
	} else {
		char *out = malloc(2 * rlen + 1);

		if (!out) {
			ret = EXIT_OPERR;
		} else {
			tsmh_hex_format(rbuf, rlen, out);
			if (opt_json) {
				cJSON *j = cJSON_CreateObject();
				char pb[16];

				cJSON_AddStringToObject(j, "device", dev);
				cJSON_AddNumberToObject(j, "mailbox", mb_used);
				cJSON_AddStringToObject(j, "protocol",
							tsmh_prot_name(vid, type, pb));
				cJSON_AddStringToObject(j, "response", out);
				json_print(j);
			} else {
				puts(out);
			}
			free(out);
		}
		free(rbuf);
	}
	tsmh_nl_close(&nl);
	return ret;
usage:
	fputs(usage_doe, stderr);
	return EXIT_USAGE;
}
