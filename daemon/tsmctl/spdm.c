// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl spdm-info: SPDM connection setup (VCA) with a device, through the
 * kernel's DOE proxy (holding the mailbox claim for the duration) or with
 * a device emulator over the spdm-emu socket protocol.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "target.h"
#include "chain.h"
#include "requester.h"
#include "tsmctl.h"

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
					    { 0, 0, 0, 0 } };
	const char *sock = NULL;
	struct spdm_conn_info ci;
	struct tsmctl_target s;
	char why[384];
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:", lo, NULL)) != -1) {
		if (c != 's')
			goto usage;
		sock = optarg;
	}
	if (sock ? optind != argc : optind + 1 != argc)
		goto usage;
	ret = target_open(&s, sock, sock ? NULL : argv[optind]);
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
	fprintf(stderr, "Usage: tsmctl spdm-info DEV | --socket HOST:PORT\n");
	return EXIT_USAGE;
}

static int save_chain(const char *dir, int slot, const uint8_t *c, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "slot%d.spdmchain", slot);
	return write_file(dir, name, c, len);
}

int cmd_certs(int argc, char **argv)
{
	static const struct option lo[] = { { "socket", required_argument, 0, 's' },
					    { "trust", required_argument, 0, 't' },
					    { "out", required_argument, 0, 'o' },
					    { 0, 0, 0, 0 } };
	const char *sock = NULL, *trust = NULL, *out = NULL;
	static uint8_t chain[SPDM_MAX_CHAIN];
	struct tsmh_leaf_info leaf;
	struct spdm_conn_info ci;
	struct spdm_digests dg;
	cJSON *arr = NULL;
	struct tsmctl_target s;
	char why[384];
	int c, ret, slot, bad = 0;
	size_t len;

	while ((c = getopt_long(argc, argv, "s:t:o:", lo, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 't': trust = optarg; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!trust || (sock ? optind != argc : optind + 1 != argc))
		goto usage;
	ret = target_open(&s, sock, sock ? NULL : argv[optind]);
	if (ret)
		return ret;
	memset(&ci, 0, sizeof(ci));
	ret = spdm_vca(&s.t, &ci, why, sizeof(why));
	if (!ret)
		ret = spdm_get_digests(&s.t, &ci, &dg, why, sizeof(why));
	if (ret) {
		target_close(&s);
		spdm_conn_free(&ci);
		fprintf(stderr, "tsmctl: certs %s: %s\n", s.who, why);
		return EXIT_OPERR;
	}
	if (opt_json)
		arr = cJSON_CreateArray();
	for (slot = 0; slot < SPDM_MAX_SLOTS; slot++) {
		if (!(dg.provisioned & (1u << slot)))
			continue;
		ret = spdm_get_chain(&s.t, &ci, (uint8_t)slot, chain, sizeof(chain), &len, why,
				     sizeof(why));
		if (!ret && out && save_chain(out, slot, chain, len)) {
			snprintf(why, sizeof(why), "cannot save the chain in %s", out);
			ret = -EIO;
		}
		if (!ret)
			ret = tsmh_verify_chain(chain, len, ci.algs.base_hash, dg.digest[slot],
						trust, &leaf, why, sizeof(why));
		if (ret)
			bad = 1;
		if (opt_json) {
			cJSON *j = cJSON_CreateObject();

			cJSON_AddNumberToObject(j, "slot", slot);
			cJSON_AddBoolToObject(j, "verified", !ret);
			if (ret) {
				cJSON_AddStringToObject(j, "error", why);
			} else {
				cJSON_AddNumberToObject(j, "chain_bytes", (double)len);
				cJSON_AddNumberToObject(j, "certificates", leaf.nr_certs);
				cJSON_AddStringToObject(j, "leaf_subject", leaf.subject);
				cJSON_AddStringToObject(j, "identity", leaf.identity);
				cJSON_AddStringToObject(j, "leaf_key", leaf.key);
			}
			cJSON_AddItemToArray(arr, j);
		} else if (ret) {
			printf("slot %d: NOT VERIFIED: %s\n", slot, why);
		} else {
			printf("slot %d: verified against %s\n", slot, trust);
			printf("  chain:    %zu bytes, %d certificates\n", len, leaf.nr_certs);
			printf("  leaf:     %s (%s)\n", leaf.subject, leaf.key);
			printf("  identity: %s\n", leaf.identity);
		}
	}
	target_close(&s);
	spdm_conn_free(&ci);
	if (arr)
		json_print(arr);
	return bad ? EXIT_OPERR : 0;
usage:
	fprintf(stderr,
		"Usage: tsmctl certs DEV | --socket HOST:PORT --trust PEM-FILE-OR-DIR [--out DIR]\n");
	return EXIT_USAGE;
}
