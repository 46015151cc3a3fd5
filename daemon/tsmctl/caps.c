// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl caps FILE: decode a saved configuration space (the bytes of
 * /sys/bus/pci/devices/X/config) with the same capability walk the kernel
 * module uses, so a support engineer can read a customer's dump offline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doe.h"
#include "pcicap.h"
#include "tsmctl.h"

const char usage_caps[] = "Usage: tsmctl caps FILE\n";

struct buf_ctx {
	uint8_t data[TSMH_CFG_SIZE_EXT];
};

static int buf_read32(void *ctx, uint16_t off, uint32_t *v)
{
	struct buf_ctx *b = ctx;

	if (off > TSMH_CFG_SIZE_EXT - 4)
		return -ERANGE;
	*v = tsmh_get_le32(b->data + off);
	return 0;
}

int cmd_caps(int argc, char **argv)
{
	struct buf_ctx *b;
	struct tsmh_caps caps;
	struct tsmh_cfg_reader rd;
	char ide[64];
	size_t n;
	FILE *f;
	int i, ret;

	if (argc != 2) {
		fputs(usage_caps, stderr);
		return EXIT_USAGE;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "tsmctl: caps: %s: %s\n", argv[1], strerror(errno));
		return EXIT_OPERR;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		fclose(f);
		return EXIT_OPERR;
	}
	n = fread(b->data, 1, sizeof(b->data), f);
	if (n == sizeof(b->data) && fgetc(f) != EOF)
		n = 0; /* longer than any config space */
	fclose(f);
	if (n != TSMH_CFG_SIZE_LEGACY && n != TSMH_CFG_SIZE_EXT) {
		fprintf(stderr,
			"tsmctl: caps: %s: %zu bytes; a config space dump is 256 or 4096 bytes "
			"(read sysfs \"config\" as root to get all 4096)\n",
			argv[1], n);
		free(b);
		return EXIT_OPERR;
	}
	rd = (struct tsmh_cfg_reader){ .read32 = buf_read32, .ctx = b, .size = (uint32_t)n };
	ret = tsmh_caps_walk(&rd, &caps);
	if (ret) {
		fprintf(stderr, "tsmctl: caps: %s: %s\n", argv[1],
			ret == -ENODEV ? "no device (vendor ID reads as 0 or all ones)"
				       : strerror(-ret));
		free(b);
		return EXIT_OPERR;
	}
	if (opt_json) {
		cJSON *j = cJSON_CreateObject(), *arr, *e, *doe;
		char s[16];

		snprintf(s, sizeof(s), "%04x", caps.vendor);
		cJSON_AddStringToObject(j, "vendor", s);
		snprintf(s, sizeof(s), "%04x", caps.device);
		cJSON_AddStringToObject(j, "device", s);
		snprintf(s, sizeof(s), "%06x", caps.class_rev >> 8);
		cJSON_AddStringToObject(j, "class", s);
		cJSON_AddNumberToObject(j, "config_size", (double)n);
		cJSON_AddStringToObject(j, "pcie_type",
					caps.exp_off ? tsmh_exp_type_name(caps.exp_type)
						     : "not PCIe");
		cJSON_AddBoolToObject(j, "tee_io", caps.tee_io);
		cJSON_AddBoolToObject(j, "flr", !!(caps.devcap & TSMH_EXP_DEVCAP_FLR));
		arr = cJSON_AddArrayToObject(j, "capabilities");
		for (i = 0; i < caps.nr_caps; i++) {
			e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "offset", caps.caps[i].off);
			cJSON_AddNumberToObject(e, "id", caps.caps[i].id);
			cJSON_AddBoolToObject(e, "extended", caps.caps[i].ext);
			cJSON_AddStringToObject(e, "name",
						tsmh_cap_name(caps.caps[i].id, caps.caps[i].ext));
			cJSON_AddItemToArray(arr, e);
		}
		doe = cJSON_AddArrayToObject(j, "doe_mailboxes");
		for (i = 0; i < caps.nr_doe; i++)
			cJSON_AddItemToArray(doe, cJSON_CreateNumber(caps.doe_off[i]));
		if (caps.ide_off) {
			e = cJSON_AddObjectToObject(j, "ide");
			cJSON_AddNumberToObject(e, "offset", caps.ide_off);
			cJSON_AddNumberToObject(e, "capability", caps.ide_cap);
			cJSON_AddNumberToObject(e, "selective_streams",
						tsmh_ide_nr_sel_streams(caps.ide_cap));
			cJSON_AddNumberToObject(e, "link_tcs", tsmh_ide_nr_link_tcs(caps.ide_cap));
		} else {
			cJSON_AddNullToObject(j, "ide");
		}
		if (caps.anomalies) {
			cJSON_AddStringToObject(j, "anomaly",
						tsmh_caps_anomaly_str(caps.anomalies));
			cJSON_AddNumberToObject(j, "anomaly_offset", caps.anomaly_at);
		}
		json_print(j);
	} else {
		printf("%04x:%04x class %06x, %zu-byte config space, %s\n", caps.vendor,
		       caps.device, caps.class_rev >> 8, n,
		       caps.exp_off ? tsmh_exp_type_name(caps.exp_type) : "not PCIe");
		for (i = 0; i < caps.nr_caps; i++)
			printf("  [%03x] %s%s (%#x%s)\n", caps.caps[i].off,
			       caps.caps[i].ext ? "ext " : "",
			       tsmh_cap_name(caps.caps[i].id, caps.caps[i].ext), caps.caps[i].id,
			       caps.caps[i].ext ? "" : ", standard");
		printf("TEE-IO Supported: %s\n", caps.tee_io ? "yes" : "no");
		for (i = 0; i < caps.nr_doe; i++)
			printf("DOE mailbox at %#x\n", caps.doe_off[i]);
		if (caps.ide_off)
			printf("IDE at %#x: %s, %u selective stream(s), %u link TC(s)\n",
			       caps.ide_off, ide_summary(caps.ide_cap, ide, sizeof(ide)),
			       tsmh_ide_nr_sel_streams(caps.ide_cap),
			       tsmh_ide_nr_link_tcs(caps.ide_cap));
		if (n == TSMH_CFG_SIZE_LEGACY && caps.exp_off)
			printf("note: only 256 bytes: extended capabilities (DOE, IDE) not visible\n");
		if (caps.anomalies)
			printf("MALFORMED at %#x: %s\n", caps.anomaly_at,
			       tsmh_caps_anomaly_str(caps.anomalies));
	}
	free(b);
	return caps.anomalies ? EXIT_OPERR : 0;
}
