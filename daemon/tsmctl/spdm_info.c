// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl spdm-info: SPDM connection setup (VCA) with a device, through the
 * kernel's DOE proxy (holding the mailbox claim for the duration) or with
 * a device emulator over the spdm-emu socket protocol.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "target.h"
#include "requester.h"
#include "tsmctl.h"

const char usage_spdm_info[] = "Usage: tsmctl spdm-info DEV | --socket HOST:PORT [--timeout SEC]\n";

static void print_info(const char *who, const struct spdm_conn_info *ci)
{
	char caps[256], vers[64] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < ci->nr_versions; i++)
		n += (size_t)snprintf(vers + n, sizeof(vers) > n ? sizeof(vers) - n : 0, "%s%u.%u",
				      i ? "," : "", ci->versions[i].major, ci->versions[i].minor);
	spdm_caps_str(ci->caps.flags, caps, sizeof(caps));
	if (opt_json) {
		cJSON *j = cJSON_CreateObject(), *a, *v;
		char s[8];

		cJSON_AddStringToObject(j, "device", who);
		v = cJSON_AddArrayToObject(j, "versions");
		for (i = 0; i < ci->nr_versions; i++) {
			snprintf(s, sizeof(s), "%u.%u", ci->versions[i].major,
				 ci->versions[i].minor);
			cJSON_AddItemToArray(v, cJSON_CreateString(s));
		}
		snprintf(s, sizeof(s), "%u.%u", ci->ver >> 4, ci->ver & 15);
		cJSON_AddStringToObject(j, "version", s);
		cJSON_AddStringToObject(j, "capabilities", caps);
		cJSON_AddNumberToObject(j, "ct_exponent", ci->caps.ct_exponent);
		cJSON_AddNumberToObject(j, "data_transfer_size", ci->caps.data_transfer_size);
		cJSON_AddNumberToObject(j, "max_spdm_msg_size", ci->caps.max_msg_size);
		a = cJSON_AddObjectToObject(j, "algorithms");
		cJSON_AddStringToObject(a, "base_asym", spdm_asym_name(ci->algs.base_asym));
		cJSON_AddStringToObject(a, "base_hash", spdm_hash_name(ci->algs.base_hash));
		cJSON_AddNumberToObject(a, "measurement_hash", ci->algs.meas_hash);
		cJSON_AddStringToObject(a, "dhe", spdm_dhe_name(ci->algs.dhe));
		cJSON_AddStringToObject(a, "aead", spdm_aead_name(ci->algs.aead));
		json_print(j);
		return;
	}
	printf("%s\n", who);
	printf("  SPDM version:   %u.%u (device offers %s)\n", ci->ver >> 4, ci->ver & 15, vers);
	printf("  capabilities:   %s\n", caps);
	printf("  CT exponent:    %u (%u us)\n", ci->caps.ct_exponent,
	       ci->caps.ct_exponent < 32 ? 1u << ci->caps.ct_exponent : 0);
	if (ci->ver >= SPDM_VERSION_12)
		printf("  transfer sizes: DataTransferSize %u, MaxSPDMmsgSize %u\n",
		       ci->caps.data_transfer_size, ci->caps.max_msg_size);
	printf("  algorithms:     asym %s, hash %s, DHE %s, AEAD %s\n",
	       spdm_asym_name(ci->algs.base_asym), spdm_hash_name(ci->algs.base_hash),
	       spdm_dhe_name(ci->algs.dhe), spdm_aead_name(ci->algs.aead));
}

int cmd_spdm_info(int argc, char **argv)
{
	static const struct option lo[] = { { "socket", required_argument, 0, 's' },
					    { "timeout", required_argument, 0, 'T' },
					    { 0, 0, 0, 0 } };
	const char *sock = NULL, *dev;
	struct spdm_conn_info ci;
	struct tsmctl_target s;
	char why[384];
	int c, ret, timeout_ms = 0;

	while ((c = getopt_long(argc, argv, "s:T:", lo, NULL)) != -1) {
		if (c == 'T' && target_timeout_opt(optarg, &timeout_ms))
			return EXIT_USAGE;
		else if (c == 's')
			sock = optarg;
		else if (c != 'T')
			goto usage;
	}
	if (target_operand(sock, argc, argv, &dev))
		goto usage;
	ret = target_open(&s, sock, dev, timeout_ms);
	if (ret)
		return ret;
	memset(&ci, 0, sizeof(ci));
	ret = spdm_vca(&s.t, &ci, why, sizeof(why));
	target_close(&s);
	if (!ret)
		print_info(s.who, &ci);
	else
		fprintf(stderr, "tsmctl: spdm-info %s: %s\n", s.who, why);
	spdm_conn_free(&ci);
	return ret ? EXIT_OPERR : 0;
usage:
	fputs(usage_spdm_info, stderr);
	return EXIT_USAGE;
}
