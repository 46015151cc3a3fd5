// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl info
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tsmctl.h"

const char usage_info[] = "Usage: tsmctl info\n";

struct caps_reply {
	uint32_t abi, backend, payload_max;
	char release[128];
	int has_gate;
	uint32_t gate_mode, reset_sources;
};

static int parse_caps(struct nl_msg *m, void *arg)
{
	struct caps_reply *r = arg;
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct nla_policy pol[TSMH_A_MAX + 1] = {
		[TSMH_A_ABI_VERSION] = { .type = NLA_U32 },
		[TSMH_A_DOE_BACKEND] = { .type = NLA_U32 },
		[TSMH_A_DOE_PAYLOAD_MAX] = { .type = NLA_U32 },
		[TSMH_A_KERNEL_RELEASE] = { .type = NLA_STRING, .maxlen = 128 },
		[TSMH_A_GATE_MODE] = { .type = NLA_U32 },
		[TSMH_A_RESET_SOURCES] = { .type = NLA_U32 },
	};

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, pol) || !tb[TSMH_A_ABI_VERSION])
		return -EBADMSG;
	r->abi = nla_get_u32(tb[TSMH_A_ABI_VERSION]);
	if (tb[TSMH_A_DOE_BACKEND])
		r->backend = nla_get_u32(tb[TSMH_A_DOE_BACKEND]);
	if (tb[TSMH_A_DOE_PAYLOAD_MAX])
		r->payload_max = nla_get_u32(tb[TSMH_A_DOE_PAYLOAD_MAX]);
	if (tb[TSMH_A_KERNEL_RELEASE])
		nla_strlcpy(r->release, tb[TSMH_A_KERNEL_RELEASE], sizeof(r->release));
	if (tb[TSMH_A_GATE_MODE]) {
		r->has_gate = 1;
		r->gate_mode = nla_get_u32(tb[TSMH_A_GATE_MODE]);
	}
	if (tb[TSMH_A_RESET_SOURCES])
		r->reset_sources = nla_get_u32(tb[TSMH_A_RESET_SOURCES]);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const char *backends[] = { "none", "kernel (pci_doe)", "tsmh config-space" };
	struct caps_reply r = { 0 };
	char srcs[64] = "";
	struct tsmh_nl nl;
	struct nl_msg *m;
	uint32_t k;
	int ret;

	(void)argv;
	if (argc != 1) {
		fputs(usage_info, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	m = tsmh_nl_msg(&nl, TSMH_CMD_GET_CAPS, 0);
	ret = m ? tsmh_nl_call(&nl, m, parse_caps, &r) : -ENOMEM;
	for (k = 0; k < __TSMH_RESET_NR; k++)
		if (r.reset_sources & (1U << k))
			snprintf(srcs + strlen(srcs), sizeof(srcs) - strlen(srcs), "%s%s",
				 srcs[0] ? "," : "", tsmh_reset_kind_name(k));
	if (ret) {
		ret = report_nl_error(&nl, "info", NULL, ret);
	} else if (opt_json) {
		cJSON *rs;

		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "abi_version", r.abi);
		cJSON_AddStringToObject(j, "doe_backend",
					r.backend < 3 ? backends[r.backend] : "?");
		cJSON_AddNumberToObject(j, "doe_payload_max", r.payload_max);
		cJSON_AddStringToObject(j, "kernel", r.release);
		cJSON_AddStringToObject(j, "tsmctl", TSMH_VERSION);
		if (r.has_gate) {
			cJSON_AddStringToObject(j, "gate_mode", r.gate_mode ? "on" : "off");
			rs = cJSON_AddArrayToObject(j, "reset_sources");
			for (k = 0; k < __TSMH_RESET_NR; k++)
				if (r.reset_sources & (1U << k))
					cJSON_AddItemToArray(
						rs, cJSON_CreateString(tsmh_reset_kind_name(k)));
		}
		json_print(j);
	} else {
		printf("kernel:          %s\n", r.release);
		printf("netlink ABI:     %u (tsmctl built for %d)\n", r.abi, TSMH_ABI_VERSION);
		printf("DOE backend:     %s\n", r.backend < 3 ? backends[r.backend] : "?");
		printf("DOE payload max: %u bytes\n", r.payload_max);
		if (r.has_gate) {
			printf("driver gate:     %s\n", r.gate_mode ? "on" : "off");
			printf("reset sources:   %s\n", srcs[0] ? srcs : "none (not detected)");
		}
	}
	tsmh_nl_close(&nl);
	return ret;
}
