// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl certs: every provisioned certificate chain of a device (through
 * the kernel's DOE proxy or an emulator's socket), each verified.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "target.h"
#include "chain.h"
#include "requester.h"
#include "tsmctl.h"

const char usage_certs[] =
	"Usage: tsmctl certs DEV | --socket HOST:PORT [--timeout SEC] --trust PEM-FILE-OR-DIR\n"
	"       [--out DIR]\n";

static int save_chain(int dfd, int slot, const uint8_t *c, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "slot%d.spdmchain", slot);
	return write_file(dfd, name, c, len);
}

int cmd_certs(int argc, char **argv)
{
	static const struct option lo[] = { { "socket", required_argument, 0, 's' },
					    { "trust", required_argument, 0, 't' },
					    { "out", required_argument, 0, 'o' },
					    { "timeout", required_argument, 0, 'T' },
					    { 0, 0, 0, 0 } };
	const char *sock = NULL, *trust = NULL, *out = NULL, *dev;
	static uint8_t chain[SPDM_MAX_CHAIN];
	struct tsmh_leaf_info leaf;
	struct spdm_conn_info ci;
	struct spdm_digests dg;
	cJSON *arr = NULL;
	struct tsmctl_target s;
	char why[384];
	int c, ret, slot, bad = 0, outfd = -1, timeout_ms = 0;
	size_t len;

	while ((c = getopt_long(argc, argv, "s:t:o:T:", lo, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'T':
			if (target_timeout_opt(optarg, &timeout_ms))
				return EXIT_USAGE;
			break;
		case 't': trust = optarg; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!trust || target_operand(sock, argc, argv, &dev))
		goto usage;
	ret = trust_check("certs", trust);
	if (ret)
		return ret;
	if (out) {
		outfd = out_dir_open("--out", out);
		if (outfd < 0)
			return EXIT_OPERR;
	}
	ret = target_open(&s, sock, dev, timeout_ms);
	if (ret) {
		if (outfd >= 0)
			close(outfd);
		return ret;
	}
	memset(&ci, 0, sizeof(ci));
	ret = spdm_vca(&s.t, &ci, why, sizeof(why));
	if (!ret)
		ret = spdm_get_digests(&s.t, &ci, &dg, why, sizeof(why));
	if (ret) {
		target_close(&s);
		spdm_conn_free(&ci);
		if (outfd >= 0)
			close(outfd);
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
		if (!ret && out && save_chain(outfd, slot, chain, len)) {
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
				cJSON_AddStringToObject(j, "anchor", leaf.anchor);
			}
			cJSON_AddItemToArray(arr, j);
		} else if (ret) {
			printf("slot %d: NOT VERIFIED: %s\n", slot, why);
		} else {
			printf("slot %d: verified against %s\n", slot, trust);
			printf("  chain:    %zu bytes, %d certificates\n", len, leaf.nr_certs);
			printf("  leaf:     %s (%s)\n", leaf.subject, leaf.key);
			printf("  identity: %s\n", leaf.identity);
			printf("  anchor:   %s\n", leaf.anchor);
		}
	}
	target_close(&s);
	spdm_conn_free(&ci);
	if (outfd >= 0)
		close(outfd);
	if (arr)
		json_print(arr);
	return bad ? EXIT_OPERR : 0;
usage:
	fputs(usage_certs, stderr);
	return EXIT_USAGE;
}
