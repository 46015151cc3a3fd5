// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * simide: drive the sim's IDE registers through sysfs config space (no
 * setpci in the initramfs), for tests/vm/t_simide.sh until the kernel's
 * connect flow does it.
 *
 *   simide BDF r32 OFF | w32 OFF VAL        one config dword
 *   simide BDF sel I                        "CTL STS RID1 RID2" of selective block I
 *   simide BDF sel-set I CTL RID1 RID2      RID association, then control
 *   simide BDF sel-clear I                  write 1 to IDE_FAIL (RW1C)
 *   simide BDF addr I J                     "BASE LIMIT" of address block J of
 *                                           selective block I (0x%016x each,
 *                                           1 MiB granules expanded), or
 *                                           "invalid"
 *   simide RP ku-load KEYFILE [corrupt]     program the root port's key unit
 *                                           from `tsmctl ide km --key-file`
 *                                           (directions swapped), then GO;
 *                                           corrupt: flip one bit of one key
 *   simide RP ku-sts ID                     the key unit status for stream ID
 *   simide RP ku-sel [VAL]                  the key unit's select register (VAL:
 *                                           written first)
 *
 * Key unit layout: docs/design.md "Root-port IDE key unit".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KU_SEL 0x0c
#define KU_CMD 0x10
#define KU_STS 0x14
#define KU_KEY 0x18
#define KU_IFV 0x38

static int fd;
static const char *bdf;

static uint32_t r32(unsigned int off)
{
	uint32_t v;

	if (pread(fd, &v, 4, off) != 4) {
		fprintf(stderr, "simide: %s: read %#x: %s\n", bdf, off, strerror(errno));
		exit(1);
	}
	return v;
}

static void w32(unsigned int off, uint32_t v)
{
	if (pwrite(fd, &v, 4, off) != 4) {
		fprintf(stderr, "simide: %s: write %#x: %s\n", bdf, off, strerror(errno));
		exit(1);
	}
}

/* the offset of extended capability @id (VSEC: with VSEC ID @vsec), or exit */
static unsigned int ext_cap(unsigned int id, int vsec)
{
	unsigned int off = 0x100, n;

	for (n = 0; off && n < 64; n++) {
		uint32_t h = r32(off);

		if ((h & 0xffff) == id &&
		    (vsec < 0 || (r32(off + 4) & 0xffff) == (unsigned int)vsec))
			return off;
		off = h >> 20;
	}
	fprintf(stderr, "simide: %s: no extended capability %#x\n", bdf, id);
	exit(1);
}

static unsigned int sel_off(unsigned int i)
{
	unsigned int ide = ext_cap(0x30, -1), cap = r32(ide + 4), off, n;

	off = ide + 0x0c + ((cap & 1) ? 8 * (((cap >> 13) & 7) + 1) : 0);
	if (!(cap & 2) || i > ((cap >> 16) & 0xff)) {
		fprintf(stderr, "simide: %s: no selective block %u\n", bdf, i);
		exit(1);
	}
	for (n = 0; n < i; n++)
		off += 20 + 12 * (r32(off) & 0xf);
	return off;
}

static int hexbytes(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

static int ku_load(const char *path, int corrupt)
{
	static const char *const subs[] = { "PR", "NPR", "CPL" };
	unsigned int ku = ext_cap(0x0b, 1), sid = 0, set = 0, sub, i, n = 0;
	char dir[8], sname[8], khex[80], ihex[40], line[256];
	uint8_t key[32], ifv[8];
	FILE *f = fopen(path, "r");
	uint32_t st, dw;

	if (!f) {
		fprintf(stderr, "simide: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %7s %7s %79s %39s", &sid, &set, dir, sname, khex, ihex) !=
		    6)
			continue;
		for (sub = 0; sub < 3 && strcmp(sname, subs[sub]); sub++)
			;
		if (sub == 3 || hexbytes(khex, key, 32) || hexbytes(ihex, ifv, 8)) {
			fprintf(stderr, "simide: %s: bad line\n", path);
			return 1;
		}
		if (corrupt && n == 0)
			key[0] ^= 1;
		/* the device's RX key is the root port's TX key and vice versa */
		w32(ku + KU_SEL,
		    sid | (set & 1) << 8 | (strcmp(dir, "RX") ? 0 : 1u << 9) | sub << 10);
		for (i = 0; i < 8; i++) {
			memcpy(&dw, key + 4 * i, 4);
			w32(ku + KU_KEY + 4 * i, dw);
		}
		for (i = 0; i < 2; i++) {
			memcpy(&dw, ifv + 4 * i, 4);
			w32(ku + KU_IFV + 4 * i, dw);
		}
		w32(ku + KU_CMD, 1);
		st = r32(ku + KU_STS);
		if ((st & 3) != 1) {
			fprintf(stderr, "simide: %s: key unit PROGRAM: status %#x\n", bdf, st);
			return 1;
		}
		n++;
	}
	fclose(f);
	memset(key, 0, sizeof(key));
	memset(line, 0, sizeof(line));
	if (n != 6) {
		fprintf(stderr, "simide: %s: %u keys, not 6\n", path, n);
		return 1;
	}
	w32(ku + KU_SEL, sid | (set & 1) << 8);
	w32(ku + KU_CMD, 2);
	st = r32(ku + KU_STS);
	printf("0x%08x\n", st);
	return (st & 3) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char path[128];
	unsigned int o;

	if (argc < 3) {
		fputs("usage: simide BDF r32|w32|sel|sel-set|sel-clear|addr|ku-load|ku-sts ...\n",
		      stderr);
		return 2;
	}
	bdf = argv[1];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "simide: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[2], "r32") && argc == 4) {
		printf("0x%08x\n", r32((unsigned int)strtoul(argv[3], NULL, 0)));
	} else if (!strcmp(argv[2], "w32") && argc == 5) {
		w32((unsigned int)strtoul(argv[3], NULL, 0), (uint32_t)strtoul(argv[4], NULL, 0));
	} else if (!strcmp(argv[2], "sel") && argc == 4) {
		o = sel_off((unsigned int)strtoul(argv[3], NULL, 0));
		printf("0x%08x 0x%08x 0x%08x 0x%08x\n", r32(o + 4), r32(o + 8), r32(o + 12),
		       r32(o + 16));
	} else if (!strcmp(argv[2], "sel-set") && argc == 7) {
		o = sel_off((unsigned int)strtoul(argv[3], NULL, 0));
		w32(o + 12, (uint32_t)strtoul(argv[5], NULL, 0));
		w32(o + 16, (uint32_t)strtoul(argv[6], NULL, 0));
		w32(o + 4, (uint32_t)strtoul(argv[4], NULL, 0));
	} else if (!strcmp(argv[2], "addr") && argc == 5) {
		unsigned int j = (unsigned int)strtoul(argv[4], NULL, 0);
		uint32_t a1;
		uint64_t base, limit;

		o = sel_off((unsigned int)strtoul(argv[3], NULL, 0));
		if (j >= (r32(o) & 0xf)) {
			fprintf(stderr, "simide: %s: no address block %u\n", bdf, j);
			return 1;
		}
		o += 20 + 12 * j;
		a1 = r32(o);
		base = (uint64_t)r32(o + 8) << 32 | (uint64_t)((a1 >> 8) & 0xfff) << 20;
		limit = (uint64_t)r32(o + 4) << 32 | (uint64_t)(a1 >> 20) << 20 | 0xfffff;
		if (a1 & 1)
			printf("0x%016llx 0x%016llx\n", (unsigned long long)base,
			       (unsigned long long)limit);
		else
			printf("invalid\n");
	} else if (!strcmp(argv[2], "sel-clear") && argc == 4) {
		o = sel_off((unsigned int)strtoul(argv[3], NULL, 0));
		w32(o + 8, 0x80000000u);
	} else if (!strcmp(argv[2], "ku-load") && (argc == 4 || argc == 5)) {
		return ku_load(argv[3], argc == 5 && !strcmp(argv[4], "corrupt"));
	} else if (!strcmp(argv[2], "ku-sts") && argc == 4) {
		o = ext_cap(0x0b, 1);
		w32(o + KU_SEL, (uint32_t)strtoul(argv[3], NULL, 0));
		printf("0x%08x\n", r32(o + KU_STS));
	} else if (!strcmp(argv[2], "ku-sel") && (argc == 3 || argc == 4)) {
		o = ext_cap(0x0b, 1);
		if (argc == 4)
			w32(o + KU_SEL, (uint32_t)strtoul(argv[3], NULL, 0));
		printf("0x%08x\n", r32(o + KU_SEL));
	} else {
		fprintf(stderr, "simide: bad arguments\n");
		return 2;
	}
	return 0;
}
